"""Published grades (評価 / 達成状況 / 達成度 / 判定) and targets written inside the indicator
(issue 8, item 5), on tests/data/layouts/24_published_grades.txt and 25_target_in_indicator.txt.

Every expected value was worked out BY HAND from the files and EVALUATION.md (report year
R5年度 = FY2023; 年月 R6.3 → FY2023; rate a/t×100 for increase, t/a×100 for decrease, one
decimal, ROUND_HALF_UP; achieved when a meets t, nearly_achieved when the rate ≥ 80).

The file prints its legend (`A・◎：達成、B・○：概ね達成、C・△・×：未達成`), so its
letters and marks are read by it (core.grades) and a mismatch quotes it
(`（凡例「概ね達成」）`; before the legend was read the message said `（概ね達成とみなす）` —
changed deliberately). Status words (`達成済み`, `概ね達成`, `未達成`) mean what they say;
anything else (`S`) is kept, not compared. Without a legend, the common reading
(core.quality.GRADE_MEANINGS) is assumed, and the message says so.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from kpiledger.core.era import YearMonth
from kpiledger.core.errors import ReportError
from kpiledger.core.evaluate import KpiResult, Status, evaluate_report
from kpiledger.core.model import Actual, Direction, Flag, Kpi, Section
from kpiledger.core.quality import grade_flag, grade_meaning, grade_mismatch, published_grade
from kpiledger.io.readers.cells import split_target
from kpiledger.io.readers.layout import Role, heading_roles
from kpiledger.io.readers.text import parse, read

LAYOUTS = Path(__file__).resolve().parent / "data" / "layouts"
MARCH_2024 = YearMonth(2024, 3)


def D(text: str) -> Decimal:
    return Decimal(text)


def V(text: str) -> Actual:
    return Actual(Decimal(text), None)


def results(name: str) -> dict[str, KpiResult]:
    return {r.kpi.indicator: r for r in evaluate_report(read(LAYOUTS / name)).kpis}


def flags(result: KpiResult) -> list[tuple[str, str]]:
    return [(f.code, f.message_ja) for f in result.flags]


def grade(text: str) -> tuple[str, str]:
    return ("published-grade", f"公表された評価「{text}」")


def mismatch(text: str) -> tuple[str, str]:
    return ("grade-mismatch", text)


# --- 1. published grades ----------------------------------------------------------------------

GRADES = "24_published_grades.txt"


def test_grades_file_projects_and_sections():
    report = read(LAYOUTS / GRADES)
    assert report.fiscal_year == 2023
    assert report.year_columns == [2021, 2022, 2023]
    assert [(p.name, p.section, p.grant) for p in report.projects] == [
        ("西川町観光振興事業", Section.TARGET, "地方創生推進交付金"),
        ("西川町子育て支援事業", Section.TARGET, "地方創生推進交付金"),
        ("西川町交流センター整備事業", Section.RELATED, "地方創生拠点整備交付金"),
    ]
    assert [len(p.kpis) for p in report.projects] == [5, 6, 3]
    assert report.notes == [
        "※ 評価は町の基準による（A・◎：達成、B・○：概ね達成、C・△・×：未達成）。"
    ]


# (indicator, target, unit, R5 actual, rate, status, flags) — worked by hand:
GRADE_CASES = [
    # 510,000 ≥ 500,000: achieved; 510000/500000 = 102.0; ◎ = achieved: agrees.
    ("観光入込客数", "500000", "人", "510000", "102.0", Status.ACHIEVED, [grade("◎")]),
    # 100/120 = 83.33… → 83.3 ≥ 80: nearly; Ｂ (full-width) = nearly: agrees.
    ("移住相談件数", "120", "件", "100", "83.3", Status.NEARLY_ACHIEVED, [grade("Ｂ")]),
    # 21 ≥ 20: achieved, 105.0; B = nearly: differs.
    (
        "町の支援による創業件数",
        "20",
        "件",
        "21",
        "105.0",
        Status.ACHIEVED,
        [
            grade("B"),
            mismatch("公表された評価「B」（凡例「概ね達成」）と再計算の状況「達成」が異なります"),
        ],
    ),
    # 2,300/3,000 = 76.66… → 76.7 < 80: not achieved; 概ね達成 differs (no "とみなす": the word).
    (
        "ふるさと納税寄附件数",
        "3000",
        "件",
        "2300",
        "76.7",
        Status.NOT_ACHIEVED,
        [
            grade("概ね達成"),
            mismatch("公表された評価「概ね達成」と再計算の状況「未達成」が異なります"),
        ],
    ),
    # 5/10 = 50.0: not achieved; × = not achieved: agrees.
    ("空き家バンク成約件数", "10", "件", "5", "50.0", Status.NOT_ACHIEVED, [grade("×")]),
    # 待機児童 is lower-is-better: 0 ≤ 0 achieved, a = 0 → 100.0; 達成済み = achieved.
    ("待機児童数", "0", "人", "0", "100.0", Status.ACHIEVED, [grade("達成済み")]),
    # 88/90 = 97.77… → 97.8: nearly; 未達成 differs.
    (
        "保育所利用者の満足度",
        "90",
        "%",
        "88",
        "97.8",
        Status.NEARLY_ACHIEVED,
        [
            grade("未達成"),
            mismatch("公表された評価「未達成」と再計算の状況「概ね達成」が異なります"),
        ],
    ),
    # 1,000 ≥ 1,000: achieved; `S` is no grade kpiledger knows: kept, not compared.
    ("地域子育て活動参加者数", "1000", "人", "1000", "100.0", Status.ACHIEVED, [grade("S")]),
    # no grade published (blank): no flag.
    ("子育て相談件数", "150", "件", "130", "86.7", Status.NEARLY_ACHIEVED, []),
    # the 達成度 column of the related section holds grades: A = achieved, 21,000 ≥ 20,000.
    ("交流センター利用者数", "20000", "人", "21000", "105.0", Status.ACHIEVED, [grade("A")]),
    # 20/24 = 83.33… → 83.3: nearly; C = not achieved: differs.
    (
        "交流センターでのイベント開催数",
        "24",
        "回",
        "20",
        "83.3",
        Status.NEARLY_ACHIEVED,
        [
            grade("C"),
            mismatch("公表された評価「C」（凡例「未達成」）と再計算の状況「概ね達成」が異なります"),
        ],
    ),
]


@pytest.mark.parametrize(
    ("indicator", "target", "unit", "actual", "rate", "status", "expected"),
    GRADE_CASES,
    ids=[case[0] for case in GRADE_CASES],
)
def test_published_grade_kept_and_compared(
    indicator: str,
    target: str,
    unit: str,
    actual: str,
    rate: str,
    status: Status,
    expected: list[tuple[str, str]],
):
    result = results(GRADES)[indicator]
    assert result.kpi.target == D(target)
    assert result.kpi.unit == unit
    assert result.kpi.target_date == MARCH_2024
    assert result.kpi.actuals[2023] == V(actual)
    assert result.kpi.published_rate is None
    assert result.judged_year == 2023
    assert result.achievement_rate == D(rate)
    assert result.status is status
    assert flags(result) == expected


def test_a_grade_of_a_kpi_not_yet_due_is_kept_not_compared():
    # 子育て講座参加者数: R8.3 → FY2025, not due in FY2023; 210/300 = 70.0 (interim).
    result = results(GRADES)["子育て講座参加者数"]
    assert result.kpi.target_fiscal_year == 2025
    assert result.status is Status.NOT_DUE
    assert result.achievement_rate == D("70.0")
    assert flags(result) == [grade("△")]


def test_a_no_value_marker_is_no_grade():
    # 乳幼児健診受診率: R5 is `-` (no data) and so is its grade: no published-grade flag.
    result = results(GRADES)["乳幼児健診受診率"]
    assert result.kpi.actuals == {2021: V("50"), 2022: V("52"), 2023: Actual(None, "-")}
    assert result.status is Status.NO_DATA
    assert [code for code, _ in flags(result)] == ["missing-years"]


def test_a_numeric_achievement_degree_is_still_the_published_rate():
    # 交流センター会議室稼働率: 45/50 = 90.0, published 達成度 90.0: a rate, no grade, agrees.
    result = results(GRADES)["交流センター会議室稼働率"]
    assert result.kpi.published_rate == D("90.0")
    assert result.achievement_rate == D("90.0")
    assert result.status is Status.NEARLY_ACHIEVED
    assert flags(result) == []


def test_english_message_of_a_mismatch():
    result = results(GRADES)["町の支援による創業件数"]
    assert [f.message_en for f in result.flags] == [
        "published grade 'B'",
        "published grade 'B' (legend '概ね達成') differs from the recomputed status 'achieved'",
    ]


@pytest.mark.parametrize(
    "heading", ["評価", "達成状況", "判定", "評価結果", "ＫＰＩの達成状況", "達成度評価"]
)
def test_grade_headings(heading: str):
    assert heading_roles(heading) == (Role.GRADE,)


@pytest.mark.parametrize("heading", ["事業の評価", "評価指標", "事業効果", "達成度"])
def test_headings_that_are_no_grade(heading: str):
    assert Role.GRADE not in heading_roles(heading)


@pytest.mark.parametrize(
    ("text", "meaning"),
    [
        ("◎", "achieved"),
        ("Ａ", "achieved"),
        ("達成", "achieved"),
        ("達成済み", "achieved"),
        ("○", "nearly_achieved"),
        ("〇", "nearly_achieved"),
        ("B", "nearly_achieved"),
        ("概ね達成", "nearly_achieved"),
        ("△", "not_achieved"),
        ("×", "not_achieved"),
        ("✕", "not_achieved"),
        ("Ｃ", "not_achieved"),
        ("D", "not_achieved"),
        ("未達成", "not_achieved"),
        ("S", None),
        ("順調", None),
        ("", None),
    ],
)
def test_grade_meanings(text: str, meaning: str | None):
    assert grade_meaning(text) == meaning


def test_the_nearly_threshold_is_a_parameter():
    kpi = Kpi("相談件数", "件", D("100"), MARCH_2024, {2023: V("85")})
    kpi.reader_flags.append(grade_flag("○"))
    assert published_grade(kpi) == "○"
    args = (kpi, 2023, Direction.INCREASE, D("85"), D("85.0"))
    assert grade_mismatch(*args) is None  # 85.0 ≥ 80: nearly, as ○ says
    flag = grade_mismatch(*args, nearly=D("90"))  # 85.0 < 90: not achieved
    # no legend given: the common reading is assumed, and the message says so (changed
    # deliberately from `（概ね達成とみなす）`).
    assert flag == Flag(
        "grade-mismatch",
        "公表された評価「○」と再計算の状況「未達成」が異なります"
        "（凡例がないため、○を概ね達成とみなして比較）",
        "published grade '○' differs from the recomputed status 'not achieved'"
        " (the report prints no legend: '○' taken as nearly achieved)",
    )


# --- 2. the target inside the indicator -------------------------------------------------------

IN_INDICATOR = "25_target_in_indicator.txt"

# (indicator as kept, target, unit, R4, R5, rate, status) — worked by hand:
TARGET_CASES = [
    # `イベント来場者数 6,000人`: 6,100 ≥ 6,000, 6100/6000 = 101.66… → 101.7.
    ("イベント来場者数", "6000", "人", "5200", "6100", "101.7", Status.ACHIEVED),
    # `観光案内所利用者数　70,000人/月` (full-width space): 63,000/70,000 = 90.0.
    ("観光案内所利用者数", "70000", "人/月", "52000", "63000", "90.0", Status.NEARLY_ACHIEVED),
    # `特産品販売額 目標：1,500万円` = 15,000,000円: 13,500,000/15,000,000 = 90.0.
    ("特産品販売額", "15000000", "円", "12000000", "13500000", "90.0", Status.NEARLY_ACHIEVED),
    # `移住者数（目標70人）`: 56/70 = 80.0.
    ("移住者数", "70", "人", "40", "56", "80.0", Status.NEARLY_ACHIEVED),
    # `就業支援セミナー参加者の就職率（目標：60%）`: 63 ≥ 60, 63/60 = 105.0.
    ("就業支援セミナー参加者の就職率", "60", "%", "45", "63", "105.0", Status.ACHIEVED),
]


@pytest.mark.parametrize(
    ("indicator", "target", "unit", "r4", "r5", "rate", "status"),
    TARGET_CASES,
    ids=[case[0] for case in TARGET_CASES],
)
def test_target_read_from_the_indicator(
    indicator: str, target: str, unit: str, r4: str, r5: str, rate: str, status: Status
):
    result = results(IN_INDICATOR)[indicator]
    assert result.kpi.indicator == indicator
    assert result.kpi.target == D(target)
    assert result.kpi.unit == unit
    assert result.kpi.target_date == MARCH_2024
    assert result.kpi.actuals == {2022: V(r4), 2023: V(r5)}
    assert result.achievement_rate == D(rate)
    assert result.status is status
    assert result.flags == []


def test_target_in_indicator_without_unit_and_not_yet_due():
    # `移住体験住宅の利用組数（目標12）`: no unit; R8.3 → FY2025; 5/12 = 41.66… → 41.7 interim.
    result = results(IN_INDICATOR)["移住体験住宅の利用組数"]
    assert (result.kpi.target, result.kpi.unit) == (D("12"), "")
    assert result.kpi.target_fiscal_year == 2025
    assert result.status is Status.NOT_DUE
    assert result.achievement_rate == D("41.7")


def test_target_in_indicator_file_projects():
    report = read(LAYOUTS / IN_INDICATOR)
    assert [(p.name, len(p.kpis)) for p in report.projects] == [
        ("東山村にぎわい創出事業", 3),
        ("東山村移住促進事業", 3),
    ]


@pytest.mark.parametrize(
    ("text", "indicator", "target", "unit"),
    [
        ("イベント来場者数 6,000人", "イベント来場者数", "6000", "人"),
        ("移住者数（目標70人）", "移住者数", "70", "人"),
        ("移住者数(目標:70人)", "移住者数", "70", "人"),
        ("観光客数 70,000人/月", "観光客数", "70000", "人/月"),
        ("寄附額：1億円", "寄附額", "100000000", "円"),
        ("相談件数、目標120件", "相談件数", "120", "件"),
        ("就職率 目標60％", "就職率", "60", "％"),
        ("移住者数【目標 70人】", "移住者数", "70", "人"),
    ],
)
def test_split_target(text: str, indicator: str, target: str, unit: str):
    split = split_target(text)
    assert split is not None
    assert split[0] == indicator
    assert split[1].value == D(target)
    assert (split[1].unit or "") == unit


@pytest.mark.parametrize(
    "text",
    [
        "イベント来場者数",
        "満足度 80%以上",  # a bound, not a clear target
        "事故件数 10件以下",
        "目標年 2030年",  # a year
        "第2期計画の推進 5年度",
        "来場者数 6000",  # a number with no unit and no 目標
        "6,000人",  # no indicator left
        "5G基地局数",
        "3歳児健診受診率",
        "第2期の移住者数",
    ],
)
def test_no_clear_target_at_the_end(text: str):
    assert split_target(text) is None


HEADER = (
    "## 令和5年度地方創生推進交付金事業の実績（南町）\n"
    "事業の名称\t指標\t単位\t年月\tR4年度\tR5年度\n"
)


def test_a_row_without_a_target_in_its_indicator_is_the_missing_column():
    text = (
        HEADER
        + "南町事業\t来場者数 600人\t人\tR6.3\t500\t610\n"
        + "\t満足度\t%\tR6.3\t70\t75\n"
        + "\t参加率 80%以上\t%\tR6.3\t70\t75\n"
    )
    with pytest.raises(ReportError) as caught:
        parse(text)
    problems = [(p.code, p.line, p.message_en) for p in caught.value.problems]
    # told once, at the header, as when the table has no target at all
    assert problems == [("missing-column", 2, "the header has no 'target value' column")]


def test_the_unit_column_beside_a_target_in_the_indicator():
    text = (
        HEADER
        + "南町事業\t来場者数 600人\t人\tR6.3\t500\t610\n"
        + "\t相談件数（目標50）\t件\tR6.3\t30\t45\n"
    )
    kpis = {k.indicator: k for k in parse(text).kpis}
    assert (kpis["来場者数"].target, kpis["来場者数"].unit) == (D("600"), "人")
    assert (kpis["相談件数"].target, kpis["相談件数"].unit) == (D("50"), "件")
    assert kpis["来場者数"].reader_flags == []


def test_a_unit_in_the_indicator_against_the_unit_column_is_flagged():
    text = HEADER + "南町事業\t来場者数 600人\t件\tR6.3\t500\t610\n"
    (kpi,) = parse(text).kpis
    assert [f.code for f in kpi.reader_flags] == ["unit-mismatch"]


def test_a_table_without_target_column_or_date_is_refused_as_before():
    text = (
        "## 令和5年度の実績\n事業の名称\t指標\tR4年度\tR5年度\n南町事業\t来場者数 600人\t500\t610\n"
    )
    with pytest.raises(ReportError) as caught:
        parse(text)
    assert [p.code for p in caught.value.problems] == ["missing-column", "missing-column"]


def test_a_blank_last_grade_may_be_left_out():
    # an export that drops the empty 評価 cell at the end of a row: not a truncated row
    text = (
        "## 令和5年度の実績\n事業の名称\t指標\t指標値\t単位\t年月\tR5年度\t評価\n"
        "南町事業\t来場者数\t600\t人\tR6.3\t610\n\t相談件数\t50\t件\tR6.3\t30\t△\n"
    )
    kpis = {k.indicator: k for k in parse(text).kpis}
    assert kpis["来場者数"].reader_flags == []
    assert kpis["相談件数"].reader_flags == [grade_flag("△")]


def test_a_table_without_target_column_and_rows_is_the_missing_column():
    with pytest.raises(ReportError) as caught:
        parse(HEADER)
    assert [(p.code, p.line) for p in caught.value.problems] == [("missing-column", 2)]


def test_one_indicator_twice_with_its_target_written_differently():
    text = (
        HEADER
        + "南町事業\t来場者数 600人\t人\tR6.3\t500\t610\n"
        + "\t来場者数（目標600人）\t人\tR6.3\t500\t610\n"
    )
    with pytest.raises(ReportError) as caught:
        parse(text)
    assert [(p.code, p.line) for p in caught.value.problems] == [("duplicate-indicator", 4)]


def test_the_grade_is_compared_at_the_evaluations_own_threshold() -> None:
    """A published B (概ね達成) at 85 %: agreed with at the default 80, a mismatch at 90."""
    from tests.factories import make_kpi

    from kpiledger.core.evaluate import evaluate_kpi
    from kpiledger.core.quality import grade_flag

    kpi = make_kpi(100, {2023: 85})
    kpi.reader_flags = [grade_flag("B")]
    at_80 = [f.code for f in evaluate_kpi(kpi, 2023).flags]
    at_90 = [f.code for f in evaluate_kpi(kpi, 2023, nearly=Decimal(90)).flags]
    assert "grade-mismatch" not in at_80
    assert "grade-mismatch" in at_90
