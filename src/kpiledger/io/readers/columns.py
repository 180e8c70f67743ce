"""Finding a KPI table's columns by their header text, not by their position.

A header block is one or more rows (the reference report has three: a group row
「K P I（重要業績評価指標）」, then 「指標 / 指標値 / 実績値」, then
「指標値 / 単位 / 年月 / R1年度…」).
For each column the lowest non-empty label decides its role, the ones above it are fallbacks.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

from kpiledger.core.era import parse_fiscal_year
from kpiledger.core.errors import EraError, Problem


class Role(StrEnum):
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
    NOTE = "note"  # 備考
    ACTUAL = "actual"  # 実績値 of one fiscal year


REQUIRED = (Role.NAME, Role.INDICATOR, Role.TARGET)
HEADER_WORDS = (
    "名称",
    "事業名",
    "概要",
    "指標",
    "KPI",
    "目標",
    "単位",
    "年月",
    "時期",
    "実績",
    "基準",
    "達成",
    "備考",
    "注記",
    "評価",
    "事業費",
    "交付金",
    "交付対象",
    "年度",
    "番号",
    "No",
)


@dataclass
class Columns:
    """The role of each column (0-based cell index) of one KPI table."""

    line: int
    roles: dict[Role, int] = field(default_factory=dict)
    years: dict[int, int] = field(default_factory=dict)  # cell index → fiscal year
    labels: dict[int, str] = field(default_factory=dict)  # cell index → header text
    baseline_year: int | None = None  # from a header such as 基準値（R1年度）

    def label(self, index: int) -> str:
        return self.labels.get(index, "")

    @property
    def width(self) -> int:
        """The number of cells a complete row must have."""
        return max([*self.roles.values(), *self.years]) + 1


def norm(text: str) -> str:
    """NFKC with spaces removed, for matching header words (`K P I` → `KPI`)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def is_header_start(cells: list[str]) -> bool:
    """A row that opens a KPI table: it names the project column and the indicator column."""
    texts = [norm(c) for c in cells]
    has_name = any("名称" in t or t in ("事業名", "事業") for t in texts)
    return has_name and any("指標" in t or t == "KPI" for t in texts)


def is_header_row(cells: list[str]) -> bool:
    """A row whose every non-empty cell is a header word or a fiscal-year label."""
    texts = [norm(c) for c in cells if c.strip()]
    return bool(texts) and all(_is_header_text(t) for t in texts)


UNIT_LABEL = re.compile(r"[(（][^)）]{0,12}[)）]|[%％]|単位[:：].*")


def _is_header_text(text: str) -> bool:
    """A header word, a fiscal-year label, or a unit sub-label such as （％）."""
    return (
        any(word in text for word in HEADER_WORDS)
        or _fiscal_year(text) is not None
        or UNIT_LABEL.fullmatch(text) is not None
    )


def _fiscal_year(text: str) -> int | None:
    try:
        return parse_fiscal_year(text)
    except EraError:
        return None


def role_of(label: str) -> Role | None:
    """The role a header label names, or None for a column kpiledger does not read."""
    t = norm(label)
    checks: tuple[tuple[Role, bool], ...] = (
        (Role.BASELINE_YEAR, "基準年" in t),
        (Role.BASELINE, "基準" in t),
        (Role.RATE, "達成率" in t or "達成度" in t),
        (Role.NOTE, "備考" in t or "注記" in t),
        (Role.SUMMARY, "概要" in t),
        (Role.NAME, "名称" in t or t in ("事業名", "事業")),
        (Role.UNIT, "単位" in t),
        (Role.TARGET_YEAR, t in ("目標年度", "目標年度末", "達成年度")),
        (Role.DATE, "年月" in t or "時期" in t or t in ("目標期日", "期限")),
        (Role.TARGET, "目標値" in t or t in ("指標値", "目標", "KPI目標値", "数値目標")),
        (Role.INDICATOR, t in ("指標", "指標名", "KPI", "KPI指標", "指標(KPI)", "成果指標")),
    )
    return next((role for role, hit in checks if hit), None)


def map_columns(rows: list[list[str]], line: int) -> tuple[Columns, list[Problem]]:
    """Assign roles to the columns of a header block starting at `line`."""
    columns = Columns(line)
    width = max(len(r) for r in rows)
    for index in range(width):
        labels = [r[index].strip() for r in rows if index < len(r) and r[index].strip()]
        _assign(columns, index, labels)
    return columns, _missing(columns)


def _assign(columns: Columns, index: int, labels: list[str]) -> None:
    """Try the lowest label first: it is the most specific (R1年度 under 実績値) — except a
    year under 基準値, which is the baseline's year."""
    if _baseline_over_year(columns, index, labels):
        return
    for label in reversed(labels):
        year = _fiscal_year(label)
        role = None if year is not None else role_of(label)
        if year is not None and index not in columns.years:
            columns.years[index], columns.labels[index] = year, label
            return
        if role is not None and role not in columns.roles:
            columns.roles[role], columns.labels[index] = index, label
            if role is Role.BASELINE:
                columns.baseline_year = _year_in(label)
            return


def _baseline_over_year(columns: Columns, index: int, labels: list[str]) -> bool:
    if len(labels) < 2 or Role.BASELINE in columns.roles:
        return False
    year = _fiscal_year(labels[-1])
    if year is None or not any(role_of(label) is Role.BASELINE for label in labels[:-1]):
        return False
    columns.roles[Role.BASELINE], columns.labels[index] = index, " ".join(labels)
    columns.baseline_year = year
    return True


def _year_in(label: str) -> int | None:
    """The fiscal year written inside a header such as 基準値（R1年度）."""
    match = re.search(r"[（(]([^）)]+)[）)]", unicodedata.normalize("NFKC", label))
    return _fiscal_year(match.group(1)) if match else None


def _missing(columns: Columns) -> list[Problem]:
    names = {
        Role.NAME: ("事業の名称", "project name"),
        Role.INDICATOR: ("指標", "indicator"),
        Role.TARGET: ("指標値（目標値）", "target value"),
    }
    problems = [
        Problem(
            "missing-column",
            f"見出しに「{names[role][0]}」の列がありません",
            f"the header has no '{names[role][1]}' column",
            line=columns.line,
        )
        for role in REQUIRED
        if role not in columns.roles
    ]
    if Role.DATE not in columns.roles and Role.TARGET_YEAR not in columns.roles:
        problems.append(
            Problem(
                "missing-column",
                "見出しに「年月」（目標年月）または「目標年度」の列がありません",
                "the header has no target date column (年月 or 目標年度)",
                line=columns.line,
            )
        )
    if not columns.years:
        problems.append(
            Problem(
                "missing-column",
                "見出しに年度別の実績値の列（R1年度など）がありません",
                "the header has no per-fiscal-year actual column (R1年度 …)",
                line=columns.line,
            )
        )
    return problems
