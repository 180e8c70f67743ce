"""Reading kpiledger's open-data CSV (`writers/opendata.py`, wide or long) and its data package
(`writers/datapackage.py`: a folder with datapackage.json, or its zip) back into a Report.

- The long CSV (`csv`, observations.csv) keeps everything a KPI needs: its terms, every
  published year with its "no value" marker and whether the report had a cell (掲載).
- The wide CSV (`csv-wide`, kpis.csv) has no markers: a year without a value is read as a
  blank cell.
- Alone, either CSV has no report title, no notes (so no grade legend), no project summary and
  nothing the report published beside the KPIs; the data package has them (projects.csv and
  the descriptor's `kpiledger` property) and reads back into the same ledger.

Problems (`damaged-export`, `missing-column`, `bad-number`) are located by line and column of
the file and the column's name, and all raised together.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from kpiledger.core.errors import Problem, ReportError
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
    year_month,
)
from kpiledger.io.writers.opendata import (
    CELL_LABELS,
    FORMULA_STARTS,
    KPI_COLUMNS,
    PROJECT_COLUMNS,
    YEAR_COLUMNS,
)

HEADER_START = "全国地方公共団体コード,地方公共団体名,報告年度,KPI番号"
YEAR_COLUMN = re.compile(r"実績値_([0-9]{4})年度")
KPI_NAMES = dict(KPI_COLUMNS)
YEAR_NAMES = dict(YEAR_COLUMNS)
PROJECT_NAMES = dict(PROJECT_COLUMNS)
DESCRIPTOR = "datapackage.json"


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
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ReportError.single(
                "damaged-export",
                f"{name} がUTF-8ではありません（{error.start + 1}バイト目）",
                f"{name} is not UTF-8 (byte {error.start + 1})",
            ) from None
        reader = csv.reader(io.StringIO(text, newline=""))
        self.header = next(reader, [])
        self.columns = {column: i + 1 for i, column in enumerate(self.header)}
        self.lines: list[Line] = []
        start = reader.line_num + 1
        for row in reader:
            if row:
                cells = {c: (row[i] if i < len(row) else "") for i, c in enumerate(self.header)}
                self.lines.append(Line(cells, start, self.columns))
            start = reader.line_num + 1

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


def coded(line: Line, name: str, codes: set[str], problems: Collector) -> str | None:
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
        target_bound=coded(line, name["target_bound"], set(BOUND_DIRECTIONS), problems),
        line=line.line,
    )
    kpi.published_rate = number(line, "公表達成率", problems)
    direction = coded(line, name["direction"], {d.value for d in Direction}, problems)
    reason = text(line, name["direction_reason"])
    if direction is not None and reason == OVERRIDE_REASON:
        kpi.direction_override = Direction(direction)
    if kpi.target_bound is None and reason is not None:
        kpi.target_bound = target_bound(reason)
    aggregation = coded(line, name["aggregation"], {a.value for a in Aggregation}, problems)
    if aggregation is not None and text(line, name["aggregation_reason"]) == OVERRIDE_REASON:
        kpi.aggregation_override = Aggregation(aggregation)
    increments = coded(line, name["increments"], {"0", "1"}, problems)
    kpi.actuals_are_increments = increments == "1"
    codes = (line.cells.get("注意コード") or "").split()
    messages = text(line, "注意")
    kpi.reader_flags = reader_flags(codes, messages.split(" / ") if messages else [])
    return kpi


def wide_actuals(line: Line, table: Table, problems: Collector) -> dict[int, Actual]:
    out = {}
    for column in table.header:
        match = YEAR_COLUMN.fullmatch(column)
        if match:
            value = number(line, column, problems)
            out[int(match.group(1))] = Actual(value) if value is not None else Actual(None, "")
    return out


def long_actual(line: Line, problems: Collector) -> tuple[int | None, Actual | None]:
    """(年度, the actual) of a long row; the actual is None when the report had no cell."""
    year = integer(line, YEAR_NAMES["year"], problems, required=True)
    cell = coded(line, YEAR_NAMES["cell"], set(CELL_LABELS.values()), problems)
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
    section = coded(line, KPI_NAMES["section"], {s.value for s in Section}, problems)
    return Project(
        text(line, KPI_NAMES["project"]) or "",
        Section(section) if section else Section.TARGET,
        grant=text(line, KPI_NAMES["grant"]),
        line=line.line,
    )


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


def read_datapackage_zip(data: bytes) -> Report:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            files = {name: archive.read(name) for name in archive.namelist()}
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, EOFError) as error:
        raise ReportError.single(
            "damaged-export",
            f"データパッケージのZIPが壊れています（{error}）",
            f"the data package zip is damaged ({error})",
        ) from None
    return read_datapackage(files)


def read_datapackage_folder(folder: Path) -> Report:
    from kpiledger.io.readers import read_bytes

    descriptor = read_bytes(folder / DESCRIPTOR)
    files = {DESCRIPTOR: descriptor}
    for path in _resource_paths(descriptor):
        files[path] = read_bytes(folder / path)
    return read_datapackage(files)


def _resource_paths(descriptor: bytes) -> list[str]:
    paths = [r.get("path") for r in _resources(_descriptor(descriptor))]
    return [p for p in paths if isinstance(p, str) and "/" not in p and ".." not in p]


def _resources(meta: dict[str, Any]) -> list[dict[str, Any]]:
    resources = meta.get("resources")
    return [r for r in resources if isinstance(r, dict)] if isinstance(resources, list) else []


def _descriptor(data: bytes) -> dict[str, Any]:
    try:
        meta = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ReportError.single(
            "damaged-export",
            f"datapackage.json が読めません（{error}）",
            f"datapackage.json cannot be read ({error})",
            field=DESCRIPTOR,
        ) from None
    if not isinstance(meta, dict):
        raise ReportError.single(
            "damaged-export",
            "datapackage.json がオブジェクトではありません",
            "datapackage.json is not an object",
            field=DESCRIPTOR,
        )
    return meta


def read_datapackage(files: dict[str, bytes]) -> Report:
    """A report from the files of a data package (name → bytes)."""
    if DESCRIPTOR not in files:
        raise ReportError.single(
            "damaged-export",
            "データパッケージに datapackage.json がありません",
            "the data package has no datapackage.json",
        )
    meta = _descriptor(files[DESCRIPTOR])
    own = meta.get("kpiledger")
    paths = {r.get("name"): r.get("path") for r in _resources(meta)}
    missing = [n for n in ("kpis", "observations", "projects") if paths.get(n) not in files]
    if not isinstance(own, dict) or missing:
        raise ReportError.single(
            "damaged-export",
            "kpiledgerのデータパッケージではありません（kpiledger情報・"
            f"{'・'.join(missing) or 'なし'}のCSVがない）",
            "not a kpiledger data package (no kpiledger property, or no CSV for"
            f" {', '.join(missing) or '-'})",
            field=DESCRIPTOR,
        )
    problems = Collector()
    observations = Table(files[str(paths["observations"])], "observations.csv", problems)
    kpis_table = Table(files[str(paths["kpis"])], "kpis.csv", problems)
    projects_table = Table(files[str(paths["projects"])], "projects.csv", problems)
    kpis = read_kpis(kpis_table, problems)
    years = {n: kpi.actuals for n, _, kpi in read_kpis(observations, problems)}
    projects = read_projects(projects_table, problems)
    for number_, project_number, kpi in kpis:
        if number_ in years:
            kpi.actuals = years[number_]
        if project_number not in projects:
            problems.add(
                damaged(
                    f"KPI番号{number_}の事業番号{project_number}が projects.csv にありません",
                    f"KPI {number_}'s project {project_number} is not in projects.csv",
                    line=kpi.line,
                    at=KPI_NAMES["project_number"],
                )
            )
            continue
        projects[project_number].kpis.append(kpi)
    title, year, columns, notes, warnings = _report_facts(own, problems)
    problems.raise_if_any()
    return Report(
        title,
        year,
        projects=[projects[n] for n in sorted(projects)],
        year_columns=columns,
        notes=notes,
        warnings=warnings,
    )


def _report_facts(
    own: dict[str, Any], problems: Collector
) -> tuple[str | None, int, list[int], list[str], list[Problem]]:
    """(title, fiscal year, year columns, notes, warnings) of the descriptor's `kpiledger`."""
    title, year = own.get("title"), own.get("fiscal_year")
    columns, notes = own.get("year_columns", []), own.get("notes", [])
    warnings = own.get("warnings", [])
    checks = (
        ("title", title is None or isinstance(title, str)),
        ("fiscal_year", isinstance(year, int) and not isinstance(year, bool)),
        ("year_columns", isinstance(columns, list) and all(type(y) is int for y in columns)),
        ("notes", isinstance(notes, list) and all(isinstance(n, str) for n in notes)),
        ("warnings", isinstance(warnings, list) and all(isinstance(w, dict) for w in warnings)),
    )
    for key, good in checks:
        if not good:
            problems.add(
                damaged(
                    f"datapackage.json の kpiledger.{key} の値が正しくありません",
                    f"datapackage.json: kpiledger.{key} has a wrong value",
                    at=f"kpiledger.{key}",
                )
            )
    if problems.problems:
        return None, 0, [], [], []
    return (
        str(title) if title is not None else None,
        int(str(year)),
        [int(y) for y in columns],
        [str(n) for n in notes],
        [_problem(w) for w in warnings],
    )


def _problem(record: dict[str, Any]) -> Problem:
    return Problem(
        str(record.get("code", "")),
        str(record.get("message_ja", "")),
        str(record.get("message_en", "")),
        line=_int_or_none(record.get("line")),
        column=_int_or_none(record.get("column")),
        field=str(record["field"]) if record.get("field") is not None else None,
    )


def _int_or_none(value: Any) -> int | None:
    return value if type(value) is int else None


def read_projects(table: Table, problems: Collector) -> dict[int, Project]:
    name = PROJECT_NAMES
    if not table.require([ja for key, ja in PROJECT_COLUMNS if key != "org_name"]):
        return {}
    out = {}
    for line in table.lines:
        number_ = integer(line, name["project_number"], problems, required=True)
        section = coded(line, name["section"], {s.value for s in Section}, problems)
        if number_ is None:
            continue
        project = Project(
            text(line, name["name"]) or "",
            Section(section) if section else Section.TARGET,
            grant=text(line, name["grant"]),
            summary=text(line, name["summary"]),
            line=line.line,
        )
        if coded(line, name["assessed"], {"0", "1"}, problems) == "1":
            texts = {key: text(line, name[key]) for key in Assessment.TEXTS}
            project.assessment = Assessment(
                **texts,
                spent=number(line, name["spent"], problems),
                spent_unit=text(line, name["spent_unit"]) or "円",
            )
        out[number_] = project
    return out
