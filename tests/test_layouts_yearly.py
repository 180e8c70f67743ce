"""Yearly cards: one target per fiscal year (目標値(H29) | 実績値(H29) | 目標値(H30) | …) and
累計 / 年間 written in the value cells (issue 8, item 5), on
tests/data/layouts/26_yearly_cards.txt and small tables written inline.

Every expected value was worked out BY HAND from the file and docs/evaluation.md ("Yearly
targets"): the target is the last target year written (H31 = FY2019), its date the end of that
fiscal year (2020年3月); the title's 平成31年度 is the report year (FY2019); rate a/t×100, one
decimal, ROUND_HALF_UP; achieved when a ≥ t, nearly_achieved when the rate ≥ 80.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from kpiledger.core.era import YearMonth
from kpiledger.core.errors import ReportError
from kpiledger.core.evaluate import KpiResult, Status, evaluate_report
from kpiledger.core.model import Actual, Aggregation, Direction, Section
from kpiledger.io.readers.text import parse, read

LAYOUTS = Path(__file__).resolve().parent / "data" / "layouts"


def V(text: str) -> Actual:
    return Actual(Decimal(text), None)


def results_of(report_text: str | None = None) -> dict[str, KpiResult]:
    report = read(LAYOUTS / "26_yearly_cards.txt") if report_text is None else parse(report_text)
    return {r.kpi.indicator: r for r in evaluate_report(report).kpis}


# --- 1. the file ------------------------------------------------------------------------------


def test_file_projects_and_years() -> None:
    report = read(LAYOUTS / "26_yearly_cards.txt")
    assert report.title == "平成31年度 地方創生推進交付金事業 効果検証シート（年度別目標）"
    assert report.year_columns == [2017, 2018, 2019]
    assert [(p.name, p.section, p.grant) for p in report.projects] == [
        ("サテライトオフィス誘致事業", Section.TARGET, "地方創生推進交付金"),
        ("滞在型観光推進事業", Section.TARGET, "地方創生推進交付金"),
    ]
    assert [k.indicator for k in report.projects[0].kpis] == ["進出企業数", "新規雇用者数"]
    assert [k.indicator for k in report.projects[1].kpis] == ["体験プログラム参加者数"]
    assert report.notes == ["※ 累計は平成29年度からの累計。実績値は各年度末時点。"]
    assert report.warnings == []
    assert evaluate_report(report).fiscal_year == 2019


@pytest.mark.parametrize(
    ("indicator", "unit", "target", "actuals", "aggregation", "rate", "status"),
    [
        # 累計 3/5/7 社 targets: the last (H31) is 7; H31 actual 6 → 6/7 = 85.7 %
        (
            "進出企業数",
            "社",
            "7",
            {2017: V("2"), 2018: V("5"), 2019: V("6")},
            Aggregation.CUMULATIVE,
            "85.7",
            Status.NEARLY_ACHIEVED,
        ),
        # 累計 10/20/30 人: target 30; 31 → 103.3 %, achieved
        (
            "新規雇用者数",
            "人",
            "30",
            {2017: V("8"), 2018: V("18"), 2019: V("31")},
            Aggregation.CUMULATIVE,
            "103.3",
            Status.ACHIEVED,
        ),
        # 年間 900/1,000/1,100 人: target 1100; 1,020 → 92.7 %
        (
            "体験プログラム参加者数",
            "人",
            "1100",
            {2017: V("850"), 2018: V("1040"), 2019: V("1020")},
            Aggregation.ANNUAL,
            "92.7",
            Status.NEARLY_ACHIEVED,
        ),
    ],
)
def test_file_kpis_value_by_value(
    indicator: str,
    unit: str,
    target: str,
    actuals: dict[int, Actual],
    aggregation: Aggregation,
    rate: str,
    status: Status,
) -> None:
    result = results_of()[indicator]
    kpi = result.kpi
    assert kpi.unit == unit
    assert kpi.target == Decimal(target)
    assert kpi.target_date == YearMonth(2020, 3)  # 目標値（H31）: FY2019 ends in March 2020
    assert kpi.actuals == actuals
    assert kpi.aggregation_override is aggregation
    assert kpi.actuals_are_increments is False
    assert kpi.baseline is None and kpi.published_rate is None
    assert kpi.reader_flags == []
    assert result.aggregation.value is aggregation
    assert result.direction.value is Direction.INCREASE
    assert result.judged_year == 2019
    assert result.achievement_rate == Decimal(rate)
    assert result.status is status


# --- 2. other headings and rules, inline -------------------------------------------------------

TITLE = "## 令和5年度 試験町 効果検証\n"


def table(headings: list[str], *rows: list[str]) -> str:
    lines = ["\t".join(["事業の名称", "指標", "単位", *headings])]
    lines += ["\t".join(row) for row in rows]
    return TITLE + "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "headings",
    [
        [
            *["目標値（R3年度）", "実績値（R3年度）", "目標値（R4年度）", "実績値（R4年度）"],
            *["目標値（R5年度）", "実績値（R5年度）"],
        ],
        ["R3目標", "R3実績", "R4目標", "R4実績", "R5目標", "R5実績"],
        [
            "R3年度目標値",
            "R3年度実績値",
            "R4年度目標値",
            "R4年度実績値",
            "R5年度目標値",
            "R5年度実績値",
        ],
    ],
)
def test_heading_forms(headings: list[str]) -> None:
    row = ["移住促進事業", "移住者数", "人", "年間 20 人", "年間 18 人"]
    row += ["年間 25 人", "年間 26 人", "年間 30 人", "年間 24 人"]
    result = results_of(table(headings, row))["移住者数"]
    kpi = result.kpi
    assert (kpi.unit, kpi.target, kpi.target_date) == ("人", Decimal("30"), YearMonth(2024, 3))
    assert kpi.actuals == {2021: V("18"), 2022: V("26"), 2023: V("24")}
    assert kpi.aggregation_override is Aggregation.ANNUAL
    assert result.achievement_rate == Decimal("80.0")  # 24/30
    assert result.status is Status.NEARLY_ACHIEVED


def test_last_target_written_in_the_row() -> None:
    """R5's target left blank: the KPI's target is R4's, due in March 2023."""
    headings = ["R3目標", "R3実績", "R4目標", "R4実績", "R5目標", "R5実績"]
    row = ["移住促進事業", "移住者数", "人", "10", "9", "12", "12", "", "14"]
    kpi = results_of(table(headings, row))["移住者数"].kpi
    assert (kpi.target, kpi.target_date) == (Decimal("12"), YearMonth(2023, 3))
    assert kpi.actuals == {2021: V("9"), 2022: V("12"), 2023: V("14")}
    assert kpi.aggregation_override is None


def test_no_target_written_is_missing_target() -> None:
    headings = ["R4目標", "R4実績", "R5目標", "R5実績"]
    row = ["移住促進事業", "移住者数", "人", "", "9", "-", "14"]
    with pytest.raises(ReportError) as raised:
        parse(table(headings, row))
    assert [(p.code, p.line, p.column) for p in raised.value.problems] == [("missing-target", 3, 6)]


def test_inline_unit_is_checked() -> None:
    """`累計 7 件` under 単位 社 is a unit mismatch, as for `7件`."""
    headings = ["R4目標", "R4実績", "R5目標", "R5実績"]
    row = ["企業誘致事業", "進出企業数", "社", "累計 5 社", "累計 4 件", "累計 7 社", "累計 6 社"]
    kpi = results_of(table(headings, row))["進出企業数"].kpi
    assert kpi.actuals == {2022: V("4"), 2023: V("6")}
    assert [f.code for f in kpi.reader_flags] == ["unit-mismatch"]
    assert "「件」" in kpi.reader_flags[0].message_ja


def test_aggregation_column_wins_and_mixed_words_set_nothing() -> None:
    headings = ["集計", "R4目標", "R4実績", "R5目標", "R5実績"]
    rows = [
        ["企業誘致事業", "進出企業数", "社", "年間", "累計 5", "累計 4", "累計 7", "累計 6"],
        ["", "新規雇用者数", "人", "", "年間 5", "累計 4", "年間 7", "年間 6"],
    ]
    results = results_of(table(headings, *rows))
    assert results["進出企業数"].kpi.aggregation_override is Aggregation.ANNUAL
    assert results["新規雇用者数"].kpi.aggregation_override is None


def test_date_column_is_kept_when_there_is_one() -> None:
    headings = ["年月", "R4目標", "R4実績", "R5目標", "R5実績"]
    row = ["移住促進事業", "移住者数", "人", "R7.3", "10", "9", "12", "11"]
    kpi = results_of(table(headings, row))["移住者数"].kpi
    assert (kpi.target, kpi.target_date) == (Decimal("12"), YearMonth(2025, 3))


def test_yearly_targets_beside_a_target_column_are_forecasts() -> None:
    """With a 指標値 column, 目標値（R6年度） is a plan for a later year: not read, flagged."""
    headings = ["指標値", "年月", "R4年度", "R5年度", "目標値（R6年度）"]
    row = ["移住促進事業", "移住者数", "人", "100", "R6.3", "80", "90", "95"]
    kpi = results_of(table(headings, row))["移住者数"].kpi
    assert (kpi.target, kpi.target_date) == (Decimal("100"), YearMonth(2024, 3))
    assert kpi.actuals == {2022: V("80"), 2023: V("90")}
    assert [f.code for f in kpi.reader_flags] == ["forecast-not-read"]


def test_same_target_year_twice_is_duplicate_column() -> None:
    headings = ["R5目標", "R5実績", "目標値（令和5年度）"]
    row = ["移住促進事業", "移住者数", "人", "10", "9", "12"]
    with pytest.raises(ReportError) as raised:
        parse(table(headings, row))
    (problem,) = raised.value.problems
    assert (problem.code, problem.line, problem.column) == ("duplicate-column", 2, 6)
    assert "目標値" in problem.message_ja
