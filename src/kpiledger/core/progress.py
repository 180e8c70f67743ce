"""Interim progress of a target not yet due (Open SDG / Statistics Canada method).

R = CAGR observed / CAGR required where the start and latest values are positive and a year
apart, else the straight line from the start to the target; R is then classified by the
0.95 / 0.60 / 0 thresholds (EVALUATION.md, docs/evaluation.md).
"""

from __future__ import annotations

import math
from decimal import Decimal
from enum import StrEnum

from kpiledger.core.calculation import calculated
from kpiledger.core.model import Baseline, Direction, Kpi
from kpiledger.core.rate import meets_target


class Progress(StrEnum):
    """Anticipated progress of a target not yet due (Open SDG / Statistics Canada method)."""

    ON_TRACK = "on_track"  # 順調
    NEEDS_ACCELERATION = "needs_acceleration"  # 加速が必要
    LIMITED = "limited"  # 進捗が限定的
    DETERIORATION = "deterioration"  # 悪化

    @property
    def label_ja(self) -> str:
        return PROGRESS_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return PROGRESS_LABELS[self][1]


PROGRESS_LABELS = {
    Progress.ON_TRACK: ("順調", "On track"),
    Progress.NEEDS_ACCELERATION: ("加速が必要", "Needs acceleration"),
    Progress.LIMITED: ("進捗が限定的", "Limited progress"),
    Progress.DETERIORATION: ("悪化", "Deterioration"),
}

ON_TRACK_RATIO = Decimal("0.95")
ACCELERATION_RATIO = Decimal("0.60")


def classify_progress_ratio(ratio: Decimal) -> Progress:
    """R ≥ 0.95 on track; 0.60 ≤ R < 0.95 needs acceleration; 0 ≤ R < 0.60 limited; R < 0
    deterioration."""
    if ratio >= ON_TRACK_RATIO:
        return Progress.ON_TRACK
    if ratio >= ACCELERATION_RATIO:
        return Progress.NEEDS_ACCELERATION
    if ratio >= 0:
        return Progress.LIMITED
    return Progress.DETERIORATION


@calculated
def cagr(start: Decimal, end: Decimal, years: int) -> Decimal | None:
    """Compound annual growth rate (end/start)^(1/years) − 1; None unless both > 0, years > 0."""
    if start <= 0 or end <= 0 or years <= 0:
        return None
    return (end / start) ** (Decimal(1) / Decimal(years)) - 1


@calculated
def cagr_ratio(
    start: tuple[int, Decimal], latest: tuple[int, Decimal], target: Decimal, target_year: int
) -> Decimal | None:
    """R = CAGR observed / CAGR required (Open SDG method).

    observed from the start value to the latest value; required from the start value to the
    target by the target year. None when either is undefined or the required growth is 0.
    """
    observed = cagr(start[1], latest[1], latest[0] - start[0])
    if observed is None:
        return None
    required = cagr(start[1], target, target_year - start[0])
    if required is None or required == 0:
        return None
    return observed / required


#: How far from a threshold (and from 0) a ratio computed in binary floating point must be to be
#: classified without the exact computation, and the least growth it may divide by: a double
#: carries 16 digits, so with growths ≥ 1e-6 the ratio is good to ~1e-9.
_QUICK_MARGIN = 1e-7
_QUICK_LEAST_GROWTH = 1e-6


def quick_cagr_progress(
    start: tuple[int, Decimal], latest: tuple[int, Decimal], target: Decimal, target_year: int
) -> Progress | None:
    """The class of the CAGR ratio computed in floating point, where that cannot differ from
    the class of `cagr_ratio` (the 50-digit Decimal power is ~100× slower); None when it must be
    computed exactly (values beyond a double, growths near 0, a ratio near a threshold) or
    when the ratio is undefined (then `cagr_ratio` says so)."""
    years, span = latest[0] - start[0], target_year - start[0]
    if years <= 0 or span <= 0 or target == start[1]:
        return None
    first, last, goal = float(start[1]), float(latest[1]), float(target)
    if not all(0 < v < math.inf for v in (first, last, goal)):
        return None  # beyond a double (or not positive: no CAGR)
    required = (goal / first) ** (1 / span) - 1
    if abs(required) < _QUICK_LEAST_GROWTH:
        return None
    if latest[1] == start[1]:
        # Unchanged: the exact observed growth is 1^(1/years) − 1 = 0, so is the ratio, and a
        # required growth this far from 0 is not 0 exactly either.
        return classify_progress_ratio(Decimal(0))
    observed = (last / first) ** (1 / years) - 1
    if abs(observed) < _QUICK_LEAST_GROWTH:
        return None
    ratio = observed / required
    if not math.isfinite(ratio):
        return None
    thresholds = (float(ON_TRACK_RATIO), float(ACCELERATION_RATIO), 0.0)
    if any(abs(ratio - t) < _QUICK_MARGIN for t in thresholds):
        return None
    return classify_progress_ratio(Decimal(ratio))


@calculated
def linear_ratio(
    start: tuple[int, Decimal], latest: tuple[int, Decimal], target: Decimal, target_year: int
) -> Decimal | None:
    """R = (a − x0) / (expected − x0) on the straight line from the start to the target.

    expected = x0 + (t − x0) × (year − year0)/(target year − year0). None when no time has
    passed since the start, or the line is flat.
    """
    elapsed, span = latest[0] - start[0], target_year - start[0]
    if elapsed <= 0 or span <= 0 or target == start[1]:
        return None
    expected_gain = (target - start[1]) * Decimal(elapsed) / Decimal(span)
    return (latest[1] - start[1]) / expected_gain


def progress_start(kpi: Kpi, report_year: int) -> tuple[int, Decimal] | None:
    """The trend's starting point: the baseline (with its year) if known, else the first value."""
    base: Baseline | None = kpi.baseline
    if base is not None and base.fiscal_year is not None:
        return (base.fiscal_year, base.value)
    values = kpi.series(up_to=report_year)
    return values[0] if values else None


@calculated
def anticipated_progress(kpi: Kpi, report_year: int, direction: Direction) -> Progress | None:
    """Progress of a target not yet due: on track when already met, else the CAGR ratio where
    the start and latest values are positive and a year apart, else the straight line."""
    values = kpi.series(up_to=report_year)
    start, due = progress_start(kpi, report_year), kpi.target_fiscal_year
    if not values or start is None or due is None:
        return None
    latest = values[-1]
    if meets_target(latest[1], kpi.target, direction):
        return Progress.ON_TRACK
    quick = quick_cagr_progress(start, latest, kpi.target, due)
    if quick is not None:
        return quick
    ratio = cagr_ratio(start, latest, kpi.target, due)
    if ratio is None:
        ratio = linear_ratio(start, latest, kpi.target, due)
    return classify_progress_ratio(ratio) if ratio is not None else None
