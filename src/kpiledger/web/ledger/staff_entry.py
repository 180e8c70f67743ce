"""Staff data entry of actuals (issue 10, item 4) and a KPI's value history with revert (item 9).

`/staff/org/<code>/<year>/entry/`: the KPIs of the projects where the user may enter actuals
(`edit_value`, policy.py), one row each: indicator, unit, target, last year's value, the
ledger's value of the year and the entry (value and note). Saving is all or nothing and
refused when a row changed since the page was shown (services/entry.py).

`/staff/kpi/<id>/history/`: every change of the KPI's actuals (imports, admin edits, entries,
reverts) for those who may view drafts there; those who may enter actuals can go back to an
earlier value (a reason is required; the revert is itself recorded).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from kpiledger.web.ledger import models as m
from kpiledger.web.ledger import policy
from kpiledger.web.ledger.forms_entry import EntryForm, RevertForm, Row, posted_kpi_ids, token_name
from kpiledger.web.ledger.policy import Action
from kpiledger.web.ledger.presenters.formatting import year_label, year_label_long
from kpiledger.web.ledger.services import entry as service
from kpiledger.web.ledger.staff_views import staff_page

log = logging.getLogger(__name__)

FIRST_YEAR, LAST_YEAR = 1926, 2200
HISTORY_KINDS = {"+": "作成 / created", "~": "変更 / changed", "-": "削除 / deleted"}


def _rows(organization: m.Organization, projects: QuerySet[m.Project], year: int) -> list[Row]:
    kpis = list(
        m.Kpi.objects.filter(project__in=projects, project__organization=organization)
        .select_related("project")
        .order_by("project__position", "project_id", "position", "id")
    )
    ids = [k.pk for k in kpis]
    observations = m.Observation.objects.filter(kpi_id__in=ids, fiscal_year__in=[year, year - 1])
    by_year: dict[tuple[int, int], m.Observation] = {
        (o.kpi_id, o.fiscal_year): o for o in observations
    }
    return [Row(k, by_year.get((k.pk, year)), by_year.get((k.pk, year - 1))) for k in kpis]


def _refuse_foreign_rows(
    request: HttpRequest, organization: m.Organization, rows: list[Row]
) -> None:
    """A POST naming a KPI that is not on the user's page (another project, another
    organization, or no KPI at all) is refused as a whole: nothing is written."""
    try:
        posted = posted_kpi_ids(request.POST)
    except ValueError:
        raise PermissionDenied(policy.denied_message(Action.EDIT_VALUE, organization)) from None
    foreign = posted - {row.kpi.pk for row in rows}
    if not foreign:
        return
    kpi = m.Kpi.objects.select_related("project").filter(pk=min(foreign)).first()
    project = (
        kpi.project if kpi is not None and kpi.project.organization_id == organization.pk else None
    )
    raise PermissionDenied(policy.denied_message(Action.EDIT_VALUE, organization, project))


@staff_page
@require_http_methods(["GET", "POST"])
def entry(request: HttpRequest, code: str, year: int) -> HttpResponse:
    organization = get_object_or_404(m.Organization, code=code)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404("no such fiscal year")
    projects = policy.projects_for(request.user, Action.EDIT_VALUE).filter(
        organization=organization
    )
    if not projects.exists():
        raise PermissionDenied(policy.denied_message(Action.EDIT_VALUE, organization))
    rows = _rows(organization, projects, year)
    conflicts: list[service.ConflictRow] = []
    if request.method == "POST":
        _refuse_foreign_rows(request, organization, rows)
        form = EntryForm(request.POST, rows=rows)
        if form.is_valid():
            try:
                saved = service.save_entries(
                    request.user,
                    organization,
                    year,
                    form.entries,
                    form.cleaned_data.get("comment", ""),
                )
            except service.Conflict as conflict:
                log.warning(
                    "entry refused (conflict): user=%s org=%s year=%s kpis=%s",
                    request.user.get_username(),
                    organization.code,
                    year,
                    [row.kpi_id for row in conflict.rows],
                )
                for text in conflict.messages():
                    messages.error(request, text)
                conflicts = conflict.rows
                rows = _rows(organization, projects, year)  # the ledger as it is now
                data = request.POST.copy()
                for row in rows:  # the user's values kept, against the ledger's state now
                    if token_name(row.kpi.pk) in data:
                        data[token_name(row.kpi.pk)] = row.token
                form = EntryForm(data, rows=rows)
            except service.Busy as busy:
                messages.error(request, str(busy))
            else:
                _report_saved(request, saved)
                return redirect("ledger:staff_entry", code=organization.code, year=year)
    else:
        form = EntryForm(rows=rows)
    context = {
        "organization": organization,
        "year": year,
        "year_label": year_label_long(year),
        "previous_label": year_label(year - 1),
        "current_label": year_label(year),
        "previous_url": _entry_url(organization, year - 1),
        "next_url": _entry_url(organization, year + 1),
        "form": form,
        "rows": form.row_fields(),
        "conflicts": conflicts,
        "field_errors": [
            error for name, errors in form.errors.items() if name != "__all__" for error in errors
        ],
    }
    return render(request, "ledger/staff/entry.html", context)


def _entry_url(organization: m.Organization, year: int) -> str:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return ""
    return str(reverse("ledger:staff_entry", args=[organization.code, year]))


def _report_saved(request: HttpRequest, saved: service.Saved) -> None:
    if not saved.changed:
        messages.info(
            request, "変更はありません。何も保存していません / nothing changed; nothing saved"
        )
        return
    count = len(saved.changed)
    messages.success(request, f"{count}件の実績値を保存しました / saved {count} actuals")
    for warning in saved.warnings:
        messages.warning(request, warning)


@dataclass(frozen=True)
class HistoryRow:
    history_id: int
    date: object
    user: str
    kind: str
    year: str
    fiscal_year: int
    before: str
    after: str
    note: str
    reason: str
    may_revert: bool
    token: str


def _who(record: Any) -> str:
    if record.history_user_id and record.history_user:
        return str(record.history_user.get_username())
    reason = record.history_change_reason or ""
    return "取込 / import" if reason.startswith("取込") else "（不明）/ (unknown)"


def history_rows(kpi: m.Kpi, may_edit: bool) -> list[HistoryRow]:
    """Every change of the KPI's actuals, newest first: who, when, from what to what, why."""
    records = list(
        m.Observation.history.filter(kpi_id=kpi.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    current = {o.pk: o for o in m.Observation.objects.filter(kpi_id=kpi.pk)}
    previous: dict[int, Any] = {}
    rows = []
    for record in records:
        before = previous.get(record.id)
        now = current.get(record.id)
        after = "—" if record.history_type == "-" else service.shown(record.value, record.marker)
        differs = now is not None and (
            now.value != record.value
            or (record.value is None and now.marker != record.marker)
            or now.note != record.note
        )
        rows.append(
            HistoryRow(
                history_id=record.history_id,
                date=record.history_date,
                user=_who(record),
                kind=HISTORY_KINDS.get(record.history_type, record.history_type),
                year=year_label(record.fiscal_year),
                fiscal_year=record.fiscal_year,
                before="—" if before is None else service.shown(before.value, before.marker),
                after=after,
                note=record.note,
                reason=record.history_change_reason or "—",
                may_revert=may_edit and record.history_type != "-" and differs,
                token=service.token(now) if now is not None else service.NEW,
            )
        )
        previous[record.id] = record
    rows.reverse()
    return rows


@staff_page
@require_http_methods(["GET", "POST"])
def kpi_history(request: HttpRequest, kpi_id: int) -> HttpResponse:
    kpi = get_object_or_404(m.Kpi.objects.select_related("project__organization"), pk=kpi_id)
    organization, project = kpi.project.organization, kpi.project
    policy.require(request.user, Action.VIEW_DRAFT, organization, project)
    may_edit = policy.allowed(request.user, Action.EDIT_VALUE, organization, project)
    form = RevertForm()
    if request.method == "POST":
        policy.require(request.user, Action.EDIT_VALUE, organization, project)
        form = RevertForm(request.POST)
        if form.is_valid():
            history_id = form.cleaned_data["history_id"]
            if not m.Observation.history.filter(history_id=history_id, kpi_id=kpi.pk).exists():
                raise Http404("no such change of this KPI")
            try:
                service.revert(
                    request.user,
                    history_id,
                    form.cleaned_data["reason"],
                    form.cleaned_data["token"],
                )
            except service.Conflict as conflict:
                for text in conflict.messages():
                    messages.error(request, text)
            except service.EntryError as error:
                messages.error(request, str(error))
            except service.Busy as busy:
                messages.error(request, str(busy))
            else:
                messages.success(
                    request,
                    "実績値を元に戻しました。履歴に記録しました / the actual was reverted and the"
                    " change recorded",
                )
                return redirect("ledger:staff_kpi_history", kpi_id=kpi.pk)
        else:
            messages.error(
                request,
                "取消の理由を入力してください / give a reason for the revert",
            )
    rows = history_rows(kpi, may_edit)
    years = sorted({row.fiscal_year for row in rows}, reverse=True)
    context = {
        "kpi": kpi,
        "organization": organization,
        "project": project,
        "rows": rows,
        "may_edit": may_edit,
        "entry_links": [(year_label_long(y), _entry_url(organization, y)) for y in years]
        if may_edit
        else [],
        "form": form,
    }
    return render(request, "ledger/staff/kpi_history.html", context)
