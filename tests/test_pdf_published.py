"""The PDF reader on reports as Excel and Word print them (issue 8, item 4).

`tests.pdf_html` prints the reference with WeasyPrint (a browser's or Word's layout: borders as
strokes, text wrapped by the engine, `<thead>` repeated on every page); `tests.pdf_drawn` draws
it on a reportlab canvas as Excel exports it (rules as thin filled rectangles, only horizontal
rules, none; glyph by glyph; letter-spaced labels). Each variant is read value by value
against the reference's own cells (not through another reader), and as a whole against the
text reader's JSON.
"""

from __future__ import annotations

import io
import os
import random
import re
from decimal import Decimal
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from tests import pdf_drawn, pdf_html
from tests.pdf_drawn import Drawn
from tests.pdf_files import parse_reference, reference_text
from tests.pdf_html import Html

from kpiledger.core.era import YearMonth
from kpiledger.core.errors import KpiledgerError
from kpiledger.core.evaluate import evaluate_report
from kpiledger.core.model import Report
from kpiledger.io.readers import read_report_bytes
from kpiledger.io.readers.pdf import source
from kpiledger.io.readers.pdf_text import Char, line_text
from kpiledger.io.writers.records import report_record

Style = Html | Drawn
#: The title above every page, 「1 / 3」 and 釧路市 below it.
RUNNING = Html(header="two-rows", repeat_header=False, running=True)
RUNNING_BARE = Html(borders="none", header="two-rows", running=True)
#: Published layouts, each read to the reference's values.
VARIANTS: dict[str, Style] = {
    "WeasyPrint, header of two rows only on page 1, running texts": RUNNING,
    "WeasyPrint, horizontal rules only": Html(borders="horizontal"),
    "WeasyPrint, no rules, letter-spaced labels": Html(borders="none", spaced=True),
    "WeasyPrint, Noto Sans CJK (CFF), fullwidth digits": Html(
        font="Noto Sans CJK JP", fullwidth=True
    ),
    "Excel: rules as filled rectangles, merged names": Drawn(),
    "Excel: glyph by glyph, letter-spaced labels": Drawn(glyphs="chars", spaced=True),
    "Excel: header only on the first page, running texts": Drawn(repeat_header=False, running=True),
    "Excel: fullwidth digits, three-row header": Drawn(fullwidth=True, header="three-rows"),
    "Word: horizontal rules only, merged names": Drawn(rules="horizontal"),
    "Word: horizontal rules, text at the bottom of its cell": Drawn(
        rules="horizontal", valign="bottom"
    ),
    "no rules, glyph by glyph, letter-spaced": Drawn(
        rules="none", glyphs="chars", spaced=True, merge_names=False
    ),
    "no rules, header only on the first page, running texts": Drawn(
        rules="none", repeat_header=False, running=True, merge_names=False
    ),
    "no rules, text at the top of its cell": Drawn(rules="none", valign="top", merge_names=False),
}


@cache
def printed(style: Style) -> bytes:
    module = pdf_html if isinstance(style, Html) else pdf_drawn
    return module.reference_pdf(style)  # type: ignore[arg-type]


def record(data: bytes, name: str) -> dict[str, Any]:
    return report_record(evaluate_report(read_report_bytes(data, name)))


@cache
def text_record() -> dict[str, Any]:
    return record(reference_text().encode("utf-8"), "kushiro.txt")


def expected_kpis() -> list[tuple[str, str, Decimal, YearMonth, dict[int, Decimal | None]]]:
    """Each KPI of the reference as its cells say: indicator, unit, target, target date and
    the actual of every year (None for 「-」), straight from the tab-separated text."""
    kpis = []
    for section in parse_reference(reference_text())[1]:
        for row in section.rows:
            era, month = re.fullmatch(r"R(\d+)\.(\d+)", row[5]).groups()  # type: ignore[union-attr]
            actuals = {
                2019 + i: None if cell == "-" else Decimal(cell.replace(",", ""))
                for i, cell in enumerate(row[6:11])
            }
            target = Decimal(row[3].replace(",", ""))
            kpis.append((row[2], row[4], target, YearMonth(2018 + int(era), int(month)), actuals))
    return kpis


def read_kpis(report: Report) -> list[tuple[str, str, Decimal, YearMonth | None, dict[int, Any]]]:
    return [
        (k.indicator, k.unit, k.target, k.target_date, {y: a.value for y, a in k.actuals.items()})
        for project in report.projects
        for k in project.kpis
    ]


def without_summary_spaces(data: dict[str, Any]) -> dict[str, Any]:
    """The record with the spaces of the summaries taken out: a space where Excel wrapped a
    summary is not drawn, and cannot be read back (the known limit)."""
    for project in data["projects"]:
        project["summary"] = re.sub(r"\s", "", project["summary"] or "")
    return data


def test_weasyprint_reference_gives_the_same_json_as_the_text() -> None:
    """The reference printed by WeasyPrint on A4 landscape, its header repeated on every page
    the table runs on, judges to exactly the text's JSON."""
    data = printed(Html())
    assert record(data, "kushiro.pdf") == text_record()
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        assert all(page.width > page.height for page in pdf.pages)  # landscape
        texts = [page.extract_text() for page in pdf.pages]
    assert len(texts) >= 3
    assert all("交付対象 事業の名称" in text for text in texts)  # the header on every page
    assert all(re.search(r"- \d -", text) for text in texts)  # a page number in each footer


@pytest.mark.parametrize("style", VARIANTS.values(), ids=VARIANTS.keys())
def test_published_variant_reads_every_value(style: Style) -> None:
    report = read_report_bytes(printed(style), "published.pdf")
    assert read_kpis(report) == expected_kpis()
    assert report.title == "令和5年度デジタル田園都市国家構想交付金事業の実績"
    assert report.notes == []  # no page number, running text or header row left over
    expected = without_summary_spaces(text_record())
    assert without_summary_spaces(report_record(evaluate_report(report))) == expected


def test_values_spot_checked() -> None:
    """Literal values, so the test above cannot pass on a wrong expectation."""
    kpis = {
        k[0]: k[1:]
        for k in read_kpis(
            read_report_bytes(printed(Drawn(rules="none", merge_names=False)), "n.pdf")
        )
    }
    assert kpis["移住者数"] == (
        "人",
        Decimal("121"),
        YearMonth(2024, 3),
        {2019: None, 2020: None, 2021: None, 2022: Decimal("112"), 2023: Decimal("105")},
    )
    assert kpis["特産品販売の売上額"][:2] == ("円", Decimal("1300000"))
    assert kpis["アンケートによる施設予約システム利用者満足度"][3][2023] == Decimal("73.5")


def pages_of(style: Style) -> list[Any]:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(printed(style))) as pdf:
        return [
            (len(p.lines), len(p.rects), len(p.vertical_edges), len(p.horizontal_edges))
            for p in pdf.pages
        ]


def test_the_variants_are_drawn_as_they_claim() -> None:
    """Filled rectangles and no stroke; horizontal rules and no vertical one; nothing."""
    assert all(lines == 0 and rects > 100 for lines, rects, _, _ in pages_of(Drawn()))
    ruled = pages_of(Drawn(rules="horizontal")) + pages_of(Html(borders="horizontal"))
    assert all(vertical == 0 and horizontal > 10 for _, _, vertical, horizontal in ruled)
    bare = pages_of(Drawn(rules="none", valign="top", merge_names=False))
    bare += pages_of(Html(borders="none", spaced=True))
    assert all(edges == (0, 0, 0, 0) for edges in bare)


def test_repeated_header_and_running_texts_are_read_once() -> None:
    running = source(printed(RUNNING))
    texts = [c for row in running.rows for c in row.cells]
    assert texts.count("令和5年度デジタル田園都市国家構想交付金事業の実績") == 1
    assert not [t for t in texts if t == "釧路市" or re.fullmatch(r"\d / \d", t)]
    pdf = source(printed(Html()))
    headers = [pdf.pages[r.line][0] for r in pdf.rows if r.cells[0] == "交付対象 事業の名称"]
    assert headers == [1, 1, 1, 2, 2, 2]  # a header per table (section), not per page


def test_running_texts_of_a_report_of_one_page() -> None:
    """No repetition to go by: the title in the top margin is a copy of the page's title, and
    釧路市 stands on the page number's line; both are dropped."""
    report = read_report_bytes(fuzz_base("WeasyPrint, no rules"), "one-page.pdf")
    assert (report.title, report.notes) == ("令和5年度デジタル田園都市国家構想交付金事業の実績", [])
    assert read_kpis(report) == expected_kpis()[:8]


def test_a_header_not_repeated_keeps_the_columns_of_the_page_before() -> None:
    """Page 2 of a table without rules and without its header: read by page 1's columns."""
    pdf = source(printed(Drawn(rules="none", repeat_header=False, merge_names=False)))
    page_two = [r.cells for r in pdf.rows if pdf.pages[r.line][0] == 2]
    assert [cells[2] for cells in page_two][:2] == [
        "MOOワークスペース等施設を継続的に利用する企業数(社・団体)",
        "移住者数",
    ]
    assert page_two[1][3:] == ["121", "人", "R6.3", "-", "-", "-", "112", "105"]


def char(text: str, x0: float, size: float = 7.0) -> Char:
    return Char(text, x0, x0 + size, 0.0, size)


@pytest.mark.parametrize(
    ("placed", "text"),
    [
        ([("移", 0), ("住", 10.5), ("相", 21), ("談", 31.5)], "移住相談"),  # letter-spaced
        ([("単", 0), ("位", 14)], "単位"),
        ([("館", 0), ("お", 10.5), ("ん", 17.5)], "館 おん"),  # a space not drawn
        ([("-", 0), ("-", 10.5), ("1", 21)], "- - 1"),  # signs and digits stay apart
        ([("移", 0), ("住", 10.5), ("者", 21), ("数", 35)], "移住者 数"),  # gaps unequal
    ],
)
def test_letter_spaced_words_are_one_word(placed: list[tuple[str, float]], text: str) -> None:
    assert line_text([char(t, x) for t, x in placed]) == text


FUZZ_EXAMPLES = int(os.environ.get("KPILEDGER_PDF_FUZZ_EXAMPLES", "40"))
FUZZ_BASES = {
    "WeasyPrint, no rules": RUNNING_BARE,
    "glyph by glyph, horizontal rules": Drawn(rules="horizontal", glyphs="chars", spaced=True),
}


@cache
def fuzz_base(name: str) -> bytes:
    """A report of one section with plain (uncompressed) page streams, so mutations reach the
    content parser and the table finding, not only zlib."""
    title, sections = parse_reference(reference_text())
    style = FUZZ_BASES[name]
    if isinstance(style, Html):
        document = pdf_html.report_html(title, sections[:1], style)
        import weasyprint

        return bytes(weasyprint.HTML(string=document).write_pdf(uncompressed_pdf=True))
    return pdf_drawn.report_pdf(title, sections[:1], style, compress=False)


@pytest.mark.parametrize("base", FUZZ_BASES)
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(seed=st.integers(0, 2**32 - 1), count=st.integers(1, 8), cut=st.booleans())
def test_mutated_published_pdf_reads_or_says_why(
    base: str, seed: int, count: int, cut: bool
) -> None:
    """As the reportlab fuzz: `count` bytes overwritten over the whole file, cut short when
    `cut`: a report or a `KpiledgerError`, nothing else (the reader's own table finding runs
    outside pdfplumber's guard, so a fault there fails this test)."""
    chance = random.Random(seed)
    data = bytearray(fuzz_base(base))
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
