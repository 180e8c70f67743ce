"""Actual columns named by a fiscal year, and the single 実績値 column without one.

Year columns: `R5年度`, `令和５年度（実績）`, `R5年度実績値`, `実績（R5年度）` are the actual of
that fiscal year; so is a point in time (`R5.3末`, `H29末`, `令和5年3月末現在`, `R5.3.31時点`,
`H29末KPI実績値`): the fiscal year containing it, as for a target date (`R5.3末` → FY2022); an
era-less `2年度` / `元年度` takes the era of the nearest year column to its
left (`R1年度 | 2年度` → 2020, `H30年度 | 元年度` → 2019). A year label with 見込/計画/目標/予定
is a forecast: not read, but kept in `Columns.forecasts`. Any other label that looks like a year
is `unknown-year-column`, and one fiscal year in two columns is `duplicate-column`. A year
label with 増加分 (`R3年度増加分（1年目）`) is the increment of that year (`increments`).

A 実績値 column without a year is the report year's (the national form), or, beside a
time-point column (実績値の把握時点, 時点, 実績年度 …), each row's own year (`time_points`).
"""

from __future__ import annotations

import re

from kpiledger.core.era import (
    PLAUSIBLE_YEARS,
    fiscal_year_following,
    parse_eraless_fiscal_year,
    parse_fiscal_year,
)
from kpiledger.core.errors import EraError, KpiledgerError, Problem
from kpiledger.io.readers.grid import Columns
from kpiledger.io.readers.heading_problems import duplicate, unknown_year
from kpiledger.io.readers.layout import Role, heading_key, without_unit
from kpiledger.io.readers.time_points import read_time_point

#: A year label with one of these words is a forecast or plan, not an actual.
FORECAST_WORDS = ("見込", "計画", "目標", "予定")
#: Labels that look like a year: `5年度`, `元年度`, `2023`, `FY2023年`, `R5`, `令和5…`.
YEAR_LIKE = re.compile(
    r"(?:元|[0-9])年度|^(?:FY)?[0-9]{4}年?(?:\(.*\))?$|^(?:令和|平成|昭和|大正|[RHST])(?:元|[0-9])",
    re.IGNORECASE,
)
#: `実績（R5年度）`: an actual column with its year in brackets.
ACTUAL_WRAPPED = re.compile(r"実績値?\((?P<year>.+)\)")
#: `事業費（R5年度）`: another column qualified by a year in brackets (ignored like 事業費).
QUALIFIED = re.compile(r"(?P<name>[^0-9()]+)\(.*\)")
#: `2023` under a 実績値 heading: a fiscal year written without 年度.
BARE_YEAR = re.compile(r"[0-9]{4}")
#: A heading naming a point in time, not a fiscal year: `末`, `時点`, `現在`, a month.
POINT_MARK = re.compile(r"末|時点|現在|[0-9]月|[0-9]\.[0-9]")
#: What may follow a point-in-time heading: nothing, or that it holds the actual.
POINT_REST = re.compile(r"(?:KPI|の)?(?:実績値?)?")


def fiscal_year(text: str) -> int | None:
    try:
        return parse_fiscal_year(text)
    except EraError:
        return None


def point_in_time_year(text: str) -> int | None:
    """The fiscal year containing the point in time a heading names (`R5.3末` → 2022, `H29末`
    → 2017, `令和5年3月末現在` → 2022), with nothing after it but 実績値 (or a forecast word,
    read as a forecast column); None for any other heading (a fiscal year, or unclear)."""
    key = heading_key(text)
    if not POINT_MARK.search(key):
        return None
    try:
        point = read_time_point(key)
    except KpiledgerError:
        return None
    plain = POINT_REST.fullmatch(point.rest) is not None
    forecast = any(word in point.rest for word in FORECAST_WORDS)
    return point.fiscal_year if plain or forecast else None


def bare_year(text: str) -> int | None:
    """`2023` as the fiscal year 2023, when plausible (1926–2200)."""
    if BARE_YEAR.fullmatch(text) and int(text) in PLAUSIBLE_YEARS:
        return int(text)
    return None


def year_of_column(columns: Columns, index: int, label: str, above: list[str]) -> int | str | None:
    """The fiscal year a year column's label names; a str saying why when it looks like a year
    label that cannot be read; None when it is no year label. A bare `2023` is a fiscal year
    only under a 実績 heading (alone it could be a calendar year). A unit named in the label
    (`R5年度（人）`) is read apart (`layout.heading_unit`)."""
    label = without_unit(label)
    year = fiscal_year(label) or point_in_time_year(label)
    wrapped = ACTUAL_WRAPPED.fullmatch(heading_key(label))
    if year is None and wrapped:
        year = fiscal_year(wrapped["year"]) or bare_year(wrapped["year"])
    if year is None and any("実績" in heading_key(text) for text in above):
        year = bare_year(heading_key(label))
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


def year_column(
    columns: Columns,
    index: int,
    label: str,
    line: int,
    year: int,
    below: list[str],
    increment: bool = False,
) -> list[Problem]:
    """Record an actual column (`increment`: its values are the year's increase), unless a
    label under it makes it a forecast or its fiscal year already has a column
    (`duplicate-column`)."""
    if is_forecast(label, below):
        columns.forecasts[index], columns.labels[index] = label, label
        return []
    first = next((i for i, fy in columns.years.items() if fy == year), None)
    if first is not None:
        return [duplicate(columns, first, index, label, line, year)]
    columns.years[index], columns.labels[index] = year, label
    if increment:
        columns.increment_years.add(index)
    return []


def other_year_label(
    columns: Columns,
    index: int,
    label: str,
    line: int,
    below: list[str],
    why: int | str | None,
) -> list[Problem]:
    """A label that looks like a year but is no actual: a forecast (kept, not read), another
    column qualified by a year (`事業費（R5年度）`, ignored), else `unknown-year-column`."""
    if is_forecast(label, below):
        columns.forecasts[index], columns.labels[index] = label, label
        return []
    qualified = QUALIFIED.fullmatch(heading_key(label))
    if why is None and qualified and "年度" not in qualified["name"]:
        return []
    return [unknown_year(index, label, line, why)]


def is_forecast(label: str, below: list[str]) -> bool:
    """A year label saying 見込/計画/目標/予定, itself or in a sub-label under it."""
    return any(word in text for text in (label, *below) for word in FORECAST_WORDS)


def date_actuals(columns: Columns, report_year: int | None) -> list[Problem]:
    """A 実績値 column without a year: beside a time-point column, each row's own year
    (`Columns.per_row`; the title's year is still needed for a blank time point); else the
    actual of the report year — the fiscal year in the title (the national form). Beside year
    columns, or with no year in the title, it is `unknown-year-column`; so is a time-point
    column (実績年度, 把握時点 …) that has no single 実績値 column beside it."""
    time_point = columns.time_point
    if columns.undated is None:
        return _time_point_alone(columns)
    index, label, line = columns.undated
    if columns.years:
        del columns.roles[Role.ACTUAL]
        return [unknown_year(index, label, line, "mixed"), *_time_point_alone(columns)]
    if time_point is not None:  # one 実績値 dated per row (`time_points`): it keeps its role
        at, heading, _ = time_point
        columns.roles[Role.ACTUAL_YEAR], columns.labels[at] = at, heading
        if report_year is None:
            return [unknown_year(index, label, line, "per-row-no-title-year")]
        columns.report_year = report_year
        return []
    del columns.roles[Role.ACTUAL]
    if report_year is None:
        return [unknown_year(index, label, line, "no-title-year")]
    columns.years[index] = report_year
    return []


def _time_point_alone(columns: Columns) -> list[Problem]:
    """A time-point heading that names its role (実績年度, 実績値の把握時点 …) with no single
    実績値 column to date is `unknown-year-column`; a heading merely containing 時点
    (`評価時点の状況`) is ignored there, as any unknown column."""
    index = columns.roles.pop(Role.ACTUAL_YEAR, None)
    if index is None or columns.time_point is None:
        return []
    _, label, line = columns.time_point
    return [unknown_year(index, label, line, "per-row")]
