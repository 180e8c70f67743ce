"""The REST API under `/api/v1/` (django-ninja): published data, read-only, for everyone; and
the write API (write.py: actuals entered with a per-user bearer token, drafts included).

"Published" is what the public pages show: the reports applied to the ledger (an applied
`ImportBatch`). A pending import (uploaded, not yet confirmed) writes no report rows and moves
no report year, so nothing of it can appear here; an organization without an applied report is
unknown to the API (404). Every read operation is GET only (anything else is 405), answers with a
fixed number of queries however large the ledger is, and carries ETag / Last-Modified /
Cache-Control (see `caching`).
"""

from collections import defaultdict
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, P, PathEx, QueryEx
from ninja.decorators import decorate_view
from ninja.errors import AuthenticationError, ValidationError
from ninja.operation import Operation
from ninja.pagination import paginate
from ninja.renderers import JSONRenderer

from kpiledger.web.api import fields, nation, records, write
from kpiledger.web.api import schemas as s
from kpiledger.web.api.caching import API_VERSION, http_cached
from kpiledger.web.api.docs import LocalSwagger
from kpiledger.web.api.pages import Pages
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services import nation as ledger_nation
from kpiledger.web.ledger.services import reports

DESCRIPTION = """\
KPI実績台帳の公開データ（取込済みの報告書）を読み取り専用で提供します。
判定（達成率・状態・進捗・指摘）は `kpiledger export --format json` と同じものです。
数値は公表されたとおりの桁の10進数を文字列で返します（例: `"73.5"`, `"2300"`）。

Read-only access to the published KPI ledger (the reports applied to it). Judgements
(achievement rate, status, progress, flags) are exactly those of `kpiledger export --format
json`. Exact decimals are strings written as published (`"73.5"`, `"2300"`).
Lists are paginated (`page`, `page_size` ≤ 200); answers carry `ETag` and `Last-Modified`
(send `If-None-Match` for a `304`). See docs/api-rest.md.

書き込み（実績値の入力）は利用者ごとのAPIトークン（`Authorization: Bearer`）で、入力画面と同じ
権限・ロック・履歴のもとで行います。
Writing actuals needs a per-user API token (`Authorization: Bearer`) and follows the same
roles, locks and history as the staff entry page.
"""


class Utf8Json(JSONRenderer):
    """JSON in UTF-8, Japanese written as is (no `\\u` escapes)."""

    json_dumps_params = {"ensure_ascii": False}


class LedgerApi(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        """The operation's function name (`list_kpis`), not ninja's module-prefixed one."""
        return operation.view_func.__name__


api = LedgerApi(
    title="KPI実績台帳 API (kpiledger REST API)",
    version=API_VERSION,
    description=DESCRIPTION,
    urls_namespace="api-v1",
    docs=LocalSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
    renderer=Utf8Json(),
)

ERRORS: dict[int, Any] = {404: s.Error, 422: s.ValidationErrors}
# Parameters (typed with ninja's `PathEx`/`QueryEx`, so the defaults stay plain values).
Code = PathEx[
    str, P(pattern=r"^[0-9]{6}$", description="団体コード (organization code)", example="012068")
]
Year = PathEx[
    int, P(ge=1, le=9999, description="報告年度 (fiscal year), 2023 = 令和5年度", example=2023)
]
Number = PathEx[int, P(ge=1, le=100_000, description="the KPI's number in the report", example=2)]
FiscalYearFilter = QueryEx[int | None, P(ge=1, le=9999, description="年度 (fiscal year)")]
Grant = QueryEx[str | None, P(description="交付金 as published (exact)")]
SectionParam = QueryEx[s.SectionFilter | None, P(description="区分: 対象事業 / 関連事業")]
Statuses = QueryEx[list[s.StatusCode] | None, P(description="状態 (status, repeatable)")]
ProjectNumber = QueryEx[int | None, P(ge=1, description="the project's number")]
KpiNumber = QueryEx[int | None, P(ge=1, description="the KPI's number")]
Prefecture = QueryEx[str | None, P(description="都道府県, e.g. 北海道")]
Search = QueryEx[
    str | None,
    P(
        max_length=100,
        description="団体名・よみ・団体コードで検索 (name in kanji or kana, hiragana read as"
        " katakana; or a code: 01206 and 012068 both find 釧路市)",
    ),
]


class NotFound(Exception):
    def __init__(self, code: str, message_ja: str, message_en: str) -> None:
        super().__init__(message_en)
        self.code, self.message_ja, self.message_en = code, message_ja, message_en


@api.exception_handler(NotFound)
def not_found(request: HttpRequest, error: NotFound) -> HttpResponse:
    body = {
        "code": error.code,
        "message_ja": error.message_ja,
        "message_en": error.message_en,
        "detail": f"{error.message_ja} / {error.message_en}",
    }
    return api.create_response(request, body, status=404)


@api.exception_handler(ValidationError)
def bad_parameter(request: HttpRequest, error: ValidationError) -> HttpResponse:
    """A 422 that says, in Japanese and English, which parameter (path or query) is wrong and
    what it takes, beside ninja's own `detail` list."""
    where_ja, where_en = [], []
    for item in error.errors:
        place = [str(part) for part in item.get("loc", ()) if not isinstance(part, int)]
        kind, name = (place[0], place[1]) if len(place) >= 2 else ("", ".".join(place))
        kind_ja = {"path": "パス", "query": "クエリ"}.get(kind, kind)
        why = item.get("msg", "")
        where_ja.append(f"{name}（{kind_ja}）: {_why_ja(item)}")
        where_en.append(f"{name} ({kind}): {why}")
    body = {
        "code": "bad-parameter",
        "message_ja": "パラメータが正しくありません。" + "；".join(where_ja),
        "message_en": "bad parameter: " + "; ".join(where_en),
        "detail": error.errors,
    }
    return api.create_response(request, body, status=422)


def _why_ja(item: dict[str, Any]) -> str:
    """Pydantic's reason in Japanese for the kinds a parameter of this API can fail."""
    context = item.get("ctx") or {}
    reasons = {
        "greater_than_equal": f"{context.get('ge')}以上の値を指定してください",
        "less_than_equal": f"{context.get('le')}以下の値を指定してください",
        "string_pattern_mismatch": "半角数字6桁の団体コードを指定してください",
        "literal_error": f"次のいずれかを指定してください: {context.get('expected', '')}",
        "int_parsing": "整数を指定してください",
        "missing": "指定してください",
    }
    return reasons.get(item.get("type", ""), item.get("msg", "値が正しくありません"))


# --- finding published data -----------------------------------------------------------------


def published_years() -> dict[int, list[int]]:
    """Organization id → its years with an applied report, newest first (one query)."""
    pairs = reports.report_year_pairs()  # imported or published from the ledger
    years: dict[int, set[int]] = defaultdict(set)
    for org_id, year in pairs:
        years[org_id].add(year)
    return {org_id: sorted(found, reverse=True) for org_id, found in years.items()}


def published_organization(code: str) -> tuple[m.Organization, list[int]]:
    """The organization and its report years; NotFound when it has no published report."""
    org = m.Organization.objects.filter(code=code).first()
    years = reports.report_years(org) if org else []
    if org is None or not years:
        raise NotFound(
            "organization-not-found",
            f"団体コード {code} の公表された報告書はありません",
            f"no published report of an organization with code {code}",
        )
    return org, years


def published_report(code: str, year: int) -> reports.LedgerReport:
    org, years = published_organization(code)
    if year not in years:
        raise NotFound(
            "year-not-found",
            f"{org.name}（{code}）の{records.year_label(year) or year}の報告書はありません",
            f"no published report of {code} for fiscal year {year}",
        )
    return reports.load_report(org, year, settings.KPILEDGER_NEARLY)


SECTIONS = {"target": "対象事業", "related": "関連事業"}


def _matches(record: dict[str, Any], grant: str | None, section: str | None) -> bool:
    section = SECTIONS.get(section or "", section)
    return (grant is None or record["grant"] == grant) and (
        section is None or record["section"] == section
    )


# --- operations -------------------------------------------------------------------------------


@api.get("/organizations", response={200: list[s.Organization], 422: s.ValidationErrors})
@decorate_view(http_cached)
@paginate(Pages)
def list_organizations(
    request: HttpRequest,
    year: FiscalYearFilter = None,
    prefecture: Prefecture = None,
    q: Search = None,
) -> list[dict[str, Any]]:
    """団体の一覧 (organizations with a published report)."""
    years = published_years()
    found = ledger_nation.search(q) if q is not None else m.Organization.objects.all()
    return [
        records.organization(org, years[org.pk])
        for org in found.order_by("code")
        if org.pk in years
        and (year is None or year in years[org.pk])
        and (prefecture is None or org.prefecture == prefecture)
    ]


@api.get("/organizations/{code}", response={200: s.Organization, **ERRORS})
@decorate_view(http_cached)
def get_organization(request: HttpRequest, code: Code) -> dict[str, Any]:
    """団体 (one organization)."""
    org, years = published_organization(code)
    return records.organization(org, years)


@api.get("/organizations/{code}/years", response={200: s.OrganizationYears, **ERRORS})
@decorate_view(http_cached)
def list_years(request: HttpRequest, code: Code) -> dict[str, Any]:
    """報告年度の一覧 (the fiscal years with a published report, newest first, 和暦 beside)."""
    org, years = published_organization(code)
    return {
        "organization": {"code": org.code, "name": org.name},
        "years": [records.fiscal_year(year) for year in years],
    }


@api.get("/organizations/{code}/years/{year}/summary", response={200: s.Summary, **ERRORS})
@decorate_view(http_cached)
def get_summary(request: HttpRequest, code: Code, year: Year) -> dict[str, Any]:
    """報告書の集計 (the report's title, notes and KPI counts per status)."""
    return records.summary(published_report(code, year))


@api.get("/organizations/{code}/years/{year}/projects", response={200: list[s.Project], **ERRORS})
@decorate_view(http_cached)
@paginate(Pages)
def list_projects(
    request: HttpRequest,
    code: Code,
    year: Year,
    grant: Grant = None,
    section: SectionParam = None,
) -> list[dict[str, Any]]:
    """事業の一覧 (the report's projects, in its order)."""
    found = records.projects(published_report(code, year))
    return [p for p in found if _matches(p, grant, section)]


@api.get("/organizations/{code}/years/{year}/kpis", response={200: list[s.Kpi], **ERRORS})
@decorate_view(http_cached)
@paginate(Pages)
def list_kpis(
    request: HttpRequest,
    code: Code,
    year: Year,
    status: Statuses = None,
    grant: Grant = None,
    section: SectionParam = None,
    project: ProjectNumber = None,
) -> list[dict[str, Any]]:
    """KPIの一覧と判定 (the report's KPIs with their judgement, in its order)."""
    found = records.kpis(published_report(code, year))
    return [
        k
        for k in found
        if _matches(k, grant, section)
        and (not status or k["status"] in status)
        and (project is None or k["project_number"] == project)
    ]


@api.get("/organizations/{code}/years/{year}/kpis/{number}", response={200: s.KpiDetail, **ERRORS})
@decorate_view(http_cached)
def get_kpi(
    request: HttpRequest,
    code: Code,
    year: Year,
    number: Number,
) -> dict[str, Any]:
    """KPI (one KPI: its terms, observations and judgement)."""
    ledger = published_report(code, year)
    detail = records.kpi_detail(ledger, number)
    if detail is None:
        raise NotFound(
            "kpi-not-found",
            f"{code}の{records.year_label(year) or year}の報告書にKPI {number} はありません",
            f"the report of {code} for fiscal year {year} has no KPI {number}",
        )
    return detail


@api.get(
    "/organizations/{code}/years/{year}/observations",
    response={200: list[s.ObservationRow], **ERRORS},
)
@decorate_view(http_cached)
@paginate(Pages)
def list_observations(
    request: HttpRequest,
    code: Code,
    year: Year,
    kpi: KpiNumber = None,
    fiscal_year: FiscalYearFilter = None,
) -> list[dict[str, Any]]:
    """実績値（縦持ち） (every published actual: one row per KPI and fiscal year)."""
    rows = records.observation_rows(published_report(code, year))
    return [
        row
        for row in rows
        if (kpi is None or row["kpi_number"] == kpi)
        and (fiscal_year is None or row["fiscal_year"] == fiscal_year)
    ]


def _summaries_from_docstrings() -> None:
    """Each operation's summary on the docs page is its docstring, Japanese first
    (`団体の一覧 / organizations with a published report`), not ninja's English name from the
    function (`List Organizations`). Every operation is tagged alike."""
    for _, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                doc = " ".join((operation.view_func.__doc__ or "").split())
                ja, _, en = doc.partition(" (")
                if doc:
                    operation.summary = f"{ja} / {en.removesuffix('.').removesuffix(')')}"
                operation.tags = operation.tags or [TAG]


TAG = "公開データ（読み取り専用） / published data (read-only)"
api.add_router("", write.router)  # the write operations (write.py)
api.add_router("", nation.router)  # organizations compared (nation.py)
api.add_router("", fields.router)  # one field compared (fields.py)
api.exception_handler(fields.Missing)(fields.missing)
api.exception_handler(AuthenticationError)(write.unauthorized)

_summaries_from_docstrings()
