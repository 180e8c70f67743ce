"""How a workbook cell becomes the text the table interpreter reads: "what Excel shows is what
is read" (see `excel` for the rules: 15 significant digits, number formats, percent, dates)."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# --- cell values → text ----------------------------------------------------------------------


def cell_text(value: object, number_format: str | None = None) -> str:
    """A cell's value as the text the table interpreter reads (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return number_text(float(value), number_format) if number_format else str(value)
    if isinstance(value, float):
        return number_text(value, number_format)
    if isinstance(value, dt.date):  # datetime too
        return f"{value.year}年{value.month}月"
    if isinstance(value, dt.time):
        return value.isoformat()
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("_x000D_", "").strip()


def number_text(value: float, number_format: str | None = None) -> str:
    """A number as Excel shows it: 15 significant digits, no float noise (0.30000000000000004
    → `0.3`), then the decimals and percent of `number_format` (`0.00` → `73.50`, `0.0%` →
    `41.1%`, `#,##0` → `1878`, half away from zero as Excel rounds). No thousands separators.
    A non-finite float (Excel stores none) is `#NUM!`."""
    if not math.isfinite(value):
        return "#NUM!"
    shown = Decimal(format(value, ".15g"))
    display = _display(number_format)
    if display is None:
        return _plain_digits(shown)
    text = _places(shown.scaleb(display.shift), display.min_places, display.max_places)
    return text + ("%" if display.percent else "")


def _plain_digits(value: Decimal) -> str:
    """Plain notation, never `-0`."""
    return format(value.copy_abs() if value.is_zero() else value, "f")


def _places(value: Decimal, least: int, most: int) -> str:
    """`value` rounded to `most` decimals, trailing zeros dropped down to `least` decimals."""
    try:
        value = value.quantize(Decimal(1).scaleb(-most), ROUND_HALF_UP)
    except InvalidOperation:  # more digits than the context holds: no decimal is shown anyway
        return _plain_digits(value)
    whole, _, fraction = _plain_digits(value).partition(".")
    fraction = fraction.rstrip("0").ljust(least, "0")
    return f"{whole}.{fraction}" if fraction else whole


@dataclass(frozen=True)
class Display:
    """What a number format does to the digits shown: `shift` powers of ten (2 for percent,
    -3 per trailing thousands comma), `min_places`…`max_places` decimals, a `%` sign."""

    shift: int
    min_places: int
    max_places: int
    percent: bool


_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|[_*].')
_DATE_OR_TEXT = re.compile(r"[yYmMdDhHsS@]|[eE][+-]|/")
_DECIMALS = re.compile(r"\.([0#?]*)")
_SCALING = re.compile(r"[0#?](,+)[^0#?]*$")


def _display(number_format: str | None) -> Display | None:
    """The digits a number format shows, or None for General, dates, text, scientific and
    fractions (shown with 15 significant digits)."""
    if not number_format or number_format.lower() == "general":
        return None
    section = _first_section(number_format)
    bare = _LITERALS.sub("", section)
    if not any(ch in bare for ch in "0#?") or _DATE_OR_TEXT.search(bare):
        return None
    decimals = _DECIMALS.search(bare)
    pattern = decimals.group(1) if decimals else ""
    scaling = _SCALING.search(bare)
    percent = "%" in bare
    shift = 2 * bare.count("%") - 3 * (len(scaling.group(1)) if scaling else 0)
    return Display(shift, len(pattern.rstrip("#")), len(pattern), percent)


def _first_section(number_format: str) -> str:
    """The positive-number section of a format (`0.0;[Red]△0.0` → `0.0`)."""
    quoted = False
    for index, ch in enumerate(number_format):
        if ch == '"':
            quoted = not quoted
        elif ch == ";" and not quoted:
            return number_format[:index]
    return number_format
