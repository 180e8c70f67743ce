"""Per-row time points: one 実績値 column and beside it the time point of each row's value
(実績値の把握時点, 時点, 実績年度 …), as in tables of lagging statistics (経済センサス,
観光動態調査, 人口動態統計), on tests/data/layouts/29_per_row_time_points.txt and small tables
written inline (survey s04).

Every expected value was worked out BY HAND from the file, EVALUATION.md and docs/evaluation.md
("Per-row time points"): the title's 令和5年度 is the report year (FY2023); a time point names a
fiscal year (`R3年度` = FY2021) or a month, which belongs to the fiscal year containing it
(`R6.3末` = 2024-03 → FY2023, `R5.3末現在` → FY2022); 目標年月 R6.3 → FY2023 (due), R7.3 →
FY2024 (not yet due). A due KPI whose only value is from an earlier year is `no_data` (the
contract). Rate a/t×100 (increase) or t/a×100 (decrease; a = 0 → 100 when t ≥ 0), one decimal,
ROUND_HALF_UP; achieved when a meets t, nearly_achieved when the rate ≥ 80.
"""

from __future__ import annotations

import json
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
    M,
    V,
    check_kpi,
    check_result,
    flag_codes,
    load,
    only_problem,
    results_of,
)

from kpiledger.cli.main import main
from kpiledger.core.era import YearMonth, parse_year_month
from kpiledger.core.errors import EraError, ReportError
from kpiledger.core.evaluate import Status, evaluate_report
from kpiledger.core.model import Aggregation, Direction
from kpiledger.io.readers import read_report_bytes
from kpiledger.io.readers.text import parse
from kpiledger.io.readers.time_points import read_time_point
from kpiledger.io.writers.json import dumps

FILE = "29_per_row_time_points.txt"
MARCH_2025 = YearMonth(2025, 3)
CENSUS = "実績値の把握時点：R3年度（経済センサス）"


# --- 1. the file ------------------------------------------------------------------------------


def test_file_projects_years_and_notes() -> None:
    report = load(FILE)
    assert report.title == "令和5年度 東浜町 地方創生推進交付金事業の効果検証"
    assert report.fiscal_year == 2023
    assert report.year_columns == [2021, 2022, 2023]  # every year met in the rows
    assert [(p.name, p.section, p.grant) for p in report.projects] == [
        ("東浜町しごと創生事業", TARGET, SUISHIN),
        ("東浜町観光振興事業", TARGET, SUISHIN),
        ("東浜町子育て支援事業", TARGET, SUISHIN),
        ("東浜町交流拠点施設整備事業", RELATED, KYOTEN),
    ]
    assert [len(p.kpis) for p in report.projects] == [3, 3, 4, 3]
    assert report.notes[0].startswith("※ 実績値は把握時点の年度の値。")
    assert report.warnings == []


# (indicator, unit, target, date, actuals, note, direction, rate, status, judged year, flags)
FILE_KPIS = [
    # R3年度（経済センサス）: FY2021 only; due FY2023 has no value → no_data (the contract)
    ("町内事業所の従業者数", "人", "3200", MARCH_2024, {2021: V("3050")}, CENSUS,
     Direction.INCREASE, None, Status.NO_DATA, 2023, ["target-year-not-published"]),
    # R5年度: 14/12 = 116.67 → 116.7
    ("創業支援による創業件数", "件", "12", MARCH_2024, {2023: V("14")}, None,
     Direction.INCREASE, "116.7", Status.ACHIEVED, 2023, []),
    # R4年度（ハローワーク調べ）, target R7.3 = FY2024 not due: interim 31/40 = 77.5, judged FY2022
    ("町内での新規就業者数", "人", "40", MARCH_2025, {2022: V("31")},
     "R5年度分はR6.9公表予定\n実績値の把握時点：R4年度（ハローワーク調べ）",
     Direction.INCREASE, "77.5", Status.NOT_DUE, 2022, []),
    # R4年度（観光動態調査）: FY2022 only → no_data
    ("観光消費額", "百万円", "1500", MARCH_2024, {2022: V("1380")},
     "実績値の把握時点：R4年度（観光動態調査）", Direction.INCREASE, None, Status.NO_DATA, 2023,
     ["target-year-not-published"]),
    # 集計中 | R5年度: FY2023 without a value → no_data, the marker kept
    ("観光入込客数", "人", "450000", MARCH_2024, {2023: M("集計中")}, None,
     Direction.INCREASE, None, Status.NO_DATA, 2023, []),
    # blank time point: the report year (FY2023), flagged; 18,420/18,000 = 102.33 → 102.3
    ("観光案内所利用者数", "人", "18000", MARCH_2024, {2023: V("18420")}, None,
     Direction.INCREASE, "102.3", Status.ACHIEVED, 2023, ["time-point-assumed"]),
    # R6.3.31 → 2024-03 → FY2023; lower is better, t = 0 and a = 0 → 100.0
    ("待機児童数", "人", "0", MARCH_2024, {2023: V("0")}, None,
     Direction.DECREASE, "100.0", Status.ACHIEVED, 2023, []),
    # 令和6年3月末 → FY2023: 11,200/12,000 = 93.33 → 93.3
    ("子育て支援センター利用者数", "人", "12000", MARCH_2024, {2023: V("11200")}, None,
     Direction.INCREASE, "93.3", Status.NEARLY_ACHIEVED, 2023, []),
    # R6.3末 → FY2023: 248/260 = 95.38 → 95.4
    ("放課後児童クラブ登録児童数", "人", "260", MARCH_2024, {2023: V("248")}, None,
     Direction.INCREASE, "95.4", Status.NEARLY_ACHIEVED, 2023, []),
    # R4年度（人口動態統計） → no_data
    ("町内の出生数", "人", "150", MARCH_2024, {2022: V("132")},
     "実績値の把握時点：R4年度（人口動態統計）", Direction.INCREASE, None, Status.NO_DATA, 2023,
     ["target-year-not-published"]),
    # 時点 R5年度末 → FY2023 (nothing after it: no note): 21,300/20,000 = 106.5
    ("交流拠点施設利用者数", "人", "20000", MARCH_2024, {2023: V("21300")}, None,
     Direction.INCREASE, "106.5", Status.ACHIEVED, 2023, []),
    # 22/24 = 91.67 → 91.7
    ("施設でのイベント開催数", "回", "24", MARCH_2024, {2023: V("22")}, None,
     Direction.INCREASE, "91.7", Status.NEARLY_ACHIEVED, 2023, []),
    # R5.3末現在 → 2023-03 → FY2022; target R7.3 not due: 2/5 = 40.0
    ("施設を拠点に創業した事業者数", "社", "5", MARCH_2025, {2022: V("2")}, None,
     Direction.INCREASE, "40.0", Status.NOT_DUE, 2022, []),
]  # fmt: skip


@pytest.mark.parametrize(
    ("indicator", "unit", "target", "date", "actuals", "note", "direction", "rate", "status",
     "judged", "flags"),
    FILE_KPIS,
    ids=[row[0] for row in FILE_KPIS],
)  # fmt: skip
def test_file_kpis_value_by_value(
    indicator: str,
    unit: str,
    target: str,
    date: YearMonth,
    actuals: dict,  # type: ignore[type-arg]
    note: str | None,
    direction: Direction,
    rate: str | None,
    status: Status,
    judged: int,
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
        note=note,
    )
    assert result.kpi.aggregation_override is None
    assert result.kpi.actuals_are_increments is False
    assert result.aggregation.value is Aggregation.ANNUAL
    assert result.direction.value is direction
    check_result(result, rate, status, progress=None, judged_year=judged)
    assert flag_codes(result) == flags


def test_file_blank_time_point_flag_says_which_year() -> None:
    (flag,) = results_of(load(FILE))["観光案内所利用者数"].kpi.reader_flags
    assert flag.code == "time-point-assumed"
    assert flag.message_ja == (
        "10行目：「実績値の把握時点」が空欄のため、実績値を報告年度（2023年度）の値として"
        "読みました（違う年度の値なら、その年度を書いてください）"
    )
    assert "report year's (FY2023)" in flag.message_en


def test_file_effects() -> None:
    """No project has every KPI at least nearly achieved; each has one achieved KPI."""
    projects = evaluate_report(load(FILE)).projects
    assert [p.effect_suggestion for p in projects] == ["地方創生に効果があった"] * 4


def test_cli_table_shows_each_value_in_its_year(capsys: pytest.CaptureFixture[str]) -> None:
    """The table's year columns are every year met; 3,050 stands under R3年度, 1,380 under
    R4年度, and the R5年度 cells of those rows are empty."""
    assert main(["evaluate", str(LAYOUTS / FILE), "--format", "table"]) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if "R3年度" in line)
    assert [c.strip() for c in header.split("┃")[5:8]] == ["R3年度", "R4年度", "R5年度"]
    row = next(line for line in out.splitlines() if "町内事業所の従業者数" in line)
    assert [c.strip() for c in row.split("│")[5:8]] == ["3,050", "", ""]
    row = next(line for line in out.splitlines() if "観光消費額" in line)
    assert [c.strip() for c in row.split("│")[5:8]] == ["", "1,380", ""]


def test_cli_json_actuals_in_their_year(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(LAYOUTS / FILE), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out, parse_float=Decimal)
    kpis = {k["indicator"]: k for p in data["projects"] for k in p["kpis"]}
    assert kpis["町内事業所の従業者数"]["actuals"] == {"2021": 3050}
    assert kpis["町内事業所の従業者数"]["status"] == "no_data"
    assert kpis["観光入込客数"]["actuals"] == {"2023": None}
    assert kpis["観光案内所利用者数"]["flags"] == ["time-point-assumed"]


def test_the_file_as_a_workbook_judges_alike() -> None:
    """The same table in an .xlsx (one cell per cell) reads and judges to the same JSON."""
    text = (LAYOUTS / FILE).read_text(encoding="utf-8")
    workbook = xlsx([sheet_of_text("Sheet1", text)])
    from_workbook = evaluate_report(read_report_bytes(workbook, "report.xlsx"))
    assert dumps(from_workbook) == dumps(evaluate_report(load(FILE)))


# --- 2. headings and cells, inline --------------------------------------------------------------

TITLE = "令和5年度 試験町 効果検証\n"


def table(heading: str, point: str, value: str = "12", title: str = TITLE) -> str:
    head = ["事業名", "指標", "目標値", "単位", "目標年月", "実績値", heading]
    row = ["試験町移住促進事業", "移住者数", "10", "人", "R6.3", value, point]
    return title + "\t".join(head) + "\n" + "\t".join(row) + "\n"


def kpi_of(text: str):  # type: ignore[no-untyped-def]
    (kpi,) = parse(text).kpis
    return kpi


@pytest.mark.parametrize(
    "heading",
    ["実績値の把握時点", "把握時点", "時点", "数値の時点", "実績値の時点", "実績年度", "実績の年度",
     "実績値の年度", "調査年度", "調査時点", "基準日", "把握時期", "算出時点", "実 績 年 度"],
)  # fmt: skip
def test_time_point_headings(heading: str) -> None:
    """Each heading dates the single 実績値 (`算出時点`: any heading with 時点)."""
    assert kpi_of(table(heading, "R4年度")).actuals == {2022: V("12")}


@pytest.mark.parametrize(
    ("point", "year", "rest"),
    [
        ("R3年度（経済センサス）", 2021, "（経済センサス）"),
        ("R5年度", 2023, ""),
        ("令和5年度", 2023, ""),
        ("2022年度", 2022, ""),
        ("FY2022", 2022, ""),
        ("R5", 2023, ""),
        ("H30年度", 2018, ""),
        ("R5年度末", 2023, ""),
        ("R6.3末", 2023, ""),  # 2024-03 is in FY2023
        ("令和6年3月末", 2023, ""),
        ("R6.3.31", 2023, ""),
        ("令和6年3月31日時点", 2023, ""),
        ("R6.4.1", 2024, ""),  # 2024-04 is in FY2024
        ("2024/3", 2023, ""),
        ("R5.3末現在", 2022, ""),
        ("（R3年度）", 2021, ""),
        ("R3.6.1（経済センサス）", 2021, "（経済センサス）"),
        ("ｒ５年度　観光動態調査", 2023, "観光動態調査"),
    ],
)
def test_time_point_cells(point: str, year: int, rest: str) -> None:
    assert read_time_point(point).fiscal_year == year
    assert read_time_point(point).rest == rest
    assert kpi_of(table("把握時点", point)).actuals == {year: V("12")}


def test_text_after_the_time_point_is_added_to_the_note() -> None:
    text = (
        TITLE + "事業名\t指標\t目標値\t単位\t目標年月\t実績値\t時点\t備考\n"
        "試験町移住促進事業\t移住者数\t10\t人\tR6.3\t12\tR4年度（住民基本台帳）\t転入届による\n"
    )
    assert kpi_of(text).note == "転入届による\n時点：R4年度（住民基本台帳）"


def test_blank_time_point_without_a_value_is_no_value_in_the_report_year() -> None:
    kpi = kpi_of(table("把握時点", "", value=""))
    assert kpi.actuals == {2023: M("")}
    assert kpi.reader_flags == []


@pytest.mark.parametrize("point", ["", "-", "―"])
def test_blank_or_dash_time_point_beside_a_value_is_the_report_year_flagged(point: str) -> None:
    kpi = kpi_of(table("把握時点", point))
    assert kpi.actuals == {2023: V("12")}
    assert [f.code for f in kpi.reader_flags] == ["time-point-assumed"]


def test_time_point_cell_left_out_at_the_end_of_a_row_is_blank() -> None:
    text = table("把握時点", "").rstrip("\n").rstrip("\t") + "\n"
    assert kpi_of(text).actuals == {2023: V("12")}


def test_no_value_marker_in_both_cells() -> None:
    assert kpi_of(table("把握時点", "集計中", value="集計中")).actuals == {2023: M("集計中")}


def test_forecast_time_point_is_not_read_as_an_actual() -> None:
    kpi = kpi_of(table("把握時点", "R5年度（見込）"))
    assert kpi.actuals == {}
    (flag,) = kpi.reader_flags
    assert flag.code == "forecast-not-read"
    assert "「R5年度（見込）」" in flag.message_ja and "「12」" in flag.message_ja


def test_bullets_split_the_time_points_too() -> None:
    """Two KPIs in one row: each gets its own time point (or the one they share)."""
    cells = ["試験町移住促進事業", '"・移住相談件数\n・移住者数"', '"・120\n・30"', '"・件\n・人"',
             "R6.3", '"・135\n・24"', '"・R5年度\n・R4年度（住基）"']  # fmt: skip
    head = "事業名\t指標\t目標値\t単位\t目標年月\t実績値\t把握時点\n"
    report = parse(TITLE + head + "\t".join(cells) + "\n")
    assert [(k.indicator, k.actuals) for k in report.kpis] == [
        ("移住相談件数", {2023: V("135")}),
        ("移住者数", {2022: V("24")}),
    ]
    assert report.kpis[1].note == "把握時点：R4年度（住基）"
    assert report.year_columns == [2022, 2023]


def test_national_form_with_a_time_point_column() -> None:
    head = "事業名\t指標\t\t指標値\t単位\t目標年月\t実績値\t実績値の把握時点\n"
    row = "試験町移住促進事業\t指標①\t移住者数\t30\t人\tR6.3\t24\tR4年度\n"
    kpi = kpi_of(TITLE + head + row)
    assert (kpi.indicator, kpi.actuals) == ("移住者数", {2022: V("24")})


# --- 3. refused, never guessed -----------------------------------------------------------------


def problems_of(text: str) -> list[tuple[str, int | None, int | None, str | None]]:
    with pytest.raises(ReportError) as raised:
        parse(text)
    return [(p.code, p.line, p.column, p.field) for p in raised.value.problems]


@pytest.mark.parametrize("point", ["2022年", "令和4年", "R4年（暦年）", "2022", "2022（国勢調査）"])
def test_a_calendar_year_is_refused(point: str) -> None:
    problem = only_problem(table("把握時点", point))
    assert (problem.code, problem.line, problem.column, problem.field) == (
        "calendar-year",
        3,
        7,
        "把握時点",
    )
    assert problem.message_ja == (
        f"「{point}」は暦年（1〜12月）のようで、年度（4月〜翌年3月）とは期間が違うため、どの年度の"
        "実績か決められません。年度（R4年度）か、値の時点（R4.12末）を書いてください"
    )
    assert problem.message_en == (
        f"'{point}' looks like a calendar year (January-December), which straddles two fiscal"
        " years: write the fiscal year (R4年度) or the value's date (R4.12末)"
    )


@pytest.mark.parametrize("point", ["5年度", "経済センサス", "12月"])
def test_a_text_naming_no_time_is_refused(point: str) -> None:
    problem = only_problem(table("把握時点", point))
    assert (problem.code, problem.line, problem.column, problem.field) == (
        "bad-time-point",
        3,
        7,
        "把握時点",
    )
    assert problem.message_ja == (
        f"「{point}」を実績値の時点として読めません（R3年度・令和5年度・2023年度のような年度か、"
        "R6.3末・令和6年3月末・R6.3.31のような年月を、元号か西暦つきで書いてください）"
    )
    assert problem.message_en == (
        f"'{point}' is not a time point (write a fiscal year such as R3年度, 令和5年度, 2023年度,"
        " or a month such as R6.3末, 令和6年3月末, R6.3.31, with its era or century)"
    )


def test_a_value_beside_a_time_point_saying_no_value_is_refused() -> None:
    problem = only_problem(table("把握時点", "集計中"))
    assert (problem.code, problem.line, problem.column) == ("bad-time-point", 3, 7)
    assert problem.message_ja == (
        "実績値「12」がありますが、時点は「集計中」で、どの年度の値か分かりません"
        "（値の年度か年月を書いてください）"
    )
    assert problem.message_en == (
        "there is an actual ('12') but its time point says '集計中': which fiscal year it"
        " belongs to cannot be told (write its fiscal year or month)"
    )


@pytest.mark.parametrize(
    ("point", "code"), [("R6.2.30", "bad-date"), ("令和元年4月", "era-out-of-range")]
)
def test_a_date_that_does_not_exist_is_refused_as_any_date(point: str, code: str) -> None:
    problem = only_problem(table("把握時点", point))
    assert (problem.code, problem.line, problem.column, problem.field) == (code, 3, 7, "把握時点")
    with pytest.raises(EraError) as as_a_date:
        parse_year_month(point)
    (same,) = as_a_date.value.problems
    assert (problem.message_ja, problem.message_en) == (same.message_ja, same.message_en)


def test_a_bad_value_and_a_bad_time_point_are_both_told() -> None:
    assert problems_of(table("把握時点", "2022年", value="約12")) == [
        ("bad-number", 3, 6, "実績値"),
        ("calendar-year", 3, 7, "把握時点"),
    ]


def test_a_time_point_beside_year_columns_is_refused() -> None:
    text = (
        TITLE + "事業名\t指標\t目標値\t単位\t目標年月\tR4年度\tR5年度\t実績値の把握時点\n"
        "試験町移住促進事業\t移住者数\t10\t人\tR6.3\t8\t12\tR5年度\n"
    )
    problem = only_problem(text)
    assert (problem.code, problem.line, problem.column, problem.field) == (
        "unknown-year-column",
        2,
        8,
        "実績値の把握時点",
    )
    assert problem.message_ja == (
        "見出し「実績値の把握時点」を年度の列として読めません（行ごとの実績値の時点（年度）の列は、"
        "年度のない「実績値」の列が1つだけの表で読みます。年度ごとの実績値の列（R5年度 …）がある"
        "表では、この列を削るか、値をその年度の列に書いてください）"
    )
    assert problem.message_en == (
        "cannot read the header '実績値の把握時点' as a fiscal-year column (a per-row"
        " time-point column is read only beside a single 実績値 column without a year; beside"
        " per-year actual columns (R5年度 …), remove it or write each value under its year)"
    )


def test_a_time_point_beside_an_actual_with_its_year_is_refused() -> None:
    text = (
        TITLE + "事業名\t指標\t目標値\t単位\t目標年月\t実績値（R5年度）\t時点\n"
        "試験町移住促進事業\t移住者数\t10\t人\tR6.3\t12\tR4年度\n"
    )
    problem = only_problem(text)
    assert (problem.code, problem.line, problem.column, problem.field) == (
        "unknown-year-column",
        2,
        7,
        "時点",
    )
    assert problem.message_ja.startswith(
        "見出し「時点」を年度の列として読めません（行ごとの実績値の時点（年度）の列は、"
    )
    assert problem.message_en.startswith(
        "cannot read the header '時点' as a fiscal-year column (a per-row time-point column"
    )


def test_a_heading_merely_with_jiten_beside_year_columns_is_ignored_as_before() -> None:
    text = (
        TITLE + "事業名\t指標\t目標値\t単位\t目標年月\tR4年度\tR5年度\t評価時点の状況\n"
        "試験町移住促進事業\t移住者数\t10\t人\tR6.3\t8\t12\t順調\n"
    )
    assert kpi_of(text).actuals == {2022: V("8"), 2023: V("12")}


def test_a_per_row_table_needs_the_title_year() -> None:
    problem = only_problem(table("把握時点", "R5年度", title="試験町 効果検証\n"))
    assert (problem.code, problem.line, problem.column, problem.field) == (
        "unknown-year-column",
        2,
        6,
        "実績値",
    )
    assert problem.message_ja == (
        "見出し「実績値」を年度の列として読めません（行ごとの把握時点がある表でも、報告年度は表題の"
        "年度です（把握時点が空欄の実績はその年度の値として読みます）。表題に年度（令和5年度など）を"
        "書いてください）"
    )
    assert problem.message_en == (
        "cannot read the header '実績値' as a fiscal-year column (with a per-row time-point"
        " column the report year is still the title's (an actual whose time point is blank is"
        " read as that year's): write the fiscal year in the title)"
    )
