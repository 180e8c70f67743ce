"""The reader is chosen from the content (issue 8, item 1): every format of the reference report
reads to the same judgement through the CLI, a name that disagrees with the content is said,
and a workbook cut short is called damaged, not "a Word document"."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from tests import excel_files, pdf_files
from tests.test_csv_reader import CSV

from kpiledger.cli.main import main, reference_report_path
from kpiledger.io.readers import read_report_bytes
from kpiledger.io.readers.detect import detect

REFERENCE = reference_report_path().read_text(encoding="utf-8")


def reference_as(kind: str) -> bytes:
    if kind in ("xlsx", "xls", "ods"):
        sheet = excel_files.sheet_of_text("KPI実績", REFERENCE)
        return getattr(excel_files, kind)([sheet])
    if kind == "pdf":
        return pdf_files.reference_pdf()
    if kind == "csv-cp932":
        return CSV.encode("cp932")
    return REFERENCE.encode("utf-8")


KINDS = ["xlsx", "xls", "ods", "pdf", "csv-cp932", "text"]


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return {kind: reference_as(kind) for kind in KINDS}


def evaluate_json(capsys, path) -> dict:  # type: ignore[no-untyped-def]
    assert main(["evaluate", str(path), "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out, parse_float=Decimal)


@pytest.mark.parametrize("kind", KINDS)
def test_every_format_of_the_reference_judges_alike_on_the_command_line(
    capsys, tmp_path, files, kind
):
    suffix = {"csv-cp932": "csv", "text": "txt"}.get(kind, kind)
    path = tmp_path / f"report.{suffix}"
    path.write_bytes(files[kind])
    expected = evaluate_json(capsys, reference_report_path())
    assert evaluate_json(capsys, path) == expected


def test_detect_names_each_kind(files):
    assert {kind: detect(data) for kind, data in files.items()} == {
        "xlsx": "xlsx", "xls": "xls", "ods": "ods", "pdf": "pdf", "csv-cp932": "text",
        "text": "text",
    }  # fmt: skip
    assert detect(b"PK\x03\x04" + b"\x00" * 100) == "zip"
    assert detect(bytes(range(256)) * 4) == "binary"


def test_a_name_that_disagrees_with_the_content_is_said(files):
    report = read_report_bytes(files["xlsx"], "report.csv")
    [mismatch] = [w for w in report.warnings if w.code == "format-mismatch"]
    assert "report.csv" in mismatch.message_ja and "Excelブック" in mismatch.message_ja
    assert "the content is an Excel workbook" in mismatch.message_en
    assert len(report.kpis) == 24


def test_a_failure_under_a_wrong_name_starts_with_the_mismatch():
    from kpiledger.core.errors import ReportError

    with pytest.raises(ReportError) as error:
        read_report_bytes("拝啓\nこれは手紙です。\n".encode(), "report.xlsx")
    assert error.value.codes[0] == "format-mismatch"
    assert "not-a-report" in error.value.codes


def test_a_workbook_cut_short_is_called_damaged(files):
    from kpiledger.core.errors import ReportError

    with pytest.raises(ReportError) as error:
        read_report_bytes(files["xlsx"][: len(files["xlsx"]) // 2], "report.xlsx")
    assert error.value.codes == ["bad-workbook"]


def test_a_word_document_is_refused_for_what_it_is():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    from kpiledger.core.errors import ReportError

    with pytest.raises(ReportError) as error:
        read_report_bytes(buffer.getvalue(), "report.docx")
    assert error.value.codes == ["unsupported-format"]
    assert "Word" in error.value.problems[0].message_ja


def test_sheet_option_on_the_command_line(capsys, tmp_path):
    cover = excel_files.Sheet("表紙", [["令和5年度 KPI実績報告書"]])
    table = excel_files.sheet_of_text("KPI実績", REFERENCE)
    path = tmp_path / "book.xlsx"
    path.write_bytes(excel_files.xlsx([cover, table]))
    assert main(["evaluate", str(path), "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert "お知らせ / Note: [sheet-chosen]" in captured.err
    assert main(["evaluate", str(path), "--sheet", "KPI実績", "--format", "json"]) == 0
    assert "sheet-chosen" not in capsys.readouterr().err
    assert main(["evaluate", str(path), "--sheet", "ない"]) == 2
    err = capsys.readouterr().err
    assert "[no-such-sheet]" in err and "表紙" in err and "KPI実績" in err
