"""Interim and final targets (中間目標値・最終目標値) in one table, on
tests/data/layouts/30_interim_final_targets.txt and small tables written inline (survey s17,
s11): the KPI's target is the final one, an interim target is never taken as the target.

Every expected value was worked out BY HAND from the file, EVALUATION.md and docs/evaluation.md
("Interim and final targets"): the title's 令和5年度 is the report year (FY2023); 目標年度 R6年度
→ target date 2025-03 (FY2024, not due), R5年度 → 2024-03 (FY2023, due); without a date column
the final target's year gives it (`目標値（R6年度）` → 2025-03). With a baseline b:
(a − b)/(t − b) × 100, else a/t × 100, one decimal, ROUND_HALF_UP. Progress (not due):
R = CAGR observed / CAGR required, from the baseline's year (or the first value) — on track
≥ 0.95, needs acceleration ≥ 0.60.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.excel_files import sheet_of_text, xlsx
from tests.test_text_reader_layouts import (
    KYOTEN,
    LAYOUTS,
    MARCH_2024,
    RELATED,
    SUISHIN,
    TARGET,
    V,
    check_kpi,
    check_result,
    flag_codes,
    load,
    only_problem,
    results_of,
)

from kpiledger.core.era import YearMonth
from kpiledger.core.errors import NumberError
from kpiledger.core.evaluate import Status, evaluate_report
from kpiledger.core.model import Aggregation, Baseline, Direction
from kpiledger.core.numbers import parse_number
from kpiledger.core.progress import Progress
from kpiledger.io.readers import read_report_bytes
from kpiledger.io.readers.text import parse
from kpiledger.io.writers.json import dumps

FILE = "30_interim_final_targets.txt"
MARCH_2025 = YearMonth(2025, 3)


def B(value: str, year: int = 2019) -> Baseline:
    return Baseline(Decimal(value), year)


# --- 1. the file ------------------------------------------------------------------------------


def test_file_projects_and_years() -> None:
    report = load(FILE)
    assert report.title == "令和5年度 第2期沢北市総合戦略 事業別KPIの進捗状況"
    assert report.fiscal_year == 2023
    assert report.year_columns == [2022, 2023]
    assert [(p.name, p.section, p.grant) for p in report.projects] == [
        ("沢北市創業支援事業", TARGET, SUISHIN),
        ("沢北市移住促進事業", TARGET, SUISHIN),
        ("沢北市観光振興事業", TARGET, SUISHIN),
        ("沢北市交流センター整備事業", RELATED, KYOTEN),
    ]
    assert [len(p.kpis) for p in report.projects] == [2, 3, 2, 2]
    assert report.notes == [
        "※ 中間目標値は第2期総合戦略の中間年（令和4年度）の目標。進捗率は基準値から最終目標値"
        "までのうち、令和5年度実績までに進んだ割合。"
    ]


# (indicator, unit, target, date, baseline, actuals, published rate, aggregation, rate,
#  status, progress)
FILE_KPIS = [
    # final 40 (not the interim 36), 目標年度 R6年度: (38−30)/(40−30) = 80.0;
    # CAGR (38/30)^(1/4) − 1 = 6.09 % vs (40/30)^(1/5) − 1 = 5.92 %: R = 1.03, on track
    ("市内新規創業件数", "件", "40", MARCH_2025, B("30"), {2022: V("33"), 2023: V("38")}, "80.0",
     Aggregation.ANNUAL, "80.0", Status.NOT_DUE, Progress.ON_TRACK),
    # (175−120)/(180−120) = 91.67 → 91.7; CAGR 9.89 % vs 8.45 %: on track
    ("創業セミナー受講者数", "人", "180", MARCH_2025, B("120"), {2022: V("160"), 2023: V("175")},
     "91.7", Aggregation.ANNUAL, "91.7", Status.NOT_DUE, Progress.ON_TRACK),
    # (104−80)/(120−80) = 60.0; CAGR 6.78 % vs 8.45 %: R = 0.80, needs acceleration
    ("移住相談件数", "件", "120", MARCH_2025, B("80"), {2022: V("95"), 2023: V("104")}, "60.0",
     Aggregation.ANNUAL, "60.0", Status.NOT_DUE, Progress.NEEDS_ACCELERATION),
    # 目標年度 R5年度: due in FY2023, (71−40)/(70−40) = 103.33 → 103.3, achieved
    ("市の支援による移住者数", "人", "70", MARCH_2024, B("40"), {2022: V("52"), 2023: V("71")},
     "103.3", Aggregation.ANNUAL, "103.3", Status.ACHIEVED, None),
    # (27−10)/(40−10) = 56.67 → 56.7; CAGR 28.2 % vs 32.0 %: R = 0.88, needs acceleration
    ("空き家バンク登録件数（累計）", "件", "40", MARCH_2025, B("10"),
     {2022: V("22"), 2023: V("27")}, "56.7", Aggregation.CUMULATIVE, "56.7", Status.NOT_DUE,
     Progress.NEEDS_ACCELERATION),
    # 目標値（R6年度）, no date column: 2025-03; 402,500/420,000 = 95.83 → 95.8;
    # CAGR from the first value: 11.5 % vs (420000/361000)^(1/2) − 1 = 7.9 %: on track
    ("観光入込客数", "人", "420000", MARCH_2025, None, {2022: V("361000"), 2023: V("402500")},
     None, Aggregation.ANNUAL, "95.8", Status.NOT_DUE, Progress.ON_TRACK),
    # 5,530/6,000 = 92.17 → 92.2; CAGR 11.0 % vs 9.8 %: on track
    ("観光消費額", "百万円", "6000", MARCH_2025, None, {2022: V("4980"), 2023: V("5530")}, None,
     Aggregation.ANNUAL, "92.2", Status.NOT_DUE, Progress.ON_TRACK),
    # 最終目標 20,000 (中間目標 15,000 is not the target), 年月 R6.3: 19,500/20,000 = 97.5
    ("交流センター利用者数", "人", "20000", MARCH_2024, None, {2022: V("14200"), 2023: V("19500")},
     None, Aggregation.ANNUAL, "97.5", Status.NEARLY_ACHIEVED, None),
    # 25/24 = 104.17 → 104.2
    ("交流センターでのイベント開催数", "回", "24", MARCH_2024, None, {2022: V("21"), 2023: V("25")},
     None, Aggregation.ANNUAL, "104.2", Status.ACHIEVED, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("indicator", "unit", "target", "date", "baseline", "actuals", "published", "aggregation",
     "rate", "status", "progress"),
    FILE_KPIS,
    ids=[row[0] for row in FILE_KPIS],
)  # fmt: skip
def test_file_kpis_value_by_value(
    indicator: str,
    unit: str,
    target: str,
    date: YearMonth,
    baseline: Baseline | None,
    actuals: dict,  # type: ignore[type-arg]
    published: str | None,
    aggregation: Aggregation,
    rate: str,
    status: Status,
    progress: Progress | None,
) -> None:
    result = results_of(load(FILE))[indicator]
    check_kpi(
        result.kpi,
        unit=unit,
        target=target,
        actuals=actuals,
        date=date,
        fiscal_year=date.fiscal_year,
        baseline=baseline,
        rate=published,
    )
    assert result.kpi.aggregation_override is None
    assert result.aggregation.value is aggregation
    assert result.direction.value is Direction.INCREASE
    check_result(result, rate, status, progress=progress)
    assert flag_codes(result) == []  # every published 進捗率 agrees; nothing else to say


def test_file_effects() -> None:
    projects = evaluate_report(load(FILE)).projects
    assert [p.effect_suggestion for p in projects] == [
        None,  # both KPIs not yet due
        "地方創生に効果があった",  # one achieved, two not yet due
        None,
        "地方創生に相当程度効果があった",  # achieved and nearly achieved
    ]


def test_the_file_as_a_workbook_judges_alike() -> None:
    """The same table in an .xlsx (one cell per cell) reads and judges to the same JSON."""
    text = (LAYOUTS / FILE).read_text(encoding="utf-8")
    workbook = xlsx([sheet_of_text("Sheet1", text)])
    from_workbook = evaluate_report(read_report_bytes(workbook, "report.xlsx"))
    assert dumps(from_workbook) == dumps(evaluate_report(load(FILE)))


# --- 2. headings, inline -----------------------------------------------------------------------

TITLE = "令和5年度 試験町 効果検証\n"
ROW = ["試験町移住促進事業", "移住者数", "人"]


def table(headings: list[str], *cells: str) -> str:
    head = "\t".join(["事業名", "指標", "単位", *headings])
    return TITLE + head + "\n" + "\t".join([*ROW, *cells]) + "\n"


def kpi_of(text: str):  # type: ignore[no-untyped-def]
    (kpi,) = parse(text).kpis
    return kpi


@pytest.mark.parametrize(
    ("headings", "date"),
    [
        (["中間目標", "目標値", "年月"], MARCH_2024),
        (["中間目標値", "最終目標値", "年月"], MARCH_2024),
        (["中間目標", "最終目標", "年月"], MARCH_2024),
        (["目標値（中間）", "目標値（最終）", "年月"], MARCH_2024),
        (["最終目標値", "中間目標値", "年月"], MARCH_2024),  # the order does not matter
        (["中間目標値（R4年度）", "最終目標値（R6年度）", "目標年度"], YearMonth(2026, 3)),
        (["R4年度中間目標値", "R6年度最終目標値", "年月"], MARCH_2024),
    ],
)
def test_interim_and_final_heading_forms(headings: list[str], date: YearMonth) -> None:
    """The final target (10) is the KPI's, never the interim one (8); the 年月 / 目標年度
    column gives the date (R6.3, or R7年度 → 2026-03)."""
    first, second = ("10", "8") if headings[0].startswith("最終") else ("8", "10")
    when = "R7年度" if headings[2] == "目標年度" else "R6.3"
    kpi = kpi_of(table([*headings, "R4年度", "R5年度"], first, second, when, "7", "9"))
    assert (kpi.target, kpi.target_date) == (Decimal("10"), date)
    assert kpi.actuals == {2022: V("7"), 2023: V("9")}
    assert kpi.reader_flags == []


def test_final_target_year_is_the_date_without_a_date_column() -> None:
    kpi = kpi_of(table(["中間目標値（R4年度）", "最終目標値（R6年度）", "R4年度", "R5年度"],
                       "8", "10", "7", "9"))  # fmt: skip
    assert (kpi.target, kpi.target_date) == (Decimal("10"), MARCH_2025)


def test_sub_labels_under_a_target_group_heading() -> None:
    """`目標値` over `中間（R4年度） | 最終（R6年度）` (a merged group heading)."""
    text = (
        TITLE + "事業名\t指標\t単位\t目標値\t\t実績値\t\n"
        "\t\t\t中間（R4年度）\t最終（R6年度）\tR4年度\tR5年度\n"
        "試験町移住促進事業\t移住者数\t人\t8\t10\t7\t9\n"
    )
    kpi = kpi_of(text)
    assert (kpi.target, kpi.target_date) == (Decimal("10"), MARCH_2025)


def test_sub_labels_without_years_under_a_target_group_heading() -> None:
    text = (
        TITLE + "事業名\t指標\t単位\t目標値\t\t年月\t実績値\t\n"
        "\t\t\t中間\t最終\t\tR4年度\tR5年度\n"
        "試験町移住促進事業\t移住者数\t人\t8\t10\tR6.3\t7\t9\n"
    )
    kpi = kpi_of(text)
    assert (kpi.target, kpi.target_date) == (Decimal("10"), MARCH_2024)


def test_interim_target_unit_is_checked_like_any_value() -> None:
    kpi = kpi_of(table(["中間目標値（R4年度）", "最終目標値（R6年度）", "R4年度", "R5年度"],
                       "8件", "10", "7", "9"))  # fmt: skip
    assert [f.code for f in kpi.reader_flags] == ["unit-mismatch"]
    assert "「中間目標値（R4年度）」" in kpi.reader_flags[0].message_ja


# --- 3. refused, never guessed -----------------------------------------------------------------


def test_final_target_blank_is_missing_target_not_the_interim() -> None:
    problem = only_problem(
        table(
            ["中間目標値（R4年度）", "最終目標値（R6年度）", "R4年度", "R5年度"], "8", "", "7", "9"
        )
    )
    assert (problem.code, problem.line, problem.column, problem.field) == (
        "missing-target",
        3,
        5,
        "最終目標値（R6年度）",
    )
    assert problem.message_ja == "目標値がありません（「」）"
    assert problem.message_en == "the target value is missing ('')"


def test_an_interim_target_without_a_final_one_is_refused() -> None:
    problem = only_problem(
        table(["中間目標値（R4年度）", "年月", "R4年度", "R5年度"], "8", "R6.3", "7", "9")
    )
    assert (problem.code, problem.line, problem.column, problem.field) == (
        "missing-column",
        2,
        None,
        None,
    )
    assert problem.message_ja == (
        "見出しに「中間目標値（R4年度）」（中間目標）はありますが、最終の目標値（指標値・最終目標値）"
        "の列がありません（中間目標はKPIの目標にしません）"
    )
    assert problem.message_en == (
        "the header has an interim target ('中間目標値（R4年度）') but no final target column"
        " (指標値, 最終目標値): an interim target is never taken as the KPI's target"
    )


def test_an_interim_target_that_is_no_number_is_refused() -> None:
    problem = only_problem(
        table(
            ["中間目標値（R4年度）", "最終目標値（R6年度）", "R4年度", "R5年度"],
            "約8",
            "10",
            "7",
            "9",
        )
    )
    assert (problem.code, problem.line, problem.column, problem.field) == (
        "bad-number",
        3,
        4,
        "中間目標値（R4年度）",
    )
    with pytest.raises(NumberError) as as_a_number:
        parse_number("約8")
    (same,) = as_a_number.value.problems
    assert (problem.message_ja, problem.message_en) == (same.message_ja, same.message_en)
