"""What the national form publishes beside the KPIs (issue 8, item 5): 実績額, 事業効果, 事業の
評価, 外部有識者からの意見, 今後の方針 and its reason, read into `Project.assessment` as
published; the published 事業効果 compared with kpiledger's suggestion (`effect-mismatch`).

Files: tests/data/layouts/23_national_form.txt (霧見町, R5年度, 実績額 単位：円 under its
heading) and 23b_national_form_money.txt (鷺沢村, R4年度, 実績額（千円）, 今後の方向性 / 理由
headings, a comment per KPI row, an abbreviated effect, a `-` amount). Every expected value and
suggestion was worked out BY HAND from the files and EVALUATION.md.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from tests.excel_files import sheet_of_text, xlsx

from kpiledger.core.effect import Effect, effect_mismatch, published_effect
from kpiledger.core.errors import ReportError
from kpiledger.core.evaluate import evaluate_report
from kpiledger.core.model import Assessment, Report
from kpiledger.io.readers import read_report_bytes
from kpiledger.io.readers.layout import Role, heading_roles
from kpiledger.io.readers.text import parse, read
from kpiledger.io.writers.json import dumps

LAYOUTS = Path(__file__).resolve().parent / "data" / "layouts"
NATIONAL, MONEY = "23_national_form.txt", "23b_national_form_money.txt"


def load(name: str) -> Report:
    return read(LAYOUTS / name)


def assessments(report: Report) -> dict[str, Assessment | None]:
    return {p.name: p.assessment for p in report.projects}


def test_national_form_assessment_read_as_published() -> None:
    kirimi = assessments(load(NATIONAL))
    assert kirimi["霧見町移住・定住促進事業"] == Assessment(
        effect="地方創生に相当程度効果があった",
        evaluation="総合戦略のKPI達成に有効であった",
        opinion="相談件数は目標を上回った。移住者数の伸びにつなげるため、住まいの確保を進められたい。",
        policy="事業内容の見直し（改善）",
        policy_reason="お試し住宅の利用者への定住支援を強化する。",
        spent=Decimal("8412000"),
        spent_unit="円",
    )
    dmo = kirimi["霧見町観光地域づくり法人（DMO）形成支援事業"]
    assert dmo is not None
    assert (dmo.effect, dmo.policy, dmo.spent) == (
        "地方創生に効果があった",
        "事業の継続",
        Decimal("15730000"),
    )
    child = kirimi["霧見町子育て支援拠点整備事業"]
    assert child is not None
    assert (child.effect, child.spent) == ("地方創生に非常に効果的であった", Decimal("41250000"))


def test_thousands_heading_comments_per_row_and_no_amount() -> None:
    """実績額（千円）: the unit is 千円; a comment per KPI row is kept on its own line; the same
    text repeated on the next row (a merged cell) is kept once; `-` is no amount."""
    sagisawa = assessments(load(MONEY))
    workation = sagisawa["鷺沢村ワーケーション推進事業"]
    assert workation == Assessment(
        effect="相当程度効果があった",
        evaluation="総合戦略のKPI達成に有効であった",
        opinion="利用者は順調に増加している。\n登録者の定着策を検討されたい。",
        policy="事業の継続",
        policy_reason="企業との連携協定を拡大する。",
        spent=Decimal("12345"),
        spent_unit="千円",
    )
    sales = sagisawa["鷺沢村特産品販路拡大事業"]
    assert sales is not None
    assert (sales.spent, sales.effect, sales.evaluation) == (
        None,
        "地方創生に効果があった",
        "総合戦略のKPI達成に有効とは言えなかった",
    )
    vacant = sagisawa["鷺沢村空き家活用事業"]
    assert vacant == Assessment(
        policy="事業の終了",
        policy_reason="目標を達成したため、村の単独事業に移行する。",
        spent=Decimal("5000"),
        spent_unit="千円",
    )


def test_kpis_of_the_money_form_value_by_value() -> None:
    """R4年度 (FY2022); 目標年月 R5.3 → FY2022, all due. 612/500 = 122.4 achieved; 255/300 = 85.0
    nearly; 21,000/30,000 = 70.0 and 4/10 = 40.0 not achieved; 12/12 = 100.0 achieved."""
    result = evaluate_report(load(MONEY))
    assert result.fiscal_year == 2022
    rows = [
        (
            k.kpi.indicator,
            k.kpi.target,
            k.kpi.unit,
            k.kpi.target_date.iso() if k.kpi.target_date else None,
            {y: a.value for y, a in k.kpi.actuals.items()},
            k.direction.value.value,
            k.aggregation.value.value,
            k.achievement_rate,
            k.status.value,
        )
        for k in result.kpis
    ]
    date = "2023-03"
    assert rows == [
        ("ワーケーション利用者数", 500, "人", date, {2022: 612}, "increase", "annual",
         Decimal("122.4"), "achieved"),
        ("関係人口登録者数", 300, "人", date, {2022: 255}, "increase", "annual",
         Decimal("85.0"), "nearly_achieved"),
        ("特産品売上額", 30000, "千円", date, {2022: 21000}, "increase", "annual",
         Decimal("70.0"), "not_achieved"),
        ("新規取引先数", 10, "社", date, {2022: 4}, "increase", "annual",
         Decimal("40.0"), "not_achieved"),
        ("空き家バンク成約件数", 12, "件", date, {2022: 12}, "increase", "annual",
         Decimal("100.0"), "achieved"),
    ]  # fmt: skip


def test_published_effect_compared_with_the_suggestion() -> None:
    """霧見町: 移住 suggests 相当程度 (135/120 achieved, 24/30 = 80.0 nearly), as published; DMO
    suggests 効果がなかった (231,500/250,000 = 92.6 nearly, 6,120/8,500 = 72.0 not, no earlier
    value to be better than) but published 効果があった; 子育て suggests 効果があった (満足度
    未集計 is no_data) but published 非常に効果的."""
    result = evaluate_report(load(NATIONAL))
    found = {
        p.project.name: (p.effect_suggestion, [f.code for f in p.flags]) for p in result.projects
    }
    assert found == {
        "霧見町移住・定住促進事業": (Effect.CONSIDERABLY_EFFECTIVE, []),
        "霧見町観光地域づくり法人（DMO）形成支援事業": (Effect.NOT_EFFECTIVE, ["effect-mismatch"]),
        "霧見町子育て支援拠点整備事業": (Effect.EFFECTIVE, ["effect-mismatch"]),
    }
    dmo = result.projects[1].flags[0]
    assert dmo.message_ja.startswith(
        "公表された事業効果「地方創生に効果があった」は、KPIの実績から提案する「地方創生に効果が"
        "なかった」と異なります"
    )
    assert "the published effect '地方創生に効果があった' differs" in dmo.message_en


def test_effect_is_compared_only_in_the_report_year() -> None:
    """The published effect is the report year's: judged in an earlier year, nothing is
    compared (the suggestion of another year is not what the committee chose from)."""
    report = load(MONEY)
    assert [p.flags for p in evaluate_report(report, 2021).projects] == [[], [], []]
    assert [[f.code for f in p.flags] for p in evaluate_report(report).projects] == [
        [],
        ["effect-mismatch"],
        [],
    ]


@pytest.mark.parametrize(
    ("text", "effect"),
    [
        ("地方創生に非常に効果的であった", Effect.VERY_EFFECTIVE),
        ("非常に効果的であった", Effect.VERY_EFFECTIVE),
        ("地方創生に相当程度効果があった", Effect.CONSIDERABLY_EFFECTIVE),
        ("相当程度効果があった", Effect.CONSIDERABLY_EFFECTIVE),
        ("地方創生に効果があった", Effect.EFFECTIVE),
        ("効果があった", Effect.EFFECTIVE),
        ("効果あり", Effect.EFFECTIVE),
        ("地方創生に効果がなかった", Effect.NOT_EFFECTIVE),
        ("効果なし", Effect.NOT_EFFECTIVE),
        ("地方創生に 効果が なかった", Effect.NOT_EFFECTIVE),
        ("", None),
        ("A", None),
        ("今後に期待", None),
        ("効果があった／効果がなかった", None),  # two categories: kept, not compared
    ],
)
def test_published_effect_words(text: str, effect: Effect | None) -> None:
    assert published_effect(text) is effect


def test_no_flag_without_a_comparable_pair() -> None:
    assert effect_mismatch(None, Effect.EFFECTIVE) is None
    assert effect_mismatch("効果があった", None) is None
    assert effect_mismatch("今後に期待", Effect.NOT_EFFECTIVE) is None
    assert effect_mismatch("効果があった", Effect.EFFECTIVE) is None


def test_json_has_the_assessment_only_where_published() -> None:
    national = json.loads(dumps(evaluate_report(load(NATIONAL))))
    first = national["projects"][0]
    assert first["assessment"]["spent"] == 8412000
    assert first["assessment"]["spent_unit"] == "円"
    assert first["assessment"]["policy"] == "事業内容の見直し（改善）"
    assert [p["flags"] for p in national["projects"]] == [
        [],
        ["effect-mismatch"],
        ["effect-mismatch"],
    ]
    plain = json.loads(dumps(evaluate_report(load("01_column_order.txt"))))
    assert all("assessment" not in p and "flags" not in p for p in plain["projects"])


@pytest.mark.parametrize(
    ("heading", "role"),
    [
        ("実績額", Role.SPENT),
        ("決算額（千円）", Role.SPENT),
        ("事業効果", Role.EFFECT),
        ("事業の評価", Role.EVALUATION),
        ("外部有識者からの意見", Role.OPINION),
        ("外部評価委員会の意見", Role.OPINION),
        ("今後の方針", Role.POLICY),
        ("今後の方向性", Role.POLICY),
        ("今後の方針の理由", Role.POLICY_REASON),
    ],
)
def test_assessment_headings(heading: str, role: Role) -> None:
    assert heading_roles(heading) == (role,)


HEAD = (
    "令和5年度 事業実施結果報告\n\n事業の名称\t実績額\t指標\t指標値\t単位\t年月\t実績値\t事業効果\n"
)


def test_two_amounts_for_one_project_refused_located() -> None:
    text = (
        HEAD
        + "A事業\t1,000\t利用者数\t10\t人\tR6.3\t12\t効果があった\n"
        + "\t2,000\t参加者数\t5\t人\tR6.3\t5\n"
    )
    with pytest.raises(ReportError) as err:
        parse(text)
    [problem] = err.value.problems
    assert (problem.code, problem.line, problem.column, problem.field) == (
        "conflicting-spent",
        5,
        2,
        "実績額",
    )
    assert problem.message_ja == "事業「A事業」の実績額が2つあります（1000 と 2000）"
    assert problem.message_en == "project 'A事業' has two amounts spent (1000 and 2000)"


def test_an_amount_that_is_not_a_number_refused_located() -> None:
    text = HEAD + "A事業\t約千円\t利用者数\t10\t人\tR6.3\t12\t効果があった\n"
    with pytest.raises(ReportError) as err:
        parse(text)
    [problem] = err.value.problems
    assert (problem.code, problem.line, problem.column, problem.field) == (
        "bad-number",
        4,
        2,
        "実績額",
    )


def test_same_assessment_from_excel_as_from_text() -> None:
    """The national form as a workbook whose project cells are merged over the KPI rows reads
    the same assessment (a merged cell copied to every row is kept once)."""
    text = (LAYOUTS / NATIONAL).read_text(encoding="utf-8")
    sheet = sheet_of_text("様式", text)
    project_columns = [1, 2, 3, 4, 11, 12, 13, 14, 15]  # No … 実績額, 事業効果 … 理由
    for top in (8, 11, 14):  # each project's three slot rows
        for column in project_columns:
            sheet.rows[top][column - 1] = sheet.rows[top + 1][column - 1] = None
        sheet.merges += [(top, c, top + 2, c) for c in project_columns]
    from_excel = read_report_bytes(xlsx([sheet]), "national.xlsx")
    assert assessments(from_excel) == assessments(parse(text))
    assert json.loads(dumps(evaluate_report(from_excel))) == json.loads(
        dumps(evaluate_report(parse(text)))
    )


def test_the_command_lines_table_shows_what_was_published(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from kpiledger.cli.main import main

    assert main(["evaluate", str(LAYOUTS / NATIONAL)]) == 0
    out = re.sub(r"\s+\n", "\n", capsys.readouterr().out)
    assert "事業効果（公表）: 地方創生に相当程度効果があった\n実績額: 8,412,000円\n" in out
    assert (
        "事業効果（公表）: 地方創生に効果があった\n実績額: 15,730,000円\n注意：公表された事業効果"
        in out
    )
