"""A money heading that carries its unit inside it, as the national form prints it
(`実績額（単位：円）`), left of the KPI table's own 単位 column: the note's word 単位 must not
make it the 単位 column. Found by reading the national form of 地方創生先行型 as a city
published it (columns 交付対象事業の名称, 事業概要, 実績額（単位：円）, 指標, 指標値, 単位,
目標年月, 実績値); the rows below are that table's shape, the figures ours.

Also from that table: a count of aid given for a bad thing (`医療費助成件数`) counts the aid,
so more is better, as `空き家の改修件数` does.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from kpiledger.core.errors import ReportError
from kpiledger.core.evaluate import evaluate_report
from kpiledger.core.inference import infer_direction
from kpiledger.core.model import Direction
from kpiledger.io.readers import read_report_bytes
from kpiledger.io.readers.layout import Role, heading_roles, heading_unit, without_unit

FORM = """\
平成27年度 地域活性化・地域住民生活等緊急支援交付金（地方創生先行型）に係る事業実施結果報告,,,,,,,,,
,交付対象事業の名称,事業概要,実績額（単位：円）,本事業における重要業績評価指標（KPI）,,指標値,単位,目標年月,実績値
1,産業用地分譲促進事業,産業団地に立地する企業に対し奨励金を交付する。,"6,607,500",指標①,市内人材の雇用件数,42,人,H28.3,15
,,,,指標②,新規学卒者の雇用件数,2,人,H28.3,0
2,こども医療費助成事業,保険給付の一部負担金の額を助成する。,"12,000,000",指標①,医療費助成件数（中学生分）,100,件,H28.3,112
"""


@pytest.mark.parametrize(
    ("heading", "roles"),
    [
        ("実績額（単位：円）", (Role.SPENT,)),
        ("実績額(単位:千円)", (Role.SPENT,)),
        ("総事業費（単位：千円）", (Role.TOTAL_COST,)),
        ("交付金額 （単位：円）", (Role.GRANT_AMOUNT,)),
        ("事業費（単位：千円）", ()),  # a column kpiledger does not read, still not 単位
        ("指標値（単位：人）", (Role.TARGET,)),
        ("単位", (Role.UNIT,)),
        ("単位：円", ()),
        ("（単位：円）", ()),
    ],
)
def test_a_unit_note_inside_a_heading_is_not_the_unit_column(heading, roles):
    assert heading_roles(heading) == roles


def test_the_national_form_with_its_money_unit_in_the_heading_reads_each_column():
    report = read_report_bytes(FORM.encode("utf-8"), "999999_h27.csv")
    assert report.fiscal_year == 2015
    kpis = [
        (k.indicator, k.target, k.unit, {y: a.value for y, a in k.actuals.items()})
        for k in report.kpis
    ]
    assert kpis == [
        ("市内人材の雇用件数", Decimal(42), "人", {2015: Decimal(15)}),
        ("新規学卒者の雇用件数", Decimal(2), "人", {2015: Decimal(0)}),
        ("医療費助成件数（中学生分）", Decimal(100), "件", {2015: Decimal(112)}),
    ]
    spent = [p.assessment.spent for p in report.projects]
    assert spent == [Decimal("6607500"), Decimal("12000000")]
    result = evaluate_report(report, nearly=Decimal(80))
    aid = result.kpis[2]
    assert (aid.direction.value, aid.achievement_rate, aid.status.value) == (
        Direction.INCREASE,
        Decimal("112.0"),
        "achieved",
    )


@pytest.mark.parametrize(
    ("indicator", "direction"),
    [
        ("医療費助成件数（中学生分）", Direction.INCREASE),
        ("子ども医療費給付件数", Direction.INCREASE),
        ("空き家改修補助件数", Direction.INCREASE),
        ("国保一人当たり医療費", Direction.DECREASE),  # the bad thing itself
        ("空き家数", Direction.DECREASE),
    ],
)
def test_aid_given_for_a_bad_thing_is_counted_as_more_is_better(indicator, direction):
    assert infer_direction(indicator, "件").value is direction


# --- a unit named by a value heading ----------------------------------------------------------
# Tables without a 単位 column name the KPIs' unit in the value headings instead: inside the
# heading (`指標値（単位：人）`), as a note under it (`単位：件`), or over a group of year
# columns (`実績値（単位：人）` over R4 | R5). The unit applies to every KPI of the table.

TITLE = "令和5年度 地方創生推進交付金 効果検証シート,,,,,\n"


def _kpis(table: str) -> list[tuple[str, str, Decimal, dict[int, Decimal]]]:
    report = read_report_bytes((TITLE + table).encode("utf-8"), "999999_r5.csv")
    return [
        (k.indicator, k.unit, k.target, {y: a.value for y, a in k.actuals.items()})
        for k in report.kpis
    ]


def _flags(table: str) -> list[tuple[str, str]]:
    report = read_report_bytes((TITLE + table).encode("utf-8"), "999999_r5.csv")
    return [(f.code, f.message_ja) for k in report.kpis for f in k.reader_flags]


def test_a_unit_inside_the_target_heading_is_the_kpis_unit():
    table = (
        "事業名,指標,指標値（単位：人）,目標年月,実績値\n"
        "移住促進事業,移住者数,70,R6.3,58\n"
        "移住促進事業,相談件数,300,R6.3,320\n"
    )
    assert _kpis(table) == [
        ("移住者数", "人", Decimal(70), {2023: Decimal(58)}),
        ("相談件数", "人", Decimal(300), {2023: Decimal(320)}),
    ]


def test_a_unit_note_under_the_actual_heading_is_the_kpis_unit():
    table = "事業名,指標,目標値,目標年月,実績値\n,,,,単位：件\n創業支援事業,創業件数,12,R6.3,9\n"
    assert _kpis(table) == [("創業件数", "件", Decimal(12), {2023: Decimal(9)})]


def test_a_unit_over_a_group_of_year_columns_is_the_kpis_unit():
    table = (
        "事業名,指標,目標値,目標年月,実績値（単位：回）,\n"
        ",,,,R4年度,R5年度\n"
        "観光振興事業,イベント開催数,20,R6.3,8,15\n"
    )
    assert _kpis(table) == [
        ("イベント開催数", "回", Decimal(20), {2022: Decimal(8), 2023: Decimal(15)})
    ]


def test_a_unit_column_wins_over_the_heading_and_a_disagreement_is_flagged():
    table = (
        "事業名,指標,指標値（単位：人）,単位,目標年月,実績値\n"
        "移住促進事業,移住者数,70,,R6.3,58\n"
        "移住促進事業,相談件数,300,件,R6.3,320\n"
    )
    assert [(k[0], k[1]) for k in _kpis(table)] == [("移住者数", "人"), ("相談件数", "件")]
    assert _flags(table) == [
        (
            "unit-mismatch",
            "4行目「指標値（単位：人）」の値の単位「人」が単位欄「件」と異なります",
        )
    ]


def test_a_money_heading_never_gives_the_kpis_unit():
    table = (
        "事業名,実績額（単位：千円）,指標,指標値,目標年月,実績値\n"
        "移住促進事業,1200,移住者数,70,R6.3,58\n"
    )
    assert _kpis(table) == [("移住者数", "", Decimal(70), {2023: Decimal(58)})]


def test_a_money_note_spanning_over_the_value_columns_names_no_unit():
    # `単位：千円` under 実績額, its row blank to the right: a merged cell as text fills the
    # blanks from the left, which must not make 千円 the unit of 目標値 and 実績値.
    table = (
        "事業名,実績額,指標,目標値,目標年月,実績値\n"
        ",単位：千円,,,,\n"
        "移住促進事業,1200,移住者数,70,R6.3,58\n"
    )
    assert _kpis(table) == [("移住者数", "", Decimal(70), {2023: Decimal(58)})]


def test_two_value_headings_naming_different_units_are_a_located_problem():
    table = (
        "事業名,指標,指標値（単位：人）,目標年月,実績値（単位：千人）\n"
        "観光振興事業,観光入込客数,70,R6.3,58\n"
    )
    with pytest.raises(ReportError) as raised:
        read_report_bytes((TITLE + table).encode("utf-8"), "999999_r5.csv")
    (problem,) = raised.value.problems
    assert (problem.code, problem.line, problem.column, problem.field) == (
        "ambiguous-column",
        2,
        5,
        "実績値（単位：千人）",
    )
    assert problem.message_ja == (
        "見出し「実績値（単位：千人）」（5列目）の単位「千人」が「指標値（単位：人）」（3列目）の"
        "単位「人」と異なり、指標の単位を決められません（単位をそろえるか、単位の列に書いてください）"
    )


@pytest.mark.parametrize(
    ("heading", "unit"),
    [
        ("指標値（単位：人）", "人"),
        ("目標値(単位:件)", "件"),
        ("単位：社", "社"),
        ("目標値（人）", "人"),
        ("目標値（千円）", "千円"),
        ("実績値（％）", "%"),
        ("目標値（人泊）", "人泊"),
        ("目標値（千人）", "千人"),
        ("目標値（R5年度）", None),  # a year, not a unit
        ("目標値（中間）", None),
        ("目標値（KPI増加分の累計）", None),
        ("実績値", None),
    ],
)
def test_the_unit_a_heading_names(heading, unit):
    assert heading_unit(heading) == unit


def test_a_bare_unit_in_the_target_heading_is_the_kpis_unit():
    table = (
        "事業名,指標,目標値（千円）,目標年月,実績値\n"
        '特産品振興事業,特産品販売額,15000,R6.3,"12,500"\n'
    )
    assert _kpis(table) == [("特産品販売額", "千円", Decimal(15000), {2023: Decimal(12500)})]


@pytest.mark.parametrize(
    ("header", "row", "unit", "target", "actuals"),
    [
        # year columns each naming the unit
        (
            "事業名,指標,目標値（人）,目標年月,R4年度（人）,R5年度（人）",
            "観光振興事業,来場者数,70,R6.3,40,58",
            "人",
            70,
            {2022: 40, 2023: 58},
        ),
        # the unit after the year of a single 実績値
        (
            "事業名,指標,目標値,目標年月,実績値(R5年度)（人）",
            "観光振興事業,来場者数,70,R6.3,58",
            "人",
            70,
            {2023: 58},
        ),
        # year labels with a unit in the header's second row
        (
            "事業名,指標,目標値,目標年月,実績値,\n,,,,R4年度（件）,R5年度（件）",
            "創業支援事業,創業件数,12,R6.3,7,9",
            "件",
            12,
            {2022: 7, 2023: 9},
        ),
        # yearly targets naming the unit after their year: the last one is the target
        (
            "事業名,指標,目標値（R5年度）（人）,目標値（R6年度）（人）,目標年月,R5年度",
            "移住促進事業,移住者数,70,80,R7.3,58",
            "人",
            80,
            {2023: 58},
        ),
    ],
)
def test_a_year_heading_with_a_unit_is_read_as_its_year(header, row, unit, target, actuals):
    kpis = _kpis(f"{header}\n{row}\n")
    assert [(k[1], k[2], k[3]) for k in kpis] == [
        (unit, Decimal(target), {y: Decimal(v) for y, v in actuals.items()})
    ]


@pytest.mark.parametrize(
    ("heading", "read_as"),
    [
        ("R4年度（人）", "R4年度"),
        ("実績値（R5年度）（人）", "実績値(R5年度)"),
        ("目標値（単位：人）", "目標値"),
        ("目標値（R5年度）", "目標値(R5年度)"),  # a year is kept
        ("R3年度増加分（1年目）", "R3年度増加分(1年目)"),
    ],
)
def test_a_heading_is_read_without_its_unit(heading, read_as):
    assert without_unit(heading) == read_as
