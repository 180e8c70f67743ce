"""The evaluation chain and the committee's evaluation (issue 10, items 7 and 8).

`/staff/org/<code>/<year>/evaluation/<project_id>/`: one project's year, for those who may view
its drafts (`view_draft`): kpiledger's suggested effect with its reason and the KPI results it
is judged on, then each step the organization runs (自己評価, 一次評価, 外部評価, 最終判断) in
order, as recorded (who and when), with a form for whoever may record it now; a step that
cannot be recorded now says why (not your role, an earlier step missing, the year published …).
Saving is refused when the step was recorded by someone else since the page was shown
(services/evaluation.py); both versions are shown.

`/staff/org/<code>/evaluation-steps/`: the steps the organization runs; the planning admin
(`admin_change`) chooses them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from kpiledger.web.ledger import models as m
from kpiledger.web.ledger import policy
from kpiledger.web.ledger.forms_evaluation import StepForm, StepsForm
from kpiledger.web.ledger.policy import Action
from kpiledger.web.ledger.presenters.formatting import (
    Badge,
    badge,
    number,
    rate_text,
    year_label,
    year_label_long,
)
from kpiledger.web.ledger.services import evaluation as service
from kpiledger.web.ledger.services import locks
from kpiledger.web.ledger.staff_views import staff_page

log = logging.getLogger(__name__)

FIRST_YEAR, LAST_YEAR = m.FIRST_FISCAL_YEAR, m.LAST_FISCAL_YEAR
Step = service.Step

# Who records each step, as the page says it.
RECORDED_BY = {
    Step.SELF: "事業担当課・企画担当 / the department or the planning office",
    Step.PRIMARY: "企画担当 / the planning office",
    Step.COMMITTEE: "外部有識者・企画担当 / a committee member or the planning office",
    Step.FINAL: "企画担当 / the planning office",
}


@dataclass
class StepView:
    """One step of the page: as recorded, and the form (or why there is none)."""

    step: Step
    label_ja: str
    label_en: str
    recorded_by: str
    record: m.Evaluation | None
    who: str
    form: StepForm | None
    why_not: str | None
    conflict: service.Conflict | None = None

    @property
    def anchor(self) -> str:
        return f"step-{self.step.value}"


@dataclass(frozen=True)
class KpiRow:
    indicator: str
    target: str
    judged_year: str
    actual: str
    rate: str
    badge: Badge


def _kpi_rows(suggestion: service.Suggestion) -> list[KpiRow]:
    return [
        KpiRow(
            line.indicator,
            f"{number(line.target)}{line.unit}",
            year_label(line.judged_year) if line.judged_year else "—",
            f"{number(line.actual)}{line.unit}" if line.actual is not None else "—",
            rate_text(line.rate),
            badge(line.status),
        )
        for line in suggestion.kpis
    ]


def _step_views(
    request: HttpRequest,
    project: m.Project,
    year: int,
    bound: StepForm | None = None,
    conflict: service.Conflict | None = None,
) -> list[StepView]:
    organization = project.organization
    recorded = service.chain(project, year)
    views = []
    for step in service.steps_for(organization):
        record = recorded.get(step)
        why = None
        form = None
        if policy.allowed(request.user, service.STEP_ACTIONS[step], organization, project):
            why = service.why_not(request.user, project, year, step, recorded)
            if why is None:
                if bound is not None and bound.step_value == step:
                    form = bound
                else:
                    form = StepForm(step=step, initial=_initial(record))
        ja, en = service.STEP_LABELS[step]
        views.append(
            StepView(
                step=step,
                label_ja=ja,
                label_en=en,
                recorded_by=RECORDED_BY[step],
                record=record,
                who=service.who(record) if record else "",
                form=form,
                why_not=why,
                conflict=conflict if conflict is not None and conflict.step == step else None,
            )
        )
    return views


def _initial(record: m.Evaluation | None) -> dict[str, str]:
    data = {"token": service.token(record)}
    if record is not None:
        data |= {"effect": record.effect, "comment": record.comment, "policy": record.policy}
    return data


def _year(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404("no such fiscal year")
    return year


@staff_page
@require_http_methods(["GET", "POST"])
def evaluation(request: HttpRequest, code: str, year: int, project_id: int) -> HttpResponse:
    organization = get_object_or_404(m.Organization, code=code)
    year = _year(year)
    project = get_object_or_404(
        m.Project.objects.select_related("organization", "grant"),
        pk=project_id,
        organization=organization,
    )
    policy.require(request.user, Action.VIEW_DRAFT, organization, project)
    bound: StepForm | None = None
    conflict: service.Conflict | None = None
    status = 200
    if request.method == "POST":
        step = _posted_step(request)
        policy.require(request.user, service.STEP_ACTIONS[step], organization, project)
        bound = StepForm(request.POST, step=step)
        if bound.is_valid():
            data = bound.cleaned_data
            try:
                service.record(
                    request.user,
                    project,
                    year,
                    step,
                    data.get("effect") or "",
                    data.get("comment") or "",
                    data.get("policy") or "",
                    shown=data["token"],
                    reason=data.get("reason") or "",
                )
            except service.Conflict as error:
                log.warning(
                    "evaluation refused (conflict): user=%s project=%s year=%s step=%s",
                    request.user.get_username(),
                    project.pk,
                    year,
                    step.value,
                )
                messages.error(request, error.message())
                conflict = error
                data = request.POST.copy()
                current = service.chain(project, year).get(step)
                data[f"{step.value}-token"] = service.token(current)
                bound = StepForm(data, step=step)  # yours kept, against the ledger's now
                status = 409
            except service.EvaluationError as error:
                messages.error(request, str(error))
                status = 409
            except service.Busy as busy:
                messages.error(request, str(busy))
                status = 503
            else:
                ja, en = service.STEP_LABELS[step]
                messages.success(request, f"{ja}を記録しました / {en} recorded")
                url = reverse("ledger:staff_evaluation", args=[organization.code, year, project.pk])
                return redirect(f"{url}#step-{step.value}")
        else:
            status = 400
    suggestion = service.suggestion(project, year)
    state = locks.state_of(project, year)
    context = {
        "organization": organization,
        "project": project,
        "year": year,
        "year_label": year_label_long(year),
        "state_label": state.label,
        "opened": m.FiscalYear.objects.filter(organization=organization, year=year).exists(),
        "suggestion": suggestion,
        "kpi_rows": _kpi_rows(suggestion),
        "steps": _step_views(request, project, year, bound, conflict),
        "projects": policy.projects_for(request.user, Action.VIEW_DRAFT)
        .filter(organization=organization)
        .exclude(ended_year__lt=year)  # not those that ended before this year
        .order_by("position", "id"),
        "may_set_steps": policy.allowed(request.user, Action.ADMIN_CHANGE, organization),
        "refused": m.RefusedChange.objects.filter(
            project=project, fiscal_year=year, kind=m.RefusedChange.Kind.EVALUATION
        ).select_related("user"),
    }
    return render(request, "ledger/staff/evaluation.html", context, status=status)


def _posted_step(request: HttpRequest) -> Step:
    """The step a POST records: its form's hidden `<step>-step` field (one step per POST)."""
    posted = [step for step in service.STEPS if request.POST.get(f"{step.value}-step")]
    if len(posted) != 1:
        raise Http404("no such evaluation step")
    return posted[0]


@staff_page
@require_http_methods(["GET", "POST"])
def evaluation_steps(request: HttpRequest, code: str) -> HttpResponse:
    organization = get_object_or_404(m.Organization, code=code)
    policy.require(request.user, Action.VIEW_DRAFT, organization)
    may_change = policy.allowed(request.user, Action.ADMIN_CHANGE, organization)
    status = 200
    form = StepsForm(initial={"steps": [s.value for s in service.steps_for(organization)]})
    if request.method == "POST":
        policy.require(request.user, Action.ADMIN_CHANGE, organization)
        form = StepsForm(request.POST)
        if form.is_valid():
            try:
                chosen = service.set_steps(request.user, organization, form.cleaned_data["steps"])
            except service.EvaluationError as error:
                messages.error(request, str(error))
                status = 400
            else:
                names = "、".join(service.STEP_LABELS[s][0] for s in chosen)
                names_en = ", ".join(service.STEP_LABELS[s][1] for s in chosen)
                saved = f"評価の手順を保存しました: {names} / evaluation steps saved: {names_en}"
                messages.success(request, saved)
                return redirect("ledger:staff_evaluation_steps", code=organization.code)
        else:
            status = 400
    context: dict[str, Any] = {
        "organization": organization,
        "steps": [
            (service.STEP_LABELS[s], RECORDED_BY[s]) for s in service.steps_for(organization)
        ],
        "may_change": may_change,
        "form": form,
        "field_errors": [e for errors in form.errors.values() for e in errors]
        if form.is_bound
        else [],
    }
    return render(request, "ledger/staff/evaluation_steps.html", context, status=status)
