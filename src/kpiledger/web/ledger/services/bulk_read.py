"""The reading side of a bulk import: what a worker process does with one file, and the pool of
workers reading a bounded number of files ahead of the writing.

A worker reads the file's bytes; a file that is its organization's latest import of its year,
byte for byte, is `Unchanged` (not even parsed); else it parses the report and, for the first
file of an organization new to the ledger (`Fresh`), makes its rows and stored judgements
(`fresh_rows`: the writing process only inserts them). Every failure becomes problems, never an
exception: one bad file must not stop a worker. The workers never touch the database.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from kpiledger.core.errors import KpiledgerError, Problem
from kpiledger.core.model import Report
from kpiledger.core.orgcode import normalize_code
from kpiledger.web.forking import frozen_heap
from kpiledger.web.ledger.services.bulk_outcomes import FileToImport, digest, unexpected

if TYPE_CHECKING:
    from kpiledger.web.ledger.services.fresh_rows import FreshFile

CHUNK = 4  # files per task sent to a worker (fewer round trips, still a smooth progress bar)
# Tasks in flight per worker: enough to keep the workers reading while the writer writes a batch
# of `FRESH_BATCH` files, few enough to bound the memory held by files read but not written.
AHEAD = 16
GC_SCALE = 10  # a worker's first garbage collection threshold, times this process's

# The file's bytes and report, or its rows for an organization new to the ledger
# (`fresh_rows`), or why it failed.
Read: TypeAlias = "tuple[bytes, Report] | FreshFile | Unchanged | list[Problem]"
# a new organization's code and name, and whether Decimals go to the database as text (SQLite)
Fresh = tuple[str, str | None, bool]
Task = tuple[str, str | None, Fresh | None, dict[str, int] | None]


@dataclass(frozen=True)
class Unchanged:
    """A file that is its organization's latest import of its year, byte for byte: not even
    parsed (`digest`: its SHA-256)."""

    digest: str
    fiscal_year: int


def read_file(
    path: str,
    sheet: str | None,
    fresh: Fresh | None = None,
    known: dict[str, int] | None = None,
) -> Read:
    """Read and parse one file; with `fresh` (its organization has nothing in the ledger), make
    its rows; a file whose digest is in `known` (digest → year: its organization's latest
    import of each year) is Unchanged. Every failure becomes problems (never an exception: one
    bad file must not stop a worker)."""
    from kpiledger.io.readers import read_bytes, read_report_bytes

    try:
        content = read_bytes(Path(path))
        if known and (found := digest(content)) in known:
            return Unchanged(found, known[found])
        report = read_report_bytes(content, Path(path).name, sheet=sheet)
    except KpiledgerError as error:
        return error.problems
    except Exception as error:  # a reader's defect: reported for this file, the others go on
        return [unexpected(error)]
    if fresh is not None:
        from kpiledger.web.ledger.services.fresh_rows import fresh_rows

        try:
            code, name, text = fresh
            rows = fresh_rows(report, content, code, name, Path(path).name, decimals_as_text=text)
        except KpiledgerError as error:
            return error.problems
        except Exception:  # a defect of the bulk path: the careful path decides
            rows = None
        if rows is not None:
            return rows
    return content, report


def read_again(item: FileToImport) -> Read:
    """The file read for the careful path (its bytes and report), in this process."""
    return read_file(str(item.path), item.sheet)


def read_all(
    items: Sequence[FileToImport],
    workers: int,
    fresh: dict[int, Fresh],
    known: dict[str, dict[str, int]] | None = None,
) -> Iterator[tuple[int, Read]]:
    """(index, read) for every item, in order; read by `workers` processes, a bounded number of
    files ahead of the writing (`workers` 1: in this process)."""
    known = known or {}
    tasks = [
        (str(item.path), item.sheet, fresh.get(i), known.get(code_or_none(item.code)))
        for i, item in enumerate(items)
    ]
    if workers <= 1:
        for index, task in enumerate(tasks):
            yield index, read_file(*task)
        return
    chunks = [tasks[i : i + CHUNK] for i in range(0, len(tasks), CHUNK)]
    _preload(any(task[2] is not None for task in tasks))
    context = _context()
    with (
        frozen_heap(),
        ProcessPoolExecutor(workers, context, gc.set_threshold, worker_thresholds()) as pool,
    ):
        pending: deque[Future[list[Read]]] = deque()
        submitted = 0
        index = 0
        while index < len(tasks):
            while submitted < len(chunks) and len(pending) < workers * AHEAD:
                pending.append(pool.submit(_read_chunk, chunks[submitted]))
                submitted += 1
            for read in pending.popleft().result():
                yield index, read
                index += 1


def _read_chunk(tasks: list[Task]) -> list[Read]:
    return [read_file(*task) for task in tasks]


def worker_thresholds() -> tuple[int, int, int]:
    """A worker's garbage collection thresholds: the first `GC_SCALE` times this process's.
    What a worker makes for a file is freed when the file is done (reference counting), so
    frequent passes find little."""
    first, second, third = gc.get_threshold()
    return (first * GC_SCALE, second, third)


def _preload(fresh: bool) -> None:
    """Load here, once, what every worker needs (the readers; the tables' columns of the bulk
    path): forked workers inherit it instead of each loading it again."""
    import kpiledger.io.readers  # noqa: F401
    from kpiledger.io.readers import own_tables, table  # noqa: F401

    if fresh:
        from kpiledger.web.ledger.services.fresh_rows import specs

        specs()


def _context() -> multiprocessing.context.BaseContext:
    """fork where there is one (the workers inherit the loaded readers and start at once; they
    never touch the database); else spawn."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def worker_count(workers: int | None, files: int) -> int:
    """The reading processes: as asked, else one per usable core; never more than the files,
    never fewer than one."""
    if workers is None:
        affinity = getattr(os, "sched_getaffinity", None)
        workers = len(affinity(0)) if affinity else os.cpu_count() or 1
    return max(1, min(workers, files))


def code_or_none(code: str) -> str:
    """The code normalized, '' when it is not valid."""
    try:
        return normalize_code(code)
    except KpiledgerError:
        return ""
