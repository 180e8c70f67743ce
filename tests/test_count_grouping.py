"""Counts on the public pages are written as published tables write them, with thousands
separators (`45,447` KPIs, `1,788` organizations), in Japanese and English: the comparison
tables, the report's and dashboard's totals, the charts' descriptions and the sentences of the
field pages. The data files and the API keep plain numbers."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import translation

from kpiledger.core.evaluate import Status
from kpiledger.web.ledger import presenters
from kpiledger.web.ledger.presenters.fields import distribution_description
from kpiledger.web.ledger.presenters.formatting import StatusCount, badge
from kpiledger.web.ledger.presenters.report import status_chart_description
from kpiledger.web.ledger.templatetags.ledger_tags import grouped, status_count_cells
from kpiledger.web.ledger.tests.factories import import_file
from kpiledger.web.ledger.tests.test_pages import large_report_text


@pytest.mark.parametrize(
    ("value", "shown"),
    [(45447, "45,447"), (1788, "1,788"), (999, "999"), (0, "0"), (1234567, "1,234,567")],
)
def test_an_int_is_grouped(value, shown):
    assert grouped(value) == shown
    assert presenters.count_text(value) == shown


@pytest.mark.parametrize("value", ["43.9%", "—", None, True, Decimal("12345.5")])
def test_anything_else_is_left_as_it_is(value):
    assert grouped(value) is value


def _figures(language: str) -> str:
    row = SimpleNamespace(
        organizations=1788,
        reporting=1741,
        figures=SimpleNamespace(
            kpis=45447, counts=[(badge(Status.ACHIEVED), 15364)], share="43.9%"
        ),
    )
    with translation.override(language):
        return render_to_string("ledger/_prefecture_figures.html", {"row": row})


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_comparison_tables_group_their_counts(language):
    html = _figures(language)
    for shown in ("1,788", "1,741", "45,447", "15,364"):
        assert f">{shown}</td>" in html
    assert "45447" not in html


def test_the_field_groups_table_groups_its_counts():
    group = SimpleNamespace(
        url="/field/tourism/", label="北海道", current=False, organizations=1241,
        kpis=5194, due=3910, achieved=1638, achieved_share="41.9%", median="98.3%",
    )  # fmt: skip
    context = {"rows": [group], "group_label": "都道府県", "caption_id": "c", "csv": "x.csv"}
    html = render_to_string("ledger/_field_groups.html", context)
    for shown in ("1,241", "5,194", "3,910", "1,638"):
        assert f">{shown}</td>" in html


@pytest.mark.parametrize(
    ("language", "expected"), [("ja", "全1,008指標"), ("en", "1,008 KPIs in all")]
)
def test_a_plural_total_is_grouped_and_still_chooses_its_plural(language, expected):
    source = (
        "{% load i18n ledger_tags %}{% blocktranslate with shown=n|grouped count total=n %}"
        "全{{ shown }}指標{% plural %}全{{ shown }}指標{% endblocktranslate %}"
    )
    with translation.override(language):
        assert Template(source).render(Context({"n": 1008})) == expected
        if language == "en":
            assert Template(source).render(Context({"n": 1})) == "1 KPI in all"


@pytest.mark.django_db
def test_a_report_of_over_a_thousand_kpis_shows_its_totals_grouped(client, tmp_path):
    path = tmp_path / "large.txt"
    path.write_text(large_report_text(projects=101, kpis=10), encoding="utf-8")
    import_file(path, code="011002", name="札幌市")
    report = client.get("/org/011002/2023/").content.decode()
    dashboard = client.get("/org/011002/2023/dashboard/").content.decode()
    english = client.get("/en/org/011002/2023/").content.decode()
    assert "全1,010指標" in report and "全1010指標" not in report
    assert "全1,010指標の状況" in dashboard
    assert "1,010 KPIs in all" in english


def test_status_cells_and_chart_descriptions_group_their_counts():
    achieved = badge(Status.ACHIEVED)
    cells = status_count_cells({achieved.key: 1200}, [achieved])
    assert ">1,200</td>" in cells
    summary = [StatusCount(achieved, 1200, "100.0%")]
    with translation.override("ja"):
        assert "全1,200指標" in status_chart_description(summary, 1200)
        assert f"{achieved.label} 1,200" in status_chart_description(summary, 1200)
        assert "目標年度を迎えた3,910指標" in distribution_description([], 3910)
    with translation.override("en"):
        assert "the 1,200 KPIs" in status_chart_description(summary, 1200)
