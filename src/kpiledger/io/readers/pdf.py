"""Reader for a report published as PDF: its ruled tables and the texts around them, as rows.

A page's ruled tables (pdfplumber, line strategy) give one row per table row; every text
outside a table (the title, the 【…】 section headings, notes under the table) gives one-cell
rows, one per text line, in reading order by their vertical position, interleaved with the
table rows; page numbers (`- 1 -`, `2/5`) are dropped. The rows go to `table.interpret` like
the text reader's; a row is located as `p.3 row 5` (the 5th row read on page 3, counting text
lines and table rows from the top).

Cells, as the interpreter reads the tab-separated reference:
- a text wrapped over lines inside its cell (by the column's width) is joined without a break:
  nothing between two lines (Japanese), one space where the PDF drew one at the break or where
  both sides are ASCII words (`per` / `year`); the PDF cannot tell a wrap from a typed line
  break, so a cell never holds `\\n`.
- a merged cell fills every cell it covers: 「実績値」 over each year column of a two-row
  header, a project name (and summary) over each of its KPI rows (a repeated name continues the
  same project), a unit or 年月 merged over several KPIs gives each KPI its own. A row holding
  only one merged text across the table is a one-cell row (a heading or a note).
- texts are NFC; a character the PDF gives no Unicode for (`(cid:12)`) is `\\ufffd`, and the
  report says on which pages.

A PDF whose pages are only images (a scan) is `scanned-pdf`, one without any text and image
`no-text-pdf`, one without a ruled table `no-table-pdf` (tables without ruling lines are not
read), one that cannot be opened (damaged, cut short, locked by a password, or of more than
`MAX_PAGES` pages) `bad-pdf`. A page of only images among text pages is skipped with a
`scanned-page` notice.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from kpiledger.core.errors import Problem, ReportError
from kpiledger.io.readers.columns import Row
from kpiledger.io.readers.source import Source

#: More pages than a KPI report ever has; a damaged file claiming more is refused early.
MAX_PAGES = 2000
TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
PAGE_NUMBER = re.compile(
    r"^[-－―‐—–\s]*(?:[pP]\.?\s*)?[0-9０-９]+\s*(?:[/／]\s*[0-9０-９]+)?\s*(?:ページ|頁)?[-－―‐—–\s]*$"
)
CID = re.compile(r"^\(cid:\d+\)$")
WORD_END = re.compile(r"[A-Za-z0-9,.;:!?)\]]")  # ends an ASCII word before a wrap
WORD_START = re.compile(r"[A-Za-z0-9(\[]")

Box = tuple[float, float, float, float]  # x0, top, x1, bottom


@dataclass
class _Document:
    """What is read so far: rows with their (page, row on page), and what the pages held."""

    rows: list[Row] = field(default_factory=list)
    pages: dict[int, tuple[int, int]] = field(default_factory=dict)
    texts: int = 0  # characters on all pages
    tables: int = 0
    image_pages: list[int] = field(default_factory=list)  # pages with images but no text
    unmapped: list[int] = field(default_factory=list)  # pages with `(cid:…)` characters

    def add_page(self, number: int, rows: list[list[str]]) -> None:
        for index, cells in enumerate(rows, start=1):
            line = len(self.rows) + 1
            self.rows.append(Row(line, cells))
            self.pages[line] = (number, index)


def source(data: bytes) -> Source:
    """The rows of a PDF report (see the module); `ReportError` when it cannot be read."""
    document = _Document()
    try:
        _read(data, document)
    except ReportError:
        raise
    except Exception as error:  # pdfminer raises many kinds on damaged files
        raise _bad_pdf(error) from None
    _check(document)
    return Source(document.rows, "pdf", pages=document.pages, notices=_notices(document))


def _read(data: bytes, document: _Document) -> None:
    import pdfplumber

    _quiet_pdfminer()

    with pdfplumber.open(io.BytesIO(data), raise_unicode_errors=False) as pdf:
        if len(pdf.pages) > MAX_PAGES:
            raise _too_many_pages(len(pdf.pages))
        for page in pdf.pages:
            document.add_page(page.page_number, _page_rows(page, document))
            page.close()


def _quiet_pdfminer() -> None:
    """pdfminer logs a warning for every damaged object it skips; a user sees one problem
    instead. An application that set pdfminer's log level itself keeps it."""
    logger = logging.getLogger("pdfminer")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.ERROR)


def _page_rows(page: Any, document: _Document) -> list[list[str]]:
    """A page's rows: table rows and text lines, top to bottom."""
    chars = [_char(c) for c in page.chars if c.get("text")]
    document.texts += len(chars)
    if not chars:
        if page.images:
            document.image_pages.append(int(page.page_number))
        return []
    if any(CID.match(c.text) for c in chars):
        document.unmapped.append(int(page.page_number))
    found = [_Grid.of(t) for t in page.find_tables(TABLE_SETTINGS)]
    tables = [t for t in found if t is not None]
    document.tables += len(tables)
    placed: list[tuple[float, list[str]]] = []
    outside: list[_Char] = []
    for char in chars:
        grid = next((t for t in tables if t.holds(char)), None)
        if grid is None:
            outside.append(char)
        else:
            grid.add(char)
    for grid in tables:
        placed += grid.rows()
    placed += [(top, [text]) for top, text in _text_lines(outside) if not PAGE_NUMBER.match(text)]
    placed.sort(key=lambda item: item[0])
    return [cells for _, cells in placed]


@dataclass(frozen=True)
class _Char:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def size(self) -> float:
        return max(self.bottom - self.top, 1.0)

    @property
    def center(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, (self.top + self.bottom) / 2


def _char(obj: dict[str, Any]) -> _Char:
    text = str(obj["text"])
    return _Char(text, float(obj["x0"]), float(obj["x1"]), float(obj["top"]), float(obj["bottom"]))


@dataclass
class _Grid:
    """One ruled table: its row tops, column lefts, and each merged cell's box and span."""

    bbox: Box
    tops: list[float]
    lefts: list[float]
    owner: dict[tuple[int, int], Box]  # (row, column) → the box of the cell covering it
    chars: dict[Box, list[_Char]] = field(default_factory=dict)

    @classmethod
    def of(cls, table: Any) -> _Grid | None:
        boxes = [_box(c) for r in table.rows for c in r.cells if c]
        if not boxes:
            return None
        tops = sorted({b[1] for b in boxes})
        lefts = sorted({b[0] for b in boxes})
        owner: dict[tuple[int, int], Box] = {}
        for box in boxes:
            rows = [i for i, top in enumerate(tops) if box[1] <= top < box[3]]
            columns = [i for i, left in enumerate(lefts) if box[0] <= left < box[2]]
            for r in rows:
                for c in columns:
                    owner.setdefault((r, c), box)
        return cls(_box(table.bbox), tops, lefts, owner)

    def holds(self, char: _Char) -> bool:
        x, y = char.center
        return self.bbox[0] <= x <= self.bbox[2] and self.bbox[1] <= y <= self.bbox[3]

    def add(self, char: _Char) -> None:
        x, y = char.center
        place = (bisect_right(self.tops, y) - 1, bisect_right(self.lefts, x) - 1)
        box = self.owner.get(place)
        if box is not None and box[0] <= x <= box[2] and box[1] <= y <= box[3]:
            self.chars.setdefault(box, []).append(char)

    def rows(self) -> Iterator[tuple[float, list[str]]]:
        """Each table row's top and cells, a merged cell's text in every cell it covers."""
        texts = {box: _cell_text(chars) for box, chars in self.chars.items()}
        for r, top in enumerate(self.tops):
            boxes = [self.owner.get((r, c)) for c in range(len(self.lefts))]
            cells = [texts.get(b, "") if b else "" for b in boxes]
            if any(cells):
                yield top, self._single(boxes, cells)

    def _single(self, boxes: Sequence[Box | None], cells: list[str]) -> list[str]:
        """A row that is one merged cell across the table is one text (a heading or note)."""
        if len(cells) > 1 and all(b == boxes[0] for b in boxes) and boxes[0] is not None:
            return [cells[0]]
        return cells


def _box(values: Sequence[Any]) -> Box:
    x0, top, x1, bottom = (float(v) for v in values)
    return x0, top, x1, bottom


def _cell_text(chars: list[_Char]) -> str:
    """A cell's lines joined as the module says (no `\\n`), NFC, trimmed."""
    text = ""
    for _, line in _lines(chars):
        if not text.strip():
            text = line
        elif text.endswith(" ") or line.startswith(" "):
            text = text.rstrip() + " " + line.lstrip()
        elif WORD_END.match(text[-1]) and WORD_START.match(line[0]):
            text += " " + line
        else:
            text += line
    return _clean(text)


def _text_lines(chars: list[_Char]) -> Iterator[tuple[float, str]]:
    for top, line in _lines(chars):
        text = _clean(line)
        if text:
            yield top, text


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", re.sub(r"\s+", " ", text)).strip()


def _lines(chars: Iterable[_Char]) -> Iterator[tuple[float, str]]:
    """Characters grouped into lines (by their vertical middle), each line's top and text read
    left to right, with a space where the PDF drew one or left a gap of a third of a letter.
    Spaces at a line's ends are kept (they tell a wrap at a space)."""
    line: list[_Char] = []
    for char in sorted(chars, key=lambda c: (c.center[1], c.x0)):
        if line and abs(char.center[1] - line[0].center[1]) > min(char.size, line[0].size) / 2:
            yield line[0].top, _line_text(line)
            line = []
        line.append(char)
    if line:
        yield line[0].top, _line_text(line)


def _line_text(chars: list[_Char]) -> str:
    text = ""
    previous: _Char | None = None
    for char in sorted(chars, key=lambda c: c.x0):
        gap = char.x0 - previous.x1 if previous else 0.0
        if previous and gap > char.size / 3 and not text.endswith(" ") and char.text != " ":
            text += " "
        text += "\ufffd" if CID.match(char.text) else char.text
        previous = char
    return text


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
        raise ReportError.single(
            "no-table-pdf",
            "このPDFに罫線で区切られた表が見つかりません。罫線のない表は読めません。"
            "元のExcelかテキストを使ってください",
            "no ruled table was found in this PDF (a table without ruling lines cannot be"
            " read): use the original Excel or text file",
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
