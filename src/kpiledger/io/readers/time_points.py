"""Per-row time points: one 実績値 column, and beside it a column giving each row's time point
(実績値の把握時点, 把握時点, 時点, 数値の時点, 実績年度, 調査年度, 調査時点, 基準日 …, or any
heading with 時点). Lagging statistics (経済センサス, 観光動態調査) are published a year or two
late, so rows of one report hold values of different years.

A time point names a fiscal year (`R3年度`, `令和5年度`, `2023年度`, `R5`, `R5年度末`) or a point
in time (`R6.3末`, `令和6年3月末`, `R6.3.31`, `2024/3`), read by `core.era`; a point in time
belongs to the fiscal year containing it (2024-03 → FY2023; 2024-04-01 → FY2024). What follows
it (`R3年度（経済センサス）`: the source) is kept in the KPI's note with the heading, as
published: `実績値の把握時点：R3年度（経済センサス）`. Read per cell:

- a blank time point (or a dash, `-`) beside a value: the report year (the title's), with the
  reader flag `time-point-assumed`; beside no value: no value in the report year. A time point
  saying there is no value yet (`集計中`, `R6.9公表予定`) is read so beside no value, and is
  `bad-time-point` beside a value (which year would it be?);
- a time point in brackets (`（R3年度）`) is read as without them;
- a time point with 見込/計画/目標/予定 after it (`R5年度（見込）`): the value is a forecast,
  not read as an actual (`forecast-not-read`, as for a forecast column);
- refused, never guessed: a calendar year (`2022年`, `令和4年`, a bare `2022`), whose 1–12月
  straddle two fiscal years (`calendar-year`); a text naming no time (`bad-time-point`); a date
  that does not exist (`bad-date`, `era-out-of-range`, as for any date).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from kpiledger.core.era import parse_fiscal_year, parse_year_month
from kpiledger.core.errors import EraError, KpiledgerError, NumberError, Problem
from kpiledger.core.model import Actual, Flag
from kpiledger.core.numbers import DASHES, ParsedNumber, parse_number
from kpiledger.io.readers.layout import Role
from kpiledger.io.readers.row_view import RowView

#: A calendar year (暦年): `2022年`, `令和4年`, `R4年`, not followed by 度 or a month.
CALENDAR_YEAR = re.compile(
    r"(?:(?:令和|平成|昭和|[RHS])(?:元|[0-9]{1,2})|[0-9]{4})年(?!度|[0-9])|[0-9]{4}(?![0-9年度./\-])"
)
#: Words after a time point saying the value is not an actual.
FORECAST_WORDS = ("見込", "計画", "目標", "予定")
#: Words that only restate that it is a time point (`R6.3末現在`, `R5年度末時点`).
POINT_WORDS = re.compile(r"^(?:時点|現在|の値|値)")
#: A time point written in brackets, something after it (`（R3年度）経済センサス`).
BRACKETED = re.compile(r"\((?P<inner>[^()]+)\)(?P<rest>.*)")
#: The longest time point read at the start of a cell (`令和10年12月31日` is 11 characters).
LONGEST = 20


@dataclass(frozen=True)
class TimePoint:
    """A time-point cell read: the fiscal year, and what follows it as written (trimmed)."""

    fiscal_year: int
    rest: str


def read_time_point(text: str) -> TimePoint:
    """The fiscal year a time-point cell names, and the text after it. Raises EraError:
    `calendar-year`, `bad-time-point`, or `bad-date` / `era-out-of-range` for a date that does
    not exist."""
    stripped = text.strip()
    inner = BRACKETED.fullmatch(unicodedata.normalize("NFKC", stripped))
    head = inner["inner"] if inner else stripped
    key = unicodedata.normalize("NFKC", head).replace(" ", "")
    if CALENDAR_YEAR.match(key):
        raise _calendar_year(stripped)
    for end in range(min(len(head), LONGEST), 0, -1):
        year = _fiscal_year_of(head[:end])
        if year is not None:
            after = head[end:].strip() + (inner["rest"] if inner else "")
            return TimePoint(year, POINT_WORDS.sub("", after.strip()).strip())
    raise EraError.single(
        "bad-time-point",
        f"「{stripped}」を実績値の時点として読めません（R3年度・令和5年度・2023年度のような年度か、"
        "R6.3末・令和6年3月末・R6.3.31のような年月を、元号か西暦つきで書いてください）",
        f"'{stripped}' is not a time point (write a fiscal year such as R3年度, 令和5年度,"
        " 2023年度, or a month such as R6.3末, 令和6年3月末, R6.3.31, with its era or century)",
    )


def _fiscal_year_of(head: str) -> int | None:
    """The fiscal year of a point in time (`R6.3末` → 2023) or a fiscal year (`R3年度` →
    2021); None when `head` is neither. A date of a known form that does not exist raises."""
    for parse in (parse_year_month, parse_fiscal_year):
        try:
            found = parse(head)
        except EraError as error:
            if error.codes != ["unknown-era"]:
                raise
            continue
        return found if isinstance(found, int) else found.fiscal_year
    return None


def _calendar_year(text: str) -> EraError:
    return EraError.single(
        "calendar-year",
        f"「{text}」は暦年（1〜12月）のようで、年度（4月〜翌年3月）とは期間が違うため、どの年度の"
        "実績か決められません。年度（R4年度）か、値の時点（R4.12末）を書いてください",
        f"'{text}' looks like a calendar year (January-December), which straddles two fiscal"
        " years: write the fiscal year (R4年度) or the value's date (R4.12末)",
    )


def dated_actual(reader: RowView) -> dict[int, Actual]:
    """The row's 実績値 in the fiscal year its time-point cell names (see the module); both
    cells are checked, each problem located at its cell."""
    parsed = reader.number(Role.ACTUAL)
    text = reader.cell(Role.ACTUAL_YEAR)
    if _says_no_value(text):  # blank, a dash, 集計中, R6.9公表予定
        if parsed is not None and not parsed.is_missing and not _is_blank(text):
            reader.problems.append(_value_without_time(reader, text, parsed.raw))
            return {}
        return {} if parsed is None else _in_report_year(reader, parsed, text)
    point = _time_point(reader, text)
    if point is None or parsed is None:
        return {}
    index = reader.columns.roles[Role.ACTUAL_YEAR]
    label = reader.columns.label(index)
    if any(word in point.rest for word in FORECAST_WORDS):
        if not parsed.is_missing:
            reader.flags.append(_forecast(reader.line, label, index, text, parsed.raw))
        return {}
    if point.rest:
        reader.notes.append(f"{label}：{text}")
    return {point.fiscal_year: Actual(parsed.value, parsed.marker)}


def _time_point(reader: RowView, text: str) -> TimePoint | None:
    """The time-point cell read, or None with its problem located at the cell."""
    try:
        return read_time_point(text)
    except KpiledgerError as error:
        index = reader.columns.roles[Role.ACTUAL_YEAR]
        label = reader.columns.label(index) or None
        reader.problems.extend(
            Problem(p.code, p.message_ja, p.message_en, reader.line, index + 1, label)
            for p in error.problems
        )
        return None


def _is_blank(text: str) -> bool:
    """A blank time point, or a dash (`-`, `―`, `ー`) written in its cell."""
    stripped = text.strip()
    return not stripped or all(c in DASHES for c in stripped)


def _says_no_value(text: str) -> bool:
    """A time point saying there is no value (yet): `集計中`, `R6.9公表予定`, `-`."""
    try:
        return parse_number(text).is_missing
    except NumberError:
        return False


def _in_report_year(reader: RowView, parsed: ParsedNumber, text: str) -> dict[int, Actual]:
    """A value without a time point is the report year's, with `time-point-assumed`."""
    year = reader.columns.report_year
    assert year is not None  # a per-row table needs the title's year (`date_actuals`)
    actual = Actual(parsed.value, parsed.marker)
    if not actual.is_missing:
        label = reader.columns.label(reader.columns.roles[Role.ACTUAL_YEAR])
        reader.flags.append(_assumed(reader.line, label, text, year))
    return {year: actual}


def _value_without_time(reader: RowView, text: str, value: str) -> Problem:
    index = reader.columns.roles[Role.ACTUAL_YEAR]
    return Problem(
        "bad-time-point",
        f"実績値「{value.strip()}」がありますが、時点は「{text}」で、どの年度の値か分かりません"
        "（値の年度か年月を書いてください）",
        f"there is an actual ('{value.strip()}') but its time point says '{text}': which fiscal"
        " year it belongs to cannot be told (write its fiscal year or month)",
        reader.line,
        index + 1,
        reader.columns.label(index) or None,
    )


def _assumed(line: int, label: str, text: str, year: int) -> Flag:
    shown = f"「{text.strip()}」" if text.strip() else "空欄"
    return Flag(
        "time-point-assumed",
        f"{line}行目：「{label}」が{shown}のため、実績値を報告年度（{year}年度）の値として"
        "読みました（違う年度の値なら、その年度を書いてください）",
        f"line {line}: '{label}' is {text.strip() or 'blank'}, so the actual was read as the"
        f" report year's (FY{year}); write its year if it is another one",
    )


def _forecast(line: int, label: str, index: int, text: str, value: str) -> Flag:
    return Flag(
        "forecast-not-read",
        f"{line}行目「{label}」（{index + 1}列目）が「{text}」のため、実績値「{value.strip()}」は"
        "見込・計画の値として、実績として読んでいません",
        f"line {line} ({label}, column {index + 1}) says '{text}': the value"
        f" '{value.strip()}' is a forecast or plan, not read as an actual",
    )
