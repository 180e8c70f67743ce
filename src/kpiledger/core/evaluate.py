"""Evaluation of KPIs: achievement rate (達成率), status, interim progress, 事業効果, totals.

Each rule is one small function working on `Decimal`; "cannot be computed" is `None`.
The rules are those of EVALUATION.md; docs/evaluation.md records the decisions taken where it
is silent.

Achievement rates are in `rate`, interim progress in `progress`, and every calculation here runs
under `calculation.CALCULATION`, whatever the caller's decimal context is.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from kpiledger.core import grades, quality
from kpiledger.core.calculation import calculated
from kpiledger.core.effect import Effect, effect_mismatch
from kpiledger.core.inference import Inferred, aggregation_of, direction_of
from kpiledger.core.model import (
    Aggregation,
    Direction,
    Flag,
    Kpi,
    Project,
    Report,
    unchanged_kpis,
)
from kpiledger.core.progress import Progress, anticipated_progress
from kpiledger.core.rate import STRICT_BOUNDS, achievement_rate, meets_target

DEFAULT_NEARLY = Decimal(80)


class Status(StrEnum):
    ACHIEVED = "achieved"  # 達成
    NEARLY_ACHIEVED = "nearly_achieved"  # 概ね達成
    NOT_ACHIEVED = "not_achieved"  # 未達成
    NO_DATA = "no_data"  # 実績なし
    NOT_DUE = "not_due"  # 目標年度前

    @property
    def label_ja(self) -> str:
        return STATUS_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return STATUS_LABELS[self][1]


STATUS_LABELS = {
    Status.ACHIEVED: ("達成", "Achieved"),
    Status.NEARLY_ACHIEVED: ("概ね達成", "Nearly achieved"),
    Status.NOT_ACHIEVED: ("未達成", "Not achieved"),
    Status.NO_DATA: ("実績なし", "No data"),
    Status.NOT_DUE: ("目標年度前", "Target not yet due"),
}


@dataclass
class KpiResult:
    kpi: Kpi
    direction: Inferred[Direction]
    aggregation: Inferred[Aggregation]
    judged_year: int | None
    actual: Decimal | None  # the value judged (a sum of increments for such cumulative KPIs)
    achievement_rate: Decimal | None
    status: Status
    progress: Progress | None
    flags: list[Flag] = field(default_factory=list)


@dataclass
class ProjectResult:
    project: Project
    kpis: list[KpiResult]
    effect_suggestion: Effect | None
    effect_reason_ja: str
    effect_reason_en: str
    flags: list[Flag] = field(default_factory=list)  # `effect-mismatch`


@dataclass
class ReportResult:
    report: Report
    fiscal_year: int
    nearly_threshold: Decimal
    projects: list[ProjectResult]

    @property
    def kpis(self) -> list[KpiResult]:
        return [k for p in self.projects for k in p.kpis]

    def summary(self) -> dict[str, int]:
        """Report totals: the number of KPIs and the count per status."""
        counts = Counter(k.status for k in self.kpis)
        return {"kpis": len(self.kpis)} | {s.value: counts.get(s, 0) for s in Status}


# --- status ---------------------------------------------------------------------------------


def judged_status(
    actual: Decimal,
    target: Decimal,
    direction: Direction,
    rate: Decimal | None,
    nearly: Decimal,
    strict: bool = False,
) -> Status:
    """achieved if the target is met; nearly_achieved if rate ≥ `nearly`; else not_achieved."""
    if meets_target(actual, target, direction, strict):
        return Status.ACHIEVED
    if rate is not None and rate >= nearly:
        return Status.NEARLY_ACHIEVED
    return Status.NOT_ACHIEVED


@calculated
def judged_value(kpi: Kpi, year: int) -> Decimal | None:
    """The actual compared with the target in `year` (None when `year` has no value).

    For a cumulative KPI published as yearly increments, the running total: the sum of the
    years from the first published year to `year` (see `Kpi.series`).
    """
    actual = kpi.actuals.get(year)
    if actual is None or actual.value is None or not kpi.actuals_are_increments:
        return None if actual is None else actual.value
    return dict(kpi.series(up_to=year))[year]


def judged_year(kpi: Kpi, report_year: int) -> int | None:
    """The year whose actual is judged.

    Target due (report year ≥ target fiscal year, or no target date): the target fiscal year
    (the report year without a date), even when it has no value. Not yet due: the latest year
    ≤ the report year with a value, or None.
    """
    due_year = kpi.target_fiscal_year
    if due_year is None or report_year >= due_year:
        return due_year if due_year is not None else report_year
    values = kpi.values(up_to=report_year)
    return values[-1][0] if values else None


# --- one KPI, one project, one report -------------------------------------------------------


@calculated
def evaluate_kpi(
    kpi: Kpi,
    report_year: int,
    nearly: Decimal = DEFAULT_NEARLY,
    legend: grades.Legend | None = None,
) -> KpiResult:
    """Judge one KPI in a report year (see EVALUATION.md, 'The judged year' and 'Status');
    `legend` is the report's grade legend (`grades.read_legend(report.notes)`)."""
    direction, aggregation = direction_of(kpi), aggregation_of(kpi)
    year = judged_year(kpi, report_year)
    due_year = kpi.target_fiscal_year
    due = due_year is None or report_year >= due_year
    actual = judged_value(kpi, year) if year is not None else None
    base = kpi.baseline.value if kpi.baseline else None
    rate = None
    if actual is not None:
        rate = achievement_rate(actual, kpi.target, direction.value, base)
    if not due:
        status, progress = Status.NOT_DUE, anticipated_progress(kpi, report_year, direction.value)
    elif actual is None:
        status, progress = Status.NO_DATA, None
    else:
        strict = kpi.target_bound in STRICT_BOUNDS
        status = judged_status(actual, kpi.target, direction.value, rate, nearly, strict)
        progress = None
    flags = quality.check_kpi(
        kpi,
        report_year,
        direction,
        aggregation.value,
        year,
        rate,
        actual=actual,
        nearly=nearly,
        legend=legend,
    )
    return KpiResult(kpi, direction, aggregation, year, actual, rate, status, progress, flags)


@calculated
def improved_from_start(result: KpiResult, report_year: int) -> bool:
    """Whether the latest value is better than the baseline (or else the first published value)
    in the KPI's direction."""
    kpi, values = result.kpi, result.kpi.series(up_to=report_year)
    if not values:
        return False
    latest = values[-1]
    if kpi.baseline is not None:
        start = kpi.baseline.value
    elif len(values) >= 2:
        start = values[0][1]
    else:
        return False
    if result.direction.value is Direction.INCREASE:
        return latest[1] > start
    return latest[1] < start


# How a count of KPIs of one status reads: the badge word (ja), and the English predicate in the
# singular and the plural.
STATUS_PREDICATES = {
    Status.ACHIEVED: ("is achieved", "are achieved"),
    Status.NEARLY_ACHIEVED: ("is nearly achieved", "are nearly achieved"),
    Status.NOT_ACHIEVED: ("is not achieved", "are not achieved"),
    Status.NO_DATA: ("has no data", "have no data"),
    Status.NOT_DUE: ("is not yet due", "are not yet due"),
}


def status_breakdown(statuses: list[Status]) -> tuple[str, str]:
    """How many KPIs have each status, in the badges' words: 「3指標中、達成1指標・未達成2指標」 /
    "of 3 KPIs, 1 is achieved and 2 are not achieved"."""
    total = len(statuses)
    counts = [(s, statuses.count(s)) for s in Status if s in statuses]
    if total == 1:
        status = statuses[0]
        return f"1指標が{status.label_ja}", f"the one KPI {STATUS_PREDICATES[status][0]}"
    if len(counts) == 1:
        status = statuses[0]
        everyone = "both KPIs" if total == 2 else f"all {total} KPIs"
        return f"{total}指標とも{status.label_ja}", f"{everyone} {STATUS_PREDICATES[status][1]}"
    ja = "・".join(f"{s.label_ja}{n}指標" for s, n in counts)
    parts = [f"{n} {STATUS_PREDICATES[s][0 if n == 1 else 1]}" for s, n in counts]
    en = ", ".join(parts[:-1]) + f" and {parts[-1]}"
    return f"{total}指標中、{ja}", f"of {total} KPIs, {en}"


def _with_improvement(
    breakdown_ja: str, breakdown_en: str, total: int, achieved: int, improved: int
) -> tuple[str, str]:
    """The breakdown, then how many of the KPIs not achieved are better than where they started."""
    verb = "is" if improved == 1 else "are"
    started = "it" if improved == 1 else "they"
    if total == 1:
        return (
            f"{breakdown_ja}だが、当初より改善",
            f"{breakdown_en}, but it is better than where it started",
        )
    if achieved == 0:
        return (
            f"{breakdown_ja}で、うち{improved}指標が当初より改善",
            f"{breakdown_en}; {improved} of them {verb} better than where {started} started",
        )
    others = total - achieved
    if others == 1:
        return (
            f"{breakdown_ja}で、残る1指標も当初より改善",
            f"{breakdown_en}; the other one is better than where it started",
        )
    return (
        f"{breakdown_ja}で、残る{others}指標のうち{improved}指標が当初より改善",
        f"{breakdown_en}; of the other {others}, {improved} {verb} better than where {started}"
        " started",
    )


def suggest_effect(results: list[KpiResult], report_year: int) -> tuple[Effect | None, str, str]:
    """The suggested 事業効果 with its reason (ja, en); not_due and no_data KPIs count as neither
    achieved nor nearly achieved. The reason counts each status in the badges' words, and the KPIs
    not achieved that are better than where they started."""
    if not results:
        return None, "指標がないため、提案はありません", "no suggestion: the project has no KPI"
    statuses = [r.status for r in results]
    total = len(results)
    if all(s is Status.NOT_DUE for s in statuses):
        whom_ja = "指標" if total == 1 else f"全{total}指標"
        whom_en = "its one KPI is" if total == 1 else f"all {total} KPIs are"
        return (
            None,
            f"{whom_ja}が目標年度前のため、提案はまだありません",
            f"no suggestion yet: {whom_en} not yet due",
        )
    breakdown_ja, breakdown_en = status_breakdown(statuses)
    achieved = statuses.count(Status.ACHIEVED)
    if achieved == total:
        return Effect.VERY_EFFECTIVE, breakdown_ja, breakdown_en
    if achieved + statuses.count(Status.NEARLY_ACHIEVED) == total:
        return Effect.CONSIDERABLY_EFFECTIVE, breakdown_ja, breakdown_en
    improved = sum(
        1
        for r in results
        if r.status is not Status.ACHIEVED and improved_from_start(r, report_year)
    )
    if improved:
        return (
            Effect.EFFECTIVE,
            *_with_improvement(breakdown_ja, breakdown_en, total, achieved, improved),
        )
    if achieved:
        return Effect.EFFECTIVE, breakdown_ja, breakdown_en
    if total == 1:
        return (
            Effect.NOT_EFFECTIVE,
            f"{breakdown_ja}で、当初より改善していない",
            f"{breakdown_en}, and it is not better than where it started",
        )
    return (
        Effect.NOT_EFFECTIVE,
        f"{breakdown_ja}で、当初より改善した指標なし",
        f"{breakdown_en}; none is better than where it started",
    )


def evaluate_project(
    project: Project, report_year: int, nearly: Decimal, legend: grades.Legend | None = None
) -> ProjectResult:
    results = [evaluate_kpi(k, report_year, nearly, legend) for k in project.kpis]
    effect, reason_ja, reason_en = suggest_effect(results, report_year)
    return ProjectResult(project, results, effect, reason_ja, reason_en)


def compare_published(result: ProjectResult, report: Report, year: int) -> None:
    """Flag a published 事業効果 that differs from the suggestion; only in the report's own
    year, the year it was published for."""
    assessment = result.project.assessment
    if assessment is None or year != report.fiscal_year:
        return
    flag = effect_mismatch(assessment.effect, result.effect_suggestion)
    if flag is not None:
        result.flags.append(flag)


def judgeable_years(report: Report) -> range:
    """The fiscal years a report can be judged in: from its earliest actual column (or its own
    year, if earlier or without columns) to its own year (報告年度)."""
    first = min(report.year_columns, default=report.fiscal_year)
    return range(min(first, report.fiscal_year), report.fiscal_year + 1)


@calculated
def evaluate_report(
    report: Report, fiscal_year: int | None = None, nearly: Decimal = DEFAULT_NEARLY
) -> ReportResult:
    """Judge every KPI of a report in `fiscal_year` (default: the report's own year); published
    grades are read by the legend in the report's notes, if it prints one."""
    year = report.fiscal_year if fiscal_year is None else fiscal_year
    legend = grades.read_legend(report.notes)
    with unchanged_kpis():
        projects = [evaluate_project(p, year, nearly, legend) for p in report.projects]
    for project in projects:
        compare_published(project, report, year)
    return ReportResult(report, year, nearly, projects)
