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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import OperationalError, transaction
from django.utils import timezone

from kpiledger.core.errors import KpiledgerError, Problem
from kpiledger.core.model import Kpi, Report
from kpiledger.core.numbers import fits_ledger
from kpiledger.core.orgcode import normalize_code, prefecture_of
from kpiledger.web.ledger import models as m

Progress = Callable[[int, int], None]  # (done, total)

CHANGE_LABELS = {
    "new-project": ("事業の追加", "new projects"),
    "changed-project": ("事業の変更", "changed projects"),
    "new-kpi": ("KPIの追加", "new KPIs"),
    "changed-kpi": ("KPIの変更", "changed KPIs"),
    "new-reported": ("報告行の記録", "report rows recorded"),
    "changed-reported": ("報告行の変更", "changed report rows"),
    "removed-reported": ("報告行の削除", "report rows removed"),
    "new-observation": ("実績値の追加", "new actuals"),
    "changed-observation": ("実績値の変更", "changed actuals"),
    "kept-observation": ("新しい報告の値を維持", "newer reported values kept"),
}


@dataclass
class Change:
    """One row of the preview: what will be created or changed."""

    kind: str  # a key of CHANGE_LABELS
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
    new_reported: list[tuple[m.Kpi, m.ReportedKpi]] = field(default_factory=list)
    changed_reported: list[m.ReportedKpi] = field(default_factory=list)
    removed_reported: list[m.ReportedKpi] = field(default_factory=list)
    new_observations: list[tuple[m.Kpi, m.Observation]] = field(default_factory=list)
    changed_observations: list[m.Observation] = field(default_factory=list)
    grants: dict[str, m.GrantProgram] = field(default_factory=dict)
    already_imported: bool = False

    def counts(self) -> dict[str, int]:
        return {k: sum(1 for c in self.changes if c.kind == k) for k in CHANGE_LABELS}

    @property
    def is_empty(self) -> bool:
        return not any(c.kind != "kept-observation" for c in self.changes)

    def fingerprint(self) -> str:
        """A digest of the changes, to check at confirmation that nothing moved since the
        preview was shown."""
        text = "\n".join(repr(c) for c in self.changes)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


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


@contextlib.contextmanager
def writing(code: str, name: str | None = None) -> Iterator[m.Organization]:
    """One write transaction on the organization's ledger: yields the organization (created when
    new), locked until the transaction ends, so what is planned inside is what is written.

    Two imports of one organization run one after the other (on SQLite the transaction takes the
    write lock when it begins; on PostgreSQL the organization row is locked). A plan made
    before this block can be stale: plan again inside it (and compare fingerprints)."""
    try:
        with transaction.atomic():
            yield lock_organization(code, name)
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
        new = organization_for(code, name)
        m.Organization.objects.get_or_create(
            code=code, defaults={"name": new.name, "prefecture": new.prefecture}
        )
        organization = rows.get(code=code)
    return organization


def record_pending(
    report: Report, *, code: str, name: str, file_name: str, content: bytes, user: object
) -> m.ImportBatch:
    """Keep an uploaded file in the ledger as a pending import (never in the session)."""
    code = normalize_code(code)
    return m.ImportBatch.objects.create(
        organization=m.Organization.objects.filter(code=code).first(),
        org_code=code,
        org_name=name,
        file_name=file_name,
        sha256=sha256(content),
        content=content,
        title=report.title or "",
        fiscal_year=report.fiscal_year,
        status=m.ImportBatch.Status.PENDING,
        created_by=user if getattr(user, "pk", None) else None,
    )


def plan_import(organization: m.Organization, report: Report, content: bytes = b"") -> ImportPlan:
    """The preview: compare the report with the ledger. Writes nothing. Raises KpiledgerError
    for a value the ledger cannot keep exactly."""
    from kpiledger.web.ledger.services.planner import Planner

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
    from kpiledger.web.ledger.services.writer import Writer

    if plan.already_imported:
        return None
    user = user if getattr(user, "pk", None) else None
    with transaction.atomic():
        org = plan.organization
        if org.pk is None:
            org.save()
        batch = pending or m.ImportBatch(created_by=user)
        batch.organization = org
        batch.file_name, batch.content, batch.sha256 = file_name, content, sha256(content)
        batch.title, batch.fiscal_year = plan.report.title or "", plan.report.fiscal_year
        batch.status, batch.summary = m.ImportBatch.Status.APPLIED, plan.counts()
        batch.applied_at = timezone.now()
        batch.save()
        Writer(plan, batch, user, f"取込 / import: {file_name}", progress).write()
        m.LedgerVersion.bump()
    return batch
