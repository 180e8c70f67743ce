"""Where achievement rates fall, and where one organization stands among others (比較).

The formulas of the category comparison pages (`/field/<field>/`), on exact Decimals:

- **Rate bins** (`rate_bins`): `< 50`, `50 – nearly`, `nearly – 100` (the 概ね達成 band),
  `≥ 100`, and a bin for KPIs without a rate (no actual, or a rate that cannot be computed).
  Lower bounds are inclusive, upper bounds exclusive. The 50 edge is kept only when it lies
  below the 概ね達成 threshold (a threshold of 40 gives `< 40`, `40 – 100`, `≥ 100`).
- **Median** (`median`): the middle value, or the mean of the two middle values, rounded to one
  decimal (ROUND_HALF_UP) as rates are; None for no values.
- **Standing** (`standing`): competition ranking, higher is better (a rate already counts a
  lower-is-better KPI's direction): rank = 1 + the number of others strictly higher; tied
  organizations share a rank and count as neither higher nor lower. The percentile is the
  share of the *other* organizations whose value is strictly lower (None when there are no
  others): 「他のN団体のうちk団体より高い」.
- **Share** (`share`): count ÷ total × 100, one decimal (ROUND_HALF_UP); None for total 0.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ONE_PLACE = Decimal("0.1")
HALF = Decimal(50)
FULL = Decimal(100)
NO_RATE = "none"


@dataclass(frozen=True)
class RateBin:
    """A range of achievement rates: `low` ≤ rate < `high` (None: unbounded); `rated` is False
    for the bin of KPIs without a rate; `nearly` marks the 概ね達成 range."""

    key: str
    low: Decimal | None
    high: Decimal | None
    nearly: bool = False
    rated: bool = True

    @property
    def label_ja(self) -> str:
        """`50%未満`, `50%以上80%未満`, `80%以上100%未満（概ね達成）`, `100%以上`, or the no-rate
        bin's `達成率なし（実績なし・算出不可）`."""
        if not self.rated:
            return "達成率なし（実績なし・算出不可）"
        low, high = _percent(self.low), _percent(self.high)
        if low is None:
            return f"{high}未満"
        if high is None:
            return f"{low}以上"
        return f"{low}以上{high}未満" + ("（概ね達成）" if self.nearly else "")

    @property
    def label_en(self) -> str:
        if not self.rated:
            return "No rate (no actual, or not computable)"
        low, high = _percent(self.low), _percent(self.high)
        if low is None:
            return f"Under {high}"
        if high is None:
            return f"{low} or more"
        return f"{low} to under {high}" + (" (nearly achieved)" if self.nearly else "")

    def holds(self, rate: Decimal | None) -> bool:
        if rate is None or not self.rated:
            return rate is None and not self.rated
        return (self.low is None or rate >= self.low) and (self.high is None or rate < self.high)


def _percent(value: Decimal | None) -> str | None:
    return None if value is None else f"{_edge_key(value)}%"


def _edge_key(value: Decimal) -> str:
    return format(value.normalize(), "f")


def rate_bins(nearly: Decimal) -> list[RateBin]:
    """The bins for a 概ね達成 threshold `nearly` (0 ≤ nearly ≤ 100), lowest first, then the
    no-rate bin."""
    edges = sorted({nearly, FULL} | ({HALF} if nearly > HALF else set()))
    bins = [RateBin(f"lt{_edge_key(edges[0])}", None, edges[0])]
    for low, high in itertools.pairwise(edges):
        bins.append(RateBin(f"{_edge_key(low)}-{_edge_key(high)}", low, high, low == nearly))
    bins.append(RateBin(f"ge{_edge_key(FULL)}", FULL, None))
    bins.append(RateBin(NO_RATE, None, None, rated=False))
    return bins


def bin_of(rate: Decimal | None, bins: Sequence[RateBin]) -> RateBin:
    """The bin holding `rate` (None: the no-rate bin)."""
    return next(b for b in bins if b.holds(rate))


def median(values: Sequence[Decimal]) -> Decimal | None:
    """The median, one decimal (ROUND_HALF_UP); None for no values. Sorts a copy."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    value = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return value.quantize(ONE_PLACE, ROUND_HALF_UP)


def share(count: int, total: int) -> Decimal | None:
    """count ÷ total in percent, one decimal; None when total is 0."""
    if not total:
        return None
    return (Decimal(count) * FULL / total).quantize(ONE_PLACE, ROUND_HALF_UP)


@dataclass(frozen=True)
class Standing:
    """One value's place in a group that contains it: `rank` of `of` (1 = highest), with
    `above` others strictly higher, `ties` others equal, `below` others strictly lower;
    `percentile` = below ÷ (of − 1) × 100, None when the group is the value alone."""

    rank: int
    of: int
    above: int
    ties: int
    below: int
    percentile: Decimal | None


def standing(value: Decimal, group: Sequence[Decimal]) -> Standing:
    """Where `value` stands in `group`, which holds it (counted once as itself)."""
    above = sum(1 for v in group if v > value)
    below = sum(1 for v in group if v < value)
    of = max(len(group), above + below + 1)
    ties = of - above - below - 1
    return Standing(above + 1, of, above, ties, below, share(below, of - 1))


def standings(group: Sequence[Decimal]) -> dict[Decimal, Standing]:
    """`standing` of every value of `group` at once (one sort: a whole band's ranks)."""
    ordered = sorted(group)
    n = len(ordered)
    found = {}
    for value in set(ordered):
        below = bisect_left(ordered, value)
        above = n - bisect_right(ordered, value)
        found[value] = Standing(
            above + 1, n, above, n - above - below - 1, below, share(below, n - 1)
        )
    return found
