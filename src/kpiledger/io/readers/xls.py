"""The .xls tokenizer: its OLE2 compound file read here, linearly, and only its `Workbook`
stream (`Book` for Excel 5/95) handed to xlrd, which reads the BIFF records with their number
formats (XF records), merged ranges, hidden sheets and date system.

xlrd's own compound-file reader never returns on two damages (a cycle in the chain of a
stream under 4 KiB, read from the mini stream; directory entries whose left and right
siblings are the same entry, walked once per path: 2ⁿ times for n entries). Here every chain
and the directory are walked with a set of the places already seen, so a damaged file costs at
most one visit per sector; what is left of a cut or damaged stream goes to xlrd, which says
what is wrong with its records. xlrd is pure Python (a damaged file raises, it cannot abort
the process) and is asked for ragged rows, so a bogus size or merged range never makes it fill
a sheet's whole rectangle.
"""

from __future__ import annotations

import struct
import sys
from array import array
from collections.abc import Callable
from typing import Any

from kpiledger.io.readers.excel_values import BAD_DATE, Cells, Merge, cell_text, serial_text

SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MARKERS = 0xFFFFFFFA  # sector ids from here on are markers (end of chain, free, FAT, DIFAT)
_STREAMS = ("workbook", "book")  # xlrd's order: BIFF8 first, then BIFF5
_STREAM = 2  # a directory entry's type: a stream (1 a storage, 5 the root)
_MINI_SECTOR = 64


# --- the records: xlrd ----------------------------------------------------------------------


def open_xls(
    data: bytes,
) -> tuple[list[str], set[str], Callable[[str], tuple[Cells, list[Merge]]]]:
    """An .xls's worksheets in order, the hidden ones, and how to read one's cells (as text)
    and merged ranges."""
    import xlrd

    book = xlrd.open_workbook(
        file_contents=workbook_stream(data),  # the records only (see the module docstring)
        formatting_info=True,  # number formats and merged ranges
        ragged_rows=True,  # rows only as long as their cells: never the size a record claims
        logfile=_Silent(),  # xlrd writes its warnings to standard output otherwise
    )
    formats = _formats(book)
    sheets = {ws.name: ws for ws in book.sheets()}  # worksheets only: xlrd skips charts
    hidden = {ws.name for ws in book.sheets() if ws.visibility}
    epoch_1904 = book.datemode == 1
    return list(sheets), hidden, lambda name: _cells(sheets[name], formats, epoch_1904)


class _Silent:
    """A log that keeps nothing."""

    def write(self, text: str) -> int:
        return len(text)


def _formats(book: Any) -> dict[int, str]:
    """Each XF record's number format. A built-in CJK date format (ids 27–36, 50–58) whose
    text xlrd does not know, its text depending on the locale, stands as `yyyy/m/d`."""
    from xlrd.formatting import FDT

    formats: dict[int, str] = {}
    for index, xf in enumerate(book.xf_list):
        found = book.format_map.get(xf.format_key)
        if found is not None and (found.format_str or found.type == FDT):
            formats[index] = found.format_str or "yyyy/m/d"
    return formats


def _cells(ws: Any, formats: dict[int, str], epoch_1904: bool) -> tuple[Cells, list[Merge]]:
    """The non-empty cells of an xlrd sheet, each read with its number format, and its merged
    ranges (xlrd's are 0-based with exclusive ends)."""
    cells: Cells = {}
    for r in range(ws.nrows):
        for c, (kind, value) in enumerate(zip(ws.row_types(r), ws.row_values(r), strict=True)):
            if kind not in _BLANKS:
                text = _text(kind, value, formats.get(ws.cell_xf_index(r, c)), epoch_1904)
                if text:
                    cells[r + 1, c + 1] = text
    merges = [(top + 1, left + 1, bottom, right) for top, bottom, left, right in ws.merged_cells]
    return cells, merges


#: xlrd's cell types (its `XL_CELL_*`), so that reading a cell imports nothing.
_EMPTY, _TEXT, _NUMBER, _DATE, _BOOLEAN, _ERROR, _BLANK = range(7)
_BLANKS = (_EMPTY, _BLANK)
#: The texts of a BIFF error cell's codes.
ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?"}
ERRORS |= {0x24: "#NUM!", 0x2A: "#N/A"}


def _text(kind: int, value: Any, number_format: str | None, epoch_1904: bool) -> str:
    if kind in (_NUMBER, _DATE):  # the format decides, not xlrd's guess
        return serial_text(value, number_format, epoch_1904=epoch_1904)
    if kind == _BOOLEAN:
        return cell_text(bool(value))
    if kind == _ERROR:
        return ERRORS.get(value, BAD_DATE)  # an unknown code: Excel's generic #VALUE!
    return cell_text(value)


# --- the compound file -----------------------------------------------------------------------


def workbook_stream(data: bytes) -> bytes:
    """The `Workbook` (else `Book`) stream of an OLE2 compound file, as far as the file holds
    it. ValueError when `data` is no compound file or holds no such stream."""
    if not data.startswith(SIGNATURE) or len(data) < 512:
        raise ValueError("not an OLE2 compound file")
    shift = _word(data, 0x1E, "<H")
    if shift not in (9, 12):
        raise ValueError(f"impossible sector size 2**{shift}")
    size = 1 << shift

    def sector(index: int) -> bytes:
        return data[(index + 1) * size : (index + 2) * size]

    fat = _ids(b"".join(sector(s) for s in _fat_sectors(data, sector, size)))
    directory = _chain(sector, fat, _word(data, 0x30))
    entries = [directory[i : i + 128] for i in range(0, len(directory) - 127, 128)]
    if not entries:
        raise ValueError("the compound file has no directory")
    stream = _stream(data, sector, fat, entries)
    if not stream:
        raise ValueError("the workbook stream is empty")
    if stream.startswith(SIGNATURE):  # xlrd would read it as a compound file of its own
        raise ValueError("the workbook stream is itself a compound file")
    return stream


def _stream(
    data: bytes, sector: Callable[[int], bytes], fat: array[int], entries: list[bytes]
) -> bytes:
    start, length = struct.unpack_from("<II", _find(entries), 116)
    if length >= _word(data, 0x38):  # at least the mini-stream cutoff: in sectors
        return _chain(sector, fat, start)[:length]
    mini = _chain(sector, fat, _word(entries[0], 116))  # the root entry holds the mini stream
    minifat = _ids(_chain(sector, fat, _word(data, 0x3C)))
    step = _MINI_SECTOR
    return _chain(lambda i: mini[i * step : (i + 1) * step], minifat, start)[:length]


def _fat_sectors(data: bytes, sector: Callable[[int], bytes], size: int) -> list[int]:
    """The FAT's sectors: 109 listed in the header, the rest in the DIFAT chain."""
    listed = list(struct.unpack_from("<109I", data, 0x4C))
    following, seen = _word(data, 0x44), set()
    while following < _MARKERS and following not in seen:
        seen.add(following)
        block = sector(following)
        if len(block) < size:
            break
        *more, following = struct.unpack(f"<{size // 4}I", block)
        listed += more
    return [s for s in listed if s < _MARKERS]


def _find(entries: list[bytes]) -> bytes:
    """The workbook stream's entry among the root's children (a tree of left and right
    siblings from the root's child), each entry visited once whatever the links say."""
    streams: dict[str, bytes] = {}
    todo, seen = [_word(entries[0], 76)], set()
    while todo:
        index = todo.pop()
        if index >= len(entries) or index in seen:
            continue
        seen.add(index)
        entry = entries[index]
        if entry[66] == _STREAM:
            streams.setdefault(_name(entry).casefold(), entry)
        todo += struct.unpack_from("<II", entry, 68)  # left and right siblings
    found = next((streams[n] for n in _STREAMS if n in streams), None)
    if found is None:
        raise ValueError("no workbook in the compound file")
    return found


def _name(entry: bytes) -> str:
    length = min(_word(entry, 64, "<H"), 64)
    return entry[: max(length - 2, 0)].decode("utf-16-le", "replace")


def _word(data: bytes, at: int, layout: str = "<I") -> int:
    return int(struct.unpack_from(layout, data, at)[0])


def _ids(table: bytes) -> array[int]:
    """Little-endian sector ids (4 bytes each, in an array: a large file's FAT stays small)."""
    ids = array("I", table[: len(table) // 4 * 4])
    if sys.byteorder == "big":
        ids.byteswap()
    return ids


def _chain(read: Callable[[int], bytes], table: array[int], start: int) -> bytes:
    """The sectors of a chain joined, stopping at its end, a bad id or a loop."""
    parts, seen, index = [], set(), start
    while index < min(len(table), _MARKERS) and index not in seen:
        seen.add(index)
        parts.append(read(index))
        index = table[index]
    return b"".join(parts)
