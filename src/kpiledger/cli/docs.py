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
    return "\n".join(parts) + "\n"


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:  # argparse has no public accessor for subparsers
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


if __name__ == "__main__":
    sys.stdout.write(render())
