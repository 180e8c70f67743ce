"""The round trip of issue 9: the reference report → ledger → each writer → the matching reader
→ a second ledger, identical to the first (values, markers, directions, aggregations, notes,
published rates, assessments), for every export format.

The second ledger is another organization (札幌市 011002) importing the file kpiledger wrote
for 釧路市; both are then loaded from the ledger as the pages load them and compared as core
reports (source line numbers aside: they are where each file put the row) and as judged JSON.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from django.conf import settings

from kpiledger.io.readers import read_report_bytes
from kpiledger.io.writers import json as json_writer
from kpiledger.io.writers.formats import FORMATS
from kpiledger.io.writers.opendata import Publisher
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services import importing, reports
from kpiledger.web.ledger.tests import factories as f

pytestmark = pytest.mark.django_db

CODE, YEAR = "012068", 2023
SECOND = ("011002", "札幌市")
#: What a format cannot carry, by design (docs/exports.md): the CSVs have rows of KPIs, so
#: nothing of the report around them (title, notes, project summaries: the data package has
#: them); the wide CSV and the JSON schema write a year without a value as an empty cell or
#: null, not the marker the report printed (`-`). Everything else comes back identical.
NOT_CARRIED = {
    "csv": {"title", "notes", "summary"},
    "csv-wide": {"title", "notes", "summary", "marker"},
    "json": {"marker"},
}


def ledger_report(code: str) -> Any:
    org = m.Organization.objects.get(code=code)
    return reports.load_report(org, YEAR, settings.KPILEDGER_NEARLY).result


def plain(value: Any, leave_out: frozenset[str] = frozenset()) -> Any:
    """A core dataclass tree as plain data, without source line numbers and the fields named
    in `leave_out`."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {
            field.name: plain(getattr(value, field.name), leave_out)
            for field in dataclasses.fields(value)
            if field.name != "line" and field.name not in leave_out
        }
        return (type(value).__name__, fields)
    if isinstance(value, dict):
        return {key: plain(item, leave_out) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item, leave_out) for item in value]
    return value


def dropped(record: dict[str, Any], keys: frozenset[str]) -> dict[str, Any]:
    out = {k: v for k, v in record.items() if k not in keys}
    if "projects" in out:
        out["projects"] = [dropped(p, keys) for p in out["projects"]]
    return out


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_format_reads_back_into_an_identical_ledger(fmt):
    f.import_reference()
    first = ledger_report(CODE)
    output = FORMATS[fmt]
    content = output.render(first, Publisher(CODE, "釧路市"))
    report = read_report_bytes(content, f"written{output.suffix}")
    plan = importing.plan_import(importing.organization_for(*SECOND), report, content)
    importing.apply_import(plan, file_name=f"written{output.suffix}", content=content)
    second = ledger_report(SECOND[0])

    keys = frozenset(NOT_CARRIED.get(fmt, ()))
    as_json = [dropped(json.loads(json_writer.dumps(r)), keys) for r in (first, second)]
    assert as_json[0] == as_json[1]
    assert plain(second.report, keys) == plain(first.report, keys)
    assert (second.report.title == first.report.title) == ("title" not in keys)
    kpis = [k.kpi for k in second.kpis]
    assert [k.actuals[2023].value for k in kpis][:3] == [22, 1878, 23]
    no_value = [k.actuals[2019] for k in kpis if k.actuals[2019].value is None]
    assert len(no_value) == 22
    if "marker" not in keys:
        assert {a.marker for a in no_value} == {"-"}


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_money_and_the_committee_s_words_survive_every_format(fmt):
    """総事業費, 交付金額 and 実績額 (in 円) and the published effect, opinion and 今後の方針 of a
    project come back into the second ledger — as its ReportedProject and its ProjectYear."""
    f.import_reference()
    project = m.Project.objects.get(organization__code=CODE, position=0)
    m.ReportedProject.objects.update_or_create(
        project=project,
        fiscal_year=YEAR,
        defaults={
            "spent": 8412000,
            "spent_unit": "円",
            "total_cost": 12000000,
            "grant_amount": 6000000,
            "effect": "地方創生に相当程度効果があった",
            "opinion": "<b>相談件数</b>の目標未達の要因分析を",
            "policy": "事業の継続",
        },
    )
    first = ledger_report(CODE)
    output = FORMATS[fmt]
    content = output.render(first, Publisher(CODE, "釧路市"))
    report = read_report_bytes(content, f"written{output.suffix}")
    plan = importing.plan_import(importing.organization_for(*SECOND), report, content)
    importing.apply_import(plan, file_name=f"written{output.suffix}", content=content)
    second = ledger_report(SECOND[0])
    assessment = second.report.projects[0].assessment
    assert assessment is not None
    assert (assessment.spent, assessment.total_cost, assessment.grant_amount) == (
        8412000,
        12000000,
        6000000,
    )
    words = (assessment.effect, assessment.opinion, assessment.policy)
    if fmt.startswith("csv"):  # a table of KPI rows: the project's texts are in the data
        assert words == (None, None, None)  # package's projects.csv (docs/exports.md)
    else:
        assert words == (
            "地方創生に相当程度効果があった",
            "<b>相談件数</b>の目標未達の要因分析を",
            "事業の継続",
        )
    year = m.ProjectYear.objects.get(project__organization__code=SECOND[0], project__position=0)
    assert (year.state, year.spent, year.total_cost, year.grant_amount) == (
        "published",
        8412000,
        12000000,
        6000000,
    )
