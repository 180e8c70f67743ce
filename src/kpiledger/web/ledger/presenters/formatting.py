"""Labels, numbers, dates and status badges as shown on the public pages (i18n-aware)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import get_language, gettext_lazy

from kpiledger.core.effect import Effect
from kpiledger.core.era import YearMonth, fiscal_year_label, format_long, format_short
from kpiledger.core.evaluate import KpiResult, ProjectResult, Status
from kpiledger.core.inference import Inferred
from kpiledger.core.model import Actual, Confidence
from kpiledger.core.numbers import format_number, to_plain_string
from kpiledger.core.progress import Progress
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.presenters.urls import reverse
from kpiledger.web.remembered import Remembered

STATUS_ICONS = {
    Status.ACHIEVED: "✔",
    Status.NEARLY_ACHIEVED: "△",
    Status.NOT_ACHIEVED: "✘",
    Status.NO_DATA: "－",
    Status.NOT_DUE: "…",
}
STATUS_LABELS = {
    Status.ACHIEVED: gettext_lazy("達成"),
    Status.NEARLY_ACHIEVED: gettext_lazy("概ね達成"),
    Status.NOT_ACHIEVED: gettext_lazy("未達成"),
    Status.NO_DATA: gettext_lazy("実績なし"),
    Status.NOT_DUE: gettext_lazy("目標年度前"),
}
PROGRESS_LABELS = {
    Progress.ON_TRACK: gettext_lazy("順調"),
    Progress.NEEDS_ACCELERATION: gettext_lazy("加速が必要"),
    Progress.LIMITED: gettext_lazy("進捗が限定的"),
    Progress.DETERIORATION: gettext_lazy("悪化"),
}
EFFECT_LABELS = {
    Effect.VERY_EFFECTIVE: gettext_lazy("地方創生に非常に効果的であった"),
    Effect.CONSIDERABLY_EFFECTIVE: gettext_lazy("地方創生に相当程度効果があった"),
    Effect.EFFECTIVE: gettext_lazy("地方創生に効果があった"),
    Effect.NOT_EFFECTIVE: gettext_lazy("地方創生に効果がなかった"),
}
CONFIDENCE_LABELS = {
    Confidence.HIGH: gettext_lazy("高"),
    Confidence.MEDIUM: gettext_lazy("中"),
    Confidence.LOW: gettext_lazy("低（要確認）"),
}
NO_VALUE = "-"


# --- small formatting helpers ---------------------------------------------------------------


def english() -> bool:
    """Whether the active language is English (else Japanese, the default)."""
    return (get_language() or "ja").startswith("en")


def pick(ja: str, en: str) -> str:
    """The Japanese or English text of a pair the core gives in both languages."""
    return en if english() else ja


exact = m.unpad  # a value read from a database column, without its padding (73.5000 → 73.5)


def number(value: Decimal | None) -> str:
    """Published style with thousands separators and the places as written (`35,245`,
    `73.50`, `2,300.00`); `-` for no value. Values read straight from a database column are
    padded to 4 places: pass them through `exact` (or `stored_number`) first."""
    return NO_VALUE if value is None else _remembered(value, False)


def count_text(count: int) -> str:
    """A count as published tables write it, with thousands separators (`45,447`, `1,241`),
    in both languages."""
    return f"{count:,}"


def stored_number(value: Decimal | None) -> str:
    """`number` of a value read from a database column (its padding zeros dropped)."""
    return NO_VALUE if value is None else _remembered(value, True)


REMEMBERED_NUMBERS = 50_000
_numbers: Remembered[tuple[str, bool], str] = Remembered(REMEMBERED_NUMBERS)


def _remembered(value: Decimal, stored: bool) -> str:
    """`format_number` of the value (`exact` first when `stored`), each written once: a page
    shows the same few numbers many times (a KPI's target on every row of its history). The
    key is the Decimal's text, which keeps its places (`73.5` and `73.50` are equal Decimals
    written differently)."""
    key = (str(value), stored)
    found = _numbers.get(key)
    if found is None:
        found = _numbers.keep(key, format_number(exact(value) if stored else value))
    return found


def plain(value: Decimal | None) -> str | None:
    """Plain exact notation for chart data (`35245`, `73.50`), None for no value."""
    return None if value is None else to_plain_string(value)


def year_label(fiscal_year: int) -> str:
    """`R5年度` in Japanese, `FY2023` in English."""
    return f"FY{fiscal_year}" if english() else fiscal_year_label(fiscal_year)


def year_label_long(fiscal_year: int) -> str:
    """`令和5年度（2023年度）`, or `FY2023 (令和5年度)`."""
    long = fiscal_year_label(fiscal_year, "long")
    return f"FY{fiscal_year} ({long})" if english() else f"{long}（{fiscal_year}年度）"


def month_short(ym: YearMonth | None) -> str:
    """The target date as published (`R6.3`), or `2024-03` in English."""
    if ym is None:
        return ""
    return ym.iso() if english() else format_short(ym)


def month_long(ym: YearMonth | None) -> str:
    """`令和6年3月`, or `2024-03 (令和6年3月)` in English."""
    if ym is None:
        return ""
    return f"{ym.iso()} ({format_long(ym)})" if english() else format_long(ym)


def rate_text(rate: Decimal | None) -> str:
    """`220.3%`, or `—` when the rate cannot be computed."""
    return "—" if rate is None else f"{rate}%"


def actual_text(actual: Actual | None) -> str:
    """A published actual: the number, the "no value" marker as published, or `-`."""
    if actual is None or actual.value is None:
        return (actual.marker if actual and actual.marker else None) or NO_VALUE
    return number(actual.value)


def with_unit(value: Decimal | None, unit: str) -> str:
    return NO_VALUE if value is None else f"{number(value)}{unit}"


def kpi_url(code: str, kpi_id: int, fiscal_year: int) -> str:
    return f"{reverse('ledger:kpi', args=[code, kpi_id])}?year={fiscal_year}"


# --- status badges --------------------------------------------------------------------------


@dataclass(frozen=True)
class Badge:
    """A status shown as icon + text (never colour alone); `key` selects the colour."""

    key: str
    icon: str
    label: str
    progress: str = ""

    @property
    def text(self) -> str:
        if not self.progress:
            return self.label
        return (
            f"{self.label} ({self.progress})" if english() else f"{self.label}（{self.progress}）"
        )


def badge(status: Status, progress: Progress | None = None) -> Badge:
    shown = str(PROGRESS_LABELS[progress]) if progress else ""
    return Badge(status.value, STATUS_ICONS[status], str(STATUS_LABELS[status]), shown)


@dataclass(frozen=True)
class StatusCount:
    badge: Badge
    count: int
    share: str  # percent of all KPIs, one decimal


def status_counts(results: Iterable[KpiResult]) -> list[StatusCount]:
    """One count per status, in the fixed order of `Status` (zeros included)."""
    counts = Counter(r.status for r in results)
    total = sum(counts.values())
    return [
        StatusCount(badge(s), counts.get(s, 0), _share(counts.get(s, 0), total)) for s in Status
    ]


def _share(count: int, total: int) -> str:
    if not total:
        return "—"
    return f"{(Decimal(count) * 100 / total).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


def effect_label(project: ProjectResult) -> str:
    if project.effect_suggestion is None:
        return "—"
    return str(EFFECT_LABELS[project.effect_suggestion])


def inferred_text(inferred: Inferred[object]) -> str:
    """The reason of an inference in the active language."""
    return pick(inferred.reason_ja, inferred.reason_en)
