"""The national strategy's goals and fields a project or KPI belongs to (分類).

The four basic goals (基本目標) of the 総合戦略 (まち・ひと・しごと創生総合戦略, and the
デジタル田園都市国家構想総合戦略 after it) and the policy fields (分野) the comparison pages
group KPIs by. A KPI's field is inferred from its words (`classify_kpi`, `classify_project`),
with the reason; the ledger keeps an override where staff decide otherwise.

How a field is read (the words and weights are in `category_words`):
- The texts are read in tiers, the KPI's own words first: the indicator and its unit, then the
  project's name, then the project's summary (事業の概要). The first tier in which any word of
  any field is found decides, so indicator words always outrank project words; a later tier is
  read only when the earlier ones say nothing (`参加者数` of a `消防団充実・強化推進事業`). For
  a project: its name, then its KPIs' indicators, then its summary.
- In the deciding tier each field scores the sum of the weights of its distinct words; the
  highest score wins. A tie goes to the field whose word comes last: Japanese puts the head
  last, so the last word names what is counted (`子育て世帯の転入数` counts 転入, `移住希望者の
  雇用` counts 雇用, `観光関連の創業支援件数` counts 創業). The reason says so.
- Nothing found anywhere: `Field.OTHER`, and the reason says no word matched.

How the goal is read: the field's usual goal (`Field.goal`), unless a word of the deciding text
moves it (`category_words.GOAL_MOVES`, the first that applies):
- Tourism: the national strategy puts 観光 in two goals. Its first goal, 地方にしごとをつくり
  安心して働けるようにする, holds 観光業を強化する地域における連携体制の構築 (日本版DMO) with the
  KPI 訪日外国人旅行消費額; the visitors themselves — 観光入込客数, 宿泊者数, 交流人口 — are
  what local strategies count under 地方への新しいひとの流れをつくる (e.g. 浦河町: 転入者数 and
  交流人口数 under one goal). So a tourism KPI about money or business (消費額, 売上, 旅行商品,
  DMO, 雇用, 開業) is しごと (`Goal.WORK`); one counting visitors, stays or 交流人口 is 人の流れ
  (`Goal.FLOW`, the field's usual goal).
- Migration words in another field's KPI (移住, UIJターン, 転入, 関係人口, サテライトオフィス,
  テレワーク, ワーケーション): 人の流れ. The strategy's second goal holds 地方移住の推進 and
  企業の地方拠点強化, and the テレワーク交付金 aims at 転職なき移住. So `移住希望者の雇用` is
  employment with the goal FLOW, `サテライトオフィス進出企業数` commerce and industry with FLOW.
- Education is 結婚・出産・子育て (the strategy's third goal: 子育て and 教育 環境), except
  lifelong learning (生涯学習, 公民館: 魅力的な地域) and vocational training (就職, 技能, 資格:
  しごと).
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple

from kpiledger.core import category_words


class Goal(StrEnum):
    """基本目標 of the national strategy."""

    WORK = "work"  # 地方にしごとをつくる
    FLOW = "flow"  # 人の流れをつくる（移住・関係人口）
    FAMILY = "family"  # 結婚・出産・子育ての希望をかなえる
    COMMUNITY = "community"  # 魅力的な地域・まちをつくる

    @property
    def label_ja(self) -> str:
        return GOAL_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return GOAL_LABELS[self][1]


GOAL_LABELS: dict[Goal, tuple[str, str]] = {
    Goal.WORK: ("しごと", "Jobs"),
    Goal.FLOW: ("人の流れ・移住", "Flow of people, migration"),
    Goal.FAMILY: ("結婚・出産・子育て", "Marriage, childbirth, child-rearing"),
    Goal.COMMUNITY: ("魅力的な地域・まち", "Attractive communities"),
}


class Field(StrEnum):
    """分野: the kind of policy a KPI measures."""

    TOURISM = "tourism"
    EMPLOYMENT = "employment"
    MIGRATION = "migration"
    EDUCATION = "education"
    CHILDCARE = "childcare"
    DIGITAL = "digital"
    PRIMARY = "primary"
    TRANSPORT = "transport"
    HEALTH = "health"
    INDUSTRY = "industry"
    CULTURE = "culture"
    ENVIRONMENT = "environment"
    SAFETY = "safety"
    COMMUNITY = "community"
    OTHER = "other"

    @property
    def label_ja(self) -> str:
        return FIELD_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return FIELD_LABELS[self][1]

    @property
    def goal(self) -> Goal:
        """The goal this field serves when nothing else tells."""
        return FIELD_GOALS[self]


FIELD_LABELS: dict[Field, tuple[str, str]] = {
    Field.TOURISM: ("観光", "Tourism"),
    Field.EMPLOYMENT: ("雇用・創業", "Jobs and start-ups"),
    Field.MIGRATION: ("移住・定住・関係人口", "Migration and settlement"),
    Field.EDUCATION: ("教育・人材育成", "Education and skills"),
    Field.CHILDCARE: ("結婚・出産・子育て", "Marriage, birth and childcare"),
    Field.DIGITAL: ("DX・行政", "Digital and administration"),
    Field.PRIMARY: ("農林水産", "Agriculture, forestry and fisheries"),
    Field.TRANSPORT: ("交通", "Transport"),
    Field.HEALTH: ("健康・医療・福祉", "Health, medicine and welfare"),
    Field.INDUSTRY: ("商工・産業", "Commerce and industry"),
    Field.CULTURE: ("文化・スポーツ", "Culture and sport"),
    Field.ENVIRONMENT: ("環境・エネルギー", "Environment and energy"),
    Field.SAFETY: ("防災・安全", "Disaster prevention and safety"),
    Field.COMMUNITY: ("まちづくり・地域活動", "Town planning and community"),
    Field.OTHER: ("その他", "Other"),
}

FIELD_GOALS: dict[Field, Goal] = {
    Field.TOURISM: Goal.FLOW,
    Field.EMPLOYMENT: Goal.WORK,
    Field.MIGRATION: Goal.FLOW,
    Field.EDUCATION: Goal.FAMILY,
    Field.CHILDCARE: Goal.FAMILY,
    Field.DIGITAL: Goal.COMMUNITY,
    Field.PRIMARY: Goal.WORK,
    Field.TRANSPORT: Goal.COMMUNITY,
    Field.HEALTH: Goal.COMMUNITY,
    Field.INDUSTRY: Goal.WORK,
    Field.CULTURE: Goal.COMMUNITY,
    Field.ENVIRONMENT: Goal.COMMUNITY,
    Field.SAFETY: Goal.COMMUNITY,
    Field.COMMUNITY: Goal.COMMUNITY,
    Field.OTHER: Goal.COMMUNITY,
}


# --- classification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    """A KPI's or project's goal and field, why, and the words that decided (as written)."""

    goal: Goal
    field: Field
    reason_ja: str
    reason_en: str
    matched: tuple[str, ...]


class _Word(NamedTuple):
    field: Field
    weight: int


_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _folded(text: str) -> str:
    """Latin letters in lower case, nothing else changed (the length stays: positions in the
    folded text are positions in the text)."""
    return text.translate(_ASCII_LOWER)


def _word_table() -> dict[str, _Word]:
    table: dict[str, _Word] = {}
    for value, by_weight in category_words.FIELD_WORDS.items():
        for weight, words in by_weight.items():
            for word in words.split():
                key = _folded(word)
                if key in table:
                    raise ValueError(f"category word {word!r} is listed twice")
                table[key] = _Word(Field(value), weight)
    return table


def _trie_pattern(words: Iterable[str]) -> str:
    """One regular expression matching any of `words`, longest first, as a trie (fast)."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # the end of a word

    def build(node: dict) -> str:  # type: ignore[type-arg]
        branches = [re.escape(c) + build(child) for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            return f"(?:{body})?"
        return body

    return build(trie)


WORDS = _word_table()
_PATTERN = re.compile(_trie_pattern(WORDS))  # on `_folded` text (IGNORECASE is 4× slower)


def normalized(text: str | None) -> str:
    """The form words are matched on: NFKC (full-width Latin and digits folded), no spaces."""
    return "".join(unicodedata.normalize("NFKC", text or "").split())


class _Part(NamedTuple):
    """One text read for words: what it is (指標名, 単位, 事業名 …) and its normalized words."""

    name_ja: str
    name_en: str
    text: str
    head: bool = True  # False: its words never count as the head of the phrase (the unit)


class _Hit(NamedTuple):
    word: str  # as written (normalized)
    key: str  # the word as listed (`_folded`)
    field: Field
    weight: int
    part: int  # index of the part in its tier
    end: int  # position of the word's end across the tier (later = closer to the head)


def _hits(parts: Sequence[_Part]) -> list[_Hit]:
    hits, offset = [], 0
    for index, part in enumerate(parts):
        for match in _PATTERN.finditer(_folded(part.text)):
            word = WORDS[match.group()]
            end = offset + match.end() if part.head else match.end() - len(part.text) - 1
            written = part.text[match.start() : match.end()]
            hits.append(_Hit(written, match.group(), word.field, word.weight, index, end))
        offset += len(part.text) + 1 if part.head else 0
    return hits


class _Score(NamedTuple):
    field: Field
    score: int
    last: int
    words: tuple[_Hit, ...]


def _scores(hits: list[_Hit]) -> list[_Score]:
    """Each field's score (its distinct words' weights), best first: the higher score, then the
    later last word (the head of the phrase)."""
    by_field: dict[Field, dict[str, _Hit]] = {}
    for hit in hits:
        by_field.setdefault(hit.field, {}).setdefault(hit.key, hit)
    scores = [
        _Score(f, sum(h.weight for h in seen.values()), max(h.end for h in seen.values()),
               tuple(seen.values()))
        for f, seen in by_field.items()
    ]  # fmt: skip
    return sorted(scores, key=lambda s: (-s.score, -s.last))


def _quoted(words: Iterable[str]) -> str:
    return "".join(f"「{w}」" for w in words)


def _where(parts: Sequence[_Part], words: Sequence[_Hit]) -> tuple[str, str]:
    """`指標名の「観光客」「入込」と単位の「人泊」` / `観光客, 入込 in the indicator and 人泊 in
    the unit`."""
    ja, en = [], []
    for index, part in enumerate(parts):
        here = [h.word for h in words if h.part == index]
        if here:
            ja.append(f"{part.name_ja}の{_quoted(here)}")
            en.append(f"{', '.join(here)} in the {part.name_en}")
    return "と".join(ja), " and ".join(en)


def _or(names: Sequence[str]) -> str:
    """`indicator`, `indicator or unit`, `indicator, unit or project name`."""
    names = list(dict.fromkeys(names))
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _tie(scores: list[_Score]) -> tuple[str, str]:
    tied = [s for s in scores[1:] if s.score == scores[0].score]
    if not tied:
        return "", ""
    ja = "・".join(f"{s.field.label_ja}の{_quoted(h.word for h in s.words)}" for s in tied)
    en = "; ".join(
        f"{_lower_first(s.field.label_en)} from {', '.join(h.word for h in s.words)}" for s in tied
    )
    return (
        f"（{ja}と同点のため、後に書かれた語（数える対象）を優先）",
        f" (tied with {en}: the word written last, what is counted, wins)",
    )


_MOVES = tuple(
    (
        frozenset(Field(v) for v in fields),
        Goal(goal),
        re.compile("|".join(re.escape(_folded(w)) for w in sorted(words.split(), key=len)[::-1])),
        why_ja,
        why_en,
    )
    for fields, goal, words, why_ja, why_en in category_words.GOAL_MOVES
)


def _goal(field: Field, parts: Sequence[_Part]) -> tuple[Goal, str, str, str | None]:
    """The goal, its reason (ja, en) and the word that moved it (None: the field's own)."""
    text = "\n".join(p.text for p in parts)
    for fields, goal, pattern, why_ja, why_en in _MOVES:
        if field in fields and (found := pattern.search(_folded(text))):
            word = text[found.start() : found.end()]
            return (
                goal,
                f"。基本目標は「{word}」から{goal.label_ja}（{why_ja}）",
                f"; goal {_lower_first(goal.label_en)} from {word} ({why_en})",
                word,
            )
    goal = field.goal
    return (
        goal,
        f"。基本目標は分野の既定の{goal.label_ja}",
        f"; goal: the field's usual one, {_lower_first(goal.label_en)}",
        None,
    )


def _classify(tiers: Sequence[Sequence[_Part]]) -> Category:
    """The field of the first tier with any word, and its goal (see the module docstring)."""
    read: list[_Part] = []
    for parts in tiers:
        hits = _hits(parts)
        if hits:
            return _decided(parts, _scores(hits), read)
        read.extend(parts)
    return _nothing(tiers)


def _decided(parts: Sequence[_Part], scores: list[_Score], before: list[_Part]) -> Category:
    best = scores[0]
    words = tuple(sorted(best.words, key=lambda h: h.end))
    where_ja, where_en = _where(parts, words)
    tie_ja, tie_en = _tie(scores)
    goal, goal_ja, goal_en, moved = _goal(best.field, parts)
    pre_ja = pre_en = ""
    if before:
        pre_ja = "・".join(p.name_ja for p in before) + "に分野の手がかりがないため、"
        pre_en = f"nothing in the {_or([p.name_en for p in before])} tells the field; "
    label_en = _lower_first(best.field.label_en)
    matched = tuple(dict.fromkeys([*(h.word for h in words), *([moved] if moved else [])]))
    return Category(
        goal=goal,
        field=best.field,
        reason_ja=f"{pre_ja}{where_ja}から{best.field.label_ja}に分類{tie_ja}{goal_ja}",
        reason_en=f"{pre_en}classified as {label_en} from {where_en}{tie_en}{goal_en}",
        matched=matched,
    )


def _nothing(tiers: Sequence[Sequence[_Part]]) -> Category:
    names_ja = "・".join(p.name_ja for parts in tiers for p in parts)
    names_en = _or([p.name_en for parts in tiers for p in parts])
    goal = Field.OTHER.goal
    return Category(
        goal=goal,
        field=Field.OTHER,
        reason_ja=f"{names_ja}のどれにも分野の手がかりとなる語がないため、その他"
        f"（基本目標は既定の{goal.label_ja}）",
        reason_en=f"no word of the {names_en} matched any field: other"
        f" (goal: the usual one, {_lower_first(goal.label_en)})",
        matched=(),
    )


@lru_cache(maxsize=65536)
def classify_kpi(
    indicator: str, unit: str = "", project_name: str = "", project_summary: str = ""
) -> Category:
    """A KPI's goal and field from its indicator and unit, else its project's name, else its
    project's summary (see the module docstring). Pure and deterministic; never raises."""
    return _classify(
        (
            (
                _Part("指標名", "indicator", normalized(indicator)),
                _Part("単位", "unit", normalized(unit), head=False),
            ),
            (_Part("事業名", "project name", normalized(project_name)),),
            (_Part("事業の概要", "project summary", normalized(project_summary)),),
        )
    )


def classify_project(name: str, summary: str = "", indicators: Sequence[str] = ()) -> Category:
    """A project's goal and field from its name, else its KPIs' indicators, else its summary."""
    return _classify_project(name or "", summary or "", tuple(i or "" for i in indicators))


@lru_cache(maxsize=16384)
def _classify_project(name: str, summary: str, indicators: tuple[str, ...]) -> Category:
    return _classify(
        (
            (_Part("事業名", "project name", normalized(name)),),
            # one text, a line per KPI: no word runs across two indicators
            (_Part("KPIの指標名", "KPI indicators", "\n".join(map(normalized, indicators))),),
            (_Part("事業の概要", "project summary", normalized(summary)),),
        )
    )


# --- population bands (similar municipalities) -------------------------------------------------


@dataclass(frozen=True)
class Band:
    """A population band of "similar municipalities": `low` ≤ population < `high` (None: open)."""

    key: str
    low: int | None
    high: int | None
    label_ja: str
    label_en: str

    def contains(self, population: int | None) -> bool:
        if population is None or self.low is None:
            return False
        return self.low <= population and (self.high is None or population < self.high)


BANDS: tuple[Band, ...] = (
    Band("under-10k", 0, 10_000, "1万人未満", "under 10,000"),
    Band("10k-50k", 10_000, 50_000, "1万〜5万人", "10,000–49,999"),
    Band("50k-100k", 50_000, 100_000, "5万〜10万人", "50,000–99,999"),
    Band("100k-200k", 100_000, 200_000, "10万〜20万人", "100,000–199,999"),
    Band("200k-500k", 200_000, 500_000, "20万〜50万人", "200,000–499,999"),
    Band("500k-plus", 500_000, None, "50万人以上", "500,000 and over"),
)
UNKNOWN_BAND = Band("unknown", None, None, "人口不明", "population unknown")


def bands() -> list[Band]:
    """The bands, smallest first (without `UNKNOWN_BAND`)."""
    return list(BANDS)


def population_band(population: int | None) -> Band:
    """The band of a population; `UNKNOWN_BAND` when it is not known (None or negative)."""
    for band in BANDS:
        if band.contains(population):
            return band
    return UNKNOWN_BAND
