"""CSV for open data: the evaluated report as two tables, following the national conventions
for municipal open data (推奨データセット: a 全国地方公共団体コード column with the 6-digit code,
ISO dates, one header row, UTF-8 with a BOM so that Excel opens it).

- `dumps_wide`: one row per KPI, as the report (one 実績値 column per published year).
- `dumps_long`: one row per KPI × published year (年度, 実績値, 値なしの表記), for analysis.

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
from kpiledger.io.writers.csv import rows
from kpiledger.io.writers.records import plain

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
    ("section", "区分"),
    ("grant", "交付金"),
    ("project", "事業名"),
    ("indicator", "指標"),
    ("unit", "単位"),
    ("target", "目標値"),
    ("target_date", "目標年月"),
    ("target_fiscal_year", "目標年度"),
    ("baseline", "基準値"),
    ("baseline_fiscal_year", "基準年度"),
    ("direction_label", "方向"),
    ("direction", "方向コード"),
    ("aggregation_label", "集計"),
    ("aggregation", "集計コード"),
)
#: (key, column) of one year's actual in the long file.
YEAR_COLUMNS = (
    ("year", "年度"),
    ("value", "実績値"),
    ("marker", "値なしの表記"),
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
        for year in years:
            actual = kpi_result.kpi.actuals.get(year)
            marker = actual.marker if actual is not None and actual.value is None else None
            cells = {"year": year, "value": actual.value if actual else None, "marker": marker}
            out.append(
                _kpi_cells(record)
                + [_cell(cells[key]) for key, _ in YEAR_COLUMNS]
                + _result_cells(record)
            )
    return out


def kpi_records(result: ReportResult, publisher: Publisher) -> list[dict[str, Any]]:
    """The flat KPI records of `csv.rows` with the publisher, the report year, the KPI's number
    and its project's suggested 事業効果."""
    effects = [
        (p.effect_suggestion.value if p.effect_suggestion else None)
        for p in result.projects
        for _ in p.kpis
    ]
    return [
        record
        | {
            "org_code": publisher.code,
            "org_name": publisher.name,
            "report_year": result.fiscal_year,
            "number": number,
            "effect_suggestion": effect,
        }
        for number, (record, effect) in enumerate(zip(rows(result), effects, strict=True), 1)
    ]


def dumps_wide(result: ReportResult, publisher: Publisher) -> str:
    """The wide file as text (encode it with `ENCODING`)."""
    return _table(wide_header(result.report.year_columns), wide_rows(result, publisher))


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
