"""Organizations compared: the national table, a prefecture's organizations, the search.

Every figure comes from the stored judgements (`Judgement`, one row per KPI and report year,
kept by services/judgements.py), counted in SQL (GROUP BY organization and year, a COUNT per
status) in a fixed number of queries however many organizations there are:

1. the report years of the organizations in scope (their latest public report, or the one of
   `?year=`), grouped per organization in SQL;
2. the judgements of those years, counted per organization and year, one COUNT per status;
3. the organizations themselves (a few columns).

(plus one for the list of public report years, for the year selector). A report is public when
an import of it was applied or its year was published from the ledger, as for the report pages
(`reports.report_years`): a draft year's judgements never show.

**Share achieved** (達成割合) = achieved ÷ KPIs whose target year has come (every KPI but
`not_due`) × 100, one decimal (ROUND_HALF_UP); None when no KPI is due. KPIs without an actual
(`no_data`) stay in the denominator: a missing value is not an achievement.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Q, QuerySet

from kpiledger.core.distribution import share
from kpiledger.core.evaluate import Status
from kpiledger.core.orgcode import PREFECTURES
from kpiledger.web.ledger import models as m

STATUSES = tuple(s.value for s in Status)  # the fixed order of every table
SORTS = ("code", "name", "prefecture", "kpis", "share")
#: The order a column sorts in when first chosen: numbers from the highest.
DEFAULT_ORDER = {"code": "asc", "name": "asc", "prefecture": "asc", "kpis": "desc", "share": "desc"}
MAX_QUERY = 50  # characters of a search kept


# --- figures ----------------------------------------------------------------------------------


@dataclass
class Summary:
    """KPI counts per status of one organization's report, or of many summed."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))

    @property
    def kpis(self) -> int:
        return sum(self.counts.values())

    @property
    def due(self) -> int:
        """KPIs whose target year has come (all but 目標年度前)."""
        return self.kpis - self.counts[Status.NOT_DUE.value]

    @property
    def achieved_share(self) -> Decimal | None:
        """achieved ÷ due × 100, one decimal; None when no KPI is due (module docstring)."""
        return share(self.counts[Status.ACHIEVED.value], self.due)

    def add(self, other: Summary) -> None:
        for key, count in other.counts.items():
            self.counts[key] += count


@dataclass
class OrganizationSummary:
    """One organization with the summary of its report of `fiscal_year` (None: no public
    report in scope; the summary is then empty)."""

    id: int
    code: str
    name: str
    kana: str
    prefecture: str
    fiscal_year: int | None
    summary: Summary

    @property
    def prefecture_code(self) -> str:
        return self.code[:2]


@dataclass
class PrefectureSummary:
    """One prefecture: its organizations in the ledger, those with a report in scope, and the
    sum of their summaries."""

    code: str  # "01" … "47"
    name: str
    organizations: int
    reporting: int
    summary: Summary


@dataclass
class Comparison:
    """What the national, prefecture and search pages (and their API and CSV) show."""

    year: int | None  # `?year=`, or None: each organization's latest report
    years: list[int]  # every year with a public report, newest first
    organizations: list[OrganizationSummary]  # in scope, in code order
    #: Prefecture code (`01`) → the organizations in scope in the ledger, reporting or not.
    registered: dict[str, int] = field(default_factory=dict)


# --- prefectures ------------------------------------------------------------------------------


def prefecture(key: str) -> tuple[str, str] | None:
    """(`01`, 北海道) from a 2-digit code (`01`, `1` too) or a name (北海道, full-width digits
    accepted); None when it names no prefecture."""
    text = unicodedata.normalize("NFKC", key).strip()
    if text.isascii() and text.isdigit() and 1 <= len(text) <= 2:
        number = int(text)
        if 1 <= number <= len(PREFECTURES):
            return f"{number:02d}", PREFECTURES[number - 1]
        return None
    if text in PREFECTURES:
        return f"{PREFECTURES.index(text) + 1:02d}", text
    return None


def prefecture_summaries(comparison: Comparison) -> list[PrefectureSummary]:
    """All 47 prefectures in code order (北海道 first), each with its organizations in the
    ledger and the sum of the summaries of those reporting."""
    registered = comparison.registered
    rows = {
        f"{i:02d}": PrefectureSummary(f"{i:02d}", name, registered.get(f"{i:02d}", 0), 0, Summary())
        for i, name in enumerate(PREFECTURES, start=1)
    }
    for org in comparison.organizations:
        row = rows.get(org.prefecture_code)
        if row is not None and org.fiscal_year is not None:
            row.reporting += 1
            row.summary.add(org.summary)
    return list(rows.values())


def total(rows: Iterable[PrefectureSummary]) -> PrefectureSummary:
    """The nation: every prefecture summed (code `00`, named 全国)."""
    nation = PrefectureSummary("00", "全国", 0, 0, Summary())
    for row in rows:
        nation.organizations += row.organizations
        nation.reporting += row.reporting
        nation.summary.add(row.summary)
    return nation


# --- the comparison ---------------------------------------------------------------------------


def public_years() -> list[int]:
    """Every fiscal year with a public report of some organization, newest first (one query)."""
    imported = _applied().order_by().values_list("fiscal_year")
    published = _published().order_by().values_list("year")
    return sorted({year for (year,) in imported.union(published)}, reverse=True)


def compare(
    organizations: QuerySet[m.Organization] | None = None,
    year: int | None = None,
    *,
    reporting_only: bool = True,
    years: list[int] | None = None,
) -> Comparison:
    """The organizations in scope (all, or those of the queryset) with the summary of their
    report of `year`, or of their latest public report when `year` is None. Organizations
    without such a report are left out unless `reporting_only` is False. `years` (the public
    years, when the caller already read them) saves a query."""
    scope = organizations if organizations is not None else m.Organization.objects.all()
    years = public_years() if years is None else years
    chosen = _report_year_of(organizations, year)
    summaries = _summaries(organizations, chosen)
    rows, registered = [], Counter[str]()
    columns = ("id", "code", "name", "kana", "prefecture")
    for org_id, code, name, kana, prefecture_name in scope.order_by("code").values_list(*columns):
        registered[code[:2]] += 1
        if reporting_only and org_id not in chosen:
            continue
        summary = summaries.get(org_id) or Summary()
        fiscal_year = chosen.get(org_id)
        rows.append(
            OrganizationSummary(org_id, code, name, kana, prefecture_name, fiscal_year, summary)
        )
    return Comparison(year, years, rows, dict(registered))


def report_year_pairs(scope: QuerySet[m.Organization]) -> list[tuple[int, int]]:
    """(organization id, fiscal year) of every public report of the organizations in scope
    (one query), for a page of the list of organizations."""
    imported = _in_scope(_applied(), scope).order_by().values_list("organization_id", "fiscal_year")
    published = _in_scope(_published(), scope).order_by().values_list("organization_id", "year")
    return list(imported.union(published))


def _applied() -> QuerySet[m.ImportBatch]:
    return m.ImportBatch.objects.filter(status=m.ImportBatch.Status.APPLIED).exclude(
        organization=None
    )


def _published() -> QuerySet[m.FiscalYear]:
    return m.FiscalYear.objects.filter(published_at__isnull=False)


def _in_scope(rows: QuerySet[Any], scope: QuerySet[m.Organization] | None) -> QuerySet[Any]:
    """The rows of the organizations in scope (a subquery; None: every organization)."""
    return rows if scope is None else rows.filter(organization__in=scope.values("id"))


def _report_year_of(scope: QuerySet[m.Organization] | None, year: int | None) -> dict[int, int]:
    """Organization id → the report year shown: `year` where it has a public report of it,
    else its latest public report (one query: the two sources' years grouped per organization
    in SQL, then the later of the two)."""
    imported = _in_scope(_applied(), scope).order_by()
    published = _in_scope(_published(), scope).order_by()
    if year is not None:
        imported, published = imported.filter(fiscal_year=year), published.filter(year=year)
    pairs = (
        imported.values("organization_id")
        .annotate(latest=Max("fiscal_year"))
        .values_list("organization_id", "latest")
        .union(
            published.values("organization_id")
            .annotate(latest=Max("year"))
            .values_list("organization_id", "latest")
        )
    )
    chosen: dict[int, int] = {}
    for org_id, latest in pairs:
        chosen[org_id] = max(latest, chosen.get(org_id, latest))
    return chosen


def _summaries(
    scope: QuerySet[m.Organization] | None, chosen: dict[int, int]
) -> dict[int, Summary]:
    """Organization id → its KPIs counted per status in its chosen year (one query: one row
    per organization and year, a COUNT per status, for the few years chosen; the rows of a
    year another organization chose are dropped here)."""
    if not chosen:
        return {}
    judged = m.Judgement.objects.filter(fiscal_year__in=sorted(set(chosen.values())))
    # COUNT(status), not COUNT(id): the index on (fiscal_year, organization, status) answers it.
    per_status = {status: Count("status", filter=Q(status=status)) for status in STATUSES}
    rows = (
        _in_scope(judged, scope)
        .order_by()
        .values("organization_id", "fiscal_year")
        .annotate(**per_status)
        .values_list("organization_id", "fiscal_year", *STATUSES)
    )
    return {
        org_id: Summary(dict(zip(STATUSES, counts, strict=True)))
        for org_id, fiscal_year, *counts in rows
        if chosen.get(org_id) == fiscal_year
    }


# --- sorting ----------------------------------------------------------------------------------


def sort_order(sort: str | None, order: str | None) -> tuple[str, str]:
    """The sort column and order asked for, or the defaults (code, ascending)."""
    column = sort if sort in SORTS else "code"
    direction = order if order in ("asc", "desc") else DEFAULT_ORDER[column]
    return column, direction


def sorted_rows(
    rows: list[OrganizationSummary], sort: str, order: str
) -> list[OrganizationSummary]:
    """Rows sorted by the column (name by its reading, かな, as 五十音順), ties in code order;
    rows without a value (no KPI due for `share`) last in either order."""
    by_code = sorted(rows, key=lambda r: r.code)
    if sort == "share":
        known = [r for r in by_code if r.summary.achieved_share is not None]
        unknown = [r for r in by_code if r.summary.achieved_share is None]
        known.sort(key=lambda r: r.summary.achieved_share or 0, reverse=order == "desc")
        return known + unknown
    keys = {
        "code": lambda r: r.code,
        "name": lambda r: (r.kana or r.name, r.name),
        "prefecture": lambda r: r.prefecture_code,
        "kpis": lambda r: r.summary.kpis,
    }
    return sorted(by_code, key=keys[sort], reverse=order == "desc")


# --- search -----------------------------------------------------------------------------------

HIRAGANA = range(0x3041, 0x3097)  # ぁ … ゖ
KATAKANA_OFFSET = 0x60  # ぁ U+3041 → ァ U+30A1


def normalize_query(text: str) -> str:
    """The search text as the ledger spells names: NFKC (full-width digits and letters to
    ASCII, half-width kana to full-width), spaces and control characters removed, at most 50
    characters."""
    folded = unicodedata.normalize("NFKC", text)
    kept = (c for c in folded if not c.isspace() and unicodedata.category(c)[0] != "C")
    return "".join(kept)[:MAX_QUERY]


def katakana(text: str) -> str:
    """Hiragana turned into katakana (くしろ → クシロ); everything else kept."""
    return "".join(
        chr(ord(c) + KATAKANA_OFFSET) if ord(c) in HIRAGANA or c in "ゝゞ" else c for c in text
    )


def search(text: str) -> QuerySet[m.Organization]:
    """Organizations matching a search: a code (2–6 digits: the codes starting with them, the
    6th digit, the check digit, ignored: 01206 and 012068 both find 釧路市), else a part of
    the name (釧路, つくば) or of its reading in katakana (クシロ; くしろ and ｸｼﾛ are read as
    クシロ). Nothing for an empty search."""
    query = normalize_query(text)
    if not query:
        return m.Organization.objects.none()
    if query.isascii() and query.isdigit():
        if not 2 <= len(query) <= 6:
            return m.Organization.objects.none()
        return m.Organization.objects.filter(code__startswith=query[:5])
    return m.Organization.objects.filter(
        Q(name__contains=query) | Q(kana__contains=katakana(query))
    )
