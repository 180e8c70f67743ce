"""Point-in-time column headings (`R4.3末`, `R5.3.31時点`, `令和6年3月末現在`, `H29末KPI実績値`)
read as the fiscal year containing that point, on tests/data/layouts/35_point_in_time_columns.txt
and small tables written inline (survey s08).

Every expected value was worked out BY HAND from the file, EVALUATION.md and docs/evaluation.md
("Year columns"): the title's 令和5年度 is the report year (FY2023); a point in time belongs to
the fiscal year containing it, as a target date does: R4.3末 = 2022-03 → FY2021, R5.3末 →
FY2022, R6.3末 → FY2023; R4.3.31時点 → FY2021; 令和6年3月末現在 → FY2023. 目標時期 R6.3末 and
令和5年度末 → 2024-03 (FY2023, due); R7.3 → FY2024 (not due). Rate a/t×100 (increase) or
t/a×100 (decrease; a = 0 → 100 when t ≥ 0), one decimal, ROUND_HALF_UP. Progress (not due):
R = CAGR observed / CAGR required from the first value; on track ≥ 0.95, needs acceleration
≥ 0.60.
"""

from __future__ import annotations

import pytest
from tests.test_text_reader_layouts import (
    KYOTEN,
    MARCH_2024,
    RELATED,
    SUISHIN,
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
from kpiledger.core.model import Aggregation, Direction
from kpiledger.core.progress import Progress
from kpiledger.io.readers.text import parse
from kpiledger.io.readers.year_columns import point_in_time_year

FILE = "35_point_in_time_columns.txt"
MARCH_2025 = YearMonth(2025, 3)
TITLE = "令和5年度 試験町 地方創生推進交付金事業の効果検証\n"


def test_file_projects_and_years() -> None:
    report = load(FILE)
    assert report.fiscal_year == 2023
    assert report.year_columns == [2021, 2022, 2023]
    assert [(p.name, p.section, p.grant) for p in report.projects] == [
        ("若葉町関係人口創出事業", TARGET, SUISHIN),
        ("若葉町子育て支援事業", TARGET, SUISHIN),
        ("若葉町交流拠点施設整備事業", RELATED, KYOTEN),
    ]
    assert report.notes == ["※ 実績値は各年度末（3月末）時点の値。"]


# (indicator, unit, target, date, actuals, direction, aggregation, rate, status, progress)
FILE_KPIS = [
    # 1,480/1,500 = 98.67 → 98.7; （累計） → cumulative
    ("ふるさと住民登録者数（累計）", "人", "1500", MARCH_2024,
     {2021: V("620"), 2022: V("1040"), 2023: V("1480")},
     Direction.INCREASE, Aggregation.CUMULATIVE, "98.7", Status.NEARLY_ACHIEVED, None),
    # 目標時期 令和5年度末 → 2024-03; 930/900 = 103.33 → 103.3
    ("ワーケーション施設利用者数", "人", "900", MARCH_2024,
     {2021: V("410"), 2022: V("760"), 2023: V("930")},
     Direction.INCREASE, Aggregation.ANNUAL, "103.3", Status.ACHIEVED, None),
    # 待機児童: lower is better; t = 0 and a = 0 → 100.0
    ("待機児童数", "人", "0", MARCH_2024, {2021: V("4"), 2022: V("2"), 2023: V("0")},
     Direction.DECREASE, Aggregation.ANNUAL, "100.0", Status.ACHIEVED, None),
    # R7.3 → FY2024 not due: 11,000/12,000 = 91.67 → 91.7; CAGR 9,800→11,000 over 2 years
    # 5.95 % vs required 9,800→12,000 over 3 years 6.98 %: R = 0.85 → needs acceleration
    ("子育て支援センター利用者数", "人", "12000", MARCH_2025,
     {2021: V("9800"), 2022: V("10400"), 2023: V("11000")},
     Direction.INCREASE, Aggregation.ANNUAL, "91.7", Status.NOT_DUE,
     Progress.NEEDS_ACCELERATION),
    # R4.3.31時点 | R5.3.31時点 | 令和6年3月末現在 → FY2021-2023; 21,300/20,000 = 106.5
    ("交流拠点施設利用者数", "人", "20000", MARCH_2024,
     {2021: V("15200"), 2022: V("18900"), 2023: V("21300")},
     Direction.INCREASE, Aggregation.ANNUAL, "106.5", Status.ACHIEVED, None),
    # 22/24 = 91.67 → 91.7
    ("施設でのイベント開催数", "回", "24", MARCH_2024,
     {2021: V("12"), 2022: V("18"), 2023: V("22")},
     Direction.INCREASE, Aggregation.ANNUAL, "91.7", Status.NEARLY_ACHIEVED, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("indicator", "unit", "target", "date", "actuals", "direction", "aggregation", "rate",
     "status", "progress"),
    FILE_KPIS,
    ids=[row[0] for row in FILE_KPIS],
)  # fmt: skip
def test_file_kpis_value_by_value(
    indicator: str,
    unit: str,
    target: str,
    date: YearMonth,
    actuals: dict,  # type: ignore[type-arg]
    direction: Direction,
    aggregation: Aggregation,
    rate: str,
    status: Status,
    progress: Progress | None,
) -> None:
    result = results_of(load(FILE))[indicator]
    check_kpi(
        result.kpi, unit=unit, target=target, actuals=actuals, date=date,
        fiscal_year=date.fiscal_year,
    )  # fmt: skip
    assert result.direction.value is direction
    assert result.aggregation.value is aggregation
    check_result(result, rate, status, progress=progress, judged_year=2023)
    assert flag_codes(result) == []


def test_file_effects() -> None:
    projects = evaluate_report(load(FILE)).projects
    assert [p.effect_suggestion for p in projects] == [
        "地方創生に相当程度効果があった",  # achieved + nearly achieved
        "地方創生に効果があった",  # achieved + not due
        "地方創生に相当程度効果があった",
    ]


# --- 2. headings, one by one -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "year"),
    [
        ("R4.3末", 2021),
        ("R5.3末", 2022),
        ("H29末", 2017),  # 平成29年度末 (2018-03) or 平成29年末 (2017-12): FY2017 either way
        ("令和5年3月末現在", 2022),
        ("R5.3.31時点", 2022),
        ("H29末KPI実績値", 2017),
        ("R5.3末実績", 2022),
        ("２０２３年３月末", 2022),
        ("R5.9末", 2023),
        ("R6.3末見込", 2023),  # a forecast column: its year, then `is_forecast`
    ],
)
def test_point_in_time_headings(heading: str, year: int) -> None:
    assert point_in_time_year(heading) == year


@pytest.mark.parametrize(
    "heading", ["R5年度", "R5", "令和4年", "2023", "R5.3末（速報）", "R5.3末の人口", "指標値"]
)
def test_other_headings_are_no_point_in_time(heading: str) -> None:
    """A fiscal year is read as one elsewhere (`fiscal_year`); a calendar year, or a point in
    time with more after it, is not read here."""
    assert point_in_time_year(heading) is None


def test_h29_heading_in_a_heisei_report() -> None:
    text = (
        "平成29年度 試験町 地方創生推進交付金事業の効果検証\n"
        "事業名\t指標\t指標値\t単位\t年月\tH29末KPI実績値\n"
        "試験町移住促進事業\t移住者数\t30\t人\tH30.3\t31\n"
    )
    (kpi,) = parse(text).kpis
    assert kpi.actuals == {2017: V("31")}


def test_a_forecast_point_in_time_is_not_read() -> None:
    text = TITLE + (
        "事業名\t指標\t指標値\t単位\t年月\tR5.3末\tR6.3末\tR7.3末見込\n"
        "試験町移住促進事業\t移住者数\t30\t人\tR7.3\t18\t24\t30\n"
    )
    (kpi,) = parse(text).kpis
    assert kpi.actuals == {2022: V("18"), 2023: V("24")}
    assert [f.code for f in kpi.reader_flags] == ["forecast-not-read"]


# --- 3. refused, never guessed -----------------------------------------------------------------


problems_of = located  # (code, line, column, field, ja, en)


NO_YEAR_COLUMN = (
    "missing-column", 2, None, None, "見出しに年度別の実績値の列（R1年度など）がありません",
    "the header has no per-fiscal-year actual column (R1年度 …)",
)  # fmt: skip


@pytest.mark.parametrize("heading", ["R5.3末（速報）", "令和4年", "R5.13末"])
def test_an_unclear_point_in_time_is_refused(heading: str) -> None:
    text = TITLE + (
        f"事業名\t指標\t指標値\t単位\t年月\t{heading}\n試験町移住促進事業\t移住者数\t30\t人\tR6.3\t24\n"
    )
    assert problems_of(text) == [
        (
            "unknown-year-column", 2, 6, heading,
            f"見出し「{heading}」を年度の列として読めません（R5年度・令和5年度・2023年度の形で、"
            "1926〜2200年の年度を書いてください）",
            f"cannot read the header '{heading}' as a fiscal-year column (write a fiscal year"
            " 1926-2200 as R5年度, 令和5年度 or 2023年度)",
        ),
        NO_YEAR_COLUMN,
    ]  # fmt: skip


def test_a_point_in_time_and_a_year_naming_one_fiscal_year_are_refused() -> None:
    text = TITLE + (
        "事業名\t指標\t指標値\t単位\t年月\tR5.3末\tR4年度\n"
        "試験町移住促進事業\t移住者数\t30\t人\tR6.3\t24\t25\n"
    )
    assert problems_of(text) == [
        (
            "duplicate-column", 2, 7, "R4年度",
            "「R5.3末」（6列目）と「R4年度」（7列目）が同じ年度（2022年度）の実績です",
            "'R5.3末' (column 6) and 'R4年度' (column 7) are the actual of the same fiscal"
            " year (2022)",
        )
    ]  # fmt: skip


def test_a_two_row_header_with_point_in_time_labels() -> None:
    """Under a 実績値 group heading, the point-in-time labels make a header row of their own."""
    text = TITLE + (
        "事業名\t指標\t指標値\t単位\t年月\t実績値\t\n"
        "\t\t\t\t\tR5.3末\tR6.3末\n"
        "試験町移住促進事業\t移住者数\t30\t人\tR6.3\t24\t31\n"
    )
    (kpi,) = parse(text).kpis
    assert kpi.actuals == {2022: V("24"), 2023: V("31")}
