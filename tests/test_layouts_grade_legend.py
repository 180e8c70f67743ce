"""A published grade read by the report's own legend (survey gap 12, s06): core.grades, on
tests/data/layouts/40_grade_legend_baseline.txt and 41_grade_legend_symbols.txt.

Every expected value was worked out BY HAND from the files and EVALUATION.md (report year
R5年度 = FY2023; with a baseline the rate is (a − b)/(t − b) × 100, without a/t × 100, one
decimal, ROUND_HALF_UP; achieved when a meets t, nearly_achieved when the rate ≥ 80).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from kpiledger.core.evaluate import KpiResult, Status, evaluate_report
from kpiledger.core.grades import (
    BELOW_TARGET,
    MET,
    NEARLY,
    NOT_MET,
    Legend,
    legend_meaning,
    read_grade,
    read_legend,
)
from kpiledger.io.readers.text import read

LAYOUTS = Path(__file__).resolve().parent / "data" / "layouts"
SURVEY = Path(__file__).resolve().parent / "data" / "survey"
BASELINE = "40_grade_legend_baseline.txt"
SYMBOLS = "41_grade_legend_symbols.txt"


def results(path: Path, nearly: int = 80) -> dict[str, KpiResult]:
    report = evaluate_report(read(path), nearly=Decimal(nearly))
    return {r.kpi.indicator: r for r in report.kpis}


def mismatches(result: KpiResult) -> list[str]:
    return [f.message_ja for f in result.flags if f.code == "grade-mismatch"]


def grades_kept(result: KpiResult) -> list[str]:
    return [f.message_ja for f in result.flags if f.code == "published-grade"]


# --- 1. reading the legend from the notes -----------------------------------------------------

LEGENDS = [
    (  # 長与町 (s06): full-width colons, full-width spaces, a dash grade
        [
            "※評価 S：目標値を上回った　A：基準値を上回った　B：基準値と同水準　C：基準値を下回った"
            "　－：測定できない"
        ],
        {
            "S": "目標値を上回った",
            "A": "基準値を上回った",
            "B": "基準値と同水準",
            "C": "基準値を下回った",
            "-": "測定できない",
        },
    ),
    (  # 達成状況 with marks
        ["※達成状況　◎：目標達成　○：80%以上　△：50%以上80%未満　×：50%未満"],
        {"◎": "目標達成", "○": "80%以上", "△": "50%以上80%未満", "×": "50%未満"},
    ),
    (  # several grades sharing one description, in brackets, separated by 、
        ["※ 評価は町の基準による（A・◎：達成、B・○：概ね達成、C・△・×：未達成）。"],
        {
            "A": "達成",
            "◎": "達成",
            "B": "概ね達成",
            "○": "概ね達成",
            "C": "未達成",
            "△": "未達成",
            "×": "未達成",
        },
    ),
    (  # one legend over two note lines, the second without ※
        [
            "※評価　S：目標値を上回った　A：基準値を上回った",
            "　　　B：基準値と同水準（±10%以内）　C：基準値を下回った",
        ],
        {
            "S": "目標値を上回った",
            "A": "基準値を上回った",
            "B": "基準値と同水準(±10%以内)",
            "C": "基準値を下回った",
        },
    ),
    (  # `…` as the separator, one grade a note, an unrelated note after it
        [
            "※◎…目標を達成",
            "※○…目標値と同水準",
            "※△…目標を下回った",
            "※×…進捗なし",
            "※出典：町統計書",
        ],
        {"◎": "目標を達成", "○": "目標値と同水準", "△": "目標を下回った", "×": "進捗なし"},
    ),
    (  # two legends in one note: the second note text is not part of C's description
        ["※評価 A：目標達成 B：目標の80%以上 C：目標の80%未満 ※達成率は実績値÷目標値"],
        {"A": "目標達成", "B": "目標の80%以上", "C": "目標の80%未満"},
    ),
    (  # 杵築市: half-width colons, full-width letters, 8割
        ["注）評価基準　Ａ:目標値以上　Ｂ:目標値の8割以上　Ｃ:目標値の8割未満　Ｄ:実績なし"],
        {"A": "目標値以上", "B": "目標値の8割以上", "C": "目標値の8割未満", "D": "実績なし"},
    ),
    (  # status words as grades, `＝`
        ["※達成＝目標値に到達、概ね達成＝目標値の90%以上、未達成＝目標値の90%未満"],
        {"達成": "目標値に到達", "概ね達成": "目標値の90%以上", "未達成": "目標値の90%未満"},
    ),
    (  # one legend for two grade columns, the same meaning twice: kept once
        ["※評価 A：目標達成 B：概ね達成", "※判定 A：目標達成 C：未達成"],
        {"A": "目標達成", "B": "概ね達成", "C": "未達成"},
    ),
]


@pytest.mark.parametrize(("notes", "entries"), LEGENDS, ids=[str(i) for i in range(len(LEGENDS))])
def test_read_legend(notes: list[str], entries: dict[str, str]):
    assert read_legend(notes) == Legend(entries)


@pytest.mark.parametrize(
    "notes",
    [
        [],
        ["※基準値は令和元年度の実績値"],
        ["※出典：住民基本台帳", "※R5年度は速報値"],
        ["※A：達成"],  # one pair alone is no legend
        ["※達成率（%）＝実績値÷目標値×100"],
    ],
)
def test_no_legend(notes: list[str]):
    assert read_legend(notes) is None


def test_a_grade_described_twice_differently_is_left_out():
    legend = read_legend(["※評価 A：目標達成 B：概ね達成", "※判定 A：基準値を上回った C：未達成"])
    assert legend == Legend({"B": "概ね達成", "C": "未達成"})


# --- 2. what a description means ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("description", "at_80", "at_90"),
    [
        ("目標値を上回った", MET, MET),
        ("目標達成", MET, MET),
        ("目標値以上", MET, MET),
        ("100%以上", MET, MET),
        ("概ね達成", NEARLY, NEARLY),
        ("目標の80%以上", NEARLY, None),  # at 90 the band [80, 100) straddles two statuses
        ("目標値の8割以上", NEARLY, None),
        ("90%以上100%未満", NEARLY, NEARLY),
        ("50%以上80%未満", NOT_MET, NOT_MET),
        ("50%未満", NOT_MET, NOT_MET),
        ("未達成", NOT_MET, NOT_MET),
        ("目標を下回った", NOT_MET, NOT_MET),
        ("基準値を上回った", None, None),
        ("基準値と同水準(±10%以内)", None, None),
        ("基準値の110%以上", None, None),
        ("前年度を上回った", None, None),
        ("目標値と同水準", None, None),
        ("測定できない", None, None),
        ("把握できない", None, None),
        ("進捗なし", None, None),
        ("順調に推移", None, None),
    ],
)
def test_legend_meaning(description: str, at_80: object, at_90: object):
    assert legend_meaning(description, Decimal(80)) == at_80
    assert legend_meaning(description, Decimal(90)) == at_90


def test_below_the_target_in_a_scale_without_a_nearly_grade_allows_both():
    legend = read_legend(["※◎：目標を達成　△：目標を下回った　×：進捗なし"])
    assert legend is not None and not legend.has_nearly
    reading = read_grade("△", legend, Decimal(80))
    assert reading is not None and reading.meaning == BELOW_TARGET


def test_letters_outside_the_legend_are_not_compared_words_are():
    legend = read_legend(["※◎：目標達成　○：80%以上　△：80%未満"])
    assert read_grade("A", legend, Decimal(80)) is None
    assert read_grade("S", legend, Decimal(80)) is None
    reading = read_grade("未達成", legend, Decimal(80))
    assert reading is not None and reading.meaning == NOT_MET
    assumed = read_grade("A", None, Decimal(80))
    assert assumed is not None and assumed.meaning == MET
    assert assumed.ja_tail == "（凡例がないため、Aを達成とみなして比較）"


# --- 3. 40: a scale relative to the baseline (長与町, s06) -----------------------------------

# (indicator, status, rate, published grade, grade-mismatch messages) — by hand:
BASELINE_CASES = [
    # (64 − 40)/(60 − 40) = 120.0 achieved; S = 目標値を上回った: agrees.
    ("移住者数", Status.ACHIEVED, "120.0", "S", []),
    # (30 − 20)/(40 − 20) = 50.0; A = 基準値を上回った: not comparable (was a false mismatch).
    ("空き家バンク登録件数", Status.NOT_ACHIEVED, "50.0", "A", []),
    # (140 − 100)/(150 − 100) = 80.0 nearly; S says above the target: a real mismatch.
    (
        "移住相談件数",
        Status.NEARLY_ACHIEVED,
        "80.0",
        "S",
        ["公表された評価「S」（凡例「目標値を上回った」）と再計算の状況「概ね達成」が異なります"],
    ),
    # (5 − 5)/(10 − 5) = 0.0; B = 基準値と同水準: not comparable (was a false mismatch).
    ("新規就農者数", Status.NOT_ACHIEVED, "0.0", "B", []),
    # (98 − 120)/(150 − 120) = −73.3; C = 基準値を下回った: not comparable.
    ("農産物直売所の販売額", Status.NOT_ACHIEVED, "-73.3", "C", []),
    # (52 − 40)/(50 − 40) = 120.0; A = above the baseline: not comparable.
    ("特定健診受診率", Status.ACHIEVED, "120.0", "A", []),
    # (380 − 300)/(400 − 300) = 80.0 nearly; D is not in the legend: not compared (before: D =
    # 未達成 gave a mismatch).
    ("健康教室参加者数", Status.NEARLY_ACHIEVED, "80.0", "D", []),
]


@pytest.mark.parametrize(
    ("indicator", "status", "rate", "grade", "expected"),
    BASELINE_CASES,
    ids=[case[0] for case in BASELINE_CASES],
)
def test_baseline_scale(indicator: str, status: Status, rate: str, grade: str, expected: list[str]):
    result = results(LAYOUTS / BASELINE)[indicator]
    assert result.status is status
    assert result.achievement_rate == Decimal(rate)
    assert grades_kept(result) == [f"公表された評価「{grade}」"]
    assert mismatches(result) == expected


def test_baseline_scale_file():
    report = read(LAYOUTS / BASELINE)
    assert report.fiscal_year == 2023
    assert [(p.name, len(p.kpis)) for p in report.projects] == [
        ("長与町移住定住推進事業", 3),
        ("長与町農業振興事業", 3),
        ("長与町健康づくり推進事業", 3),
    ]
    judged = results(LAYOUTS / BASELINE)
    # `－` is no grade (測定できない); R5 is no value: no_data, nothing compared.
    assert judged["地産地消推進店の数"].status is Status.NO_DATA
    assert grades_kept(judged["地産地消推進店の数"]) == []
    # R7年度 not yet due: (11,000 − 10,000)/(12,000 − 10,000) = 50.0 interim, kept, not compared.
    assert judged["スポーツ施設利用者数"].status is Status.NOT_DUE
    assert grades_kept(judged["スポーツ施設利用者数"]) == ["公表された評価「A」"]
    assert mismatches(judged["スポーツ施設利用者数"]) == []


def test_the_survey_file_has_no_false_mismatch():
    judged = results(SURVEY / "s06_grades_vs_baseline.txt")
    assert [r.kpi.indicator for r in judged.values() if mismatches(r)] == []
    assert [g for r in judged.values() for g in grades_kept(r)] == [
        f"公表された評価「{g}」" for g in ("S", "A", "B", "C")
    ]


# --- 4. 41: marks with a legend whose ○ is 80%以上 --------------------------------------------

SYMBOL_CASES = [
    # 520,000/500,000 = 104.0 achieved; ◎ = 目標達成: agrees.
    ("観光入込客数", Status.ACHIEVED, "104.0", "◎", []),
    # 17,000/20,000 = 85.0 nearly; ○ = 目標の80%以上: agrees.
    ("観光案内所利用者数", Status.NEARLY_ACHIEVED, "85.0", "○", []),
    # 1,050/1,000 = 105.0 achieved; ○ means below the target: mismatch.
    (
        "体験プログラム参加者数",
        Status.ACHIEVED,
        "105.0",
        "○",
        ["公表された評価「○」（凡例「目標の80%以上」）と再計算の状況「達成」が異なります"],
    ),
    # 130/200 = 65.0; △ = 50%以上80%未満: agrees.
    ("移住相談件数", Status.NOT_ACHIEVED, "65.0", "△", []),
    # 42/50 = 84.0 nearly; △ says below 80: mismatch.
    (
        "移住者数",
        Status.NEARLY_ACHIEVED,
        "84.0",
        "△",
        ["公表された評価「△」（凡例「50%以上80%未満」）と再計算の状況「概ね達成」が異なります"],
    ),
    # 8/20 = 40.0; × = 50%未満: agrees.
    ("お試し住宅利用組数", Status.NOT_ACHIEVED, "40.0", "×", []),
    # 6/10 = 60.0 not achieved; × (50%未満) is 未達成 too: statuses are compared, not the
    # legend's finer bands, so no flag.
    ("空き家バンク成約件数", Status.NOT_ACHIEVED, "60.0", "×", []),
    # 3/5 = 60.0; A is not in this legend: not compared (before: A = 達成, a mismatch).
    ("地域おこし協力隊の定着者数", Status.NOT_ACHIEVED, "60.0", "A", []),
]


@pytest.mark.parametrize(
    ("indicator", "status", "rate", "grade", "expected"),
    SYMBOL_CASES,
    ids=[case[0] for case in SYMBOL_CASES],
)
def test_symbol_scale(indicator: str, status: Status, rate: str, grade: str, expected: list[str]):
    result = results(LAYOUTS / SYMBOLS)[indicator]
    assert result.status is status
    assert result.achievement_rate == Decimal(rate)
    assert grades_kept(result) == [f"公表された評価「{grade}」"]
    assert mismatches(result) == expected


def test_symbol_scale_legend_over_two_lines():
    report = read(LAYOUTS / SYMBOLS)
    assert len(report.notes) == 2
    legend = read_legend(report.notes)
    assert legend == Legend(
        {"◎": "目標達成", "○": "目標の80%以上", "△": "50%以上80%未満", "×": "50%未満"}
    )


def test_symbol_scale_at_a_threshold_of_90():
    # ○ (80%以上) straddles 90: not compared; △ (50–80 %) is 未達成 at 90 as 84.0 is: agrees.
    judged = results(LAYOUTS / SYMBOLS, nearly=90)
    assert judged["観光案内所利用者数"].status is Status.NOT_ACHIEVED
    assert judged["移住者数"].status is Status.NOT_ACHIEVED
    assert [r.kpi.indicator for r in judged.values() if mismatches(r)] == []


def test_english_message_with_a_legend():
    result = results(LAYOUTS / SYMBOLS)["移住者数"]
    assert [f.message_en for f in result.flags if f.code == "grade-mismatch"] == [
        "published grade '△' (legend '50%以上80%未満') differs from the recomputed status"
        " 'nearly achieved'"
    ]
