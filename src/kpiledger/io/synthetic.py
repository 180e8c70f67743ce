"""A national synthetic dataset: every municipality and prefecture of Japan with a KPI report of
its grant projects, made up but shaped like the real ones (`kpiledger demo-data --national`).

- Organizations: the 1,741 municipalities (市町村 and Tokyo's 23 特別区; not the wards of the
  designated cities) and the 47 prefectures of the bundled table of local governments
  (`core.orgcode`), with their real codes (check digits valid), names and kana. Each gets a
  synthetic population, plausible for its kind (a village of hundreds to a designated city of
  millions; a prefecture the sum of its municipalities).
- Each organization's report for FY2024 (令和6年度): 5–15 projects (more in larger places), each
  of a different kind (`synthetic_themes`), with 2–5 KPIs (`synthetic_measures`): increase and
  decrease, annual, cumulative (累計) and level KPIs, some with a baseline (基準値), targets
  dated at the end of the project (R6.3 … R9.3: due or not yet due), actuals for the ten fiscal
  years FY2015–FY2024 with "-" before the project started, gaps, and 集計中 where the statistic
  is not out yet; tourism and events fall in FY2020–2021. How a KPI went is drawn so that about
  half are achieved, as national surveys find. The national form's columns (事業効果, 事業の評価,
  外部有識者からの意見, 今後の方針, 実績額) and the project's money (総事業費, 交付金額) follow.
- Deterministic: each organization's report depends only on the seed and its code
  (`random.Random` seeded with both), so a subset is the same as in the full run, and the same
  seed gives the same reports, whatever the order or the number of processes.

Pure generation of core objects; `synthetic_files` writes them.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from kpiledger.core.era import YearMonth
from kpiledger.core.evaluate import ReportResult, compare_published, evaluate_report
from kpiledger.core.model import (
    Actual,
    Aggregation,
    Assessment,
    Baseline,
    Direction,
    Kpi,
    Project,
    Report,
    Section,
)
from kpiledger.core.orgcode import GovernmentKind, LocalGovernment, local_governments
from kpiledger.io import synthetic_words as words
from kpiledger.io.synthetic_assessment import assess
from kpiledger.io.synthetic_measures import MEASURES, Measure
from kpiledger.io.synthetic_themes import THEMES, Theme

REPORT_YEAR = 2024  # 令和6年度
YEARS = tuple(range(REPORT_YEAR - 9, REPORT_YEAR + 1))  # FY2015 (H27) … FY2024 (R6)
MUNICIPALITIES = 1741
PREFECTURES = 47

#: (median, spread, lowest, highest) of the synthetic population by kind (log-normal).
POPULATION = {
    GovernmentKind.DESIGNATED_CITY: (1_100_000, 0.45, 690_000, 3_800_000),
    GovernmentKind.CITY: (55_000, 0.85, 3_000, 620_000),
    GovernmentKind.SPECIAL_WARD: (280_000, 0.6, 60_000, 950_000),
    GovernmentKind.TOWN: (11_000, 0.8, 900, 55_000),
    GovernmentKind.VILLAGE: (3_200, 0.85, 160, 40_000),
}
MARKER_BEFORE, MARKER_PENDING, MARKER_UNCOUNTED = "-", "集計中", "未集計"


@dataclass(frozen=True)
class Organization:
    """A local government of the dataset: its row of the table and its synthetic population."""

    code: str
    name: str
    prefecture: str
    kana: str
    kind: GovernmentKind
    population: int

    @property
    def short_name(self) -> str:
        """The name without its 市/町/村/区/都/府/県 (釧路市 → 釧路; 北海道 stays)."""
        if self.name != "北海道" and self.name[-1] in "市町村区都府県" and len(self.name) > 2:
            return self.name[:-1]
        return self.name


def organizations(seed: int = 1, municipalities: int | None = None) -> list[Organization]:
    """The organizations of the dataset in code order: every municipality and prefecture, or
    for `municipalities` = N < 1,741 a subset: N municipalities taken in turn from the first
    max(2, ⌈N/5⌉) prefectures (about five each), and those prefectures."""
    table = sorted(local_governments().values(), key=lambda g: g.code)
    towns = [g for g in table if g.is_municipality]
    people = {g.code: municipal_population(seed, g) for g in towns}
    prefectures = [g for g in table if g.kind is GovernmentKind.PREFECTURE]
    if municipalities is not None and municipalities < len(towns):
        prefectures = prefectures[: max(2, min(PREFECTURES, math.ceil(municipalities / 5)))]
        towns = _in_turn(towns, [p.prefecture for p in prefectures], municipalities)
    chosen = [(g, people[g.code]) for g in towns] + [
        (p, sum(people[g.code] for g in table if g.is_municipality and g.prefecture == p.name))
        for p in prefectures
    ]
    return sorted((_organization(g, n) for g, n in chosen), key=lambda o: o.code)


def _organization(row: LocalGovernment, population: int) -> Organization:
    return Organization(row.code, row.name, row.prefecture, row.kana, row.kind, population)


def _in_turn(towns: list[LocalGovernment], prefectures: list[str], n: int) -> list[LocalGovernment]:
    """`n` municipalities of `prefectures`, one of each in turn; each prefecture's with one of
    each kind in turn (city, town, village …, each kind's in code order), so that a small
    subset has villages and towns as well as cities."""
    queues = [_kinds_in_turn([g for g in towns if g.prefecture == p]) for p in prefectures]
    chosen: list[LocalGovernment] = []
    while len(chosen) < n and any(queues):
        for queue in queues:
            if queue and len(chosen) < n:
                chosen.append(queue.pop(0))
    return chosen


def _kinds_in_turn(towns: list[LocalGovernment]) -> list[LocalGovernment]:
    groups = [[g for g in towns if g.kind is kind] for kind in POPULATION]
    out: list[LocalGovernment] = []
    while any(groups):
        out += [group.pop(0) for group in groups if group]
    return out


def municipal_population(seed: int, row: LocalGovernment) -> int:
    """A municipality's synthetic population: log-normal around its kind's median, bounded."""
    median, spread, low, high = POPULATION[row.kind]
    rng = random.Random(f"kpiledger-population:{seed}:{row.code}")
    value = median * math.exp(rng.gauss(0.0, spread))
    return int(round(min(high, max(low, value)), -1))


def generate(
    seed: int = 1, municipalities: int | None = None
) -> Iterator[tuple[Organization, ReportResult]]:
    """Each organization of the dataset with its judged report, in code order."""
    for organization in organizations(seed, municipalities):
        yield organization, judged_report(organization, seed)


def report_of(organization: Organization, seed: int) -> Report:
    """The organization's FY2024 report (depends only on the seed and the code)."""
    return judged_report(organization, seed).report


def judged_report(organization: Organization, seed: int) -> ReportResult:
    """The organization's FY2024 report, judged: the national form's columns are chosen from
    the judgement (`synthetic_assessment`), and the judgement is what the writers take."""
    rng = random.Random(f"kpiledger-demo:{seed}:{organization.code}")
    themes = rng.sample(THEMES, _project_count(rng, organization))
    projects = [_project(rng, organization, theme) for theme in themes]
    order: dict[str | None, int] = {None: -1}
    order.update((grant, n) for n, grant in enumerate(words.RELATED_GRANTS))
    projects.sort(key=lambda p: order[p.grant if p.section is Section.RELATED else None])
    title = rng.choice(words.TITLES).format(org=organization.name)
    report = Report(title, REPORT_YEAR, projects, list(YEARS), _notes(projects))
    result = evaluate_report(report)
    assess(rng, result)
    for project in result.projects:  # the published 事業効果 beside the suggestion
        compare_published(project, report, REPORT_YEAR)
    return result


def _project_count(rng: random.Random, organization: Organization) -> int:
    """5–15 projects, more where more people live."""
    low, high = {
        GovernmentKind.VILLAGE: (5, 7),
        GovernmentKind.TOWN: (5, 9),
        GovernmentKind.CITY: (6, 11),
        GovernmentKind.SPECIAL_WARD: (8, 13),
        GovernmentKind.DESIGNATED_CITY: (10, 15),
        GovernmentKind.PREFECTURE: (10, 15),
    }[organization.kind]
    if organization.kind is GovernmentKind.CITY and organization.population > 200_000:
        low, high = 9, 14
    return rng.randint(low, high)


@dataclass(frozen=True)
class Period:
    """The project's fiscal years: from `start` to `end` (the target is dated R(end+1).3)."""

    start: int
    end: int

    @property
    def years(self) -> int:
        return self.end - self.start + 1


def _period(rng: random.Random, theme: Theme) -> Period:
    if theme.kind == "digital":
        start = rng.choice((2022, 2023))
        return Period(start, start + rng.choice((1, 2)))
    if theme.kind == "telework":
        return Period(2021, 2023)
    end = rng.choices((2023, 2024, 2025, 2026), weights=(4, 6, 2, 1))[0]
    if rng.random() < 0.3:  # a long-running project, renewed period after period
        return Period(rng.randint(2015, 2019), end)
    return Period(end - rng.randint(2, 4), end)


def _grant(theme: Theme, period: Period) -> tuple[Section, str]:
    if theme.kind == "facility":
        grant = words.FACILITY_GRANT if period.start < 2022 else words.FACILITY_TYPE_GRANT
        return Section.RELATED, grant
    if theme.kind == "digital":
        return Section.RELATED, words.DIGITAL_GRANT
    if theme.kind == "telework":
        return Section.RELATED, words.TELEWORK_GRANT
    return Section.TARGET, words.TARGET_GRANT


def _project(rng: random.Random, organization: Organization, theme: Theme) -> Project:
    period = _period(rng, theme)
    section, grant = _grant(theme, period)
    names = {"org": organization.name, "short": organization.short_name}
    name = rng.choice(theme.names).format(**names)
    if theme.subtitles and rng.random() < 0.3:
        name += rng.choice(theme.subtitles)
    summary = rng.choice(theme.did) + rng.choice(theme.aims)
    measures = _measures(rng, theme, organization.population)
    kpis = [_kpi(rng, m, organization, period) for m in measures]
    money = _money(rng, theme, organization.population, period)
    return Project(name, section, grant, summary.format(**names), kpis, assessment=money)


def _money(rng: random.Random, theme: Theme, population: int, period: Period) -> Assessment:
    """総事業費 and 交付金額 (円; the grant pays half) over the period, and 実績額 (千円) of the
    report year while the project runs (a building: in the year it is built)."""
    yearly = rng.uniform(2e6, 12e6) * (population / 10_000) ** 0.35
    if theme.kind == "facility":
        total = yearly * rng.uniform(4, 10)
        spent = total if period.start == REPORT_YEAR else None
    else:
        total = yearly * period.years
        running = period.start <= REPORT_YEAR <= period.end
        spent = yearly * rng.uniform(0.85, 1.0) if running else None
    return Assessment(
        spent=Decimal(round(spent / 1000)) if spent is not None else None,
        spent_unit="千円" if spent is not None else "円",  # a unit only beside an amount
        total_cost=Decimal(round(total, -3)),
        grant_amount=Decimal(round(total / 2, -3)),
    )


def _measures(rng: random.Random, theme: Theme, population: int) -> list[Measure]:
    """2–5 of the theme's measures that suit a place of this size."""
    found = [_measure(theme, key) for key in theme.kpis]
    fitting = [m for m in found if population >= m.min_population]
    count = min(len(fitting), rng.choices((2, 3, 4, 5), weights=(2, 4, 3, 1))[0])
    return rng.sample(fitting, count)


def _measure(theme: Theme, key: str) -> Measure:
    field, _, name = key.rpartition(":")
    fields = {f.value: f for f in MEASURES}
    return MEASURES[fields[field] if field else theme.field][name]


def _kpi(rng: random.Random, measure: Measure, org: Organization, period: Period) -> Kpi:
    start = rng.uniform(measure.low, measure.high) * (org.population / 10_000) ** measure.power
    names = {"org": org.name, "short": org.short_name}
    kpi = Kpi(
        measure.indicator.format(**names),
        measure.unit,
        Decimal(0),
        YearMonth(period.end + 1, 3),
    )
    if measure.aggregation is Aggregation.CUMULATIVE:
        _running_total(rng, measure, kpi, start, period)
    else:
        _yearly(rng, measure, kpi, start, period)
    _markers(rng, measure, kpi)
    return kpi


#: How a KPI went: (weight, lowest, highest share of the planned change reached).
OUTCOMES = ((40, 1.05, 1.6), (12, 0.95, 1.05), (25, 0.6, 0.95), (15, 0.0, 0.6), (8, -0.6, 0.0))


def _outcome(rng: random.Random) -> float:
    _, low, high = rng.choices(OUTCOMES, weights=[w for w, _, _ in OUTCOMES])[0]
    return rng.uniform(low, high)


def _yearly(rng: random.Random, m: Measure, kpi: Kpi, base: float, period: Period) -> None:
    """An annual or level KPI: the target a planned change from `base` over the period, the
    actuals moving that way by the drawn outcome, with noise."""
    target = _target(rng, m, base, period)
    kpi.target = _rounded(target, m, nice=rng.random() < 0.7)
    if kpi.target == _rounded(base, m) or (m.zero_target and base < 1):
        base = float(kpi.target) + (1 if m.direction is Direction.DECREASE else -1) * max(
            1.0, abs(float(kpi.target)) * 0.2
        )
    reached, first = _outcome(rng), period.start
    if rng.random() < 0.35:  # a statistic published before the project began
        first = rng.randint(YEARS[0], period.start)
    if rng.random() < 0.4:
        kpi.baseline = Baseline(_rounded(base, m), period.start - 1)
    change = float(kpi.target) - base
    for year in YEARS:
        if year < first:
            continue
        done = (year - period.start + 1) / period.years
        done = min(done, 1.0 + 0.1 * (year - period.end)) if done > 0 else done * 0.2
        value = base + change * reached * done
        value *= 1 + rng.uniform(-0.04, 0.04) + _covid(rng, m, year)
        kpi.actuals[year] = Actual(_rounded(_bounded(value, m), m))
    if m.covid and 2020 in kpi.actuals and rng.random() < 0.5:
        kpi.note = rng.choice(words.COVID_NOTES)


def _target(rng: random.Random, m: Measure, base: float, period: Period) -> float:
    if m.zero_target:
        return 0.0
    rate = (
        rng.uniform(0.02, 0.06) if m.aggregation is Aggregation.LEVEL else rng.uniform(0.03, 0.12)
    )
    sign = -1 if m.direction is Direction.DECREASE else 1
    if m.unit == "%" or m.unit == "ポイント":  # a level in points: a few points a year
        return _bounded(base + sign * rng.uniform(0.8, 3.0) * period.years, m)
    return base + sign * abs(base) * rate * period.years


def _covid(rng: random.Random, m: Measure, year: int) -> float:
    if not m.covid or year not in (2020, 2021):
        return 0.0
    low, high = (-0.65, -0.4) if year == 2020 else (-0.45, -0.15)
    if m.aggregation is Aggregation.LEVEL:
        low, high = low / 3, high / 3
    return rng.uniform(low, high)


def _running_total(rng: random.Random, m: Measure, kpi: Kpi, step: float, period: Period) -> None:
    """A cumulative KPI (累計): the target the planned yearly step over the period; each year
    adds a drawn share of it (never less than nothing)."""
    kpi.target = Decimal(max(period.years, round(step * period.years * rng.uniform(1.0, 1.2))))
    reached = max(0.15, _outcome(rng))
    total = 0
    for year in range(period.start, REPORT_YEAR + 1):
        added = step * reached * rng.uniform(0.5, 1.5)
        total += int(added + rng.random())  # rounded at random: the mean stays right
        kpi.actuals[year] = Actual(Decimal(total))


def _markers(rng: random.Random, m: Measure, kpi: Kpi) -> None:
    """ "-" before the first value; a gap now and then; 集計中 in the report year when the
    statistic comes late."""
    first = min(kpi.actuals, default=REPORT_YEAR + 1)
    for year in YEARS:
        if year < first:
            kpi.actuals[year] = Actual(None, MARKER_BEFORE)
        elif first < year < REPORT_YEAR and rng.random() < 0.05:
            marker = MARKER_UNCOUNTED if rng.random() < 0.25 else MARKER_BEFORE
            kpi.actuals[year] = Actual(None, marker)
    if first <= REPORT_YEAR and rng.random() < (0.35 if m.lag else 0.05):
        kpi.actuals[REPORT_YEAR] = Actual(None, MARKER_PENDING)
        if kpi.note is None and rng.random() < 0.5:
            kpi.note = rng.choice(words.PENDING_NOTES)
    kpi.actuals = dict(sorted(kpi.actuals.items()))


def _bounded(value: float, m: Measure) -> float:
    if m.ceiling is not None:
        value = min(value, m.ceiling)
    return value if m.low < 0 else max(0.0, value)


def _rounded(value: float, m: Measure, *, nice: bool = False) -> Decimal:
    """The value with the measure's decimal places; a `nice` target to two or three
    significant digits (14,000 rather than 14,323)."""
    if nice and abs(value) >= 1000 and m.places == 0:
        digits = len(str(int(abs(value))))
        value = round(value, 2 - digits if digits < 5 else 3 - digits)
    text = f"{value:.{m.places}f}"
    return Decimal(
        text.replace("-0.0", "0.0") if text.startswith("-0") and float(text) == 0 else text
    )


def _notes(projects: list[Project]) -> list[str]:
    markers = {a.marker for p in projects for k in p.kpis for a in k.actuals.values()}
    notes = [words.NOTE_DASH]
    if MARKER_PENDING in markers:
        notes.append(words.NOTE_PENDING)
    return [*notes, words.NOTE_SPENT]
