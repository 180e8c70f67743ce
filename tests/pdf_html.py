"""Test PDFs printed from HTML by WeasyPrint, as a report printed from a browser or Word looks.

WeasyPrint lays the table out itself, as Word or a browser does: it wraps a cell's text by its
width (Japanese between any two characters, ASCII at spaces), repeats a `<thead>` at the top of
every page the table runs on, draws cell borders as separate strokes, and puts running texts in
the page margins (`@top-center`, `@bottom-center`). The variants (`Html`) are what published
reports differ in: ruling (a full grid, horizontal rules only, none), a header of three rows
(the reference) or two (実績値 spanning the year columns), a header repeated on every page or
only on the first, running headers and footers, letter-spaced cells, fullwidth digits.

WeasyPrint needs Pango (Debian packages `libpango-1.0-0`, `libpangoft2-1.0-0`; CI installs
them) and the Japanese fonts `fonts-ipafont-gothic` / `fonts-noto-cjk`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from tests.pdf_files import NUMERIC, WIDTHS, Section, parse_reference, reference_text

THREE_ROWS = """
<tr><th rowspan=3>交付対象 事業の名称</th><th rowspan=3>事業の概要</th>
<th colspan=9>K P I（重要業績評価指標）</th></tr>
<tr><th rowspan=2>指標</th><th colspan=3>指標値</th><th colspan=5>実績値</th></tr>
<tr><th>指標値</th><th>単位</th><th>年月</th>
<th>R1年度</th><th>R2年度</th><th>R3年度</th><th>R4年度</th><th>R5年度</th></tr>
"""
TWO_ROWS = """
<tr><th rowspan=2>事業の名称</th><th rowspan=2>事業の概要</th><th rowspan=2>指標</th>
<th rowspan=2>目標値</th><th rowspan=2>単位</th><th rowspan=2>目標年月</th>
<th colspan=5>実績値</th></tr>
<tr><th>R1年度</th><th>R2年度</th><th>R3年度</th><th>R4年度</th><th>R5年度</th></tr>
"""
BORDERS = {
    "grid": "td, th { border: 0.5pt solid #000 }",
    "horizontal": "td, th { border-top: 0.5pt solid #000; border-bottom: 0.5pt solid #000 }",
    "none": "",
}
#: Texts set letter-spaced (CSS letter-spacing), as a header or a short label is spread over
#: its cell in Japanese reports: pdfplumber sees 「移 住 者 数」.
SPACED = ("移住者数", "指標", "単位", "事業の概要")


@dataclass(frozen=True)
class Html:
    """How the report is printed (see the module)."""

    borders: str = "grid"  # one of BORDERS
    header: str = "three-rows"  # "three-rows" (the reference) or "two-rows"
    repeat_header: bool = True  # a <thead>, repeated on every page; else rows of the body
    running: bool = False  # the title above every page, 「2 / 5」 and 釧路市 below
    page_numbers: bool = True  # 「- 2 -」 below every page (when not `running`)
    font: str = "IPAGothic"
    spaced: bool = False  # the texts of SPACED letter-spaced
    fullwidth: bool = False  # numbers and dates in fullwidth digits (２，３００, Ｒ６．３)
    padding: float = 2.5  # points above and below a cell's text
    section_breaks: bool = True  # each section starts on a new page


def css(style: Html) -> str:
    margin = "@top-center { content: string(title); font-size: 8pt }" if style.running else ""
    if style.running:
        margin += '@bottom-center { content: counter(page) " / " counter(pages); font-size: 8pt }'
        margin += '@bottom-right { content: "釧路市"; font-size: 8pt }'
    elif style.page_numbers:
        margin += '@bottom-center { content: "- " counter(page) " -"; font-size: 9pt }'
    widths = "".join(f"col:nth-child({i + 1}) {{ width: {w}pt }}" for i, w in enumerate(WIDTHS))
    return f"""
@page {{ size: A4 landscape; margin: 16mm 8mm 14mm;
  {margin} }}
html {{ font-family: '{style.font}' }}
body {{ font-size: 7pt; line-height: 1.3 }}
h1 {{ font-size: 14pt; font-weight: normal; margin: 0 0 6pt; string-set: title content() }}
h2 {{ font-size: 11pt; font-weight: normal; margin: 0 0 4pt }}
h2.break {{ break-before: page }}
table {{ border-collapse: collapse; table-layout: fixed }}
{widths}
td, th {{ padding: {style.padding}pt 3pt; font-weight: normal; vertical-align: middle }}
{BORDERS[style.borders]}
th {{ text-align: center }}
td.n {{ text-align: right }}
.s {{ letter-spacing: 0.6em }}
tr {{ break-inside: avoid }}
p.note {{ font-size: 8pt; margin-top: 6pt }}
"""


def report_html(title: str, sections: list[Section], style: Html, note: str | None = None) -> str:
    parts = [f"<h1>{html.escape(title)}</h1>"]
    for number, section in enumerate(sections):
        kind = ' class="break"' if number and style.section_breaks else ""
        parts.append(f"<h2{kind}>{html.escape(section.heading)}</h2>")
        parts.append(_table(section.rows, style))
    if note:
        parts.append(f'<p class="note">{html.escape(note)}</p>')
    return f"<html><head><style>{css(style)}</style></head><body>{''.join(parts)}</body></html>"


def _table(rows: list[list[str]], style: Html) -> str:
    header = THREE_ROWS if style.header == "three-rows" else TWO_ROWS
    if style.spaced:
        for text in SPACED:
            header = header.replace(f">{text}<", f'><span class="s">{text}</span><')
    body = "".join(_row(row, style) for row in rows)
    columns = "<colgroup>" + "<col>" * len(WIDTHS) + "</colgroup>"
    if style.repeat_header:
        return f"<table>{columns}<thead>{header}</thead><tbody>{body}</tbody></table>"
    return f"<table>{columns}<tbody>{header}{body}</tbody></table>"


def _row(cells: list[str], style: Html) -> str:
    out = []
    for index, text in enumerate(cells):
        numeric = index in NUMERIC or index == 5
        if style.fullwidth and numeric:
            text = fullwidth(text)
        content = html.escape(text)
        if style.spaced and text in SPACED:
            content = f'<span class="s">{content}</span>'
        out.append(f'<td class="n">{content}</td>' if index in NUMERIC else f"<td>{content}</td>")
    return "<tr>" + "".join(out) + "</tr>"


def fullwidth(text: str) -> str:
    """ASCII letters, digits and signs as their fullwidth forms (`2,300` → `２，３００`)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def html_pdf(document: str) -> bytes:
    import weasyprint

    return bytes(weasyprint.HTML(string=document).write_pdf())


def reference_pdf(style: Html | None = None, note: str | None = None) -> bytes:
    """The reference report printed by WeasyPrint (A4 landscape, see the module)."""
    title, sections = parse_reference(reference_text())
    return html_pdf(report_html(title, sections, style or Html(), note))
