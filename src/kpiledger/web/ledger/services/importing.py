"""Importing a read report into the ledger: a preview of every change, then all or nothing.

Projects are matched by (organization, name) and KPIs by (project, indicator), so next
year's report of the same organization extends the same projects and KPIs. Re-importing a
file already applied changes nothing. Every write keeps history (who, when, why).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from kpiledger.core.errors import KpiledgerError, Problem
from kpiledger.core.model import Kpi, Project, Report
from kpiledger.core.orgcode import normalize_code, prefecture_of
from kpiledger.web.ledger import models as m

MAX_ABS = Decimal(10) ** (m.VALUE_DIGITS - m.VALUE_PLACES)
Progress = Callable[[int, int], None]  # (done, total)

PROJECT_FIELDS = ("section", "grant", "summary", "position")
KPI_FIELDS = (
    "unit",
    "target",
    "target_year",
    "target_month",
    "baseline",
    "baseline_year",
    "note",
    "position",
)
OBSERVATION_FIELDS = ("value", "marker", "published_rate")


CHANGE_LABELS = {
    "new-project": ("事業の追加", "new projects"),
    "changed-project": ("事業の変更", "changed projects"),
    "new-kpi": ("KPIの追加", "new KPIs"),
    "changed-kpi": ("KPIの変更", "changed KPIs"),
    "new-observation": ("実績値の追加", "new actuals"),
    "changed-observation": ("実績値の変更", "changed actuals"),
}


@dataclass
class Change:
    """One row of the preview: what will be created or changed."""

    kind: str  # new-project, changed-project, new-kpi, changed-kpi, new-observation, ...
    project: str
    indicator: str = ""
    fiscal_year: int | None = None
    before: str = ""
    after: str = ""


@dataclass
class ImportPlan:
    """Every change an import would make, and the unsaved objects that make it."""

    organization: m.Organization
    report: Report
    changes: list[Change] = field(default_factory=list)
    new_projects: list[m.Project] = field(default_factory=list)
    changed_projects: list[m.Project] = field(default_factory=list)
    new_kpis: list[tuple[m.Project, m.Kpi]] = field(default_factory=list)
    changed_kpis: list[m.Kpi] = field(default_factory=list)
    new_observations: list[tuple[m.Kpi, m.Observation]] = field(default_factory=list)
    changed_observations: list[m.Observation] = field(default_factory=list)
    grants: dict[str, m.GrantProgram] = field(default_factory=dict)
    already_imported: bool = False

    def counts(self) -> dict[str, int]:
        return {k: sum(1 for c in self.changes if c.kind == k) for k in CHANGE_LABELS}

    @property
    def is_empty(self) -> bool:
        return not self.changes


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def organization_for(code: str, name: str | None = None) -> m.Organization:
    """The organization with this code (unsaved when new). Raises KpiledgerError on a bad code."""
    code = normalize_code(code)
    existing = m.Organization.objects.filter(code=code).first()
    if existing:
        return existing
    prefecture = prefecture_of(code)
    return m.Organization(code=code, name=name or f"{prefecture} {code}", prefecture=prefecture)


def plan_import(organization: m.Organization, report: Report, content: bytes = b"") -> ImportPlan:
    """The preview: compare the report with the ledger. Writes nothing."""
    check_values(report)
    plan = ImportPlan(organization, report)
    if organization.pk and content:
        plan.already_imported = m.ImportBatch.objects.filter(
            organization=organization, sha256=sha256(content), status=m.ImportBatch.Status.APPLIED
        ).exists()
        if plan.already_imported:
            return plan
    _Planner(plan).run()
    return plan


def check_values(report: Report) -> None:
    """Every number must fit the ledger exactly (15 digits, 4 decimal places)."""
    problems = []
    for kpi in report.kpis:
        values = [("指標値", kpi.target)] + [
            (f"{year}年度", a.value) for year, a in kpi.actuals.items() if a.value is not None
        ]
        if kpi.baseline:
            values.append(("基準値", kpi.baseline.value))
        problems += [_too_precise(kpi, name, v) for name, v in values if not _fits(v)]
    if problems:
        raise KpiledgerError(problems)


def _fits(value: Decimal) -> bool:
    exponent = value.as_tuple().exponent
    return abs(value) < MAX_ABS and (
        not isinstance(exponent, int)
        or exponent >= -m.VALUE_PLACES
        or value == value.quantize(Decimal(1).scaleb(-m.VALUE_PLACES))
    )


def _too_precise(kpi: Kpi, name: str, value: Decimal) -> Problem:
    return Problem(
        "value-out-of-range",
        f"「{kpi.indicator}」の{name} {value} は台帳に正確に保存できません"
        f"（整数部{m.VALUE_DIGITS - m.VALUE_PLACES}桁・小数部{m.VALUE_PLACES}桁まで）",
        f"{name} {value} of '{kpi.indicator}' cannot be stored exactly (up to "
        f"{m.VALUE_DIGITS - m.VALUE_PLACES} integer and {m.VALUE_PLACES} decimal digits)",
        line=kpi.line,
        field=name,
    )


class _Planner:
    """Builds the plan against the organization's current ledger (a few queries in all)."""

    def __init__(self, plan: ImportPlan):
        self.plan = plan
        org = plan.organization
        projects = (
            m.Project.objects.filter(organization=org).select_related("grant")
            if org.pk
            else m.Project.objects.none()
        )
        self.projects = {p.name: p for p in projects}
        kpis = m.Kpi.objects.filter(project__in=projects)
        self.kpis = {(k.project_id, k.indicator): k for k in kpis}
        observations = m.Observation.objects.filter(kpi__in=kpis)
        self.observations = {(o.kpi_id, o.fiscal_year): o for o in observations}
        self.grants = {g.name: g for g in m.GrantProgram.objects.all()}

    def run(self) -> None:
        for position, project in enumerate(self.plan.report.projects):
            row = self._project(project, position)
            for kpi_position, kpi in enumerate(project.kpis):
                self._kpi(row, project, kpi, kpi_position)

    def _grant(self, name: str | None) -> m.GrantProgram | None:
        if not name:
            return None
        if name not in self.grants:
            self.grants[name] = self.plan.grants[name] = m.GrantProgram(name=name)
        return self.grants[name]

    def _project(self, project: Project, position: int) -> m.Project:
        grant = self._grant(project.grant)
        values = {
            "section": project.section.value,
            "grant": grant,
            "summary": project.summary or "",
            "position": position,
        }
        row = self.projects.get(project.name)
        if row is None:
            row = m.Project(name=project.name, **values)
            self.plan.new_projects.append(row)
            self.plan.changes.append(Change("new-project", project.name))
            return row
        self._update(row, values, "changed-project", self.plan.changed_projects, project.name)
        return row

    def _kpi(self, row: m.Project, project: Project, kpi: Kpi, position: int) -> None:
        values = {
            "unit": kpi.unit,
            "target": kpi.target,
            "target_year": kpi.target_date.year if kpi.target_date else None,
            "target_month": kpi.target_date.month if kpi.target_date else None,
            "baseline": kpi.baseline.value if kpi.baseline else None,
            "baseline_year": kpi.baseline.fiscal_year if kpi.baseline else None,
            "note": kpi.note or "",
            "position": position,
        }
        existing = self.kpis.get((row.pk, kpi.indicator)) if row.pk else None
        if existing is None:
            existing = m.Kpi(indicator=kpi.indicator, **values)
            self.plan.new_kpis.append((row, existing))
            self.plan.changes.append(Change("new-kpi", project.name, kpi.indicator))
        else:
            self._update(
                existing, values, "changed-kpi", self.plan.changed_kpis, project.name, kpi.indicator
            )
        self._observations(existing, project, kpi)

    def _observations(self, row: m.Kpi, project: Project, kpi: Kpi) -> None:
        report_year = self.plan.report.fiscal_year
        for year, actual in sorted(kpi.actuals.items()):
            rate = kpi.published_rate if year == report_year else None
            values = {"value": actual.value, "marker": actual.marker or "", "published_rate": rate}
            existing = self.observations.get((row.pk, year)) if row.pk else None
            if existing is None:
                self.plan.new_observations.append((row, m.Observation(fiscal_year=year, **values)))
                self.plan.changes.append(
                    Change(
                        "new-observation",
                        project.name,
                        kpi.indicator,
                        year,
                        "",
                        _show(actual.value, actual.marker),
                    )
                )
                continue
            before = _show(existing.value, existing.marker)
            if self._update(existing, values, None, self.plan.changed_observations):
                self.plan.changes.append(
                    Change(
                        "changed-observation",
                        project.name,
                        kpi.indicator,
                        year,
                        before,
                        _show(actual.value, actual.marker),
                    )
                )

    def _update(self, row, values, kind, bucket, project="", indicator="") -> bool:  # type: ignore[no-untyped-def]
        """Set changed fields on `row`; record it in `bucket` (and a Change of `kind`)."""
        changed = [k for k, v in values.items() if getattr(row, k) != v]
        if not changed:
            return False
        before = ", ".join(f"{k}={getattr(row, k)}" for k in changed)
        for key in changed:
            setattr(row, key, values[key])
        bucket.append(row)
        if kind:
            after = ", ".join(f"{k}={values[k]}" for k in changed)
            self.plan.changes.append(Change(kind, project, indicator, None, before, after))
        return True


def _show(value: Decimal | None, marker: str | None) -> str:
    if value is None:
        return marker or "-"
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def apply_import(
    plan: ImportPlan,
    *,
    file_name: str,
    content: bytes,
    user: object | None = None,
    progress: Progress | None = None,
) -> m.ImportBatch | None:
    """Write the plan in one transaction (all or nothing) and record the import batch.
    Returns None when the same file was already applied (nothing is written)."""
    if plan.already_imported:
        return None
    reason = f"取込 / import: {file_name}"
    with transaction.atomic():
        org = plan.organization
        if org.pk is None:
            org.save()
        batch = m.ImportBatch.objects.create(
            organization=org,
            file_name=file_name,
            sha256=sha256(content),
            content=content,
            title=plan.report.title or "",
            fiscal_year=plan.report.fiscal_year,
            status=m.ImportBatch.Status.APPLIED,
            summary=plan.counts(),
            created_by=user if getattr(user, "pk", None) else None,
            applied_at=timezone.now(),
        )
        _Writer(plan, batch, user, reason, progress).write()
    return batch


@dataclass
class _Writer:
    plan: ImportPlan
    batch: m.ImportBatch
    user: object | None
    reason: str
    progress: Progress | None
    done: int = 0

    def write(self) -> None:
        p = self.plan
        m.GrantProgram.objects.bulk_create(p.grants.values())
        for project in [*p.new_projects, *p.changed_projects]:
            project.organization = p.organization
            project.grant = project.grant  # take the id of a grant created just now
        self._create(p.new_projects, m.Project)
        self._update(p.changed_projects, m.Project, PROJECT_FIELDS)
        for project, kpi in p.new_kpis:
            kpi.project = project
        self._create([k for _, k in p.new_kpis], m.Kpi)
        self._update(p.changed_kpis, m.Kpi, KPI_FIELDS)
        for kpi, observation in p.new_observations:
            observation.kpi, observation.import_batch = kpi, self.batch
        for observation in p.changed_observations:
            observation.import_batch = self.batch
        self._create([o for _, o in p.new_observations], m.Observation)
        self._update(p.changed_observations, m.Observation, (*OBSERVATION_FIELDS, "import_batch"))

    def _create(self, objs: list, model: type) -> None:  # type: ignore[type-arg]
        for chunk in _chunks(objs):
            bulk_create_with_history(
                chunk, model, default_user=self._user(), default_change_reason=self.reason
            )
            self._tick(len(chunk))

    def _update(self, objs: list, model: type, fields: tuple[str, ...]) -> None:  # type: ignore[type-arg]
        for chunk in _chunks(objs):
            bulk_update_with_history(
                chunk,
                model,
                list(fields),
                default_user=self._user(),
                default_change_reason=self.reason,
            )
            self._tick(len(chunk))

    def _user(self):  # type: ignore[no-untyped-def]
        return self.user if getattr(self.user, "pk", None) else None

    def _tick(self, count: int) -> None:
        self.done += count
        if self.progress:
            self.progress(self.done, self.plan_size)

    @property
    def plan_size(self) -> int:
        p = self.plan
        return sum(
            map(
                len,
                (
                    p.new_projects,
                    p.changed_projects,
                    p.new_kpis,
                    p.changed_kpis,
                    p.new_observations,
                    p.changed_observations,
                ),
            )
        )


def _chunks(objs: list, size: int = 500) -> list[list]:  # type: ignore[type-arg]
    return [objs[i : i + size] for i in range(0, len(objs), size)]
