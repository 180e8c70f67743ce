"""Data-quality flags on a KPI: remarks for the planning office, never a reason to stop.

Codes (stable): `rate-mismatch`, `missing-years`, `percent-over-100`, `implausible-jump`,
`met-at-baseline`, `target-year-not-published`, `cumulative-decreases`, `rate-undefined`,
`direction-doubtful`, `grade-mismatch`, plus the reader's own (`unit-mismatch`,
`forecast-not-read`, `published-grade`).

A published grade (評価 / 達成状況 / 判定: `A`, `◎`, `概ね達成` …) is kept by the reader as a
`published-grade` flag (`grade_flag`), since the model has no field for it; `grade_mismatch`
compares what it means (the report's legend, `core.grades`, else `GRADE_MEANINGS`) with the
status kpiledger recomputes.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

from kpiledger.core import grades
from kpiledger.core.inference import Inferred, numeric_doubt
from kpiledger.core.model import Aggregation, Direction, Flag, Kpi

JUMP_FACTOR = Decimal(10)
#: The rate from which a KPI not achieved is 概ね達成 (EVALUATION.md; the default setting).
NEARLY = Decimal(80)
PERCENT_UNITS = ("%", "％")


def check_kpi(
    kpi: Kpi,
    report_year: int,
    direction: Inferred[Direction],
    aggregation: Aggregation,
    judged_year: int | None,
    rate: Decimal | None,
    *,
    actual: Decimal | None = None,
    nearly: Decimal = NEARLY,
    legend: grades.Legend | None = None,
) -> list[Flag]:
    """Every data-quality flag of one KPI, in a fixed order (`actual` is the value judged,
    `nearly` the 概ね達成 threshold, `legend` the report's grade legend)."""
    checks = (
        rate_mismatch(kpi, rate),
        missing_years(kpi, report_year),
        percent_over_100(kpi),
        implausible_jump(kpi, report_year),
        met_at_baseline(kpi, direction.value),
        target_year_not_published(kpi, judged_year),
        cumulative_decreases(kpi, aggregation),
        rate_undefined(kpi, direction.value, actual, rate),
        direction_doubtful(kpi, direction),
        grade_mismatch(kpi, report_year, direction.value, actual, rate, nearly, legend),
    )
    return [*kpi.reader_flags, *(flag for flag in checks if flag is not None)]


def rate_mismatch(kpi: Kpi, rate: Decimal | None) -> Flag | None:
    """The published 達成率 differs from ours by more than one unit of its last published digit
    (published `82` accepts 81.7; published `81.7` accepts 81.6…81.8)."""
    published = kpi.published_rate
    if published is None:
        return None
    if rate is not None:
        exponent = published.as_tuple().exponent
        unit = Decimal(1).scaleb(exponent if isinstance(exponent, int) else 0)
        if abs(published - rate) <= max(unit, Decimal("0.1")):
            return None
    ours = "算出不能" if rate is None else f"{rate}%"
    ours_en = "cannot be computed" if rate is None else f"{rate}%"
    return Flag(
        "rate-mismatch",
        f"公表された達成率 {published}% と再計算した値 {ours} が一致しません",
        f"published achievement rate {published}% differs from the recomputed {ours_en}",
    )


def missing_years(kpi: Kpi, report_year: int) -> Flag | None:
    """A published year without a value after the first year with one (up to the report year)."""
    values = kpi.values(up_to=report_year)
    if not values:
        return None
    first = values[0][0]
    gaps = sorted(y for y, a in kpi.actuals.items() if a.value is None and first < y <= report_year)
    if not gaps:
        return None
    years = "、".join(f"{y}年度" for y in gaps)
    return Flag(
        "missing-years",
        f"実績値が途中で欠けています: {years}",
        f"actuals missing after the first value: FY{', FY'.join(str(y) for y in gaps)}",
    )


def percent_over_100(kpi: Kpi) -> Flag | None:
    """A percentage (unit %) over 100 in the target or any actual."""
    if kpi.unit.strip() not in PERCENT_UNITS:
        return None
    over = [v for _, v in kpi.values()] + [kpi.target]
    if max(over) <= 100:
        return None
    return Flag(
        "percent-over-100",
        "単位が%ですが100を超える値があります",
        "the unit is % but a value exceeds 100",
    )


def implausible_jump(kpi: Kpi, report_year: int) -> Flag | None:
    """Two consecutive published values differing by a factor of 10 or more."""
    values = kpi.values(up_to=report_year)
    for (y0, v0), (y1, v1) in pairwise(values):
        if v0 > 0 and v1 > 0 and (v1 >= JUMP_FACTOR * v0 or v0 >= JUMP_FACTOR * v1):
            return Flag(
                "implausible-jump",
                f"{y0}年度 {v0} から {y1}年度 {v1} へ10倍以上変化しています（要確認）",
                f"FY{y0} {v0} to FY{y1} {v1} changes tenfold or more (please check)",
            )
    return None


def met_at_baseline(kpi: Kpi, direction: Direction) -> Flag | None:
    """The target was already met at the published baseline (基準値): an unambitious target.

    Only a baseline counts: the first published actual is often the first year of a new
    facility, not the situation the target was set against."""
    if kpi.baseline is None:
        return None
    start = kpi.baseline.value
    met = start >= kpi.target if direction is Direction.INCREASE else start <= kpi.target
    if not met:
        return None
    return Flag(
        "met-at-baseline",
        f"基準値 {start} で既に目標 {kpi.target} を満たしています（目標水準の確認を）",
        f"the baseline {start} already meets the target {kpi.target} (unambitious target?)",
    )


def target_year_not_published(kpi: Kpi, judged_year: int | None) -> Flag | None:
    """The judged (target) year has no column in the report."""
    if judged_year is None or not kpi.actuals or judged_year in kpi.actuals:
        return None
    return Flag(
        "target-year-not-published",
        f"目標年度（{judged_year}年度）の実績値の列がありません",
        f"the report has no actual column for the target year FY{judged_year}",
    )


def cumulative_decreases(kpi: Kpi, aggregation: Aggregation) -> Flag | None:
    """A cumulative KPI (running totals) whose published value goes down."""
    if aggregation is not Aggregation.CUMULATIVE or kpi.actuals_are_increments:
        return None
    values = kpi.values()
    for (y0, v0), (y1, v1) in pairwise(values):
        if v1 < v0:
            return Flag(
                "cumulative-decreases",
                f"累計値が {y0}年度 {v0} から {y1}年度 {v1} に減少しています",
                f"the cumulative value falls from {v0} (FY{y0}) to {v1} (FY{y1})",
            )
    return None


def rate_undefined(
    kpi: Kpi, direction: Direction, actual: Decimal | None, rate: Decimal | None
) -> Flag | None:
    """An actual was judged but a/t (or t/a) means nothing (an increase target ≤ 0, a negative
    actual or target of a decrease KPI): the status comes from comparing a with t alone."""
    if actual is None or rate is not None:
        return None
    if direction is Direction.INCREASE:
        why_ja = f"目標値 {kpi.target} が0以下のため"
        why_en = f"the target {kpi.target} is 0 or less"
    else:
        why_ja = "実績値または目標値が負のため"
        why_en = "the actual or the target is negative"
    return Flag(
        "rate-undefined",
        f"{why_ja}達成率（実績÷目標）は意味を持たず、算出しません。実績 {actual} と目標"
        f" {kpi.target} の比較だけで判定しています",
        f"{why_en}: an achievement rate (actual ÷ target) means nothing and is not computed;"
        f" judged by comparing the actual {actual} with the target {kpi.target} alone",
    )


def direction_doubtful(kpi: Kpi, direction: Inferred[Direction]) -> Flag | None:
    """The published numbers speak against the inferred direction (see
    `inference.numeric_doubt`); an explicit direction is never doubted. The direction is kept:
    a person decides."""
    if direction.overridden:
        return None
    doubt = numeric_doubt(kpi, direction.value)
    if doubt is None:
        return None
    ja, en = doubt
    return Flag("direction-doubtful", ja, en)


# --- published grades -------------------------------------------------------------------------

#: The common reading of a grade when the report prints no legend (after NFKC, spaces removed:
#: `Ａ` = `A`); with a legend, `core.grades` reads the report's own scale. Any other grade (`S`,
#: `E`, `順調`, free text) is kept as published but not compared.
GRADE_MEANINGS: dict[str, str] = {**grades.WORD_MEANINGS, **grades.ASSUMED_MEANINGS}
GRADE_PREFIX_JA = "公表された評価「"
GRADE_PREFIX_EN = "published grade '"


grade_key = grades.grade_key


def grade_meaning(text: str) -> str | None:
    """`achieved`, `nearly_achieved` or `not_achieved` for a known grade, else None."""
    return GRADE_MEANINGS.get(grade_key(text))


def grade_flag(text: str) -> Flag:
    """The `published-grade` flag that keeps a KPI's published grade (the reader makes it)."""
    return Flag(
        "published-grade",
        f"{GRADE_PREFIX_JA}{text}」",
        f"{GRADE_PREFIX_EN}{text}'",
    )


def published_grade(kpi: Kpi) -> str | None:
    """The grade kept by `grade_flag`, as published; None when the report gives none."""
    for flag in kpi.reader_flags:
        if flag.code == "published-grade" and flag.message_ja.startswith(GRADE_PREFIX_JA):
            return flag.message_ja.removeprefix(GRADE_PREFIX_JA).removesuffix("」")
    return None


def grade_mismatch(
    kpi: Kpi,
    report_year: int,
    direction: Direction,
    actual: Decimal | None,
    rate: Decimal | None,
    nearly: Decimal = NEARLY,
    legend: grades.Legend | None = None,
) -> Flag | None:
    """The published grade means another status than the recomputed one. Compared only when
    the grade can be read (`grades.read_grade`: by the report's legend, else the common
    reading) and the KPI is judged (due, with an actual)."""
    grade = published_grade(kpi) if kpi.reader_flags else None
    if grade is None or actual is None:
        return None
    due_year = kpi.target_fiscal_year
    if due_year is not None and report_year < due_year:
        return None
    reading = grades.read_grade(grade, legend, nearly)
    if reading is None:
        return None
    met = actual >= kpi.target if direction is Direction.INCREASE else actual <= kpi.target
    if met:
        ours = grades.ACHIEVED
    elif rate is not None and rate >= nearly:
        ours = grades.NEARLY_ACHIEVED
    else:
        ours = grades.NOT_ACHIEVED
    if ours in reading.meaning:
        return None
    return Flag(
        "grade-mismatch",
        f"{GRADE_PREFIX_JA}{grade}」{reading.ja}と再計算の状況「{grades.STATUS_WORDS[ours]}」"
        f"が異なります{reading.ja_tail}",
        f"{GRADE_PREFIX_EN}{grade}'{reading.en} differs from the recomputed status"
        f" '{grades.STATUS_WORDS_EN[ours]}'{reading.en_tail}",
    )
