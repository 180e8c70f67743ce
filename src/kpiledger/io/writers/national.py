"""The national open data of `kpiledger publish --all`: every published report of every
organization in four CSV files and ONE Frictionless Data Package describing them.

- `organizations.csv` — one row per organization (code, name, prefecture, kana, kind,
  population, its report years).
- `projects.csv` — `opendata.project_rows` of every report (one row per project).
- `kpis.csv` — one row per KPI of every report: the columns of the per-report wide file without
  its year columns (years differ between reports; the actuals are in `observations.csv`).
- `observations.csv` — one row per KPI × published year column: the KPI's key, 年度, 実績値,
  値なしの表記, 掲載.

Keys as in the per-report package (`datapackage.py`): a KPI is 全国地方公共団体コード + 報告年度 +
KPI番号, so the rows of all reports live in one table; observations point to their KPI, KPIs to
their project, projects to their organization. The rows of one report are made by the
functions here (a worker's share of the nation at a time); the caller concatenates them, in
organization order, under the headers of `HEADERS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from kpiledger.core.evaluate import ReportResult
from kpiledger.io.writers.datapackage import LICENSES, kpis_schema, projects_schema, resource
from kpiledger.io.writers.opendata import (
    CELL_LABELS,
    KPI_COLUMNS,
    PROJECT_COLUMNS,
    RESULT_COLUMNS,
    YEAR_COLUMNS,
    Publisher,
    wide_header,
)
from kpiledger.io.writers.opendata import _cell as cell
from kpiledger.io.writers.table_schema import field

FOLDER = "data"
ORGANIZATIONS, PROJECTS, KPIS, OBSERVATIONS = (
    "organizations.csv",
    "projects.csv",
    "kpis.csv",
    "observations.csv",
)
KEY = (("org_code", "全国地方公共団体コード"), ("report_year", "報告年度"), ("number", "KPI番号"))
OBSERVATION_COLUMNS = (*KEY, *YEAR_COLUMNS)

#: The organizations file: (column, Table Schema properties).
ORGANIZATION_FIELDS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("全国地方公共団体コード", field("org_code", "全国地方公共団体コード")),
    (
        "地方公共団体名",
        {"type": "string", "title": "Name", "constraints": {"required": True}},
    ),
    ("都道府県", {"type": "string", "title": "Prefecture", "description": "都道府県名"}),
    ("団体名かな", {"type": "string", "title": "Name in kana", "description": "団体名の読み"}),
    (
        "団体区分",
        {
            "type": "string",
            "title": "Kind",
            "description": "prefecture, designated_city, city, ward, town, village …",
        },
    ),
    (
        "人口",
        {
            "type": "integer",
            "title": "Population",
            "description": "人口 (empty when unknown).",
            "constraints": {"minimum": 0},
        },
    ),
    (
        "公表年度",
        {
            "type": "string",
            "title": "Report years",
            "description": "報告年度 of the published reports, newest first, by spaces.",
        },
    ),
)


def kpi_header() -> list[str]:
    return wide_header([])


def observation_header() -> list[str]:
    return [ja for _, ja in OBSERVATION_COLUMNS]


HEADERS: dict[str, list[str]] = {
    ORGANIZATIONS: [name for name, _ in ORGANIZATION_FIELDS],
    PROJECTS: [ja for _, ja in PROJECT_COLUMNS],
    KPIS: kpi_header(),
    OBSERVATIONS: observation_header(),
}


def kpi_rows(wide: Sequence[list[str]], years: int) -> list[list[str]]:
    """The national KPI rows from a report's wide rows (`opendata.wide_rows`) with its `years`
    year columns taken out."""
    start = len(KPI_COLUMNS)
    return [row[:start] + row[start + years :] for row in wide]


def observation_rows(result: ReportResult, publisher: Publisher) -> list[list[str]]:
    """One row per KPI × year column of the report: key, 年度, 実績値, 値なしの表記, 掲載."""
    out = []
    years = result.report.year_columns
    for number, kpi_result in enumerate(result.kpis, 1):
        key = [publisher.code, str(result.fiscal_year), str(number)]
        actuals = kpi_result.kpi.actuals
        for year in years:
            actual = actuals.get(year)
            value = actual.value if actual is not None else None
            marker = actual.marker if actual is not None and value is None else None
            out.append(
                [*key, str(year), _number(value), cell(marker), CELL_LABELS[actual is not None]]
            )
    return out


def _number(value: Decimal | None) -> str:
    return "" if value is None else cell(value)


def organization_row(
    code: str, name: str, prefecture: str, kana: str, kind: str, population: int | None,
    years: list[int],
) -> list[str]:  # fmt: skip
    return [
        code,
        cell(name),
        cell(prefecture),
        cell(kana),
        kind,
        "" if population is None else str(population),
        " ".join(str(y) for y in years),
    ]


def _key(fields: tuple[tuple[str, str], ...]) -> list[str]:
    return [ja for _, ja in fields]


def observations_schema() -> dict[str, Any]:
    key = _key(KEY)
    return {
        "fields": [field(k, ja) for k, ja in OBSERVATION_COLUMNS],
        "primaryKey": [*key, "年度"],
        "foreignKeys": [{"fields": key, "reference": {"resource": "kpis", "fields": key}}],
        "missingValues": [""],
    }


def organizations_schema() -> dict[str, Any]:
    return {
        "fields": [{"name": name, **props} for name, props in ORGANIZATION_FIELDS],
        "primaryKey": ["全国地方公共団体コード"],
        "missingValues": [""],
    }


def _with_organization_key(schema: dict[str, Any]) -> dict[str, Any]:
    code = ["全国地方公共団体コード"]
    reference = {"resource": "organizations", "fields": code}
    keys = [*schema.get("foreignKeys", []), {"fields": code, "reference": reference}]
    return schema | {"foreignKeys": keys}


def descriptor(nearly: Decimal, organizations: int, reports: int) -> dict[str, Any]:
    """The national datapackage.json (at the site's root; the CSV files under `data/`)."""
    path = f"{FOLDER}/"
    return {
        "profile": "tabular-data-package",
        "name": "kpiledger-national",
        "title": "地方創生KPI実績 全団体（kpiledger）",
        "description": (
            f"{organizations}団体・{reports}件の報告書のKPI・年度別実績値・評価（概ね達成は達成率"
            f"{cell(nearly)}%以上）。 KPIs, yearly actuals and their judgement from {reports}"
            f" published reports of {organizations} local governments (nearly achieved:"
            f" achievement rate ≥ {cell(nearly)}%)."
        ),
        "licenses": LICENSES,
        "keywords": ["地方創生", "KPI", "デジタル田園都市国家構想交付金", "全国"],
        "resources": [
            resource(
                "organizations",
                path + ORGANIZATIONS,
                "団体（1行1団体）/ Organizations",
                organizations_schema(),
            ),
            resource(
                "projects",
                path + PROJECTS,
                "事業（1行1事業）/ Projects",
                _with_organization_key(projects_schema()),
            ),
            resource("kpis", path + KPIS, "KPI（1行1指標）/ KPIs", kpis_schema([])),
            resource(
                "observations",
                path + OBSERVATIONS,
                "年度別実績（1行1指標×年度）/ Actuals by fiscal year",
                observations_schema(),
            ),
        ],
        "kpiledger": {"nearly_threshold": cell(nearly), "result_columns": _key(RESULT_COLUMNS)},
    }
