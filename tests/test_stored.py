"""Stored judgements (core/stored.py): a result turned into its record, through JSON, and back is
the same result — on real reports (the reference, every layout of tests/data) judged in each of
their years, and on random edits of them."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpiledger.cli.main import reference_report_path
from kpiledger.core.era import YearMonth
from kpiledger.core.evaluate import ReportResult, evaluate_report, judgeable_years
from kpiledger.core.model import Actual, Aggregation, Baseline, Direction, Report
from kpiledger.core.stored import (
    kpi_record,
    kpi_result,
    project_record,
    project_result,
    report_result,
)
from kpiledger.io.readers import read_report

LAYOUTS = Path(__file__).resolve().parent / "data" / "layouts"
SATISFACTION = "アンケートによる施設予約システム利用者満足度"  # 73.5 % in R5
FILES = [reference_report_path(), *sorted(LAYOUTS.glob("*.txt"))]


@cache
def parsed(path: Path) -> Report:
    return read_report(path)


def through_json(record: dict) -> dict:  # type: ignore[type-arg]
    """What the ledger's JSON column gives back."""
    return json.loads(json.dumps(record, ensure_ascii=False))


def rebuilt(result: ReportResult) -> ReportResult:
    projects = [through_json(project_record(p)) for p in result.projects]
    kpis = [through_json(kpi_record(k)) for k in result.kpis]
    return report_result(result.report, result.fiscal_year, result.nearly_threshold, projects, kpis)


def assert_round_trip(result: ReportResult) -> None:
    again = rebuilt(result)
    assert again == result
    assert repr(again) == repr(result)  # the Decimals' digits too (73.50 stays 73.50)
    for project in result.projects:
        kpis = [kpi_result(through_json(kpi_record(k)), k.kpi) for k in project.kpis]
        for k, back in zip(project.kpis, kpis, strict=True):
            assert back.kpi is k.kpi  # the same KPI: nothing copied when nothing differs
        record = through_json(project_record(project))
        assert project_result(record, project.project, kpis) == project


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_real_report_round_trips_in_every_year(path):
    report = parsed(path)
    for year in judgeable_years(report):
        result = evaluate_report(report, year)
        assert result.kpis, path.name
        assert_round_trip(result)


def test_the_record_is_plain_json_with_exact_digits():
    result = evaluate_report(parsed(reference_report_path()))
    records = [kpi_record(k) for k in result.kpis]
    assert json.loads(json.dumps(records)) == records
    index = next(i for i, k in enumerate(result.kpis) if k.kpi.indicator == SATISFACTION)
    satisfaction = records[index]
    assert satisfaction["actual"] == "73.5"
    assert satisfaction["judged_year"] == 2023
    assert satisfaction["direction"]["value"] == "increase"
    assert satisfaction["aggregation"]["value"] == "level"
    assert Decimal(satisfaction["rate"]) == result.kpis[index].achievement_rate
    assert satisfaction["status"] == result.kpis[index].status.value


def test_the_kpis_remarks_come_back_from_the_record():
    result = evaluate_report(parsed(LAYOUTS / "24_published_grades.txt"))
    judged = next(k for k in result.kpis if k.kpi.reader_flags)
    bare = replace(judged.kpi, reader_flags=[])
    back = kpi_result(through_json(kpi_record(judged)), bare)
    assert back == judged
    assert back.kpi.reader_flags == judged.kpi.reader_flags and bare.reader_flags == []


def test_records_that_do_not_match_the_report_are_refused():
    result = evaluate_report(parsed(reference_report_path()))
    projects = [project_record(p) for p in result.projects]
    kpis = [kpi_record(k) for k in result.kpis]
    with pytest.raises(ValueError):
        report_result(
            result.report, result.fiscal_year, result.nearly_threshold, projects, kpis[1:]
        )


# --- random edits ---------------------------------------------------------------------------

values = st.one_of(
    st.decimals(min_value=-1000, max_value=10**7, places=0),
    st.decimals(min_value=-100, max_value=1000, places=2),
    st.sampled_from([Decimal(0), Decimal("0.0"), Decimal("73.50"), Decimal("1E+3")]),
)
years = st.integers(min_value=2014, max_value=2027)


@st.composite
def edited_results(draw: st.DrawFn) -> ReportResult:
    report = copy.deepcopy(parsed(draw(st.sampled_from(FILES))))
    kpis = report.kpis
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        kpi = draw(st.sampled_from(kpis))
        edit = draw(st.sampled_from(["actual", "missing", "target", "terms", "baseline", "date"]))
        if edit == "actual":
            kpi.actuals[draw(years)] = Actual(draw(values))
        elif edit == "missing":
            kpi.actuals[draw(years)] = Actual(None, draw(st.sampled_from(["-", "未集計", ""])))
        elif edit == "target":
            kpi.target = draw(values)
        elif edit == "terms":
            kpi.direction_override = draw(st.none() | st.sampled_from(list(Direction)))
            kpi.aggregation_override = draw(st.none() | st.sampled_from(list(Aggregation)))
            kpi.actuals_are_increments = draw(st.booleans())
        elif edit == "baseline":
            kpi.baseline = draw(st.none() | st.builds(Baseline, values, st.none() | years))
        else:
            month = st.integers(min_value=1, max_value=12)
            kpi.target_date = draw(st.none() | st.builds(YearMonth, years, month))
    span = judgeable_years(report)
    year = draw(st.integers(min_value=span.start, max_value=span.stop + 1))
    nearly = draw(st.decimals(min_value=50, max_value=100, places=1))
    return evaluate_report(report, year, nearly)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edited_results())
def test_edited_reports_round_trip(result):
    assert_round_trip(result)
