"""The category comparison pages (`/fields/`, `/field/<field>/`) from `services.comparison`.

Only reshaping happens here (no queries). Numbers are shown as the core computed them (one
decimal); chart data carries them as exact decimal strings, and every chart's numbers are in
the table beside it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kpiledger.core.categories import Band, Field, Goal
from kpiledger.core.distribution import RateBin, Standing, share
from kpiledger.core.numbers import format_number, to_plain_string
from kpiledger.web.ledger.presenters.formatting import (
    count_text,
    english,
    pick,
    rate_text,
    year_label,
)
from kpiledger.web.ledger.presenters.urls import reverse
from kpiledger.web.ledger.services.comparison import (
    FieldComparison,
    FieldSummary,
    GoalSummary,
    Group,
    OrgRow,
    Position,
    all_bands,
)

PAGE_SIZE = 50
SORTS = ("code", "name", "prefecture", "population", "kpis", "median", "achieved")


# --- labels ---------------------------------------------------------------------------------


def field_label(field: Field) -> str:
    return pick(field.label_ja, field.label_en)


def goal_label(goal: Goal) -> str:
    return pick(goal.label_ja, goal.label_en)


def band_label(band: Band | Group) -> str:
    return pick(band.label_ja, band.label_en)


def percent(value: Decimal | None) -> str:
    """`42.9%`, or `—` when there is nothing to divide."""
    return rate_text(value)


def bin_label(b: RateBin) -> str:
    """`50%以上80%未満` / `50% to under 80%` (core.distribution)."""
    return pick(b.label_ja, b.label_en)


def _list_separator() -> str:
    return ", " if english() else "、"


# --- links ----------------------------------------------------------------------------------


def field_url(field: Field, **params: object) -> str:
    """The field's page with the given query parameters (empty ones left out)."""
    return with_query(reverse("ledger:field", args=[field.value]), params)


def with_query(url: str, params: dict[str, object]) -> str:
    """`url` with the given query parameters (empty ones left out)."""
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{url}?{query}" if query else url


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    current: bool = False


def year_links(field: Field | None, years: list[int], current: int, org: str = "") -> list[Link]:
    def url(year: int) -> str:
        if field is None:
            return f"{reverse('ledger:fields')}?{urlencode({'year': year})}"
        return field_url(field, year=year, org=org)

    return [Link(year_label(y), url(y), y == current) for y in years]


# --- the index ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldRow:
    label: str
    url: str
    kpis: int
    due: int
    achieved: int
    achieved_share: str
    organizations: int


@dataclass(frozen=True)
class GoalBlock:
    label: str
    key: str
    rows: list[FieldRow]
    total: FieldRow


@dataclass(frozen=True)
class FieldsIndex:
    year: int | None
    year_label: str
    years: list[Link]
    goals: list[GoalBlock]


def fields_index(goals: list[GoalSummary], year: int | None, years: list[int]) -> FieldsIndex:
    def row(s: FieldSummary, label: str, url: str) -> FieldRow:
        share = percent(s.achieved_share)
        return FieldRow(label, url, s.kpis, s.due, s.achieved, share, s.organizations)

    def block(g: GoalSummary) -> GoalBlock:
        rows = [row(s, field_label(s.field), field_url(s.field, year=year)) for s in g.fields]
        return GoalBlock(goal_label(g.goal), g.goal.value, rows, row(g.total, _("計"), ""))

    label = year_label(year) if year is not None else ""
    return FieldsIndex(year, label, year_links(None, years, year or 0), [block(g) for g in goals])


# --- the field page: distribution and groups ------------------------------------------------


@dataclass(frozen=True)
class BinRow:
    label: str
    count: int
    share: str
    org_count: int | None = None
    org_share: str = ""
    marked: bool = False


@dataclass(frozen=True)
class GroupRow:
    label: str
    url: str
    organizations: int
    kpis: int
    due: int
    achieved: int
    achieved_share: str
    median: str
    current: bool = False


def distribution_rows(c: FieldComparison, org: OrgRow | None) -> list[BinRow]:
    due = c.tally.due
    rows = []
    for b in c.bins:
        count = c.tally.bins[b.key]
        if org is None:
            rows.append(BinRow(bin_label(b), count, percent(share(count, due))))
            continue
        mine = org.tally.bins[b.key]
        rows.append(
            BinRow(
                bin_label(b),
                count,
                percent(share(count, due)),
                mine,
                percent(share(mine, org.tally.due)),
            )
        )
    return rows


def distribution_chart(c: FieldComparison, org: OrgRow | None) -> dict[str, object]:
    def shares(tally_bins: dict[str, int], due: int) -> list[str]:
        return [to_plain_string(share(tally_bins.get(b.key, 0), due) or Decimal(0)) for b in c.bins]

    series = [{"name": _("全団体"), "values": shares(c.tally.bins, c.tally.due)}]
    if org is not None:
        series.append({"name": org.name, "values": shares(org.tally.bins, org.tally.due)})
    return {
        "kind": "bin-bar",
        "categories": [bin_label(b) for b in c.bins],
        "series": series,
        "axis_label": _("指標の割合（%）"),
        "percent": True,
        "marked": None,
    }


def distribution_description(rows: list[BinRow], due: int) -> str:
    parts = _list_separator().join(f"{r.label} {r.share}" for r in rows)
    return _("目標年度を迎えた%(due)s指標の、達成率の区分ごとの割合を示す棒グラフ：%(parts)s") % {
        "due": count_text(due),
        "parts": parts,
    }


def group_row(g: Group, url: str, current: bool = False) -> GroupRow:
    t = g.tally
    return GroupRow(
        band_label(g),
        url,
        len(g.organizations),
        t.kpis,
        t.due,
        t.achieved,
        percent(t.achieved_share),
        rate_text(t.median),
        current,
    )


def prefecture_rows(c: FieldComparison, current: str = "") -> list[GroupRow]:
    return [
        group_row(g, field_url(c.field, year=c.year, pref=g.key, sort="-median"), g.key == current)
        for g in c.prefectures
    ]


def band_rows(c: FieldComparison, current: str = "") -> list[GroupRow]:
    return [
        group_row(g, field_url(c.field, year=c.year, band=g.key, sort="-median"), g.key == current)
        for g in c.bands
    ]


# --- the field page: where one organization stands ------------------------------------------


@dataclass(frozen=True)
class StandingView:
    heading: str
    text: str
    rows: list[BinRow]
    chart: dict[str, object] | None
    description: str
    list_url: str
    chart_id: str


def standing_text(org: OrgRow, group_name: str, found: Standing | None) -> str:
    if org.median is None:
        return _(
            "%(org)sには、この分野で目標年度を迎え達成率を算出できる指標がないため、順位はありません。"
        ) % {"org": org.name}
    assert found is not None
    text = _("%(org)sの達成率の中央値は%(median)sで、%(group)sの%(of)s団体中%(rank)s位です。") % {
        "org": org.name,
        "median": rate_text(org.median),
        "group": group_name,
        "of": count_text(found.of),
        "rank": count_text(found.rank),
    }
    if found.ties:
        text += _("（中央値が同じ団体が他に%(ties)s団体あり、同順位です。）") % {
            "ties": count_text(found.ties)
        }
    if found.percentile is not None:
        text += _("他の%(others)s団体のうち%(below)s団体（%(percentile)s）より高い値です。") % {
            "others": count_text(found.of - 1),
            "below": count_text(found.below),
            "percentile": percent(found.percentile),
        }
    return text


def standing_view(
    c: FieldComparison,
    org: OrgRow,
    group: Group,
    found: Standing | None,
    heading: str,
    group_name: str,
    list_url: str,
    chart_id: str,
) -> StandingView:
    rated = [b for b in c.bins if b.rated]
    counts = group.median_bins(c.bins)
    mine = next((b.key for b in rated if b.holds(org.median)), None)
    total = len(group.medians)
    rows = [
        BinRow(
            bin_label(b), counts[b.key], percent(share(counts[b.key], total)), marked=b.key == mine
        )
        for b in rated
    ]
    chart = {
        "kind": "bin-bar",
        "categories": [r.label for r in rows],
        "series": [{"name": _("団体数"), "values": [r.count for r in rows]}],
        "axis_label": _("団体数"),
        "percent": False,
        "marked": next((i for i, r in enumerate(rows) if r.marked), None),
        "marked_label": _("%(org)sの位置") % {"org": org.name},
    }
    parts = _list_separator().join(f"{r.label} {count_text(r.count)}" for r in rows)
    where = next((r.label for r in rows if r.marked), "—")
    description = _(
        "%(group)sの団体の達成率の中央値の分布を示す棒グラフ。%(org)sは「%(bin)s」の区分です：%(parts)s"
    ) % {"group": group_name, "org": org.name, "bin": where, "parts": parts}
    return StandingView(
        heading, standing_text(org, group_name, found), rows, chart, description, list_url, chart_id
    )


def position_views(c: FieldComparison, p: Position) -> list[StandingView]:
    org = p.organization
    views = []
    if p.prefecture is not None:
        views.append(
            standing_view(
                c,
                org,
                p.prefecture,
                p.in_prefecture,
                _("%(prefecture)s内での位置") % {"prefecture": p.prefecture.label_ja},
                p.prefecture.label_ja,
                field_url(
                    c.field, year=c.year, org=org.code, pref=p.prefecture.key, sort="-median"
                ),
                "standing-prefecture-data",
            )
        )
    band_name = _("人口規模「%(band)s」") % {"band": band_label(p.band)}
    views.append(
        standing_view(
            c,
            org,
            p.band,
            p.in_band,
            _("人口規模が同じ団体の中での位置（%(band)s）") % {"band": band_label(p.band)},
            band_name,
            field_url(c.field, year=c.year, org=org.code, band=p.band.key, sort="-median"),
            "standing-band-data",
        )
    )
    return views


# --- the field page: the table of organizations ---------------------------------------------


@dataclass(frozen=True)
class OrgTableRow:
    name: str
    code: str
    prefecture: str
    band: str
    population: str
    kpis: int
    due: int
    achieved: int
    achieved_share: str
    median: str
    position_url: str
    report_url: str
    current: bool


@dataclass(frozen=True)
class SortHeader:
    key: str
    label: str
    url: str
    aria_sort: str  # "ascending", "descending" or "" (not sorted by this column)


@dataclass(frozen=True)
class OrgTable:
    rows: list[OrgTableRow]
    headers: list[SortHeader]
    count: int
    page: int
    pages: int
    previous_url: str
    next_url: str
    first: int  # the number of the first row shown, from 1
    last: int
    sort: str
    prefecture: str
    band: str
    band_label: str


SORT_VALUES: dict[str, Callable[[OrgRow], object]] = {
    "code": lambda o: o.code,
    "name": lambda o: o.kana or o.name,
    "prefecture": lambda o: o.code[:2],
    "population": lambda o: o.population,
    "kpis": lambda o: o.tally.kpis,
    "median": lambda o: o.median,
    "achieved": lambda o: o.tally.achieved_share,
}


def sort_organizations(orgs: list[OrgRow], sort: str) -> list[OrgRow]:
    """Sorted by `sort` (`median`; `-median` for descending …). Equal values keep code order
    in either direction; organizations without a value (no median, no population) come last."""
    value = SORT_VALUES[sort.removeprefix("-")]
    by_code = sorted(orgs, key=lambda o: o.code)
    present = [o for o in by_code if value(o) is not None]
    missing = [o for o in by_code if value(o) is None]
    return sorted(present, key=value, reverse=sort.startswith("-")) + missing  # type: ignore[arg-type]


SORT_LABELS = {
    "name": gettext_lazy("団体名"),
    "code": gettext_lazy("団体コード"),
    "prefecture": gettext_lazy("都道府県"),
    "population": gettext_lazy("人口"),
    "kpis": gettext_lazy("指標数"),
    "median": gettext_lazy("達成率の中央値"),
    "achieved": gettext_lazy("達成割合"),
}
NUMERIC_SORTS = {"population", "kpis", "median", "achieved"}


@dataclass(frozen=True)
class TableRequest:
    """What the visitor asked of the table of organizations (already checked by the view)."""

    sort: str = "code"
    page: int | None = None  # None: the page that holds the chosen organization, else 1
    prefecture: str = ""
    band: str = ""
    org: str = ""


def organization_table(c: FieldComparison, asked: TableRequest) -> OrgTable:
    orgs = [
        o
        for o in c.organizations
        if (not asked.prefecture or o.prefecture == asked.prefecture)
        and (not asked.band or o.band.key == asked.band)
    ]
    ordered = sort_organizations(orgs, asked.sort)
    pages = max(1, -(-len(ordered) // PAGE_SIZE))
    page = asked.page
    if page is None:
        at = next((i for i, o in enumerate(ordered) if o.code == asked.org), 0)
        page = at // PAGE_SIZE + 1
    page = min(max(page, 1), pages)
    start = (page - 1) * PAGE_SIZE
    shown = ordered[start : start + PAGE_SIZE]

    base = reverse("ledger:field", args=[c.field.value])  # once for the table's links

    def url(**changed: object) -> str:
        params: dict[str, object] = {
            "year": c.year,
            "org": asked.org,
            "pref": asked.prefecture,
            "band": asked.band,
            "sort": asked.sort,
            "page": page,
        }
        params.update(changed)
        return with_query(base, params) + "#organizations"

    band = next((b for b in all_bands() if b.key == asked.band), None)
    return OrgTable(
        rows=[_org_table_row(c, o, o.code == asked.org, base) for o in shown],
        headers=[_sort_header(key, asked.sort, url) for key in SORT_LABELS],
        count=len(ordered),
        page=page,
        pages=pages,
        previous_url=url(page=page - 1) if page > 1 else "",
        next_url=url(page=page + 1) if page < pages else "",
        first=start + 1 if shown else 0,
        last=start + len(shown),
        sort=asked.sort,
        prefecture=asked.prefecture,
        band=asked.band,
        band_label=band_label(band) if band else "",
    )


def _sort_header(key: str, sort: str, url: Callable[..., str]) -> SortHeader:
    if sort == key:
        following, aria = f"-{key}", "ascending"
    elif sort == f"-{key}":
        following, aria = key, "descending"
    else:
        following, aria = (f"-{key}" if key in NUMERIC_SORTS else key), ""
    return SortHeader(key, str(SORT_LABELS[key]), url(sort=following, page=1), aria)


def _org_table_row(c: FieldComparison, o: OrgRow, current: bool, field: str) -> OrgTableRow:
    """A row of the table (`field`: the field page's address, without a query)."""
    t = o.tally
    return OrgTableRow(
        name=o.name,
        code=o.code,
        prefecture=o.prefecture or "—",
        band=band_label(o.band),
        population="—" if o.population is None else count_text(o.population),
        kpis=t.kpis,
        due=t.due,
        achieved=t.achieved,
        achieved_share=percent(t.achieved_share),
        median=rate_text(o.median),
        position_url=with_query(field, {"year": c.year, "org": o.code}) + "#standing",
        report_url=reverse("ledger:report", args=[o.code, c.year]),
        current=current,
    )


# --- the field page -------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldPage:
    field: str
    label: str
    goal: str
    year: int
    year_label: str
    years: list[Link]
    nearly: str
    kpis: int
    due: int
    not_due: int
    organizations: int
    achieved_share: str
    median: str
    distribution: list[BinRow]
    distribution_chart: dict[str, object]
    distribution_description: str
    organization: OrgRow | None
    standings: list[StandingView]
    prefectures: list[GroupRow]
    bands: list[GroupRow]
    table: OrgTable
    csv: dict[str, str]
    prefecture_choices: list[str]
    band_choices: list[Link]


def field_page(c: FieldComparison, asked: TableRequest) -> FieldPage:
    position = c.position(asked.org) if asked.org else None
    org = position.organization if position else None
    rows = distribution_rows(c, org)
    csv_params = {"year": c.year, "org": org.code if org else ""}
    return FieldPage(
        field=c.field.value,
        label=field_label(c.field),
        goal=goal_label(c.field.goal),
        year=c.year,
        year_label=year_label(c.year),
        years=year_links(c.field, c.years, c.year, org.code if org else ""),
        nearly=to_plain_string(c.nearly),
        kpis=c.tally.kpis,
        due=c.tally.due,
        not_due=c.tally.kpis - c.tally.due,
        organizations=len(c.organizations),
        achieved_share=percent(c.tally.achieved_share),
        median=rate_text(c.tally.median),
        distribution=rows,
        distribution_chart=distribution_chart(c, org),
        distribution_description=distribution_description(rows, c.tally.due),
        organization=org,
        standings=position_views(c, position) if position else [],
        prefectures=prefecture_rows(
            c, org.prefecture if org and not org.prefecture_government else ""
        ),
        bands=band_rows(c, org.band.key if org else ""),
        table=organization_table(c, asked),
        csv={
            table: csv_url(c.field, table, **csv_params)
            for table in ("distribution", "prefectures", "bands", "organizations")
        },
        prefecture_choices=[g.key for g in c.prefectures if g.key],
        band_choices=[Link(band_label(g), g.key, g.key == asked.band) for g in c.bands],
    )


def csv_url(field: Field, table: str, **params: object) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{reverse('ledger:field_csv', args=[field.value, table])}?{query}"


def number_text(value: int) -> str:
    return format_number(Decimal(value))


def organization_field_links(code: str, year: int, counted: list[tuple[Field, int]]) -> list[Link]:
    """The report page's links to the comparison of each field its KPIs fall in
    (`観光（4）`), at the organization's standing."""
    return [
        Link(
            f"{field_label(f)} ({n})" if english() else f"{field_label(f)}（{n}）",
            field_url(f, year=year, org=code) + "#standing",
        )
        for f, n in counted
    ]
