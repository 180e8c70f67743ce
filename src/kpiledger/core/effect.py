"""A project's effect category (事業効果): the four national words, and the effect a report
published compared with the one kpiledger suggests from the KPI results.

The published effect is the municipality's and its committee's choice; kpiledger keeps it as
published and flags `effect-mismatch` where the KPI results suggest another of the four words, so
the difference is seen and explained, never silently replaced.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from kpiledger.core.model import Flag


class Effect(StrEnum):
    """The four national words for a project's effect (事業効果)."""

    VERY_EFFECTIVE = "地方創生に非常に効果的であった"
    CONSIDERABLY_EFFECTIVE = "地方創生に相当程度効果があった"
    EFFECTIVE = "地方創生に効果があった"
    NOT_EFFECTIVE = "地方創生に効果がなかった"


#: Each category's words as reports shorten them (`非常に効果的`, `相当程度効果があった`,
#: `効果なし`), most specific first.
_WORDS: tuple[tuple[Effect, re.Pattern[str]], ...] = (
    (Effect.NOT_EFFECTIVE, re.compile(r"効果(?:が|は)?(?:なかった|無かった|なし|無し|ない)")),
    (Effect.VERY_EFFECTIVE, re.compile(r"非常に効果")),
    (Effect.CONSIDERABLY_EFFECTIVE, re.compile(r"相当程度")),
    (Effect.EFFECTIVE, re.compile(r"効果(?:が|は)?(?:あった|有った|あり|有り)|効果的であった")),
)


def published_effect(text: str | None) -> Effect | None:
    """The category a published 事業効果 text names, or None when it names none or several
    (a cell listing the choices, a free comment): such a text is kept but not compared."""
    if not text:
        return None
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    found = [effect for effect, words in _WORDS if words.search(key)]
    if Effect.VERY_EFFECTIVE in found or Effect.CONSIDERABLY_EFFECTIVE in found:
        found = [e for e in found if e is not Effect.EFFECTIVE]  # 非常に効果的であった
    return found[0] if len(found) == 1 else None


def effect_mismatch(published: str | None, suggested: Effect | None) -> Flag | None:
    """`effect-mismatch` when the published 事業効果 names another category than the one the
    KPI results suggest; None when they agree or either is missing or unreadable."""
    effect = published_effect(published)
    if effect is None or suggested is None or effect is suggested:
        return None
    return Flag(
        "effect-mismatch",
        f"公表された事業効果「{effect.value}」は、KPIの実績から提案する「{suggested.value}」と"
        "異なります（KPI以外の判断材料があれば、その説明を確認してください）",
        f"the published effect '{effect.value}' differs from the one the KPI results suggest"
        f" ('{suggested.value}'); check what else the committee weighed",
    )


class FuturePolicy(StrEnum):
    """The five national words for a project's future (今後の方針)."""

    DEVELOP = "更に発展させる"
    REVISE = "事業内容の見直し（改善）"
    CONTINUE = "事業の継続"
    STOP = "事業の中止"
    FINISHED = "予定通り事業終了"
