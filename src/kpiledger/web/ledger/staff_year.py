"""Opening a fiscal year and setting up its projects and KPIs (issue 10, item 3).

- `/staff/` (`home`): the user's organizations (those where they may view drafts) and their
  years, opened or known from an imported report, each linking to the year's hub.
- `/staff/org/<code>/years/` (`years`): the organization's years (`view_draft`) and, for the
  planning admin (`open_year`), the form opening the next one from the latest: every KPI
  carried over with its target and target date, those whose target date has passed shown as
  closed with fields for a new target and target date, and the projects with an 終了 box.
- `/staff/org/<code>/<year>/setup/` (`year_setup`, `open_year`): the year's projects and KPIs;
  add a project, add a KPI, close or reopen a project or KPI (each a small POST form, then a
  redirect back: POST/redirect/GET).

The writes are services/years.py's; a refusal of the policy is the 403 page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kpiledger.core.era import fiscal_year_label
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger import policy
from kpiledger.web.ledger.forms_year import (
    ChangeForm,
    KpiForm,
    KpiRow,
    OpenYearForm,
    ProjectForm,
    kpi_rows,
    parse_year,
)
from kpiledger.web.ledger.policy import Action
from kpiledger.web.ledger.presenters.formatting import year_label, year_label_long
from kpiledger.web.ledger.services import locks, reports
from kpiledger.web.ledger.services import years as service
from kpiledger.web.ledger.staff_views import staff_page


@dataclass
class YearRow:
    """One year of an organization as the staff pages list it."""

    year: int
    label: str
    fiscal_year: m.FiscalYear | None
    imported: bool
    projects: int
    may_setup: bool

    @property
    def state(self) -> str:
        fy = self.fiscal_year
        if fy is None:
            return "取込済みの報告書（年度は未開始） / imported report (year not opened)"
        if fy.published_at is not None:
            return "公表済み / published"
        if fy.closed_at is not None:
            return "締切 / closed"
        return "開始済み（入力中） / opened"

    @property
    def opened(self) -> str:
        fy = self.fiscal_year
        if fy is None or fy.opened_at is None:
            return "—"
        who = fy.opened_by.get_username() if fy.opened_by else "—"
        return f"{who} {fy.opened_at:%Y-%m-%d %H:%M}"

    @property
    def opened_from(self) -> str:
        fy = self.fiscal_year
        if fy is None or fy.opened_from is None:
            return "—"
        return year_label(fy.opened_from)


@dataclass
class OrganizationYears:
    organization: m.Organization
    role: str
    may_open: bool
    years: list[YearRow] = field(default_factory=list)


def year_rows(organization: m.Organization, may_open: bool) -> list[YearRow]:
    """The organization's years, newest first: opened (`FiscalYear`) or imported."""
    opened = {fy.year: fy for fy in m.FiscalYear.objects.filter(organization=organization)}
    imported = set(reports.report_years(organization))
    counts: dict[int, int] = {}
    for year in m.ProjectYear.objects.filter(project__organization=organization).values_list(
        "fiscal_year", flat=True
    ):
        counts[year] = counts.get(year, 0) + 1
    rows = []
    for year in sorted({*opened, *imported}, reverse=True):
        fy = opened.get(year)
        rows.append(
            YearRow(
                year=year,
                label=year_label_long(year),
                fiscal_year=fy,
                imported=year in imported,
                projects=counts.get(year, 0),
                may_setup=may_open
                and fy is not None
                and fy.published_at is None
                and fy.closed_at is None,
            )
        )
    return rows


def _role_text(user: Any, organization: m.Organization) -> str:
    role = policy.role_in(user, organization)
    if role is None:
        return "管理者 / superuser" if getattr(user, "is_superuser", False) else "—"
    return str(role.label)


@staff_page
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    groups = []
    for organization in policy.organizations_for(request.user, Action.VIEW_DRAFT).order_by("code"):
        may_open = policy.allowed(request.user, Action.OPEN_YEAR, organization)
        groups.append(
            OrganizationYears(
                organization=organization,
                role=_role_text(request.user, organization),
                may_open=may_open,
                years=year_rows(organization, may_open),
            )
        )
    return render(request, "ledger/staff/home.html", {"groups": groups})


def _organization(code: str) -> m.Organization:
    return get_object_or_404(m.Organization, code=code)


@staff_page
@require_http_methods(["GET", "POST"])
def years(request: HttpRequest, code: str) -> HttpResponse:
    organization = _organization(code)
    policy.require(request.user, Action.VIEW_DRAFT, organization)
    may_open = policy.allowed(request.user, Action.OPEN_YEAR, organization)
    form: OpenYearForm | None = None
    problem = ""
    if request.method == "POST":
        policy.require(request.user, Action.OPEN_YEAR, organization)
        year = _posted_year(request, organization)
        form = _open_form(organization, year, request.POST)
        if form.is_valid():
            try:
                service.open_year(
                    request.user,
                    organization,
                    form.cleaned_data["year"],
                    form.cleaned_data.get("from_year"),
                    extend=form.extend,
                    close=form.close,
                )
            except service.YearError as error:
                problem = str(error)
            else:
                opened = form.cleaned_data["year"]
                messages.success(
                    request,
                    f"{fiscal_year_label(opened)}を開始しました / FY{opened} has been opened",
                )
                return redirect("ledger:staff_years", code=organization.code)
    elif may_open:
        form = _open_form(organization, _next_year(organization))
    rows: list[KpiRow] = form.rows if form is not None else []
    context = {
        "organization": organization,
        "years": year_rows(organization, may_open),
        "may_open": may_open,
        "form": form,
        "problem": problem,
        "kpi_fields": form.row_fields() if form is not None else [],
        "closed_count": sum(1 for row in rows if row.closed),
        "project_fields": form.project_fields() if form is not None else [],
        "field_errors": []
        if form is None
        else [e for name, errors in form.errors.items() for e in errors],
        "target_year_label": year_label_long(form.target_year) if form is not None else "",
    }
    return render(request, "ledger/staff/years.html", context)


def _posted_year(request: HttpRequest, organization: m.Organization) -> int:
    """The year the POST names (to list the KPIs carried into it); the default when it cannot
    be read (the form then reports the error)."""
    try:
        return parse_year(str(request.POST.get("year", "")))
    except forms.ValidationError:
        return _next_year(organization)


def _next_year(organization: m.Organization) -> int:
    """The year the form offers: the latest year + 1, or (an organization without any year)
    the current fiscal year."""
    next_year, _latest = service.default_years(organization)
    if next_year is not None:
        return next_year
    today = timezone.localdate()
    return today.year if today.month >= 4 else today.year - 1


def _open_form(organization: m.Organization, year: int, data: Any | None = None) -> OpenYearForm:
    projects = list(service.carried_projects(organization, year).order_by("position", "id"))
    form = OpenYearForm(
        data,
        organization=organization,
        year=year,
        rows=kpi_rows(organization, year),
        projects=projects,
    )
    return form


# --- the year's setup --------------------------------------------------------------------------


@dataclass
class SetupKpi:
    kpi: m.Kpi
    closed: str | None

    @property
    def target_text(self) -> str:
        return service.shown(self.kpi.target) + (self.kpi.target_bound or "")

    @property
    def date_text(self) -> str:
        k = self.kpi
        return f"{k.target_year}年{k.target_month}月" if k.target_year and k.target_month else "—"


@dataclass
class SetupProject:
    project: m.Project
    ended: str | None
    kpis: list[SetupKpi]


def _setup_projects(organization: m.Organization, year: int) -> list[SetupProject]:
    projects = list(
        m.Project.objects.filter(organization=organization)
        .select_related("grant")
        .prefetch_related("kpis")
        .order_by("position", "id")
    )
    out = []
    for project in projects:
        ended = locks.project_closed(project, year)
        if ended and project.ended_year is not None and project.ended_year < year - 1:
            continue  # ended long ago: not part of this year's setup
        kpis = [SetupKpi(k, locks.kpi_closed(k, year)) for k in project.kpis.all()]
        out.append(SetupProject(project, ended, kpis))
    return out


@staff_page
@require_http_methods(["GET", "POST"])
def year_setup(request: HttpRequest, code: str, year: int) -> HttpResponse:
    organization = _organization(code)
    if not service.FIRST_YEAR <= year <= service.LAST_YEAR:
        raise Http404("no such fiscal year")
    policy.require(request.user, Action.OPEN_YEAR, organization)
    fiscal_year = m.FiscalYear.objects.filter(organization=organization, year=year).first()
    if fiscal_year is None:
        messages.error(
            request,
            f"{fiscal_year_label(year)}はまだ開始されていません。先に年度を開始してください"
            f" / FY{year} has not been opened yet: open it first",
        )
        return redirect("ledger:staff_years", code=organization.code)
    here = reverse("ledger:staff_year_setup", args=[organization.code, year])
    carried = list(service.carried_projects(organization, year).order_by("position", "id"))
    project_form = ProjectForm(prefix="project")
    kpi_form = KpiForm(prefix="kpi", projects=carried)
    problem = ""
    if request.method == "POST":
        kind = request.POST.get("form", "")
        try:
            if kind == "project":
                project_form = ProjectForm(request.POST, prefix="project")
                if project_form.is_valid():
                    data = project_form.cleaned_data
                    project = service.add_project(
                        request.user,
                        organization,
                        year,
                        data["name"],
                        data["section"],
                        data["grant_name"],
                        data["summary"],
                    )
                    messages.success(
                        request,
                        f"事業「{project.name}」を追加しました"
                        f" / added the project “{project.name}”",
                    )
                    return redirect(here)
            elif kind == "kpi":
                kpi_form = KpiForm(request.POST, prefix="kpi", projects=carried)
                if kpi_form.is_valid():
                    data = kpi_form.cleaned_data
                    chosen = kpi_form.projects[data["project"]]
                    kpi = service.add_kpi(
                        request.user,
                        chosen,
                        year,
                        data["indicator"],
                        data["unit"],
                        data["target"],
                        data["target_bound"],
                        data["target_date"],
                        data["baseline"],
                        data["baseline_year"],
                    )
                    messages.success(
                        request,
                        f"KPI「{kpi.indicator}」を追加しました / added the KPI “{kpi.indicator}”",
                    )
                    return redirect(here)
            elif kind == "change":
                _change(request, organization, year)
                return redirect(here)
            else:
                raise Http404("no such form")
        except service.YearError as error:
            problem = str(error)
    context = {
        "organization": organization,
        "year": year,
        "year_label": year_label_long(year),
        "short_label": year_label(year),
        "previous_label": year_label(year - 1),
        "fiscal_year": fiscal_year,
        "projects": _setup_projects(organization, year),
        "project_form": project_form,
        "kpi_form": kpi_form,
        "problem": problem,
    }
    return render(request, "ledger/staff/year_setup.html", context)


def _change(request: HttpRequest, organization: m.Organization, year: int) -> None:
    """Close or reopen one project or KPI (raises YearError; a success message otherwise)."""
    form = ChangeForm(request.POST)
    if not form.is_valid():
        raise service.YearError("操作が正しくありません", "the request is not valid")
    action = form.cleaned_data["action"]
    target_id = form.cleaned_data["target_id"]
    last_year = form.cleaned_data.get("last_year") or year
    if last_year not in (year, year - 1):
        raise service.YearError(
            "終了年度はこの年度か前年度です", "the last year is this year or the year before"
        )
    if action in ("close_project", "reopen_project"):
        project = m.Project.objects.filter(pk=target_id, organization=organization).first()
        if project is None:
            raise PermissionDenied(policy.denied_message(Action.OPEN_YEAR, organization))
        if action == "close_project":
            service.close_project(request.user, project, last_year)
            messages.success(
                request,
                f"事業「{project.name}」を{fiscal_year_label(last_year)}で終了しました"
                f" / the project “{project.name}” ends with FY{last_year}",
            )
        else:
            service.reopen_project(request.user, project, year)
            messages.success(
                request,
                f"事業「{project.name}」を再開しました / the project “{project.name}” is carried"
                " over again",
            )
        return
    kpi = (
        m.Kpi.objects.select_related("project__organization")
        .filter(pk=target_id, project__organization=organization)
        .first()
    )
    if kpi is None:
        raise PermissionDenied(policy.denied_message(Action.OPEN_YEAR, organization))
    if action == "close_kpi":
        service.close_kpi(request.user, kpi, last_year)
        messages.success(
            request,
            f"KPI「{kpi.indicator}」を{fiscal_year_label(last_year)}で終了しました"
            f" / the KPI “{kpi.indicator}” ends with FY{last_year}",
        )
    else:
        service.reopen_kpi(request.user, kpi)
        messages.success(
            request,
            f"KPI「{kpi.indicator}」を再開しました / the KPI “{kpi.indicator}” is carried over"
            " again",
        )


@staff_page
@require_POST
def entry_window(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """Close the year to entry (締切), or open it again (`action` = close / reopen), from the
    year's hub; back to the hub with what was done or why not."""
    organization = _organization(code)
    action = request.POST.get("action", "")
    if action not in ("close", "reopen"):
        raise Http404("no such action")
    try:
        if action == "close":
            service.close_entry(request.user, organization, year)
            messages.success(
                request,
                f"{fiscal_year_label(year)}の入力を締め切りました / entry to FY{year} is closed",
            )
        else:
            service.reopen_entry(request.user, organization, year)
            messages.success(
                request,
                f"{fiscal_year_label(year)}の入力を再開しました / entry to FY{year} is open again",
            )
    except service.YearError as error:
        messages.error(request, str(error))
    return redirect("ledger:staff_year", code=organization.code, year=year)
