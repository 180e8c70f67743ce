"""Reading one KPI row's cells into a `Kpi`, collecting every problem with its place."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from kpiledger.core.errors import KpiledgerError, NumberError, Problem
from kpiledger.core.model import Actual, Aggregation, Direction, Flag, Kpi
from kpiledger.core.numbers import ParsedNumber, fits_ledger, out_of_range, parse_number
from kpiledger.core.quality import grade_flag, grade_meaning
from kpiledger.io.readers import cell_text
from kpiledger.io.readers.columns import Columns, Role, norm
from kpiledger.io.readers.increments import increment_terms
from kpiledger.io.readers.overrides import parse_aggregation, parse_direction
from kpiledger.io.readers.own_columns import read_flags
from kpiledger.io.readers.slots import is_slot_label
from kpiledger.io.readers.target_text import split_grant as split_grant
from kpiledger.io.readers.target_text import split_target as split_target
from kpiledger.io.readers.time_points import dated_actual
from kpiledger.io.readers.value_checks import (
    mixed_periods,
    split_bound,
    unit_agrees,
    unit_disagrees,
    unit_mismatch,
    unit_mismatch_in_split,
)

T = TypeVar("T")
#: `累計 7 社`, `年間 1,100 人`: a value cell saying how it is counted (sets the aggregation).
PERIOD_PREFIX = re.compile(r"^\s*(?P<word>累計|年間)\s*[:：]?\s*(?=[0-9０-９△▲+\-－−])")
PERIOD_AGGREGATION = {"累計": Aggregation.CUMULATIVE, "年間": Aggregation.ANNUAL}


@dataclass
class RowReader:
    """Reads the KPI cells of one row; `problems` collects what is wrong, located."""

    columns: Columns
    cells: list[str]
    line: int
    problems: list[Problem] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    #: 累計 / 年間 written before a value (`累計 7 社`): (word, cell index).
    periods: list[tuple[str, int]] = field(default_factory=list)
    #: The values read (target, baseline, actuals), with their cell, for `_check_units`.
    values: list[tuple[int, ParsedNumber]] = field(default_factory=list)
    #: In a row holding several KPIs (`multi`): which of them this is, and how many.
    part: tuple[int, int] | None = None
    #: Texts added to the KPI's note after its 備考 (a time point's source, a starting level).
    notes: list[str] = field(default_factory=list)
    #: A time note in a target or baseline cell (`1,200（R5年度）`): cell index → `R5年度`.
    cell_times: dict[int, str] = field(default_factory=dict)
    #: A bound written after a target (`15分以下`, `60%以上`): target cell index → 以下 ….
    bounds: dict[int, str] = field(default_factory=dict)

    def cell(self, role: Role) -> str:
        index = self.columns.roles.get(role)
        if index is None or index >= len(self.cells):
            return ""
        text = self.cells[index].strip()
        if role is Role.INDICATOR and self._is_slot(text):
            return self._at(self.columns.indicator_text)
        return text

    def _at(self, index: int | None) -> str:
        if index is None or index >= len(self.cells):
            return ""
        return self.cells[index].strip()

    def _is_slot(self, text: str) -> bool:
        """The national form's 指標① (or a piece of it, `指標` or `①`, or a blank) in the 指標
        cell, the text being right of it (`slots`)."""
        if self.columns.indicator_text is None:
            return False
        return is_slot_label(text)

    def is_empty_slot(self) -> bool:
        """A national form row with only its slot label (指標③ left unused)."""
        index = self.columns.roles[Role.INDICATOR]
        label = self._at(index)
        others = [c for i, c in enumerate(self.cells) if i != index and c.strip()]
        return bool(label) and self._is_slot(label) and not others

    def has_kpi_values(self) -> bool:
        """Whether any target, unit, date, baseline or actual cell is filled."""
        roles = [Role.TARGET, Role.UNIT, Role.DATE, Role.TARGET_YEAR, Role.BASELINE]
        roles += [Role.ACTUAL, Role.ACTUAL_YEAR]  # a single 実績値 and its time point
        indexes = [self.columns.roles[r] for r in roles if r in self.columns.roles]
        indexes += [*self.columns.years, *self.columns.yearly_targets, *self.columns.interims]
        return any(i < len(self.cells) and self.cells[i].strip() for i in indexes)

    def missing_indicator(self) -> Problem:
        """`missing-indicator`: the row has KPI values but no 指標, located at the 指標 cell."""
        index = self.columns.roles[Role.INDICATOR]
        return Problem(
            "missing-indicator",
            "指標の名前がないのに、目標値・単位・年月・実績値が書かれています",
            "the row has a target, unit, date or actual but no indicator (指標)",
            self.line,
            index + 1,
            self.columns.label(index) or None,
        )

    def read_kpi(self) -> Kpi | None:
        """The row's KPI, or None when a problem was found (see `problems`)."""
        if self._truncated():
            return None
        self.flags.extend(read_flags(self.cell(Role.CARRIED_FLAGS)))  # a kpiledger workbook
        unit = self.cell(Role.UNIT)
        indicator, indicator_notes = cell_text.split_indicator(self.cell(Role.INDICATOR))
        self.notes.extend(indicator_notes)
        if Role.TARGET in self.columns.roles:
            target_index = self.columns.roles[Role.TARGET]
            target = self._number(Role.TARGET, target_index, required=True)
        elif self.columns.yearly_targets:
            target_index, target = self._yearly_target()
        else:
            target_index = self.columns.roles[Role.INDICATOR]
            indicator, target = self._target_in_indicator(indicator)
        for index in self.columns.interims:  # 中間目標: checked as numbers, never the target
            self._number(Role.TARGET, index)
        unit = unit or self.columns.value_unit or (target.unit if target and target.unit else "")
        target_date, actuals = cell_text.target_date(self, target_index), self._actuals(unit)
        baseline, published_rate = cell_text.baseline(self), self._rate()
        if self.problems or target is None or target.value is None:
            return None
        self._check_units(unit, indicator)
        self._note_forecasts()
        self._grade()
        direction, aggregation, increments = self._overrides()
        aggregation, increments, baseline = increment_terms(self, aggregation, increments, baseline)
        if self.problems:
            return None
        note = "\n".join(text for text in (self.cell(Role.NOTE), *self.notes) if text) or None
        return Kpi(
            indicator,
            unit,
            target.value,
            target_date,
            actuals,
            baseline,
            published_rate,
            note=note,
            direction_override=direction,
            aggregation_override=aggregation,
            actuals_are_increments=increments,
            line=self.line,
            reader_flags=self.flags,
            target_bound=self.bounds.get(target_index),
        )

    def _yearly_target(self) -> tuple[int, ParsedNumber | None]:
        """A table with one target per year (`目標値(H29)` … `目標値(H31)`): the target of the
        last target year written in the row; the earlier ones are checked as numbers but not
        kept. None of them written is `missing-target` at the last target column."""
        last: tuple[int, ParsedNumber] | None = None
        for index in sorted(
            self.columns.yearly_targets, key=self.columns.yearly_targets.__getitem__
        ):
            parsed = self._number(Role.TARGET, index)
            if parsed is not None and parsed.value is not None:
                last = (index, parsed)
        if last is not None:
            return last
        index = max(self.columns.yearly_targets, key=self.columns.yearly_targets.__getitem__)
        return index, self._number(Role.TARGET, index, required=True)

    def _target_in_indicator(self, indicator: str) -> tuple[str, ParsedNumber | None]:
        """A table without a 指標値 column: the target at the end of the indicator's text, else
        the header's `missing-column` (`Columns.missing_target`)."""
        split = split_target(indicator)
        if split is not None:
            self.values.append((self.columns.roles[Role.INDICATOR], split[1]))
            return split
        if self.columns.missing_target is not None:
            self.problems.append(self.columns.missing_target)
        return indicator, None

    def _grade(self) -> None:
        """The published grade (評価 / 達成状況 / 判定, or grades under 達成度), kept as the
        `published-grade` flag; a blank or a "no value" marker (`-`) is no grade."""
        text = self.cell(Role.GRADE)
        if not text:
            text = self._grade_in_rate_column()
        if text and _has_value(text):
            self.flags.append(grade_flag(text))

    def _grade_in_rate_column(self) -> str:
        """A 達成度 column holding grades (A, ◎, 概ね達成) rather than percentages."""
        index = self.columns.roles.get(Role.RATE)
        if index is None or "達成度" not in norm(self.columns.label(index)):
            return ""
        text = self._at(index)
        return text if grade_meaning(text) is not None else ""

    def _overrides(self) -> tuple[Direction | None, Aggregation | None, bool]:
        """Direction and aggregation written in the report's 方向 / 集計 columns, if any."""
        direction, aggregation, increments = None, None, False
        try:
            direction = parse_direction(self.cell(Role.DIRECTION))
        except ValueError:
            self._bad_word(Role.DIRECTION, "bad-direction", "増加 / 減少")
        try:
            aggregation, increments = parse_aggregation(self.cell(Role.AGGREGATION))
        except ValueError:
            self._bad_word(
                Role.AGGREGATION, "bad-aggregation", "累計 / 累計（単年度値） / 年間 / 水準"
            )
        if aggregation is None and not self.cell(Role.AGGREGATION):
            aggregation = self._period_aggregation()
        return direction, aggregation, increments

    def _period_aggregation(self) -> Aggregation | None:
        """累計 / 年間 written in the value cells (`累計 7 社`): cumulative / annual, as a 集計
        column says. A row mixing both sets nothing: the aggregation is inferred as usual."""
        words = {word for word, _ in self.periods}
        return PERIOD_AGGREGATION[words.pop()] if len(words) == 1 else None

    def _bad_word(self, role: Role, code: str, expected: str) -> None:
        index = self.columns.roles[role]
        text = self.cell(role)
        self.problems.append(
            Problem(
                code,
                f"「{text}」は読めません（{expected} のいずれかを書いてください）",
                f"cannot read '{text}' (write one of: {expected})",
                self.line,
                index + 1,
                self.columns.label(index) or None,
            )
        )

    def _truncated(self) -> bool:
        width = self.columns.width
        if len(self.cells) >= width:
            return False
        index = len(self.cells)
        self.problems.append(
            Problem(
                "truncated-row",
                f"行が途中で切れています（{width}列必要なところ{index}列）",
                f"the row is cut short ({index} cells where {width} are needed)",
                line=self.line,
                column=index + 1,
                field=self.columns.label(index) or None,
            )
        )
        return True

    def locate(self, error: KpiledgerError, index: int) -> None:
        for p in error.problems:
            self.problems.append(
                Problem(
                    p.code,
                    p.message_ja,
                    p.message_en,
                    self.line,
                    index + 1,
                    self.columns.label(index) or None,
                )
            )

    def number(self, role: Role) -> ParsedNumber | None:
        """The number in the role's cell (None, with a located problem, when it is not one)."""
        index = self.columns.roles.get(role)
        return None if index is None else self._number(role, index)

    def _number(self, role: Role, index: int, required: bool = False) -> ParsedNumber | None:
        try:  # several lines, a time note (`cell_text`)
            cell = cell_text.read_value_cell(self._at(index), role)
        except NumberError as error:
            self.locate(error, index)
            return None
        text = cell.value
        period = PERIOD_PREFIX.match(text) if role is not Role.RATE else None
        if period is not None:
            self.periods.append((period["word"], index))
            text = text[period.end() :]
        try:
            parsed = parse_number(text)
            if parsed.value is not None and not fits_ledger(parsed.value):
                raise out_of_range(text)
        except NumberError as error:
            self.locate(error, index)
            return None
        self._keep_cell_text(index, cell)
        if role is Role.TARGET:
            parsed, bound = split_bound(parsed)
            if bound is not None:
                self.bounds[index] = bound
        if role in (Role.TARGET, Role.ACTUAL, Role.BASELINE):
            self.values.append((index, parsed))
        if required and parsed.value is None:
            self.problems.append(
                Problem(
                    "missing-target",
                    f"目標値がありません（「{text.strip()}」）",
                    f"the target value is missing ('{text.strip()}')",
                    self.line,
                    index + 1,
                    self.columns.label(index) or None,
                )
            )
        return parsed

    def _actuals(self, unit: str) -> dict[int, Actual]:
        if self.columns.per_row:
            return dated_actual(self)  # one 実績値, its year on the row (`time_points`)
        actuals: dict[int, Actual] = {}
        for index, year in self.columns.years.items():
            parsed = self._number(Role.ACTUAL, index)
            if parsed is None:
                continue
            actuals[year] = Actual(parsed.value, parsed.marker)
        return actuals

    def _rate(self) -> Decimal | None:
        index = self.columns.roles.get(Role.RATE)
        if index is None or self._grade_in_rate_column():
            return None
        parsed = self._number(Role.RATE, index)
        return parsed.value if parsed else None

    def _note_forecasts(self) -> None:
        """A value in a forecast column (`R6年度見込`) is not an actual: say it was not read."""
        for index, label in self.columns.forecasts.items():
            text = self.cells[index].strip() if index < len(self.cells) else ""
            if not _has_value(text):
                continue
            self.flags.append(
                Flag(
                    "forecast-not-read",
                    f"{self.line}行目「{label}」（{index + 1}列目）の「{text}」は"
                    "見込・計画の値のため、実績として読んでいません",
                    f"line {self.line} ({label}, column {index + 1}): '{text}' is a forecast or "
                    "plan, not read as an actual",
                )
            )

    def _keep_cell_text(self, index: int, cell: cell_text.ValueCell) -> None:
        """A number cell's time note, and its lines after the value kept in the note."""
        if cell.time is not None:
            self.cell_times[index] = cell.time
        label = self.columns.label(index)
        self.notes.extend(f"{label}：{line}" if label else line for line in cell.extra)

    def _check_units(self, unit: str, indicator: str) -> None:
        """Every unit written in a value cell against the 単位 column (`value_checks`); 累計
        and 年間 mixed in the cells."""
        heading, heading_unit = self.columns.value_unit_heading, self.columns.value_unit
        if heading_unit and not unit_agrees(heading_unit, unit):  # 単位 cell ≠ heading's unit
            self.flags.append(unit_mismatch(self.line, heading, heading_unit, unit))
        for index, parsed in self.values:
            inline = unit_disagrees(parsed, unit)
            if inline is None:
                continue
            label = self.columns.label(index)
            if self.part is None:
                self.flags.append(unit_mismatch(self.line, label, inline, unit))
            else:
                where = (self.line, index + 1, label or None)
                self.problems.append(unit_mismatch_in_split(where, parsed, unit, indicator))
        periods = [(word, self.columns.label(index) or "") for word, index in self.periods]
        mixed = mixed_periods(self.line, periods)
        if mixed is not None:
            self.flags.append(mixed)


def _has_value(text: str) -> bool:
    """Anything but a blank or a "no value" marker (`-`, `未集計` …)."""
    try:
        return not parse_number(text).is_missing
    except NumberError:
        return True
