"""Direction and aggregation of a KPI, inferred from its indicator text and unit.

Every inference carries a human-readable reason (Japanese and English) and a confidence, and
an explicit override always wins. Rules are checked in order; the first that matches decides.
The words and patterns of the direction rules are in `direction_words`.

Direction (EVALUATION.md):
- A net balance (増 − 減: 社会増減数, 転入超過数, 純移動数, 収支, `転入者数－転出者数`) is higher
  is better whatever 転出/減 it names, and may be negative; `社会減の抑制` too (medium).
- Lower is better for counts of things at or below a bad threshold (`…以下の…数`), for verbs
  asking for less (減少させる, 削減, 低減, 抑制), and for a subject of a bad class anywhere in
  the text (`BAD_CLASSES`: vacant or neglected things 空き家/空き店舗/空室/耕作放棄/荒廃; accidents,
  crime, damage; deaths and health risks; waiting and shortages 待機児童; leaving and closing
  離職/不登校/倒産; outflow 転出; emissions, losses and burdens CO2/排出/滞納). A pattern per class,
  so `空き区画数` needs no new word.
- A bad subject with a remedy acting on it (`空き家の活用件数`, `除却した空き家数`,
  `赤字路線の利用者数`) or a good outcome counted after it (`空き店舗への出店数`,
  `空き家バンクを通じた移住者数`) counts the remedy: higher is better, medium confidence. A word
  inside the subject (`利用` in `未利用`) or an outcome before it (`新規就農者の離職者数`) does not.
- Otherwise higher is better: an explicit increase word makes that high confidence, a bare
  `数`/`額` medium, a bare `率` (`高齢化率`) or nothing at all low.
- Numbers weigh in (`direction_of`, `numeric_doubt`): when the published values speak against a
  direction inferred with less than high confidence, the confidence drops to low (the value is
  never flipped) and `quality` adds the flag `direction-doubtful`.

Aggregation: `累計`/`延べ…累計` → cumulative; `/年`, `年間` → annual; `%`, `ポイント`, per-unit
units (`円/人`) → level (high); `平均` anywhere (`平均滞在日数`), unless something is counted
against the average (`全国平均以下の学校数`), or an indicator ending in `率`, `割合`, `満足度`,
`偏差値` … → level (medium); anything else → annual.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from itertools import pairwise
from typing import Generic, TypeVar

from kpiledger.core.direction_words import (
    BAD_CLASSES,
    BALANCE,
    BELOW_THRESHOLD,
    CURBED_NET_LOSS,
    DECREASE_VERBS,
    INCREASE_WORDS,
    OUTCOME_WORDS,
    REMEDY_WORDS,
)
from kpiledger.core.model import Aggregation, Confidence, Direction, Kpi, kpi_memo

T = TypeVar("T")


@dataclass(frozen=True)
class Inferred(Generic[T]):
    """An inferred (or overridden) value with why and how sure."""

    value: T
    reason_ja: str
    reason_en: str
    confidence: Confidence
    overridden: bool = False

    @property
    def reason(self) -> str:
        return f"{self.reason_ja} / {self.reason_en}"


AVERAGE = re.compile("平均")
# `…全国平均以下の学校数` counts units against an average: a count, not an average.
COUNT_AGAINST_AVERAGE = re.compile("平均.*(以下|以上|未満|超|下回|上回)")
LEVEL_WORDS = ("率", "割合", "満足度", "平均", "偏差値", "指数", "スコア", "単価", "点数")
#: A value per person, per day, per household (`一人当たり国保医療費`, `1人1日あたりごみ排出量`):
#: a level, as a unit `円/人` is (EVALUATION.md).
PER_UNIT = re.compile(r"当たり|あたり")
LEVEL_UNITS = ("%", "％", "ポイント", "pt", "点", "割", "倍", "歳", "位")


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


#: How many distinct (indicator, unit) inferences each process keeps: a nation's KPIs repeat
#: their wordings, and an inference is a pure function of its text (the results are frozen).
INFERENCE_CACHE = 1 << 16


@lru_cache(maxsize=INFERENCE_CACHE)
def infer_direction(indicator: str, unit: str = "") -> Inferred[Direction]:
    """Whether the KPI is better when higher (`increase`) or lower (`decrease`)."""
    text = _norm(indicator)
    balance = _balance(text)
    if balance:
        return balance
    threshold = BELOW_THRESHOLD.search(text)
    if threshold:
        return Inferred(
            Direction.DECREASE,
            f"「{threshold.group(0)}」は悪い基準以下のものを数える指標",
            f"'{threshold.group(0)}' counts units at or below a bad threshold",
            Confidence.HIGH,
        )
    verb = _first(text, DECREASE_VERBS)
    if verb and not _remedy_measured(text, verb):
        return Inferred(
            Direction.DECREASE,
            f"「{verb}」は減らすことを目指す語",
            f"'{verb}' asks for less",
            Confidence.HIGH,
        )
    return _subject_or_default(text, verb)


def _balance(text: str) -> Inferred[Direction] | None:
    """A net balance (社会増減数, 転入超過数, 純移動数, 収支, 転入者数－転出者数): higher is better,
    even though it names 転出 or 減; `社会減の抑制` raises the balance (medium confidence)."""
    found = BALANCE.search(text)
    if found:
        word = found.group(0)
        return Inferred(
            Direction.INCREASE,
            f"「{word}」は差し引き（増－減）の値で、マイナスもありうる：高いほど良い指標",
            f"'{word}' is a net balance (it may be negative): higher is better",
            Confidence.HIGH,
        )
    curbed = CURBED_NET_LOSS.search(text)
    if curbed:
        return Inferred(
            Direction.INCREASE,
            f"「{curbed.group(0)}」は社会増減（収支）を引き上げること：高いほど良い指標（要確認）",
            f"'{curbed.group(0)}' means raising the net migration balance: higher is better "
            "(please confirm)",
            Confidence.MEDIUM,
        )
    return None


def _remedy_measured(text: str, verb: str) -> bool:
    """`CO2削減量` measures the reduction itself: more reduction is better."""
    return any(word in text for word in REMEDY_WORDS if verb in word)


def bad_subject(text: str) -> tuple[str, str, str, int] | None:
    """The earliest (then longest) bad subject in `text`: (the words, its class ja, en, where it
    ends)."""
    found = [
        (m.start(), -len(m.group(0)), m.group(0), ja, en, m.end())
        for ja, en, pattern in BAD_CLASSES
        if (m := pattern.search(text))
    ]
    if not found:
        return None
    _, _, words, ja, en, end = min(found)
    return words, ja, en, end


def _without_subjects(text: str) -> str:
    """`text` with every bad subject blanked: a remedy word inside one (利用 in 未利用) is none."""
    for _, _, pattern in BAD_CLASSES:
        text = pattern.sub(lambda m: "\u3000" * len(m.group(0)), text)
    return text


def _remedy(text: str, subject_end: int) -> str | None:
    """A remedy word anywhere outside the bad subjects, else a good outcome after the subject."""
    blanked = _without_subjects(text)
    return _first(blanked, REMEDY_WORDS) or _first(blanked[subject_end:], OUTCOME_WORDS)


def _subject_or_default(text: str, verb: str | None) -> Inferred[Direction]:
    subject = bad_subject(text)
    remedy = _remedy(text, subject[3]) if subject else None
    if subject and not remedy:
        words, kind_ja, kind_en, _ = subject
        return Inferred(
            Direction.DECREASE,
            f"「{words}」は{kind_ja}（少ないほど良い事象）",
            f"'{words}' is {kind_en}: something to have less of",
            Confidence.HIGH,
        )
    if subject and remedy:
        return Inferred(
            Direction.INCREASE,
            f"「{subject[0]}」への「{remedy}」を数える指標（要確認）",
            f"counts '{remedy}' of '{subject[0]}' (a remedy); please confirm",
            Confidence.MEDIUM,
        )
    if verb:  # a decrease verb inside a remedy measure such as 削減量
        return Inferred(
            Direction.INCREASE,
            f"「{verb}」の量そのものを測る指標",
            f"measures the amount of '{verb}' itself",
            Confidence.MEDIUM,
        )
    return _default_increase(text)


def _default_increase(text: str) -> Inferred[Direction]:
    word = _first(text, INCREASE_WORDS)
    if word == "率":  # another cue anywhere (`稼働率の向上`) decides instead
        word = _first(text, tuple(w for w in INCREASE_WORDS if w != "率"))
    if word is None and "率" in text:
        return Inferred(
            Direction.INCREASE,
            "「率」だけでは向きを判断できないため、高いほど良いと推定（要確認）",
            "only '率' (a rate) says nothing about the direction: assumed higher is better "
            "(please confirm)",
            Confidence.LOW,
        )
    if word:
        return Inferred(
            Direction.INCREASE,
            f"「{word}」を含むため、高いほど良い指標",
            f"contains '{word}': higher is better",
            Confidence.HIGH if len(word) > 1 else Confidence.MEDIUM,
        )
    return Inferred(
        Direction.INCREASE,
        "減少を示す語がないため、高いほど良いと推定（要確認）",
        "no lower-is-better wording: assumed higher is better (please confirm)",
        Confidence.LOW,
    )


@lru_cache(maxsize=INFERENCE_CACHE)
def infer_aggregation(indicator: str, unit: str = "") -> Inferred[Aggregation]:
    """Whether values are per year (`annual`), running totals (`cumulative`) or levels."""
    text, unit_n = _norm(indicator), _norm(unit)
    if "累計" in text or "累積" in text or "累計" in unit_n:
        return Inferred(
            Aggregation.CUMULATIVE,
            "「累計」を含む指標",
            "the indicator says 累計 (cumulative)",
            Confidence.HIGH,
        )
    if "/年" in unit_n or "年間" in text or "毎年" in text:
        return Inferred(
            Aggregation.ANNUAL,
            "年あたりの値（/年・年間）",
            "a yearly rate (/年, 年間)",
            Confidence.HIGH,
        )
    level = _level_reason(text, unit_n)
    if level:
        return level
    return Inferred(
        Aggregation.ANNUAL,
        "年度ごとの件数・人数として扱う（累計の記載なし）",
        "a count per fiscal year (no 累計 in the indicator)",
        Confidence.MEDIUM,
    )


def _level_reason(text: str, unit: str) -> Inferred[Aggregation] | None:
    if unit in LEVEL_UNITS or unit.endswith("%"):
        return Inferred(
            Aggregation.LEVEL,
            f"単位「{unit}」は水準を表す",
            f"unit '{unit}' is a level",
            Confidence.HIGH,
        )
    if "/" in unit and not unit.endswith("/年"):
        return Inferred(
            Aggregation.LEVEL,
            f"単位「{unit}」は単位あたりの値",
            f"unit '{unit}' is a per-unit value",
            Confidence.HIGH,
        )
    per = PER_UNIT.search(text)
    if per:
        return Inferred(
            Aggregation.LEVEL,
            f"「{per.group(0)}」の値（一人当たりなど）は水準を表す",
            f"a value per unit ('{per.group(0)}') is a level",
            Confidence.HIGH,
        )
    if AVERAGE.search(text) and not COUNT_AGAINST_AVERAGE.search(text):
        return Inferred(
            Aggregation.LEVEL,
            "「平均」を含む指標は水準を表す",
            "an average (平均) is a level",
            Confidence.MEDIUM,
        )
    word = _first(text, LEVEL_WORDS)
    if word and text.endswith(word):
        return Inferred(
            Aggregation.LEVEL,
            f"「{word}」は水準を表す指標",
            f"'{word}' is a level",
            Confidence.MEDIUM,
        )
    return None


def _first(text: str, words: tuple[str, ...]) -> str | None:
    """The earliest-placed (then longest) word of `words` found in `text`."""
    found = [(text.find(w), -len(w), w) for w in words if w in text]
    return min(found)[2] if found else None


def direction_of(kpi: Kpi) -> Inferred[Direction]:
    """The KPI's direction: its override if set, else the inference, whose confidence drops to
    `low` (never its value) when the published numbers speak against weak wording."""
    if kpi.direction_override is not None:
        return _overridden(kpi.direction_override)
    if kpi.target_bound is not None:
        return bound_direction(kpi.target_bound)
    inferred = infer_direction(kpi.indicator, kpi.unit)
    if inferred.confidence is Confidence.HIGH or numeric_doubt(kpi, inferred.value) is None:
        return inferred
    return replace(
        inferred,
        reason_ja=f"{inferred.reason_ja}。ただし公表値の推移は逆の向きを示唆（要確認）",
        reason_en=f"{inferred.reason_en}; but the published values suggest the opposite "
        "(please confirm)",
        confidence=Confidence.LOW,
    )


#: The bound written after a target and the direction it states.
BOUND_DIRECTIONS = {
    "以上": Direction.INCREASE,
    "超": Direction.INCREASE,
    "以下": Direction.DECREASE,
    "以内": Direction.DECREASE,
    "未満": Direction.DECREASE,
}


@cache  # five bounds
def bound_direction(bound: str) -> Inferred[Direction]:
    """The direction a target's bound states (`15分以下`): the report's own words, so as sure as
    an override, ahead of any wording of the indicator."""
    direction = BOUND_DIRECTIONS[bound]
    up = direction is Direction.INCREASE
    return Inferred(
        direction,
        f"目標値が「{bound}」と書かれているため、{'高い' if up else '低い'}ほど良い",
        f"the target is written with '{bound}' ({'at least' if up else 'at most'}):"
        f" {'higher' if up else 'lower'} is better",
        Confidence.HIGH,
    )


def numeric_doubt(kpi: Kpi, direction: Direction) -> tuple[str, str] | None:
    """What the published numbers say against `direction`, as (ja, en), or None.

    Two signs that the target was set the other way (for `increase`; mirrored for `decrease`):
    the baseline and every actual published before the target year are already beyond the
    target (a target below the whole starting situation); or at least three points (baseline
    and actuals) move steadily, year after year, from beyond the target toward it. Without a
    baseline, values that are merely above the target are an exceeded target, not a sign."""
    memo = kpi_memo(kpi)
    if memo is None:
        return _numeric_doubt(kpi, direction)
    key = ("doubt", direction)
    if key not in memo:
        memo[key] = _numeric_doubt(kpi, direction)
    return memo[key]  # type: ignore[return-value]


def _numeric_doubt(kpi: Kpi, direction: Direction) -> tuple[str, str] | None:
    beyond = operator.gt if direction is Direction.INCREASE else operator.lt  # a beyond b
    target, due = kpi.target, kpi.target_fiscal_year
    series = kpi.series()
    start = kpi.baseline.value if kpi.baseline is not None else None
    before = (v for y, v in series if due is None or y < due)
    if start is not None and beyond(start, target) and all(beyond(v, target) for v in before):
        return _doubt_message(direction, "start")
    points = ([start] if start is not None else []) + [v for _, v in series]
    steady = all(beyond(a, b) for a, b in pairwise(points))  # each one beyond the next
    if len(points) >= 3 and beyond(points[0], target) and steady:
        return _doubt_message(direction, "trend")
    return None


def _doubt_message(direction: Direction, sign: str) -> tuple[str, str]:
    up = direction is Direction.INCREASE
    side_ja, side_en = ("上回って", "above") if up else ("下回って", "below")
    move_ja, move_en = ("減り続けて", "fall") if up else ("増え続けて", "rise")
    other_ja, other_en = ("低いほど良い", "lower is better") if up else ("高いほど良い", "higher")
    if sign == "start":
        ja = f"基準値と目標年度前の実績がすべて目標を{side_ja}います"
        en = f"the baseline and every actual before the target year are {side_en} the target"
    else:
        ja = f"公表値が目標に向かって毎年{move_ja}います"
        en = f"the published values {move_en} toward the target year after year"
    if not up:
        other_en = "higher is better"
    return (
        f"{ja}。数値は「{other_ja}」指標であることを示唆しています（向きの確認を）",
        f"{en}: the numbers suggest {other_en} (please confirm the direction)",
    )


def aggregation_of(kpi: Kpi) -> Inferred[Aggregation]:
    """The KPI's aggregation: its override if set, else the inference."""
    if kpi.aggregation_override is not None:
        return _overridden(kpi.aggregation_override)
    return infer_aggregation(kpi.indicator, kpi.unit)


def _overridden(value: T) -> Inferred[T]:
    return Inferred(value, "明示的な指定による", "set explicitly (override)", Confidence.HIGH, True)
