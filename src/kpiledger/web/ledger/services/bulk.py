"""Importing many report files at once: read in parallel, each file written all or nothing.

`import_files(items)` reads and parses the files in worker processes (pure Python: one process
per core; `bulk_read`) and writes them in this process, in the order given (`bulk_write`). A
bad file is reported — where and why, in Japanese and English — while the others still go in.
SQLite allows one writer at a time, so the writing stays in one process; the reading, most of
the work, runs beside it.

Two ways of writing, with the same rows as the result:
- the bulk path, for the first file of each organization that has nothing in the ledger (no
  projects, report years or imports: the whole nation's first import). Its worker also makes
  the file's rows and stored judgements (`fresh_rows`: nothing to compare with, so no plan is
  needed) and the files are written `FRESH_BATCH` at a time, one statement per table
  (`fresh_write`), in one transaction. Everything that can refuse a file is checked in the
  worker; when the transaction fails anyway (a database error, another import creating one of
  the organizations meanwhile), its files are written again one per transaction, so a bad file
  fails alone. An organization that has data by the time it is written goes the careful way;
- the careful path, for every other file: one transaction per file through the same service as
  a single import (`importing.writing` → `plan_import` → `apply_import`).

Files of one organization are written in the order given (a later year after an earlier one, as
one at a time would). A second file with the same organization and fiscal year as one already
written in this run, with other content, is refused (`duplicate-report`, naming the first):
which of two different reports of one year is right cannot be decided here. The same file twice
is simply unchanged the second time.

While many files are written, commits do not wait for the disk; the end makes everything durable
with one synced commit (`bulk_commit`). Each transaction is still all or nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from kpiledger.web.ledger.services import bulk_read, bulk_write
from kpiledger.web.ledger.services.bulk_commit import fast_commits
from kpiledger.web.ledger.services.bulk_outcomes import (
    BulkSummary,
    FileOutcome,
    FileToImport,
    Status,
)

__all__ = ["BulkSummary", "FileOutcome", "FileToImport", "Status", "import_files"]


def import_files(
    items: Sequence[FileToImport],
    *,
    workers: int | None = None,
    on_done: Callable[[FileOutcome], None] | None = None,
    dry_run: bool = False,
) -> BulkSummary:
    """Import every file (see the module's docstring); `on_done` is called in this process after
    each file, in the order given. `workers`: reading processes (default: one per usable core;
    1 reads in this process). `dry_run` plans each file against the ledger and writes nothing."""
    from kpiledger.web.ledger.services.fresh_rows import FreshFile

    start = time.perf_counter()
    count = bulk_read.worker_count(workers, len(items))
    outcomes: list[FileOutcome] = []
    written: bulk_write.Written = {}
    pending: list[tuple[int, FreshFile]] = []

    def done(outcome: FileOutcome) -> None:
        outcomes.append(outcome)
        if on_done is not None:
            on_done(outcome)

    def flush() -> None:
        for outcome in bulk_write.write_fresh(pending, items, written):
            done(outcome)
        pending.clear()

    with fast_commits(not dry_run and bool(items)):
        fresh = bulk_write.fresh_candidates(items) if not dry_run and items else {}
        known = bulk_write.imported_digests(items) if items else {}
        for index, read in bulk_read.read_all(items, count, fresh, known):
            if isinstance(read, FreshFile):
                pending.append((index, read))
                if len(pending) >= bulk_write.FRESH_BATCH:
                    flush()
                continue
            flush()
            done(bulk_write.outcome_of(index, items[index], read, written, dry_run))
        flush()
    return BulkSummary(outcomes, time.perf_counter() - start, count)
