"""Numbers as published in KPI reports, read into exact `Decimal`s (never binary floats).

A cell is a number with an optional inline unit (`1,300,000`, `△12`, `200万円`, `12.5%`) or a
"no value" marker (`-`, `－`, `―`, blank, `N/A`, `未集計`, and texts saying the value is not
there yet: `調査未実施`, `R6.9公表予定`, `公表前`, `対象外` …), and the marker as published is kept.

Reading rules (see `parse_number`):

- The text is NFKC-normalised, so full-width digits and separators read as plain ones
  (`１，３００，０００` → 1300000, `７３．５` → 73.5). The inline unit and the marker are kept as
  published (`12.5％` → unit `％`), only trimmed.
- A negative number is written `△12`, `▲12` (Japanese accounting), `-12`, `−12` or `－12`.
- Thousands separators are `,` only, in groups of three (`1,2345` is rejected).
- A multiplier directly after the number is applied: `千`, `万`, `億`, `兆`, optionally preceded by
  `十`, `百`, `千` (`200万円` → 2000000 with unit `円`, `5百万円` → 5000000, `1.5億` → 150000000).
- A number in descending place values reads whole: `1億2000万円` → 120000000, `1億2,000万円`,
  `3億5千万` → 350000000, `1万5千人` → 15000, `1万5000` → 15000. Each later part is a whole
  number smaller than the place above it (`1万12000` and `1万2億` are rejected), and a decimal
  first part takes no later part (`1.5億2000万` is rejected).
- Whatever follows is the unit (`件`, `件/年`, `人泊`, `%`, `円/人`, `社・団体`, `m²`, `t-CO2`).
  It may not contain a digit except one right after a Latin letter (`m2`, `m²`, `km2`,
  `CO2`), nor start with a separator, sign or multiplier, nor be an exponent (`1E5`), so two
  numbers (`12 34`, `1.2.3`, `12件34件`) are rejected rather than half read.
- A negative zero (`△0`, `-0`) is read as plain zero.
- Nothing but a sign may come before the number: `約20` (about 20) is rejected, so no approximate
  value is silently taken as exact.

The values the system accepts (`fits_ledger`): the ledger keeps every value exactly in 15 digits,
4 of them decimal places, so |value| < 10^11 (`MAX_ABS_VALUE`, 1000億) with at most 4 decimal
places (trailing zeros do not count: `1.50000` fits). `parse_number` itself reads any size; a
reader refuses a value outside this range with `value-out-of-range` (`out_of_range`), so what
the CLI judges and what the ledger stores are the same numbers.
"""

from __future__ import annotations

import re
import string
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from kpiledger.core.errors import NumberError

#: Characters that, alone or repeated (`―`, `――`, `--`), mean "no value".
DASHES: frozenset[str] = frozenset("-‐‑‒–—―−─━ー－ｰ")

#: The "no value" texts (`""` is a blank cell). Any run of `DASHES` is also "no value".
NO_VALUE_MARKERS: frozenset[str] = frozenset(
    {"", "-", "－", "―", "—", "‐", "–", "−", "─", "ー", "ｰ"}
    | {"N/A", "n/a", "NA", "na", "#N/A", "N.A."}
    | {"未集計", "集計中", "未実施"}
)

#: Texts saying the value is not (yet) there, as reports write them: 調査未実施, 集計中, 未公表,
#: 公表前, 算出中, 確定待ち, 該当なし, 対象外, optionally after when it comes (`R6.9公表予定`,
#: `令和6年秋公表予定`) and before a bracketed note (`集計中（速報値なし）`). Read after NFKC
#: without spaces; at most `MAX_MARKER` characters (the ledger keeps the marker as written).
_DOING = "調査|集計|算出|確定|公表|把握|判明|実施|測定|発表|更新"
_PENDING = re.compile(
    r"(?:(?:令和|平成|R|H)?[0-9元]{1,4}(?:[./年][0-9]{1,2}月?|年度?)?(?:[春夏秋冬]|頃|ごろ|中|末|以降)*)?"
    rf"(?:(?:{_DOING})?(?:未|非)(?:{_DOING})|(?:{_DOING})(?:中|前|予定|待ち|未了)"
    r"|該当なし|対象外|データなし|数値なし|実績なし|更新数値(?:が)?なし)"
    r"(?:\(.*\))?"
)
MAX_MARKER = 20

_NUMBER = re.compile(
    r"(?:(?P<neg>[△▲]\s*|[-−])|\+)?"
    r"(?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)"
    r"(?:\.(?P<frac>[0-9]+))?"
    r"(?P<mult>[十百千]?[万億兆]?)"
)
_POWERS: dict[str, int] = {"十": 1, "百": 2, "千": 3, "万": 4, "億": 8, "兆": 12}
_UNIT_CANNOT_START = frozenset(".,+-△▲−") | frozenset(_POWERS)
_LATIN = frozenset(string.ascii_letters)
_EXPONENT = re.compile(r"[eE]\s*[-+]?[0-9]+")

#: Digits the ledger keeps per value (DECIMAL(15, 4)): 11 before the point, 4 after it.
VALUE_DIGITS, VALUE_PLACES = 15, 4
#: Every accepted value is smaller than this in absolute value (10^11 = 1000億).
MAX_ABS_VALUE = Decimal(10) ** (VALUE_DIGITS - VALUE_PLACES)


@dataclass(frozen=True)
class ParsedNumber:
    """One cell read: a value with its inline unit, or the "no value" marker as published."""

    value: Decimal | None
    marker: str | None
    unit: str | None
    raw: str

    @property
    def is_missing(self) -> bool:
        """True for a "no value" cell (`-`, blank, `N/A` …)."""
        return self.value is None


def _bad(text: str, why_ja: str, why_en: str) -> NumberError:
    """The `bad-number` error quoting the text, with the reason in Japanese and English."""
    shown = text.strip()
    return NumberError.single(
        "bad-number",
        f"「{shown}」は数値として読めません（{why_ja}）",
        f"'{shown}' is not a number ({why_en})",
    )


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _marker(stripped: str) -> str | None:
    """The text itself when it is a "no value" marker, else None."""
    plain = _nfkc(stripped).strip()
    if stripped in NO_VALUE_MARKERS or plain in NO_VALUE_MARKERS:
        return stripped
    if all(ch in DASHES for ch in stripped) or all(ch in DASHES for ch in plain):
        return stripped
    if len(stripped) <= MAX_MARKER and _PENDING.fullmatch(re.sub(r"\s+", "", plain)):
        return stripped
    return None


def _normalise_mapped(text: str) -> tuple[str, dict[int, int]]:
    """NFKC per character, and a map from normalised offsets to raw ones.

    The map stops at the first character that does not normalise to exactly one character
    (`⒈` → `1.`), so a number is never read out of such a character.
    """
    pieces = [_nfkc(ch) for ch in text]
    boundaries = {0: 0}
    for index, piece in enumerate(pieces):
        if len(piece) != 1:
            break
        boundaries[index + 1] = index + 1
    return "".join(pieces), boundaries


def _digits_in_unit_ok(plain: str) -> bool:
    """Digits are allowed in a unit only right after a Latin letter (`m2`, `m²`, `t-CO2`), so a
    second number (`件34件`, `5千`) is never read as part of the unit. `E5` is an exponent."""
    if _EXPONENT.fullmatch(plain):
        return False
    return all(
        index > 0 and plain[index - 1] in _LATIN
        for index, ch in enumerate(plain)
        if unicodedata.category(ch) in ("Nd", "No")
    )


def _unit_ok(unit: str) -> bool:
    """A unit: no digit except one right after a Latin letter, not starting like a number,
    with a letter, symbol or %."""
    plain = _nfkc(unit)
    if not _digits_in_unit_ok(plain):
        return False
    if plain[0] in _UNIT_CANNOT_START or all(ch in DASHES for ch in plain):
        return False
    return any(unicodedata.category(ch)[0] in "LS" or ch in "%‰" for ch in plain)


_PLACE = re.compile(r"(?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?P<mult>[十百千]?[万億兆]?)")


def _places(plain: str, found: re.Match[str]) -> tuple[Decimal, int]:
    """The value of a number written in descending place values (`1億2000万`: 1億 then 2000万),
    and where it ends. Each later part is a whole number below the place above it; anything
    else after the first part is left for the unit check to refuse."""
    value, stop = _value(found), found.end()
    place = sum(_POWERS[ch] for ch in found["mult"])
    if place < 4 or found["frac"]:
        return value, stop  # only 万, 億, 兆 take a lower part; `1.5億2000万` is refused
    sign = -1 if value < 0 else 1
    while place > 0 and (part := _PLACE.match(plain, stop)) is not None:
        lower = sum(_POWERS[ch] for ch in part["mult"])
        count = int(part["int"].replace(",", ""))
        if lower >= place or not 0 < count < 10 ** (place - lower):
            break
        value += sign * count * Decimal(10) ** lower
        place, stop = lower, part.end()
    return value, stop


def _value(found: re.Match[str]) -> Decimal:
    """The exact value of a matched number, multiplier applied, sign applied."""
    digits = found["int"].replace(",", "")
    frac = found["frac"] or ""
    power = sum(_POWERS[ch] for ch in found["mult"])
    sign = "-" if found["neg"] else ""
    if not power:
        value = Decimal(f"{sign}{digits}.{frac}" if frac else f"{sign}{digits}")
    else:
        frac = frac.rstrip("0")
        exponent = power - len(frac)
        mantissa = digits + frac
        plain = mantissa + "0" * exponent if exponent >= 0 else f"{mantissa}E{exponent}"
        value = Decimal(sign + plain)
    return value.copy_abs() if value.is_zero() else value


def parse_number(text: str) -> ParsedNumber:
    """Read a cell: `1,300,000`, `73.5`, `△12`, `3件`, `200万円`, `-`, blank, `N/A` ….

    Raises NumberError (`bad-number`) for anything else; see the module docstring.
    """
    stripped = text.strip()
    marker = _marker(stripped)
    if marker is not None:
        return ParsedNumber(None, marker, None, text)
    plain, boundaries = _normalise_mapped(stripped)
    found = _NUMBER.match(plain)
    if found is None:
        if not any(ch.isdigit() for ch in plain):
            raise _bad(text, "数字がありません", "it has no digits")
        raise _bad(
            text, "数値の前に文字があります。「約」などの概数は不可", "text before the number"
        )
    value, stop = _places(plain, found)
    end = boundaries.get(stop)
    unit = stripped[end:].strip() if end is not None else None
    if unit is None or (unit and not _unit_ok(unit)):
        raise _bad(
            text,
            "数値の後ろが単位ではありません。桁区切りは3桁ごと、数値は1つだけ",
            "what follows the number is not a unit; separators every 3 digits, one number only",
        )
    return ParsedNumber(value, None, unit or None, text)


def to_plain_string(value: Decimal) -> str:
    """Plain notation, no exponent, no separators (`Decimal('1.3E+6')` → `1300000`).

    Used for JSON and CSV output. Zero is never signed. ValueError for NaN or infinity.
    """
    if not value.is_finite():
        raise ValueError(f"not a finite number: {value}")
    if value.is_zero():
        value = value.copy_abs()
    return format(value, "f")


def _group(digits: str) -> str:
    """Thousands separators: `1300000` → `1,300,000`."""
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return ",".join(groups)


def format_number(value: Decimal) -> str:
    """Published style: `1,300,000`, `73.50` (places kept), `△12` for negatives, `0`.

    `parse_number(format_number(d)).value == d` for every finite Decimal.
    """
    plain = to_plain_string(value.copy_abs())
    whole, dot, frac = plain.partition(".")
    sign = "△" if value.is_signed() and not value.is_zero() else ""
    return f"{sign}{_group(whole)}{dot}{frac}"


def fits_ledger(value: Decimal) -> bool:
    """Whether `value` is one the system accepts: finite, |value| < 10^11 and at most 4 decimal
    places once trailing zeros are dropped (`1.2345`, `1.50000` fit; `1.23456`, `1E+11` do not).

    Exact for any Decimal and independent of the current decimal context (it never rounds).
    """
    _sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int) or value.copy_abs() >= MAX_ABS_VALUE:
        return False  # NaN, infinity, or too large
    beyond = -VALUE_PLACES - exponent  # digits past the 4th decimal place
    return beyond <= 0 or not any(digits[-beyond:])


def out_of_range(text: str) -> NumberError:
    """The `value-out-of-range` error for a cell whose value does not `fits_ledger`."""
    shown = text.strip()
    whole = VALUE_DIGITS - VALUE_PLACES
    return NumberError.single(
        "value-out-of-range",
        f"「{shown}」は扱える数値の範囲を超えています"
        f"（絶対値1000億未満、整数部{whole}桁・小数部{VALUE_PLACES}桁まで）",
        f"'{shown}' is outside the values kpiledger keeps exactly (absolute value below 10^{whole},"
        f" up to {whole} integer and {VALUE_PLACES} decimal digits)",
    )
