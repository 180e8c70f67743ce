"""Tables grouped by policy (施策名, 具体的な施策) rather than by project, and tables whose KPIs
are split into a row of targets and a row of actuals, on
tests/data/layouts/38_grouped_by_policy.txt and small tables written inline (survey s03, s10,
s11).

Every expected value was worked out BY HAND from the file, EVALUATION.md and docs/evaluation.md
("Reading the table"): the title's 令和5年度 is the report year (FY2023); 目標年度 R5年度 →
2024-03 (due), R6年度 → 2025-03 (not due); 基準年度 R1年度 = FY2019. With a baseline b:
increase (a − b)/(t − b) × 100, decrease (b − a)/(b − t) × 100, one decimal, ROUND_HALF_UP.
Progress (not due): R = CAGR observed / CAGR required from the baseline's year; on track ≥ 0.95,
needs acceleration ≥ 0.60.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.test_text_reader_layouts import (
    LAYOUTS,
    MARCH_2024,
    TARGET,
    V,
    check_kpi,
    check_result,
    flag_codes,
    load,
    located,
    results_of,
)

from kpiledger.core.era import YearMonth
from kpiledger.core.evaluate import Status, evaluate_report
from kpiledger.core.model import Aggregation, Baseline, Direction
from kpiledger.core.progress import Progress
from kpiledger.io.readers.text import parse

FILE = "38_grouped_by_policy.txt"
SURVEY = LAYOUTS.parent / "survey"
MARCH_2025 = YearMonth(2025, 3)
TITLE = "令和5年度 試験市 まち・ひと・しごと創生総合戦略 KPI進捗状況\n"


def test_file_groups_are_read_as_projects() -> None:
    report = load(FILE)
    assert report.fiscal_year == 2023
    assert report.year_columns == [2022, 2023]
    assert [(p.name, p.section, p.grant, len(p.kpis)) for p in report.projects] == [
        ("創業・事業承継の支援", TARGET, None, 2),
        ("移住・定住の促進", TARGET, None, 2),
        ("子育て環境の充実", TARGET, None, 1),
    ]


# (indicator, unit, target, date, baseline, actuals, direction, rate, status, progress)
FILE_KPIS = [
    # not due: (38 − 30)/(40 − 30) = 80.0; CAGR 30 → 38 over 4 years 6.1 % vs 30 → 40 over
    # 5 years 5.9 %: R = 1.03 → on track
    ("市内新規創業件数", "件", "40", MARCH_2025, "30", {2022: V("33"), 2023: V("38")},
     Direction.INCREASE, "80.0", Status.NOT_DUE, Progress.ON_TRACK),
    # (31 − 12)/(30 − 12) = 105.56 → 105.6
    ("事業承継の相談件数", "件", "30", MARCH_2024, "12", {2022: V("24"), 2023: V("31")},
     Direction.INCREASE, "105.6", Status.ACHIEVED, None),
    # not due: (2,260 − 2,100)/(2,400 − 2,100) = 53.33 → 53.3; 1.8 % a year vs 2.7 % needed:
    # R = 0.68 → needs acceleration
    ("転入者数", "人", "2400", MARCH_2025, "2100", {2022: V("2180"), 2023: V("2260")},
     Direction.INCREASE, "53.3", Status.NOT_DUE, Progress.NEEDS_ACCELERATION),
    # (17 − 8)/(20 − 8) = 75.0
    ("空き家バンク成約件数", "件", "20", MARCH_2024, "8", {2022: V("15"), 2023: V("17")},
     Direction.INCREASE, "75.0", Status.NOT_ACHIEVED, None),
    # lower is better: (14 − 0)/(14 − 0) = 100.0
    ("待機児童数", "人", "0", MARCH_2024, "14", {2022: V("3"), 2023: V("0")},
     Direction.DECREASE, "100.0", Status.ACHIEVED, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("indicator", "unit", "target", "date", "baseline", "actuals", "direction", "rate",
     "status", "progress"),
    FILE_KPIS,
    ids=[row[0] for row in FILE_KPIS],
)  # fmt: skip
def test_file_kpis_value_by_value(
    indicator: str,
    unit: str,
    target: str,
    date: YearMonth,
    baseline: str,
    actuals: dict,  # type: ignore[type-arg]
    direction: Direction,
    rate: str,
    status: Status,
    progress: Progress | None,
) -> None:
    result = results_of(load(FILE))[indicator]
    check_kpi(
        result.kpi, unit=unit, target=target, actuals=actuals, date=date,
        fiscal_year=date.fiscal_year, baseline=Baseline(Decimal(baseline), 2019),
    )  # fmt: skip
    assert result.direction.value is direction
    assert result.aggregation.value is Aggregation.ANNUAL
    check_result(result, rate, status, progress=progress, judged_year=2023)
    assert flag_codes(result) == []


def test_file_effects() -> None:
    projects = evaluate_report(load(FILE)).projects
    assert [p.effect_suggestion for p in projects] == [
        "地方創生に効果があった",
        "地方創生に効果があった",  # 空き家バンク成約件数 is better than its baseline
        "地方創生に非常に効果的であった",
    ]


GROUPED = "\t指標\t指標値\t単位\t年月\tR5年度\n"


@pytest.mark.parametrize("heading", ["施策名", "具体的な施策", "具体的施策"])
def test_policy_headings_read_as_the_grouping(heading: str) -> None:
    report = parse(TITLE + heading + GROUPED + "移住の促進\t移住者数\t30\t人\tR6.3\t31\n")
    assert [(p.name, [k.indicator for k in p.kpis]) for p in report.projects] == [
        ("移住の促進", ["移住者数"])
    ]


def test_a_table_with_both_keeps_the_project_name() -> None:
    """施策名 beside 事業名: the project is the name, the policy column is not read."""
    text = TITLE + (
        "施策名\t事業名\t指標\t指標値\t単位\t年月\tR5年度\n"
        "移住の促進\t試験市移住促進事業\t移住者数\t30\t人\tR6.3\t31\n"
    )
    (project,) = parse(text).projects
    assert project.name == "試験市移住促進事業"


# --- refused -----------------------------------------------------------------------------------


problems_of = located  # (code, line, column, field, ja, en)


def test_a_table_grouped_by_shisaku_names_what_is_missing() -> None:
    """s03: grouped by 施策 (which may be a theme over several projects): not read, and the
    message names the missing column and the headings found, not "not a KPI report"."""
    text = (SURVEY / "s03_genjouchi_latest_value.txt").read_text(encoding="utf-8")
    assert problems_of(text) == [
        (
            "missing-column", 3, 1, "施策",
            "見出し行（施策・指標・単位・基準値・基準年度・現状値・現状値の年度・目標値・目標年度）"
            "に、KPIをまとめる事業の名称の列がありません（「施策」は事業名として読みません）。"
            "「事業の名称」「事業名」、または「施策名」「具体的な施策」の列を見出しに書いてください",
            "the header row (施策, 指標, 単位, 基準値, 基準年度, 現状値, 現状値の年度, 目標値,"
            " 目標年度) has no column naming the project its KPIs belong to ('施策' is not read as"
            " a project name): head it 事業の名称 or 事業名, or 施策名 or 具体的な施策",
        )
    ]  # fmt: skip


def test_a_table_grouped_by_kihon_mokuhyo_names_what_is_missing() -> None:
    text = (SURVEY / "s11_interim_final_targets.txt").read_text(encoding="utf-8")
    ((code, line, column, field, ja, en),) = problems_of(text)
    assert (code, line, column, field) == ("missing-column", 3, 1, "基本目標")
    assert "（「基本目標」は事業名として読みません）" in ja
    assert "'基本目標' is not read as a project name" in en


def test_a_file_without_any_kpi_header_is_still_not_a_report() -> None:
    text = "令和5年度 予算の概要\n款\t項\t予算額\n総務費\t総務管理費\t1,200\n"
    assert problems_of(text) == [
        (
            "not-a-report", 1, None, None,
            "KPI表の見出し行（「事業の名称」と「指標」を含む行）が見つかりません。KPI実績報告では"
            "ないようです",
            "no KPI table header (a row naming 事業の名称 and 指標) was found: this is not a KPI"
            " report",
        )
    ]  # fmt: skip


def test_target_and_actual_rows_are_refused_naming_the_shape() -> None:
    """s10: a 区分 column with 目標 and 実績 rows per KPI."""
    text = (SURVEY / "s10_target_and_actual_rows.txt").read_text(encoding="utf-8")
    assert problems_of(text) == [
        (
            "target-actual-rows", 3, 4, "区分",
            "目標の行と実績の行が分かれた表（「区分」の列に目標・実績）は読めません。KPIごとに"
            "1行で、目標値（指標値）・年月・年度別の実績値を列に書いてください",
            "a table whose '区分' column splits each KPI into a row of targets and a row of"
            " actuals cannot be read: write one row per KPI, with the target, its date and each"
            " year's actual in columns",
        )
    ]  # fmt: skip


def test_a_kubun_column_beside_a_target_column_is_ignored() -> None:
    """With a 指標値 column, a 区分 column is no target/actual split: ignored as before."""
    text = TITLE + (
        "事業名\t区分\t指標\t指標値\t単位\t年月\tR5年度\n"
        "試験市移住促進事業\tソフト\t移住者数\t30\t人\tR6.3\t31\n"
    )
    (kpi,) = parse(text).kpis
    assert (kpi.indicator, kpi.actuals) == ("移住者数", {2023: V("31")})
