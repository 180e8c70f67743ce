"""What a PDF repeats on its pages, dropped so the interpreter reads one continuous report.

- Page numbers (`- 1 -`, `2/5`, `p.3`, `3ページ`) in the top or bottom margin, and the texts
  on their line (`1 / 3      釧路市`). A text in the top margin that its page repeats below
  (the title as the running header) is dropped too, even on a report of one page.
- Running texts: a text in the top or bottom `BAND` of the page, on a line of at most three
  pieces standing apart from the other lines (`APART`), found at the same height (±3 pt, its
  digits aside: `2 / 5`) on two pages or more. A running footer (釧路市, 企画課) is dropped on
  every page. A running header is dropped on every page too, except on the first page when
  nothing else above its first table could be the report's title (Excel's print titles repeat
  the title row).
- A table's header repeated at the top of a continued page (`<thead>`, Excel's print titles):
  its rows are dropped when they equal the first rows of the table begun before and no text
  (a heading) stands above them on that page. Dropped rows still count in a row's number on
  its page (`p.2 row 4` is the 4th row from the top, as the reader sees the page).
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from kpiledger.io.readers.layout import SECTION_HEADING
from kpiledger.io.readers.pdf_aligned import FULL, Rule
from kpiledger.io.readers.pdf_grid import Grid
from kpiledger.io.readers.pdf_text import Char, Line, pieces

APART = 1.5  # letters of space around a running text
BAND = 0.12  # the share of a page's height, at its top and its bottom, of running texts
PAGE_NUMBER = re.compile(
    r"^[-－―‐—–\s]*(?:[pP](?:age)?\.?\s*)?[0-9０-９]+\s*(?:(?:[/／]|of)\s*[0-9０-９]+)?"
    r"\s*(?:ページ|頁)?[-－―‐—–\s]*$"
)


@dataclass
class Scan:
    """One page as first read: its ruled tables, the lines outside them, its rules."""

    number: int
    height: float
    grids: list[Grid]
    lines: list[Line]
    rules: list[Rule]
    dropped_top: int = 0  # running texts dropped above the page's content


@dataclass
class _Margin:
    scan: Scan
    line: Line
    piece: Line
    top: bool  # in the top band (else the bottom)

    @property
    def key(self) -> tuple[bool, str]:
        return self.top, re.sub(r"[0-9０-９]+", "0", _norm(self.piece.text))


def strip_running(scans: list[Scan]) -> None:
    """Drop page numbers and running texts from the pages' lines (see the module)."""
    margins = [m for scan in scans for m in _margins(scan)]
    numbered = {id(m.line) for m in margins if PAGE_NUMBER.match(m.piece.text)}
    drop = {id(m.piece) for m in margins if id(m.line) in numbered or _copied(m)}
    groups: dict[tuple[bool, str], list[_Margin]] = defaultdict(list)
    for margin in margins:
        if id(margin.piece) not in drop:
            groups[margin.key].append(margin)
    opening = next((scan for scan in scans if scan.lines or scan.grids), None)
    for group in groups.values():
        running = _running(group)
        first = running[0] if running else None
        if first and first.top and first.scan is opening and _title_only(first, running):
            running = running[1:]
        drop.update(id(m.piece) for m in running)
    for scan in scans:
        _remove(scan, drop)


def _margins(scan: Scan) -> list[_Margin]:
    """The pieces of the lines standing apart in the page's margins: in the top or bottom
    `BAND`, of at most `FULL` pieces, at least `APART` letters from every other line (a
    table's row near the top of a page is no running text)."""
    found = []
    ordered = sorted(scan.lines, key=lambda line: line.top)
    for index, line in enumerate(ordered):
        middle = (line.top + line.bottom) / 2
        top, bottom = middle < BAND * scan.height, middle > (1 - BAND) * scan.height
        parts = pieces(line)
        if not (top or bottom) or len(parts) > FULL or not _apart(ordered, index):
            continue
        found += [_Margin(scan, line, piece, top) for piece in parts]
    return found


def _apart(ordered: list[Line], index: int) -> bool:
    line = ordered[index]
    space = APART * line.size
    above = ordered[index - 1] if index else None
    below = ordered[index + 1] if index + 1 < len(ordered) else None
    return (above is None or line.top - above.bottom >= space) and (
        below is None or below.top - line.bottom >= space
    )


def _copied(margin: _Margin) -> bool:
    """A text in the top margin that its page repeats below it (the title as the running
    header of a report of one page)."""
    if not margin.top:
        return False
    key = _norm(margin.piece.text)
    return any(line is not margin.line and _norm(line.text) == key for line in margin.scan.lines)


def _running(group: list[_Margin]) -> list[_Margin]:
    """The occurrences at one height on two pages or more (a title in the body, at another
    height, is not one of them)."""
    if len({m.scan.number for m in group}) < 2:
        return []
    height = statistics.median(m.piece.top for m in group)
    same = [m for m in group if abs(m.piece.top - height) <= 3]
    return same if len({m.scan.number for m in same}) >= 2 else []


def _title_only(first: _Margin, running: list[_Margin]) -> bool:
    """Whether nothing else above the first table of the page could be the title."""
    copies = {id(m.line) for m in running}
    scan = first.scan
    table_top = min([g.bbox[1] for g in scan.grids] + [scan.height])
    for line in scan.lines:
        parts = pieces(line)
        if len(parts) >= FULL:
            table_top = min(table_top, line.top)
    others = [
        line
        for line in scan.lines
        if id(line) not in copies
        and line.bottom <= table_top
        and not SECTION_HEADING.match(line.text)
        and not PAGE_NUMBER.match(line.text)
    ]
    return not others


def _remove(scan: Scan, drop: set[int]) -> None:
    kept: list[Line] = []
    for line in scan.lines:
        parts = pieces(line)
        left = [p for p in parts if id(p) not in drop]
        if len(left) == len(parts):
            kept.append(line)
            continue
        if left:
            kept.append(Line(sorted((c for p in left for c in p.chars), key=lambda c: c.x0)))
        elif (line.top + line.bottom) / 2 < BAND * scan.height:
            scan.dropped_top += 1
    scan.lines = kept


@dataclass
class Headers:
    """The first rows of the last table begun, to drop them where a page repeats them."""

    rows: list[tuple[str, ...]] = field(default_factory=list)

    def repeated(self, rows: list[list[str]]) -> set[int]:
        """The indexes of `rows` (one page's) that repeat the header; remembers a new table's
        first rows."""
        first = next((i for i, cells in enumerate(rows) if len(cells) > 1), None)
        if first is None:
            return set()
        table = [_key(cells) for cells in rows[first : first + 6]]
        if first == 0 and self.rows:
            count = 0
            while count < min(len(table), len(self.rows)) and table[count] == self.rows[count]:
                count += 1
            if count:
                return set(range(count))
        if first > 0 or not self.rows:
            self.rows = table
        return set()


def _key(cells: list[str]) -> tuple[str, ...]:
    return tuple(_norm(c) for c in cells if c)


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def chars_outside(chars: list[Char], grids: list[Grid]) -> list[Char]:
    """Each character put into the ruled table holding it; those outside every table."""
    outside = []
    for char in chars:
        grid = next((g for g in grids if g.holds(char)), None)
        if grid is None:
            outside.append(char)
        else:
            grid.add(char)
    return outside
