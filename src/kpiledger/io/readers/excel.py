"""Reader for workbooks: Excel (.xlsx with openpyxl; .xls with python-calamine) and
OpenDocument spreadsheets (.ods with python-calamine).

It only tokenizes: one sheet's cells become rows of cell texts, read by `table.interpret`
exactly like the tab-separated text. Each row's `line` is the sheet's own row number, so
problems are located as `Sheet1!K11` (「シート「Sheet1」 K11セル」).

How a cell becomes text ("what Excel shows is what is read", see `cell_text`):

- A number is rounded to 15 significant digits as Excel displays it, so binary float noise
  never reaches a value (0.1+0.2 → `0.3`, 1878.0000000000002 → `1878`). In an .xlsx, a number
  format that fixes decimals keeps the digits shown (`0.00`: 73.5 → `73.50`; `0.0`: 1/3 →
  `0.3`); a percent format gives the number shown with `%` (`0.0%`: 0.411 → `41.1%`, which
  `core.numbers` reads as 41.1 with the inline unit `%`); `#,##0,` (thousands) is scaled as
  shown. An .ods is read the same way for percent cells (its `content.xml` says which cells are
  percentages). An .xls gives no number formats here: its numbers are read as stored (rounded
  to 15 digits), so a percent cell reads 0.411 there.
- A date becomes `2024年3月` (targets are months; a day is dropped), which `core.era` reads.
- A boolean is `TRUE` / `FALSE`, an error its text (`#DIV/0!`, `#N/A`); text is trimmed and
  its line breaks are `\\n`.

Merged cells: the value of a merged range is copied into every cell of the range, so a project
name merged over its KPI rows reads as the name repeated on each row (the interpreter continues
the project) and 実績値 merged over the year columns heads each year. .xlsx and .xls give the
ranges; for .ods they are read from `content.xml` (`number-rows-spanned` / `-columns-spanned`).

Which sheet: `sheet="NAME"` (exactly, else NFKC and case-insensitively); otherwise the first
sheet with a KPI header row (`columns.is_header_start`), visible sheets before hidden ones and
cover sheets (表紙, 目次, 注記 …) last, with a `sheet-chosen` notice when there was a choice.

A damaged or password-protected file is `bad-workbook`, never a traceback. Two damages that
calamine cannot survive are refused before it sees them: an .xls recording an impossible sheet
size (calamine would abort the process allocating it) and an .ods whose content.xml is not
well-formed (calamine would loop forever).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import struct
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from io import BytesIO
from typing import Any

from kpiledger.core.errors import Problem, ReportError
from kpiledger.io.readers.columns import Row, is_header_start
from kpiledger.io.readers.source import Source

#: Sheet names (NFKC, lower case) that hold no KPI table: tried after every other sheet.
COVER_WORDS = (
    "表紙",
    "目次",
    "注記",
    "注意",
    "説明",
    "記入例",
    "凡例",
    "cover",
    "contents",
    "note",
)

Cells = dict[tuple[int, int], str]  # (row, column), both 1-based → text
Merge = tuple[int, int, int, int]  # first row, first column, last row, last column (1-based)


def source(data: bytes, kind: str, *, sheet: str | None = None) -> Source:
    """The rows of one sheet of a workbook of `kind` ("xlsx", "xls" or "ods")."""
    book = _guarded(lambda: _open(data, kind))
    if sheet is not None:
        name = _find_sheet(book.names, sheet)
        return Source(_guarded(lambda: book.rows(name)), kind, sheet=name)
    name, rows = _guarded(lambda: _choose(book))
    notices = [_chosen(name, book.names)] if len(book.names) > 1 else []
    return Source(rows, kind, sheet=name, notices=notices)


# --- the libraries ---------------------------------------------------------------------------


@dataclass
class _Book:
    """A workbook's worksheets in order, and how to read one as rows."""

    names: list[str]
    hidden: set[str]
    read: Callable[[str], tuple[Cells, list[Merge]]]

    def rows(self, name: str) -> list[Row]:
        cells, merges = self.read(name)
        return rows_of(cells, merges)


def _open(data: bytes, kind: str) -> _Book:
    if kind == "xlsx":
        return _open_xlsx(data)
    return _open_calamine(data, kind)


def _open_xlsx(data: bytes) -> _Book:
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unsupported extensions, data validation …
        book = openpyxl.load_workbook(BytesIO(data), read_only=False, data_only=True)
    sheets = {ws.title: ws for ws in book.worksheets}  # chart sheets hold no cells
    hidden = {ws.title for ws in book.worksheets if ws.sheet_state != "visible"}
    return _Book(list(sheets), hidden, lambda name: _xlsx_cells(sheets[name]))


def _xlsx_cells(ws: Any) -> tuple[Cells, list[Merge]]:
    """The non-empty cells of an openpyxl worksheet and its merged ranges.

    `_cells` holds only the cells the file has; `iter_rows` would create every cell of the
    sheet's rectangle, which a stray formatted cell far away makes huge."""
    cells: Cells = {}
    for (row, column), cell in ws._cells.items():
        if cell.value is not None:
            text = cell_text(cell.value, cell.number_format)
            if text:
                cells[row, column] = text
    merges = [(r.min_row, r.min_col, r.max_row, r.max_col) for r in ws.merged_cells.ranges]
    return cells, merges


def _open_calamine(data: bytes, kind: str) -> _Book:
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    if kind == "xls":
        _check_dimensions(data)
    # An .ods's content.xml is parsed first: for what calamine does not give (merged ranges,
    # percent cells), and because calamine loops forever on some malformed XML.
    ods = dict(_ods_tables(data)) if kind == "ods" else {}
    book = CalamineWorkbook.from_filelike(BytesIO(data))
    sheets = [m for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
    hidden = {m.name for m in sheets if m.visible != SheetVisibleEnum.Visible}

    def read(name: str) -> tuple[Cells, list[Merge]]:
        sheet = book.get_sheet_by_name(name)
        ods_merges, percent = ods.get(name, ([], set()))
        cells: Cells = {}
        for r, values in enumerate(sheet.to_python(skip_empty_area=False), start=1):
            for c, value in enumerate(values, start=1):
                if value != "" and value is not None:
                    text = cell_text(value, "0.##############%" if (r, c) in percent else None)
                    if text:
                        cells[r, c] = text
        ranges = sheet.merged_cell_ranges or []
        merges = [(a + 1, b + 1, c + 1, d + 1) for (a, b), (c, d) in ranges]
        return cells, merges + ods_merges

    return _Book([m.name for m in sheets], hidden, read)


_XLS_ROWS, _XLS_COLUMNS = 65536, 256
_END_OF_CHAIN = 0xFFFFFFFA  # sector ids from here on are markers (end, free, FAT, DIFAT)


def _check_dimensions(data: bytes) -> None:
    """Refuse an .xls whose recorded sheet size is impossible (first row after the last, more
    than 65536 rows or 256 columns): calamine allocates the size its DIMENSIONS record says
    before reading a cell, and a failed allocation aborts the whole process (no exception).
    The records are read from the workbook stream; without one, calamine says what is wrong."""
    stream = _workbook_stream(data)
    position = 0
    while position + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, position)
        body = stream[position + 4 : position + 4 + length]
        if kind == 0x0200 and len(body) in (10, 14):  # DIMENSIONS of BIFF5/7 or BIFF8
            layout = "<HHHH" if len(body) == 10 else "<IIHH"
            first_row, end_row, first_column, end_column = struct.unpack_from(layout, body)
            if not (
                first_row <= end_row <= _XLS_ROWS and first_column <= end_column <= _XLS_COLUMNS
            ):
                raise _bad_workbook(ValueError(f"impossible sheet size {end_row}x{end_column}"))
        position += 4 + length


def _workbook_stream(data: bytes) -> bytes:
    """The `Workbook` (or `Book`) stream of an OLE2 compound file, b"" when not found."""
    if len(data) < 512 or struct.unpack_from("<H", data, 0x1E)[0] not in (9, 12):
        return b""
    size = 1 << struct.unpack_from("<H", data, 0x1E)[0]

    def sector(index: int) -> bytes:
        return data[(index + 1) * size : (index + 2) * size]

    fat_sectors = list(struct.unpack_from("<109I", data, 0x4C))
    following, seen = struct.unpack_from("<I", data, 0x44)[0], set()
    while following < _END_OF_CHAIN and following not in seen:  # the DIFAT chain
        seen.add(following)
        block = sector(following)
        if len(block) < size:
            break
        *more, following = struct.unpack(f"<{size // 4}I", block)
        fat_sectors += more
    fat = _ids(b"".join(sector(s) for s in fat_sectors if s < _END_OF_CHAIN))
    directory = _chain(sector, fat, struct.unpack_from("<I", data, 0x30)[0])
    entries = [directory[i : i + 128] for i in range(0, len(directory) - 127, 128)]
    found = [e for e in entries if e[: e[64] - 2].decode("utf-16-le", "replace") in _STREAMS]
    if not entries or not found:
        return b""
    start, length = struct.unpack_from("<II", found[0], 116)
    if length >= struct.unpack_from("<I", data, 0x38)[0]:
        return _chain(sector, fat, start)[:length]
    mini = _chain(sector, fat, struct.unpack_from("<I", entries[0], 116)[0])
    minifat = _ids(_chain(sector, fat, struct.unpack_from("<I", data, 0x3C)[0]))
    return _chain(lambda i: mini[i * 64 : (i + 1) * 64], minifat, start)[:length]


_STREAMS = ("Workbook", "Book")


def _ids(table: bytes) -> list[int]:
    return list(struct.unpack(f"<{len(table) // 4}I", table[: len(table) // 4 * 4]))


def _chain(read: Callable[[int], bytes], table: list[int], start: int) -> bytes:
    """The sectors of a chain joined, stopping at its end, a bad id or a loop."""
    parts, seen, index = [], set(), start
    while index < min(len(table), _END_OF_CHAIN) and index not in seen:
        seen.add(index)
        parts.append(read(index))
        index = table[index]
    return b"".join(parts)


def _guarded(call: Callable[[], Any]) -> Any:
    """`call()`, any library failure turned into `bad-workbook` (never a traceback).

    The libraries raise many kinds (zip, XML, key, value, calamine errors); calamine's Rust
    code may also panic on a damaged file, which reaches Python as pyo3's `PanicException`, a
    `BaseException`: that one is caught too, while KeyboardInterrupt and SystemExit pass."""
    try:
        return call()
    except ReportError:
        raise
    except Exception as error:
        raise _bad_workbook(error) from None
    except BaseException as error:
        if type(error).__name__ != "PanicException":
            raise
        raise _bad_workbook(error) from None


def _bad_workbook(error: BaseException) -> ReportError:
    detail = f"{type(error).__name__}: {error}"[:200]
    return ReportError.single(
        "bad-workbook",
        f"Excelファイルを読めません（壊れているか、パスワードで保護されています）: {detail}",
        f"cannot read the workbook (damaged or password-protected): {detail}",
    )


# --- cells → rows ----------------------------------------------------------------------------


def rows_of(cells: Cells, merges: Iterable[Merge]) -> list[Row]:
    """Rows numbered as the sheet numbers them, every merged range filled with its value,
    each row as wide as the widest (a blank last cell stays a cell); blank rows are left out."""
    if not cells:
        return []
    last_row = max(r for r, _ in cells)
    last_column = max(c for _, c in cells)
    for top, left, bottom, right in merges:
        value = cells.get((top, left))
        if value:
            _fill(cells, value, top, left, min(bottom, last_row), min(right, last_column))
    by_row: dict[int, dict[int, str]] = {}
    for (r, c), text in cells.items():
        by_row.setdefault(r, {})[c] = text
    return [
        Row(r, [by_row[r].get(c, "") for c in range(1, last_column + 1)]) for r in sorted(by_row)
    ]


def _fill(cells: Cells, value: str, top: int, left: int, bottom: int, right: int) -> None:
    for r in range(top, bottom + 1):
        for c in range(left, right + 1):
            cells[r, c] = value


# --- choosing the sheet ----------------------------------------------------------------------


def _choose(book: _Book) -> tuple[str | None, list[Row]]:
    """The first sheet with a KPI header (see the module docstring), else the first sheet
    with any cell (the interpreter then says `not-a-report` there)."""
    first: tuple[str | None, list[Row]] | None = None
    for name in _candidates(book):
        rows = book.rows(name)
        if any(is_header_start(row.cells) for row in rows):
            return name, rows
        if first is None and rows:
            first = name, rows
    return first or (book.names[0] if book.names else None, [])


def _candidates(book: _Book) -> list[str]:
    def rank(name: str) -> int:
        return 2 * (name in book.hidden) + any(w in _plain(name) for w in COVER_WORDS)

    return sorted(book.names, key=rank)  # sorted is stable: workbook order within a rank


def _find_sheet(names: list[str], wanted: str) -> str:
    """The sheet named `wanted`: exactly, else NFKC and case-insensitively; else
    `no-such-sheet` listing the sheets."""
    if wanted in names:
        return wanted
    found = next((n for n in names if _plain(n) == _plain(wanted)), None)
    if found is not None:
        return found
    raise ReportError.single(
        "no-such-sheet",
        f"シート「{wanted}」はありません（あるシート: {'、'.join(names) or 'なし'}）",
        f"there is no sheet '{wanted}' (sheets: {', '.join(names) or 'none'})",
    )


def _plain(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip().casefold()


def _chosen(name: str | None, names: list[str]) -> Problem:
    others = [n for n in names if n != name]
    return Problem(
        "sheet-chosen",
        f"シート「{name}」を読みました（ほかのシート: {'、'.join(others)}）",
        f"read sheet '{name}' (other sheets: {', '.join(others)})",
    )  # no `sheet=`: the message names it, a location would say it twice


# --- cell values → text ----------------------------------------------------------------------


def cell_text(value: object, number_format: str | None = None) -> str:
    """A cell's value as the text the table interpreter reads (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return number_text(float(value), number_format) if number_format else str(value)
    if isinstance(value, float):
        return number_text(value, number_format)
    if isinstance(value, dt.date):  # datetime too
        return f"{value.year}年{value.month}月"
    if isinstance(value, dt.time):
        return value.isoformat()
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("_x000D_", "").strip()


def number_text(value: float, number_format: str | None = None) -> str:
    """A number as Excel shows it: 15 significant digits, no float noise (0.30000000000000004
    → `0.3`), then the decimals and percent of `number_format` (`0.00` → `73.50`, `0.0%` →
    `41.1%`, `#,##0` → `1878`, half away from zero as Excel rounds). No thousands separators.
    A non-finite float (Excel stores none) is `#NUM!`."""
    if not math.isfinite(value):
        return "#NUM!"
    shown = Decimal(format(value, ".15g"))
    display = _display(number_format)
    if display is None:
        return _plain_digits(shown)
    text = _places(shown.scaleb(display.shift), display.min_places, display.max_places)
    return text + ("%" if display.percent else "")


def _plain_digits(value: Decimal) -> str:
    """Plain notation, never `-0`."""
    return format(value.copy_abs() if value.is_zero() else value, "f")


def _places(value: Decimal, least: int, most: int) -> str:
    """`value` rounded to `most` decimals, trailing zeros dropped down to `least` decimals."""
    try:
        value = value.quantize(Decimal(1).scaleb(-most), ROUND_HALF_UP)
    except InvalidOperation:  # more digits than the context holds: no decimal is shown anyway
        return _plain_digits(value)
    whole, _, fraction = _plain_digits(value).partition(".")
    fraction = fraction.rstrip("0").ljust(least, "0")
    return f"{whole}.{fraction}" if fraction else whole


@dataclass(frozen=True)
class Display:
    """What a number format does to the digits shown: `shift` powers of ten (2 for percent,
    -3 per trailing thousands comma), `min_places`…`max_places` decimals, a `%` sign."""

    shift: int
    min_places: int
    max_places: int
    percent: bool


_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|[_*].')
_DATE_OR_TEXT = re.compile(r"[yYmMdDhHsS@]|[eE][+-]|/")
_DECIMALS = re.compile(r"\.([0#?]*)")
_SCALING = re.compile(r"[0#?](,+)[^0#?]*$")


def _display(number_format: str | None) -> Display | None:
    """The digits a number format shows, or None for General, dates, text, scientific and
    fractions (shown with 15 significant digits)."""
    if not number_format or number_format.lower() == "general":
        return None
    section = _first_section(number_format)
    bare = _LITERALS.sub("", section)
    if not any(ch in bare for ch in "0#?") or _DATE_OR_TEXT.search(bare):
        return None
    decimals = _DECIMALS.search(bare)
    pattern = decimals.group(1) if decimals else ""
    scaling = _SCALING.search(bare)
    percent = "%" in bare
    shift = 2 * bare.count("%") - 3 * (len(scaling.group(1)) if scaling else 0)
    return Display(shift, len(pattern.rstrip("#")), len(pattern), percent)


def _first_section(number_format: str) -> str:
    """The positive-number section of a format (`0.0;[Red]△0.0` → `0.0`)."""
    quoted = False
    for index, ch in enumerate(number_format):
        if ch == '"':
            quoted = not quoted
        elif ch == ";" and not quoted:
            return number_format[:index]
    return number_format


# --- .ods: what calamine does not give: merged ranges and percent cells ----------------------

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def _ods_tables(data: bytes) -> Iterator[tuple[str, tuple[list[Merge], set[tuple[int, int]]]]]:
    import zipfile
    from xml.etree import ElementTree

    with zipfile.ZipFile(BytesIO(data)) as archive:
        root = ElementTree.fromstring(archive.read("content.xml"))
    for table in root.iter(f"{{{_TABLE}}}table"):
        yield table.get(f"{{{_TABLE}}}name", ""), _ods_table(table)


def _ods_table(table: Any) -> tuple[list[Merge], set[tuple[int, int]]]:
    """Walk the rows and cells, counting repeats, to place each span and percent cell."""
    merges: list[Merge] = []
    percent: set[tuple[int, int]] = set()
    row = 0
    for element in table.iter(f"{{{_TABLE}}}table-row"):
        repeat = _count(element, "number-rows-repeated")
        column = 0
        for cell in element:
            if not cell.tag.endswith(("}table-cell", "}covered-table-cell")):
                continue
            width = _count(cell, "number-columns-repeated")
            rows, columns = (
                _count(cell, "number-rows-spanned"),
                _count(cell, "number-columns-spanned"),
            )
            if rows > 1 or columns > 1:
                merges.append((row + 1, column + 1, row + rows, column + columns))
            if cell.get(f"{{{_OFFICE}}}value-type") == "percentage":
                percent.update((row + 1, column + 1 + k) for k in range(min(width, 1024)))
            column += width
        row += repeat
    return merges, percent


def _count(element: Any, attribute: str) -> int:
    try:
        return max(1, int(element.get(f"{{{_TABLE}}}{attribute}", "1")))
    except ValueError:
        return 1
