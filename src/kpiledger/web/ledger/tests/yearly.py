"""Setting up a fiscal year of the cycle in tests without the year-opening service: the
`FiscalYear` row and a `ProjectYear` per project, in a chosen state."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services import locks


def open_year(
    organization: m.Organization,
    year: int,
    state: m.WorkState | str = m.WorkState.DRAFT,
    projects: Iterable[m.Project] | None = None,
    extend_targets: bool = True,
) -> m.FiscalYear:
    """The organization's `year` opened (from the year before), each of `projects` (default:
    all of the organization's) with a project year in `state`; with `extend_targets`, a KPI
    whose target date has passed gets March of the next year (as the planning admin extends
    it when opening the year), so that it takes values in `year`."""
    fiscal_year, _ = m.FiscalYear.objects.get_or_create(
        organization=organization,
        year=year,
        defaults={"opened_from": year - 1, "opened_at": timezone.now()},
    )
    chosen = list(organization.projects.all() if projects is None else projects)
    for project in chosen:
        m.ProjectYear.objects.update_or_create(
            project=project, fiscal_year=year, defaults={"state": state}
        )
    if extend_targets:
        for kpi in m.Kpi.objects.filter(project__in=chosen, ended_year__isnull=True):
            if locks.kpi_closed(kpi, year):
                m.Kpi.objects.filter(pk=kpi.pk).update(target_year=year + 1, target_month=3)
    return fiscal_year


def set_state(project: m.Project, year: int, state: m.WorkState | str, comment: str = "") -> None:
    m.ProjectYear.objects.update_or_create(
        project=project, fiscal_year=year, defaults={"state": state, "comment": comment}
    )
