"""CSV output: one row per KPI, with the evaluation, for spreadsheets."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from kpiledger.core.era import fiscal_year_label
from kpiledger.core.evaluate import ReportResult
from kpiledger.io.writers.records import plain, report_record

FIXED_COLUMNS = (
    ("section", "区分"),
    ("grant", "交付金"),
    ("project", "事業の名称"),
    ("indicator", "指標"),
    ("target", "指標値"),
    ("unit", "単位"),
    ("target_date", "年月"),
    ("target_fiscal_year", "目標年度"),
    ("baseline", "基準値"),
    ("baseline_fiscal_year", "基準年度"),
    ("direction_label", "方向"),
    ("direction", "方向コード"),
    ("aggregation_label", "集計"),
    ("aggregation", "集計コード"),
)
RESULT_COLUMNS = (
    ("judged_year", "評価年度"),
    ("achievement_rate", "達成率"),
    ("published_rate", "公表達成率"),
    ("status_label", "状況"),
    ("status", "状況コード"),
    ("progress_label", "進捗見込み"),
    ("progress", "進捗見込みコード"),
    ("flag_messages", "注意"),
    ("flags", "注意コード"),
)


def dumps(result: ReportResult) -> str:
    """The evaluated report as CSV text; the header row is Japanese, and each coded value
    (direction, aggregation, status, progress, flags) has its Japanese wording beside its code
    (the column order is fixed and documented in docs/cli.md)."""
    years = result.report.year_columns
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    header = [ja for _, ja in FIXED_COLUMNS] + [fiscal_year_label(y) for y in years]
    writer.writerow(header + [ja for _, ja in RESULT_COLUMNS])
    for row in rows(result):
        writer.writerow(
            [_cell(row[key]) for key, _ in FIXED_COLUMNS]
            + [_cell(row["actuals"].get(str(y))) for y in years]
            + [_cell(row[key]) for key, _ in RESULT_COLUMNS]
        )
    return out.getvalue()


def rows(result: ReportResult) -> list[dict[str, Any]]:
    """One flat record per KPI (used by the CSV writer and the Python API): the JSON record's
    fields, its project's, and the Japanese wording of every coded value."""
    flat = []
    projects = report_record(result)["projects"]
    for project, project_result in zip(projects, result.projects, strict=True):
        for kpi, kpi_result in zip(project["kpis"], project_result.kpis, strict=True):
            baseline = kpi["baseline"] or {}
            progress = kpi_result.progress
            flat.append(
                kpi
                | {
                    "section": project["section"],
                    "grant": project["grant"],
                    "project": project["name"],
                    "baseline": baseline.get("value"),
                    "baseline_fiscal_year": baseline.get("fiscal_year"),
                    "direction_label": kpi_result.direction.value.label_ja,
                    "aggregation_label": kpi_result.aggregation.value.label_ja,
                    "status_label": kpi_result.status.label_ja,
                    "progress_label": progress.label_ja if progress else None,
                    "flags": " ".join(kpi["flags"]),
                    "flag_messages": " / ".join(f.message_ja for f in kpi_result.flags),
                }
            )
    return flat


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    """Numbers exactly; text that a spreadsheet would run as a formula (`=…`, `+…`, `-…`,
    `@…`) is prefixed with `'` so it stays text (CSV injection)."""
    if value is None:
        return ""
    if isinstance(value, Decimal | int):
        return plain(value) if isinstance(value, Decimal) else str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
