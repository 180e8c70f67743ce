"""What the national synthetic dataset measures (`synthetic.py`): the kinds of KPI a municipality
sets for a grant project, per policy field, as real reports word them.

Each `Measure` is an indicator text (`{org}` is the organization's name, `{short}` the name
without 市/町/村/区/県…), its unit, which way is better, how its years add up, and how large its
value is where the project starts: between `low` and `high` for 10,000 inhabitants, scaled by
(population / 10,000) ** `power` (0 for a level such as a percentage, 1 for a count that grows
with the town). The wordings follow published 効果検証 tables (釧路市 令和5年度, the national
form 「事業実施結果報告」, the guideline's 分野別KPI例); the direction and aggregation written
here are the ones kpiledger infers from the text (a test checks every one), so a file judged
from its text says what the generator meant.
"""

from __future__ import annotations

from dataclasses import dataclass

from kpiledger.core.categories import Field
from kpiledger.core.model import Aggregation, Direction


@dataclass(frozen=True)
class Measure:
    """One kind of KPI (see the module's docstring)."""

    indicator: str
    unit: str
    direction: Direction
    aggregation: Aggregation
    low: float
    high: float
    power: float = 0.0
    places: int = 0
    covid: bool = False  # events and visitors fell in FY2020–2021
    lag: bool = False  # the statistic of the report year is often not out yet (集計中)
    zero_target: bool = False  # the target is none at all (待機児童 0人)
    min_population: int = 0  # set only by organizations at least this large
    ceiling: float | None = None  # a level never above this (100 for a share in %)


UP, DOWN = Direction.INCREASE, Direction.DECREASE
ANNUAL, TOTAL, LEVEL = Aggregation.ANNUAL, Aggregation.CUMULATIVE, Aggregation.LEVEL


def up(indicator: str, unit: str, low: float, high: float, power: float = 0.5, **kw) -> Measure:  # type: ignore[no-untyped-def]
    """A count per year, higher is better."""
    return Measure(indicator, unit, UP, ANNUAL, low, high, power, **kw)


def down(indicator: str, unit: str, low: float, high: float, power: float = 0.8, **kw) -> Measure:  # type: ignore[no-untyped-def]
    """A count per year, lower is better."""
    return Measure(indicator, unit, DOWN, ANNUAL, low, high, power, **kw)


def total(indicator: str, unit: str, low: float, high: float, power: float = 0.3, **kw) -> Measure:  # type: ignore[no-untyped-def]
    """A running total (累計): `low`–`high` is what one year adds."""
    return Measure(indicator, unit, UP, TOTAL, low, high, power, **kw)


def share(indicator: str, low: float, high: float, unit: str = "%", **kw) -> Measure:  # type: ignore[no-untyped-def]
    """A level in percent (a share, a rate, a satisfaction), higher is better."""
    kw.setdefault("places", 1)
    kw.setdefault("ceiling", 100.0)
    return Measure(indicator, unit, UP, LEVEL, low, high, 0.0, **kw)


def lower_level(indicator: str, unit: str, low: float, high: float, **kw) -> Measure:  # type: ignore[no-untyped-def]
    """A level (a rate, an amount per person), lower is better."""
    kw.setdefault("places", 1)
    return Measure(indicator, unit, DOWN, LEVEL, low, high, 0.0, **kw)


MEASURES: dict[Field, dict[str, Measure]] = {
    Field.TOURISM: {
        "visitors": up("{org}の観光入込客数", "人", 30000, 250000, 0.6, covid=True, lag=True),
        "stays": up("{org}内の宿泊施設の延べ宿泊者数", "人泊", 3000, 40000, 0.7, covid=True),
        "foreign": up(
            "外国人観光客の延べ宿泊者数", "人泊", 100, 3000, 0.8, covid=True, min_population=3000
        ),
        "spending": Measure(
            "観光客一人当たりの観光消費額", "円/人", UP, LEVEL, 4000, 15000, 0.0, covid=True
        ),
        "programs": up("着地型観光プログラムの参加者数", "人", 200, 2000, 0.4, covid=True),
        "tours": up("体験型観光商品の催行件数", "件/年", 10, 60, 0.3, covid=True),
        "products": total("体験型観光商品の造成数（累計）", "件", 2, 6, 0.2),
        "satisfied": share("観光客アンケートで「満足」と回答した割合", 55, 80),
        "repeaters": share("観光客に占めるリピーターの割合", 25, 45),
        "guide": up("観光案内所の利用者数", "人", 2000, 15000, 0.5, covid=True),
        "website": up("観光情報サイトの年間閲覧数", "件", 20000, 150000, 0.5),
        "dmo": up("観光地域づくり法人（DMO）の自主財源額", "千円", 3000, 20000, 0.4),
    },
    Field.EMPLOYMENT: {
        "jobs": up("本事業による雇用創出数", "人", 5, 30, 0.5),
        "startups": up("創業支援による創業件数", "件", 2, 15, 0.5),
        "seminar": up("創業塾・創業セミナーの受講者数", "人", 15, 60, 0.4),
        "consults": up("ビジネスサポートセンターの相談件数", "件", 300, 2000, 0.5),
        "sales": up("相談者のうち「売上げが上がった」と答えた事業者の数", "社", 10, 45, 0.4),
        "companies": total("企業誘致件数（累計）", "件", 1, 3, 0.3),
        "local_jobs": share("新規高卒者のうち地元企業へ就職した者の割合", 20, 45),
        "uij": up("UIJターンによる就職者数", "人", 5, 40, 0.5),
        "women": up("女性の就労支援講座受講後の就職者数", "人", 5, 30, 0.4),
        "matching": up("企業説明会・マッチングイベントへの参加者数", "人", 60, 400, 0.4),
        "pro": total("プロフェッショナル人材の採用件数（累計）", "件", 2, 8, 0.4),
    },
    Field.MIGRATION: {
        "movers": up("移住者数", "人", 10, 80, 0.5),
        "consults": up("移住相談件数", "件", 30, 300, 0.4),
        "akiya_deals": up("空き家バンク成約件数", "件", 3, 25, 0.3),
        "akiya_listed": total("空き家バンクへの登録物件数（累計）", "件", 5, 20, 0.3),
        "trial": up("お試し移住住宅の利用者数", "人", 20, 120, 0.2),
        "relations": total("関係人口登録者数（累計）", "人", 50, 400, 0.4),
        "grants": total("移住支援金を活用した移住者数（累計）", "人", 3, 15, 0.4),
        "balance": Measure("社会増減数", "人", UP, ANNUAL, -120, -20, 1.0),
        "leavers": down("20歳代の転出者数", "人", 60, 180, 1.0, min_population=5000),
        "tours": up("移住体験ツアーの参加者数", "人", 10, 60, 0.2),
        "cooperators": total("地域おこし協力隊任期終了後の定住者数（累計）", "人", 1, 3, 0.1),
    },
    Field.EDUCATION: {
        "national_test": Measure(
            "全国学力・学習状況調査の平均正答率の状況（全国比）",
            "ポイント",
            UP,
            LEVEL,
            94,
            101,
            places=1,
        ),
        "low_schools": down("体力・運動能力調査の総合評価が全国平均以下の学校数", "校", 3, 9, 0.3),
        "truancy": down("不登校児童生徒数", "人", 8, 30, 0.9),
        "ict": share("ICTを活用した授業を週3回以上行う教員の割合", 40, 70),
        "english": share("英検3級以上相当の英語力を有する中学3年生の割合", 35, 55),
        "local_study": up("ふるさと学習の参加児童生徒数", "人", 100, 600, 0.6),
        "cram": up("公営塾の利用者数", "人", 20, 80, 0.3),
        "after_school": up("放課後子ども教室の延べ参加者数", "人", 800, 4000, 0.6),
        "data": share("学習データを指導に活用する教員の割合", 15, 40),
        "scholarship": total("奨学金返還支援制度を利用した若者の数（累計）", "人", 3, 15, 0.4),
    },
    Field.CHILDCARE: {
        "waiting": down("待機児童数", "人", 3, 25, 0.8, zero_target=True, min_population=20000),
        "births": up("出生数", "人", 50, 80, 1.0, lag=True),
        "center": up("地域子育て支援センターの利用者数", "人", 1500, 8000, 0.6),
        "marriages": total("婚活イベントによる成婚数（累計）", "組", 1, 4, 0.3),
        "easy": share("「子育てしやすいまちだと思う」と回答した保護者の割合", 55, 75),
        "sick_care": up("病児・病後児保育の延べ利用者数", "人", 100, 600, 0.6),
        "club_waiting": down(
            "放課後児童クラブの待機児童数",
            "人",
            5,
            30,
            0.8,
            zero_target=True,
            min_population=30000,
        ),
        "checkups": share("乳幼児健康診査の受診率", 92, 97),
        "app": total("子育て支援アプリの登録者数（累計）", "人", 100, 600, 0.6),
        "support": up("産後ケア事業の利用者数", "人", 10, 60, 0.6),
    },
    Field.DIGITAL: {
        "e_apply": up("電子申請システム利用件数", "件", 300, 3000, 0.7),
        "online": share("オンラインで申請できる行政手続の割合", 20, 50),
        "booking": share("施設予約システムのオンライン利用割合", 10, 35),
        "mynumber": share("マイナンバーカードを取得した住民の割合", 55, 75),
        "rpa": up("RPA導入による業務時間の削減量", "時間", 300, 2000, 0.6),
        "classes": up("スマートフォン教室の受講者数", "人", 40, 300, 0.4),
        "cashless": total("キャッシュレス決済を導入した事業者数（累計）", "事業者", 10, 60, 0.5),
        "line": up("公式LINEアカウントの友だち登録者数", "人", 800, 4000, 0.8),
        "systems": total("データを相互運用するシステム累計数", "システム数", 1, 2, 0.0),
        "satisfaction": share("アンケートによる電子申請システム利用者満足度", 50, 70),
    },
    Field.PRIMARY: {
        "farmers": up("新規就農者数", "人", 2, 10, 0.4),
        "certified": total("認定新規就農者数（累計）", "人", 1, 5, 0.4),
        "abandoned": down("耕作放棄地面積", "ha", 8, 40, 0.6, places=1),
        "market": up("農産物直売所の売上額", "千円", 30000, 150000, 0.4),
        "damage": down("有害鳥獣による農作物被害額", "千円", 3000, 15000, 0.5),
        "smart": total("スマート農業技術を導入した経営体数（累計）", "経営体", 2, 10, 0.4),
        "fish": up("地元水産物の水揚金額", "千円", 50000, 300000, 0.5),
        "forest": up("間伐等の森林整備面積", "ha", 20, 150, 0.3, places=1),
        "sixth": total("6次産業化による新商品の開発数（累計）", "品目", 1, 4, 0.2),
        "new_buyers": up("農林水産物の新規取引先数", "件", 3, 15, 0.3),
        "export": up("農林水産物の輸出額", "千円", 2000, 20000, 0.6),
    },
    Field.TRANSPORT: {
        "bus": up("コミュニティバスの年間利用者数", "人", 8000, 40000, 0.6),
        "demand": up("デマンド交通の利用者数", "人", 2000, 12000, 0.5),
        "station": Measure(
            "{short}駅の一日平均乗降客数", "人", UP, LEVEL, 800, 5000, 0.7, min_population=20000
        ),
        "accidents": down("交通事故発生件数", "件", 20, 60, 0.9),
        "satisfied": share("公共交通の利便性に満足している住民の割合", 30, 50),
        "cycles": up("シェアサイクルの利用回数", "回", 2000, 12000, 0.7, min_population=30000),
        "maas": total("MaaSアプリのダウンロード数（累計）", "件", 300, 2000, 0.6),
        "safe_routes": total("通学路の交通安全対策の実施箇所数（累計）", "箇所", 3, 12, 0.4),
    },
    Field.HEALTH: {
        "checkup": share("特定健康診査受診率", 35, 50),
        "care": lower_level("要介護認定率", "%", 16, 21),
        "classes": up("健康教室の参加者数", "人", 150, 800, 0.5),
        "cancer": up("がん検診受診者数", "人", 600, 2500, 0.9),
        "medical": lower_level("一人当たり国民健康保険医療費", "円", 350000, 450000, places=0),
        "prevention": up("介護予防教室の延べ参加者数", "人", 500, 3000, 0.6),
        "points": up("健康ポイント事業の参加者数", "人", 200, 1500, 0.7),
        "doctors": total("地域医療を担う医師の確保数（累計）", "人", 1, 3, 0.2),
        "salons": total("通いの場の設置数（累計）", "箇所", 2, 8, 0.4),
    },
    Field.INDUSTRY: {
        "brand_sales": up("特産品の売上額", "千円", 10000, 80000, 0.5),
        "furusato_n": up("ふるさと納税寄附件数", "件", 1500, 12000, 0.5),
        "furusato": up("ふるさと納税寄附額", "千円", 30000, 300000, 0.5),
        "vacant": down("中心市街地の空き店舗数", "店舗", 10, 40, 0.5, min_population=8000),
        "openings": up("空き店舗への出店数", "件", 2, 8, 0.3),
        "deals": up("商談会における成約件数", "件", 5, 30, 0.3),
        "trading": up("地域商社の取扱高", "千円", 20000, 120000, 0.4),
        "corporate": total("企業版ふるさと納税の寄附企業数（累計）", "社", 2, 6, 0.3),
        "new_products": total("地域資源を活用した新商品の開発数（累計）", "品目", 2, 6, 0.3),
        "succession": up("事業承継の相談件数", "件", 10, 40, 0.4),
    },
    Field.CULTURE: {
        "museum": up("{short}歴史民俗資料館の入館者数", "人", 2000, 12000, 0.4, covid=True),
        "camps": up("スポーツ合宿の延べ宿泊者数", "人泊", 500, 5000, 0.4, covid=True),
        "events": up("地域イベントの来場者数", "人", 5000, 30000, 0.5, covid=True),
        "library": up("図書館の貸出冊数", "冊", 30000, 80000, 0.9),
        "club": up("総合型地域スポーツクラブの会員数", "人", 150, 600, 0.5),
        "hall": share("文化ホールの稼働率", 45, 65),
        "heritage": up("文化財を活用した体験講座の参加者数", "人", 100, 600, 0.4, covid=True),
    },
    Field.ENVIRONMENT: {
        "renewables": total("再生可能エネルギー設備の導入件数（累計）", "件", 20, 120, 0.7),
        "ghg": down("温室効果ガス排出量", "t-CO2", 40000, 80000, 1.0, lag=True),
        "waste": lower_level("市民一人一日当たりのごみ排出量", "g", 850, 1000, places=0),
        "ev": total("公用車への電気自動車の導入台数（累計）", "台", 1, 4, 0.3),
        "learning": up("環境学習講座の参加者数", "人", 100, 600, 0.4),
        "recycling": share("ごみのリサイクル率", 15, 25),
        "dumping": down("不法投棄の件数", "件", 10, 40, 0.6),
    },
    Field.SAFETY: {
        "drills": up("防災訓練の参加者数", "人", 500, 3000, 0.7),
        "crimes": down("刑法犯認知件数", "件", 40, 90, 1.0, lag=True),
        "app": total("防災アプリの登録者数（累計）", "人", 300, 1500, 0.8),
        "akiya": down("管理不全空き家の件数", "件", 15, 60, 0.6),
        "plans": share("個別避難計画の作成割合", 10, 35),
        "groups": share("自主防災組織の活動カバー率", 60, 85),
        "leaders": total("防災リーダーの養成数（累計）", "人", 5, 25, 0.5),
    },
    Field.COMMUNITY: {
        "hub": up("{short}地域交流拠点施設の利用者数", "人", 6000, 30000, 0.4, covid=True),
        "organizations": total("地域運営組織の設立数（累計）", "団体", 1, 2, 0.2),
        "volunteers": up("ボランティア登録者数", "人", 100, 600, 0.6),
        "stay": share("「今後も住み続けたい」と回答した住民の割合", 65, 82),
        "footfall": up(
            "中心市街地の歩行者通行量（平日1日）", "人", 3000, 15000, 0.6, min_population=15000
        ),
        "projects": up("住民提案型まちづくり事業の実施件数", "件", 5, 20, 0.3),
        "coworking": up("コワーキングスペースの利用者数", "人", 800, 5000, 0.5),
        "telework_firms": total(
            "サテライトオフィス等施設を利用する企業数（累計）", "社", 1, 3, 0.2
        ),
        "outside_share": share("サテライトオフィス等施設の利用者に占める県外利用者の割合", 20, 50),
    },
}
