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
    return read_report_bytes(read_bytes(path), path.name)


def read_bytes(path: Path) -> bytes:
    """The bytes of a file; `cannot-open` saying why (in both languages) when it cannot be
    read."""
    try:
        return path.read_bytes()
    except OSError as error:
        raise ReportError.single(
            "cannot-open",
            f"ファイルを開けません: {path}（{_why_ja(error)}）",
            f"cannot open the file: {path} ({error.strerror or error})",
        ) from None


def _why_ja(error: OSError) -> str:
    if isinstance(error, FileNotFoundError):
        return "ファイルがありません"
    if isinstance(error, PermissionError):
        return "読み取る権限がありません"
    if isinstance(error, IsADirectoryError):
        return "フォルダです。ファイルを指定してください"
    return str(error.strerror or error)


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
