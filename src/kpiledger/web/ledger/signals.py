"""Every saved or deleted ledger row raises the ledger version in the same transaction, so a
page rendered before the change is never served after it (imports raise it once themselves:
their bulk writes send no signals)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from kpiledger.web.ledger import models as m

WATCHED = (m.Organization, m.GrantProgram, m.Project, m.Kpi, m.Observation, m.ReportedKpi)


def _changed(sender: type, **kwargs: Any) -> None:
    if not kwargs.get("raw"):  # loaddata: the fixture brings its own state
        m.LedgerVersion.bump()


def connect() -> None:
    for model in WATCHED:
        post_save.connect(_changed, sender=model, dispatch_uid=f"version-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"version-del-{model.__name__}")
