"""The generated CLI reference in docs/ matches the code."""

from pathlib import Path

from kpiledger.cli.docs import render

ROOT = Path(__file__).resolve().parents[1]


def test_cli_reference_is_current():
    committed = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert committed == render(), "run: python -m kpiledger.cli.docs > docs/cli.md"


def test_cli_reference_documents_every_command_and_option():
    """Every subcommand and option the parser really has is in the committed reference (the
    equality test above cannot notice `render` leaving a command out)."""
    import argparse

    from kpiledger.cli.main import build_parser

    committed = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    parsers = [build_parser()]
    for action in parsers[0]._actions:
        if isinstance(action, argparse._SubParsersAction):
            parsers += action.choices.values()
            assert all(f"## kpiledger {name}" in committed for name in action.choices)
    options = {o for p in parsers for a in p._actions for o in a.option_strings}
    assert {"--format", "--nearly", "--org", "--port"} <= options
    assert sorted(o for o in options if o not in committed) == []
