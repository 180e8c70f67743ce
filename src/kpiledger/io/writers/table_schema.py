"""The Table Schema fields of kpiledger's open-data columns, for its data package
(`writers.datapackage`).

`FIELD_TYPES` gives, for every column key of the open-data writers (`opendata.KPI_COLUMNS`,
`YEAR_COLUMNS`, `RESULT_COLUMNS`, `PROJECT_COLUMNS`), the field's Table Schema properties: its
type, English title, a description naming the Japanese heading, and its constraints
(`required`, a `pattern`, an `enum` taken from the core's code lists, so that a new code is
allowed as soon as the core has it). A value in the unit of the row's 単位 column says so with
`unitField` (`UNIT_FIELD`) and in its description (`IN_UNIT`); a fixed unit is `unit` (`"%"`).
`field` makes the field of one column.
"""

from __future__ import annotations

from typing import Any

from kpiledger.core.effect import Effect
from kpiledger.core.evaluate import STATUS_LABELS
from kpiledger.core.model import AGGREGATION_LABELS, Confidence, Direction, Section
from kpiledger.core.progress import PROGRESS_LABELS
from kpiledger.io.writers.opendata import CELL_LABELS

UNIT_FIELD = "単位"
IN_UNIT = f" In the unit of the row's {UNIT_FIELD} column (単位列の単位)."

#: key → the field's Table Schema properties (type, English title, description, constraints …)
#: for every column key of the open-data writers. `required` is in the constraints.
FIELD_TYPES: dict[str, dict[str, Any]] = {
    "org_code": {
        "type": "string",
        "title": "Local government code",
        "description": "全国地方公共団体コード: 6 digits with the check digit (e.g. 012068).",
        "constraints": {"required": True, "pattern": "[0-9]{6}"},
    },
    "org_name": {
        "type": "string",
        "title": "Local government name",
        "description": "地方公共団体名.",
        "constraints": {"required": True},
    },
    "report_year": {
        "type": "integer",
        "title": "Report fiscal year",
        "description": "報告年度: the fiscal year judged"
        " (FY2023 = 令和5年度 = April 2023–March 2024).",
        "constraints": {"required": True},
    },
    "number": {
        "type": "integer",
        "title": "KPI number",
        "description": "KPI番号: the KPI's place in the report (1…).",
        "constraints": {"required": True, "minimum": 1},
    },
    "project_number": {
        "type": "integer",
        "title": "Project number",
        "description": "事業番号: the project's place in the report (1…).",
        "constraints": {"required": True, "minimum": 1},
    },
    "section": {
        "type": "string",
        "title": "Section",
        "description": "区分: 対象事業 (funded by the grant itself) or 関連事業 (related).",
        "constraints": {"required": True, "enum": [s.value for s in Section]},
    },
    "grant": {"type": "string", "title": "Grant", "description": "交付金: the grant type."},
    "project": {
        "type": "string",
        "title": "Project name",
        "description": "事業名 as published, without its 【…】 prefix.",
        "constraints": {"required": True},
    },
    "name": {
        "type": "string",
        "title": "Project name",
        "description": "事業名 as published, without its 【…】 prefix.",
        "constraints": {"required": True},
    },
    "summary": {"type": "string", "title": "Summary", "description": "事業の概要."},
    "indicator": {
        "type": "string",
        "title": "Indicator",
        "description": "指標 as published.",
        "constraints": {"required": True},
    },
    "unit": {
        "type": "string",
        "title": "Unit",
        "description": "単位 as published (人, 件/年, %, 千円 …):"
        " the unit of 目標値, 基準値, 実績値.",
    },
    "target": {
        "type": "number",
        "title": "Target",
        "description": "目標値 (指標値), exact as published." + IN_UNIT,
        "constraints": {"required": True},
        "unitField": UNIT_FIELD,
    },
    "target_bound": {
        "type": "string",
        "title": "Target bound",
        "description": "目標の範囲: a bound written after the target (15分以下 → 以下).",
        "constraints": {"enum": ["以上", "超", "以下", "以内", "未満"]},
    },
    "target_date": {
        "type": "yearmonth",
        "title": "Target month",
        "description": "目標年月 as YYYY-MM (R6.3 → 2024-03).",
    },
    "target_fiscal_year": {
        "type": "integer",
        "title": "Target fiscal year",
        "description": "目標年度: the fiscal year of 目標年月 (2024-03 → 2023).",
    },
    "baseline": {
        "type": "number",
        "title": "Baseline",
        "description": "基準値." + IN_UNIT,
        "unitField": UNIT_FIELD,
    },
    "baseline_fiscal_year": {
        "type": "integer",
        "title": "Baseline fiscal year",
        "description": "基準年度.",
    },
    "direction_label": {
        "type": "string",
        "title": "Direction (Japanese)",
        "description": "方向 in Japanese.",
        "constraints": {"required": True, "enum": [d.label_ja for d in Direction]},
    },
    "direction": {
        "type": "string",
        "title": "Direction",
        "description": "方向コード: increase (higher is better) or decrease (lower is better).",
        "constraints": {"required": True, "enum": [d.value for d in Direction]},
    },
    "aggregation_label": {
        "type": "string",
        "title": "Aggregation (Japanese)",
        "description": "集計 in Japanese.",
        "constraints": {"required": True, "enum": [ja for ja, _ in AGGREGATION_LABELS.values()]},
    },
    "aggregation": {
        "type": "string",
        "title": "Aggregation",
        "description": "集計コード: annual, cumulative (累計) or level (a rate, share, average).",
        "constraints": {"required": True, "enum": [a.value for a in AGGREGATION_LABELS]},
    },
    "direction_reason": {
        "type": "string",
        "title": "Why this direction",
        "description": "方向の根拠 (明示的な指定による when set explicitly).",
        "constraints": {"required": True},
    },
    "direction_confidence": {
        "type": "string",
        "title": "Direction confidence",
        "description": "方向の確度: high, medium or low.",
        "constraints": {"required": True, "enum": [c.value for c in Confidence]},
    },
    "aggregation_reason": {
        "type": "string",
        "title": "Why this aggregation",
        "description": "集計の根拠 (明示的な指定による when set explicitly).",
        "constraints": {"required": True},
    },
    "increments": {
        "type": "boolean",
        "title": "Actuals are yearly increments",
        "description": "実績は年度ごとの増分:"
        " 1 when a cumulative KPI publishes each year's increment.",
        "trueValues": ["1"],
        "falseValues": ["0"],
        "constraints": {"required": True},
    },
    "note": {"type": "string", "title": "Note", "description": "備考 as published."},
    "actual": {
        "type": "number",
        "title": "Actual",
        "description": "実績値 of that fiscal year, empty when none." + IN_UNIT,
        "unitField": UNIT_FIELD,
    },
    "year": {
        "type": "integer",
        "title": "Fiscal year",
        "description": "年度 of the actual (FY2023 = 令和5年度).",
        "constraints": {"required": True},
    },
    "value": {
        "type": "number",
        "title": "Actual",
        "description": "実績値, empty when none." + IN_UNIT,
        "unitField": UNIT_FIELD,
    },
    "marker": {
        "type": "string",
        "title": "No-value marker",
        "description": "値なしの表記: the marker published instead of a value (-, 未集計 …).",
    },
    "cell": {
        "type": "string",
        "title": "Published cell",
        "description": "掲載: あり when the report has a cell for this KPI and year, else なし.",
        "constraints": {"required": True, "enum": list(CELL_LABELS.values())},
    },
    "judged_year": {
        "type": "integer",
        "title": "Judged fiscal year",
        "description": "評価年度: the fiscal year whose actual is judged.",
    },
    "achievement_rate": {
        "type": "number",
        "title": "Achievement rate",
        "description": "達成率 computed by kpiledger, percent, one decimal.",
        "unit": "%",
    },
    "published_rate": {
        "type": "number",
        "title": "Published achievement rate",
        "description": "公表達成率: the rate printed in the report, percent.",
        "unit": "%",
    },
    "status_label": {
        "type": "string",
        "title": "Status (Japanese)",
        "description": "状況 in Japanese.",
        "constraints": {"required": True, "enum": [ja for ja, _ in STATUS_LABELS.values()]},
    },
    "status": {
        "type": "string",
        "title": "Status",
        "description": "状況コード.",
        "constraints": {"required": True, "enum": [s.value for s in STATUS_LABELS]},
    },
    "progress_label": {
        "type": "string",
        "title": "Progress (Japanese)",
        "description": "進捗見込み in Japanese (targets not yet due).",
        "constraints": {"enum": [ja for ja, _ in PROGRESS_LABELS.values()]},
    },
    "progress": {
        "type": "string",
        "title": "Progress",
        "description": "進捗見込みコード (targets not yet due).",
        "constraints": {"enum": [p.value for p in PROGRESS_LABELS]},
    },
    "effect_suggestion": {
        "type": "string",
        "title": "Suggested effect",
        "description": "事業効果の提案:"
        " kpiledger's suggestion for the project (not the committee's).",
        "constraints": {"enum": [e.value for e in Effect]},
    },
    "effect_reason": {
        "type": "string",
        "title": "Why this effect",
        "description": "事業効果の提案の理由.",
        "constraints": {"required": True},
    },
    "flag_messages": {
        "type": "string",
        "title": "Remarks",
        "description": "注意: data-quality remarks in Japanese, separated by ' / '.",
    },
    "flags": {
        "type": "string",
        "title": "Remark codes",
        "description": "注意コード: the remarks' codes, separated by spaces.",
    },
    "assessed": {
        "type": "boolean",
        "title": "Assessment published",
        "description": "公表された評価欄: 1 when the report published the national form's"
        " columns beside the KPIs.",
        "trueValues": ["1"],
        "falseValues": ["0"],
        "constraints": {"required": True},
    },
    "effect": {
        "type": "string",
        "title": "Published effect",
        "description": "公表された事業効果: chosen by the municipality and its committee.",
    },
    "evaluation": {"type": "string", "title": "Evaluation", "description": "事業の評価."},
    "opinion": {
        "type": "string",
        "title": "Expert opinion",
        "description": "外部有識者からの意見.",
    },
    "policy": {"type": "string", "title": "Policy", "description": "今後の方針."},
    "policy_reason": {
        "type": "string",
        "title": "Why this policy",
        "description": "今後の方針の理由.",
    },
    "spent": {
        "type": "number",
        "title": "Amount spent",
        "description": "実績額, in the unit of 実績額の単位.",
        "unitField": "実績額の単位",
    },
    "spent_unit": {
        "type": "string",
        "title": "Unit of the amount spent",
        "description": "実績額の単位 (円, 千円).",
    },
}
_YEN = {"type": "number", "unit": "円"}
FIELD_TYPES |= {
    "total_cost": _YEN
    | {
        "title": "Total project cost",
        "description": "総事業費 in 円, as the ledger holds it (empty when not entered).",
    },
    "grant_amount": _YEN
    | {
        "title": "Grant amount",
        "description": "交付金額 in 円, as the ledger holds it (empty when not entered).",
    },
    "project_spent": FIELD_TYPES["spent"]
    | {
        "description": "事業の実績額: the project's 実績額, in the unit of 事業の実績額の単位.",
        "unitField": "事業の実績額の単位",
    },
    "project_spent_unit": FIELD_TYPES["spent_unit"]
    | {"description": "事業の実績額の単位 (円, 千円)."},
    "cost_per_unit": {
        "type": "integer",
        "title": "Cost per unit (kpiledger)",
        "description": "単位あたり費用（kpiledger算定）: 実績額 in 円 ÷ what the KPI counted in the"
        " report year (its increase if cumulative), rounded half up to the 円; empty where"
        " that is not meaningful (a rate, an amount, a level, no positive count, no 実績額).",
        "constraints": {"minimum": 0},
    },
    "cost_per_unit_per": {
        "type": "string",
        "title": "Unit of the cost per unit",
        "description": "単位あたり費用の単位: 円 per the unit counted (円/人, 円/件).",
    },
    "cost_per_unit_reason": {
        "type": "string",
        "title": "How the cost per unit is computed",
        "description": "単位あたり費用の根拠: 実績額 ÷ the year's count, in words.",
    },
}
FIELD_TYPES["project_flags"] = FIELD_TYPES["flags"] | {
    "title": "Project remark codes",
    "description": "事業の注意コード: the project's remark codes (effect-mismatch), by spaces.",
}


def field(key: str, name: str) -> dict[str, Any]:
    """The Table Schema field of column `name` written from record `key`."""
    return {"name": name, **FIELD_TYPES[key]}
