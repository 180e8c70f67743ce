"""The generated CLI reference in docs/ matches the code."""

from pathlib import Path

from kpiledger.cli.docs import render

ROOT = Path(__file__).resolve().parents[1]


def test_cli_reference_is_current():
    committed = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert committed == render(), "run: python -m kpiledger.cli.docs > docs/cli.md"


def test_cli_reference_documents_every_option():
    text = render()
    for option in ("--format", "--nearly", "--year", "evaluate"):
        assert option in text
