"""Direction and aggregation of a KPI, inferred from its indicator text and unit.

Every inference carries a human-readable reason (Japanese and English) and a confidence, and
an explicit override always wins. Rules are checked in order; the first that matches decides.

Direction (EVALUATION.md): lower is better for counts of things at or below a bad threshold
(`…以下の…数`), 待機児童, 事故, 犯罪, 死亡, 離職, 空き家, 耕作放棄, 減少させる, 削減, 低減, 抑制 and
similar (転出, 転出超過 too). A bad subject together with a remedy word (`空き家の活用件数`,
`事故防止講習の受講者数`, `赤字路線の利用者数`, `医療費適正化に取り組む事業所数`) counts the
remedy, so it is higher-is-better, with medium confidence; a remedy word inside the subject
(`利用` in `未利用`) does not count. Otherwise higher is better: an explicit increase word makes
that high confidence, a bare `数`/`額` medium, a bare `率` (`高齢化率`) or nothing at all low.

Aggregation: `累計`/`延べ…累計` → cumulative; `/年`, `年間` → annual; `%`, `ポイント`, per-unit
units (`円/人`) → level (high); `平均` anywhere (`平均滞在日数`), unless something is counted
against the average (`全国平均以下の学校数`), or an indicator ending in `率`, `割合`, `満足度`,
`偏差値` … → level (medium); anything else → annual.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Generic, TypeVar

from kpiledger.core.model import Aggregation, Confidence, Direction, Kpi

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


# Things that are bad to have: the fewer, the better.
BAD_SUBJECTS = (
    "待機児童",
    "事故",
    "犯罪",
    "刑法犯",
    "死亡",
    "死者",
    "離職",
    "空き家",
    "空家",
    "耕作放棄",
    "失業",
    "不登校",
    "虐待",
    "自殺",
    "ごみ排出",
    "ごみの排出",
    "温室効果ガス",
    "CO2",
    "二酸化炭素",
    "滞納",
    "欠員",
    "赤字",
    "廃業",
    "休業",
    "感染者",
    "救急搬送",
    "転出超過",
    "転出",
    "流出",
    "医療費",
    "要介護認定率",
    "未利用",
    "遊休",
    "放置",
    "被害",
)
# Verbs that ask for less.
DECREASE_VERBS = ("減少させる", "削減", "低減", "抑制", "減らす", "縮減", "縮小", "解消率の低下")
# Words that turn a bad subject into a count of remedies (more is better).
REMEDY_WORDS = (
    "解消",
    "活用",
    "除却",
    "利活用",
    "再生",
    "防止",
    "対策",
    "改修",
    "登録",
    "相談",
    "支援",
    "予防",
    "マッチング",
    "流通",
    "成約",
    "解決",
    "利用",
    "適正化",
    "取り組む",
    "取り組み",
    "取組",
    "減少数",
    "削減量",
    "削減率",
    "削減額",
    "減少率",
    "減少量",
)
INCREASE_WORDS = (
    "増加",
    "増やす",
    "向上",
    "拡大",
    "創出",
    "促進",
    "以上",
    "満足度",
    "利用",
    "参加",
    "来場",
    "来所",
    "売上",
    "雇用",
    "移住",
    "件数",
    "者数",
    "人数",
    "達成",
    "割合",
    "率",
    "数",
    "額",
    "量",
)
BELOW_THRESHOLD = re.compile(r"(以下|未満|下回).*(数|割合|率|件)")

AVERAGE = re.compile("平均")
# `…全国平均以下の学校数` counts units against an average: a count, not an average.
COUNT_AGAINST_AVERAGE = re.compile("平均.*(以下|以上|未満|超|下回|上回)")
LEVEL_WORDS = ("率", "割合", "満足度", "平均", "偏差値", "指数", "スコア", "単価", "点数")
LEVEL_UNITS = ("%", "％", "ポイント", "pt", "点", "割", "倍", "歳", "位")


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def infer_direction(indicator: str, unit: str = "") -> Inferred[Direction]:
    """Whether the KPI is better when higher (`increase`) or lower (`decrease`)."""
    text = _norm(indicator)
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


def _remedy_measured(text: str, verb: str) -> bool:
    """`CO2削減量` measures the reduction itself: more reduction is better."""
    return any(word in text for word in REMEDY_WORDS if verb in word)


def _subject_or_default(text: str, verb: str | None) -> Inferred[Direction]:
    subject = _first(text, BAD_SUBJECTS)
    # a remedy word inside the subject itself (利用 in 未利用) is not a remedy
    remedy = _first(text.replace(subject, "\u3000") if subject else text, REMEDY_WORDS)
    if subject and not remedy:
        return Inferred(
            Direction.DECREASE,
            f"「{subject}」は少ないほど良い事象",
            f"'{subject}' is something to have less of",
            Confidence.HIGH,
        )
    if subject and remedy:
        return Inferred(
            Direction.INCREASE,
            f"「{subject}」への「{remedy}」を数える指標（要確認）",
            f"counts '{remedy}' of '{subject}' (a remedy); please confirm",
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
    """The KPI's direction: its override if set, else the inference."""
    if kpi.direction_override is not None:
        return _overridden(kpi.direction_override)
    return infer_direction(kpi.indicator, kpi.unit)


def aggregation_of(kpi: Kpi) -> Inferred[Aggregation]:
    """The KPI's aggregation: its override if set, else the inference."""
    if kpi.aggregation_override is not None:
        return _overridden(kpi.aggregation_override)
    return infer_aggregation(kpi.indicator, kpi.unit)


def _overridden(value: T) -> Inferred[T]:
    return Inferred(value, "明示的な指定による", "set explicitly (override)", Confidence.HIGH, True)
