"""Every problem, warning, notice and flag code is in one catalogue (`kpiledger.core.codes`),
and docs/codes.md is generated from it (issue 8, item 8)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from kpiledger.core.codes import CATALOGUE, CODES, render

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src" / "kpiledger"
CODE = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
#: Calls whose first argument is a code: Problem(code, …), Flag(code, …),
#: KpiledgerError.single(code, …) and the modules' own helpers named so.
MAKERS = re.compile(r"(Problem|Flag|single|_error|_problem|_flag)$|^_bad")
HYPHENATED = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)+")


def raised_codes() -> dict[str, str]:
    """code → the file that raises it, from the source's syntax trees (tests and migrations
    left out). A code given by a module constant (`TRUNCATED = "possibly-truncated"`) counts."""
    found: dict[str, str] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE).as_posix()
        if (
            "/tests/" in f"/{relative}"
            or "/migrations/" in f"/{relative}"
            or relative.endswith("codes.py")
        ):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            node.targets[0].id: node.value.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if not MAKERS.search(name):
                continue
            for later in node.args[1:]:  # a helper taking the code later: _bad_word(role, code)
                text = later.value if isinstance(later, ast.Constant) else None
                if isinstance(text, str) and HYPHENATED.fullmatch(text):
                    found.setdefault(text, relative)
            first = node.args[0]
            code = ""
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                code = first.value
            elif isinstance(first, ast.Name):
                code = constants.get(first.id, "")
            if CODE.fullmatch(code) and len(node.args) >= 2:
                found.setdefault(code, relative)
    return found


def test_every_raised_code_is_in_the_catalogue():
    raised = raised_codes()
    assert len(raised) >= 50, sorted(raised)  # the scan itself works
    missing = {code: where for code, where in raised.items() if code not in CODES}
    assert missing == {}, "add these to kpiledger/core/codes.py"


def test_every_catalogued_code_is_raised():
    raised = raised_codes()
    stale = [entry.code for entry in CATALOGUE if entry.code not in raised]
    assert stale == []


def test_catalogue_entries_are_unique_and_complete():
    assert len(CODES) == len(CATALOGUE)
    for entry in CATALOGUE:
        assert CODE.fullmatch(entry.code)
        assert entry.layer in {"core", "reader", "import", "cli", "settings"}
        assert entry.kind in {"error", "warning", "notice", "flag"}
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", entry.ja), entry.code
        assert re.search(r"[a-z]{3,}", entry.en), entry.code


def test_docs_table_is_generated_from_the_catalogue():
    committed = (ROOT / "docs" / "codes.md").read_text(encoding="utf-8")
    assert committed == render(), "run: python -m kpiledger.core.codes > docs/codes.md"
    for entry in CATALOGUE:
        assert f"| `{entry.code}` |" in committed
