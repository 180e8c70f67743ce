"""Staff import: upload a report, see every change it would make, then apply or discard.

The upload is kept in the ledger as a pending import (`ImportBatch`, status pending → applied or
discarded) of one organization; nothing is held in the session and nothing else is written
before the confirmation. Who may do what is asked of policy.py: a department editor or the
planning admin of the organization prepares (uploads) an import, everyone with `view_draft`
there sees it (`/staff/imports/<id>/`), only the planning admin applies it, and the preparer or
the planning admin discards it. An organization not yet in the ledger: superusers only.

At the confirmation the plan is made again inside the write transaction with the organization
locked, and applied only if it is still the plan the page showed (its fingerprint is posted
with the form): all or nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kpiledger.core.errors import KpiledgerError, Problem
from kpiledger.io.readers import read_report_bytes
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger import policy
from kpiledger.web.ledger.forms import ImportUploadForm
from kpiledger.web.ledger.policy import Action
from kpiledger.web.ledger.presenters.formatting import year_label_long
from kpiledger.web.ledger.presenters.plan import plan_view
from kpiledger.web.ledger.services import importing, reports

MAX_PROBLEMS_SHOWN = 200
Pending = m.ImportBatch.Status.PENDING
NO_ORGANIZATION = (
    "取込を準備できる団体がありません。企画担当に所属と役割の登録を依頼してください"
    " / you may not prepare an import for any organization: ask your planning office for a"
    " membership"
)

View = Callable[..., HttpResponse]


class _LedgerMoved(Exception):
    """The ledger changed between the preview and the confirmation (rolls the write back)."""


class _NothingToApply(Exception):
    """The plan changes nothing (rolls back even an organization row created for it)."""

    def __init__(self, plan: importing.ImportPlan) -> None:
        super().__init__()
        self.plan = plan


def staff_page(view: View) -> View:
    """Login required (an anonymous visitor goes to the login page); a refusal of the policy
    is a 403 page with its Japanese and English reason."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as denied:
            return forbidden(request, str(denied))

    return wrapped


def forbidden(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "ledger/staff/forbidden.html", {"reason": reason}, status=403)


def batch_organization(batch: m.ImportBatch) -> m.Organization | None:
    """The organization of an import: its own, or (a pending import prepared before its
    organization entered the ledger) the one with its code, or None (a new organization)."""
    if batch.organization is not None:
        return batch.organization
    return m.Organization.objects.filter(code=batch.org_code).first()


def entry_years(user: Any, organization: m.Organization | None) -> list[dict[str, Any]]:
    """The years whose actuals the user may enter for the organization: the year after its
    latest published report, then that report's year (none without a project to edit)."""
    editable = policy.projects_for(user, Action.EDIT_VALUE)
    if organization is None or not editable.filter(organization=organization).exists():
        return []
    years = reports.report_years(organization)
    latest = years[0] if years else None
    chosen = [latest + 1, latest] if latest is not None else []
    return [{"year": y, "label": year_label_long(y)} for y in chosen]


def may_discard(user: Any, batch: m.ImportBatch, organization: m.Organization | None) -> bool:
    """The planning admin of the organization, or the one who prepared it while still allowed
    to prepare imports there."""
    if batch.status != Pending:
        return False
    if policy.allowed(user, Action.IMPORT_APPLY, organization):
        return True
    return batch.prepared_by_id == user.pk and policy.allowed(
        user, Action.IMPORT_PREPARE, organization
    )


@staff_page
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    organizations = policy.organizations_for(request.user, Action.IMPORT_PREPARE)
    if not request.user.is_superuser and not organizations.exists():
        raise PermissionDenied(NO_ORGANIZATION)
    form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user)
    problems: list[Problem] = []
    if request.method == "POST" and form.is_valid():
        content = form.cleaned_data["file"].read()
        name = form.cleaned_data["file"].name
        try:
            sheet = form.cleaned_data.get("sheet") or ""
            report = read_report_bytes(content, name, sheet=sheet or None)
            importing.check_values(report)
        except KpiledgerError as error:
            problems = error.problems
        else:
            batch = importing.record_pending(
                report,
                code=form.cleaned_data["org_code"],
                name=form.cleaned_data["org_name"],
                file_name=name,
                sheet=sheet,
                content=content,
                user=request.user,
            )
            return redirect("ledger:import_preview", pk=batch.pk)
    context = {
        "form": form,
        "organizations": list(organizations[:50]),
        "problems": problems[:MAX_PROBLEMS_SHOWN],
        "problem_count": len(problems),
        "more_problems": max(0, len(problems) - MAX_PROBLEMS_SHOWN),
    }
    return render(request, "ledger/staff/upload.html", context)


@staff_page
@require_GET
def imports(request: HttpRequest) -> HttpResponse:
    """The imports of the user's organizations, per organization: every state, who and when,
    and what the user may do with a pending one."""
    user = request.user
    organizations = list(policy.organizations_for(user, Action.VIEW_DRAFT))
    codes = [o.code for o in organizations]
    scope = Q(organization__in=organizations) | Q(organization=None, org_code__in=codes)
    if user.is_superuser:
        scope = Q()
    batches = (
        m.ImportBatch.objects.filter(scope)
        .defer("content", "summary", "notes")
        .select_related("organization", "prepared_by", "applied_by", "discarded_by")
        .order_by("-created_at", "-id")
    )
    by_code = {o.code: o for o in organizations}
    groups: dict[str, dict[str, Any]] = {
        o.code: {"organization": o, "label": str(o), "rows": []} for o in organizations
    }
    for batch in batches:
        organization = batch.organization or by_code.get(batch.org_code)
        group = groups.setdefault(
            batch.code,
            {"organization": organization, "label": _new_label(batch), "rows": []},
        )
        pending = batch.status == Pending
        group["rows"].append(
            {
                "batch": batch,
                "may_apply": pending and policy.allowed(user, Action.IMPORT_APPLY, organization),
                "may_discard": may_discard(user, batch, organization),
            }
        )
    for group in groups.values():
        group["entry_years"] = entry_years(user, group["organization"])
    context = {
        "groups": sorted(groups.values(), key=lambda g: g["label"]),
        "may_prepare": user.is_superuser
        or policy.organizations_for(user, Action.IMPORT_PREPARE).exists(),
    }
    return render(request, "ledger/staff/imports.html", context)


def _new_label(batch: m.ImportBatch) -> str:
    name = batch.org_name or _("台帳にない団体")
    return f"{name}（{batch.org_code}）"


def _located(problem: Problem) -> str:
    """A problem as one message: Japanese, then English, each after its location if any."""
    where_ja, where_en = problem.location_ja(), problem.location_en()
    ja = f"{where_ja}: {problem.message_ja}" if where_ja else problem.message_ja
    en = f"{where_en}: {problem.message_en}" if where_en else problem.message_en
    return f"[{problem.code}] {ja} / {en}"


def _allowed_batch(request: HttpRequest, pk: int) -> tuple[m.ImportBatch, m.Organization | None]:
    """The import with this id, if the user may see the drafts of its organization."""
    batch = get_object_or_404(m.ImportBatch, pk=pk)
    organization = batch_organization(batch)
    if not policy.allowed(request.user, Action.VIEW_DRAFT, organization):
        raise PermissionDenied(policy.denied_message(Action.VIEW_DRAFT, organization))
    return batch, organization


def _discard(user: Any, batch: m.ImportBatch) -> None:
    batch.status = m.ImportBatch.Status.DISCARDED
    batch.discarded_at, batch.discarded_by = timezone.now(), user
    batch.save(update_fields=["status", "discarded_at", "discarded_by"])


def _plan(request: HttpRequest, batch: m.ImportBatch, organization: m.Organization | None):  # type: ignore[no-untyped-def]
    """The plan of a pending import against the ledger now, or None when it can no longer be
    planned (the reasons are shown; the import is discarded if the user may discard it)."""
    try:
        report = read_report_bytes(bytes(batch.content), batch.file_name, sheet=batch.sheet or None)
        target = importing.organization_for(batch.org_code, batch.org_name or None)
        return importing.plan_import(target, report, bytes(batch.content))
    except KpiledgerError as error:
        if may_discard(request.user, batch, organization):
            _discard(request.user, batch)
        for problem in error.problems[:MAX_PROBLEMS_SHOWN]:
            messages.error(request, _located(problem))
        return None


def _settled(request: HttpRequest, batch: m.ImportBatch) -> HttpResponse:
    messages.info(
        request,
        _("この取込はすでに「%(status)s」です。") % {"status": batch.get_status_display()},
    )
    return redirect("ledger:staff_imports")


@staff_page
@require_GET
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    batch, organization = _allowed_batch(request, pk)
    if batch.status != Pending:
        return _settled(request, batch)
    plan = _plan(request, batch, organization)
    if plan is None:
        return redirect("ledger:staff_imports")
    may_apply = policy.allowed(request.user, Action.IMPORT_APPLY, organization)
    fingerprint = plan.fingerprint()
    if may_apply:  # a record of what the one who may apply was last shown
        batch.shown_fingerprint = fingerprint
        batch.save(update_fields=["shown_fingerprint"])
    view = plan_view(plan, batch.file_name, "en" if get_language() == "en" else "ja")
    context = {
        "batch": batch,
        "plan": plan,
        "view": view,
        "file_name": batch.file_name,
        "year": year_label_long(plan.report.fiscal_year),
        "nothing_to_apply": view.nothing_to_apply,
        "counts": view.counts,
        "fingerprint": fingerprint,
        "may_apply": may_apply,
        "may_discard": may_discard(request.user, batch, organization),
    }
    return render(request, "ledger/staff/preview.html", context)


@staff_page
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    batch, organization = _allowed_batch(request, pk)
    if batch.status != Pending:
        return _settled(request, batch)
    if request.POST.get("action") != "apply":
        if not may_discard(request.user, batch, organization):
            raise PermissionDenied(
                "この取込を取り消せるのは、準備した人と企画担当です"
                " / only the one who prepared this import or the planning admin may discard it"
            )
        _discard(request.user, batch)
        messages.info(request, _("取込を取り消しました。何も変更していません。"))
        return redirect("ledger:staff_imports")
    policy.require(request.user, Action.IMPORT_APPLY, organization)
    shown = request.POST.get("fingerprint", "")
    if not shown:  # no preview was shown
        return redirect("ledger:import_preview", pk=batch.pk)
    try:
        applied, plan = _apply(request, batch, shown)
    except _LedgerMoved:
        messages.warning(
            request, _("確認画面の表示後に台帳が変わりました。変更内容をもう一度確認してください。")
        )
        return redirect("ledger:import_preview", pk=batch.pk)
    except KpiledgerError as error:
        for problem in error.problems[:MAX_PROBLEMS_SHOWN]:
            messages.error(request, _located(problem))
        if error.problems[0].code == "ledger-busy":  # try again later: keep it pending
            return redirect("ledger:import_preview", pk=batch.pk)
        _discard(request.user, batch)
        return redirect("ledger:staff_imports")
    if applied is None:
        _discard(request.user, batch)
        messages.info(request, _("この報告書の内容はすでに台帳にあります。何も変更していません。"))
        return redirect("ledger:staff_imports")
    messages.success(request, _("取り込みました。"))
    return redirect("ledger:report", code=plan.organization.code, year=plan.report.fiscal_year)


def _apply(request: HttpRequest, batch: m.ImportBatch, shown: str):  # type: ignore[no-untyped-def]
    """Plan again with the organization locked; write only what the preview showed, and
    nothing at all (not even an import record or a new ledger version) when the plan changes
    nothing: the same file again, or another file whose content the ledger already holds."""
    content = bytes(batch.content)
    report = read_report_bytes(content, batch.file_name, sheet=batch.sheet or None)
    try:
        with importing.writing(batch.org_code, batch.org_name or None) as organization:
            plan = importing.plan_import(organization, report, content)
            if plan.fingerprint() != shown:
                raise _LedgerMoved
            if plan.is_empty:
                raise _NothingToApply(plan)
            batch.shown_fingerprint = shown
            applied = importing.apply_import(
                plan, file_name=batch.file_name, content=content, user=request.user, pending=batch
            )
            return applied, plan
    except _NothingToApply as nothing:
        return None, nothing.plan
