"""Public pages comparing organizations: the nation, a prefecture, the search, and their CSV.

No login. Each runs a fixed number of queries however many organizations the ledger holds
(services/nation.py counts the stored judgements in SQL); presenters/nation.py shapes the rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from kpiledger.core.era import fiscal_year_label
from kpiledger.io.writers import table_csv
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.presenters import nation as present
from kpiledger.web.ledger.services import nation
from kpiledger.web.ledger.services.nation import Comparison, OrganizationSummary
from kpiledger.web.ledger.views import attachment

# --- pages --------------------------------------------------------------------------------------


@require_safe
def nation_page(request: HttpRequest) -> HttpResponse:
    """Every prefecture's figures, a chart of their achieved shares, and every reporting
    organization (sortable, 50 a page)."""
    comparison = _comparison(request)
    page = present.nation_page(comparison, request.GET, request.path)
    return render(request, "ledger/nation.html", {"page": page})


@require_safe
def prefecture_page(request: HttpRequest, key: str) -> HttpResponse:
    """A prefecture's reporting organizations (`/pref/01/`; `/pref/北海道/` leads there)."""
    code, name = _prefecture(key)
    if key != code:
        query = request.GET.urlencode()
        url = reverse("ledger:prefecture", args=[code])
        return redirect(f"{url}?{query}" if query else url, permanent=True)
    comparison = _comparison(request, m.Organization.objects.filter(prefecture=name))
    page = present.prefecture_page(code, name, comparison, request.GET, request.path)
    return render(request, "ledger/prefecture.html", {"page": page})


@require_safe
def search_page(request: HttpRequest) -> HttpResponse:
    """Organizations by name (釧路), reading (くしろ, クシロ) or code (01206, 012068)."""
    text = request.GET.get("q", "")
    found = None
    if nation.normalize_query(text):
        found = nation.compare(nation.search(text), reporting_only=False, years=[])
    page = present.search_page(text.strip(), found, request.GET, request.path)
    return render(request, "ledger/search.html", {"page": page})


# --- CSV ----------------------------------------------------------------------------------------

PREFECTURE_HEADER = ["都道府県コード", "都道府県", "団体数", "報告のある団体数"]
ORGANIZATION_HEADER = [
    "団体コード",
    "団体名",
    "団体名（かな）",
    "都道府県",
    "報告年度",
    "報告年度（和暦）",
]
FIGURE_HEADER = [
    "指標数",
    "達成",
    "概ね達成",
    "未達成",
    "実績なし",
    "目標年度前",
    "目標年度を迎えた指標数",
    "達成割合（%）",
]


@require_safe
def nation_prefectures_csv(request: HttpRequest) -> HttpResponse:
    """The national table: one row per prefecture, then 全国."""
    comparison = _comparison(request)
    rows = nation.prefecture_summaries(comparison)
    body = [
        [p.code, p.name, p.organizations, p.reporting, *_figures(p.summary)]
        for p in [*rows, nation.total(rows)]
    ]
    year = _year_part(comparison)
    name = f"全国_都道府県別_KPI達成状況_{year[0]}"
    return _csv(PREFECTURE_HEADER + FIGURE_HEADER, body, name, f"nation_prefectures_{year[1]}")


@require_safe
def nation_organizations_csv(request: HttpRequest) -> HttpResponse:
    """Every reporting organization with its figures (the national listing, unpaginated)."""
    comparison = _comparison(request)
    body = _organization_rows(comparison, request)
    year = _year_part(comparison)
    name = f"全国_団体別_KPI達成状況_{year[0]}"
    return _csv(ORGANIZATION_HEADER + FIGURE_HEADER, body, name, f"nation_organizations_{year[1]}")


@require_safe
def prefecture_csv(request: HttpRequest, key: str) -> HttpResponse:
    """A prefecture's reporting organizations with their figures."""
    code, name = _prefecture(key)
    comparison = _comparison(request, m.Organization.objects.filter(prefecture=name))
    body = _organization_rows(comparison, request)
    year = _year_part(comparison)
    file_name = f"{name}_団体別_KPI達成状況_{year[0]}"
    return _csv(ORGANIZATION_HEADER + FIGURE_HEADER, body, file_name, f"pref{code}_{year[1]}")


def _organization_rows(comparison: Comparison, request: HttpRequest) -> list[list[Any]]:
    sort, order = nation.sort_order(request.GET.get("sort"), request.GET.get("order"))
    return [
        [*_organization_cells(o), *_figures(o.summary)]
        for o in nation.sorted_rows(comparison.organizations, sort, order)
    ]


def _organization_cells(org: OrganizationSummary) -> list[Any]:
    year = org.fiscal_year
    label = fiscal_year_label(year, "long") if year else None
    return [org.code, org.name, org.kana, org.prefecture, year, label]


def _figures(summary: nation.Summary) -> list[Any]:
    return [
        summary.kpis,
        *(summary.counts[key] for key in nation.STATUSES),
        summary.due,
        summary.achieved_share,
    ]


def _year_part(comparison: Comparison) -> tuple[str, str]:
    """The year in a file's name: (Japanese, ASCII)."""
    if comparison.year is None:
        return "最新", "latest"
    return fiscal_year_label(comparison.year, "long"), str(comparison.year)


def _csv(header: list[str], rows: Sequence[Sequence[Any]], name: str, ascii: str) -> HttpResponse:
    """The table as a CSV download named in Japanese (`name`), with an ASCII name beside."""
    response = HttpResponse(table_csv.dumps(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = attachment(f"{name}.csv", f"{ascii}.csv")
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- parameters ---------------------------------------------------------------------------------


def _comparison(request: HttpRequest, scope: Any = None) -> Comparison:
    """The figures of the organizations in scope for `?year=` (empty or absent: each one's
    latest report); 404 for a year that is not a number or has no public report."""
    years = nation.public_years()
    text = request.GET.get("year", "")
    if not text:
        return nation.compare(scope, None, years=years)
    if not (text.isascii() and text.isdigit()) or int(text) not in years:
        raise Http404("no report for this year")
    return nation.compare(scope, int(text), years=years)


def _prefecture(key: str) -> tuple[str, str]:
    found = nation.prefecture(key)
    if found is None:
        raise Http404("no such prefecture")
    return found
