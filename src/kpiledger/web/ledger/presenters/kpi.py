"""The KPI page: facts, judgement, chart data (exact decimals) and change history."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language, gettext_lazy, pgettext
from django.utils.translation import gettext as _

from kpiledger.core.era import YearMonth
from kpiledger.core.evaluate import KpiResult, Status
from kpiledger.core.inference import Inferred
from kpiledger.core.model import Baseline
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.presenters.formatting import (
    CONFIDENCE_LABELS,
    NO_VALUE,
    PROGRESS_LABELS,
    Badge,
    actual_text,
    badge,
    english,
    inferred_text,
    month_long,
    month_short,
    pick,
    plain,
    rate_text,
    stored_number,
    with_unit,
    year_label,
    year_label_long,
)
from kpiledger.web.ledger.presenters.report import YearLink
from kpiledger.web.ledger.presenters.urls import reverse

# --- the KPI page ---------------------------------------------------------------------------

HISTORY_TYPES = {"+": gettext_lazy("作成"), "~": gettext_lazy("変更"), "-": gettext_lazy("削除")}
NOT_SET = "—"  # a field left empty (no override, no reason given)
# The history tables' value columns, as their headers read (labels where the table stacks).
OBSERVATION_COLUMNS = (gettext_lazy("年度"), gettext_lazy("実績値"))
KPI_COLUMNS = (
    gettext_lazy("指標"),
    gettext_lazy("指標値"),
    gettext_lazy("年月"),
    gettext_lazy("基準値"),
    gettext_lazy("方向（指定）"),
    gettext_lazy("集計方法（指定）"),
)


@dataclass(frozen=True)
class Judgement:
    """Direction or aggregation as used: label, reason, confidence, inferred or overridden."""

    label: str
    reason: str
    confidence: str
    overridden: bool


@dataclass(slots=True)  # made by the thousand for pages: not frozen, faster to make
class ChartRow:
    year: str
    value: str
    target: str  # the target on its fiscal year's row, else ""


@dataclass(slots=True)  # made by the thousand for pages: not frozen, faster to make
class HistoryRow:
    date: object  # an aware datetime, localized by the template
    user: str
    reason: str
    kind: str
    values: tuple[str, ...]
    labels: tuple[str, ...] = ()  # the values' column headers (labels where the table stacks)

    @property
    def labelled(self) -> list[tuple[str, str]]:
        return list(zip(self.labels, self.values, strict=True))


@dataclass
class KpiPage:
    organization: m.Organization
    kpi: m.Kpi
    project_name: str
    fiscal_year: int
    year_label: str
    report_url: str
    project_url: str
    target: str
    target_date: str
    target_year: str
    baseline: str
    direction: Judgement
    aggregation: Judgement
    judged_year: str
    rate: str
    rate_note: str  # why the rate is only interim (target not yet due)
    badge: Badge
    progress: str
    flags: list[tuple[str, str]]
    chart: dict[str, object]
    chart_description: str
    chart_rows: list[ChartRow]
    observation_history: list[HistoryRow]
    kpi_history: list[HistoryRow]
    report_years: list[YearLink]


def kpi_page(
    kpi: m.Kpi,
    result: KpiResult,
    years: list[int],
    fy: int,
    observation_history: Iterable[Any],
    kpi_history: Iterable[Any],
) -> KpiPage:
    """Everything the KPI page shows: facts, judgement, chart data (exact), history.

    `kpi.project.organization` and `kpi.project.grant` must already be loaded; the histories
    are django-simple-history records with `history_user` selected.
    """
    project, core = kpi.project, result.kpi
    org = project.organization
    report_url = reverse("ledger:report", args=[org.code, fy])
    categories = _chart_years(result, fy)
    text = _page_text(get_language())
    return KpiPage(
        organization=org,
        kpi=kpi,
        project_name=_prefixed_name(project),
        fiscal_year=fy,
        year_label=year_label(fy),
        report_url=report_url,
        project_url=f"{report_url}#kpi-{kpi.id}",
        target=with_unit(core.target, core.unit),
        target_date=month_long(core.target_date),
        target_year=year_label_long(core.target_fiscal_year) if core.target_fiscal_year else "—",
        baseline=_baseline(core.baseline, core.unit),
        direction=_judgement(result.direction, m.DirectionChoice, text),
        aggregation=_judgement(result.aggregation, m.AggregationChoice, text),
        judged_year=year_label(result.judged_year) if result.judged_year else "—",
        rate=rate_text(result.achievement_rate),
        rate_note=_interim_note(result, text),
        badge=badge(result.status, result.progress),
        progress=str(PROGRESS_LABELS[result.progress]) if result.progress else "",
        flags=[(f.code, pick(f.message_ja, f.message_en)) for f in result.flags],
        chart=_kpi_chart(result, categories, text),
        chart_description=_kpi_chart_description(result, categories, text),
        chart_rows=_chart_rows(result, categories, text),
        observation_history=[_observation_history_row(h, text) for h in observation_history],
        kpi_history=[_kpi_history_row(h, text) for h in kpi_history],
        report_years=[YearLink(y, year_label(y), y == fy) for y in years],
    )


def _interim_note(result: KpiResult, text: _PageText) -> str:
    if result.status is not Status.NOT_DUE or result.achievement_rate is None:
        return ""
    return text.interim


def _prefixed_name(project: m.Project) -> str:
    if project.section == m.Section.RELATED and project.grant:
        return f"【{project.grant.name}】 {project.name}"
    return project.name


def no_baseline() -> str:
    """The report gives no baseline: 「なし」, "none" (never Python's "None")."""
    return pgettext("no baseline", "なし")


def _baseline(baseline: Baseline | None, unit: str) -> str:
    if baseline is None:
        return no_baseline()
    text = with_unit(baseline.value, unit)
    return f"{text}（{year_label(baseline.fiscal_year)}）" if baseline.fiscal_year else text


def _judgement(inferred: Inferred[Any], choices: type[Any], text: _PageText) -> Judgement:
    key = (choices, inferred.value.value, inferred.confidence)
    labels = text.judgements.get(key)
    if labels is None:
        labels = text.judgements[key] = (
            str(choices(inferred.value.value).label),
            str(CONFIDENCE_LABELS[inferred.confidence]),
        )
    return Judgement(
        label=labels[0],
        reason=inferred_text(inferred),
        confidence=labels[1],
        overridden=inferred.overridden,
    )


def _chart_years(result: KpiResult, fy: int) -> list[int]:
    """Every fiscal year from the first published one (or the target year) to the later of
    the report year and the target year, so the target year always has a place."""
    known = [*result.kpi.actuals, fy]
    if result.kpi.target_fiscal_year:
        known.append(result.kpi.target_fiscal_year)
    return list(range(min(known), max(known) + 1))


def _kpi_chart(result: KpiResult, categories: list[int], text: _PageText) -> dict[str, object]:
    kpi, due = result.kpi, result.kpi.target_fiscal_year
    actuals = [kpi.actuals.get(y) for y in categories]
    return {
        "kind": "kpi-line",
        "categories": [text.year(y) for y in categories],
        "values": [plain(a.value) if a else None for a in actuals],
        "unit": kpi.unit,
        "target": plain(kpi.target),
        "target_category": text.year(due) if due in categories else None,
        "labels": {
            "actual": text.actual,
            "target": text.target_label % {"value": with_unit(kpi.target, kpi.unit)},
            "target_year": text.target_year_label % {"year": text.year(due)} if due else "",
        },
    }


def _kpi_chart_description(result: KpiResult, categories: list[int], text: _PageText) -> str:
    kpi = result.kpi
    points = text.separator.join(
        f"{text.year(y)} {with_unit(kpi.actuals[y].value, kpi.unit)}"
        for y in categories
        if y in kpi.actuals and kpi.actuals[y].value is not None
    )
    values = {
        "indicator": kpi.indicator,
        "points": points or text.no_actuals,
        "target": with_unit(kpi.target, kpi.unit),
    }
    if kpi.target_fiscal_year:
        values["year"] = text.year(kpi.target_fiscal_year)
        return text.description_with_year % values
    return text.description % values


def _chart_description_texts() -> tuple[str, str]:
    """The chart's description with and without a target year, in the active language."""
    with_year = _(
        "「%(indicator)s」の年度別実績値の折れ線グラフ：%(points)s。"
        "目標値 %(target)s（目標年度 %(year)s）を横線で示す。"
    )
    without = _(
        "「%(indicator)s」の年度別実績値の折れ線グラフ：%(points)s。"
        "目標値 %(target)s を横線で示す。"
    )
    return with_year, without


def _chart_rows(result: KpiResult, categories: list[int], text: _PageText) -> list[ChartRow]:
    kpi, due = result.kpi, result.kpi.target_fiscal_year
    target = with_unit(kpi.target, kpi.unit)
    return [
        ChartRow(text.year(y), actual_text(kpi.actuals.get(y)), target if y == due else "")
        for y in categories
    ]


@dataclass(frozen=True)
class _PageText:
    """The fixed text of the history tables in one language, and the year labels of the page
    (translated once, not on every row: a page has dozens of rows)."""

    kinds: dict[str, str]  # history type (+ ~ -) → 作成, 変更, 削除
    observation_columns: tuple[str, ...]
    kpi_columns: tuple[str, ...]
    imported: str  # 取込: a change made by an import
    unknown: str  # （不明）
    no_baseline: str
    actual: str  # the chart's labels and description
    target_label: str
    target_year_label: str
    no_actuals: str
    separator: str
    description_with_year: str
    description: str
    interim: str  # 目標年度前のため暫定値
    years: dict[int, str]  # fiscal year → its label, filled as met
    judgements: dict[tuple[Any, ...], tuple[str, str]]  # (choices, value, confidence) → labels

    def year(self, fiscal_year: int) -> str:
        found = self.years.get(fiscal_year)
        if found is None:
            found = self.years[fiscal_year] = year_label(fiscal_year)
        return found


@functools.lru_cache(maxsize=16)
def _page_text(language: str | None) -> _PageText:
    """The fixed text of the active language (`language`: its code, the key of the cache)."""
    with_year, without = _chart_description_texts()
    return _PageText(
        kinds={key: str(label) for key, label in HISTORY_TYPES.items()},
        observation_columns=tuple(str(label) for label in OBSERVATION_COLUMNS),
        kpi_columns=tuple(str(label) for label in KPI_COLUMNS),
        imported=_("取込"),
        unknown=_("（不明）"),
        no_baseline=no_baseline(),
        actual=_("実績値"),
        target_label=_("目標値 %(value)s"),
        target_year_label=_("目標年度 %(year)s"),
        no_actuals=_("実績値なし"),
        separator=", " if english() else "、",
        description_with_year=with_year,
        description=without,
        interim=_("目標年度前のため暫定値"),
        years={},
        judgements={},
    )


def _history_user(record: Any, text: _PageText) -> str:
    if record.history_user_id and record.history_user:
        return record.history_user.get_username()
    reason = record.history_change_reason or ""
    return text.imported if reason.startswith("取込") else text.unknown


def _history_row(
    record: Any, values: tuple[str, ...], labels: tuple[str, ...], text: _PageText
) -> HistoryRow:
    return HistoryRow(
        date=record.history_date,
        user=_history_user(record, text),
        reason=record.history_change_reason or NOT_SET,
        kind=text.kinds.get(record.history_type, record.history_type),
        values=values,
        labels=labels,
    )


def _observation_history_row(record: Any, text: _PageText) -> HistoryRow:
    """年度, 実績値 (or the "no value" marker)."""
    shown = stored_number(record.value) if record.value is not None else (record.marker or NO_VALUE)
    values = (text.year(record.fiscal_year), shown)
    return _history_row(record, values, text.observation_columns, text)


def _kpi_history_row(record: Any, text: _PageText) -> HistoryRow:
    """指標, 指標値+単位, 年月, 基準値, and the direction/aggregation overrides."""
    date = YearMonth(record.target_year, record.target_month) if record.target_year else None
    baseline = stored_number(record.baseline) if record.baseline is not None else text.no_baseline
    if record.baseline is not None and record.baseline_year:
        baseline += f"（{text.year(record.baseline_year)}）"
    direction = _choice_label(m.DirectionChoice, record.direction_override)
    aggregation = _choice_label(m.AggregationChoice, record.aggregation_override)
    target = f"{stored_number(record.target)}{record.unit}"
    month = month_short(date) or NOT_SET
    values = (record.indicator, target, month, baseline, direction, aggregation)
    return _history_row(record, values, text.kpi_columns, text)


def _choice_label(choices: type[Any], value: str) -> str:
    """The override's label, or 「—」 when the inference is used (no override)."""
    return str(choices(value).label) if value else NOT_SET
