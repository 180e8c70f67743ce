"""CSV for open data: the evaluated report as two tables, following the national conventions
for municipal open data (推奨データセット: a 全国地方公共団体コード column with the 6-digit code,
ISO dates, one header row, UTF-8 with a BOM so that Excel opens it).

- `dumps_wide`: one row per KPI, as the report (one 実績値 column per published year).
- `dumps_long`: one row per KPI × published year (年度, 実績値, 値なしの表記, 掲載), for analysis.
- `dumps_projects`: one row per project (事業番号, 事業の概要, the 事業効果 suggested and its
  reason, and what the report published beside the KPIs), for the data package
  (`datapackage.py`).

The files carry what kpiledger needs to read its own output back into the same ledger
(`readers/own.py`): the KPI's 事業番号, 目標の範囲 (`以上`/`以下` … written after the target), the
reasons and confidence of the direction and aggregation (`明示的な指定による` when set
explicitly), whether a cumulative KPI's actuals are yearly increments (`1`/`0`), 備考, and in the
long file 掲載 (`あり`: the report has a cell for that KPI and year, `なし`: it has none, as
when a KPI's row does not reach that year's column). The wide file loses the no-value markers
(an empty cell); the long file keeps them.

Both start from the records of `records.py` (through `csv.rows`), so their values are those of
the JSON output: exact decimals as written (never floats), `目標年月` as `2024-03`. Every coded
value is written in Japanese and as its code (`状況` 達成, `状況コード` achieved). A text cell
starting with `= + - @`, a tab or a carriage return is prefixed with `'` (CSV injection); a
lone `-` (the usual no-value marker) is no formula and is kept as published.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kpiledger.core.evaluate import ReportResult
from kpiledger.core.model import Assessment
from kpiledger.core.money import CostPerUnit
from kpiledger.io.writers.csv import rows
from kpiledger.io.writers.records import plain, project_costs, report_record

ENCODING = "utf-8-sig"  # UTF-8 with a BOM: what Excel on a municipal PC needs


@dataclass(frozen=True)
class Publisher:
    """The local government publishing the data (全国地方公共団体コード, 地方公共団体名)."""

    code: str  # 6 digits with the check digit, e.g. 012068
    name: str  # e.g. 釧路市


#: (key, column) of every KPI row, before the years. `number` is the KPI's place in the report
#: (1…), which with the code and the report year identifies the KPI in both files.
KPI_COLUMNS = (
    ("org_code", "全国地方公共団体コード"),
    ("org_name", "地方公共団体名"),
    ("report_year", "報告年度"),
    ("number", "KPI番号"),
    ("project_number", "事業番号"),
    ("section", "区分"),
    ("grant", "交付金"),
    ("project", "事業名"),
    ("indicator", "指標"),
    ("unit", "単位"),
    ("target", "目標値"),
    ("target_bound", "目標の範囲"),
    ("target_date", "目標年月"),
    ("target_fiscal_year", "目標年度"),
    ("baseline", "基準値"),
    ("baseline_fiscal_year", "基準年度"),
    ("direction_label", "方向"),
    ("direction", "方向コード"),
    ("aggregation_label", "集計"),
    ("aggregation", "集計コード"),
    ("direction_reason", "方向の根拠"),
    ("direction_confidence", "方向の確度"),
    ("aggregation_reason", "集計の根拠"),
    ("increments", "実績は年度ごとの増分"),
    ("note", "備考"),
)
#: (key, column) of one year's actual in the long file.
YEAR_COLUMNS = (
    ("year", "年度"),
    ("value", "実績値"),
    ("marker", "値なしの表記"),
    ("cell", "掲載"),
)
CELL_LABELS = {True: "あり", False: "なし"}
#: (key, column) of the project's money (円, as the ledger holds it; 実績額 in its unit) and the
#: KPI's cost per unit (`core.money`), last in both KPI files; empty when unknown. The cost's
#: headings carry the mark `kpiledger`: computed, never read back as published data.
MONEY_COLUMNS = (
    ("total_cost", "総事業費（円）"),
    ("grant_amount", "交付金額（円）"),
    ("project_spent", "事業の実績額"),
    ("project_spent_unit", "事業の実績額の単位"),
    ("cost_per_unit", "単位あたり費用（kpiledger算定・円）"),
    ("cost_per_unit_per", "単位あたり費用の単位（kpiledger算定）"),
    ("cost_per_unit_reason", "単位あたり費用の根拠（kpiledger算定）"),
)
#: (key, column) of the report year's judgement, after the years.
RESULT_COLUMNS = (
    ("judged_year", "評価年度"),
    ("achievement_rate", "達成率"),
    ("published_rate", "公表達成率"),
    ("status_label", "状況"),
    ("status", "状況コード"),
    ("progress_label", "進捗見込み"),
    ("progress", "進捗見込みコード"),
    ("effect_suggestion", "事業効果の提案"),
    ("flag_messages", "注意"),
    ("flags", "注意コード"),
    *MONEY_COLUMNS,
)


def wide_header(years: list[int]) -> list[str]:
    """The wide file's columns: the KPI, one `実績値_2019年度` per published year, the result."""
    return (
        [ja for _, ja in KPI_COLUMNS]
        + [year_column(y) for y in years]
        + [ja for _, ja in RESULT_COLUMNS]
    )


def long_header() -> list[str]:
    return [ja for _, ja in (*KPI_COLUMNS, *YEAR_COLUMNS, *RESULT_COLUMNS)]


def year_column(year: int) -> str:
    return f"実績値_{year}年度"


def wide_rows(result: ReportResult, publisher: Publisher) -> list[list[str]]:
    """One row per KPI, as the report: a year without a value is an empty cell (its marker is
    in the long file)."""
    years = result.report.year_columns
    return [
        _kpi_cells(record)
        + [_cell(record["actuals"].get(str(y))) for y in years]
        + _result_cells(record)
        for record in kpi_records(result, publisher)
    ]


def long_rows(result: ReportResult, publisher: Publisher) -> list[list[str]]:
    """One row per KPI × published year (every year column of the report, so a year the KPI
    has no cell for is there with empty 実績値 and 値なしの表記)."""
    years = result.report.year_columns
    out = []
    for record, kpi_result in zip(kpi_records(result, publisher), result.kpis, strict=True):
        kpi_cells, result_cells = _kpi_cells(record), _result_cells(record)  # once per KPI
        for year in years:
            actual = kpi_result.kpi.actuals.get(year)
            marker = actual.marker if actual is not None and actual.value is None else None
            cells = {
                "year": year,
                "value": actual.value if actual else None,
                "marker": marker,
                "cell": CELL_LABELS[actual is not None],
            }
            out.append(kpi_cells + [_cell(cells[key]) for key, _ in YEAR_COLUMNS] + result_cells)
    return out


def kpi_records(result: ReportResult, publisher: Publisher) -> list[dict[str, Any]]:
    """The flat KPI records of `csv.rows` with the publisher, the report year, the KPI's number
    and its project's suggested 事業効果."""
    owners = [
        (number, project, kpi_result.kpi, cost)
        for number, project in enumerate(result.projects, 1)
        for kpi_result, cost in zip(
            project.kpis, project_costs(project, result.report.fiscal_year), strict=True
        )
    ]
    return [
        record
        | {
            "org_code": publisher.code,
            "org_name": publisher.name,
            "report_year": result.fiscal_year,
            "number": number,
            "project_number": project_number,
            "target_bound": kpi.target_bound,
            "increments": int(kpi.actuals_are_increments),
            "note": kpi.note,
            "effect_suggestion": (
                project.effect_suggestion.value if project.effect_suggestion else None
            ),
        }
        | money_cells(project.project.assessment, cost)
        for number, (record, (project_number, project, kpi, cost)) in enumerate(
            zip(rows(result), owners, strict=True), 1
        )
    ]


def money_cells(assessment: Assessment | None, cost: CostPerUnit | None) -> dict[str, Any]:
    """The `MONEY_COLUMNS` of a KPI row: its project's money and its own cost per unit."""
    spent = assessment.spent if assessment is not None else None
    return {
        "total_cost": assessment.total_cost if assessment is not None else None,
        "grant_amount": assessment.grant_amount if assessment is not None else None,
        "project_spent": spent,
        "project_spent_unit": assessment.spent_unit if assessment and spent is not None else None,
        "cost_per_unit": cost.amount if cost else None,
        "cost_per_unit_per": f"円/{cost.per}" if cost else None,
        "cost_per_unit_reason": cost.reason_ja if cost else None,
    }


#: (key, column) of the projects file: one row per project, in the report's order.
PROJECT_COLUMNS = (
    ("org_code", "全国地方公共団体コード"),
    ("org_name", "地方公共団体名"),
    ("report_year", "報告年度"),
    ("project_number", "事業番号"),
    ("section", "区分"),
    ("grant", "交付金"),
    ("name", "事業名"),
    ("summary", "事業の概要"),
    ("effect_suggestion", "事業効果の提案"),
    ("effect_reason", "事業効果の提案の理由"),
    ("assessed", "公表された評価欄"),
    ("effect", "公表された事業効果"),
    ("evaluation", "事業の評価"),
    ("opinion", "外部有識者からの意見"),
    ("policy", "今後の方針"),
    ("policy_reason", "今後の方針の理由"),
    ("spent", "実績額"),
    ("spent_unit", "実績額の単位"),
    ("total_cost", "総事業費（円）"),
    ("grant_amount", "交付金額（円）"),
    ("flags", "事業の注意コード"),
)


def project_rows(result: ReportResult, publisher: Publisher) -> list[list[str]]:
    """One row per project (a project without a KPI too). `公表された評価欄` is `1` when the
    report published the national form's columns beside the KPIs (事業効果, 事業の評価 …),
    else `0` and those columns are empty."""
    out = []
    records = report_record(result)["projects"]
    for number, (record, project) in enumerate(zip(records, result.projects, strict=True), 1):
        assessment = record.get("assessment") or {}
        cells = record | assessment
        cells |= {
            "org_code": publisher.code,
            "org_name": publisher.name,
            "report_year": result.fiscal_year,
            "project_number": number,
            "assessed": int(project.project.assessment is not None),
            "flags": " ".join(record.get("flags", [])),
        }
        out.append([_cell(cells.get(key)) for key, _ in PROJECT_COLUMNS])
    return out


def dumps_projects(result: ReportResult, publisher: Publisher) -> str:
    """The projects file as text (encode it with `ENCODING`)."""
    return _table([ja for _, ja in PROJECT_COLUMNS], project_rows(result, publisher))


def dumps_wide(
    result: ReportResult, publisher: Publisher, rows: list[list[str]] | None = None
) -> str:
    """The wide file as text (encode it with `ENCODING`); `rows`: its `wide_rows`, when the
    caller has them already (the static site makes them for the national file too)."""
    body = wide_rows(result, publisher) if rows is None else rows
    return _table(wide_header(result.report.year_columns), body)


def dumps_long(result: ReportResult, publisher: Publisher) -> str:
    """The long file as text (encode it with `ENCODING`)."""
    return _table(long_header(), long_rows(result, publisher))


def _table(header: list[str], body: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(body)
    return out.getvalue()


def _kpi_cells(record: dict[str, Any]) -> list[str]:
    return [_cell(record[key]) for key, _ in KPI_COLUMNS]


def _result_cells(record: dict[str, Any]) -> list[str]:
    return [_cell(record[key]) for key, _ in RESULT_COLUMNS]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    """A number exactly as written (`73.5`, `2300.00`); text as published, except that text a
    spreadsheet would run as a formula is prefixed with `'` (a lone `-` is kept)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return plain(value)
    text = str(value)
    if text.startswith(FORMULA_STARTS) and text != "-":
        return "'" + text
    return text
