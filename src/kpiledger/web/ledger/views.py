"""Public pages: organizations, the report table, the dashboard and one KPI.

No login. Each view runs a fixed number of queries however large the report is (see
services.reports.load_report); presenters reshape the fetched objects for the templates.
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import condition, require_safe

from kpiledger.core.errors import KpiledgerError
from kpiledger.core.evaluate import evaluate_kpi
from kpiledger.core.grades import read_legend
from kpiledger.io.writers.formats import FORMATS
from kpiledger.io.writers.opendata import Publisher
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger import presenters
from kpiledger.web.ledger.presenters import fields as field_pages
from kpiledger.web.ledger.presenters import nation as nation_pages
from kpiledger.web.ledger.services import comparison, export_cache, nation, reports
from kpiledger.web.ledger.services.state import state_key


def home(request: HttpRequest) -> HttpResponse:
    """Every organization with links to its report years, 50 a page (three queries however
    many organizations there are), beside the search and the national comparison."""
    page = Paginator(m.Organization.objects.all(), nation_pages.PER_PAGE).get_page(
        request.GET.get("page")
    )
    organizations = list(page.object_list)
    shown = m.Organization.objects.filter(pk__in=[o.pk for o in organizations])
    rows = presenters.home_rows(organizations, nation.report_year_pairs(shown))
    pager = nation_pages.pager(page, request.GET, request.path)
    return render(request, "ledger/home.html", {"rows": rows, "pager": pager})


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
    context = {"page": page, "downloads": presenters.download_links(code, year)}
    counted = comparison.organization_fields(ledger.organization, year)  # one query
    context["field_links"] = field_pages.organization_field_links(code, year, counted)
    return render(request, "ledger/report.html", context)


def dashboard(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """Counts per status, per project and per grant type, with charts."""
    ledger, years = _ledger(code, year)
    page = presenters.dashboard_page(ledger, years)
    context = {"page": page, "downloads": presenters.download_links(code, year)}
    return render(request, "ledger/dashboard.html", context)


def _download_etag(request: HttpRequest, code: str, year: int, fmt: str) -> str:
    """A download is generated from the ledger: the same ledger state, the same file. The state
    is kept on the request for the view (one query for both)."""
    state = request.ledger_state = state_key()  # type: ignore[attr-defined]
    return f"{state}-{code}-{year}-{fmt}-{settings.KPILEDGER_NEARLY}"


@require_safe
@condition(etag_func=_download_etag)
def download(request: HttpRequest, code: str, year: int, fmt: str) -> HttpResponse:
    """The report of one fiscal year as a file (Excel, PDF, CSV, JSON, data package),
    generated from the ledger. Its name is Japanese (`釧路市_令和5年度_KPI実績.xlsx`, RFC 6266
    `filename*`) with an ASCII `filename` for clients that cannot take it; the ETag is the
    ledger version, so a browser or proxy asks again only after the ledger changed."""
    output = FORMATS.get(fmt)
    if output is None:
        raise Http404("no such format")
    org = get_object_or_404(m.Organization, code=code)
    if year not in reports.report_years(org):
        raise Http404("no report for this year")
    publisher = Publisher(org.code, org.name)
    nearly = settings.KPILEDGER_NEARLY

    def render() -> bytes:
        assert output is not None
        return output.render(reports.load_report(org, year, nearly).result, publisher)

    try:
        state = getattr(request, "ledger_state", None) or state_key()
        content = export_cache.cached(org.code, year, output.name, nearly, state, render)
    except KpiledgerError as error:  # e.g. pdf-unavailable: the server lacks Pango
        problem = error.problems[0]
        return HttpResponse(
            f"{problem.message_ja}\n{problem.message_en}\n",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(content, content_type=output.content_type)
    response["Content-Disposition"] = attachment(
        output.file_name(publisher, year), output.ascii_file_name(publisher, year)
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def attachment(name: str, ascii_name: str) -> str:
    """`Content-Disposition` with a Japanese name every current browser takes (RFC 6266/5987
    `filename*`) and an ASCII fallback for the rest."""
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


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
    # Only the values of published years (a report publishes its year's actuals and those of
    # the years before): a value entered for a later year, whose report is not yet published
    # (a draft, issue 10), never shows on a public page.
    published_up_to = max(reports.report_years(org), default=0)
    observation_history = (
        m.Observation.history.filter(kpi_id=row.id, fiscal_year__lte=published_up_to)
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
