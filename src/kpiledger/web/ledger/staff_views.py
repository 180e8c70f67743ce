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


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        content = form.cleaned_data["file"].read()
        name = form.cleaned_data["file"].name
        try:
            read_report_bytes(content, name)
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
    return render(request, "ledger/staff/upload.html", {"form": form, "problems": problems})


def _pending(request: HttpRequest):  # type: ignore[no-untyped-def]
    """(plan, file name, content) of the upload in the session, or None."""
    pending = request.session.get(SESSION_KEY)
    if not pending:
        return None
    content = base64.b64decode(pending["content"])
    report = read_report_bytes(content, pending["file_name"])
    organization = importing.organization_for(pending["code"], pending["org_name"] or None)
    return importing.plan_import(organization, report, content), pending["file_name"], content


@login_required
@permission_required(PERMISSION, raise_exception=True)
def preview(request: HttpRequest) -> HttpResponse:
    pending = _pending(request)
    if pending is None:
        return redirect("ledger:import_upload")
    plan, file_name, _content = pending
    changed = [c for c in plan.changes if c.kind.startswith("changed")]
    english = get_language() == "en"
    counts = [
        (importing.CHANGE_LABELS[kind][1 if english else 0], count)
        for kind, count in plan.counts().items()
    ]
    context = {"plan": plan, "file_name": file_name, "counts": counts, "changed": changed}
    return render(request, "ledger/staff/preview.html", context)


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    pending = _pending(request)
    if pending is None:
        return redirect("ledger:import_upload")
    plan, file_name, content = pending
    request.session.pop(SESSION_KEY, None)
    if request.POST.get("action") != "apply":
        messages.info(request, _("取込を取り消しました。何も変更していません。"))
        return redirect("ledger:import_upload")
    batch = importing.apply_import(plan, file_name=file_name, content=content, user=request.user)
    if batch is None:
        messages.info(request, _("このファイルは取込済みです。何も変更していません。"))
    else:
        messages.success(request, _("取り込みました。"))
    org = plan.organization
    return redirect("ledger:report", code=org.code, year=plan.report.fiscal_year)
