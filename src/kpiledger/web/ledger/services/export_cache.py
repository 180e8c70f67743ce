"""Generated report files kept on disk, one per state of the ledger.

A download is generated from the ledger on request. A PDF of a large report takes seconds to
lay out (about 50 ms per KPI), so each generated file is kept in the data directory under a
name that holds everything it depends on — organization, year, format, the 概ね達成 threshold
and the state of the ledger (`state.state_key`: its version and when it last changed, so a
database made anew never meets the files of the old one) — and served from there until the
ledger changes. Every worker process and every restart shares the files (the in-memory page
cache is per process and keeps nothing over 4 MiB). A file of an older state is removed when
its newer one is written. A file is written to a temporary name and renamed into place, so a
reader never sees half of one; when the folder cannot be written, the file is served all the
same, uncached.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from django.conf import settings

FOLDER = "exports"


def folder() -> Path:
    return Path(settings.DATA_DIR) / FOLDER


def cached(
    code: str, year: int, fmt: str, nearly: Decimal, state: str, render: Callable[[], bytes]
) -> bytes:
    """The file of this report and format at the ledger's `state` (`state.state_key()`): from
    disk when it was generated before, else `render()`, kept for the next request."""
    stem = f"{code}-{year}-{fmt}-{nearly}"
    path = folder() / f"{stem}-v{state}.bin"
    with contextlib.suppress(OSError):
        return path.read_bytes()
    content = render()
    with contextlib.suppress(OSError):
        _store(path, content)
        for old in path.parent.glob(f"{stem}-v*.bin"):
            if old != path:
                with contextlib.suppress(OSError):
                    old.unlink()
    return content


def _store(path: Path, content: bytes) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
