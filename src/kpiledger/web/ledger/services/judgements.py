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

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Model
from django.utils import timezone

from kpiledger.core import stored
from kpiledger.core.categories import Category, Field, Goal, classify_kpi, classify_project
from kpiledger.core.evaluate import KpiResult, ProjectResult, evaluate_report
from kpiledger.core.model import Actual, Assessment, Kpi, Project, Report
from kpiledger.core.numbers import fits_ledger
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services import inserts, reports

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
    public = public_years([organization.pk]).get(organization.pk, [])
    wanted = None if years is None else set(years)
    return _rejudge(organization, public, wanted)


def _rejudge(organization: m.Organization, public: list[int], wanted: set[int] | None) -> int:
    chosen = [y for y in sorted(public) if wanted is None or y in wanted]
    with transaction.atomic():
        _delete(organization.pk, wanted)
        return _judge({organization.pk: chosen})


def rejudge_all(progress: Callable[[int, int], None] | None = None) -> int:
    """Rejudge every organization, `CHUNK` organizations per transaction (each organization's
    judgements are the old or the new ones, never a mix); `progress(done, total)` after each
    chunk. Returns the number of rows written."""
    ids = list(m.Organization.objects.order_by("code").values_list("pk", flat=True))
    written = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        public = public_years(chunk)
        with transaction.atomic():
            m.Judgement.objects.filter(organization_id__in=chunk).delete()
            m.ProjectJudgement.objects.filter(organization_id__in=chunk).delete()
            written += _judge({pk: public.get(pk, []) for pk in chunk})
        if progress is not None:
            progress(start + len(chunk), len(ids))
    return written


CHUNK = 100  # organizations judged together by rejudge_all: few queries, bounded memory
BATCH = 500


def public_years(organization_ids: list[int]) -> dict[int, list[int]]:
    """Organization id → its public report years, newest first (as `reports.report_years`,
    for many organizations in one query)."""
    imported = (
        m.ImportBatch.objects.filter(
            organization_id__in=organization_ids, status=m.ImportBatch.Status.APPLIED
        )
        .order_by()
        .values_list("organization_id", "fiscal_year")
    )
    published = (
        m.FiscalYear.objects.filter(
            organization_id__in=organization_ids, published_at__isnull=False
        )
        .order_by()
        .values_list("organization_id", "year")
    )
    years: dict[int, set[int]] = {}
    for org_id, year in imported.union(published):
        years.setdefault(org_id, set()).add(year)
    return {org_id: sorted(found, reverse=True) for org_id, found in years.items()}


def _delete(organization_id: int, wanted: set[int] | None) -> None:
    kpi_rows = m.Judgement.objects.filter(organization_id=organization_id)
    project_rows = m.ProjectJudgement.objects.filter(organization_id=organization_id)
    if wanted is not None:
        kpi_rows = kpi_rows.filter(fiscal_year__in=wanted)
        project_rows = project_rows.filter(fiscal_year__in=wanted)
    kpi_rows.delete()
    project_rows.delete()


def _judge(chosen: dict[int, list[int]]) -> int:
    """Judge the report years chosen of each organization (organization id → years; their old
    rows are gone already) and write their rows. The inputs of all of them are read in a fixed
    number of queries (`Inputs.read`), the rows written by `_insert`."""
    nearly = settings.KPILEDGER_NEARLY
    now = timezone.now()
    inputs = Inputs.read(chosen)
    kpi_rows: list[tuple[object, ...]] = []
    project_rows: list[tuple[object, ...]] = []
    for (org_id, year), rows in inputs.rows.items():
        report, project_ids = inputs.report(org_id, year, rows)
        result = evaluate_report(report, nearly=nearly)
        ledger_kpis = iter(row.kpi for row in rows)
        first = len(kpi_rows)
        projects: set[int] = set()
        for project_id, project in zip(project_ids, result.projects, strict=True):
            for kpi_result in project.kpis:
                kpi = next(ledger_kpis)
                head = (kpi.pk, org_id, project_id, year, len(kpi_rows) - first)
                tail = (nearly, stored.kpi_record(kpi_result), now)
                kpi_rows.append((*head, *_kpi_row(kpi, kpi_result, project.project), *tail))
            # one project published under two names (never in practice): its first
            if project_id not in projects:
                projects.add(project_id)
                values = _project_row(project, inputs.overrides[project_id])
                project_rows.append((project_id, org_id, year, *values, now))
    _insert(m.Judgement, KPI_COLUMNS, kpi_rows)
    _insert(m.ProjectJudgement, PROJECT_COLUMNS, project_rows)
    return len(kpi_rows) + len(project_rows)


#: The columns `_judge` writes, in the order of its rows' values.
KPI_COLUMNS = (
    *("kpi", "organization", "project", "fiscal_year", "position"),
    *("status", "rate", "judged_year", "progress", "goal", "field", "category_reason"),
    *("nearly", "record", "judged_at"),
)
PROJECT_COLUMNS = (
    *("project", "organization", "fiscal_year"),
    *("effect_suggestion", "effect_reason_ja", "effect_reason_en", "flags"),
    *("goal", "field", "category_reason", "judged_at"),
)


def _insert(model: type[Model], names: tuple[str, ...], rows: list[tuple[object, ...]]) -> None:
    """Insert rows of values of the fields named, each value prepared as `bulk_create`
    prepares it (`inserts.preparer`: a plain value as it is, else by its field; a value shared
    by every row, such as the time of judging, once), in one statement run per row
    (`executemany`): bulk_create would build a statement for every 62 rows (SQLite's 999
    parameters), which was a third of the time of rejudging every organization."""
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    places = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({places})"
    prepare = [_shared_once(inserts.preparer(f)) for f in fields]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(
                sql,
                [
                    [p(value, connection) for p, value in zip(prepare, row, strict=True)]
                    for row in rows[start : start + BATCH]
                ],
            )


def _shared_once(prepare: inserts.Prep) -> inserts.Prep:
    """`prepare`, answering again without work when given the very object it was given last
    (one `now` or `nearly` in every row of a rejudging)."""
    last: list[object] = [_NOTHING, None]

    def once(value: object, db: object) -> object:
        if value is not last[0]:
            last[:] = value, prepare(value, db)
        return last[1]

    return once


_NOTHING = object()


@dataclass
class Inputs:
    """What the report years of many organizations are judged from, read at once: the same
    rows `reports.judge_rows` reads for one (its published KPI rows, the ledger's current
    actuals, what each report published beside its KPIs, its heading) and the projects'
    category overrides."""

    #: (organization id, year) → the year's published KPI rows with their KPIs, in order.
    rows: dict[tuple[int, int], list[m.ReportedKpi]]
    #: KPI id → fiscal year → the ledger's current actual.
    current: dict[int, dict[int, Actual]]
    #: (organization id, year) → project id → what the report published beside its KPIs.
    assessments: dict[tuple[int, int], dict[int, Assessment]]
    #: (organization id, year) → the notes of the year's latest import.
    notes: dict[tuple[int, int], list[str]]
    #: project id → (field override, goal override, reason).
    overrides: dict[int, tuple[str, str, str]]

    @classmethod
    def read(cls, chosen: dict[int, list[int]]) -> Inputs:
        """Six queries however many organizations (a chunk of `CHUNK` in rejudge_all)."""
        pairs = {(org_id, year) for org_id, years in chosen.items() for year in years}
        orgs = sorted({org_id for org_id, _ in pairs})
        years = sorted({year for _, year in pairs})
        found: dict[tuple[int, int], list[m.ReportedKpi]] = {pair: [] for pair in sorted(pairs)}
        if not pairs:
            return cls(found, {}, {}, {}, {})
        published = (
            m.ReportedKpi.objects.filter(
                fiscal_year__in=years, kpi__project__organization_id__in=orgs
            )
            .select_related("kpi")
            .annotate(org_id=F("kpi__project__organization_id"))
            .order_by("position", "id")
        )
        for row in published:
            key = (row.org_id, row.fiscal_year)
            if key in found:
                found[key].append(row)
        current: dict[int, dict[int, Actual]] = {}
        actuals = (
            m.Observation.objects.filter(
                kpi__project__organization_id__in=orgs, fiscal_year__lte=max(years)
            )
            .order_by()
            .values_list("kpi_id", "fiscal_year", "value", "marker")
        )
        for kpi_id, year, value, marker in actuals:
            actual = Actual(None, marker) if value is None else Actual(m.unpad(value))
            current.setdefault(kpi_id, {})[year] = actual
        assessments: dict[tuple[int, int], dict[int, Assessment]] = {}
        beside = m.ReportedProject.objects.filter(
            project__organization_id__in=orgs, fiscal_year__in=years
        ).annotate(org_id=F("project__organization_id"))
        for row in beside:
            assessments.setdefault((row.org_id, row.fiscal_year), {})[row.project_id] = _assessment(
                row
            )
        notes: dict[tuple[int, int], list[str]] = {}
        batches = (
            m.ImportBatch.objects.filter(
                organization_id__in=orgs,
                fiscal_year__in=years,
                status=m.ImportBatch.Status.APPLIED,
            )
            .order_by("applied_at", "id")
            .values_list("organization_id", "fiscal_year", "notes")
        )
        for org_id, year, written in batches:  # the latest import of a year last
            notes[org_id, year] = list(written or [])
        overrides = {
            pk: (field_, goal, reason)
            for pk, field_, goal, reason in m.Project.objects.filter(
                organization_id__in=orgs
            ).values_list("pk", "field_override", "goal_override", "category_reason")
        }
        return cls(found, current, assessments, notes, overrides)

    def report(self, org_id: int, year: int, rows: list[m.ReportedKpi]) -> tuple[Report, list[int]]:
        """The core report of one year's rows with the ids of its projects, as
        `reports._core_report` makes it (projects grouped by their published names; an actual
        the ledger has corrected since is flagged). Its title is not judged: left empty."""
        current = {
            row.kpi_id: {y: a for y, a in self.current.get(row.kpi_id, {}).items() if y <= year}
            for row in rows
        }
        return reports.assemble_report(
            "",
            year,
            self.notes.get((org_id, year), []),
            rows,
            self.assessments.get((org_id, year), {}),
            current,
            None,
        )


def _assessment(row: m.ReportedProject) -> Assessment:
    """What a report published beside a project's KPIs (as `reports.assessments_of`)."""
    return Assessment(
        **{name: getattr(row, name) or None for name in Assessment.TEXTS},
        spent=None if row.spent is None else reports.as_written(row.spent, row.spent_text),
        spent_unit=row.spent_unit or "円",
        total_cost=None if row.total_cost is None else m.unpad(row.total_cost),
        grant_amount=None if row.grant_amount is None else m.unpad(row.grant_amount),
    )


def _kpi_row(kpi: m.Kpi, result: KpiResult, project: Project) -> tuple[object, ...]:
    """A KPI's judged columns, from `status` to `category_reason` (`KPI_COLUMNS`)."""
    chosen = category(
        kpi.field_override,
        kpi.goal_override,
        kpi.category_reason,
        lambda: inferred_kpi_category(result.kpi, project),
    )
    rate = result.achievement_rate
    return (
        result.status.value,
        rate if rate is not None and fits_ledger(rate) else None,
        result.judged_year,
        result.progress.value if result.progress else "",
        chosen.goal.value,
        chosen.field.value,
        chosen.reason,
    )


def _project_row(result: ProjectResult, overrides: tuple[str, str, str]) -> tuple[object, ...]:
    """A project's judged columns, from `effect_suggestion` to `category_reason`
    (`PROJECT_COLUMNS`)."""
    record = stored.project_record(result)
    chosen = category(*overrides, lambda: inferred_project_category(result.project))
    return (
        record["effect"] or "",
        record["reason_ja"],
        record["reason_en"],
        record["flags"],
        chosen.goal.value,
        chosen.field.value,
        chosen.reason,
    )


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
        organizations = list(m.Organization.objects.filter(pk__in=found))
        years = public_years([organization.pk for organization in organizations])
        for organization in organizations:
            since = found[organization.pk]
            public = years.get(organization.pk, [])
            wanted = None if since is None else {y for y in public if y >= since}
            if wanted is None or wanted:
                _rejudge(organization, public, wanted)
