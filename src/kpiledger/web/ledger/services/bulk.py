"""Importing many report files at once: read in parallel, each file written all or nothing.

`import_files(items)` reads and parses the files in worker processes (pure Python: one process
per core) and writes them in this process, in the order given. A bad file is reported — where
and why, in Japanese and English — while the others still go in. SQLite allows one writer at a
time, so the writing stays in one process; the reading, most of the work, runs beside it.

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

While many files are written, SQLite commits without waiting for the disk at each transaction
(`synchronous=NORMAL`, which in WAL mode keeps the database consistent after a crash; only the
last commits before a power loss could be lost) and the end makes everything durable with one
synced commit; PostgreSQL commits likewise (`synchronous_commit=off`). Each transaction is still
all or nothing.
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
from typing import TYPE_CHECKING, TypeAlias

from django.db import connection, transaction

from kpiledger.core.errors import KpiledgerError, Problem
from kpiledger.core.model import Report
from kpiledger.core.orgcode import normalize_code

if TYPE_CHECKING:
    from kpiledger.web.ledger.services.fresh_rows import FreshFile

CHUNK = 4  # files per task sent to a worker (fewer round trips, still a smooth progress bar)
AHEAD = 8  # tasks in flight per worker: bounds the memory held by files read but not written
FRESH_BATCH = 100  # files of new organizations written in one transaction (`fresh_write`)


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
    from kpiledger.web.ledger.services.fresh_rows import FreshFile

    start = time.perf_counter()
    count = _worker_count(workers, len(items))
    outcomes: list[FileOutcome] = []
    written: dict[tuple[str, int], tuple[Path, str]] = {}  # (code, year) → (file, digest)
    pending: list[tuple[int, FreshFile]] = []

    def done(outcome: FileOutcome) -> None:
        outcomes.append(outcome)
        if on_done is not None:
            on_done(outcome)

    def flush() -> None:
        for outcome in _write_fresh(pending, items, written):
            done(outcome)
        pending.clear()

    with _fast_commits(not dry_run and bool(items)):
        fresh = _fresh_candidates(items) if not dry_run and items else {}
        known = _imported_digests(items) if items else {}
        for index, read in _read_all(items, count, fresh, known):
            if isinstance(read, FreshFile):
                pending.append((index, read))
                if len(pending) >= FRESH_BATCH:
                    flush()
                continue
            flush()
            done(_outcome(index, items[index], read, written, dry_run))
        flush()
    return BulkSummary(outcomes, time.perf_counter() - start, count)


# --- reading (in worker processes) ---------------------------------------------------------------

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
        if known and (digest := _digest(content)) in known:
            return Unchanged(digest, known[digest])
        report = read_report_bytes(content, Path(path).name, sheet=sheet)
    except KpiledgerError as error:
        return error.problems
    except Exception as error:  # a reader's defect: reported for this file, the others go on
        return [_unexpected(error)]
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


def _read_chunk(tasks: list[Task]) -> list[Read]:
    return [read_file(*task) for task in tasks]


def _read_all(
    items: Sequence[FileToImport],
    workers: int,
    fresh: dict[int, Fresh],
    known: dict[str, dict[str, int]] | None = None,
) -> Iterator[tuple[int, Read]]:
    """(index, read) for every item, in order; read by `workers` processes, a bounded number of
    files ahead of the writing."""
    known = known or {}
    tasks = [
        (str(item.path), item.sheet, fresh.get(i), known.get(_code_or_none(item.code)))
        for i, item in enumerate(items)
    ]
    if workers <= 1:
        for index, task in enumerate(tasks):
            yield index, read_file(*task)
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


def _context() -> multiprocessing.context.BaseContext:
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


def _fresh_candidates(items: Sequence[FileToImport]) -> dict[int, Fresh]:
    """Index → (code, name) of the files taken by the bulk path: the first file of each
    organization that has nothing in the ledger (no projects, report years or imports)."""
    from kpiledger.web.ledger import models as m
    from kpiledger.web.ledger.services import fresh_write

    if not fresh_write.supported():
        return {}
    first: dict[str, int] = {}
    for index, item in enumerate(items):
        try:
            first.setdefault(normalize_code(item.code), index)
        except KpiledgerError:
            continue
    applied = m.ImportBatch.objects.filter(status=m.ImportBatch.Status.APPLIED)
    busy: set[str] = set()
    for rows in (m.Project.objects, m.FiscalYear.objects, applied):
        busy.update(rows.values_list("organization__code", flat=True).distinct())
    text = connection.vendor == "sqlite"
    return {i: (code, items[i].name, text) for code, i in first.items() if code not in busy}


def _code_or_none(code: str) -> str:
    """The code normalized, '' when it is not valid."""
    try:
        return normalize_code(code)
    except KpiledgerError:
        return ""


def _imported_digests(items: Sequence[FileToImport]) -> dict[str, dict[str, int]]:
    """Code → {digest: year} of the latest applied import of each year of each organization
    (one query): a file among them is unchanged, as `plan_import` would find it. A snapshot
    taken before the first file is read: an import of another process committed meanwhile is
    as if it had come after this one's."""
    from kpiledger.web.ledger import models as m

    latest: dict[tuple[str, int], str] = {}
    batches = (
        m.ImportBatch.objects.filter(status=m.ImportBatch.Status.APPLIED)
        .order_by("applied_at", "id")
        .values_list("organization__code", "fiscal_year", "sha256")
    )
    for code, year, digest in batches:  # the latest of a year last
        latest[code, year] = digest
    known: dict[str, dict[str, int]] = {}
    for (code, year), digest in latest.items():
        known.setdefault(code, {})[digest] = year
    return known


def _unchanged(
    index: int,
    item: FileToImport,
    read: Unchanged,
    written: dict[tuple[str, int], tuple[Path, str]],
) -> FileOutcome:
    outcome = FileOutcome(index, item, Status.FAILED, fiscal_year=read.fiscal_year)
    code = normalize_code(item.code)  # valid: the ledger has an organization with it
    earlier = written.get((code, read.fiscal_year))
    if earlier is not None and earlier[1] != read.digest:
        outcome.problems = _duplicate(code, read.fiscal_year, earlier[0]).problems
        return outcome
    outcome.status = Status.UNCHANGED
    written[code, read.fiscal_year] = (item.path, read.digest)
    return outcome


def _write_fresh(
    pending: list[tuple[int, FreshFile]],
    items: Sequence[FileToImport],
    written: dict[tuple[str, int], tuple[Path, str]],
) -> list[FileOutcome]:
    """Write the files of the bulk path in one transaction; when that fails, one file at a time
    (a bad file fails alone). A file whose organization has data by now takes the careful path."""
    from kpiledger.web.ledger.services import fresh_write

    if not pending:
        return []
    try:
        batches: list[int | None] | None = fresh_write.write_files([f for _, f in pending])
    except Exception:
        batches = None
    outcomes = []
    for position, (index, file) in enumerate(pending):
        item = items[index]
        if batches is None:
            outcome = _fresh_one(index, item, file, written)
        elif batches[position] is None:
            outcome = _outcome(index, item, read_file(str(item.path), item.sheet), written, False)
        else:
            outcome = _imported(index, item, file, batches[position])
        if outcome.ok and outcome.fiscal_year is not None:
            written.setdefault((file.code, file.fiscal_year), (item.path, file.sha256))
        outcomes.append(outcome)
    return outcomes


def _fresh_one(
    index: int,
    item: FileToImport,
    file: FreshFile,
    written: dict[tuple[str, int], tuple[Path, str]],
) -> FileOutcome:
    from kpiledger.web.ledger.services import fresh_write

    try:
        (batch_id,) = fresh_write.write_files([file])
    except KpiledgerError as error:
        return FileOutcome(index, item, Status.FAILED, error.problems, file.fiscal_year)
    except Exception as error:  # e.g. a database error: this file's transaction is rolled back
        return FileOutcome(index, item, Status.FAILED, [_unexpected(error)], file.fiscal_year)
    if batch_id is None:  # its organization has data by now: the careful path
        read = read_file(str(item.path), item.sheet)
        return _outcome(index, item, read, written, False)
    return _imported(index, item, file, batch_id)


def _imported(index: int, item: FileToImport, file: FreshFile, batch_id: int | None) -> FileOutcome:
    return FileOutcome(
        index,
        item,
        Status.IMPORTED,
        fiscal_year=file.fiscal_year,
        kpis=file.kpis,
        batch_id=batch_id,
    )


def _outcome(
    index: int,
    item: FileToImport,
    read: Read,
    written: dict[tuple[str, int], tuple[Path, str]],
    dry_run: bool,
) -> FileOutcome:
    if isinstance(read, list):
        return FileOutcome(index, item, Status.FAILED, read)
    if isinstance(read, Unchanged):
        return _unchanged(index, item, read, written)
    if not isinstance(read, tuple):  # rows of the bulk path: read again for the careful one
        read = read_file(str(item.path), item.sheet)
        return _outcome(index, item, read, written, dry_run)
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
    raise _duplicate(code, year, earlier[0])


def _duplicate(code: str, year: int, earlier: Path) -> KpiledgerError:
    return KpiledgerError.single(
        "duplicate-report",
        f"団体 {code} の{year}年度の報告書は、この取込で既に {earlier} から取り込みました。"
        "どちらが正しいか決められないため、このファイルは取り込みません",
        f"the FY{year} report of organization {code} was already imported in this run from"
        f" {earlier}; which of the two is right cannot be decided, so this file is not"
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
