"""Organizations compared, in the API: the figures of the national and prefecture pages
(services/nation.py, counted from the stored judgements in a fixed number of queries) as
paginated lists. Only public reports count, as on the pages."""

from typing import Any

from django.http import HttpRequest
from ninja import P, PathEx, QueryEx, Router
from ninja.decorators import decorate_view
from ninja.pagination import paginate

from kpiledger.core.era import fiscal_year_label
from kpiledger.io.writers.records import plain
from kpiledger.web.api import schemas as s
from kpiledger.web.api.caching import http_cached
from kpiledger.web.api.pages import Pages
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services import nation

router = Router()

PrefectureCode = PathEx[
    str,
    P(
        pattern=r"^(0[1-9]|[1-3][0-9]|4[0-7])$",
        description="都道府県コード (2 digits, 01 北海道 … 47 沖縄県)",
        example="01",
    ),
]
ReportYear = QueryEx[
    int | None,
    P(ge=1, le=9999, description="報告年度 (fiscal year); absent: each one's latest report"),
]
Sort = QueryEx[s.SortColumn | None, P(description="並べ替え (sort column), default code")]
Order = QueryEx[s.SortOrder | None, P(description="asc / desc (default: desc for kpis, share)")]


def figures(summary: nation.Summary) -> dict[str, Any]:
    share = summary.achieved_share
    return {
        "kpis": summary.kpis,
        "counts": dict(summary.counts),
        "due": summary.due,
        "achieved_share": None if share is None else plain(share),
    }


def prefecture_record(row: nation.PrefectureSummary) -> dict[str, Any]:
    return {
        "code": row.code,
        "name": row.name,
        "organizations": row.organizations,
        "reporting": row.reporting,
    } | figures(row.summary)


def organization_record(row: nation.OrganizationSummary) -> dict[str, Any]:
    year = row.fiscal_year or 0
    return {
        "code": row.code,
        "name": row.name,
        "kana": row.kana or None,
        "prefecture": row.prefecture or None,
        "fiscal_year": year,
        "fiscal_year_label": fiscal_year_label(year, "long") if year else None,
    } | figures(row.summary)


@router.get("/nation", response={200: list[s.PrefectureSummary], 422: s.ValidationErrors})
@decorate_view(http_cached)
@paginate(Pages)
def list_prefectures(request: HttpRequest, year: ReportYear = None) -> list[dict[str, Any]]:
    """都道府県別の達成状況 (every prefecture's organizations, KPIs per status and achieved
    share, from each organization's latest report or that of `year`)."""
    comparison = nation.compare(None, year, years=[])
    return [prefecture_record(row) for row in nation.prefecture_summaries(comparison)]


@router.get(
    "/prefectures/{code}",
    response={200: list[s.OrganizationSummary], 422: s.ValidationErrors},
)
@decorate_view(http_cached)
@paginate(Pages)
def list_prefecture_organizations(
    request: HttpRequest,
    code: PrefectureCode,
    year: ReportYear = None,
    sort: Sort = None,
    order: Order = None,
) -> list[dict[str, Any]]:
    """都道府県内の団体と達成状況 (the prefecture's organizations with a public report: KPIs per
    status and achieved share, from each one's latest report or that of `year`)."""
    found = nation.prefecture(code)
    assert found is not None  # the pattern admits 01–47 only
    scope = m.Organization.objects.filter(prefecture=found[1])
    comparison = nation.compare(scope, year, years=[])
    column, direction = nation.sort_order(sort, order)
    rows = nation.sorted_rows(comparison.organizations, column, direction)
    return [organization_record(row) for row in rows]
