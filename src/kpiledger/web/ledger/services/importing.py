"""Importing a read report into the ledger: a preview of every change, then all or nothing.

Projects are matched by (organization, name) and KPIs by (project, indicator), so next
year's report of the same organization extends the same projects and KPIs. Each report's rows
are also kept exactly as published (`ReportedKpi`), so a later report never rewrites how an
earlier one reads. Re-importing a file already applied changes nothing. Every write keeps
history (who, when, why).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from decimal import Decimal

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from kpiledger.core.errors import KpiledgerError, Problem
from kpiledger.core.model import Kpi, Report
from kpiledger.core.numbers import fits_ledger
from kpiledger.core.orgcode import (
    local_government,
    normalize_code,
    organization_name,
    prefecture_of,
)
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services import judgements
from kpiledger.web.ledger.services.inserts import create_with_history
from kpiledger.web.ledger.services.plan import (  # noqa: F401  (the service's names)
    CHANGE_LABELS,
    Change,
    ImportPlan,
    Progress,
)
from kpiledger.web.ledger.services.planner import Planner
from kpiledger.web.ledger.services.writer import Writer


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


ASK_FOR_NAME = ("団体名を --name で指定してください", "give the organization's name with --name")


def organization_for(
    code: str, name: str | None = None, *, ask: tuple[str, str] = ASK_FOR_NAME
) -> m.Organization:
    """The organization with this code (unsaved when new). A new one is named `name`, else
    by the table of local governments. Raises KpiledgerError on a bad code, and for a new
    organization whose code the table lacks and no `name` (`ask` says where to give one)."""
    code = normalize_code(code)
    existing = m.Organization.objects.filter(code=code).first()
    return existing or new_organization(code, name, ask=ask)


def new_organization(
    code: str, name: str | None = None, *, ask: tuple[str, str] = ASK_FOR_NAME
) -> m.Organization:
    """A new (unsaved) organization with this valid code: named `name`, else by the table."""
    name = (name or "").strip() or organization_name(code, ask)
    known = local_government(code)
    return m.Organization(
        code=code,
        name=name,
        prefecture=prefecture_of(code),
        kana=known.kana if known else "",
        kind=known.kind.value if known else "",
    )


@contextlib.contextmanager
def writing(code: str, name: str | None = None) -> Iterator[m.Organization]:
    """One write transaction on the organization's ledger: yields the organization (created when
    new), locked until the transaction ends, so what is planned inside is what is written.

    Two imports of one organization run one after the other (on SQLite the transaction takes the
    write lock when it begins; on PostgreSQL the organization row is locked). A plan made
    before this block can be stale: plan again inside it (and compare fingerprints)."""
    with busy_as_problem(), transaction.atomic():
        yield lock_organization(code, name)


@contextlib.contextmanager
def busy_as_problem() -> Iterator[None]:
    """A write that found the ledger locked by another import (SQLite's lock wait ran out)
    becomes the problem `ledger-busy`; any other database error goes on as it is."""
    try:
        yield
    except OperationalError as error:
        if "locked" not in str(error):
            raise
        raise KpiledgerError.single(
            "ledger-busy",
            "台帳は別の取込で使用中です。しばらくしてからもう一度実行してください",
            "the ledger is busy with another import; try again in a moment",
        ) from None


def lock_organization(code: str, name: str | None = None) -> m.Organization:
    """Inside a transaction: the organization with this code, created when new, locked for
    update. Two processes creating the same organization at once get the same row."""
    code = normalize_code(code)
    rows = m.Organization.objects.select_for_update()
    organization = rows.filter(code=code).first()
    if organization is None:
        organization = new_organization(code, name)
        try:
            with transaction.atomic():  # a savepoint: another process may be creating it too
                create_with_history([organization], m.Organization)
            m.LedgerVersion.bump()
        except IntegrityError:
            organization = rows.get(code=code)
    return organization


def record_pending(
    report: Report,
    *,
    code: str,
    name: str,
    file_name: str,
    content: bytes,
    user: object,
    sheet: str = "",
) -> m.ImportBatch:
    """Keep an uploaded file in the ledger as a pending import (never in the session), with
    the workbook sheet it was read from when one was named."""
    code = normalize_code(code)
    return m.ImportBatch.objects.create(
        organization=m.Organization.objects.filter(code=code).first(),
        org_code=code,
        org_name=name,
        file_name=file_name,
        sheet=sheet,
        sha256=sha256(content),
        content=content,
        title=report.title or "",
        fiscal_year=report.fiscal_year,
        status=m.ImportBatch.Status.PENDING,
        prepared_by=user if getattr(user, "pk", None) else None,
    )


def plan_import(organization: m.Organization, report: Report, content: bytes = b"") -> ImportPlan:
    """The preview: compare the report with the ledger. Writes nothing. Raises KpiledgerError
    for a value the ledger cannot keep exactly."""
    check_values(report)
    plan = ImportPlan(organization, report)
    if organization.pk and content:
        latest = (
            m.ImportBatch.objects.filter(
                organization=organization,
                fiscal_year=report.fiscal_year,
                status=m.ImportBatch.Status.APPLIED,
            )
            .order_by("-applied_at", "-id")
            .values_list("sha256", flat=True)
            .first()
        )
        plan.already_imported = latest == sha256(content)  # the year's latest file, again
        if plan.already_imported:
            return plan
    Planner(plan).run()
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
        if kpi.published_rate is not None:
            values.append(("達成率", kpi.published_rate))
        problems += [_too_precise(kpi, name, v) for name, v in values if not fits(v)]
    problems += _too_long(report)
    if problems:
        raise KpiledgerError(problems)


TEXT_LIMITS = (("事業の名称", 500), ("交付金", 200), ("指標", 500), ("単位", 50))


def _too_long(report: Report) -> list[Problem]:
    """Texts longer than the ledger keeps (a located problem, never a truncation)."""
    problems = []
    for project in report.projects:
        for kpi in project.kpis:
            texts = (project.name, project.grant or "", kpi.indicator, kpi.unit)
            for (name, limit), text in zip(TEXT_LIMITS, texts, strict=True):
                if len(text) > limit:
                    problems.append(
                        Problem(
                            "text-too-long",
                            f"{name}が長すぎます（{len(text)}文字、{limit}文字まで）",
                            f"{name} is too long ({len(text)} characters, at most {limit})",
                            line=kpi.line,
                            field=name,
                        )
                    )
    return problems


fits = fits_ledger  # the one rule: |value| < 10^11, at most 4 decimal places


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


def apply_import(
    plan: ImportPlan,
    *,
    file_name: str,
    content: bytes,
    user: object | None = None,
    progress: Progress | None = None,
    pending: m.ImportBatch | None = None,
) -> m.ImportBatch | None:
    """Write the plan in one transaction (all or nothing) and record the import batch (the
    `pending` one, now applied, when given). Returns None when the same file was already
    applied (nothing is written). Plan inside `writing()` so that nothing moves in between."""
    if plan.already_imported:
        return None
    user = user if getattr(user, "pk", None) else None
    with transaction.atomic():
        org = plan.organization
        if org.pk is None:
            org.save()
        batch = pending or m.ImportBatch(prepared_by=user)
        batch.organization = org
        batch.file_name, batch.content, batch.sha256 = file_name, content, sha256(content)
        batch.title, batch.fiscal_year = plan.report.title or "", plan.report.fiscal_year
        batch.notes = list(plan.report.notes)
        batch.status, batch.summary = m.ImportBatch.Status.APPLIED, plan.counts()
        batch.applied_at, batch.applied_by = timezone.now(), user
        batch.save()
        Writer(plan, batch, user, f"取込 / import: {file_name}", progress).write()
        m.LedgerVersion.bump()
        judgements.changed(org.pk)  # every year: an import may correct earlier years' actuals
    return batch
