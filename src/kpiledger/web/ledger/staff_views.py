"""Staff import: upload a report, see every change it would make, then apply or discard.

The upload is kept in the ledger as a pending import (`ImportBatch`, status pending → applied or
discarded); the session holds only its id. Nothing else is written before the confirmation. At
the confirmation the plan is made again inside the write transaction with the organization
locked, and applied only if it is still what the preview showed (all or nothing).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kpiledger.core.errors import KpiledgerError, Problem
from kpiledger.io.readers import read_report_bytes
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.forms import ImportUploadForm
from kpiledger.web.ledger.presenters.formatting import year_label_long
from kpiledger.web.ledger.presenters.plan import plan_view
from kpiledger.web.ledger.services import importing

SESSION_KEY = "kpiledger_pending_import"  # the id of the user's pending ImportBatch
PERMISSION = "ledger.add_importbatch"
MAX_PROBLEMS_SHOWN = 200
Pending = m.ImportBatch.Status.PENDING


class _LedgerMoved(Exception):
    """The ledger changed between the preview and the confirmation (rolls the write back)."""


class _NothingToApply(Exception):
    """The plan changes nothing (rolls back even an organization row created for it)."""

    def __init__(self, plan: importing.ImportPlan) -> None:
        super().__init__()
        self.plan = plan


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    problems: list = []  # type: ignore[type-arg]
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
            _discard(_pending_batch(request))
            batch = importing.record_pending(
                report,
                code=form.cleaned_data["org_code"],
                name=form.cleaned_data["org_name"],
                file_name=name,
                sheet=sheet,
                content=content,
                user=request.user,
            )
            request.session[SESSION_KEY] = batch.pk
            return redirect("ledger:import_preview")
    return _upload_page(request, form, problems)


def _upload_page(request: HttpRequest, form: ImportUploadForm, problems: list) -> HttpResponse:  # type: ignore[type-arg]
    context = {
        "form": form,
        "problems": problems[:MAX_PROBLEMS_SHOWN],
        "problem_count": len(problems),
        "more_problems": max(0, len(problems) - MAX_PROBLEMS_SHOWN),
    }
    return render(request, "ledger/staff/upload.html", context)


def _located(problem: Problem) -> str:
    """A problem as one message: Japanese, then English, each after its location if any."""
    where_ja, where_en = problem.location_ja(), problem.location_en()
    ja = f"{where_ja}: {problem.message_ja}" if where_ja else problem.message_ja
    en = f"{where_en}: {problem.message_en}" if where_en else problem.message_en
    return f"[{problem.code}] {ja} / {en}"


def _pending_batch(request: HttpRequest) -> m.ImportBatch | None:
    """The user's own pending import named in the session, if still pending."""
    pk = request.session.get(SESSION_KEY)
    if not isinstance(pk, int):
        return None
    return m.ImportBatch.objects.filter(pk=pk, status=Pending, created_by=request.user).first()


def _discard(batch: m.ImportBatch | None) -> None:
    if batch is not None:
        batch.status = m.ImportBatch.Status.DISCARDED
        batch.save(update_fields=["status"])


def _plan(request: HttpRequest, batch: m.ImportBatch):  # type: ignore[no-untyped-def]
    """The plan of a pending import against the ledger now, or None when it can no longer be
    planned (the import is then discarded and the reason shown)."""
    try:
        report = read_report_bytes(bytes(batch.content), batch.file_name, sheet=batch.sheet or None)
        organization = importing.organization_for(batch.org_code, batch.org_name or None)
        return importing.plan_import(organization, report, bytes(batch.content))
    except KpiledgerError as error:
        _drop(request, batch)
        for problem in error.problems[:MAX_PROBLEMS_SHOWN]:
            messages.error(request, _located(problem))
        return None


def _drop(request: HttpRequest, batch: m.ImportBatch | None) -> None:
    _discard(batch)
    request.session.pop(SESSION_KEY, None)


@login_required
@permission_required(PERMISSION, raise_exception=True)
def preview(request: HttpRequest) -> HttpResponse:
    batch = _pending_batch(request)
    plan = _plan(request, batch) if batch else None
    if batch is None or plan is None:
        return redirect("ledger:import_upload")
    batch.shown_fingerprint = plan.fingerprint()
    batch.save(update_fields=["shown_fingerprint"])
    view = plan_view(plan, batch.file_name, "en" if get_language() == "en" else "ja")
    context = {
        "plan": plan,
        "view": view,
        "file_name": batch.file_name,
        "year": year_label_long(plan.report.fiscal_year),
        "nothing_to_apply": view.nothing_to_apply,
        "counts": view.counts,
    }
    return render(request, "ledger/staff/preview.html", context)


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    batch = _pending_batch(request)
    if request.POST.get("action") != "apply":
        _drop(request, batch)
        messages.info(request, _("取込を取り消しました。何も変更していません。"))
        return redirect("ledger:import_upload")
    if batch is None or not batch.shown_fingerprint:
        return redirect("ledger:import_upload")
    try:
        applied, plan = _apply(request, batch)
    except _LedgerMoved:
        messages.warning(
            request, _("確認画面の表示後に台帳が変わりました。変更内容をもう一度確認してください。")
        )
        return redirect("ledger:import_preview")
    except KpiledgerError as error:
        for problem in error.problems[:MAX_PROBLEMS_SHOWN]:
            messages.error(request, _located(problem))
        if error.problems[0].code == "ledger-busy":  # try again later: keep it pending
            return redirect("ledger:import_preview")
        _drop(request, batch)
        return redirect("ledger:import_upload")
    request.session.pop(SESSION_KEY, None)
    if applied is None:
        _discard(batch)
        messages.info(request, _("この報告書の内容はすでに台帳にあります。何も変更していません。"))
        return redirect("ledger:import_upload")
    messages.success(request, _("取り込みました。"))
    return redirect("ledger:report", code=plan.organization.code, year=plan.report.fiscal_year)


def _apply(request: HttpRequest, batch: m.ImportBatch):  # type: ignore[no-untyped-def]
    """Plan again with the organization locked; write only what the preview showed, and
    nothing at all (not even an import record or a new ledger version) when the plan changes
    nothing: the same file again, or another file whose content the ledger already holds."""
    content = bytes(batch.content)
    report = read_report_bytes(content, batch.file_name, sheet=batch.sheet or None)
    try:
        with importing.writing(batch.org_code, batch.org_name or None) as organization:
            plan = importing.plan_import(organization, report, content)
            if plan.fingerprint() != batch.shown_fingerprint:
                raise _LedgerMoved
            if plan.is_empty:
                raise _NothingToApply(plan)
            applied = importing.apply_import(
                plan, file_name=batch.file_name, content=content, user=request.user, pending=batch
            )
            return applied, plan
    except _NothingToApply as nothing:
        return None, nothing.plan
