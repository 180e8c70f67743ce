"""`--direction 指標=decrease`: a person's decision on a KPI's direction where the inference is
wrong or unsure, for `evaluate` and `import` (an import keeps it in the ledger, as the report's
own 方向 column would)."""

from __future__ import annotations

import argparse
import difflib
import re
import unicodedata

from kpiledger.core.errors import KpiledgerError
from kpiledger.core.model import Direction, Report
from kpiledger.io.readers.overrides import parse_direction

DIRECTION_HELP = (
    "指標の方向を指定（例: --direction 空き店舗数=decrease、値は increase/decrease/"
    "高いほど良い/低いほど良い/増加/減少。繰り返し可）(set a KPI's direction; repeatable)"
)


def direction_option(text: str) -> tuple[str, Direction]:
    """argparse type: `指標=decrease` → (indicator, Direction)."""
    indicator, equals, value = text.rpartition("=")
    if not equals or not indicator.strip():
        raise argparse.ArgumentTypeError(
            f"「指標=decrease」の形で指定してください（指定: {text}） / write it as"
            f" INDICATOR=decrease: {text}"
        )
    try:
        direction = parse_direction(value)
    except ValueError:
        direction = None
    if direction is None:
        raise argparse.ArgumentTypeError(
            f"方向「{value}」は increase・decrease・高いほど良い・低いほど良い・増加・減少の"
            f"いずれかで指定してください / the direction '{value}' must be increase or decrease"
        )
    return indicator.strip(), direction


def _key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def apply_directions(report: Report, choices: list[tuple[str, Direction]]) -> None:
    """Set each named KPI's direction (every KPI of that indicator text, in any project); a
    name no KPI has is `unknown-kpi`, naming the closest indicators."""
    problems = []
    for indicator, direction in choices:
        matched = [k for k in report.kpis if _key(k.indicator) == _key(indicator)]
        for kpi in matched:
            kpi.direction_override = direction
        if not matched:
            problems.append(_unknown(indicator, [k.indicator for k in report.kpis]))
    if problems:
        raise KpiledgerError([p for error in problems for p in error.problems])


def _unknown(indicator: str, indicators: list[str]) -> KpiledgerError:
    close = difflib.get_close_matches(indicator, indicators, n=3, cutoff=0.4)
    hint_ja = f"（近い指標: {'、'.join(close)}）" if close else ""
    hint_en = f" (closest: {', '.join(close)})" if close else ""
    return KpiledgerError.single(
        "unknown-kpi",
        f"--direction の指標「{indicator}」はこの報告書にありません{hint_ja}",
        f"--direction names the indicator '{indicator}', which this report does not have{hint_en}",
    )
