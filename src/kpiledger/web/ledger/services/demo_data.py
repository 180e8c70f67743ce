"""Loading the national synthetic dataset (`kpiledger.io.synthetic_files`) into the ledger: its
report files through the bulk import (`bulk.import_files`: each file all or nothing, a bad file
reported while the others go in), then every organization's synthetic population in one bulk
update (its kana and kind come from the table of local governments when the import creates
it)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import transaction
from simple_history.utils import bulk_update_with_history

from kpiledger.io.synthetic import Organization
from kpiledger.io.synthetic_files import Written
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services.bulk import BulkSummary, FileOutcome, FileToImport, import_files

POPULATION_REASON = "合成データの人口 / synthetic population (demo-data)"


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
