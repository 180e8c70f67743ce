"""Reader for a report as delimited text: tab-separated (the reference report's own format) or
comma-separated (CSV), the delimiter and the encoding both found from the content.

This module only decodes and splits the text into rows of cells; the table itself is read by
`table.interpret`, the same for every format.

- **Encoding** (`decode_bytes`), never asked: a BOM says UTF-8 or UTF-16; else NUL bytes on
  alternating offsets say UTF-16 without a BOM; else strict UTF-8; else ISO-2022-JP when the
  text is 7-bit with its escapes; else the Japanese legacy codecs CP932 and EUC-JP, ranked by
  charset-normalizer on the first `DETECT_BYTES` and each tried strictly on the whole file.
  A guessed encoding is a notice (`encoding-detected`) on the `Source`. A file that is UTF-8
  up to a broken or cut character is `bad-encoding` at that line, not read as mojibake.
- **Delimiter** (`delimiter_of`): a text with a tab is tab-separated; one without, whose
  lines split on commas into a consistent number of cells (on three lines, or on most of a
  short file), is CSV; anything else is read as tab-separated (prose then is the
  interpreter's `not-a-report`).
- **Cells** are split as Excel writes them (the `csv` module): a cell in double quotes may
  hold the delimiter, line breaks and `""` (a quote); a row's line number is the line it
  starts on; a column number counts cells of the file's delimiter.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from pathlib import Path

from kpiledger.core.errors import Problem, ReportError
from kpiledger.core.model import Report
from kpiledger.io.readers.columns import Row
from kpiledger.io.readers.source import Source
from kpiledger.io.readers.table import interpret

#: Japanese legacy codecs, in the order tried when charset-normalizer ranks none of them.
#: shift_jis is not among them: cp932 decodes every byte sequence shift_jis does, and the six
#: characters they map differently (～ ∥ － ￠ ￡ ￢) are the ones Windows Excel means.
LEGACY = ("cp932", "euc_jp", "iso2022_jp")
DETECT_BYTES = 256 * 1024  # charset-normalizer looks at no more than this
UTF8_EVIDENCE = 4  # multi-byte characters before a bad byte that make a file broken UTF-8
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
DECLARED = frozenset({"utf-8", "utf-8-sig", "utf-16"})  # encodings read without a guess

#: How an encoding is named to a user (Japanese, English).
ENCODING_NAMES = {
    "utf-8": ("UTF-8", "UTF-8"),
    "utf-8-sig": ("UTF-8（BOM付き）", "UTF-8 with a BOM"),
    "utf-16": ("UTF-16（BOM付き）", "UTF-16 with a BOM"),
    "utf-16-le": ("UTF-16LE（BOMなし）", "UTF-16LE without a BOM"),
    "utf-16-be": ("UTF-16BE（BOMなし）", "UTF-16BE without a BOM"),
    "cp932": ("CP932（Shift_JIS）", "CP932 (Shift_JIS)"),
    "euc_jp": ("EUC-JP", "EUC-JP"),
    "iso2022_jp": ("ISO-2022-JP（JIS）", "ISO-2022-JP (JIS)"),
}


def read(path: str | Path) -> Report:
    """Read a report file; raises `ReportError` listing every problem."""
    from kpiledger.io.readers import read_bytes

    return interpret(source_bytes(read_bytes(Path(path))))


def parse(text: str) -> Report:
    """Parse the text of a report; raises `ReportError` listing every problem. Signs that the
    file was cut short are `Report.warnings` (see `truncation`)."""
    return interpret(source(text))


def source_bytes(data: bytes) -> Source:
    """The rows of a delimited text file, its encoding and delimiter found from its bytes."""
    return source(*decode_bytes(data))


def source(text: str, encoding: str | None = None) -> Source:
    """The rows of a tab- or comma-separated text, for the table interpreter; a guessed
    `encoding` (one not declared by a BOM nor UTF-8) is a notice."""
    lines = _lines(text)
    delimiter = _delimiter(text, lines)
    rows = _tokenize(lines, delimiter)
    unterminated = rows[-1] if rows and not text.endswith(("\n", "\r")) else None
    kind = "csv" if delimiter == "," else "text"
    notices = [] if encoding is None or encoding in DECLARED else [_detected(encoding)]
    return Source(rows, kind, encoding=encoding, unterminated=unterminated, notices=notices)


# --- encodings --------------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """The text of a file, its encoding found as `decode_bytes` does."""
    return decode_bytes(data)[0]


def decode_bytes(data: bytes) -> tuple[str, str]:
    """The text of a file and the Python codec that decodes it (`utf-8`, `utf-8-sig`, `utf-16`
    (with a BOM), `utf-16-le`/`-be`, `cp932`, `euc_jp`, `iso2022_jp`); see the module's
    docstring for the order. Raises `bad-encoding` naming what was tried."""
    for bom, codec in BOMS:
        if data.startswith(bom):
            return _decode_declared(data, codec), codec
    for codec in _utf16_codecs(data):
        if (text := _strict(data, codec)) is None:
            raise _undecodable([codec])  # NUL bytes say UTF-16; no other encoding has them
        return text, codec
    escaped = data.isascii() and (b"\x1b$B" in data or b"\x1b$@" in data)
    if escaped and (text := _strict(data, "iso2022_jp")) is not None:
        return text, "iso2022_jp"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        _refuse_broken_utf8(data, error)
    tried = ["utf-8"]
    for codec in _ranked(data):
        if (text := _strict(data, codec)) is not None:
            return text, codec
        tried.append(codec)
    raise _undecodable(tried)


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def _decode_declared(data: bytes, codec: str) -> str:
    """A file whose BOM names its encoding: a byte it does not decode is `bad-encoding`."""
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        if codec == "utf-8-sig":
            _refuse_broken_utf8(data[len(codecs.BOM_UTF8) :], error, evidence=0)
        raise _undecodable([codec]) from None


def _utf16_codecs(data: bytes) -> list[str]:
    """UTF-16 without a BOM when NUL bytes (one in 20 characters at least: the tabs, line
    breaks and digits of a table) fall mostly on one parity of offset: odd for little endian
    (`A` is `41 00`), even for big endian. Some fall on the other parity: characters such as
    一 (U+4E00) or the ideographic space (U+3000) hold a 00 byte too."""
    head = data[:DETECT_BYTES]
    odd, even = head[1::2].count(0), head[0::2].count(0)
    if max(odd, even) * 20 < len(head) // 2:
        return []
    if odd > even:
        return ["utf-16-le"]
    if even > odd:
        return ["utf-16-be"]
    return []


def _ranked(data: bytes) -> list[str]:
    """The legacy codecs, those charset-normalizer finds in the first `DETECT_BYTES` first
    (best first), then the rest in `LEGACY` order; each is then tried strictly."""
    from charset_normalizer import from_bytes

    head = data[:DETECT_BYTES]
    if len(data) > DETECT_BYTES and b"\n" in head:
        head = head[: head.rindex(b"\n") + 1]  # never cut a character in two
    matches = from_bytes(head, cp_isolation=list(LEGACY), preemptive_behaviour=False)
    found = [m.encoding for m in matches]
    found = ["cp932" if codec == "shift_jis" else codec for codec in found]
    ranked = [codec for codec in dict.fromkeys(found) if codec in LEGACY]
    return ranked + [codec for codec in LEGACY if codec not in ranked]


def _refuse_broken_utf8(
    data: bytes, error: UnicodeDecodeError, evidence: int = UTF8_EVIDENCE
) -> None:
    """A file that is UTF-8 (`evidence` multi-byte characters) up to a bad or cut byte is a
    broken UTF-8 file: `bad-encoding` at the line of that byte, not another encoding's mojibake."""
    before = data[: error.start].decode("utf-8")
    if sum(1 for c in before if not c.isascii()) < evidence:
        return
    line = len(io.StringIO(before + "?", newline="").readlines())
    if error.reason == "unexpected end of data":
        ja = "UTF-8の文字が途中で切れています（ファイルが最後まで保存されていないようです）"
        en = "a UTF-8 character is cut off (the file seems not to have been saved to the end)"
    else:
        ja = "UTF-8として読めない文字があります（別の文字コードの文字の混入か、ファイルの破損です）"
        en = "a byte is not valid UTF-8 (text in another encoding mixed in, or a damaged file)"
    raise ReportError.single("bad-encoding", ja, en, line=line)


def _undecodable(tried: list[str]) -> ReportError:
    ja = "、".join(ENCODING_NAMES[codec][0] for codec in dict.fromkeys(tried))
    en = ", ".join(ENCODING_NAMES[codec][1] for codec in dict.fromkeys(tried))
    return ReportError.single(
        "bad-encoding",
        f"文字コードを判別できません（{ja}を試しました）。"
        "UTF-8、Shift_JIS、UTF-16のいずれかで保存してください",
        f"cannot decode the file (tried {en}): save it as UTF-8, Shift_JIS or UTF-16",
    )


def _detected(codec: str) -> Problem:
    ja, en = ENCODING_NAMES.get(codec, (codec, codec))
    return Problem(
        "encoding-detected",
        f"文字コードを {ja}と判定して読みました",
        f"read as {en}",
    )


# --- delimiters and cells ---------------------------------------------------------------------

COMMA_LINES = 3  # lines of the same number (≥ 3) of comma-separated cells that make CSV
DELIMITER_LINES = 2000  # lines looked at to tell CSV from text


def delimiter_of(text: str) -> str:
    """`"\\t"` for a text with a tab; `","` for one without, whose lines split on commas into
    the same number (≥ 3) of cells on at least `COMMA_LINES` lines, or on two lines that are
    at least half of a short file's (a title, a header and one KPI); else `"\\t"` (prose with
    commas is no CSV)."""
    return _delimiter(text, _lines(text))


def _delimiter(text: str, lines: list[str]) -> str:
    if "\t" in text:
        return "\t"
    try:
        rows = csv.reader(lines[:DELIMITER_LINES])
        widths = Counter(len(cells) for cells in rows if len(cells) >= 3)
    except csv.Error:
        return "\t"
    if not widths:
        return "\t"
    same = widths.most_common(1)[0][1]
    filled = sum(1 for line in lines[:DELIMITER_LINES] if line.strip())
    # A short file (a title, its header and one KPI) needs only two lines alike: most of it.
    return "," if same >= COMMA_LINES or (same >= 2 and 2 * same >= filled) else "\t"


def _lines(text: str) -> list[str]:
    """The lines of `text` (ending `\\n`, `\\r\\n` or `\\r` only), a BOM dropped."""
    return io.StringIO(text.lstrip("\ufeff"), newline="").readlines()


def tokenize(text: str, delimiter: str = "\t") -> list[Row]:
    """The rows of delimited text, split as Excel writes them (quoted cells may hold the
    delimiter and line breaks), each with the 1-based line it starts on; cells are trimmed."""
    return _tokenize(_lines(text), delimiter)


def _tokenize(lines: list[str], delimiter: str) -> list[Row]:
    reader = csv.reader(lines, delimiter=delimiter)
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
    _check_last_quote(lines, rows, delimiter)
    return rows


def _cell(text: str) -> str:
    """A cell trimmed, its line breaks written `\\n`."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _check_last_quote(lines: list[str], rows: list[Row], delimiter: str) -> None:
    """A quote left open swallows the rest of the file into one cell: say so, where it opened."""
    if not rows:
        return
    last = rows[-1]
    probe = csv.reader(lines[last.line - 1 :], delimiter=delimiter, strict=True)
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
