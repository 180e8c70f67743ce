"""What a published grade means: the report's own legend (凡例), else the common reading.

A letter or mark (`A`, `◎`) is each municipality's own scale. 長与町's `A` is "above the
BASELINE", いの町's `○` "level with the target", 杵築市's `B` "80% or more of the target". Reports
print the scale in a note, e.g. `※評価 S：目標値を上回った　A：基準値を上回った　B：基準値と同水準
C：基準値を下回った　－：測定できない`.

- `read_legend(notes)` finds the `grade：description` pairs in the report's notes (`：`, `:`,
  `…`, `＝`; several grades sharing one description: `C・△・×：未達成`; several legends or one
  legend over two note lines). Two pairs or more make a legend.
- `legend_meaning(description, nearly)` is the statuses a description allows, or None when it
  cannot be compared with the contract's status: it speaks about the baseline, the previous
  year, progress without the target, or says the value cannot be measured.
- A band of the achievement rate (`80%以上`, `8割以上`, `50%以上80%未満`) is compared only when
  every rate in it gives one status at the evaluation's own 概ね達成 threshold `nearly`
  (`[80, 100)` at 80 → 概ね達成; `[50, 80)` → 未達成; `80%以上` at a threshold of 90 straddles two
  statuses → not compared).
- "Below the target" (`目標を下回った`, `未達成`) in a legend without a 概ね達成 grade allows both
  概ね達成 and 未達成: the scale has no grade for the difference.

Pure standard library, like the rest of `core`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

ACHIEVED, NEARLY_ACHIEVED, NOT_ACHIEVED = "achieved", "nearly_achieved", "not_achieved"
Meaning = frozenset[str]
MET: Meaning = frozenset({ACHIEVED})
NEARLY: Meaning = frozenset({NEARLY_ACHIEVED})
NOT_MET: Meaning = frozenset({NOT_ACHIEVED})
BELOW_TARGET: Meaning = frozenset({NEARLY_ACHIEVED, NOT_ACHIEVED})

#: Grades that say their meaning in words: compared whatever the legend (unless it lists them).
WORD_MEANINGS: dict[str, str] = {
    **dict.fromkeys(("達成", "達成済み", "達成済", "目標達成"), ACHIEVED),
    **dict.fromkeys(("概ね達成", "おおむね達成", "概ね達成済み"), NEARLY_ACHIEVED),
    **dict.fromkeys(("未達成", "未達"), NOT_ACHIEVED),
}
#: The common reading of letters and marks, used only when the report prints no legend.
ASSUMED_MEANINGS: dict[str, str] = {
    **dict.fromkeys(("◎", "A"), ACHIEVED),
    **dict.fromkeys(("○", "〇", "◯", "B"), NEARLY_ACHIEVED),
    **dict.fromkeys(("△", "×", "✕", "✖", "☓", "C", "D"), NOT_ACHIEVED),
}

_MARKS = "◎○〇◯●△▲×✕✖☓□■◇◆☆★"
_DASHES = "-―‐ー−–—"
_WORDS = "概ね達成|おおむね達成|未達成|達成"
_BARE = rf"(?:[SABCDE](?![A-Za-z0-9])|[{_MARKS}]|[{_DASHES}]|{_WORDS})"
_SEPARATOR = r"\s*(?::|\.{2,3}|=|→|⇒)"
_ONE = rf"(?:[SABCDE](?![A-Za-z0-9])|[{_MARKS}]|[{_DASHES}](?={_SEPARATOR})|{_WORDS})"
#: A label: a grade or grades joined by `・` or `/` (not after an ASCII letter, digit, `.` or
#: `:`), then `:` `...` (NFKC of `…`) `=` `→`.
_LABEL = re.compile(
    rf"(?<![A-Za-z0-9.:])(?P<group>「?{_ONE}」?(?:[・/]「?{_ONE}」?)*){_SEPARATOR}\s*"
)
_ITEM = re.compile(_BARE)
_NOTE_START = ("※", "*", "注", "(注", "出典", "資料")


def grade_key(text: str) -> str:
    """A grade as the meanings key it: NFKC with spaces removed (`Ａ` = `A`, `－` = `-`)."""
    return "".join(unicodedata.normalize("NFKC", text).split())


@dataclass(frozen=True)
class Legend:
    """A report's grade legend: grade (as `grade_key`) → its description, as published."""

    entries: dict[str, str] = field(default_factory=dict)

    def description(self, grade: str) -> str | None:
        return self.entries.get(grade_key(grade))

    @property
    def has_nearly(self) -> bool:
        """Whether the scale has a grade between met and not met (概ね, ほぼ, or a band of the
        rate from above 0 to below 100): then "below the target" means 未達成 only."""
        return any(_between(grade_key(text)) for text in self.entries.values())


def read_legend(notes: Iterable[str]) -> Legend | None:
    """The grade legend written in the report's notes; None without one (fewer than two pairs).

    The notes are read as one text, so a legend may continue on the next note line; a
    description ends at the next label, or at a line starting a new note (`※`, `注`, `出典`)."""
    lines = [unicodedata.normalize("NFKC", note).strip() for note in notes]
    entries: dict[str, str] = {}
    conflicting: set[str] = set()
    text = ""
    for line in lines:
        stop = "\n" if line.startswith(_NOTE_START) else " "
        text = f"{text}{stop}{line}" if text else line
    matches = list(_LABEL.finditer(text))
    if len(matches) < 2:
        return None
    ends = [after.start() for after in matches[1:]] + [len(text)]
    for match, end in zip(matches, ends, strict=True):
        description = _trim(re.split(r"\n|※", text[match.end() : end])[0])
        for item in _ITEM.findall(match.group("group")):
            key = grade_key(item)
            if key in entries and entries[key] != description:
                conflicting.add(key)
            entries[key] = description
    return Legend({k: v for k, v in entries.items() if k not in conflicting})


def _trim(text: str) -> str:
    """A description without the separators around it and an unbalanced closing bracket."""
    text = text.strip(" 、,。;")
    while text.endswith(")") and text.count(")") > text.count("("):
        text = text[:-1].rstrip(" 、,。;")
    return text


# --- how a grade is read ---------------------------------------------------------------------

STATUS_WORDS = {ACHIEVED: "達成", NEARLY_ACHIEVED: "概ね達成", NOT_ACHIEVED: "未達成"}
STATUS_WORDS_EN = {
    ACHIEVED: "achieved",
    NEARLY_ACHIEVED: "nearly achieved",
    NOT_ACHIEVED: "not achieved",
}


@dataclass(frozen=True)
class Reading:
    """What a published grade is taken to mean, and how a mismatch message says so: `ja` / `en`
    follow the grade, `ja_tail` / `en_tail` end the message."""

    meaning: Meaning
    ja: str = ""
    en: str = ""
    ja_tail: str = ""
    en_tail: str = ""


def read_grade(grade: str, legend: Legend | None, nearly: Decimal) -> Reading | None:
    """How `grade` is compared, or None when it is not: the legend decides the grades it lists
    (None for a description the contract cannot compare); a status word (`概ね達成`) means what
    it says; a letter or mark outside the legend is compared only when the report has no
    legend, by the common reading, and the message says it was assumed."""
    key = grade_key(grade)
    if legend is not None and key in legend.entries:
        description = legend.entries[key]
        meaning = legend_meaning(description, nearly, has_nearly=legend.has_nearly)
        if meaning is None:
            return None
        return Reading(meaning, f"（凡例「{description}」）", f" (legend '{description}')")
    if key in WORD_MEANINGS:
        word = WORD_MEANINGS[key]
        as_ja = "" if key == STATUS_WORDS[word] else f"（{STATUS_WORDS[word]}とみなす）"
        return Reading(frozenset({word}), as_ja, f" (read as {STATUS_WORDS_EN[word]})")
    if legend is not None or key not in ASSUMED_MEANINGS:
        return None
    word = ASSUMED_MEANINGS[key]
    return Reading(
        frozenset({word}),
        ja_tail=f"（凡例がないため、{grade}を{STATUS_WORDS[word]}とみなして比較）",
        en_tail=f" (the report prints no legend: '{grade}' taken as {STATUS_WORDS_EN[word]})",
    )


# --- what a description means -----------------------------------------------------------------

_NOT_COMPARABLE = re.compile(
    r"基準|策定時|当初|現状値|前年|前回|前期|過去|平均|同水準|同程度|横ばい|維持|"
    r"測定|把握|評価できない|評価不能|判定できない|算出できない|不明|対象外|実績なし|未実施|未集計"
)
_BELOW = re.compile(
    r"未達|下回|届か|達していない|達しない|達成していない|達成できな|に満たない|未満"
)
_ABOVE = re.compile(r"達成|上回|超え|超過|以上|クリア|到達")
_BOUND = re.compile(r"(\d+(?:\.\d+)?)(%|割)(以上|超|未満|以下)")


def legend_meaning(description: str, nearly: Decimal, *, has_nearly: bool = True) -> Meaning | None:
    """The statuses a legend's description allows at the 概ね達成 threshold `nearly`, or None
    when it is not about the target in a way the contract can compare."""
    key = grade_key(description)
    band = _band(key)
    if band is not None and not _NOT_COMPARABLE.search(key):
        return _band_meaning(*band, nearly)
    return _classify(key, has_nearly)


def _between(key: str) -> bool:
    band = _band(key)
    if band is not None:
        return 0 < band[0] < 100
    return any(word in key for word in ("概ね", "おおむね", "ほぼ"))


def _classify(key: str, has_nearly: bool) -> Meaning | None:
    if not key or _NOT_COMPARABLE.search(key) or _band(key) is not None:
        return None
    if "概ね" in key or "おおむね" in key or "ほぼ" in key:
        return NEARLY if "目標" in key or "達成" in key else None
    word = WORD_MEANINGS.get(key)
    if "目標" not in key and "達成" not in key:
        return None  # progress, effort, a trend: not the target
    if _BELOW.search(key) or word == NOT_ACHIEVED:
        return NOT_MET if has_nearly else BELOW_TARGET
    if _ABOVE.search(key) or word == ACHIEVED:
        return MET
    return None


def _band(key: str) -> tuple[Decimal, Decimal] | None:
    """The achievement rates `[low, high)` a description allows (`80%以上` → [80, ∞),
    `50%以上80%未満` → [50, 80), `5割未満` → [0, 50)), or None without a bound."""
    bounds = _BOUND.findall(key)
    if not bounds:
        return None
    low, high = Decimal(0), Decimal("Infinity")
    for number, unit, relation in bounds:
        value = Decimal(number) * (10 if unit == "割" else 1)
        if relation in ("以上", "超"):
            low = max(low, value)
        else:
            high = min(high, value)
    return low, high


def _band_meaning(low: Decimal, high: Decimal, nearly: Decimal) -> Meaning | None:
    """The status every rate in `[low, high)` has (100 achieves; `nearly` is 概ね達成), or None
    when the band straddles a boundary. Open ended `80%以上` is read as below 100 (the
    achieved grade is listed apart)."""
    if low >= 100:
        return MET
    high = min(high, Decimal(100))
    if low >= nearly:
        return NEARLY
    if high <= nearly:
        return NOT_MET
    return None
