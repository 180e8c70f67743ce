"""Value cells that say more than a number: a year in brackets after a baseline or target
(`300（R1年度）`, `1,200（R5年度）`; survey s12) and cells of several lines (`38\\n（うち県外27）`,
`165\\n※オンライン含む`, `移住者数\\n※転入届による`; survey s13), on
tests/data/layouts/36_year_in_value_cells.txt, 37_multiline_value_cells.txt and small tables
written inline.

Every expected value was worked out BY HAND from the files, EVALUATION.md and docs/evaluation.md
("Value cells with a year or several lines"): the title's 令和5年度 is the report year
(FY2023). A baseline's bracketed year is its fiscal year (`（R1年度）` = FY2019, `（H30年度）` =
FY2018, `（R2）` = FY2020); a target's bracketed fiscal year is its date, the end of that year
(`（R5年度）` → 2024-03, FY2023, due; `（R6年度）` → 2025-03, not due), a bracketed month that
month (`（R5.3末）` → 2023-03, FY2022). With a baseline b: (a − b)/(t − b) × 100, one decimal,
ROUND_HALF_UP. Progress (not due): R = CAGR observed / CAGR required from the baseline's year
(or the first value); on track ≥ 0.95.
"""

from __future__ import annotations

import pytest
from tests.test_text_reader_layouts import (
    MARCH_2024,
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
from kpiledger.core.model import Aggregation, Baseline, Direction
from kpiledger.core.progress import Progress
from kpiledger.io.readers.text import parse

YEARS = "36_year_in_value_cells.txt"
LINES = "37_multiline_value_cells.txt"
MARCH_2023, MARCH_2025 = YearMonth(2023, 3), YearMonth(2025, 3)
TITLE = "令和5年度 試験町 地方創生推進交付金事業の効果検証\n"
INCREASE, ANNUAL = Direction.INCREASE, Aggregation.ANNUAL


def B(value: str, year: int | None) -> Baseline:
    from decimal import Decimal

    return Baseline(Decimal(value), year)


def test_years_file_projects() -> None:
    report = load(YEARS)
    assert report.fiscal_year == 2023
    assert [(p.name, p.section, p.grant, len(p.kpis)) for p in report.projects] == [
        ("大森村農泊推進事業", TARGET, SUISHIN, 2),
        ("大森村特産品開発事業", TARGET, SUISHIN, 2),
        ("大森村移住定住促進事業", TARGET, SUISHIN, 2),
    ]


# (indicator, unit, target, date, baseline, actuals, rate, status, judged, progress)
YEAR_KPIS = [
    # b 300 (R1), t 1,200 (R5年度 → 2024-03): (1,250 − 300)/(1,200 − 300) = 105.56 → 105.6
    ("農泊体験受入人数", "人", "1200", MARCH_2024, B("300", 2019),
     {2021: V("410"), 2022: V("780"), 2023: V("1250")}, "105.6", Status.ACHIEVED, 2023, None),
    # b 2 (H30), t 8: (7 − 2)/(8 − 2) = 83.33 → 83.3
    ("農家民宿の開業数", "軒", "8", MARCH_2024, B("2", 2018),
     {2021: V("4"), 2022: V("6"), 2023: V("7")}, "83.3", Status.NEARLY_ACHIEVED, 2023, None),
    # 1,200万円（R2） → 12,000,000, FY2020; 2,000万円（R6年度） → 2025-03, not due:
    # (18.9 − 12)/(20 − 12) = 86.25 → 86.3; CAGR 12 → 18.9 over 3 years 16.4 % vs 12 → 20
    # over 4 years 13.6 %: R = 1.2 → on track
    ("特産品の販売額", "円", "20000000", MARCH_2025, B("12000000", 2020),
     {2021: V("13500000"), 2022: V("16800000"), 2023: V("18900000")}, "86.3", Status.NOT_DUE,
     2023, Progress.ON_TRACK),
    # 30（R5.3末） → 2023-03, FY2022 due, judged 2022: (28 − 15)/(30 − 15) = 86.67 → 86.7
    ("特産品取扱店舗数", "店", "30", MARCH_2023, B("15", 2020),
     {2021: V("21"), 2022: V("28"), 2023: V("31")}, "86.7", Status.NEARLY_ACHIEVED, 2022, None),
    # 40（R5年度） agrees with 年月 R6.3 (FY2023): (38 − 12)/(40 − 12) = 92.86 → 92.9
    ("移住者数", "人", "40", MARCH_2024, B("12", 2020), {2022: V("31"), 2023: V("38")},
     "92.9", Status.NEARLY_ACHIEVED, 2023, None),
    # plain cells beside them: b 5 (no year), t 20 at R7.3 not due: (16 − 5)/(20 − 5) = 73.3;
    # from the first value 11 (2022) → 16: 45 % a year vs 34.8 % needed → on track
    ("空き家バンク登録件数", "件", "20", MARCH_2025, B("5", None),
     {2022: V("11"), 2023: V("16")}, "73.3", Status.NOT_DUE, 2023, Progress.ON_TRACK),
]  # fmt: skip


@pytest.mark.parametrize(
    ("indicator", "unit", "target", "date", "baseline", "actuals", "rate", "status", "judged",
     "progress"),
    YEAR_KPIS,
    ids=[row[0] for row in YEAR_KPIS],
)  # fmt: skip
def test_years_file_kpis_value_by_value(
    indicator: str,
    unit: str,
    target: str,
    date: YearMonth,
    baseline: Baseline,
    actuals: dict,  # type: ignore[type-arg]
    rate: str,
    status: Status,
    judged: int,
    progress: Progress | None,
) -> None:
    result = results_of(load(YEARS))[indicator]
    check_kpi(
        result.kpi, unit=unit, target=target, actuals=actuals, date=date,
        fiscal_year=date.fiscal_year, baseline=baseline,
    )  # fmt: skip
    assert result.direction.value is INCREASE
    assert result.aggregation.value is ANNUAL
    check_result(result, rate, status, progress=progress, judged_year=judged)
    assert flag_codes(result) == []  # no unit-mismatch for the bracketed year


def test_years_file_effects() -> None:
    projects = evaluate_report(load(YEARS)).projects
    assert [p.effect_suggestion for p in projects] == [
        "地方創生に相当程度効果があった",
        "地方創生に効果があった",  # none achieved; both better than their baseline
        "地方創生に効果があった",
    ]


def test_lines_file_projects() -> None:
    report = load(LINES)
    assert [(p.name, len(p.kpis)) for p in report.projects] == [
        ("宮原市移住促進事業", 2),
        ("宮原市観光振興事業", 2),
    ]


# (indicator, unit, target, date, actuals, note, rate, status, progress)
LINE_KPIS = [
    # 移住者数\n※…: the ※ line in the note after 備考; 38 and 52, their breakdowns in the note;
    # 52/50 = 104.0
    ("移住者数", "人", "50", MARCH_2024, {2022: V("38"), 2023: V("52")},
     "R5年度から転入届に移住理由欄を追加\n※転入届の移住理由欄による\nR4年度：（うち県外27）\n"
     "R5年度：（うち県外35）", "104.0", Status.ACHIEVED, None),
    # 165\n※オンライン含む: 165, the note kept; 210/200 = 105.0
    ("移住相談件数", "件", "200", MARCH_2024, {2022: V("165"), 2023: V("210")},
     "R4年度：※オンライン含む", "105.0", Status.ACHIEVED, None),
    # 27/30 = 90.0
    ("観光ガイド登録者数", "人", "30", MARCH_2024, {2022: V("22"), 2023: V("27")},
     "R5年度：（うち新規8）", "90.0", Status.NEARLY_ACHIEVED, None),
    # R7.3 not due: 6,900/8,000 = 86.25 → 86.3; 5,600 → 6,900 is 23 % a year vs 19.5 % needed
    ("観光案内所の利用者数", "人", "8000", MARCH_2025, {2022: V("5600"), 2023: V("6900")},
     "※土日祝日のみ開所", "86.3", Status.NOT_DUE, Progress.ON_TRACK),
]  # fmt: skip


@pytest.mark.parametrize(
    ("indicator", "unit", "target", "date", "actuals", "note", "rate", "status", "progress"),
    LINE_KPIS,
    ids=[row[0] for row in LINE_KPIS],
)
def test_lines_file_kpis_value_by_value(
    indicator: str,
    unit: str,
    target: str,
    date: YearMonth,
    actuals: dict,  # type: ignore[type-arg]
    note: str,
    rate: str,
    status: Status,
    progress: Progress | None,
) -> None:
    result = results_of(load(LINES))[indicator]
    check_kpi(
        result.kpi, unit=unit, target=target, actuals=actuals, date=date,
        fiscal_year=date.fiscal_year, note=note,
    )  # fmt: skip
    assert result.direction.value is INCREASE
    assert result.aggregation.value is ANNUAL
    check_result(result, rate, status, progress=progress, judged_year=2023)
    assert flag_codes(result) == []  # never a unit-mismatch for the second line


def test_lines_file_effects() -> None:
    projects = evaluate_report(load(LINES)).projects
    assert [p.effect_suggestion for p in projects] == [
        "地方創生に非常に効果的であった",
        "地方創生に効果があった",
    ]


# --- 2. inline -----------------------------------------------------------------------------------


def one_kpi(head: str, row: str):  # type: ignore[no-untyped-def]
    (kpi,) = parse(TITLE + head + "\n" + row + "\n").kpis
    return kpi


HEAD = "事業名\t指標\t基準値\t目標値\t単位\tR5年度"
DATED = "事業名\t指標\t基準値\t目標値\t単位\t年月\tR5年度"


def test_a_bracketed_month_in_the_target_is_that_month() -> None:
    kpi = one_kpi(HEAD, "試験町移住促進事業\t移住者数\t12\t40（R6.9末）\t人\t38")
    assert kpi.target_date == YearMonth(2024, 9)


def test_a_blank_date_cell_takes_the_target_cells_year() -> None:
    kpi = one_kpi(
        "事業名\t指標\t目標値\t単位\t年月\tR5年度",
        "試験町移住促進事業\t移住者数\t40（R5年度）\t人\t\t38",
    )
    assert kpi.target_date == MARCH_2024


def test_a_baseline_year_agreeing_with_its_column() -> None:
    kpi = one_kpi(
        "事業名\t指標\t基準値\t基準年度\t目標値\t単位\t年月\tR5年度",
        "試験町移住促進事業\t移住者数\t12（R2年度）\tR2年度\t40\t人\tR6.3\t38",
    )
    assert kpi.baseline == B("12", 2020)


def test_a_multiline_indicator_without_a_note_mark_is_kept_whole() -> None:
    """Only ※ lines are split off an indicator; another second line is the indicator's."""
    kpi = one_kpi(DATED, '試験町移住促進事業\t"移住者数\n（転入届による）"\t12\t40\t人\tR6.3\t38')
    assert kpi.indicator == "移住者数\n（転入届による）"
    assert kpi.note is None


def test_literal_backslash_n_is_a_line_break() -> None:
    kpi = one_kpi(DATED, "試験町移住促進事業\t移住者数\t12\t40\t人\tR6.3\t38\\n（うち県外27）")
    assert kpi.actuals == {2023: V("38")}
    assert kpi.note == "R5年度：（うち県外27）"


# --- 3. refused, never guessed -----------------------------------------------------------------


PLAIN = "事業名\t指標\t指標値\t単位\t年月\tR5年度\n"
ROW = "試験町移住促進事業\t移住者数\t"


def problems_of(text: str) -> list[tuple[str, int | None, int | None, str | None, str, str]]:
    return located(TITLE + text)


def test_a_target_year_disagreeing_with_the_date_column_is_refused() -> None:
    text = PLAIN + ROW + "40（R5年度）\t人\tR7.3\t24\n"
    assert problems_of(text) == [
        (
            "cell-year-mismatch", 3, 3, "指標値",
            "「40（R5年度）」の括弧内は2023年度ですが、「年月」は2024年度です"
            "（どちらが正しいか確かめ、一方だけを書いてください）",
            "'40（R5年度）' names FY2023 in brackets, but '年月' says FY2024 (check which is"
            " right and write only that one)",
        )
    ]  # fmt: skip


def test_a_baseline_year_disagreeing_with_its_column_is_refused() -> None:
    text = (
        "事業名\t指標\t基準値\t基準年度\t指標値\t単位\t年月\tR5年度\n"
        "試験町移住促進事業\t移住者数\t12（R2年度）\tR1年度\t40\t人\tR6.3\t24\n"
    )
    assert problems_of(text) == [
        (
            "cell-year-mismatch", 3, 3, "基準値",
            "「12（R2年度）」の括弧内は2020年度ですが、「基準年度」は2019年度です"
            "（どちらが正しいか確かめ、一方だけを書いてください）",
            "'12（R2年度）' names FY2020 in brackets, but '基準年度' says FY2019 (check which"
            " is right and write only that one)",
        )
    ]  # fmt: skip


def test_a_baseline_year_disagreeing_with_its_heading_is_refused() -> None:
    text = (
        "事業名\t指標\t基準値（R1年度）\t指標値\t単位\t年月\tR5年度\n"
        "試験町移住促進事業\t移住者数\t12（R2年度）\t40\t人\tR6.3\t24\n"
    )
    ((code, line, column, field, ja, _),) = problems_of(text)
    assert (code, line, column, field) == ("cell-year-mismatch", 3, 3, "基準値（R1年度）")
    assert "「基準値（R1年度）」は2019年度です" in ja


def test_an_actual_with_a_time_note_is_refused_saying_so() -> None:
    text = PLAIN + ROW + "40\t人\tR6.3\t31（R4.10時点）\n"
    assert problems_of(text) == [
        (
            "bad-number", 3, 6, "R5年度",
            "「31（R4.10時点）」は値に時点の注記（R4.10時点）がついています。この列の値はその列の"
            "年度の値として読むため、注記の時点と列の年度が違うかもしれず、読みません（値だけを"
            "書き、時点は備考か実績値の把握時点の列に書いてください）",
            "'31（R4.10時点）' is a value with a time note (R4.10時点): a value in this column is"
            " read as the column's year, which the note may contradict, so it is not read (write"
            " the value alone, and its time point in 備考 or a time-point column)",
        )
    ]  # fmt: skip


def test_an_actual_with_a_bracketed_year_is_refused_not_a_unit_mismatch() -> None:
    text = PLAIN + ROW + "40\t人\tR6.3\t31（R4年度）\n"
    ((code, line, column, field, _, en),) = problems_of(text)
    assert (code, line, column, field) == ("bad-number", 3, 6, "R5年度")
    assert en.startswith("'31（R4年度）' is a value with a time note (R4年度)")


def test_no_date_column_and_no_year_in_the_target_is_refused_once() -> None:
    text = (
        "事業名\t指標\t指標値\t単位\tR5年度\n"
        "試験町移住促進事業\t移住者数\t40（R5年度）\t人\t24\n"
        "\t移住相談件数\t120\t件\t130\n"
        "\t空き家バンク登録件数\t20\t件\t16\n"
    )
    assert problems_of(text) == [
        (
            "missing-column", 2, None, None,
            "見出しに「年月」（目標年月）または「目標年度」の列がありません",
            "the header has no target date column (年月 or 目標年度)",
        )
    ]  # fmt: skip


def test_a_value_with_another_second_line_is_refused() -> None:
    text = PLAIN + ROW + '40\t人\tR6.3\t"38\n27"\n'
    assert problems_of(text) == [
        (
            "bad-number", 3, 6, "R5年度",
            "「38\n27」は複数行で、2行目以降が内訳（（うち…））でも注記（※…）でもないため、"
            "どの行が値か決められません（値は1行目に書き、内訳は（うち…）、注記は※で始めて"
            "ください）",
            "'38\n27' has several lines, and those after the first are neither a breakdown"
            " ((うち…)) nor a note (※…): which line is the value cannot be told (write the value"
            " first, a breakdown as (うち…), a note starting with ※)",
        )
    ]  # fmt: skip


@pytest.mark.parametrize("cell", ["38\n見込", "38\n（県外27）", "38\n※注\n40"])
def test_other_multiline_values_are_refused(cell: str) -> None:
    text = PLAIN + ROW + f'40\t人\tR6.3\t"{cell}"\n'
    ((code, line, column, field, _, _),) = problems_of(text)
    assert (code, line, column, field) == ("bad-number", 3, 6, "R5年度")


def test_no_date_anywhere_is_the_missing_column_alone() -> None:
    """Every row without a year: the header's problem, told once, and no project-without-kpi."""
    text = (
        "事業名\t指標\t指標値\t単位\tR5年度\n" + ROW + "40\t人\t24\n\t移住相談件数\t120\t件\t130\n"
    )
    assert [p[:4] for p in problems_of(text)] == [("missing-column", 2, None, None)]


def test_no_target_and_no_date_column_are_both_told_at_the_header() -> None:
    text = "事業名\t指標\tR5年度\n" + ROW + "24\n"
    assert [p[:4] for p in problems_of(text)] == [
        ("missing-column", 2, None, None),
        ("missing-column", 2, None, None),
    ]
