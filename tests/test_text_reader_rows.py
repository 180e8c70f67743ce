"""Rows of a KPI table: header or data, project name or note, a KPI without its indicator,
projects and indicators that appear twice, and the report year taken from the title."""

from __future__ import annotations

import pytest
from tests.test_text_reader_input import GOOD_ROW, report_text
from tests.test_text_reader_layouts import (
    REFERENCE,
    SUISHIN,
    TARGET,
    M,
    V,
    check_kpi,
    check_project,
    check_result,
    load,
    results_of,
)

from kpiledger.core.errors import ReportError
from kpiledger.core.evaluate import Status
from kpiledger.core.model import Section
from kpiledger.io.readers.text import parse


def problems_of(text: str) -> list[tuple[str, int | None, int | None]]:
    with pytest.raises(ReportError) as err:
        parse(text)
    return [(p.code, p.line, p.column) for p in err.value.problems]


# --- header or data ---------------------------------------------------------------------------


def test_page_break_header_project_name_rows_and_kpi_rows_with_header_words() -> None:
    """A KPI row whose summary says 名称 and whose indicator says 指標 is data, not a header;
    a header repeated at a page break with the project's name row repeated continues the
    project; a padded one-text row 資料館整備事業 is a project name, not a note."""
    report = load("20_page_break_and_name_rows.txt")
    assert report.title == "令和5年度 地方創生推進交付金事業の実績（西谷市）"
    assert report.fiscal_year == 2023
    assert report.year_columns == [2021, 2022, 2023]
    assert report.notes == ["※ 実績値は各年度末時点"]
    health, museum = report.projects
    check_project(
        health,
        "西谷市健康づくり事業",
        TARGET,
        SUISHIN,
        ["健康指標が改善した市民の割合", "特定健診受診率", "健康教室の参加者数"],
        summary="健康ポイントの名称を公募し、参加を呼びかける。",  # not the repeated （続き）
    )
    check_project(museum, "資料館整備事業", TARGET, SUISHIN, ["資料館の来館者数"], summary=None)
    assert [k.line for k in report.kpis] == [6, 7, 10, 12]
    assert health.line == 6 and museum.line == 11
    check_kpi(
        health.kpis[2],
        unit="人",
        target="1200",
        actuals={2021: V("700"), 2022: V("950"), 2023: V("1150")},
    )
    check_kpi(
        museum.kpis[0],
        unit="人",
        target="5000",
        actuals={2021: M("-"), 2022: V("3900"), 2023: V("5200")},
    )
    results = results_of(report)
    check_result(results["健康指標が改善した市民の割合"], "94.0", Status.NEARLY_ACHIEVED)  # 47/50
    check_result(results["特定健診受診率"], "91.7", Status.NEARLY_ACHIEVED)  # 55/60
    check_result(results["健康教室の参加者数"], "95.8", Status.NEARLY_ACHIEVED)  # 1,150/1,200
    check_result(results["資料館の来館者数"], "104.0", Status.ACHIEVED)  # 5,200/5,000


def test_data_row_with_header_words_right_after_a_single_header() -> None:
    text = (
        "## 令和5年度テストの実績\n"
        "\n"
        "事業の名称\t事業の概要\t指標\t指標値\t単位\t年月\tR4年度\tR5年度\n"
        "事業A\t施設の名称を公募し愛称を決定した\t健康指標が改善した市民の割合\t50\t%\tR6.3\t40\t45\n"
        "事業B\t概要\t利用者数\t1,000\t人\tR6.3\t800\t850\n"
    )
    report = parse(text)
    first, second = report.projects
    check_project(first, "事業A", TARGET, None, ["健康指標が改善した市民の割合"])
    assert first.summary == "施設の名称を公募し愛称を決定した"
    check_project(second, "事業B", TARGET, None, ["利用者数"])
    check_kpi(first.kpis[0], unit="%", target="50", actuals={2022: V("40"), 2023: V("45")})
    assert first.kpis[0].line == 4


def test_a_header_row_can_still_open_the_next_table() -> None:
    """After a section heading, the next table's header is read as a header."""
    text = report_text(GOOD_ROW, "【地方創生推進交付金対象事業】", *report_text().splitlines()[2:])
    report = parse(text)
    assert [p.name for p in report.projects] == ["試験町移住促進事業"]


# --- project names and notes ------------------------------------------------------------------

NOTE_ROW = "\t\t施設来館者数\t500\t人\tR6.3\t400\t600"


@pytest.mark.parametrize("name", ["資料館整備事業", "注目スポット創出事業", "出典表示推進事業"])
def test_padded_one_text_in_the_name_column_is_a_project(name: str) -> None:
    report = parse(report_text(GOOD_ROW, name + "\t" * 7, NOTE_ROW))
    first, second = report.projects
    check_project(first, "試験町移住促進事業", TARGET, SUISHIN, ["移住者数"])
    check_project(second, name, TARGET, SUISHIN, ["施設来館者数"], summary=None)
    assert second.line == 7
    assert report.notes == []


@pytest.mark.parametrize(
    "note",
    [
        "※ 実績値は各年度末時点",
        "＊印は速報値",
        "*印は速報値",
        "（注）実績値は各年度末時点",
        "(注1) 実績値は各年度末時点",
        "注）速報値",
        "注) 速報値",
        "注: 速報値",
        "注：速報値",
        "出典: 市統計書",
        "出典：市統計書",
        "資料: 市統計書",
        "資料：市統計書",
    ],
)
def test_padded_note_is_a_note(note: str) -> None:
    report = parse(report_text(GOOD_ROW, note + "\t" * 7))
    assert report.notes == [note]
    assert [p.name for p in report.projects] == ["試験町移住促進事業"]


def test_padded_project_name_without_kpi_rows_is_reported() -> None:
    """A text in the name column that is no note is a project: without KPIs, a problem."""
    text = report_text(GOOD_ROW, "実績値は各年度末時点" + "\t" * 7)
    assert problems_of(text) == [("project-without-kpi", 7, None)]


def test_unpadded_name_followed_by_kpi_rows_is_a_project() -> None:
    """Written without any tab, a text is a project name only when KPI rows continue it."""
    report = parse(report_text(GOOD_ROW, "資料館整備事業", NOTE_ROW, "実績値は各年度末時点"))
    assert [p.name for p in report.projects] == ["試験町移住促進事業", "資料館整備事業"]
    assert report.projects[1].kpis[0].indicator == "施設来館者数"
    assert report.notes == ["実績値は各年度末時点"]


# --- a KPI row without its indicator ----------------------------------------------------------


@pytest.mark.parametrize(
    "row",
    [
        "\t\t\t500\t件\tR6.3\t100\t120",  # everything but the indicator
        "\t\t\t\t\t\t\t120",  # an actual only
        "\t\t\t\t件\t\t\t",  # a unit only
        "試験町観光振興事業\t概要\t\t5,000\t人\tR6.3\t4,200\t4,800",  # a name row with values
    ],
)
def test_kpi_values_without_an_indicator(row: str) -> None:
    with pytest.raises(ReportError) as err:
        parse(report_text(GOOD_ROW, row))
    first = err.value.problems[0]
    assert (first.code, first.line, first.column, first.field) == (
        "missing-indicator",
        7,
        3,
        "指標",
    )


def test_summary_continuation_is_still_a_summary() -> None:
    report = parse(report_text(GOOD_ROW, "\t2行目の概要"))
    assert report.projects[0].summary == "移住相談窓口を運営する。\n2行目の概要"


# --- projects and indicators twice ------------------------------------------------------------


def test_project_name_repeated_in_the_same_section_continues_it() -> None:
    text = report_text(
        GOOD_ROW,
        "試験町観光振興事業\t概要\t観光入込客数\t5,000\t人\tR6.3\t4,200\t4,800",
        "試験町移住促進事業\t\t移住相談件数\t300\t件\tR6.3\t250\t280",
    )
    report = parse(text)
    settle, tourism = report.projects
    check_project(settle, "試験町移住促進事業", TARGET, SUISHIN, ["移住者数", "移住相談件数"])
    assert settle.summary == "移住相談窓口を運営する。"
    check_project(tourism, "試験町観光振興事業", TARGET, SUISHIN, ["観光入込客数"])
    assert [k.line for k in settle.kpis] == [6, 8]


def test_project_name_in_the_other_section_is_a_duplicate() -> None:
    header = report_text().splitlines()[2:]
    text = report_text(
        GOOD_ROW,
        "【デジタル田園都市国家構想交付金関連事業】",
        *header,
        "【地方創生拠点整備交付金】 試験町移住促進事業\t概要\t移住者数\t100\t人\tR6.3\t80\t95",
    )
    with pytest.raises(ReportError) as err:
        parse(text)
    (problem,) = err.value.problems
    assert (problem.code, problem.line, problem.column) == ("duplicate-project", 11, 1)
    assert "試験町移住促進事業" in problem.message_ja and "line 6" in problem.message_en


def test_indicator_twice_in_one_project() -> None:
    text = report_text(
        GOOD_ROW, "\t\t移住相談件数\t300\t件\tR6.3\t250\t280", "\t\t移住者数\t120\t人\tR6.3\t1\t2"
    )
    assert problems_of(text) == [("duplicate-indicator", 8, 3)]


def test_indicator_twice_across_a_repeated_section() -> None:
    """The same project under a repeated 関連事業 heading continues; its KPI repeated is found."""
    lines = REFERENCE.splitlines()
    repeat = [
        "",
        "【デジタル田園都市国家構想交付金関連事業】",
        "",
        *lines[20:23],  # the 関連事業 header block (lines 21–23)
        lines[23],  # 【地方創生拠点整備交付金】 音別地域交流拠点施設整備事業 … 音別…利用者数
        lines[24],  # ふき紙漉き体験者数
    ]
    text = "\n".join([*lines, *repeat]) + "\n"
    first = len(lines) + 7  # the repeated name row's line
    assert problems_of(text) == [
        ("duplicate-indicator", first, 3),
        ("duplicate-indicator", first + 1, 3),
    ]


def test_same_indicator_in_two_projects_is_fine() -> None:
    text = report_text(GOOD_ROW, "試験町定住促進事業\t概要\t移住者数\t50\t人\tR6.3\t40\t45")
    assert [k.indicator for k in parse(text).kpis] == ["移住者数", "移住者数"]


# --- the report year from the title -----------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "year"),
    [
        (
            "第2期総合戦略（令和2年度～令和6年度）に係る令和5年度デジタル田園都市国家構想交付金事業の実績",
            2023,
        ),
        ("2023年度（令和5年度）地方創生推進交付金事業の実績", 2023),
        ("令和4年度・令和5年度 地方創生推進交付金事業の実績", 2023),
        # the last year that can be read: 令和999年度 is out of range
        ("令和5年度 地方創生推進交付金事業の実績（令和999年度まで保存）", 2023),
    ],
)
def test_report_year_is_the_last_year_in_the_title(title: str, year: int) -> None:
    text = REFERENCE.replace("## 令和5年度デジタル田園都市国家構想交付金事業の実績", f"## {title}")
    report = parse(text)
    assert report.title == title
    assert report.fiscal_year == year


SHARED_HEADER = (
    "## 令和5年度 試験\n"
    "事業の名称\t事業の概要\t指標\t指標値\t単位\t年月\tR4年度\tR5年度\n"
    "【A交付金対象事業】\n"
    "事業A\t概要A\t利用者数\t100\t人\tR6.3\t80\t90\n"
    "【B関連事業】\n"
    "【B交付金】 事業B\t概要B\t参加者数\t50\t人\tR6.3\t40\t60\n"
)


def test_sections_under_one_shared_header_keep_their_rows() -> None:
    report = parse(SHARED_HEADER)
    assert [(p.name, p.section, p.grant) for p in report.projects] == [
        ("事業A", Section.TARGET, "A交付金"),
        ("事業B", Section.RELATED, "B交付金"),
    ]
    assert [k.indicator for k in report.kpis] == ["利用者数", "参加者数"]
    assert report.notes == []
