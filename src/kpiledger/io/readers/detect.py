"""Which kind of file a report is, from its first bytes (and, for a zip, its member names).

Kinds: `xlsx` (Office Open XML workbook: a zip with `xl/workbook.xml`), `ods` (OpenDocument
spreadsheet: a zip whose `mimetype` says so), `xls` (Excel 97–2003: an OLE2 compound file),
`pdf` (`%PDF` within the first KiB), `text` (anything else that is not binary: tab- or
comma-separated text, in any of the encodings the text reader detects), and the kinds kpiledger
cannot read: `zip` (another zip: .docx, .pptx, an archive), `binary`.

kpiledger's own outputs read back (`own`, `own_tables`): `json` (text starting with `{` that
names the keys of the JSON schema), `opendata` (the open-data CSV, wide or long: its header
starts with 全国地方公共団体コード,地方公共団体名,報告年度,KPI番号), `datapackage` (a zip holding
datapackage.json).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePath

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

#: Each kind's name in Japanese and English, for messages.
KIND_NAMES = {
    "xlsx": ("Excelブック（.xlsx）", "an Excel workbook (.xlsx)"),
    "xls": ("Excel 97-2003ブック（.xls）", "an Excel 97-2003 workbook (.xls)"),
    "ods": ("OpenDocumentスプレッドシート（.ods）", "an OpenDocument spreadsheet (.ods)"),
    "pdf": ("PDF", "a PDF"),
    "text": ("テキスト（タブ区切り・CSV）", "text (tab- or comma-separated)"),
    "zip": ("Excel以外のZIP形式（Word文書・圧縮ファイルなど）", "a zip that is not a workbook"),
    "binary": ("文字ではないデータ", "binary data, not text"),
    "json": ("kpiledgerのJSON", "kpiledger's JSON"),
    "opendata": ("kpiledgerのオープンデータCSV", "kpiledger's open-data CSV"),
    "datapackage": ("データパッケージ（ZIP）", "a data package (zip)"),
}
#: The kinds a file name may announce for each content kind without a `format-mismatch`.
COMPATIBLE_NAMES = {"opendata": ("text",), "json": ("text",)}

SUFFIX_KINDS = {
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xls",
    ".ods": "ods",
    ".pdf": "pdf",
    ".txt": "text",
    ".tsv": "text",
    ".csv": "text",
    ".tab": "text",
    ".md": "text",
    ".json": "json",
}


def detect(data: bytes) -> str:
    """The kind of a file from its content (see the module's docstring)."""
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if data.startswith(OLE2):
        return "xls"
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if _binary(data):
        return "binary"
    from kpiledger.io.readers.own import looks_like_json
    from kpiledger.io.readers.own_tables import looks_like_opendata

    if looks_like_json(data):
        return "json"
    if looks_like_opendata(data):
        return "opendata"
    return "text"


def kind_of_name(file_name: str) -> str | None:
    """The kind a file's name announces, or None when its suffix names no kind we know."""
    return SUFFIX_KINDS.get(PurePath(file_name).suffix.lower())


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
                return "xlsx"
            if "mimetype" in names and archive.read("mimetype").strip() == ODS_MIMETYPE:
                return "ods"
            if "datapackage.json" in names:
                return "datapackage"
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, EOFError, NotImplementedError):
        # a data package cut short: its first entry is datapackage.json, and its reader says
        # the zip is damaged
        return "datapackage" if b"datapackage.json" in data[:64] else "zip"
    return "zip"


def _binary(data: bytes) -> bool:
    """NUL bytes outside UTF-16 text, or mostly control bytes, in the first 8 KiB."""
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16 with a BOM: the text reader decodes it
    if b"\x00" in head:
        return not _looks_utf16(head)
    controls = len(head) - len(head.translate(None, CONTROL_BYTES))
    return bool(head) and controls > len(head) // 10


CONTROL_BYTES = bytes([*range(0x09), *range(0x0E, 0x20)])  # not tab, newlines, form feed


def _looks_utf16(head: bytes) -> bool:
    """UTF-16 without a BOM: most NUL bytes fall on one parity (ASCII, digits and tabs give
    a NUL on every other byte; a few CJK characters such as 一 U+4E00 or the full-width space
    U+3000 put one on the other parity)."""
    even = sum(1 for i in range(0, len(head), 2) if head[i] == 0)
    odd = sum(1 for i in range(1, len(head), 2) if head[i] == 0)
    return max(even, odd) >= 4 * min(even, odd) and max(even, odd) >= len(head) // 20
