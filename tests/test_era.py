"""Tests for 和暦 dates and 年度 labels (kpiledger.core.era)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpiledger.core.era import (
    ERAS,
    YearMonth,
    era_of_fiscal_year,
    fiscal_year_following,
    fiscal_year_label,
    fiscal_year_of,
    fiscal_year_range,
    format_long,
    format_short,
    parse_eraless_fiscal_year,
    parse_fiscal_year,
    parse_year_month,
    to_wareki,
)
from kpiledger.core.errors import EraError, KpiledgerError


@pytest.mark.parametrize(
    ("text", "year", "month"),
    [
        ("R6.3", 2024, 3),
        ("H28.3", 2016, 3),
        ("R6.3.31", 2024, 3),
        ("R6/3", 2024, 3),
        ("R6-3", 2024, 3),
        ("R 6.3", 2024, 3),
        ("  R6.3  ", 2024, 3),
        ("\u3000R6.3\u3000", 2024, 3),
        ("r6.3", 2024, 3),
        ("h28.3", 2016, 3),
        ("Ｒ６．３", 2024, 3),
        ("ｒ６．３", 2024, 3),
        ("S64.1", 1989, 1),
        ("T15.12", 1926, 12),
        ("令和6年3月", 2024, 3),
        ("令和６年３月末", 2024, 3),
        ("令和6年3月末", 2024, 3),
        ("令和元年5月", 2019, 5),
        ("令和6年3月31日", 2024, 3),
        ("令和 6 年 3 月", 2024, 3),
        ("R6年3月", 2024, 3),
        ("平成31年4月", 2019, 4),
        ("平成32年3月", 2020, 3),
        ("平成元年1月", 1989, 1),
        ("平成元年1月8日", 1989, 1),
        ("昭和元年12月", 1926, 12),
        ("昭和64年1月", 1989, 1),
        ("㍻31年4月", 2019, 4),
        ("2024年3月", 2024, 3),
        ("2024年3月末", 2024, 3),
        ("2024年3月31日", 2024, 3),
        ("2024/3", 2024, 3),
        ("2024-03", 2024, 3),
        ("2024.3", 2024, 3),
        ("2024/03/31", 2024, 3),
        ("２０２４／３", 2024, 3),
        ("２０２４年３月", 2024, 3),
        # the end of a fiscal year: March of the following calendar year
        ("R6年度末", 2025, 3),
        ("令和6年度末", 2025, 3),
        ("令和6年度", 2025, 3),
        ("令和６年度末", 2025, 3),
        ("2024年度末", 2025, 3),
        ("2024年度", 2025, 3),
        ("令和元年度末", 2020, 3),
        ("H30年度末", 2019, 3),
        # the ends of the plausible range 1926–2200
        ("T15.1", 1926, 1),
        ("1926/1", 1926, 1),
        ("2200/12", 2200, 12),
        ("R182.12", 2200, 12),
    ],
)
def test_parse_year_month_forms(text: str, year: int, month: int) -> None:
    assert parse_year_month(text) == YearMonth(year, month)


def test_r6_3_is_march_2024_in_fiscal_year_2023() -> None:
    ym = parse_year_month("R6.3")
    assert ym == YearMonth(2024, 3)
    assert ym.iso() == "2024-03"
    assert ym.fiscal_year == 2023
    assert fiscal_year_of(ym) == 2023


def test_r5_4_is_in_fiscal_year_2023() -> None:
    assert fiscal_year_of(parse_year_month("R5.4")) == 2023


def test_reiwa_boundary() -> None:
    assert parse_year_month("令和元年5月") == YearMonth(2019, 5)
    assert parse_year_month("平成31年4月") == YearMonth(2019, 4)
    assert parse_year_month("平成32年3月") == YearMonth(2020, 3)
    assert parse_year_month("平成31年5月") == YearMonth(2019, 5)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("令和元年4月", "era-out-of-range"),
        ("R1.4", "era-out-of-range"),
        ("R1.4.30", "era-out-of-range"),
        ("R0.5", "era-out-of-range"),
        ("平成元年1月7日", "era-out-of-range"),
        ("H1.1.7", "era-out-of-range"),
        ("昭和元年11月", "era-out-of-range"),
        ("X6.3", "unknown-era"),
        ("令和", "unknown-era"),
        ("R6", "unknown-era"),
        ("abc", "unknown-era"),
        ("", "unknown-era"),
        ("   ", "unknown-era"),
        ("2024", "unknown-era"),
        ("202403", "unknown-era"),
        ("2024/3-31", "unknown-era"),
        ("R6.3.31.1", "unknown-era"),
        ("令和６年", "unknown-era"),
        ("M45.7", "unknown-era"),
        ("R٦.٣", "unknown-era"),
        ("R6.13", "bad-date"),
        ("R6.0", "bad-date"),
        ("2024/13", "bad-date"),
        ("2024年0月", "bad-date"),
        ("R6.2.30", "bad-date"),
        ("2023/2/29", "bad-date"),
        ("0000/3", "bad-date"),
        # a year outside the plausible range 1926–2200
        ("1900/3", "bad-date"),
        ("1925年12月", "bad-date"),
        ("T14.3", "bad-date"),
        ("2201/1", "bad-date"),
        ("9999/12", "bad-date"),
        ("R999.3", "bad-date"),
        ("H999.3", "bad-date"),
        ("2200年度末", "bad-date"),  # 2201-03
        ("R0年度末", "era-out-of-range"),
        ("R6年度実績", "unknown-era"),  # a column label, not a date
    ],
)
def test_parse_year_month_errors(text: str, code: str) -> None:
    with pytest.raises(EraError) as caught:
        parse_year_month(text)
    assert caught.value.codes == [code]
    assert isinstance(caught.value, KpiledgerError)
    problem = caught.value.problems[0]
    assert text in problem.message_ja
    assert text in problem.message_en


@pytest.mark.parametrize("text", ["1900/3", "R999.3", "2201/1", "T14.3"])
def test_implausible_year_message(text: str) -> None:
    with pytest.raises(EraError) as caught:
        parse_year_month(text)
    problem = caught.value.problems[0]
    assert "plausible range" in problem.message_en and "1926" in problem.message_en
    assert "範囲" in problem.message_ja and text in problem.message_ja


def test_leap_day_is_valid() -> None:
    assert parse_year_month("R6.2.29") == YearMonth(2024, 2)


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("R5年度", 2023),
        ("R1年度", 2019),
        ("令和元年度", 2019),
        ("令和5年度", 2023),
        ("平成31年度", 2019),
        ("H31", 2019),
        ("H27年度", 2015),
        ("H28年度", 2016),
        ("H29年度", 2017),
        ("H30年度", 2018),
        ("R2年度", 2020),
        ("R3年度", 2021),
        ("R4年度", 2022),
        ("R6年度", 2024),
        ("R7年度", 2025),
        ("2019年度", 2019),
        ("FY2019", 2019),
        ("fy2019", 2019),
        ("FY 2019", 2019),
        ("R5", 2023),
        ("r5", 2023),
        ("Ｒ５年度", 2023),
        ("令和５年度", 2023),
        ("ＦＹ２０１９", 2019),
        ("R5年度実績", 2023),
        ("R5年度実績値", 2023),
        ("R5年度末", 2023),
        (" R5年度 ", 2023),
        ("昭和63年度", 1988),
        ("平成元年度", 1989),
        ("令和５年度（実績）", 2023),
        ("R5年度(実績)", 2023),
        ("R5年度（実績値）", 2023),
        ("昭和元年度", 1926),
        ("2200年度", 2200),
    ],
)
def test_parse_fiscal_year_forms(text: str, year: int) -> None:
    assert parse_fiscal_year(text) == year


def test_heisei_31_and_reiwa_1_are_the_same_fiscal_year() -> None:
    assert parse_fiscal_year("平成31年度") == parse_fiscal_year("令和元年度") == 2019
    assert parse_fiscal_year("R1年度") == parse_fiscal_year("H31年度") == 2019


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "unknown-era"),
        ("年度", "unknown-era"),
        ("abc", "unknown-era"),
        ("X5年度", "unknown-era"),
        ("2019", "unknown-era"),
        ("R5年", "unknown-era"),
        ("R5.3", "unknown-era"),
        ("FY19", "unknown-era"),
        ("R0年度", "era-out-of-range"),
        ("1900年度", "bad-date"),
        ("FY2201", "bad-date"),
        ("R999年度", "bad-date"),
        ("T14年度", "bad-date"),
        ("R5年度見込", "unknown-era"),
        ("2年度", "unknown-era"),
    ],
)
def test_parse_fiscal_year_errors(text: str, code: str) -> None:
    with pytest.raises(EraError) as caught:
        parse_fiscal_year(text)
    assert caught.value.codes == [code]


def test_eras() -> None:
    starts = {era.name: (era.letter, era.start) for era in ERAS}
    assert starts["令和"] == ("R", (2019, 5, 1))
    assert starts["平成"] == ("H", (1989, 1, 8))
    assert starts["昭和"] == ("S", (1926, 12, 25))


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (2019, 5, ("令和", 1)),
        (2019, 4, ("平成", 31)),
        (2024, 3, ("令和", 6)),
        (1989, 1, ("昭和", 64)),
        (1989, 2, ("平成", 1)),
        (1926, 12, ("大正", 15)),
        (1927, 1, ("昭和", 2)),
    ],
)
def test_to_wareki(year: int, month: int, expected: tuple[str, int]) -> None:
    assert to_wareki(year, month) == expected


def test_format_short_and_long() -> None:
    assert format_short(YearMonth(2024, 3)) == "R6.3"
    assert format_short(YearMonth(2019, 5)) == "R1.5"
    assert format_short(YearMonth(2019, 4)) == "H31.4"
    assert format_long(YearMonth(2024, 3)) == "令和6年3月"
    assert format_long(YearMonth(2019, 5)) == "令和元年5月"
    assert format_long(YearMonth(1989, 1)) == "昭和64年1月"
    assert format_long(YearMonth(1989, 2)) == "平成元年2月"


@pytest.mark.parametrize(
    ("fy", "short", "long"),
    [
        (2015, "H27年度", "平成27年度"),
        (2018, "H30年度", "平成30年度"),
        (2019, "R1年度", "令和元年度"),
        (2023, "R5年度", "令和5年度"),
        (2025, "R7年度", "令和7年度"),
        (1989, "H1年度", "平成元年度"),
        (1988, "S63年度", "昭和63年度"),
        (1927, "S2年度", "昭和2年度"),
    ],
)
def test_fiscal_year_label(fy: int, short: str, long: str) -> None:
    assert fiscal_year_label(fy) == short
    assert fiscal_year_label(fy, "short") == short
    assert fiscal_year_label(fy, style="long") == long


def test_fiscal_year_label_programmer_errors() -> None:
    with pytest.raises(ValueError):
        fiscal_year_label(2023, "medium")
    with pytest.raises(ValueError):
        fiscal_year_label(1900)


@pytest.mark.parametrize(
    ("text", "era_year"),
    [("2年度", 2), ("元年度", 1), ("５年度実績", 5), ("30年度", 30), ("3年度（実績）", 3)],
)
def test_parse_eraless_fiscal_year(text: str, era_year: int) -> None:
    assert parse_eraless_fiscal_year(text) == era_year


@pytest.mark.parametrize("text", ["R2年度", "2023年度", "2年", "123年度", "年度", "2年度見込", ""])
def test_parse_eraless_fiscal_year_rejects_other_text(text: str) -> None:
    assert parse_eraless_fiscal_year(text) is None


@pytest.mark.parametrize(
    ("previous", "era_year", "year"),
    [
        (2019, 2, 2020),  # R1年度 | 2年度 → R2
        (2022, 5, 2023),  # R4年度 | 5年度
        (2018, 1, 2019),  # H30年度 | 元年度 → 令和元年度
        (2019, 2, 2020),  # H31年度 | 2年度 → R2
        (2019, 1, 2019),  # H31年度 | 元年度 → 令和元年度 again (a duplicate column)
        (2017, 30, 2018),  # H29年度 | 30年度 → H30
        (2023, 4, 2022),  # R5年度 | 4年度 (descending) → R4
        (1988, 1, 1989),  # S63年度 | 元年度 → 平成元年度
        (1987, 63, 1988),  # S62年度 | 63年度 → S63
    ],
)
def test_fiscal_year_following(previous: int, era_year: int, year: int) -> None:
    assert fiscal_year_following(previous, era_year) == year


def test_fiscal_year_following_errors() -> None:
    with pytest.raises(EraError) as caught:
        fiscal_year_following(2019, 0)
    assert caught.value.codes == ["era-out-of-range"]
    with pytest.raises(EraError) as caught:
        fiscal_year_following(2019, 99 * 3)
    assert caught.value.codes == ["bad-date"]


def test_era_of_fiscal_year() -> None:
    assert era_of_fiscal_year(2019).name == "令和"  # 令和元年度, as national practice names it
    assert era_of_fiscal_year(2018).name == "平成"
    assert era_of_fiscal_year(1988).name == "昭和"
    assert era_of_fiscal_year(1926).name == "大正"


@pytest.mark.parametrize(
    ("ym", "short", "long"),
    [
        (YearMonth(1926, 1), "T15.1", "大正15年1月"),
        (YearMonth(1926, 12), "T15.12", "大正15年12月"),
        (YearMonth(1927, 1), "S2.1", "昭和2年1月"),
        (YearMonth(2200, 12), "R182.12", "令和182年12月"),
    ],
)
def test_formats_at_the_ends_of_the_plausible_range(ym: YearMonth, short: str, long: str) -> None:
    assert format_short(ym) == short
    assert format_long(ym) == long
    assert parse_year_month(short) == parse_year_month(long) == ym


@pytest.mark.parametrize(("fy", "short"), [(1926, "T15年度"), (2200, "R182年度")])
def test_fiscal_year_label_at_the_ends_of_the_plausible_range(fy: int, short: str) -> None:
    assert fiscal_year_label(fy) == short
    assert parse_fiscal_year(short) == fy


def test_fiscal_year_range() -> None:
    assert fiscal_year_range(2023) == (date(2023, 4, 1), date(2024, 3, 31))
    assert fiscal_year_range(2019) == (date(2019, 4, 1), date(2020, 3, 31))


year_months = st.builds(
    YearMonth, year=st.integers(min_value=1926, max_value=2200), month=st.integers(1, 12)
)


@given(year_months)
def test_format_short_round_trips(ym: YearMonth) -> None:
    assert parse_year_month(format_short(ym)) == ym


@given(year_months)
def test_format_long_round_trips(ym: YearMonth) -> None:
    assert parse_year_month(format_long(ym)) == ym


@given(year_months)
def test_fiscal_year_of_matches_definition(ym: YearMonth) -> None:
    start, end = fiscal_year_range(fiscal_year_of(ym))
    assert start <= date(ym.year, ym.month, 1) <= end


@given(st.integers(min_value=1926, max_value=2200), st.sampled_from(["short", "long"]))
def test_fiscal_year_label_round_trips(fy: int, style: str) -> None:
    label = fiscal_year_label(fy, style)
    assert parse_fiscal_year(label) == fy
    assert parse_fiscal_year(label + "実績") == fy


@settings(deadline=None)
@given(st.text())
def test_parse_year_month_raises_only_era_error(text: str) -> None:
    try:
        ym = parse_year_month(text)
    except EraError:
        return
    assert 1 <= ym.month <= 12
    assert 1926 <= ym.year <= 2200


@settings(deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from("RHSTr令和平成元年度月日末0123456789./-１２３ 　"), max_size=12
    )
)
def test_parse_year_month_near_misses_raise_only_era_error(text: str) -> None:
    try:
        ym = parse_year_month(text)
    except EraError:
        return
    assert 1 <= ym.month <= 12
    assert 1926 <= ym.year <= 2200
    format_short(ym), format_long(ym), fiscal_year_label(ym.fiscal_year)  # never raise


@settings(deadline=None)
@given(st.text())
def test_parse_fiscal_year_raises_only_era_error(text: str) -> None:
    try:
        year = parse_fiscal_year(text)
    except EraError:
        return
    assert isinstance(year, int)


@settings(deadline=None)
@given(st.text(alphabet=st.sampled_from("RHFYfy令和平成元年度実績値末0123456789 "), max_size=12))
def test_parse_fiscal_year_near_misses_raise_only_era_error(text: str) -> None:
    try:
        year = parse_fiscal_year(text)
    except EraError:
        return
    assert 1926 <= year <= 2200
    fiscal_year_label(year)  # never raises
