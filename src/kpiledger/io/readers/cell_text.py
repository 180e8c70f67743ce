"""Value cells that say more than a number, and the dates read from a row's cells.

One rule for every number cell (target, baseline, actual, rate):

- **Several lines** (`38\\n（うち県外27）`, `165\\n※オンライン含む`): the first line is the value
  when every following line is a breakdown in brackets (`（うち県外27）`) or a note starting with
  ※; those lines are kept in the KPI's note after the column's heading
  (`R4年度：（うち県外27）`). Any other second line is `bad-number` (which line is the value
  would be a guess). An indicator cell whose following lines start with ※
  (`移住者数\\n※転入届による`) is the first line, the ※ lines kept in the note.
- **A time point in brackets after the value** (`300（R1年度）`, `1,200（R5年度）`,
  `1,200万円（R2）`, `31（R4.10時点）`): in a baseline cell it is the baseline's fiscal year;
  in a target cell, the target date (a fiscal year → the end of that year, March; a month →
  that month). A 基準年度 / 年月 / 目標年度 column or heading naming another fiscal year is
  `cell-year-mismatch`. In any other cell (an actual) it is `bad-number` saying the value has
  a time note: a year column's value is that year's, and a time note may say otherwise.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from kpiledger.core.era import YearMonth, parse_fiscal_year, parse_year_month
from kpiledger.core.errors import EraError, KpiledgerError, NumberError, Problem
from kpiledger.core.model import Baseline
from kpiledger.io.readers.layout import Role
from kpiledger.io.readers.row_view import RowView
from kpiledger.io.readers.time_points import read_time_point

T = TypeVar("T")
#: A breakdown line under a value: `（うち県外27）`, `(うち市外 3)`.
BREAKDOWN = re.compile(r"\(うち.*\)")
#: A value with something in brackets after it (NFKC: full-width brackets are half-width).
BRACKETED = re.compile(r"(?P<value>.*?[0-9].*?)\s*\((?P<note>[^()]+)\)")
#: The roles whose cell may name its own year.
DATED_ROLES = (Role.TARGET, Role.BASELINE)


@dataclass(frozen=True)
class ValueCell:
    """A number cell split: the value's text, the lines kept in the note, a time note."""

    value: str
    extra: tuple[str, ...] = ()
    time: str | None = None


def lines_of(text: str) -> list[str]:
    """The non-blank lines of a cell; a literal `\\n` (from a text export) is a line break."""
    return [line.strip() for line in text.replace("\\n", "\n").split("\n") if line.strip()]


def is_note_line(line: str) -> bool:
    """A line kept in the note under a value: `（うち県外27）` or `※オンライン含む`."""
    plain = unicodedata.normalize("NFKC", line)
    return plain.startswith("※") or BREAKDOWN.fullmatch(plain) is not None


def read_value_cell(text: str, role: Role) -> ValueCell:
    """The cell split by the module's rule; raises NumberError (`bad-number`) for other lines
    after the value, and for a time note in a cell that cannot hold one."""
    lines = lines_of(text)
    if len(lines) > 1 and not all(is_note_line(line) for line in lines[1:]):
        raise _multi_line(text)
    first = lines[0] if lines else text
    found = BRACKETED.fullmatch(unicodedata.normalize("NFKC", first))
    if found is None or not _is_time(found["note"]):
        return ValueCell(first, tuple(lines[1:]))
    if role not in DATED_ROLES:
        raise _time_note(first, found["note"])
    return ValueCell(found["value"], tuple(lines[1:]), found["note"])


def split_indicator(text: str) -> tuple[str, list[str]]:
    """`移住者数\\n※転入届による` → (`移住者数`, [`※転入届による`]); any other text as it is."""
    lines = lines_of(text)
    if len(lines) > 1 and all(line.startswith(("※", "＊")) for line in lines[1:]):
        return lines[0], lines[1:]
    return text, []


def _is_time(note: str) -> bool:
    try:
        return read_time_point(note).rest == ""
    except KpiledgerError:
        return False


def _cell_date(note: str) -> YearMonth:
    """A target cell's time note as a date: a month as written, a fiscal year's end (March)."""
    try:
        return parse_year_month(note)
    except EraError:
        return YearMonth(read_time_point(note).fiscal_year + 1, 3)


def target_date(reader: RowView, target_index: int) -> YearMonth | None:
    """The 年月 / 目標年度 column's; in a table with yearly targets and neither, the end of the
    fiscal year whose target was read (`目標値(R5)` → 2024年3月); the target cell's own time
    note when there is no such column or its cell is blank (`1,200（R5年度）` → 2024年3月)."""
    columns = reader.columns
    note = reader.cell_times.get(target_index)
    in_cell = _cell_date(note) if note is not None else None
    year = columns.yearly_targets.get(target_index)
    date_index = columns.roles.get(Role.DATE, columns.roles.get(Role.TARGET_YEAR))
    if date_index is None:
        if year is not None:
            return YearMonth(year + 1, 3)
        if in_cell is None and columns.missing_date is not None:
            reader.problems.append(columns.missing_date)
        return in_cell
    if in_cell is not None and not reader.cells[date_index].strip():
        return in_cell
    date = _column_date(reader, date_index)
    if in_cell is not None and date is not None and in_cell.fiscal_year != date.fiscal_year:
        other = (columns.label(date_index), date.fiscal_year)
        reader.problems.append(_mismatch(reader, target_index, in_cell.fiscal_year, other))
    return date


def _column_date(reader: RowView, index: int) -> YearMonth | None:
    if Role.DATE in reader.columns.roles:
        return _date(reader, index, parse_year_month)
    year = _date(reader, index, parse_fiscal_year)
    return YearMonth(year + 1, 3) if year is not None else None


def _date(reader: RowView, index: int, parse: Callable[[str], T]) -> T | None:
    text = reader.cells[index].strip()
    if not text:
        reader.problems.append(
            Problem(
                "missing-target-date",
                "目標年月がありません",
                "the target date is missing",
                reader.line,
                index + 1,
                reader.columns.label(index) or None,
            )
        )
        return None
    try:
        return parse(text)
    except EraError as error:
        reader.locate(error, index)
        return None


def baseline(reader: RowView) -> Baseline | None:
    """The baseline and its fiscal year: the 基準年度 cell's, else the heading's
    (基準値（R1年度）), else the baseline cell's time note (`300（R1年度）`)."""
    index = reader.columns.roles.get(Role.BASELINE)
    if index is None:
        return None
    parsed = reader.number(Role.BASELINE)
    if parsed is None or parsed.value is None:
        return None
    year, source = reader.columns.baseline_year, reader.columns.label(index)
    year_index = reader.columns.roles.get(Role.BASELINE_YEAR)
    if year_index is not None and reader.cells[year_index].strip():
        source = reader.columns.label(year_index)
        try:
            year = parse_fiscal_year(reader.cells[year_index])
        except EraError as error:
            reader.locate(error, year_index)
    note = reader.cell_times.get(index)
    in_cell = read_time_point(note).fiscal_year if note is not None else None
    if in_cell is not None and year is not None and in_cell != year:
        reader.problems.append(_mismatch(reader, index, in_cell, (source, year)))
    return Baseline(parsed.value, in_cell if in_cell is not None else year)


def _mismatch(reader: RowView, index: int, year: int, other: tuple[str, int]) -> Problem:
    text = reader.cells[index].strip()
    label, other_year = other
    return Problem(
        "cell-year-mismatch",
        f"「{text}」の括弧内は{year}年度ですが、「{label}」は{other_year}年度です"
        "（どちらが正しいか確かめ、一方だけを書いてください）",
        f"'{text}' names FY{year} in brackets, but '{label}' says FY{other_year} (check which"
        " is right and write only that one)",
        reader.line,
        index + 1,
        reader.columns.label(index) or None,
    )


def _multi_line(text: str) -> NumberError:
    shown = text.replace("\\n", "\n").strip()
    return NumberError.single(
        "bad-number",
        f"「{shown}」は複数行で、2行目以降が内訳（（うち…））でも注記（※…）でもないため、"
        "どの行が値か決められません（値は1行目に書き、内訳は（うち…）、注記は※で始めてください）",
        f"'{shown}' has several lines, and those after the first are neither a breakdown"
        " ((うち…)) nor a note (※…): which line is the value cannot be told (write the value"
        " first, a breakdown as (うち…), a note starting with ※)",
    )


def _time_note(text: str, note: str) -> NumberError:
    return NumberError.single(
        "bad-number",
        f"「{text}」は値に時点の注記（{note}）がついています。この列の値はその列の年度の値として"
        "読むため、注記の時点と列の年度が違うかもしれず、読みません（値だけを書き、時点は"
        "備考か実績値の把握時点の列に書いてください）",
        f"'{text}' is a value with a time note ({note}): a value in this column is read as the"
        " column's year, which the note may contradict, so it is not read (write the value"
        " alone, and its time point in 備考 or a time-point column)",
    )
