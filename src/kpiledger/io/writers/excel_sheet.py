"""The sheet writing of the Excel writer (`writers.excel`): `Sheet` puts the title, notes,
headers and project rows one after another and sets up the printed page; the helpers below it
register the cell styles, merge the header labels, write a number so that it reads back as
published (`put_number`: `2,300`, `△12`) and size the rows for wrapped text. What the
columns hold is `writers.excel_columns`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal
from typing import Any

from kpiledger.core.evaluate import KpiResult, ProjectResult
from kpiledger.io.readers import own_columns
from kpiledger.io.readers.excel_values import number_text
from kpiledger.io.writers.excel_columns import Column, Value
from kpiledger.io.writers.opendata import Publisher
from kpiledger.io.writers.records import plain

FONT = "ＭＳ Ｐゴシック"  # on every Japanese Windows PC
_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")  # what an .xlsx cannot hold


class Sheet:
    """Writes rows one after another and remembers what the page setup needs."""

    def __init__(self, ws: Any) -> None:
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        self.ws = ws
        self.row = 1
        self.first_header: tuple[int, int] | None = None
        self.widths: dict[int, float] = {}
        thin = Side(style="thin")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.font = Font(name=FONT, size=10)
        self.bold = Font(name=FONT, size=10, bold=True)
        self.big = Font(name=FONT, size=14, bold=True)
        self.fill = PatternFill("solid", fgColor="D9E1F2")
        self.own_fill = PatternFill("solid", fgColor="FFF2CC")
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.center = Alignment(wrap_text=True, horizontal="center", vertical="center")
        self.right = Alignment(wrap_text=True, horizontal="right", vertical="top")
        self.line = Alignment(vertical="center")
        self.heights: dict[int, float] = {}
        _named_styles(ws.parent, self)

    def title(self, text: str) -> None:
        cell = self._put(self.row, 1, text)
        cell.font, cell.alignment = self.big, self.line
        self.heights[self.row] = 24
        self.row += 2

    def heading(self, text: str) -> None:
        if self.row > 1 and self.first_header is not None:
            self.row += 1
        cell = self._put(self.row, 1, text)
        cell.font, cell.alignment = self.bold, self.line
        self.row += 1

    def note(self, text: str) -> None:
        for offset, part in enumerate(text.split("\t")):
            cell = self._put(self.row, 1 + offset, part)
            cell.font, cell.alignment = self.font, self.line
        self.row += 1

    def skip(self) -> None:
        self.row += 1

    def header(self, columns: list[Column]) -> None:
        top = self.row
        for index, column in enumerate(columns, start=1):
            self.widths[index] = column.width
            for depth, label in enumerate(column.labels):
                own = own_columns.is_own(unicodedata.normalize("NFKC", column.labels[0]))
                self.ws.cell(top + depth, index).style = "kl_own" if own else "kl_header"
                if label is not None:
                    self._put(top + depth, index, label)
        for merge in _header_merges(columns, top):
            self._merge(**merge)
        if self.first_header is None:
            self.first_header = (top, top + 2)
        self.row = top + 3

    def project(
        self, columns: list[Column], result: ProjectResult, kpis: list[KpiResult], first: bool
    ) -> None:
        top, count = self.row, len(kpis)
        for offset, kpi in enumerate(kpis):
            for index, column in enumerate(columns, start=1):
                value = column.kpi(kpi) if column.kpi else None
                self._value(top + offset, index, value, column.number_format)
        for index, column in enumerate(columns, start=1):
            if column.project is None:
                continue
            value = column.project(result) if first or index == 1 else None
            self._value(top, index, value, column.number_format)
            multiline = isinstance(value, str) and "\n" in value and index > 2
            if count > 1 and not multiline:
                self._merge(top, index, top + count - 1, index)
        self._fit_heights(columns, result, kpis, top, first)
        self.row = top + count

    def _value(self, row: int, column: int, value: Value, number_format: str | None) -> None:
        cell = self.ws.cell(row, column)
        cell.style = "kl_number" if isinstance(value, Decimal) else "kl_cell"
        if isinstance(value, Decimal):
            put_number(cell, value, number_format)
        elif value is not None and value != "":
            self._put(row, column, value)

    def _merge(self, start_row: int, start_column: int, end_row: int, end_column: int) -> None:
        """Merge a range (never overlapping another: openpyxl's own check is quadratic), its
        covered cells bordered as the table."""
        from openpyxl.cell.cell import MergedCell
        from openpyxl.worksheet.cell_range import CellRange
        from openpyxl.worksheet.merge import MergedCellRange

        area = CellRange(min_row=start_row, min_col=start_column, max_row=end_row,
                         max_col=end_column)  # fmt: skip
        self.ws.merged_cells.ranges.add(MergedCellRange(self.ws, area.coord))
        for row, column in list(area.cells)[1:]:
            covered = MergedCell(self.ws, row, column)
            covered.border = self.border
            self.ws._cells[row, column] = covered

    def _put(self, row: int, column: int, text: str) -> Any:
        """A text cell, never a formula (`=…` stays text, and Excel keeps it text on edit)."""
        cell = self.ws.cell(row, column)
        cell.value = _ILLEGAL.sub("", text)
        cell.data_type = "s"
        if text[:1] in ("=", "+", "-", "@") and len(text) > 1:
            cell.quotePrefix = True
        return cell

    def _fit_heights(
        self,
        columns: list[Column],
        result: ProjectResult,
        kpis: list[KpiResult],
        top: int,
        first: bool,
    ) -> None:
        """Row heights for wrapped text (Excel does not fit merged cells): each KPI row fits
        its own cells, and the rows together fit the project's merged cells."""
        own = [
            max((_lines(c.kpi(kpi), c.width) for c in columns if c.kpi is not None), default=1)
            for kpi in kpis
        ]
        merged = max(
            (_lines(c.project(result), c.width) for c in columns if c.project and first),
            default=1,
        )
        extra = max(0, merged - sum(own))
        for offset, lines in enumerate(own):
            share = math.ceil(extra / len(own))
            self.heights[top + offset] = 13.5 * (lines + share) + 3

    def finish(self, width: int, publisher: Publisher | None, title: str | None) -> None:
        from openpyxl.utils import get_column_letter

        ws = self.ws
        for index, value in self.widths.items():
            ws.column_dimensions[get_column_letter(index)].width = value
        for row, height in self.heights.items():
            ws.row_dimensions[row].height = height
        last = max(1, self.row - 1)
        ws.print_area = f"A1:{get_column_letter(max(width, 1))}{last}"
        if self.first_header is not None:
            ws.print_title_rows = f"{self.first_header[0]}:{self.first_header[1]}"
        setup = ws.page_setup
        setup.orientation, setup.paperSize = "landscape", ws.PAPERSIZE_A4
        setup.fitToWidth, setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.page_margins.top = ws.page_margins.bottom = 0.6
        if publisher is not None:
            ws.oddHeader.right.text = f"{publisher.name}（{publisher.code}）"
        ws.oddFooter.center.text = "&P / &N"


def _named_styles(book: Any, sheet: Sheet) -> None:
    """The table's cell styles, registered once (a style per cell is slow to set)."""
    from openpyxl.styles import NamedStyle

    kinds = {
        "kl_header": (sheet.bold, sheet.center, sheet.fill),
        "kl_own": (sheet.bold, sheet.center, sheet.own_fill),
        "kl_cell": (sheet.font, sheet.wrap, None),
        "kl_number": (sheet.font, sheet.right, None),
    }
    for name, (font, alignment, fill) in kinds.items():
        style = NamedStyle(name, font=font, alignment=alignment, border=sheet.border)
        if fill is not None:
            style.fill = fill
        book.add_named_style(style)


def _header_merges(columns: list[Column], top: int) -> list[dict[str, int]]:
    """Each label over the rows below it left empty (None), and the same label over adjacent
    columns on one row (K P I…, 指標値, 実績値)."""
    merges: list[dict[str, int]] = []
    for index, column in enumerate(columns, start=1):
        for depth, label in enumerate(column.labels):
            extent = 1
            while depth + extent < 3 and column.labels[depth + extent] is None:
                extent += 1
            if label is not None and extent > 1:
                merges.append(_range(top + depth, index, top + depth + extent - 1, index))
    for depth in range(3):
        start = 0
        while start < len(columns):
            label = _label_at(columns[start], depth)
            end = start
            while end + 1 < len(columns) and label and _label_at(columns[end + 1], depth) == label:
                end += 1
            if end > start:
                merges.append(_range(top + depth, start + 1, top + depth, end + 1))
            start = end + 1
    return merges


def _label_at(column: Column, depth: int) -> str | None:
    """The label starting at `depth` when it covers that one row only (a horizontal group)."""
    label = column.labels[depth]
    below = column.labels[depth + 1] if depth < 2 else "end"
    return label if label is not None and below is not None else None


def _range(top: int, left: int, bottom: int, right: int) -> dict[str, int]:
    return {"start_row": top, "start_column": left, "end_row": bottom, "end_column": right}


def put_number(cell: Any, value: Decimal, number_format: str | None) -> None:
    """A Decimal as an Excel number whose format shows exactly its digits (what the Excel
    reader reads back: `number_text`), else as text (more than 15 significant digits)."""
    text = plain(value)
    places = len(text.partition(".")[2])
    fmt = number_format or _format(places)
    number = float(value)
    if number_text(number, fmt) == text:
        cell.value, cell.number_format = number, fmt
    else:
        cell.value, cell.data_type = text, "s"


def _format(places: int) -> str:
    """`#,##0` with `places` decimals; a negative shown as `△12` (Japanese reports)."""
    positive = "#,##0" + ("." + "0" * places if places else "")
    return f'{positive};"△"{positive}'


def _lines(value: Value, width: float) -> int:
    """How many lines a wrapped text takes in a column `width` characters wide (a wide
    character counts two)."""
    if value is None:
        return 1
    text = value if isinstance(value, str) else plain(value)
    total = 0
    for line in text.split("\n"):
        size = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
        total += max(1, math.ceil(size / max(width - 1, 1)))
    return total
