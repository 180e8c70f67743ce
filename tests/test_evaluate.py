"""Evaluation rules of EVALUATION.md, one edge case at a time."""

from __future__ import annotations

import re
from decimal import Decimal, Inexact, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.factories import D, make_kpi

from kpiledger.core.effect import Effect
from kpiledger.core.era import YearMonth
from kpiledger.core.evaluate import (
    Status,
    evaluate_kpi,
    evaluate_report,
    judgeable_years,
    suggest_effect,
)
from kpiledger.core.model import Aggregation, Direction, Project, Report, Section
from kpiledger.core.progress import (
    Progress,
    cagr,
    cagr_ratio,
    classify_progress_ratio,
    linear_ratio,
)
from kpiledger.core.rate import achievement_rate

INC, DEC = Direction.INCREASE, Direction.DECREASE


@pytest.mark.parametrize(
    ("a", "t", "direction", "b", "expected"),
    [
        ("35245", "16000", INC, None, "220.3"),  # 220.28125 rounds up
        ("1878", "2300", INC, None, "81.7"),  # 81.652…
        ("6", "5", DEC, None, "83.3"),  # t / a
        ("0", "5", DEC, None, "100.0"),  # nothing left: a = 0 with t ≥ 0
        ("0", "0", DEC, None, "100.0"),
        ("0", "-1", DEC, None, None),  # t < 0 with a = 0: undefined
        ("5", "0", INC, None, None),  # t = 0 with increase: undefined
        ("0", "100", INC, None, "0.0"),  # actual 0
        ("850", "1000", INC, ("700",), "50.0"),  # (a − b)/(t − b)
        ("600", "1000", INC, ("700",), "-33.3"),  # worse than the baseline
        ("8", "5", DEC, ("10",), "40.0"),  # (b − a)/(b − t)
        ("5", "5", DEC, ("10",), "100.0"),
        ("12", "10", INC, ("10",), "120.0"),  # t = b: falls back to a / t
        ("0.0005", "0.001", INC, None, "50.0"),
        ("1", "3", INC, None, "33.3"),
        ("2", "3", INC, None, "66.7"),  # ROUND_HALF_UP on 66.666…
        ("0.0125", "0.1", INC, None, "12.5"),
        ("1.0005", "1", INC, None, "100.1"),  # 100.05 → 100.1 (half up, not half even)
    ],
)
def test_achievement_rate(a, t, direction, b, expected):
    baseline = D(b[0]) if b else None
    rate = achievement_rate(D(a), D(t), direction, baseline)
    assert rate == (D(expected) if expected is not None else None)
    if rate is not None:
        assert rate.as_tuple().exponent == -1  # always one decimal


def test_status_target_zero_increase_judged_by_comparison_alone():
    met = evaluate_kpi(make_kpi(0, {2023: 0}), 2023)
    assert (met.achievement_rate, met.status) == (None, Status.ACHIEVED)
    missed = evaluate_kpi(make_kpi(0, {2023: -2}), 2023)
    assert (missed.achievement_rate, missed.status) == (None, Status.NOT_ACHIEVED)


def test_decrease_without_baseline_miss_and_hit():
    kpi = make_kpi(0, {2022: 4, 2023: 3}, indicator="待機児童数")
    result = evaluate_kpi(kpi, 2023)
    assert result.direction.value is DEC
    assert (result.achievement_rate, result.status) == (D("0.0"), Status.NOT_ACHIEVED)  # t / a
    hit = evaluate_kpi(make_kpi(0, {2023: 0}, indicator="待機児童数"), 2023)
    assert (hit.achievement_rate, hit.status) == (D("100.0"), Status.ACHIEVED)


def test_decrease_with_baseline():
    kpi = make_kpi(
        20, {2021: 28, 2022: 25, 2023: 22}, indicator="交通事故件数", baseline=(30, 2019)
    )
    result = evaluate_kpi(kpi, 2023)
    assert result.direction.value is DEC
    assert result.achievement_rate == D("80.0")  # (30 − 22)/(30 − 20)
    assert result.status is Status.NEARLY_ACHIEVED


def test_nearly_threshold_is_a_setting():
    kpi = make_kpi(2300, {2023: 1878})
    assert evaluate_kpi(kpi, 2023).status is Status.NEARLY_ACHIEVED
    assert evaluate_kpi(kpi, 2023, nearly=D(90)).status is Status.NOT_ACHIEVED


def test_due_target_judged_in_its_year_even_when_later_years_exist():
    kpi = make_kpi(100, {2021: 90, 2022: 120, 2023: 150}, due=YearMonth(2022, 3))
    result = evaluate_kpi(kpi, 2023)
    assert (result.judged_year, result.actual) == (2021, D(90))
    assert (result.achievement_rate, result.status) == (D("90.0"), Status.NEARLY_ACHIEVED)


def test_due_target_without_value_in_its_year_is_no_data():
    kpi = make_kpi(100, {2021: 90, 2022: 120, 2023: None})
    result = evaluate_kpi(kpi, 2023)
    assert (result.judged_year, result.status, result.achievement_rate) == (
        2023,
        Status.NO_DATA,
        None,
    )
    assert "missing-years" in [f.code for f in result.flags]


def test_no_values_at_all_is_no_data():
    result = evaluate_kpi(make_kpi(100, {2022: None, 2023: None}), 2023)
    assert result.status is Status.NO_DATA
    assert result.flags == []


def test_missing_years_flag_names_the_gap():
    result = evaluate_kpi(
        make_kpi(100, {2019: None, 2020: 10, 2021: None, 2022: 30, 2023: 50}), 2023
    )
    flags = {f.code: f for f in result.flags}
    assert "2021年度" in flags["missing-years"].message_ja
    assert "2019" not in flags["missing-years"].message_en  # before the first value: not a gap


def test_not_due_one_value_only_gives_interim_rate_and_no_trend():
    kpi = make_kpi(200, {2023: 50}, due=YearMonth(2027, 3))
    result = evaluate_kpi(kpi, 2023)
    assert result.status is Status.NOT_DUE
    assert (result.judged_year, result.achievement_rate) == (2023, D("25.0"))
    assert result.progress is None  # one value and no baseline: no trend to judge


def test_not_due_one_value_with_baseline_uses_cagr():
    kpi = make_kpi(200, {2023: 150}, due=YearMonth(2026, 3), baseline=(100, 2021))
    result = evaluate_kpi(kpi, 2023)
    # observed CAGR (150/100)^(1/2) − 1 = 0.2247; required (200/100)^(1/4) − 1 = 0.1892
    assert result.progress is Progress.ON_TRACK
    assert result.achievement_rate == D("50.0")  # interim (150 − 100)/(200 − 100)


@pytest.mark.parametrize(
    ("actuals", "expected"),
    [
        ({2021: 100, 2022: 110, 2023: 121}, Progress.ON_TRACK),  # 10 %/yr, needs ~9.9 %/yr
        ({2021: 100, 2022: 104, 2023: 108}, Progress.LIMITED),  # R = 0.39…
        ({2021: 100, 2022: 107, 2023: 115}, Progress.NEEDS_ACCELERATION),  # R = 0.73…
        ({2021: 100, 2022: 95, 2023: 90}, Progress.DETERIORATION),
        ({2021: 100, 2022: 150, 2023: 200}, Progress.ON_TRACK),  # already met
    ],
)
def test_not_due_progress_by_cagr(actuals, expected):
    kpi = make_kpi(200, actuals, due=YearMonth(2029, 3))  # FY2028: 7 years after 2021
    result = evaluate_kpi(kpi, 2023)
    assert (result.status, result.progress) == (Status.NOT_DUE, expected)


def test_not_due_progress_straight_line_when_values_not_positive():
    kpi = make_kpi(10, {2021: 0, 2022: 2, 2023: 4}, due=YearMonth(2026, 3))
    # line from 0 (FY2021) to 10 (FY2025): expected 5 at FY2023, actual 4 → R = 0.8
    assert evaluate_kpi(kpi, 2023).progress is Progress.NEEDS_ACCELERATION


def test_not_due_decrease_progress():
    kpi = make_kpi(
        50, {2021: 100, 2022: 90, 2023: 80}, indicator="ごみ排出量を削減", due=YearMonth(2026, 3)
    )
    result = evaluate_kpi(kpi, 2023)
    assert result.direction.value is DEC
    # observed (80/100)^(1/2) − 1 = −0.1056; required (50/100)^(1/4) − 1 = −0.1591: R = 0.66
    assert result.progress is Progress.NEEDS_ACCELERATION


def test_ratio_functions_return_none_when_undefined():
    assert cagr_ratio((2021, D(0)), (2023, D(5)), D(10), 2025) is None
    assert cagr_ratio((2021, D(10)), (2023, D(12)), D(10), 2025) is None  # required growth 0
    assert linear_ratio((2023, D(5)), (2023, D(5)), D(10), 2025) is None  # no time elapsed
    assert classify_progress_ratio(D("0.95")) is Progress.ON_TRACK
    assert classify_progress_ratio(D("0.6")) is Progress.NEEDS_ACCELERATION
    assert classify_progress_ratio(D("0")) is Progress.LIMITED
    assert classify_progress_ratio(D("-0.01")) is Progress.DETERIORATION


def test_cumulative_with_yearly_increments_sums_from_the_start():
    kpi = make_kpi(
        10,
        {2019: None, 2020: 2, 2021: 3, 2022: 4, 2023: 2},
        indicator="移住者累計数",
        actuals_are_increments=True,
    )
    result = evaluate_kpi(kpi, 2023)
    assert result.aggregation.value is Aggregation.CUMULATIVE
    assert (result.actual, result.achievement_rate) == (D(11), D("110.0"))
    assert result.status is Status.ACHIEVED


def test_cumulative_running_total_is_taken_as_published():
    kpi = make_kpi(10, {2022: 6, 2023: 9}, indicator="移住者累計数")
    result = evaluate_kpi(kpi, 2023)
    assert (result.actual, result.status) == (D(9), Status.NEARLY_ACHIEVED)


def test_cumulative_decrease_is_flagged():
    result = evaluate_kpi(make_kpi(10, {2022: 6, 2023: 5}, indicator="登録累計数"), 2023)
    assert "cumulative-decreases" in [f.code for f in result.flags]


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        (
            {"target": 120, "actuals": {2023: 95}, "unit": "%", "indicator": "利用率"},
            "percent-over-100",
        ),
        ({"target": 100, "actuals": {2022: 5, 2023: 60}}, "implausible-jump"),
        ({"target": 100, "actuals": {2023: 120}, "baseline": (150, 2019)}, "met-at-baseline"),
        ({"target": 100, "actuals": {2023: 95}, "published_rate": D(85)}, "rate-mismatch"),
        (
            {"target": 100, "actuals": {2023: 80}, "due": YearMonth(2023, 3)},
            "target-year-not-published",
        ),
    ],
)
def test_quality_flags(kwargs, code):
    result = evaluate_kpi(make_kpi(**kwargs), 2023)
    assert code in [f.code for f in result.flags]


def test_published_rate_within_its_precision_is_not_flagged():
    result = evaluate_kpi(make_kpi(2300, {2023: 1878}, published_rate=D(82)), 2023)
    assert result.achievement_rate == D("81.7")
    assert result.flags == []


def _project(*kpis):
    return Project("事業", Section.TARGET, kpis=list(kpis))


def test_effect_suggestions():
    year = 2023
    very = [evaluate_kpi(make_kpi(10, {2023: 12}), year)]
    assert suggest_effect(very, year)[0] is Effect.VERY_EFFECTIVE
    considerable = [*very, evaluate_kpi(make_kpi(10, {2023: 9}), year)]
    assert suggest_effect(considerable, year)[0] is Effect.CONSIDERABLY_EFFECTIVE
    effective = [*very, evaluate_kpi(make_kpi(10, {2023: 1}), year)]
    assert suggest_effect(effective, year)[0] is Effect.EFFECTIVE
    improved = [evaluate_kpi(make_kpi(10, {2022: 1, 2023: 2}), year)]
    assert suggest_effect(improved, year)[0] is Effect.EFFECTIVE
    none = [evaluate_kpi(make_kpi(10, {2022: 5, 2023: 2}), year)]
    assert suggest_effect(none, year)[0] is Effect.NOT_EFFECTIVE
    assert suggest_effect([], year)[0] is None


def test_not_due_counts_as_neither_achieved_nor_nearly():
    year = 2023
    results = [
        evaluate_kpi(make_kpi(10, {2023: 12}), year),
        evaluate_kpi(make_kpi(10, {2023: 12}, due=YearMonth(2027, 3)), year),
    ]
    assert results[1].status is Status.NOT_DUE
    effect, reason_ja, reason_en = suggest_effect(results, year)
    assert effect is Effect.EFFECTIVE
    assert reason_ja == "2指標中、達成1指標・目標年度前1指標"
    assert reason_en == "of 2 KPIs, 1 is achieved and 1 is not yet due"


# --- the reason uses the badges' words (issue 7) ----------------------------------------------

ACHIEVED = make_kpi(10, {2023: 12})
NEARLY = make_kpi(10, {2023: 9})
NOT_ACHIEVED_WORSE = make_kpi(10, {2022: 5, 2023: 2})
NOT_ACHIEVED_BETTER = make_kpi(10, {2022: 1, 2023: 2})
NOT_DUE = make_kpi(10, {2023: 1}, due=YearMonth(2027, 3))
NO_DATA = make_kpi(10, {2023: None})


def suggestion(*kpis):
    return suggest_effect([evaluate_kpi(k, 2023) for k in kpis], 2023)


@pytest.mark.parametrize(
    ("kpis", "effect", "ja", "en"),
    [
        # the テレワーク project: a 概ね達成 badge must not be called 未達成
        (
            (NEARLY, NOT_ACHIEVED_WORSE),
            Effect.NOT_EFFECTIVE,
            "2指標中、概ね達成1指標・未達成1指標で、当初より改善した指標なし",
            "of 2 KPIs, 1 is nearly achieved and 1 is not achieved;"
            " none is better than where it started",
        ),
        (
            (NOT_ACHIEVED_WORSE, NOT_ACHIEVED_WORSE),
            Effect.NOT_EFFECTIVE,
            "2指標とも未達成で、当初より改善した指標なし",
            "both KPIs are not achieved; none is better than where it started",
        ),
        (
            (NOT_ACHIEVED_WORSE,),
            Effect.NOT_EFFECTIVE,
            "1指標が未達成で、当初より改善していない",
            "the one KPI is not achieved, and it is not better than where it started",
        ),
        # an achieved KPI is not also counted as "better than where it started"
        (
            (ACHIEVED, ACHIEVED, NOT_ACHIEVED_WORSE, NOT_ACHIEVED_BETTER),
            Effect.EFFECTIVE,
            "4指標中、達成2指標・未達成2指標で、残る2指標のうち1指標が当初より改善",
            "of 4 KPIs, 2 are achieved and 2 are not achieved;"
            " of the other 2, 1 is better than where it started",
        ),
        (
            (ACHIEVED, ACHIEVED, ACHIEVED, NOT_ACHIEVED_WORSE),
            Effect.EFFECTIVE,
            "4指標中、達成3指標・未達成1指標",
            "of 4 KPIs, 3 are achieved and 1 is not achieved",
        ),
        (
            (ACHIEVED, NOT_ACHIEVED_BETTER),
            Effect.EFFECTIVE,
            "2指標中、達成1指標・未達成1指標で、残る1指標も当初より改善",
            "of 2 KPIs, 1 is achieved and 1 is not achieved;"
            " the other one is better than where it started",
        ),
        (
            (NOT_ACHIEVED_BETTER, NOT_ACHIEVED_BETTER, NO_DATA),
            Effect.EFFECTIVE,
            "3指標中、未達成2指標・実績なし1指標で、うち2指標が当初より改善",
            "of 3 KPIs, 2 are not achieved and 1 has no data;"
            " 2 of them are better than where they started",
        ),
        (
            (NOT_ACHIEVED_BETTER,),
            Effect.EFFECTIVE,
            "1指標が未達成だが、当初より改善",
            "the one KPI is not achieved, but it is better than where it started",
        ),
        (
            (ACHIEVED, NEARLY, NEARLY),
            Effect.CONSIDERABLY_EFFECTIVE,
            "3指標中、達成1指標・概ね達成2指標",
            "of 3 KPIs, 1 is achieved and 2 are nearly achieved",
        ),
        (
            (ACHIEVED, ACHIEVED, ACHIEVED),
            Effect.VERY_EFFECTIVE,
            "3指標とも達成",
            "all 3 KPIs are achieved",
        ),
        ((ACHIEVED,), Effect.VERY_EFFECTIVE, "1指標が達成", "the one KPI is achieved"),
    ],
)
def test_the_reason_counts_each_badge_in_its_own_words(kpis, effect, ja, en):
    assert suggestion(*kpis) == (effect, ja, en)


def test_a_project_whose_kpis_are_all_not_due_has_no_suggestion_yet():
    assert suggestion(NOT_DUE, NOT_DUE) == (
        None,
        "全2指標が目標年度前のため、提案はまだありません",
        "no suggestion yet: all 2 KPIs are not yet due",
    )
    assert suggestion(NOT_DUE)[0] is None
    assert suggestion(NOT_DUE, NO_DATA)[0] is Effect.NOT_EFFECTIVE  # one is due: judged


@given(st.lists(st.sampled_from([ACHIEVED, NEARLY, NOT_ACHIEVED_WORSE, NOT_ACHIEVED_BETTER,
                                 NOT_DUE, NO_DATA]), min_size=1, max_size=6))  # fmt: skip
def test_every_reason_names_each_status_count_and_never_a_zero(kpis):
    results = [evaluate_kpi(k, 2023) for k in kpis]
    _effect, ja, en = suggest_effect(results, 2023)
    assert not re.search(r"(?<![0-9])0指標|(?<![0-9])0 (KPI|is|are|has|have|better)", ja + en)
    if len(results) > 1 and any(r.status is not Status.NOT_DUE for r in results):
        for status in set(r.status for r in results):
            count = sum(1 for r in results if r.status is status)
            assert f"{status.label_ja}{count}指標" in ja or f"とも{status.label_ja}" in ja


def test_report_summary_counts_every_status():
    report = Report(
        "t",
        2023,
        [
            _project(
                make_kpi(10, {2023: 12}),
                make_kpi(10, {2023: 9}),
                make_kpi(10, {2023: 1}),
                make_kpi(10, {2023: None}),
                make_kpi(10, {2023: 1}, due=YearMonth(2027, 3)),
            )
        ],
    )
    assert evaluate_report(report).summary() == {
        "kpis": 5,
        "achieved": 1,
        "nearly_achieved": 1,
        "not_achieved": 1,
        "no_data": 1,
        "not_due": 1,
    }


def test_report_can_be_judged_in_an_earlier_year():
    report = Report("t", 2023, [_project(make_kpi(10, {2022: 4, 2023: 12}))])
    result = evaluate_report(report, fiscal_year=2022)
    kpi = result.kpis[0]
    assert (kpi.status, kpi.judged_year, kpi.achievement_rate) == (Status.NOT_DUE, 2022, D("40.0"))


rates = st.decimals(min_value=-(10**9), max_value=10**9, places=3, allow_nan=False)


@given(a=rates, t=rates, b=st.none() | rates, up=st.booleans())
def test_rate_never_raises_and_is_one_decimal(a, t, b, up):
    rate = achievement_rate(a, t, INC if up else DEC, b)
    assert rate is None or (isinstance(rate, Decimal) and rate.as_tuple().exponent == -1)


def test_cumulative_increments_judge_progress_on_running_totals():
    # 20 a year towards a cumulative 100 by FY2025: running totals 20, 40, 60 are on track.
    kpi = make_kpi(100, {2021: 20, 2022: 20, 2023: 20}, indicator="移住者累計数",
                   due=YearMonth(2026, 3), actuals_are_increments=True)  # fmt: skip
    result = evaluate_kpi(kpi, 2023)
    assert (result.actual, result.achievement_rate) == (D(60), D("60.0"))
    assert result.progress is Progress.ON_TRACK
    flat = evaluate_kpi(make_kpi(100, {2021: 20, 2022: 20, 2023: 20}, indicator="移住者累計数",
                                 due=YearMonth(2026, 3)), 2023)  # fmt: skip
    assert flat.progress is Progress.LIMITED  # the same numbers read as running totals


def test_cumulative_increments_count_as_improved():
    kpi = make_kpi(100, {2022: 10, 2023: 5}, indicator="移住者累計数", actuals_are_increments=True)
    result = evaluate_kpi(kpi, 2023)
    assert suggest_effect([result], 2023)[0] is Effect.EFFECTIVE  # 10 → 15, better than start


def test_no_negative_zero_rate():
    assert str(achievement_rate(D("-0.01"), D(2000000), INC)) == "0.0"


# --- no value makes a calculation fail (issue 6) ---------------------------------------------


@pytest.mark.parametrize(
    ("a", "t", "direction", "b", "expected"),
    [
        ("1E+30", "1", INC, None, "100000000000000000000000000000000.0"),
        ("1", "1E-30", INC, None, "100000000000000000000000000000000.0"),
        ("99999999999999999999999999999", "3", INC, None, "3333333333333333333333333333300.0"),
        ("1E-30", "1E+30", INC, None, "0.0"),
        ("1E-30", "1E+30", DEC, None, "1" + "0" * 62 + ".0"),  # t / a
        ("-1E+30", "1E+30", INC, None, "-100.0"),  # a negative actual, a positive target
        ("1E+30", "1E+29", INC, ("1E-30",), "1000.0"),  # (a − b)/(t − b), b negligible
        ("-1E+30", "1", INC, ("0",), "-100000000000000000000000000000000.0"),
        # exact: 81.6499…(33 digits) rounds to 81.6; a 28-digit division rounds it to 81.65 first
        ("816499999999999999999999999999999", "1" + "0" * 33, INC, None, "81.6"),
        ("999999999999999999999999999999", "999999999999999999999999999998", INC, None, "100.0"),
    ],
)
def test_achievement_rate_of_huge_and_tiny_values_is_exact(a, t, direction, b, expected):
    rate = achievement_rate(D(a), D(t), direction, D(b[0]) if b else None)
    assert rate == D(expected)
    assert rate is not None and rate.as_tuple().exponent == -1


def huge_kpis():
    due, later = YearMonth(2024, 3), YearMonth(2027, 3)
    values = {2020: "1E-30", 2021: "99999999999999999999999999999", 2022: "1E+30", 2023: "7"}
    yield make_kpi("3", values, due=due)  # rate 3.3E+30 %
    yield make_kpi("1E+30", values, due=later, baseline=("999999999999999999999999999999.9", 2019))
    yield make_kpi("1E+30", values, due=later)  # not due: CAGR from 1E-30 to 7
    yield make_kpi("1E-30", values, due=later, indicator="事故件数を削減")
    yield make_kpi("1E+30", values, due=later, baseline=("1E-30", 2019))
    yield make_kpi("1E+30", values, due=later, actuals_are_increments=True)
    yield make_kpi("-1E+30", {2021: "-1E-30", 2023: "1E+30"}, due=later)  # straight line


def test_huge_and_tiny_values_never_make_evaluation_fail():
    for kpi in huge_kpis():
        result = evaluate_kpi(kpi, 2023)
        rate = result.achievement_rate
        assert rate is None or rate.as_tuple().exponent == -1
        assert result.status in set(Status)


def test_evaluation_ignores_the_callers_decimal_context():
    usual = make_kpi(200, {2021: 100, 2022: 107, 2023: 115}, due=YearMonth(2029, 3))
    kpis = [*huge_kpis(), usual]
    expected = [evaluate_kpi(k, 2023) for k in kpis]
    with localcontext() as context:
        context.prec = 3
        context.traps[Inexact] = True  # any rounding in the caller's context would raise
        judged = [evaluate_kpi(k, 2023) for k in kpis]
    assert [(r.achievement_rate, r.status, r.progress) for r in judged] == [
        (r.achievement_rate, r.status, r.progress) for r in expected
    ]


def test_progress_of_values_beyond_the_default_exponent_range():
    # (1E+600000 / 1E-600000) overflows the default context (Emax 999999)
    growth = cagr(D("1E-600000"), D("1E+600000"), 2)
    assert growth is not None and growth > 0
    ratio = linear_ratio((2021, D("-1E+600000")), (2023, D("1E+600000")), D("1E+600000"), 2025)
    assert ratio == 2


exact_decimals = st.builds(
    lambda mantissa, exponent: Decimal(f"{mantissa}E{exponent}"),
    st.integers(-(10**40), 10**40),
    st.integers(-60, 60),
)


@given(a=exact_decimals, t=exact_decimals, b=st.none() | exact_decimals, up=st.booleans())
def test_rate_of_any_size_never_raises_and_is_one_decimal(a, t, b, up):
    rate = achievement_rate(a, t, INC if up else DEC, b)
    assert rate is None or (isinstance(rate, Decimal) and rate.as_tuple().exponent == -1)


def test_judgeable_years_run_from_the_first_column_to_the_report_year():
    report = Report("t", 2023, [], year_columns=[2019, 2020, 2021, 2022, 2023])
    assert judgeable_years(report) == range(2019, 2024)
    assert judgeable_years(Report("t", 2023, [], year_columns=[2022, 2023, 2024])) == range(
        2022, 2024
    )
    assert judgeable_years(Report("t", 2023, [])) == range(2023, 2024)


# --- a target of 0 or below, negative actuals (issue 8, item 6) ------------------------------


def _judged(target, actuals, indicator="社会増減数", baseline=None, due=None):
    extra = {"due": due} if due else {}
    kpi = make_kpi(target, actuals, indicator=indicator, baseline=baseline, **extra)
    result = evaluate_kpi(kpi, 2023)
    return result, [f.code for f in result.flags]


@pytest.mark.parametrize(
    ("target", "actual", "status"),
    [
        (0, -35, Status.NOT_ACHIEVED),
        (0, 0, Status.ACHIEVED),
        (0, 12, Status.ACHIEVED),
        (-50, -35, Status.ACHIEVED),  # a/t would say 70 %
        (-50, -80, Status.NOT_ACHIEVED),  # a/t would say 160 %
        (-50, 10, Status.ACHIEVED),
    ],
)
def test_increase_target_zero_or_below_without_baseline_has_no_rate_and_a_flag(
    target, actual, status
):
    result, codes = _judged(target, {2022: -60, 2023: actual})
    assert (result.achievement_rate, result.status) == (None, status)
    assert "rate-undefined" in codes
    flag = next(f for f in result.flags if f.code == "rate-undefined")
    assert "0以下" in flag.message_ja and "0 or less" in flag.message_en


def test_increase_with_a_positive_target_and_a_negative_actual_keeps_a_over_t():
    result, codes = _judged(50, {2023: -20}, indicator="デマンドバス利用者数の対前年度増減率")
    assert (result.achievement_rate, result.status) == (D("-40.0"), Status.NOT_ACHIEVED)
    assert "rate-undefined" not in codes


@pytest.mark.parametrize(
    ("target", "baseline", "actual", "rate", "status"),
    [
        (0, -80, -35, "56.3", Status.NOT_ACHIEVED),  # (−35 + 80)/(0 + 80)
        (-50, -80, -35, "150.0", Status.ACHIEVED),  # (−35 + 80)/(−50 + 80)
        (0, -80, 0, "100.0", Status.ACHIEVED),
    ],
)
def test_increase_target_zero_or_below_with_baseline_keeps_the_baseline_formula(
    target, baseline, actual, rate, status
):
    result, codes = _judged(target, {2023: actual}, baseline=(baseline, 2019))
    assert (result.achievement_rate, result.status) == (D(rate), status)
    assert "rate-undefined" not in codes


def test_baseline_equal_to_a_target_of_zero_falls_back_to_no_rate():
    result, codes = _judged(0, {2023: -3}, baseline=(0, 2019))
    assert (result.achievement_rate, result.status) == (None, Status.NOT_ACHIEVED)
    assert "rate-undefined" in codes


def test_target_zero_not_yet_due_has_no_interim_rate_but_a_progress():
    result, codes = _judged(0, {2021: -52, 2022: -41, 2023: -35}, due=YearMonth(2026, 3))
    assert (result.status, result.achievement_rate) == (Status.NOT_DUE, None)
    # the straight line from −52 (FY2021) to 0 by FY2025: R = 17 / 26 = 0.65
    assert result.progress is Progress.NEEDS_ACCELERATION
    assert "rate-undefined" in codes


def test_decrease_target_zero_keeps_t_over_a():
    missed, codes = _judged(0, {2023: 3}, indicator="待機児童数")
    assert (missed.achievement_rate, missed.status) == (D("0.0"), Status.NOT_ACHIEVED)
    hit, hit_codes = _judged(0, {2023: 0}, indicator="待機児童数")
    assert (hit.achievement_rate, hit.status) == (D("100.0"), Status.ACHIEVED)
    assert "rate-undefined" not in codes + hit_codes


@pytest.mark.parametrize(
    ("target", "actual", "status"),
    [
        (50, -10, Status.ACHIEVED),  # net inflow: t/a would say −500 %
        (0, -10, Status.ACHIEVED),  # t/a would say 0 % while achieved
        (-10, 5, Status.NOT_ACHIEVED),
        (-10, -20, Status.ACHIEVED),
    ],
)
def test_decrease_with_a_negative_actual_or_target_has_no_rate_and_a_flag(target, actual, status):
    result, _codes = _judged(target, {2023: actual}, indicator="転出超過数")
    assert result.direction.value is DEC
    assert (result.achievement_rate, result.status) == (None, status)
    flag = next(f for f in result.flags if f.code == "rate-undefined")
    assert "負" in flag.message_ja and "negative" in flag.message_en


def test_no_flag_without_an_actual():
    result, codes = _judged(0, {2023: None})
    assert result.status is Status.NO_DATA and "rate-undefined" not in codes


# --- numbers against weak wording (direction-doubtful) ----------------------------------------


def test_baseline_and_early_actuals_beyond_the_target_lower_a_medium_confidence():
    # 観光入込客数 is increase with medium confidence ('数'); a target below the baseline and
    # every actual before FY2023 says the planner wanted less
    result, _codes = _judged(400, {2021: 480, 2022: 450, 2023: 380}, "観光入込客数", (500, 2019))
    assert result.direction.value is INC  # never flipped
    assert result.direction.confidence.value == "low"
    assert "要確認" in result.direction.reason_ja and "confirm" in result.direction.reason_en
    flag = next(f for f in result.flags if f.code == "direction-doubtful")
    assert "基準値" in flag.message_ja and "低いほど良い" in flag.message_ja
    assert "lower is better" in flag.message_en


def test_values_falling_steadily_toward_a_lower_target_are_doubted():
    result, codes = _judged(700, {2021: 900, 2022: 850, 2023: 800}, "観光入込客数")
    assert result.direction.confidence.value == "low"
    assert "direction-doubtful" in codes
    flag = next(f for f in result.flags if f.code == "direction-doubtful")
    assert "減り続けて" in flag.message_ja


@pytest.mark.parametrize(
    "actuals",
    [
        {2022: 33633, 2023: 35245},  # above the target, rising: an exceeded target
        {2022: 5994616, 2023: 5516080},  # two values are no trend
        {2021: 900, 2022: 950, 2023: 800},  # not steady
        {2021: 500, 2022: 450, 2023: 400},  # falling, but from below the target
    ],
)
def test_no_doubt_without_a_baseline_or_a_steady_trend(actuals):
    result, codes = _judged(600 if 500 in actuals.values() else 300, actuals, "観光入込客数")
    assert "direction-doubtful" not in codes
    assert result.direction.confidence.value == "medium"


def test_high_confidence_words_keep_their_confidence_and_get_the_flag():
    result, codes = _judged(700, {2021: 900, 2022: 850, 2023: 800}, "移住者数")
    assert (result.direction.value, result.direction.confidence.value) == (INC, "high")
    assert "direction-doubtful" in codes


def test_a_decrease_kpi_rising_toward_a_higher_target_is_doubted_the_other_way():
    result, _codes = _judged(10, {2021: 2, 2022: 4, 2023: 6}, "待機児童数")
    assert (result.direction.value, result.direction.confidence.value) == (DEC, "high")
    flag = next(f for f in result.flags if f.code == "direction-doubtful")
    assert "高いほど良い" in flag.message_ja and "higher is better" in flag.message_en


def test_an_explicit_direction_is_never_doubted():
    kpi = make_kpi(700, {2021: 900, 2022: 850, 2023: 800}, indicator="観光入込客数", direction=INC)
    result = evaluate_kpi(kpi, 2023)
    assert result.direction.overridden
    assert "direction-doubtful" not in [f.code for f in result.flags]
