"""Money beside the KPIs (issue 10, item 6): a project's 総事業費, 交付金額 and 実績額 of a
published year, and the cost per unit of its counting KPIs, on the report page, the dashboard,
in every export format and in the read API — the same figures everywhere."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from decimal import Decimal

import openpyxl
import pdfplumber
import pytest
from django.db import transaction
from django.test import Client

from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.tests import factories as f

pytestmark = pytest.mark.django_db

CODE, YEAR = "012068", 2023
PROJECT = "釧路市ビジネスサポートセンターk-Bizを核とした「しごと創生」事業"
SPENT, TOTAL, GRANT = Decimal(8412000), Decimal(12000000), Decimal(6000000)
#: 8,412,000円 ÷ R5年度: 22人 (382,363.6…), 1,878件 (4,479.2…), 23社 (365,739.1…)
COSTS = {
    "本事業による雇用創出数": ("382,364円/人", "実績額 8,412,000円 ÷ R5年度の実績値（22人）"),
    "釧路市ビジネスサポートセンターk-Bizの来所相談件数": (
        "4,479円/件",
        "実績額 8,412,000円 ÷ R5年度の実績値（1,878件）",
    ),
    "釧路市ビジネスサポートセンターk-Biz相談者のうち「売上げが上がった」と答えた事業者の数": (
        "365,739円/社",
        "実績額 8,412,000円 ÷ R5年度の実績値（23社）",
    ),
}
AMOUNTS = {"382,364円/人": 382364, "4,479円/件": 4479, "365,739円/社": 365739}


@pytest.fixture
def money() -> None:
    f.import_reference()
    project = m.Project.objects.get(organization__code=CODE, name=PROJECT)
    with transaction.atomic():
        m.ReportedProject.objects.create(
            project=project,
            fiscal_year=YEAR,
            spent=SPENT,
            spent_text="8412000",
            spent_unit="円",
            total_cost=TOTAL,
            grant_amount=GRANT,
        )
        m.LedgerVersion.bump()


def download(fmt: str) -> bytes:
    response = Client().get(f"/org/{CODE}/{YEAR}/download/{fmt}")
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_report_page_shows_the_money_and_each_cost(money):
    page = Client().get(f"/org/{CODE}/{YEAR}/").content.decode()
    for label, text in (("総事業費", "12,000,000円"), ("交付金額", "6,000,000円")):
        assert f"<dt>{label} / " in page and f"<dd>{text}</dd>" in page
    assert "<dd>8,412,000円</dd>" in page
    for cost, reason in COSTS.values():
        assert f"<strong>{cost}</strong>（{reason}）" in page
    assert page.count('class="kpi-cost"') == 3  # only the counting KPIs of that project
    assert "単位あたり費用（kpiledger算定）" in page  # the legend explains it


def test_the_dashboard_shows_the_money_and_each_cost(money):
    page = Client().get(f"/org/{CODE}/{YEAR}/dashboard/").content.decode()
    assert "総事業費 / Total project cost: <strong>12,000,000円</strong>" in page
    assert "交付金額 / Grant amount: <strong>6,000,000円</strong>" in page
    assert "実績額 / Amount spent: <strong>8,412,000円</strong>" in page
    for indicator, (cost, reason) in COSTS.items():
        assert f"{indicator}: <strong>{cost}</strong>（{reason}）" in page


def test_xlsx_has_the_money_and_the_computed_cost(money):
    sheet = openpyxl.load_workbook(io.BytesIO(download("xlsx"))).active
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    headings = [v for row in cells[:12] for v in row if isinstance(v, str)]
    assert {"総事業費", "交付金額", "実績額", "単位あたり費用\n（kpiledger算定）"} <= set(headings)
    row = next(r for r in cells if r[0] == PROJECT)
    assert {SPENT, TOTAL, GRANT} <= {Decimal(str(v)) for v in row if isinstance(v, int | float)}
    costs = [
        v
        for r in cells
        for v in r
        if isinstance(v, str) and v[:1].isdigit() and v.endswith(("円/人", "円/件", "円/社"))
    ]
    assert costs == [v[0] for v in COSTS.values()]


def test_csv_rows_carry_the_projects_money_and_the_kpis_cost(money):
    for fmt in ("csv", "csv-wide"):
        text = download(fmt).decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        mine = {r["指標"]: r for r in rows if r["事業名"] == PROJECT}
        assert set(mine) == set(COSTS)
        for indicator, (cost, reason) in COSTS.items():
            row = mine[indicator]
            assert (row["総事業費（円）"], row["交付金額（円）"], row["事業の実績額"]) == (
                "12000000",
                "6000000",
                "8412000",
            )
            assert row["単位あたり費用（kpiledger算定・円）"] == str(AMOUNTS[cost])
            assert row["単位あたり費用の単位（kpiledger算定）"] == "円/" + cost[-1]
            assert row["単位あたり費用の根拠（kpiledger算定）"] == reason
        others = [r for r in rows if r["事業名"] != PROJECT]
        assert {r["総事業費（円）"] + r["単位あたり費用（kpiledger算定・円）"] for r in others} == {
            ""
        }


def test_json_has_the_money_and_the_cost_records(money):
    record = json.loads(download("json"))
    [project] = [p for p in record["projects"] if p["name"] == PROJECT]
    assessment = project["assessment"]
    assert (assessment["total_cost"], assessment["grant_amount"], assessment["spent"]) == (
        12000000,
        6000000,
        8412000,
    )
    costs = {k["indicator"]: k["cost_per_unit"] for k in project["kpis"]}
    for indicator, (cost, reason) in COSTS.items():
        assert costs[indicator]["amount"] == AMOUNTS[cost]
        assert costs[indicator]["per"] == cost[-1]
        assert costs[indicator]["reason_ja"] == reason
    others = [p for p in record["projects"] if p["name"] != PROJECT]
    assert not any("cost_per_unit" in k for p in others for k in p["kpis"])


def test_the_data_package_projects_file_has_the_money(money):
    with zipfile.ZipFile(io.BytesIO(download("datapackage"))) as package:
        names = package.namelist()
        projects_name = next(n for n in names if "project" in n and n.endswith(".csv"))
        rows = list(csv.DictReader(io.StringIO(package.read(projects_name).decode("utf-8-sig"))))
        descriptor = json.loads(package.read(next(n for n in names if n.endswith(".json"))))
    [row] = [r for r in rows if r["事業名"] == PROJECT]
    assert (row["総事業費（円）"], row["交付金額（円）"], row["実績額"]) == (
        "12000000",
        "6000000",
        "8412000",
    )
    fields = {fd["name"] for r in descriptor["resources"] for fd in r["schema"]["fields"]}
    assert {"総事業費（円）", "交付金額（円）", "単位あたり費用（kpiledger算定・円）"} <= fields


def test_the_pdf_shows_the_money_and_the_costs(money):
    with pdfplumber.open(io.BytesIO(download("pdf"))) as pdf:
        words = [w["text"] for page in pdf.pages for w in page.extract_words()]
    for shown in ("総事業費", "交付金額", "12,000,000", "6,000,000", "8,412,000"):
        assert shown in words
        # in the order written (figures stand side by side: their captions' lines interleave)
        flow = "".join(
            w["text"] for page in pdf.pages for w in page.extract_words(use_text_flow=True)
        )
    for cost, _ in COSTS.values():  # in each KPI chart's caption (the appendix)
        assert f"単位あたり費用（kpiledger算定）：{cost}" in flow


def test_the_api_shows_the_money_and_the_costs(money):
    client = Client()
    base = f"/api/v1/organizations/{CODE}/years/{YEAR}"
    projects = client.get(f"{base}/projects?page_size=100").json()
    items = projects["items"] if isinstance(projects, dict) else projects
    [project] = [p for p in items if p["name"] == PROJECT]
    assert project["assessment"]["total_cost"] == "12000000"
    assert project["assessment"]["grant_amount"] == "6000000"
    assert project["assessment"]["spent"] == "8412000"
    kpis = client.get(f"{base}/kpis?page_size=100").json()
    kpis = kpis["items"] if isinstance(kpis, dict) else kpis
    costs = {k["indicator"]: k["cost_per_unit"] for k in kpis if k["project_name"] == PROJECT}
    for indicator, (cost, reason) in COSTS.items():
        assert costs[indicator]["amount"] == str(AMOUNTS[cost])
        assert (costs[indicator]["reason_ja"], costs[indicator]["fiscal_year"]) == (reason, YEAR)
    assert all(k["cost_per_unit"] is None for k in kpis if k["project_name"] != PROJECT)


def test_a_ledger_without_money_shows_none(db):
    f.import_reference()
    page = Client().get(f"/org/{CODE}/{YEAR}/").content.decode()
    assert "kpi-cost" not in page and "総事業費" not in page
    dashboard = Client().get(f"/org/{CODE}/{YEAR}/dashboard/").content.decode()
    assert "money-heading" not in dashboard
