"""A table drawn without vertical rules (only horizontal rules, or none): its columns told by
the whitespace between texts, its rows by space or by the horizontal rules.

Columns (`pdf_columns`). A line of `FULL` pieces or more (`pdf_text.pieces`) is a table
line: the gaps free in every table line of the page part the columns. Each gap is then
narrowed by the pieces of all lines that reach into it (a short text on a line of its own),
except those covering it whole: a text spread over several columns (「実績値」, a title). A
page of the same table without a header (a table continued) keeps the previous page's columns
when its lines fit them: a page of few rows cannot tell its columns as well.

Rows. In each column, the pieces of consecutive lines closer than `_threshold` (the space
between a cell's wrapped lines, and a little more) are one cell's text, unless a horizontal
rule lies between them. Cells overlapping each other vertically are one row. A cell is merged
over several rows when the rules above and below it enclose cells of another column that
rules part (Word draws no rule through a merged cell), or, without rules, when it is near two
cells of another column; its text then fills every row its cell spans (`_fill`). A row of one
text spread over several columns is a one-cell row (a title, a heading, a note), unless it
begins right of the first column right above the table: then it is the header's first row
(「K P I（重要業績評価指標）」 over the indicator columns).

Known limits: rows are told apart by space only when a row's padding makes them further apart
than a cell's wrapped lines (Word's tables without padding and without rules are not); in a
table without rules, a merged name whose text sits beside one of its KPI rows is that row's
only (the rows above it stay with the project before); a letter-spaced word spread wider
than `pdf_text.SPREAD_GAP` letters parts into columns.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from kpiledger.io.readers.pdf_columns import Columns, choose
from kpiledger.io.readers.pdf_text import Char, Line, cell_text, pieces

FULL = 3  # pieces on a line of a table


@dataclass(frozen=True)
class Rule:
    """A horizontal rule: from x0 to x1 at y (from the page's top)."""

    x0: float
    x1: float
    y: float


@dataclass
class _Block:
    column: int  # -1: a text spread over columns, alone on its line
    parts: list[Line]
    merged: bool = False
    cell: tuple[float, float] | None = None  # the rules above and below it in its column

    @property
    def top(self) -> float:
        return self.parts[0].top

    @property
    def bottom(self) -> float:
        return self.parts[-1].bottom


def aligned_rows(
    lines: list[Line], rules: list[Rule], previous: Columns | None
) -> tuple[list[tuple[float, list[str]]], Columns | None]:
    """The rows (top, cells) of `lines`, and the columns they were read by (None: no table,
    each line a one-cell row)."""
    parted = [pieces(line) for line in lines]
    parted = [p for p in parted if p]
    table = [p for p in parted if len(p) >= FULL]
    columns = choose(table, parted, previous)
    if columns is None:
        return [(line.top, [line.text]) for line in lines if line.text], None
    placed = _place(parted, columns)
    threshold = _threshold(placed)
    blocks = _blocks(placed, rules, threshold)
    return _rows(blocks, columns, threshold), columns


def _place(parted: list[list[Line]], columns: Columns) -> dict[int, list[Line]]:
    """Each column's pieces, top to bottom (a line's pieces in one column joined); -1 holds
    the texts spread over columns alone on their line."""
    placed: dict[int, list[Line]] = {}
    for line in parted:
        here: dict[int, Line] = {}
        for piece in line:
            spread = columns.straddles(piece)
            column = (
                -1
                if spread and len(line) == 1
                else columns.index(piece.x0 if spread else piece.center_x)
            )
            if column in here:
                here[column].chars.extend(piece.chars)
            else:
                here[column] = Line(list(piece.chars))
        for column, piece in here.items():
            placed.setdefault(column, []).append(piece)
    for column_pieces in placed.values():
        column_pieces.sort(key=lambda p: p.top)
    return placed


def _blocks(placed: dict[int, list[Line]], rules: list[Rule], threshold: float) -> list[_Block]:
    """Each column's cells: its pieces joined while closer than `threshold` and not ruled off."""
    ruling = _Ruling(rules)
    blocks: list[_Block] = []
    for column, parts in placed.items():
        current: _Block | None = None
        for part in parts:
            near = current is not None and part.top - current.bottom <= threshold
            if (
                column >= 0
                and current is not None
                and near
                and not ruling.between(current.bottom, part.top, part.center_x)
            ):
                current.parts.append(part)
                continue
            current = _Block(column, [part])
            blocks.append(current)
    _mark_merged(blocks, threshold, ruling)
    return blocks


def _threshold(placed: dict[int, list[Line]]) -> float:
    """The widest space between two lines of one cell: the narrowest space between two pieces
    of a column, and a little more; when no cell wraps (that space is wider than 0.6 letters),
    every line is a row of its own."""
    gaps = [
        max(0.0, below.top - above.bottom)
        for column, parts in placed.items()
        if column >= 0
        for above, below in itertools.pairwise(parts)
        if below.top - above.bottom > -0.5  # overlapping texts tell no line spacing
    ]
    sizes = sorted(p.size for parts in placed.values() for p in parts)
    size = sizes[len(sizes) // 2]
    smallest = min(gaps, default=size)
    if smallest > 0.6 * size:
        return 0.6 * size
    return smallest + max(1.0, 0.15 * size)


class _Ruling:
    """The horizontal rules, by their y, to ask whether one lies between two texts."""

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = sorted(rules, key=lambda r: r.y)
        self.ys = [r.y for r in self.rules]

    def enclosing(self, top: float, bottom: float, x: float) -> tuple[float, float] | None:
        """The nearest rules above and below a text at `x` (None: not between two)."""
        start = bisect_right(self.ys, top + 1)
        above = next((r.y for r in reversed(self.rules[:start]) if r.x0 <= x <= r.x1), None)
        end = bisect_left(self.ys, bottom - 1)
        below = next((r.y for r in self.rules[end:] if r.x0 <= x <= r.x1), None)
        return None if above is None or below is None else (above, below)

    def between(self, upper: float, lower: float, x: float) -> bool:
        start = bisect_left(self.ys, upper - 1)
        end = bisect_right(self.ys, lower + 1)
        return any(r.x0 <= x <= r.x1 for r in self.rules[start:end])


def _mark_merged(blocks: list[_Block], threshold: float, ruling: _Ruling) -> None:
    """A cell is merged when its rules (a ruled table) enclose cells of another column that
    rules part, or (no rules) when it is near two cells of another column."""
    columns: dict[int, list[_Block]] = {}
    for block in blocks:
        if block.column >= 0:
            columns.setdefault(block.column, []).append(block)
            x = block.parts[0].center_x
            block.cell = ruling.enclosing(block.top, block.bottom, x) if ruling.rules else None
    for cells in columns.values():
        cells.sort(key=lambda b: b.top)
    bottoms = {c: [b.bottom for b in cells] for c, cells in columns.items()}
    tops = {c: [b.top for b in cells] for c, cells in columns.items()}
    for block in (b for b in blocks if b.column >= 0):
        upper, lower = block.cell or (block.top - threshold, block.bottom + threshold)
        for column, cells in columns.items():
            if column == block.column:
                continue
            start = bisect_right(bottoms[column], upper)
            end = bisect_left(tops[column], lower)
            found = cells[start:end]
            if block.cell is not None:
                parted = {c.cell for c in found if c.cell is not None and c.cell != block.cell}
                merged = len(parted) >= 2
            else:
                x = block.parts[0].center_x
                merged = len([c for c in found if not _apart(block, c, ruling, x)]) >= 2
            if merged:
                block.merged = True
                break


def _apart(block: _Block, other: _Block, ruling: _Ruling, x: float) -> bool:
    """Whether a rule under `block`'s column lies between the two (they do not overlap)."""
    if other.top >= block.bottom:
        return ruling.between(block.bottom, other.top, x)
    if other.bottom <= block.top:
        return ruling.between(other.bottom, block.top, x)
    return False


def _rows(
    blocks: list[_Block], columns: Columns, threshold: float
) -> list[tuple[float, list[str]]]:
    """Rows of overlapping cells; a merged cell's text in every row its cell spans."""
    groups: list[list[_Block]] = []
    spans: list[list[float]] = []  # [top, bottom] of each row's texts
    for block in sorted((b for b in blocks if not b.merged), key=lambda b: b.top):
        if spans and block.top < spans[-1][1] - 0.1:
            groups[-1].append(block)
            spans[-1][1] = max(spans[-1][1], block.bottom)
        else:
            groups.append([block])
            spans.append([block.top, block.bottom])
    _fill(blocks, groups, spans, threshold)
    order = sorted(range(len(groups)), key=lambda i: spans[i][0])
    for above, below in itertools.pairwise(order):
        _lower_spread(groups[above], groups[below], columns)
    rows = [(spans[i][0], _cells(groups[i], columns)) for i in order if groups[i]]
    return rows


def _lower_spread(above: list[_Block], below: list[_Block], columns: Columns) -> None:
    """A text spread over columns alone on its row, beginning right of the first column
    (「K P I（重要業績評価指標）」 over the indicator columns), right above a row of the table,
    is the first header row's text: it joins the row below in the first column it covers that
    is empty there. A title, a heading or a note begins at the table's left."""
    if len(above) != 1 or above[0].column >= 0 or not any(b.column >= 0 for b in below):
        return
    block, piece = above[0], above[0].parts[0]
    gap = min(b.top for b in below) - block.bottom
    taken = {b.column for b in below}
    free = [
        c for c in range(columns.index(piece.x0), columns.index(piece.x1) + 1) if c not in taken
    ]
    if columns.index(piece.x0) == 0 or gap > 2 * piece.size or not free:
        return
    block.column = free[0]
    below.append(block)
    above.clear()


def _fill(
    blocks: list[_Block], groups: list[list[_Block]], spans: list[list[float]], threshold: float
) -> None:
    """Put each merged cell into the rows its cell spans: between its rules (a ruled table),
    else as its text lies in the middle of its cell (as merged cells are set), the cell ends
    as far below the text's middle as it begins above it. It begins where the column's text
    above ends (a header, the merged cell before), and ends at the row boundary nearest that
    mirror, before the column's next text. A merged cell near no row is a row of its own."""
    merged = sorted((b for b in blocks if b.merged), key=lambda b: (b.column, b.top))
    bounds = _bounds(spans)
    carry: dict[int, float] = {}
    alone: list[_Block] = []
    for block in merged:
        if block.cell is not None:
            upper, lower = block.cell
            rows = [i for i, (a, b) in enumerate(spans) if upper < (a + b) / 2 < lower]
        else:
            rows = _spanned(block, groups, spans, bounds, threshold, carry.get(block.column))
        if not rows:
            alone.append(block)
            continue
        for index in rows:
            groups[index].append(block)
        carry[block.column] = bounds[rows[-1]][1]
    for block in alone:
        groups.append([block])
        spans.append([block.top, block.bottom])


def _spanned(
    block: _Block,
    groups: list[list[_Block]],
    spans: list[list[float]],
    bounds: list[tuple[float, float]],
    threshold: float,
    carry: float | None,
) -> list[int]:
    near = [
        i
        for i, (top, bottom) in enumerate(spans)
        if top - threshold < block.bottom and block.top < bottom + threshold
    ]
    if not near:
        return []
    start = _start(block, groups, bounds, near[0], carry)
    end = _end(block, groups, bounds, near[-1], bounds[start][0])
    return list(range(start, end + 1))


def _bounds(spans: list[list[float]]) -> list[tuple[float, float]]:
    """Each row's cell, from half-way to the row above to half-way to the row below (the
    first and last rows mirrored about their texts' middle)."""
    cuts = [(spans[i][1] + spans[i + 1][0]) / 2 for i in range(len(spans) - 1)]
    bounds = []
    for i, (top, bottom) in enumerate(spans):
        upper = cuts[i - 1] if i else None
        lower = cuts[i] if i < len(cuts) else None
        if upper is None:
            upper = top + bottom - lower if lower is not None else top
        if lower is None:
            lower = top + bottom - upper
        bounds.append((upper, lower))
    return bounds


def _start(
    block: _Block,
    groups: list[list[_Block]],
    bounds: list[tuple[float, float]],
    first: int,
    carry: float | None,
) -> int:
    """The first row of a merged cell: after the column's text above it (or the merged cell
    before it in its column), or after a text spread over the table (a heading)."""
    start = first
    while start > 0:
        above = groups[start - 1]
        if any(b.column in (block.column, -1) for b in above):
            break
        if carry is not None and bounds[start - 1][0] < carry - 0.5:
            break
        start -= 1
    return start


def _end(
    block: _Block,
    groups: list[list[_Block]],
    bounds: list[tuple[float, float]],
    last: int,
    upper: float,
) -> int:
    """The last row of a merged cell: its end nearest the text's mirror of `upper`."""
    mirror = block.top + block.bottom - upper
    best = last
    end = last
    while end + 1 < len(groups) and not any(
        b.column in (block.column, -1) for b in groups[end + 1]
    ):
        end += 1
        if abs(bounds[end][1] - mirror) < abs(bounds[best][1] - mirror) - 0.5:
            best = end
    return best


def _cells(group: list[_Block], columns: Columns) -> list[str]:
    if all(b.column < 0 for b in group):
        return [cell_text(c for b in group for p in b.parts for c in p.chars)]
    chars: dict[int, list[Char]] = {}
    for block in group:
        column = block.column if block.column >= 0 else columns.index(block.parts[0].x0)
        chars.setdefault(column, []).extend(c for p in block.parts for c in p.chars)
    cells = [""] * (len(columns.gaps) + 1)
    for column, found in chars.items():
        cells[column] = cell_text(found)
    return cells
