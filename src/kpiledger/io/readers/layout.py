"""Texts that mark a report's layout: section headings (【…】), notes (※…) and the column
headings of a KPI table as municipalities write them (`heading_roles`)."""

from __future__ import annotations

import functools
import re
import unicodedata
from enum import StrEnum

from kpiledger.core.inference import LEVEL_UNITS
from kpiledger.core.money import MONEY_UNITS, count_unit
from kpiledger.io.readers.own_columns import FLAGS_HEADING, is_own

SECTION_HEADING = re.compile(r"^[【\[](.+)[】\]]$")
#: A one-text row starting with one of these is a note (※ 実績値は…), never a project name.
NOTE_PREFIXES = (
    "※",
    "＊",
    "*",
    "（注",
    "(注",
    "注）",
    "注)",
    "注:",
    "注：",
    "出典:",
    "出典：",
    "資料:",
    "資料：",
)


def is_note(text: str) -> bool:
    """A note such as `※ 実績値は各年度末時点`, `（注）…`, `出典：…` (see `NOTE_PREFIXES`)."""
    return text.startswith(NOTE_PREFIXES)


class Role(StrEnum):
    """What a column of a KPI table holds, as its heading names it."""

    NAME = "name"  # 事業の名称
    SUMMARY = "summary"  # 事業の概要
    INDICATOR = "indicator"  # 指標
    TARGET = "target"  # 指標値 / 目標値
    UNIT = "unit"  # 単位
    DATE = "date"  # 年月 / 目標年月
    TARGET_YEAR = "target_year"  # 目標年度 (a fiscal year instead of a month)
    BASELINE = "baseline"  # 基準値
    BASELINE_YEAR = "baseline_year"  # 基準年度
    RATE = "rate"  # 達成率 as published
    GRADE = "grade"  # 評価 / 達成状況 / 判定 as published (A, ◎, 概ね達成 …)
    NOTE = "note"  # 備考
    DIRECTION = "direction"  # 方向 (an explicit override)
    AGGREGATION = "aggregation"  # 集計 (an explicit override)
    ACTUAL = "actual"  # 実績値 of one fiscal year
    ACTUAL_YEAR = "actual_year"  # 実績年度 / 把握時点: the fiscal year of each row's 実績値
    # What the report says about the project beside its KPIs (the national form's right side):
    SPENT = "spent"  # 実績額 (単位：円)
    TOTAL_COST = "total_cost"  # 総事業費 (read in 円)
    GRANT_AMOUNT = "grant_amount"  # 交付金額 (read in 円)
    EFFECT = "effect"  # 事業効果 as published
    EVALUATION = "evaluation"  # 事業の評価
    OPINION = "opinion"  # 外部有識者からの意見
    POLICY = "policy"  # 今後の方針
    POLICY_REASON = "policy_reason"  # 今後の方針の理由
    # A workbook kpiledger wrote: the reader's remarks on its source (`own_columns`).
    CARRIED_FLAGS = "carried_flags"  # 読取時の注意（kpiledger）


#: The roles of a project's cells beside its KPIs, read into `Project.assessment`.
PROJECT_ROLES = (
    Role.SPENT, Role.TOTAL_COST, Role.GRANT_AMOUNT, Role.EFFECT, Role.EVALUATION, Role.OPINION,
    Role.POLICY, Role.POLICY_REASON,
)  # fmt: skip
#: The project's amounts besides 実績額, read in 円 (`千円` multiplied out): issue 10.
MONEY_ROLES = (Role.TOTAL_COST, Role.GRANT_AMOUNT)


#: How problems name a role: (Japanese, English).
ROLE_NAMES: dict[Role, tuple[str, str]] = {
    Role.NAME: ("事業の名称", "project name"),
    Role.SUMMARY: ("事業の概要", "summary"),
    Role.INDICATOR: ("指標", "indicator"),
    Role.TARGET: ("指標値（目標値）", "target value"),
    Role.UNIT: ("単位", "unit"),
    Role.DATE: ("年月（目標年月）", "target date"),
    Role.TARGET_YEAR: ("目標年度", "target fiscal year"),
    Role.BASELINE: ("基準値", "baseline"),
    Role.BASELINE_YEAR: ("基準年度", "baseline year"),
    Role.RATE: ("達成率", "achievement rate"),
    Role.GRADE: ("評価", "published grade"),
    Role.NOTE: ("備考", "note"),
    Role.DIRECTION: ("方向", "direction"),
    Role.AGGREGATION: ("集計", "aggregation"),
    Role.ACTUAL: ("実績値", "actual"),
    Role.ACTUAL_YEAR: ("実績年度", "actual's fiscal year"),
    Role.SPENT: ("実績額", "amount spent"),
    Role.TOTAL_COST: ("総事業費", "total project cost"),
    Role.GRANT_AMOUNT: ("交付金額", "grant amount"),
    Role.EFFECT: ("事業効果", "effect"),
    Role.EVALUATION: ("事業の評価", "evaluation"),
    Role.OPINION: ("外部有識者からの意見", "committee's opinion"),
    Role.POLICY: ("今後の方針", "future policy"),
    Role.POLICY_REASON: ("今後の方針の理由", "reason for the policy"),
    Role.CARRIED_FLAGS: ("読取時の注意", "remarks from reading the source"),
}


#: Headings as municipalities publish them (NFKC, spaces removed), each naming one role.
#: Sources: the reference report (釧路市 令和5年度), the national form 「事業実施結果報告」
#: (様式2 of 地方創生先行型, as published by 玉東町 and others), the Cabinet Office guideline
#: 「地方創生事業実施のためのガイドライン」 and municipal 効果検証 tables.
EXACT_HEADINGS: dict[Role, tuple[str, ...]] = {
    Role.NAME: (
        "事業の名称", "交付対象事業の名称", "交付対象事業名", "事業名", "事業名称", "事業",
        "対象事業", "対象事業名", "事業の名前",
    ),
    Role.SUMMARY: ("事業の概要", "事業概要", "概要", "事業内容", "事業の内容", "取組内容"),
    Role.INDICATOR: (
        "指標", "指標名", "指標名称", "指標の名称", "指標項目", "KPI", "KPI指標", "KPI名",
        "KPIの名称", "KPI項目", "指標(KPI)", "KPI(指標)", "成果指標", "評価指標", "業績指標",
        "重要業績評価指標", "重要業績評価指標(KPI)", "KPI(重要業績評価指標)",
    ),
    Role.TARGET: (
        "指標値", "目標値", "目標", "KPI目標値", "KPIの目標値", "数値目標", "目標数値",
        "目標指標値", "指標値(目標値)", "目標値(指標値)", "最終目標", "最終目標値",
    ),
    Role.UNIT: ("単位",),
    Role.DATE: (
        "年月", "目標年月", "目標月", "目標年月日", "達成時期", "目標時期", "目標達成時期",
        "目標期日", "期限", "達成期限", "目標期限", "目標達成年月",
    ),
    Role.TARGET_YEAR: ("目標年度", "目標年度末", "達成年度", "目標達成年度"),
    Role.BASELINE: (
        "基準値", "基準", "現状値", "策定時", "策定時の値", "事業開始前", "事業開始前(現時点)",
        "事業開始前の値", "事業開始時",
    ),
    Role.BASELINE_YEAR: ("基準年度", "基準年", "基準値の年度", "現状値の年度"),
    Role.RATE: ("達成率", "達成度", "進捗率"),
    Role.GRADE: (
        "評価", "評価結果", "評価区分", "達成状況", "達成状況の評価", "判定", "判定結果",
        "達成判定", "達成評価", "達成区分", "KPIの評価", "KPI評価", "KPIの達成状況",
        "KPI達成状況", "指標の達成状況", "指標の評価", "達成度評価", "達成度の評価",
    ),
    Role.NOTE: ("備考", "注記", "特記事項"),
    Role.DIRECTION: (
        "方向", "評価の方向", "指標の方向", "望ましい方向", "指標の方向性", "方向性", "目指す方向",
        "目指す方向性", "目標の方向", "目標の方向性", "望ましい方向性", "増減の方向", "指標の向き",
        "向き",
    ),
    Role.AGGREGATION: ("集計", "集計方法", "集計区分", "累計区分"),
    Role.ACTUAL: ("実績値", "実績", "本事業終了後における実績値", "事業終了後の実績値"),
    Role.ACTUAL_YEAR: (
        "実績年度", "実績の年度", "実績値の年度", "実績値の把握時点", "実績の把握時点", "把握時点",
        "時点", "数値の時点", "実績値の時点", "実績の時点", "実績時点", "調査年度", "調査時点",
        "基準日", "把握年度", "実績値の把握年度", "把握時期", "実績値の把握時期", "数値の年度",
        "数値の把握時点", "データの時点", "統計の時点", "出典・時点",
    ),
    Role.SPENT: (
        "実績額", "実績額(円)", "実績額(千円)", "事業費実績", "事業費(実績)", "事業費実績額",
        "決算額", "決算額(円)", "決算額(千円)", "執行額", "執行額(円)", "執行額(千円)",
        "交付対象事業費(実績額)",
    ),
    Role.TOTAL_COST: ("総事業費", "総事業費(円)", "総事業費(千円)"),
    Role.GRANT_AMOUNT: ("交付金額", "交付金額(円)", "交付金額(千円)", "交付額", "交付額(円)",
                        "交付額(千円)"),
    Role.EFFECT: ("事業効果", "事業の効果", "地方創生への効果", "事業効果の評価"),
    Role.EVALUATION: ("事業の評価", "事業評価", "事業の有効性"),
    Role.OPINION: (
        "外部有識者からの意見", "外部有識者の意見", "有識者の意見", "有識者意見",
        "有識者からの意見", "外部評価委員の意見", "外部評価委員会の意見", "評価委員会の意見",
        "委員の意見", "委員意見", "外部有識者会議の意見", "有識者会議の意見", "外部評価", "意見",
    ),
    Role.POLICY: (
        "今後の方針", "今後の方向性", "今後の取組方針", "今後の事業の方向性", "今後の事業展開",
        "事業の方向性", "今後の対応方針", "今後の対応",
    ),
    Role.POLICY_REASON: ("今後の方針の理由", "方針の理由", "理由", "今後の方針とその理由"),
}  # fmt: skip
_EXACT = {heading: role for role, headings in EXACT_HEADINGS.items() for heading in headings}

#: Words that name a role inside a longer heading (`達成率（％）`, `基準値（R1年度）`,
#: `目標年月（達成時期）`); a heading is scanned for the longest word at each place. `実績値`
#: alone in a longer heading is a group heading (`実績値を踏まえた事業の今後について`), not a
#: column; beside another role's word (`目標値・実績値`) it makes the heading ambiguous.
ROLE_WORDS: dict[str, Role] = {
    "実績値": Role.ACTUAL,
    "重要業績評価指標": Role.INDICATOR,
    "目標達成年度": Role.TARGET_YEAR,
    "KPI目標値": Role.TARGET,
    "目標年度": Role.TARGET_YEAR,
    "達成年度": Role.TARGET_YEAR,
    "目標年月": Role.DATE,
    "実績年度": Role.ACTUAL_YEAR,
    "基準年": Role.BASELINE_YEAR,
    "指標値": Role.TARGET,
    "目標値": Role.TARGET,
    "現状値": Role.BASELINE,
    "達成率": Role.RATE,
    "達成度": Role.RATE,
    "進捗率": Role.RATE,
    "事業名": Role.NAME,
    "基準": Role.BASELINE,
    "備考": Role.NOTE,
    "注記": Role.NOTE,
    "概要": Role.SUMMARY,
    "名称": Role.NAME,
    "単位": Role.UNIT,
    "年月": Role.DATE,
    "時期": Role.DATE,
    "指標": Role.INDICATOR,
    "KPI": Role.INDICATOR,
}
_LONGEST_FIRST = sorted(ROLE_WORDS, key=len, reverse=True)
#: The role words as one pattern, longest first: at each place the longest word is taken.
_ROLE_WORD = re.compile("|".join(map(re.escape, _LONGEST_FIRST)))
#: A slot label of the national form (`指標①`, `指標2`, `KPI③`; ① is 1 after NFKC).
SLOT = re.compile(r"(?:指標|KPI)?[0-9]{1,2}")
#: `単位：円` under 実績額: a note on the column's unit, not the 単位 column.
UNIT_NOTE = re.compile(r"単位[:：].*")
#: The same note inside a heading (`実績額（単位：円）`, as the national form prints it): the
#: heading is read without it (its word 単位 does not make it the 単位 column).
UNIT_NOTE_INSIDE = re.compile(r"\(単位[:：][^()]*\)")


#: The unit a heading names in a note: `指標値（単位：人）`, `単位：件` under 実績値.
UNIT_IN_NOTE = re.compile(r"単位[:：](?P<unit>[^()]+)")
#: What a bracket in a heading holds (`目標値（人）` → 人), a unit when `is_unit` says so.
BRACKETED = re.compile(r"\((?P<inner>[^()]{1,8})\)")
#: Units written alone in brackets besides counters (`core.money.count_unit`).
BARE_UNITS = frozenset({*LEVEL_UNITS, *MONEY_UNITS, "%"})


def is_unit(text: str) -> bool:
    """A unit as a heading writes one alone in brackets: a counter (人, 件, 人泊, 千人), a
    level (%, ポイント) or money (円, 千円); not a year (`R5年度`) or a word (`中間`)."""
    return text in BARE_UNITS or count_unit(text) is not None


def heading_unit(text: str) -> str | None:
    """The unit a heading names: a note `単位：人` (in brackets or not), or a unit alone in
    brackets (`目標値（人）`, `R5年度（件）`, `（千円）`, `（％）`); else None."""
    key = heading_key(text)
    note = UNIT_IN_NOTE.search(key)
    if note:
        return note["unit"]
    return next((m["inner"] for m in BRACKETED.finditer(key) if is_unit(m["inner"])), None)


@functools.lru_cache(maxsize=8192)
def without_unit(text: str) -> str:
    """The heading's key without the unit it names in brackets (`R4年度（人）` → `R4年度`,
    `実績値（R5年度）（人）` → `実績値(R5年度)`, `目標値（単位：人）` → `目標値`): what the
    heading is read as, the unit being read apart (`heading_unit`)."""
    key = UNIT_NOTE_INSIDE.sub("", heading_key(text))
    return BRACKETED.sub(lambda m: "" if is_unit(m["inner"]) else m.group(0), key)


@functools.lru_cache(maxsize=8192)
def heading_key(text: str) -> str:
    """NFKC with spaces removed, for matching headings (`K P I` → `KPI`, `（` → `(`)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@functools.lru_cache(maxsize=8192)
def heading_roles(label: str) -> tuple[Role, ...]:
    """The roles a heading names: one for a known heading, none for a column kpiledger does
    not read (事業費, 事業効果), two or more for a heading that names several (`目標値・実績値`),
    which the caller reports rather than guess. A 達成率 heading may explain its formula
    (`達成率（実績値／目標値）`): it is a rate."""
    key = heading_key(label)
    if is_own(key):  # kpiledger's own judgement is never read as published (`own_columns`)
        return (Role.CARRIED_FLAGS,) if key == heading_key(FLAGS_HEADING) else ()
    if key in _EXACT:
        return (_EXACT[key],)
    if SLOT.fullmatch(key) and not key.isdigit():
        return (Role.INDICATOR,)
    if UNIT_NOTE.fullmatch(key):
        return ()
    bare = UNIT_NOTE_INSIDE.sub("", key)
    if bare != key:
        return heading_roles(bare) if bare else ()
    found: list[Role] = []
    for match in _ROLE_WORD.finditer(key):  # leftmost, then longest, never overlapping
        if ROLE_WORDS[match.group(0)] not in found:
            found.append(ROLE_WORDS[match.group(0)])
    if Role.RATE in found:
        return (Role.RATE,)
    return () if found == [Role.ACTUAL] else tuple(found)
