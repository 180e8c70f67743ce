"""Reading kpiledger's data package (`writers/datapackage.py`) back into a Report: a folder
with datapackage.json, or its zip.

The container is checked here: the descriptor must be a JSON object with the `kpiledger`
property and a resource for each of kpis, observations and projects, whose files are in the
package (a folder's resource paths are read from the folder itself, never from above it).
The CSV files are read by `own_tables` (the terms from kpis.csv, the years with their markers
from observations.csv, the projects from projects.csv), and the report-level facts (title,
fiscal year, year columns, notes, warnings) come from the descriptor's `kpiledger` property.

Problems (`damaged-export`, `missing-column`, `bad-number`) are located by file, line and
column, and all raised together.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

from kpiledger.core.errors import Problem, ReportError
from kpiledger.core.model import Report
from kpiledger.io.readers.own import Collector, damaged
from kpiledger.io.readers.own_tables import KPI_NAMES, Table, read_kpis, read_projects

DESCRIPTOR = "datapackage.json"


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
