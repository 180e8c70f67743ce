"""Headings as municipalities write them, and the national form 「事業実施結果報告」 (issue 8,
item 5).

The national form is the one municipalities send to the Cabinet Office (様式2,
「…に係る事業実施結果報告（各交付対象事業の重要業績評価指標（KPI）の実績値等）」, as published
for example by 熊本県玉東町): per project 交付対象事業の名称, 事業概要, 実績額（単位：円）, then
one row per KPI slot 指標①, 指標②… with the indicator's text in the cell right of the slot
label, 指標値, 単位, 目標年月, one 実績値 without a year, and the committee's 事業効果 /
事業の評価 / 外部有識者からの意見 / 今後の方針.
tests/data/layouts/23_national_form.txt is a fictional town's form in that shape.

Every expected value was worked out BY HAND from the file and EVALUATION.md: the single 実績値 is
the title's fiscal year (令和5年度 = FY2023); 目標年月 R6.3 → 2024-03 → FY2023, so every target
is due and judged in FY2023; rate a/t×100 (increase) or t/a×100 (decrease), one decimal,
ROUND_HALF_UP; achieved when a meets t, nearly_achieved when the rate ≥ 80.
"""

from __future__ import annotations

import pytest
from tests.excel_files import sheet_of_text, xlsx
from tests.test_text_reader_layouts import (
    LAYOUTS,
    MARCH_2024,
    TARGET,
    M,
    V,
    check_kpi,
    check_project,
    check_result,
    load,
    results_of,
)

from kpiledger.core.era import YearMonth
from kpiledger.core.errors import ReportError
from kpiledger.core.evaluate import Status
from kpiledger.core.model import Aggregation, Direction, Report
from kpiledger.io.readers import read_report_bytes
from kpiledger.io.readers.text import parse

NATIONAL = "23_national_form.txt"


def problems_of(text: str) -> list[tuple[str, int | None, int | None, str | None]]:
    with pytest.raises(ReportError) as err:
        parse(text)
    return [(p.code, p.line, p.column, p.field) for p in err.value.problems]


# --- the national form ----------------------------------------------------------------------


def test_national_form_projects_and_what_is_not_read() -> None:
    """Three projects, each with its filled slots only (指標③ left empty is skipped, not a note);
    No is not read (実績額 and the committee's columns are, see test_layouts_assessment); the
    title's year is the report year."""
    report = load(NATIONAL)
    assert report.title == "令和5年度 地方創生推進交付金に係る事業実施結果報告（霧見町）"
    assert report.fiscal_year == 2023
    assert report.year_columns == [2023]
    one, two, three = report.projects
    check_project(
        one,
        "霧見町移住・定住促進事業",
        TARGET,
        None,
        ["移住相談件数", "移住者数"],
        summary="移住相談窓口を役場内に常設し、首都圏での移住相談会への出展と、移住希望者向けの"
        "お試し住宅の運営を行った。",
    )
    check_project(
        two,
        "霧見町観光地域づくり法人（DMO）形成支援事業",
        TARGET,
        None,
        ["観光入込客数", "観光客一人当たりの観光消費額"],
    )
    check_project(
        three,
        "霧見町子育て支援拠点整備事業",
        TARGET,
        None,
        [
            "子育て支援センター利用者数（累計）",
            "待機児童数",
            "子育て環境に満足している保護者の割合",
        ],
    )
    assert all(kpi.note is None and kpi.baseline is None for kpi in report.kpis)
    assert all(kpi.published_rate is None for kpi in report.kpis)
    assert report.notes == [
        "（各交付対象事業の重要業績評価指標（KPI）の実績値等）",
        "都道府県名\t北海道\t市町村名\t霧見町\t担当部局課名\t企画課",
        "※実績値は令和5年度末（令和6年3月31日）時点の値です。",
        "※事業効果は「地方創生に非常に効果的であった」「地方創生に相当程度効果があった」"
        "「地方創生に効果があった」「地方創生に効果がなかった」から選択しています。",
    ]
    assert report.warnings == []


def _national() -> Report:
    return load(NATIONAL)


def test_national_form_kpis_value_by_value() -> None:
    kpis = {kpi.indicator: kpi for kpi in _national().kpis}
    check_kpi(kpis["移住相談件数"], unit="件", target="120", actuals={2023: V("135")})
    check_kpi(kpis["移住者数"], unit="人", target="30", actuals={2023: V("24")})
    check_kpi(kpis["観光入込客数"], unit="人", target="250000", actuals={2023: V("231500")})
    check_kpi(
        kpis["観光客一人当たりの観光消費額"],
        unit="円/人",
        target="8500",
        actuals={2023: V("6120")},
    )
    check_kpi(
        kpis["子育て支援センター利用者数（累計）"],
        unit="人",
        target="12000",
        actuals={2023: V("12480")},
    )
    check_kpi(kpis["待機児童数"], unit="人", target="0", actuals={2023: V("0")})
    check_kpi(
        kpis["子育て環境に満足している保護者の割合"],
        unit="%",
        target="65",
        actuals={2023: M("未集計")},
    )
    assert all(kpi.target_date == MARCH_2024 for kpi in kpis.values())


@pytest.mark.parametrize(
    ("indicator", "direction", "aggregation", "rate", "status"),
    [
        # 135 / 120 = 112.5 %
        ("移住相談件数", Direction.INCREASE, Aggregation.ANNUAL, "112.5", Status.ACHIEVED),
        # 24 / 30 = 80.0 %: not met, rate ≥ 80
        ("移住者数", Direction.INCREASE, Aggregation.ANNUAL, "80.0", Status.NEARLY_ACHIEVED),
        # 231,500 / 250,000 = 92.6 %
        ("観光入込客数", Direction.INCREASE, Aggregation.ANNUAL, "92.6", Status.NEARLY_ACHIEVED),
        # 円/人 is a level; 6,120 / 8,500 = 72.0 %
        (
            "観光客一人当たりの観光消費額",
            Direction.INCREASE,
            Aggregation.LEVEL,
            "72.0",
            Status.NOT_ACHIEVED,
        ),
        # 累計 in the indicator; 12,480 / 12,000 = 104.0 %
        (
            "子育て支援センター利用者数（累計）",
            Direction.INCREASE,
            Aggregation.CUMULATIVE,
            "104.0",
            Status.ACHIEVED,
        ),
        # 待機児童 is lower-is-better; a = 0 with t = 0 ≥ 0 → 100.0, achieved (0 ≤ 0)
        ("待機児童数", Direction.DECREASE, Aggregation.ANNUAL, "100.0", Status.ACHIEVED),
        # % is a level; 未集計 → no value in the judged year
        (
            "子育て環境に満足している保護者の割合",
            Direction.INCREASE,
            Aggregation.LEVEL,
            None,
            Status.NO_DATA,
        ),
    ],
)
def test_national_form_judgement(
    indicator: str,
    direction: Direction,
    aggregation: Aggregation,
    rate: str | None,
    status: Status,
) -> None:
    result = results_of(_national())[indicator]
    assert result.direction.value is direction
    assert result.aggregation.value is aggregation
    check_result(result, rate, status)


# A national form as one table, to vary its headings. Line 1 title, 2–3 the header, 4–5 KPIs.
FORM_HEAD = (
    "No\t交付対象事業の名称\t事業概要\t実績額\t本事業における重要業績評価指標（KPI）\t\t\t\t\t"
    "本事業終了後における実績値\t\t実績値を踏まえた事業の今後について\n"
    "\t\t\t単位：円\t{indicator}\t{text}\t指標値\t単位\t{date}\t{actual}\t事業効果\t今後の方針\n"
)
FORM_ROWS = (
    "1\t試験町移住促進事業\t相談窓口を置いた。\t1,000,000\t指標①\t移住相談件数\t100\t件\tR6.3\t90"
    "\t地方創生に相当程度効果があった\t事業の継続\n"
    "\t\t\t\t指標②\t移住者数\t10\t人\tR6.3\t12\t\t\n"
)


def form(
    title: str = "令和5年度 試験町 事業実施結果報告",
    *,
    indicator: str = "指標",
    text: str = "",
    date: str = "目標年月",
    actual: str = "実績値",
) -> str:
    head = FORM_HEAD.format(indicator=indicator, text=text, date=date, actual=actual)
    return f"{title}\n{head}{FORM_ROWS}"


@pytest.mark.parametrize(
    ("indicator", "text"),
    [
        ("指標", ""),  # as text and CSV export a merged heading
        ("指標", "指標"),  # as a workbook's merged cell is read: in every cell it covers
    ],
)
@pytest.mark.parametrize("date", ["目標年月", "目標月", "年月"])
def test_national_form_headings_as_exported(indicator: str, text: str, date: str) -> None:
    report = parse(form(indicator=indicator, text=text, date=date))
    (project,) = report.projects
    assert project.name == "試験町移住促進事業"
    assert project.summary == "相談窓口を置いた。"
    first, second = project.kpis
    check_kpi(first, unit="件", target="100", actuals={2023: V("90")})
    check_kpi(second, unit="人", target="10", actuals={2023: V("12")})


def test_national_form_actual_with_its_year_in_the_heading() -> None:
    """実績値（R5年度） names its year: the title need not."""
    report = parse(form("試験町 事業実施結果報告", actual="実績値（R5年度）"))
    assert report.fiscal_year == 2023
    assert report.kpis[0].actuals == {2023: V("90")}


def test_national_form_actual_without_any_year_is_a_problem() -> None:
    """No year in the title and none in the heading: the 実績値 cannot be placed in a year."""
    with pytest.raises(ReportError) as err:
        parse(form("試験町 事業実施結果報告"))
    (problem,) = err.value.problems
    assert (problem.code, problem.line, problem.column, problem.field) == (
        "unknown-year-column",
        3,
        10,
        "実績値",
    )
    assert "表題" in problem.message_ja and "title" in problem.message_en


def test_national_form_title_year_is_the_last_one_written() -> None:
    report = parse(form("第2期総合戦略（令和2年度～令和6年度）に係る令和4年度 事業実施結果報告"))
    assert report.fiscal_year == 2022
    assert report.kpis[0].actuals == {2022: V("90")}


def test_a_per_row_actual_year_column_beside_year_columns_is_a_problem_not_a_guess() -> None:
    """Read beside a single 実績値 (tests/test_layouts_time_points.py); beside year columns
    which year a value belongs to would be a guess."""
    text = (
        "令和5年度 試験町の実績\n"
        "事業名\t指標\t目標値\t単位\t目標年月\t実績年度\tR5年度\n"
        "試験町移住促進事業\t移住者数\t10\t人\tR6.3\tR5\t12\n"
    )
    assert problems_of(text) == [("unknown-year-column", 2, 6, "実績年度")]


def test_an_undated_actual_beside_year_columns_is_a_problem() -> None:
    text = (
        "令和5年度 試験町の実績\n"
        "事業名\t指標\t目標値\t単位\t目標年月\tR4年度\t実績値\n"
        "試験町移住促進事業\t移住者数\t10\t人\tR6.3\t8\t12\n"
    )
    assert problems_of(text) == [("unknown-year-column", 2, 7, "実績値")]


def test_kpis_side_by_side_are_a_problem() -> None:
    """指標① and 指標② as two headings: one KPI per row is what is read."""
    text = (
        "令和5年度 試験町の実績\n"
        "事業名\t指標①\t目標値\t単位\t目標年月\tR5年度\t指標②\n"
        "試験町移住促進事業\t移住者数\t10\t人\tR6.3\t12\t移住相談件数\n"
    )
    assert problems_of(text) == [("ambiguous-column", 2, 7, "指標②")]


# --- heading synonyms -----------------------------------------------------------------------
ROLES = ("name", "indicator", "target", "unit", "date")
DEFAULTS = dict(zip(ROLES, ("事業の名称", "指標", "指標値", "単位", "年月"), strict=True))


def table(**headings: str) -> str:
    """A one-table report whose fixed columns have the given headings, then R4年度 | R5年度."""
    names = [headings.get(role, DEFAULTS[role]) for role in ROLES]
    extra = headings.get("extra")
    header = "\t".join([*names, "R4年度", "R5年度", *([extra] if extra else [])])
    row = "\t".join(
        [
            "試験町移住促進事業",
            "移住者数",
            "100",
            "人",
            "R6.3",
            "80",
            "90",
            *(["88"] if extra else []),
        ]
    )
    return f"## 令和5年度 試験町の実績\n{header}\n{row}\n"


@pytest.mark.parametrize(
    ("role", "heading"),
    [
        ("name", "事業名"),
        ("name", "交付対象事業の名称"),
        ("name", "交付対象 事業の名称"),
        ("name", "事業名称"),
        ("name", "交付対象事業名"),
        ("indicator", "KPI"),
        ("indicator", "K P I"),
        ("indicator", "重要業績評価指標"),
        ("indicator", "KPI（重要業績評価指標）"),
        ("indicator", "指標名"),
        ("indicator", "評価指標"),
        ("indicator", "成果指標"),
        ("indicator", "指標①"),
        ("target", "目標値"),
        ("target", "指標値"),
        ("target", "KPI目標値"),
        ("target", "目標"),
        ("target", "数値目標"),
        ("target", "目標値（人）"),
        ("date", "目標年月"),
        ("date", "目標月"),
        ("date", "達成時期"),
        ("date", "目標時期"),
        ("date", "目標年月（達成時期）"),
    ],
)
def test_heading_synonyms(role: str, heading: str) -> None:
    report = parse(table(**{role: heading}))
    check_kpi(report.kpis[0], unit="人", target="100", actuals={2022: V("80"), 2023: V("90")})


@pytest.mark.parametrize(
    "heading", ["達成率", "達成度", "達成率（％）", "達成率（実績値／目標値）"]
)
def test_rate_synonyms(heading: str) -> None:
    """A rate heading may explain its formula: it is still the rate, not an ambiguity."""
    report = parse(table(extra=heading))
    assert report.kpis[0].published_rate == 88


@pytest.mark.parametrize(
    ("role", "heading", "column"),
    [
        ("target", "目標値・実績値", 3),
        ("target", "基準値／目標値", 3),
        ("date", "単位・年月", 5),
        ("indicator", "指標（目標値）", 2),
    ],
)
def test_a_heading_naming_two_roles_is_a_located_problem(
    role: str, heading: str, column: int
) -> None:
    with pytest.raises(ReportError) as err:
        parse(table(**{role: heading}))
    first = err.value.problems[0]
    assert (first.code, first.line, first.column, first.field) == (
        "ambiguous-column",
        2,
        column,
        heading,
    )
    assert heading in first.message_ja and heading in first.message_en


def test_a_unit_note_under_another_heading_is_not_the_unit_column() -> None:
    """`単位：千円` under 事業費 says the unit of 事業費; 単位 further right is the unit column."""
    text = (
        "令和5年度 試験町の実績\n"
        "事業の名称\t事業費\t指標\t指標値\t\t年月\tR5年度\n"
        "\t単位：千円\t\t\t単位\t\t\n"
        "試験町移住促進事業\t5,000\t移住者数\t10\t人\tR6.3\t12\n"
    )
    (kpi,) = parse(text).kpis
    assert kpi.unit == "人"


# --- year headings of actual columns -----------------------------------------------------


def years_table(title: str, labels: list[str], date: str, group: str = "") -> str:
    """A report whose actual columns have the given headings (under `group` when given)."""
    fixed = "事業の名称\t指標\t指標値\t単位\t年月"
    header = f"{fixed}\t" + "\t".join(labels)
    if group:  # the group heading spans the year columns, on the row above them
        header = f"{fixed}\t{group}" + "\t" * (len(labels) - 1) + "\n\t\t\t\t\t" + "\t".join(labels)
    values = "\t".join(str(10 * (i + 1)) for i in range(len(labels)))
    row = f"試験町移住促進事業\t移住者数\t100\t人\t{date}\t{values}"
    return f"{title}\n{header}\n{row}\n"


@pytest.mark.parametrize(
    ("labels", "group", "years"),
    [
        (["R4", "R5"], "", [2022, 2023]),
        (["令和4年度", "令和5年度"], "", [2022, 2023]),
        (["R4年度", "R5年度"], "", [2022, 2023]),
        (["2022年度", "2023年度"], "", [2022, 2023]),
        (["R4実績", "R5実績"], "", [2022, 2023]),
        (["実績値（R4年度）", "実績値（R5年度）"], "", [2022, 2023]),
        (["実績値（2022）", "実績値（2023）"], "", [2022, 2023]),
        # a bare 2023 is a fiscal year under a 実績値 heading spanning the years
        (["2022", "2023"], "実績値", [2022, 2023]),
        (["R4", "R5"], "実績値", [2022, 2023]),
    ],
)
def test_reiwa_and_western_year_headings(labels: list[str], group: str, years: list[int]) -> None:
    report = parse(years_table("令和5年度 試験町の実績", labels, "R6.3", group))
    assert report.year_columns == years
    (kpi,) = report.kpis
    assert kpi.actuals == {years[0]: V("10"), years[1]: V("20")}
    check_result(results_of(report)["移住者数"], "20.0", Status.NOT_ACHIEVED)


@pytest.mark.parametrize(
    "labels",
    [["H29", "H30"], ["平成29年度", "平成30年度"], ["H29年度", "H30年度"]],
)
def test_heisei_year_headings(labels: list[str]) -> None:
    """H30年度 = FY2018; 目標年月 H31.3 → 2019-03 → FY2018, judged in the H30 column."""
    report = parse(years_table("平成30年度 試験町の実績", labels, "H31.3"))
    assert report.fiscal_year == 2018
    (kpi,) = report.kpis
    assert kpi.actuals == {2017: V("10"), 2018: V("20")}
    assert kpi.target_date == YearMonth(2019, 3)
    check_result(results_of(report)["移住者数"], "20.0", Status.NOT_ACHIEVED, judged_year=2018)


def test_a_bare_western_year_without_an_actual_heading_is_a_problem() -> None:
    """`2023` alone could be a calendar year: unread, and said so."""
    text = years_table("令和5年度 試験町の実績", ["R4年度", "2023"], "R6.3")
    assert problems_of(text) == [("unknown-year-column", 2, 7, "2023")]


def test_an_implausible_bare_year_under_an_actual_heading_is_a_problem() -> None:
    text = years_table("令和5年度 試験町の実績", ["2022", "1900"], "R6.3", "実績値")
    assert problems_of(text) == [("unknown-year-column", 3, 7, "1900")]


def test_national_form_as_a_workbook_with_merged_cells() -> None:
    """The form as a municipality's .xlsx: the group headings merged across their columns, 指標
    merged over the slot label and the text, and each project's name, summary, 実績額 and the
    committee's cells merged down its slot rows. A merged value is read in every cell it covers,
    so the project continues over its rows and the unused 指標③ row adds nothing."""
    text = (LAYOUTS / NATIONAL).read_text(encoding="utf-8")
    sheet = sheet_of_text("様式2", text)
    sheet.merges = [(6, 5, 6, 9), (6, 10, 6, 11), (6, 12, 6, 13), (6, 14, 6, 15), (7, 5, 7, 6)]
    for top in (8, 11, 14):  # the project rows; their columns A–D and K–O merged down 3 rows
        sheet.merges += [(top, c, top + 2, c) for c in (1, 2, 3, 4, 11, 12, 13, 14, 15)]
    from_workbook = read_report_bytes(xlsx([sheet]), "national.xlsx")
    from_text = load(NATIONAL)
    assert [p.name for p in from_workbook.projects] == [p.name for p in from_text.projects]
    assert [p.summary for p in from_workbook.projects] == [p.summary for p in from_text.projects]
    assert [
        (k.indicator, k.unit, k.target, k.target_date, k.actuals) for k in from_workbook.kpis
    ] == [(k.indicator, k.unit, k.target, k.target_date, k.actuals) for k in from_text.kpis]
