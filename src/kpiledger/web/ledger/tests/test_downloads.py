"""Download links on the public report page and dashboard (issue 9, item 5): every format,
generated from the ledger, byte for byte what `kpiledger export` writes, with its content type,
a Japanese file name with an ASCII fallback, and an ETag that follows the ledger version."""

from __future__ import annotations

import io
import json
import re
import sys
import zipfile
from decimal import Decimal
from urllib.parse import unquote

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse

from kpiledger.io.writers.formats import FORMATS, Format
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services.state import state_key
from kpiledger.web.ledger.tests import factories as f
from kpiledger.web.ledger.tests.factories import (
    REFERENCE_TEXT,
    import_file,
    import_reference,
)

pytestmark = pytest.mark.django_db

CODE, YEAR = "012068", 2023
NAME_JA = {
    "xlsx": "釧路市_令和5年度_KPI実績.xlsx",
    "pdf": "釧路市_令和5年度_KPI実績.pdf",
    "csv": "釧路市_令和5年度_KPI実績_年度別.csv",
    "csv-wide": "釧路市_令和5年度_KPI実績.csv",
    "json": "釧路市_令和5年度_KPI実績.json",
    "datapackage": "釧路市_令和5年度_KPI実績_データパッケージ.zip",
}


@pytest.fixture
def reference():
    import_reference()


def url(fmt: str, year: int = YEAR, code: str = CODE) -> str:
    return reverse("ledger:download", args=[code, year, fmt])


def links(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]*/download/[^"]*)" download', html)


@pytest.mark.parametrize("page", ["ledger:report", "ledger:dashboard"])
def test_report_page_and_dashboard_link_every_format(client, reference, page):
    response = client.get(reverse(page, args=[CODE, YEAR]))
    html = response.content.decode()
    assert links(html) == [url(name) for name in FORMATS]
    assert "ダウンロード" in html and "Excel（様式）" in html and "PDF（A4横）" in html


def test_links_are_labelled_in_english_on_english_pages(client, reference):
    html = client.get("/en" + reverse("ledger:report", args=[CODE, YEAR])).content.decode()
    assert "Excel (official layout)" in html and "Data Package (Frictionless, zip)" in html
    assert len(links(html)) == len(FORMATS)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_a_download_has_its_type_and_a_japanese_name_with_an_ascii_fallback(client, reference, fmt):
    response = client.get(url(fmt))
    assert response.status_code == 200
    assert response["Content-Type"] == FORMATS[fmt].content_type
    disposition = response["Content-Disposition"]
    ascii_name = re.search(r'filename="([^"]+)"', disposition)
    encoded = re.search(r"filename\*=UTF-8''(\S+)", disposition)
    assert disposition.startswith("attachment; ")
    assert ascii_name is not None and ascii_name.group(1).isascii()
    assert ascii_name.group(1).startswith(f"kpi_{CODE}_{YEAR}")
    assert encoded is not None and unquote(encoded.group(1)) == NAME_JA[fmt]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_json_and_csv_downloads_are_what_the_export_command_writes(client, reference):
    from kpiledger.cli.export import render
    from kpiledger.io.writers.opendata import Publisher
    from kpiledger.web.ledger.services import reports

    org = m.Organization.objects.get(code=CODE)
    result = reports.load_report(org, YEAR, settings.KPILEDGER_NEARLY).result
    for fmt in ("json", "csv", "csv-wide"):
        expected = render(result, fmt, Publisher(CODE, "釧路市"))
        assert client.get(url(fmt)).content == expected, fmt
    record = json.loads(client.get(url("json")).content)
    assert record["summary"]["kpis"] == 24


def test_binary_downloads_open_as_what_they_are(client, reference):
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(url("xlsx")).content))
    assert workbook.active is not None
    assert client.get(url("pdf")).content.startswith(b"%PDF-")
    package = zipfile.ZipFile(io.BytesIO(client.get(url("datapackage")).content))
    descriptor = json.loads(package.read("datapackage.json"))
    assert {r["path"] for r in descriptor["resources"]} <= set(package.namelist())


def test_etag_follows_the_ledger_version(client, reference, tmp_path):
    first = client.get(url("json"))
    etag = first["ETag"]
    assert client.get(url("json"), HTTP_IF_NONE_MATCH=etag).status_code == 304
    changed = REFERENCE_TEXT.replace("\t1,878\n", "\t1,900\n", 1)
    assert changed != REFERENCE_TEXT
    path = tmp_path / "kushiro_corrected.txt"
    path.write_text(changed, encoding="utf-8")
    import_file(path)
    second = client.get(url("json"), HTTP_IF_NONE_MATCH=etag)
    assert second.status_code == 200 and second["ETag"] != etag
    consultations = json.loads(second.content)["projects"][0]["kpis"][1]
    assert consultations["actuals"]["2023"] == 1900


def test_unknown_format_year_or_organization_is_404_and_a_post_is_refused(client, reference):
    assert client.get(url("docx")).status_code == 404
    assert client.get(url("json", year=2019)).status_code == 404
    assert client.get(url("json", code="011002")).status_code == 404
    assert client.post(url("json")).status_code == 405


def test_without_pango_the_pdf_link_says_what_to_install_and_the_rest_still_works(
    client, reference, monkeypatch
):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as on a server without Pango
    response = client.get(url("pdf"))
    assert response.status_code == 503
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode("utf-8")
    assert "libpango-1.0-0" in text and "fonts-noto-cjk" in text
    assert "PDF" in text.splitlines()[0] and text.splitlines()[1].isascii()
    assert client.get(url("xlsx")).status_code == 200


# --- the export cache: one generated file per state of the ledger, on disk ----------------------


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def cached_files(data_dir) -> list[str]:
    return sorted(p.name for p in (data_dir / "exports").glob("*.bin"))


def test_a_generated_file_is_served_from_disk_until_the_ledger_changes(
    client, reference, data_dir, monkeypatch
):
    first = client.get(url("json")).content
    assert cached_files(data_dir) == [f"{CODE}-{YEAR}-json-80-v{state_key()}.bin"]

    def refuse(*args):
        raise AssertionError("rendered again although the ledger did not change")

    monkeypatch.setattr(Format, "render", refuse)
    assert client.get(url("json")).content == first  # from disk: another worker, a restart
    monkeypatch.undo()

    observation = f.observation(f.MIGRANTS, 2023)
    observation.value = Decimal(120)
    observation.save()  # an edit: the ledger's state moves
    after = client.get(url("json")).content
    migrants = json.loads(after)["projects"][2]["kpis"][1]
    assert migrants["indicator"] == f.MIGRANTS  # as published (105), the correction flagged
    assert "revised-after-publication" in migrants["flags"]
    assert b"revised-after-publication" not in first
    assert cached_files(data_dir) == [f"{CODE}-{YEAR}-json-80-v{state_key()}.bin"]  # old gone


def test_a_database_made_anew_never_meets_the_old_files(client, reference, data_dir):
    first = client.get(url("json")).content
    version = m.LedgerVersion.current()
    observation = f.observation(f.MIGRANTS, 2023)
    observation.value = Decimal(120)
    observation.save()
    m.LedgerVersion.objects.update(number=version)  # a new database whose counter met the old
    after = client.get(url("json")).content
    assert b"revised-after-publication" in after and b"revised-after-publication" not in first


def test_a_cache_that_cannot_be_written_still_serves_the_file(client, reference, data_dir):
    (data_dir / "exports").write_text("not a folder", encoding="utf-8")
    response = client.get(url("csv-wide"))
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
