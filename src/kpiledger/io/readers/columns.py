"""Finding a KPI table's columns by their header text, not by their position.

A header block is one or more rows (the reference report has three: a group row
「K P I（重要業績評価指標）」, then 「指標 / 指標値 / 実績値」, then
「指標値 / 単位 / 年月 / R1年度…」).
For each column the lowest non-empty label decides its role, the ones above it are fallbacks.
Year columns are read by `year_columns`, targets beyond a plain 指標値 (yearly, interim and
final, sums of increments) by `target_columns`, increments by `increments`, a per-row time
point beside a single 実績値 by `year_columns.date_actuals` and `time_points`.
"""

from __future__ import annotations

import re
import unicodedata

from kpiledger.core.errors import Problem
from kpiledger.io.readers.grid import Columns, Row
from kpiledger.io.readers.heading_problems import (
    ambiguous,
    missing,
    missing_date,
    missing_role,
    target_actual_rows,
    unit_headings_disagree,
    wide_form,
)
from kpiledger.io.readers.increments import increment_problems, increment_year_label
from kpiledger.io.readers.layout import (
    MONEY_ROLES,
    SLOT,
    Role,
    heading_key,
    heading_roles,
    heading_unit,
    without_unit,
)
from kpiledger.io.readers.target_columns import target_heading, yearly_targets_or_forecasts
from kpiledger.io.readers.year_columns import (
    BARE_YEAR,
    YEAR_LIKE,
    date_actuals,
    fiscal_year,
    other_year_label,
    point_in_time_year,
    year_column,
    year_of_column,
)

__all__ = ["Columns", "Role", "Row", "is_header_row", "is_header_start", "map_columns", "norm"]


HEADER_WORDS = (
    "方向",
    "集計",
    "名称",
    "事業名",
    "概要",
    "指標",
    "KPI",
    "目標",
    "単位",
    "年月",
    "時期",
    "実績",
    "基準",
    "達成",
    "備考",
    "注記",
    "評価",
    "判定",
    "事業費",
    "交付金",
    "交付対象",
    "年度",
    "番号",
    "No",
    "担当",
    "所管",
    "見込",
    "計画",
    "予定",
    "効果",
    "意見",
    "方針",
    "理由",
    "現状",
    "策定時",
    "進捗",
    "内容",
    "時点",
    "把握",
    "開始前",
    "増加分",
    "中間",
    "最終",
    "kpiledger",  # kpiledger's own columns (`own_columns`)
)
#: A column whose lowest heading says one of these is one kpiledger does not read (事業効果,
#: 外部有識者からの意見, 実績額): its group heading above (実績値を踏まえた事業の今後について)
#: does not give it a role.
NOT_READ_WORDS = (
    "効果",
    "評価",
    "意見",
    "方針",
    "理由",
    "事業費",
    "実績額",
    "交付金",
    "担当",
    "所管",
    "kpiledger",  # kpiledger's own judgement (`own_columns`)
)
#: Headings of a table grouped by policy rather than by project (総合戦略 tables): read as the
#: project name only when the table has no 事業名-like column.
GROUP_HEADINGS = ("施策名", "具体的な施策", "具体的施策", "施策の名称")
#: The unit of a money heading: `実績額（千円）`, `単位：円`, `(単位:千円)`.
MONEY_UNIT = re.compile(r"(?:単位[:：]|\()((?:百万|千|万)?円)")
#: The columns whose heading may name the KPIs' unit (never a money column's 単位：円).
VALUE_ROLES = (Role.TARGET, Role.ACTUAL, Role.BASELINE)


def norm(text: str) -> str:
    """NFKC with spaces removed, for matching header words (`K P I` → `KPI`)."""
    return heading_key(text)


def is_header_start(cells: list[str]) -> bool:
    """A row that opens a KPI table: it names the project column and the indicator column."""
    texts = [norm(c) for c in cells]
    has_name = any(
        "名称" in t or heading_roles(t) == (Role.NAME,) or t in GROUP_HEADINGS for t in texts
    )
    return has_name and any("指標" in t or "KPI" in t for t in texts)


def is_header_row(cells: list[str]) -> bool:
    """A row whose every non-empty cell is a header word or a fiscal-year label."""
    texts = [norm(c) for c in cells if c.strip()]
    return bool(texts) and all(_is_header_text(t) for t in texts)


UNIT_LABEL = re.compile(r"[(（][^)）]{0,12}[)）]|[%％]|単位[:：].*")


def _is_header_text(text: str) -> bool:
    """A header word, a fiscal-year label (with a unit: `R5年度（人）`), or a unit sub-label
    such as （％）."""
    return (
        any(word in text for word in HEADER_WORDS)
        or fiscal_year(without_unit(text)) is not None
        or point_in_time_year(text) is not None
        or BARE_YEAR.fullmatch(text) is not None
        or UNIT_LABEL.fullmatch(text) is not None
    )


def role_of(label: str) -> Role | None:
    """The role a header label names, or None for a column kpiledger does not read or a
    heading naming several roles (see `layout.heading_roles`)."""
    roles = heading_roles(label)
    return roles[0] if len(roles) == 1 else None


def map_columns(rows: list[Row], report_year: int | None = None) -> tuple[Columns, list[Problem]]:
    """Assign roles to the columns of a header block (its rows, in order). `report_year` (the
    title's fiscal year) is the year of a 実績値 column written without one."""
    columns = Columns(rows[0].line)
    problems: list[Problem] = []
    width = max(len(r.cells) for r in rows)
    headings: list[list[str]] = []
    spans = [_spanning(r) for r in rows]
    over: list[list[str]] = []  # each column's headings, group headings over it included
    for index in range(width):
        labels = [
            (r.cells[index].strip(), r.line)
            for r in rows
            if index < len(r.cells) and r.cells[index].strip()
        ]
        headings.append([label for label, _ in labels])
        groups = [(line, span[index]) for line, span in spans if index < len(span)]
        over.append([text for _, text in groups if text])
        problems.extend(_assign(columns, index, labels, groups))
        _line_of(columns, index, labels)
    _find_indicator_text(columns, headings)
    _group_as_name(columns, headings)
    yearly_targets_or_forecasts(columns)
    problems.extend(_value_unit(columns, headings, over))
    problems.extend(date_actuals(columns, report_year))
    shape = target_actual_rows(columns, headings)
    if shape is not None:
        return columns, [shape]
    problems += missing(columns)
    problems += increment_problems(columns)
    return columns, _defer_missing(columns, problems)


def _defer_missing(columns: Columns, problems: list[Problem]) -> list[Problem]:
    """A missing target or target-date column, when nothing else is wrong, is told per row:
    a row may hold its target in the indicator (`移住者数（目標70人）`), or, beside a target
    column, its date in the target cell (`1,200（R5年度）`). Both missing stay header problems."""
    target, date = missing_role(columns, Role.TARGET), missing_date(columns)
    if problems == [target]:
        columns.missing_target = target
        return []
    if problems == [date] and Role.TARGET in columns.roles:  # a date only in a target cell
        columns.missing_date = date
        return []
    return problems


def _value_unit(
    columns: Columns, headings: list[list[str]], over: list[list[str]]
) -> list[Problem]:
    """The unit named in the headings of the value columns (target, actuals, baseline):
    `指標値（単位：人）`, `目標値（件）`, `単位：件` under 実績値, `実績値（単位：人）` over
    R4 | R5: its own headings, and a group heading over it that names a value. A heading of
    another column spanning over one (`実績額（単位：円）`, a note `単位：円` under it) names none.
    Two value headings naming different units is a header problem, never a guess."""
    indexes = {columns.roles[r] for r in VALUE_ROLES if r in columns.roles}
    indexes |= {*columns.years, *columns.yearly_targets}
    found: dict[str, tuple[int, str]] = {}
    for index in sorted(indexes):
        own = headings[index] if index < len(headings) else []
        spanning = [text for text in over[index] if text not in own and _names_value(text)]
        for text in (*spanning, *own):
            unit = heading_unit(text)
            if unit and set(heading_roles(text)) <= set(VALUE_ROLES):
                found.setdefault(unit, (index, text))
    if len(found) > 1:
        (first, (one, _)), (second, (other, _)) = list(found.items())[:2]
        return [unit_headings_disagree(columns, one, other, first, second)]
    for unit, (_, text) in found.items():
        columns.value_unit, columns.value_unit_heading = unit, text
    return []


def _names_value(text: str) -> bool:
    """A group heading over value columns: 実績値, 目標値, 指標値, 基準値 (with any note)."""
    return any(word in norm(text) for word in ("実績", "目標", "指標値", "基準"))


def _group_as_name(columns: Columns, headings: list[list[str]]) -> None:
    """A table grouped by policy (施策名, 具体的な施策) with no 事業名-like column: the policy
    is the grouping its KPIs are read under, as a project name."""
    if Role.NAME in columns.roles:
        return
    for index, labels in enumerate(headings):
        taken = index in columns.roles.values() or index in columns.years
        if labels and norm(labels[-1]) in GROUP_HEADINGS and not taken:
            columns.roles[Role.NAME], columns.labels[index] = index, labels[-1]
            return


def _line_of(columns: Columns, index: int, labels: list[tuple[str, int]]) -> None:
    """The line of the heading that gave the column its role (the lowest, if none did)."""
    if labels:
        label = columns.labels.get(index)
        columns.lines[index] = next((ln for text, ln in labels if text == label), labels[-1][1])


def _spanning(row: Row) -> tuple[int, list[str]]:
    """Each cell's heading, a blank cell taking the one to its left: a merged group heading
    (実績値 over R4 | R5) is written only in its first cell when exported as text."""
    texts, last = [], ""
    for cell in row.cells:
        last = cell.strip() or last
        texts.append(last)
    return row.line, texts


def _assign(
    columns: Columns,
    index: int,
    labels: list[tuple[str, int]],
    groups: list[tuple[int, str]],
) -> list[Problem]:
    """Try the lowest label first: it is the most specific (R1年度 under 実績値) — except a
    year under 基準値, which is the baseline's year. Labels under a year label (`見込`) qualify
    it; a heading of a column not read (事業効果) ends the search, so its group heading above
    gives it no role. A heading naming two roles is a problem, never a guess."""
    if _baseline_over_year(columns, index, [label for label, _ in labels]):
        return []
    below: list[str] = []
    for position in reversed(range(len(labels))):
        label, line = labels[position]
        above = [text for row_line, text in groups if row_line < line]
        target = target_heading(columns, index, label, line, below, above)
        if target is not None:
            return target
        year_label, increment = increment_year_label(label)
        year = year_of_column(columns, index, year_label, above)
        if isinstance(year, int):
            return year_column(columns, index, label, line, year, below, increment)
        roles = heading_roles(label)
        if len(roles) > 1:
            return [ambiguous(index, label, line, roles)]
        if roles and roles[0] not in columns.roles:
            if roles[0] is Role.SPENT:
                columns.spent_unit = _money_unit([label, *below])
            if roles[0] in MONEY_ROLES:
                columns.money_units[roles[0]] = _money_unit([label, *below])
            return _take(columns, index, label, line, roles[0])
        if roles == (Role.INDICATOR,) and SLOT.fullmatch(norm(label)):
            return [wide_form(index, label, line)]
        if year is not None or YEAR_LIKE.search(norm(label)):
            return other_year_label(columns, index, label, line, below, year)
        if any(word in norm(label) for word in NOT_READ_WORDS):
            return []
        if not below and not roles and "時点" in norm(label) and columns.time_point is None:
            columns.time_point = (index, label, line)  # read beside a single 実績値 only
            return []
        below.append(label)
    return []


def _take(columns: Columns, index: int, label: str, line: int, role: Role) -> list[Problem]:
    """Give column `index` its role (a 実績値 without a year, and a time point, wait for
    `year_columns.date_actuals`)."""
    columns.roles[role], columns.labels[index] = index, label
    if role is Role.BASELINE:
        columns.baseline_year = _year_in(label)
    if role is Role.ACTUAL:
        columns.undated = (index, label, line)
    if role is Role.ACTUAL_YEAR:
        columns.time_point = (index, label, line)
    return []


def _find_indicator_text(columns: Columns, headings: list[list[str]]) -> None:
    """The national form heads two cells with 指標: a slot label (指標①) and the indicator's
    text. The cell right of 指標, with no heading of its own (or the same one, as a merged cell
    is read from a workbook) and no role, holds the text."""
    index = columns.roles.get(Role.INDICATOR)
    if index is None or index + 1 >= len(headings):
        return
    right = index + 1
    taken = right in columns.roles.values() or right in columns.years
    lowest = headings[right][-1] if headings[right] else None
    if not taken and (lowest is None or lowest == headings[index][-1]):
        columns.indicator_text = right


def _baseline_over_year(columns: Columns, index: int, labels: list[str]) -> bool:
    if len(labels) < 2 or Role.BASELINE in columns.roles:
        return False
    year = fiscal_year(labels[-1])
    if year is None or not any(role_of(label) is Role.BASELINE for label in labels[:-1]):
        return False
    columns.roles[Role.BASELINE], columns.labels[index] = index, " ".join(labels)
    columns.baseline_year = year
    return True


def _year_in(label: str) -> int | None:
    """The fiscal year written inside a header such as 基準値（R1年度）."""
    match = re.search(r"[（(]([^）)]+)[）)]", unicodedata.normalize("NFKC", label))
    return fiscal_year(match.group(1)) if match else None


def _money_unit(labels: list[str]) -> str:
    """The unit a 実績額 heading or the note under it names (`実績額（千円）`, `単位：千円`)."""
    for label in labels:
        match = MONEY_UNIT.search(norm(label))
        if match:
            return match.group(1)
    return "円"
