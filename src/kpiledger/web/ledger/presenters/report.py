"""The report table, the dashboard and the home page, from an evaluated `LedgerReport`.

Only reshaping happens here (no queries): KPI links come from `LedgerReport.kpi_ids`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from kpiledger.core.evaluate import KpiResult, ProjectResult, Status
from kpiledger.core.model import Assessment, Direction, Section
from kpiledger.core.numbers import to_plain_string
from kpiledger.io.writers.records import project_costs
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.presenters.formatting import (
    Badge,
    StatusCount,
    actual_text,
    badge,
    count_text,
    effect_label,
    english,
    exact,
    kpi_url,
    month_short,
    number,
    pick,
    rate_text,
    status_counts,
    year_label,
)
from kpiledger.web.ledger.services.reports import LedgerReport

# --- the report page ------------------------------------------------------------------------


@dataclass(slots=True)  # made by the thousand for pages: not frozen, faster to make
class YearCell:
    label: str  # the column's fiscal year (`R5年度`): the cell's label where the table stacks
    text: str
    judged: bool  # the year judged


@dataclass
class KpiRow:
    id: int
    url: str
    indicator: str
    target: str
    unit: str
    target_date: str
    cells: list[YearCell]
    rate: str
    badge: Badge
    decrease: bool
    #: 円 per unit counted (`382,364円/人`) and how (実績額 ÷ …), where the project has 実績額 and
    #: the KPI counts things in the year (`core.money`); empty otherwise.
    cost: str = ""
    cost_reason: str = ""


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
    #: What the report published beside the KPIs (the national form): (label, text) in order.
    published: list[tuple[str, str]] = field(default_factory=list)
    #: The `effect-mismatch` remark, when the published 事業効果 differs from the suggestion.
    effect_remark: str = ""
    #: The project's money for the dashboard (`money_items`): (label, text), blanks left out.
    money: list[tuple[str, str]] = field(default_factory=list)

    @property
    def costs(self) -> list[KpiRow]:
        """The KPI rows with a cost per unit."""
        return [k for k in self.kpis if k.cost]

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
    nearly: str  # the 概ね達成 threshold, percent
    notes: list[str]  # the report's own notes, as published (※ 実績値は各年度末時点 …)

    @property
    def has_costs(self) -> bool:
        """Whether any KPI shows a cost per unit (the legend then explains it)."""
        return any(k.cost for s in self.sections for p in s.projects for k in p.kpis)

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
    labels = [year_label(y) for y in columns]  # once, not on every row
    ids = iter(ledger.kpi_ids)  # aligned with result.kpis, project by project
    blocks = []
    for project in result.projects:
        kpi_ids = [next(ids) for _kpi in project.kpis]
        blocks.append((project, _project_block(project, kpi_ids, (columns, labels), code, fy)))
    return ReportPage(
        organization=ledger.organization,
        fiscal_year=fy,
        year_label=year_label(fy),
        title=result.report.title or "",
        years=labels,
        sections=_sections(blocks),
        summary=status_counts(result.kpis),
        kpi_count=len(result.kpis),
        report_years=report_years(years, fy),
        nearly=to_plain_string(exact(result.nearly_threshold)),
        notes=list(result.report.notes),
    )


Columns = tuple[list[int], list[str]]  # a report's year columns, and their labels


def _project_block(
    project: ProjectResult, kpi_ids: list[int], columns: Columns, code: str, fy: int
) -> ProjectBlock:
    p = project.project
    rows = [_kpi_row(r, i, columns, code, fy) for r, i in zip(project.kpis, kpi_ids, strict=True)]
    for row, cost in zip(rows, project_costs(project, fy), strict=True):
        if cost is not None:
            row.cost, row.cost_reason = cost.text, pick(cost.reason_ja, cost.reason_en)
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
        published=published_items(p.assessment),
        effect_remark=" ".join(pick(f.message_ja, f.message_en) for f in project.flags),
        money=money_items(p.assessment),
    )


#: The project's money beside 実績額 (円, as the ledger holds it), labelled bilingually.
MONEY_LABELS = (
    ("total_cost", "総事業費 / Total project cost"),
    ("grant_amount", "交付金額 / Grant amount"),
)


def money_items(assessment: Assessment | None) -> list[tuple[str, str]]:
    """総事業費, 交付金額 and 実績額 with their labels (blanks left out), for the dashboard."""
    if assessment is None:
        return []
    items = [
        (label, f"{number(getattr(assessment, name))}円")
        for name, label in MONEY_LABELS
        if getattr(assessment, name) is not None
    ]
    if assessment.spent is not None:
        items.append(
            ("実績額 / Amount spent", f"{number(assessment.spent)}{assessment.spent_unit}")
        )
    return items


def published_items(assessment: Assessment | None) -> list[tuple[str, str]]:
    """The published 事業効果, 事業の評価, 外部有識者からの意見, 今後の方針 (and its reason) and
    実績額, each with its label, in the national form's order; blanks left out."""
    if assessment is None:
        return []
    labels = (
        ("spent", _("実績額")),
        ("effect", _("事業効果（公表）")),
        ("evaluation", _("事業の評価")),
        ("opinion", _("外部有識者からの意見")),
        ("policy", _("今後の方針")),
        ("policy_reason", _("今後の方針の理由")),
    )
    spent = assessment.spent
    texts = {name: getattr(assessment, name) or "" for name in Assessment.TEXTS}
    texts["spent"] = f"{number(spent)}{assessment.spent_unit}" if spent is not None else ""
    items = [(label, texts[name]) for name, label in labels if texts[name]]
    money = [item for item in money_items(assessment) if not item[0].startswith("実績額")]
    return items[:1] + money + items[1:] if texts["spent"] else money + items


def _kpi_row(r: KpiResult, kpi_id: int, columns: Columns, code: str, fy: int) -> KpiRow:
    kpi = r.kpi
    return KpiRow(
        id=kpi_id,
        url=kpi_url(code, kpi_id, fy),
        indicator=kpi.indicator,
        target=number(kpi.target),
        unit=kpi.unit,
        target_date=month_short(kpi.target_date),
        cells=[
            YearCell(label, actual_text(kpi.actuals.get(y)), y == r.judged_year)
            for y, label in zip(*columns, strict=True)
        ],
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
    #: The projects with money or a cost per unit (the dashboard's money table).
    money_projects: list[ProjectBlock]
    grants: list[GrantRow]
    statuses: list[Badge]
    status_chart: dict[str, object]
    grant_chart: dict[str, object]
    status_description: str
    grant_description: str


def dashboard_page(
    ledger: LedgerReport, years: list[int], report: ReportPage | None = None
) -> DashboardPage:
    """Counts per status, per project (with the suggested 事業効果) and per grant type;
    `report`: the report page of the same ledger and language, when already made (the
    dashboard shows its rows and does not change them)."""
    report = report if report is not None else report_page(ledger, years)
    projects = [p for s in report.sections for p in s.projects]
    grants = _grant_rows(projects)
    statuses = [badge(s) for s in Status]
    return DashboardPage(
        report=report,
        projects=projects,
        money_projects=[p for p in projects if p.money or p.costs],
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
            {
                "key": b.key,
                "name": f"{b.icon} {b.label}",
                "data": [g.counts.get(b.key, 0) for g in grants],
            }
            for b in statuses
        ],
        "axis_label": _("指標数"),
    }


def status_chart_description(summary: list[StatusCount], total: int) -> str:
    """The status chart in words, for its aria-label."""
    parts = (", " if english() else "、").join(
        f"{c.badge.label} {count_text(c.count)}" for c in summary
    )
    return _("全%(total)s指標の状況別の件数を示す棒グラフ：%(parts)s") % {
        "total": count_text(total),
        "parts": parts,
    }


def grant_chart_description(grants: list[GrantRow], statuses: list[Badge]) -> str:
    """The grant chart in words, for its aria-label."""
    sep = "; " if english() else "。"
    inner = ", " if english() else "、"
    parts = sep.join(
        f"{g.grant}: "
        + inner.join(f"{b.label} {count_text(g.counts.get(b.key, 0))}" for b in statuses)
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
