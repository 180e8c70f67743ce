"""Reader for a report published as PDF: its tables and the texts around them, as rows.

Published reports are PDFs printed from Excel or Word, and each page's table is found by what
it has (`pdf_grid`, `pdf_aligned`):
1. ruling lines, stroked or drawn as thin filled rectangles (pdfplumber's line strategy takes
   the sides of rectangles too): one row per ruled row, a merged cell's text in every cell
   it covers;
2. else, for the texts outside those tables, the whitespace between columns: a table with
   only horizontal rules, or none, read by its column gaps, its rows told by the rules or by
   the space between them (see `pdf_aligned` for how and for its limits).
Every text outside a table (the title, the 【…】 headings, notes) is a one-cell row, in reading
order by its height on the page, interleaved with the table rows. Across pages
(`pdf_pages`): page numbers, running headers and footers (the title or 釧路市 repeated at the
same place on every page) are dropped, and so is a table's header repeated at the top of a
continued page; a continued page without its header is read by the columns of the page
before. The chart appendix of a PDF kpiledger wrote is dropped (`pdf_own`); its judgement's
columns are ignored like every heading marked `kpiledger`. The rows go to `table.interpret`
like the text reader's; a row is located as
`p.3 row 5` (the 5th row on page 3, counting text lines and table rows from the top, dropped
repeats included).

Texts (`pdf_text`): characters drawn one by one (Excel's export) are read as lines; a space is
where the PDF drew one or left a gap; a word letter-spaced over its cell (「移 住 者 数」) is
one word; a text wrapped over lines inside its cell is joined without a break (nothing between
two Japanese lines, one space between two ASCII words), so a cell never holds `\\n`; texts are
NFC; a character the PDF gives no Unicode for (`(cid:12)`) is `\\ufffd`, and the report says
on which pages.

A PDF whose pages are only images (a scan) is `scanned-pdf`, one without any text and image
`no-text-pdf`, one where no table is found `no-table-pdf` (located at its first page with
text, saying what that page held), one that cannot be opened (damaged, cut short, locked by a
password, or of more than `MAX_PAGES` pages) `bad-pdf`. A page of only images among text pages
is skipped with a `scanned-page` notice. A failure while pdfplumber reads the file is
`bad-pdf`; the reader's own work after that is not caught (a fault there is a bug to see).
"""

from __future__ import annotations

import io
import logging
import math
from dataclasses import dataclass, field
from typing import Any

from kpiledger.core.errors import Problem, ReportError
from kpiledger.io.readers.columns import Row
from kpiledger.io.readers.pdf_aligned import FULL, Rule, aligned_rows
from kpiledger.io.readers.pdf_columns import Columns
from kpiledger.io.readers.pdf_grid import Grid, ruled_tables
from kpiledger.io.readers.pdf_own import without_own
from kpiledger.io.readers.pdf_pages import Headers, Scan, chars_outside, strip_running
from kpiledger.io.readers.pdf_text import CID, char_of, lines, pieces
from kpiledger.io.readers.source import Source

#: More pages than a KPI report ever has; a damaged file claiming more is refused early.
MAX_PAGES = 2000
#: A horizontal rule is at least this long (points); shorter strokes are underlines or marks.
RULE_LENGTH = 10.0


@dataclass
class _Document:
    """What is read so far: rows with their (page, row on page), and what the pages held."""

    rows: list[Row] = field(default_factory=list)
    pages: dict[int, tuple[int, int]] = field(default_factory=dict)
    texts: int = 0  # characters on all pages
    tables: int = 0
    image_pages: list[int] = field(default_factory=list)  # pages with images but no text
    unmapped: list[int] = field(default_factory=list)  # pages with `(cid:…)` characters
    found: list[tuple[int, int, int, int]] = field(default_factory=list)  # see `_no_table`

    def add_page(self, number: int, rows: list[tuple[int, list[str]]]) -> None:
        """A page's rows, each with its number on the page."""
        for index, cells in rows:
            line = len(self.rows) + 1
            self.rows.append(Row(line, cells))
            self.pages[line] = (number, index)


def source(data: bytes) -> Source:
    """The rows of a PDF report (see the module); `ReportError` when it cannot be read."""
    document = _Document()
    try:
        scans = _scan_pages(data, document)
    except ReportError:
        raise
    except Exception as error:  # pdfminer raises many kinds on damaged files
        raise _bad_pdf(error) from None
    _read(scans, document)  # the reader's own work: a fault here is a bug, never `bad-pdf`
    _check(document)
    document.rows = without_own(document.rows, document.pages)  # kpiledger's chart appendix
    return Source(document.rows, "pdf", pages=document.pages, notices=_notices(document))


def _scan_pages(data: bytes, document: _Document) -> list[Scan]:
    """Every page as pdfplumber reads it (where a damaged file fails)."""
    import pdfplumber

    _quiet_pdfminer()

    with pdfplumber.open(io.BytesIO(data), raise_unicode_errors=False) as pdf:
        if len(pdf.pages) > MAX_PAGES:
            raise _too_many_pages(len(pdf.pages))
        scans = []
        for page in pdf.pages:
            scans.append(_scan(page, document))
            page.close()
    return scans


def _read(scans: list[Scan], document: _Document) -> None:
    """The pages' rows, running texts and repeated headers dropped (see `pdf_pages`)."""
    strip_running(scans)
    columns: Columns | None = None
    headers = Headers()
    for scan in scans:
        placed, columns = _page_rows(scan, columns, document)
        repeated = headers.repeated(placed)
        first = scan.dropped_top + 1
        rows = [(first + i, cells) for i, cells in enumerate(placed) if i not in repeated]
        document.add_page(scan.number, rows)


def _quiet_pdfminer() -> None:
    """pdfminer logs a warning for every damaged object it skips; a user sees one problem
    instead. An application that set pdfminer's log level itself keeps it."""
    logger = logging.getLogger("pdfminer")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.ERROR)


def _scan(page: Any, document: _Document) -> Scan:
    """A page's ruled tables (holding their characters), the lines outside them, its rules."""
    number, height = int(page.page_number), float(page.height)
    chars = [char_of(c) for c in page.chars if c.get("text") and _placed(c)]
    document.texts += len(chars)
    if not chars:
        if page.images:
            document.image_pages.append(number)
        return Scan(number, height, [], [], [])
    if any(CID.match(c.text) for c in chars):
        document.unmapped.append(number)
    grids = ruled_tables(page)
    outside = lines(chars_outside(chars, grids))
    edges = page.edges
    table_lines = sum(len(pieces(line)) >= FULL for line in outside)
    document.found.append((number, len(outside), len(edges), table_lines))
    return Scan(number, height, grids, outside, _rules(edges, grids))


def _placed(obj: dict[str, Any]) -> bool:
    """Whether a character has a finite place (a damaged file may give it none)."""
    return all(math.isfinite(float(obj[k])) for k in ("x0", "x1", "top", "bottom"))


def _rules(edges: list[dict[str, Any]], grids: list[Grid]) -> list[Rule]:
    """The horizontal rules outside the ruled tables."""
    rules = []
    for edge in edges:
        x0, x1, y = float(edge["x0"]), float(edge["x1"]), float(edge["top"])
        if edge["orientation"] != "h" or not x1 - x0 >= RULE_LENGTH or not math.isfinite(y):
            continue
        if not any(
            g.bbox[0] - 1 <= x0 and x1 <= g.bbox[2] + 1 and g.bbox[1] - 1 <= y <= g.bbox[3] + 1
            for g in grids
        ):
            rules.append(Rule(x0, x1, y))
    return rules


def _page_rows(
    scan: Scan, columns: Columns | None, document: _Document
) -> tuple[list[list[str]], Columns | None]:
    """A page's rows, top to bottom: its ruled tables' rows, then the other lines read as a
    table without vertical rules or as one-cell rows of text."""
    placed = [row for grid in scan.grids for row in grid.rows()]
    aligned, found = aligned_rows(scan.lines, scan.rules, columns)
    document.tables += len(scan.grids) + (found is not None)
    placed += aligned
    placed.sort(key=lambda item: item[0])
    return [cells for _, cells in placed], found or columns


def _check(document: _Document) -> None:
    """A PDF without text (a scan, or text drawn as shapes) or without any ruled table."""
    if document.texts == 0 and not document.image_pages:
        raise ReportError.single(
            "no-text-pdf",
            "このPDFには文字の情報がありません（白紙か、文字が図形として描かれています）。"
            "元のExcelかテキストを使ってください",
            "this PDF holds no text (it is blank, or its letters are drawn as shapes):"
            " use the original Excel or text file",
        )
    if document.texts == 0:
        raise ReportError.single(
            "scanned-pdf",
            "このPDFには文字の情報がありません（スキャンした画像のようです）。"
            "文字を読み取る機能（OCR）はありません。元のExcelかテキストを使ってください",
            "this PDF holds no text (it looks like a scanned image); kpiledger has no OCR:"
            " use the original Excel or text file",
        )
    if document.tables == 0:
        raise ReportError([_no_table(document)])


def _no_table(document: _Document) -> Problem:
    """`no-table-pdf`, located at the first page with text, saying what that page held."""
    number, texts, edges, aligned = document.found[0] if document.found else (1, 0, 0, 0)
    return Problem(
        "no-table-pdf",
        f"このPDFに表が見つかりません（{number}ページ：文字の行{texts}行、罫線{edges}本、"
        f"3列以上にそろった行{aligned}行）。罫線で区切られた表か、列が空白でそろった表を読みます。"
        "元のExcelかテキストを使ってください",
        f"no table was found in this PDF (p.{number}: lines of text {texts}, rules {edges},"
        f" lines in three columns or more {aligned}); a table is read by its rules or by the"
        " whitespace between its columns: use the original Excel or text file",
        page=number,
    )


def _notices(document: _Document) -> list[Problem]:
    notices = []
    if document.image_pages:
        pages = _page_list(document.image_pages)
        notices.append(
            Problem(
                "scanned-page",
                f"{pages[0]}ページは画像だけで文字の情報がないため、読んでいません",
                f"page(s) {pages[1]} hold only images (no text) and were not read",
            )
        )
    if document.unmapped:
        pages = _page_list(document.unmapped)
        notices.append(
            Problem(
                "unmapped-pdf-text",
                f"{pages[0]}ページに、文字に変換できない記号があります（「\ufffd」と表示します）",
                f"page(s) {pages[1]} have characters with no Unicode (shown as '\ufffd')",
            )
        )
    return notices


def _page_list(pages: list[int]) -> tuple[str, str]:
    listed = [str(p) for p in pages[:10]] + (["…"] if len(pages) > 10 else [])
    return "・".join(listed), ", ".join(listed)


def _too_many_pages(count: int) -> ReportError:
    return ReportError.single(
        "bad-pdf",
        f"PDFのページ数が多すぎます（{count}ページ。{MAX_PAGES}ページまで読めます）",
        f"the PDF has too many pages ({count}; at most {MAX_PAGES} can be read)",
    )


def _bad_pdf(error: Exception) -> ReportError:
    if _locked(error):
        return ReportError.single(
            "bad-pdf",
            "このPDFはパスワードで保護されていて開けません。保護を解除したPDFか、"
            "元のExcelかテキストを使ってください",
            "this PDF is protected by a password and cannot be opened: use an unprotected PDF,"
            " or the original Excel or text file",
        )
    return ReportError.single(
        "bad-pdf",
        "PDFを読めません（ファイルが壊れているか、途中で切れています）。"
        "もう一度ダウンロードするか、元のExcelかテキストを使ってください",
        f"cannot read the PDF (the file is damaged or cut short: {type(error).__name__}):"
        " download it again, or use the original Excel or text file",
    )


def _locked(error: BaseException | None) -> bool:
    """Whether pdfminer failed for a password (the cause may be wrapped)."""
    seen = 0
    while error is not None and seen < 5:
        if "Password" in type(error).__name__ or "Encryption" in type(error).__name__:
            return True
        args = getattr(error, "args", ())
        inner = args[0] if args and isinstance(args[0], BaseException) else None
        error = error.__cause__ or error.__context__ or inner
        seen += 1
    return False
