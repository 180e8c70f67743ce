"""Issue 8's "done when": a planning office drops last year's Excel, CSV or PDF into the upload
form, sees the preview (with how the file was read), imports it, and the web pages judge it
exactly as the command line judges the file."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kpiledger.core.evaluate import evaluate_report
from kpiledger.io.readers import read_report_bytes
from kpiledger.io.writers.json import dumps
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.presenters.formatting import rate_text
from kpiledger.web.ledger.services import reports
from kpiledger.web.ledger.tests import factories as f
from kpiledger.web.ledger.tests.test_staff_import import confirm

pytestmark = pytest.mark.django_db

NAMES = {
    "xlsx": "令和5年度KPI実績.xlsx",
    "xls": "令和5年度KPI実績.xls",
    "ods": "令和5年度KPI実績.ods",
    "pdf": "令和5年度KPI実績.pdf",
    "csv-cp932": "令和5年度KPI実績.csv",
}


@pytest.fixture
def staff(client):  # type: ignore[no-untyped-def]
    user = f.make_planning_admin("kikaku")  # of 釧路市 (012068)
    client.force_login(user)
    return user


def judged(result) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(dumps(result), parse_float=Decimal)


def upload_and_apply(client, content: bytes, name: str, sheet: str = "") -> str:  # type: ignore[no-untyped-def]
    file = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    data = {"org_code": "012068", "org_name": "釧路市", "file": file, "sheet": sheet}
    response = client.post(reverse("ledger:import_upload"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert m.Kpi.objects.count() == 0  # nothing written before the confirmation
    preview = client.get(response["Location"]).content.decode()
    done = confirm(client, page=preview)
    assert done["Location"] == reverse("ledger:report", kwargs={"code": "012068", "year": 2023})
    return preview


@pytest.mark.parametrize("kind", list(NAMES))
def test_each_format_uploaded_previewed_imported_and_judged_as_the_cli(client, staff, kind):  # type: ignore[no-untyped-def]
    from tests.test_formats import reference_as

    content = reference_as(kind)
    preview = upload_and_apply(client, content, NAMES[kind])
    assert "事業の追加" in preview and ">7<" in preview and ">24<" in preview
    if kind == "csv-cp932":  # how the file was read is told in the preview
        assert "cp932" in preview.lower() or "shift_jis" in preview.lower()
    from_file = evaluate_report(read_report_bytes(content, NAMES[kind]))
    organization = m.Organization.objects.get(code="012068")
    assert judged(reports.load_report(organization, 2023).result) == judged(from_file)
    page = client.get(reverse("ledger:report", kwargs={"code": "012068", "year": 2023}))
    html = page.content.decode()
    for result in from_file.kpis:
        assert result.kpi.indicator in html
        if result.achievement_rate is not None:
            assert rate_text(result.achievement_rate) in html


def test_a_workbook_with_a_cover_sheet_says_which_sheet_was_read(client, staff):  # type: ignore[no-untyped-def]
    from tests import excel_files
    from tests.test_formats import REFERENCE

    cover = excel_files.Sheet("表紙", [["令和5年度 KPI実績報告書"], ["釧路市"]])
    data = excel_files.sheet_of_text("KPI実績", REFERENCE)
    notes = excel_files.Sheet("注記", [["※ 数値は速報値です"]])
    content = excel_files.xlsx([cover, data, notes])
    preview = upload_and_apply(client, content, "kushiro.xlsx")
    assert "KPI実績" in preview and "表紙" in preview  # the sheet read, among the others
    assert m.Kpi.objects.count() == 24


def test_the_sheet_field_reads_the_named_sheet(client, staff):  # type: ignore[no-untyped-def]
    from tests import excel_files
    from tests.test_formats import REFERENCE

    older = excel_files.sheet_of_text("R4", REFERENCE.replace("令和5年度", "令和4年度", 1))
    newer = excel_files.sheet_of_text("R5", REFERENCE)
    content = excel_files.xlsx([older, newer])
    upload_and_apply(client, content, "kushiro.xlsx", sheet="R5")
    batch = m.ImportBatch.objects.get()
    assert (batch.sheet, batch.fiscal_year) == ("R5", 2023)


def test_the_national_form_as_a_workbook_keeps_the_committees_columns(client, staff):  # type: ignore[no-untyped-def]
    from tests import excel_files
    from tests.test_layouts_assessment import LAYOUTS, NATIONAL

    text = (LAYOUTS / NATIONAL).read_text(encoding="utf-8")
    content = excel_files.xlsx([excel_files.sheet_of_text("様式", text)])
    file = SimpleUploadedFile("kirimi.xlsx", content)
    data = {"org_code": "016322", "org_name": "霧見町", "file": file}
    f.make_member(staff, f.make_organization("016322", "霧見町"))  # its planning admin too
    response = client.post(reverse("ledger:import_upload"), data)
    assert response.status_code == 302
    preview = client.get(response["Location"]).content.decode()
    assert "事業の評価の記録" in preview
    confirm(client, page=preview)
    assert m.ReportedProject.objects.count() == 3
    html = client.get(reverse("ledger:report", kwargs={"code": "016322", "year": 2023}))
    assert "8,412,000円" in html.content.decode()
