"""The column model of the Excel writer (`writers.excel`): what goes where on the sheet.

- `Column`: one column's three header labels, its width, and the function giving its value per
  KPI or per project (merged over the project's rows);
- `Block`: a header and the KPI rows under it (`kpi_blocks`: the report's KPIs in runs of
  one section, grant and set of published years);
- `block_columns`: the columns of a block (the reference's, the published ones the report has,
  kpiledger's judgement) and the value functions that fill them, written as published
  (和暦 `R6.3`, `R1年度`, a target with its bound `15以下`, the 方向 and 集計 words).

The sheet writing itself (styles, merges, numbers) is in `writers.excel_sheet`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kpiledger.core import quality
from kpiledger.core.era import fiscal_year_label, format_short
from kpiledger.core.evaluate import KpiResult, ProjectResult, ReportResult
from kpiledger.core.model import Aggregation, Direction, Kpi, Project, Section
from kpiledger.core.money import CostPerUnit
from kpiledger.io.readers import own_columns
from kpiledger.io.writers.published import ASSESSMENT_HEADINGS, published_name
from kpiledger.io.writers.records import plain, project_costs

KPI_GROUP = "K P I（重要業績評価指標）"
DIRECTION_WORDS = {Direction.INCREASE: "増加", Direction.DECREASE: "減少"}
AGGREGATION_WORDS = {
    Aggregation.ANNUAL: "年間",
    Aggregation.CUMULATIVE: "累計",
    Aggregation.LEVEL: "水準",
}
INCREMENTS_WORD = "累計（単年度値）"
NO_SUGGESTION = "（提案なし：目標年度前）"
#: The project's money in 円 beside 実績額 (the ledger's, issue 10), read back by the reader.
MONEY_HEADINGS = (("total_cost", "総事業費"), ("grant_amount", "交付金額"))

Value = str | Decimal | None


@dataclass(frozen=True)
class Column:
    """One column: its three header labels (None continues the label above), its width, and
    what it holds — per KPI (`kpi`) or, when `project` is set, per project (merged)."""

    labels: tuple[str, str | None, str | None]
    width: float
    kpi: Callable[[KpiResult], Value] | None = None
    project: Callable[[ProjectResult], Value] | None = None
    number_format: str | None = None  # a fixed format (the computed rate)


@dataclass
class Block:
    """A header and the KPI rows under it: one section's run of KPIs published for the same
    years (a new block starts where the section, the grant or the years change)."""

    section: Section
    grant: str | None
    years: tuple[int, ...]
    rows: list[tuple[ProjectResult, list[KpiResult], bool]] = field(default_factory=list)


def kpi_blocks(result: ReportResult) -> Iterator[Block]:
    """The report's KPIs in order, in runs of one section, grant and set of published years."""
    block: Block | None = None
    for project in result.projects:
        grant = project.project.grant if project.project.section is Section.TARGET else None
        first = True
        for kpi in project.kpis:
            years = tuple(sorted(kpi.kpi.actuals))
            key = (project.project.section, grant, years)
            if block is None or (block.section, block.grant, block.years) != key:
                if block is not None:
                    yield block
                block = Block(*key)
            if block.rows and block.rows[-1][0] is project:
                block.rows[-1][1].append(kpi)
            else:
                block.rows.append((project, [kpi], first))
            first = False
    if block is not None:
        yield block


def section_heading(block: Block, result: ReportResult) -> str:
    """【…対象事業】 with the grant, or 【…関連事業】 named after the report's first grant
    (without its type: デジタル田園都市国家構想交付金（地方創生推進タイプ） → …交付金関連事業)."""
    if block.section is Section.TARGET:
        return f"【{block.grant or ''}対象事業】"
    grants = [p.project.grant for p in result.projects if p.project.section is Section.TARGET]
    grant = next((g for g in grants if g), "")
    return f"【{re.sub(r'（[^（）]*タイプ）$', '', grant)}関連事業】"


def block_columns(result: ReportResult, years: tuple[int, ...]) -> list[Column]:
    """The columns of a block: the reference's, then what the report publishes beside them,
    then kpiledger's judgement."""
    kpis = [k.kpi for k in result.kpis]
    projects = [p.project for p in result.projects]
    columns = [
        Column(
            ("交付対象\n事業の名称", None, None), 22, project=lambda p: published_name(p.project)
        ),
        Column(("事業の概要", None, None), 40, project=lambda p: p.project.summary),
        Column((KPI_GROUP, "指標", None), 28, kpi=lambda k: k.kpi.indicator),
    ]
    if any(k.baseline for k in kpis):
        columns += [
            Column((KPI_GROUP, "基準値", None), 10, kpi=lambda k: _baseline(k.kpi)),
            Column((KPI_GROUP, "基準年度", None), 8, kpi=lambda k: _baseline_year(k.kpi)),
        ]
    columns += [
        Column((KPI_GROUP, "指標値", "指標値"), 11, kpi=lambda k: _target(k.kpi)),
        Column((KPI_GROUP, "指標値", "単位"), 8, kpi=lambda k: k.kpi.unit),
        Column((KPI_GROUP, "指標値", "年月"), 7, kpi=lambda k: _date(k.kpi)),
    ]
    columns += [_year_column(year) for year in years]
    columns += _published_columns(kpis)
    columns += [
        Column((own_columns.RATE_HEADING, None, None), 9, kpi=lambda k: k.achievement_rate,
               number_format="0.0"),
        Column((own_columns.STATUS_HEADING, None, None), 9, kpi=lambda k: k.status.label_ja),
    ]  # fmt: skip
    columns += _assessment_columns(projects)
    costs = {
        id(k): c for p in result.projects for k, c in zip(p.kpis, _costs(p, result), strict=True)
    }
    if any(costs.values()):
        columns.append(
            Column((own_columns.COST_HEADING, None, None), 12, kpi=lambda k: _cost(costs[id(k)]))
        )
    columns.append(Column((own_columns.EFFECT_HEADING, None, None), 16, project=_suggestion))
    if any(_carried(k) for k in kpis):
        columns.append(Column((own_columns.FLAGS_HEADING, None, None), 36, kpi=_carried_text))
    return columns


def _year_column(year: int) -> Column:
    def actual(result: KpiResult) -> Value:
        actual = result.kpi.actuals[year]
        return actual.value if actual.value is not None else actual.marker

    return Column((KPI_GROUP, "実績値", fiscal_year_label(year)), 10, kpi=actual)


def _published_columns(kpis: list[Kpi]) -> list[Column]:
    """達成率 and 評価 as published, the report's 方向 and 集計 words, 備考: when any KPI has
    them."""
    columns = []
    if any(k.published_rate is not None for k in kpis):
        columns.append(
            Column(("達成率\n（公表）", None, None), 9, kpi=lambda k: k.kpi.published_rate)
        )
    if any(quality.published_grade(k) for k in kpis):
        columns.append(
            Column(("評価", None, None), 8, kpi=lambda k: quality.published_grade(k.kpi))
        )
    if any(k.direction_override for k in kpis):
        columns.append(Column(("方向", None, None), 6, kpi=lambda k: _direction(k.kpi)))
    if any(k.aggregation_override or k.actuals_are_increments for k in kpis):
        columns.append(Column(("集計", None, None), 9, kpi=lambda k: _aggregation(k.kpi)))
    if any(k.note for k in kpis):
        columns.append(Column(("備考", None, None), 24, kpi=lambda k: k.kpi.note))
    return columns


def _assessment_columns(projects: list[Project]) -> list[Column]:
    """The national form's columns beside the KPIs, when any project has them."""
    assessments = [p.assessment for p in projects if p.assessment is not None]
    columns = []
    if any(a.spent is not None for a in assessments):
        unit = next(a.spent_unit for a in assessments if a.spent is not None)
        columns.append(Column(("実績額", None, f"単位：{unit}"), 13, project=_spent))
    for name, heading in MONEY_HEADINGS:
        if any(getattr(a, name) is not None for a in assessments):
            columns.append(Column((heading, None, "単位：円"), 13, project=_assessment(name)))
    for name, heading in ASSESSMENT_HEADINGS:
        if any(getattr(a, name) for a in assessments):
            columns.append(Column((heading, None, None), 20, project=_assessment(name)))
    return columns


def _assessment(name: str) -> Callable[[ProjectResult], Value]:
    def value(result: ProjectResult) -> Value:
        assessment = result.project.assessment
        return getattr(assessment, name) if assessment is not None else None

    return value


def _spent(result: ProjectResult) -> Value:
    assessment = result.project.assessment
    return assessment.spent if assessment is not None else None


def _costs(project: ProjectResult, result: ReportResult) -> list[CostPerUnit | None]:
    return project_costs(project, result.report.fiscal_year)


def _cost(cost: CostPerUnit | None) -> Value:
    """`382,364円/人`: kpiledger's calculation, never read back (`own_columns`)."""
    return cost.text if cost is not None else None


def _suggestion(result: ProjectResult) -> Value:
    """The suggested 事業効果; none while every KPI's target year is still ahead."""
    suggestion = result.effect_suggestion
    return suggestion.value if suggestion else NO_SUGGESTION


def _target(kpi: Kpi) -> Value:
    return f"{plain(kpi.target)}{kpi.target_bound}" if kpi.target_bound else kpi.target


def _date(kpi: Kpi) -> Value:
    return format_short(kpi.target_date) if kpi.target_date else None


def _baseline(kpi: Kpi) -> Value:
    return kpi.baseline.value if kpi.baseline else None


def _baseline_year(kpi: Kpi) -> Value:
    year = kpi.baseline.fiscal_year if kpi.baseline else None
    return fiscal_year_label(year) if year is not None else None


def _direction(kpi: Kpi) -> Value:
    return DIRECTION_WORDS[kpi.direction_override] if kpi.direction_override else None


def _aggregation(kpi: Kpi) -> Value:
    if kpi.actuals_are_increments:
        return INCREMENTS_WORD
    return AGGREGATION_WORDS[kpi.aggregation_override] if kpi.aggregation_override else None


def _carried(kpi: Kpi) -> list[Any]:
    """The reader's remarks to carry: all but the published grade (the 評価 column says it)."""
    return [f for f in kpi.reader_flags if f.code != "published-grade"]


def _carried_text(result: KpiResult) -> Value:
    return own_columns.flags_text(_carried(result.kpi)) or None
