"""Keeping the attempt that lost: when two people change the same row at once, the second
save is refused (optimistic locking) and nothing of it is written to the ledger — but the
attempt itself is recorded here, so the history holds both (issue 10: "the history holds
both attempts"). Called after the refused transaction has rolled back."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, transaction

from kpiledger.web.ledger import models as m

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attempt:
    """One refused row: what was tried and what the ledger held then (as shown to users)."""

    project_id: int
    attempted: str
    in_ledger: str
    kpi_id: int | None = None


def record(user: Any, kind: m.RefusedChange.Kind, year: int, attempts: Iterable[Attempt]) -> None:
    """Record refused attempts in their own transaction; a failure to record (the ledger
    locked by another writer) is logged, never raised over the conflict the user must see."""
    rows = [
        m.RefusedChange(
            kind=kind,
            project_id=a.project_id,
            kpi_id=a.kpi_id,
            fiscal_year=year,
            attempted=a.attempted,
            in_ledger=a.in_ledger,
            user=user if getattr(user, "is_authenticated", False) else None,
        )
        for a in attempts
    ]
    try:
        with transaction.atomic():
            m.RefusedChange.objects.bulk_create(rows)
    except DatabaseError:
        log.exception("could not record %d refused changes", len(rows))
