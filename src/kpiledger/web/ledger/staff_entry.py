"""Staff data entry of actuals (issue 10, item 4) and a KPI's value history with revert (item 9).

`/staff/org/<code>/<year>/entry/`: the KPIs of the projects where the user may enter actuals
(`edit_value`, policy.py), one row each: indicator, unit, target, last year's value, the
ledger's value of the year and the entry (value and note). Saving is all or nothing and
refused when a row changed since the page was shown (services/entry.py).

Rows the user cannot change now (services/locks.py: year not opened or closed, project submitted,
approved or published, ended project or KPI) are shown read-only with the reason; a POST naming
one is refused as a whole with that reason. A change of the planning admin to a published year
is a correction: the reason is required (`訂正: <reason>` in the history).

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
from kpiledger.web.ledger.services import locks, workflow
from kpiledger.web.ledger.staff_views import staff_page

log = logging.getLogger(__name__)

FIRST_YEAR, LAST_YEAR = m.FIRST_FISCAL_YEAR, m.LAST_FISCAL_YEAR
HISTORY_KINDS = {"+": "作成 / created", "~": "変更 / changed", "-": "削除 / deleted"}


@dataclass
class YearState:
    """What the entry page knows of the organization's year: its FiscalYear (None: not opened)
    and the project years (state, last comment) by project id."""

    fiscal_year: m.FiscalYear | None
    projects: dict[int, m.ProjectYear]

    @classmethod
    def of(cls, organization: m.Organization, year: int) -> YearState:
        fiscal_year = m.FiscalYear.objects.filter(organization=organization, year=year).first()
        rows = m.ProjectYear.objects.filter(
            project__organization=organization, fiscal_year=year
        ).select_related("project")
        return cls(fiscal_year, {row.project_id: row for row in rows})

    def state(self, project_id: int) -> m.WorkState:
        row = self.projects.get(project_id)
        return m.WorkState(row.state) if row is not None else m.WorkState.DRAFT


def _rows(
    organization: m.Organization,
    projects: QuerySet[m.Project],
    year: int,
    user: Any = None,
    known: YearState | None = None,
) -> list[Row]:
    kpis = list(
        m.Kpi.objects.filter(project__in=projects, project__organization=organization)
        .select_related("project__organization")
        .order_by("project__position", "project_id", "position", "id")
    )
    ids = [k.pk for k in kpis]
    observations = m.Observation.objects.filter(kpi_id__in=ids, fiscal_year__in=[year, year - 1])
    by_year: dict[tuple[int, int], m.Observation] = {
        (o.kpi_id, o.fiscal_year): o for o in observations
    }
    known = known or YearState.of(organization, year)
    grants = policy.Grants.of(user, organization)
    by_project: dict[int, str | None] = {}
    rows = []
    for k in kpis:
        if k.project_id not in by_project:  # one answer of the policy per project
            by_project[k.project_id] = locks.lock_reason(
                user,
                Action.EDIT_VALUE,
                k.project,
                year,
                state=known.state(k.project_id),
                fiscal_year=known.fiscal_year,
                grants=grants,
            )
        locked = by_project[k.project_id] or locks.kpi_closed(k, year) or ""
        rows.append(Row(k, by_year.get((k.pk, year)), by_year.get((k.pk, year - 1)), locked))
    return rows


def _refuse_locked_rows(request: HttpRequest, rows: list[Row]) -> None:
    """A POST naming a locked row (a page shown before the lock, or a crafted one) is refused
    as a whole, with the row's reason."""
    posted = posted_kpi_ids(request.POST)
    for row in rows:
        if row.locked and row.kpi.pk in posted:
            raise service.Locked(row.kpi.indicator, row.locked)


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
    known = YearState.of(organization, year)
    rows = _rows(organization, projects, year, request.user, known)
    conflicts: list[service.ConflictRow] = []
    status = 200
    if request.method == "POST":
        _refuse_foreign_rows(request, organization, rows)
        form = EntryForm(request.POST, rows=rows)
        try:
            _refuse_locked_rows(request, rows)
            if form.is_valid():
                saved = service.save_entries(
                    request.user,
                    organization,
                    year,
                    form.entries,
                    form.cleaned_data.get("comment", ""),
                )
                _report_saved(request, saved)
                return redirect("ledger:staff_entry", code=organization.code, year=year)
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
            rows = _rows(organization, projects, year, request.user)  # the ledger now
            data = request.POST.copy()
            for row in rows:  # the user's values kept, against the ledger's state now
                if token_name(row.kpi.pk) in data:
                    data[token_name(row.kpi.pk)] = row.token
            form = EntryForm(data, rows=rows)
        except service.Locked as locked:
            log.warning(
                "entry refused (locked): user=%s org=%s year=%s kpi=%s",
                request.user.get_username(),
                organization.code,
                year,
                locked.indicator,
            )
            messages.error(request, f"{locked} 何も保存していません / nothing was saved")
            status = 409
            rows = _rows(organization, projects, year, request.user)
            form = EntryForm(rows=rows)
        except service.EntryError as error:  # a correction without a reason
            messages.error(request, str(error))
        except service.Busy as busy:
            messages.error(request, str(busy))
    else:
        form = EntryForm(rows=rows)
    fiscal_year = known.fiscal_year
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
        "not_opened": fiscal_year is None,
        "closed": fiscal_year is not None and fiscal_year.closed_at is not None,
        "editable": any(not row.locked for row in rows),
        "corrections": [
            row.kpi.project.name
            for row in rows
            if not row.locked
            and locks.is_correction(row.kpi.project, year, known.state(row.kpi.project_id))
        ],
        "comments": _comments(known, projects),
    }
    return render(request, "ledger/staff/entry.html", context, status=status)


def _comments(known: YearState, projects: QuerySet[m.Project]) -> list[dict[str, str]]:
    """The planning office's last comment on each of the user's projects (a return's reason)."""
    mine = set(projects.values_list("pk", flat=True))
    return [
        {
            "project": row.project.name,
            "state": workflow.state_label(row.state),
            "comment": row.comment,
        }
        for row in sorted(known.projects.values(), key=lambda r: (r.project.position, r.pk))
        if row.project_id in mine and row.comment
    ]


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


def history_rows(kpi: m.Kpi, may_edit: bool, open_years: Any = None) -> list[HistoryRow]:
    """Every change of the KPI's actuals, newest first: who, when, from what to what, why.
    `open_years(year)`: may the user change the KPI's value of that year now (locks.py)."""
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
                may_revert=may_edit
                and record.history_type != "-"
                and differs
                and (open_years is None or open_years(record.fiscal_year)),
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
            except service.Locked as locked:
                messages.error(request, f"{locked} 何も保存していません / nothing was saved")
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
    reasons: dict[int, str | None] = {}

    def open_year(year: int) -> bool:
        if year not in reasons:
            reasons[year] = locks.lock_reason(request.user, Action.EDIT_VALUE, project, year, kpi)
        return reasons[year] is None

    rows = history_rows(kpi, may_edit, open_year)
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
        # why a year's values cannot be reverted now (approved, published, year closed …)
        "locked": [
            (year_label_long(year), reason) for year, reason in sorted(reasons.items()) if reason
        ]
        if may_edit
        else [],
        "refused": m.RefusedChange.objects.filter(kpi=kpi).select_related("user"),
    }
    return render(request, "ledger/staff/kpi_history.html", context)
