"""Reading kpiledger's open-data CSV (`writers/opendata.py`, wide or long) back into a Report,
and the CSV tables of its data package (read by `own_package`).

- The long CSV (`csv`, observations.csv) keeps everything a KPI needs: its terms, every
  published year with its "no value" marker and whether the report had a cell (掲載).
- The wide CSV (`csv-wide`, kpis.csv) has no markers: a year without a value is read as a
  blank cell.
- Alone, either CSV has no report title, no notes (so no grade legend), no project summary and
  nothing the report published beside the KPIs; the data package has them (projects.csv,
  `read_projects`, and the descriptor's `kpiledger` property) and reads back into the same
  ledger.

Problems (`damaged-export`, `missing-column`, `bad-number`) are located by line and column of
the file and the column's name, and all raised together.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any

from kpiledger.core.errors import Problem
from kpiledger.core.inference import BOUND_DIRECTIONS
from kpiledger.core.model import (
    Actual,
    Aggregation,
    Assessment,
    Baseline,
    Direction,
    Kpi,
    Project,
    Report,
    Section,
)
from kpiledger.io.readers.own import (
    OVERRIDE_REASON,
    Collector,
    damaged,
    decimal_or_none,
    reader_flags,
    target_bound,
    utf8_text,
    year_month,
)
from kpiledger.io.writers.opendata import (
    CELL_LABELS,
    FORMULA_STARTS,
    KPI_COLUMNS,
    PROJECT_COLUMNS,
    RESULT_COLUMNS,
    YEAR_COLUMNS,
)

HEADER_START = "全国地方公共団体コード,地方公共団体名,報告年度,KPI番号"
YEAR_COLUMN = re.compile(r"実績値_([0-9]{4})年度")
KPI_NAMES = dict(KPI_COLUMNS)
YEAR_NAMES = dict(YEAR_COLUMNS)
PROJECT_NAMES = dict(PROJECT_COLUMNS)
RESULT_NAMES = dict(RESULT_COLUMNS)
#: The project's money in 円 (issue 10): read when the projects file has the columns.
MONEY_KEYS = ("total_cost", "grant_amount")
# The codes a coded column accepts.
BOUNDS = frozenset(BOUND_DIRECTIONS)
DIRECTIONS = frozenset(d.value for d in Direction)
AGGREGATIONS = frozenset(a.value for a in Aggregation)
SECTIONS = frozenset(s.value for s in Section)
FLAGS = frozenset({"0", "1"})
CELLS = frozenset(CELL_LABELS.values())


def looks_like_opendata(data: bytes) -> bool:
    return data.removeprefix(b"\xef\xbb\xbf").startswith(HEADER_START.encode())


@dataclass
class Line:
    """One data row: its cells by column name, the line it starts on, and its columns."""

    cells: dict[str, str]
    line: int
    columns: dict[str, int]

    def where(self, name: str) -> dict[str, Any]:
        return {"line": self.line, "column": self.columns.get(name), "at": name}


class Table:
    """A CSV file of kpiledger's, read into `Line`s; problems go to `problems`."""

    def __init__(self, data: bytes, name: str, problems: Collector) -> None:
        self.name, self.problems = name, problems
        text = utf8_text(data, name)
        reader = csv.reader(io.StringIO(text, newline=""))
        self.header = next(reader, [])
        self.columns = {column: i + 1 for i, column in enumerate(self.header)}
        self.lines: list[Line] = []
        header, width = self.header, len(self.header)
        start = reader.line_num + 1
        for row in reader:
            if row:
                if len(row) < width:  # a short row: its missing cells are empty
                    row += [""] * (width - len(row))
                cells = dict(zip(header, row, strict=False))  # cells beyond the header: ignored
                self.lines.append(Line(cells, start, self.columns))
            start = reader.line_num + 1

    @cached_property
    def year_columns(self) -> list[tuple[str, int]]:
        """The wide table's year columns (`2019年度`…) with their years, in order."""
        found = ((column, YEAR_COLUMN.fullmatch(column)) for column in self.header)
        return [(column, int(match.group(1))) for column, match in found if match]

    def require(self, names: list[str]) -> bool:
        missing = [name for name in names if name not in self.columns]
        for name in missing:
            self.problems.add(
                Problem(
                    "missing-column",
                    f"{self.name} に列「{name}」がありません",
                    f"{self.name} has no column '{name}'",
                    line=1,
                    field=name,
                )
            )
        return not missing


def text(line: Line, name: str) -> str | None:
    """A text cell as written before formula neutralization; None when empty."""
    value = line.cells.get(name, "")
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        value = value[1:]
    return value or None


def number(line: Line, name: str, problems: Collector, required: bool = False) -> Decimal | None:
    value = line.cells.get(name, "")
    if value == "" and not required:
        return None
    parsed = decimal_or_none(value)
    if parsed is None:
        problems.add(
            Problem(
                "bad-number",
                f"「{value}」は数値として読めません",
                f"'{value}' is not a number",
                line=line.line,
                column=line.columns.get(name),
                field=name,
            )
        )
    return parsed


def integer(line: Line, name: str, problems: Collector, required: bool = False) -> int | None:
    value = number(line, name, problems, required)
    if value is None:
        return None
    if value != value.to_integral_value():
        problems.add(_bad(line, name, "整数", "a whole number"))
        return None
    return int(value)


def coded(
    line: Line, name: str, codes: set[str] | frozenset[str], problems: Collector
) -> str | None:
    value = line.cells.get(name, "")
    if value == "":
        return None
    if value not in codes:
        problems.add(_bad(line, name, "・".join(sorted(codes)), ", ".join(sorted(codes))))
        return None
    return value


def _bad(line: Line, name: str, ja: str, en: str) -> Problem:
    value = line.cells.get(name, "")
    where = line.where(name)
    return damaged(
        f"「{value}」は{ja}ではありません",
        f"'{value}' is not {en}",
        line=where["line"],
        column=where["column"],
        at=where["at"],
    )


# --- KPIs -------------------------------------------------------------------------------------


def kpi_of(line: Line, problems: Collector) -> Kpi:
    """A KPI's terms from its row (the years come from the wide columns or the long rows)."""
    name = KPI_NAMES
    target = number(line, name["target"], problems, required=True)
    month_text = line.cells.get(name["target_date"], "")
    month = year_month(month_text) if month_text else None
    if month_text and month is None:
        problems.add(_bad(line, name["target_date"], "YYYY-MM", "YYYY-MM"))
    base = number(line, name["baseline"], problems)
    kpi = Kpi(
        text(line, name["indicator"]) or "",
        text(line, name["unit"]) or "",
        target if target is not None else Decimal(0),
        month,
        baseline=(
            Baseline(base, integer(line, name["baseline_fiscal_year"], problems))
            if base is not None
            else None
        ),
        note=text(line, name["note"]),
        target_bound=coded(line, name["target_bound"], BOUNDS, problems),
        line=line.line,
    )
    kpi.published_rate = number(line, "公表達成率", problems)
    direction = coded(line, name["direction"], DIRECTIONS, problems)
    reason = text(line, name["direction_reason"])
    if direction is not None and reason == OVERRIDE_REASON:
        kpi.direction_override = Direction(direction)
    if kpi.target_bound is None and reason is not None:
        kpi.target_bound = target_bound(reason)
    aggregation = coded(line, name["aggregation"], AGGREGATIONS, problems)
    if aggregation is not None and text(line, name["aggregation_reason"]) == OVERRIDE_REASON:
        kpi.aggregation_override = Aggregation(aggregation)
    increments = coded(line, name["increments"], FLAGS, problems)
    kpi.actuals_are_increments = increments == "1"
    codes = (line.cells.get("注意コード") or "").split()
    messages = text(line, "注意")
    kpi.reader_flags = reader_flags(codes, messages.split(" / ") if messages else [])
    return kpi


def wide_actuals(line: Line, table: Table, problems: Collector) -> dict[int, Actual]:
    out = {}
    cells = line.cells
    for column, year in table.year_columns:
        value = number(line, column, problems) if cells.get(column, "") != "" else None
        out[year] = Actual(value) if value is not None else Actual(None, "")
    return out


def long_actual(line: Line, problems: Collector) -> tuple[int | None, Actual | None]:
    """(年度, the actual) of a long row; the actual is None when the report had no cell."""
    year = integer(line, YEAR_NAMES["year"], problems, required=True)
    cell = coded(line, YEAR_NAMES["cell"], CELLS, problems)
    value = number(line, YEAR_NAMES["value"], problems)
    if cell == CELL_LABELS[False]:
        return year, None
    marker = text(line, YEAR_NAMES["marker"]) if value is None else None
    return year, Actual(value, (marker or "") if value is None else None)


def read_kpis(table: Table, problems: Collector) -> list[tuple[int, int, Kpi]]:
    """(KPI番号, 事業番号, KPI) of a wide or long table, in KPI number order; `year_columns` of
    a long table are the 年度 of its first KPI's rows."""
    long = YEAR_NAMES["year"] in table.columns
    needed = [ja for key, ja in KPI_COLUMNS if key not in ("org_name",)]
    needed += [YEAR_NAMES["year"], YEAR_NAMES["value"], YEAR_NAMES["cell"]] if long else []
    if not table.require(needed):
        return []
    kpis: dict[int, tuple[int, Kpi]] = {}
    for line in table.lines:
        number_ = integer(line, KPI_NAMES["number"], problems, required=True)
        project = integer(line, KPI_NAMES["project_number"], problems, required=True)
        if number_ is None or project is None:
            continue
        if number_ not in kpis:
            kpis[number_] = (project, kpi_of(line, problems))
            if not long:
                kpis[number_][1].actuals = wide_actuals(line, table, problems)
        if long:
            year, actual = long_actual(line, problems)
            if year is not None and actual is not None:
                kpis[number_][1].actuals[year] = actual
    return [(n, p, k) for n, (p, k) in sorted(kpis.items())]


def year_columns(table: Table) -> list[int]:
    if YEAR_NAMES["year"] not in table.columns:
        return [int(m.group(1)) for c in table.header if (m := YEAR_COLUMN.fullmatch(c))]
    first = table.lines[0].cells.get(KPI_NAMES["number"]) if table.lines else None
    years = [
        line.cells.get(YEAR_NAMES["year"], "")
        for line in table.lines
        if line.cells.get(KPI_NAMES["number"]) == first
    ]
    return [int(y) for y in years if y.isdigit()]


def project_of(line: Line, problems: Collector) -> Project:
    """The project of a KPI row, with its money when the row has any (`MONEY_COLUMNS`: the
    CSV alone carries the project's 実績額, 総事業費 and 交付金額, not its texts)."""
    section = coded(line, KPI_NAMES["section"], SECTIONS, problems)
    project = Project(
        text(line, KPI_NAMES["project"]) or "",
        Section(section) if section else Section.TARGET,
        grant=text(line, KPI_NAMES["grant"]),
        line=line.line,
    )
    money = {
        key: number(line, RESULT_NAMES[column], problems)
        for key, column in (
            ("spent", "project_spent"),
            ("total_cost", "total_cost"),
            ("grant_amount", "grant_amount"),
        )
        if RESULT_NAMES[column] in line.cells
    }
    if any(value is not None for value in money.values()):
        unit = text(line, RESULT_NAMES["project_spent_unit"]) if money.get("spent") else None
        project.assessment = Assessment(
            spent=money.get("spent"),
            spent_unit=unit or "円",
            total_cost=money.get("total_cost"),
            grant_amount=money.get("grant_amount"),
        )
    return project


# --- whole files ------------------------------------------------------------------------------


def read_opendata(data: bytes, name: str = "CSV") -> Report:
    """A report from the wide or the long open-data CSV alone."""
    problems = Collector()
    table = Table(data, name, problems)
    kpis = read_kpis(table, problems)
    projects: dict[int, Project] = {}
    lines = {int(ln.cells[KPI_NAMES["number"]]): ln for ln in table.lines if _is_int(ln)}
    for number_, project_number, kpi in kpis:
        if project_number not in projects:
            projects[project_number] = project_of(lines[number_], problems)
        projects[project_number].kpis.append(kpi)
    problems.raise_if_any()
    year = integer(table.lines[0], KPI_NAMES["report_year"], problems) if table.lines else None
    problems.raise_if_any()
    return Report(
        None,
        year or 0,
        projects=[projects[n] for n in sorted(projects)],
        year_columns=year_columns(table),
    )


def _is_int(line: Line) -> bool:
    return line.cells.get(KPI_NAMES["number"], "").isdigit()


def read_projects(table: Table, problems: Collector) -> dict[int, Project]:
    name = PROJECT_NAMES
    optional = ("org_name", *MONEY_KEYS)  # 総事業費, 交付金額: absent in older packages
    if not table.require([ja for key, ja in PROJECT_COLUMNS if key not in optional]):
        return {}
    out = {}
    for line in table.lines:
        number_ = integer(line, name["project_number"], problems, required=True)
        section = coded(line, name["section"], SECTIONS, problems)
        if number_ is None:
            continue
        project = Project(
            text(line, name["name"]) or "",
            Section(section) if section else Section.TARGET,
            grant=text(line, name["grant"]),
            summary=text(line, name["summary"]),
            line=line.line,
        )
        if coded(line, name["assessed"], FLAGS, problems) == "1":
            texts = {key: text(line, name[key]) for key in Assessment.TEXTS}
            project.assessment = Assessment(
                spent=number(line, name["spent"], problems),
                spent_unit=text(line, name["spent_unit"]) or "円",
            )
            for key in MONEY_KEYS:
                if name[key] in line.cells:
                    setattr(project.assessment, key, number(line, name[key], problems))
            for key, value in texts.items():
                setattr(project.assessment, key, value)
        out[number_] = project
    return out
