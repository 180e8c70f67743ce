"""From the ledger to core objects: a report of one organization and fiscal year, evaluated.

Queries are constant in number however many projects, KPIs and observations there are
(one for the title, three prefetches for projects/KPIs/observations with their grants).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch

from kpiledger.core.era import YearMonth, fiscal_year_label
from kpiledger.core.evaluate import DEFAULT_NEARLY, ReportResult, evaluate_report
from kpiledger.core.model import (
    Actual,
    Aggregation,
    Baseline,
    Direction,
    Kpi,
    Project,
    Report,
    Section,
)
from kpiledger.web.ledger import models as m


@dataclass
class LedgerReport:
    """An evaluated report with the database ids of its KPIs (same order as result.kpis)."""

    organization: m.Organization
    result: ReportResult
    kpi_ids: list[int]

    @property
    def rows(self) -> list[tuple[int, object]]:
        return list(zip(self.kpi_ids, self.result.kpis, strict=True))


def report_years(organization: m.Organization) -> list[int]:
    """The fiscal years for which a report was imported, newest first."""
    years = (
        m.ImportBatch.objects.filter(organization=organization, status=m.ImportBatch.Status.APPLIED)
        .order_by()
        .values_list("fiscal_year", flat=True)
        .distinct()
    )
    return sorted(set(years), reverse=True)


def report_title(organization: m.Organization, fiscal_year: int) -> str:
    batch = (
        m.ImportBatch.objects.filter(
            organization=organization, fiscal_year=fiscal_year, status=m.ImportBatch.Status.APPLIED
        )
        .exclude(title="")
        .order_by("-applied_at", "-id")
        .first()
    )
    return batch.title if batch else f"{fiscal_year_label(fiscal_year, 'long')} KPI実績"


def load_report(
    organization: m.Organization, fiscal_year: int, nearly: Decimal = DEFAULT_NEARLY
) -> LedgerReport:
    """The organization's ledger as it stood for `fiscal_year` (observations up to that year),
    evaluated by the core."""
    observations = m.Observation.objects.filter(fiscal_year__lte=fiscal_year).order_by(
        "fiscal_year"
    )
    kpis = m.Kpi.objects.order_by("position", "id").prefetch_related(
        Prefetch("observations", queryset=observations)
    )
    projects = (
        m.Project.objects.filter(organization=organization)
        .select_related("grant")
        .prefetch_related(Prefetch("kpis", queryset=kpis))
        .order_by("position", "id")
    )
    core_projects, ids, years = [], [], set()
    for project in projects:
        core, kpi_ids = _project(project)
        core_projects.append(core)
        ids.extend(kpi_ids)
        years.update(y for k in core.kpis for y in k.actuals)
    report = Report(
        report_title(organization, fiscal_year), fiscal_year, core_projects, sorted(years)
    )
    return LedgerReport(organization, evaluate_report(report, nearly=nearly), ids)


def _project(project: m.Project) -> tuple[Project, list[int]]:
    kpis = list(project.kpis.all())
    core = Project(
        project.name,
        Section(project.section),
        project.grant.name if project.grant else None,
        project.summary or None,
        [to_core_kpi(k) for k in kpis],
    )
    return core, [k.id for k in kpis]


def to_core_kpi(kpi: m.Kpi) -> Kpi:
    """A ledger KPI (with its prefetched observations) as a core `Kpi`."""
    observations = list(kpi.observations.all())
    date = YearMonth(kpi.target_year, kpi.target_month) if kpi.target_year else None
    baseline = Baseline(kpi.baseline, kpi.baseline_year) if kpi.baseline is not None else None
    rates = [o.published_rate for o in observations if o.published_rate is not None]
    return Kpi(
        indicator=kpi.indicator,
        unit=kpi.unit,
        target=kpi.target,
        target_date=date,
        actuals={
            o.fiscal_year: Actual(o.value, o.marker if o.value is None else None)
            for o in observations
        },
        baseline=baseline,
        published_rate=rates[-1] if rates else None,
        note=kpi.note or None,
        direction_override=Direction(kpi.direction_override) if kpi.direction_override else None,
        aggregation_override=(
            Aggregation(kpi.aggregation_override) if kpi.aggregation_override else None
        ),
        actuals_are_increments=kpi.actuals_are_increments,
    )
