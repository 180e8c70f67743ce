"""`kpiledger export --format xlsx|pdf|datapackage` (issue 9, item 5): the ledger's report as
the official Excel, the PDF and a Frictionless data package (a folder or a .zip), each read
back by kpiledger's own reader to the ledger's judgement; and what is refused."""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from kpiledger.cli.main import main
from kpiledger.core.evaluate import evaluate_report
from kpiledger.io.readers import read_report, read_report_bytes
from kpiledger.io.writers import json as json_writer
from kpiledger.web.ledger.tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture
def imported(capsys):
    assert run(capsys, "import", str(f.REFERENCE_PATH), "--org", "012068")[0] == 0


def judged(report) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(json_writer.dumps(evaluate_report(report)))


REFERENCE = judged(read_report(f.REFERENCE_PATH))


def export(capsys, fmt: str, path: Path) -> None:
    status, out, err = run(capsys, "export", "--org", "012068", "--year", "2023",
                           "--format", fmt, "-o", str(path))  # fmt: skip
    assert (status, out, err) == (0, "", "")


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_excel_and_pdf_read_back_to_the_ledgers_judgement(imported, capsys, tmp_path, fmt):
    path = tmp_path / f"report.{fmt}"
    export(capsys, fmt, path)
    assert judged(read_report(path)) == REFERENCE


def test_excel_is_the_official_layout(imported, capsys, tmp_path):
    path = tmp_path / "report.xlsx"
    export(capsys, "xlsx", path)
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.print_area and sheet.print_title_rows
    assert sheet.merged_cells.ranges


def test_datapackage_as_a_folder_and_as_a_zip(imported, capsys, tmp_path):
    folder = tmp_path / "package"
    export(capsys, "datapackage", folder)
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    names = {resource["path"] for resource in descriptor["resources"]}
    assert all((folder / name).is_file() for name in names)
    archive = tmp_path / "package.zip"
    export(capsys, "datapackage", archive)
    with zipfile.ZipFile(archive) as package:
        assert set(package.namelist()) == {"datapackage.json", *names}
        for name in names:
            assert package.read(name) == (folder / name).read_bytes()
    assert judged(read_report_bytes(archive.read_bytes(), archive.name)) == REFERENCE


def test_binary_formats_are_not_written_to_a_terminal(imported, capsys, monkeypatch):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    for fmt in ("xlsx", "pdf", "datapackage"):
        status, out, err = run(capsys, "export", "--org", "012068", "--format", fmt)
        assert status == 2 and out == ""
        assert "binary-to-terminal" in err and "-o" in err


def test_xlsx_to_a_pipe_is_the_files_bytes(capsysbinary):
    f.import_reference()
    assert main(["export", "--org", "012068", "--format", "xlsx"]) == 0
    piped = capsysbinary.readouterr().out
    assert piped.startswith(b"PK")
    assert judged(read_report_bytes(piped, "report.xlsx")) == REFERENCE


def test_a_datapackage_folder_that_is_a_file_or_has_no_parent_is_refused(
    imported, capsys, tmp_path
):
    afile = tmp_path / "taken"
    afile.write_text("x", encoding="utf-8")
    for target in (afile, tmp_path / "missing" / "package"):
        status, _, err = run(capsys, "export", "--org", "012068", "--format", "datapackage",
                               "-o", str(target))  # fmt: skip
        assert status == 2 and "cannot-write" in err
    assert afile.read_text(encoding="utf-8") == "x"
    assert not (tmp_path / "missing").exists()
