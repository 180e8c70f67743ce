"""Loading the national synthetic dataset (`kpiledger.io.synthetic_files`) into the ledger: its
report files through the bulk import (`bulk.import_files`: each file all or nothing, a bad file
reported while the others go in), then every organization's synthetic population in one bulk
update (its kana and kind come from the table of local governments when the import creates
it).

The dataset never mixes with other data (`check_ledger`): it goes into a ledger that is empty or
holds only this same dataset, or a part of it (an earlier run of the same command, perhaps
interrupted): the same seed and main format, so the same files, and no organization, import or
project besides. Then the files already imported are unchanged and the others go in. Anything
else is refused (`ledger-not-empty`) before a file or a row is written."""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count
from simple_history.utils import bulk_update_with_history

from kpiledger.core.errors import KpiledgerError, Problem
from kpiledger.io.synthetic import REPORT_YEAR, Organization
from kpiledger.io.synthetic_files import Written
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services.bulk import BulkSummary, FileOutcome, FileToImport, import_files

POPULATION_REASON = "合成データの人口 / synthetic population (demo-data)"


@dataclass(frozen=True)
class Expected:
    """What the ledger may hold of one organization of the dataset: the name of its report
    file and, once the files are made, the file's SHA-256 and its number of projects."""

    file_name: str
    sha256: str | None = None
    projects: int | None = None


def check_ledger(expected: Mapping[str, Expected], what: tuple[str, str]) -> None:
    """Refuse (`ledger-not-empty`) a ledger that holds anything but (a part of) this dataset:
    an organization not in `expected` (by code), an import that is not this dataset's file of
    its organization (name; digest when given), a project of an organization without one, or
    more projects than the file has. `what`: the dataset in words (Japanese, English).

    Called twice, both before anything is written: before the files are made (by names, and
    the digest of one file: cheap, catches another format, subset or seed) and after (every
    digest)."""
    reasons: list[tuple[str, str]] = []
    rows = m.Organization.objects.order_by("code").values_list("code", "name")
    others = [f"{code} {name}" for code, name in rows if code not in expected]
    if others:
        reasons.append(
            (
                f"この合成データにない団体 {len(others):,}（{others[0]} など）",
                f"{len(others):,} organizations not in this dataset ({others[0]}, …)",
            )
        )
    imported: dict[str, str] = {}
    foreign: list[str] = []
    batches = m.ImportBatch.objects.order_by("id").values_list(
        "organization__code", "org_code", "status", "fiscal_year", "file_name", "sha256"
    )
    for code, org_code, status, year, file_name, digest in batches:
        want = expected.get(code or "")
        if (
            code is None
            or want is None
            or code in imported
            or status != m.ImportBatch.Status.APPLIED
            or year != REPORT_YEAR
            or file_name != want.file_name
            or (want.sha256 is not None and digest != want.sha256)
        ):
            foreign.append(f"{code or org_code} {file_name}")
        else:
            imported[code] = digest
    if foreign:
        reasons.append(
            (
                f"この合成データのファイルではない取込 {len(foreign):,}件（{foreign[0]} など）",
                f"{len(foreign):,} imports of other files ({foreign[0]}, …)",
            )
        )
    projects = dict(
        m.Project.objects.order_by()
        .values_list("organization__code")
        .annotate(n=Count("id"))
        .values_list("organization__code", "n")
    )
    extra = sorted(
        code
        for code, n in projects.items()
        if code not in imported
        or (expected[code].projects is not None and n > (expected[code].projects or 0))
    )
    if extra:
        reasons.append(
            (
                f"この合成データの取込によらない事業がある団体 {len(extra):,}（{extra[0]} など）",
                f"{len(extra):,} organizations with projects not from this dataset's files"
                f" ({extra[0]}, …)",
            )
        )
    if reasons:
        ja = "、".join(r[0] for r in reasons)
        en = "; ".join(r[1] for r in reasons)
        raise KpiledgerError([_not_empty((ja, en), what)])


def first_imported(codes: Container[str]) -> str | None:
    """The first organization among `codes` the ledger has an import of (to check one file
    of the dataset against the ledger before making them all), or None."""
    rows = m.ImportBatch.objects.filter(organization__isnull=False).order_by("id")
    return next((c for c in rows.values_list("organization__code", flat=True) if c in codes), None)


def _not_empty(reason: tuple[str, str], what: tuple[str, str]) -> Problem:
    return Problem(
        "ledger-not-empty",
        f"台帳には既に{what[0]}以外のデータがあります（{reason[0]}）。合成データは他のデータと"
        "混ぜないため、ファイルも台帳も何も書いていません。空の台帳に取り込むには別のデータフォルダを"
        "指定してください（例: KPILEDGER_DATA_DIR=$(mktemp -d) kpiledger demo-data --national）。"
        "ファイルだけを作るには --no-ledger を付けてください",
        f"the ledger already holds data other than {what[1]} ({reason[1]}); synthetic data is"
        " never mixed with other data, so no file and nothing of the ledger was written. To load"
        " it into an empty ledger, use another data directory (e.g. KPILEDGER_DATA_DIR=$(mktemp"
        " -d) kpiledger demo-data --national); to write the files only, add --no-ledger",
    )


def load_dataset(
    files: Sequence[Written],
    organizations: Sequence[Organization],
    *,
    workers: int | None = None,
    on_done: Callable[[FileOutcome], None] | None = None,
) -> BulkSummary:
    """Import the report files, then set the organizations' populations."""
    items = [FileToImport(w.path, w.code, w.name) for w in files]
    summary = import_files(items, workers=workers, on_done=on_done)
    set_populations(organizations)
    return summary


def set_populations(organizations: Sequence[Organization]) -> int:
    """Give each organization of the ledger with one of these codes its synthetic population
    (one bulk update, with history); returns how many changed."""
    wanted = {o.code: o.population for o in organizations}
    rows = list(m.Organization.objects.filter(code__in=list(wanted)).order_by("code"))
    changed = [row for row in rows if row.population != wanted[row.code]]
    for row in changed:
        row.population = wanted[row.code]
        row._change_reason = POPULATION_REASON  # type: ignore[attr-defined]
    with transaction.atomic():
        bulk_update_with_history(
            changed,
            m.Organization,
            ["population"],
            batch_size=500,
            default_change_reason=POPULATION_REASON,
        )
    return len(changed)
