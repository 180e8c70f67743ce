"""What the national synthetic dataset (`synthetic.py`) writes beside the KPIs: the grants, the
titles and notes of a report, and the national form's columns (事業の評価, 外部有識者からの意見,
今後の方針 and its reason) in the words committees use, by how the project went.
"""

from __future__ import annotations

from kpiledger.core.effect import Effect, FuturePolicy

#: The grant of the projects funded by the grant itself (対象事業) in FY2024 (令和6年度).
TARGET_GRANT = "デジタル田園都市国家構想交付金（地方創生推進タイプ）"
#: Related projects' grants (関連事業), in the order the report lists them.
FACILITY_GRANT = "地方創生拠点整備交付金"  # until FY2021
FACILITY_TYPE_GRANT = "デジタル田園都市国家構想交付金（地方創生拠点整備タイプ）"  # FY2022 on
TELEWORK_GRANT = "地方創生テレワーク交付金"  # FY2021
DIGITAL_GRANT = "デジタル田園都市国家構想交付金（デジタル実装タイプ）"  # FY2022 on
RELATED_GRANTS = (FACILITY_GRANT, FACILITY_TYPE_GRANT, TELEWORK_GRANT, DIGITAL_GRANT)

TITLES = (
    "令和6年度デジタル田園都市国家構想交付金事業の実績",
    "令和6年度 デジタル田園都市国家構想交付金事業 効果検証結果",
    "令和6年度 {org}地方創生関係交付金事業の実績",
)

NOTE_DASH = "※実績値の「-」は、事業開始前又は数値を把握していない年度を示します。"
NOTE_PENDING = "※「集計中」の実績値は、令和7年度中に確定する予定です。"
NOTE_SPENT = "※実績額は令和6年度の事業費で、千円未満を四捨五入しています。"

#: KPI 備考 (notes), by what happened.
COVID_NOTES = (
    "令和2年度・令和3年度は新型コロナウイルス感染症の影響により減少",
    "新型コロナウイルス感染症の影響によりイベントを一部中止",
    "令和2年度は緊急事態宣言に伴う休館あり",
)
PENDING_NOTES = (
    "令和6年度の数値は令和7年秋に公表予定",
    "統計調査の公表待ち",
)

EVALUATION_GOOD = "総合戦略のKPI達成に有効であった"
EVALUATION_BAD = "総合戦略のKPI達成に有効とは言えなかった"

OPINIONS: dict[Effect, tuple[str, ...]] = {
    Effect.VERY_EFFECTIVE: (
        "全てのKPIで目標を上回っており、事業の効果は高いと評価できる。",
        "目標を大きく上回る成果が得られている。成功の要因を分析し、他の施策にも生かされたい。",
        "民間事業者との連携が成果につながっている。自走に向けた取組を進められたい。",
    ),
    Effect.CONSIDERABLY_EFFECTIVE: (
        "概ね目標どおりの成果が得られている。未達成の指標について要因の分析を進められたい。",
        "KPIの多くが目標に近い水準にあり、一定の効果が認められる。",
        "順調に成果が出ている。今後は事業の担い手の確保が課題である。",
    ),
    Effect.EFFECTIVE: (
        "一部のKPIで目標を下回っている。ターゲットを絞った取組が必要である。",
        "事業開始前より改善しているが、目標との差は大きい。取組内容の見直しを検討されたい。",
        "成果が出始めている。情報発信を強化し、利用者の拡大を図られたい。",
    ),
    Effect.NOT_EFFECTIVE: (
        "目標を大きく下回っており、事業の手法を抜本的に見直す必要がある。",
        "実績が事業開始前を下回っている。KPIの設定を含め検証されたい。",
    ),
}

POLICY_REASONS: dict[FuturePolicy, tuple[str, ...]] = {
    FuturePolicy.DEVELOP: (
        "成果が上がっていることから、対象地域を広げて取組を拡充する。",
        "好調な取組を近隣市町村との広域連携に発展させる。",
    ),
    FuturePolicy.CONTINUE: (
        "計画期間の途中であり、引き続き目標の達成に向けて取り組む。",
        "一定の成果が得られており、計画どおり事業を継続する。",
        "交付金終了後も自主財源により事業を継続する。",
    ),
    FuturePolicy.REVISE: (
        "目標を下回った指標があるため、対象者と手法を見直して実施する。",
        "利用者の声を踏まえ、事業内容を改善して継続する。",
        "情報発信の方法を見直し、利用の拡大を図る。",
    ),
    FuturePolicy.FINISHED: (
        "計画期間の終了に伴い、交付金事業としては終了する。成果は自主事業に引き継ぐ。",
        "予定していた取組を完了したため、事業を終了する。",
    ),
    FuturePolicy.STOP: ("費用対効果が見込めないため、事業を中止し、他の施策に統合する。",),
}
