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

from kpiledger.core.era import (
    PLAUSIBLE_YEARS,
    fiscal_year_following,
    parse_eraless_fiscal_year,
    parse_fiscal_year,
)
from kpiledger.core.errors import EraError, Problem
from kpiledger.io.readers.layout import ROLE_NAMES, SLOT, Role, heading_key, heading_roles

__all__ = ["Columns", "Role", "Row", "is_header_row", "is_header_start", "map_columns", "norm"]


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
    "判定",
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
    "効果",
    "意見",
    "方針",
    "理由",
    "現状",
    "策定時",
    "進捗",
    "内容",
)
#: A column whose lowest heading says one of these is one kpiledger does not read (事業効果,
#: 外部有識者からの意見, 実績額): its group heading above (実績値を踏まえた事業の今後について)
#: does not give it a role.
NOT_READ_WORDS = (
    "効果",
    "評価",
    "意見",
    "方針",
    "理由",
    "事業費",
    "実績額",
    "交付金",
    "担当",
    "所管",
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
#: `2023` under a 実績値 heading: a fiscal year written without 年度.
BARE_YEAR = re.compile(r"[0-9]{4}")


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
    #: The cell right of 指標 under the same heading (the national form: 指標① | 移住者数).
    indicator_text: int | None = None
    #: A 実績値 column without a year (the national form): (cell index, header, line).
    undated: tuple[int, str, int] | None = None
    #: No 指標値 column, and nothing else wrong: each row's target is read from the end of its
    #: indicator (`移住者数（目標70人）`); a row without one gets this `missing-column`.
    missing_target: Problem | None = None

    def label(self, index: int) -> str:
        return self.labels.get(index, "")

    @property
    def width(self) -> int:
        """The number of cells a complete row must have. A published grade (評価) is left out:
        such a column was ignored before it was read, and a blank last grade may be dropped."""
        read = [index for role, index in self.roles.items() if role is not Role.GRADE]
        return max([*read, *self.years]) + 1


def norm(text: str) -> str:
    """NFKC with spaces removed, for matching header words (`K P I` → `KPI`)."""
    return heading_key(text)


def is_header_start(cells: list[str]) -> bool:
    """A row that opens a KPI table: it names the project column and the indicator column."""
    texts = [norm(c) for c in cells]
    has_name = any("名称" in t or heading_roles(t) == (Role.NAME,) for t in texts)
    return has_name and any("指標" in t or "KPI" in t for t in texts)


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
        or BARE_YEAR.fullmatch(text) is not None
        or UNIT_LABEL.fullmatch(text) is not None
    )


def _fiscal_year(text: str) -> int | None:
    try:
        return parse_fiscal_year(text)
    except EraError:
        return None


def _bare_year(text: str) -> int | None:
    """`2023` as the fiscal year 2023, when plausible (1926–2200)."""
    if BARE_YEAR.fullmatch(text) and int(text) in PLAUSIBLE_YEARS:
        return int(text)
    return None


def role_of(label: str) -> Role | None:
    """The role a header label names, or None for a column kpiledger does not read or a
    heading naming several roles (see `layout.heading_roles`)."""
    roles = heading_roles(label)
    return roles[0] if len(roles) == 1 else None


def map_columns(rows: list[Row], report_year: int | None = None) -> tuple[Columns, list[Problem]]:
    """Assign roles to the columns of a header block (its rows, in order). `report_year` (the
    title's fiscal year) is the year of a 実績値 column written without one."""
    columns = Columns(rows[0].line)
    problems: list[Problem] = []
    width = max(len(r.cells) for r in rows)
    headings: list[list[str]] = []
    spans = [_spanning(r) for r in rows]
    for index in range(width):
        labels = [
            (r.cells[index].strip(), r.line)
            for r in rows
            if index < len(r.cells) and r.cells[index].strip()
        ]
        headings.append([label for label, _ in labels])
        groups = [(line, span[index]) for line, span in spans if index < len(span)]
        problems.extend(_assign(columns, index, labels, groups))
    _find_indicator_text(columns, headings)
    problems.extend(_date_actuals(columns, report_year))
    problems += _missing(columns)
    if problems == [_missing_role(columns, Role.TARGET)]:
        columns.missing_target = problems.pop()
    return columns, problems


def _spanning(row: Row) -> tuple[int, list[str]]:
    """Each cell's heading, a blank cell taking the one to its left: a merged group heading
    (実績値 over R4 | R5) is written only in its first cell when exported as text."""
    texts, last = [], ""
    for cell in row.cells:
        last = cell.strip() or last
        texts.append(last)
    return row.line, texts


def _assign(
    columns: Columns,
    index: int,
    labels: list[tuple[str, int]],
    groups: list[tuple[int, str]],
) -> list[Problem]:
    """Try the lowest label first: it is the most specific (R1年度 under 実績値) — except a
    year under 基準値, which is the baseline's year. Labels under a year label (`見込`) qualify
    it; a heading of a column not read (事業効果) ends the search, so its group heading above
    gives it no role. A heading naming two roles is a problem, never a guess."""
    if _baseline_over_year(columns, index, [label for label, _ in labels]):
        return []
    below: list[str] = []
    for position in reversed(range(len(labels))):
        label, line = labels[position]
        above = [text for row_line, text in groups if row_line < line]
        year = _year_of_column(columns, index, label, above)
        if isinstance(year, int):
            return _year_column(columns, index, label, line, year, below)
        roles = heading_roles(label)
        if len(roles) > 1:
            return [_ambiguous(index, label, line, roles)]
        if roles and roles[0] not in columns.roles:
            return _take(columns, index, label, line, roles[0])
        if roles == (Role.INDICATOR,) and SLOT.fullmatch(norm(label)):
            return [_wide_form(index, label, line)]
        if year is not None or YEAR_LIKE.search(norm(label)):
            return _other_year_label(columns, index, label, line, below, year)
        if any(word in norm(label) for word in NOT_READ_WORDS):
            return []
        below.append(label)
    return []


def _take(columns: Columns, index: int, label: str, line: int, role: Role) -> list[Problem]:
    """Give column `index` its role (a 実績値 without a year waits for `_date_actuals`)."""
    columns.roles[role], columns.labels[index] = index, label
    if role is Role.BASELINE:
        columns.baseline_year = _year_in(label)
    if role is Role.ACTUAL:
        columns.undated = (index, label, line)
    if role is Role.ACTUAL_YEAR:
        return [_unknown_year(index, label, line, "per-row")]
    return []


def _year_of_column(columns: Columns, index: int, label: str, above: list[str]) -> int | str | None:
    """The fiscal year a year column's label names; a str saying why when it looks like a year
    label that cannot be read; None when it is no year label. A bare `2023` is a fiscal year
    only under a 実績 heading (alone it could be a calendar year)."""
    year = _fiscal_year(label)
    wrapped = ACTUAL_WRAPPED.fullmatch(norm(label))
    if year is None and wrapped:
        year = _fiscal_year(wrapped["year"]) or _bare_year(wrapped["year"])
    if year is None and any("実績" in norm(text) for text in above):
        year = _bare_year(norm(label))
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
    """`unknown-year-column`: a label that looks like a year but names no fiscal year, or a
    実績値 column whose fiscal year is not written anywhere."""
    if isinstance(why, str) and why in UNDATED_WHY:
        detail_ja, detail_en = UNDATED_WHY[why]
    elif why == "no-era":
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


UNDATED_WHY = {
    "no-title-year": (
        "年度のない実績値の列は表題の年度（令和5年度など）の実績として読みますが、表題に年度が"
        "ありません。表題に年度を書くか、見出しを「実績値（R5年度）」としてください",
        "an actual column without a year is read as the title's fiscal year (令和5年度 …), but"
        " the title names none: add the year to the title or write 実績値（R5年度）",
    ),
    "mixed": (
        "ほかの実績値の列は年度つきです。この列にも「実績値（R5年度）」のように年度を書いて"
        "ください",
        "the other actual columns name their fiscal year: write this one's too (実績値（R5年度）)",
    ),
    "per-row": (
        "行ごとの実績年度の列にはまだ対応していません。年度ごとの実績値の列（R5年度 …）にするか、"
        "表題の年度の実績だけを「実績値」の列に書いてください",
        "a per-row actual-year column is not read yet: use one actual column per fiscal year"
        " (R5年度 …), or only the title year's actuals under 実績値",
    ),
}


def _ambiguous(index: int, label: str, line: int, roles: tuple[Role, ...]) -> Problem:
    """A heading that names two roles (`目標値・実績値`): located, never guessed."""
    names_ja = "・".join(f"「{ROLE_NAMES[r][0]}」" for r in roles)
    names_en = ", ".join(ROLE_NAMES[r][1] for r in roles)
    return Problem(
        "ambiguous-column",
        f"見出し「{label}」が{names_ja}のどの列か決められません（一つの見出しには一つの項目を"
        "書いてください）",
        f"the header '{label}' could be any of: {names_en} (write one item per heading)",
        line=line,
        column=index + 1,
        field=label,
    )


def _wide_form(index: int, label: str, line: int) -> Problem:
    """A second 指標② heading: KPIs side by side in one row, which is not read."""
    return Problem(
        "ambiguous-column",
        f"見出し「{label}」：指標を横に並べた表は読めません（指標①・指標②…は1指標1行にして、"
        "「指標」の列に書いてください）",
        f"the header '{label}': KPIs side by side are not read (one KPI per row, under 指標)",
        line=line,
        column=index + 1,
        field=label,
    )


def _find_indicator_text(columns: Columns, headings: list[list[str]]) -> None:
    """The national form heads two cells with 指標: a slot label (指標①) and the indicator's
    text. The cell right of 指標, with no heading of its own (or the same one, as a merged cell
    is read from a workbook) and no role, holds the text."""
    index = columns.roles.get(Role.INDICATOR)
    if index is None or index + 1 >= len(headings):
        return
    right = index + 1
    taken = right in columns.roles.values() or right in columns.years
    lowest = headings[right][-1] if headings[right] else None
    if not taken and (lowest is None or lowest == headings[index][-1]):
        columns.indicator_text = right


def _date_actuals(columns: Columns, report_year: int | None) -> list[Problem]:
    """A 実績値 column without a year (the national form) is the actual of the report year —
    the fiscal year in the title; with no year there, or beside year columns, it is
    `unknown-year-column`."""
    if columns.undated is None:
        return []
    index, label, line = columns.undated
    del columns.roles[Role.ACTUAL]
    if columns.years:
        return [_unknown_year(index, label, line, "mixed")]
    if report_year is None:
        return [_unknown_year(index, label, line, "no-title-year")]
    columns.years[index] = report_year
    return []


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


def _missing_role(columns: Columns, role: Role) -> Problem:
    return Problem(
        "missing-column",
        f"見出しに「{ROLE_NAMES[role][0]}」の列がありません",
        f"the header has no '{ROLE_NAMES[role][1]}' column",
        line=columns.line,
    )


def _missing(columns: Columns) -> list[Problem]:
    problems = [_missing_role(columns, role) for role in REQUIRED if role not in columns.roles]
    if Role.DATE not in columns.roles and Role.TARGET_YEAR not in columns.roles:
        problems.append(
            Problem(
                "missing-column",
                "見出しに「年月」（目標年月）または「目標年度」の列がありません",
                "the header has no target date column (年月 or 目標年度)",
                line=columns.line,
            )
        )
    if not columns.years and columns.undated is None:
        problems.append(
            Problem(
                "missing-column",
                "見出しに年度別の実績値の列（R1年度など）がありません",
                "the header has no per-fiscal-year actual column (R1年度 …)",
                line=columns.line,
            )
        )
    return problems
