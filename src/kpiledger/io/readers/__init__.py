"""Reading a KPI report from any supported format: `read_report(path)`,
`read_report_bytes(data, name)`.

The reader is chosen from the file's content (`detect`: a zip holding a workbook, an OLE2
compound file, `%PDF`, else text), not from its name; when the name says otherwise the report
carries a `format-mismatch` warning, and a failure says what the content looked like. Each
format's module only decodes and tokenizes into a `Source` (rows of cells); `table.interpret`
reads the table the same way for all of them. kpiledger's own outputs (its JSON, open-data CSV
and data package: a folder, its datapackage.json, or its zip) are read back by `own` and
`own_tables` into the same report. Every problem of the input is collected and
raised in one `ReportError`, located in the format's own terms, and nothing is half-read.
"""

from __future__ import annotations

from pathlib import Path

from kpiledger.core.errors import Problem, ReportError
from kpiledger.core.model import Report
from kpiledger.io.readers.detect import COMPATIBLE_NAMES, KIND_NAMES, detect, kind_of_name
from kpiledger.io.readers.source import Source

#: What a reader says only about how it read the file (not a concern about the data): kept
#: apart as `Report.notices`. Anything else a reader says goes with `Report.warnings`.
NOTICE_CODES = frozenset({"sheet-chosen", "encoding-detected"})


def read_report(path: str | Path, *, sheet: str | None = None) -> Report:
    """Read a KPI report file (or a kpiledger data package: its folder or datapackage.json)."""
    path = Path(path)
    if (path / "datapackage.json").is_file() or path.name == "datapackage.json":
        from kpiledger.io.readers.own_package import read_datapackage_folder

        return read_datapackage_folder(path if path.is_dir() else path.parent)
    return read_report_bytes(read_bytes(path), path.name, sheet=sheet)


def read_report_bytes(data: bytes, file_name: str, *, sheet: str | None = None) -> Report:
    """Read a KPI report from its bytes (`file_name` is only used to name it and to notice a
    name that disagrees with the content). `sheet` names the workbook sheet to read."""
    from kpiledger.io.readers.table import interpret

    kind = detect(data)
    named = kind_of_name(file_name)
    if kind == "zip" and named in ("xlsx", "ods"):
        kind = named  # a workbook cut short (no zip directory): its reader says it is damaged
    compatible = (None, kind, *COMPATIBLE_NAMES.get(kind, ()))
    mismatch = _mismatch(file_name, named, kind) if named not in compatible else None
    if kind in OWN_KINDS:
        try:
            report = read_own(data, kind, file_name)
        except ReportError as error:
            if mismatch is None:
                raise
            raise ReportError([mismatch, *error.problems]) from None
        report.warnings = [*([mismatch] if mismatch else []), *report.warnings]
        return report
    try:
        source = read_source(data, kind, sheet=sheet)
        report = interpret(source)
    except ReportError as error:
        if mismatch is None:
            raise
        raise ReportError([mismatch, *error.problems]) from None
    said = [source.locate(p) for p in source.notices]
    report.notices = [p for p in said if p.code in NOTICE_CODES]
    report.warnings = [
        *([mismatch] if mismatch else []),
        *(p for p in said if p.code not in NOTICE_CODES),
        *report.warnings,
    ]
    return report


OWN_KINDS = ("json", "opendata", "datapackage")


def read_own(data: bytes, kind: str, file_name: str) -> Report:
    """A report from one of kpiledger's own outputs (see `own`, `own_tables`, `own_package`)."""
    from kpiledger.io.readers import own, own_package, own_tables

    if kind == "json":
        return own.read_json(data)
    if kind == "opendata":
        return own_tables.read_opendata(data, file_name)
    return own_package.read_datapackage_zip(data)


def read_source(data: bytes, kind: str, *, sheet: str | None = None) -> Source:
    """The rows of a file of `kind` (see `detect`)."""
    if kind in ("xlsx", "xls", "ods"):
        from kpiledger.io.readers import excel

        return excel.source(data, kind, sheet=sheet)
    if kind == "pdf":
        from kpiledger.io.readers import pdf

        return pdf.source(data)
    if kind == "text":
        from kpiledger.io.readers import text

        return text.source_bytes(data)
    raise ReportError.single(
        "unsupported-format",
        f"この形式のファイルは読めません（{KIND_NAMES[kind][0]}）。"
        "Excel（.xlsx/.xls/.ods）、CSV、タブ区切りテキスト、PDFで保存してください",
        f"cannot read this kind of file ({KIND_NAMES[kind][1]}): save it as Excel"
        " (.xlsx/.xls/.ods), CSV, tab-separated text or PDF",
    )


def _mismatch(file_name: str, named: str | None, kind: str) -> Problem:
    named = named or "text"
    return Problem(
        "format-mismatch",
        f"ファイル名「{file_name}」は{KIND_NAMES[named][0]}ですが、中身は{KIND_NAMES[kind][0]}"
        "です。中身に合わせて読みました",
        f"the file name '{file_name}' says {KIND_NAMES[named][1]}, but the content is"
        f" {KIND_NAMES[kind][1]}: it was read as its content",
    )


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
