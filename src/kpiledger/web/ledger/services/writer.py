"""Writing an import plan: bulk inserts and updates, each with its history rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services.plan import ImportPlan, Progress

PROJECT_FIELDS = ["section", "grant", "summary"]
KPI_FIELDS = [
    "unit",
    "target",
    "target_bound",
    "target_year",
    "target_month",
    "baseline",
    "baseline_year",
    "note",
    "direction_override",
    "aggregation_override",
    "actuals_are_increments",
]
REPORTED_FIELDS = [
    "project_name",
    "section",
    "grant_name",
    "summary",
    "note",
    "position",
    "unit",
    "target",
    "target_bound",
    "target_year",
    "target_month",
    "baseline",
    "baseline_year",
    "published_rate",
    "target_text",
    "baseline_text",
    "published_rate_text",
    "actuals",
    "reader_flags",
    "import_batch",
]
OBSERVATION_FIELDS = ["value", "marker", "import_batch"]
ASSESSMENT_FIELDS = [
    "effect",
    "evaluation",
    "opinion",
    "policy",
    "policy_reason",
    "spent",
    "spent_text",
    "spent_unit",
    "total_cost",
    "grant_amount",
    "import_batch",
]
MONEY_FIELDS = ("spent", "total_cost", "grant_amount")  # ProjectYear's, in 円
CHUNK = 500


def _save(row: Any, user: Any, reason: str) -> None:
    row._history_user, row._change_reason = user, reason
    row.save()


@dataclass
class Writer:
    plan: ImportPlan
    batch: m.ImportBatch
    user: Any
    reason: str
    progress: Progress | None
    done: int = 0

    def write(self) -> None:
        p = self.plan
        m.GrantProgram.objects.bulk_create(p.grants.values())
        for project in [*p.new_projects, *p.changed_projects]:
            project.organization = p.organization
            project.grant_id = project.grant.pk if project.grant else None
        self._create(p.new_projects, m.Project)
        self._update(p.changed_projects, m.Project, PROJECT_FIELDS)
        for project, kpi in p.new_kpis:
            kpi.project = project
        self._create([k for _, k in p.new_kpis], m.Kpi)
        self._update(p.changed_kpis, m.Kpi, KPI_FIELDS)
        self._linked(p.new_reported, p.changed_reported, m.ReportedKpi, REPORTED_FIELDS)
        for row in p.removed_reported:  # one by one: each deletion leaves its history row
            row._history_user, row._change_reason = self.user, self.reason
            row.delete()
            self._tick(1)
        self._linked(p.new_observations, p.changed_observations, m.Observation, OBSERVATION_FIELDS)
        for project, assessment in p.new_assessments:
            assessment.project, assessment.import_batch = project, self.batch
        for assessment in p.changed_assessments:
            assessment.import_batch = self.batch
        self._create([a for _, a in p.new_assessments], m.ReportedProject)
        self._update(p.changed_assessments, m.ReportedProject, ASSESSMENT_FIELDS)
        for row in p.removed_assessments:
            row._history_user, row._change_reason = self.user, self.reason
            row.delete()
            self._tick(1)
        self._published_year()

    def _published_year(self) -> None:
        """The report's year is published (`FiscalYear.published_at`, kept when set) and each of
        its projects a published `ProjectYear`, with the report's 実績額 in 円 (千円 × 1000)."""
        organization, year = self.plan.organization, self.batch.fiscal_year
        fiscal_year = m.FiscalYear.objects.filter(organization=organization, year=year).first()
        if fiscal_year is None:
            fiscal_year = m.FiscalYear(organization=organization, year=year)
        if fiscal_year.pk is None or fiscal_year.published_at is None:
            fiscal_year.published_at = self.batch.applied_at or timezone.now()
            fiscal_year.published_by = self.user
            _save(fiscal_year, self.user, self.reason)
        project_ids = set(
            m.ReportedKpi.objects.filter(
                fiscal_year=year, kpi__project__organization=organization
            ).values_list("kpi__project_id", flat=True)
        )
        money = {
            r.project_id: (
                None if r.spent is None else r.spent * (1000 if r.spent_unit == "千円" else 1),
                r.total_cost,
                r.grant_amount,
            )
            for r in m.ReportedProject.objects.filter(project_id__in=project_ids, fiscal_year=year)
        }
        rows = {
            r.project_id: r
            for r in m.ProjectYear.objects.filter(project_id__in=project_ids, fiscal_year=year)
        }
        for project_id in sorted(project_ids):
            row = rows.get(project_id) or m.ProjectYear(project_id=project_id, fiscal_year=year)
            published = row.pk is not None and row.state == m.WorkState.PUBLISHED
            # the report's amounts where it has them; the ledger's own where it has none
            amounts = money.get(project_id, (None, None, None))
            new = [
                amount if amount is not None else getattr(row, name)
                for name, amount in zip(MONEY_FIELDS, amounts, strict=True)
            ]
            if published and new == [getattr(row, name) for name in MONEY_FIELDS]:
                continue
            row.state = m.WorkState.PUBLISHED
            for name, amount in zip(MONEY_FIELDS, new, strict=True):
                setattr(row, name, amount)
            _save(row, self.user, self.reason)

    def _linked(self, new: list, changed: list, model: type, fields: list[str]) -> None:  # type: ignore[type-arg]
        """Rows that belong to a KPI and to this import batch."""
        for kpi, row in new:
            row.kpi, row.import_batch = kpi, self.batch
        for row in changed:
            row.import_batch = self.batch
        self._create([row for _, row in new], model)
        self._update(changed, model, fields)

    def _create(self, objs: list[Any], model: type) -> None:  # type: ignore[type-arg]
        for chunk in _chunks(objs):
            bulk_create_with_history(
                chunk, model, default_user=self.user, default_change_reason=self.reason
            )
            self._tick(len(chunk))

    def _update(self, objs: list[Any], model: type, fields: list[str]) -> None:  # type: ignore[type-arg]
        for chunk in _chunks(objs):
            bulk_update_with_history(
                chunk, model, fields, default_user=self.user, default_change_reason=self.reason
            )
            self._tick(len(chunk))

    def _tick(self, count: int) -> None:
        self.done += count
        if self.progress:
            self.progress(self.done, self.total)

    @property
    def total(self) -> int:
        p = self.plan
        parts = (
            p.new_projects,
            p.changed_projects,
            p.new_kpis,
            p.changed_kpis,
            p.new_reported,
            p.changed_reported,
            p.removed_reported,
            p.new_observations,
            p.changed_observations,
            p.new_assessments,
            p.changed_assessments,
            p.removed_assessments,
        )
        return sum(map(len, parts))


def _chunks(objs: list[Any]) -> list[list[Any]]:
    return [objs[i : i + CHUNK] for i in range(0, len(objs), CHUNK)]
