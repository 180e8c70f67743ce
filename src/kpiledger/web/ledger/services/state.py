"""The state of the whole ledger in one query: its version and when it last changed.

`LedgerVersion` is raised in the same transaction as every change; the newest history row of
the published tables (django-simple-history keeps one for every write, bulk imports included)
or the newest applied import says when. Together they name one state of the ledger even across
a database made anew (whose version starts again at 0): the REST API's ETag and Last-Modified
and the export cache's file names are built from them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import DateTimeField, Subquery

from kpiledger.web.ledger import models as m

#: The tables whose history dates tell when published data last changed.
HISTORY_OF: tuple[type[Any], ...] = (
    m.Organization,
    m.Project,
    m.Kpi,
    m.Observation,
    m.ReportedKpi,
    m.ReportedProject,
)


def ledger_state() -> tuple[int, datetime | None]:
    """The ledger version and when the ledger last changed (None: never), in one query."""
    newest: dict[str, Any] = {
        f"h{i}": Subquery(
            model.history.model.objects.order_by("-history_date").values("history_date")[:1],
            output_field=DateTimeField(),
        )
        for i, model in enumerate(HISTORY_OF)
    }
    newest["applied"] = Subquery(
        m.ImportBatch.objects.filter(status=m.ImportBatch.Status.APPLIED)
        .order_by("-applied_at")
        .values("applied_at")[:1],
        output_field=DateTimeField(),
    )
    row = m.LedgerVersion.objects.filter(pk=1).annotate(**newest).values("number", *newest)
    found = next(iter(row), None)
    if found is None:
        return 0, None
    dates = [found[name] for name in newest if found[name] is not None]
    return int(found["number"]), max(dates, default=None)


def state_key() -> str:
    """`12-1701590400123456`: the version and the last change in microseconds, for names."""
    version, changed = ledger_state()
    stamp = int(changed.timestamp() * 1_000_000) if changed is not None else 0
    return f"{version}-{stamp}"
