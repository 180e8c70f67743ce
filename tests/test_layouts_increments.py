"""Yearly increments (増加分), the 地域再生計画's KPI form: `事業開始前（現時点） |
目標値（KPI増加分の累計） | R3年度増加分（1年目） | …`, on
tests/data/layouts/31_increment_columns.txt and small tables written inline (survey s02, s16).

Every expected value was worked out BY HAND from the file, EVALUATION.md and docs/evaluation.md
("Increments (増加分)"): each year column holds that year's increase and the target is their
sum, so every KPI is cumulative with `actuals_are_increments`: the actual judged is the sum of
the years up to the judged year. The 事業開始前 value is the starting level, kept in the note
(not a baseline). 目標年月 R6.3 → FY2023 (due), R7.3 → FY2024 (not due; judged in the latest
year with a value). Rate Σ/t × 100, one decimal, ROUND_HALF_UP.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.excel_files import sheet_of_text, xlsx
from tests.test_text_reader_layouts import (
    KYOTEN,
    LAYOUTS,
    MARCH_2024,
    TARGET,
    M,
    V,
    check_kpi,
    check_result,
    flag_codes,
    load,
    only_problem,
    results_of,
)

from kpiledger.core.era import YearMonth
from kpiledger.core.errors import ReportError
from kpiledger.core.evaluate import Status, evaluate_report
from kpiledger.core.model import Aggregation
from kpiledger.core.progress import Progress
from kpiledger.io.readers import read_report_bytes
from kpiledger.io.readers.text import parse
from kpiledger.io.writers.json import dumps

FILE = "31_increment_columns.txt"
START = "事業開始前（現時点）："


def test_file_projects_years_and_notes() -> None:
    report = load(FILE)
    assert report.title == "令和5年度 地方創生拠点整備交付金事業 効果検証（北沢町）"
    assert report.fiscal_year == 2023
    assert report.year_columns == [2021, 2022, 2023]
    assert [(p.name, p.section, p.grant) for p in report.projects] == [
        ("北沢町地域交流センター整備事業", TARGET, KYOTEN),
        ("北沢町サテライトオフィス整備事業", TARGET, KYOTEN),
        ("北沢町農産物直売所整備事業", TARGET, KYOTEN),
    ]
    assert report.notes == [
        "※ 地域再生計画に記載したKPI。各年度の欄はその年度の増加分、目標値は事業開始からの"
        "KPI増加分の累計。"
    ]


# (indicator, unit, target, date, actuals, note, rate, status, judged year, progress, flags)
FILE_KPIS = [
    # 3,800 + 4,100 + 4,300 = 12,200 against 12,000 → 101.67 → 101.7
    ("地域交流センター利用者数", "人", "12000", MARCH_2024,
     {2021: V("3800"), 2022: V("4100"), 2023: V("4300")}, START + "0", "101.7", Status.ACHIEVED,
     2023, None, []),
    # 0.5 + 0.8 + 0.4 = 1.7 points against 2 → 85.0 (the level 10 % is the note, not a baseline:
    # (1.7 − 10)/(2 − 10) would mean nothing)
    ("休日滞在人口率", "%", "2", MARCH_2024, {2021: V("0.5"), 2022: V("0.8"), 2023: V("0.4")},
     START + "10", "85.0", Status.NEARLY_ACHIEVED, 2023, None, []),
    # 2 + 1 + 2 = 5 against 6 → 83.33 → 83.3
    ("サテライトオフィス入居企業数", "社", "6", MARCH_2024,
     {2021: V("2"), 2022: V("1"), 2023: V("2")}, START + "0", "83.3", Status.NEARLY_ACHIEVED,
     2023, None, []),
    # R7.3 not due; R5 `-`: judged FY2022, 8 + 9 = 17 against 30 → 56.67 → 56.7;
    # running totals 8 → 17: CAGR 112.5 % vs (30/8)^(1/3) − 1 = 55.4 %: on track
    ("入居企業による新規雇用者数", "人", "30", YearMonth(2025, 3),
     {2021: V("8"), 2022: V("9"), 2023: M("-")}, START + "0", "56.7", Status.NOT_DUE, 2022,
     Progress.ON_TRACK, ["missing-years"]),
    # 8,000 + 9,500 + 10,200 = 27,700 against 30,000 → 92.33 → 92.3 (started at 45,000)
    ("直売所の売上額", "千円", "30000", MARCH_2024,
     {2021: V("8000"), 2022: V("9500"), 2023: V("10200")}, START + "45,000", "92.3",
     Status.NEARLY_ACHIEVED, 2023, None, []),
]  # fmt: skip


@pytest.mark.parametrize(
    ("indicator", "unit", "target", "date", "actuals", "note", "rate", "status", "judged",
     "progress", "flags"),
    FILE_KPIS,
    ids=[row[0] for row in FILE_KPIS],
)  # fmt: skip
def test_file_kpis_value_by_value(
    indicator: str,
    unit: str,
    target: str,
    date: YearMonth,
    actuals: dict,  # type: ignore[type-arg]
    note: str,
    rate: str,
    status: Status,
    judged: int,
    progress: Progress | None,
    flags: list[str],
) -> None:
    result = results_of(load(FILE))[indicator]
    check_kpi(
        result.kpi,
        unit=unit,
        target=target,
        actuals=actuals,
        date=date,
        fiscal_year=date.fiscal_year,
        baseline=None,
        note=note,
    )
    assert result.kpi.aggregation_override is Aggregation.CUMULATIVE
    assert result.kpi.actuals_are_increments is True
    assert result.aggregation.value is Aggregation.CUMULATIVE
    assert "明示的な指定" in result.aggregation.reason_ja
    assert result.direction.value.value == "increase"
    check_result(result, rate, status, progress=progress, judged_year=judged)
    assert flag_codes(result) == flags


def test_file_effects() -> None:
    projects = evaluate_report(load(FILE)).projects
    assert [p.effect_suggestion for p in projects] == [
        "地方創生に相当程度効果があった",  # achieved, nearly achieved
        "地方創生に効果があった",  # nearly achieved, not due (better than its first value)
        "地方創生に相当程度効果があった",
    ]


def test_the_file_as_a_workbook_judges_alike() -> None:
    """The same table in an .xlsx (one cell per cell) reads and judges to the same JSON."""
    text = (LAYOUTS / FILE).read_text(encoding="utf-8")
    workbook = xlsx([sheet_of_text("Sheet1", text)])
    from_workbook = evaluate_report(read_report_bytes(workbook, "report.xlsx"))
    assert dumps(from_workbook) == dumps(evaluate_report(load(FILE)))


# --- 2. headings, inline -----------------------------------------------------------------------

TITLE = "令和5年度 試験町 効果検証\n"
HEAD = ["事業名", "指標", "単位", "事業開始前（現時点）"]
ROW = ["試験町交流センター整備事業", "交流センター利用者数", "人", "100"]


def table(headings: list[str], *cells: str, head: list[str] = HEAD, row: list[str] = ROW) -> str:
    return TITLE + "\t".join([*head, *headings]) + "\n" + "\t".join([*row, *cells]) + "\n"


def kpi_of(text: str):  # type: ignore[no-untyped-def]
    (kpi,) = parse(text).kpis
    return kpi


@pytest.mark.parametrize(
    "headings",
    [
        ["目標値（KPI増加分の累計）", "R4年度増加分（1年目）", "R5年度増加分（2年目）"],
        ["KPI増加分の累計（目標値）", "令和4年度増加分", "令和5年度増加分"],
        ["目標値(増加分の累計)", "増加分（R4年度）", "2023年度増加分"],
        ["増加分の累計目標", "R4年度増加分", "5年度増加分"],
    ],
)
def test_heading_forms(headings: list[str]) -> None:
    target, *years = headings
    kpi = kpi_of(table([target, "目標年月", *years], "500", "R6.3", "200", "250"))
    assert (kpi.target, kpi.actuals) == (Decimal("500"), {2022: V("200"), 2023: V("250")})
    assert (kpi.aggregation_override, kpi.actuals_are_increments) == (
        Aggregation.CUMULATIVE,
        True,
    )
    assert (kpi.baseline, kpi.note) == (None, "事業開始前（現時点）：100")


def test_bare_total_under_a_target_group_heading_is_the_target() -> None:
    text = (
        TITLE + "事業名\t指標\t単位\t目標値\t目標年月\tR4年度増加分\tR5年度増加分\n"
        "\t\t\tKPI増加分の累計\t\t\t\n"
        "試験町交流センター整備事業\t交流センター利用者数\t人\t500\tR6.3\t200\t250\n"
    )
    kpi = kpi_of(text)
    assert (kpi.target, kpi.actuals_are_increments) == (Decimal("500"), True)


def test_published_running_total_under_an_actual_heading_is_not_read() -> None:
    text = (
        TITLE + "事業名\t指標\t単位\t目標値（KPI増加分の累計）\t目標年月\t実績値\t\t\n"
        "\t\t\t\t\tR4年度増加分\tR5年度増加分\tKPI増加分の累計\n"
        "試験町交流センター整備事業\t交流センター利用者数\t人\t500\tR6.3\t200\t250\t450\n"
    )
    result = results_of(parse(text))["交流センター利用者数"]
    assert result.kpi.actuals == {2022: V("200"), 2023: V("250")}
    assert (result.achievement_rate, result.status) == (Decimal("90.0"), Status.NEARLY_ACHIEVED)


def test_aggregation_word_for_increments_is_accepted() -> None:
    kpi = kpi_of(
        table(["目標値（KPI増加分の累計）", "目標年月", "集計", "R4年度増加分", "R5年度増加分"],
              "500", "R6.3", "累計（単年度値）", "200", "250")
    )  # fmt: skip
    assert kpi.actuals_are_increments is True


def test_period_words_in_the_cells_give_way_to_the_headings() -> None:
    """`年間 200 人` in an increment column: the headings say increments; an unreadable 集計
    word is `bad-aggregation` alone."""
    headings = ["目標値（KPI増加分の累計）", "目標年月", "R4年度増加分", "R5年度増加分"]
    kpi = kpi_of(table(headings, "500", "R6.3", "年間 200 人", "年間 250 人"))
    assert (kpi.aggregation_override, kpi.actuals_are_increments) == (
        Aggregation.CUMULATIVE,
        True,
    )
    headings = ["目標値（KPI増加分の累計）", "目標年月", "集計", "R4年度増加分", "R5年度増加分"]
    problem = only_problem(table(headings, "500", "R6.3", "たぶん累計", "200", "250"))
    assert (problem.code, problem.line, problem.column) == ("bad-aggregation", 3, 7)


def test_forecast_increment_column_is_not_read() -> None:
    kpi = kpi_of(
        table(["目標値（KPI増加分の累計）", "目標年月", "R4年度増加分", "R5年度増加分",
               "R6年度増加分（見込）"], "500", "R6.3", "200", "250", "100")
    )  # fmt: skip
    assert kpi.actuals == {2022: V("200"), 2023: V("250")}
    assert [f.code for f in kpi.reader_flags] == ["forecast-not-read"]


def test_indicator_saying_increments_read_by_its_aggregation_word() -> None:
    """Plain year columns, `…（KPI増加分の累計）` in the indicator: the 集計 word decides —
    累計（単年度値） sums the increments, 累計 takes running totals."""
    head = ["事業名", "指標", "単位", "指標値", "年月", "集計"]
    text = (
        TITLE + "\t".join([*head, "R4年度", "R5年度"]) + "\n"
        "試験町交流センター整備事業\t利用者数（KPI増加分の累計）\t人\t500\tR6.3\t累計（単年度値）"
        "\t200\t250\n"
        "\tイベント数（KPI増加分の累計）\t回\t50\tR6.3\t累計\t20\t45\n"
    )
    results = results_of(parse(text))
    assert results["利用者数（KPI増加分の累計）"].achievement_rate == Decimal("90.0")  # 450/500
    assert results["イベント数（KPI増加分の累計）"].achievement_rate == Decimal("90.0")  # 45/50


# --- 3. refused, never guessed -----------------------------------------------------------------


def test_increments_beside_a_plain_target_are_refused() -> None:
    problem = only_problem(
        table(["目標値", "目標年月", "R4年度増加分（1年目）", "R5年度増加分（2年目）"],
              "500", "R6.3", "200", "250")
    )  # fmt: skip
    assert (problem.code, problem.line, problem.column, problem.field) == (
        "ambiguous-increments",
        2,
        5,
        "目標値",
    )
    assert problem.message_ja == (
        "見出し「目標値」：実績の列は各年度の増加分ですが、目標値が増加分の累計か到達する水準か"
        "分かりません（増加分の累計なら見出しを「目標値（KPI増加分の累計）」としてください）"
    )
    assert problem.message_en == (
        "the header '目標値': the actual columns are yearly increments, but the target may be"
        " their sum or a level to reach (write 目標値（KPI増加分の累計） for the sum)"
    )


def test_a_target_summing_increments_beside_plain_years_is_refused() -> None:
    problem = only_problem(
        table(
            ["目標値（KPI増加分の累計）", "目標年月", "R4年度", "R5年度"],
            "500",
            "R6.3",
            "200",
            "250",
        )
    )
    assert (problem.code, problem.line, problem.column, problem.field) == (
        "ambiguous-increments",
        2,
        5,
        "目標値（KPI増加分の累計）",
    )
    assert problem.message_ja == (
        "見出し「目標値（KPI増加分の累計）」：目標値は増加分の累計ですが、実績の列が各年度の増加分か"
        "累計か分かりません（増加分なら見出しを「R5年度増加分」のように書いてください）"
    )
    assert problem.message_en == (
        "the header '目標値（KPI増加分の累計）': the target is a sum of increments, but the actual"
        " columns may be increments or running totals (write R5年度増加分 for increments)"
    )


def test_year_columns_of_both_kinds_are_refused() -> None:
    problem = only_problem(
        table(["目標値（KPI増加分の累計）", "目標年月", "R4年度増加分", "R5年度"],
              "500", "R6.3", "200", "250")
    )  # fmt: skip
    assert (problem.code, problem.line, problem.column, problem.field) == (
        "ambiguous-increments",
        2,
        8,
        "R5年度",
    )
    assert problem.message_ja == (
        "見出し「R5年度」：ほかの実績の列は各年度の増加分（「R3年度増加分」など）ですが、この列は"
        "増加分か累計か分かりません。どの年度の列も「R5年度増加分」のように書いてください"
    )
    assert problem.message_en == (
        "the header 'R5年度': the other actual columns are yearly increments (R3年度増加分 …),"
        " but this one may be a running total: write every year as R5年度増加分"
    )


def test_a_bare_total_heading_is_ambiguous() -> None:
    with pytest.raises(ReportError) as raised:
        parse(table(["KPI増加分の累計", "目標年月", "R4年度増加分", "R5年度増加分"],
                    "500", "R6.3", "200", "250"))  # fmt: skip
    first = raised.value.problems[0]
    assert (first.code, first.line, first.column, first.field) == (
        "ambiguous-column",
        2,
        5,
        "KPI増加分の累計",
    )
    assert first.message_ja == (
        "見出し「KPI増加分の累計」が目標値か実績の累計か決められません（目標値なら「目標値（KPI"
        "増加分の累計）」と書いてください）"
    )
    assert first.message_en == (
        "the header 'KPI増加分の累計' could be the target or the actuals' running total (write"
        " 目標値（KPI増加分の累計） for the target)"
    )
    assert [p.code for p in raised.value.problems] == ["ambiguous-column", "missing-column"]


def test_an_aggregation_word_against_increments_is_refused() -> None:
    problem = only_problem(
        table(["目標値（KPI増加分の累計）", "目標年月", "集計", "R4年度増加分", "R5年度増加分"],
              "500", "R6.3", "年間", "200", "250")
    )  # fmt: skip
    assert (problem.code, problem.line, problem.column, problem.field) == (
        "ambiguous-increments",
        3,
        7,
        "集計",
    )
    assert problem.message_ja == (
        "実績の列は各年度の増加分で目標値はその累計ですが、集計の列は「年間」です（増加分なら"
        "「累計（単年度値）」と書くか、空欄にしてください）"
    )
    assert problem.message_en == (
        "the actual columns are yearly increments and the target their sum, but the 集計 cell"
        " says '年間' (write 累計（単年度値） or leave it blank)"
    )


def test_an_indicator_saying_increments_over_plain_years_is_refused() -> None:
    """Survey s16: the note says the actuals are increments, which is not read; the last
    value would otherwise be judged as the running total."""
    head = ["事業名", "指標", "単位", "指標値", "年月", "R4年度", "R5年度"]
    row = ["試験町交流センター整備事業", "利用者数（KPI増加分の累計）", "人", "500", "R6.3"]
    problem = only_problem(table([], "200", "250", head=head, row=row))
    assert (problem.code, problem.line, problem.column, problem.field) == (
        "ambiguous-increments",
        3,
        2,
        "指標",
    )
    assert problem.message_ja == (
        "指標は「増加分の累計」ですが、実績の列が各年度の増加分か累計か分かりません（見出しを"
        "「R5年度増加分」とするか、集計の列に「累計（単年度値）」または「累計」と書いてください）"
    )
    assert problem.message_en == (
        "the indicator is a sum of increments (増加分の累計), but the actual columns may be"
        " increments or running totals (head them R5年度増加分, or write 累計（単年度値） or 累計"
        " in a 集計 column)"
    )
