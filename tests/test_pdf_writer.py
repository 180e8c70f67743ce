"""The PDF of the evaluated report (issue 9, item 2): A4 landscape in Noto Sans CJK JP, the
title and 「n / N ページ」 on every page, the table header on every page of the table, a chart
per KPI, real text, escaped names, and the round trip through the PDF reader."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import subprocess
import sys
from decimal import Decimal
from functools import cache
from typing import Any

import pdfplumber
import pytest

from kpiledger.cli.main import reference_report_path
from kpiledger.core.errors import KpiledgerError
from kpiledger.core.evaluate import ReportResult, evaluate_report
from kpiledger.core.model import Assessment, Baseline, Report
from kpiledger.io.readers import read_report, read_report_bytes
from kpiledger.io.readers.columns import Row
from kpiledger.io.readers.own_columns import is_own
from kpiledger.io.readers.pdf_own import CHARTS_HEADING, _key, without_own
from kpiledger.io.writers import json as json_writer
from kpiledger.io.writers import pdf
from kpiledger.io.writers.opendata import Publisher
from kpiledger.io.writers.svg_chart import describe, kpi_chart

REFERENCE = reference_report_path()  # the copy packaged with kpiledger
TITLE = "令和5年度デジタル田園都市国家構想交付金事業の実績"
KUSHIRO = Publisher("012068", "釧路市")
BAR_COLOUR = (0.290196, 0.470588, 0.709804)  # svg_chart.BAR, #4a78b5


def reference() -> Report:
    return read_report(REFERENCE)


@cache
def reference_pdf() -> bytes:
    return pdf.dumps(evaluate_report(reference()), KUSHIRO)


@cache
def long_pdf() -> bytes:
    """The reference's projects 3 times over (24 projects, 75 KPIs): a table of many pages."""
    report = reference()
    projects = [
        dataclasses.replace(p, name=f"{p.name}（その{n}）")
        for n in range(3)
        for p in report.projects
    ]
    return pdf.dumps(evaluate_report(dataclasses.replace(report, projects=projects)), KUSHIRO)


def judged(result: ReportResult) -> Any:
    return json.loads(json_writer.dumps(result))


def round_trip(result: ReportResult) -> Any:
    return judged(evaluate_report(read_report_bytes(pdf.dumps(result, KUSHIRO), "report.pdf")))


def page_texts(data: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(data)) as document:
        return [page.extract_text() for page in document.pages]


def cell_texts(data: bytes) -> list[str]:
    """Every table cell's text, its wrapped lines joined (pdfplumber's ruled tables)."""
    with pdfplumber.open(io.BytesIO(data)) as document:
        return [
            (cell or "").replace("\n", "")
            for page in document.pages
            for table in page.extract_tables()
            for row in table
            for cell in row
        ]


# --- round trip -----------------------------------------------------------------------------


def test_reference_round_trips_to_the_same_judgement() -> None:
    result = evaluate_report(reference())
    expected = judged(result)
    assert expected["summary"]["kpis"] == 24  # the comparison is of the whole report
    assert round_trip(result) == expected


def test_a_report_of_one_table_page_round_trips() -> None:
    """The title in the top margin of the one table page is a copy of the page's title, and
    the one chart page's copy is above the charts' heading: neither is a note."""
    report = reference()
    report.projects = report.projects[:1]
    data = pdf.dumps(evaluate_report(report), KUSHIRO)
    assert len(page_texts(data)) == 2
    back = read_report_bytes(data, "one.pdf")
    assert (back.title, back.notes) == (TITLE, [])
    assert judged(evaluate_report(back)) == judged(evaluate_report(report))


def test_baseline_published_rate_assessment_and_notes_round_trip() -> None:
    report = reference()
    first = report.projects[0]
    first.kpis[0].baseline = Baseline(Decimal("12"), 2019)
    first.kpis[1].published_rate = Decimal("81.7")
    first.assessment = Assessment(
        effect="地方創生に効果があった", policy="事業継続", spent=Decimal(1234), spent_unit="千円"
    )
    report.notes = ["※ 実績値は各年度末時点の値です。"]
    result = evaluate_report(report)
    expected = judged(result)
    assert expected["projects"][0]["assessment"]["effect"] == "地方創生に効果があった"
    assert expected["projects"][0]["kpis"][0]["baseline"] == {"value": 12, "fiscal_year": 2019}
    assert round_trip(result) == expected


def test_hostile_names_are_escaped_and_read_back_as_text() -> None:
    report = reference()
    report.projects[0].name = "<script>alert(1)</script> & 事業"
    report.projects[0].kpis[0].indicator = "雇用&lt;創出&gt;数"
    result = evaluate_report(report)
    html = pdf.document(result, Publisher("012068", '釧路市"; } </style><b>'))
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; 事業" in html
    assert html.count("</style>") == 1
    data = pdf.dumps(result, Publisher("012068", '釧路市"</style>'))
    assert "<script>alert(1)</script> & 事業" in cell_texts(data)
    assert '釧路市"</style>（団体コード 012068）' in page_texts(data)[0]
    assert round_trip(result) == judged(result)


# --- what the pages show --------------------------------------------------------------------


def test_every_project_name_and_kpi_value_is_text() -> None:
    data = reference_pdf()
    cells = cell_texts(data)
    text = "\n".join(page_texts(data))
    for project in reference().projects:
        assert any(project.name in cell for cell in cells), project.name
        assert project.name in text  # the chart appendix's heading, on one line
    for value in ("2,300", "1,878", "41.1", "73.5", "1,300,000", "5,516,080", "R6.3", "R1年度"):
        assert value in cells, value
    assert "220.3%" in cells and "概ね達成" in cells and "地方創生に非常に効果的であった" in cells


def test_the_fonts_are_noto_sans_cjk_jp_and_every_glyph_maps() -> None:
    with pdfplumber.open(io.BytesIO(reference_pdf())) as document:
        chars = [c for page in document.pages for c in page.chars]
    assert len(chars) > 3000
    assert {re.sub(r"^[A-Z]{6}\+", "", c["fontname"]) for c in chars} <= {
        "Noto-Sans-CJK-JP",
        "Noto-Sans-CJK-JP-Bold",
    }
    text = "".join(c["text"] for c in chars)
    assert "\ufffd" not in text and "(cid:" not in text


def test_pages_are_a4_landscape_with_title_and_page_number() -> None:
    data = long_pdf()
    with pdfplumber.open(io.BytesIO(data)) as document:
        sizes = [(round(p.width), round(p.height)) for p in document.pages]
    texts = page_texts(data)
    assert len(texts) >= 4 and set(sizes) == {(842, 595)}
    for number, text in enumerate(texts, start=1):
        lines = text.splitlines()
        assert lines[0] == TITLE  # the top-left margin
        assert lines[-1] == f"釧路市（団体コード 012068） {number} / {len(texts)} ページ"


def test_the_table_header_is_on_every_page_of_the_table() -> None:
    texts = page_texts(long_pdf())
    chart_start = next(i for i, t in enumerate(texts) if CHARTS_HEADING in t)
    assert chart_start >= 3  # the table runs over several pages, the charts follow
    for text in texts[:chart_start]:
        assert "交付対象 事業の名称" in text and "R1年度 R2年度 R3年度 R4年度 R5年度" in text
        assert "達成率" in text and "（kpiledger" in text and "算定）" in text


def test_one_chart_per_kpi_with_a_text_alternative() -> None:
    result = evaluate_report(reference())
    html = pdf.document(result)
    assert html.count("<svg") == 24 == len(result.kpis)
    titles = re.findall(r"<svg[^>]*><title>([^<]*)</title>", html)
    assert [t.split("（")[0] for t in titles] == [
        k.kpi.indicator.split("（")[0] for k in result.kpis
    ]
    values = sum(1 for k in result.kpis for a in k.kpi.actuals.values() if a.value is not None)
    with pdfplumber.open(io.BytesIO(reference_pdf())) as document:
        bars = [
            r
            for page in document.pages
            for r in page.rects
            if r["non_stroking_color"]
            and tuple(round(c, 6) for c in r["non_stroking_color"]) == BAR_COLOUR
        ]
    assert len(bars) == values == 50  # a bar per published value, drawn as vectors


def test_chart_describes_the_kpi_in_words() -> None:
    kpi = next(k for k in reference().kpis if k.indicator == "移住者数")
    years = [2019, 2020, 2021, 2022, 2023]
    assert describe(kpi, years) == (
        "移住者数（人）：目標 121（R6.3）、"
        "実績 R1年度 -、R2年度 -、R3年度 -、R4年度 112、R5年度 105"
    )
    svg = kpi_chart(kpi, years)
    assert (
        svg.count("<rect") == 2
        and ">112<" in svg
        and ">目標 121人（R6.3）<" in svg.replace("--- ", "")
    )


def test_chart_of_negative_values_and_no_values() -> None:
    kpi = reference().kpis[0]
    kpi.target = Decimal("-50")
    kpi.actuals = {2022: dataclasses.replace(kpi.actuals[2022], value=Decimal("-120"))}
    svg = kpi_chart(kpi, [2022, 2023])
    assert ">△120<" in svg and svg.count("<rect") == 1
    heights = [Decimal(h) for h in re.findall(r'height="([0-9.]+)"', svg)[1:]]
    assert heights and all(h > 0 for h in heights)


def test_page_one_renders_to_an_image() -> None:
    """An independent renderer (PDFium, through pypdfium2) draws page 1 as a landscape PNG
    with ink on it."""
    import pypdfium2

    page = pypdfium2.PdfDocument(reference_pdf())[0]
    image = page.render(scale=40 / 72).to_pil()
    png = io.BytesIO()
    image.save(png, format="PNG")
    assert png.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = image.size
    assert abs(width / height - 842 / 595) < 0.01
    dark = sum(1 for pixel in image.convert("L").tobytes() if pixel < 128)
    assert dark > 2000


def test_every_page_renders_with_pdftoppm(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Poppler (Debian's poppler-utils, installed by make test and .ci/run) renders every page
    as an A4-landscape image with ink on it."""
    source = tmp_path / "report.pdf"
    source.write_bytes(reference_pdf())
    pages = len(pdfplumber.open(source).pages)
    subprocess.run(
        ["pdftoppm", "-r", "20", "-gray", str(source), str(tmp_path / "page")],
        check=True,
        capture_output=True,
        timeout=120,
    )
    images = sorted(tmp_path.glob("page-*.pgm"))
    assert len(images) == pages >= 2
    for image in images:
        header, _, pixels = _pgm(image.read_bytes())
        width, height = header
        assert abs(width / height - 842 / 595) < 0.02, image.name
        assert sum(1 for p in pixels if p < 128) > 100, image.name  # not a blank page


def _pgm(data: bytes) -> tuple[tuple[int, int], int, bytes]:
    """(width, height), maxval and pixels of a binary PGM (P5), as pdftoppm -gray writes."""
    fields = data.split(maxsplit=4)
    assert fields[0] == b"P5"
    width, height, maxval = int(fields[1]), int(fields[2]), int(fields[3])
    return (width, height), maxval, data[-width * height :]


def test_without_weasyprint_the_error_names_the_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails as without Pango
    with pytest.raises(KpiledgerError) as raised:
        pdf.dumps(evaluate_report(reference()))
    problem = raised.value.problems[0]
    assert problem.code == "pdf-unavailable"
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "fonts-noto-cjk"):
        assert package in problem.message_ja and package in problem.message_en


# --- the reader's side ----------------------------------------------------------------------


def test_reader_drops_kpiledgers_charts_and_ignores_its_columns() -> None:
    rows = [
        Row(1, ["指標", "達成率", "達成率（kpiledger算定）", "状況（kpiledger判定）"]),
        Row(2, ["移住者数", "86.8", "86.8%", "概ね達成"]),
        Row(3, ["※ 注記"]),
        Row(4, [CHARTS_HEADING]),
        Row(5, ["R1", "R2"]),
    ]
    pages = {1: (1, 1), 2: (1, 2), 3: (1, 3), 4: (2, 2), 5: (2, 3)}
    kept = without_own(rows, pages)
    assert [(r.line, r.cells) for r in kept] == [(r.line, r.cells) for r in rows[:3]]
    assert [is_own(_key(cell)) for cell in rows[0].cells] == [False, False, True, True]
    pages[3] = (2, 1)  # the text above the charts' heading on its page: a running title
    assert [r.line for r in without_own(rows, pages)] == [1, 2]
