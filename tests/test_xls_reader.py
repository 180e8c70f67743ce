"""The .xls reader (xlrd on the workbook stream that `xls_stream` takes out of the compound
file): an .xls reads exactly like the same .xlsx (number formats, dates, booleans, errors,
merged ranges, hidden sheets), and no damaged .xls makes it hang, crash or print.

Workbooks are built with xlwt and openpyxl (tests/excel_files.py); the damaged ones by editing
their records or their compound file here. The fuzz tests run KPILEDGER_FUZZ_EXAMPLES examples
each (default 300).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import struct
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.excel_files import Sheet, biff, compound_file, sheet_of_text, xls, xlsx
from tests.test_excel_reader import MERGED_ROWS, MERGES, SMALL, TABLE_ROWS, judged
from tests.test_text_reader_layouts import REFERENCE

from kpiledger.core.errors import KpiledgerError, ReportError
from kpiledger.core.evaluate import evaluate_report
from kpiledger.core.model import Report
from kpiledger.io.readers import excel, read_report_bytes
from kpiledger.io.readers.excel_values import from_serial, is_date_format, is_duration
from kpiledger.io.readers.xls import workbook_stream
from kpiledger.io.writers.records import report_record

EXAMPLES = int(os.environ.get("KPILEDGER_FUZZ_EXAMPLES", "300"))

#: Seconds: far above any real case (milliseconds; minutes when the guard breaks), so a
#: loaded machine cannot fail the test but a fill of 16 million cells or a loop still does.
HANG = 30.0


def texts(data: bytes, kind: str, sheet: str | None = None) -> list[tuple[int, list[str]]]:
    return [(row.line, row.cells) for row in excel.source(data, kind, sheet=sheet).rows]


# --- an .xls reads like the same .xlsx -------------------------------------------------------

#: (value written, number format, the text Excel shows and the reader reads)
SHOWN: list[tuple[Any, str | None, str]] = [
    (0.411, "0.0%", "41.1%"),
    (0.5, "0%", "50%"),
    (0.12345, "0.00%", "12.35%"),
    (73.5, "0.00", "73.50"),
    (1 / 3, "0.0", "0.3"),
    (2.675, "0.00", "2.68"),
    (73.456, "0.0#", "73.46"),
    (1878, "#,##0", "1878"),
    (1878.5, "#,##0", "1879"),
    (-1878.5, '#,##0;"△"#,##0', "-1879"),
    (1234567, "#,##0,", "1235"),
    (5, '[$-411]#,##0"人"', "5"),
    (0.1 + 0.2, None, "0.3"),
    (1878.0000000000002, None, "1878"),
    (35245, None, "35245"),
    (12345, "0.00E+00", "12345"),
    (dt.date(2024, 3, 31), "yyyy/m/d", "2024年3月"),
    (dt.datetime(2024, 3, 1, 9, 30), "yyyy/m/d h:mm", "2024年3月"),
    (dt.date(2019, 5, 1), '[$-411]ggge"年"m"月"d"日"', "2019年5月"),
    (dt.date(2023, 12, 1), 'yyyy"年"m"月"', "2023年12月"),
    (45382, "yyyy/m/d", "2024年3月"),  # a number with a date format is the date shown
    (dt.time(9, 30), "h:mm", "09:30:00"),
    (1.5, "[h]:mm", "1 day, 12:00:00"),  # elapsed time, as openpyxl gives it
    (3e6, "yyyy/m/d", "#VALUE!"),  # after the year 9999: no date
    (True, None, "TRUE"),
    (False, None, "FALSE"),
    ("#DIV/0!", None, "#DIV/0!"),
    ("#N/A", None, "#N/A"),
    ("  △12 ", None, "△12"),
    ("移住\n相談", None, "移住\n相談"),
]


def shown_sheet(name: str = "表示") -> Sheet:
    formats = {(i, 1): f for i, (_, f, _) in enumerate(SHOWN, start=1) if f}
    return Sheet(name, [[value] for value, _, _ in SHOWN], formats=formats)


@pytest.mark.parametrize("kind", ["xlsx", "xls"])
def test_cells_read_as_excel_shows_them(kind: str) -> None:
    data = {"xlsx": xlsx, "xls": xls}[kind]([shown_sheet()])
    assert [cells[0] for _, cells in texts(data, kind)] == [text for _, _, text in SHOWN]


def test_the_xls_holds_the_formats_not_texts() -> None:
    """The generated .xls is a real one: 0.411 is a number cell whose XF names `0.0%`."""
    import xlrd

    book = xlrd.open_workbook(file_contents=xls([shown_sheet()]), formatting_info=True)
    ws = book.sheet_by_index(0)
    xf = book.xf_list[ws.cell_xf_index(0, 0)]
    assert (ws.cell_type(0, 0), ws.cell_value(0, 0)) == (xlrd.XL_CELL_NUMBER, 0.411)
    assert book.format_map[xf.format_key].format_str == "0.0%"


@pytest.mark.parametrize("sheets", ["merged", "reference", "several"])
def test_an_xls_reads_like_the_same_xlsx(sheets: str) -> None:
    """Row by row and cell by cell, with every sheet chosen the same way."""
    hidden = Sheet("旧様式", TABLE_ROWS, hidden=True)
    books = {
        "merged": [Sheet("Sheet1", MERGED_ROWS, MERGES)],
        "reference": [sheet_of_text("Sheet1", REFERENCE)],
        "several": [hidden, shown_sheet("表紙"), Sheet("KPI", TABLE_ROWS)],
    }[sheets]
    xls_source, xlsx_source = excel.source(xls(books), "xls"), excel.source(xlsx(books), "xlsx")
    assert (xls_source.sheet, xls_source.notices) == (xlsx_source.sheet, xlsx_source.notices)
    assert xls_source.rows == xlsx_source.rows
    for spec in books:
        assert texts(xls(books), "xls", spec.name) == texts(xlsx(books), "xlsx", spec.name)


FORMATS = ["General", "0", "0.0", "0.00", "0.000", "#,##0", "#,##0.00", "0%", "0.0%", "0.00%"]
FORMATS += ["#,##0,", "0.0#", '#,##0"件"', "yyyy/m/d", "[h]:mm", "h:mm", "0.00E+00"]
#: Floats of up to 15 significant digits: openpyxl writes a float with only 16, so a longer one
#: would differ in the .xlsx itself, not in its reading.
FLOATS = st.floats(min_value=-1e9, max_value=1e9).map(lambda x: float(f"{x:.15g}"))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            FLOATS | st.integers(-(10**9), 10**9),
            st.sampled_from(FORMATS),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_any_number_in_any_format_reads_alike(cells: list[tuple[float, str]]) -> None:
    sheet = Sheet("S", [[value] for value, _ in cells], formats=dict(_formats(cells)))
    sheet.rows.append(["終"])  # a last row, so no sheet is empty
    assert texts(xls([sheet]), "xls") == texts(xlsx([sheet]), "xlsx")


def _formats(cells: list[tuple[float, str]]) -> Any:
    for row, (_, number_format) in enumerate(cells, start=1):
        yield (row, 1), number_format


def test_percent_decimals_and_thousands_reach_the_kpis() -> None:
    """Through the interpreter: 41.1% is read as 41.1 with the unit %, 73.50 keeps its zero,
    1,234,567 shown in thousands is 1235."""
    header = ["事業の名称", "事業の概要", "指標", "指標値", "単位", "年月", "R4年度", "R5年度"]
    rows = [
        ["## 令和5年度地方創生推進交付金事業の実績（試験町）"],
        ["【地方創生推進交付金対象事業】"],
        header,
        ["計算事業", "", "満足度", 0.5, "%", dt.date(2024, 3, 1), 0.411, 0.48],
        [None, None, "来場者数（千人）", 1500, "千人", dt.date(2024, 3, 1), 73.5, 1234567],
    ]
    formats = {(4, 4): "0%", (4, 7): "0.0%", (4, 8): "0.0%", (5, 7): "0.00", (5, 8): "#,##0,"}
    sheets = [Sheet("Sheet1", rows, formats=formats)]
    from_xls = read_report_bytes(xls(sheets), "r.xls")
    assert judged(from_xls) == judged(read_report_bytes(xlsx(sheets), "r.xlsx"))
    rate, visitors = from_xls.kpis
    assert (str(rate.target), str(rate.actuals[2022].value), str(rate.actuals[2023].value)) == (
        "50",
        "41.1",
        "48.0",
    )
    assert str(visitors.actuals[2022].value) == "73.50"
    assert visitors.actuals[2023].value == 1235
    assert [k.target_date.iso() for k in from_xls.kpis if k.target_date] == ["2024-03"] * 2


def test_an_xls_counting_dates_from_1904() -> None:
    rows = [[dt.date(2024, 3, 31)], [dt.date(2023, 4, 1)], [dt.time(9, 30)]]
    sheet = Sheet("S", rows, formats={(3, 1): "h:mm"})
    assert texts(xls([sheet], dates_1904=True), "xls") == texts(xls([sheet]), "xls")
    assert [cells for _, cells in texts(xls([sheet]), "xls")] == [
        ["2024年3月"],
        ["2023年4月"],
        ["09:30:00"],
    ]


@pytest.mark.parametrize(
    "number_format",
    [
        "General",
        "0.00",
        "yyyy/m/d",
        '[$-411]ggge"年"m"月"d"日"',
        '"m"0',
        "[Red]0.0",
        "[h]:mm:ss",
        "[mm]:ss",
        "mm:ss.0",
        '0.0_m;"△"0.0',
        "\\d0",
        "@",
        "#,##0;[Red]-#,##0",
        "0.0;yyyy",
        "[$-F800]dddd, mmmm dd, yyyy",
        "",
    ],
)
def test_dates_are_told_as_openpyxl_tells_them(number_format: str) -> None:
    """The .xls reader decides "date" as openpyxl does for an .xlsx, so both read alike."""
    from openpyxl.styles.numbers import is_date_format as openpyxl_date
    from openpyxl.styles.numbers import is_timedelta_format

    assert is_date_format(number_format) == openpyxl_date(number_format or None)
    assert is_duration(number_format) == is_timedelta_format(number_format or None)


@settings(max_examples=300, deadline=None)
@given(
    st.floats(min_value=-1e6, max_value=2.9e6, allow_nan=False),
    st.booleans(),
    st.booleans(),
)
def test_date_serials_are_read_as_openpyxl_reads_them(
    serial: float, epoch_1904: bool, duration: bool
) -> None:
    from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel

    try:
        expected = from_excel(serial, MAC_EPOCH if epoch_1904 else WINDOWS_EPOCH, duration)
    except (OverflowError, ValueError):
        with pytest.raises((OverflowError, ValueError)):
            from_serial(serial, epoch_1904, duration=duration)
        return
    assert from_serial(serial, epoch_1904, duration=duration) == expected


def test_cell_types_and_error_codes_are_xlrds() -> None:
    import xlrd
    from xlrd.biffh import error_text_from_code

    from kpiledger.io.readers import xls as reader

    assert [xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_TEXT, xlrd.XL_CELL_NUMBER] == [0, 1, 2]
    assert [xlrd.XL_CELL_DATE, xlrd.XL_CELL_BOOLEAN, xlrd.XL_CELL_ERROR] == [3, 4, 5]
    assert xlrd.XL_CELL_BLANK == 6
    assert error_text_from_code == reader.ERRORS


# --- the compound file -----------------------------------------------------------------------

ONE = biff([Sheet("S", [["移住者数", 95]])])


@pytest.mark.parametrize("padded", [False, True])
def test_a_stream_in_the_mini_stream_or_in_sectors(padded: bool) -> None:
    """Under 4 KiB a stream lies in the mini stream (as programs other than Excel write)."""
    stream = ONE.ljust(5000, b"\0") if padded else ONE
    assert workbook_stream(compound_file(stream)) == stream
    assert texts(compound_file(stream), "xls") == [(1, ["移住者数", "95"])]


@pytest.mark.parametrize("name", ["Book", "WORKBOOK"])
def test_the_stream_is_found_by_its_names(name: str) -> None:
    """`Book` is Excel 5/95's name; names are compared without case, as xlrd does."""
    assert texts(compound_file(ONE, name=name), "xls") == [(1, ["移住者数", "95"])]


@pytest.mark.parametrize("damage", [{"mini_loop": True}, {"siblings": 40}])
def test_compound_file_damages_that_hang_xlrd_are_read_once(damage: dict[str, Any]) -> None:
    """xlrd's own compound-file reader never returns on these two (a small stream's chain
    looping back; 40 directory entries each naming the next twice: 2**40 walks), so it is not
    used: each sector and entry is visited once. (Should that break, this test hangs.)"""
    data = compound_file(ONE.ljust(5000, b"\0") if "siblings" in damage else ONE, **damage)
    started = time.perf_counter()
    assert texts(data, "xls") == [(1, ["移住者数", "95"])]
    assert time.perf_counter() - started < HANG


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (
            compound_file(ONE).replace(
                "Workbook".encode("utf-16-le"), "WordDocu".encode("utf-16-le")
            ),
            "no workbook",
        ),
        (compound_file(compound_file(ONE)), "itself a compound file"),
        (compound_file(ONE)[:512], "no directory"),
        (compound_file(b""), "stream is empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(22) + b"\x11\x00" + bytes(600), "sector size"),
        (compound_file(b"\x09\x08\x10\x00" + bytes(16)), "XLRDError: Unsupported format"),
    ],
)
def test_a_compound_file_without_a_workbook_is_bad_workbook(data: bytes, detail: str) -> None:
    with pytest.raises(ReportError) as error:
        excel.source(data, "xls")
    (problem,) = error.value.problems
    assert problem.code == "bad-workbook"
    assert detail in problem.message_en and detail in problem.message_ja


# --- damaged records -------------------------------------------------------------------------

SEED = xls(SMALL)


def _patched(data: bytes, record: bytes, layout: str, *values: int) -> bytes:
    """`data` with the first record starting `record` given new field values."""
    out = bytearray(data)
    at = out.index(record) + 4
    struct.pack_into(layout, out, at, *values)
    return bytes(out)


@pytest.mark.parametrize(
    "size",
    [(2048, 9, 0, 8), (0, 0xFFFFFFFF, 0, 0xFFFF), (0xFFFFFFFF, 0, 0xFFFF, 0)],
)
def test_an_impossible_sheet_size_is_only_a_claim(size: tuple[int, ...]) -> None:
    """A DIMENSIONS record saying the first row is after the last (found by the fuzz test: it
    made calamine allocate terabytes and abort the process) or billions of rows: xlrd reads the
    cells there are, and the sheet reads as without the damage."""
    damaged = _patched(SEED, b"\x00\x02\x0e\x00", "<IIHH", *size)
    assert damaged != SEED
    assert judged(read_report_bytes(damaged, "d.xls")) == judged(read_report_bytes(SEED, "s.xls"))


def test_a_merged_range_over_the_whole_sheet_fills_only_the_cells_there_are(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A MERGEDCELLS record claiming A1:IV65536 (and one past any sheet): xlrd keeps rows
    ragged, so nothing fills 16 million cells; the reader clips the range to the data (where
    the merged value covers the cell it hides, as in Excel). xlrd's warning about the bad range
    goes nowhere (not to standard output)."""
    sheet = Sheet("S", [["見出し", None], [None, "x"]], merges=[(1, 1, 1, 2)])
    data = _patched(xls([sheet]), b"\xe5\x00\x0a\x00\x01\x00", "<H4H", 1, 0, 0xFFFF, 0, 0xFF)
    started = time.perf_counter()
    assert texts(data, "xls") == [(1, ["見出し", "見出し"]), (2, ["見出し", "見出し"])]
    assert time.perf_counter() - started < HANG
    past = _patched(xls([sheet]), b"\xe5\x00\x0a\x00\x01\x00", "<H4H", 1, 0xFFFF, 0, 0xFFFF, 0)
    assert texts(past, "xls") == [(1, ["見出し", ""]), (2, ["", "x"])]
    assert capsys.readouterr() == ("", "")


def test_a_merged_range_over_a_sheet_with_a_far_cell_is_refused_at_once() -> None:
    """One merged range A1:IV65536 and a cell in IV65536 (a 6 KB file): filling it took minutes
    and gigabytes; it is `bad-workbook` (too many cells) before anything is filled."""
    rows = [["見出し"], *[[] for _ in range(65534)], [*[None] * 255, "x"]]
    sheet = Sheet("S", rows, merges=[(1, 1, 1, 2)])
    data = _patched(xls([sheet]), b"\xe5\x00\x0a\x00\x01\x00", "<H4H", 1, 0, 0xFFFF, 0, 0xFF)
    assert len(data) < 8192
    started = time.perf_counter()
    with pytest.raises(ReportError) as error:
        excel.source(data, "xls")
    assert time.perf_counter() - started < HANG
    (problem,) = error.value.problems
    assert problem.code == "bad-workbook"
    assert "up to 16,777,728 with its merged ranges filled" in problem.message_en


def test_an_encrypted_xls_is_bad_workbook() -> None:
    """A FILEPASS record (a password to open) in place of the first record after the BOF."""
    stream = bytearray(biff(SMALL))
    bof_end = 4 + struct.unpack_from("<H", stream, 2)[0]
    struct.pack_into(
        "<HH", stream, bof_end, 0x002F, struct.unpack_from("<H", stream, bof_end + 2)[0]
    )
    with pytest.raises(ReportError) as error:
        excel.source(compound_file(bytes(stream)), "xls")
    assert error.value.codes == ["bad-workbook"]
    assert "encrypted" in error.value.problems[0].message_en


# --- fuzz: edited records and compound files -------------------------------------------------

#: Record types worth turning a record into: cells, sizes, merges, formats, strings, sheets.
CODES = [0x0006, 0x000A, 0x0018, 0x0022, 0x002F, 0x003C, 0x0042, 0x0085, 0x00BD, 0x00BE]
CODES += [0x00E0, 0x00E5, 0x00FC, 0x00FD, 0x0200, 0x0201, 0x0203, 0x0204, 0x0205, 0x0207]
CODES += [0x0208, 0x027E, 0x041E, 0x0809, 0x001C, 0x005D, 0x01B6, 0x0017, 0x01AE, 0x0023]
WORDS = [0, 1, 0xFF, 0x100, 0x3FFF, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF]
LONGS = [0, 1, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF]
SEED_STREAMS = [biff(SMALL), biff([shown_sheet(), Sheet("KPI", TABLE_ROWS, hidden=True)])]


@st.composite
def record_edits(draw: st.DrawFn) -> tuple[bytes, bool]:
    """A seed's stream with its records edited, and whether to pad it past 4 KiB (out of the
    mini stream, as Excel and xlwt write it)."""
    seed = draw(st.integers(0, len(SEED_STREAMS) - 1))
    edits = draw(
        st.lists(
            st.tuples(
                st.integers(0, 9),
                st.integers(0, 1 << 16),
                st.integers(0, 1 << 16),
                st.integers(0, 255),
                st.binary(max_size=24),
            ),
            min_size=1,
            max_size=5,
        )
    )
    records = _records(SEED_STREAMS[seed])
    for edit in edits:
        _edit(records, *edit)
    return _joined(records, mend=draw(st.booleans())), draw(st.booleans())


Record = list[Any]  # [code, body, length lie]


def _records(stream: bytes) -> list[Record]:
    records, at = [], 0
    while at + 4 <= len(stream):
        code, length = struct.unpack_from("<HH", stream, at)
        records.append([code, bytearray(stream[at + 4 : at + 4 + length]), 0])
        at += 4 + length
    return records


def _edit(records: list[Record], op: int, which: int, at: int, value: int, blob: bytes) -> None:
    """One edit of a record: 0 flips a byte, 1 and 2 write an extreme 16- or 32-bit number, 3
    drops the record, 4 repeats it, 5 cuts its body, 6 changes its type, 7 makes its length
    lie, 8 inserts a record of bytes, 9 cuts the stream there."""
    if not records:
        return
    index = which % len(records)
    code, body, _ = record = records[index]
    place = at % (len(body) or 1)
    if op == 0 and body:
        body[place] ^= value or 1
    elif op in (1, 2) and len(body) >= 2 * op:
        numbers, layout = (WORDS, "<H") if op == 1 else (LONGS, "<I")
        struct.pack_into(
            layout, body, min(place, len(body) - 2 * op), numbers[value % len(numbers)]
        )
    elif op == 3:
        del records[index]
    elif op == 4:
        records.insert(index, [code, bytearray(body), 0])
    elif op == 5:
        del body[place:]
    elif op == 6:
        record[0] = CODES[value % len(CODES)]
    elif op == 7:
        record[2] = value - 128
    elif op == 8:
        records.insert(index, [CODES[value % len(CODES)], bytearray(blob), 0])
    elif op == 9:
        del records[index + 1 :]
        del body[place:]


def _joined(records: list[Record], *, mend: bool) -> bytes:
    """The records as a stream; `mend` points each BOUNDSHEET at its sheet's BOF again (so
    edits that move a sheet still reach its cells)."""
    out, positions = bytearray(), []
    for code, body, lie in records:
        positions.append(len(out))
        out += struct.pack("<HH", code, max(0, min(0xFFFF, len(body) + lie))) + body
    if mend:
        sheets = [p for p, r in zip(positions, records, strict=True) if r[0] == 0x0809][1:]
        bounds = [p for p, r in zip(positions, records, strict=True) if r[0] == 0x0085]
        for bound, sheet in zip(bounds, sheets, strict=False):
            if bound + 8 <= len(out):
                struct.pack_into("<I", out, bound + 4, sheet)
    return bytes(out)


def read_or_own_error(data: bytes) -> Report | None:
    """A report that can be judged, or the project's own error; never anything printed."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        try:
            report = read_report_bytes(data, "f.xls")
            report_record(evaluate_report(report))
        except KpiledgerError:
            report = None
    assert printed.getvalue() == ""
    return report


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record_edits())
def test_fuzz_edited_xls_records(edited: tuple[bytes, bool]) -> None:
    stream, padded = edited
    read_or_own_error(compound_file(stream.ljust(4096, b"\0") if padded else stream))


#: A small workbook in the mini stream: header, FAT, directory and miniFAT are all in its first
#: 2 KiB, where the edits of the next test fall.
SMALL_FILE = compound_file(biff([Sheet("S", TABLE_ROWS)]))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([SMALL_FILE, SEED]),
    st.lists(
        st.tuples(st.integers(0, 2047), st.sampled_from([1, 2, 4]), st.integers(0, 1 << 32)),
        min_size=1,
        max_size=4,
    ),
)
def test_fuzz_edited_compound_file(data: bytes, edits: list[tuple[int, int, int]]) -> None:
    """Numbers overwritten in the header, FAT, directory and miniFAT (sector ids, sizes,
    sibling links, name lengths), the stream itself intact."""
    out = bytearray(data)
    for at, width, value in edits:
        layout = {1: "<B", 2: "<H", 4: "<I"}[width]
        struct.pack_into(layout, out, min(at, len(out) - width), value % (1 << 8 * width))
    read_or_own_error(bytes(out))
