"""Cells as Excel writes them: quoted cells (`"1,000"`, a summary over two lines), line numbers
after a multi-line cell, UTF-16 files, and cell values (dates, units) read through the reader."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from tests.test_text_reader_input import GOOD_ROW, report_text
from tests.test_text_reader_layouts import REFERENCE, V, check_kpi

from kpiledger.core.era import YearMonth
from kpiledger.core.errors import ReportError
from kpiledger.io.readers import read_report_bytes
from kpiledger.io.readers.columns import Row
from kpiledger.io.readers.text import decode, parse, read, tokenize

HEADER = "事業の名称\t事業の概要\t指標\t指標値\t単位\t年月\tR1年度\tR2年度\tR3年度\tR4年度\tR5年度"


def problems_of(text: str) -> list[tuple[str, int | None, int | None]]:
    with pytest.raises(ReportError) as err:
        parse(text)
    return [(p.code, p.line, p.column) for p in err.value.problems]


# --- tokenizing -------------------------------------------------------------------------------


def test_tokenize_quoted_cells_and_line_numbers() -> None:
    text = 'a\t"b\tc"\t"1,000"\n\n"x\ny"\t"say ""hi"""\r\nz'
    assert tokenize(text) == [
        Row(1, ["a", "b\tc", "1,000"]),
        Row(2, []),
        Row(3, ["x\ny", 'say "hi"']),
        Row(5, ["z"]),
    ]


def test_tokenize_trims_cells_and_writes_line_breaks_as_newline() -> None:
    assert tokenize('\ufeff "a" \t"b\r\nc"\r\nd\re') == [
        Row(1, ['"a"', "b\nc"]),
        Row(3, ["d"]),
        Row(4, ["e"]),
    ]


def test_quoted_cells_as_excel_writes_them() -> None:
    text = (
        f"{HEADER}\n"
        '"事業A"\t"概要\n2行目"\t"利用者数"\t"1,000"\t"人"\t"R6.3"\t"100"\t"200"\t"-"\t"-"\t"900"\n'
    )
    report = parse(text)
    (project,) = report.projects
    assert project.name == "事業A"
    assert project.summary == "概要\n2行目"
    (kpi,) = project.kpis
    assert kpi.line == 2  # the row starts on line 2 and ends on line 3
    check_kpi(
        kpi,
        unit="人",
        target="1000",
        actuals={
            2019: V("100"),
            2020: V("200"),
            2021: kpi.actuals[2021],
            2022: kpi.actuals[2022],
            2023: V("900"),
        },
    )
    assert kpi.actuals[2021].marker == "-"


def test_problem_lines_after_a_multi_line_cell() -> None:
    text = (
        f"{HEADER}\n"
        '事業A\t"概要\n2行目\n3行目"\t利用者数\t1,000\t人\tR6.3\t1\t2\t3\t4\t5\n'  # lines 2–4
        "\t\t相談件数\t約20\t件\tR6.3\t1\t2\t3\t4\t5\n"  # line 5
        '\t\t"講座\t受講者数"\t30\t人\tR6.3\t1\t2\t3\tx\t5\n'  # line 6, a tab inside a cell
    )
    assert problems_of(text) == [("bad-number", 5, 4), ("bad-number", 6, 10)]


def test_quote_inside_a_cell_is_kept() -> None:
    row = '事業A\t概要\t"""売上げが上がった""と答えた事業者の数"\t30\t社\tR6.3\t1\t2\t3\t4\t5'
    (kpi,) = parse(f"{HEADER}\n{row}\n").kpis
    assert kpi.indicator == '"売上げが上がった"と答えた事業者の数'


def test_unclosed_quote_is_reported_where_it_opens() -> None:
    text = report_text(
        GOOD_ROW, '\t\t"移住相談件数\t300\t件\tR6.3\t250\t280', "\t\t次の指標\t1\t件\tR6.3\t1\t1"
    )
    assert problems_of(text) == [("unclosed-quote", 7, 3)]


# --- encodings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        REFERENCE.encode("utf-16"),  # with a BOM, as Excel's "Unicode テキスト" writes it
        codecs.BOM_UTF16_LE + REFERENCE.replace("\n", "\r\n").encode("utf-16-le"),
        codecs.BOM_UTF16_BE + REFERENCE.encode("utf-16-be"),
    ],
)
def test_utf16_with_a_bom(data: bytes, tmp_path: Path) -> None:
    assert decode(data).lstrip("\ufeff").replace("\r\n", "\n") == REFERENCE
    path = tmp_path / "report.txt"
    path.write_bytes(data)
    report = read(path)
    assert report == parse(REFERENCE)
    assert len(report.kpis) == 24
    assert read_report_bytes(data, "report.txt") == report


def test_utf16_with_a_broken_surrogate_is_bad_encoding() -> None:
    with pytest.raises(ReportError) as err:
        decode(codecs.BOM_UTF16_LE + b"\x00\xd8\x41\x00")
    assert err.value.codes == ["bad-encoding"]


# --- values read through the reader -----------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("R6年度末", YearMonth(2025, 3)),
        ("令和6年度末", YearMonth(2025, 3)),
        ("令和5年度", YearMonth(2024, 3)),
        ("2024年度末", YearMonth(2025, 3)),
    ],
)
def test_fiscal_year_end_target_date(date: str, expected: YearMonth) -> None:
    text = report_text(f"試験町移住促進事業\t概要\t移住者数\t100\t人\t{date}\t80\t95")
    (kpi,) = parse(text).kpis
    assert kpi.target_date == expected


@pytest.mark.parametrize("date", ["1900/3", "R999.3", "2201/3", "大正14年3月"])
def test_implausible_target_date_is_bad_date(date: str) -> None:
    text = report_text(f"試験町移住促進事業\t概要\t移住者数\t100\t人\t{date}\t80\t95")
    with pytest.raises(ReportError) as err:
        parse(text)
    (problem,) = err.value.problems
    assert (problem.code, problem.line, problem.column) == ("bad-date", 6, 6)
    assert "plausible range" in problem.message_en


def test_units_with_digits_after_a_letter() -> None:
    text = report_text(
        "試験町緑化事業\t概要\t緑地面積\t100m²\tm²\tR6.3\t80m²\t95m²",
        "\t\t温室効果ガス削減量\t5t-CO2\tt-CO2\tR6.3\t3\t4t-CO2",
    )
    area, co2 = parse(text).kpis
    check_kpi(area, unit="m²", target="100", actuals={2022: V("80"), 2023: V("95")})
    check_kpi(co2, unit="t-CO2", target="5", actuals={2022: V("3"), 2023: V("4")})
    assert area.reader_flags == co2.reader_flags == []


def test_ascii_brackets_are_a_grant_prefix_only_when_they_name_a_grant():
    from kpiledger.io.readers.cells import split_grant

    assert split_grant("[地方創生拠点整備交付金] 音別事業") == (
        "地方創生拠点整備交付金",
        "音別事業",
    )
    assert split_grant("[red]利用者数[/red]") == (None, "[red]利用者数[/red]")
    assert split_grant("【特別】 音別事業") == ("特別", "音別事業")
