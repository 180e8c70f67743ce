"""The PDF reader: the reference report rendered as a published PDF reads as the text does.

The PDFs are built by `tests.pdf_files` with reportlab (A4 landscape, ruled tables, the header
repeated on every page, wrapped cells, merged name and header cells, page numbers).
"""

from __future__ import annotations

import random
import unicodedata
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from tests import pdf_files
from tests.pdf_files import WIDTHS, Layout, Section, parse_reference, reference_text, report_pdf

from kpiledger.core.errors import KpiledgerError, ReportError
from kpiledger.core.evaluate import evaluate_report
from kpiledger.io.readers import read_report_bytes
from kpiledger.io.readers.pdf import source
from kpiledger.io.writers.records import problem_record as record_of
from kpiledger.io.writers.records import report_record

TITLE = "令和5年度デジタル田園都市国家構想交付金事業の実績"
HEADING = "【デジタル田園都市国家構想交付金（地方創生推進タイプ）対象事業】"


def record(data: bytes, name: str) -> dict[str, Any]:
    return report_record(evaluate_report(read_report_bytes(data, name)))


@cache
def text_record() -> dict[str, Any]:
    return record(reference_text().encode("utf-8"), "kushiro.txt")


@cache
def reference_pdf(layout: Layout = Layout()) -> bytes:  # noqa: B008 (a frozen default)
    return pdf_files.reference_pdf(layout)


LAYOUTS = {
    "merged names": Layout(),
    "name repeated after a page break": Layout(repeat_name=True),
    "unmerged, 3 rows a page": Layout(rows_per_page=3, merge_names=False, repeat_name=True),
    "no page numbers, 2 rows a page": Layout(rows_per_page=2, footer=False),
}


@pytest.mark.parametrize("layout", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_reference_pdf_gives_the_same_json_as_the_text(layout: Layout) -> None:
    """Every field, summaries included (the wrapped summaries join back exactly), and no note
    from the page numbers."""
    assert record(reference_pdf(layout), "kushiro.pdf") == text_record()


def test_reference_pdf_is_laid_out_as_published() -> None:
    """The rendering really has what the test above claims to read: pages with the header
    repeated (read once per table: a continued page's copy is dropped, its rows still
    counted), a project continued over a page break, wrapped and merged cells."""
    pdf = source(reference_pdf())
    pages = {page for page, _ in pdf.pages.values()}
    assert pages == {1, 2, 3, 4, 5}
    headers = [pdf.pages[r.line] for r in pdf.rows if r.cells[0] == "交付対象 事業の名称"]
    assert headers == [(1, 3), (1, 4), (1, 5), (3, 2), (3, 3), (3, 4)]
    assert [pdf.pages[r.line] for r in pdf.rows][11:13] == [(1, 12), (2, 4)]
    telework = (
        "釧路市におけるテレワーク等推進事業～"
        + "仕事ができる場所から、働きたい地域へ、行きたいところへ～"
    )
    rows = [r for r in pdf.rows if r.cells[0] == telework]
    assert [pdf.pages[r.line] for r in rows] == [(1, 12)]  # its 2nd KPI is on page 2, unnamed
    continued = pdf.rows[rows[0].line]  # the next row read: page 2's, below its header
    assert (continued.cells[:3], pdf.pages[continued.line]) == (["", "", "移住者数"], (2, 4))
    wrapped = pdf_files.wrap(telework, WIDTHS[0] - 2 * pdf_files.PADDING)
    assert wrapped.count("\n") == 3


def test_title_and_headings_come_before_their_tables_and_notes_after() -> None:
    layout = Layout(note="※実績値は各年度末時点の数値")
    pdf = source(reference_pdf(layout))
    assert pdf.rows[0].cells == [TITLE]
    assert pdf.rows[1].cells == [HEADING]
    assert pdf.rows[2].cells[0] == "交付対象 事業の名称"
    related = [r for r in pdf.rows if r.cells == ["【デジタル田園都市国家構想交付金関連事業】"]]
    assert [pdf.pages[r.line] for r in related] == [(3, 1)]
    assert pdf.rows[-1].cells == ["※実績値は各年度末時点の数値"]
    assert read_report_bytes(reference_pdf(layout), "k.pdf").notes == [
        "※実績値は各年度末時点の数値"
    ]


def test_merged_header_cells_fill_every_column_they_cover() -> None:
    pdf = source(reference_pdf())
    kpi, actual, years = (r.cells for r in pdf.rows[2:5])
    assert kpi == ["交付対象 事業の名称", "事業の概要", *["K P I（重要業績評価指標）"] * 9]
    assert actual[2:] == ["指標", *["指標値"] * 3, *["実績値"] * 5]
    assert years[2:] == [
        "指標",
        "指標値",
        "単位",
        "年月",
        "R1年度",
        "R2年度",
        "R3年度",
        "R4年度",
        "R5年度",
    ]


def test_merged_name_cell_repeats_the_name_on_each_kpi_row() -> None:
    pdf = source(reference_pdf())
    names = [r.cells[0] for r in pdf.rows[5:8]]
    assert names == ["釧路市ビジネスサポートセンターk-Bizを核とした「しごと創生」事業"] * 3
    assert [r.cells[3] for r in pdf.rows[5:8]] == ["20", "2,300", "30"]  # right-aligned numbers


def test_texts_are_nfc_without_unmapped_characters() -> None:
    pdf = source(reference_pdf())
    texts = [c for r in pdf.rows for c in r.cells]
    assert all(unicodedata.is_normalized("NFC", t) for t in texts)
    assert not [t for t in texts if "\ufffd" in t or "(cid:" in t]
    assert (
        "アドベンチャートラベル推進事業～地方における持続可能な世界一級の観光地域づくり～" in texts
    )
    assert pdf.notices == []


ENGLISH_NAME = "Smart city promotion project for the whole Kushiro region"
ENGLISH_INDICATOR = "Number of visitors per year to the new community facility (k-Biz)"
SUMMARY = (
    "k-Bizに、新たにチーフディレクターを配置し伴走型支援の強化を行った。"
    " また、IoTによる課題解決を図った。"
)


def test_wrapped_cells_join_without_breaks() -> None:
    """Japanese lines join with nothing between them, ASCII words with one space."""
    row = [ENGLISH_NAME, SUMMARY, ENGLISH_INDICATOR, "1,000", "人", "R6.3", "-", "-", "-", "1", "2"]
    wrapped = [pdf_files.wrap(text, WIDTHS[i] - 6).count("\n") for i, text in enumerate(row[:3])]
    assert min(wrapped) >= 1
    data = report_pdf(TITLE, [Section(HEADING, [row])])
    project = read_report_bytes(data, "english.pdf").projects[0]
    assert (project.name, project.kpis[0].indicator) == (ENGLISH_NAME, ENGLISH_INDICATOR)
    assert project.summary == SUMMARY  # its space is drawn inside a line: kept


def test_a_space_dropped_at_a_wrap_between_japanese_texts_is_lost() -> None:
    """The known limit: where a cell wraps at a space that the PDF does not draw, nothing
    tells the reader there was one; Japanese lines are joined without it."""
    summary = "あ" * 26 + " " + "い" * 5
    assert pdf_files.wrap(summary, WIDTHS[1] - 6) == "あ" * 26 + "\n" + "い" * 5
    row = ["事業", summary, "指標", "1", "人", "R6.3", "-", "-", "-", "1", "2"]
    project = read_report_bytes(report_pdf(TITLE, [Section(HEADING, [row])]), "s.pdf").projects[0]
    assert project.summary == "あ" * 26 + "い" * 5


def test_bad_number_is_located_by_page_and_row() -> None:
    text = reference_text()
    assert text.count("\t112\t105") == 1
    title, sections = parse_reference(text.replace("\t112\t105", "\t112\t1.0.5"))
    with pytest.raises(ReportError) as error:
        read_report_bytes(report_pdf(title, sections), "bad.pdf")
    [problem] = error.value.problems
    assert (problem.code, problem.page, problem.line, problem.column) == ("bad-number", 2, 4, 11)
    assert problem.location_en() == "p.2 row 4, column 11 (R5年度)"
    assert problem.location_ja().startswith("2ページ 4行目 11列目")


def test_scanned_pdf() -> None:
    with pytest.raises(ReportError) as error:
        read_report_bytes(pdf_files.scanned_pdf(), "scan.pdf")
    assert error.value.codes == ["scanned-pdf"]
    assert "OCR" in error.value.problems[0].message_ja


def test_a_page_of_only_an_image_is_skipped_with_a_warning() -> None:
    data = pdf_files.reference_pdf(Layout(scanned_page=True, footer=False))
    report = read_report_bytes(data, "with-scan.pdf")
    assert [w.code for w in report.warnings] == ["scanned-page"]
    assert report.warnings[0].message_ja.startswith("6ページは画像だけ")
    expected = {**text_record(), "warnings": [record_of(report.warnings[0])]}
    assert report_record(evaluate_report(report)) == expected


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.7\n" + b"\x00garbage\xff" * 50, b"%PDF-1.4\n1 0 obj\n<<", b"%PDF-"],
    ids=["garbage", "cut short", "header only"],
)
def test_damaged_pdf(data: bytes) -> None:
    with pytest.raises(ReportError) as error:
        read_report_bytes(data, "broken.pdf")
    assert error.value.codes == ["bad-pdf"]
    assert "壊れている" in error.value.problems[0].message_ja


def test_password_protected_pdf() -> None:
    with pytest.raises(ReportError) as error:
        read_report_bytes(pdf_files.encrypted_pdf("secret"), "locked.pdf")
    assert error.value.codes == ["bad-pdf"]
    assert "パスワード" in error.value.problems[0].message_ja


def test_pdf_without_a_table_says_where_and_what_it_found() -> None:
    """An encrypted PDF opening without a password is read; this one holds only a line: no
    rules, nothing in columns. The problem is located at the page and says what it held."""
    with pytest.raises(ReportError) as error:
        read_report_bytes(pdf_files.encrypted_pdf(""), "memo.pdf")
    [problem] = error.value.problems
    assert (problem.code, problem.page, problem.line) == ("no-table-pdf", 1, None)
    assert problem.location_en() == "p.1"
    assert "1ページ：文字の行1行、罫線0本、3列以上にそろった行0行" in problem.message_ja
    assert "(p.1: lines of text 1, rules 0, lines in three columns or more 0)" in problem.message_en


@cache
def fuzz_base() -> bytes:
    """A one-page report with plain (uncompressed) page streams, so mutations reach the
    content parser and not only zlib."""
    title, sections = parse_reference(reference_text())
    return report_pdf(title, sections[:1], Layout(rows_per_page=8, compress=False))


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(seed=st.integers(0, 2**32 - 1), count=st.integers(1, 8), cut=st.booleans())
def test_mutated_pdf_reads_or_says_why(seed: int, count: int, cut: bool) -> None:
    """`count` bytes overwritten at places spread over the whole file (a seeded generator: the
    places Hypothesis would pick itself crowd at the start, where `%PDF` is), and the file
    cut short when `cut`: a report or a `KpiledgerError`, nothing else."""
    chance = random.Random(seed)
    data = bytearray(fuzz_base())
    for _ in range(count):
        data[chance.randrange(len(data))] = chance.randrange(256)
    if cut:
        data = data[: chance.randrange(len(data))]
    try:
        report = read_report_bytes(bytes(data), "fuzz.pdf")
    except KpiledgerError as error:
        assert error.problems
        event(f"problem {error.problems[0].code}")
    else:
        assert report.projects
        event("report")
