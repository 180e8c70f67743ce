"""Comparing a read report with an organization's ledger: the import plan (writes nothing).

Rules:
- a KPI's current terms (target, unit, date, baseline, note) follow the newest report that
  contains it: an older report imported later does not roll them back;
- an actual is replaced only by a report of the same or a later fiscal year than the report
  that set it (a later correction is kept; the preview says so);
- each report's rows are recorded as published (`ReportedKpi`), in the report's order;
- `position` of a project or KPI is the order of its first appearance (for the admin).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import F

from kpiledger.core.era import fiscal_year_label
from kpiledger.core.model import Actual, Assessment, Kpi, Project
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services.inserts import new_row
from kpiledger.web.ledger.services.plan import Change, ImportPlan

QUIET_FIELDS = {
    "position",
    "reader_flags",
    "spent_text",
}  # updated, but not worth a line in the preview


def show(value: object) -> str:
    """A value for the preview: decimals without padding (2300.0000 → 2300), None as ''."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(m.unpad(value), "f")
    if isinstance(value, m.GrantProgram):
        return value.name
    return str(value)


def written(value: Decimal | None) -> str:
    """A published value with the digits as written (`73.50`, `2300.00`), '' for None."""
    return "" if value is None else format(value, "f")


def actuals_json(actuals: dict[int, Actual]) -> dict[str, dict[str, str]]:
    """Published actuals as exact strings with the digits as written: {"2023": {"value":
    "73.50"}} or {"marker": "-"}."""
    return {
        str(year): {"value": written(a.value)}
        if a.value is not None
        else {"marker": a.marker or ""}
        for year, a in sorted(actuals.items())
    }


class Planner:
    """Builds the plan against the organization's current ledger (a few queries in all)."""

    def __init__(self, plan: ImportPlan):
        self.plan = plan
        self.year = plan.report.fiscal_year
        org = plan.organization
        projects = (
            m.Project.objects.filter(organization=org).select_related("grant")
            if org.pk
            else m.Project.objects.none()
        )
        self.projects = {p.name: p for p in projects}
        self.grants = {g.name: g for g in m.GrantProgram.objects.all()}
        self.kpis: dict[tuple[int, str], m.Kpi] = {}
        self.reported: dict[tuple[int, int], m.ReportedKpi] = {}
        self.unseen: dict[int, m.ReportedKpi] = {}
        self.latest: dict[int, int] = {}  # kpi id → the newest report year containing it
        self.project_latest: dict[int, int] = {}  # project id → the same for projects
        self.source: dict[tuple[int, int], int] = {}  # (kpi id, year) → newest report with it
        self.observations: dict[tuple[int, int], m.Observation] = {}
        self.assessments: dict[int, m.ReportedProject] = {}
        plan.fresh = not self.projects  # a new organization: nothing of it to compare with
        if not plan.fresh:
            self._ledger(projects)

    def _ledger(self, projects: Any) -> None:
        """What the ledger holds of the organization's projects (four queries)."""
        kpis = m.Kpi.objects.filter(project__in=projects)
        self.kpis = {(k.project_id, k.indicator): k for k in kpis}
        reported = list(m.ReportedKpi.objects.filter(kpi__in=kpis).select_related("kpi"))
        self.reported = {(r.kpi_id, r.fiscal_year): r for r in reported}
        self.unseen = {r.pk: r for r in reported if r.fiscal_year == self.year}
        for r in reported:
            self.latest[r.kpi_id] = max(r.fiscal_year, self.latest.get(r.kpi_id, 0))
            project_id = r.kpi.project_id
            self.project_latest[project_id] = max(
                r.fiscal_year, self.project_latest.get(project_id, 0)
            )
            for year in map(int, r.actuals):
                self.source[r.kpi_id, year] = max(
                    r.fiscal_year, self.source.get((r.kpi_id, year), 0)
                )
        observations = m.Observation.objects.filter(kpi__in=kpis).annotate(
            batch_year=F("import_batch__fiscal_year")  # the report that last wrote the value
        )
        self.observations = {(o.kpi_id, o.fiscal_year): o for o in observations}
        assessments = m.ReportedProject.objects.filter(
            project__in=projects, fiscal_year=self.year
        ).select_related("project")
        self.assessments = {a.project_id: a for a in assessments}

    def run(self) -> None:
        position = 0
        for project_position, project in enumerate(self.plan.report.projects):
            row = self._project(project, project_position)
            self._assessment(row, project)
            for kpi in project.kpis:
                self._kpi(row, project, kpi, position)
                position += 1
        self._removed()

    def _removed(self) -> None:
        """Rows this year's report had before but the file now imported does not (a corrected
        report): they are removed from that year's report, with history."""
        for row in self.unseen.values():
            self.plan.removed_reported.append(row)
            self.plan.changes.append(
                Change("removed-reported", row.project_name, row.kpi.indicator, self.year)
            )
        for assessment in self.assessments.values():
            self.plan.removed_assessments.append(assessment)
            name = assessment.project.name
            self.plan.changes.append(Change("removed-assessment", name, fiscal_year=self.year))

    def _assessment(self, row: m.Project, project: Project) -> None:
        """The year's 事業効果, 外部有識者からの意見 … as this report published them."""
        existing = self.assessments.pop(row.pk, None) if row.pk else None
        published = project.assessment
        if published is None:
            if existing is not None:
                self.assessments[row.pk] = existing  # removed with the unseen rows
            return
        values = assessment_values(published)
        if existing is None:
            assessment = new_row(m.ReportedProject, fiscal_year=self.year, **values)
            self.plan.new_assessments.append((row, assessment))
            self.plan.changes.append(Change("new-assessment", project.name, fiscal_year=self.year))
            return
        change = Change("changed-assessment", project.name, fiscal_year=self.year)
        self._update(existing, values, self.plan.changed_assessments, change)

    def _grant(self, name: str | None) -> m.GrantProgram | None:
        if not name:
            return None
        if name not in self.grants:
            self.grants[name] = self.plan.grants[name] = m.GrantProgram(name=name)
        return self.grants[name]

    def _project(self, project: Project, position: int) -> m.Project:
        values = {
            "section": project.section.value,
            "grant": self._grant(project.grant),
            "summary": project.summary or "",
        }
        row = self.projects.get(project.name)
        if row is None:
            row = m.Project(name=project.name, position=position, **values)
            self.projects[project.name] = row
            self.plan.new_projects.append(row)
            self.plan.changes.append(Change("new-project", project.name))
        elif self.year >= self.project_latest.get(row.pk, self.year):
            self._update(
                row, values, self.plan.changed_projects, Change("changed-project", project.name)
            )
        return row

    def _kpi(self, project_row: m.Project, project: Project, kpi: Kpi, position: int) -> None:
        terms = kpi_terms(kpi)
        row = self.kpis.get((project_row.pk, kpi.indicator)) if project_row.pk else None
        if row is None:
            row = new_row(
                m.Kpi,
                indicator=kpi.indicator,
                note=kpi.note or "",
                position=position,
                **terms,
                **kpi_overrides(kpi),
            )
            self.plan.new_kpis.append((project_row, row))
            self.plan.changes.append(Change("new-kpi", project.name, kpi.indicator))
        elif self.year >= self.latest.get(row.pk, self.year):
            values = terms | {"note": kpi.note or ""} | kpi_overrides(kpi)
            change = Change("changed-kpi", project.name, kpi.indicator, self.year)
            self._update(row, values, self.plan.changed_kpis, change)
        self._reported(row, project, kpi, terms | {"position": position})
        self._observations(row, project, kpi)

    def _reported(self, row: m.Kpi, project: Project, kpi: Kpi, terms: dict[str, Any]) -> None:
        values = reported_values(project, kpi, terms)
        existing = self.reported.get((row.pk, self.year)) if row.pk else None
        if existing is not None:
            self.unseen.pop(existing.pk, None)
        if existing is None:
            reported = new_row(m.ReportedKpi, fiscal_year=self.year, **values)
            self.plan.new_reported.append((row, reported))
            self.plan.changes.append(Change("new-reported", project.name, kpi.indicator, self.year))
            return
        change = Change("changed-reported", project.name, kpi.indicator, self.year)
        self._update(existing, values, self.plan.changed_reported, change)

    def _observations(self, row: m.Kpi, project: Project, kpi: Kpi) -> None:
        for year, actual in sorted(kpi.actuals.items()):
            values = {"value": actual.value, "marker": actual.marker or ""}
            after = show(actual.value) if actual.value is not None else actual.marker or ""
            existing = self.observations.get((row.pk, year)) if row.pk else None
            if existing is None:
                self.plan.new_observations.append(
                    (row, new_row(m.Observation, fiscal_year=year, **values))
                )
                self.plan.changes.append(
                    Change("new-observation", project.name, kpi.indicator, year, "", after)
                )
                continue
            if not _differs(existing, values):
                continue
            before = show(existing.value) if existing.value is not None else existing.marker
            source = max(self.source.get((row.pk, year), 0), existing.batch_year or 0)
            if source > self.year:
                self.plan.changes.append(
                    Change("kept-observation", project.name, kpi.indicator, year, before, after)
                )
                continue
            self._update(
                existing,
                values,
                self.plan.changed_observations,
                Change("changed-observation", project.name, kpi.indicator, year),
            )

    def _update(self, row: Any, values: dict[str, Any], bucket: list[Any], change: Change) -> None:
        """Set changed fields on `row`; add it to `bucket` and describe the change (fields by
        their Japanese names, decimals without padding) unless only quiet fields changed."""
        changed = [k for k, v in values.items() if _differs(row, {k: v})]
        if not changed:
            return
        shown = [k for k in changed if k not in QUIET_FIELDS]
        change.before = _describe(row, shown, lambda k: getattr(row, k))
        change.after = _describe(row, shown, lambda k: values[k])
        if "actuals" in shown:  # only the years that differ, not the whole JSON
            old, new = row.actuals, values["actuals"]
            years = sorted(set(old) | set(new), key=int)
            diff = [y for y in years if old.get(y) != new.get(y)]
            others = [k for k in shown if k != "actuals"]
            change.before = _join(
                _describe(row, others, lambda k: getattr(row, k)), _years_text(old, diff)
            )
            change.after = _join(
                _describe(row, others, lambda k: values[k]), _years_text(new, diff)
            )
        for key in changed:
            setattr(row, key, values[key])
        bucket.append(row)
        if shown:
            self.plan.changes.append(change)


def kpi_terms(kpi: Kpi) -> dict[str, Any]:
    """A KPI's terms as the ledger keeps them (in `Kpi` and each year's `ReportedKpi`)."""
    return {
        "unit": kpi.unit,
        "target": kpi.target,
        "target_bound": kpi.target_bound or "",
        "target_year": kpi.target_date.year if kpi.target_date else None,
        "target_month": kpi.target_date.month if kpi.target_date else None,
        "baseline": kpi.baseline.value if kpi.baseline else None,
        "baseline_year": kpi.baseline.fiscal_year if kpi.baseline else None,
    }


def reported_values(project: Project, kpi: Kpi, terms: dict[str, Any]) -> dict[str, Any]:
    """A `ReportedKpi`'s values (but its KPI, year and batch): the row as published, with
    `terms` (`kpi_terms` and its position)."""
    return terms | {
        "project_name": project.name,
        "section": project.section.value,
        "grant_name": project.grant or "",
        "summary": project.summary or "",
        "note": kpi.note or "",
        "published_rate": kpi.published_rate,
        "target_text": written(kpi.target),
        "baseline_text": written(kpi.baseline.value) if kpi.baseline else "",
        "published_rate_text": written(kpi.published_rate),
        "actuals": actuals_json(kpi.actuals),
        "reader_flags": [
            {"code": f.code, "message_ja": f.message_ja, "message_en": f.message_en}
            for f in kpi.reader_flags
        ],
    }


def assessment_values(published: Assessment) -> dict[str, Any]:
    """A `ReportedProject`'s values (but its project, year and batch)."""
    return {name: getattr(published, name) or "" for name in Assessment.TEXTS} | {
        "spent": published.spent,
        "spent_text": written(published.spent),
        "spent_unit": published.spent_unit if published.spent is not None else "",
        "total_cost": published.total_cost,
        "grant_amount": published.grant_amount,
    }


def kpi_overrides(kpi: Kpi) -> dict[str, Any]:
    """Direction/aggregation the report itself states (its 方向・集計 columns); a report that
    states none leaves the ledger's own overrides alone."""
    values: dict[str, Any] = {}
    if kpi.direction_override is not None:
        values["direction_override"] = kpi.direction_override.value
    if kpi.aggregation_override is not None:
        values["aggregation_override"] = kpi.aggregation_override.value
        values["actuals_are_increments"] = kpi.actuals_are_increments
    return values


def _years_text(actuals: dict[str, dict[str, str]], years: list[str]) -> str:
    cells = [actuals.get(y) or {} for y in years]
    return "、".join(
        f"{fiscal_year_label(int(y))}: {c.get('value', c.get('marker')) or 'なし'}"
        for y, c in zip(years, cells, strict=True)
    )


def _join(*parts: str) -> str:
    return "、".join(p for p in parts if p)


def _differs(row: Any, values: dict[str, Any]) -> bool:
    return any(getattr(row, k) != v for k, v in values.items())


def _describe(row: Any, keys: list[str], value_of: Any) -> str:
    if keys == ["value", "marker"] or keys == ["value"] or keys == ["marker"]:
        value = value_of("value")
        return show(value) if value is not None else value_of("marker")
    return "、".join(f"{row._meta.get_field(k).verbose_name}: {_field(value_of(k))}" for k in keys)


def _field(value: object) -> str:
    """A field's value in a change description: なし for none, はい/いいえ for yes/no (never
    Python's None, True, False)."""
    if value is None or value == "":
        return "なし"
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    return show(value)
