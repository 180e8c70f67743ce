"""The fast paths of judging give exactly what the exact computations give.

Judging the nation (45,000 KPIs) in about a second needs shortcuts: achievement rates in integers
rather than `Fraction`s, the class of the CAGR ratio in floating point away from the thresholds,
inferences cached by text, each KPI's values read once per report. Each is checked here against
the slow, exact reference it replaces, over random values of every size.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction
from math import floor

from hypothesis import example, given
from hypothesis import strategies as st

from kpiledger.core.calculation import CALCULATION, calculated
from kpiledger.core.era import YearMonth
from kpiledger.core.evaluate import evaluate_report
from kpiledger.core.inference import infer_aggregation, infer_direction
from kpiledger.core.model import Actual, Direction, Kpi, Project, Report, Section, unchanged_kpis
from kpiledger.core.progress import (
    Progress,
    cagr_ratio,
    classify_progress_ratio,
    quick_cagr_progress,
)
from kpiledger.core.rate import achievement_rate, round_rate


def reference_round(value: Fraction) -> Decimal:
    """The definition: |value| × 10 + ½ floored is the number of tenths, the sign kept, no −0."""
    tenths = floor(abs(value) * 10 + Fraction(1, 2))
    text = f"{tenths // 10}.{tenths % 10}"
    return Decimal(("-" if value < 0 and tenths else "") + text)


def reference_rate(a: Decimal, t: Decimal, up: bool, b: Decimal | None) -> Decimal | None:
    """EVALUATION.md's rate, in `Fraction`s (how it was computed before)."""
    fa, ft = Fraction(a), Fraction(t)
    if b is not None and t != b:
        fb = Fraction(b)
        return reference_round((fa - fb) / (ft - fb) * 100 if up else (fb - fa) / (fb - ft) * 100)
    if up:
        return None if ft <= 0 else reference_round(fa / ft * 100)
    if fa < 0 or ft < 0:
        return None
    return Decimal("100.0") if fa == 0 else reference_round(ft / fa * 100)


ledger_values = st.decimals(
    min_value=-(10**12), max_value=10**12, places=3, allow_nan=False, allow_infinity=False
)
any_size = st.builds(
    lambda digits, exponent: Decimal(digits).scaleb(exponent),
    st.integers(-(10**15), 10**15),
    st.integers(-400, 400),
)


@given(ledger_values | any_size, ledger_values | any_size, st.booleans(), st.none() | ledger_values)
@example(Decimal("81.65"), Decimal(100), True, None)  # exactly half a tenth: rounds up
@example(Decimal("-81.65"), Decimal(100), True, None)
@example(Decimal("-0.0001"), Decimal(100), True, None)  # no negative zero
@example(Decimal(0), Decimal(5), False, None)  # nothing left to reduce
@example(Decimal(3), Decimal(5), True, Decimal(5))  # target = baseline: no baseline formula
def test_integer_rate_is_the_fraction_rate(a, t, up, b):
    direction = Direction.INCREASE if up else Direction.DECREASE
    assert str(achievement_rate(a, t, direction, b)) == str(reference_rate(a, t, up, b))


@given(st.fractions(max_denominator=10**6), st.integers(-30, 30))
def test_round_rate_of_any_fraction(value, shift):
    value = value * Fraction(10) ** shift
    assert str(round_rate(value)) == str(reference_round(value))


def exact_class(start, latest, target, year) -> Progress | None:
    ratio = cagr_ratio(start, latest, target, year)
    return classify_progress_ratio(ratio) if ratio is not None else None


positive = st.decimals(min_value="0.001", max_value=10**9, places=3)


@given(positive, positive, positive, st.integers(1, 9), st.integers(1, 12))
@example(Decimal(100), Decimal(100), Decimal(120), 2, 5)  # no growth: limited, exactly 0
@example(Decimal(100), Decimal(110), Decimal(100), 2, 5)  # target = start: no CAGR ratio
def test_quick_cagr_class_is_the_exact_class(first, last, target, years, span):
    start, latest = (2015, first), (2015 + years, last)
    quick = quick_cagr_progress(start, latest, target, 2015 + span)
    if quick is not None:  # None: the exact computation decides (tested elsewhere)
        assert quick is exact_class(start, latest, target, 2015 + span)


@given(positive, positive, st.integers(1, 9), st.integers(1, 12))
@example(Decimal(100), Decimal(120), 2, 5)  # a target above the start
@example(Decimal(100), Decimal(80), 2, 5)  # and below it (a decrease)
def test_an_unchanged_value_is_decided_quickly_as_the_exact_class(value, target, years, span):
    start, latest = (2015, value), (2015 + years, value)
    quick = quick_cagr_progress(start, latest, target, 2015 + span)
    if target == value:
        assert quick is None  # no required growth: the straight line decides
    elif quick is not None:  # None: a required growth too near 0 to tell in binary
        # the observed growth is exactly 0, so is the ratio: limited
        assert quick is Progress.LIMITED
        assert exact_class(start, latest, target, 2015 + span) is Progress.LIMITED


def test_an_unchanged_value_needs_no_exact_power():
    for target in (Decimal(120), Decimal(80)):
        assert quick_cagr_progress((2015, Decimal(100)), (2017, Decimal(100)), target, 2020) is (
            Progress.LIMITED
        )


def test_quick_cagr_defers_near_a_threshold_and_beyond_a_double():
    # observed growth 0.95 × the required one, to the 16th digit: too close to tell in binary
    start, target = (2015, Decimal(100)), Decimal(200)
    required = (Decimal(2) ** (Decimal(1) / Decimal(10))) - 1
    latest = (2016, Decimal(100) * (1 + required * Decimal("0.95")))
    assert quick_cagr_progress(start, latest, target, 2025) is None
    assert exact_class(start, latest, target, 2025) in (
        Progress.ON_TRACK,
        Progress.NEEDS_ACCELERATION,
    )
    huge = (2016, Decimal("1E+400"))
    assert quick_cagr_progress(start, huge, Decimal("1E+500"), 2025) is None
    # and a clear case is decided quickly, the same way
    assert quick_cagr_progress(start, (2016, Decimal(101)), target, 2025) is Progress.LIMITED
    assert exact_class(start, (2016, Decimal(101)), target, 2025) is Progress.LIMITED


def test_inferences_are_cached_by_text_and_equal_to_fresh_ones():
    infer_direction.cache_clear()
    first = infer_direction("空き家の活用件数", "件")
    assert infer_direction("空き家の活用件数", "件") is first  # from the cache
    assert infer_direction.__wrapped__("空き家の活用件数", "件") == first
    assert infer_aggregation("観光入込客数（累計）", "人") == infer_aggregation.__wrapped__(
        "観光入込客数（累計）", "人"
    )


def kpi_with(values: dict[int, int | None]) -> Kpi:
    return Kpi(
        indicator="観光入込客数",
        unit="人",
        target=Decimal(500),
        target_date=YearMonth(2026, 3),
        actuals={y: Actual(None if v is None else Decimal(v)) for y, v in values.items()},
    )


def test_values_are_read_once_inside_and_fresh_outside():
    kpi = kpi_with({2021: 100, 2019: 80, 2020: None, 2022: 120})
    assert kpi.values(2021) == [(2019, Decimal(80)), (2021, Decimal(100))]
    with unchanged_kpis():
        inside = kpi.values(2021)
        assert inside == [(2019, Decimal(80)), (2021, Decimal(100))]
        assert kpi.values(2021) is inside  # computed once
        assert kpi.values() == [(2019, Decimal(80)), (2021, Decimal(100)), (2022, Decimal(120))]
        with unchanged_kpis():  # nested: the same memo
            assert kpi.values(2021) is inside
    kpi.actuals[2021] = Actual(Decimal(90))  # changed after: read again
    assert kpi.values(2021) == [(2019, Decimal(80)), (2021, Decimal(90))]


def test_a_report_judged_twice_after_a_change_sees_the_change():
    kpi = kpi_with({2023: 300, 2024: 400})
    report = Report("r", 2025, [Project("p", Section.TARGET, kpis=[kpi])], [2023, 2024, 2025])
    kpi.target_date = YearMonth(2025, 3)  # due in FY2024
    assert evaluate_report(report).kpis[0].actual == Decimal(400)
    kpi.actuals[2024] = Actual(Decimal(600))
    assert evaluate_report(report).kpis[0].actual == Decimal(600)


def test_a_nested_calculation_runs_in_the_calculation_context_whatever_the_caller_sets():
    @calculated
    def precision() -> int:
        return inner()

    @calculated
    def inner() -> int:
        return CALCULATION.prec if _same_as_calculation() else -1

    def _same_as_calculation() -> bool:
        from decimal import getcontext

        context = getcontext()
        return context.prec == CALCULATION.prec and context.Emax == CALCULATION.Emax

    @calculated
    def changing_its_own() -> int:
        with localcontext() as mine:  # a context made inside a calculation is not ours
            mine.prec = 5
            return inner()

    with localcontext() as caller:
        caller.prec = 3
        assert precision() == 50
        assert inner() == 50
        assert changing_its_own() == 50
