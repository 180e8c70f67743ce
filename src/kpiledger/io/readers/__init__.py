"""One reader per input format, all with the same interface: `read(path) -> Report`.

Every reader collects all the problems of its input and raises one `ReportError` with them,
so a user sees every bad cell at once and nothing is half-read.
"""

from __future__ import annotations

from pathlib import Path

from kpiledger.core.errors import ReportError
from kpiledger.core.model import Report

TEXT_SUFFIXES = {".txt", ".tsv", ".md", ""}


def read_report(path: str | Path) -> Report:
    """Read a KPI report file, choosing the reader by the file's suffix."""
    path = Path(path)
    _check_suffix(path.name)
    from kpiledger.io.readers import text

    return text.read(path)


def read_report_bytes(data: bytes, file_name: str) -> Report:
    """Read an uploaded KPI report (its bytes and its file name)."""
    _check_suffix(file_name)
    from kpiledger.io.readers import text

    return text.parse(text.decode(data))


def _check_suffix(file_name: str) -> None:
    path = Path(file_name)
    if path.suffix.lower() in TEXT_SUFFIXES:
        return
    raise ReportError.single(
        "unsupported-format",
        f"この形式のファイルはまだ読めません: {path.name}（対応: .txt / .tsv）",
        f"cannot read this kind of file yet: {path.name} (supported: .txt, .tsv)",
    )
