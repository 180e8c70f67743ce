"""What a bulk import (`bulk.import_files`) takes and gives back: the files with their
organizations, each file's outcome, the summary; and the problems every part of it reports
(an unexpected error, a second report of one year) in Japanese and English.

Pure Python: imported by the reading processes as well as by the writing one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from kpiledger.core.errors import KpiledgerError, Problem


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


def digest(content: bytes) -> str:
    """A file's SHA-256, as its import batch keeps it."""
    return hashlib.sha256(content).hexdigest()


def unexpected(error: BaseException) -> Problem:
    """`import-failed`: an error nobody foresaw (a reader's defect, a database error), named."""
    what = f"{type(error).__name__}: {str(error).strip().splitlines()[0] if str(error) else ''}"
    return Problem(
        "import-failed",
        f"このファイルの取込中に予期しないエラーが起きました（{what}）",
        f"an unexpected error occurred while importing this file ({what})",
    )


def duplicate(code: str, year: int, earlier: Path) -> KpiledgerError:
    """`duplicate-report`: a second, different report of one organization's year in a run."""
    return KpiledgerError.single(
        "duplicate-report",
        f"団体 {code} の{year}年度の報告書は、この取込で既に {earlier} から取り込みました。"
        "どちらが正しいか決められないため、このファイルは取り込みません",
        f"the FY{year} report of organization {code} was already imported in this run from"
        f" {earlier}; which of the two is right cannot be decided, so this file is not"
        " imported",
    )
