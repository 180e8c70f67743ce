"""The cost per unit of a KPI (円 per 参加者, per 件): a project's 実績額 divided by what one of
its KPIs counted in the same fiscal year — the figure a council asks for first.

It is meaningful only for a KPI that counts things in the year of the money:
- its unit is a count (人, 件, 社, 回, 人泊, 団体, 校 …, also `件/年`, `学校数`, `社・団体`, and
  `千人`/`万人` scaled), not a rate, an amount, a score or a per-unit value (%, 率, 円, 円/人,
  ポイント);
- its aggregation is annual (the year's value) or cumulative (the year's increment: the yearly
  value when the report publishes increments, else the running total minus the previous
  year's, which must be published); never a level;
- higher is better (a cost per 空き家 or per accident counted is no output of the money);
- the count in that year is positive, and the 実績額 is known.

The result is in 円 per unit (a 実績額 in 千円 is multiplied out), rounded to the 円 half up,
with its explanation in Japanese and English: 「実績額 8,412,000円 ÷ R5年度の実績値（22人）」.
Every other case is None: kpiledger never shows a cost per unit it cannot explain.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from kpiledger.core.calculation import calculated
from kpiledger.core.era import fiscal_year_label
from kpiledger.core.evaluate import KpiResult
from kpiledger.core.model import Aggregation, Direction
from kpiledger.core.numbers import format_number

#: What one unit of 実績額 is in 円 (the heading's 単位：円 / 千円 …).
MONEY_UNITS = {"円": Decimal(1), "千円": Decimal(1000), "万円": Decimal(10000),
               "百万円": Decimal(1000000)}  # fmt: skip
#: Units that count things (after NFKC, a trailing `/年` and `数` removed).
COUNT_UNITS = frozenset(
    (
        "人", "名", "者", "件", "社", "回", "人泊", "泊", "人日", "人回", "団体", "団", "校",
        "学校", "園", "組", "世帯", "戸", "店", "店舗", "事業者", "事業所", "企業", "法人",
        "施設", "台", "個", "本", "枚", "冊", "部", "棟", "軒", "区画", "箇所", "か所", "カ所",
        "ヵ所", "ヶ所", "ケ所", "品", "品目", "商品", "講座", "教室", "頭", "隻", "便", "席", "口",
        "契約", "システム", "アカウント", "ツアー", "イベント", "プロジェクト", "クラブ", "食",
        "人分", "コース", "プラン", "ページ", "サイト", "アプリ", "機関", "自治体", "市町村",
    )
)  # fmt: skip
#: A scale written before the counter (`千人`, `万人泊`).
SCALES = {"千": Decimal(1000), "万": Decimal(10000)}
_PER_YEAR = re.compile(r"/(年|年度)$")


@dataclass(frozen=True)
class CostPerUnit:
    """円 per unit of a KPI in one fiscal year: `amount` (rounded to the 円), the `count` it
    divides by (in units of `per`), the money in 円, and why (Japanese, English)."""

    amount: Decimal
    per: str  # the counted unit (人, 件 …)
    count: Decimal
    fiscal_year: int
    spent_yen: Decimal
    reason_ja: str
    reason_en: str

    @property
    def text(self) -> str:
        """`382,364円/人`."""
        return f"{format_number(self.amount)}円/{self.per}"

    @property
    def reason(self) -> str:
        return f"{self.reason_ja} / {self.reason_en}"


def count_unit(unit: str) -> tuple[str, Decimal] | None:
    """The counter a unit names and its scale (`人` → (人, 1), `件/年` → (件, 1), `学校数` →
    (学校, 1), `社・団体` → (社・団体, 1), `千人` → (人, 1000)); None for any other unit."""
    text = _PER_YEAR.sub("", re.sub(r"\s+", "", unicodedata.normalize("NFKC", unit)))
    scale = Decimal(1)
    if text[:1] in SCALES and text[1:].removesuffix("数") in COUNT_UNITS:
        scale, text = SCALES[text[0]], text[1:]
    parts = [part.removesuffix("数") for part in text.split("・")]
    if not text or not all(part in COUNT_UNITS for part in parts):
        return None
    return "・".join(parts), scale


def spent_in_yen(spent: Decimal, spent_unit: str = "円") -> Decimal | None:
    """実績額 in 円 (`千円` multiplied out); None for a unit that is not one of `MONEY_UNITS`."""
    factor = MONEY_UNITS.get(unicodedata.normalize("NFKC", spent_unit).strip() or "円")
    return None if factor is None else spent * factor


@calculated
def year_count(result: KpiResult, fiscal_year: int) -> Decimal | None:
    """What the KPI counted in `fiscal_year`: its value for an annual KPI, its increment for a
    cumulative one; None when that is unknown or the KPI is a level."""
    kpi = result.kpi
    actual = kpi.actuals.get(fiscal_year)
    if actual is None or actual.value is None:
        return None
    aggregation = result.aggregation.value
    if aggregation is Aggregation.ANNUAL or (
        aggregation is Aggregation.CUMULATIVE and kpi.actuals_are_increments
    ):
        return actual.value
    if aggregation is not Aggregation.CUMULATIVE:
        return None
    previous = kpi.actuals.get(fiscal_year - 1)
    if previous is not None and previous.value is not None:
        return actual.value - previous.value
    baseline = kpi.baseline
    if baseline is not None and baseline.fiscal_year == fiscal_year - 1:
        return actual.value - baseline.value
    return None


@calculated
def cost_per_unit(
    spent: Decimal | None,
    kpi_result: KpiResult,
    *,
    fiscal_year: int | None = None,
    spent_unit: str = "円",
) -> CostPerUnit | None:
    """実績額 ÷ what the KPI counted in `fiscal_year` (the year of the money; the KPI's judged
    year when not given), in 円 per unit rounded half up; None where that is not meaningful
    (see the module's docstring)."""
    year = fiscal_year if fiscal_year is not None else kpi_result.judged_year
    if spent is None or year is None or kpi_result.direction.value is Direction.DECREASE:
        return None
    yen = spent_in_yen(spent, spent_unit)
    counter = count_unit(kpi_result.kpi.unit)
    count = year_count(kpi_result, year)
    if yen is None or yen < 0 or counter is None or count is None or count <= 0:
        return None
    per, scale = counter
    amount = (yen / (count * scale)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    label = fiscal_year_label(year)
    value = f"{format_number(count)}{kpi_result.kpi.unit}"
    if kpi_result.aggregation.value is Aggregation.CUMULATIVE:
        what_ja, what_en = f"{label}の増加分（{value}）", f"the increase in {label} ({value})"
    else:
        what_ja, what_en = f"{label}の実績値（{value}）", f"the actual of {label} ({value})"
    money = f"{format_number(yen)}円"
    return CostPerUnit(
        amount,
        per,
        count * scale,
        year,
        yen,
        f"実績額 {money} ÷ {what_ja}",
        f"amount spent {money} ÷ {what_en}",
    )
