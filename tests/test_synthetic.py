"""The national synthetic dataset (issue 11, item 4): every municipality and prefecture with real
codes and names, 5–15 projects of 2–5 KPIs, realistic texts, a mix of directions and
aggregations, ten years with gaps; deterministic; every file reads back to the report it was
written from."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from kpiledger.core.evaluate import ReportResult, evaluate_report
from kpiledger.core.inference import infer_aggregation, infer_direction
from kpiledger.core.model import Aggregation, Direction, Report, Section
from kpiledger.core.orgcode import GovernmentKind, local_governments, normalize_code
from kpiledger.io import synthetic
from kpiledger.io.readers import read_report_bytes
from kpiledger.io.synthetic_files import (
    FIXED_DATE,
    Options,
    read_organization_table,
    render,
    write_dataset,
)
from kpiledger.io.synthetic_measures import MEASURES
from kpiledger.io.synthetic_themes import THEMES
from kpiledger.io.writers import json as json_writer
from kpiledger.io.writers.datapackage import ZIP_TIME
from kpiledger.io.writers.formats import FORMATS

# --- organizations -------------------------------------------------------------------------------


def test_every_municipality_and_prefecture_once_with_a_valid_code():
    orgs = synthetic.organizations()
    kinds = Counter(o.kind for o in orgs)
    assert len(orgs) == 1741 + 47
    assert kinds[GovernmentKind.PREFECTURE] == 47 and GovernmentKind.WARD not in kinds
    assert sum(n for k, n in kinds.items() if k is not GovernmentKind.PREFECTURE) == 1741
    assert kinds[GovernmentKind.SPECIAL_WARD] == 23 and kinds[GovernmentKind.VILLAGE] == 183
    codes = [o.code for o in orgs]
    assert codes == sorted(set(codes)) and all(normalize_code(c) == c for c in codes)
    table = local_governments()
    assert all((o.name, o.kana, o.kind) == (table[o.code].name, table[o.code].kana,
                                            table[o.code].kind) for o in orgs)  # fmt: skip


def test_populations_are_plausible_for_each_kind_and_a_prefecture_is_its_municipalities():
    orgs = synthetic.organizations()
    by_kind: dict[GovernmentKind, list[int]] = {}
    for o in orgs:
        by_kind.setdefault(o.kind, []).append(o.population)
    villages = by_kind[GovernmentKind.VILLAGE]
    assert min(villages) >= 150 and max(villages) <= 40_000
    assert max(by_kind[GovernmentKind.TOWN]) <= 55_000
    assert min(by_kind[GovernmentKind.DESIGNATED_CITY]) >= 690_000
    median = sorted(by_kind[GovernmentKind.CITY])[len(by_kind[GovernmentKind.CITY]) // 2]
    assert 30_000 < median < 100_000
    hokkaido = next(o for o in orgs if o.code == "010006")
    assert hokkaido.population == sum(
        o.population for o in orgs if o.prefecture == "北海道" and o.kind.value != "prefecture"
    )
    total = sum(o.population for o in orgs if o.kind is not GovernmentKind.PREFECTURE)
    assert 60_000_000 < total < 200_000_000


def test_a_subset_takes_about_five_municipalities_from_each_of_several_prefectures():
    orgs = synthetic.organizations(municipalities=30)
    prefectures = [o for o in orgs if o.kind is GovernmentKind.PREFECTURE]
    assert [p.name for p in prefectures] == [
        "北海道",
        "青森県",
        "岩手県",
        "宮城県",
        "秋田県",
        "山形県",
    ]
    towns = Counter(o.prefecture for o in orgs if o.kind is not GovernmentKind.PREFECTURE)
    assert sum(towns.values()) == 30 and set(towns.values()) == {5}
    # the same populations as in the full run (a prefecture's is still its whole sum)
    full = {o.code: o.population for o in synthetic.organizations()}
    assert all(full[o.code] == o.population for o in orgs)
    assert len(synthetic.organizations(municipalities=3)) == 3 + 2


# --- the nation's reports ---------------------------------------------------------------------


@dataclass
class Nation:
    """What the full run of the generator made (collected in one pass, without writing)."""

    organizations: int = 0
    projects: list[int] = field(default_factory=list)  # per organization
    kpis: list[int] = field(default_factory=list)  # per project
    directions: Counter[Direction] = field(default_factory=Counter)
    aggregations: Counter[Aggregation] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    markers: Counter[str | None] = field(default_factory=Counter)
    grants: Counter[tuple[Section, str]] = field(default_factory=Counter)
    effects: Counter[str | None] = field(default_factory=Counter)
    texts: list[str] = field(default_factory=list)
    baselines: int = 0
    negatives: int = 0
    years: set[tuple[int, ...]] = field(default_factory=set)
    duplicates: list[str] = field(default_factory=list)


@cache
def nation() -> Nation:
    seen = Nation()
    for _org, result in synthetic.generate(seed=1):
        seen.organizations += 1
        seen.projects.append(len(result.projects))
        names = [p.project.name for p in result.projects]
        seen.duplicates += [n for n, c in Counter(names).items() if c > 1]
        for project in result.projects:
            _project_seen(seen, project)
        seen.years.add(tuple(result.report.year_columns))
    return seen


def _project_seen(seen: Nation, project: Any) -> None:
    p = project.project
    seen.kpis.append(len(project.kpis))
    seen.grants[p.section, p.grant] += 1
    seen.effects[p.assessment.effect if p.assessment else None] += 1
    seen.texts += [p.name, p.summary or "", p.assessment.opinion or "", p.assessment.policy or ""]
    indicators = [k.kpi.indicator for k in project.kpis]
    seen.duplicates += [i for i, c in Counter(indicators).items() if c > 1]
    for k in project.kpis:
        seen.directions[k.direction.value] += 1
        seen.aggregations[k.aggregation.value] += 1
        seen.statuses[k.status.value] += 1
        seen.texts += [k.kpi.indicator, k.kpi.unit]
        seen.baselines += k.kpi.baseline is not None
        seen.negatives += any(a.value is not None and a.value < 0 for a in k.kpi.actuals.values())
        seen.markers.update(a.marker for a in k.kpi.actuals.values())


def test_the_nation_has_5_to_15_projects_each_of_2_to_5_kpis():
    seen = nation()
    assert seen.organizations == 1788
    assert min(seen.projects) == 5 and max(seen.projects) == 15
    assert min(seen.kpis) == 2 and max(seen.kpis) == 5
    assert 40_000 <= sum(seen.kpis) <= 55_000  # ~50,000 KPIs (PRODUCT.md, Scale)
    assert seen.duplicates == []  # names unique in an organization, indicators in a project
    assert seen.years == {tuple(range(2015, 2025))}  # ten fiscal years, H27–R6


def test_directions_aggregations_and_statuses_are_mixed():
    seen = nation()
    total = sum(seen.kpis)
    assert seen.directions[Direction.DECREASE] > total * 0.05
    assert seen.aggregations[Aggregation.CUMULATIVE] > total * 0.1
    assert seen.aggregations[Aggregation.LEVEL] > total * 0.1
    assert seen.aggregations[Aggregation.ANNUAL] > total * 0.4
    assert seen.baselines > total * 0.2 and seen.negatives > 100  # 社会増減数 ▲…
    shares = {s: n / total for s, n in seen.statuses.items()}
    assert 0.25 < shares["achieved"] < 0.5 and shares["nearly_achieved"] > 0.1
    assert shares["not_achieved"] > 0.1 and shares["not_due"] > 0.1 and shares["no_data"] > 0.01


def test_years_have_gaps_and_markers():
    markers = nation().markers
    assert markers[None] > 200_000  # values
    assert markers["-"] > 100_000 and markers["集計中"] > 1000 and markers["未集計"] > 100


def test_grants_and_sections_as_reports_name_them():
    grants = nation().grants
    assert grants[Section.TARGET, "デジタル田園都市国家構想交付金（地方創生推進タイプ）"] > 8000
    for grant in (
        "地方創生拠点整備交付金",
        "デジタル田園都市国家構想交付金（地方創生拠点整備タイプ）",
        "地方創生テレワーク交付金",
        "デジタル田園都市国家構想交付金（デジタル実装タイプ）",
    ):
        assert grants[Section.RELATED, grant] > 100
    effects = nation().effects
    assert {e for e in effects if e} == {
        "地方創生に非常に効果的であった",
        "地方創生に相当程度効果があった",
        "地方創生に効果があった",
        "地方創生に効果がなかった",
    }


PLACEHOLDERS = re.compile(r"[{}<>]|XX|○○|〇〇|テスト|ダミー|サンプル|dummy|test|lorem|TODO", re.I)


def test_texts_are_realistic_and_varied():
    texts = nation().texts
    assert [t for t in texts if PLACEHOLDERS.search(t)] == []
    kinds = Counter(texts)
    assert len(kinds) > 3000  # project names carry the organization's name
    assert "待機児童数" in texts and any("（累計）" in t for t in texts)


@pytest.mark.parametrize("key", [f"{f.value}:{k}" for f, ms in MEASURES.items() for k in ms])
def test_kpiledger_infers_each_measures_direction_and_aggregation(key):
    field, name = key.split(":")
    measure = next(ms[name] for f, ms in MEASURES.items() if f.value == field)
    indicator = measure.indicator.format(org="釧路市", short="釧路")
    assert infer_direction(indicator, measure.unit).value is measure.direction
    assert infer_aggregation(indicator, measure.unit).value is measure.aggregation


def test_every_theme_has_enough_kpis_for_any_place_and_unique_names():
    small = [t for t in THEMES if sum(1 for k in t.kpis if _min_population(t, k) <= 150) < 2]
    assert small == []
    names = [n for t in THEMES for n in t.names]
    assert len(names) == len(set(names))
    assert {t.field for t in THEMES} == set(MEASURES)


def _min_population(theme: Any, key: str) -> int:
    field, _, name = key.rpartition(":")
    fields = {f.value: f for f in MEASURES}
    return MEASURES[fields[field] if field else theme.field][name].min_population


# --- determinism -------------------------------------------------------------------------------


def as_json(result: ReportResult) -> str:
    return json_writer.dumps(result)


def test_an_organization_report_depends_only_on_the_seed_and_its_code():
    orgs = {o.code: o for o in synthetic.organizations(municipalities=30)}
    alone = synthetic.organizations(municipalities=3)
    for org in alone:
        assert as_json(synthetic.judged_report(org, 7)) == as_json(
            synthetic.judged_report(orgs[org.code], 7)
        )
    other = synthetic.judged_report(alone[1], 8)
    assert as_json(other) != as_json(synthetic.judged_report(alone[1], 7))


def test_the_same_seed_writes_the_same_bytes(tmp_path):
    options = Options(seed=3, municipalities=6, sample_size=2, pdf_sample_size=0)
    write_dataset(tmp_path / "a", options)
    write_dataset(tmp_path / "b", options)
    first = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*.*")}
    second = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*.*")}
    assert first == second and len(first) == 8 + 2 * 4 + 3
    workbook = next(data for path, data in first.items() if path.suffix == ".xlsx")
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        assert {i.date_time for i in archive.infolist()} == {ZIP_TIME}
        assert archive.read("docProps/core.xml").count(FIXED_DATE.encode()) == 2
    write_dataset(tmp_path / "c", Options(seed=4, municipalities=6, sample_formats=()))
    assert (tmp_path / "c" / "reports" / "010006_2024.csv").read_bytes() != first[
        Path("reports/010006_2024.csv")
    ]


def test_the_folder_has_reports_a_manifest_and_the_populations(tmp_path):
    dataset = write_dataset(tmp_path, Options(municipalities=4, sample_formats=("json",)))
    rows = list(csv.reader((tmp_path / "manifest.csv").open(encoding="utf-8")))
    assert rows[0] == ["file", "code", "name"] and len(rows) == 1 + 4 + 2
    assert rows[1] == ["reports/010006_2024.csv", "010006", "北海道"]
    assert all((tmp_path / r[0]).is_file() for r in rows[1:])
    populations = read_organization_table(tmp_path / "organizations.csv")
    assert populations == {o.code: o.population for o in dataset.organizations}
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "架空" in readme and "made-up" in readme and "--seed 1" in readme
    assert len(dataset.samples["json"]) == 6 and dataset.kpis > 6 * 10


# --- every format reads back -------------------------------------------------------------------


@cache
def sample_reports() -> list[tuple[synthetic.Organization, ReportResult]]:
    """A village, a town, a city and a prefecture: the smallest report of each."""
    chosen = []
    items = list(synthetic.generate(seed=1, municipalities=40))
    for kind in ("village", "town", "city", "prefecture"):
        of_kind = [i for i in items if i[0].kind.value == kind]
        chosen.append(min(of_kind, key=lambda i: len(i[1].report.kpis)))
    return chosen


def judged(report: Report) -> dict[str, Any]:
    return json.loads(json_writer.dumps(evaluate_report(report)), parse_float=Decimal)  # type: ignore[no-any-return]


def read_back(result: ReportResult, org: synthetic.Organization, fmt: str) -> Report:
    report = read_report_bytes(render(result, org, fmt), f"{org.code}{FORMATS[fmt].suffix}")
    assert report.warnings == []
    return report


def markers(report: Report) -> list[Any]:
    return [[(y, a.value, a.marker) for y, a in k.actuals.items()] for k in report.kpis]


def assessments(report: Report) -> list[Any]:
    """What the report published beside each project's KPIs; the unit of 実績額 only where
    there is an amount (the table's heading gives one unit to every row)."""
    return [
        replace(a, spent_unit=a.spent_unit if a.spent is not None else "")
        for a in (p.assessment for p in report.projects)
        if a is not None
    ]


def money(report: Report) -> list[Any]:
    return [
        (a.total_cost, a.grant_amount, a.spent)
        for a in (p.assessment for p in report.projects)
        if a is not None
    ]


@pytest.mark.parametrize("fmt", ["xlsx", "datapackage"])
def test_a_whole_format_reads_back_to_the_same_report(fmt):
    """Everything: title, projects, summaries, the national form's columns, money, notes,
    every value with its "no value" marker, and so the same judgement."""
    for org, result in sample_reports():
        back = read_back(result, org, fmt)
        assert judged(back) == judged(result.report)
        assert markers(back) == markers(result.report)
        assert [k.note for k in back.kpis] == [k.note for k in result.report.kpis]
        assert assessments(back) == assessments(result.report)


def test_the_pdf_reads_back_to_the_same_judgement():
    org, result = sample_reports()[0]  # PDFs take seconds: one
    back = read_back(result, org, "pdf")
    want, got = judged(result.report), judged(back)
    assert got["projects"] == want["projects"] and got["title"] == want["title"]
    assert markers(back) == markers(result.report) and money(back) == money(result.report)


def test_the_json_reads_back_to_the_same_judgement():
    """The JSON keeps no "no value" marker (a null is read as a blank cell)."""
    for org, result in sample_reports():
        back = read_back(result, org, "json")
        assert judged(back) == judged(result.report)
        assert [[a.value for a in k.actuals.values()] for k in back.kpis] == [
            [a.value for a in k.actuals.values()] for k in result.report.kpis
        ]


@pytest.mark.parametrize("fmt", ["csv-wide", "csv"])
def test_the_csv_gives_every_kpi_the_same_judgement(fmt):
    """Alone, a CSV has no title, summary or the national form's texts: every KPI and the
    projects' money are the same; the long CSV keeps the markers too."""
    for org, result in sample_reports():
        back = read_back(result, org, fmt)
        want, got = judged(result.report), judged(back)
        assert [p["kpis"] for p in got["projects"]] == [p["kpis"] for p in want["projects"]]
        assert [(p["name"], p["grant"], p["section"]) for p in got["projects"]] == [
            (p["name"], p["grant"], p["section"]) for p in want["projects"]
        ]
        assert money(back) == money(result.report)
        if fmt == "csv":
            assert markers(back) == markers(result.report)
