"""The columns of a table without vertical rules, told by the whitespace between its texts
(see `pdf_aligned`)."""

from __future__ import annotations

import statistics
from bisect import bisect_right
from dataclasses import dataclass

from kpiledger.io.readers.pdf_text import Line


@dataclass(frozen=True)
class Columns:
    """A table's column gaps, left to right (each the free interval between two columns), and
    how far a text must reach past a gap on both sides to be spread over both columns (half a
    letter: a line may hang its last 「、」 into the gap)."""

    gaps: tuple[tuple[float, float], ...]
    reach: float

    @property
    def mids(self) -> list[float]:
        return [(a + b) / 2 for a, b in self.gaps]

    def index(self, x: float) -> int:
        return bisect_right(self.mids, x)

    def straddles(self, piece: Line) -> bool:
        return any(piece.x0 < a - self.reach and piece.x1 > b + self.reach for a, b in self.gaps)

    def fits(self, table: list[list[Line]]) -> bool:
        return not any(self.straddles(p) for line in table for p in line)


def choose(
    table: list[list[Line]], parted: list[list[Line]], previous: Columns | None
) -> Columns | None:
    """The previous page's columns when this page's table lines fit them (a table continued:
    a page of few rows cannot tell its columns as well), else this page's own."""
    if previous is not None and table and previous.fits(table):
        return previous
    return _columns(table, parted) if len(table) >= 2 else None


def _columns(table: list[list[Line]], parted: list[list[Line]]) -> Columns | None:
    """The gaps free in every table line, narrowed by the other lines (see the module)."""
    low = min(p.x0 for line in table for p in line)
    high = max(p.x1 for line in table for p in line)
    free = [(low, high)]
    for line in table:
        free = _subtract(free, [(p.x0, p.x1) for p in line])
    size = statistics.median(p.size for line in table for p in line)
    gaps = [(a, b) for a, b in free if b - a >= max(2.0, 0.3 * size) and low < a and b < high]
    if not gaps:
        return None
    wide = Columns(tuple(gaps), size / 2)
    kept = [(p.x0, p.x1) for line in parted for p in line if not wide.straddles(p)]
    return Columns(tuple(_narrow(gap, kept) for gap in gaps), size / 2)


def _narrow(gap: tuple[float, float], kept: list[tuple[float, float]]) -> tuple[float, float]:
    """`gap` less the texts reaching into it (its widest part left, or all of it when they
    fill it)."""
    free = [(x, y) for x, y in _subtract([gap], kept) if y - x >= 0.5]
    return max(free, key=lambda g: g[1] - g[0]) if free else gap


def _subtract(
    free: list[tuple[float, float]], covered: list[tuple[float, float]]
) -> list[tuple[float, float]]:
    for x0, x1 in covered:
        left = [(a, min(b, x0)) for a, b in free if a < x0]
        right = [(max(a, x1), b) for a, b in free if b > x1]
        free = sorted({g for g in left + right if g[1] > g[0]})
    return free
