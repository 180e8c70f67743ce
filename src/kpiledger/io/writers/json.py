"""JSON output: the schema of EVALUATION.md, numbers written from the Decimal without loss."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from kpiledger.core.evaluate import ReportResult
from kpiledger.io.writers.records import plain, report_record


def dumps(result: ReportResult, indent: int = 2) -> str:
    """The evaluated report as JSON text (UTF-8, Japanese kept as is)."""
    return encode(report_record(result), indent) + "\n"


def encode(value: Any, indent: int = 2, level: int = 0) -> str:
    """Like `json.dumps(..., ensure_ascii=False)`, but a Decimal becomes an exact JSON number
    (`73.5`, never `73.50000001`), which the standard encoder cannot do without floats."""
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, dict):
        items = [f"{json.dumps(str(k), ensure_ascii=False)}: {encode(v, indent, level + 1)}"
                 for k, v in value.items()]  # fmt: skip
        return _wrap("{", items, "}", indent, level)
    if isinstance(value, list | tuple):
        return _wrap("[", [encode(v, indent, level + 1) for v in value], "]", indent, level)
    return json.dumps(value, ensure_ascii=False)


def _wrap(open_: str, items: list[str], close: str, indent: int, level: int) -> str:
    if not items:
        return open_ + close
    pad, inner = " " * (indent * level), " " * (indent * (level + 1))
    return open_ + "\n" + ",\n".join(inner + i for i in items) + "\n" + pad + close
