"""The words `categories.classify_kpi` and `classify_project` read a KPI's field (分野) and goal
(基本目標) from, with their weights.

`FIELD_WORDS` maps a field's value to its words by weight, each weight's words one string
separated by spaces (a word has none): 5 = says the field by itself (`観光入込`,
`合計特殊出生率`), 4 = the field's own vocabulary (`移住`, `保育`, `就農`), 3 = usual in the
field but seen elsewhere too (`観光`, `企業`, `システム`), 2 = a hint (`道の駅`, `イベント`),
1 = a faint hint that decides only when nothing else speaks (`売上`, `生産額`). A word
belongs to one field only; a longer word wins over the shorter one inside it (`交通事故` is
safety, not transport; `観光地域づくり` tourism, not community; `空き家バンク` migration, not
community). No single-character words (`米` would match `欧米豪`).

Matching is on the NFKC form without spaces, ignoring the case of Latin letters (`ＤＸ`, `dx`).

The goal moves (`GOAL_MOVES`) say when words in the same text move a KPI from its field's usual
goal; `categories` documents why.
"""

from __future__ import annotations

# field value → weight → words (separated by spaces)
FIELD_WORDS: dict[str, dict[int, str]] = {
    "tourism": {
        5: "観光入込 観光消費 外国人観光 観光客入込 入込客",
        4: (
            "観光客 入込 入り込み 入域 宿泊者 宿泊客 延べ宿泊 人泊 訪日外国人 インバウンド "
            "ツーリズム アドベンチャートラベル 旅行商品 旅行消費 交流人口 観光案内 観光ガイド "
            "ボランティアガイド 農泊 農家民宿 DMO 観光地域づくり 誘客 滞在人口 観光協会"
        ),
        3: (
            "観光 宿泊 旅行 ツアー 民泊 民宿 キャンプ場 温泉 体験型 着地型 体験プログラム 周遊 "
            "クルーズ 消費単価 観光地 ロケ"
        ),
        2: "道の駅 体験者 来訪者 滞在 合宿",
    },
    "migration": {
        5: "移住定住 移住・定住",
        4: (
            "移住 転入 社会増減 社会増 社会減 転出超過 転入超過 UIJターン Uターン Iターン "
            "Jターン 関係人口 ふるさと住民 二地域居住 お試し住宅 お試し暮らし おためし暮らし "
            "地域おこし協力隊 定住"
        ),
        3: (
            "転出 人口移動 ファンクラブ ふるさと会員 お試し おためし 生活体験 暮らし体験 "
            "空き家バンク テレワーク ワーケーション サテライトオフィス コワーキング 住み続けたい "
            "住みたい 定着"
        ),
        2: "ワークスペース",
    },
    "employment": {
        4: (
            "雇用 就職 就労 創業 起業 事業承継 企業説明会 シルバー人材 求職 失業 しごと創生 "
            "雇用者 スタートアップ"
        ),
        3: (
            "就業 新規就業 求人 開業 インターンシップ 職場体験 離職 従業者 従業員 勤労 労働 "
            "プロフェッショナル人材 働き方 人材確保"
        ),
        2: "後継者",
    },
    "industry": {
        4: (
            "企業誘致 誘致企業 立地企業 企業立地 工業団地 産業団地 商品開発 製品開発 地域商社 "
            "製造品出荷 特産品"
        ),
        3: (
            "企業 進出企業 商店街 空き店舗 出店 商談 販路 取引先 物産 地場産品 新商品 総生産 "
            "商工 中小企業 EC販売 ECサイト 輸出 返礼品 ビジネス 産品 ものづくり 産業支援"
        ),
        2: "事業所 事業者 分譲 店舗 取引 ブランド 販売額 付加価値 ふるさと納税 商品",
        1: "売上 販売 売り上げ",
    },
    "primary": {
        4: (
            "農業 就農 農産物 直売所 地産地消 6次産業 六次産業 認定農業者 稲作 水稲 米穀 畑作 "
            "圃場 遊休農地 荒廃農地 耕作放棄 林業 間伐 漁業 就漁 漁獲 水産 養殖 畜産 肉牛 和牛 "
            "酪農 獣害 有害鳥獣 農福連携 担い手"
        ),
        3: (
            "農家 農地 農産 地場産物 地場産 作付 森林 木材 原木 施業 漁協 山菜 ジビエ 鳥獣 農村 "
            "農作物 産出額"
        ),
        2: "出荷",
        1: "生産額",
    },
    "education": {
        4: (
            "学力 正答率 不登校 学習適応 いじめ 児童生徒 教育 生涯学習 奨学金 GIGAスクール "
            "公営塾 子ども教室"
        ),
        3: (
            "学校 小学校 中学校 高校 高等学校 生徒 学習 教員 教科 校務 部活動 人材育成 留学 英語 "
            "体力・運動能力"
        ),
        2: "大学 青少年 公民館 偏差値 プログラミング 講座",
    },
    "childcare": {
        5: "合計特殊出生率",
        4: (
            "子育て 保育 待機児童 放課後児童 一時預かり 出生 出産 分娩 妊婦 妊娠 不妊 産後 "
            "乳幼児 婚姻 結婚 婚活 成婚 育児 ファミリーサポート こども園 子育て世帯 縁結び"
        ),
        3: "幼稚園 学童 出会い 母子 乳児 子ども こども 子供",
        1: "児童",
    },
    "health": {
        5: "健康寿命",
        4: (
            "健康 特定健診 特定健康診査 保健指導 介護 要介護 寿命 自殺 国民健康保険 認知症 "
            "生活習慣病 がん検診"
        ),
        3: (
            "健診 検診 健診受診 検診受診 受診 保健 医療 病院 診療 障害者 障がい 喫煙 肥満 "
            "運動習慣 国保 救急 元気生活 通いの場 百歳体操 医師"
        ),
        2: "福祉 高齢者 高齢化",
    },
    "digital": {
        4: (
            "デジタル DX オンライン 電子申請 マイナンバー マイナポータル 行政手続 書かない窓口 "
            "コンビニ交付 キャッシュレス 企業版ふるさと納税 スマートシティ"
        ),
        3: (
            "ICT IoT システム アプリ Wi-Fi WiFi 無線LAN ペーパーレス RPA 電子 スマートフォン スマホ"
        ),
        2: "データ ポータル 窓口 行政サービス 証明書",
    },
    "transport": {
        4: (
            "公共交通 コミュニティバス コミュニティ交通 デマンド交通 鉄道 MaaS 自動運転 交通空白 "
            "シェアサイクル"
        ),
        3: "交通 バス デマンド 乗合 タクシー 路線 乗車 乗降 移動支援",
        2: "駅 道路 港湾",
    },
    "culture": {
        4: "文化財 博物館 美術館 伝統芸能 スポーツ 芸術",
        3: "文化 アート 資料館 図書館 音楽 競技 来館者",
        2: "歴史 伝統 祭り 体育 郷土 紙漉き",
    },
    "environment": {
        4: (
            "CO2 二酸化炭素 温室効果ガス リサイクル 再生可能エネルギー 再エネ 太陽光 省エネ "
            "脱炭素 電気自動車 カーボン 不法投棄 食品ロス 生物多様性"
        ),
        3: "環境 ごみ ゴミ 資源化 エネルギー 水質 緑化",
        2: "排出 燃料",
    },
    "safety": {
        5: "交通事故 自主防災",
        4: "防災 減災 災害 避難 消防 防犯 犯罪 刑法犯 詐欺 交通安全",
        3: "事故 耐震 火災 救命 治水 浸水",
        2: "河川 見守り 安全",
    },
    "community": {
        4: "自治会 町内会 地域活動 地域運営組織 市民活動 中心市街地 小さな拠点",
        3: (
            "まちづくり 地域づくり コミュニティ 交流拠点 交流センター 交流施設 協働 にぎわい "
            "賑わい 空き家 景観 集落 空き地"
        ),
        2: "イベント 拠点施設 住宅 公園 居場所 ボランティア 公共施設",
    },
}

# Words that move a KPI's goal from its field's usual one, checked in the text that decided the
# field: (fields it applies to, the goal, the words separated by spaces, why in Japanese, why in
# English). The first move whose word is present applies.
TOURISM_BUSINESS = (
    "消費額 消費単価 観光消費 旅行消費 売上 売り上げ 販売額 収入 収益 旅行商品 雇用 創業 起業 "
    "開業 DMO 観光地域づくり法人 事業者 客単価 経済効果 稼ぐ"
)
PEOPLE_FLOW = (
    "移住 UIJターン Uターン Iターン Jターン 転入 関係人口 二地域居住 サテライトオフィス "
    "テレワーク ワーケーション ワークスペース コワーキング 地方拠点 本社機能"
)
LIFELONG = "生涯学習 公民館 社会教育"
VOCATION = "就職 職業 技能 資格 起業 産業人材 デジタル人材"

GOAL_MOVES: tuple[tuple[tuple[str, ...], str, str, str, str], ...] = (
    (
        ("tourism",),
        "work",
        TOURISM_BUSINESS,
        "観光の消費・売上・事業は国の総合戦略で「地方にしごとをつくる」",
        "tourism spending, sales and businesses are jobs in the national strategy",
    ),
    (
        (
            "employment",
            "industry",
            "primary",
            "education",
            "childcare",
            "health",
            "digital",
            "transport",
            "culture",
            "environment",
            "safety",
            "community",
        ),
        "flow",
        PEOPLE_FLOW,
        "移住・関係人口・企業の地方拠点は国の総合戦略で「人の流れをつくる」",
        "migration, ties to the region and firms' regional offices are the flow of people in"
        " the national strategy",
    ),
    (
        ("education",),
        "community",
        LIFELONG,
        "生涯学習・社会教育は地域の暮らしの施策",
        "lifelong and community learning serve community life",
    ),
    (
        ("education",),
        "work",
        VOCATION,
        "職業・技能の育成は「しごと」の施策",
        "vocational training serves jobs",
    ),
)
