"""Several KPIs in one row, as real municipal tables write them (issue 8, item 5 of "Real
published tables in"): bullets (`・`, `●`, `①②`), compound names and values
(`セミナー開催回数・参加者数` | `200・4,000` | `回・人`), and what is refused rather than guessed.
Units repeated after a value, 累計 / 年間 mixed and the same tables in CSV, .xlsx and PDF are in
test_layouts_multi_formats.py; the national form's split slot labels in
test_layouts_split_labels.py.

tests/data/layouts/27_multi_kpi_cells.txt is a city's 効果検証結果 with every way of writing
several KPIs in one row. Every expected value was worked out BY HAND from the file and
EVALUATION.md: 目標年月 R6.3 → FY2023, judged in the R5年度 column; rate a/t×100 (increase), one
decimal, ROUND_HALF_UP; achieved when a ≥ t, nearly_achieved when the rate ≥ 80.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.test_text_reader_layouts import (
    KYOTEN,
    RELATED,
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

from kpiledger.core.errors import Problem, ReportError
from kpiledger.core.evaluate import Status, evaluate_report
from kpiledger.core.model import Actual, Aggregation, Direction, Report
from kpiledger.io.readers.multi import bullets, compound_numbers
from kpiledger.io.readers.text import parse
from kpiledger.io.writers.records import report_record

MULTI = "27_multi_kpi_cells.txt"
UP, LEVEL, ANNUAL = Direction.INCREASE, Aggregation.LEVEL, Aggregation.ANNUAL
ACHIEVED, NEARLY, NOT_ACHIEVED = Status.ACHIEVED, Status.NEARLY_ACHIEVED, Status.NOT_ACHIEVED


def refused(text: str) -> list[Problem]:
    with pytest.raises(ReportError) as caught:
        parse(text)
    return caught.value.problems


def where(problem: Problem) -> tuple[str, int | None, int | None, str | None]:
    return (problem.code, problem.line, problem.column, problem.field)


def quoted(cell: str) -> str:
    """A cell as Excel writes it to tab-separated text: in quotes when it holds a line break."""
    return f'"{cell}"' if "\n" in cell else cell


# A small table (line 1 title, 2 header, 3… rows) to vary one row at a time.
HEAD = (
    "## 令和5年度 試験市 効果検証結果\n事業の名称\t指標\t目標値\t単位\t目標年月\tR4年度\tR5年度\n"
)


def table(*rows: list[str]) -> str:
    return HEAD + "".join("\t".join(quoted(c) for c in row) + "\n" for row in rows)


def judged(report: Report) -> dict[str, object]:
    """The report as `kpiledger evaluate --format json` gives it."""
    return report_record(evaluate_report(report))


# --- 1. the city's table (27) ------------------------------------------------------------------


def test_multi_file_projects_and_notes() -> None:
    report = load(MULTI)
    assert report.title == "令和5年度 朝霧市 地方創生推進交付金事業 効果検証結果"
    assert report.fiscal_year == 2023
    assert report.year_columns == [2021, 2022, 2023]
    projects = report.projects
    check_project(
        projects[0],
        "朝霧市移住・定住促進事業",
        TARGET,
        SUISHIN,
        ["移住相談件数", "移住者数", "空き家バンク登録・成約件数"],
    )
    check_project(
        projects[1],
        "朝霧市創業支援事業",
        TARGET,
        SUISHIN,
        ["創業セミナー開催回数", "参加者数", "新規創業者数"],
    )
    check_project(
        projects[2],
        "朝霧市観光地域づくり推進事業",
        TARGET,
        SUISHIN,
        ["観光入込客数", "観光客一人当たりの観光消費額"],
    )
    check_project(
        projects[3], "朝霧市特産品販路拡大事業", TARGET, SUISHIN, ["道の駅来場者数", "レジ通過者数"]
    )
    check_project(
        projects[4],
        "朝霧市子育て支援拠点整備事業",
        RELATED,
        KYOTEN,
        [
            "子育て支援センター利用者数",
            "一時預かり利用児童数",
            "子育て環境に満足している保護者の割合",
        ],
        summary="旧保育所を改修し、子育て支援センターと一時預かり室を備えた拠点を整備した。",
    )
    assert len(projects) == 5  # no project from a bullet line
    assert report.notes[0].startswith("※実績値は各年度末時点の値です。")
    assert report.warnings == []


#: indicator → unit, target, R3/R4/R5 actuals, direction, aggregation, rate, status, flags.
MULTI_KPIS = [
    # ・ bullets: 135/120 = 112.5; 24/30 = 80.0 (nearly)
    ("移住相談件数", "件", "120", ("88", "102", "135"), UP, ANNUAL, "112.5", ACHIEVED, []),
    ("移住者数", "人", "30", ("19", "22", "24"), UP, ANNUAL, "80.0", NEARLY, []),
    # ・ inside a name with one number: one KPI; `41件` repeats the unit: 41/40 = 102.5
    ("空き家バンク登録・成約件数", "件", "40", ("28", "33", "41"),
     UP, ANNUAL, "102.5", ACHIEVED, []),
    # compound `12・300` | `回・人` | `12・285`: 12/12 = 100.0; 285/300 = 95.0
    ("創業セミナー開催回数", "回", "12", ("8", "10", "12"), UP, ANNUAL, "100.0", ACHIEVED, []),
    ("参加者数", "人", "300", ("190", "240", "285"), UP, ANNUAL, "95.0", NEARLY, []),
    # 累計 15 / 累計 4 / 累計 9 / 年間 5: mixed, flagged, aggregation inferred (annual); 5/15
    ("新規創業者数", "社", "15", ("4", "9", "5"),
     UP, ANNUAL, "33.3", NOT_ACHIEVED, ["mixed-period"]),
    # ①② numbered, units repeated after the R5 values: 231,500/250,000 = 92.6; 6,120/8,500 = 72.0
    ("観光入込客数", "人", "250000", ("180200", "214800", "231500"),
     UP, ANNUAL, "92.6", NEARLY, []),
    ("観光客一人当たりの観光消費額", "円/人", "8500", ("5400", "5980", "6120"),
     UP, LEVEL, "72.0", NOT_ACHIEVED, []),
    # compound values under one shared unit 人: 312,400/300,000 = 104.1; 118,900/120,000 = 99.1
    ("道の駅来場者数", "人", "300000", ("251300", "288700", "312400"),
     UP, ANNUAL, "104.1", ACHIEVED, []),
    ("レジ通過者数", "人", "120000", ("101200", "112650", "118900"),
     UP, ANNUAL, "99.1", NEARLY, []),
    # ● bullets, the first wrapped over two lines, R3 `-` shared: 12,480/12,000 = 104.0;
    # 1,460/1,500 = 97.3
    ("子育て支援センター利用者数", "人", "12000", ("-", "10850", "12480"),
     UP, ANNUAL, "104.0", ACHIEVED, []),
    ("一時預かり利用児童数", "人", "1500", ("-", "1320", "1460"), UP, ANNUAL, "97.3", NEARLY, []),
    # `58.2%`, `61.1%` under %: 61.1/65 = 94.0
    ("子育て環境に満足している保護者の割合", "%", "65", ("-", "58.2", "61.1"),
     UP, LEVEL, "94.0", NEARLY, []),
]  # fmt: skip


def _actual(text: str) -> Actual:
    return M(text) if text == "-" else V(text)


@pytest.mark.parametrize(
    (
        "indicator",
        "unit",
        "target",
        "actuals",
        "direction",
        "aggregation",
        "rate",
        "status",
        "flags",
    ),
    MULTI_KPIS,
)
def test_multi_file_kpis_value_by_value(
    indicator: str,
    unit: str,
    target: str,
    actuals: tuple[str, str, str],
    direction: Direction,
    aggregation: Aggregation,
    rate: str,
    status: Status,
    flags: list[str],
) -> None:
    result = results_of(load(MULTI))[indicator]
    published = dict(zip((2021, 2022, 2023), map(_actual, actuals), strict=True))
    check_kpi(result.kpi, unit=unit, target=target, actuals=published)
    assert result.direction.value is direction
    assert result.aggregation.value is aggregation
    assert result.kpi.aggregation_override is None
    check_result(result, rate, status)
    assert [f.code for f in result.kpi.reader_flags] == flags


def test_every_kpi_of_the_multi_file_is_tested() -> None:
    assert [k.indicator for k in load(MULTI).kpis] == [row[0] for row in MULTI_KPIS]


def test_kpis_of_one_row_keep_the_row_as_their_line() -> None:
    """Both KPIs of a bullet row are located on the line the row starts on (line 8 of the
    file; its quoted cells run over two lines, so the next row is on line 15)."""
    lines = {k.indicator: k.line for k in load(MULTI).kpis}
    assert lines["移住相談件数"] == lines["移住者数"] == 8
    assert lines["空き家バンク登録・成約件数"] == 15


def test_mixed_period_flag_names_the_cells() -> None:
    (flag,) = results_of(load(MULTI))["新規創業者数"].kpi.reader_flags
    assert flag.message_ja.startswith(
        "17行目の値に「累計」（目標値、R3年度、R4年度）と「年間」（R5年度）"
    )
    assert "目標と実績の数え方が同じか確かめてください" in flag.message_ja
    assert flag.message_en.startswith(
        "line 17 mixes 累計 (cumulative: 目標値, R3年度, R4年度) and 年間 (annual: R5年度)"
    )


# --- 3. refusals -------------------------------------------------------------------------------


def test_three_bullets_in_the_indicator_and_two_in_an_actual() -> None:
    (problem,) = refused(
        table(
            [
                "移住促進事業",
                "・移住相談件数\n・移住者数\n・定住者数",
                "・120\n・30\n・10",
                "人",
                "R6.3",
                "-",
                "・135\n・24",
            ]
        )
    )
    assert where(problem) == ("kpi-count-mismatch", 3, 7, "R5年度")
    assert problem.message_ja == (
        "「R5年度」の「・135 ・24」は2項目ですが、この行の「指標」は3項目です"
        "（1つのセルに複数のKPIを書くときは、各セルに同じ数だけ「・」や改行で区切って書いてください）"
    )
    assert problem.message_en == (
        "the cell 'R5年度' holds 2 item(s) ('・135 ・24') where the row's '指標' holds 3: write"
        " one item per KPI in every cell (with ・ or line breaks)"
    )


def test_every_cell_that_disagrees_is_told() -> None:
    problems = refused(
        table(
            [
                "移住促進事業",
                "・移住相談件数\n・移住者数",
                "120",
                "・件\n・人\n・人",
                "R6.3",
                "110",
                "・135\n・24",
            ]
        )
    )
    assert [where(p) for p in problems] == [
        ("kpi-count-mismatch", 3, 3, "目標値"),
        ("kpi-count-mismatch", 3, 6, "R4年度"),
        ("kpi-count-mismatch", 3, 4, "単位"),
    ]
    assert "「120」は1項目ですが、この行の「指標」は2項目です" in problems[0].message_ja


def test_values_in_bullets_under_a_single_indicator() -> None:
    (problem,) = refused(
        table(["移住促進事業", "移住・定住相談件数", "・120\n・30", "件", "R6.3", "-", "-"])
    )
    assert where(problem) == ("kpi-count-mismatch", 3, 3, "目標値")
    assert "「・120 ・30」は2項目ですが、この行の「指標」は1項目です" in problem.message_ja


def test_compound_values_under_an_indicator_without_parts() -> None:
    (problem,) = refused(
        table(["創業支援事業", "創業セミナー参加者数", "12・300", "回・人", "R6.3", "-", "12・285"])
    )
    assert where(problem) == ("kpi-count-mismatch", 3, 2, "指標")
    assert problem.message_ja.startswith(
        "「指標」の「創業セミナー参加者数」は1項目ですが、この行の「目標値」は2項目です"
    )
    assert "the cell '指標' holds 1 item(s)" in problem.message_en


def test_a_single_actual_beside_compound_values() -> None:
    (problem,) = refused(
        table(["創業支援事業", "開催回数・参加者数", "12・300", "回・人", "R6.3", "-", "285"])
    )
    assert where(problem) == ("kpi-count-mismatch", 3, 7, "R5年度")


def test_a_name_with_more_parts_than_values_is_ambiguous() -> None:
    (problem,) = refused(
        table(
            [
                "移住促進事業",
                "移住・定住相談件数・移住者数",
                "120・30",
                "件・人",
                "R6.3",
                "110・20",
                "135・24",
            ]
        )
    )
    assert where(problem) == ("ambiguous-kpi-split", 3, 2, "指標")
    assert problem.message_ja == (
        "指標「移住・定住相談件数・移住者数」は「・」で分けると3つ（移住／定住相談件数／移住者数）"
        "ですが、値は2つです。「・」が名前の中にもあり、どこで分けるか決められません"
        "（指標ごとに改行するか、行を分けてください）"
    )
    assert problem.message_en == (
        "the indicator '移住・定住相談件数・移住者数' splits at ・ into 3 names"
        " (移住 / 定住相談件数 / 移住者数) but there are 2 values: ・ is also inside a name, so"
        " where to split cannot be told (put each indicator on its own line or row)"
    )


def test_bullets_joined_on_one_line_with_a_name_holding_a_middle_dot_are_ambiguous() -> None:
    """A PDF joins the lines of a cell: `・移住・定住相談件数・移住者数` could be 2 or 3 KPIs."""
    (problem,) = refused(
        table(
            [
                "移住促進事業",
                "・移住・定住相談件数・移住者数",
                "・120・30",
                "・件・人",
                "R6.3",
                "-",
                "・135・24",
            ]
        )
    )
    assert where(problem) == ("ambiguous-kpi-split", 3, 2, "指標")
    assert (
        "は「・」で分けると3つ（移住／定住相談件数／移住者数）ですが、値は2つです"
        in problem.message_ja
    )


def test_bullets_numbered_differently() -> None:
    (problem,) = refused(
        table(
            [
                "観光振興事業",
                "①入込客数\n②宿泊者数",
                "①250,000\n②40,000",
                "人",
                "R6.3",
                "-",
                "②38,200\n①231,500",
            ]
        )
    )
    assert where(problem) == ("ambiguous-kpi-split", 3, 7, "R5年度")
    assert problem.message_ja == (
        "「R5年度」の番号（②①）が「指標」の番号（①②）と違い、どの値がどの指標のものか決められません"
    )
    assert problem.message_en == (
        "'R5年度' is numbered ②① but '指標' ①②: which value belongs to which indicator cannot be"
        " told"
    )


def test_a_value_whose_unit_belongs_to_the_other_kpi() -> None:
    """`135人` under 件 is a flag in a row of one KPI; in a row of several it says the values
    may be in another order than the indicators: a problem."""
    problems = refused(
        table(
            [
                "移住促進事業",
                "・移住相談件数\n・移住者数",
                "・120\n・30",
                "・件\n・人",
                "R6.3",
                "-",
                "・24人\n・135件",
            ]
        )
    )
    assert [where(p) for p in problems] == [
        ("ambiguous-kpi-split", 3, 7, "R5年度"),
        ("ambiguous-kpi-split", 3, 7, "R5年度"),
    ]
    assert problems[0].message_ja == (
        "指標「移住相談件数」の値「24人」の単位「人」が、この指標の単位「件」と違います。"
        "1つのセルに複数のKPIがある行で、どの値がどの指標のものか確かめられません"
    )
    assert problems[0].message_en == (
        "the value '24人' of '移住相談件数' has the unit '人', not the KPI's unit '件': in a row"
        " holding several KPIs, which value belongs to which indicator cannot be told"
    )


def test_a_single_grade_for_several_kpis_is_refused() -> None:
    text = (
        "## 令和5年度 試験市 効果検証結果\n事業の名称\t指標\t目標値\t単位\t目標年月\tR5年度\t評価\n"
        '移住促進事業\t"・移住相談件数\n・移住者数"\t"・120\n・30"\t"・件\n・人"\tR6.3\t"・135\n・24"\tA\n'
    )
    (problem,) = refused(text)
    assert where(problem) == ("kpi-count-mismatch", 3, 7, "評価")


def test_a_refused_row_adds_no_kpi_but_the_others_are_checked() -> None:
    problems = refused(
        table(
            [
                "移住促進事業",
                "・移住相談件数\n・移住者数",
                "・120\n・30",
                "件",
                "R6.3",
                "-",
                "・135",
            ],
            ["", "移住者数", "三十", "人", "R6.3", "-", "24"],
        )
    )
    assert [p.code for p in problems] == ["kpi-count-mismatch", "bad-number"]


# --- 4. what is read, and what stays one KPI -------------------------------------------------


@pytest.mark.parametrize(
    ("indicator", "unit"),
    [
        ("移住・定住相談件数", "件"),
        ("MOOワークスペース等施設を継続的に利用する企業数(社・団体)", "社・団体"),
    ],
)
def test_a_middle_dot_in_a_name_with_one_number_is_one_kpi(indicator: str, unit: str) -> None:
    (kpi,) = parse(table(["移住促進事業", indicator, "2", unit, "R6.3", "1", "3"])).kpis
    assert (kpi.indicator, kpi.unit, kpi.target) == (indicator, unit, Decimal(2))
    assert kpi.actuals == {2022: V("1"), 2023: V("3")}


@pytest.mark.parametrize(
    ("indicator", "target", "actual"),
    [
        (
            "・移住相談件数 ・移住者数",
            "・120 ・30",
            "・135 ・24",
        ),  # one line, a space before each mark
        ("・移住相談件数・移住者数", "・120・30", "・135・24"),  # as a PDF joins a cell's lines
        ("・移住相談件数\\n・移住者数", "・120\\n・30", "・135\\n・24"),  # literal \n of an export
        ("●移住相談件数\n●移住者数", "●120\n●30", "●135\n●24"),
        ("○移住相談件数\n○移住者数", "120・30", "135・24"),  # bullets beside compound values
        ("①移住相談件数②移住者数", "①120②30", "①135②24"),
        ("■移住相談\n　件数\n■移住者数", "■120\n■30", "■135\n■24"),  # a wrapped item
    ],
)
def test_ways_of_writing_two_kpis_in_a_row(indicator: str, target: str, actual: str) -> None:
    report = parse(table(["移住促進事業", indicator, target, "・件\n・人", "R6.3", "-", actual]))
    assert [(k.indicator, k.unit, k.target, k.actuals) for k in report.kpis] == [
        ("移住相談件数", "件", Decimal(120), {2022: M("-"), 2023: V("135")}),
        ("移住者数", "人", Decimal(30), {2022: M("-"), 2023: V("24")}),
    ]


def test_shared_cells_and_a_note_in_bullets_of_another_count() -> None:
    text = (
        "## 令和5年度 試験市 効果検証結果\n事業の名称\t指標\t目標値\t単位\t目標年月\tR5年度\t備考\n"
        '移住促進事業\t"・移住相談件数\n・移住者数"\t"・120\n・30"\t・件\tR7.3\t"・135\n・24"'
        '\t"・R5から窓口を拡充\n・オンライン相談を含む\n・速報値"\n'
    )
    first, second = parse(text).kpis
    assert (first.unit, second.unit) == ("件", "件")  # one unit, its mark dropped, shared
    assert first.target_date == second.target_date
    assert first.note == second.note == "・R5から窓口を拡充\n・オンライン相談を含む\n・速報値"


def test_the_same_indicator_twice_in_one_cell_is_a_duplicate() -> None:
    problems = refused(
        table(
            [
                "移住促進事業",
                "・移住者数\n・移住者数",
                "・30\n・30",
                "人",
                "R6.3",
                "-",
                "・24\n・24",
            ]
        )
    )
    assert [where(p) for p in problems] == [("duplicate-indicator", 3, 2, "指標")]


def test_compound_values_with_a_period_word_and_a_missing_part() -> None:
    (first, second) = parse(
        table(
            ["創業支援事業", "開催回数・参加者数", "12・300", "回・人", "R6.3", "10・-", "12・285"]
        )
    ).kpis
    assert (first.indicator, first.actuals) == ("開催回数", {2022: V("10"), 2023: V("12")})
    assert (second.indicator, second.actuals) == ("参加者数", {2022: M("-"), 2023: V("285")})


def test_cell_splitters() -> None:
    items = bullets("・移住・定住相談件数\n・移住者数")
    assert items is not None and items.texts == ["移住・定住相談件数", "移住者数"]
    assert not items.inline and items.numbers is None
    numbered = bullets("①入込客数\n②宿泊者数")
    assert numbered is not None and numbered.numbers == [1, 2]
    assert bullets("・移住者数") is None  # one item: no list
    assert bullets("○") is None and bullets("◎") is None  # a grade
    assert bullets("移住・定住相談件数") is None
    assert compound_numbers("200・4,000") == ["200", "4,000"]
    assert compound_numbers("累計 5・累計 120") == ["累計 5", "累計 120"]
    assert compound_numbers("1,200") is None
    assert compound_numbers("-・-") is None  # no value at all
    assert compound_numbers("社・団体") is None
