"""Direction and aggregation inference: value, reason and confidence; overrides win."""

from __future__ import annotations

import pytest
from tests.factories import make_kpi

from kpiledger.core.inference import (
    aggregation_of,
    direction_of,
    infer_aggregation,
    infer_direction,
)
from kpiledger.core.model import Aggregation, Confidence, Direction

INC, DEC = Direction.INCREASE, Direction.DECREASE


@pytest.mark.parametrize(
    ("indicator", "unit", "direction", "confidence", "reason_word"),
    [
        (
            "標準学力検査結果平均正答率が全国比-5ポイント以下の学校数",
            "学校数",
            DEC,
            Confidence.HIGH,
            "以下",
        ),
        (
            "児童生徒の学習適応度が偏差値50以上を達成した学校の割合",
            "%",
            INC,
            Confidence.HIGH,
            "以上",
        ),
        ("待機児童数", "人", DEC, Confidence.HIGH, "待機児童"),
        ("市内の交通事故発生件数", "件", DEC, Confidence.HIGH, "事故"),
        ("刑法犯認知件数", "件", DEC, Confidence.HIGH, "刑法犯"),
        ("新規就農者の3年以内離職者数", "人", DEC, Confidence.HIGH, "離職"),
        ("耕作放棄地面積", "ha", DEC, Confidence.HIGH, "耕作放棄"),
        ("ごみ排出量を減少させる", "t", DEC, Confidence.HIGH, "減少させる"),
        ("温室効果ガス排出量の削減", "t-CO2", DEC, Confidence.HIGH, "削減"),
        ("空き家バンクを通じた空き家の活用件数", "件", INC, Confidence.MEDIUM, "活用"),
        ("CO2削減量", "t", INC, Confidence.MEDIUM, "削減量"),
        ("移住者数", "人", INC, Confidence.HIGH, "移住"),
        ("施設予約システム利用率", "%", INC, Confidence.HIGH, "利用"),
        ("観光入込客数", "人", INC, Confidence.MEDIUM, "数"),
        ("ふるさと納税", "円", INC, Confidence.LOW, "高いほど良い"),
        ("転出者数", "人", DEC, Confidence.HIGH, "転出"),
        ("転出超過数", "人", DEC, Confidence.HIGH, "転出超過"),
        ("若年層の転出者数", "人", DEC, Confidence.HIGH, "転出"),
        # the use (利用) of something bad is a remedy: more is better
        ("赤字路線の利用者数", "人", INC, Confidence.MEDIUM, "利用"),
        ("遊休施設の利用件数", "件", INC, Confidence.MEDIUM, "利用"),
        ("未利用地の面積", "ha", DEC, Confidence.HIGH, "未利用"),  # 利用 inside 未利用
        ("未利用地の利用件数", "件", INC, Confidence.MEDIUM, "利用"),
        ("医療費適正化に取り組む事業所数", "事業所", INC, Confidence.MEDIUM, "適正化"),
        ("医療費の適正化に取組む事業所数", "事業所", INC, Confidence.MEDIUM, "適正化"),
        ("空き家対策に取り組む団体数", "団体", INC, Confidence.MEDIUM, "対策"),
        ("赤字事業者数", "社", DEC, Confidence.HIGH, "赤字"),
        # a bare 率 says nothing about the direction
        ("高齢化率", "%", INC, Confidence.LOW, "率"),
        ("合計特殊出生率", "", INC, Confidence.LOW, "率"),
        ("稼働率の向上", "%", INC, Confidence.HIGH, "向上"),
        ("失業率", "%", DEC, Confidence.HIGH, "失業"),
        ("就業者数", "人", INC, Confidence.HIGH, "者数"),
    ],
)
def test_direction(indicator, unit, direction, confidence, reason_word):
    inferred = infer_direction(indicator, unit)
    assert (inferred.value, inferred.confidence) == (direction, confidence)
    assert reason_word in inferred.reason_ja
    assert inferred.reason_en and not inferred.overridden


@pytest.mark.parametrize(
    ("indicator", "unit", "aggregation"),
    [
        ("データを相互運用するシステム累計数", "システム数", Aggregation.CUMULATIVE),
        ("移住者数（累計）", "人", Aggregation.CUMULATIVE),
        ("アドベンチャートラベル旅行商品催行数", "件/年", Aggregation.ANNUAL),
        ("年間観光客数", "人", Aggregation.ANNUAL),
        ("施設予約システム利用率", "%", Aggregation.LEVEL),
        ("利用者満足度", "%", Aggregation.LEVEL),
        ("欧米豪の訪日外国人旅行消費額", "円/人", Aggregation.LEVEL),
        ("全国学力・学習状況調査の平均正答率の状況", "ポイント", Aggregation.LEVEL),
        ("市民の満足度", "点", Aggregation.LEVEL),
        ("本事業による雇用創出数", "人", Aggregation.ANNUAL),
        ("観光客の平均滞在日数", "日", Aggregation.LEVEL),
        ("平均所得", "千円", Aggregation.LEVEL),
        ("1日あたり平均利用者数", "人", Aggregation.LEVEL),
        # units counted against an average are a count, not an average
        ("標準学力検査結果平均正答率が全国比-5ポイント以下の学校数", "学校数", Aggregation.ANNUAL),
        ("体力・運動能力調査の総合評価が全国平均以下の学校数", "校", Aggregation.ANNUAL),
    ],
)
def test_aggregation(indicator, unit, aggregation):
    inferred = infer_aggregation(indicator, unit)
    assert inferred.value is aggregation
    assert inferred.reason_ja and inferred.reason_en


def test_average_anywhere_is_a_level_with_medium_confidence():
    inferred = infer_aggregation("観光客の平均滞在日数", "日")
    assert (inferred.value, inferred.confidence) == (Aggregation.LEVEL, Confidence.MEDIUM)
    assert "平均" in inferred.reason_ja


def test_overrides_win_and_say_so():
    kpi = make_kpi(indicator="待機児童数", direction=INC, aggregation_override=Aggregation.LEVEL)
    direction, aggregation = direction_of(kpi), aggregation_of(kpi)
    assert (direction.value, direction.overridden) == (INC, True)
    assert (aggregation.value, aggregation.overridden) == (Aggregation.LEVEL, True)
    assert "override" in direction.reason_en
    assert direction_of(make_kpi(indicator="待機児童数")).value is DEC


def test_full_width_text_is_normalised():
    assert infer_direction("ＣＯ２排出量の削減", "t").value is DEC
    assert infer_aggregation("登録者数（累計）", "人").value is Aggregation.CUMULATIVE


@pytest.mark.parametrize("indicator", ["満足度の向上", "移住者数", "稼働率の向上", "参加者数"])
def test_an_increase_reason_uses_the_pages_words(indicator):
    """The reason says 高いほど良い like the page's label, not 多いほど (wrong for a rate)."""
    reason = infer_direction(indicator, "").reason_ja
    assert "高いほど良い" in reason and "多いほど" not in reason, reason


def test_numbers_lower_a_weak_direction_but_never_flip_it():
    falling = {2021: 900, 2022: 850, 2023: 800}
    weak = direction_of(make_kpi(700, falling, indicator="観光入込客数"))
    assert (weak.value, weak.confidence) == (INC, Confidence.LOW)
    assert "逆の向き" in weak.reason_ja and "opposite" in weak.reason_en
    strong = direction_of(make_kpi(700, falling, indicator="移住者数"))
    assert (strong.value, strong.confidence) == (INC, Confidence.HIGH)
    assert strong == infer_direction("移住者数", "人")


def test_a_balance_wins_over_the_bad_subject_and_the_decrease_verb_it_names():
    for indicator in ("転入者数－転出者数", "社会減の抑制", "人口の社会増減"):
        assert infer_direction(indicator, "人").value is INC, indicator
    assert infer_direction("転出超過数", "人").value is DEC  # 転出超過 is not a balance
    assert infer_direction("経常収支比率", "%").confidence is Confidence.LOW  # not a 収支
