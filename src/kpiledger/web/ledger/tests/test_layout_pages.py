"""The pages show what the newer layouts read: a value in the year its time point names, with
the note it came with and the reader's flag (tests/data/layouts/29_per_row_time_points.txt), and
yearly increments with the starting level in the note (31_increment_columns.txt)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.tests.factories import import_file
from kpiledger.web.ledger.tests.test_pages import get_ok, parse, row_with

pytestmark = pytest.mark.django_db

LAYOUTS = Path(__file__).resolve().parents[5] / "tests" / "data" / "layouts"


def imported(name: str) -> m.Organization:
    import_file(LAYOUTS / name)
    return m.Organization.objects.get()


def kpi_page(client, organization: m.Organization, indicator: str) -> str:  # type: ignore[no-untyped-def]
    kpi = m.Kpi.objects.get(indicator=indicator)
    url = reverse("ledger:kpi", args=[organization.code, kpi.id])
    return get_ok(client, url, data={"year": "2023"}).content.decode()


def test_report_page_shows_each_value_under_its_own_year(client):
    organization = imported("29_per_row_time_points.txt")
    page = parse(get_ok(client, f"/org/{organization.code}/2023/"))
    header = next(row for row in page.rows if "R3年度" in row)
    assert header[3:] == ["R3年度", "R4年度", "R5年度"]
    # the first KPI's row also holds the project's name and summary
    assert row_with(page, "東浜町しごと創生事業")[5:] == [
        "R6.3", "3,050", "-", "-（評価対象年度）", "—", "－ 実績なし"
    ]  # fmt: skip
    assert row_with(page, "町内での新規就業者数")[3:] == [
        "R7.3", "-", "31（評価対象年度）", "-", "77.5%", "… 目標年度前"
    ]  # fmt: skip
    assert row_with(page, "観光案内所利用者数")[3:] == [
        "R6.3", "-", "-", "18,420（評価対象年度）", "102.3%", "✔ 達成"
    ]  # fmt: skip


def test_kpi_page_shows_the_source_of_the_value_and_the_assumed_year(client):
    organization = imported("29_per_row_time_points.txt")
    html = kpi_page(client, organization, "町内事業所の従業者数")
    assert "実績値の把握時点：R3年度（経済センサス）" in html
    html = kpi_page(client, organization, "観光案内所利用者数")
    assert (
        "「実績値の把握時点」が空欄のため、実績値を報告年度（2023年度）の値として読みました" in html
    )


def test_kpi_page_shows_the_starting_level_of_increments(client):
    organization = imported("31_increment_columns.txt")
    html = kpi_page(client, organization, "直売所の売上額")
    assert "事業開始前（現時点）：45,000" in html
    assert "92.3%" in html
