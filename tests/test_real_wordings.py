"""Real KPI wordings judged the right way, with the reason shown (issue 8, item 6).

The indicator texts are written the way local governments publish them in their 地方版総合戦略
and 地方創生交付金 効果検証 reports (KPI tables with 指標・基準値・目標値・実績値). A few were
seen in published pages found while writing this test (`一戸建ての空き家数`,
`評価判定B区分の一戸建ての空き家数`, `空家等相談件数`, `空家等是正件数`,
`市内空き家を活用した新規就農者数`, `空き家を活用した起業者数`, `失業者の雇用`,
`空き家数の増加を抑制`); the others follow the common wordings of such tables. Each row is an
example of a class, not a word list: the rules are patterns (see `core.inference`).
"""

from __future__ import annotations

import pytest
from tests.factories import make_kpi

from kpiledger.core.evaluate import Status, evaluate_kpi
from kpiledger.core.inference import infer_direction
from kpiledger.core.model import Confidence, Direction

INC, DEC = Direction.INCREASE, Direction.DECREASE

# (indicator, unit, direction, a word the reason must show)
LOWER_IS_BETTER = [
    # vacant, unused or neglected things, whatever the counter (数, 件数, 面積, 率)
    ("中心市街地の空き店舗数", "店舗", "空き店舗"),
    ("商店街の空き店舗率", "%", "空き店舗"),
    ("一戸建ての空き家数", "戸", "空き家"),
    ("評価判定B区分の一戸建ての空き家数", "戸", "空き家"),
    ("管理不全空家数", "戸", "管理不全"),
    ("特定空家等の件数", "件", "空家"),
    ("産業団地の空き区画数", "区画", "空き区画"),
    ("市営住宅の空室率", "%", "空室"),
    ("耕作放棄地面積", "ha", "耕作放棄"),
    ("荒廃農地面積", "ha", "荒廃"),
    ("遊休農地面積", "ha", "遊休"),
    ("放置竹林面積", "ha", "放置"),
    ("休耕田面積", "ha", "休耕"),
    # waiting and shortages
    ("待機児童数", "人", "待機児童"),
    ("放課後児童クラブの待機児童数", "人", "待機児童"),
    ("特別養護老人ホーム入所待機者数", "人", "待機者"),
    ("保育所入所待ち児童数", "人", "入所待ち"),
    # accidents, crime, damage
    ("市内の交通事故件数", "件", "事故"),
    ("交通事故死傷者数", "人", "事故"),
    ("交通事故による死者数", "人", "事故"),
    ("刑法犯認知件数", "件", "刑法犯"),
    ("特殊詐欺被害件数", "件", "詐欺"),
    ("火災発生件数", "件", "火災"),
    ("鳥獣による農作物被害額", "千円", "被害"),
    ("不法投棄件数", "件", "不法投棄"),
    # deaths and health risks
    ("救急搬送件数", "件", "救急搬送"),
    ("救急出動件数", "件", "救急出動"),
    ("自殺死亡率（人口10万人当たり）", "人", "自殺"),
    ("1人当たり国民健康保険医療費", "円", "医療費"),
    ("介護保険の要介護認定率", "%", "要介護認定"),
    ("肥満傾向児の出現率", "%", "肥満"),
    ("成人の喫煙率", "%", "喫煙"),
    # leaving, dropping out, closing down
    ("不登校児童生徒数", "人", "不登校"),
    ("介護職員の離職者数", "人", "離職"),
    ("新規学卒者の3年以内離職率", "%", "離職"),
    ("新規就農者の3年以内離職者数", "人", "離職"),  # 就農 before the subject: no outcome
    ("市内企業の倒産件数", "件", "倒産"),
    ("廃業事業所数", "事業所", "廃業"),
    # people leaving (not a balance)
    ("若年層の転出者数", "人", "転出"),
    ("転出超過数", "人", "転出超過"),
    ("人口減少数", "人", "人口減少"),
    # emissions, losses, burdens
    ("CO2排出量", "t-CO2", "CO2"),
    ("市の事務事業に伴う温室効果ガス排出量", "t-CO2", "温室効果ガス"),
    ("1人1日当たりのごみ排出量", "g", "排出"),
    ("家庭系食品ロス量", "t", "食品ロス"),
    ("市税の滞納額", "千円", "滞納"),
    # verbs asking for less
    ("空き家数の増加を抑制", "戸", "抑制"),
    ("ごみの排出量を削減", "t", "削減"),
]

HIGHER_IS_BETTER_REMEDY = [
    # a remedy acting on a bad subject, before or after it
    ("空き家バンク成約件数", "件", "成約"),
    ("空き家バンク登録物件数", "件", "登録"),
    ("空き家の活用件数", "件", "活用"),
    ("空家等相談件数", "件", "相談"),
    ("空家等是正件数", "件", "是正"),
    ("空き家の除却件数", "件", "除却"),
    ("除却した老朽危険空き家数", "戸", "除却"),
    ("耕作放棄地の解消面積", "ha", "解消"),
    ("荒廃農地の再生面積", "ha", "再生"),
    ("住宅用火災警報器の設置率", "%", "設置"),
    ("鳥獣被害対策実施隊員数", "人", "対策"),
    ("不登校児童生徒への支援件数", "件", "支援"),
    ("CO2排出削減量", "t-CO2", "削減量"),
    ("食品ロス削減量", "t", "削減量"),
    # a good outcome counted after the bad subject
    ("空き店舗への出店数", "件", "出店"),
    ("空き店舗を活用した創業件数", "件", "活用"),
    ("空き家バンクを通じた移住者数", "人", "移住"),
    ("市内空き家を活用した新規就農者数", "人", "活用"),
    ("空き家を活用した起業者数", "人", "活用"),
    ("失業者の雇用", "人", "雇用"),
    ("不登校児童生徒の学校復帰率", "%", "復帰"),
]

# a net balance: higher is better whatever 転出/減 it names, and it may be negative
BALANCES = [
    ("社会増減数", "人", "増減"),
    ("人口の社会増減", "人", "増減"),
    ("自然増減数", "人", "増減"),
    ("転入超過数", "人", "転入超過"),
    ("人口の転入超過数", "人", "転入超過"),
    ("純移動数", "人", "純移動"),
    ("観光客入込数の増減", "人", "増減"),
    ("観光消費額の対前年増減率", "%", "増減"),
    ("観光収支", "千円", "収支"),
    ("転入者数－転出者数", "人", "転入者数-転出者数"),
    ("出生数－死亡数", "人", "出生数-死亡数"),
    ("社会動態（転入－転出）", "人", "社会動態"),
    ("社会減の抑制", "人", "社会減の抑制"),
]

# ordinary KPIs the new classes must leave alone
ORDINARY = [
    "観光入込客数",
    "移住者数",
    "新規就農者数",
    "創業件数",
    "転入者数",
    "空港利用者数",
    "防犯カメラ設置台数",
    "交通安全教室参加者数",
    "救急救命講習受講者数",
    "認知症サポーター養成数",
    "ふるさと納税寄附額",
]


@pytest.mark.parametrize(("indicator", "unit", "word"), LOWER_IS_BETTER)
def test_lower_is_better_with_the_class_in_the_reason(indicator, unit, word):
    inferred = infer_direction(indicator, unit)
    assert (inferred.value, inferred.confidence) == (DEC, Confidence.HIGH), inferred.reason
    assert f"「{word}」" in inferred.reason_ja
    assert inferred.reason_en


@pytest.mark.parametrize(("indicator", "unit", "word"), HIGHER_IS_BETTER_REMEDY)
def test_a_remedy_or_outcome_of_a_bad_subject_is_higher_is_better(indicator, unit, word):
    inferred = infer_direction(indicator, unit)
    assert (inferred.value, inferred.confidence) == (INC, Confidence.MEDIUM), inferred.reason
    assert f"「{word}」" in inferred.reason_ja and "要確認" in inferred.reason_ja


@pytest.mark.parametrize(("indicator", "unit", "word"), BALANCES)
def test_a_net_balance_is_higher_is_better_and_says_so(indicator, unit, word):
    inferred = infer_direction(indicator, unit)
    assert inferred.value is INC, inferred.reason
    assert f"「{word}」" in inferred.reason_ja
    assert "balance" in inferred.reason_en


@pytest.mark.parametrize("indicator", ORDINARY)
def test_ordinary_kpis_stay_higher_is_better(indicator):
    inferred = infer_direction(indicator, "")
    assert inferred.value is INC and "少ない" not in inferred.reason_ja, inferred.reason


def test_enough_realistic_texts():
    assert len(LOWER_IS_BETTER) + len(HIGHER_IS_BETTER_REMEDY) + len(BALANCES) >= 40


@pytest.mark.parametrize(
    ("indicator", "target", "actuals", "status"),
    [
        # △35 toward 0: the balance rises, not yet there
        ("社会増減数", 0, {2021: -52, 2022: -41, 2023: -35}, Status.NOT_ACHIEVED),
        ("転入者数－転出者数", -50, {2022: -80, 2023: -35}, Status.ACHIEVED),  # −35 ≥ ▲50
        ("社会減の抑制", -50, {2022: -80, 2023: -60}, Status.NOT_ACHIEVED),
        ("純移動数", 0, {2023: 12}, Status.ACHIEVED),
    ],
)
def test_a_net_balance_with_a_target_of_zero_or_below_is_judged_by_comparison(
    indicator, target, actuals, status
):
    result = evaluate_kpi(make_kpi(target, actuals, indicator=indicator), 2023)
    assert result.direction.value is INC
    assert (result.achievement_rate, result.status) == (None, status)
    assert "rate-undefined" in [f.code for f in result.flags]
