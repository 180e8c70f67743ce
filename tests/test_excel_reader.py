"""The workbook reader (.xlsx / .xls / .ods): cells → rows for the table interpreter.

Workbooks are built here with the libraries (tests/excel_files.py). Expected values were worked
out by hand from the cells written (EVALUATION.md: increase a/t×100, decrease t/a×100, one
decimal; 年月 R6.3 = 2024-03 → FY2023, judged in the R5年度 column), never copied from output.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.excel_files import Sheet, ods, sheet_of_text, xls, xlsx
from tests.test_text_reader_layouts import REFERENCE

from kpiledger.core.errors import KpiledgerError, ReportError
from kpiledger.core.evaluate import evaluate_report
from kpiledger.core.model import Report
from kpiledger.io.readers import excel, read_report_bytes
from kpiledger.io.readers.excel import cell_text, number_text, rows_of
from kpiledger.io.writers.json import dumps
from kpiledger.io.writers.records import report_record

WRITERS = {"xlsx": xlsx, "xls": xls, "ods": ods}
TITLE = "## 令和5年度地方創生推進交付金事業の実績（試験町）"
SECTION = "【地方創生推進交付金対象事業】"


def read(kind: str, sheets: list[Sheet], sheet: str | None = None) -> Report:
    return read_report_bytes(WRITERS[kind](sheets), f"report.{kind}", sheet=sheet)


def judged(report: Report) -> dict[str, Any]:
    """The `evaluate --format json` document, numbers as Decimal."""
    return json.loads(dumps(evaluate_report(report)), parse_float=Decimal)  # type: ignore[no-any-return]


def problems(kind: str, sheets: list[Sheet], sheet: str | None = None) -> list[Any]:
    with pytest.raises(ReportError) as error:
        read(kind, sheets, sheet)
    return error.value.problems


# --- the reference report saved as a workbook ------------------------------------------------


@pytest.mark.parametrize("kind", WRITERS)
def test_reference_report_as_workbook_judges_like_the_text(kind: str) -> None:
    text = judged(read_report_bytes(REFERENCE.encode(), "kushiro.txt"))
    book = judged(read(kind, [sheet_of_text("Sheet1", REFERENCE)]))
    assert book == text
    assert book["summary"]["kpis"] == 24  # the comparison is not of two empty documents


def test_reference_workbook_holds_numbers_not_texts() -> None:
    """The generated workbook is a real one: 1,878 is the number 1878 shown with `#,##0`."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(xlsx([sheet_of_text("Sheet1", REFERENCE)])))
    cell = book["Sheet1"]["K11"]
    assert (cell.value, cell.number_format) == (1878, "#,##0")
    assert book["Sheet1"]["D10"].value == 20


# --- merged cells ----------------------------------------------------------------------------

SUMMARY = "移住相談窓口を運営する。\n空き家を紹介する。"
# A two-row header: 事業の名称 / 事業の概要 merged down over both rows, K P I merged over
# 指標…年月 and 実績値 merged over the year columns; each project's name and summary merged
# down over its KPI rows; a unit and the target date merged down over KPI rows.
MERGED_ROWS: list[list[Any]] = [
    [TITLE],
    [SECTION],
    ["事業の名称", "事業の概要", "K P I（重要業績評価指標）", None, None, None, "実績値"],
    [None, None, "指標", "指標値", "単位", "年月", "R4年度", "R5年度"],
    ["移住促進事業", SUMMARY, "移住者数", 100, "人", "R6.3", 80, 95],
    [None, None, "移住相談件数", 300, "件", None, 280, 310],
    [None, None, "空き家バンク成約件数", 10, None, None, 4, "-"],
    ["観光振興事業", "観光協会と連携する。", "観光入込客数", 50000, "人", None, 41000, 52000],
    [None, None, "観光案内所満足度", 90, "%", None, 88.5, 73.5],
]
MERGES = [(3, 1, 4, 1), (3, 2, 4, 2), (3, 3, 3, 6), (3, 7, 3, 8)]
# 単位 件 merged over two KPI rows, 年月 R6.3 over all five: without filling them, those rows
# would have no unit and no target date.
MERGES += [(6, 5, 7, 5), (5, 6, 9, 6)]
MERGES += [(5, 1, 7, 1), (5, 2, 7, 2), (8, 1, 9, 1), (8, 2, 9, 2)]


@pytest.mark.parametrize("kind", WRITERS)
def test_merged_cells_read_as_repeated_values(kind: str) -> None:
    report = read(kind, [Sheet("Sheet1", MERGED_ROWS, MERGES)])
    result = judged(report)
    assert [p["name"] for p in result["projects"]] == ["移住促進事業", "観光振興事業"]
    assert result["projects"][0]["summary"] == SUMMARY
    rows = [
        (k["indicator"], k["unit"], k["target"], k["target_date"], k["actuals"], k["status"])
        for p in result["projects"]
        for k in p["kpis"]
    ]
    assert rows == [
        ("移住者数", "人", 100, "2024-03", {"2022": 80, "2023": 95}, "nearly_achieved"),
        ("移住相談件数", "件", 300, "2024-03", {"2022": 280, "2023": 310}, "achieved"),
        ("空き家バンク成約件数", "件", 10, "2024-03", {"2022": 4, "2023": None}, "no_data"),
        ("観光入込客数", "人", 50000, "2024-03", {"2022": 41000, "2023": 52000}, "achieved"),
        (
            "観光案内所満足度",
            "%",
            90,
            "2024-03",
            {"2022": Decimal("88.5"), "2023": Decimal("73.5")},
            "nearly_achieved",  # 73.5 / 90 = 81.7 %
        ),
    ]
    assert [k["achievement_rate"] for p in result["projects"] for k in p["kpis"]] == [
        Decimal("95.0"),
        Decimal("103.3"),
        None,
        Decimal("104.0"),
        Decimal("81.7"),
    ]


def test_merge_without_value_and_merge_past_the_data() -> None:
    """An empty merged range fills nothing; a range reaching past the data is clipped."""
    cells = {(1, 1): "a", (2, 2): "b"}
    rows = rows_of(cells, [(1, 1, 1_048_576, 16_384), (3, 3, 4, 4)])
    assert [(r.line, r.cells) for r in rows] == [(1, ["a", "a"]), (2, ["a", "a"])]


@pytest.mark.parametrize(
    ("cells", "merges"),
    [
        ({(1, 1): "a", (65536, 256): "b"}, [(1, 1, 65536, 256)]),  # one range, a far cell
        ({(r, 1): "a" for r in range(1, 201)} | {(1, 16384): "b"}, []),  # a far column
        ({(r, 1): "a" for r in range(1, 2001)} | {(1, 1001): "b"}, []),  # one more column
    ],
)
def test_too_many_cells_are_refused_before_any_is_filled(
    cells: dict[tuple[int, int], str], merges: list[tuple[int, int, int, int]]
) -> None:
    """A merged range over a sheet whose last cell is far away would fill millions of cells
    (a 6 KB .xls took minutes and gigabytes): more than `MAX_CELLS` is `bad-workbook`."""
    with pytest.raises(ReportError) as error:
        rows_of(dict(cells), merges)
    (problem,) = error.value.problems
    assert problem.code == "bad-workbook"
    assert problem.message_en.startswith("the sheet has too many cells (up to ")
    assert f"{excel.MAX_CELLS:,}セルまで読めます" in problem.message_ja


def test_the_most_cells_are_read() -> None:
    """Just `MAX_CELLS`: 2,000 rows of 1,000 cells."""
    rows = rows_of({(r, 1): "a" for r in range(1, 2001)} | {(1, 1000): "b"}, [])
    assert len(rows) * len(rows[0].cells) == excel.MAX_CELLS


def test_rows_keep_sheet_row_numbers_and_width() -> None:
    rows = rows_of({(3, 1): "x", (7, 4): "y"}, [])
    assert [(r.line, r.cells) for r in rows] == [(3, ["x", "", "", ""]), (7, ["", "", "", "y"])]


# --- several sheets --------------------------------------------------------------------------

TABLE_ROWS = [
    *MERGED_ROWS[:2],
    ["事業の名称", "事業の概要", "指標", "指標値", "単位", "年月", "R4年度", "R5年度"],
    ["移住促進事業", "窓口を運営する。", "移住者数", 100, "人", "R6.3", 80, 95],
]
COVER = Sheet("表紙", [["令和5年度 KPI実績報告書"], [None], ["試験町 企画課"]])
NOTES = Sheet("注記", [["※ 実績値は各年度末時点"]])


@pytest.mark.parametrize("kind", WRITERS)
def test_the_sheet_with_the_table_is_chosen_and_said(kind: str) -> None:
    report = read(kind, [COVER, Sheet("KPI実績", TABLE_ROWS), NOTES])
    assert [k.indicator for k in report.kpis] == ["移住者数"]
    (notice,) = report.notices  # how the file was read: kept apart from the warnings
    assert (notice.code, notice.sheet, notice.location_ja()) == ("sheet-chosen", None, "")
    assert not [w for w in report.warnings if w.code == "sheet-chosen"]
    assert notice.message_ja == "シート「KPI実績」を読みました（ほかのシート: 表紙、注記）"
    assert notice.message_en == "read sheet 'KPI実績' (other sheets: 表紙, 注記)"


def test_a_cover_sheet_naming_the_columns_is_tried_last() -> None:
    cover = Sheet("表紙", [["事業の名称", "指標"], ["（記入例）"]])
    report = read("xlsx", [cover, Sheet("KPI", TABLE_ROWS)])
    assert [k.indicator for k in report.kpis] == ["移住者数"]


@pytest.mark.parametrize("kind", ["xlsx", "xls"])
def test_a_hidden_sheet_is_tried_after_the_visible_ones(kind: str) -> None:
    old = Sheet("旧様式", [*TABLE_ROWS[:3], ["旧事業", "", "旧指標", 1, "人", "R6.3", 1, 1]])
    old.hidden = True
    report = read(kind, [old, Sheet("KPI", TABLE_ROWS)])
    assert [k.indicator for k in report.kpis] == ["移住者数"]


@pytest.mark.parametrize("kind", WRITERS)
def test_a_named_sheet_is_read(kind: str) -> None:
    other = [*TABLE_ROWS[:3], ["別事業", "", "別指標", 5, "件", "R6.3", 1, 6]]
    sheets = [COVER, Sheet("KPI実績", TABLE_ROWS), Sheet("ＫＰＩ（別表）", other)]
    assert [k.indicator for k in read(kind, sheets, "ＫＰＩ（別表）").kpis] == ["別指標"]
    report = read(kind, sheets, "kpi(別表)")  # NFKC and case-insensitive
    assert [k.indicator for k in report.kpis] == ["別指標"]
    assert report.notices == []


@pytest.mark.parametrize("kind", WRITERS)
def test_a_missing_sheet_lists_the_sheets(kind: str) -> None:
    (problem,) = problems(kind, [COVER, Sheet("KPI実績", TABLE_ROWS)], "KPI")
    assert problem.code == "no-such-sheet"
    assert problem.message_ja == "シート「KPI」はありません（あるシート: 表紙、KPI実績）"
    assert problem.message_en == "there is no sheet 'KPI' (sheets: 表紙, KPI実績)"


def test_a_single_sheet_needs_no_notice() -> None:
    report = read("xlsx", [Sheet("Sheet1", TABLE_ROWS)])
    assert (report.notices, report.warnings) == ([], [])


@pytest.mark.parametrize("kind", WRITERS)
def test_no_table_anywhere_is_not_a_report_on_the_first_filled_sheet(kind: str) -> None:
    empty = Sheet("空", [[None]])
    memo = Sheet("メモ", [[None], ["打合せメモ"], ["来週までに集計する"]])
    (problem,) = problems(kind, [empty, memo])
    assert (problem.code, problem.sheet, problem.line) == ("not-a-report", "メモ", 1)


# --- numbers and dates -----------------------------------------------------------------------


def noisy_rows(date: Any) -> list[list[Any]]:
    header = ["事業の名称", "事業の概要", "指標", "指標値", "単位", "年月", "R4年度", "R5年度"]
    return [
        [TITLE],
        [SECTION],
        header,
        ["計算事業", "", "比率", 0.1 + 0.2, "ポイント", date, 1 / 4, 0.1 + 0.2],
        [None, None, "件数", 1878.0000000000002, "件", date, 1500.0, 1878.0000000000002],
    ]


@pytest.mark.parametrize("kind", WRITERS)
@pytest.mark.parametrize("date", [dt.datetime(2024, 3, 31), dt.date(2024, 3, 1), "R6.3"])
def test_float_noise_and_excel_dates(kind: str, date: Any) -> None:
    report = read(kind, [Sheet("Sheet1", noisy_rows(date))])
    ratio, count = report.kpis
    assert (ratio.target, ratio.actuals[2022].value, ratio.actuals[2023].value) == (
        Decimal("0.3"),
        Decimal("0.25"),
        Decimal("0.3"),
    )
    assert (count.target, count.actuals[2023].value) == (Decimal("1878"), Decimal("1878"))
    assert [k.target_date.iso() for k in report.kpis if k.target_date] == ["2024-03", "2024-03"]
    assert ratio.target_fiscal_year == 2023


@pytest.mark.parametrize("kind", ["xlsx", "xls"])
def test_number_formats_keep_the_digits_shown(kind: str) -> None:
    rows = noisy_rows("R6.3")
    rows[4][6] = 1 / 3  # shown 0.3 with `0.0`
    rows[4][7] = 73.5  # shown 73.50 with `0.00`
    rows[3][6] = 0.411  # shown 41.1% with `0.0%`
    formats = {(5, 7): "0.0", (5, 8): "0.00", (4, 7): "0.0%"}
    ratio, count = read(kind, [Sheet("Sheet1", rows, formats=formats)]).kpis
    assert ratio.actuals[2022].value == Decimal("41.1")
    assert count.actuals[2022].value == Decimal("0.3")
    assert str(count.actuals[2023].value) == "73.50"


def test_ods_percent_cells_read_as_the_percent_shown() -> None:
    rows = noisy_rows("R6.3")
    rows[3][6] = 0.411
    ratio, _ = read("ods", [Sheet("Sheet1", rows, formats={(4, 7): "0.0%"})]).kpis
    assert ratio.actuals[2022].value == Decimal("41.1")


@pytest.mark.parametrize(
    ("value", "number_format", "text"),
    [
        (0.1 + 0.2, None, "0.3"),
        (73.5, None, "73.5"),
        (1878.0, None, "1878"),
        (35245, None, "35245"),
        (1878.0000000000002, "General", "1878"),
        (1 / 3, None, "0.333333333333333"),
        (1 / 3, "0.0", "0.3"),
        (73.5, "0.00", "73.50"),
        (73.5, "#,##0.00", "73.50"),
        (1878, "#,##0", "1878"),
        (1878.5, "#,##0", "1879"),  # Excel rounds half away from zero
        (-1878.5, '#,##0;"△"#,##0', "-1879"),
        (2.675, "0.00", "2.68"),  # Excel rounds the 15-digit value, not the binary one
        (0.411, "0.0%", "41.1%"),
        (0.5, "0%", "50%"),
        (73.456, "0.0#", "73.46"),
        (73.5, "0.0#", "73.5"),
        (1234567, "#,##0,", "1235"),  # shown in thousands
        (5, '[$-411]#,##0"人"', "5"),
        (12345, "0.00E+00", "12345"),  # scientific: shown as General
        (45382, "yyyy/m/d", "45382"),  # a date format on a plain number
        (-0.0, None, "0"),
        (-0.001, "0.00", "0.00"),
        (1e20, None, "100000000000000000000"),
        (float("nan"), None, "#NUM!"),
    ],
)
def test_number_text(value: float, number_format: str | None, text: str) -> None:
    assert number_text(value, number_format) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (True, "TRUE"),
        (False, "FALSE"),
        ("#DIV/0!", "#DIV/0!"),
        ("  1,878 ", "1,878"),
        ("△12", "△12"),
        ("１，８７８", "１，８７８"),
        ("a\r\nb\rc\n", "a\nb\nc"),
        (dt.datetime(2024, 3, 31, 12, 0), "2024年3月"),
        (dt.date(2019, 5, 1), "2019年5月"),
        (dt.time(9, 30), "09:30:00"),
        (7, "7"),
    ],
)
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15))
def test_number_text_is_the_15_digit_value(value: float) -> None:
    """General: the value rounded to 15 significant digits, written plainly, read back exactly."""
    text = number_text(value)
    assert "e" not in text.lower() and text != "-0"
    assert Decimal(text) == Decimal(format(value, ".15g"))
    assert float(text) == pytest.approx(value, rel=1e-14, abs=1e-300)


@settings(max_examples=300, deadline=None)
@given(
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9),
    st.integers(min_value=0, max_value=6),
    st.booleans(),
)
def test_fixed_decimals_are_the_decimals_shown(value: float, places: int, percent: bool) -> None:
    number_format = ("0." + "0" * places if places else "0") + ("%" if percent else "")
    text = number_text(value, number_format)
    digits = text.removesuffix("%")
    assert text.endswith("%") == percent
    assert len(digits.partition(".")[2]) == places
    exact = Decimal(format(value, ".15g")).scaleb(2 if percent else 0)
    assert abs(Decimal(digits) - exact) <= Decimal(1).scaleb(-places) / 2


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=4), st.integers(min_value=0, max_value=4))
def test_optional_decimals(least: int, extra: int) -> None:
    number_format = "0." + "0" * least + "#" * extra if least + extra else "0"
    text = number_text(12.5, number_format)
    shown = len(text.partition(".")[2])
    assert least <= shown <= least + extra
    assert Decimal(text) == Decimal("12.5") or least + extra == 0


# --- cells in the report ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", WRITERS)
def test_a_bad_number_is_located_as_a_cell(kind: str) -> None:
    sheet = sheet_of_text("Sheet1", REFERENCE)
    sheet.rows[10][10] = "約1,878"  # K11: R5年度 of the 2nd KPI
    (problem,) = problems(kind, [sheet])
    assert (problem.code, problem.sheet, problem.line, problem.column) == (
        "bad-number",
        "Sheet1",
        11,
        11,
    )
    assert problem.location_ja() == "シート「Sheet1」 K11セル 「R5年度」"
    assert problem.location_en() == "Sheet1!K11 (R5年度)"


@pytest.mark.parametrize("kind", ["xlsx", "xls"])
def test_error_values_are_read_as_their_text(kind: str) -> None:
    sheet = sheet_of_text("Sheet1", REFERENCE)
    sheet.rows[10][10] = "#DIV/0!"  # openpyxl and tests.excel_files.xls write error cells
    sheet.rows[9][10] = "#N/A"  # a "no value" marker for core.numbers
    (problem,) = problems(kind, [sheet])
    assert (problem.code, problem.line, problem.column) == ("bad-number", 11, 11)
    assert "#DIV/0!" in problem.message_ja


def test_blank_rows_do_not_shift_row_numbers() -> None:
    rows = [[None]] * 5 + TABLE_ROWS[:3] + [[None]] * 3 + [TABLE_ROWS[3]]
    (kpi,) = read("xlsx", [Sheet("Sheet1", rows)]).kpis
    assert kpi.line == 12


# --- broken workbooks ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", WRITERS)
@pytest.mark.parametrize(
    "data",
    [b"", b"PK\x03\x04" + b"\x00" * 200, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600],
)
def test_garbage_is_bad_workbook(kind: str, data: bytes) -> None:
    with pytest.raises(ReportError) as error:
        excel.source(data, kind)
    assert error.value.codes == ["bad-workbook"]


@pytest.mark.parametrize("kind", WRITERS)
def test_a_cut_workbook_is_bad_workbook(kind: str) -> None:
    """(Through `read_report_bytes` a cut .xlsx/.ods loses its zip directory first, and
    `detect` then calls it another kind of zip.)"""
    data = WRITERS[kind]([sheet_of_text("Sheet1", REFERENCE)])
    with pytest.raises(ReportError) as error:
        excel.source(data[: len(data) // 2], kind)
    (problem,) = error.value.problems
    assert problem.code == "bad-workbook"
    assert problem.message_ja.startswith("Excelファイルを読めません（壊れているか")
    assert problem.message_en.startswith("cannot read the workbook (damaged")


def test_an_xls_cut_at_4_kib_is_bad_workbook() -> None:
    """(Found by the fuzz test when calamine read .xls: this file made its Rust code panic.)"""
    with pytest.raises(ReportError) as error:
        excel.source(SEEDS["xls"][:4096], "xls")
    assert error.value.codes == ["bad-workbook"]


def test_a_library_panic_is_bad_workbook() -> None:
    """calamine (which reads .ods) may panic on a damaged file: pyo3's PanicException is a
    BaseException, and must still be `bad-workbook`; a KeyboardInterrupt is not caught."""

    class PanicException(BaseException):  # pyo3's, by name
        pass

    def panic() -> None:
        raise PanicException("index out of bounds")

    with pytest.raises(ReportError) as error:
        excel._guarded(panic)
    assert error.value.codes == ["bad-workbook"]
    assert "PanicException: index out of bounds" in error.value.problems[0].message_en

    def interrupt() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        excel._guarded(interrupt)


def test_a_broken_sheet_xml_is_bad_workbook() -> None:
    data = _rezipped(xlsx([Sheet("Sheet1", TABLE_ROWS)]), lambda xml: xml[: len(xml) // 2])
    with pytest.raises(ReportError) as error:
        read_report_bytes(data, "r.xlsx")
    assert error.value.codes == ["bad-workbook"]


def test_malformed_ods_xml_is_refused_before_calamine() -> None:
    """calamine loops forever on this broken end tag (found by the fuzz test): content.xml is
    parsed first. (Should that break, this test hangs rather than failing.)"""
    broken = _rezipped(
        SEEDS["ods"], lambda xml: xml.replace(b"</table:table>", b"</table:tabl|e>"), "content.xml"
    )
    with pytest.raises(ReportError) as error:
        excel.source(broken, "ods")
    assert error.value.codes == ["bad-workbook"]


def test_a_large_xls_is_read_whole() -> None:
    """3,000 KPIs: a stream over many sectors (and cell data holding record-like bytes)."""
    rows = [*TABLE_ROWS[:3]]
    rows += [
        ["事業", "", f"指標{i}", 512 + i, "件", "R6.3", 3584 + i, 14.0 + i] for i in range(3000)
    ]
    report = read("xls", [Sheet("Sheet1", rows)])
    assert len(report.kpis) == 3000
    assert report.kpis[-1].actuals[2023].value == Decimal("3013")


# --- fuzz: mutated workbooks give a report or the project's own error ------------------------

SMALL = [Sheet("Sheet1", MERGED_ROWS, MERGES)]
SEEDS = {"xlsx": xlsx(SMALL), "xls": xls(SMALL), "ods": ods(SMALL)}


def _mutate(data: bytes, edits: list[tuple[int, int, int]]) -> bytes:
    """Each edit (kind, position, byte): 0 flips a byte, 1 inserts one, 2 cuts the rest."""
    out = bytearray(data)
    for kind, position, byte in edits:
        at = position % (len(out) or 1)
        if kind == 0 and out:
            out[at] ^= byte or 1
        elif kind == 1:
            out.insert(at, byte)
        elif out:
            del out[max(at, 1) :]
    return bytes(out)


def _rezipped(data: bytes, change: Any, member: str = "xl/worksheets/sheet1.xml") -> bytes:
    """The workbook with one member's bytes changed, the zip itself intact."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            body = old.read(info)
            new.writestr(info, change(body) if info.filename == member else body)
    return out.getvalue()


def _read_or_own_error(data: bytes, name: str) -> None:
    try:
        report = read_report_bytes(data, name)
    except KpiledgerError:
        return
    assert isinstance(report, Report)
    report_record(evaluate_report(report))  # and it can be judged


EDITS = st.lists(
    st.tuples(st.integers(0, 2), st.integers(0, 1 << 20), st.integers(0, 255)),
    min_size=1,
    max_size=4,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(SEEDS)), EDITS)
def test_fuzz_mutated_workbook_bytes(kind: str, edits: list[tuple[int, int, int]]) -> None:
    _read_or_own_error(_mutate(SEEDS[kind], edits), f"f.{kind}")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([("xlsx", "xl/worksheets/sheet1.xml"), ("ods", "content.xml")]), EDITS)
def test_fuzz_mutated_sheet_xml(part: tuple[str, str], edits: list[tuple[int, int, int]]) -> None:
    """Mutations inside the sheet's XML (the zip kept valid), so the XML parser is reached."""
    kind, member = part
    data = _rezipped(SEEDS[kind], lambda xml: _mutate(xml, edits), member)
    _read_or_own_error(data, f"f.{kind}")


def _with_merge(data: bytes, ref: str) -> bytes:
    """The workbook with one more merged range written into its sheet's XML (openpyxl itself
    would create every cell of a huge range while writing it)."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            body = source.read(item)
            if item.filename.startswith("xl/worksheets/sheet"):
                merge = f'</sheetData><mergeCells count="1"><mergeCell ref="{ref}"/></mergeCells>'
                body = body.replace(b"</sheetData>", merge.encode(), 1)
            target.writestr(item, body)
    return out.getvalue()


def test_an_xlsx_merging_the_whole_sheet_is_refused_before_openpyxl_fills_it() -> None:
    """A1:XFD1048576 would take openpyxl minutes and end in a MemoryError; the merged ranges
    are measured in the sheet's XML first."""
    from tests.excel_files import sheet_of_text
    from tests.test_formats import REFERENCE

    data = _with_merge(xlsx([sheet_of_text("KPI", REFERENCE)]), "A200:XFD1048576")
    with pytest.raises(ReportError) as err:
        read_report_bytes(data, "bomb.xlsx")
    [problem] = err.value.problems
    assert problem.code == "bad-workbook"
    assert "17,176,608,768" in problem.message_ja and "17,176,608,768" in problem.message_en
    small = _with_merge(xlsx([sheet_of_text("KPI", REFERENCE)]), "A200:B201")
    assert len(read_report_bytes(small, "fine.xlsx").kpis) == 24
