"""The text reader on layout variants of the reference report (tests/data/layouts/).

Bad input is in test_text_reader_input.py; the themes of the review fixes (year columns, rows,
cells and encodings) are in test_text_reader_years.py, _rows.py and _cells.py.

Each file in tests/data/layouts/ is a small published KPI table of a fictional municipality,
in the family of the reference report (tab-separated, 【】 section headings, a header block,
one row per KPI, a project name starting a project). Every expected value below was worked out
BY HAND from the file and EVALUATION.md — not copied from the program's output:

- rate without a baseline: increase a/t×100, decrease t/a×100; with a baseline b:
  increase (a−b)/(t−b)×100, decrease (b−a)/(b−t)×100; one decimal, ROUND_HALF_UP;
- status: achieved when a meets t, nearly_achieved when the rate ≥ 80, else not_achieved;
  no_data when the judged year has no value; not_due (with progress) before the target year;
- 年月 R6.3 → 2024-03 → FY2023: judged in the R5年度 column.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from kpiledger.core.era import YearMonth
from kpiledger.core.errors import Problem, ReportError
from kpiledger.core.evaluate import KpiResult, Status, evaluate_report
from kpiledger.core.model import (
    Actual,
    Aggregation,
    Baseline,
    Direction,
    Kpi,
    Project,
    Report,
    Section,
)
from kpiledger.core.progress import Progress
from kpiledger.io.readers.text import parse, read

ROOT = Path(__file__).resolve().parents[1]
LAYOUTS = Path(__file__).resolve().parent / "data" / "layouts"
REFERENCE = (ROOT / "src" / "kpiledger" / "data" / "kushiro_r5_kpi_report.txt").read_text(
    encoding="utf-8"
)

TARGET = Section.TARGET
RELATED = Section.RELATED
SUISHIN = "地方創生推進交付金"
DIGIDEN_SUISHIN = "デジタル田園都市国家構想交付金（地方創生推進タイプ）"
KYOTEN = "地方創生拠点整備交付金"
MARCH_2024 = YearMonth(2024, 3)


def D(text: str) -> Decimal:
    return Decimal(text)


def V(text: str) -> Actual:
    """A published actual with a value."""
    return Actual(Decimal(text), None)


def M(marker: str) -> Actual:
    """A published "no value" actual, with the marker as published."""
    return Actual(None, marker)


def load(name: str) -> Report:
    return read(LAYOUTS / name)


def results_of(report: Report) -> dict[str, KpiResult]:
    """Evaluate in the report's own year; results by indicator."""
    return {r.kpi.indicator: r for r in evaluate_report(report).kpis}


def check_project(
    project: Project,
    name: str,
    section: Section,
    grant: str | None,
    indicators: list[str],
    summary: str | None = "",
) -> None:
    assert project.name == name
    assert project.section is section
    assert project.grant == grant
    if summary != "":
        assert project.summary == summary
    assert [k.indicator for k in project.kpis] == indicators


def check_kpi(
    kpi: Kpi,
    *,
    unit: str,
    target: str,
    actuals: dict[int, Actual],
    date: YearMonth = MARCH_2024,
    fiscal_year: int = 2023,
    baseline: Baseline | None = None,
    rate: str | None = None,
    note: str | None = None,
) -> None:
    assert kpi.unit == unit
    assert kpi.target == D(target)
    assert isinstance(kpi.target, Decimal)
    assert kpi.target_date == date
    assert kpi.target_fiscal_year == fiscal_year
    assert kpi.baseline == baseline
    assert kpi.actuals == actuals
    for actual in kpi.actuals.values():
        assert actual.value is None or isinstance(actual.value, Decimal)
    assert kpi.published_rate == (None if rate is None else D(rate))
    assert kpi.note == note


def check_result(
    result: KpiResult,
    rate: str | None,
    status: Status,
    progress: Progress | None = None,
    judged_year: int = 2023,
) -> None:
    if rate is None:
        assert result.achievement_rate is None
    else:
        assert isinstance(result.achievement_rate, Decimal)
        assert result.achievement_rate == D(rate)
        # one decimal place, as published
        assert result.achievement_rate.as_tuple().exponent == -1
    assert result.status is status
    assert result.progress is progress
    assert result.judged_year == judged_year


def flag_codes(result: KpiResult) -> list[str]:
    return [f.code for f in result.flags]


def refused(text: str) -> list[Problem]:
    """The problems a text table is refused with (it must be refused)."""
    with pytest.raises(ReportError) as raised:
        parse(text)
    return raised.value.problems


def only_problem(text: str) -> Problem:
    """The one problem a text table is refused with."""
    (problem,) = refused(text)
    return problem


def located(text: str) -> list[tuple[str, int | None, int | None, str | None, str, str]]:
    """Each problem as (code, line, column, field, Japanese, English)."""
    return [(p.code, p.line, p.column, p.field, p.message_ja, p.message_en) for p in refused(text)]


# --- 1. column order ------------------------------------------------------------------------


def test_column_order_changed() -> None:
    """年月 right after 指標, then 単位, then 指標値: columns are found by their header text."""
    report = load("01_column_order.txt")
    assert report.title == "令和5年度地方創生推進交付金事業の実績（北浜市）"
    assert report.fiscal_year == 2023
    assert report.year_columns == [2021, 2022, 2023]
    assert report.notes == []
    first, second = report.projects
    check_project(
        first,
        "北浜港にぎわい創出事業",
        TARGET,
        SUISHIN,
        ["北浜港交流施設の来場者数", "港湾地区での新規出店数", "港湾地区観光案内所の利用件数"],
        summary="港湾地区の空き倉庫を改修して交流施設とし、観光客と市民の交流を生み出す。",
    )
    check_project(second, "北浜市ふるさと回帰支援事業", TARGET, SUISHIN, ["移住者数"])
    visitors, shops, desk = first.kpis
    check_kpi(
        visitors,
        unit="人",
        target="25000",
        actuals={2021: V("8120"), 2022: V("19480"), 2023: V("23760")},
    )
    check_kpi(shops, unit="件", target="6", actuals={2021: V("1"), 2022: V("3"), 2023: V("7")})
    check_kpi(
        desk, unit="件", target="2000", actuals={2021: V("1210"), 2022: V("1498"), 2023: V("1633")}
    )
    check_kpi(
        second.kpis[0],
        unit="人",
        target="40",
        actuals={2021: V("18"), 2022: V("27"), 2023: V("41")},
    )

    results = results_of(report)
    # 23,760 / 25,000 = 95.04 %
    check_result(results["北浜港交流施設の来場者数"], "95.0", Status.NEARLY_ACHIEVED)
    # 7 / 6 = 116.66… %
    check_result(results["港湾地区での新規出店数"], "116.7", Status.ACHIEVED)
    # 1,633 / 2,000 = 81.65 % exactly: ROUND_HALF_UP gives 81.7 (half-even would give 81.6)
    check_result(results["港湾地区観光案内所の利用件数"], "81.7", Status.NEARLY_ACHIEVED)
    # 41 / 40 = 102.5 %
    check_result(results["移住者数"], "102.5", Status.ACHIEVED)


# --- 2. 基準値（R1年度） ----------------------------------------------------------------------


def test_baseline_with_year_in_header() -> None:
    report = load("02_baseline_with_year.txt")
    assert report.title == "令和5年度 山辺町地方創生推進交付金事業の実績"
    assert report.fiscal_year == 2023
    assert report.year_columns == [2020, 2021, 2022, 2023]
    tourism, brand = report.projects
    check_project(
        tourism,
        "山辺町観光振興事業",
        TARGET,
        SUISHIN,
        ["山辺町観光入込客数", "町内宿泊施設の宿泊者数"],
    )
    check_project(
        brand,
        "特産品ブランド化推進事業",
        TARGET,
        SUISHIN,
        ["ふるさと納税寄附件数", "特産品の新規取扱店舗数"],
    )
    check_kpi(
        tourism.kpis[0],
        unit="人",
        target="150000",
        baseline=Baseline(D("120000"), 2019),
        actuals={2020: V("85000"), 2021: V("98500"), 2022: V("131200"), 2023: V("142300")},
    )
    check_kpi(
        tourism.kpis[1],
        unit="人泊",
        target="21000",
        baseline=Baseline(D("18000"), 2019),
        actuals={2020: V("9800"), 2021: V("12400"), 2022: V("17950"), 2023: V("21450")},
    )
    check_kpi(
        brand.kpis[0],
        unit="件",
        target="5000",
        baseline=Baseline(D("3200"), 2019),
        actuals={2020: V("3900"), 2021: V("4480"), 2022: V("4870"), 2023: V("4660")},
    )
    # 基準値 "-": no baseline
    check_kpi(
        brand.kpis[1],
        unit="店舗",
        target="20",
        baseline=None,
        actuals={2020: V("4"), 2021: V("9"), 2022: V("13"), 2023: V("18")},
    )

    results = results_of(report)
    # (142,300 − 120,000) / (150,000 − 120,000) = 22,300 / 30,000 = 74.33 %
    # (without the baseline it would be 94.9 %: nearly achieved)
    check_result(results["山辺町観光入込客数"], "74.3", Status.NOT_ACHIEVED)
    # (21,450 − 18,000) / (21,000 − 18,000) = 3,450 / 3,000 = 115 %
    check_result(results["町内宿泊施設の宿泊者数"], "115.0", Status.ACHIEVED)
    # (4,660 − 3,200) / (5,000 − 3,200) = 1,460 / 1,800 = 81.11 %
    check_result(results["ふるさと納税寄附件数"], "81.1", Status.NEARLY_ACHIEVED)
    # 18 / 20 = 90 %
    check_result(results["特産品の新規取扱店舗数"], "90.0", Status.NEARLY_ACHIEVED)


# --- 3. 基準値 and 基準年度 ---------------------------------------------------------------------


def test_baseline_and_separate_baseline_year_column() -> None:
    report = load("03_baseline_year_column.txt")
    assert report.title == "令和5年度 青葉村 地方創生関係交付金事業の効果検証"
    assert report.fiscal_year == 2023
    assert report.year_columns == [2021, 2022, 2023]
    settle, farm = report.projects
    check_project(
        settle,
        "青葉村移住・定住促進事業",
        TARGET,
        SUISHIN,
        ["青葉村移住・定住相談件数", "村営住宅への移住世帯数"],
        summary="移住相談窓口の設置と村営住宅の改修を行う。",
    )
    check_project(farm, "青葉村農泊推進事業", TARGET, SUISHIN, ["農泊体験の受入人数"])
    check_kpi(
        settle.kpis[0],
        unit="件",
        target="80",
        baseline=Baseline(D("45"), 2018),  # H30年度
        actuals={2021: V("52"), 2022: V("61"), 2023: V("74")},
    )
    check_kpi(
        settle.kpis[1],
        unit="世帯",
        target="10",
        baseline=Baseline(D("2"), 2019),  # 令和元年度
        actuals={2021: V("4"), 2022: V("7"), 2023: V("11")},
    )
    check_kpi(
        farm.kpis[0],
        unit="人",
        target="1200",
        baseline=Baseline(D("300"), 2020),  # R2
        date=YearMonth(2024, 3),  # 令和6年3月
        actuals={2021: V("410"), 2022: V("780"), 2023: V("905")},
    )

    results = results_of(report)
    # (74 − 45) / (80 − 45) = 29/35 = 82.857 %
    check_result(results["青葉村移住・定住相談件数"], "82.9", Status.NEARLY_ACHIEVED)
    # (11 − 2) / (10 − 2) = 9/8 = 112.5 %
    check_result(results["村営住宅への移住世帯数"], "112.5", Status.ACHIEVED)
    # (905 − 300) / (1,200 − 300) = 605/900 = 67.22 %
    check_result(results["農泊体験の受入人数"], "67.2", Status.NOT_ACHIEVED)


# --- 4. published 達成率 --------------------------------------------------------------------


def test_published_rate_column_and_mismatch_flag() -> None:
    report = load("04_published_rate.txt")
    assert report.fiscal_year == 2023
    startup, invite = report.projects
    check_project(
        startup,
        "東浦市創業支援事業",
        TARGET,
        SUISHIN,
        [
            "東浦市創業支援による創業件数",
            "創業支援セミナー受講者数",
            "創業者のうち市内で事業を継続している者の割合",
        ],
    )
    check_project(invite, "東浦市企業誘致推進事業", TARGET, SUISHIN, ["誘致企業による新規雇用者数"])
    # the 達成率（％） column
    check_kpi(
        startup.kpis[0],
        unit="件",
        target="30",
        rate="86.7",  # published as 86.7%
        actuals={2021: V("18"), 2022: V("24"), 2023: V("26")},
    )
    check_kpi(
        startup.kpis[1],
        unit="人",
        target="200",
        rate="94.0",
        actuals={2021: V("150"), 2022: V("171"), 2023: V("188")},
    )
    check_kpi(
        startup.kpis[2],
        unit="%",
        target="90",
        rate="103",
        actuals={2021: V("85"), 2022: V("88"), 2023: V("92.5")},
    )
    check_kpi(
        invite.kpis[0],
        unit="人",
        target="50",
        rate="80.0",
        actuals={2021: V("12"), 2022: V("20"), 2023: V("35")},
    )

    results = results_of(report)
    # 26/30 = 86.67 % = published 86.7
    founded = results["東浦市創業支援による創業件数"]
    check_result(founded, "86.7", Status.NEARLY_ACHIEVED)
    assert "rate-mismatch" not in flag_codes(founded)
    # 188/200 = 94.0 % = published 94.0
    seminar = results["創業支援セミナー受講者数"]
    check_result(seminar, "94.0", Status.NEARLY_ACHIEVED)
    assert "rate-mismatch" not in flag_codes(seminar)
    # 92.5/90 = 102.78 %; published 103 (an integer: within one unit of its last digit)
    share = results["創業者のうち市内で事業を継続している者の割合"]
    check_result(share, "102.8", Status.ACHIEVED)
    assert "rate-mismatch" not in flag_codes(share)
    # 35/50 = 70.0 %, but 80.0 was published
    jobs = results["誘致企業による新規雇用者数"]
    check_result(jobs, "70.0", Status.NOT_ACHIEVED)
    assert "rate-mismatch" in flag_codes(jobs)


def test_unit_sub_label_under_a_header() -> None:
    """A unit written under a header (達成率 over 「（％）」) is part of the header block: the
    row with 年月 and R3年度…R5年度 must not be cut off because of it."""
    text = (LAYOUTS / "04_published_rate.txt").read_text(encoding="utf-8")
    lines = text.splitlines()
    lines[5] = lines[5].replace("達成率（％）", "達成率")
    lines[6] = lines[6] + "（％）"
    assert lines[6].endswith("R5年度\t（％）")
    report = parse("\n".join(lines) + "\n")
    assert report.year_columns == [2021, 2022, 2023]
    assert [k.published_rate for k in report.kpis] == [D("86.7"), D("94.0"), D("103"), D("80.0")]
    assert [k.target_date for k in report.kpis] == [MARCH_2024] * 4


# --- 5. 備考 ----------------------------------------------------------------------------------


def test_notes_column() -> None:
    report = load("05_notes_column.txt")
    assert report.title == "令和5年度デジタル田園都市国家構想交付金事業の実績（南川町）"
    assert report.fiscal_year == 2023
    kids, hub = report.projects
    check_project(
        kids,
        "南川町子育て応援事業",
        TARGET,
        DIGIDEN_SUISHIN,
        ["子育て支援センター利用者数", "子育て世帯の転入数"],
    )
    check_project(
        hub,
        "南川町子育て交流拠点整備事業",
        RELATED,
        KYOTEN,
        ["交流拠点の年間利用者数"],
        summary="旧保育所を改修し、子育て交流拠点とする。",
    )
    check_kpi(
        kids.kpis[0],
        unit="人",
        target="6000",
        note="R4年度から開館日を週6日に拡大",
        actuals={2021: V("4210"), 2022: V("5380"), 2023: V("6120")},
    )
    check_kpi(
        kids.kpis[1],
        unit="世帯",
        target="40",
        note=None,
        actuals={2021: V("22"), 2022: V("31"), 2023: V("28")},
    )
    check_kpi(
        hub.kpis[0],
        unit="人/年",
        target="12000",
        note="R4.7開館（R4年度は9か月間）",
        actuals={2021: M("-"), 2022: V("7450"), 2023: V("11820")},
    )

    results = results_of(report)
    check_result(results["子育て支援センター利用者数"], "102.0", Status.ACHIEVED)  # 6,120/6,000
    check_result(results["子育て世帯の転入数"], "70.0", Status.NOT_ACHIEVED)  # 28/40
    check_result(results["交流拠点の年間利用者数"], "98.5", Status.NEARLY_ACHIEVED)  # 11,820/12,000


# --- 6. full-width digits ---------------------------------------------------------------------


def test_full_width_digits_commas_and_dates() -> None:
    report = load("06_fullwidth_numbers.txt")
    assert report.title == "令和５年度地方創生推進交付金事業の実績（西原市）"  # as published
    assert report.fiscal_year == 2023
    assert report.year_columns == [2021, 2022, 2023]  # Ｒ３年度 … Ｒ５年度
    tourism, settle = report.projects
    check_project(
        tourism,
        "西原市観光まちづくり事業",
        TARGET,
        SUISHIN,
        ["西原市観光ボランティアガイド利用者数", "特産品販売額"],
    )
    check_project(
        settle,
        "西原市定住促進事業",
        TARGET,
        SUISHIN,
        ["市民満足度調査で「住み続けたい」と答えた市民の割合"],
    )
    check_kpi(
        tourism.kpis[0],
        unit="人",
        target="1200",  # １，２００
        date=YearMonth(2024, 3),  # Ｒ６．３
        actuals={2021: V("850"), 2022: V("1020"), 2023: V("1146")},
    )
    # 単位 blank: the unit comes from the cell, the multiplier 万 is applied
    check_kpi(
        tourism.kpis[1],
        unit="円",
        target="1200000",
        actuals={2021: V("980000"), 2022: V("1100000"), 2023: V("1320000")},
    )
    check_kpi(
        settle.kpis[0],
        unit="％",  # as published
        target="75.0",
        actuals={2021: V("68.2"), 2022: V("71.5"), 2023: V("73.5")},
    )

    results = results_of(report)
    # 1,146 / 1,200 = 95.5 %
    check_result(results["西原市観光ボランティアガイド利用者数"], "95.5", Status.NEARLY_ACHIEVED)
    # 1,320,000 / 1,200,000 = 110 %
    check_result(results["特産品販売額"], "110.0", Status.ACHIEVED)
    # 73.5 / 75.0 = 98 %
    check_result(
        results["市民満足度調査で「住み続けたい」と答えた市民の割合"],
        "98.0",
        Status.NEARLY_ACHIEVED,
    )
    assert results["市民満足度調査で「住み続けたい」と答えた市民の割合"].aggregation.value is (
        Aggregation.LEVEL
    )


# --- 7. long dates ----------------------------------------------------------------------------


def test_long_and_western_target_dates() -> None:
    report = load("07_long_dates.txt")
    assert report.fiscal_year == 2023
    work, fans = report.projects
    check_project(
        work,
        "北山町ワーケーション推進事業",
        TARGET,
        SUISHIN,
        [
            "北山町ワーケーション利用者数",
            "ワーケーション施設の稼働率",
            "町内企業とのマッチング件数",
        ],
    )
    check_project(
        fans,
        "北山町関係人口創出事業",
        TARGET,
        SUISHIN,
        ["関係人口登録者数", "北山町ファンクラブ会員数"],
    )
    # 令和6年3月, 令和６年３月末, 2024年3月, 2024/3, R6.3.31: all 2024-03, FY2023
    for kpi in report.kpis:
        assert kpi.target_date == YearMonth(2024, 3), kpi.indicator
        assert kpi.target_fiscal_year == 2023
    check_kpi(
        work.kpis[1],
        unit="%",
        target="60",
        actuals={2021: V("35.5"), 2022: V("48.2"), 2023: V("61.0")},
    )
    check_kpi(
        fans.kpis[0],
        unit="人",
        target="1000",
        actuals={2021: V("320"), 2022: V("610"), 2023: V("1050")},
    )

    results = results_of(report)
    check_result(results["北山町ワーケーション利用者数"], "93.6", Status.NEARLY_ACHIEVED)  # 468/500
    check_result(results["ワーケーション施設の稼働率"], "101.7", Status.ACHIEVED)  # 61.0/60
    check_result(results["町内企業とのマッチング件数"], "90.0", Status.NEARLY_ACHIEVED)  # 9/10
    check_result(results["関係人口登録者数"], "105.0", Status.ACHIEVED)  # 1,050/1,000
    check_result(results["北山町ファンクラブ会員数"], "93.0", Status.NEARLY_ACHIEVED)  # 744/800


# --- 8. not yet due ---------------------------------------------------------------------------


def test_targets_not_yet_due_get_progress() -> None:
    """Target R9.3 = 2027-03 = FY2026 in a R5年度 (FY2023) report: not_due, with progress."""
    report = load("08_not_yet_due.txt")
    assert report.fiscal_year == 2023
    assert report.year_columns == [2019, 2020, 2021, 2022, 2023]
    settle, tourism = report.projects
    check_project(settle, "海辺市移住促進事業", TARGET, DIGIDEN_SUISHIN, ["海辺市への移住相談件数"])
    check_project(
        tourism,
        "海辺市観光再生事業",
        TARGET,
        DIGIDEN_SUISHIN,
        ["海辺市観光入込客数", "地元産品EC販売額", "海辺市EC販売サイト登録事業者数"],
    )
    check_kpi(
        settle.kpis[0],
        unit="件",
        target="200",
        date=YearMonth(2027, 3),
        fiscal_year=2026,
        actuals={2019: V("100"), 2020: V("112"), 2021: V("120"), 2022: V("135"), 2023: V("150")},
    )
    check_kpi(
        tourism.kpis[1],
        unit="千円",
        target="50000",
        date=YearMonth(2027, 3),
        fiscal_year=2026,
        actuals={
            2019: V("20000"),
            2020: V("21000"),
            2021: V("22000"),
            2022: V("23000"),
            2023: V("24000"),
        },
    )

    results = results_of(report)
    # interim rate 150/200 = 75 %; CAGR observed 1.5^(1/4) − 1 = 0.1067, required
    # 2^(1/7) − 1 = 0.1041: R = 1.02 ≥ 0.95 → on track
    check_result(results["海辺市への移住相談件数"], "75.0", Status.NOT_DUE, Progress.ON_TRACK)
    # 430,000/600,000 = 71.67 %; from 520,000 (FY2019) down to 430,000: R < 0 → deterioration
    check_result(results["海辺市観光入込客数"], "71.7", Status.NOT_DUE, Progress.DETERIORATION)
    # 24,000/50,000 = 48 %; observed 1.2^(1/4) − 1 = 0.0466, required 2.5^(1/7) − 1 = 0.1399:
    # R = 0.33 → limited
    check_result(results["地元産品EC販売額"], "48.0", Status.NOT_DUE, Progress.LIMITED)
    # a due target in the same report: 41/40 = 102.5 %, no progress
    check_result(results["海辺市EC販売サイト登録事業者数"], "102.5", Status.ACHIEVED, None)


# --- 9. lower is better -----------------------------------------------------------------------


def test_lower_is_better_kpis() -> None:
    report = load("09_lower_is_better.txt")
    kids, safety = report.projects
    check_project(
        kids,
        "緑丘市子育て・教育環境充実事業",
        TARGET,
        SUISHIN,
        ["待機児童数", "体力・運動能力調査の総合評価が全国平均以下の学校数"],
    )
    check_project(
        safety,
        "緑丘市安全・安心なまちづくり事業",
        TARGET,
        SUISHIN,
        ["市内の交通事故発生件数", "市内の空き家数"],
    )
    check_kpi(
        kids.kpis[0],
        unit="人",
        target="0",
        actuals={2019: V("12"), 2020: V("8"), 2021: V("5"), 2022: V("4"), 2023: V("3")},
    )
    check_kpi(
        kids.kpis[1],
        unit="校",
        target="4",
        actuals={2019: V("9"), 2020: M("-"), 2021: V("7"), 2022: V("6"), 2023: V("5")},
    )

    results = results_of(report)
    for result in results.values():
        assert result.direction.value is Direction.DECREASE, result.kpi.indicator
    # decrease without baseline: t/a = 0/3 = 0 %
    check_result(results["待機児童数"], "0.0", Status.NOT_ACHIEVED)
    # 4/5 = 80.0 % exactly: the nearly-achieved threshold is inclusive
    check_result(
        results["体力・運動能力調査の総合評価が全国平均以下の学校数"],
        "80.0",
        Status.NEARLY_ACHIEVED,
    )
    # 140 ≤ 150: achieved; 150/140 = 107.14 %
    check_result(results["市内の交通事故発生件数"], "107.1", Status.ACHIEVED)
    # 800/950 = 84.21 %
    check_result(results["市内の空き家数"], "84.2", Status.NEARLY_ACHIEVED)


# --- 10. 累計 ---------------------------------------------------------------------------------


def test_cumulative_kpis() -> None:
    report = load("10_cumulative.txt")
    settle, donation = report.projects
    check_project(
        settle,
        "桜台町移住・空き家対策事業",
        TARGET,
        SUISHIN,
        ["移住支援金を活用した移住者数（累計）", "空き家バンク成約件数（累計）"],
    )
    check_project(
        donation,
        "桜台町企業版ふるさと納税推進事業",
        TARGET,
        SUISHIN,
        ["企業版ふるさと納税の寄附企業数"],
    )
    check_kpi(
        settle.kpis[0],
        unit="人",
        target="50",
        actuals={2021: V("12"), 2022: V("30"), 2023: V("45")},
    )
    check_kpi(
        donation.kpis[0],
        unit="社（累計）",
        target="15",
        actuals={2021: V("4"), 2022: V("9"), 2023: V("16")},
    )
    for kpi in report.kpis:
        assert kpi.actuals_are_increments is False  # the published values are running totals

    results = results_of(report)
    for result in results.values():
        assert result.aggregation.value is Aggregation.CUMULATIVE, result.kpi.indicator
    movers = results["移住支援金を活用した移住者数（累計）"]
    check_result(movers, "90.0", Status.NEARLY_ACHIEVED)  # 45/50
    assert "cumulative-decreases" not in flag_codes(movers)
    sales = results["空き家バンク成約件数（累計）"]
    check_result(sales, "73.3", Status.NOT_ACHIEVED)  # 22/30 = 73.33 %
    assert "cumulative-decreases" in flag_codes(sales)  # 25 → 22
    check_result(results["企業版ふるさと納税の寄附企業数"], "106.7", Status.ACHIEVED)  # 16/15


# --- 11. BOM + CRLF ---------------------------------------------------------------------------


def test_utf8_bom_and_crlf() -> None:
    path = LAYOUTS / "11_bom_crlf.txt"
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    report = read(path)
    assert report.title == "令和5年度地方創生推進交付金事業の実績（東湖町）"  # no BOM, no "##"
    assert report.fiscal_year == 2023
    (project,) = report.projects
    check_project(
        project,
        "東湖町湖畔観光推進事業",
        TARGET,
        SUISHIN,
        ["東湖町観光案内所来訪者数", "東湖町湖畔キャンプ場利用者数"],
        summary="湖畔の観光案内所とキャンプ場を一体で運営する。",
    )
    check_kpi(
        project.kpis[1],
        unit="人",
        target="8000",
        actuals={2021: V("6100"), 2022: V("7000"), 2023: V("7320")},
    )
    results = results_of(report)
    check_result(results["東湖町観光案内所来訪者数"], "104.0", Status.ACHIEVED)  # 3,120/3,000
    check_result(
        results["東湖町湖畔キャンプ場利用者数"], "91.5", Status.NEARLY_ACHIEVED
    )  # 7,320/8,000
    # the same text parsed from a str keeps the same meaning
    assert parse(raw.decode("utf-8")) == report


# --- 12. CP932 --------------------------------------------------------------------------------


def test_cp932_encoding() -> None:
    path = LAYOUTS / "12_cp932.txt"
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    report = read(path)
    assert report.title == "令和5年度地方創生推進交付金事業の実績（白浜村）"
    assert report.fiscal_year == 2023
    village, hub = report.projects
    check_project(
        village,
        "白浜村～海と森の体験交流～推進事業",
        TARGET,
        SUISHIN,
        ["体験プログラム参加者数"],
        summary="漁業体験・森林体験のプログラムを開発し、髙校生の修学旅行を誘致する。",
    )
    check_project(hub, "白浜村交流拠点施設整備事業", RELATED, KYOTEN, ["交流拠点施設利用者数"])
    check_kpi(
        village.kpis[0],
        unit="人",
        target="1500",
        actuals={2021: M("－"), 2022: V("980"), 2023: V("1410")},
    )
    check_kpi(
        hub.kpis[0],
        unit="人",
        target="5000",
        actuals={2021: M("－"), 2022: M("－"), 2023: V("5480")},
    )
    results = results_of(report)
    check_result(results["体験プログラム参加者数"], "94.0", Status.NEARLY_ACHIEVED)  # 1,410/1,500
    check_result(results["交流拠点施設利用者数"], "109.6", Status.ACHIEVED)  # 5,480/5,000


# --- 13. other year ranges --------------------------------------------------------------------


def test_heisei_year_columns_in_a_reiwa2_report() -> None:
    report = load("13a_heisei_years.txt")
    assert report.title == "令和2年度 地方創生推進交付金事業の効果検証（川北市）"
    assert report.fiscal_year == 2020
    assert report.year_columns == [2015, 2016, 2017, 2018, 2019, 2020]  # H27年度 … R元年度, R2年度
    tourism, settle = report.projects
    check_project(
        tourism,
        "川北市観光地域づくり推進事業",
        TARGET,
        SUISHIN,
        ["川北市観光入込客数", "観光関連の創業支援件数"],
    )
    check_project(settle, "川北市移住促進事業", TARGET, SUISHIN, ["移住者数"])
    check_kpi(
        tourism.kpis[0],
        unit="人",
        target="1200000",
        date=YearMonth(2021, 3),  # H33.3: a 平成 date past the era's end
        fiscal_year=2020,
        actuals={
            2015: V("980000"),
            2016: V("1020000"),
            2017: V("1080000"),
            2018: V("1150000"),
            2019: V("1210000"),
            2020: V("640000"),
        },
    )
    check_kpi(
        tourism.kpis[1],
        unit="件",
        target="25",
        date=YearMonth(2020, 3),  # H32.3 → FY2019
        fiscal_year=2019,
        actuals={
            2015: M("-"),
            2016: V("8"),
            2017: V("14"),
            2018: V("19"),
            2019: V("26"),
            2020: V("30"),
        },
    )
    check_kpi(
        settle.kpis[0],
        unit="人",
        target="100",
        date=YearMonth(2021, 3),  # 令和3年3月
        fiscal_year=2020,
        actuals={
            2015: M("-"),
            2016: M("-"),
            2017: V("35"),
            2018: V("52"),
            2019: V("70"),
            2020: V("88"),
        },
    )
    results = results_of(report)
    # 640,000 / 1,200,000 = 53.33 %
    check_result(results["川北市観光入込客数"], "53.3", Status.NOT_ACHIEVED, judged_year=2020)
    # judged in the target year FY2019 (26/25 = 104 %), not in the later FY2020 column (30)
    check_result(results["観光関連の創業支援件数"], "104.0", Status.ACHIEVED, judged_year=2019)
    check_result(results["移住者数"], "88.0", Status.NEARLY_ACHIEVED, judged_year=2020)  # 88/100


def test_western_year_columns() -> None:
    report = load("13b_western_years.txt")
    assert report.title == "2023年度（令和5年度）地方創生推進交付金事業の実績（中央台市）"
    assert report.fiscal_year == 2023
    assert report.year_columns == [2019, 2020, 2021, 2022, 2023]
    (project,) = report.projects
    check_project(
        project,
        "中央台市スマート自治体推進事業",
        TARGET,
        SUISHIN,
        ["市民ポータルアプリ登録者数", "オンライン申請件数", "行政手続きオンライン化率"],
    )
    app, online, share = project.kpis
    check_kpi(
        app,
        unit="人",
        target="10000",
        actuals={
            2019: M("-"),
            2020: V("2100"),
            2021: V("5400"),
            2022: V("8800"),
            2023: V("10350"),
        },
    )
    assert online.target_date == YearMonth(2024, 3)  # 2024-03
    check_kpi(
        share,
        unit="%",
        target="80",
        date=YearMonth(2026, 3),  # 2026/3 → FY2025
        fiscal_year=2025,
        actuals={2019: V("5"), 2020: V("12"), 2021: V("25"), 2022: V("38"), 2023: V("52")},
    )
    results = results_of(report)
    check_result(results["市民ポータルアプリ登録者数"], "103.5", Status.ACHIEVED)  # 10,350/10,000
    check_result(results["オンライン申請件数"], "81.7", Status.NEARLY_ACHIEVED)  # 2,450/3,000
    # 52/80 = 65 %; CAGR observed 10.4^(1/4) − 1 = 0.796, required 16^(1/6) − 1 = 0.587: R = 1.36
    check_result(results["行政手続きオンライン化率"], "65.0", Status.NOT_DUE, Progress.ON_TRACK)


# --- 14. blank lines, notes, extra columns ----------------------------------------------------


def test_blank_lines_notes_and_unknown_columns() -> None:
    report = load("14_blank_lines_notes_extra_columns.txt")
    assert report.title == "令和5年度 地方創生推進交付金事業の実績報告（森野町）"
    assert report.fiscal_year == 2023
    assert report.year_columns == [2021, 2022, 2023]
    assert report.notes == ["（金額の単位：千円）", "※ 実績値は各年度末時点", "※ 「－」は実績なし"]
    forest, shops = report.projects
    check_project(
        forest,
        "森野町森林サービス産業創出事業",
        TARGET,
        SUISHIN,
        ["森林体験プログラム参加者数", "森林サービス産業の新規事業者数"],
        summary="森林空間を活用した体験・健康プログラムを開発する。",
    )
    check_project(
        shops,
        "森野町商店街空き店舗活用事業",
        TARGET,
        SUISHIN,
        ["空き店舗への新規出店数"],
        summary="空き店舗の改修費を補助し、新規出店を促す。",
    )
    # 事業費（千円） and 担当課 are ignored: not a target, not a note
    check_kpi(
        forest.kpis[0],
        unit="人",
        target="2000",
        actuals={2021: V("640"), 2022: V("1380"), 2023: V("1910")},
    )
    check_kpi(
        forest.kpis[1],
        unit="事業者",
        target="5",
        actuals={2021: V("1"), 2022: V("2"), 2023: V("4")},
    )
    check_kpi(
        shops.kpis[0], unit="件", target="6", actuals={2021: V("2"), 2022: V("3"), 2023: V("6")}
    )
    results = results_of(report)
    check_result(
        results["森林体験プログラム参加者数"], "95.5", Status.NEARLY_ACHIEVED
    )  # 1,910/2,000
    check_result(results["森林サービス産業の新規事業者数"], "80.0", Status.NEARLY_ACHIEVED)  # 4/5
    check_result(results["空き店舗への新規出店数"], "100.0", Status.ACHIEVED)  # 6/6


# --- 15. single header row, continuation rows, negatives, markers -----------------------------


def test_single_header_row_continuations_negatives_and_markers() -> None:
    report = load("15_single_header_negatives.txt")
    assert report.title == "令和5年度 潮見町まち・ひと・しごと創生総合戦略 KPI実績一覧"
    assert report.fiscal_year == 2023
    assert report.year_columns == [2021, 2022, 2023]
    settle, bus = report.projects
    # no section heading: a project without a 【grant】 is a 対象事業 with no grant known
    check_project(
        settle,
        "潮見町移住定住促進事業",
        TARGET,
        None,
        ["社会増減数", "移住相談件数", "空き家バンク登録件数"],
        summary=None,
    )
    check_project(
        bus,
        "潮見町地域公共交通確保事業",
        TARGET,
        None,
        ["デマンドバス利用者数の対前年度増減率"],
        None,
    )
    net, consult, vacant = settle.kpis
    check_kpi(net, unit="人", target="0", actuals={2021: V("-52"), 2022: V("-41"), 2023: V("-35")})
    check_kpi(
        consult, unit="件", target="120", actuals={2021: V("85"), 2022: M("未集計"), 2023: V("130")}
    )
    check_kpi(
        vacant, unit="件", target="30", actuals={2021: V("12"), 2022: V("18"), 2023: M("集計中")}
    )
    check_kpi(
        bus.kpis[0],
        unit="%",
        target="5",
        actuals={2021: V("-2.5"), 2022: V("1.0"), 2023: V("-0.8")},  # ▲2.5, 1.0, △0.8
    )
    results = results_of(report)
    # t = 0 with increase: the rate is undefined, the status comes from −35 < 0
    check_result(results["社会増減数"], None, Status.NOT_ACHIEVED)
    # 130/120 = 108.33 %; FY2022 未集計 is a gap
    check_result(results["移住相談件数"], "108.3", Status.ACHIEVED)
    assert "missing-years" in flag_codes(results["移住相談件数"])
    # the target year FY2023 has no value (集計中): no data, even though earlier years have values
    check_result(results["空き家バンク登録件数"], None, Status.NO_DATA)
    # −0.8 / 5 = −16 %
    check_result(results["デマンドバス利用者数の対前年度増減率"], "-16.0", Status.NOT_ACHIEVED)


# --- 16, 17. rows and headers as Excel writes them --------------------------------------------


def test_rows_padded_with_tabs_as_excel_writes_them() -> None:
    """Excel's "text (tab separated)" pads every row of the sheet to the table width, so the
    title, the second section heading and the trailing note come with trailing tabs."""
    report = load("16_excel_padded_rows.txt")
    assert report.title == "令和5年度デジタル田園都市国家構想交付金事業の実績（岬町）"
    assert report.fiscal_year == 2023
    assert report.notes == ["※ 実績値は各年度末時点"]
    telework, hub = report.projects
    check_project(
        telework,
        "岬町テレワーク推進事業",
        TARGET,
        DIGIDEN_SUISHIN,
        ["サテライトオフィス進出企業数"],
    )
    check_project(hub, "岬町交流拠点整備事業", RELATED, KYOTEN, ["交流拠点利用者数"])
    results = results_of(report)
    check_result(results["サテライトオフィス進出企業数"], "100.0", Status.ACHIEVED)  # 5/5
    check_result(results["交流拠点利用者数"], "85.0", Status.NEARLY_ACHIEVED)  # 3,400/4,000


def test_padded_trailing_note_is_a_note() -> None:
    text = (LAYOUTS / "01_column_order.txt").read_text(encoding="utf-8")
    report = parse(text + "※ 実績値は各年度末時点\t\t\t\t\t\t\t\t\n")
    assert report.notes == ["※ 実績値は各年度末時点"]
    assert [p.name for p in report.projects] == [
        "北浜港にぎわい創出事業",
        "北浜市ふるさと回帰支援事業",
    ]


def test_baseline_header_with_its_year_in_the_row_below() -> None:
    """基準値 over R1年度 (merged cells): the R1年度 under 基準値 is the baseline's year, not an
    actual column."""
    report = load("17_stacked_baseline_header.txt")
    assert report.year_columns == [2021, 2022, 2023]
    (project,) = report.projects
    check_project(project, "岩見町観光振興事業", TARGET, SUISHIN, ["岩見町温泉街の観光入込客数"])
    check_kpi(
        project.kpis[0],
        unit="人",
        target="80000",
        baseline=Baseline(D("60000"), 2019),
        actuals={2021: V("41000"), 2022: V("58500"), 2023: V("74000")},
    )
    # (74,000 − 60,000) / (80,000 − 60,000) = 70 %
    check_result(results_of(report)["岩見町温泉街の観光入込客数"], "70.0", Status.NOT_ACHIEVED)


def test_report_year_from_a_title_with_the_municipality_first() -> None:
    """「大川町 令和5年度 …」: the report year is the one in the title (FY2023), not the latest
    year column (R6年度, published blank for the strategy's last year)."""
    report = load("18_title_prefix_future_column.txt")
    assert report.title == "大川町 令和5年度 地方創生推進交付金事業の効果検証"
    assert report.year_columns == [2020, 2021, 2022, 2023, 2024]
    assert report.fiscal_year == 2023
    (project,) = report.projects
    check_project(
        project,
        "大川町観光・創業支援事業",
        TARGET,
        SUISHIN,
        ["大川町観光入込客数", "町内での創業件数（累計）"],
    )
    check_kpi(
        project.kpis[1],
        unit="件",
        target="20",
        date=YearMonth(2025, 3),
        fiscal_year=2024,
        actuals={2020: V("3"), 2021: V("7"), 2022: V("10"), 2023: V("14"), 2024: M("")},
    )
    results = results_of(report)
    # 291,000 / 300,000 = 97 %
    check_result(results["大川町観光入込客数"], "97.0", Status.NEARLY_ACHIEVED)
    # R7.3 = FY2024 is after the report year: 14/20 = 70 % interim; CAGR observed
    # (14/3)^(1/3) − 1 = 0.671, required (20/3)^(1/4) − 1 = 0.607: R = 1.11 → on track
    check_result(results["町内での創業件数（累計）"], "70.0", Status.NOT_DUE, Progress.ON_TRACK)
