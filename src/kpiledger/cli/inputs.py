"""Where a command's report comes from: a file, or standard input when FILE is `-`."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from kpiledger.core.model import Report

STDIN = "-"


@dataclass(frozen=True)
class Input:
    """A report as read, with the bytes it was read from and a name to show for it."""

    report: Report
    content: bytes
    name: str


def read_input(file: str, sheet: str | None = None) -> Input:
    """The report in `file`, or on standard input when `file` is `-` (as Unix tools do);
    `sheet` names the workbook sheet to read."""
    from kpiledger.io.readers import read_bytes, read_report_bytes

    if file == STDIN:
        if sys.stdin is None or sys.stdin.isatty():
            print(
                "標準入力から報告書を読み込みます（終わりは Ctrl-D）/ "
                "reading the report from standard input (end with Ctrl-D)",
                file=sys.stderr,
            )
        content = sys.stdin.buffer.read() if sys.stdin is not None else b""
        return Input(read_report_bytes(content, "stdin", sheet=sheet), content, "標準入力 (stdin)")
    path = Path(file)
    content = read_bytes(path)
    return Input(read_report_bytes(content, path.name, sheet=sheet), content, path.name)


def warning_label(code: str) -> str:
    """How a report's notice or warning is introduced on the terminal."""
    from kpiledger.io.readers import NOTICE_CODES

    return "お知らせ / Note" if code in NOTICE_CODES else "警告 / Warning"
