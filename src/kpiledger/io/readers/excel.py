"""Reader for workbooks: Excel (.xlsx with openpyxl; .xls with xlrd) and OpenDocument
spreadsheets (.ods with python-calamine).

It only tokenizes: one sheet's cells become rows of cell texts, read by `table.interpret`
exactly like the tab-separated text. Each row's `line` is the sheet's own row number, so
problems are located as `Sheet1!K11` (「シート「Sheet1」 K11セル」).

How a cell becomes text ("what Excel shows is what is read", see `cell_text`):

- A number is rounded to 15 significant digits as Excel displays it, so binary float noise
  never reaches a value (0.1+0.2 → `0.3`, 1878.0000000000002 → `1878`). A number format that
  fixes decimals keeps the digits shown (`0.00`: 73.5 → `73.50`; `0.0`: 1/3 → `0.3`); a percent
  format gives the number shown with `%` (`0.0%`: 0.411 → `41.1%`, which `core.numbers` reads
  as 41.1 with the inline unit `%`); `#,##0,` (thousands) is scaled as shown. An .xlsx and an
  .xls are read alike: both give each cell's number format (an .xls's XF record names it, and
  its dates are the numbers a date format shows, read as openpyxl reads an .xlsx's:
  `excel_values.serial_text`). An .ods is read the same way for percent cells (its
  `content.xml` says which cells are percentages); its other formats are not read.
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

A damaged or password-protected file is `bad-workbook`, never a traceback, and so is a sheet
of more than `MAX_CELLS` cells once its merged ranges are filled (one range over a sheet with
a stray far cell would take minutes and gigabytes). What an .xls's libraries could not survive
is read by kpiledger itself (see `xls`); an .ods whose content.xml is not well-formed is
refused before calamine sees it (calamine would loop forever).
"""

from __future__ import annotations

import re
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from kpiledger.core.errors import Problem, ReportError
from kpiledger.io.readers.columns import Row, is_header_start
from kpiledger.io.readers.excel_values import (  # noqa: F401  (cell_text, number_text: public)
    Cells,
    Merge,
    cell_text,
    number_text,
)
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
    if kind == "xls":
        from kpiledger.io.readers.xls import open_xls

        return _Book(*open_xls(data))
    return _open_ods(data)


def _open_xlsx(data: bytes) -> _Book:
    import openpyxl

    _check_xlsx_merges(data)
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


def _open_ods(data: bytes) -> _Book:
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    # content.xml is parsed first: for what calamine does not give (merged ranges, percent
    # cells), and because calamine loops forever on some malformed XML.
    ods = dict(_ods_tables(data))
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
        return cells, ods_merges

    return _Book([m.name for m in sheets], hidden, read)


def _guarded(call: Callable[[], Any]) -> Any:
    """`call()`, any library failure turned into `bad-workbook` (never a traceback).

    The libraries raise many kinds (zip, XML, key, value, struct, assertion, xlrd's and
    calamine's errors); calamine's Rust code may also panic on a damaged file, which reaches
    Python as pyo3's `PanicException`, a `BaseException`: that one is caught too, while
    KeyboardInterrupt and SystemExit pass."""
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
    """`bad-workbook`, with the library's own words (up to 200 characters)."""
    detail = f"{type(error).__name__}: {error}"[:200]
    return ReportError.single(
        "bad-workbook",
        f"Excelファイルを読めません（壊れているか、パスワードで保護されています）: {detail}",
        f"cannot read the workbook (damaged or password-protected): {detail}",
    )


# --- cells → rows ----------------------------------------------------------------------------


#: The most cells a sheet's rows may hold, its merged ranges filled: 25 times the benchmark's
#: 5,000 KPIs, far fewer than one merged range over a sheet with a stray far cell claims
#: (16 million in an .xls, 17 billion in an .xlsx: minutes and gigabytes from a 6 KB file).
MAX_CELLS = 2_000_000


def rows_of(cells: Cells, merges: Iterable[Merge]) -> list[Row]:
    """Rows numbered as the sheet numbers them, every merged range filled with its value,
    each row as wide as the widest (a blank last cell stays a cell); blank rows are left out.
    More than `MAX_CELLS` cells is `bad-workbook`, before any is filled."""
    if not cells:
        return []
    last_row = max(r for r, _ in cells)
    last_column = max(c for _, c in cells)
    spans = [
        (cells[top, left], top, left, min(bottom, last_row), min(right, last_column))
        for top, left, bottom, right in merges
        if cells.get((top, left))
    ]
    heights = sum(max(0, bottom - top + 1) for _, top, _, bottom, _ in spans)
    _check_size((len({r for r, _ in cells}) + heights) * last_column)
    for value, top, left, bottom, right in spans:
        _fill(cells, value, top, left, bottom, right)
    by_row: dict[int, dict[int, str]] = {}
    for (r, c), text in cells.items():
        by_row.setdefault(r, {})[c] = text
    return [
        Row(r, [by_row[r].get(c, "") for c in range(1, last_column + 1)]) for r in sorted(by_row)
    ]


def _check_size(most: int) -> None:
    """`bad-workbook` when the rows may hold more than `MAX_CELLS` cells (`most` is at least
    their number: every row with a cell or under a merged range, as wide as the widest)."""
    if most > MAX_CELLS:
        raise ReportError.single(
            "bad-workbook",
            f"シートのセルが多すぎます（結合セルを埋めると最大{most:,}セル。"
            f"{MAX_CELLS:,}セルまで読めます）",
            f"the sheet has too many cells (up to {most:,} with its merged ranges filled;"
            f" at most {MAX_CELLS:,} can be read)",
        )


#: A merged range in a worksheet's XML: `<mergeCell ref="A1:XFD1048576"/>`.
_MERGE_REF = re.compile(
    rb'<(?:\w+:)?mergeCell\s+ref="\$?([A-Z]{1,3})\$?([0-9]{1,7}):\$?([A-Z]{1,3})\$?([0-9]{1,7})"'
)


def _check_xlsx_merges(data: bytes) -> None:
    """`bad-workbook` for an .xlsx whose merged ranges claim more than `MAX_CELLS` cells, read
    from the sheets' XML before openpyxl: openpyxl itself creates every cell of a merged range
    (A1:XFD1048576 takes minutes and ends in a MemoryError). A damaged zip is left to openpyxl,
    whose error is `bad-workbook` too."""
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        names = [
            n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")
        ]
        for name in names:
            with archive.open(name) as sheet:
                most = sum(_area(m) for m in _MERGE_REF.finditer(sheet.read()))
            _check_size(most)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
        return


def _area(match: re.Match[bytes]) -> int:
    left, top, right, bottom = match.groups()
    return (abs(_column(right) - _column(left)) + 1) * (abs(int(bottom) - int(top)) + 1)


def _column(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


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
