"""Workbooks built in tests with the libraries (openpyxl for .xlsx, xlwt for .xls, odfpy for
.ods), never binary files committed: a `Sheet` is rows of values (row 1 first), merged ranges
and number formats, and `xlsx` / `xls` / `ods` write a list of sheets to bytes."""

from __future__ import annotations

import datetime as dt
import io
import re
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


def xls(sheets: list[Sheet]) -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    styles: dict[str, Any] = {}

    def style(number_format: str) -> Any:
        if number_format not in styles:
            styles[number_format] = xlwt.easyxf(num_format_str=number_format)
        return styles[number_format]

    for spec in sheets:
        ws = book.add_sheet(spec.name, cell_overwrite_ok=True)
        tops = {(m[0], m[1]): m for m in spec.merges}
        for r, c, value in _filled(spec):
            fmt = spec.formats.get((r, c)) or ("yyyy/m/d" if isinstance(value, dt.date) else None)
            args = (style(fmt),) if fmt else ()
            if (r, c) in tops:
                top, left, bottom, right = tops.pop((r, c))
                ws.write_merge(top - 1, bottom - 1, left - 1, right - 1, value, *args)
            else:
                ws.write(r - 1, c - 1, value, *args)
        for top, left, bottom, right in tops.values():  # merged ranges without a value
            ws.merge(top - 1, bottom - 1, left - 1, right - 1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


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
