"""Reader for a report as tab-separated text (the reference report's own format).

This module only decodes and splits the text into rows of cells; the table itself is read by
`table.interpret`, the same for every format. UTF-8 (with or without BOM), UTF-16 with a BOM
(Excel's "Unicode テキスト") or CP932, any line ending, blank lines and trailing notes are
accepted. Cells are split as Excel writes tab-separated text: a cell in double quotes may hold
tabs, line breaks and `""` (a quote); a row's line number is the line it starts on.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from pathlib import Path

from kpiledger.core.errors import ReportError
from kpiledger.core.model import Report
from kpiledger.io.readers.columns import Row
from kpiledger.io.readers.source import Source
from kpiledger.io.readers.table import interpret


def read(path: str | Path) -> Report:
    """Read a report file; raises `ReportError` listing every problem."""
    from kpiledger.io.readers import read_bytes

    return parse(decode(read_bytes(Path(path))))


def decode(data: bytes) -> str:
    """UTF-16 with a BOM (Excel's "Unicode テキスト"), else UTF-8 (a BOM is dropped), else
    CP932 (Shift_JIS as written by Windows Excel)."""
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    for encoding in ("utf-16",) if utf16 else ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReportError.single(
        "bad-encoding",
        "文字コードを判別できません（UTF-8、Shift_JIS、UTF-16（BOM付き）のいずれかで保存してください）",
        "cannot decode the file (save it as UTF-8, Shift_JIS or UTF-16 with a BOM)",
    )


def tokenize(text: str) -> list[Row]:
    """The rows of tab-separated text, split as Excel writes them (quoted cells may hold tabs
    and line breaks), each with the 1-based line it starts on; cells are trimmed."""
    lines = io.StringIO(text.lstrip("\ufeff"), newline="").readlines()
    reader = csv.reader(lines, delimiter="\t")
    rows: list[Row] = []
    start = 1
    try:
        for cells in reader:
            rows.append(Row(start, [_cell(c) for c in cells]))
            start = reader.line_num + 1
    except csv.Error as error:
        raise ReportError.single(
            "bad-cell",
            f"行をセルに分けられません（{error}）",
            f"cannot split the row into cells ({error})",
            line=start,
        ) from None
    _check_last_quote(lines, rows)
    return rows


def _cell(text: str) -> str:
    """A cell trimmed, its line breaks written `\\n`."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _check_last_quote(lines: list[str], rows: list[Row]) -> None:
    """A quote left open swallows the rest of the file into one cell: say so, where it opened."""
    if not rows:
        return
    last = rows[-1]
    probe = csv.reader(lines[last.line - 1 :], delimiter="\t", strict=True)
    try:
        for _ in probe:
            pass
    except csv.Error as error:
        if "unexpected end of data" not in str(error):
            return
        raise ReportError.single(
            "unclosed-quote",
            '「"」で始まるセルが閉じられていません（ファイルの最後までが1つのセルになります）',
            "a cell opened with '\"' is never closed (the rest of the file would be one cell)",
            line=last.line,
            column=len(last.cells),
        ) from None


COMMA_LINES = 3  # lines of the same number (≥ 3) of comma-separated cells that make CSV


def check_tab_separated(text: str) -> None:
    """A text file without a single tab whose lines split on commas into cells is CSV saved as
    .txt: say so (one clear problem), rather than a missing column for every header cell."""
    if "\t" in text:
        return
    lines = io.StringIO(text.lstrip("\ufeff"), newline="").readlines()
    try:
        widths = Counter(len(cells) for cells in csv.reader(lines) if len(cells) >= 3)
    except csv.Error:
        return
    if not widths or widths.most_common(1)[0][1] < COMMA_LINES:
        return
    raise ReportError.single(
        "looks-comma-separated",
        "このファイルはタブ区切りではなく、カンマ区切り（CSV）のようです。"
        "Excelで開き「テキスト（タブ区切り）」として保存し直してください",
        "this file looks comma-separated (CSV), not tab-separated: open it in Excel and save it"
        " as 'Text (Tab delimited)'",
    )


def parse(text: str) -> Report:
    """Parse the text of a report; raises `ReportError` listing every problem. Signs that the
    file was cut short are `Report.warnings` (see `truncation`)."""
    return interpret(source(text))


def source(text: str, encoding: str | None = None) -> Source:
    """The rows of a tab-separated text, for the table interpreter."""
    check_tab_separated(text)
    rows = tokenize(text)
    unterminated = rows[-1] if rows and not text.endswith(("\n", "\r")) else None
    return Source(rows, "text", encoding=encoding, unterminated=unterminated)
