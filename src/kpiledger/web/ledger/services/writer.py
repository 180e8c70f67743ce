"""Writing an import plan: bulk inserts and updates, each with its history rows (`inserts`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services.inserts import create_with_history, update_with_history
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
            _link(kpi, "project", project)
        self._create([k for _, k in p.new_kpis], m.Kpi)
        self._update(p.changed_kpis, m.Kpi, KPI_FIELDS)
        self._linked(p.new_reported, p.changed_reported, m.ReportedKpi, REPORTED_FIELDS)
        for row in p.removed_reported:  # one by one: each deletion leaves its history row
            row._history_user, row._change_reason = self.user, self.reason
            row.delete()
            self._tick(1)
        self._linked(p.new_observations, p.changed_observations, m.Observation, OBSERVATION_FIELDS)
        for project, assessment in p.new_assessments:
            _link(assessment, "project", project)
            _link(assessment, "import_batch", self.batch)
        for assessment in p.changed_assessments:
            _link(assessment, "import_batch", self.batch)
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
            self._save([fiscal_year], m.FiscalYear, ["published_at", "published_by"])
        project_ids, money, rows = self._year_rows() if not self.plan.fresh else self._fresh()
        published = []
        for project_id in sorted(project_ids):
            row = rows.get(project_id) or m.ProjectYear(project_id=project_id, fiscal_year=year)
            # the report's amounts where it has them; the ledger's own where it has none
            amounts = money.get(project_id, (None, None, None))
            new = [
                amount if amount is not None else getattr(row, name)
                for name, amount in zip(MONEY_FIELDS, amounts, strict=True)
            ]
            unchanged = new == [getattr(row, name) for name in MONEY_FIELDS]
            if row.pk is not None and row.state == m.WorkState.PUBLISHED and unchanged:
                continue
            row.state = m.WorkState.PUBLISHED
            for name, amount in zip(MONEY_FIELDS, new, strict=True):
                setattr(row, name, amount)
            published.append(row)
        self._save(published, m.ProjectYear, ["state", *MONEY_FIELDS, "changed_at"])

    def _year_rows(self) -> tuple[set[int], dict[int, tuple[Any, ...]], dict[int, Any]]:
        """The projects in the year's report, their published amounts in 円 and their
        `ProjectYear`s, from the ledger."""
        organization, year = self.plan.organization, self.batch.fiscal_year
        project_ids = set(
            m.ReportedKpi.objects.filter(
                fiscal_year=year, kpi__project__organization=organization
            ).values_list("kpi__project_id", flat=True)
        )
        money = {
            project_id: (_yen(spent, unit), *rest)
            for project_id, spent, unit, *rest in m.ReportedProject.objects.filter(
                project_id__in=project_ids, fiscal_year=year
            ).values_list("project_id", "spent", "spent_unit", "total_cost", "grant_amount")
        }
        rows = {
            r.project_id: r
            for r in m.ProjectYear.objects.filter(project_id__in=project_ids, fiscal_year=year)
        }
        return project_ids, money, rows

    def _fresh(self) -> tuple[set[int], dict[int, tuple[Any, ...]], dict[int, Any]]:
        """The same for an organization that had no projects before this plan: all of it is
        what the plan has just written (no queries)."""
        p = self.plan
        project_ids = {kpi.project_id for kpi, _ in p.new_reported}
        money = {
            project.pk: (_yen(a.spent, a.spent_unit), a.total_cost, a.grant_amount)
            for project, a in p.new_assessments
            if project.pk in project_ids
        }
        return project_ids, money, {}

    def _save(self, rows: list[Any], model: type, fields: list[str]) -> None:  # type: ignore[type-arg]
        """Save new and changed rows of `model` (changed: `fields`), with their history."""
        new, changed = [r for r in rows if r.pk is None], [r for r in rows if r.pk is not None]
        create_with_history(new, model, user=self.user, reason=self.reason)
        update_with_history(changed, model, fields, user=self.user, reason=self.reason)

    def _linked(self, new: list, changed: list, model: type, fields: list[str]) -> None:  # type: ignore[type-arg]
        """Rows that belong to a KPI and to this import batch."""
        for kpi, row in new:
            _link(row, "kpi", kpi)
            _link(row, "import_batch", self.batch)
        for row in changed:
            _link(row, "import_batch", self.batch)
        self._create([row for _, row in new], model)
        self._update(changed, model, fields)

    def _create(self, objs: list[Any], model: type) -> None:  # type: ignore[type-arg]
        for chunk in _chunks(objs):
            create_with_history(chunk, model, user=self.user, reason=self.reason)
            self._tick(len(chunk))

    def _update(self, objs: list[Any], model: type, fields: list[str]) -> None:  # type: ignore[type-arg]
        for chunk in _chunks(objs):
            update_with_history(chunk, model, fields, user=self.user, reason=self.reason)
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


def _link(row: Any, name: str, target: Any) -> None:
    """`row.<name> = target` for the plan's own rows (saved targets of the right model), without
    the related descriptor's checks, which cost more than the rest of the row's writing."""
    row.__dict__[f"{name}_id"] = target.pk
    row._state.fields_cache[name] = target


def _yen(spent: Any, unit: str) -> Any:
    """実績額 in 円 (a report's 千円 × 1000)."""
    return None if spent is None else spent * (1000 if unit == "千円" else 1)


def _chunks(objs: list[Any]) -> list[list[Any]]:
    return [objs[i : i + CHUNK] for i in range(0, len(objs), CHUNK)]
