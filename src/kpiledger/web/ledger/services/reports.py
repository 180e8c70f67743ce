"""From the ledger to core objects: a report of one organization and fiscal year, evaluated.

A year's report is read from its `ReportedKpi` rows: projects (name, section, grant, summary),
KPI terms and actuals exactly as that report published them, with the judgements the ledger
keeps of them (services/judgements.py) or, where it has none, judged by the core. Queries are
constant in number however large the report is: the title, the rows (with their KPIs and
stored judgements), what the report published beside the KPIs (`ReportedProject`), and, when
judging, the current actuals.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, FilteredRelation, OuterRef, Q, Subquery

from kpiledger.core import stored
from kpiledger.core.era import YearMonth, fiscal_year_label
from kpiledger.core.errors import KpiledgerError
from kpiledger.core.evaluate import DEFAULT_NEARLY, ReportResult, evaluate_report
from kpiledger.core.model import (
    Actual,
    Aggregation,
    Assessment,
    Baseline,
    Direction,
    Flag,
    Kpi,
    Project,
    Report,
    Section,
)
from kpiledger.core.numbers import format_number
from kpiledger.core.orgcode import normalize_code
from kpiledger.web.ledger import models as m


@dataclass
class LedgerReport:
    """An evaluated report with the database ids of its KPIs (same order as result.kpis) and of
    its projects (same order as result.projects)."""

    organization: m.Organization
    result: ReportResult
    kpi_ids: list[int]
    project_ids: list[int] = field(default_factory=list)

    @property
    def rows(self) -> list[tuple[int, object]]:
        return list(zip(self.kpi_ids, self.result.kpis, strict=True))


def report_years(organization: m.Organization) -> list[int]:
    """The fiscal years whose report is public, newest first: those with an applied import and
    those published from the ledger (`FiscalYear.published_at`). One query."""
    imported = (
        m.ImportBatch.objects.filter(organization=organization, status=m.ImportBatch.Status.APPLIED)
        .order_by()
        .values_list("fiscal_year")
    )
    published = (
        m.FiscalYear.objects.filter(organization=organization, published_at__isnull=False)
        .order_by()
        .values_list("year")
    )
    return sorted({year for (year,) in imported.union(published)}, reverse=True)


def report_year_pairs() -> list[tuple[int, int]]:
    """(organization id, fiscal year) of every public report (imported or published from the
    ledger), for the lists of organizations. One query."""
    imported = (
        m.ImportBatch.objects.filter(status=m.ImportBatch.Status.APPLIED)
        .exclude(organization=None)
        .order_by()
        .values_list("organization_id", "fiscal_year")
    )
    published = (
        m.FiscalYear.objects.filter(published_at__isnull=False)
        .order_by()
        .values_list("organization_id", "year")
    )
    return [(org_id, year) for org_id, year in imported.union(published)]


def organization_of(text: str) -> m.Organization:
    """The organization in the ledger with this code (`bad-org-code` for a malformed one,
    `org-not-in-ledger` naming the organizations the ledger has)."""
    code = normalize_code(text)
    organization = m.Organization.objects.filter(code=code).first()
    if organization is not None:
        return organization
    codes = list(m.Organization.objects.values_list("code", flat=True)[:20])
    known = "、".join(codes) or "なし"
    raise KpiledgerError.single(
        "org-not-in-ledger",
        f"団体コード {code} の団体は台帳にありません（台帳にある団体コード: {known}）。"
        "先に kpiledger import で報告書を取り込んでください",
        f"no organization with the code {code} is in the ledger (its codes: "
        f"{', '.join(codes) or 'none'}); import its report first with kpiledger import",
    )


def report_year(organization: m.Organization, year: int | None) -> int:
    """`year` if the ledger has that year's report (the latest when None), else
    `year-not-in-ledger` naming the years it has."""
    years = report_years(organization)
    if years and year is None:
        return years[0]
    if year in years:
        return year
    have = "、".join(f"{y}（{fiscal_year_label(y)}）" for y in sorted(years)) or "なし"
    have_en = ", ".join(str(y) for y in sorted(years)) or "none"
    asked = f"{year}年度の報告書" if year is not None else "報告書"
    asked_en = f"for FY{year}" if year is not None else "at all"
    raise KpiledgerError.single(
        "year-not-in-ledger",
        f"{organization}の{asked}は台帳にありません。台帳にある年度: {have}",
        f"the ledger has no report of {organization.code} {asked_en} (its years: {have_en})",
    )


def report_title(organization: m.Organization, fiscal_year: int) -> str:
    return report_heading(organization, fiscal_year)[0]


def report_heading(organization: m.Organization, fiscal_year: int) -> tuple[str, list[str]]:
    """The title and the notes of the year's report, as the latest import of it published
    them; a title made from the year (`令和6年度 KPI実績`) when it had none or when the year
    was published from the ledger."""
    latest = (
        m.ImportBatch.objects.filter(
            organization=organization, fiscal_year=fiscal_year, status=m.ImportBatch.Status.APPLIED
        )
        .order_by("-applied_at", "-id")
        .values_list("title", "notes")
        .first()
    )
    title, notes = latest or ("", [])
    return title or f"{fiscal_year_label(fiscal_year, 'long')} KPI実績", list(notes or [])


def load_report(
    organization: m.Organization, fiscal_year: int, nearly: Decimal = DEFAULT_NEARLY
) -> LedgerReport:
    """The organization's report of `fiscal_year` exactly as it was published (its rows,
    terms and actuals as recorded at import), with its judgements: those the ledger keeps
    (`Judgement`, `ProjectJudgement`, services/judgements.py) when it has them for every KPI
    and project of the year, judged with `nearly`; else judged now by the core (`judge_rows`).
    Three queries with stored judgements, four without."""
    rows = reported_rows(organization, fiscal_year, with_judgements=True)
    stored = stored_report(organization, fiscal_year, nearly, rows)
    return stored if stored is not None else judge_rows(organization, fiscal_year, nearly, rows)


def reported_rows(
    organization: m.Organization, fiscal_year: int, *, with_judgements: bool = False
) -> list[m.ReportedKpi]:
    """The year's published KPI rows with their KPIs, in the report's order; `with_judgements`
    adds each row's stored judgement and its project's (`judged_*`, `project_*`, None when the
    ledger has none) in the same query. One query."""
    rows = (
        m.ReportedKpi.objects.filter(
            fiscal_year=fiscal_year, kpi__project__organization=organization
        )
        .select_related("kpi")
        .order_by("position", "id")
    )
    if with_judgements:
        rows = rows.annotate(
            judged=FilteredRelation(
                "kpi__judgements", condition=Q(kpi__judgements__fiscal_year=fiscal_year)
            ),
            project_judged=FilteredRelation(
                "kpi__project__year_judgements",
                condition=Q(kpi__project__year_judgements__fiscal_year=fiscal_year),
            ),
            judged_record=F("judged__record"),
            judged_nearly=F("judged__nearly"),
            project_effect=F("project_judged__effect_suggestion"),
            project_reason_ja=F("project_judged__effect_reason_ja"),
            project_reason_en=F("project_judged__effect_reason_en"),
            project_flags=F("project_judged__flags"),
        )
    return list(rows)


def judge_rows(
    organization: m.Organization, fiscal_year: int, nearly: Decimal, rows: list[m.ReportedKpi]
) -> LedgerReport:
    """The report of these rows (`reported_rows`) judged now by the core; an actual corrected
    in the ledger since publication is flagged `revised-after-publication`, with the
    correction's reason. Three queries."""
    current, reasons = current_values_with_reasons([row.kpi_id for row in rows], fiscal_year)
    report, project_ids = _core_report(organization, fiscal_year, rows, current, reasons)
    result = evaluate_report(report, nearly=nearly)
    return LedgerReport(organization, result, [row.kpi_id for row in rows], project_ids)


def stored_report(
    organization: m.Organization, fiscal_year: int, nearly: Decimal, rows: list[m.ReportedKpi]
) -> LedgerReport | None:
    """The report rebuilt from the judgements stored beside its rows, or None when a row or a
    project has none, or they were judged with another threshold or record version. Two
    queries (the published assessments and the heading)."""
    if not rows or not all(_stored_fits(row, nearly) for row in rows):
        return None
    report, project_ids = _core_report(organization, fiscal_year, rows, {}, {})
    if len(set(project_ids)) != len(project_ids):  # one project published under two names
        return None
    first_rows: dict[str, m.ReportedKpi] = {}
    for row in rows:
        first_rows.setdefault(row.project_name, row)
    project_records = [
        {
            "effect": row.project_effect or None,
            "reason_ja": row.project_reason_ja,
            "reason_en": row.project_reason_en,
            "flags": row.project_flags,
        }
        for row in first_rows.values()
    ]
    kpi_records = [row.judged_record for row in rows]
    result = stored.report_result(report, fiscal_year, nearly, project_records, kpi_records)
    return LedgerReport(organization, result, [row.kpi_id for row in rows], project_ids)


def _stored_fits(row: m.ReportedKpi, nearly: Decimal) -> bool:
    record = getattr(row, "judged_record", None)
    return (
        isinstance(record, dict)
        and record.get("version") == stored.RECORD_VERSION
        and row.judged_nearly == nearly
        and row.project_flags is not None
    )


def _core_report(
    organization: m.Organization,
    fiscal_year: int,
    rows: list[m.ReportedKpi],
    current: dict[int, dict[int, Actual]],
    reasons: dict[int, dict[int, str]],
) -> tuple[Report, list[int]]:
    """The core report of the rows (projects grouped by their published names), with the ids
    of its projects; the heading and the published assessments are read (two queries)."""
    assessments = assessments_of(organization, fiscal_year)
    title, notes = report_heading(organization, fiscal_year)
    return assemble_report(title, fiscal_year, notes, rows, assessments, current, reasons)


def assemble_report(
    title: str | None,
    fiscal_year: int,
    notes: list[str],
    rows: list[m.ReportedKpi],
    assessments: dict[int, Assessment],
    current: dict[int, dict[int, Actual]],
    reasons: dict[int, dict[int, str]] | None,
) -> tuple[Report, list[int]]:
    """The core report of one year's rows, read beforehand (no query but the correction
    reasons when `reasons` is None): projects grouped by their published names, each with its
    published assessment (by project id), an actual the ledger has corrected since (`current`:
    KPI id → year → actual) flagged with its reason; and the ids of its projects."""
    projects: dict[str, Project] = {}
    project_ids: list[int] = []
    years: set[int] = set()
    for row in rows:
        if row.project_name not in projects:
            projects[row.project_name] = _core_project(row)
            projects[row.project_name].assessment = assessments.get(row.kpi.project_id)
            project_ids.append(row.kpi.project_id)
        known = None if reasons is None else reasons.get(row.kpi_id, {})
        kpi = to_core_kpi(row, current.get(row.kpi_id, {}), known)
        projects[row.project_name].kpis.append(kpi)
        years.update(kpi.actuals)
    return Report(title, fiscal_year, list(projects.values()), sorted(years), notes), project_ids


def _core_project(row: m.ReportedKpi) -> Project:
    """The project as this year's report published it."""
    return Project(
        row.project_name, Section(row.section), row.grant_name or None, row.summary or None
    )


def assessments_of(organization: m.Organization, fiscal_year: int) -> dict[int, Assessment]:
    """What the year's report published beside the KPIs, per project id (one query)."""
    rows = m.ReportedProject.objects.filter(
        project__organization=organization, fiscal_year=fiscal_year
    )
    return {
        row.project_id: Assessment(
            **{name: getattr(row, name) or None for name in Assessment.TEXTS},
            spent=None if row.spent is None else as_written(row.spent, row.spent_text),
            spent_unit=row.spent_unit or "円",
            total_cost=None if row.total_cost is None else m.unpad(row.total_cost),
            grant_amount=None if row.grant_amount is None else m.unpad(row.grant_amount),
        )
        for row in rows
    }


def current_values(kpi_ids: list[int], fiscal_year: int) -> dict[int, dict[int, Actual]]:
    """The ledger's current actuals (up to `fiscal_year`) of these KPIs: kpi id → year → actual."""
    values: dict[int, dict[int, Actual]] = {}
    observations = m.Observation.objects.filter(kpi_id__in=kpi_ids, fiscal_year__lte=fiscal_year)
    for o in observations.only("kpi_id", "fiscal_year", "value", "marker"):
        marker = o.marker if o.value is None else None
        value = m.unpad(o.value) if o.value is not None else None
        values.setdefault(o.kpi_id, {})[o.fiscal_year] = Actual(value, marker)
    return values


CORRECTION = "訂正"  # the history's reason of a change to a published year: `訂正: <reason>`


def current_values_with_reasons(
    kpi_ids: list[int], fiscal_year: int
) -> tuple[dict[int, dict[int, Actual]], dict[int, dict[int, str]]]:
    """`current_values`, and the reason of each actual's latest correction of a published
    year (`訂正: <reason>` in its history): kpi id → year → reason. One query."""
    corrections = (
        m.Observation.history.filter(
            id=OuterRef("pk"), history_change_reason__startswith=f"{CORRECTION}:"
        )
        .order_by("-history_date", "-history_id")
        .values("history_change_reason")[:1]
    )
    values: dict[int, dict[int, Actual]] = {}
    reasons: dict[int, dict[int, str]] = {}
    observations = m.Observation.objects.filter(kpi_id__in=kpi_ids, fiscal_year__lte=fiscal_year)
    rows = observations.only("kpi_id", "fiscal_year", "value", "marker").annotate(
        correction=Subquery(corrections)
    )
    for o in rows:
        marker = o.marker if o.value is None else None
        value = m.unpad(o.value) if o.value is not None else None
        values.setdefault(o.kpi_id, {})[o.fiscal_year] = Actual(value, marker)
        if o.correction:
            reasons.setdefault(o.kpi_id, {})[o.fiscal_year] = o.correction.split(":", 1)[1].strip()
    return values, reasons


def corrected_years(published: dict[int, Actual], current: dict[int, Actual]) -> list[int]:
    """The years whose published actual the ledger has corrected since."""
    return [
        year
        for year, actual in sorted(published.items())
        if (now := current.get(year)) is not None and now.value != actual.value
    ]


def correction_reasons(pairs: Iterable[tuple[int, int]]) -> dict[int, dict[int, str]]:
    """The reason of the latest correction (`訂正: <reason>` in the history) of each
    (KPI id, year): kpi id → year → reason. No query when there is nothing to look up."""
    wanted = set(pairs)
    if not wanted:
        return {}
    records = (
        m.Observation.history.filter(
            kpi_id__in={k for k, _ in wanted},
            fiscal_year__in={y for _, y in wanted},
            history_change_reason__startswith=f"{CORRECTION}:",
        )
        .order_by("history_date", "history_id")
        .values_list("kpi_id", "fiscal_year", "history_change_reason")
    )
    reasons: dict[int, dict[int, str]] = {}
    for kpi_id, year, reason in records:
        if (kpi_id, year) in wanted:
            text = reason.split(":", 1)[1].strip()
            reasons.setdefault(kpi_id, {})[year] = text
    return reasons


def revisions(
    published: dict[int, Actual],
    current: dict[int, Actual],
    reasons: dict[int, str] | None = None,
) -> list[Flag]:
    """A flag for each published actual the ledger has corrected since, with the reason given
    for the correction (`reasons`: year → reason) when there is one."""
    flags = []
    for year in corrected_years(published, current):
        before, after = _text(published[year]), _text(current[year])
        reason = (reasons or {}).get(year, "")
        why_ja = f"（訂正の理由: {reason}）" if reason else ""
        why_en = f" (reason: {reason})" if reason else ""
        flags.append(
            Flag(
                "revised-after-publication",
                f"{fiscal_year_label(year)}の実績値は公表後に {before} から {after} に"
                f"訂正されています{why_ja}（この表は公表時の値で評価しています）",
                f"the FY{year} actual was corrected from {before} to {after} after publication"
                f"{why_en} (this table is judged on the published value)",
            )
        )
    return flags


def _text(actual: Actual) -> str:
    return format_number(actual.value) if actual.value is not None else actual.marker or "-"


def to_core_kpi(
    row: m.ReportedKpi,
    current: dict[int, Actual] | None = None,
    reasons: dict[int, str] | None = None,
) -> Kpi:
    """A KPI row as published in one year's report (with the KPI's overrides) as a core `Kpi`;
    `current` (the ledger's actuals now) adds a flag where the ledger has corrected a value,
    with the correction's reason (`reasons`: year → reason; looked up when not given)."""
    kpi = row.kpi
    actuals = _published(row)
    if reasons is None and current:
        changed = corrected_years(actuals, current)
        reasons = correction_reasons((row.kpi_id, y) for y in changed).get(row.kpi_id, {})
    date = YearMonth(row.target_year, row.target_month) if row.target_year else None
    baseline = None
    if row.baseline is not None:
        baseline = Baseline(as_written(row.baseline, row.baseline_text), row.baseline_year)
    rate = row.published_rate
    return Kpi(
        indicator=kpi.indicator,
        unit=row.unit,
        target=as_written(row.target, row.target_text),
        target_bound=row.target_bound or None,
        target_date=date,
        actuals=actuals,
        baseline=baseline,
        published_rate=None if rate is None else as_written(rate, row.published_rate_text),
        note=row.note or None,
        direction_override=Direction(kpi.direction_override) if kpi.direction_override else None,
        aggregation_override=(
            Aggregation(kpi.aggregation_override) if kpi.aggregation_override else None
        ),
        actuals_are_increments=kpi.actuals_are_increments,
        reader_flags=[Flag(**flag) for flag in row.reader_flags]
        + revisions(actuals, current or {}, reasons),
    )


def as_written(value: Decimal, text: str) -> Decimal:
    """The stored value with the digits as published (`2300.00`) when the row kept them, else
    without the database's padding (rows of older imports)."""
    if text:
        written = Decimal(text)
        if written == value:
            return written
    return m.unpad(value)


def _published(row: m.ReportedKpi) -> dict[int, Actual]:
    return {int(year): _actual(cell) for year, cell in row.actuals.items()}


def _actual(cell: dict[str, str]) -> Actual:
    if "value" in cell:
        return Actual(Decimal(cell["value"]))
    return Actual(None, cell.get("marker", ""))
