"""Command-line option types (argparse `type=`), each refusing a bad value with a message in
Japanese and English, and the bundled reference report used when FILE is omitted."""

from __future__ import annotations

import argparse
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path

from kpiledger.core.era import PLAUSIBLE_YEARS

REFERENCE_REPORT = "kushiro_r5_kpi_report.txt"
SHEET_HELP = (
    "Excelで読むシート名（既定はKPI表のある最初のシート）"
    " (the workbook sheet to read; default: the first sheet with a KPI table)"
)


def reference_report_path() -> Path:
    """The bundled reference report: 釧路市 令和5年度デジタル田園都市国家構想交付金事業の実績."""
    return Path(str(resources.files("kpiledger") / "data" / REFERENCE_REPORT))


_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")


def _bounded(text: str, low: int, high: int, what_ja: str, what_en: str) -> int:
    """`text` as a whole number from `low` to `high` (full-width digits too), else an argparse
    error in Japanese and English. Any number of digits is handled (no int conversion limit)."""
    plain = unicodedata.normalize("NFKC", text).strip()
    if not _WHOLE_NUMBER.fullmatch(plain):
        shown = repr(text[:40])
        raise argparse.ArgumentTypeError(
            f"{shown} は整数ではありません / not a whole number: {shown}"
        )
    digits = plain.lstrip("+-").lstrip("0")
    value = int(plain) if len(digits) <= len(str(high)) else None
    if value is None or not low <= value <= high:
        raise argparse.ArgumentTypeError(
            f"{what_ja}は{low}〜{high}で指定してください（指定: {text[:40]}） / {what_en} must"
            f" be from {low} to {high}: {text[:40]}"
        )
    return value


def fiscal_year(text: str) -> int:
    """argparse type: a fiscal year (年度) in western years, within the years the core reads
    (1926–2200, `era.PLAUSIBLE_YEARS`)."""
    low, high = PLAUSIBLE_YEARS[0], PLAUSIBLE_YEARS[-1]
    return _bounded(text, low, high, "年度（西暦）", "the fiscal year (western)")


def port_number(text: str) -> int:
    """argparse type: a TCP port, 1–65535."""
    return _bounded(text, 1, 65535, "ポート番号", "the port")


MAX_THREADS = 64


def thread_count(text: str) -> int:
    """argparse type: a number of server threads, 1–64 (`MAX_THREADS`)."""
    return _bounded(text, 1, MAX_THREADS, "スレッド数", "the number of threads")


def process_count(text: str) -> int:
    """argparse type: a number of worker processes, 1–64."""
    return _bounded(text, 1, 64, "プロセス数", "the number of processes")


def percent(text: str) -> Decimal:
    """argparse type: a percentage, 0–100 (the 概ね達成 threshold)."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(
            f"{text!r} は数値ではありません / not a number: {text!r}"
        ) from None
    if not value.is_finite() or not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(
            f"0〜100で指定してください（指定: {text}） / must be 0–100: {text}"
        )
    return value


#: Problems listed on the terminal before "and N more".
MAX_PROBLEMS_SHOWN = 200
