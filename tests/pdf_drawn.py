"""Test PDFs drawn on a reportlab canvas the way Excel and Word export a table.

`pdf_files` draws with reportlab's own table (ruling lines, one string per line). Exported
reports differ, and each difference is a variant of `Drawn`:
- rules drawn as thin filled rectangles (Excel draws every cell border so), as strokes, only
  horizontal (a Word table style), or none at all (columns told only by whitespace);
- text drawn glyph by glyph, each at its own position rounded to 0.1 pt, spaces not drawn but
  left as a gap (Excel's PDF export), and labels letter-spaced over their cell (「移 住 者 数」);
- a header of two rows (実績値 spanning the year columns) or the reference's three, repeated on
  every page or only on the first; the title and 「2 / 5」 as running texts on every page;
- numbers and dates in fullwidth digits; a project's name and summary merged over its KPI rows
  on a page (drawn once, in the middle) or repeated on each row.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from tests.pdf_files import (
    HEADER,
    HEADER_SPANS,
    NUMERIC,
    WIDTHS,
    Section,
    font,
    parse_reference,
    reference_text,
    wrap,
)
from tests.pdf_html import SPACED, fullwidth

SIZE = 7.0
LEADING = 9.0
PAGE = (842.0, 595.0)  # A4 landscape
MARGIN = 24.0
TWO_ROWS = [
    ["事業の名称", "事業の概要", "指標", "目標値", "単位", "目標年月", "実績値", *[""] * 4],
    ["", "", "", "", "", "", "R1年度", "R2年度", "R3年度", "R4年度", "R5年度"],
]
#: (first column, first row, last column, last row) of each merged header cell.
TWO_ROWS_SPANS = (*tuple((c, 0, c, 1) for c in range(6)), (6, 0, 10, 0))
THREE_ROWS_SPANS = tuple((a[0], a[1], b[0], b[1]) for a, b in HEADER_SPANS)


@dataclass(frozen=True)
class Drawn:
    """How the report is drawn (see the module)."""

    rules: str = "rects"  # "lines", "rects", "horizontal" or "none"
    glyphs: str = "strings"  # "strings" (a line at once) or "chars" (glyph by glyph)
    header: str = "two-rows"  # or "three-rows"
    repeat_header: bool = True
    rows_per_page: int = 6
    merge_names: bool = True
    running: bool = False
    spaced: bool = False
    fullwidth: bool = False
    padding: float = 3.0
    valign: str = "middle"  # "top", "middle" or "bottom"


@dataclass
class Box:
    """A (merged) cell on the page: points from the page's top-left."""

    x0: float
    x1: float
    top: float
    bottom: float
    text: str
    align: str  # "left", "right", "center"


def report_pdf(title: str, sections: list[Section], style: Drawn, compress: bool = True) -> bytes:
    """A published-looking PDF (see the module); `compress=False` leaves the page streams
    plain (for fuzzing)."""
    from reportlab.pdfgen.canvas import Canvas

    pages = list(_pages(title, sections, style))
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=PAGE, invariant=1, pageCompression=int(compress))
    for number, (texts, boxes) in enumerate(pages, start=1):
        if style.running:
            _text(canvas, title, PAGE[0] / 2 - 150, 14, 8, style)
            _text(canvas, f"{number} / {len(pages)}", PAGE[0] / 2 - 10, PAGE[1] - 20, 8, style)
            _text(canvas, "釧路市", PAGE[0] - 60, PAGE[1] - 20, 8, style)
        for text, top, size in texts:
            _text(canvas, text, MARGIN, top, size, style)
        _rules(canvas, boxes, style)
        for box in boxes:
            _cell(canvas, box, style)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _pages(
    title: str, sections: list[Section], style: Drawn
) -> Iterator[tuple[list[tuple[str, float, float]], list[Box]]]:
    """Each page's free texts (text, top, size) and table cells."""
    first = True
    for section in sections:
        chunks = [
            section.rows[i : i + style.rows_per_page]
            for i in range(0, len(section.rows), style.rows_per_page)
        ]
        for index, chunk in enumerate(chunks):
            texts: list[tuple[str, float, float]] = []
            top = 36.0 if style.running else MARGIN
            if first:
                texts.append((title, top, 14.0))
                top += 22
                first = False
            if index == 0:
                texts.append((section.heading, top, 11.0))
                top += 17
            header = index == 0 or style.repeat_header
            yield texts, _table(chunk, header, top, style)


def _table(rows: list[list[str]], header: bool, top: float, style: Drawn) -> list[Box]:
    head, spans = (TWO_ROWS, TWO_ROWS_SPANS)
    if style.header == "three-rows":
        head, spans = HEADER, THREE_ROWS_SPANS
    body = [
        [fullwidth(c) if style.fullwidth and i in (*NUMERIC, 5) else c for i, c in enumerate(r)]
        for r in rows
    ]
    grid = (head if header else []) + body
    first = len(head) if header else 0
    spans = (spans if header else ()) + _name_spans(body, first, style)
    return _boxes(grid, spans, first, top, style)


def _name_spans(rows: list[list[str]], first: int, style: Drawn) -> tuple[tuple[int, ...], ...]:
    if not style.merge_names:
        return ()
    starts = [i for i, row in enumerate(rows) if row[0]] + [len(rows)]
    spans: list[tuple[int, ...]] = []
    for start, end in itertools.pairwise(starts):
        for column in (0, 1):
            spans.append((column, first + start, column, first + end - 1))
    if starts[0] > 0:  # a project continued from the previous page: its blank cells merged
        spans += [(c, first, c, first + starts[0] - 1) for c in (0, 1)]
    return tuple(spans)


def _boxes(
    grid: list[list[str]], spans: tuple[tuple[int, ...], ...], first: int, top: float, style: Drawn
) -> list[Box]:
    lefts = [MARGIN + sum(WIDTHS[:i]) for i in range(len(WIDTHS) + 1)]
    covered: dict[tuple[int, int], tuple[int, int]] = {}
    for c0, r0, c1, r1 in spans:
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                covered[(c, r)] = (c1, r1)
    cells = [
        (c, r, *covered.get((c, r), (c, r)))
        for r, row in enumerate(grid)
        for c in range(len(row))
        if (c, r) not in covered or _is_span_start(c, r, spans)
    ]
    heights = _heights(grid, cells, lefts, style)
    tops = [top + sum(heights[:i]) for i in range(len(heights) + 1)]
    boxes = []
    for c0, r0, c1, r1 in cells:
        align = "center" if r0 < first else "right" if c0 in NUMERIC else "left"
        boxes.append(Box(lefts[c0], lefts[c1 + 1], tops[r0], tops[r1 + 1], grid[r0][c0], align))
    return boxes


def _is_span_start(column: int, row: int, spans: tuple[tuple[int, ...], ...]) -> bool:
    return any((c0, r0) == (column, row) for c0, r0, _, _ in spans)


def _lines(text: str, width: float, style: Drawn) -> list[str]:
    if style.spaced and text in SPACED:
        return [text]
    # a letter less than the cell: a closing 「、」 carried onto a full line stays inside it, as
    # Excel keeps a wrapped text inside its cell
    return wrap(text, width - 2 * style.padding - SIZE, SIZE).split("\n")


def _heights(
    grid: list[list[str]], cells: list[tuple[int, int, int, int]], lefts: list[float], style: Drawn
) -> list[float]:
    """Row heights: a one-row cell's lines, then a merged cell's deficit on its last row."""
    heights = [LEADING + 2 * style.padding] * len(grid)
    for c0, r0, c1, r1 in sorted(cells, key=lambda cell: cell[3] - cell[1]):
        need = len(_lines(grid[r0][c0], lefts[c1 + 1] - lefts[c0], style)) * LEADING
        need += 2 * style.padding
        have = sum(heights[r0 : r1 + 1])
        if need > have:
            heights[r1] += need - have
    return heights


def _cell(canvas: object, box: Box, style: Drawn) -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines = _lines(box.text, box.x1 - box.x0, style)
    free = box.bottom - box.top - 2 * style.padding - len(lines) * LEADING
    offset = {"top": 0.0, "middle": free / 2, "bottom": free}[style.valign]
    for index, line in enumerate(lines):
        top = box.top + style.padding + offset + index * LEADING + (LEADING - SIZE) / 2
        width = stringWidth(line, font(), SIZE)
        spacing = 0.0
        if style.spaced and line in SPACED and len(line) > 1:
            spacing = min(1.5 * SIZE, (box.x1 - box.x0 - 2 * style.padding - width) / len(line))
            width += spacing * (len(line) - 1)
        x = {
            "left": box.x0 + style.padding,
            "right": box.x1 - style.padding - width,
            "center": (box.x0 + box.x1 - width) / 2,
        }[box.align]
        _text(canvas, line, x, top, SIZE, style, spacing)


def _text(
    canvas: object, text: str, x: float, top: float, size: float, style: Drawn, spacing: float = 0
) -> None:
    """`text` with its top at `top` (from the page's top), as a string or glyph by glyph."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    baseline = PAGE[1] - top - size * 0.88
    canvas.setFont(font(), size)  # type: ignore[attr-defined]
    if style.glyphs == "strings" and not spacing:
        canvas.drawString(x, baseline, text)  # type: ignore[attr-defined]
        return
    for char in text:  # glyph by glyph (a letter-spaced word is placed so in both modes)
        if char != " ":
            canvas.drawString(round(x, 1), round(baseline, 1), char)  # type: ignore[attr-defined]
        x += stringWidth(char, font(), size) + spacing


def _rules(canvas: object, boxes: list[Box], style: Drawn) -> None:
    canvas.setLineWidth(0.5)  # type: ignore[attr-defined]
    for box in boxes:
        sides = [(box.x0, box.top, box.x1, box.top), (box.x0, box.bottom, box.x1, box.bottom)]
        if style.rules in ("lines", "rects"):
            sides += [(box.x0, box.top, box.x0, box.bottom), (box.x1, box.top, box.x1, box.bottom)]
        for x0, top, x1, bottom in sides if style.rules != "none" else []:
            if style.rules == "rects":
                canvas.rect(  # type: ignore[attr-defined]
                    x0 - 0.3, PAGE[1] - bottom - 0.3, x1 - x0 + 0.6, bottom - top + 0.6, 0, 1
                )
            else:
                canvas.line(x0, PAGE[1] - top, x1, PAGE[1] - bottom)  # type: ignore[attr-defined]


def reference_pdf(style: Drawn | None = None) -> bytes:
    title, sections = parse_reference(reference_text())
    return report_pdf(title, sections, style or Drawn())
