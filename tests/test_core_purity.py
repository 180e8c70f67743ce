"""kpiledger.core is pure standard-library Python: it imports only the stdlib and itself."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "src" / "kpiledger" / "core"


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_core_has_modules():
    assert {p.stem for p in CORE.glob("*.py")} >= {
        "era",
        "numbers",
        "model",
        "inference",
        "evaluate",
    }


def test_core_imports_only_stdlib_and_itself():
    offenders = {}
    for path in sorted(CORE.glob("*.py")):
        for name in imported_modules(path):
            top = name.split(".")[0]
            allowed = top in sys.stdlib_module_names or top == "__future__"
            if name.startswith("kpiledger"):
                allowed = name == "kpiledger.core" or name.startswith("kpiledger.core.")
            if not allowed:
                offenders.setdefault(path.name, []).append(name)
    assert offenders == {}


def test_purity_check_catches_a_foreign_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import django\nfrom kpiledger.io import readers\n", encoding="utf-8")
    assert imported_modules(bad) == {"django", "kpiledger.io"}
