"""Every saved or deleted ledger row raises the ledger version in the same transaction, so a
page rendered before the change is never served after it (imports raise it once themselves:
their bulk writes send no signals).

A row a judgement is made from marks its organization for rejudging (services/judgements.py),
also in the same transaction: a published row or an actual from its year on, a KPI or a project
when what it is judged or classified by changes (an admin's save, a service's write)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save, pre_save

from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services import judgements

WATCHED = (m.Organization, m.GrantProgram, m.Project, m.Kpi, m.Observation, m.ReportedKpi)

# What a KPI's or project's judgement reads of the row itself (its published rows and actuals
# are rows of their own).
JUDGED_FIELDS = {
    m.Kpi: (
        "project_id",
        "indicator",
        "direction_override",
        "aggregation_override",
        "actuals_are_increments",
        "field_override",
        "goal_override",
        "category_reason",
    ),
    m.Project: ("field_override", "goal_override", "category_reason"),
}
YEAR_ROWS = (m.Observation, m.ReportedKpi, m.ReportedProject)  # judged from their year on


def _changed(sender: type, **kwargs: Any) -> None:
    if not kwargs.get("raw"):  # loaddata: the fixture brings its own state
        m.LedgerVersion.bump()


def _before_save(sender: type, instance: Any, **kwargs: Any) -> None:
    """Note whether a KPI's or project's judged fields are about to change (one query)."""
    fields = JUDGED_FIELDS[sender]
    update_fields = kwargs.get("update_fields")
    instance._judged_fields_changed = False
    if kwargs.get("raw") or instance._state.adding or instance.pk is None:
        return  # a new KPI or project is in no published report yet
    if update_fields is not None and not {f.removesuffix("_id") for f in fields} & {
        f.removesuffix("_id") for f in update_fields
    }:
        return
    before = sender.objects.filter(pk=instance.pk).values_list(*fields).first()
    now = tuple(getattr(instance, name) for name in fields)
    instance._judged_fields_changed = before is not None and tuple(before) != now


def _judged_row_saved(sender: type, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    if sender in YEAR_ROWS:
        _mark_year_row(instance)
    elif getattr(instance, "_judged_fields_changed", False) or kwargs.get("signal") is post_delete:
        if sender is m.Kpi:
            judgements.changed_project(instance.project_id)
        else:
            judgements.changed(instance.organization_id)


def _mark_year_row(instance: Any) -> None:
    if isinstance(instance, m.ReportedProject):
        judgements.changed_project(instance.project_id, instance.fiscal_year)
    else:
        judgements.changed_kpi(instance.kpi_id, instance.fiscal_year)


def connect() -> None:
    for model in WATCHED:
        post_save.connect(_changed, sender=model, dispatch_uid=f"version-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"version-del-{model.__name__}")
    for model in JUDGED_FIELDS:
        pre_save.connect(_before_save, sender=model, dispatch_uid=f"judged-pre-{model.__name__}")
    for model in (*JUDGED_FIELDS, *YEAR_ROWS):
        name = model.__name__
        post_save.connect(_judged_row_saved, sender=model, dispatch_uid=f"judged-save-{name}")
        post_delete.connect(_judged_row_saved, sender=model, dispatch_uid=f"judged-del-{name}")
