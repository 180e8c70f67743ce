"""Public pages: organizations, the report table, the dashboard and one KPI.

No login. Each view runs a fixed number of queries however large the report is (see
services.reports.load_report); presenters reshape the fetched objects for the templates.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from kpiledger.core.evaluate import evaluate_kpi
from kpiledger.core.grades import read_legend
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger import presenters
from kpiledger.web.ledger.services import reports


def home(request: HttpRequest) -> HttpResponse:
    """Every organization with links to its report years."""
    batches = (
        m.ImportBatch.objects.filter(status=m.ImportBatch.Status.APPLIED)
        .order_by()
        .values_list("organization_id", "fiscal_year")
        .distinct()
    )
    rows = presenters.home_rows(m.Organization.objects.all(), batches)
    return render(request, "ledger/home.html", {"rows": rows})


def organization(request: HttpRequest, code: str) -> HttpResponse:
    """Redirect to the organization's latest report year (404 when it has none)."""
    org = get_object_or_404(m.Organization, code=code)
    years = reports.report_years(org)
    if not years:
        raise Http404("no report")
    return redirect("ledger:report", code=org.code, year=years[0])


def report(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """The official report table of one fiscal year."""
    ledger, years = _ledger(code, year)
    page = presenters.report_page(ledger, years)
    return render(request, "ledger/report.html", {"page": page})


def dashboard(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """Counts per status, per project and per grant type, with charts."""
    ledger, years = _ledger(code, year)
    page = presenters.dashboard_page(ledger, years)
    return render(request, "ledger/dashboard.html", {"page": page})


def kpi(request: HttpRequest, code: str, kpi_id: int) -> HttpResponse:
    """One KPI as a year's report published it (`?year=2023`, default the latest report that
    contains it): facts, judgement, chart, and the history of its values."""
    org = get_object_or_404(m.Organization, code=code)
    row = get_object_or_404(
        m.Kpi.objects.select_related("project__grant"), pk=kpi_id, project__organization=org
    )
    reported = {r.fiscal_year: r for r in row.reported.all()}
    years = sorted(reported, reverse=True)
    year = _requested_year(request, years)
    published = reported[year]
    published.kpi = row
    row.project.organization = org
    current = reports.current_values([row.id], year).get(row.id, {})
    legend = read_legend(reports.report_heading(org, year)[1])  # the report's grade legend
    result = evaluate_kpi(
        reports.to_core_kpi(published, current), year, settings.KPILEDGER_NEARLY, legend
    )
    observation_history = (
        m.Observation.history.filter(kpi_id=row.id)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )
    kpi_history = row.history.select_related("history_user").order_by(
        "-history_date", "-history_id"
    )
    page = presenters.kpi_page(row, result, years, year, observation_history, kpi_history)
    return render(request, "ledger/kpi.html", {"page": page})


def _ledger(code: str, year: int) -> tuple[reports.LedgerReport, list[int]]:
    org = get_object_or_404(m.Organization, code=code)
    years = reports.report_years(org)
    if year not in years:
        raise Http404("no report for this year")
    return reports.load_report(org, year, settings.KPILEDGER_NEARLY), years


def _requested_year(request: HttpRequest, years: list[int]) -> int:
    """`?year=` if it is a report year, else the latest; 404 when there is no report."""
    text = request.GET.get("year")
    if text is None:
        if not years:
            raise Http404("no report")
        return years[0]
    if not (text.isascii() and text.isdigit()) or int(text) not in years:
        raise Http404("no report for this year")
    return int(text)
