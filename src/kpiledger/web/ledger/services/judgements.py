"""Stored judgements: each KPI's and project's judgement in every public report year, kept in
the ledger (`Judgement`, `ProjectJudgement`) so that pages, exports and the comparison pages
read them instead of judging on every request.

They are derived data, a cache of the core's pure functions: rebuilt from the ledger by
`rejudge` (also `kpiledger rejudge`, e.g. after the 概ね達成 threshold changed), and in the same
transaction as every change to what they are judged on — a published row (`ReportedKpi`,
`ReportedProject`), a current actual (`Observation`: a correction is flagged), a KPI's or
project's overrides, a report year published or imported. A change marks its organization with
`changed(...)`; inside a `deferred()` block (every service's write) the marks are collected and
each organization is rejudged once at the end of the block, still inside the transaction;
outside one, at once. A year judged in a report year `Y` depends on the actuals up to `Y` only,
so a change of a year's actual marks the report years from that year on (`since`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from kpiledger.core import stored
from kpiledger.core.categories import Category, Field, Goal, classify_kpi, classify_project
from kpiledger.core.evaluate import KpiResult, ProjectResult
from kpiledger.core.model import Kpi, Project
from kpiledger.core.numbers import fits_ledger
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services import reports

ALL_YEARS = None  # `since` of a change that can alter every report year


# --- what a KPI and a project are about -----------------------------------------------------


@dataclass(frozen=True)
class Classified:
    goal: Goal
    field: Field
    reason: str


def classified(found: Category) -> Classified:
    return Classified(found.goal, found.field, f"{found.reason_ja} / {found.reason_en}")


def inferred_kpi_category(kpi: Kpi, project: Project) -> Classified:
    """The category inferred from the KPI's words (its indicator and unit, else its project's
    name, else its summary: core/categories.py)."""
    return classified(classify_kpi(kpi.indicator, kpi.unit, project.name, project.summary or ""))


def inferred_project_category(project: Project) -> Classified:
    """The category inferred from the project's words (its name, else its KPIs' indicators,
    else its summary)."""
    indicators = [k.indicator for k in project.kpis]
    return classified(classify_project(project.name, project.summary or "", indicators))


def category(
    field_override: str, goal_override: str, reason: str, inferred: Callable[[], Classified]
) -> Classified:
    """The category staff chose (`指定: <reason>`; the goal, when not chosen, is the chosen
    field's own) or else the one inferred."""
    if not field_override and not goal_override:
        return inferred()
    chosen_field = Field(field_override) if field_override else inferred().field
    goal = Goal(goal_override) if goal_override else chosen_field.goal
    return Classified(goal, chosen_field, f"指定: {reason}")


# --- writing --------------------------------------------------------------------------------


def rejudge(organization: m.Organization, years: Iterable[int] | None = None) -> int:
    """Replace the organization's stored judgements of its public report years (only those
    in `years`, when given) with fresh ones, in one transaction; stored judgements of years
    no longer public are removed. Returns the number of rows written."""
    public = reports.report_years(organization)
    wanted = None if years is None else set(years)
    return _rejudge(organization, public, wanted)


def _rejudge(organization: m.Organization, public: list[int], wanted: set[int] | None) -> int:
    nearly = settings.KPILEDGER_NEARLY
    chosen = [y for y in sorted(public) if wanted is None or y in wanted]
    with transaction.atomic():
        kpi_rows = m.Judgement.objects.filter(organization=organization)
        project_rows = m.ProjectJudgement.objects.filter(organization=organization)
        if wanted is not None:
            kpi_rows = kpi_rows.filter(fiscal_year__in=wanted)
            project_rows = project_rows.filter(fiscal_year__in=wanted)
        kpi_rows.delete()
        project_rows.delete()
        return sum(_judge_year(organization, year, nearly) for year in chosen)


def _judge_year(organization: m.Organization, year: int, nearly: Decimal) -> int:
    """Judge one report year and write its rows (the year's old rows are gone already)."""
    rows = reports.reported_rows(organization, year)
    ledger = reports.judge_rows(organization, year, nearly, rows)
    overrides = {
        pk: (field_, goal, reason)
        for pk, field_, goal, reason in m.Project.objects.filter(
            pk__in=ledger.project_ids
        ).values_list("pk", "field_override", "goal_override", "category_reason")
    }
    ledger_kpis = iter(row.kpi for row in rows)
    kpi_rows: list[m.Judgement] = []
    project_rows: dict[int, m.ProjectJudgement] = {}
    for project_id, project in zip(ledger.project_ids, ledger.result.projects, strict=True):
        for result in project.kpis:
            kpi_rows.append(_kpi_row(next(ledger_kpis), result, project.project, len(kpi_rows)))
            kpi_rows[-1].project_id = project_id
        # one project published under two names (never in practice): its first
        if project_id not in project_rows:
            project_rows[project_id] = _project_row(project, overrides[project_id])
            project_rows[project_id].project_id = project_id
    for row in [*kpi_rows, *project_rows.values()]:
        row.organization, row.fiscal_year = organization, year
    for row in kpi_rows:
        row.nearly = nearly
    m.Judgement.objects.bulk_create(kpi_rows, batch_size=BATCH)
    m.ProjectJudgement.objects.bulk_create(project_rows.values(), batch_size=BATCH)
    return len(kpi_rows) + len(project_rows)


BATCH = 500


def _kpi_row(kpi: m.Kpi, result: KpiResult, project: Project, position: int) -> m.Judgement:
    chosen = category(
        kpi.field_override,
        kpi.goal_override,
        kpi.category_reason,
        lambda: inferred_kpi_category(result.kpi, project),
    )
    rate = result.achievement_rate
    return m.Judgement(
        kpi=kpi,
        position=position,
        status=result.status.value,
        rate=rate if rate is not None and fits_ledger(rate) else None,
        judged_year=result.judged_year,
        progress=result.progress.value if result.progress else "",
        goal=chosen.goal.value,
        field=chosen.field.value,
        category_reason=chosen.reason,
        record=stored.kpi_record(result),
    )


def _project_row(result: ProjectResult, overrides: tuple[str, str, str]) -> m.ProjectJudgement:
    record = stored.project_record(result)
    chosen = category(*overrides, lambda: inferred_project_category(result.project))
    return m.ProjectJudgement(
        effect_suggestion=record["effect"] or "",
        effect_reason_ja=record["reason_ja"],
        effect_reason_en=record["reason_en"],
        flags=record["flags"],
        goal=chosen.goal.value,
        field=chosen.field.value,
        category_reason=chosen.reason,
    )


def rejudge_all(progress: Callable[[int, int], None] | None = None) -> int:
    """Rejudge every organization, each in its own transaction; `progress(done, total)` after
    each. Returns the number of rows written."""
    organizations = list(m.Organization.objects.order_by("code"))
    written = 0
    for done, organization in enumerate(organizations, 1):
        written += rejudge(organization)
        if progress is not None:
            progress(done, len(organizations))
    return written


# --- marking changes ------------------------------------------------------------------------


@dataclass
class Marks:
    """What changed, by organization, KPI or project id → the first report year concerned
    (None: every year)."""

    organizations: dict[int, int | None] = field(default_factory=dict)
    kpis: dict[int, int | None] = field(default_factory=dict)
    projects: dict[int, int | None] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.organizations or self.kpis or self.projects)


_local = threading.local()


def _add(marks: dict[int, int | None], key: int, since: int | None) -> None:
    if key in marks:
        before = marks[key]
        marks[key] = None if before is None or since is None else min(before, since)
    else:
        marks[key] = since


def _current() -> Marks | None:
    return getattr(_local, "marks", None)


@contextmanager
def deferred() -> Iterator[None]:
    """Collect the changes marked inside the block and rejudge each organization concerned
    once when it ends (not when it raises: the transaction is rolled back anyway). Put it
    inside the transaction (`with transaction.atomic(), deferred():`); nested blocks belong to
    the outermost."""
    if _current() is not None:
        yield
        return
    _local.marks = Marks()
    try:
        yield
        marks = _local.marks
    finally:
        _local.marks = None
    if marks:
        _flush(marks)


def changed(organization_id: int, since: int | None = ALL_YEARS) -> None:
    """The organization's judgement inputs changed (from fiscal year `since` on)."""
    _mark(Marks(organizations={organization_id: since}))


def changed_kpi(kpi_id: int, since: int | None = ALL_YEARS) -> None:
    _mark(Marks(kpis={kpi_id: since}))


def changed_project(project_id: int, since: int | None = ALL_YEARS) -> None:
    _mark(Marks(projects={project_id: since}))


def _mark(new: Marks) -> None:
    marks = _current()
    if marks is None:
        _flush(new)
        return
    for name in ("organizations", "kpis", "projects"):
        for key, since in getattr(new, name).items():
            _add(getattr(marks, name), key, since)


def _flush(marks: Marks) -> None:
    """Rejudge every organization marked, directly or through its KPIs and projects (those
    deleted since are gone with their judgements)."""
    found = dict(marks.organizations)
    if marks.kpis:
        owners = m.Kpi.objects.filter(pk__in=marks.kpis).values_list("pk", "project__organization")
        for pk, org_id in owners:
            _add(found, org_id, marks.kpis[pk])
    if marks.projects:
        owners = m.Project.objects.filter(pk__in=marks.projects).values_list("pk", "organization")
        for pk, org_id in owners:
            _add(found, org_id, marks.projects[pk])
    if not found:
        return
    with transaction.atomic():
        for organization in m.Organization.objects.filter(pk__in=found):
            since = found[organization.pk]
            public = reports.report_years(organization)
            wanted = None if since is None else {y for y in public if y >= since}
            if wanted is None or wanted:
                _rejudge(organization, public, wanted)
