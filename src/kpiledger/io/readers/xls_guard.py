"""A guard for .xls files that python-calamine cannot survive: a sheet-size record whose first
row comes after its last makes calamine allocate terabytes and abort the whole process, so such
a file is refused (`bad-workbook`) before calamine sees it. The record is read from the
workbook stream inside the OLE2 compound file."""

from __future__ import annotations

import struct
from collections.abc import Callable

from kpiledger.core.errors import ReportError

_XLS_ROWS, _XLS_COLUMNS = 65536, 256  # the largest sheet an .xls can hold


def bad_workbook(error: BaseException) -> ReportError:
    """`bad-workbook`, with the library's own words (up to 200 characters)."""
    detail = f"{type(error).__name__}: {error}"[:200]
    return ReportError.single(
        "bad-workbook",
        f"Excelファイルを読めません（壊れているか、パスワードで保護されています）: {detail}",
        f"cannot read the workbook (damaged or password-protected): {detail}",
    )


_END_OF_CHAIN = 0xFFFFFFFA  # sector ids from here on are markers (end, free, FAT, DIFAT)


def check_dimensions(data: bytes) -> None:
    """Refuse an .xls whose recorded sheet size is impossible (first row after the last, more
    than 65536 rows or 256 columns): calamine allocates the size its DIMENSIONS record says
    before reading a cell, and a failed allocation aborts the whole process (no exception).
    The records are read from the workbook stream; without one, calamine says what is wrong."""
    stream = _workbook_stream(data)
    position = 0
    while position + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, position)
        body = stream[position + 4 : position + 4 + length]
        if kind == 0x0200 and len(body) in (10, 14):  # DIMENSIONS of BIFF5/7 or BIFF8
            layout = "<HHHH" if len(body) == 10 else "<IIHH"
            first_row, end_row, first_column, end_column = struct.unpack_from(layout, body)
            if not (
                first_row <= end_row <= _XLS_ROWS and first_column <= end_column <= _XLS_COLUMNS
            ):
                raise bad_workbook(ValueError(f"impossible sheet size {end_row}x{end_column}"))
        position += 4 + length


def _workbook_stream(data: bytes) -> bytes:
    """The `Workbook` (or `Book`) stream of an OLE2 compound file, b"" when not found."""
    if len(data) < 512 or struct.unpack_from("<H", data, 0x1E)[0] not in (9, 12):
        return b""
    size = 1 << struct.unpack_from("<H", data, 0x1E)[0]

    def sector(index: int) -> bytes:
        return data[(index + 1) * size : (index + 2) * size]

    fat_sectors = list(struct.unpack_from("<109I", data, 0x4C))
    following, seen = struct.unpack_from("<I", data, 0x44)[0], set()
    while following < _END_OF_CHAIN and following not in seen:  # the DIFAT chain
        seen.add(following)
        block = sector(following)
        if len(block) < size:
            break
        *more, following = struct.unpack(f"<{size // 4}I", block)
        fat_sectors += more
    fat = _ids(b"".join(sector(s) for s in fat_sectors if s < _END_OF_CHAIN))
    directory = _chain(sector, fat, struct.unpack_from("<I", data, 0x30)[0])
    entries = [directory[i : i + 128] for i in range(0, len(directory) - 127, 128)]
    found = [e for e in entries if e[: e[64] - 2].decode("utf-16-le", "replace") in _STREAMS]
    if not entries or not found:
        return b""
    start, length = struct.unpack_from("<II", found[0], 116)
    if length >= struct.unpack_from("<I", data, 0x38)[0]:
        return _chain(sector, fat, start)[:length]
    mini = _chain(sector, fat, struct.unpack_from("<I", entries[0], 116)[0])
    minifat = _ids(_chain(sector, fat, struct.unpack_from("<I", data, 0x3C)[0]))
    return _chain(lambda i: mini[i * 64 : (i + 1) * 64], minifat, start)[:length]


_STREAMS = ("Workbook", "Book")


def _ids(table: bytes) -> list[int]:
    return list(struct.unpack(f"<{len(table) // 4}I", table[: len(table) // 4 * 4]))


def _chain(read: Callable[[int], bytes], table: list[int], start: int) -> bytes:
    """The sectors of a chain joined, stopping at its end, a bad id or a loop."""
    parts, seen, index = [], set(), start
    while index < min(len(table), _END_OF_CHAIN) and index not in seen:
        seen.add(index)
        parts.append(read(index))
        index = table[index]
    return b"".join(parts)
