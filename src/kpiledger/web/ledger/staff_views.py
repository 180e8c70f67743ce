"""Staff import: upload a report, see every change it would make, then apply or discard.

The upload is kept in the session until confirmed; nothing in the ledger is written before the
confirmation, and the write is one transaction (all or nothing).
"""

from __future__ import annotations

import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kpiledger.core.errors import KpiledgerError
from kpiledger.io.readers import read_report_bytes
from kpiledger.web.ledger.forms import ImportUploadForm
from kpiledger.web.ledger.services import importing

SESSION_KEY = "kpiledger_pending_import"
PERMISSION = "ledger.add_importbatch"
MAX_PROBLEMS_SHOWN = 200


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
            importing.check_values(read_report_bytes(content, name))
        except KpiledgerError as error:
            problems = error.problems
        else:
            request.session[SESSION_KEY] = {
                "code": form.cleaned_data["org_code"],
                "org_name": form.cleaned_data["org_name"],
                "file_name": name,
                "content": base64.b64encode(content).decode("ascii"),
            }
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


def _pending(request: HttpRequest):  # type: ignore[no-untyped-def]
    """(plan, file name, content) of the upload in the session, or None (also when it can no
    longer be planned: the session entry is then dropped and the reason shown)."""
    pending = request.session.get(SESSION_KEY)
    if not pending:
        return None
    content = base64.b64decode(pending["content"])
    try:
        report = read_report_bytes(content, pending["file_name"])
        organization = importing.organization_for(pending["code"], pending["org_name"] or None)
        plan = importing.plan_import(organization, report, content)
    except KpiledgerError as error:
        request.session.pop(SESSION_KEY, None)
        for problem in error.problems[:MAX_PROBLEMS_SHOWN]:
            messages.error(request, f"{problem.message_ja} / {problem.message_en}")
        return None
    return plan, pending["file_name"], content


@login_required
@permission_required(PERMISSION, raise_exception=True)
def preview(request: HttpRequest) -> HttpResponse:
    pending = _pending(request)
    if pending is None:
        return redirect("ledger:import_upload")
    plan, file_name, _content = pending
    request.session[SESSION_KEY] = request.session[SESSION_KEY] | {"shown": plan.fingerprint()}
    changed = [c for c in plan.changes if c.kind.startswith(("changed", "kept"))]
    added = [c for c in plan.changes if c.kind in ("new-project", "new-kpi")]
    english = get_language() == "en"
    counts = [
        (importing.CHANGE_LABELS[kind][1 if english else 0], count)
        for kind, count in plan.counts().items()
    ]
    context = {
        "plan": plan,
        "file_name": file_name,
        "counts": counts,
        "changed": changed,
        "added": added,
    }
    return render(request, "ledger/staff/preview.html", context)


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    if request.POST.get("action") != "apply":
        request.session.pop(SESSION_KEY, None)
        messages.info(request, _("取込を取り消しました。何も変更していません。"))
        return redirect("ledger:import_upload")
    shown = (request.session.get(SESSION_KEY) or {}).get("shown")
    pending = _pending(request)
    if pending is None:
        return redirect("ledger:import_upload")
    plan, file_name, content = pending
    if plan.fingerprint() != shown:
        messages.warning(
            request, _("確認画面の表示後に台帳が変わりました。変更内容をもう一度確認してください。")
        )
        return redirect("ledger:import_preview")
    request.session.pop(SESSION_KEY, None)
    batch = importing.apply_import(plan, file_name=file_name, content=content, user=request.user)
    if batch is None:
        messages.info(request, _("このファイルは取込済みです。何も変更していません。"))
    else:
        messages.success(request, _("取り込みました。"))
    org = plan.organization
    return redirect("ledger:report", code=org.code, year=plan.report.fiscal_year)
