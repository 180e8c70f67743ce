"""Texts inside a name cell: a target written at the end of the indicator
(`移住者数（目標70人）`) and a grant type in brackets before a project's name
(`【地方創生拠点整備交付金】 音別…事業`)."""

from __future__ import annotations

import re

from kpiledger.core.errors import NumberError
from kpiledger.core.numbers import ParsedNumber, fits_ledger, parse_number

#: `【地方創生拠点整備交付金】 音別…事業`: a grant type in brackets before a project's name.
GRANT_PREFIX = re.compile(r"^\s*[【\[]([^】\]]+)[】\]]\s*(.*)$", re.DOTALL)
GRANT_WORDS = ("交付金", "補助金")

#: A target written at the end of the indicator (`移住者数（目標70人）`, `… 目標：70人`,
#: `イベント来場者数 6,000人`), read only when the table has no 指標値 column.
_NUMBER_TAIL = (
    r"(?P<number>[△▲]?[0-9０-９][0-9０-９,，.．]*[^\s0-9０-９()（）\[\]【】:：、,，]{0,8})"
)
TARGET_IN_BRACKETS = re.compile(
    r"(?P<indicator>.+?)\s*[（(【\[]\s*目標値?\s*[:：]?\s*" + _NUMBER_TAIL + r"\s*[）)】\]]"
)
TARGET_AFTER_WORD = re.compile(
    r"(?P<indicator>.+?)\s*[、,，]?\s*目標値?\s*[:：]?\s*" + _NUMBER_TAIL
)
TARGET_AFTER_SPACE = re.compile(r"(?P<indicator>.+?)(?:\s+|\s*[:：]\s*)" + _NUMBER_TAIL)
#: A unit that makes the number no clear target: a bound (`80%以上`) or a year (`2030年`).
UNCLEAR_UNIT = re.compile(r"以上|以下|未満|超|以内|程度|前後|年度|^年|^月|^日")


def split_target(indicator: str) -> tuple[str, ParsedNumber] | None:
    """The indicator without its target, and the target, when the text ends with one clearly:
    `目標` and a number (its unit optional) in brackets or after the text, or a number with its
    unit after a space or colon. None otherwise (a bound `80%以上`, a year, a bare number)."""
    text = indicator.strip()
    for pattern, unit_needed in (
        (TARGET_IN_BRACKETS, False),
        (TARGET_AFTER_WORD, False),
        (TARGET_AFTER_SPACE, True),
    ):
        match = pattern.fullmatch(text)
        if match is None:
            continue
        try:
            parsed = parse_number(match["number"])
        except NumberError:
            continue
        unit = parsed.unit or ""
        if parsed.value is None or not fits_ledger(parsed.value) or UNCLEAR_UNIT.search(unit):
            continue
        if unit_needed and not unit:
            continue
        name = match["indicator"].strip().rstrip("、,，:：").strip()
        if name:
            return name, parsed
    return None


def split_grant(name: str) -> tuple[str | None, str]:
    """`【地方創生拠点整備交付金】 音別…事業` → ('地方創生拠点整備交付金', '音別…事業').

    ASCII brackets (`[地方創生拠点整備交付金] …`) are a grant prefix only when they name a
    grant (交付金, 補助金): a name such as `[red]利用者数[/red]` is kept whole, as published."""
    match = GRANT_PREFIX.match(name)
    if not match or not match.group(2).strip():
        return None, name.strip()
    ascii_brackets = name.lstrip().startswith("[")
    if ascii_brackets and not any(word in match.group(1) for word in GRANT_WORDS):
        return None, name.strip()
    return match.group(1).strip(), match.group(2).strip()
