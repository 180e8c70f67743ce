"""One judgement everywhere (issue 8, item 7): a report judged from its file by the CLI and
judged from the ledger after import give the identical JSON — for the reference report and for
every layout test file."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from kpiledger.core.evaluate import evaluate_report
from kpiledger.io.readers import read_report
from kpiledger.io.writers.json import dumps
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services import reports
from kpiledger.web.ledger.tests import factories as f

pytestmark = pytest.mark.django_db

LAYOUTS = Path(__file__).resolve().parents[5] / "tests" / "data" / "layouts"
FILES = [f.REFERENCE_PATH, *sorted(LAYOUTS.glob("*.txt"))]


def judged(result) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(dumps(result), parse_float=Decimal)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_the_file_and_the_ledger_judge_alike(path):
    from_file = judged(evaluate_report(read_report(path)))
    f.import_file(path)
    organization = m.Organization.objects.get()
    from_ledger = judged(reports.load_report(organization, from_file["fiscal_year"]).result)
    for key in ("title", "fiscal_year", "summary", "notes"):
        assert from_ledger[key] == from_file[key], key
    for file_project, ledger_project in zip(
        from_file["projects"], from_ledger["projects"], strict=True
    ):
        for file_kpi, ledger_kpi in zip(file_project["kpis"], ledger_project["kpis"], strict=True):
            differing = {
                k: (file_kpi[k], ledger_kpi.get(k))
                for k in file_kpi
                if file_kpi[k] != ledger_kpi.get(k)
            }
            assert not differing, differing
        assert ledger_project == file_project, file_project["name"]
    assert from_ledger == from_file


def test_the_reports_own_notes_are_kept_and_shown(client):
    path = LAYOUTS / "14_blank_lines_notes_extra_columns.txt"
    notes = read_report(path).notes
    assert notes, "the layout file has notes"
    f.import_file(path)
    organization = m.Organization.objects.get()
    year = reports.report_years(organization)[0]
    assert reports.load_report(organization, year).result.report.notes == notes
    html = client.get(f"/org/{organization.code}/{year}/").content.decode()
    assert "報告書の注記" in html
    for note in notes:
        assert note.replace("<", "&lt;") in html


@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods", "pdf", "csv-cp932"])
def test_every_format_judges_alike_from_the_file_and_from_the_ledger(tmp_path, kind):
    from tests.test_formats import reference_as

    path = tmp_path / f"reference.{kind.split('-')[0]}"
    path.write_bytes(reference_as(kind))
    from_file = judged(evaluate_report(read_report(path)))
    assert from_file == judged(evaluate_report(read_report(f.REFERENCE_PATH)))
    f.import_file(path)
    organization = m.Organization.objects.get()
    assert judged(reports.load_report(organization, 2023).result) == from_file
