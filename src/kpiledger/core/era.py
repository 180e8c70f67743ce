"""和暦 (Japanese era) dates and 年度 (fiscal years).

A fiscal year (年度) runs April–March and is named by the calendar year it starts in:
令和5年度 = R5年度 = FY2023 = 2023-04-01…2024-03-31.

Reading rules (see `parse_year_month` and `parse_fiscal_year`):

- Text is NFKC-normalised first, so full-width digits and letters (`Ｒ６．３`, `令和６年３月`) and
  the square era signs (`㍻`, `㋿`) read like their plain forms. Only ASCII digits count after
  that: other scripts' digits are rejected, never guessed.
- An era year must be 1 or more (`元` = 1). A month before the era's start month is out of range
  (`令和元年4月`, `R1.4`), the start month itself is valid (`令和元年5月`, `平成元年1月`,
  `昭和元年12月`). When a day is written it is checked too: `平成元年1月7日` is out of range.
- Months after an era's end are accepted, as plans written before 2019 use them:
  `平成32年3月` = 2020-03 and `平成31年4月` = 2019-04.
- A year outside the plausible range 1926–2200 (`PLAUSIBLE_YEARS`), western or converted from
  an era, is `bad-date`: no KPI of a municipality is dated `1900/3` or `R999.3`.
- A target date may be written as the end of a fiscal year: `R6年度末`, `令和6年度末`, `令和6年度`,
  `2024年度末` are March of the following calendar year (`R6年度末` = 2025-03).
- Writing a month or a fiscal year in 和暦 uses the era in force on the first day of the month
  (`to_wareki(1989, 1)` = 昭和64, `to_wareki(2019, 4)` = 平成31, `to_wareki(2019, 5)` = 令和1),
  and for a fiscal year the era in force on 1 April, except that FY2019 is 令和元年度 (R1年度),
  as national practice renamed it.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from kpiledger.core.errors import EraError


@dataclass(frozen=True, order=True)
class YearMonth:
    """A calendar month, e.g. the target date 年月 `R6.3` = YearMonth(2024, 3)."""

    year: int
    month: int

    def iso(self) -> str:
        """`YYYY-MM`, as in the JSON schema (`2024-03`)."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def fiscal_year(self) -> int:
        """The fiscal year the month falls in: April or later → its year, else the year before."""
        return self.year if self.month >= 4 else self.year - 1


@dataclass(frozen=True)
class Era:
    """A Japanese era: kanji name, latin letter and first day (year, month, day)."""

    name: str
    letter: str
    start: tuple[int, int, int]

    @property
    def start_date(self) -> date:
        """The era's first day, e.g. date(2019, 5, 1) for 令和."""
        return date(*self.start)

    @property
    def start_month(self) -> YearMonth:
        """The month the era began in; it is the era's first valid month."""
        return YearMonth(self.start[0], self.start[1])

    def western_year(self, era_year: int) -> int:
        """The calendar year of `era_year` of this era (令和6 → 2024)."""
        return self.start[0] + era_year - 1


#: Newest first.
ERAS: tuple[Era, ...] = (
    Era("令和", "R", (2019, 5, 1)),
    Era("平成", "H", (1989, 1, 8)),
    Era("昭和", "S", (1926, 12, 25)),
    Era("大正", "T", (1912, 7, 30)),
)

_BY_TOKEN: dict[str, Era] = {e.name: e for e in ERAS} | {e.letter: e for e in ERAS}

_ERA = r"(?P<era>令和|平成|昭和|大正|[RHSTrhst])\s*(?P<era_year>[0-9]{1,3}|元)"
_DAY_SEP = r"(?:\s*(?P=sep)\s*(?P<day>[0-9]{1,2}))?"
_KANJI_MD = r"(?P<month>[0-9]{1,2})\s*月\s*(?:(?P<day>[0-9]{1,2})\s*日|末)?"
_YEAR_MONTH_FORMS: tuple[re.Pattern[str], ...] = (
    re.compile(rf"{_ERA}\s*(?P<sep>[./-])\s*(?P<month>[0-9]{{1,2}}){_DAY_SEP}\s*末?"),
    re.compile(rf"{_ERA}\s*年\s*{_KANJI_MD}"),
    re.compile(rf"(?P<year>[0-9]{{4}})\s*年\s*{_KANJI_MD}"),
    re.compile(rf"(?P<year>[0-9]{{4}})\s*(?P<sep>[./-])\s*(?P<month>[0-9]{{1,2}}){_DAY_SEP}\s*末?"),
)
_FISCAL_SUFFIX = r"\s*(?:実績値|実績|末|\(\s*実績値?\s*\))?"
_FISCAL_FORMS: tuple[re.Pattern[str], ...] = (
    re.compile(rf"{_ERA}\s*(?:年度)?{_FISCAL_SUFFIX}"),
    re.compile(rf"(?i:FY)\s*(?P<year>[0-9]{{4}})\s*(?:年度)?{_FISCAL_SUFFIX}"),
    re.compile(rf"(?P<year>[0-9]{{4}})\s*年度{_FISCAL_SUFFIX}"),
)
#: A target date written as the end of a fiscal year (`R6年度末`, `2024年度`).
_FISCAL_END = re.compile(rf"(?:{_ERA}|(?P<year>[0-9]{{4}}))\s*年度\s*末?")
#: An era-less fiscal-year label (`2年度`, `元年度`, `5年度実績`): the era comes from elsewhere.
_ERALESS_FISCAL = re.compile(rf"(?P<era_year>[0-9]{{1,2}}|元)\s*年度{_FISCAL_SUFFIX}")

#: The calendar years a KPI date or fiscal year may fall in; anything else is a typo.
PLAUSIBLE_YEARS = range(1926, 2201)


def _normalise(text: str) -> str:
    """NFKC, then surrounding white space removed."""
    return unicodedata.normalize("NFKC", text).strip()


def _error(code: str, text: str, why_ja: str, why_en: str) -> EraError:
    """An EraError quoting the text as given, with the reason in Japanese and English."""
    return EraError.single(code, f"「{text}」{why_ja}", f"'{text}': {why_en}")


def _unknown(text: str, what_ja: str, what_en: str) -> EraError:
    """The `unknown-era` error: the text is not a form this module reads."""
    return _error("unknown-era", text, f"は{what_ja}として読めません", f"not a known {what_en}")


def _match(forms: tuple[re.Pattern[str], ...], text: str) -> dict[str, str | None] | None:
    """The groups of the first form matching the whole text, or None."""
    for form in forms:
        found = form.fullmatch(text)
        if found:
            return found.groupdict()
    return None


def _era_and_year(groups: dict[str, str | None]) -> tuple[Era | None, int]:
    """(era or None for a western year, the year number written) from matched groups."""
    token = groups.get("era")
    if token is None:
        return None, int(groups["year"] or "0")
    written = groups["era_year"] or "0"
    return _BY_TOKEN[token.upper()], 1 if written == "元" else int(written)


def _check_day(text: str, year: int, month: int, day: int) -> None:
    """Raise `bad-date` unless the day exists in that month."""
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise _error("bad-date", text, f"の日（{day}）がありません", f"there is no day {day}")


def _check_era_start(text: str, era: Era, ym: YearMonth, day: int | None) -> None:
    """Raise `era-out-of-range` for a month (or day, when written) before the era began."""
    too_early = ym < era.start_month
    if day is not None and not too_early:
        too_early = date(ym.year, ym.month, day) < era.start_date
    if too_early:
        start = era.start_date.isoformat()
        raise _error(
            "era-out-of-range",
            text,
            f"は{era.name}の始まり（{start}）より前です",
            f"before the start of {era.name} ({era.letter}, {start})",
        )


def _check_plausible(text: str, year: int) -> None:
    """Raise `bad-date` for a year outside `PLAUSIBLE_YEARS` (1926–2200)."""
    if year not in PLAUSIBLE_YEARS:
        first, last = PLAUSIBLE_YEARS[0], PLAUSIBLE_YEARS[-1]
        raise _error(
            "bad-date",
            text,
            f"の年（{year}年）はありえない範囲です（{first}〜{last}年のみ）",
            f"the year {year} is out of the plausible range ({first}-{last})",
        )


def _year_month(text: str, groups: dict[str, str | None]) -> YearMonth:
    """Build and check the month that matched groups describe."""
    era, number = _era_and_year(groups)
    year = era.western_year(number) if era else number
    month = int(groups.get("month") or "0")
    if not 1 <= month <= 12:
        raise _error(
            "bad-date", text, f"の月（{month}）は1〜12ではありません", f"month {month} is not 1-12"
        )
    _check_plausible(text, year)
    day_text = groups.get("day")
    day = int(day_text) if day_text else None
    if day is not None:
        _check_day(text, year, month, day)
    ym = YearMonth(year, month)
    if era is not None:
        _check_era_start(text, era, ym, day)
    return ym


def parse_year_month(text: str) -> YearMonth:
    """Read a target date 年月: `R6.3`, `令和6年3月`, `令和元年5月`, `2024/3`, `2024-03` ….

    A written day is checked and then dropped (`R6.3.31` → 2024-03). The end of a fiscal year
    (`R6年度末`, `令和6年度`, `2024年度末`) is March of the following year (2025-03).
    Raises EraError: `unknown-era` (not a known form), `bad-date` (no such month or day, or a
    year outside 1926–2200), `era-out-of-range` (before the era began, e.g. `令和元年4月`).
    """
    normalised = _normalise(text)
    groups = _match(_YEAR_MONTH_FORMS, normalised)
    if groups is not None:
        return _year_month(text, groups)
    if _FISCAL_END.fullmatch(normalised):
        return _fiscal_year_end(text)
    raise _unknown(text, "年月", "year-month (e.g. R6.3, 令和6年3月, 2024/3)")


def _fiscal_year_end(text: str) -> YearMonth:
    """The last month of the fiscal year a text such as `R6年度末` names (2025-03)."""
    end = YearMonth(parse_fiscal_year(text) + 1, 3)
    _check_plausible(text, end.year)
    return end


def parse_fiscal_year(text: str) -> int:
    """Read a 年度 label (`R5年度`, `令和元年度`, `H31`, `2019年度`, `FY2019`, `R5年度実績`).

    Returns the calendar year the fiscal year starts in: 平成31年度 = 令和元年度 = 2019.
    `（実績）` may follow (`令和５年度（実績）`). Raises EraError `unknown-era` for any other
    text, `era-out-of-range` for era year 0, `bad-date` for a year outside 1926–2200.
    """
    groups = _match(_FISCAL_FORMS, _normalise(text))
    if groups is None:
        raise _unknown(text, "年度", "fiscal year (e.g. R5年度, 令和元年度, 2019年度, FY2019)")
    era, number = _era_and_year(groups)
    if era is not None and number < 1:
        raise _error("era-out-of-range", text, "の元号年は1以上です", "era year must be 1 or more")
    year = era.western_year(number) if era else number
    _check_plausible(text, year)
    return year


def parse_eraless_fiscal_year(text: str) -> int | None:
    """The era year of a fiscal-year label written without its era (`2年度` → 2, `元年度` → 1,
    `５年度実績` → 5), or None for any other text. See `fiscal_year_following`."""
    found = _ERALESS_FISCAL.fullmatch(_normalise(text))
    if found is None:
        return None
    written = found["era_year"]
    return 1 if written == "元" else int(written)


def fiscal_year_following(previous: int, era_year: int) -> int:
    """The fiscal year an era-less label (`2年度`, `元年度`) names in a row of year columns whose
    nearest year column to its left is the fiscal year `previous`.

    The label takes that column's era (`R1年度 | 2年度` → R2 = 2020). When that reading would go
    back in time and the next era's reading is `previous` or the year after, the label is the
    start of the next era: `H30年度 | 元年度` → 令和元年度 = 2019, `H31年度 | 2年度` → R2 = 2020.
    Raises EraError (`era-out-of-range`, `bad-date`) for era year 0 or an implausible year;
    ValueError for a `previous` before the oldest era known here (a programmer error).
    """
    text = f"{_era_year_text(era_year)}年度"
    if era_year < 1:
        raise _error("era-out-of-range", text, "の元号年は1以上です", "era year must be 1 or more")
    era = era_of_fiscal_year(previous)
    year = era.western_year(era_year)
    later = _next_era(era)
    if later is not None and year <= previous:
        switched = later.western_year(era_year)
        year = switched if switched in (previous, previous + 1) else year
    _check_plausible(text, year)
    return year


def _next_era(era: Era) -> Era | None:
    """The era that followed `era`, or None for the current one."""
    index = ERAS.index(era)
    return ERAS[index - 1] if index > 0 else None


def fiscal_year_of(ym: YearMonth) -> int:
    """The fiscal year a month falls in (`R6.3` → 2023); same as `YearMonth.fiscal_year`."""
    return ym.fiscal_year


def _era_on(day: date) -> Era:
    """The era in force on a day; ValueError before the oldest era known here."""
    for era in ERAS:
        if era.start_date <= day:
            return era
    raise ValueError(f"no era known for {day.isoformat()} (oldest: {ERAS[-1].name})")


def _era_of_month(year: int, month: int) -> Era:
    """The era in force on the first day of a calendar month."""
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1..12, not {month}")
    return _era_on(date(year, month, 1))


def to_wareki(year: int, month: int) -> tuple[str, int]:
    """(era kanji, era year) of a calendar month, by the era in force on its first day.

    `to_wareki(2019, 5)` = ('令和', 1), `to_wareki(2019, 4)` = ('平成', 31),
    `to_wareki(1989, 1)` = ('昭和', 64) (平成 began on 1989-01-08).
    """
    era = _era_of_month(year, month)
    return era.name, year - era.start[0] + 1


def _era_year_text(era_year: int) -> str:
    """`元` for year 1, else the number."""
    return "元" if era_year == 1 else str(era_year)


def format_short(ym: YearMonth) -> str:
    """`R6.3` style: era letter, era year, '.', month (era in force on the 1st of the month)."""
    era = _era_of_month(ym.year, ym.month)
    return f"{era.letter}{ym.year - era.start[0] + 1}.{ym.month}"


def format_long(ym: YearMonth) -> str:
    """`令和6年3月` style, `元年` for year 1 (`令和元年5月`)."""
    name, era_year = to_wareki(ym.year, ym.month)
    return f"{name}{_era_year_text(era_year)}年{ym.month}月"


def era_of_fiscal_year(fy: int) -> Era:
    """The era a fiscal year is labelled in: the one in force on 1 April, except FY2019 = 令和.

    ValueError for a year before the oldest era known here.
    """
    return ERAS[0] if fy == 2019 else _era_on(date(fy, 4, 1))


def fiscal_year_label(fy: int, style: str = "short") -> str:
    """`R5年度` (short) or `令和5年度` (long, `令和元年度` for year 1) for a fiscal year.

    The era is the one in force on 1 April of the year, except FY2019 = `R1年度`/`令和元年度`.
    ValueError for an unknown style or a year before the oldest era known here.
    """
    era = era_of_fiscal_year(fy)
    era_year = fy - era.start[0] + 1
    if style == "short":
        return f"{era.letter}{era_year}年度"
    if style == "long":
        return f"{era.name}{_era_year_text(era_year)}年度"
    raise ValueError(f"style must be 'short' or 'long', not {style!r}")


def fiscal_year_range(fy: int) -> tuple[date, date]:
    """First and last day of a fiscal year: (fy-04-01, (fy+1)-03-31)."""
    return date(fy, 4, 1), date(fy + 1, 3, 31)
