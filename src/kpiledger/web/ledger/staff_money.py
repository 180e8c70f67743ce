"""Each project's money per fiscal year (issue 10, item 6): 総事業費, 交付金額 and 実績額 in 円.

`/staff/org/<code>/<year>/money/`: the projects the user may see unpublished data of
(`view_draft`, policy.py), one row each: the three amounts of the year and of the year before,
the note, and the entry fields where the user may enter money now (`locks.lock_reason`; a
locked row shows its reason instead). Saving is all or nothing (services/money.py): refused
as a whole when a row is locked, changed by someone else since the page was shown, or typed
wrongly.

`/staff/org/<code>/<year>/money/?project=<id>&history=1`: every change of one project's
money, in every year: who, when, from what to what, and why.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from kpiledger.web.ledger import models as m
from kpiledger.web.ledger import policy
from kpiledger.web.ledger.forms_money import MoneyForm, Row, field_name, posted_project_ids
from kpiledger.web.ledger.policy import Action
from kpiledger.web.ledger.presenters.formatting import year_label, year_label_long
from kpiledger.web.ledger.services import locks
from kpiledger.web.ledger.services import money as service
from kpiledger.web.ledger.staff_views import staff_page

log = logging.getLogger(__name__)

FIRST_YEAR, LAST_YEAR = m.FIRST_FISCAL_YEAR, m.LAST_FISCAL_YEAR
HISTORY_KINDS = {"+": "作成 / created", "~": "変更 / changed", "-": "削除 / deleted"}
LOCKED_STATUS = 409


def _projects(user: Any, organization: m.Organization, year: int) -> list[m.Project]:
    """The organization's projects the user may see drafts of, still running in `year` (or
    with money recorded for it)."""
    running = Q(ended_year__isnull=True) | Q(ended_year__gte=year) | Q(years__fiscal_year=year)
    return list(
        policy.projects_for(user, Action.VIEW_DRAFT)
        .filter(organization=organization)
        .filter(running)
        .distinct()
        .select_related("organization")
        .order_by("position", "id")
    )


def _rows(user: Any, organization: m.Organization, year: int) -> list[Row]:
    projects = _projects(user, organization, year)
    if not projects:
        raise PermissionDenied(policy.denied_message(Action.VIEW_DRAFT, organization))
    fiscal_year = m.FiscalYear.objects.filter(organization=organization, year=year).first()
    records = m.ProjectYear.objects.filter(project__in=projects, fiscal_year__in=[year, year - 1])
    by_year = {(r.project_id, r.fiscal_year): r for r in records}
    rows = []
    grants = policy.Grants.of(user, organization)
    for project in projects:
        current = by_year.get((project.pk, year))
        state = m.WorkState(current.state) if current else m.WorkState.DRAFT
        lock = locks.lock_reason(
            user,
            Action.EDIT_MONEY,
            project,
            year,
            state=state,
            fiscal_year=fiscal_year,
            grants=grants,
        )
        rows.append(Row(project, current, by_year.get((project.pk, year - 1)), lock))
    return rows


def _refuse_rows_not_editable(
    request: HttpRequest, organization: m.Organization, rows: list[Row]
) -> list[service.LockedRow]:
    """A POST for a project the user may not enter money for (not on the page, or another
    organization's) is refused as a whole (PermissionDenied). Rows on the page but locked
    now are returned: the page refuses the POST with their reasons."""
    if not policy.allowed(request.user, Action.EDIT_MONEY, organization):
        raise PermissionDenied(policy.denied_message(Action.EDIT_MONEY, organization))
    try:
        posted = posted_project_ids(request.POST)
    except ValueError:
        raise PermissionDenied(policy.denied_message(Action.EDIT_MONEY, organization)) from None
    shown = {row.project.pk: row for row in rows}
    foreign = posted - set(shown)
    if foreign:
        raise PermissionDenied(policy.denied_message(Action.EDIT_MONEY, organization))
    locked = []
    for pk in sorted(posted):
        row = shown[pk]
        if row.lock is None:
            continue
        if not policy.allowed(request.user, Action.EDIT_MONEY, organization, row.project):
            raise PermissionDenied(
                policy.denied_message(Action.EDIT_MONEY, organization, row.project)
            )
        locked.append(service.LockedRow(pk, row.project.name, row.lock))
    return locked


@staff_page
@require_http_methods(["GET", "POST"])
def money(request: HttpRequest, code: str, year: int) -> HttpResponse:
    organization = get_object_or_404(m.Organization, code=code)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404("no such fiscal year")
    if request.method == "GET" and request.GET.get("history"):
        return _history(request, organization, year)
    rows = _rows(request.user, organization, year)
    conflicts: list[service.ConflictRow] = []
    locked: list[service.LockedRow] = []
    problems: list[str] = []
    if request.method == "POST":
        locked = _refuse_rows_not_editable(request, organization, rows)
        form = MoneyForm(request.POST, rows=rows)
        if not locked and form.is_valid():
            try:
                saved = service.save_money(
                    request.user,
                    organization,
                    year,
                    form.money_rows,
                    form.cleaned_data.get("comment", ""),
                )
            except service.Conflict as conflict:
                log.warning(
                    "money refused (conflict): user=%s org=%s year=%s projects=%s",
                    request.user.get_username(),
                    organization.code,
                    year,
                    [row.project_id for row in conflict.rows],
                )
                for text in conflict.messages():
                    messages.error(request, text)
                conflicts = conflict.rows
                rows = _rows(request.user, organization, year)  # the ledger as it is now
                form = MoneyForm(_with_tokens_now(request, rows), rows=rows)
            except service.Locked as refused:
                locked = refused.rows
                rows = _rows(request.user, organization, year)
                form = MoneyForm(request.POST, rows=rows)
            except (service.MoneyError, service.Busy) as error:
                problems.append(str(error))
            else:
                _report_saved(request, saved)
                return redirect("ledger:staff_money", code=organization.code, year=year)
    else:
        form = MoneyForm(rows=rows)
    context = {
        "organization": organization,
        "year": year,
        "year_label": year_label_long(year),
        "previous_label": year_label(year - 1),
        "current_label": year_label(year),
        "previous_url": _money_url(organization, year - 1),
        "next_url": _money_url(organization, year + 1),
        "form": form,
        "rows": form.row_fields(rows),
        "editable": any(row.lock is None for row in rows),
        "conflicts": conflicts,
        "locked": locked,
        "problems": problems,
        "field_errors": [
            error for name, errors in form.errors.items() if name != "__all__" for error in errors
        ],
    }
    status = LOCKED_STATUS if locked else 200
    return render(request, "ledger/staff/money.html", context, status=status)


def _with_tokens_now(request: HttpRequest, rows: list[Row]) -> Any:
    """The user's typed values kept, against the ledger's state now (a second save after
    checking the conflict writes them)."""
    data = request.POST.copy()
    for row in rows:
        name = field_name("token", row.project.pk)
        if name in data:
            data[name] = row.token
    return data


def _money_url(organization: m.Organization, year: int) -> str:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return ""
    return str(reverse("ledger:staff_money", args=[organization.code, year]))


def _report_saved(request: HttpRequest, saved: service.Saved) -> None:
    if not saved.changed:
        messages.info(
            request, "変更はありません。何も保存していません / nothing changed; nothing saved"
        )
        return
    count = len(saved.changed)
    messages.success(
        request, f"{count}件の事業費を保存しました / saved the money of {count} projects"
    )
    for warning in saved.warnings:
        messages.warning(request, warning)


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryRow:
    history_id: int
    date: datetime
    user: str
    kind: str
    year: str
    changes: list[Change]
    reason: str


def _who(record: Any) -> str:
    if record.history_user_id and record.history_user:
        return str(record.history_user.get_username())
    reason = record.history_change_reason or ""
    return "取込 / import" if reason.startswith("取込") else "（不明）/ (unknown)"


def _changes(before: service.Money, after: service.Money) -> list[Change]:
    out = [
        Change(f"{ja} / {en}", service.yen(a), service.yen(b))
        for (_name, ja, en), a, b in zip(
            service.AMOUNTS, before.amounts(), after.amounts(), strict=True
        )
        if a != b
    ]
    if before.note != after.note:
        out.append(Change("備考 / note", before.note or "—", after.note or "—"))
    return out


def history_rows(project: m.Project) -> list[HistoryRow]:
    """Every change of the project's money in any year, newest first (changes of its state
    alone are left out)."""
    records = list(
        m.ProjectYear.history.filter(project_id=project.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    previous: dict[int, service.Money] = {}
    rows = []
    for record in records:
        before = previous.get(record.id, service.Money())
        after = service.Money() if record.history_type == "-" else service.Money.of(record)
        previous[record.id] = after
        changes = _changes(before, after)
        if not changes:
            continue
        rows.append(
            HistoryRow(
                history_id=record.history_id,
                date=record.history_date,
                user=_who(record),
                kind=HISTORY_KINDS.get(record.history_type, record.history_type),
                year=year_label(record.fiscal_year),
                changes=changes,
                reason=record.history_change_reason or "—",
            )
        )
    rows.reverse()
    return rows


def _history(request: HttpRequest, organization: m.Organization, year: int) -> HttpResponse:
    try:
        project_id = int(request.GET.get("project", ""))
    except ValueError:
        raise Http404("no such project") from None
    project = get_object_or_404(m.Project, pk=project_id, organization=organization)
    policy.require(request.user, Action.VIEW_DRAFT, organization, project)
    context = {
        "organization": organization,
        "project": project,
        "year": year,
        "year_label": year_label_long(year),
        "money_url": _money_url(organization, year),
        "rows": history_rows(project),
        "refused": m.RefusedChange.objects.filter(
            project=project, kind=m.RefusedChange.Kind.MONEY
        ).select_related("user"),
    }
    return render(request, "ledger/staff/money_history.html", context)
