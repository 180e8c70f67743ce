"""The official Excel layout (issue 9, item 1): the reference report as the committee's table
(title, sections, three header rows, merged project cells, kpiledger's judgement, page setup),
values written with the digits published, and every report read back from the workbook judged
exactly as the report it was written from."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.cell.cell import MergedCell

from kpiledger.cli.main import reference_report_path
from kpiledger.core.era import YearMonth
from kpiledger.core.errors import ReportError
from kpiledger.core.evaluate import ReportResult, evaluate_report
from kpiledger.core.model import Actual, Flag, Kpi, Project, Report, Section
from kpiledger.io.readers import read_report, read_report_bytes
from kpiledger.io.readers.layout import Role, heading_roles
from kpiledger.io.readers.own_columns import FLAGS_HEADING, flags_text, read_flags
from kpiledger.io.writers import excel, excel_sheet
from kpiledger.io.writers.json import dumps as json_dumps
from kpiledger.io.writers.opendata import Publisher

LAYOUTS = sorted(Path(__file__).parent.joinpath("data", "layouts").glob("*.txt"))
INT = '#,##0;"△"#,##0'
TEACHERS = (
    "デジタル化した教育データやその分析結果を児童生徒の指導・評価・支援等に活用する教員の割合"
)
EFFECT = "地方創生に相当程度効果があった"
ONE = '#,##0.0;"△"#,##0.0'


def judged(report: Report) -> dict[str, Any]:
    """The `evaluate --format json` document, numbers as Decimal."""
    return json.loads(json_dumps(evaluate_report(report)), parse_float=Decimal)  # type: ignore[no-any-return]


def sheet_of(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data)).active


@pytest.fixture(scope="module")
def reference() -> ReportResult:
    return evaluate_report(read_report(reference_report_path()))


@pytest.fixture(scope="module")
def ws(reference: ReportResult) -> Any:
    return sheet_of(excel.dumps(reference))


def row_of(ws: Any, indicator: str) -> int:
    [row] = [c.row for c in ws["C"] if c.value == indicator]
    return int(row)


# --- the layout -------------------------------------------------------------------------------


def test_title_and_section_headings(ws: Any) -> None:
    assert ws["A1"].value == "令和5年度デジタル田園都市国家構想交付金事業の実績"
    assert ws["A1"].font.b and ws["A1"].font.sz == 14
    assert ws["A3"].value == "【デジタル田園都市国家構想交付金（地方創生推進タイプ）対象事業】"
    assert ws["A16"].value == "【デジタル田園都市国家構想交付金関連事業】"
    assert [ws.cell(1, c).value for c in range(2, 15)] == [None] * 13  # the title stands alone


def test_header_rows_as_in_the_reference(ws: Any) -> None:
    rows = [[ws.cell(r, c).value for c in range(1, 15)] for r in (4, 5, 6)]
    assert rows[0][:3] == ["交付対象\n事業の名称", "事業の概要", "K P I（重要業績評価指標）"]
    assert rows[0][11:] == ["達成率\n（kpiledger算定）", "状況\n（kpiledger判定）",
                            "事業効果\n（kpiledger提案）"]  # fmt: skip
    assert rows[1][2:7] == ["指標", "指標値", None, None, "実績値"]
    assert rows[2][3:11] == ["指標値", "単位", "年月", "R1年度", "R2年度", "R3年度", "R4年度",
                             "R5年度"]  # fmt: skip


def test_merged_ranges_of_the_reference(ws: Any) -> None:
    header = {"A4:A6", "B4:B6", "C4:K4", "C5:C6", "D5:F5", "G5:K5", "L4:L6", "M4:M6", "N4:N6"}
    second = {r.replace("4", "17").replace("5", "18").replace("6", "19") for r in header}
    projects = {f"{c}{top}:{c}{bottom}" for c in "ABN"
                for top, bottom in [(7, 9), (10, 12), (13, 14), (20, 22), (23, 26), (27, 30),
                                    (31, 35)]}  # fmt: skip
    assert {str(r) for r in ws.merged_cells.ranges} == header | second | projects
    assert ws["A7"].value == "釧路市ビジネスサポートセンターk-Bizを核とした「しごと創生」事業"
    assert ws["A20"].value == "【地方創生拠点整備交付金】 音別地域交流拠点施設整備事業"


def test_page_setup(ws: Any) -> None:
    assert ws.print_area == "'KPI実績'!$A$1:$N$36"
    assert ws.print_title_rows == "$4:$6"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == 9  # A4
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    filled = [c for row in ws.iter_rows() for c in row if c.value is not None or c.has_style]
    filled = [c for c in filled if not isinstance(c, MergedCell)]  # shown as their first cell
    assert len(filled) > 300 and {c.font.name for c in filled} == {"ＭＳ Ｐゴシック"}
    assert ws["B7"].alignment.wrap_text and ws["C8"].border.left.style == "thin"
    assert ws.column_dimensions["B"].width == 40
    assert ws.row_dimensions[7].height > 15  # the summary merged over 3 rows needs the room


def test_values_keep_the_published_digits(ws: Any) -> None:
    kbiz = row_of(ws, "釧路市ビジネスサポートセンターk-Bizの来所相談件数")
    assert (ws.cell(kbiz, 4).value, ws.cell(kbiz, 4).number_format) == (2300, INT)  # 2,300
    assert (ws.cell(kbiz, 11).value, ws.cell(kbiz, 11).number_format) == (1878, INT)  # 1,878
    assert (ws.cell(kbiz, 5).value, ws.cell(kbiz, 6).value) == ("件", "R6.3")
    teachers = row_of(
        ws,
        "デジタル化した教育データやその分析結果を児童生徒の指導・評価・支援等に活用する教員の割合",
    )
    assert (ws.cell(teachers, 11).value, ws.cell(teachers, 11).number_format) == (41.1, ONE)
    assert (ws.cell(teachers, 7).value, ws.cell(teachers, 7).data_type) == ("-", "s")
    survey = row_of(ws, "アンケートによる施設予約システム利用者満足度")
    assert (ws.cell(survey, 11).value, ws.cell(survey, 11).number_format) == (73.5, ONE)
    sales = row_of(ws, "特産品販売の売上額")
    assert ws.cell(sales, 4).value == 1300000 and ws.cell(sales, 4).number_format == INT


def test_rate_and_status_are_the_judgement(ws: Any, reference: ReportResult) -> None:
    for result in reference.kpis:
        row = row_of(ws, result.kpi.indicator)
        rate = ws.cell(row, 12)
        expected = float(result.achievement_rate) if result.achievement_rate is not None else None
        assert (rate.value, ws.cell(row, 13).value) == (expected, result.status.label_ja)
    kbiz = row_of(ws, "釧路市ビジネスサポートセンターk-Bizの来所相談件数")
    assert (ws.cell(kbiz, 12).value, ws.cell(kbiz, 12).number_format) == (81.7, "0.0")
    assert ws.cell(kbiz, 13).value == "概ね達成"
    assert ws["N7"].value == reference.projects[0].effect_suggestion.value  # type: ignore[union-attr]
    assert ws["N7"].value == "地方創生に効果があった"


def test_the_national_form_columns_and_notes() -> None:
    report = read_report(LAYOUTS[[p.name for p in LAYOUTS].index("23_national_form.txt")])
    ws = sheet_of(excel.dumps(evaluate_report(report)))
    headers = [ws.cell(r, c).value for r in range(1, 12) for c in range(1, 25)]
    for heading in ("実績額", "単位：円", "事業効果", "事業の評価", "外部有識者からの意見",
                    "今後の方針", "今後の方針の理由", "事業効果\n（kpiledger提案）"):  # fmt: skip
        assert heading in headers
    texts = [c.value for c in ws["A"] if c.value]
    assert texts[1] == "（各交付対象事業の重要業績評価指標（KPI）の実績値等）"  # above the table
    assert texts[-1].startswith("※事業効果は")  # the ※ notes below it
    effect = next(
        c for row in ws.iter_rows() for c in row if c.value == "地方創生に相当程度効果があった"
    )
    [merged] = [r for r in ws.merged_cells.ranges if effect.coordinate in r]
    assert (merged.size["rows"], merged.size["columns"]) == (2, 1)  # over its two KPI rows


# --- reading it back --------------------------------------------------------------------------


def test_the_reference_reads_back_to_the_same_judgement(reference: ReportResult) -> None:
    back = read_report_bytes(excel.dumps(reference), "report.xlsx")
    assert judged(back) == judged(reference.report)
    assert all(kpi.published_rate is None for kpi in back.kpis)  # our rate is not "published"
    assert (back.warnings, back.notices) == ([], [])


def _readable(path: Path) -> Report | None:
    try:
        return read_report(path)
    except ReportError:
        return None


@pytest.mark.parametrize("path", LAYOUTS, ids=[p.stem for p in LAYOUTS])
def test_every_layout_reads_back_to_the_same_judgement(path: Path) -> None:
    report = _readable(path)
    if report is None:
        assert path.name in REFUSED
        return
    back = read_report_bytes(excel.dumps(evaluate_report(report)), "report.xlsx")
    assert judged(back) == judged(report)
    assert [(k.note, k.reader_flags, k.actuals) for k in back.kpis] == [
        (k.note, k.reader_flags, k.actuals) for k in report.kpis
    ]  # notes, the remarks' messages and each "no value" marker too
    assert [p.assessment for p in back.projects] == [p.assessment for p in report.projects]


REFUSED: set[str] = set()  # every layout file reads at this stop


def test_a_publisher_names_the_sheet_and_the_pages_but_not_the_title(
    reference: ReportResult,
) -> None:
    data = excel.dumps(reference, Publisher("012068", "釧路市"))
    ws = sheet_of(data)
    assert ws.title == "釧路市 KPI実績"
    assert ws.oddHeader.right.text == "釧路市（012068）"
    assert judged(read_report_bytes(data, "report.xlsx")) == judged(reference.report)


def _small_report(
    name: str, target: Decimal, actual: Actual, indicator: str = "移住者数"
) -> Report:
    actuals = {2022: Actual(Decimal(5)), 2023: actual}
    kpi = Kpi(indicator, "人", target, YearMonth(2024, 3), actuals)
    project = Project(name, Section.TARGET, "地方創生推進交付金", "概要", [kpi])
    return Report("令和5年度地方創生推進交付金事業の実績", 2023, [project], [2022, 2023])


def test_a_formula_like_text_is_written_as_text() -> None:
    hostile = '=HYPERLINK("http://evil.example","x")'
    report = _small_report(hostile, Decimal(10), Actual(None, "-"), indicator="=1+1")
    data = excel.dumps(evaluate_report(report))
    ws = sheet_of(data)
    cells = [
        c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "=" in c.value
    ]
    assert {c.value for c in cells} == {hostile, "=1+1"}
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    assert b"<f>" not in _sheet_xml(data)
    back = read_report_bytes(data, "report.xlsx")
    assert (back.projects[0].name, back.kpis[0].indicator) == (hostile, "=1+1")


def _sheet_xml(data: bytes) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


@pytest.mark.parametrize(
    ("target", "shown", "number_format"),
    [
        (Decimal("2300.00"), 2300, '#,##0.00;"△"#,##0.00'),
        (Decimal("73.5"), 73.5, ONE),
        (Decimal("-12"), -12, INT),
        (Decimal("1.3E+6"), 1300000, INT),
    ],
)
def test_decimals_are_kept_as_written(target: Decimal, shown: float, number_format: str) -> None:
    report = _small_report("移住促進事業", target, Actual(Decimal("41.10")))
    data = excel.dumps(evaluate_report(report))
    ws = sheet_of(data)
    cell = ws.cell(row_of(ws, "移住者数"), 4)
    assert (cell.value, cell.number_format) == (shown, number_format)
    back = read_report_bytes(data, "report.xlsx").kpis[0]
    assert back.target == target and str(back.actuals[2023].value) == "41.10"
    assert str(back.target) == {"2300.00": "2300.00", "73.5": "73.5"}.get(
        str(target), str(back.target)
    )


def test_the_largest_values_kept_are_exact_numbers() -> None:
    most = Decimal("99999999999.9999")  # 11 integer and 4 decimal digits: what the ledger keeps
    report = _small_report("移住促進事業", most, Actual(Decimal("-0.0001")))
    data = excel.dumps(evaluate_report(report))
    ws = sheet_of(data)
    row = row_of(ws, "移住者数")
    assert ws.cell(row, 4).number_format == '#,##0.0000;"△"#,##0.0000'
    assert isinstance(ws.cell(row, 4).value, float) and isinstance(ws.cell(row, 8).value, float)
    back = read_report_bytes(data, "report.xlsx").kpis[0]
    assert (str(back.target), str(back.actuals[2023].value)) == (str(most), "-0.0001")


def test_a_value_no_float_holds_is_written_as_text() -> None:
    cell = openpyxl.Workbook().active["A1"]
    excel_sheet.put_number(cell, Decimal("1234567890.12345678"), None)  # 18 significant digits
    assert (cell.value, cell.data_type) == ("1234567890.12345678", "s")


# --- kpiledger's own columns in the reader ----------------------------------------------------


def test_own_headings_are_never_read_as_published() -> None:
    assert heading_roles("達成率（kpiledger算定）") == ()
    assert heading_roles("状況\n（kpiledger判定）") == ()
    assert heading_roles("事業効果（kpiledger提案）") == ()
    assert heading_roles(FLAGS_HEADING) == (Role.CARRIED_FLAGS,)
    assert heading_roles("達成率（公表）") == (Role.RATE,)


def test_carried_remarks_round_trip() -> None:
    flags = [
        Flag(
            "forecast-not-read", "12行目「R6年度見込」の「62」は見込", "line 12: '62' is a forecast"
        ),
        Flag("time-point-assumed", "把握時点が空欄", ""),
    ]
    text = flags_text(flags)
    assert text.splitlines()[0] == "［forecast-not-read］12行目「R6年度見込」の「62」は見込"
    assert read_flags(text) == flags
    assert read_flags("手書きのメモ") == []
