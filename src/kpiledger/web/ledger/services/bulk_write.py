"""The writing side of a bulk import (in the importing process): which files take the bulk path,
writing them a batch at a time, and writing every other file the careful way; each file's
outcome.

- The bulk path: the first file of each organization that has nothing in the ledger (no
  projects, report years or imports). Its rows come ready from the worker (`fresh_rows`) and
  `FRESH_BATCH` files are written in one transaction (`fresh_write`). When that transaction
  fails, its files are written again one per transaction, so a bad file fails alone; a file
  whose organization has data by the time it is written goes the careful way.
- The careful path: one transaction per file through the same service as a single import
  (`importing.writing` → `plan_import` → `apply_import`).

`Written` remembers each (organization, year) written in this run and from which file: a
second, different report of one year is refused (`duplicate-report`); the same file again is
unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import connection

from kpiledger.core.errors import KpiledgerError
from kpiledger.core.model import Report
from kpiledger.core.orgcode import normalize_code
from kpiledger.web.ledger.services.bulk_outcomes import (
    FileOutcome,
    FileToImport,
    Status,
    digest,
    duplicate,
    unexpected,
)
from kpiledger.web.ledger.services.bulk_read import Fresh, Read, Unchanged, read_again

if TYPE_CHECKING:
    from kpiledger.web.ledger.services.fresh_rows import FreshFile

FRESH_BATCH = 100  # files of new organizations written in one transaction (`fresh_write`)

# (code, year) → (the file written, its digest)
Written = dict[tuple[str, int], tuple[Path, str]]


def fresh_candidates(items: Sequence[FileToImport]) -> dict[int, Fresh]:
    """Index → (code, name, Decimals as text) of the files taken by the bulk path: the first
    file of each organization that has nothing in the ledger (no projects, report years or
    imports)."""
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


def imported_digests(items: Sequence[FileToImport]) -> dict[str, dict[str, int]]:
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
    for code, year, sha256 in batches:  # the latest of a year last
        latest[code, year] = sha256
    known: dict[str, dict[str, int]] = {}
    for (code, year), sha256 in latest.items():
        known.setdefault(code, {})[sha256] = year
    return known


# --- the bulk path ------------------------------------------------------------------------------


def write_fresh(
    pending: list[tuple[int, FreshFile]], items: Sequence[FileToImport], written: Written
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
            outcome = outcome_of(index, item, read_again(item), written, False)
        else:
            outcome = _imported(index, item, file, batches[position])
        if outcome.ok and outcome.fiscal_year is not None:
            written.setdefault((file.code, file.fiscal_year), (item.path, file.sha256))
        outcomes.append(outcome)
    return outcomes


def _fresh_one(index: int, item: FileToImport, file: FreshFile, written: Written) -> FileOutcome:
    from kpiledger.web.ledger.services import fresh_write

    try:
        (batch_id,) = fresh_write.write_files([file])
    except KpiledgerError as error:
        return FileOutcome(index, item, Status.FAILED, error.problems, file.fiscal_year)
    except Exception as error:  # e.g. a database error: this file's transaction is rolled back
        return FileOutcome(index, item, Status.FAILED, [unexpected(error)], file.fiscal_year)
    if batch_id is None:  # its organization has data by now: the careful path
        return outcome_of(index, item, read_again(item), written, False)
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


# --- the careful path ---------------------------------------------------------------------------


def outcome_of(
    index: int, item: FileToImport, read: Read, written: Written, dry_run: bool
) -> FileOutcome:
    """Write one file read (or, with `dry_run`, plan it only), one transaction."""
    if isinstance(read, list):
        return FileOutcome(index, item, Status.FAILED, read)
    if isinstance(read, Unchanged):
        return _unchanged(index, item, read, written)
    if not isinstance(read, tuple):  # rows of the bulk path: read again for the careful one
        return outcome_of(index, item, read_again(item), written, dry_run)
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
        outcome.problems = [unexpected(error)]
    if outcome.ok:
        written[code, report.fiscal_year] = (item.path, digest(content))
    return outcome


def _unchanged(index: int, item: FileToImport, read: Unchanged, written: Written) -> FileOutcome:
    outcome = FileOutcome(index, item, Status.FAILED, fiscal_year=read.fiscal_year)
    code = normalize_code(item.code)  # valid: the ledger has an organization with it
    earlier = written.get((code, read.fiscal_year))
    if earlier is not None and earlier[1] != read.digest:
        outcome.problems = duplicate(code, read.fiscal_year, earlier[0]).problems
        return outcome
    outcome.status = Status.UNCHANGED
    written[code, read.fiscal_year] = (item.path, read.digest)
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


def _check_duplicate(written: Written, code: str, year: int, path: Path, content: bytes) -> None:
    earlier = written.get((code, year))
    if earlier is None or earlier[1] == digest(content):
        return
    raise duplicate(code, year, earlier[0])
