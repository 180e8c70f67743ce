"""Workbooks built in tests with the libraries (openpyxl for .xlsx, xlwt for .xls, odfpy for
.ods), never binary files committed: a `Sheet` is rows of values (row 1 first), merged ranges
and number formats, and `xlsx` / `xls` / `ods` write a list of sheets to bytes."""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
from dataclasses import dataclass, field
from typing import Any

from kpiledger.io.readers.text import tokenize

Merge = tuple[int, int, int, int]  # first row, first column, last row, last column (1-based)


@dataclass
class Sheet:
    """`rows[0]` is the sheet's row 1, `rows[i][0]` column A; None (or "") leaves it empty."""

    name: str
    rows: list[list[Any]]
    merges: list[Merge] = field(default_factory=list)
    formats: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column) → format
    hidden: bool = False


def _filled(sheet: Sheet) -> Any:
    for r, values in enumerate(sheet.rows, start=1):
        for c, value in enumerate(values, start=1):
            if value is not None and value != "":
                yield r, c, value


# --- .xlsx -----------------------------------------------------------------------------------


def xlsx(sheets: list[Sheet]) -> bytes:
    import openpyxl
    from openpyxl.styles import Alignment

    book = openpyxl.Workbook()
    book.remove(book.active)
    for spec in sheets:
        ws = book.create_sheet(spec.name)
        for r, c, value in _filled(spec):
            cell = ws.cell(r, c, value)
            if (r, c) in spec.formats:
                cell.number_format = spec.formats[r, c]
            elif isinstance(value, dt.date):
                cell.number_format = "yyyy/m/d"
            if isinstance(value, str) and "\n" in value:
                cell.alignment = Alignment(wrap_text=True)
        for top, left, bottom, right in spec.merges:
            ws.merge_cells(start_row=top, start_column=left, end_row=bottom, end_column=right)
        if spec.hidden:
            ws.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- .xls ------------------------------------------------------------------------------------


def xls(sheets: list[Sheet], *, dates_1904: bool = False) -> bytes:
    """Numbers with their formats (dates `yyyy/m/d` unless told), booleans as boolean cells,
    error texts (`#DIV/0!`) as error cells, as openpyxl writes them in an .xlsx; dates counted
    from 1904 when told (as Excel for Mac once did)."""
    out = io.BytesIO()
    _xls_book(sheets, dates_1904).save(out)
    return out.getvalue()


def biff(sheets: list[Sheet]) -> bytes:
    """The workbook's BIFF records: what an .xls's compound file holds as its `Workbook`."""
    return bytes(_xls_book(sheets).get_biff_data())


def _xls_book(sheets: list[Sheet], dates_1904: bool = False) -> Any:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    book.dates_1904 = dates_1904  # before any cell: xlwt counts a date's days when it is written
    styles: dict[str, Any] = {}

    def style(number_format: str | None) -> Any:
        key = number_format or "General"
        if key not in styles:
            styles[key] = xlwt.easyxf(num_format_str=key)
        return styles[key]

    for spec in sheets:
        ws = book.add_sheet(spec.name, cell_overwrite_ok=True)
        ws.visibility = int(spec.hidden)
        tops = {(m[0], m[1]): m for m in spec.merges}
        for r, c, value in _filled(spec):
            fmt = spec.formats.get((r, c)) or ("yyyy/m/d" if isinstance(value, dt.date) else None)
            if (r, c) in tops:
                top, left, bottom, right = tops.pop((r, c))
                ws.write_merge(top - 1, bottom - 1, left - 1, right - 1, value, style(fmt))
            elif value in XLS_ERRORS:
                ws.row(r - 1).set_cell_error(c - 1, XLS_ERRORS[value], style(fmt))
            else:
                ws.write(r - 1, c - 1, value, style(fmt))
        for top, left, bottom, right in tops.values():  # merged ranges without a value
            ws.merge(top - 1, bottom - 1, left - 1, right - 1)
    return book


#: Error cells by their BIFF codes (xlwt's own table of texts has two wrong).
XLS_ERRORS = {"#NULL!": 0, "#DIV/0!": 7, "#VALUE!": 15, "#REF!": 23, "#NAME?": 29, "#NUM!": 36}
XLS_ERRORS["#N/A"] = 42

_END, _FREE, _FAT = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD


def compound_file(
    stream: bytes, *, name: str = "Workbook", mini_loop: bool = False, siblings: int = 0
) -> bytes:
    """`stream` as the `Workbook` (or `name`) of an OLE2 compound file (512-byte sectors: the
    FAT, the directory, the miniFAT, the stream; under 4 KiB in the mini stream, as Excel does
    not write but the format allows and other programs do). Two damages for the tests:
    `mini_loop` links the stream's last mini sector back to its first; `siblings` adds
    directory entries, each naming the next as both its left and its right sibling
    (2**siblings paths, no cycle)."""
    mini = len(stream) < 4096
    count = -(-len(stream) // 64)
    links = [i + 1 for i in range(count - 1)] + [0 if mini_loop else _END]
    minifat = _sectors(struct.pack(f"<{count}I", *links), b"\xff") if mini and count else b""
    body = _sectors(stream) if stream else b""
    directory = _sectors(bytes(128 * (2 + siblings)))
    sizes = [len(part) // 512 for part in (directory, minifat, body)]
    fats = 1
    while fats * 128 < fats + sum(sizes):
        fats += 1
    fat, starts = [_FAT] * fats, []
    for size in sizes:
        starts.append(len(fat) if size else _END)
        fat += [len(fat) + k + 1 for k in range(size - 1)] + [_END] * bool(size)
    names = [
        _entry("Root Entry", 5, starts[2] if mini else _END, len(body) * mini, child=1),
        _entry(name, 2, 0 if mini else starts[2], len(stream), left=2 if siblings else _FREE),
    ]
    for i in range(siblings):
        after = i + 3 if i + 1 < siblings else _FREE
        names.append(_entry(f"s{i}", 2, _END, 0, left=after, right=after))
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
    header += struct.pack("<5H6x", 0x3E, 3, 0xFFFE, 9, 6)
    header += struct.pack("<9I", 0, fats, starts[0], 0, 4096, starts[1], sizes[1], _END, 0)
    header += struct.pack(f"<{fats}I", *range(fats)).ljust(436, b"\xff")
    fat_sectors = struct.pack(f"<{len(fat)}I", *fat).ljust(fats * 512, b"\xff")
    return header + fat_sectors + _sectors(b"".join(names)) + minifat + body


def _entry(name: str, kind: int, start: int, size: int, **links: int) -> bytes:
    raw = name.encode("utf-16-le") + b"\0\0"
    left, right, child = (links.get(k, _FREE) for k in ("left", "right", "child"))
    head = struct.pack("<HBBIII", len(raw), kind, 1, left, right, child)
    return raw.ljust(64, b"\0") + head + bytes(36) + struct.pack("<III", start, size, 0)


def _sectors(data: bytes, fill: bytes = b"\0") -> bytes:
    return data.ljust(-(-len(data) // 512) * 512, fill)


# --- .ods ------------------------------------------------------------------------------------


def ods(sheets: list[Sheet]) -> bytes:
    """Numbers as float cells, `%` formats as percentage cells, dates as date cells; each merged
    range as a spanned cell and covered cells."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table

    doc = OpenDocumentSpreadsheet()
    for spec in sheets:
        table = Table(name=spec.name)
        for r in range(1, len(spec.rows) + 1):
            table.addElement(_ods_row(spec, r))
        doc.spreadsheet.addElement(table)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _ods_row(spec: Sheet, r: int) -> Any:
    from odf.table import CoveredTableCell, TableRow

    row = TableRow()
    values = spec.rows[r - 1]
    width = max([len(values), *(m[3] for m in spec.merges if m[0] <= r <= m[2])])
    for c in range(1, width + 1):
        merge = next((m for m in spec.merges if m[0] <= r <= m[2] and m[1] <= c <= m[3]), None)
        if merge is not None and (merge[0], merge[1]) != (r, c):
            row.addElement(CoveredTableCell())
            continue
        value = values[c - 1] if c <= len(values) else None
        cell = _ods_cell(value, spec.formats.get((r, c), ""))
        if merge is not None:
            cell.setAttribute("numberrowsspanned", str(merge[2] - merge[0] + 1))
            cell.setAttribute("numbercolumnsspanned", str(merge[3] - merge[1] + 1))
        row.addElement(cell)
    return row


def _ods_cell(value: Any, number_format: str) -> Any:
    from odf.table import TableCell
    from odf.text import P

    if value is None or value == "":
        return TableCell()
    if isinstance(value, dt.date):
        cell = TableCell(valuetype="date", datevalue=value.isoformat())
    elif isinstance(value, bool):
        cell = TableCell(valuetype="boolean", booleanvalue=str(value).lower())
    elif isinstance(value, int | float):
        kind = "percentage" if "%" in number_format else "float"
        cell = TableCell(valuetype=kind, value=repr(value))
    else:
        cell = TableCell(valuetype="string")
    for line in str(value).split("\n"):
        cell.addElement(P(text=line))
    return cell


# --- the reference report as a workbook ------------------------------------------------------

PLAIN_NUMBER = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+(?:\.[0-9]+)?")


def typed(text: str) -> tuple[Any, str | None]:
    """A text cell as a workbook cell: a plain number as a NUMBER (`1,878` → 1878 with the
    format `#,##0`, `73.5` → 73.5), anything else as text."""
    if not PLAIN_NUMBER.fullmatch(text):
        return text, None
    if "." in text:
        return float(text), None
    return int(text.replace(",", "")), ("#,##0" if "," in text else None)


def sheet_of_text(name: str, text: str) -> Sheet:
    """A tab-separated report as a sheet: one cell per cell, on the same row as its line."""
    rows: list[list[Any]] = []
    formats: dict[tuple[int, int], str] = {}
    for row in tokenize(text):
        rows.extend([] for _ in range(row.line - len(rows)))
        values = rows[row.line - 1]
        for c, cell in enumerate(row.cells, start=1):
            value, number_format = typed(cell)
            values.append(value)
            if number_format:
                formats[row.line, c] = number_format
    return Sheet(name, rows, formats=formats)
