"""Explicit direction and aggregation written in a report's own columns (方向, 集計).

They override the inference (EVALUATION.md: "inferred … and can be overridden"). Accepted
words, after NFKC and without spaces:
- 方向: 増加/増/↑/↗/上昇/高いほど良い/多いほど良い/上げる/増やす/向上/拡大/increase → increase;
  減少/減/↓/↘/低下/低いほど良い/少ないほど良い/下げる/減らす/低減/削減/抑制/decrease → decrease
  (the words of real 「指標の方向性」 columns). 維持 (keep the level) is neither: `bad-direction`,
  since judging it needs a tolerance the contract does not define.
- 集計: 累計 → cumulative (published as running totals); 累計(単年度値)/単年度値の累計/累計(各年度)
  → cumulative published as yearly increments; 年間/単年度/年度値/annual → annual;
  水準/率/割合/平均/level → level.
A blank cell means "infer". Anything else is the problem `bad-direction` / `bad-aggregation`.
"""

from __future__ import annotations

import re
import unicodedata

from kpiledger.core.model import Aggregation, Direction

DIRECTIONS = {
    Direction.INCREASE: (
        "増加", "増", "↑", "⇧", "⬆", "↗", "⤴", "上昇", "高いほど良い", "高い方が良い",
        "多いほど良い", "多い方が良い", "上げる", "上げたい", "高める", "増やす", "向上", "拡大",
        "上昇させる", "増加させる", "increase",
    ),
    Direction.DECREASE: (
        "減少", "減", "↓", "⇩", "⬇", "↘", "⤵", "低下", "低いほど良い", "低い方が良い",
        "少ないほど良い", "少ない方が良い", "下げる", "下げたい", "低める", "減らす", "低減",
        "削減", "抑制", "減少させる", "低下させる", "decrease",
    ),
}  # fmt: skip
INCREMENT_WORDS = ("累計(単年度値)", "累計(単年度)", "単年度値の累計", "累計(各年度)", "累計(増分)")
AGGREGATIONS = {
    Aggregation.CUMULATIVE: ("累計", "cumulative"),
    Aggregation.ANNUAL: ("年間", "単年度", "年度値", "annual"),
    Aggregation.LEVEL: ("水準", "率", "割合", "平均", "level"),
}


def _key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def parse_direction(text: str) -> Direction | None:
    """The direction a cell names; None for a blank cell. Raises ValueError otherwise."""
    key = _key(text)
    if not key:
        return None
    for direction, words in DIRECTIONS.items():
        if key in (_key(w) for w in words):
            return direction
    raise ValueError(text)


def parse_aggregation(text: str) -> tuple[Aggregation | None, bool]:
    """(aggregation, published as yearly increments) a cell names; (None, False) when blank.
    Raises ValueError for anything else."""
    key = _key(text)
    if not key:
        return None, False
    if key in (_key(w) for w in INCREMENT_WORDS):
        return Aggregation.CUMULATIVE, True
    for aggregation, words in AGGREGATIONS.items():
        if key in (_key(w) for w in words):
            return aggregation, False
    raise ValueError(text)
