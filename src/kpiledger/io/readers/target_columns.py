"""Target headings beyond a plain 指標値: one target per fiscal year (`目標値（R4年度）`, `R4目標`;
docs "Yearly targets"), interim and final targets (`中間目標値（R4年度）`, `最終目標値（R6年度）`,
`中間目標`, `最終目標`; docs "Interim and final targets") and a target that is the sum of yearly
increments (`目標値（KPI増加分の累計）`; docs "Increments (増加分)").

An interim target is never the KPI's target: its column is kept in `Columns.interims`, its
cells are checked as numbers and not kept (the model has one target per KPI). A final target
is the KPI's target: with its year (`最終目標値（R6年度）`) a yearly target, the last one;
without (`最終目標`) the target column.
"""

from __future__ import annotations

import re

from kpiledger.core.errors import Problem
from kpiledger.io.readers.grid import Columns
from kpiledger.io.readers.heading_problems import duplicate
from kpiledger.io.readers.increments import increment_target
from kpiledger.io.readers.layout import Role, heading_key, heading_roles, without_unit
from kpiledger.io.readers.year_columns import bare_year, fiscal_year

#: `目標値（R4年度）`, `目標(H30)`, `R4目標`, `R4年度目標値`, `R4年度(目標)`: the target of one
#: fiscal year (a table with one target per year). Read as such only when the table has no
#: 指標値 column; beside one it is a forecast column as before.
TARGET_WRAPPED = re.compile(
    r"目標値?\((?P<year>[^()]+)\)|(?P<before>[^()]+?)(?:目標値?|\(目標値?\))"
)
#: `中間目標値（R4年度）`, `中間目標`, `R4年度中間目標値`, `目標値（中間）`: an interim target.
INTERIM = re.compile(
    r"中間目標値?(?:\((?P<year>[^()]+)\))?|(?P<before>[^()]+?)中間目標値?|目標値?\(中間\)"
)
#: `(R4年度)` in a sub-label under a 目標値 heading (`中間（R4年度）`).
BRACKETED = re.compile(r"\((?P<year>[^()]+)\)")


def target_heading(
    columns: Columns, index: int, label: str, line: int, below: list[str], above: list[str]
) -> list[Problem] | None:
    """The problems of a target heading of one of these kinds (none: the column is recorded),
    or None when the label is no such heading. `below` are the labels under it in its column,
    `above` the headings over it (a group heading 目標値 over `中間（R4年度） | 最終（R6年度）`)."""
    if below:
        return None
    key = without_unit(label)  # `目標値（R4年度）（人）`: the unit is read apart
    if any(heading_roles(text) == (Role.TARGET,) for text in above):
        under = _under_target(columns, index, label, line, key)
        if under is not None:
            return under
    interim = INTERIM.fullmatch(key)
    if interim is not None:
        return _interim(columns, index, label, interim["year"] or interim["before"])
    increment = increment_target(columns, index, label, line, above)
    if increment is not None:
        return increment
    final, plain = "最終" in key, key.replace("最終", "")
    year = target_year(plain)
    if year is not None:
        return yearly_target(columns, index, label, line, year)
    if final and heading_roles(plain) == (Role.TARGET,):
        return _final(columns, index, label)
    return None


def _under_target(
    columns: Columns, index: int, label: str, line: int, key: str
) -> list[Problem] | None:
    """A sub-label under a 目標値 group heading: `中間（R4年度）` an interim target,
    `最終（R6年度）` the final one (a yearly target when its year is written), else None."""
    bracketed = BRACKETED.search(key)
    written = bracketed["year"] if bracketed else None
    if key.startswith("中間"):
        return _interim(columns, index, label, written)
    if not key.startswith("最終"):
        return None
    year = (fiscal_year(written) or bare_year(written)) if written else None
    if year is not None:
        return yearly_target(columns, index, label, line, year)
    return _final(columns, index, label)


def _interim(columns: Columns, index: int, label: str, written: str | None) -> list[Problem]:
    """Record an interim target column with the fiscal year its heading names, if any."""
    year = (fiscal_year(written) or bare_year(written)) if written else None
    columns.interims[index], columns.labels[index] = year, label
    return []


def _final(columns: Columns, index: int, label: str) -> list[Problem] | None:
    """`最終目標` without a year: the target column (the first one, as any heading's role)."""
    if Role.TARGET in columns.roles:
        return None
    columns.roles[Role.TARGET], columns.labels[index] = index, label
    return []


def target_year(key: str) -> int | None:
    """The fiscal year of a yearly target heading (`目標値（R4年度）`, `R4目標`), else None."""
    match = TARGET_WRAPPED.fullmatch(heading_key(key))
    if match is None:
        return None
    text = match["year"] or match["before"]
    return fiscal_year(text) or bare_year(text)


def yearly_target(columns: Columns, index: int, label: str, line: int, year: int) -> list[Problem]:
    """Record a yearly target column; the same fiscal year twice is `duplicate-column`."""
    first = next((i for i, fy in columns.yearly_targets.items() if fy == year), None)
    if first is not None:
        return [duplicate(columns, first, index, label, line, year, ("目標値", "target"))]
    columns.yearly_targets[index], columns.labels[index] = year, label
    return []


def yearly_targets_or_forecasts(columns: Columns) -> None:
    """Yearly targets beside a 指標値 column are plans, not read: kept as forecasts."""
    if Role.TARGET not in columns.roles:
        return
    for index in columns.yearly_targets:
        columns.forecasts[index] = columns.label(index)
    columns.yearly_targets.clear()
