"""A Frictionless Data Package of the judged report: `datapackage.json` and three CSV files.

- `kpis.csv` — `opendata.dumps_wide`: one row per KPI.
- `observations.csv` — `opendata.dumps_long`: one row per KPI × published fiscal year.
- `projects.csv` — `opendata.dumps_projects`: one row per project.

Each resource has a Table Schema built from the writer's own column lists (`KPI_COLUMNS`,
`YEAR_COLUMNS`, `RESULT_COLUMNS`, `PROJECT_COLUMNS`) and the field definitions of
`table_schema.FIELD_TYPES`: a column added there without a field type fails
`tests/test_datapackage.py`. Keys: a KPI is identified by 全国地方公共団体コード + 報告年度 +
KPI番号 (an observation adds 年度, a project is 事業番号); observations point to their KPI and
KPIs to their project (`foreignKeys`).

Units: a field whose unit is fixed has a custom property `unit` (`"%"` for 達成率); a KPI's
values (目標値, 基準値, 実績値) are in the unit of the row's 単位 column, which the field says
with `unitField: "単位"` and in its description.

License: CC-BY-4.0 (`LICENSES`), the usual license of 自治体オープンデータ: the national
government's 政府標準利用規約（第2.0版） is compatible with CC BY 4.0, and the open-data guidelines
for local governments recommend it. The report-level facts that are not table columns (title,
the report's own fiscal year, the published year columns, the trailing notes, the reader's
warnings, the 概ね達成 threshold) are in the descriptor's custom property `kpiledger`, so that
`readers/own.py` reads the package back into the same ledger.

`dumps_zip` is deterministic (fixed timestamps, fixed order): the same ledger gives the same
bytes. `created` is written only when the caller gives it, for the same reason.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from kpiledger.core.era import fiscal_year_label
from kpiledger.core.evaluate import ReportResult
from kpiledger.io.writers import opendata
from kpiledger.io.writers.opendata import (
    ENCODING,
    KPI_COLUMNS,
    PROJECT_COLUMNS,
    RESULT_COLUMNS,
    YEAR_COLUMNS,
    Publisher,
)
from kpiledger.io.writers.records import plain, problem_record
from kpiledger.io.writers.table_schema import IN_UNIT, field

DESCRIPTOR = "datapackage.json"
KPIS, OBSERVATIONS, PROJECTS = "kpis.csv", "observations.csv", "projects.csv"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

LICENSES = [
    {
        "name": "CC-BY-4.0",
        "path": "https://creativecommons.org/licenses/by/4.0/",
        "title": "Creative Commons Attribution 4.0 International",
    }
]


def _key_of_project_column(key: str) -> str:
    return "project_flags" if key == "flags" else key


def kpis_schema(years: list[int]) -> dict[str, Any]:
    fields = [field(key, ja) for key, ja in KPI_COLUMNS]
    fields += [
        field("actual", opendata.year_column(y)) | {"description": _year_description(y)}
        for y in years
    ]
    fields += [field(key, ja) for key, ja in RESULT_COLUMNS]
    return {
        "fields": fields,
        "primaryKey": _names(("org_code", "report_year", "number")),
        "foreignKeys": [
            {
                "fields": _names(("org_code", "report_year", "project_number")),
                "reference": {
                    "resource": "projects",
                    "fields": _names(("org_code", "report_year", "project_number"), PROJECTS),
                },
            }
        ],
        "missingValues": [""],
    }


def observations_schema() -> dict[str, Any]:
    fields = [field(key, ja) for key, ja in (*KPI_COLUMNS, *YEAR_COLUMNS, *RESULT_COLUMNS)]
    key = _names(("org_code", "report_year", "number"))
    return {
        "fields": fields,
        "primaryKey": [*key, _name("year", YEAR_COLUMNS)],
        "foreignKeys": [{"fields": key, "reference": {"resource": "kpis", "fields": key}}],
        "missingValues": [""],
    }


def projects_schema() -> dict[str, Any]:
    return {
        "fields": [field(_key_of_project_column(key), ja) for key, ja in PROJECT_COLUMNS],
        "primaryKey": _names(("org_code", "report_year", "project_number"), PROJECTS),
        "missingValues": [""],
    }


def _year_description(year: int) -> str:
    return f"実績値 of FY{year} ({fiscal_year_label(year, 'long')}), empty when none." + IN_UNIT


def _names(keys: tuple[str, ...], table: str = KPIS) -> list[str]:
    columns = PROJECT_COLUMNS if table == PROJECTS else KPI_COLUMNS
    return [_name(key, columns) for key in keys]


def _name(key: str, columns: tuple[tuple[str, str], ...]) -> str:
    return dict(columns)[key]


def resource(name: str, path: str, title: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "path": path,
        "title": title,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": ENCODING,
        "dialect": {"delimiter": ",", "quoteChar": '"', "header": True},
        "schema": schema,
    }


def descriptor(
    result: ReportResult, publisher: Publisher, *, created: str | None = None
) -> dict[str, Any]:
    """The datapackage.json of the judged report (`created`: an ISO 8601 time, when given)."""
    report = result.report
    year = fiscal_year_label(result.fiscal_year, "long")
    out: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": f"kpiledger-{publisher.code}-{result.fiscal_year}",
        "title": f"{publisher.name} {year} 地方創生KPI実績（kpiledger）",
        "description": (
            f"{publisher.name}の{report.title or year}のKPI・実績値・評価。"
            f" KPIs, yearly actuals and their judgement for {publisher.name}"
            f" (local government code {publisher.code}), fiscal year {result.fiscal_year}."
        ),
        "licenses": LICENSES,
        "keywords": ["地方創生", "KPI", "デジタル田園都市国家構想交付金", publisher.name],
        "resources": [
            resource("kpis", KPIS, "KPI（1行1指標）/ KPIs", kpis_schema(report.year_columns)),
            resource(
                "observations",
                OBSERVATIONS,
                "年度別実績（1行1指標×年度）/ Actuals by fiscal year",
                observations_schema(),
            ),
            resource("projects", PROJECTS, "事業（1行1事業）/ Projects", projects_schema()),
        ],
        "kpiledger": {
            "title": report.title,
            "fiscal_year": report.fiscal_year,
            "judged_fiscal_year": result.fiscal_year,
            "nearly_threshold": plain(result.nearly_threshold),
            "year_columns": list(report.year_columns),
            "notes": list(report.notes),
            "warnings": [problem_record(p) for p in report.warnings],
        },
    }
    if created is not None:
        out["created"] = created
    return out


def files(result: ReportResult, publisher: Publisher) -> dict[str, bytes]:
    """Every file of the package by name, datapackage.json first."""
    text = json.dumps(descriptor(result, publisher), ensure_ascii=False, indent=2) + "\n"
    return {
        DESCRIPTOR: text.encode("utf-8"),
        KPIS: opendata.dumps_wide(result, publisher).encode(ENCODING),
        OBSERVATIONS: opendata.dumps_long(result, publisher).encode(ENCODING),
        PROJECTS: opendata.dumps_projects(result, publisher).encode(ENCODING),
    }


def dumps_zip(result: ReportResult, publisher: Publisher) -> bytes:
    """The package as a zip (deterministic: fixed timestamps and order)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files(result, publisher).items():
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return out.getvalue()


def write_folder(result: ReportResult, publisher: Publisher, folder: Path) -> None:
    """Write datapackage.json and the CSV files into `folder` (created if missing); each file
    is written to a temporary file in the folder, then renamed over the old one."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files(result, publisher).items():
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, folder / name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
