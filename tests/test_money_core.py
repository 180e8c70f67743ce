"""The cost per unit of a KPI (issue 10, item 6): core/money.py."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpiledger.core.era import YearMonth
from kpiledger.core.evaluate import evaluate_kpi
from kpiledger.core.model import Actual, Aggregation, Baseline, Kpi
from kpiledger.core.money import cost_per_unit, count_unit, spent_in_yen, year_count

R5 = 2023


def judged(
    indicator: str,
    unit: str,
    actuals: dict[int, Decimal | None],
    target: str = "100",
    **fields: object,
):  # type: ignore[no-untyped-def]
    kpi = Kpi(
        indicator,
        unit,
        Decimal(target),
        YearMonth(2024, 3),
        {y: Actual(v, None if v is not None else "-") for y, v in actuals.items()},
        **fields,  # type: ignore[arg-type]
    )
    return evaluate_kpi(kpi, R5)


def test_a_count_of_people_divides_the_money_by_the_years_actual():
    result = judged("本事業による雇用創出数", "人", {2022: Decimal(25), 2023: Decimal(22)})
    cost = cost_per_unit(Decimal(8412000), result)
    assert cost is not None
    assert (cost.amount, cost.per, cost.count, cost.fiscal_year) == (
        Decimal(382364),
        "人",
        Decimal(22),
        R5,
    )
    assert cost.text == "382,364円/人"
    assert cost.reason_ja == "実績額 8,412,000円 ÷ R5年度の実績値（22人）"
    assert cost.reason_en == "amount spent 8,412,000円 ÷ the actual of R5年度 (22人)"


@pytest.mark.parametrize(
    ("unit", "per"),
    [
        ("件", "件"),
        ("社", "社"),
        ("回", "回"),
        ("人泊", "人泊"),
        ("団体", "団体"),
        ("校", "校"),
        ("件/年", "件"),
        ("学校数", "学校"),
        ("社・団体", "社・団体"),
        ("システム数", "システム"),
        ("人／年", "人"),
    ],
)
def test_count_units_are_counters(unit, per):
    assert count_unit(unit) == (per, Decimal(1))


def test_a_scaled_count_divides_by_the_whole_number():
    assert count_unit("千人") == ("人", Decimal(1000))
    result = judged("観光入込客数", "千人", {2023: Decimal("2.5")})
    cost = cost_per_unit(Decimal(5000000), result)
    assert cost is not None
    assert (cost.amount, cost.per, cost.count) == (Decimal(2000), "人", Decimal(2500))


@pytest.mark.parametrize(
    ("indicator", "unit"),
    [
        ("施設予約システム利用率", "%"),
        ("欧米豪の訪日外国人旅行消費額", "円/人"),
        ("特産品販売の売上額", "円"),
        ("全国学力・学習状況調査の平均正答率の状況", "ポイント"),
        ("満足度", "点"),
        ("面積", "ha"),
    ],
)
def test_no_cost_per_unit_for_rates_amounts_and_levels(indicator, unit):
    result = judged(indicator, unit, {2023: Decimal(50)})
    assert count_unit(unit) is None
    assert cost_per_unit(Decimal(1000000), result) is None


def test_no_cost_per_unit_for_a_level_even_with_a_count_unit():
    result = judged("一人当たりの相談件数", "件", {2023: Decimal(3)})
    assert result.aggregation.value is Aggregation.LEVEL
    assert cost_per_unit(Decimal(900), result) is None


def test_no_cost_per_unit_for_a_count_of_bad_things():
    result = judged("空き家数", "件", {2023: Decimal(40)}, target="30")
    assert cost_per_unit(Decimal(1000000), result) is None


def test_a_cumulative_count_uses_the_years_increase():
    result = judged(
        "移住者数（累計）", "人", {2021: Decimal(10), 2022: Decimal(30), 2023: Decimal(55)}
    )
    assert result.aggregation.value is Aggregation.CUMULATIVE
    assert year_count(result, R5) == Decimal(25)
    cost = cost_per_unit(Decimal(1000000), result)
    assert cost is not None
    assert (cost.amount, cost.count) == (Decimal(40000), Decimal(25))
    assert cost.reason_ja == "実績額 1,000,000円 ÷ R5年度の増加分（25人）"
    assert cost.reason_en == "amount spent 1,000,000円 ÷ the increase in R5年度 (25人)"


def test_a_cumulative_count_published_as_increments_uses_the_years_value():
    result = judged(
        "移住者数（累計）",
        "人",
        {2022: Decimal(30), 2023: Decimal(20)},
        actuals_are_increments=True,
    )
    cost = cost_per_unit(Decimal(1000000), result)
    assert cost is not None
    assert (cost.amount, cost.count) == (Decimal(50000), Decimal(20))


def test_a_cumulative_count_starts_from_last_years_baseline():
    result = judged(
        "移住者数（累計）", "人", {2023: Decimal(12)}, baseline=Baseline(Decimal(2), 2022)
    )
    cost = cost_per_unit(Decimal(1000), result)
    assert cost is not None and cost.amount == Decimal(100)


def test_a_cumulative_count_without_last_year_has_no_increase():
    result = judged("移住者数（累計）", "人", {2021: Decimal(10), 2022: None, 2023: Decimal(55)})
    assert cost_per_unit(Decimal(1000000), result) is None
    lone = judged("データを相互運用するシステム累計数", "システム数", {2023: Decimal(1)})
    assert cost_per_unit(Decimal(1000000), lone) is None


@pytest.mark.parametrize("actual", [Decimal(0), Decimal(-3), None])
def test_no_cost_per_unit_without_a_positive_actual(actual):
    result = judged("参加者数", "人", {2022: Decimal(5), 2023: actual})
    assert cost_per_unit(Decimal(1000000), result) is None


def test_a_cumulative_count_that_fell_has_no_cost():
    result = judged("移住者数（累計）", "人", {2022: Decimal(30), 2023: Decimal(28)})
    assert cost_per_unit(Decimal(1000000), result) is None


def test_no_cost_per_unit_without_money():
    result = judged("参加者数", "人", {2023: Decimal(10)})
    assert cost_per_unit(None, result) is None
    assert cost_per_unit(Decimal(-5), result) is None
    assert cost_per_unit(Decimal(1000), result, spent_unit="ドル") is None


def test_money_in_thousands_of_yen_is_multiplied_out():
    assert spent_in_yen(Decimal(12345), "千円") == Decimal(12345000)
    result = judged("参加者数", "人", {2023: Decimal(7)})
    cost = cost_per_unit(Decimal(12345), result, spent_unit="千円")
    assert cost is not None
    assert (cost.amount, cost.spent_yen) == (Decimal(1763571), Decimal(12345000))
    assert cost.reason_ja == "実績額 12,345,000円 ÷ R5年度の実績値（7人）"


def test_rounding_is_half_up_to_the_yen():
    result = judged("参加者数", "人", {2023: Decimal(2)})
    assert cost_per_unit(Decimal(5), result).amount == Decimal(3)  # type: ignore[union-attr]
    assert cost_per_unit(Decimal(7), result).amount == Decimal(4)  # type: ignore[union-attr]
    four = judged("参加者数", "人", {2023: Decimal(8)})
    assert cost_per_unit(Decimal(10), four).amount == Decimal(1)  # type: ignore[union-attr]
    assert cost_per_unit(Decimal(12), four).amount == Decimal(2)  # type: ignore[union-attr]


def test_the_year_of_the_money_is_used_not_the_judged_year():
    """A KPI due later is judged on its latest value; the money is the report year's."""
    kpi = Kpi("参加者数", "人", Decimal(100), YearMonth(2027, 3),
              {2022: Actual(Decimal(40)), 2023: Actual(None, "-")})  # fmt: skip
    result = evaluate_kpi(kpi, R5)
    assert result.judged_year == 2022
    assert cost_per_unit(Decimal(1000), result, fiscal_year=R5) is None
    cost = cost_per_unit(Decimal(1000), result, fiscal_year=2022)
    assert cost is not None and cost.amount == Decimal(25)


@given(
    spent=st.integers(min_value=0, max_value=10**11),
    count=st.integers(min_value=1, max_value=10**7),
)
def test_the_cost_is_the_exact_quotient_rounded_half_up(spent, count):
    result = judged("参加者数", "人", {2023: Decimal(count)})
    cost = cost_per_unit(Decimal(spent), result)
    assert cost is not None
    low = cost.amount - Decimal("0.5")
    assert low * count <= spent < (cost.amount + Decimal("0.5")) * count
    expected = (Decimal(spent) / Decimal(count)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    assert cost.amount == expected
