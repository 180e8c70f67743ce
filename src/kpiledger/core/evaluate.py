"""Evaluation of KPIs: achievement rate (達成率), status, interim progress, 事業効果, totals.

Each rule is one small function working on `Decimal`; "cannot be computed" is `None`.
The rules are those of EVALUATION.md; docs/evaluation.md records the decisions taken where it
is silent.

No value can make a calculation fail: the achievement rate is computed exactly (as a fraction,
rounded once), and every other calculation runs under `CALCULATION`, a decimal context whose
precision and exponent range no published value reaches, whatever the caller's context is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import (
    MAX_EMAX,
    MIN_EMIN,
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from enum import StrEnum
from fractions import Fraction
from functools import wraps
from math import floor
from typing import ParamSpec, TypeVar

from kpiledger.core import grades, quality
from kpiledger.core.effect import Effect, effect_mismatch
from kpiledger.core.inference import Inferred, aggregation_of, direction_of
from kpiledger.core.model import Aggregation, Baseline, Direction, Flag, Kpi, Project, Report

HUNDRED = Decimal(100)
DEFAULT_NEARLY = Decimal(80)

#: The context of every calculation: 50 significant digits (a ledger value has 15, a sum of a
#: century of them 17) and the widest exponent range, so nothing overflows or underflows.
CALCULATION = Context(
    prec=50,
    rounding=ROUND_HALF_EVEN,
    Emin=MIN_EMIN,
    Emax=MAX_EMAX,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)
P = ParamSpec("P")
R = TypeVar("R")


def calculated(function: Callable[P, R]) -> Callable[P, R]:
    """Run `function` under `CALCULATION`, whatever the caller's decimal context."""

    @wraps(function)
    def in_context(*args: P.args, **kwargs: P.kwargs) -> R:
        with localcontext(CALCULATION):
            return function(*args, **kwargs)

    return in_context


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


class Progress(StrEnum):
    """Anticipated progress of a target not yet due (Open SDG / Statistics Canada method)."""

    ON_TRACK = "on_track"  # 順調
    NEEDS_ACCELERATION = "needs_acceleration"  # 加速が必要
    LIMITED = "limited"  # 進捗が限定的
    DETERIORATION = "deterioration"  # 悪化

    @property
    def label_ja(self) -> str:
        return PROGRESS_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return PROGRESS_LABELS[self][1]


PROGRESS_LABELS = {
    Progress.ON_TRACK: ("順調", "On track"),
    Progress.NEEDS_ACCELERATION: ("加速が必要", "Needs acceleration"),
    Progress.LIMITED: ("進捗が限定的", "Limited progress"),
    Progress.DETERIORATION: ("悪化", "Deterioration"),
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


# --- achievement rate -----------------------------------------------------------------------


def round_rate(value: Decimal | Fraction) -> Decimal:
    """Percent to one decimal place, ROUND_HALF_UP (220.28 → 220.3, 81.65 → 81.7,
    −81.65 → −81.7); never a negative zero (−0.01 → 0.0).

    Exact for a value of any size (no decimal context is involved, so nothing can overflow
    or round twice): |value| × 10 + ½, floored, is the number of tenths.
    """
    tenths = Decimal(floor(abs(Fraction(value)) * 10 + Fraction(1, 2)))
    exact = Context(prec=tenths.adjusted() + 1, Emin=MIN_EMIN, Emax=MAX_EMAX)
    rate = tenths.scaleb(-1, context=exact)
    return rate.copy_negate() if value < 0 and tenths else rate


def percent(numerator: Fraction, denominator: Fraction) -> Decimal:
    """numerator / denominator × 100, rounded by `round_rate` (denominator ≠ 0)."""
    return round_rate(numerator / denominator * 100)


def achievement_rate(
    actual: Decimal, target: Decimal, direction: Direction, baseline: Decimal | None = None
) -> Decimal | None:
    """達成率 in percent, one decimal, ROUND_HALF_UP; None when it cannot be computed.

    With a baseline b and t ≠ b: increase (a − b)/(t − b) × 100, decrease (b − a)/(b − t) × 100.
    Without one (or t = b): increase a/t × 100, None when t ≤ 0 (a net balance with target 0
    or ▲50: a/t means nothing); decrease t/a × 100 where a = 0 gives 100 when t ≥ 0 (nothing
    left to reduce), None when a < 0 or t < 0 (t/a would call a better actual a lower rate).
    The status then comes from comparing a with t alone (`rate_undefined` says why).
    Computed exactly with fractions, so no value is too large or too small.
    """
    a, t = Fraction(actual), Fraction(target)
    if baseline is not None and target != baseline:
        b = Fraction(baseline)
        if direction is Direction.INCREASE:
            return percent(a - b, t - b)
        return percent(b - a, b - t)
    if direction is Direction.INCREASE:
        return None if t <= 0 else percent(a, t)
    if a < 0 or t < 0:
        return None
    if a == 0:
        return round_rate(HUNDRED)
    return percent(t, a)


def meets_target(
    actual: Decimal, target: Decimal, direction: Direction, strict: bool = False
) -> bool:
    """a ≥ t for increase, a ≤ t for decrease; a > t and a < t for a strict bound (the target
    written `100超` or `1.5未満`)."""
    if actual == target and strict:
        return False
    return actual >= target if direction is Direction.INCREASE else actual <= target


#: Bounds that exclude the target value itself (`100超`: more than 100).
STRICT_BOUNDS = ("未満", "超")


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
    if actual is None or actual.value is None:
        return None
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


# --- interim progress -----------------------------------------------------------------------

ON_TRACK_RATIO = Decimal("0.95")
ACCELERATION_RATIO = Decimal("0.60")


def classify_progress_ratio(ratio: Decimal) -> Progress:
    """R ≥ 0.95 on track; 0.60 ≤ R < 0.95 needs acceleration; 0 ≤ R < 0.60 limited; R < 0
    deterioration."""
    if ratio >= ON_TRACK_RATIO:
        return Progress.ON_TRACK
    if ratio >= ACCELERATION_RATIO:
        return Progress.NEEDS_ACCELERATION
    if ratio >= 0:
        return Progress.LIMITED
    return Progress.DETERIORATION


@calculated
def cagr(start: Decimal, end: Decimal, years: int) -> Decimal | None:
    """Compound annual growth rate (end/start)^(1/years) − 1; None unless both > 0, years > 0."""
    if start <= 0 or end <= 0 or years <= 0:
        return None
    return (end / start) ** (Decimal(1) / Decimal(years)) - 1


@calculated
def cagr_ratio(
    start: tuple[int, Decimal], latest: tuple[int, Decimal], target: Decimal, target_year: int
) -> Decimal | None:
    """R = CAGR observed / CAGR required (Open SDG method).

    observed from the start value to the latest value; required from the start value to the
    target by the target year. None when either is undefined or the required growth is 0.
    """
    observed = cagr(start[1], latest[1], latest[0] - start[0])
    required = cagr(start[1], target, target_year - start[0])
    if observed is None or required is None or required == 0:
        return None
    return observed / required


@calculated
def linear_ratio(
    start: tuple[int, Decimal], latest: tuple[int, Decimal], target: Decimal, target_year: int
) -> Decimal | None:
    """R = (a − x0) / (expected − x0) on the straight line from the start to the target.

    expected = x0 + (t − x0) × (year − year0)/(target year − year0). None when no time has
    passed since the start, or the line is flat.
    """
    elapsed, span = latest[0] - start[0], target_year - start[0]
    if elapsed <= 0 or span <= 0 or target == start[1]:
        return None
    expected_gain = (target - start[1]) * Decimal(elapsed) / Decimal(span)
    return (latest[1] - start[1]) / expected_gain


def progress_start(kpi: Kpi, report_year: int) -> tuple[int, Decimal] | None:
    """The trend's starting point: the baseline (with its year) if known, else the first value."""
    base: Baseline | None = kpi.baseline
    if base is not None and base.fiscal_year is not None:
        return (base.fiscal_year, base.value)
    values = kpi.series(up_to=report_year)
    return values[0] if values else None


@calculated
def anticipated_progress(kpi: Kpi, report_year: int, direction: Direction) -> Progress | None:
    """Progress of a target not yet due: on track when already met, else the CAGR ratio where
    the start and latest values are positive and a year apart, else the straight line."""
    values = kpi.series(up_to=report_year)
    start, due = progress_start(kpi, report_year), kpi.target_fiscal_year
    if not values or start is None or due is None:
        return None
    latest = values[-1]
    if meets_target(latest[1], kpi.target, direction):
        return Progress.ON_TRACK
    ratio = cagr_ratio(start, latest, kpi.target, due)
    if ratio is None:
        ratio = linear_ratio(start, latest, kpi.target, due)
    return classify_progress_ratio(ratio) if ratio is not None else None


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
    due = kpi.target_fiscal_year is None or report_year >= kpi.target_fiscal_year
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


def _kpis_en(count: int) -> str:
    return "1 KPI" if count == 1 else f"{count} KPIs"


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
    projects = [evaluate_project(p, year, nearly, legend) for p in report.projects]
    for project in projects:
        compare_published(project, report, year)
    return ReportResult(report, year, nearly, projects)
