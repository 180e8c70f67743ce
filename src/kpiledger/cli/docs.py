"""Generate docs/cli.md from the parser's own help (`python -m kpiledger.cli.docs`).

A test checks that the committed docs/cli.md equals this output, so the reference never
drifts from the code.
"""

from __future__ import annotations

import argparse
import sys

from kpiledger.cli.main import build_parser

WIDTH = 96


def render() -> str:
    parser = build_parser(width=WIDTH)
    parts = [
        "# CLI reference",
        "",
        "Generated from `kpiledger --help` by `python -m kpiledger.cli.docs > docs/cli.md`;"
        " a test fails when this file and the code disagree.",
        "",
        "## kpiledger",
        "",
        "```text",
        parser.format_help().rstrip(),
        "```",
    ]
    for name, sub in _subcommands(parser).items():
        parts += ["", f"## kpiledger {name}", "", "```text", sub.format_help().rstrip(), "```"]
    return "\n".join(parts + csv_columns() + opendata_columns()) + "\n"


def csv_columns() -> list[str]:
    """The columns of `evaluate --format csv`, in order, from the writer's own lists."""
    from kpiledger.io.writers.csv import FIXED_COLUMNS, RESULT_COLUMNS

    lines = [
        "",
        "## `evaluate --format csv` の列 (CSV columns)",
        "",
        "One header row in Japanese, one row per KPI. A coded value has its Japanese wording in"
        " the column before its code (`状況` 概ね達成, `状況コード` nearly_achieved).",
        "",
        "| # | 列 (column) | key |",
        "|---|---|---|",
    ]
    number = 0
    for key, label in FIXED_COLUMNS:
        number += 1
        lines.append(f"| {number} | {label} | `{key}` |")
    lines.append(f"| {number + 1}… | R1年度 … (one per year column of the report) | `actuals` |")
    for key, label in RESULT_COLUMNS:
        lines.append(f"| … | {label} | `{key}` |")
    return lines


def opendata_columns() -> list[str]:
    """The columns of `export --format csv` (long) and `csv-wide`, from the writer's lists."""
    from kpiledger.io.writers.opendata import KPI_COLUMNS, RESULT_COLUMNS, YEAR_COLUMNS

    lines = [
        "",
        "## `export --format csv` / `csv-wide` の列 (open-data CSV columns)",
        "",
        "Open data after the national conventions for municipal data (推奨データセット): UTF-8"
        " with BOM, one header row in Japanese, the 6-digit 全国地方公共団体コード in every row,"
        " `目標年月` as ISO `2024-03`, fiscal years (年度) as western years, numbers exactly as"
        " published (`2300`, `73.5`). A coded value has its Japanese wording in the column"
        " before its code. `csv` (long) has one row per KPI and published fiscal year, with"
        " the KPI's terms and the report year's judgement on each of its rows (filter"
        " `年度 = 評価年度` for the judged value); a year without a value has an empty `実績値`"
        " and the marker as published in `値なしの表記` (`-`, `未集計` …). `csv-wide` has one row"
        " per KPI, as the report, with one `実績値_2019年度` column per published year (empty"
        " without a value). 全国地方公共団体コード, 報告年度 and KPI番号 identify a KPI in both."
        " A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed"
        " with `'` (formula injection); a lone `-` (a no-value marker) is kept.",
        "",
        "| # | 列 (column) | key | file |",
        "|---|---|---|---|",
    ]
    number = 0
    for key, label in KPI_COLUMNS:
        number += 1
        lines.append(f"| {number} | {label} | `{key}` | both |")
    lines.append(
        f"| {number + 1}… | 実績値_2019年度 … (one per published year) | `actuals` | wide |"
    )
    for key, label in YEAR_COLUMNS:
        lines.append(f"| … | {label} | `{key}` | long |")
    for key, label in RESULT_COLUMNS:
        lines.append(f"| … | {label} | `{key}` | both |")
    return lines


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:  # argparse has no public accessor for subparsers
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


if __name__ == "__main__":
    sys.stdout.write(render())
