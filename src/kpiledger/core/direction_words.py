"""The words and patterns that tell a KPI's direction (see `inference.infer_direction`).

A net balance (`BALANCE`, `CURBED_NET_LOSS`) is higher is better; a count at or below a bad
threshold (`BELOW_THRESHOLD`), a verb asking for less (`DECREASE_VERBS`) or a subject of a bad
class (`BAD_CLASSES`) lower is better, unless a remedy (`REMEDY_WORDS`) or a good outcome
(`OUTCOME_WORDS`) is counted; `INCREASE_WORDS` say higher is better.
"""

from __future__ import annotations

import re

# Things that are bad to have: the fewer, the better. Each class is a pattern, so a new noun of
# a known kind needs no new word (空き店舗, 空き区画, 空室 are all "vacant"); the reason names it.
BAD_CLASSES: tuple[tuple[str, str, re.Pattern[str]], ...] = tuple(
    (ja, en, re.compile(pattern))
    for ja, en, pattern in (
        ("空き・未利用・放置されたもの", "something vacant, unused or neglected",
         r"空き?(家屋|家|店舗|地|室|区画|物件|工場|倉庫|事務所|校舎|施設|住宅|教室|テナント)"
         r"|低?未利用|遊休|休耕|耕作放棄|放棄|荒廃|放置|管理不全|廃屋"),
        ("事故・犯罪・災害などの被害", "an accident, crime or damage",
         r"事故|刑法犯|犯罪|詐欺|火災|被害|獣害|浸水|不法投棄|違反|渋滞|苦情"),
        ("死亡・疾病・健康リスク", "a death, illness or health risk",
         r"死亡|死者|死傷|自殺|感染者|救急搬送|救急出動|要介護認定|医療費|肥満|喫煙|生活習慣病"),
        ("待機・不足", "waiting or a shortage", r"待機(児童|者)?|入所待ち|欠員|不足"),
        ("離職・離脱・廃業", "leaving, dropping out or closing down",
         r"離職|離農|中途退学|退学|不登校|ひきこもり|引きこもり|失業|無業|廃業|休業|倒産"),
        ("人口の流出", "people leaving", r"転出超過|転出|流出|社会減|自然減|人口減少"),
        ("排出・損失・負担", "an emission, loss or burden",
         r"温室効果ガス|CO2|二酸化炭素|排出|ごみの?量|食品ロス|滞納|未納|未収|赤字|負債|貧困|虐待|孤立"),
    )
)  # fmt: skip
# Verbs that ask for less.
DECREASE_VERBS = ("減少させる", "削減", "低減", "抑制", "減らす", "縮減", "縮小", "解消率の低下")
# Words that act on a bad subject, before or after it (`空き家の活用件数`, `除却した空き家数`):
# the KPI counts the remedy, so more is better.
REMEDY_WORDS = (
    "解消", "活用", "除却", "利活用", "再生", "防止", "対策", "改修", "登録", "相談", "支援",
    "予防", "マッチング", "流通", "成約", "解決", "利用", "適正化", "取り組む", "取り組み", "取組",
    "是正", "撤去", "解体", "設置", "指導", "啓発", "講習", "受講", "見守り", "捕獲", "回収",
    "リサイクル", "資源化", "減少数", "削減量", "削減率", "削減額", "減少率", "減少量",
    "助成", "補助", "給付",  # 医療費助成件数, 空き家改修補助件数: the aid given is counted
)  # fmt: skip
# Good outcomes counted through a bad subject: they count only after it, as the counted head
# (`空き店舗への出店数`, `空き家バンクを通じた移住者数`, `失業者の雇用`), never before it
# (`新規就農者の離職者数` counts 離職).
OUTCOME_WORDS = (
    "出店", "入居", "開業", "創業", "起業", "移住", "定住", "就農", "就職", "雇用", "復帰",
)  # fmt: skip
INCREASE_WORDS = (
    "増加", "増やす", "向上", "拡大", "創出", "促進", "以上", "満足度", "利用", "参加", "来場",
    "来所", "売上", "雇用", "移住", "件数", "者数", "人数", "達成", "割合", "率", "数", "額", "量",
)  # fmt: skip
BELOW_THRESHOLD = re.compile(r"(以下|未満|下回).*(数|割合|率|件)")
# A net balance (増 − 減): it may go negative, and higher is better whatever 転出/減 it names.
BALANCE = re.compile(
    r"増減|転入超過|純(移動|流入|転入|増)|社会動態|収支(?!比率)|差し?引"
    r"|(転入|出生|流入|収入|歳入)\w*\s*[-−]\s*(転出|死亡|流出|支出|歳出)\w*"  # 転入－転出
    r"|\w*数\s*[-−]\s*[^\d\s.\-−]+数"  # 転入者数－転出者数, 出生数-死亡数
)
# 社会減の抑制: less social decrease is a higher balance.
CURBED_NET_LOSS = re.compile(r"社会減.{0,4}(抑制|縮小|歯止め|改善)")
