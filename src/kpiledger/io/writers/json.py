"""JSON output: the schema of EVALUATION.md, numbers written from the Decimal without loss."""

from __future__ import annotations

import json
import re
import secrets
from decimal import Decimal
from typing import Any

from kpiledger.core.evaluate import ReportResult
from kpiledger.io.writers.records import plain, report_record


def dumps(result: ReportResult, indent: int = 2) -> str:
    """The evaluated report as JSON text (UTF-8, Japanese kept as is)."""
    return encode(report_record(result), indent) + "\n"


def encode(value: Any, indent: int | None = 2) -> str:
    """Like `json.dumps(..., ensure_ascii=False)`, but a Decimal becomes an exact JSON number
    (`73.5`, never `73.50000001`), which the standard encoder cannot do without floats.

    Each Decimal is first written as a string tagged with a random per-call nonce, which is
    then unquoted; no text of the data can forge the tag.
    """
    tag = f"\ue000{secrets.token_hex(8)}:"

    def default(obj: object) -> str:
        if isinstance(obj, Decimal):
            return tag + plain(obj)
        raise TypeError(f"not JSON serializable: {type(obj).__name__}")

    text = json.dumps(value, ensure_ascii=False, indent=indent, default=default)
    return re.sub('"' + re.escape(tag) + r'(-?[0-9.]+)"', r"\1", text)
