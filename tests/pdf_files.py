"""Test PDFs, built with reportlab as published KPI reports look (never a committed binary).

`reference_pdf()` renders the reference report (the tab-separated text in
src/kpiledger/data/) the way a city publishes it: A4 landscape, the title and the 【…】 section
headings above each table, a ruled table whose three-row header (「K P I」 over the indicator
columns, 「実績値」 over the year columns, the name and summary cells spanning all three rows) is
repeated on every page, long texts wrapped inside their cells, numbers right-aligned, a page
number in the footer, and the KPI rows of a project running on over a page break.

Text is wrapped here, as Excel wraps it: at a space (which is dropped) or before a Japanese
character, never inside a run of ASCII letters and digits. The font is IPAゴシック (Debian
package `fonts-ipafont-gothic`): reportlab's built-in CID font `HeiseiKakuGo-W5` is extracted
with a lossy mapping (`～` U+FF5E comes back as `〜` U+301C, `－` as `−`), which would change
the reference's project names.

`benchmark()` times reading a 100-page report (run: `python -m tests.pdf_files`).
"""

from __future__ import annotations

import io
import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REFERENCE = Path(__file__).resolve().parents[1] / "src/kpiledger/data/kushiro_r5_kpi_report.txt"
FONT = "IPAGothic"
FONT_FILES = (
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
)
SIZE = 7.0
PADDING = 3.0
#: Column widths (points) of the reference layout: name, summary, indicator, target, unit,
#: date, R1年度…R5年度 (A4 landscape is 842 points wide).
WIDTHS = (110.0, 190.0, 140.0, 48.0, 44.0, 32.0, 46.0, 46.0, 46.0, 46.0, 46.0)
NUMERIC = (3, 6, 7, 8, 9, 10)  # right-aligned columns
HEADER = [
    ["交付対象 事業の名称", "事業の概要", "K P I（重要業績評価指標）", *[""] * 8],
    ["", "", "指標", "指標値", "", "", "実績値", "", "", "", ""],
    ["", "", "", "指標値", "単位", "年月", "R1年度", "R2年度", "R3年度", "R4年度", "R5年度"],
]
#: (column, row) → (column, row) of the header's merged cells, as reportlab's SPAN takes them.
HEADER_SPANS = (((0, 0), (0, 2)), ((1, 0), (1, 2)), ((2, 0), (10, 0)), ((2, 1), (2, 2)))
HEADER_SPANS += (((3, 1), (5, 1)), ((6, 1), (10, 1)))


@dataclass
class Section:
    heading: str  # 【…対象事業】
    rows: list[list[str]]  # KPI rows of 11 cells, a project's name only on its first row


@dataclass(frozen=True)
class Layout:
    """How the table is laid out over pages."""

    rows_per_page: int = 7  # KPI rows per page
    merge_names: bool = True  # name and summary cells span the project's rows on a page
    repeat_name: bool = False  # a project continued on the next page shows its name again
    footer: bool = True  # a page number (「- 1 -」) at the bottom of each page
    note: str | None = None  # a note printed under the last table
    compress: bool = True  # page streams compressed (as published) or plain (for fuzzing)
    scanned_page: bool = False  # a last page holding only an image (a scanned appendix)


def font() -> str:
    """Register the Japanese TrueType font once; its name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT in pdfmetrics.getRegisteredFontNames():
        return FONT
    path = next((p for p in FONT_FILES if Path(p).exists()), None)
    if path is None:
        raise RuntimeError("no Japanese font: install the Debian package fonts-ipafont-gothic")
    pdfmetrics.registerFont(TTFont(FONT, path))
    return FONT


def reference_text() -> str:
    return REFERENCE.read_text(encoding="utf-8")


def parse_reference(text: str) -> tuple[str, list[Section]]:
    """The title and sections of a report in the reference's tab-separated layout."""
    from kpiledger.io.readers.text import tokenize

    title, sections = "", []
    for row in tokenize(text):
        filled = [c for c in row.cells if c]
        if len(filled) == 1 and row.cells[0] != "":
            heading = filled[0].lstrip("#").strip()
            if heading.startswith("【") and heading.endswith("】"):
                sections.append(Section(heading, []))
            elif not title:
                title = heading
        elif filled and sections and not _is_header(row.cells):
            sections[-1].rows.append((row.cells + [""] * 11)[:11])
    return title, sections


def _is_header(cells: list[str]) -> bool:
    return any(c in ("指標", "単位", "R1年度") or "事業の名称" in c for c in cells)


def wrap(text: str, width: float, size: float = SIZE) -> str:
    """`text` broken into lines of at most `width` points, joined by `\\n` (see the module)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    line = ""
    for token in _tokens(text):
        if stringWidth(line + token, font(), size) <= width or not line.strip():
            line += token
        elif token == " ":
            lines.append(line)
            line = ""
        elif token in "。、）」』】，．":
            line += token  # never start a line with closing punctuation
        else:
            lines.append(line.rstrip(" "))
            line = token
    return "\n".join([*lines, line])


def _tokens(text: str) -> Iterator[str]:
    """Runs of ASCII letters, digits and signs (a word), else single characters."""
    word = ""
    for char in text:
        if "!" <= char <= "~":
            word += char
            continue
        if word:
            yield word
            word = ""
        yield char
    if word:
        yield word


def report_pdf(title: str, sections: list[Section], layout: Layout | None = None) -> bytes:
    """A published-looking PDF of a report (see the module)."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

    layout = layout or Layout()
    heading = ParagraphStyle("h", fontName=font(), fontSize=11, leading=15)
    big = ParagraphStyle("t", fontName=font(), fontSize=14, leading=20)
    story: list[object] = [Paragraph(title, big), Spacer(1, 6)]
    for number, section in enumerate(sections):
        if number:
            story.append(PageBreak())
        story += [Paragraph(section.heading, heading), Spacer(1, 4)]
        chunks = _chunks(section.rows, layout)
        for index, chunk in enumerate(chunks):
            if index:
                story.append(PageBreak())
            story.append(_table(chunk, layout))
    if layout.note:
        story += [Spacer(1, 6), Paragraph(layout.note, heading)]
    if layout.scanned_page:
        story += [PageBreak(), _image()]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=20,
        rightMargin=20,
        topMargin=24,
        invariant=1,
        pageCompression=int(layout.compress),
    )
    footer = _footer if layout.footer else _no_footer
    document.build(story, onFirstPage=footer, onLaterPages=footer)  # type: ignore[arg-type]
    return buffer.getvalue()


def _footer(canvas: object, document: object) -> None:
    canvas.setFont(font(), 9)  # type: ignore[attr-defined]
    page = canvas.getPageNumber()  # type: ignore[attr-defined]
    canvas.drawCentredString(421, 18, f"- {page} -")  # type: ignore[attr-defined]


def _no_footer(canvas: object, document: object) -> None:
    return None


def _chunks(rows: list[list[str]], layout: Layout) -> list[list[list[str]]]:
    """The KPI rows of each page; a project split over a page break gets its name (and, when
    `repeat_name`, nothing else) again on the next page."""
    chunks = [rows[i : i + layout.rows_per_page] for i in range(0, len(rows), layout.rows_per_page)]
    name = ""
    for chunk in chunks:
        if layout.repeat_name and not chunk[0][0] and name:
            chunk[0] = [name, *chunk[0][1:]]
        for row in chunk:
            name = row[0] or name
    return chunks


def _table(rows: list[list[str]], layout: Layout) -> object:
    from reportlab.platypus import Table, TableStyle

    cells = [[wrap(c, WIDTHS[i] - 2 * PADDING) for i, c in enumerate(r)] for r in rows]
    table = Table(HEADER + cells, colWidths=WIDTHS, repeatRows=3)
    style = [
        ("FONT", (0, 0), (-1, -1), font(), SIZE, SIZE + 2),
        ("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0)),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (-1, 2), "CENTER"),
        ("LEFTPADDING", (0, 0), (-1, -1), PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), PADDING),
        *(("SPAN", start, end) for start, end in HEADER_SPANS),
        *(("ALIGN", (c, 3), (c, -1), "RIGHT") for c in NUMERIC),
    ]
    if layout.merge_names:
        style += _name_spans(rows)
    table.setStyle(TableStyle(style))
    return table


def _name_spans(rows: list[list[str]]) -> list[tuple[str, tuple[int, int], tuple[int, int]]]:
    """SPAN commands merging each project's name and summary cells over its rows."""
    starts = [i for i, row in enumerate(rows) if row[0]] + [len(rows)]
    spans = []
    for start, end in itertools.pairwise(starts):
        if end - start > 1:
            for column in (0, 1):
                spans.append(("SPAN", (column, start + 3), (column, end - 1 + 3)))
    return spans


def reference_pdf(layout: Layout | None = None) -> bytes:
    title, sections = parse_reference(reference_text())
    return report_pdf(title, sections, layout)


def long_sections(pages: int) -> list[Section]:
    """The reference's KPI rows repeated under distinct project names, enough for `pages`
    pages of 7 KPI rows."""
    _, sections = parse_reference(reference_text())
    template = [r for s in sections for r in s.rows]
    rows: list[list[str]] = []
    copy = 0
    while len(rows) < pages * Layout().rows_per_page:
        copy += 1
        for row in template:
            name = f"{row[0]}（その{copy}）" if row[0] else ""
            rows.append([name, *row[1:]])
    return [Section(sections[0].heading, rows[: pages * Layout().rows_per_page])]


def _image(width: float = 700, height: float = 350) -> object:
    from PIL import Image as PILImage
    from reportlab.platypus import Image

    buffer = io.BytesIO()
    PILImage.new("L", (200, 100), color=200).save(buffer, format="PNG")
    buffer.seek(0)
    return Image(buffer, width=width, height=height)


def scanned_pdf() -> bytes:
    """A one-page PDF holding only an image (a scan: no text layer)."""
    from PIL import Image
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    image = Image.new("L", (200, 100), color=200)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=landscape(A4))
    canvas.drawImage(ImageReader(image), 40, 200, width=700, height=350)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def encrypted_pdf(user_password: str) -> bytes:
    """A one-page text PDF encrypted with `user_password` (empty: opens without one)."""
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    encrypt = pdfencrypt.StandardEncryption(user_password, ownerPassword="owner")
    canvas = Canvas(buffer, encrypt=encrypt)
    canvas.setFont(font(), 12)
    canvas.drawString(40, 700, "令和5年度")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def benchmark(pages: int = 100) -> None:
    """Print how long reading a `pages`-page report takes (seconds, total and per page)."""
    from kpiledger.io.readers import read_report_bytes

    data = report_pdf("令和5年度デジタル田園都市国家構想交付金事業の実績", long_sections(pages))
    start = time.perf_counter()
    report = read_report_bytes(data, "long.pdf")
    seconds = time.perf_counter() - start
    kpis = sum(len(p.kpis) for p in report.projects)
    print(
        f"{pages} pages ({len(data)} bytes, {kpis} KPIs): {seconds:.2f} s, "
        f"{seconds / pages:.3f} s/page"
    )


if __name__ == "__main__":
    benchmark()
