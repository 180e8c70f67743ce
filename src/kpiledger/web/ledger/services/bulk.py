"""Importing many report files at once: read in parallel, written one file per transaction.

`import_files(items)` reads and parses the files in worker processes (pure Python: one process
per core) and writes them in this process, in the order given, each in its own transaction
through the same service as a single import (`importing.writing` → `plan_import` →
`apply_import`): a file is written whole or not at all, and a bad file is reported — where and
why, in Japanese and English — while the others still go in. SQLite allows one writer at a time,
so the writing stays in one process; the reading, most of the work, runs beside it.

Files of one organization are written in the order given (a later year after an earlier one, as
one at a time would). A second file with the same organization and fiscal year as one already
written in this run, with other content, is refused (`duplicate-report`, naming the first):
which of two different reports of one year is right cannot be decided here. The same file twice
is simply unchanged the second time.

While many files are written, SQLite commits without waiting for the disk at each file
(`synchronous=NORMAL`, which in WAL mode keeps the database consistent after a crash; only the
last commits before a power loss could be lost) and the end makes everything durable with one
synced commit; PostgreSQL commits likewise (`synchronous_commit=off`). Each file's transaction
is still all or nothing.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from django.db import connection, transaction

from kpiledger.core.errors import KpiledgerError, Problem
from kpiledger.core.model import Report
from kpiledger.core.orgcode import normalize_code

CHUNK = 4  # files per task sent to a worker (fewer round trips, still a smooth progress bar)
AHEAD = 8  # tasks in flight per worker: bounds the memory held by files read but not written


@dataclass(frozen=True)
class FileToImport:
    """One file and the organization it is imported as (`name`: a new organization's name when
    the table of local governments lacks the code; `sheet`: the workbook sheet to read)."""

    path: Path
    code: str
    name: str | None = None
    sheet: str | None = None


class Status(StrEnum):
    IMPORTED = "imported"  # written (a batch recorded)
    UNCHANGED = "unchanged"  # the same file was already imported, or it changes nothing
    FAILED = "failed"  # nothing of it written; `problems` say where and why


@dataclass
class FileOutcome:
    """What became of one file (`index`: its place in the items given)."""

    index: int
    item: FileToImport
    status: Status
    problems: list[Problem] = field(default_factory=list)
    fiscal_year: int | None = None
    kpis: int = 0  # the KPI rows of the report written (0 unless imported)
    batch_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.status is not Status.FAILED


@dataclass
class BulkSummary:
    """Every file's outcome in the order given, and how long it all took."""

    outcomes: list[FileOutcome]
    seconds: float
    workers: int

    def count(self, status: Status) -> int:
        return sum(1 for o in self.outcomes if o.status is status)

    @property
    def imported(self) -> int:
        return self.count(Status.IMPORTED)

    @property
    def unchanged(self) -> int:
        return self.count(Status.UNCHANGED)

    @property
    def failed(self) -> int:
        return self.count(Status.FAILED)

    @property
    def kpis(self) -> int:
        return sum(o.kpis for o in self.outcomes)

    @property
    def ok(self) -> bool:
        return self.failed == 0


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
    start = time.perf_counter()
    count = _worker_count(workers, len(items))
    outcomes: list[FileOutcome] = []
    written: dict[tuple[str, int], tuple[Path, str]] = {}  # (code, year) → (file, digest)
    with _fast_commits(not dry_run and bool(items)):
        for index, read in _read_all(items, count):
            outcome = _outcome(index, items[index], read, written, dry_run)
            outcomes.append(outcome)
            if on_done is not None:
                on_done(outcome)
    return BulkSummary(outcomes, time.perf_counter() - start, count)


# --- reading (in worker processes) ---------------------------------------------------------------

Read = tuple[bytes, Report] | list[Problem]  # the file's bytes and report, or why it failed


def read_file(path: str, sheet: str | None) -> Read:
    """Read and parse one file; every failure becomes problems (never an exception: one bad file
    must not stop a worker)."""
    from kpiledger.io.readers import read_bytes, read_report_bytes

    try:
        content = read_bytes(Path(path))
        return content, read_report_bytes(content, Path(path).name, sheet=sheet)
    except KpiledgerError as error:
        return error.problems
    except Exception as error:  # a reader's defect: reported for this file, the others go on
        return [_unexpected(error)]


def _read_chunk(tasks: list[tuple[str, str | None]]) -> list[Read]:
    return [read_file(path, sheet) for path, sheet in tasks]


def _read_all(items: Sequence[FileToImport], workers: int) -> Iterator[tuple[int, Read]]:
    """(index, read) for every item, in order; read by `workers` processes, a bounded number of
    files ahead of the writing."""
    tasks = [(str(item.path), item.sheet) for item in items]
    if workers <= 1:
        for index, (path, sheet) in enumerate(tasks):
            yield index, read_file(path, sheet)
        return
    chunks = [tasks[i : i + CHUNK] for i in range(0, len(tasks), CHUNK)]
    with ProcessPoolExecutor(workers, mp_context=_context()) as pool:
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


def _context():  # type: ignore[no-untyped-def]
    """fork where there is one (the workers inherit the loaded readers and start at once; they
    never touch the database); else spawn."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _worker_count(workers: int | None, files: int) -> int:
    if workers is None:
        affinity = getattr(os, "sched_getaffinity", None)
        workers = len(affinity(0)) if affinity else os.cpu_count() or 1
    return max(1, min(workers, files))


# --- writing (in this process) -------------------------------------------------------------------


def _outcome(
    index: int,
    item: FileToImport,
    read: Read,
    written: dict[tuple[str, int], tuple[Path, str]],
    dry_run: bool,
) -> FileOutcome:
    if isinstance(read, list):
        return FileOutcome(index, item, Status.FAILED, read)
    content, report = read
    outcome = FileOutcome(index, item, Status.FAILED, fiscal_year=report.fiscal_year)
    code = item.code
    try:
        code = normalize_code(code)
        _check_duplicate(written, code, report.fiscal_year, item.path, content)
        if dry_run:
            _plan_only(outcome, code, report, content)
        else:
            _write(outcome, code, report, content)
    except KpiledgerError as error:
        outcome.problems = error.problems
    except Exception as error:  # e.g. a database error: this file's transaction is rolled back
        outcome.problems = [_unexpected(error)]
    if outcome.ok:
        written[code, report.fiscal_year] = (item.path, _digest(content))
    return outcome


def _write(outcome: FileOutcome, code: str, report: Report, content: bytes) -> None:
    """One transaction: plan against the ledger as it is, then write (as `kpiledger import`)."""
    from kpiledger.web.ledger.services import importing

    with importing.writing(code, outcome.item.name) as organization:
        plan = importing.plan_import(organization, report, content)
        if plan.already_imported:
            outcome.status = Status.UNCHANGED
            return
        file_name = outcome.item.path.name
        batch = importing.apply_import(plan, file_name=file_name, content=content)
    outcome.status = Status.UNCHANGED if plan.is_empty else Status.IMPORTED
    outcome.batch_id = batch.pk if batch else None
    outcome.kpis = len(report.kpis) if outcome.status is Status.IMPORTED else 0


def _plan_only(outcome: FileOutcome, code: str, report: Report, content: bytes) -> None:
    from kpiledger.web.ledger.services import importing

    plan = importing.plan_import(
        importing.organization_for(code, outcome.item.name), report, content
    )
    outcome.status = Status.UNCHANGED if plan.already_imported or plan.is_empty else Status.IMPORTED
    outcome.kpis = len(report.kpis) if outcome.status is Status.IMPORTED else 0


def _check_duplicate(
    written: dict[tuple[str, int], tuple[Path, str]],
    code: str,
    year: int,
    path: Path,
    content: bytes,
) -> None:
    earlier = written.get((code, year))
    if earlier is None or earlier[1] == _digest(content):
        return
    raise KpiledgerError.single(
        "duplicate-report",
        f"団体 {code} の{year}年度の報告書は、この取込で既に {earlier[0]} から取り込みました。"
        "どちらが正しいか決められないため、このファイルは取り込みません",
        f"the FY{year} report of organization {code} was already imported in this run from"
        f" {earlier[0]}; which of the two is right cannot be decided, so this file is not"
        " imported",
    )


def _digest(content: bytes) -> str:
    import hashlib

    return hashlib.sha256(content).hexdigest()


def _unexpected(error: BaseException) -> Problem:
    what = f"{type(error).__name__}: {str(error).strip().splitlines()[0] if str(error) else ''}"
    return Problem(
        "import-failed",
        f"このファイルの取込中に予期しないエラーが起きました（{what}）",
        f"an unexpected error occurred while importing this file ({what})",
    )


@contextlib.contextmanager
def _fast_commits(enabled: bool) -> Iterator[None]:
    """Commits that do not wait for the disk while many files are written, then one that does
    (see the module's docstring). Left as is inside a caller's transaction."""
    if not enabled or connection.in_atomic_block:
        yield
        return
    if connection.vendor == "sqlite":
        with _sqlite_pragmas(synchronous="NORMAL", cache_size="-65536"):
            yield
        _durable()
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
            _durable()
    else:
        yield


@contextlib.contextmanager
def _sqlite_pragmas(**values: str) -> Iterator[None]:
    with connection.cursor() as cursor:
        before = {}
        for name, value in values.items():
            cursor.execute(f"PRAGMA {name}")
            before[name] = cursor.fetchone()[0]
            cursor.execute(f"PRAGMA {name} = {value}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for name, value in before.items():
                cursor.execute(f"PRAGMA {name} = {value}")


def _durable() -> None:
    """One commit with the usual guarantee: on SQLite it syncs the whole write-ahead log, so
    every file written before is on disk."""
    from kpiledger.web.ledger import models as m

    with transaction.atomic():
        m.LedgerVersion.bump()
