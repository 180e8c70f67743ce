"""A fiscal year's hub, review and publishing (issue 10, item 5).

`/staff/org/<code>/<year>/` (`view_draft`): every project of the year the user may see, with its
state (入力中 → 提出済み → 承認済み → 公表済み), the planning office's last comment, links to its
actuals, money and evaluation, and the buttons the user may use on it (submit, return with a
comment, approve); for the planning admin, the publish button and what blocks it.

The buttons post to `project/<id>/<action>/` (submit, return, approve) and `publish/`; each
answers with a redirect back to the hub and a message (services/workflow.py does the work).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from kpiledger.web.ledger import models as m
from kpiledger.web.ledger import policy
from kpiledger.web.ledger.policy import Action
from kpiledger.web.ledger.presenters.formatting import year_label_long
from kpiledger.web.ledger.services import evaluation, locks, workflow
from kpiledger.web.ledger.staff_entry import FIRST_YEAR, LAST_YEAR
from kpiledger.web.ledger.staff_views import staff_page

ACTIONS = ("submit", "return", "approve")
DONE = {
    "submit": "「{name}」を提出しました / “{name}” was submitted",
    "return": "「{name}」を差し戻しました / “{name}” was returned to its department",
    "approve": "「{name}」を承認しました / “{name}” was approved",
}


@dataclass
class HubRow:
    """One project of the year on the hub."""

    project: m.Project
    state: str
    state_label: str
    comment: str
    ended: str
    may_submit: bool
    may_return: bool
    may_approve: bool
    may_edit_values: bool
    # the organization's evaluation steps: (label, recorded or not), in their order
    steps: list[tuple[str, bool]]


def _organization(code: str, year: int) -> m.Organization:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404("no such fiscal year")
    return get_object_or_404(m.Organization, code=code)


def _rows(user: Any, organization: m.Organization, year: int, is_open: bool) -> list[HubRow]:
    visible = set(
        policy.projects_for(user, Action.VIEW_DRAFT)
        .filter(organization=organization)
        .values_list("pk", flat=True)
    )
    submitters = set(
        policy.projects_for(user, Action.SUBMIT)
        .filter(organization=organization)
        .values_list("pk", flat=True)
    )
    editors = set(
        policy.projects_for(user, Action.EDIT_VALUE)
        .filter(organization=organization)
        .values_list("pk", flat=True)
    )
    may_review = policy.allowed(user, Action.REVIEW, organization)
    may_approve = policy.allowed(user, Action.APPROVE, organization)
    steps = evaluation.steps_for(organization)
    recorded = set(
        m.Evaluation.objects.filter(
            project__organization=organization, fiscal_year=year
        ).values_list("project_id", "step")
    )
    rows = []
    for row in workflow.year_projects(organization, year):
        project = row.project
        if project.pk not in visible:
            continue
        ended = locks.project_closed(project, year) or ""
        state = row.state
        rows.append(
            HubRow(
                project=project,
                state=state,
                state_label=workflow.state_label(state),
                comment=row.comment,
                ended=ended,
                may_submit=is_open
                and not ended
                and state == m.WorkState.DRAFT
                and project.pk in submitters,
                may_return=not ended
                and may_review
                and state in (m.WorkState.SUBMITTED, m.WorkState.APPROVED),
                may_approve=not ended and may_approve and state == m.WorkState.SUBMITTED,
                may_edit_values=project.pk in editors,
                steps=[
                    (evaluation.STEP_LABELS[step][0], (project.pk, step.value) in recorded)
                    for step in steps
                ],
            )
        )
    return rows


@staff_page
@require_GET
def year(request: HttpRequest, code: str, year: int) -> HttpResponse:
    organization = _organization(code, year)
    policy.require(request.user, Action.VIEW_DRAFT, organization)
    fiscal_year = m.FiscalYear.objects.filter(organization=organization, year=year).first()
    is_open = fiscal_year is not None and fiscal_year.closed_at is None
    rows = _rows(request.user, organization, year, is_open)
    may_publish = policy.allowed(request.user, Action.PUBLISH, organization)
    waiting: list[dict[str, str]] = []
    if may_publish:
        waiting = [
            {"name": r.project.name, "state": workflow.state_label(r.state)}
            for r in workflow.blockers(workflow.year_projects(organization, year), year)
        ]
    published = fiscal_year is not None and fiscal_year.published_at is not None
    context = {
        "organization": organization,
        "year": year,
        "year_label": year_label_long(year),
        "fiscal_year": fiscal_year,
        "closed": fiscal_year is not None and fiscal_year.closed_at is not None,
        "published": published,
        "rows": rows,
        "may_publish": may_publish and fiscal_year is not None and not published,
        "publishable": bool(rows) and not waiting,
        "waiting": waiting,
        "may_open_year": policy.allowed(request.user, Action.OPEN_YEAR, organization),
    }
    return render(request, "ledger/staff/year.html", context)


@staff_page
@require_POST
def project_action(
    request: HttpRequest, code: str, year: int, project_id: int, action: str
) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404("no such action")
    organization = _organization(code, year)
    project = get_object_or_404(m.Project, pk=project_id, organization=organization)
    comment = request.POST.get("comment", "")
    try:
        if action == "submit":
            workflow.submit(request.user, project, year)
        elif action == "return":
            workflow.return_(request.user, project, year, comment)
        else:
            workflow.approve(request.user, project, year, comment)
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, DONE[action].format(name=project.name))
    return redirect("ledger:staff_year", code=organization.code, year=year)


@staff_page
@require_POST
def publish(request: HttpRequest, code: str, year: int) -> HttpResponse:
    organization = _organization(code, year)
    if not policy.allowed(request.user, Action.PUBLISH, organization):
        raise PermissionDenied(policy.denied_message(Action.PUBLISH, organization))
    try:
        workflow.publish(request.user, organization, year)
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"{year_label_long(year)}の報告書を公表しました / the FY{year} report is published",
        )
    return redirect("ledger:staff_year", code=organization.code, year=year)
