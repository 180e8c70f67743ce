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
    return "\n".join(parts + csv_columns()) + "\n"


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


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:  # argparse has no public accessor for subparsers
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


if __name__ == "__main__":
    sys.stdout.write(render())
