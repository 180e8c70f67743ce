"""The national page, a prefecture's page and the search, from `services.nation` figures.

Only reshaping happens here (no queries): rows with their links, sortable column headers,
page links that keep the query, the year selector and the chart of achieved shares.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from kpiledger.core.evaluate import Status
from kpiledger.core.numbers import to_plain_string
from kpiledger.web.ledger.presenters.formatting import (
    Badge,
    badge,
    count_text,
    english,
    year_label,
)
from kpiledger.web.ledger.presenters.urls import reverse
from kpiledger.web.ledger.services import nation
from kpiledger.web.ledger.services.nation import (
    Comparison,
    OrganizationSummary,
    PrefectureSummary,
    Summary,
)

PER_PAGE = 50
#: The query parameters a listing keeps in its links (sort, page, year, search).
LISTING_PARAMS = ("q", "year", "sort", "order", "page")


def share_text(value: Decimal | None) -> str:
    """`58.3%`, or `—` when no KPI is due."""
    return "—" if value is None else f"{value}%"


def statuses() -> list[Badge]:
    return [badge(s) for s in Status]


# --- figures as rows --------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """A summary as shown in a row: KPIs, the count per status (in `Status` order), share."""

    kpis: int
    counts: list[tuple[Badge, int]]  # each status's badge (its cell's label) and count
    due: int
    share: str

    @classmethod
    def of(cls, summary: Summary, badges: list[Badge]) -> Figures:
        """The row's figures; `badges` are those of `statuses()`, made once per page."""
        return cls(
            summary.kpis,
            [(b, summary.counts[b.key]) for b in badges],
            summary.due,
            share_text(summary.achieved_share),
        )


@dataclass(frozen=True)
class PrefectureRow:
    code: str
    name: str
    url: str
    organizations: int
    reporting: int
    figures: Figures


@dataclass(frozen=True)
class OrganizationRow:
    code: str
    name: str
    url: str  # its latest report ('' without a public report)
    prefecture: str
    prefecture_url: str
    year: str  # the report year shown (`R5年度`), '' without one
    figures: Figures


def prefecture_row(
    row: PrefectureSummary, query: Mapping[str, str], badges: list[Badge]
) -> PrefectureRow:
    url = prefecture_url(row.code, query) if row.code != "00" else ""
    return PrefectureRow(
        row.code, _prefecture_name(row.name), url, row.organizations, row.reporting,
        Figures.of(row.summary, badges),
    )  # fmt: skip


def organization_row(org: OrganizationSummary, badges: list[Badge]) -> OrganizationRow:
    year = org.fiscal_year
    found = nation.prefecture(org.prefecture_code)
    return OrganizationRow(
        code=org.code,
        name=org.name,
        url=reverse("ledger:report", args=[org.code, year]) if year else "",
        prefecture=org.prefecture or (found[1] if found else ""),
        prefecture_url=prefecture_url(found[0], {}) if found else "",
        year=year_label(year) if year else "",
        figures=Figures.of(org.summary, badges),
    )


def prefecture_url(code: str, query: Mapping[str, str]) -> str:
    """The prefecture's page, keeping the chosen year."""
    url = reverse("ledger:prefecture", args=[code])
    year = query.get("year")
    return f"{url}?{urlencode({'year': year})}" if year else url


def _prefecture_name(name: str) -> str:
    return _("全国") if name == "全国" else name


# --- a listing: sortable headers and page links ------------------------------------------------


@dataclass(frozen=True)
class SortHeader:
    key: str
    label: str
    url: str  # the listing sorted by this column (the other order when it is the current one)
    sort: str  # aria-sort: ascending, descending or ''
    hint: str  # what following the link does, for screen readers


@dataclass(frozen=True)
class PageLink:
    number: int
    url: str
    current: bool


@dataclass(frozen=True)
class Pager:
    """The links of a paginated list, keeping its query (sort, year, search)."""

    page: Page  # type: ignore[type-arg]
    pages: list[PageLink | None]  # None: a gap (…)
    previous_url: str
    next_url: str
    range_text: str  # 「51〜100件目（全1,741件）」


def pager(page: Page, query: Mapping[str, str], path: str) -> Pager:  # type: ignore[type-arg]
    kept = {k: v for k, v in query.items() if k in LISTING_PARAMS and v}
    return Pager(
        page=page,
        pages=_page_links(path, kept, page),
        previous_url=_page_url(path, kept, page.number - 1) if page.has_previous() else "",
        next_url=_page_url(path, kept, page.number + 1) if page.has_next() else "",
        range_text=_range_text(page, page.paginator.count),
    )


@dataclass(frozen=True)
class Listing:
    """One page of a sorted list of organizations."""

    caption: str
    rows: list[OrganizationRow]
    headers: dict[str, SortHeader]
    statuses: list[Badge]
    count: int
    pager: Pager


def listing(
    rows: list[OrganizationSummary], query: Mapping[str, str], path: str, caption: str
) -> Listing:
    """Sort (`sort`, `order`), paginate (`page`, 50 a page) and shape the rows."""
    sort, order = nation.sort_order(query.get("sort"), query.get("order"))
    ordered = nation.sorted_rows(rows, sort, order)
    page = Paginator(ordered, PER_PAGE).get_page(query.get("page"))
    kept = {k: v for k, v in query.items() if k in LISTING_PARAMS and v}
    badges = statuses()
    return Listing(
        caption=caption,
        rows=[organization_row(r, badges) for r in page.object_list],
        headers=_headers(path, kept, sort, order),
        statuses=badges,
        count=len(ordered),
        pager=pager(page, query, path),
    )


def _headers(path: str, query: dict[str, str], sort: str, order: str) -> dict[str, SortHeader]:
    labels = {
        "name": _("団体名"),
        "code": _("団体コード"),
        "prefecture": _("都道府県"),
        "kpis": _("指標数"),
        "share": _("達成割合"),
    }
    headers = {}
    for key, label in labels.items():
        current = key == sort
        next_order = ("desc" if order == "asc" else "asc") if current else nation.DEFAULT_ORDER[key]
        params = {k: v for k, v in query.items() if k != "page"} | {
            "sort": key,
            "order": next_order,
        }
        hint = _("（昇順に並べ替え）") if next_order == "asc" else _("（降順に並べ替え）")
        headers[key] = SortHeader(
            key=key,
            label=label,
            url=f"{path}?{urlencode(params)}",
            sort=("ascending" if order == "asc" else "descending") if current else "",
            hint=hint,
        )
    return headers


def _page_url(path: str, query: dict[str, str], number: int) -> str:
    params = {k: v for k, v in query.items() if k != "page"}
    if number > 1:
        params["page"] = str(number)
    return f"{path}?{urlencode(params)}" if params else path


def _page_links(path: str, query: dict[str, str], page: Page) -> list[PageLink | None]:  # type: ignore[type-arg]
    """The first, the last and the two pages either side of the current one; None between
    pages that are not next to each other (shown as …)."""
    last = page.paginator.num_pages
    if last <= 1:
        return []
    wanted = sorted({1, last, *range(max(1, page.number - 2), min(last, page.number + 2) + 1)})
    links: list[PageLink | None] = []
    for number in wanted:
        if links and links[-1] is not None and number - links[-1].number > 1:
            links.append(None)
        links.append(PageLink(number, _page_url(path, query, number), number == page.number))
    return links


def _range_text(page: Page, count: int) -> str:  # type: ignore[type-arg]
    if not count:
        return ""
    return _("%(first)s〜%(last)s件目（全%(count)s件）") % {
        "first": count_text(page.start_index()),
        "last": count_text(page.end_index()),
        "count": count_text(count),
    }


# --- the year selector ------------------------------------------------------------------------


@dataclass(frozen=True)
class YearChoice:
    label: str
    url: str  # the page for that year, keeping the sort (and the search)
    current: bool


def year_choices(comparison: Comparison, query: Mapping[str, str], path: str) -> list[YearChoice]:
    """Each organization's latest report, then every year with a public report."""
    kept = {k: v for k, v in query.items() if k in ("q", "sort", "order") and v}

    def url(year: int | None) -> str:
        params = kept | ({"year": str(year)} if year else {})
        return f"{path}?{urlencode(params)}" if params else path

    latest = YearChoice(_("各団体の最新の報告年度"), url(None), comparison.year is None)
    return [latest] + [
        YearChoice(year_label(y), url(y), y == comparison.year) for y in comparison.years
    ]


def scope_text(comparison: Comparison) -> str:
    """Which reports the figures count, in words."""
    if comparison.year is None:
        return _("各団体の最新の報告年度の評価を集計しています。")
    return _("%(year)sの報告の評価を集計しています。") % {"year": year_label(comparison.year)}


def csv_url(name: str, query: Mapping[str, str], args: Iterable[str] = ()) -> str:
    """A CSV download of the same table (keeping the year and the sort)."""
    url = reverse(name, args=list(args))
    params = {k: v for k, v in query.items() if k in ("year", "sort", "order") and v}
    return f"{url}?{urlencode(params)}" if params else url


# --- pages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NationPage:
    years: list[YearChoice]
    year: str  # the chosen year's value ('' for the latest)
    scope: str
    prefectures: list[PrefectureRow]
    total: PrefectureRow
    statuses: list[Badge]
    chart: dict[str, object]
    chart_description: str
    listing: Listing
    prefectures_csv: str
    organizations_csv: str


def nation_page(comparison: Comparison, query: Mapping[str, str], path: str) -> NationPage:
    summaries = nation.prefecture_summaries(comparison)
    badges = statuses()
    rows = [prefecture_row(p, query, badges) for p in summaries]
    caption = _("報告のある団体と達成状況（%(count)s団体）") % {
        "count": count_text(len(comparison.organizations))
    }
    return NationPage(
        years=year_choices(comparison, query, path),
        year=str(comparison.year or ""),
        scope=scope_text(comparison),
        prefectures=rows,
        total=prefecture_row(nation.total(summaries), query, badges),
        statuses=badges,
        chart=share_chart(summaries),
        chart_description=share_chart_description(summaries),
        listing=listing(comparison.organizations, query, path, caption),
        prefectures_csv=csv_url("ledger:nation_prefectures_csv", query),
        organizations_csv=csv_url("ledger:nation_organizations_csv", query),
    )


@dataclass(frozen=True)
class PrefecturePage:
    code: str
    name: str
    years: list[YearChoice]
    year: str
    scope: str
    total: PrefectureRow
    statuses: list[Badge]
    listing: Listing
    csv: str


def prefecture_page(
    code: str, name: str, comparison: Comparison, query: Mapping[str, str], path: str
) -> PrefecturePage:
    summary = nation.prefecture_summaries(comparison)[int(code) - 1]
    caption = _("%(prefecture)sの報告のある団体と達成状況（%(count)s団体）") % {
        "prefecture": name,
        "count": count_text(len(comparison.organizations)),
    }
    return PrefecturePage(
        code=code,
        name=name,
        years=year_choices(comparison, query, path),
        year=str(comparison.year or ""),
        scope=scope_text(comparison),
        total=prefecture_row(summary, query, statuses()),
        statuses=statuses(),
        listing=listing(comparison.organizations, query, path, caption),
        csv=csv_url("ledger:prefecture_csv", query, [code]),
    )


@dataclass(frozen=True)
class SearchPage:
    query: str
    listing: Listing | None  # None before a search


def search_page(
    text: str, comparison: Comparison | None, query: Mapping[str, str], path: str
) -> SearchPage:
    if comparison is None:
        return SearchPage(text, None)
    caption = _("「%(query)s」の検索結果（%(count)s団体）") % {
        "query": text,
        "count": count_text(len(comparison.organizations)),
    }
    return SearchPage(text, listing(comparison.organizations, query, path, caption))


# --- the chart --------------------------------------------------------------------------------


def share_chart(rows: list[PrefectureSummary]) -> dict[str, object]:
    """Achieved share per prefecture (horizontal bars, exact decimal strings, null where no
    KPI is due), drawn by charts.js `share-bar`."""
    return {
        "kind": "share-bar",
        "categories": [r.name for r in rows],
        "values": [_plain(r.summary.achieved_share) for r in rows],
        "axis_label": _("達成割合（%）"),
    }


def _plain(value: Decimal | None) -> str | None:
    return None if value is None else to_plain_string(value)


def share_chart_description(rows: list[PrefectureSummary]) -> str:
    """The chart in words, for its aria-label."""
    sep = ", " if english() else "、"
    known = [r for r in rows if r.summary.achieved_share is not None]
    parts = sep.join(f"{r.name} {share_text(r.summary.achieved_share)}" for r in known)
    text = _("都道府県別の達成割合を示す横棒グラフ：%(parts)s") % {"parts": parts or "—"}
    missing = len(rows) - len(known)
    if missing:
        text += _("（目標年度を迎えた指標のない都道府県：%(count)s）") % {"count": missing}
    return text
