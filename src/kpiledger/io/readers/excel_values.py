"""How a workbook cell becomes the text the table interpreter reads: "what Excel shows is what
is read" (see `excel` for the rules: 15 significant digits, number formats, percent, dates).

openpyxl hands over an .xlsx's dates as `datetime`; an .xls (xlrd) gives the stored number and
its format, which `serial_text` reads by the same rules openpyxl applies (`is_date_format`,
`from_serial`), so a cell reads alike whichever of the two formats holds it."""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

Cells = dict[tuple[int, int], str]  # (row, column), both 1-based → text
Merge = tuple[int, int, int, int]  # first row, first column, last row, last column (1-based)

# --- cell values → text ----------------------------------------------------------------------

#: The text of a number that a date format shows but no calendar holds (as openpyxl reads it).
BAD_DATE = "#VALUE!"


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


@functools.lru_cache(maxsize=1024)  # a workbook has a few formats and many cells
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


# --- date serials (the .xls reader) ----------------------------------------------------------

_WINDOWS_EPOCH = dt.datetime(1899, 12, 30)  # serial 0 of the 1900 date system (Excel's 0)
_MAC_EPOCH = dt.datetime(1904, 1, 1)  # serial 0 of the 1904 date system
_DATE_IGNORED = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')
_DATE_CODE = re.compile(r"(?<![_\\])[dmhysDMHYS]")
_DURATION = re.compile(r"\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?", re.I)


def serial_text(serial: float, number_format: str | None, *, epoch_1904: bool = False) -> str:
    """A stored number as text: a date when its format is a date format (`2024年3月`, a time
    `09:30:00`; `#VALUE!` for a serial no calendar holds), else `number_text`."""
    if not is_date_format(number_format):
        return number_text(serial, number_format)
    try:
        return cell_text(from_serial(serial, epoch_1904, duration=is_duration(number_format)))
    except (OverflowError, ValueError):  # NaN, infinite or beyond year 9999
        return BAD_DATE


@functools.lru_cache(maxsize=1024)
def is_date_format(number_format: str | None) -> bool:
    """A date or time format: its first section, without quoted text and `[…]` (except the
    elapsed `[h]` `[m]` `[s]`), has a date or time code (d m h y s), as openpyxl decides."""
    if not number_format:
        return False
    section = _DATE_IGNORED.sub("", number_format.split(";")[0])
    return _DATE_CODE.search(section) is not None


@functools.lru_cache(maxsize=1024)
def is_duration(number_format: str | None) -> bool:
    """An elapsed-time format (`[h]:mm`, `[mm]:ss`), read as a `timedelta` (as openpyxl)."""
    return bool(number_format) and _DURATION.search(str(number_format).split(";")[0]) is not None


def from_serial(
    serial: float, epoch_1904: bool = False, *, duration: bool = False
) -> dt.datetime | dt.time | dt.timedelta:
    """An Excel date serial as openpyxl's `from_excel` reads it: days since the epoch, the
    fraction of a day to the millisecond; below 1 a time of day; in the 1900 system serials
    below 60 one day later (Excel counts a 29 February 1900 that never was). Raises
    OverflowError or ValueError for a serial no `datetime` holds."""
    if duration:
        elapsed = dt.timedelta(days=serial)
        if elapsed.microseconds:  # to the millisecond
            elapsed = dt.timedelta(
                seconds=elapsed.total_seconds() // 1, microseconds=round(elapsed.microseconds, -3)
            )
        return elapsed
    day, fraction = divmod(serial, 1)
    time = dt.timedelta(milliseconds=round(fraction * 86_400_000))
    if 0 <= serial < 1 and time.days == 0:
        hours, seconds = divmod(time.seconds, 3600)
        return dt.time(hours, seconds // 60, seconds % 60, time.microseconds)
    if 0 < serial < 60 and not epoch_1904:
        day += 1
    return (_MAC_EPOCH if epoch_1904 else _WINDOWS_EPOCH) + dt.timedelta(days=day) + time
