"""A PDF page's ruled tables (pdfplumber, line strategy), as rows of cell texts.

pdfplumber's line strategy takes every ruling the page draws: stroked lines, the sides of
rectangles (Excel draws each cell border as a thin filled rectangle) and of curves. A table
found there is kept when it has at least two rows and two columns: a frame around the page or
a shaded box is no table. A merged cell's text fills every cell it covers: 「実績値」 over each
year column, a project name over each of its KPI rows; a row that is one merged cell across
the table is one text (a heading or a note).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from kpiledger.io.readers.pdf_text import Char, cell_text

SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}

Box = tuple[float, float, float, float]  # x0, top, x1, bottom


def ruled_tables(page: Any) -> list[Grid]:
    """The page's ruled tables of two rows and two columns or more."""
    grids = [Grid.of(t) for t in page.find_tables(SETTINGS)]
    return [g for g in grids if g is not None and len(g.tops) > 1 and len(g.lefts) > 1]


@dataclass
class Grid:
    """One ruled table: its row tops, column lefts, and each merged cell's box and span."""

    bbox: Box
    tops: list[float]
    lefts: list[float]
    owner: dict[tuple[int, int], Box]  # (row, column) → the box of the cell covering it
    chars: dict[Box, list[Char]] = field(default_factory=dict)

    @classmethod
    def of(cls, table: Any) -> Grid | None:
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

    def holds(self, char: Char) -> bool:
        x, y = char.center, char.middle
        return self.bbox[0] <= x <= self.bbox[2] and self.bbox[1] <= y <= self.bbox[3]

    def add(self, char: Char) -> None:
        x, y = char.center, char.middle
        place = (bisect_right(self.tops, y) - 1, bisect_right(self.lefts, x) - 1)
        box = self.owner.get(place)
        if box is not None and box[0] <= x <= box[2] and box[1] <= y <= box[3]:
            self.chars.setdefault(box, []).append(char)

    def rows(self) -> Iterator[tuple[float, list[str]]]:
        """Each table row's top and cells, a merged cell's text in every cell it covers."""
        texts = {box: cell_text(chars) for box, chars in self.chars.items()}
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
