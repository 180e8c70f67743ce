"""Year columns of a KPI table: which header labels are actuals of which fiscal year, which are
forecasts (not read, but recorded), and which are problems (`unknown-year-column`,
`duplicate-column`) instead of silently dropped columns.

Expected values are worked out by hand: R1年度 = FY2019, 令和元年度 = FY2019 = 平成31年度.
"""

from __future__ import annotations

import pytest
from tests.test_text_reader_layouts import (
    MARCH_2024,
    SUISHIN,
    TARGET,
    V,
    check_kpi,
    check_project,
    check_result,
    load,
    results_of,
)

from kpiledger.core.era import YearMonth
from kpiledger.core.errors import ReportError
from kpiledger.core.evaluate import Status
from kpiledger.io.readers.text import parse

# line 1 title, line 2 header, line 3 the KPI row.
# columns: 1 名称, 2 指標, 3 目標値, 4 単位, 5 年月, 6… the year labels under test
FIXED = ["事業の名称", "指標", "目標値", "単位", "年月"]


def table(labels: list[str], values: list[str] | None = None) -> str:
    """A one-table report whose year columns have the given header labels."""
    values = values if values is not None else [str(10 * (i + 1)) for i in range(len(labels))]
    header = "\t".join([*FIXED, *labels])
    row = "\t".join(["試験町移住促進事業", "移住者数", "100", "人", "R6.3", *values])
    return f"## 令和5年度 試験町の実績\n{header}\n{row}\n"


def problems_of(text: str) -> list[tuple[str, int | None, int | None]]:
    with pytest.raises(ReportError) as err:
        parse(text)
    return [(p.code, p.line, p.column) for p in err.value.problems]


def test_eraless_years_actual_suffix_forecast_and_fiscal_year_end_date() -> None:
    """H30年度 | 元年度 | 2年度 … | 令和５年度（実績） | R6年度見込: 元年度 after H30年度 is
    令和元年度 (FY2019), the era-less labels take 令和 from their left, （実績） is read, and the
    見込 column is not an actual but is recorded on the KPIs that have a value in it."""
    report = load("19_eraless_years_forecast.txt")
    assert report.fiscal_year == 2023
    assert report.year_columns == [2018, 2019, 2020, 2021, 2022, 2023]
    settle, tourism = report.projects
    check_project(settle, "東山町移住促進事業", TARGET, SUISHIN, ["移住者数", "移住相談件数"])
    check_project(tourism, "東山町観光振興事業", TARGET, SUISHIN, ["観光案内所の利用者数"])
    movers, consults = settle.kpis
    check_kpi(
        movers,
        unit="人",
        target="60",
        actuals={
            2018: V("21"),
            2019: V("25"),
            2020: V("30"),
            2021: V("38"),
            2022: V("47"),
            2023: V("55"),
        },
    )
    # 令和5年度末 = the end of FY2023 = 2024-03
    check_kpi(
        consults,
        unit="件",
        target="300",
        date=MARCH_2024,
        actuals={
            2018: V("120"),
            2019: V("150"),
            2020: V("180"),
            2021: V("240"),
            2022: V("290"),
            2023: V("310"),
        },
    )
    assert [f.code for f in movers.reader_flags] == ["forecast-not-read"]
    assert "R6年度見込" in movers.reader_flags[0].message_ja
    assert "'62'" in movers.reader_flags[0].message_en
    assert consults.reader_flags == []  # its 見込 cell is blank
    assert [f.code for f in tourism.kpis[0].reader_flags] == ["forecast-not-read"]
    results = results_of(report)
    check_result(results["移住者数"], "91.7", Status.NEARLY_ACHIEVED)  # 55/60 = 91.66…
    check_result(results["移住相談件数"], "103.3", Status.ACHIEVED)  # 310/300 = 103.33…
    check_result(results["観光案内所の利用者数"], "95.0", Status.NEARLY_ACHIEVED)  # 7,600/8,000
    assert "forecast-not-read" in [f.code for f in results["移住者数"].flags]


@pytest.mark.parametrize(
    ("labels", "years"),
    [
        (["R1年度", "2年度", "3年度", "4年度", "5年度"], [2019, 2020, 2021, 2022, 2023]),
        (["Ｒ３年度", "４年度", "５年度"], [2021, 2022, 2023]),
        (["H30年度", "元年度", "2年度"], [2018, 2019, 2020]),
        (["H30年度", "H31年度", "R2年度"], [2018, 2019, 2020]),
        (["H29年度", "30年度", "元年度"], [2017, 2018, 2019]),
        (["H31年度", "2年度", "3年度"], [2019, 2020, 2021]),
        (["2019年度", "2年度", "3年度"], [2019, 2020, 2021]),
        (["R3年度", "R4年度", "令和５年度（実績）"], [2021, 2022, 2023]),
        (["R3年度", "R4年度", "R5年度(実績)"], [2021, 2022, 2023]),
        (["R3年度", "R4年度", "R5年度実績値"], [2021, 2022, 2023]),
        (["R3年度", "R4年度", "実績（R5年度）"], [2021, 2022, 2023]),
        (["R3年度", "4年度実績", "5年度（実績）"], [2021, 2022, 2023]),
    ],
)
def test_year_column_labels(labels: list[str], years: list[int]) -> None:
    report = parse(table(labels))
    assert report.year_columns == years
    (kpi,) = report.kpis
    assert kpi.actuals == {year: V(str(10 * (i + 1))) for i, year in enumerate(years)}
    assert kpi.reader_flags == []


@pytest.mark.parametrize(
    "label", ["R6年度見込", "令和6年度計画", "R6年度目標", "R6年度（予定）", "6年度見込み"]
)
def test_forecast_column_is_not_an_actual_and_is_recorded(label: str) -> None:
    report = parse(table(["R4年度", "R5年度", label], ["80", "90", "95"]))
    assert report.year_columns == [2022, 2023]
    (kpi,) = report.kpis
    assert kpi.actuals == {2022: V("80"), 2023: V("90")}
    (flag,) = kpi.reader_flags
    assert flag.code == "forecast-not-read"
    assert label in flag.message_ja and "8列目" in flag.message_ja
    assert "line 3" in flag.message_en and "column 8" in flag.message_en


def test_forecast_sub_label_under_a_year() -> None:
    """A year over 見込 (a two-row header) is a forecast too."""
    header = "\t".join([*FIXED, "R4年度", "R5年度", "R6年度"])
    sub = "\t".join(["", "", "", "", "", "", "", "見込"])
    row = "\t".join(["試験町移住促進事業", "移住者数", "100", "人", "R6.3", "80", "90", "95"])
    report = parse(f"## 令和5年度 試験町の実績\n{header}\n{sub}\n{row}\n")
    assert report.year_columns == [2022, 2023]
    assert [f.code for f in report.kpis[0].reader_flags] == ["forecast-not-read"]


def test_year_qualifying_another_column_is_ignored() -> None:
    """事業費（R5年度） is a cost column for a year, not an actual: ignored like 事業費."""
    report = parse(table(["R4年度", "R5年度", "事業費（R5年度）"], ["80", "90", "12,000"]))
    assert report.year_columns == [2022, 2023]
    assert report.kpis[0].actuals == {2022: V("80"), 2023: V("90")}


@pytest.mark.parametrize(
    ("labels", "problems"),
    [
        # an era-less year with no year column to its left has no era to take
        (["2年度", "R3年度"], [("unknown-year-column", 2, 6)]),
        (["R4年度", "R5年"], [("unknown-year-column", 2, 7)]),
        (["R4年度", "2023"], [("unknown-year-column", 2, 7)]),
        (["R4年度", "1900年度"], [("unknown-year-column", 2, 7)]),
        (["R4年度", "R5年度分"], [("unknown-year-column", 2, 7)]),
        (["R4年度", "R5.3時点（速報）"], [("unknown-year-column", 2, 7)]),
        (["R4年度", "R5年度", "X6年度"], [("unknown-year-column", 2, 8)]),
        (
            ["2年度", "3年度"],
            [
                ("unknown-year-column", 2, 6),
                ("unknown-year-column", 2, 7),
                ("missing-column", 2, None),
            ],
        ),
    ],
)
def test_unreadable_year_label_is_a_problem(
    labels: list[str], problems: list[tuple[str, int, int | None]]
) -> None:
    assert problems_of(table(labels)) == problems


def test_unknown_year_column_problem_names_the_label() -> None:
    with pytest.raises(ReportError) as err:
        parse(table(["R4年度", "R5年"]))
    (problem,) = err.value.problems
    assert problem.field == "R5年"
    assert "R5年" in problem.message_ja and "R5年" in problem.message_en


@pytest.mark.parametrize(
    ("labels", "column"),
    [
        (["R3年度", "R4年度", "R4年度"], 8),
        (["H31年度", "令和元年度"], 7),
        (["H30年度", "H31年度", "元年度"], 8),  # 元年度 after H31年度 is 令和元年度 = FY2019 again
        (["2019年度", "R1年度"], 7),
    ],
)
def test_same_fiscal_year_twice_is_a_problem(labels: list[str], column: int) -> None:
    with pytest.raises(ReportError) as err:
        parse(table(labels))
    (problem,) = err.value.problems
    assert (problem.code, problem.line, problem.column) == ("duplicate-column", 2, column)
    assert problem.field == labels[column - 6]
    first = column - 1  # both columns are named
    assert f"{first}列目" in problem.message_ja and f"{column}列目" in problem.message_ja
    assert f"column {first}" in problem.message_en and f"column {column}" in problem.message_en


def test_duplicate_column_in_a_stacked_header_is_located_on_its_row() -> None:
    header = "\t".join([*FIXED, "実績値", "", ""])
    years = "\t".join(["", "", "", "", "", "R4年度", "R5年度", "R5年度"])
    row = "\t".join(["試験町移住促進事業", "移住者数", "100", "人", "R6.3", "80", "90", "95"])
    text = f"## 令和5年度 試験町の実績\n{header}\n{years}\n{row}\n"
    assert problems_of(text) == [("duplicate-column", 3, 8)]


def test_target_year_column_is_not_a_forecast() -> None:
    """目標年度 names the target's fiscal year (a role), although it says 目標 and 年度."""
    header = "\t".join(["事業の名称", "指標", "目標値", "単位", "目標年度", "R4年度", "R5年度"])
    row = "\t".join(["試験町移住促進事業", "移住者数", "100", "人", "R6年度", "80", "90"])
    (kpi,) = parse(f"## 令和5年度 試験町の実績\n{header}\n{row}\n").kpis
    assert kpi.target_date == YearMonth(2025, 3)
    assert kpi.reader_flags == []


@pytest.mark.parametrize("cell", ["", "-", "－", "未集計"])
def test_forecast_column_without_a_value_is_not_flagged(cell: str) -> None:
    (kpi,) = parse(table(["R4年度", "R5年度", "R6年度見込"], ["80", "90", cell])).kpis
    assert kpi.reader_flags == []
