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

from kpiledger.core.evaluate import evaluate_report
from kpiledger.core.inference import infer_direction
from kpiledger.core.model import Direction
from kpiledger.io.readers import read_report_bytes
from kpiledger.io.readers.layout import Role, heading_roles

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
