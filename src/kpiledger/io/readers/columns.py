"""Finding a KPI table's columns by their header text, not by their position.

A header block is one or more rows (the reference report has three: a group row
「K P I（重要業績評価指標）」, then 「指標 / 指標値 / 実績値」, then
「指標値 / 単位 / 年月 / R1年度…」).
For each column the lowest non-empty label decides its role, the ones above it are fallbacks.

Year columns: `R5年度`, `令和５年度（実績）`, `R5年度実績値`, `実績（R5年度）` are the actual of
that fiscal year; an era-less `2年度` / `元年度` takes the era of the nearest year column to its
left (`R1年度 | 2年度` → 2020, `H30年度 | 元年度` → 2019). A year label with 見込/計画/目標/予定
is a forecast: not read, but kept in `Columns.forecasts`. Any other label that looks like a year
is `unknown-year-column`, and one fiscal year in two columns is `duplicate-column`.
"""

from __future__ import annotations

import re
import unicodedata

from kpiledger.core.era import (
    PLAUSIBLE_YEARS,
    fiscal_year_following,
    parse_eraless_fiscal_year,
    parse_fiscal_year,
)
from kpiledger.core.errors import EraError, Problem
from kpiledger.io.readers.grid import Columns, Row
from kpiledger.io.readers.heading_problems import (
    ambiguous,
    duplicate,
    missing,
    missing_role,
    unknown_year,
    wide_form,
)
from kpiledger.io.readers.layout import SLOT, Role, heading_key, heading_roles

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
)
#: A year label with one of these words is a forecast or plan, not an actual.
FORECAST_WORDS = ("見込", "計画", "目標", "予定")
#: Labels that look like a year: `5年度`, `元年度`, `2023`, `FY2023年`, `R5`, `令和5…`.
YEAR_LIKE = re.compile(
    r"(?:元|[0-9])年度|^(?:FY)?[0-9]{4}年?(?:\(.*\))?$|^(?:令和|平成|昭和|大正|[RHST])(?:元|[0-9])",
    re.IGNORECASE,
)
#: `実績（R5年度）`: an actual column with its year in brackets.
ACTUAL_WRAPPED = re.compile(r"実績値?\((?P<year>.+)\)")
#: `目標値（R4年度）`, `目標(H30)`, `R4目標`, `R4年度目標値`, `R4年度(目標)`: the target of one
#: fiscal year (a table with one target per year). Read as such only when the table has no
#: 指標値 column; beside one it is a forecast column as before.
TARGET_WRAPPED = re.compile(
    r"目標値?\((?P<year>[^()]+)\)|(?P<before>[^()]+?)(?:目標値?|\(目標値?\))"
)
#: `事業費（R5年度）`: another column qualified by a year in brackets (ignored like 事業費).
QUALIFIED = re.compile(r"(?P<name>[^0-9()]+)\(.*\)")
#: The unit of a money heading: `実績額（千円）`, `単位：円`, `(単位:千円)`.
MONEY_UNIT = re.compile(r"(?:単位[:：]|\()((?:百万|千|万)?円)")
#: `2023` under a 実績値 heading: a fiscal year written without 年度.
BARE_YEAR = re.compile(r"[0-9]{4}")


def norm(text: str) -> str:
    """NFKC with spaces removed, for matching header words (`K P I` → `KPI`)."""
    return heading_key(text)


def is_header_start(cells: list[str]) -> bool:
    """A row that opens a KPI table: it names the project column and the indicator column."""
    texts = [norm(c) for c in cells]
    has_name = any("名称" in t or heading_roles(t) == (Role.NAME,) for t in texts)
    return has_name and any("指標" in t or "KPI" in t for t in texts)


def is_header_row(cells: list[str]) -> bool:
    """A row whose every non-empty cell is a header word or a fiscal-year label."""
    texts = [norm(c) for c in cells if c.strip()]
    return bool(texts) and all(_is_header_text(t) for t in texts)


UNIT_LABEL = re.compile(r"[(（][^)）]{0,12}[)）]|[%％]|単位[:：].*")


def _is_header_text(text: str) -> bool:
    """A header word, a fiscal-year label, or a unit sub-label such as （％）."""
    return (
        any(word in text for word in HEADER_WORDS)
        or _fiscal_year(text) is not None
        or BARE_YEAR.fullmatch(text) is not None
        or UNIT_LABEL.fullmatch(text) is not None
    )


def _fiscal_year(text: str) -> int | None:
    try:
        return parse_fiscal_year(text)
    except EraError:
        return None


def _bare_year(text: str) -> int | None:
    """`2023` as the fiscal year 2023, when plausible (1926–2200)."""
    if BARE_YEAR.fullmatch(text) and int(text) in PLAUSIBLE_YEARS:
        return int(text)
    return None


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
    for index in range(width):
        labels = [
            (r.cells[index].strip(), r.line)
            for r in rows
            if index < len(r.cells) and r.cells[index].strip()
        ]
        headings.append([label for label, _ in labels])
        groups = [(line, span[index]) for line, span in spans if index < len(span)]
        problems.extend(_assign(columns, index, labels, groups))
    _find_indicator_text(columns, headings)
    _yearly_targets_or_forecasts(columns)
    problems.extend(_date_actuals(columns, report_year))
    problems += missing(columns)
    if problems == [missing_role(columns, Role.TARGET)]:
        columns.missing_target = problems.pop()
    return columns, problems


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
        target_year = _target_year(label) if not below else None
        if target_year is not None:
            return _yearly_target(columns, index, label, line, target_year)
        above = [text for row_line, text in groups if row_line < line]
        year = _year_of_column(columns, index, label, above)
        if isinstance(year, int):
            return _year_column(columns, index, label, line, year, below)
        roles = heading_roles(label)
        if len(roles) > 1:
            return [ambiguous(index, label, line, roles)]
        if roles and roles[0] not in columns.roles:
            if roles[0] is Role.SPENT:
                columns.spent_unit = _money_unit([label, *below])
            return _take(columns, index, label, line, roles[0])
        if roles == (Role.INDICATOR,) and SLOT.fullmatch(norm(label)):
            return [wide_form(index, label, line)]
        if year is not None or YEAR_LIKE.search(norm(label)):
            return _other_year_label(columns, index, label, line, below, year)
        if any(word in norm(label) for word in NOT_READ_WORDS):
            return []
        below.append(label)
    return []


def _take(columns: Columns, index: int, label: str, line: int, role: Role) -> list[Problem]:
    """Give column `index` its role (a 実績値 without a year waits for `_date_actuals`)."""
    columns.roles[role], columns.labels[index] = index, label
    if role is Role.BASELINE:
        columns.baseline_year = _year_in(label)
    if role is Role.ACTUAL:
        columns.undated = (index, label, line)
    if role is Role.ACTUAL_YEAR:
        return [unknown_year(index, label, line, "per-row")]
    return []


def _year_of_column(columns: Columns, index: int, label: str, above: list[str]) -> int | str | None:
    """The fiscal year a year column's label names; a str saying why when it looks like a year
    label that cannot be read; None when it is no year label. A bare `2023` is a fiscal year
    only under a 実績 heading (alone it could be a calendar year)."""
    year = _fiscal_year(label)
    wrapped = ACTUAL_WRAPPED.fullmatch(norm(label))
    if year is None and wrapped:
        year = _fiscal_year(wrapped["year"]) or _bare_year(wrapped["year"])
    if year is None and any("実績" in norm(text) for text in above):
        year = _bare_year(norm(label))
    if year is not None:
        return year
    era_year = parse_eraless_fiscal_year(label)
    if era_year is None:
        return None
    previous = [fy for i, fy in sorted(columns.years.items()) if i < index]
    if not previous:
        return "no-era"
    try:
        return fiscal_year_following(previous[-1], era_year)
    except EraError:
        return "bad"


def _year_column(
    columns: Columns, index: int, label: str, line: int, year: int, below: list[str]
) -> list[Problem]:
    """Record an actual column, unless a label under it makes it a forecast or its fiscal year
    already has a column (`duplicate-column`)."""
    if _is_forecast(label, below):
        columns.forecasts[index], columns.labels[index] = label, label
        return []
    first = next((i for i, fy in columns.years.items() if fy == year), None)
    if first is not None:
        return [duplicate(columns, first, index, label, line, year)]
    columns.years[index], columns.labels[index] = year, label
    return []


def _other_year_label(
    columns: Columns,
    index: int,
    label: str,
    line: int,
    below: list[str],
    why: int | str | None,
) -> list[Problem]:
    """A label that looks like a year but is no actual: a forecast (kept, not read), another
    column qualified by a year (`事業費（R5年度）`, ignored), else `unknown-year-column`."""
    if _is_forecast(label, below):
        columns.forecasts[index], columns.labels[index] = label, label
        return []
    qualified = QUALIFIED.fullmatch(norm(label))
    if why is None and qualified and "年度" not in qualified["name"]:
        return []
    return [unknown_year(index, label, line, why)]


def _target_year(label: str) -> int | None:
    """The fiscal year of a yearly target heading (`目標値（R4年度）`, `R4目標`), else None."""
    match = TARGET_WRAPPED.fullmatch(norm(label))
    if match is None:
        return None
    text = match["year"] or match["before"]
    return _fiscal_year(text) or _bare_year(text)


def _yearly_target(columns: Columns, index: int, label: str, line: int, year: int) -> list[Problem]:
    """Record a yearly target column; the same fiscal year twice is `duplicate-column`."""
    first = next((i for i, fy in columns.yearly_targets.items() if fy == year), None)
    if first is not None:
        return [duplicate(columns, first, index, label, line, year, ("目標値", "target"))]
    columns.yearly_targets[index], columns.labels[index] = year, label
    return []


def _yearly_targets_or_forecasts(columns: Columns) -> None:
    """Yearly targets beside a 指標値 column are plans, not read: kept as forecasts."""
    if Role.TARGET not in columns.roles:
        return
    for index in columns.yearly_targets:
        columns.forecasts[index] = columns.label(index)
    columns.yearly_targets.clear()


def _is_forecast(label: str, below: list[str]) -> bool:
    """A year label saying 見込/計画/目標/予定, itself or in a sub-label under it."""
    return any(word in text for text in (label, *below) for word in FORECAST_WORDS)


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


def _date_actuals(columns: Columns, report_year: int | None) -> list[Problem]:
    """A 実績値 column without a year (the national form) is the actual of the report year —
    the fiscal year in the title; with no year there, or beside year columns, it is
    `unknown-year-column`."""
    if columns.undated is None:
        return []
    index, label, line = columns.undated
    del columns.roles[Role.ACTUAL]
    if columns.years:
        return [unknown_year(index, label, line, "mixed")]
    if report_year is None:
        return [unknown_year(index, label, line, "no-title-year")]
    columns.years[index] = report_year
    return []


def _baseline_over_year(columns: Columns, index: int, labels: list[str]) -> bool:
    if len(labels) < 2 or Role.BASELINE in columns.roles:
        return False
    year = _fiscal_year(labels[-1])
    if year is None or not any(role_of(label) is Role.BASELINE for label in labels[:-1]):
        return False
    columns.roles[Role.BASELINE], columns.labels[index] = index, " ".join(labels)
    columns.baseline_year = year
    return True


def _year_in(label: str) -> int | None:
    """The fiscal year written inside a header such as 基準値（R1年度）."""
    match = re.search(r"[（(]([^）)]+)[）)]", unicodedata.normalize("NFKC", label))
    return _fiscal_year(match.group(1)) if match else None


def _money_unit(labels: list[str]) -> str:
    """The unit a 実績額 heading or the note under it names (`実績額（千円）`, `単位：千円`)."""
    for label in labels:
        match = MONEY_UNIT.search(norm(label))
        if match:
            return match.group(1)
    return "円"
