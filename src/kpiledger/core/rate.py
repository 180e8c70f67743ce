"""Achievement rate (達成率) and whether a target is met.

The rate is computed exactly (as a fraction, rounded once), so no value can make it fail.
"""

from __future__ import annotations

from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal
from fractions import Fraction

from kpiledger.core.model import Direction

HUNDRED = Decimal(100)


#: Where a number of tenths converts exactly however the caller's context is set (41 digits).
_TENTHS = Context(prec=50, Emin=MIN_EMIN, Emax=MAX_EMAX)
_SMALL_TENTHS = 10**40


def round_rate(value: Decimal | Fraction) -> Decimal:
    """Percent to one decimal place, ROUND_HALF_UP (220.28 → 220.3, 81.65 → 81.7,
    −81.65 → −81.7); never a negative zero (−0.01 → 0.0).

    Exact for a value of any size (no decimal context is involved, so nothing can overflow
    or round twice): |value| × 10 + ½, floored, is the number of tenths.
    """
    numerator, denominator = Fraction(value).as_integer_ratio()
    return _rounded(numerator, denominator)


def _rounded(numerator: int, denominator: int) -> Decimal:
    """`round_rate` of numerator / denominator (denominator ≠ 0), in integers: the number of
    tenths is ⌊|n/d| × 10 + ½⌋ = ⌊(20|n| + |d|) / 2|d|⌋."""
    negative = (numerator < 0) != (denominator < 0)
    numerator, denominator = abs(numerator), abs(denominator)
    count = (20 * numerator + denominator) // (2 * denominator)
    if count < _SMALL_TENTHS:
        rate = Decimal(count).scaleb(-1, context=_TENTHS)
    else:
        tenths = Decimal(count)
        exact = Context(prec=tenths.adjusted() + 1, Emin=MIN_EMIN, Emax=MAX_EMAX)
        rate = tenths.scaleb(-1, context=exact)
    return rate.copy_negate() if negative and count else rate


def percent(numerator: Fraction, denominator: Fraction) -> Decimal:
    """numerator / denominator × 100, rounded by `round_rate` (denominator ≠ 0)."""
    return round_rate(numerator / denominator * 100)


def achievement_rate(
    actual: Decimal, target: Decimal, direction: Direction, baseline: Decimal | None = None
) -> Decimal | None:
    """達成率 in percent, one decimal, ROUND_HALF_UP; None when it cannot be computed.

    With a baseline b and t ≠ b: increase (a − b)/(t − b) × 100, decrease (b − a)/(b − t) × 100.
    Without one (or t = b): increase a/t × 100, None when t ≤ 0 (a net balance with target 0
    or ▲50: a/t means nothing); decrease t/a × 100 where a = 0 gives 100 when t ≥ 0 (nothing
    left to reduce), None when a < 0 or t < 0 (t/a would call a better actual a lower rate).
    The status then comes from comparing a with t alone (`rate_undefined` says why).
    Computed exactly in integers (each value as numerator / denominator), so no value is too
    large or too small.
    """
    an, ad = actual.as_integer_ratio()
    tn, td = target.as_integer_ratio()
    if baseline is not None and target != baseline:
        bn, bd = baseline.as_integer_ratio()
        # (a − b) / (t − b) = (an·bd − bn·ad)·td / ((tn·bd − bn·td)·ad), and mirrored
        gain, wanted = (an * bd - bn * ad) * td, (tn * bd - bn * td) * ad
        if direction is not Direction.INCREASE:
            gain, wanted = -gain, -wanted
        return _rounded(gain * 100, wanted)
    if direction is Direction.INCREASE:
        return None if tn <= 0 else _rounded(an * td * 100, ad * tn)
    if an < 0 or tn < 0:
        return None
    if an == 0:
        return round_rate(HUNDRED)
    return _rounded(tn * ad * 100, td * an)


def meets_target(
    actual: Decimal, target: Decimal, direction: Direction, strict: bool = False
) -> bool:
    """a ≥ t for increase, a ≤ t for decrease; a > t and a < t for a strict bound (the target
    written `100超` or `1.5未満`)."""
    if actual == target and strict:
        return False
    return actual >= target if direction is Direction.INCREASE else actual <= target


#: Bounds that exclude the target value itself (`100超`: more than 100).
STRICT_BOUNDS = ("未満", "超")
