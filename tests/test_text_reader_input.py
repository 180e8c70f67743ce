"""The text reader on bad input: every problem located (line, column, header text), and
property tests (any text gives a Report or the project's own ReportError, nothing else)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.test_text_reader_layouts import REFERENCE, V, check_kpi

from kpiledger.core.errors import ReportError
from kpiledger.core.model import Report
from kpiledger.io.readers.text import parse, read

# --- bad input --------------------------------------------------------------------------------

TITLE = "## 令和5年度地方創生推進交付金事業の実績（試験町）"
SECTION = "【地方創生推進交付金対象事業】"
HEADER = [
    "事業の名称\t事業の概要\tK P I（重要業績評価指標）\t\t\t\t\t",
    "\t\t指標\t指標値\t\t\t実績値\t",
    "\t\t\t指標値\t単位\t年月\tR4年度\tR5年度",
]
# lines 1–5 are the title, the section and the header; KPI rows start at line 6.
# columns: 1 名称, 2 概要, 3 指標, 4 指標値, 5 単位, 6 年月, 7 R4年度, 8 R5年度
GOOD_ROW = "試験町移住促進事業\t移住相談窓口を運営する。\t移住者数\t100\t人\tR6.3\t80\t95"


def report_text(*rows: str) -> str:
    return "\n".join([TITLE, SECTION, *HEADER, *rows]) + "\n"


def problems_of(text: str) -> list[tuple[str, int | None, int | None]]:
    with pytest.raises(ReportError) as err:
        parse(text)
    return [(p.code, p.line, p.column) for p in err.value.problems]


def test_well_formed_inline_report() -> None:
    report = parse(report_text(GOOD_ROW))
    (kpi,) = report.kpis
    assert kpi.line == 6
    check_kpi(kpi, unit="人", target="100", actuals={2022: V("80"), 2023: V("95")})


def test_prose_is_not_a_report() -> None:
    prose = (
        "広報しけんちょう 令和6年5月号\n"
        "\n"
        "町長あいさつ\n"
        "新緑の候、町民の皆様にはますますご清祥のこととお喜び申し上げます。\n"
        "本年度も地方創生の取組を着実に進めてまいります。\n"
    )
    assert problems_of(prose) == [("not-a-report", 1, None)]


def test_empty_text_is_not_a_report() -> None:
    assert problems_of("") == [("not-a-report", 1, None)]


def test_row_cut_short_after_the_date() -> None:
    text = report_text(GOOD_ROW, "\t\t移住相談件数\t300\t件\tR6.3")
    assert problems_of(text) == [("truncated-row", 7, 7)]


def test_row_cut_short_after_the_target() -> None:
    with pytest.raises(ReportError) as err:
        parse(report_text(GOOD_ROW, "\t\t移住相談件数\t300"))
    (problem,) = err.value.problems
    assert (problem.code, problem.line, problem.column) == ("truncated-row", 7, 5)
    assert problem.field == "単位"


def test_file_ending_right_after_a_project_name() -> None:
    text = report_text(GOOD_ROW, "試験町観光振興事業\t観光協会と連携して誘客を行う。")
    assert problems_of(text) == [("project-without-kpi", 7, None)]


def test_non_number_in_an_actual_column() -> None:
    with pytest.raises(ReportError) as err:
        parse(report_text("試験町移住促進事業\t概要\t移住者数\t100\t人\tR6.3\tabc\t95"))
    (problem,) = err.value.problems
    assert (problem.code, problem.line, problem.column) == ("bad-number", 6, 7)
    assert problem.field == "R4年度"


def test_approximate_target_is_rejected() -> None:
    text = report_text("試験町移住促進事業\t概要\t移住者数\t約20\t人\tR6.3\t12\t18")
    assert problems_of(text) == [("bad-number", 6, 4)]


def test_unknown_era_in_target_date() -> None:
    text = report_text("試験町移住促進事業\t概要\t移住者数\t100\t人\tX6.3\t80\t95")
    assert problems_of(text) == [("unknown-era", 6, 6)]


def test_every_problem_is_reported_at_once_in_file_order() -> None:
    text = report_text(
        "試験町移住促進事業\t概要\t移住者数\t100\t人\tR6.3\t80\tabc",  # line 6, R5年度
        "",  # line 7 (blank lines count)
        "\t\t移住相談件数\t約20\t件\tR6.3\t12\t18",  # line 8, 指標値
        "試験町観光振興事業\t概要\t観光入込客数\t5,000\t人\tX6.3\t4,200\t4,800",  # line 9, 年月
    )
    assert problems_of(text) == [
        ("bad-number", 6, 8),
        ("bad-number", 8, 4),
        ("unknown-era", 9, 6),
    ]


def test_several_problems_in_one_row() -> None:
    text = report_text("試験町移住促進事業\t概要\t移住者数\t約100\t人\tX6.3\t八十\t95")
    assert problems_of(text) == [
        ("bad-number", 6, 4),
        ("unknown-era", 6, 6),
        ("bad-number", 6, 7),
    ]


def test_problem_format_has_both_languages_and_the_line() -> None:
    with pytest.raises(ReportError) as err:
        parse(report_text("試験町移住促進事業\t概要\t移住者数\t100\t人\tR6.3\tabc\t95"))
    (problem,) = err.value.problems
    formatted = problem.format()
    assert problem.message_ja and problem.message_ja in formatted
    assert problem.message_en and problem.message_en in formatted
    assert re.search(r"[ぁ-んァ-ヶ一-龥]", problem.message_ja)
    assert re.search(r"[A-Za-z]{3,}", problem.message_en)
    assert "6行目" in formatted and "line 6" in formatted
    assert "7列目" in formatted and "column 7" in formatted
    assert "abc" in formatted
    assert formatted in str(err.value)


def test_missing_file_and_undecodable_bytes(tmp_path: Path) -> None:
    with pytest.raises(ReportError) as err:
        read(tmp_path / "nothing.txt")
    assert err.value.codes == ["cannot-open"]
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x81\x20" * 8)  # a CP932 lead byte without its trail byte
    with pytest.raises(ReportError) as err:
        read(bad)
    assert err.value.codes == ["bad-encoding"]


# --- property tests ---------------------------------------------------------------------------

REFERENCE_LINES = REFERENCE.splitlines()
REFERENCE_HEAD = "\n".join(REFERENCE_LINES[:9]) + "\n"  # title, section, header block
REPORT_ALPHABET = st.sampled_from(
    list("\t\n \r事業の名称概要指標値単位年月実績基準達成率備考【】関連対象")
    + list("RH元.,0123456789△-－未集計#")
)


def parse_or_report_error(text: str) -> None:
    """parse returns a Report or raises the project's own ReportError — nothing else."""
    try:
        report = parse(text)
    except ReportError as error:
        assert error.problems
        return
    assert isinstance(report, Report)


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_parse_any_text(text: str) -> None:
    parse_or_report_error(text)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=REPORT_ALPHABET, max_size=300))
def test_parse_report_like_text(text: str) -> None:
    parse_or_report_error(REFERENCE_HEAD + text)


@st.composite
def mutated_reference(draw: st.DrawFn) -> str:
    lines = list(REFERENCE_LINES)
    for _ in range(draw(st.integers(1, 6))):
        if not lines:
            break
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "replace-cell", "cut-row"]))
        if action == "delete":
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "cut-row":
            cells = lines[index].split("\t")
            lines[index] = "\t".join(cells[: draw(st.integers(0, len(cells)))])
        else:
            cells = lines[index].split("\t")
            cell = draw(st.integers(0, len(cells) - 1))
            cells[cell] = draw(
                st.one_of(st.text(max_size=12), st.text(REPORT_ALPHABET, max_size=8))
            )
            lines[index] = "\t".join(cells)
    return "\n".join(lines)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_reference())
def test_parse_mutated_reference(text: str) -> None:
    parse_or_report_error(text)


def test_reference_parses() -> None:
    report = parse(REFERENCE)
    assert report.fiscal_year == 2023
    assert len(report.kpis) == 24
