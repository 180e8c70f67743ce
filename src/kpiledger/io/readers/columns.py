"""Finding a KPI table's columns by their header text, not by their position.

A header block is one or more rows (the reference report has three: a group row
「K P I（重要業績評価指標）」, then 「指標 / 指標値 / 実績値」, then
「指標値 / 単位 / 年月 / R1年度…」).
For each column the lowest non-empty label decides its role, the ones above it are fallbacks.

Year columns: `R5年度`, `令和５年度（実績）`, `R5年度実績値`, `実績（R5年度）` are the actual of
that fiscal year; an era-less `2年度` / `元年度` takes the era of the nearest year column to its
left (`R1年度 | 2年度` → 2020, `H30年度 | 元年度` → 2019). A year label with 見込/計画/目標/予定
is a forecast: not read, but kept in `Columns.forecasts`. Any other label that looks like a year
is `unknown-year-column`, and one fiscal year in two columns is `duplicate-column`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

from kpiledger.core.era import fiscal_year_following, parse_eraless_fiscal_year, parse_fiscal_year
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
    DIRECTION = "direction"  # 方向 (an explicit override)
    AGGREGATION = "aggregation"  # 集計 (an explicit override)
    ACTUAL = "actual"  # 実績値 of one fiscal year


REQUIRED = (Role.NAME, Role.INDICATOR, Role.TARGET)
HEADER_WORDS = (
    "方向",
    "集計",
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
    "担当",
    "所管",
    "見込",
    "計画",
    "予定",
)
#: A year label with one of these words is a forecast or plan, not an actual.
FORECAST_WORDS = ("見込", "計画", "目標", "予定")
#: Labels that look like a year: `5年度`, `元年度`, `2023`, `FY2023年`, `R5`, `令和5…`.
YEAR_LIKE = re.compile(
    r"(?:元|[0-9])年度|^(?:FY)?[0-9]{4}年?(?:\(.*\))?$|^(?:令和|平成|昭和|大正|[RHST])(?:元|[0-9])",
    re.IGNORECASE,
)
#: `実績（R5年度）`: an actual column with its year in brackets.
ACTUAL_WRAPPED = re.compile(r"実績値?\((?P<year>.+)\)")
#: `事業費（R5年度）`: another column qualified by a year in brackets (ignored like 事業費).
QUALIFIED = re.compile(r"(?P<name>[^0-9()]+)\(.*\)")


@dataclass(frozen=True)
class Row:
    """One row of the table: its cells and the (1-based) line it starts on."""

    line: int
    cells: list[str]


@dataclass
class Columns:
    """The role of each column (0-based cell index) of one KPI table."""

    line: int
    roles: dict[Role, int] = field(default_factory=dict)
    years: dict[int, int] = field(default_factory=dict)  # cell index → fiscal year
    labels: dict[int, str] = field(default_factory=dict)  # cell index → header text
    baseline_year: int | None = None  # from a header such as 基準値（R1年度）
    forecasts: dict[int, str] = field(default_factory=dict)  # cell index → 見込 column header

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
        (Role.DIRECTION, t in ("方向", "評価の方向", "指標の方向", "望ましい方向")),
        (Role.AGGREGATION, t in ("集計", "集計方法", "集計区分", "累計区分")),
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


def map_columns(rows: list[Row]) -> tuple[Columns, list[Problem]]:
    """Assign roles to the columns of a header block (its rows, in order)."""
    columns = Columns(rows[0].line)
    problems: list[Problem] = []
    width = max(len(r.cells) for r in rows)
    for index in range(width):
        labels = [
            (r.cells[index].strip(), r.line)
            for r in rows
            if index < len(r.cells) and r.cells[index].strip()
        ]
        problems.extend(_assign(columns, index, labels))
    return columns, problems + _missing(columns)


def _assign(columns: Columns, index: int, labels: list[tuple[str, int]]) -> list[Problem]:
    """Try the lowest label first: it is the most specific (R1年度 under 実績値) — except a
    year under 基準値, which is the baseline's year. Labels under a year label (`見込`) qualify
    it."""
    if _baseline_over_year(columns, index, [label for label, _ in labels]):
        return []
    below: list[str] = []
    for label, line in reversed(labels):
        year = _year_of_column(columns, index, label)
        if isinstance(year, int):
            return _year_column(columns, index, label, line, year, below)
        role = role_of(label)
        if role is not None and role not in columns.roles:
            columns.roles[role], columns.labels[index] = index, label
            if role is Role.BASELINE:
                columns.baseline_year = _year_in(label)
            return []
        if year is not None or YEAR_LIKE.search(norm(label)):
            return _other_year_label(columns, index, label, line, below, year)
        below.append(label)
    return []


def _year_of_column(columns: Columns, index: int, label: str) -> int | str | None:
    """The fiscal year a year column's label names; a str saying why when it looks like a year
    label that cannot be read; None when it is no year label."""
    year = _fiscal_year(label)
    wrapped = ACTUAL_WRAPPED.fullmatch(norm(label))
    if year is None and wrapped:
        year = _fiscal_year(wrapped["year"])
    if year is not None:
        return year
    era_year = parse_eraless_fiscal_year(label)
    if era_year is None:
        return None
    previous = [fy for i, fy in sorted(columns.years.items()) if i < index]
    if not previous:
        return "no-era"
    try:
        return fiscal_year_following(previous[-1], era_year)
    except EraError:
        return "bad"


def _year_column(
    columns: Columns, index: int, label: str, line: int, year: int, below: list[str]
) -> list[Problem]:
    """Record an actual column, unless a label under it makes it a forecast or its fiscal year
    already has a column (`duplicate-column`)."""
    if _is_forecast(label, below):
        columns.forecasts[index], columns.labels[index] = label, label
        return []
    first = next((i for i, fy in columns.years.items() if fy == year), None)
    if first is not None:
        return [_duplicate(columns, first, index, label, line, year)]
    columns.years[index], columns.labels[index] = year, label
    return []


def _other_year_label(
    columns: Columns,
    index: int,
    label: str,
    line: int,
    below: list[str],
    why: int | str | None,
) -> list[Problem]:
    """A label that looks like a year but is no actual: a forecast (kept, not read), another
    column qualified by a year (`事業費（R5年度）`, ignored), else `unknown-year-column`."""
    if _is_forecast(label, below):
        columns.forecasts[index], columns.labels[index] = label, label
        return []
    qualified = QUALIFIED.fullmatch(norm(label))
    if why is None and qualified and "年度" not in qualified["name"]:
        return []
    return [_unknown_year(index, label, line, why)]


def _is_forecast(label: str, below: list[str]) -> bool:
    """A year label saying 見込/計画/目標/予定, itself or in a sub-label under it."""
    return any(word in text for text in (label, *below) for word in FORECAST_WORDS)


def _duplicate(
    columns: Columns, first: int, index: int, label: str, line: int, year: int
) -> Problem:
    """`duplicate-column` at the second column of a fiscal year, naming both columns."""
    before = columns.label(first)
    return Problem(
        "duplicate-column",
        f"「{before}」（{first + 1}列目）と「{label}」（{index + 1}列目）が同じ年度"
        f"（{year}年度）の実績です",
        f"'{before}' (column {first + 1}) and '{label}' (column {index + 1}) are the same "
        f"fiscal year ({year})",
        line=line,
        column=index + 1,
        field=label,
    )


def _unknown_year(index: int, label: str, line: int, why: int | str | None) -> Problem:
    """`unknown-year-column`: a label that looks like a year but names no fiscal year."""
    if why == "no-era":
        detail_ja = "元号のない年度の左に、元号つきの年度の列がありません"
        detail_en = "an era-less year needs a year column with its era to its left"
    else:
        detail_ja = "R5年度・令和5年度・2023年度の形で、1926〜2200年の年度を書いてください"
        detail_en = "write a fiscal year 1926-2200 as R5年度, 令和5年度 or 2023年度"
    return Problem(
        "unknown-year-column",
        f"見出し「{label}」を年度の列として読めません（{detail_ja}）",
        f"cannot read the header '{label}' as a fiscal-year column ({detail_en})",
        line=line,
        column=index + 1,
        field=label,
    )


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
