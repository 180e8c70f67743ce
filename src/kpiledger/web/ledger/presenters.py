"""Evaluated reports turned into rows, labels and chart data for the public pages.

Views fetch (a fixed number of queries); presenters only reshape what was fetched, so the
templates never query. Every label goes through Django i18n (Japanese msgids, English in
locale/en); texts the core already gives in both languages (reasons, flags) are picked by the
active language.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kpiledger.core.era import YearMonth, fiscal_year_label, format_long, format_short
from kpiledger.core.evaluate import Effect, KpiResult, Progress, ProjectResult, Status
from kpiledger.core.inference import Inferred
from kpiledger.core.model import Actual, Confidence, Direction, Section
from kpiledger.core.numbers import format_number, to_plain_string
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services.reports import LedgerReport

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


def exact(value: Decimal) -> Decimal:
    """The value without the database's padding zeros (`73.5000` → `73.5`, `20.0000` → `20`)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def number(value: Decimal | None) -> str:
    """Published style with thousands separators (`35,245`, `73.5`); `-` for no value."""
    return NO_VALUE if value is None else format_number(exact(value))


def plain(value: Decimal | None) -> str | None:
    """Plain exact notation for chart data (`35245`, `73.5`), None for no value."""
    return None if value is None else to_plain_string(exact(value))


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
        return f"{self.label} ({self.progress})" if english() else f"{self.label}（{self.progress}）"


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
    return f"{(Decimal(count) * 100 / total).quantize(Decimal('0.1'))}%"


def effect_label(project: ProjectResult) -> str:
    if project.effect_suggestion is None:
        return "—"
    return str(EFFECT_LABELS[project.effect_suggestion])


# --- the report page ------------------------------------------------------------------------


@dataclass
class KpiRow:
    id: int
    url: str
    indicator: str
    target: str
    unit: str
    target_date: str
    cells: list[tuple[str, bool]]  # (text, is the judged year)
    rate: str
    badge: Badge
    decrease: bool


@dataclass
class ProjectBlock:
    name: str
    display_name: str  # with its 【grant】 prefix where the original shows one
    grant: str
    summary: str
    kpis: list[KpiRow]
    effect: str
    effect_reason: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def rowspan(self) -> int:
        return max(len(self.kpis), 1)


@dataclass
class SectionBlock:
    key: str
    heading: str
    projects: list[ProjectBlock]


@dataclass
class YearLink:
    year: int
    label: str
    current: bool


@dataclass
class ReportPage:
    organization: m.Organization
    fiscal_year: int
    year_label: str
    title: str
    years: list[str]  # the actual columns' labels
    sections: list[SectionBlock]
    summary: list[StatusCount]
    kpi_count: int
    report_years: list[YearLink]

    @property
    def kpi_colspan(self) -> int:
        return 4 + len(self.years)

    @property
    def column_count(self) -> int:
        return 2 + self.kpi_colspan + 2


def report_years(years: list[int], current: int) -> list[YearLink]:
    return [YearLink(y, year_label(y), y == current) for y in years]


def report_page(ledger: LedgerReport, years: list[int]) -> ReportPage:
    """The official table: sections, projects (rowspan over their KPIs), one row per KPI."""
    result = ledger.result
    code, fy = ledger.organization.code, result.fiscal_year
    columns = result.report.year_columns
    ids = iter(ledger.kpi_ids)
    blocks = [(p, _project_block(p, [next(ids) for _ in p.kpis], columns, code, fy))
              for p in result.projects]  # fmt: skip
    return ReportPage(
        organization=ledger.organization,
        fiscal_year=fy,
        year_label=year_label(fy),
        title=result.report.title or "",
        years=[year_label(y) for y in columns],
        sections=_sections(blocks),
        summary=status_counts(result.kpis),
        kpi_count=len(result.kpis),
        report_years=report_years(years, fy),
    )


def _project_block(
    project: ProjectResult, kpi_ids: list[int], columns: list[int], code: str, fy: int
) -> ProjectBlock:
    p = project.project
    rows = [_kpi_row(r, i, columns, code, fy) for r, i in zip(project.kpis, kpi_ids, strict=True)]
    counts = Counter(r.status.value for r in project.kpis)
    return ProjectBlock(
        name=p.name,
        display_name=p.name,
        grant=p.grant or "",
        summary=p.summary or "",
        kpis=rows,
        effect=effect_label(project),
        effect_reason=pick(project.effect_reason_ja, project.effect_reason_en),
        counts={s.value: counts.get(s.value, 0) for s in Status},
    )


def _kpi_row(r: KpiResult, kpi_id: int, columns: list[int], code: str, fy: int) -> KpiRow:
    kpi = r.kpi
    return KpiRow(
        id=kpi_id,
        url=kpi_url(code, kpi_id, fy),
        indicator=kpi.indicator,
        target=number(kpi.target),
        unit=kpi.unit,
        target_date=month_short(kpi.target_date),
        cells=[(actual_text(kpi.actuals.get(y)), y == r.judged_year) for y in columns],
        rate=rate_text(r.achievement_rate),
        badge=badge(r.status, r.progress),
        decrease=r.direction.value is Direction.DECREASE,
    )


def _sections(blocks: list[tuple[ProjectResult, ProjectBlock]]) -> list[SectionBlock]:
    """対象事業 first, then 関連事業, as in the original.

    The 対象事業 heading names its grant (【…（地方創生推進タイプ）対象事業】) when all its
    projects share one; related projects keep their 【grant】 prefix, and their heading names
    the grant family (the 対象事業 grant without its （…タイプ）).
    """
    target = [b for p, b in blocks if p.project.section is Section.TARGET]
    related = [b for p, b in blocks if p.project.section is not Section.TARGET]
    grants = {b.grant for b in target}
    main_grant = grants.pop() if len(grants) == 1 else ""
    for block in target if not main_grant else []:
        block.display_name = _prefixed(block)
    for block in related:
        block.display_name = _prefixed(block)
    family = main_grant.split("（")[0] if main_grant else ""
    sections = []
    if target:
        sections.append(SectionBlock(Section.TARGET.value, _target_heading(main_grant), target))
    if related:
        sections.append(SectionBlock(Section.RELATED.value, _related_heading(family), related))
    return sections


def _prefixed(block: ProjectBlock) -> str:
    return f"【{block.grant}】 {block.name}" if block.grant else block.name


def _target_heading(grant: str) -> str:
    if not grant:
        return _("【交付金対象事業】")
    return _("【%(grant)s対象事業】") % {"grant": grant}


def _related_heading(family: str) -> str:
    if not family:
        return _("【交付金関連事業】")
    return _("【%(grant)s関連事業】") % {"grant": family}


# --- the dashboard --------------------------------------------------------------------------


@dataclass
class GrantRow:
    grant: str
    projects: int
    kpis: int
    counts: dict[str, int]


@dataclass
class DashboardPage:
    report: ReportPage
    projects: list[ProjectBlock]
    grants: list[GrantRow]
    statuses: list[Badge]
    status_chart: dict[str, object]
    grant_chart: dict[str, object]
    status_description: str
    grant_description: str


def dashboard_page(ledger: LedgerReport, years: list[int]) -> DashboardPage:
    """Counts per status, per project (with the suggested 事業効果) and per grant type."""
    report = report_page(ledger, years)
    projects = [p for s in report.sections for p in s.projects]
    grants = _grant_rows(projects)
    statuses = [badge(s) for s in Status]
    return DashboardPage(
        report=report,
        projects=projects,
        grants=grants,
        statuses=statuses,
        status_chart=_status_chart(report.summary),
        grant_chart=_grant_chart(grants, statuses),
        status_description=status_chart_description(report.summary, report.kpi_count),
        grant_description=grant_chart_description(grants, statuses),
    )


def _grant_rows(projects: list[ProjectBlock]) -> list[GrantRow]:
    rows: dict[str, GrantRow] = {}
    for p in projects:
        name = p.grant or _("（交付金の記載なし）")
        row = rows.setdefault(name, GrantRow(name, 0, 0, defaultdict(int)))
        row.projects += 1
        row.kpis += len(p.kpis)
        for key, count in p.counts.items():
            row.counts[key] += count
    return [GrantRow(r.grant, r.projects, r.kpis, dict(r.counts)) for r in rows.values()]


def _status_chart(summary: list[StatusCount]) -> dict[str, object]:
    return {
        "kind": "status-bar",
        "keys": [c.badge.key for c in summary],
        "categories": [f"{c.badge.icon} {c.badge.label}" for c in summary],
        "values": [c.count for c in summary],
        "axis_label": _("指標数"),
    }


def _grant_chart(grants: list[GrantRow], statuses: list[Badge]) -> dict[str, object]:
    return {
        "kind": "grant-bar",
        "categories": [g.grant for g in grants],
        "series": [
            {"key": b.key, "name": f"{b.icon} {b.label}",
             "data": [g.counts.get(b.key, 0) for g in grants]}
            for b in statuses
        ],  # fmt: skip
        "axis_label": _("指標数"),
    }


def status_chart_description(summary: list[StatusCount], total: int) -> str:
    """The status chart in words, for its aria-label."""
    parts = "、".join(f"{c.badge.label} {c.count}" for c in summary)
    if english():
        parts = ", ".join(f"{c.badge.label} {c.count}" for c in summary)
    return _("全%(total)s指標の状況別の件数を示す棒グラフ：%(parts)s") % {
        "total": total,
        "parts": parts,
    }


def grant_chart_description(grants: list[GrantRow], statuses: list[Badge]) -> str:
    """The grant chart in words, for its aria-label."""
    sep = "; " if english() else "。"
    inner = ", " if english() else "、"
    parts = sep.join(
        f"{g.grant}: " + inner.join(f"{b.label} {g.counts.get(b.key, 0)}" for b in statuses)
        for g in grants
    )
    return _("交付金の種類別・状況別の指標数を示す積み上げ横棒グラフ：%(parts)s") % {"parts": parts}


# --- home -----------------------------------------------------------------------------------


@dataclass
class OrganizationRow:
    organization: m.Organization
    years: list[YearLink]


def home_rows(
    organizations: Iterable[m.Organization], batches: Iterable[tuple[int, int]]
) -> list[OrganizationRow]:
    """Organizations with their report years (newest first) from (organization id, year)."""
    years: dict[int, set[int]] = defaultdict(set)
    for org_id, year in batches:
        years[org_id].add(year)
    return [
        OrganizationRow(o, report_years(sorted(years[o.id], reverse=True), -1))
        for o in organizations
    ]


def inferred_text(inferred: Inferred[object]) -> str:
    """The reason of an inference in the active language."""
    return pick(inferred.reason_ja, inferred.reason_en)


# --- the KPI page ---------------------------------------------------------------------------

HISTORY_TYPES = {"+": gettext_lazy("作成"), "~": gettext_lazy("変更"), "-": gettext_lazy("削除")}


@dataclass(frozen=True)
class Judgement:
    """Direction or aggregation as used: label, reason, confidence, inferred or overridden."""

    label: str
    reason: str
    confidence: str
    overridden: bool


@dataclass(frozen=True)
class ChartRow:
    year: str
    value: str
    target: str  # the target on its fiscal year's row, else ""


@dataclass(frozen=True)
class HistoryRow:
    date: object  # an aware datetime, localized by the template
    user: str
    reason: str
    kind: str
    values: tuple[str, ...]


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
    kpi: m.Kpi, result: KpiResult, years: list[int], fy: int, observation_history, kpi_history
) -> KpiPage:
    """Everything the KPI page shows: facts, judgement, chart data (exact), history."""
    project, core = kpi.project, result.kpi
    org = project.organization
    report_url = reverse("ledger:report", args=[org.code, fy])
    categories = _chart_years(result, fy)
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
        direction=_judgement(result.direction, m.DirectionChoice),
        aggregation=_judgement(result.aggregation, m.AggregationChoice),
        judged_year=year_label(result.judged_year) if result.judged_year else "—",
        rate=rate_text(result.achievement_rate),
        badge=badge(result.status, result.progress),
        progress=str(PROGRESS_LABELS[result.progress]) if result.progress else "",
        flags=[(f.code, pick(f.message_ja, f.message_en)) for f in result.flags],
        chart=_kpi_chart(result, categories),
        chart_description=_kpi_chart_description(result, categories),
        chart_rows=_chart_rows(result, categories),
        observation_history=[_observation_history_row(h) for h in observation_history],
        kpi_history=[_kpi_history_row(h) for h in kpi_history],
        report_years=[YearLink(y, year_label(y), y == fy) for y in years],
    )


def _prefixed_name(project: m.Project) -> str:
    if project.section == m.Section.RELATED and project.grant:
        return f"【{project.grant.name}】 {project.name}"
    return project.name


def _baseline(baseline, unit: str) -> str:  # type: ignore[no-untyped-def]
    if baseline is None:
        return _("なし")
    text = with_unit(baseline.value, unit)
    return f"{text}（{year_label(baseline.fiscal_year)}）" if baseline.fiscal_year else text


def _judgement(inferred: Inferred, choices: type) -> Judgement:  # type: ignore[type-arg]
    return Judgement(
        label=str(choices(inferred.value.value).label),
        reason=inferred_text(inferred),
        confidence=str(CONFIDENCE_LABELS[inferred.confidence]),
        overridden=inferred.overridden,
    )


def _chart_years(result: KpiResult, fy: int) -> list[int]:
    """Every fiscal year from the first published one (or the target year) to the later of
    the report year and the target year, so the target year always has a place."""
    known = [*result.kpi.actuals, fy]
    if result.kpi.target_fiscal_year:
        known.append(result.kpi.target_fiscal_year)
    return list(range(min(known), max(known) + 1))


def _kpi_chart(result: KpiResult, categories: list[int]) -> dict[str, object]:
    kpi, due = result.kpi, result.kpi.target_fiscal_year
    actuals = [kpi.actuals.get(y) for y in categories]
    return {
        "kind": "kpi-line",
        "categories": [year_label(y) for y in categories],
        "values": [plain(a.value) if a else None for a in actuals],
        "unit": kpi.unit,
        "target": plain(kpi.target),
        "target_category": year_label(due) if due in categories else None,
        "labels": {
            "actual": _("実績値"),
            "target": _("目標値 %(value)s") % {"value": with_unit(kpi.target, kpi.unit)},
            "target_year": _("目標年度 %(year)s") % {"year": year_label(due)} if due else "",
        },
    }


def _kpi_chart_description(result: KpiResult, categories: list[int]) -> str:
    kpi = result.kpi
    sep = ", " if english() else "、"
    points = sep.join(
        f"{year_label(y)} {with_unit(kpi.actuals[y].value, kpi.unit)}"
        for y in categories
        if y in kpi.actuals and kpi.actuals[y].value is not None
    )
    values = {"indicator": kpi.indicator, "points": points or _("実績値なし"),
              "target": with_unit(kpi.target, kpi.unit)}  # fmt: skip
    if kpi.target_fiscal_year:
        values["year"] = year_label(kpi.target_fiscal_year)
        return _("「%(indicator)s」の年度別実績値の折れ線グラフ：%(points)s。"
                 "目標値 %(target)s（目標年度 %(year)s）を横線で示す。") % values  # fmt: skip
    return _("「%(indicator)s」の年度別実績値の折れ線グラフ：%(points)s。"
             "目標値 %(target)s を横線で示す。") % values  # fmt: skip


def _chart_rows(result: KpiResult, categories: list[int]) -> list[ChartRow]:
    kpi, due = result.kpi, result.kpi.target_fiscal_year
    target = with_unit(kpi.target, kpi.unit)
    return [
        ChartRow(year_label(y), actual_text(kpi.actuals.get(y)), target if y == due else "")
        for y in categories
    ]


def _history_user(record) -> str:  # type: ignore[no-untyped-def]
    if record.history_user_id and record.history_user:
        return record.history_user.get_username()
    reason = record.history_change_reason or ""
    return _("取込") if reason.startswith("取込") else _("（不明）")


def _history_row(record, values: tuple[str, ...]) -> HistoryRow:  # type: ignore[no-untyped-def]
    return HistoryRow(
        date=record.history_date,
        user=_history_user(record),
        reason=record.history_change_reason or "",
        kind=str(HISTORY_TYPES.get(record.history_type, record.history_type)),
        values=values,
    )


def _observation_history_row(record) -> HistoryRow:  # type: ignore[no-untyped-def]
    shown = number(record.value) if record.value is not None else (record.marker or NO_VALUE)
    rate = rate_text(exact(record.published_rate)) if record.published_rate is not None else ""
    return _history_row(record, (year_label(record.fiscal_year), shown, rate))


def _kpi_history_row(record) -> HistoryRow:  # type: ignore[no-untyped-def]
    date = YearMonth(record.target_year, record.target_month) if record.target_year else None
    baseline = number(record.baseline) if record.baseline is not None else ""
    if baseline and record.baseline_year:
        baseline += f"（{year_label(record.baseline_year)}）"
    direction = (str(m.DirectionChoice(record.direction_override).label)
                 if record.direction_override else "")  # fmt: skip
    aggregation = (str(m.AggregationChoice(record.aggregation_override).label)
                   if record.aggregation_override else "")  # fmt: skip
    return _history_row(
        record,
        (record.indicator, f"{number(record.target)}{record.unit}", month_short(date), baseline,
         direction, aggregation),
    )  # fmt: skip
