"""The same kind of KPI compared across organizations (分野別の比較), from stored judgements.

A field's comparison in one report year is read in a fixed number of queries however many
organizations there are: the years the field has judgements in, the field's judgements of the
year (organization, status, rate: one row per KPI, fetched as plain tuples), and the
organizations those belong to. Counting, binning and medians are done here on those tuples
(`kpiledger.core.distribution`): a median cannot be computed portably in SQL, and one pass
over a field's ~5,000 judgements of a national year costs a few milliseconds.

What is compared (docs/comparison.md):
- A KPI whose target is not yet due (`not_due`) has only an interim rate: it is counted but
  left out of the rate distribution, the medians and the achieved share.
- The achieved share is achieved KPIs ÷ KPIs whose target is due (not_due excluded).
- An organization's median is the median rate of its due KPIs of the field that have a rate;
  organizations are ranked by it within their prefecture and within their population band.
- A prefecture government is compared with the other prefectures (its band is "prefectures"),
  never with the municipalities of its prefecture.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q

from kpiledger.core.categories import UNKNOWN_BAND, Band, Field, Goal, bands, population_band
from kpiledger.core.distribution import RateBin, Standing, bin_of, median, rate_bins, share
from kpiledger.core.distribution import standing as standing_in
from kpiledger.core.evaluate import Status
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services import reports

# --- population bands -----------------------------------------------------------------------

#: A prefecture government's "band": prefectures are compared with each other.
PREFECTURE_BAND = Band("prefecture", None, None, "都道府県", "Prefectures")


def all_bands() -> list[Band]:
    """Every band in the order the pages list them: the population bands (core.categories),
    the prefectures, population unknown."""
    return [*bands(), PREFECTURE_BAND, UNKNOWN_BAND]


def is_prefecture_government(code: str, kind: str) -> bool:
    """都道府県 itself (kind `prefecture`, or a code `NN000C` when the kind is not recorded)."""
    return kind == "prefecture" or (not kind and code[2:5] == "000")


# --- tallies --------------------------------------------------------------------------------


@dataclass
class Tally:
    """KPI counts by status and rate bin, and the rates of the due KPIs."""

    statuses: Counter[str] = field(default_factory=Counter)
    bins: Counter[str] = field(default_factory=Counter)
    rates: list[Decimal] = field(default_factory=list)
    #: (how many rates, their median): worked out once for the rates as they are.
    _median: tuple[int, Decimal | None] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def add(self, status: str, rate: Decimal | None, rate_bins: list[RateBin]) -> None:
        self.statuses[status] += 1
        if status == Status.NOT_DUE:
            return
        if status == Status.NO_DATA:
            rate = None  # a stored rate without an actual is not an achievement
        self.bins[bin_of(rate, rate_bins).key] += 1
        if rate is not None:
            self.rates.append(rate)

    def extend(self, other: Tally) -> None:
        self.statuses.update(other.statuses)
        self.bins.update(other.bins)
        self.rates.extend(other.rates)

    @property
    def kpis(self) -> int:
        return sum(self.statuses.values())

    @property
    def due(self) -> int:
        return self.kpis - self.statuses[Status.NOT_DUE]

    @property
    def achieved(self) -> int:
        return self.statuses[Status.ACHIEVED]

    @property
    def achieved_share(self) -> Decimal | None:
        return share(self.achieved, self.due)

    @property
    def median(self) -> Decimal | None:
        """The rates' median, sorted once while the rates stay as they are (they only grow:
        `add`, `extend`); a field's pages ask for each organization's many times."""
        count = len(self.rates)
        if self._median is None or self._median[0] != count:
            self._median = (count, median(self.rates))
        return self._median[1]


@dataclass
class OrgRow:
    """One organization's KPIs of the field in the year."""

    code: str
    name: str
    kana: str
    prefecture: str
    population: int | None
    band: Band
    prefecture_government: bool
    tally: Tally = field(default_factory=Tally)

    @property
    def median(self) -> Decimal | None:
        return self.tally.median


@dataclass
class Group:
    """Organizations of one prefecture or one band, with their KPIs' tally."""

    key: str
    label_ja: str
    label_en: str
    organizations: list[OrgRow]
    tally: Tally

    @property
    def medians(self) -> list[Decimal]:
        """The organizations' medians (those that have one)."""
        return [o.median for o in self.organizations if o.median is not None]

    def median_bins(self, rate_bins: list[RateBin]) -> Counter[str]:
        """How many organizations' medians fall in each rated bin."""
        return Counter(bin_of(v, rate_bins).key for v in self.medians)


@dataclass
class Position:
    """Where one organization stands in its prefecture and its band (None: not ranked, as it
    has no median, or — a prefecture government — no prefecture group)."""

    organization: OrgRow
    prefecture: Group | None
    band: Group
    in_prefecture: Standing | None
    in_band: Standing | None


@dataclass
class FieldComparison:
    field: Field
    year: int
    years: list[int]  # the years with judgements of the field, newest first
    nearly: Decimal
    bins: list[RateBin]
    tally: Tally
    organizations: list[OrgRow]  # in code order
    prefectures: list[Group]  # municipalities per prefecture, in code order
    bands: list[Group]  # in band order, empty bands left out

    def organization(self, code: str) -> OrgRow | None:
        return next((o for o in self.organizations if o.code == code), None)

    def position(self, code: str) -> Position | None:
        """The organization's standing; None when it has no KPI of the field this year."""
        org = self.organization(code)
        if org is None:
            return None
        pref = None
        if not org.prefecture_government:
            pref = next(g for g in self.prefectures if g.key == org.prefecture)
        band = next(g for g in self.bands if g.key == org.band.key)
        value = org.median
        return Position(
            organization=org,
            prefecture=pref,
            band=band,
            in_prefecture=None
            if value is None or pref is None
            else standing_in(value, pref.medians),
            in_band=None if value is None else standing_in(value, band.medians),
        )


# --- queries --------------------------------------------------------------------------------


def public_years() -> set[int]:
    """The years with a public report of some organization (imported or published). One
    query."""
    return {year for _, year in reports.report_year_pairs()}


def judged_years(field_: Field | None = None) -> list[int]:
    """Report years with stored judgements (of one field) and a public report, newest first.
    Two queries."""
    rows = m.Judgement.objects.all() if field_ is None else m.Judgement.objects.filter(field=field_)
    found = set(rows.order_by().values_list("fiscal_year", flat=True).distinct())
    return sorted(found & public_years(), reverse=True)


def public_in(year: int) -> Q:
    """Judgements of organizations whose report of `year` is public (an applied import, or the
    year published from the ledger): a draft year's judgements never show."""
    applied = m.ImportBatch.objects.filter(
        status=m.ImportBatch.Status.APPLIED, fiscal_year=year
    ).values("organization_id")
    published = m.FiscalYear.objects.filter(year=year, published_at__isnull=False).values(
        "organization_id"
    )
    return Q(organization_id__in=applied) | Q(organization_id__in=published)


def compare_field(field_: Field, year: int, nearly: Decimal, years: list[int]) -> FieldComparison:
    """The field's comparison in `year` (`years`: from `judged_years(field_)`): its public
    judgements, and their organizations. Two queries."""
    chosen = m.Judgement.objects.filter(public_in(year), fiscal_year=year, field=field_).order_by()
    rows = list(chosen.values_list("organization_id", "status", "rate"))
    orgs = m.Organization.objects.filter(pk__in=chosen.values("organization_id")).order_by()
    found = orgs.values_list("pk", "code", "name", "kana", "prefecture", "population", "kind")
    bins = rate_bins(nearly)
    by_id = {pk: _org_row(*values) for pk, *values in found}
    total = Tally()
    for org_id, status, rate in rows:
        rate = None if rate is None else m.unpad(rate)
        by_id[org_id].tally.add(status, rate, bins)
        total.add(status, rate, bins)
    organizations = sorted(by_id.values(), key=lambda o: o.code)
    return FieldComparison(
        field=field_,
        year=year,
        years=years,
        nearly=nearly,
        bins=bins,
        tally=total,
        organizations=organizations,
        prefectures=_prefecture_groups(organizations),
        bands=_band_groups(organizations),
    )


def _org_row(
    code: str, name: str, kana: str, prefecture: str, population: int | None, kind: str
) -> OrgRow:
    government = is_prefecture_government(code, kind)
    band = PREFECTURE_BAND if government else population_band(population)
    return OrgRow(code, name, kana, prefecture, population, band, government)


def _group(key: str, label_ja: str, label_en: str, orgs: list[OrgRow]) -> Group:
    tally = Tally()
    for org in orgs:
        tally.extend(org.tally)
    return Group(key, label_ja, label_en, orgs, tally)


def _prefecture_groups(organizations: Iterable[OrgRow]) -> list[Group]:
    """Municipalities per prefecture, prefectures in code order (organizations come so)."""
    found: dict[str, list[OrgRow]] = defaultdict(list)
    for org in organizations:
        if not org.prefecture_government:
            found[org.prefecture].append(org)
    return [
        _group(name, name or "都道府県不明", name or "Prefecture unknown", orgs)
        for name, orgs in found.items()
    ]


def _band_groups(organizations: Iterable[OrgRow]) -> list[Group]:
    found: dict[str, list[OrgRow]] = defaultdict(list)
    for org in organizations:
        found[org.band.key].append(org)
    return [
        _group(b.key, b.label_ja, b.label_en, found[b.key]) for b in all_bands() if b.key in found
    ]


# --- the index of fields --------------------------------------------------------------------


@dataclass(frozen=True)
class FieldSummary:
    field: Field
    kpis: int
    due: int
    achieved: int
    organizations: int

    @property
    def achieved_share(self) -> Decimal | None:
        return share(self.achieved, self.due)


@dataclass(frozen=True)
class GoalSummary:
    goal: Goal
    fields: list[FieldSummary]

    @property
    def total(self) -> FieldSummary:
        """The goal's fields added up (`organizations` counts each field's separately, so it
        is left 0: an organization may work in several of the goal's fields)."""
        return FieldSummary(
            self.fields[0].field if self.fields else Field.OTHER,
            sum(f.kpis for f in self.fields),
            sum(f.due for f in self.fields),
            sum(f.achieved for f in self.fields),
            0,
        )


def field_summaries(year: int) -> list[FieldSummary]:
    """Every field (those without KPIs with zeros) counted in SQL for the year. One query
    (COUNT(status), never null, rather than COUNT(id): the index on the year, field,
    organization and status answers it without reading the rows)."""
    counted = (
        m.Judgement.objects.filter(public_in(year), fiscal_year=year)
        .order_by()
        .values("field")
        .annotate(
            kpis=Count("status"),
            not_due=Count("status", filter=Q(status=Status.NOT_DUE)),
            achieved=Count("status", filter=Q(status=Status.ACHIEVED)),
            organizations=Count("organization_id", distinct=True),
        )
    )
    by_field = {row["field"]: row for row in counted}
    summaries = []
    for f in Field:
        row = by_field.get(f.value, {})
        kpis = row.get("kpis", 0)
        summaries.append(
            FieldSummary(
                f,
                kpis,
                kpis - row.get("not_due", 0),
                row.get("achieved", 0),
                row.get("organizations", 0),
            )
        )
    return summaries


def goal_summaries(summaries: list[FieldSummary]) -> list[GoalSummary]:
    """The fields grouped under the strategy's four goals (a field's own goal)."""
    return [GoalSummary(g, [s for s in summaries if s.field.goal == g]) for g in Goal]


def organization_fields(organization: m.Organization, year: int) -> list[tuple[Field, int]]:
    """The fields an organization's KPIs of the year fall in, with their KPI counts, in the
    order of `Field`. One query."""
    counted = dict(
        m.Judgement.objects.filter(organization=organization, fiscal_year=year)
        .order_by()
        .values_list("field")
        .annotate(n=Count("id"))
    )
    return [(f, counted[f.value]) for f in Field if f.value in counted]
