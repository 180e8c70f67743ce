"""One field compared across organizations, in the API: what the pages `/fields/` and
`/field/<field>/` show (services/comparison.py: the stored judgements of public reports, read
in a fixed number of queries), as JSON.

- `GET /fields?year=`: every field with its KPI counts and achieved share;
- `GET /fields/{field}?year=&org=`: the distribution of achievement rates, the groups per
  prefecture and per population band, and with `org` that organization's standing;
- `GET /fields/{field}/organizations?year=&sort=&prefecture=&band=`: the organizations
  (paginated).

Exact decimals are strings (`"85.0"`), as everywhere in the API.
"""

# No `from __future__ import annotations`: django-ninja reads the parameters' types at import.
import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import P, PathEx, QueryEx, Router
from ninja.decorators import decorate_view
from ninja.pagination import paginate

from kpiledger.core.categories import Field
from kpiledger.core.distribution import RateBin, Standing, share
from kpiledger.core.era import fiscal_year_label
from kpiledger.core.evaluate import Status
from kpiledger.io.writers.records import plain
from kpiledger.web.api import schemas as s
from kpiledger.web.api.caching import http_cached
from kpiledger.web.api.pages import Pages
from kpiledger.web.ledger.presenters.fields import sort_organizations
from kpiledger.web.ledger.services import comparison as c

router = Router()

FieldCode = PathEx[
    str,
    P(
        max_length=40,
        description="分野 (field): " + ", ".join(f"{f.value} {f.label_ja}" for f in Field),
        example="tourism",
    ),
]
Year = QueryEx[
    int | None, P(ge=1, le=9999, description="報告年度 (fiscal year); latest by default")
]
OrgCode = QueryEx[
    str | None, P(pattern=r"^[0-9]{6}$", description="団体コード: that organization's standing")
]
Sort = QueryEx[s.FieldSort | None, P(description="並べ替え (sort; `-` for descending)")]
Prefecture = QueryEx[str | None, P(max_length=10, description="都道府県, e.g. 北海道")]
Band = QueryEx[str | None, P(max_length=20, description="人口規模 (band key, e.g. `10k-50k`)")]
ERRORS: dict[int, Any] = {404: s.Error, 422: s.ValidationErrors}


class Missing(Exception):
    def __init__(self, code: str, ja: str, en: str) -> None:
        super().__init__(en)
        self.body = {"code": code, "message_ja": ja, "message_en": en, "detail": f"{ja} / {en}"}


def missing(request: HttpRequest, error: Missing) -> HttpResponse:
    """The API's 404 for an unknown field, a year without judgements, or an organization
    without KPIs of the field (registered by api.py), in Japanese and English."""
    body = json.dumps(error.body, ensure_ascii=False)
    return HttpResponse(body, status=404, content_type="application/json; charset=utf-8")


def _decimal(value: Any) -> str | None:
    return None if value is None else plain(value)


def _label(ja: str, en: str) -> dict[str, str]:
    return {"ja": ja, "en": en}


def _field(code: str) -> Field:
    try:
        return Field(code)
    except ValueError:
        known = ", ".join(f.value for f in Field)
        raise Missing(
            "field-not-found",
            f"分野「{code}」はありません（{known}）",
            f"no field {code!r} ({known})",
        ) from None


def _year(field: Field | None, year: int | None) -> tuple[int | None, list[int]]:
    years = c.judged_years(field)
    if year is None:
        return (years[0] if years else None), years
    if year not in years:
        label = fiscal_year_label(year) if year >= 1926 else f"{year}年度"
        raise Missing(
            "year-not-found",
            f"{label}の評価はありません（評価のある年度: {', '.join(map(str, years)) or 'なし'}）",
            f"no judgements for fiscal year {year} (years: {', '.join(map(str, years)) or 'none'})",
        )
    return year, years


def _comparison(field_code: str, year: int | None) -> c.FieldComparison:
    field = _field(field_code)
    chosen, years = _year(field, year)
    if chosen is None:
        raise Missing(
            "year-not-found",
            "この分野の評価はまだありません",
            "no judgements of this field yet",
        )
    return c.compare_field(field, chosen, settings.KPILEDGER_NEARLY, years)


# --- records --------------------------------------------------------------------------------


def kpi_figures(tally: c.Tally) -> dict[str, Any]:
    return {
        "kpis": tally.kpis,
        "due": tally.due,
        "achieved": tally.achieved,
        "achieved_share": _decimal(tally.achieved_share),
        "median_rate": _decimal(tally.median),
    }


def bins(rate_bins: list[RateBin], tally: c.Tally) -> list[dict[str, Any]]:
    return [
        {
            "key": b.key,
            "label": _label(b.label_ja, b.label_en),
            "low": _decimal(b.low),
            "high": _decimal(b.high),
            "nearly": b.nearly,
            "kpis": tally.bins[b.key],
            "share": _decimal(share(tally.bins[b.key], tally.due)),
        }
        for b in rate_bins
    ]


def group(g: c.Group) -> dict[str, Any]:
    return {
        "key": g.key,
        "label": _label(g.label_ja, g.label_en),
        "organizations": len(g.organizations),
    } | kpi_figures(g.tally)


def rank(g: c.Group | None, found: Standing | None) -> dict[str, Any] | None:
    if g is None or found is None:
        return None
    return {
        "group": g.key,
        "label": _label(g.label_ja, g.label_en),
        "rank": found.rank,
        "of": found.of,
        "above": found.above,
        "ties": found.ties,
        "below": found.below,
        "percentile": _decimal(found.percentile),
    }


def organization(o: c.OrgRow) -> dict[str, Any]:
    return {
        "code": o.code,
        "name": o.name,
        "prefecture": o.prefecture or None,
        "population": o.population,
        "band": o.band.key,
        "band_label": _label(o.band.label_ja, o.band.label_en),
    } | kpi_figures(o.tally)


def standing(found: c.FieldComparison, code: str) -> dict[str, Any]:
    position = found.position(code)
    if position is None:
        raise Missing(
            "organization-not-in-field",
            f"団体コード {code} の団体には、{fiscal_year_label(found.year)}の"
            "この分野の指標がありません",
            f"the organization {code} has no KPI of this field in fiscal year {found.year}",
        )
    org = position.organization
    return organization(org) | {
        "distribution": bins(found.bins, org.tally),
        "in_prefecture": rank(position.prefecture, position.in_prefecture),
        "in_band": rank(position.band, position.in_band),
    }


def detail(found: c.FieldComparison, org: str | None) -> dict[str, Any]:
    f = found.field
    return {
        "field": f.value,
        "label": _label(f.label_ja, f.label_en),
        "goal": f.goal.value,
        "goal_label": _label(f.goal.label_ja, f.goal.label_en),
        "fiscal_year": found.year,
        "fiscal_year_label": fiscal_year_label(found.year, "long"),
        "years": found.years,
        "nearly": plain(found.nearly),
        "organizations": len(found.organizations),
        "not_due": found.tally.statuses[Status.NOT_DUE],
        "distribution": bins(found.bins, found.tally),
        "prefectures": [group(g) for g in found.prefectures],
        "bands": [group(g) for g in found.bands],
        "standing": standing(found, org) if org else None,
    } | kpi_figures(found.tally)


# --- operations -----------------------------------------------------------------------------


@router.get("/fields", response={200: s.FieldList, **ERRORS})
@decorate_view(http_cached)
def list_fields(request: HttpRequest, year: Year = None) -> dict[str, Any]:
    """分野の一覧と達成状況 (every field with its KPI counts and achieved share)."""
    chosen, years = _year(None, year)
    summaries = c.field_summaries(chosen) if chosen is not None else []
    return {
        "fiscal_year": chosen,
        "years": years,
        "fields": [
            {
                "field": x.field.value,
                "label": _label(x.field.label_ja, x.field.label_en),
                "goal": x.field.goal.value,
                "goal_label": _label(x.field.goal.label_ja, x.field.goal.label_en),
                "organizations": x.organizations,
                "kpis": x.kpis,
                "due": x.due,
                "achieved": x.achieved,
                "achieved_share": _decimal(x.achieved_share),
            }
            for x in summaries
        ],
    }


@router.get("/fields/{field}", response={200: s.FieldDetail, **ERRORS})
@decorate_view(http_cached)
def get_field(
    request: HttpRequest, field: FieldCode, year: Year = None, org: OrgCode = None
) -> dict[str, Any]:
    """分野別の比較 (one field across organizations: distribution of achievement rates, per
    prefecture, per population band, and with `org` that organization's rank)."""
    return detail(_comparison(field, year), org)


@router.get("/fields/{field}/organizations", response={200: list[s.FieldOrganization], **ERRORS})
@decorate_view(http_cached)
@paginate(Pages)
def list_field_organizations(
    request: HttpRequest,
    field: FieldCode,
    year: Year = None,
    sort: Sort = None,
    prefecture: Prefecture = None,
    band: Band = None,
) -> list[dict[str, Any]]:
    """分野の団体別の達成状況 (the organizations with KPIs of the field: counts per status,
    achieved share and median rate)."""
    found = _comparison(field, year)
    rows = [
        o
        for o in found.organizations
        if (prefecture is None or o.prefecture == prefecture)
        and (band is None or o.band.key == band)
    ]
    return [
        organization(o) | {"counts": {st.value: o.tally.statuses[st] for st in Status}}
        for o in sort_organizations(rows, sort or "code")
    ]
