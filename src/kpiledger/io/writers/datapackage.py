"""A Frictionless Data Package of the judged report: `datapackage.json` and three CSV files.

- `kpis.csv` — `opendata.dumps_wide`: one row per KPI.
- `observations.csv` — `opendata.dumps_long`: one row per KPI × published fiscal year.
- `projects.csv` — `opendata.dumps_projects`: one row per project.

Each resource has a Table Schema built from the writer's own column lists (`KPI_COLUMNS`,
`YEAR_COLUMNS`, `RESULT_COLUMNS`, `PROJECT_COLUMNS`) and `FIELD_TYPES` below: a column added
there without a field type fails `tests/test_datapackage.py`. Keys: a KPI is identified by
全国地方公共団体コード + 報告年度 + KPI番号 (an observation adds 年度, a project is 事業番号);
observations point to their KPI and KPIs to their project (`foreignKeys`).

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

from kpiledger.core.effect import Effect
from kpiledger.core.era import fiscal_year_label
from kpiledger.core.evaluate import STATUS_LABELS, ReportResult
from kpiledger.core.model import AGGREGATION_LABELS, Confidence, Direction, Section
from kpiledger.core.progress import PROGRESS_LABELS
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

UNIT_FIELD = "単位"
IN_UNIT = f" In the unit of the row's {UNIT_FIELD} column (単位列の単位)."

#: key → the field's Table Schema properties (type, English title, description, constraints …)
#: for every column key of the open-data writers. `required` is in the constraints.
FIELD_TYPES: dict[str, dict[str, Any]] = {
    "org_code": {
        "type": "string",
        "title": "Local government code",
        "description": "全国地方公共団体コード: 6 digits with the check digit (e.g. 012068).",
        "constraints": {"required": True, "pattern": "[0-9]{6}"},
    },
    "org_name": {
        "type": "string",
        "title": "Local government name",
        "description": "地方公共団体名.",
        "constraints": {"required": True},
    },
    "report_year": {
        "type": "integer",
        "title": "Report fiscal year",
        "description": "報告年度: the fiscal year judged"
        " (FY2023 = 令和5年度 = April 2023–March 2024).",
        "constraints": {"required": True},
    },
    "number": {
        "type": "integer",
        "title": "KPI number",
        "description": "KPI番号: the KPI's place in the report (1…).",
        "constraints": {"required": True, "minimum": 1},
    },
    "project_number": {
        "type": "integer",
        "title": "Project number",
        "description": "事業番号: the project's place in the report (1…).",
        "constraints": {"required": True, "minimum": 1},
    },
    "section": {
        "type": "string",
        "title": "Section",
        "description": "区分: 対象事業 (funded by the grant itself) or 関連事業 (related).",
        "constraints": {"required": True, "enum": [s.value for s in Section]},
    },
    "grant": {"type": "string", "title": "Grant", "description": "交付金: the grant type."},
    "project": {
        "type": "string",
        "title": "Project name",
        "description": "事業名 as published, without its 【…】 prefix.",
        "constraints": {"required": True},
    },
    "name": {
        "type": "string",
        "title": "Project name",
        "description": "事業名 as published, without its 【…】 prefix.",
        "constraints": {"required": True},
    },
    "summary": {"type": "string", "title": "Summary", "description": "事業の概要."},
    "indicator": {
        "type": "string",
        "title": "Indicator",
        "description": "指標 as published.",
        "constraints": {"required": True},
    },
    "unit": {
        "type": "string",
        "title": "Unit",
        "description": "単位 as published (人, 件/年, %, 千円 …):"
        " the unit of 目標値, 基準値, 実績値.",
    },
    "target": {
        "type": "number",
        "title": "Target",
        "description": "目標値 (指標値), exact as published." + IN_UNIT,
        "constraints": {"required": True},
        "unitField": UNIT_FIELD,
    },
    "target_bound": {
        "type": "string",
        "title": "Target bound",
        "description": "目標の範囲: a bound written after the target (15分以下 → 以下).",
        "constraints": {"enum": ["以上", "超", "以下", "以内", "未満"]},
    },
    "target_date": {
        "type": "yearmonth",
        "title": "Target month",
        "description": "目標年月 as YYYY-MM (R6.3 → 2024-03).",
    },
    "target_fiscal_year": {
        "type": "integer",
        "title": "Target fiscal year",
        "description": "目標年度: the fiscal year of 目標年月 (2024-03 → 2023).",
    },
    "baseline": {
        "type": "number",
        "title": "Baseline",
        "description": "基準値." + IN_UNIT,
        "unitField": UNIT_FIELD,
    },
    "baseline_fiscal_year": {
        "type": "integer",
        "title": "Baseline fiscal year",
        "description": "基準年度.",
    },
    "direction_label": {
        "type": "string",
        "title": "Direction (Japanese)",
        "description": "方向 in Japanese.",
        "constraints": {"required": True, "enum": [d.label_ja for d in Direction]},
    },
    "direction": {
        "type": "string",
        "title": "Direction",
        "description": "方向コード: increase (higher is better) or decrease (lower is better).",
        "constraints": {"required": True, "enum": [d.value for d in Direction]},
    },
    "aggregation_label": {
        "type": "string",
        "title": "Aggregation (Japanese)",
        "description": "集計 in Japanese.",
        "constraints": {"required": True, "enum": [ja for ja, _ in AGGREGATION_LABELS.values()]},
    },
    "aggregation": {
        "type": "string",
        "title": "Aggregation",
        "description": "集計コード: annual, cumulative (累計) or level (a rate, share, average).",
        "constraints": {"required": True, "enum": [a.value for a in AGGREGATION_LABELS]},
    },
    "direction_reason": {
        "type": "string",
        "title": "Why this direction",
        "description": "方向の根拠 (明示的な指定による when set explicitly).",
        "constraints": {"required": True},
    },
    "direction_confidence": {
        "type": "string",
        "title": "Direction confidence",
        "description": "方向の確度: high, medium or low.",
        "constraints": {"required": True, "enum": [c.value for c in Confidence]},
    },
    "aggregation_reason": {
        "type": "string",
        "title": "Why this aggregation",
        "description": "集計の根拠 (明示的な指定による when set explicitly).",
        "constraints": {"required": True},
    },
    "increments": {
        "type": "boolean",
        "title": "Actuals are yearly increments",
        "description": "実績は年度ごとの増分:"
        " 1 when a cumulative KPI publishes each year's increment.",
        "trueValues": ["1"],
        "falseValues": ["0"],
        "constraints": {"required": True},
    },
    "note": {"type": "string", "title": "Note", "description": "備考 as published."},
    "actual": {
        "type": "number",
        "title": "Actual",
        "description": "実績値 of that fiscal year, empty when none." + IN_UNIT,
        "unitField": UNIT_FIELD,
    },
    "year": {
        "type": "integer",
        "title": "Fiscal year",
        "description": "年度 of the actual (FY2023 = 令和5年度).",
        "constraints": {"required": True},
    },
    "value": {
        "type": "number",
        "title": "Actual",
        "description": "実績値, empty when none." + IN_UNIT,
        "unitField": UNIT_FIELD,
    },
    "marker": {
        "type": "string",
        "title": "No-value marker",
        "description": "値なしの表記: the marker published instead of a value (-, 未集計 …).",
    },
    "cell": {
        "type": "string",
        "title": "Published cell",
        "description": "掲載: あり when the report has a cell for this KPI and year, else なし.",
        "constraints": {"required": True, "enum": list(opendata.CELL_LABELS.values())},
    },
    "judged_year": {
        "type": "integer",
        "title": "Judged fiscal year",
        "description": "評価年度: the fiscal year whose actual is judged.",
    },
    "achievement_rate": {
        "type": "number",
        "title": "Achievement rate",
        "description": "達成率 computed by kpiledger, percent, one decimal.",
        "unit": "%",
    },
    "published_rate": {
        "type": "number",
        "title": "Published achievement rate",
        "description": "公表達成率: the rate printed in the report, percent.",
        "unit": "%",
    },
    "status_label": {
        "type": "string",
        "title": "Status (Japanese)",
        "description": "状況 in Japanese.",
        "constraints": {"required": True, "enum": [ja for ja, _ in STATUS_LABELS.values()]},
    },
    "status": {
        "type": "string",
        "title": "Status",
        "description": "状況コード.",
        "constraints": {"required": True, "enum": [s.value for s in STATUS_LABELS]},
    },
    "progress_label": {
        "type": "string",
        "title": "Progress (Japanese)",
        "description": "進捗見込み in Japanese (targets not yet due).",
        "constraints": {"enum": [ja for ja, _ in PROGRESS_LABELS.values()]},
    },
    "progress": {
        "type": "string",
        "title": "Progress",
        "description": "進捗見込みコード (targets not yet due).",
        "constraints": {"enum": [p.value for p in PROGRESS_LABELS]},
    },
    "effect_suggestion": {
        "type": "string",
        "title": "Suggested effect",
        "description": "事業効果の提案:"
        " kpiledger's suggestion for the project (not the committee's).",
        "constraints": {"enum": [e.value for e in Effect]},
    },
    "effect_reason": {
        "type": "string",
        "title": "Why this effect",
        "description": "事業効果の提案の理由.",
        "constraints": {"required": True},
    },
    "flag_messages": {
        "type": "string",
        "title": "Remarks",
        "description": "注意: data-quality remarks in Japanese, separated by ' / '.",
    },
    "flags": {
        "type": "string",
        "title": "Remark codes",
        "description": "注意コード: the remarks' codes, separated by spaces.",
    },
    "assessed": {
        "type": "boolean",
        "title": "Assessment published",
        "description": "公表された評価欄: 1 when the report published the national form's"
        " columns beside the KPIs.",
        "trueValues": ["1"],
        "falseValues": ["0"],
        "constraints": {"required": True},
    },
    "effect": {
        "type": "string",
        "title": "Published effect",
        "description": "公表された事業効果: chosen by the municipality and its committee.",
    },
    "evaluation": {"type": "string", "title": "Evaluation", "description": "事業の評価."},
    "opinion": {
        "type": "string",
        "title": "Expert opinion",
        "description": "外部有識者からの意見.",
    },
    "policy": {"type": "string", "title": "Policy", "description": "今後の方針."},
    "policy_reason": {
        "type": "string",
        "title": "Why this policy",
        "description": "今後の方針の理由.",
    },
    "spent": {
        "type": "number",
        "title": "Amount spent",
        "description": "実績額, in the unit of 実績額の単位.",
        "unitField": "実績額の単位",
    },
    "spent_unit": {
        "type": "string",
        "title": "Unit of the amount spent",
        "description": "実績額の単位 (円, 千円).",
    },
}
FIELD_TYPES["project_flags"] = FIELD_TYPES["flags"] | {
    "title": "Project remark codes",
    "description": "事業の注意コード: the project's remark codes (effect-mismatch), by spaces.",
}


def field(key: str, name: str) -> dict[str, Any]:
    """The Table Schema field of column `name` written from record `key`."""
    return {"name": name, **FIELD_TYPES[key]}


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
