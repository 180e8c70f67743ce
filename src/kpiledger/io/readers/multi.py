"""Several KPIs written in the cells of one row, split into one row of cells per KPI before the
row is read (`split_kpis`). Municipalities write them two ways:

- **Bullets**: one KPI per line of the cell, each line marked `・`, `●`, `○`, `■`, `◆` or
  numbered `①②…`: 指標 `・移住相談件数\\n・移住者数` | 指標値 `・120件\\n・30人` | 実績値
  `・135\\n・24`. A line without a mark continues the item above (a wrapped name). A PDF joins
  the lines of a cell (`・120件・30人`): the items are then split at each mark — for `・`, at
  each `・` written after a space if there is one, else at every `・`.
- **Compound values**: one name joined by `・` with one value per part, in the same order:
  `セミナー開催回数・参加者数` | `200・4,000` | `回・人` | `144・4,055`. Read only when a number
  cell holds two or more numbers joined by `・`; a `・` inside an ordinary name
  (`移住・定住相談件数` with one number) splits nothing.

Every cell of such a row holds one item per KPI, or one item that all its KPIs share (a unit,
a 年月, a note), or nothing (a blank or `-`, shared). A number cell (target, baseline, actual,
rate) or a grade with a single value where the row has several KPIs is refused: which KPI it
belongs to would be a guess. The problems, located at the cell:

- `kpi-count-mismatch`: a cell holds another number of items than the row has KPIs (three
  bullets in 指標, two in 実績値), its message naming the cell's text, what was found and what
  was expected;
- `ambiguous-kpi-split`: the row can be split, but how its items pair up is in doubt: a name
  whose `・` gives more parts than there are values (`移住・定住相談件数・移住者数` with
  `120・30`), bullets numbered differently in two cells (`①②` and `②①`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kpiledger.core.errors import NumberError, Problem
from kpiledger.core.numbers import parse_number
from kpiledger.io.readers.grid import Columns
from kpiledger.io.readers.layout import Role

#: Marks that start a bullet item (`･` is the half-width 中黒).
MARKS = "・･●○■□◆◇"
#: ① … ⑳ and their numbers.
CIRCLED = {chr(0x2460 + i): i + 1 for i in range(20)}
#: What joins the parts of a compound name or value.
JOINER = re.compile(r"\s*[・･]\s*")
#: `累計 7 社`: a value cell saying how it is counted (see `cells.PERIOD_PREFIX`).
PERIOD = re.compile(r"^\s*(?:累計|年間)\s*[:：]?\s*")

#: Cells with one item per KPI that are numbers (judged values), in the order a compound row
#: takes its number of KPIs from.
NUMBER_ROLES = (Role.TARGET, Role.BASELINE, Role.RATE)
#: Cells that may hold one item all the row's KPIs share.
SHARED_ROLES = (
    Role.UNIT,
    Role.DATE,
    Role.TARGET_YEAR,
    Role.BASELINE_YEAR,
    Role.DIRECTION,
    Role.AGGREGATION,
    Role.NOTE,
    Role.ACTUAL_YEAR,
)


@dataclass(frozen=True)
class Items:
    """A cell's bullet items: their texts (marks removed), their numbers when numbered (①②),
    and whether they were split without line breaks at `・` (which may be inside a name)."""

    texts: list[str]
    numbers: list[int] | None
    inline: bool


def bullets(text: str) -> Items | None:
    """The items of a cell written as a bullet list of two or more, else None. A literal
    `\\n` (two characters, from a text export) is read as a line break."""
    text = text.replace("\\n", "\n").strip()
    if not text or (text[0] not in MARKS and text[0] not in CIRCLED):
        return None
    numbered = text[0] in CIRCLED
    if "\n" in text:
        items, inline = _by_lines(text, numbered), False
    else:
        items, inline = _inline(text, numbered), text[0] in "・･"
    if len(items) < 2 or any(not body for _, body in items):
        return None
    numbers = [CIRCLED[mark] for mark, _ in items] if numbered else None
    return Items([body for _, body in items], numbers, inline)


def _by_lines(text: str, numbered: bool) -> list[tuple[str, str]]:
    """Items starting at lines that begin with a mark of the first line's kind."""
    items: list[tuple[str, str]] = []
    for line in (line.strip() for line in text.split("\n")):
        if not line:
            continue
        if (line[0] in CIRCLED) if numbered else (line[0] == text[0]):
            items.append((line[0], line[1:].strip()))
        elif items:
            mark, body = items[-1]
            items[-1] = (mark, join_text(body, line))
    return items


def _inline(text: str, numbered: bool) -> list[tuple[str, str]]:
    """Items of a cell without line breaks: split at each mark."""
    if numbered:
        pieces = re.split(f"([{''.join(CIRCLED)}])", text)[1:]
        return [(pieces[i], pieces[i + 1].strip()) for i in range(0, len(pieces), 2)]
    mark = text[0]
    spaced = re.search(rf"\s{re.escape(mark)}", text) is not None
    pattern = rf"(?:^|\s+){re.escape(mark)}" if spaced else re.escape(mark)
    return [(mark, body.strip()) for body in re.split(pattern, text)[1:]]


def join_text(before: str, more: str) -> str:
    """A text wrapped onto another line, joined as one: nothing between Japanese characters,
    a space between two ASCII words."""
    words = before[-1:].isascii() and more[:1].isascii()
    return (
        f"{before} {more}"
        if words and before[-1:].isalnum() and more[:1].isalnum()
        else before + more
    )


def compound_numbers(text: str) -> list[str] | None:
    """The parts of a number cell written as two or more numbers joined by `・` (`200・4,000`,
    `144・-`), else None."""
    parts = JOINER.split(text.strip())
    if len(parts) < 2 or not all(parts):
        return None
    parsed = []
    for part in parts:
        try:
            parsed.append(parse_number(PERIOD.sub("", part)))
        except NumberError:
            return None
    return parts if any(p.value is not None for p in parsed) else None


def split_kpis(
    columns: Columns, cells: list[str], line: int, indicator: int
) -> tuple[list[list[str]], list[Problem]]:
    """The row's cells, one list per KPI written in them (the row itself when it holds one),
    and the problems that keep it from being split (then no KPI is read from it). `indicator`
    is the cell holding the indicator's text."""
    if len(cells) < columns.width:
        return [cells], []  # a row cut short: the reader says so
    row = _Row(columns, list(cells), line, indicator)
    row.cells += [""] * (max([*row.counted, *row.shared]) + 1 - len(cells))  # a grade left out
    listed = {i: items for i in row.counted if (items := bullets(row.cells[i]))}
    if listed:
        return row.split_bullets(listed)
    numbered = {i: parts for i in row.numbers if (parts := compound_numbers(row.cells[i]))}
    if numbered:
        return row.split_compound(numbered)
    return [cells], []


@dataclass
class _Row:
    columns: Columns
    cells: list[str]
    line: int
    indicator: int

    @property
    def numbers(self) -> list[int]:
        """The number cells: target, yearly and interim targets, baseline, rate, actuals (a
        single 実績値 dated per row too)."""
        roles = [self.columns.roles[r] for r in NUMBER_ROLES if r in self.columns.roles]
        roles += sorted([*self.columns.yearly_targets, *self.columns.interims])
        single = [self.columns.roles[Role.ACTUAL]] if self.columns.per_row else []
        return roles + sorted(self.columns.years) + single

    @property
    def counted(self) -> list[int]:
        """Cells with one item per KPI: the indicator, the numbers and a published grade."""
        grade = [self.columns.roles[Role.GRADE]] if Role.GRADE in self.columns.roles else []
        return [self.indicator, *self.numbers, *grade]

    @property
    def shared(self) -> list[int]:
        """Cells that may hold one item all the KPIs share (unit, 年月, note, forecasts)."""
        roles = [self.columns.roles[r] for r in SHARED_ROLES if r in self.columns.roles]
        return roles + sorted(self.columns.forecasts)

    def split_bullets(self, listed: dict[int, Items]) -> tuple[list[list[str]], list[Problem]]:
        """A row with bullets: the indicator's items are its KPIs. A number cell may also give
        its values joined by `・` (`120・30`), a unit or 年月 its parts so (`件・人`)."""
        own = listed.get(self.indicator)
        count = len(own.texts) if own else 1
        items = {i: self._items(i, listed) for i in self.counted[1:]}
        others = {len(items[i]) for i in items if _has_value(self.cells[i])}
        if own and own.inline and len(others) == 1 and count not in others:
            return [self.cells], [self._ambiguous_name(own.texts, others.pop())]
        problems, parts = self._numbering(listed), {}
        for index, texts in items.items():
            if _has_value(self.cells[index]) and len(texts) != count:
                problems.append(self._mismatch(index, len(texts), count, self.indicator))
            elif len(texts) > 1:
                parts[index] = texts
        if own:
            parts[self.indicator] = own.texts
        for index in self.shared:
            listed_here = bullets(self.cells[index])
            texts = listed_here.texts if listed_here else JOINER.split(_unmarked(self.cells[index]))
            if len(texts) == count and (listed_here or not self._is_note(index)):
                parts[index] = texts
            elif listed_here and not self._is_note(index):
                problems.append(self._mismatch(index, len(texts), count, self.indicator))
        return self._parts(parts, count, problems)

    def _items(self, index: int, listed: dict[int, Items]) -> list[str]:
        """A counted cell's items: its bullets, its numbers joined by `・`, or itself."""
        if index in listed:
            return listed[index].texts
        joined = compound_numbers(self.cells[index]) if index in self.numbers else None
        return joined or [self.cells[index]]

    def split_compound(
        self, numbered: dict[int, list[str]]
    ) -> tuple[list[list[str]], list[Problem]]:
        """A row with numbers joined by `・`: the first such cell gives the number of KPIs."""
        first = next(i for i in self.numbers if i in numbered)
        count = len(numbered[first])
        problems: list[Problem] = []
        names = JOINER.split(self.cells[self.indicator].strip())
        if len(names) > count:
            problems.append(self._ambiguous_name(names, count))
        elif len(names) < count:
            problems.append(self._mismatch(self.indicator, len(names), count, first))
        parts = {self.indicator: names}
        for index in [*self.counted[1:], *self.shared]:
            texts = numbered.get(index) or JOINER.split(self.cells[index].strip())
            if len(texts) == count:
                parts[index] = texts
            elif self._must_split(index, texts) and _has_value(self.cells[index]):
                problems.append(self._mismatch(index, len(texts), count, first))
        return self._parts(parts, count, problems)

    def _must_split(self, index: int, texts: list[str]) -> bool:
        """Whether a cell not split into the row's number of KPIs is a problem: a number or a
        grade, or a unit or 年月 split into another number of parts (a note is shared)."""
        return index in self.counted or (len(texts) > 1 and not self._is_note(index))

    def _parts(
        self, parts: dict[int, list[str]], count: int, problems: list[Problem]
    ) -> tuple[list[list[str]], list[Problem]]:
        """One row of cells per KPI; the project's cells only on the first."""
        if problems:
            return [self.cells], problems
        roles = self.columns.roles
        project = [roles[r] for r in (Role.NAME, Role.SUMMARY) if r in roles]
        rows = []
        for k in range(count):
            cells = list(self.cells)
            for index, texts in parts.items():
                cells[index] = texts[k]
            for index in self.shared:
                if index not in parts and not self._is_note(index):
                    cells[index] = _unmarked(cells[index])
            for index in project if k else []:
                cells[index] = ""
            rows.append(cells)
        return rows, []

    def _is_note(self, index: int) -> bool:
        return index == self.columns.roles.get(Role.NOTE)

    def _numbering(self, listed: dict[int, Items]) -> list[Problem]:
        """Bullets numbered in two cells must be numbered alike (`①②` in both)."""
        numbered = [(i, items.numbers) for i, items in listed.items() if items.numbers]
        if not numbered:
            return []
        first, numbers = numbered[0]
        return [
            self._misnumbered(index, other, first, numbers)
            for index, other in numbered[1:]
            if other != numbers
        ]

    def _field(self, index: int) -> str | None:
        if index == self.indicator:
            index = self.columns.roles[Role.INDICATOR]
        return self.columns.label(index) or None

    def _name(self, index: int) -> tuple[str, str]:
        """How a message names a cell: its heading, 「指標」 for the indicator's text."""
        field = self._field(index) or "指標"
        return (f"「{field}」", f"'{field}'")

    def _shown(self, index: int) -> str:
        return " ".join(self.cells[index].replace("\\n", "\n").split())

    def _problem(self, code: str, ja: str, en: str, index: int) -> Problem:
        return Problem(code, ja, en, self.line, index + 1, self._field(index))

    def _mismatch(self, index: int, found: int, expected: int, by: int) -> Problem:
        (cell_ja, cell_en), (by_ja, by_en) = self._name(index), self._name(by)
        shown = self._shown(index)
        return self._problem(
            "kpi-count-mismatch",
            f"{cell_ja}の「{shown}」は{found}項目ですが、この行の{by_ja}は{expected}項目です"
            "（1つのセルに複数のKPIを書くときは、各セルに同じ数だけ「・」や改行で区切って"
            "書いてください）",
            f"the cell {cell_en} holds {found} item(s) ('{shown}') where the row's {by_en} holds"
            f" {expected}: write one item per KPI in every cell (with ・ or line breaks)",
            index,
        )

    def _ambiguous_name(self, names: list[str], values: int) -> Problem:
        shown = self._shown(self.indicator)
        return self._problem(
            "ambiguous-kpi-split",
            f"指標「{shown}」は「・」で分けると{len(names)}つ（{'／'.join(names)}）ですが、値は"
            f"{values}つです。「・」が名前の中にもあり、どこで分けるか決められません（指標ごとに"
            "改行するか、行を分けてください）",
            f"the indicator '{shown}' splits at ・ into {len(names)} names"
            f" ({' / '.join(names)}) but there are {values} values: ・ is also inside a name,"
            " so where to split cannot be told (put each indicator on its own line or row)",
            self.indicator,
        )

    def _misnumbered(self, index: int, found: list[int], by: int, expected: list[int]) -> Problem:
        (cell_ja, cell_en), (by_ja, by_en) = self._name(index), self._name(by)
        marks = {n: c for c, n in CIRCLED.items()}
        got, want = ("".join(marks[n] for n in ns) for ns in (found, expected))
        return self._problem(
            "ambiguous-kpi-split",
            f"{cell_ja}の番号（{got}）が{by_ja}の番号（{want}）と違い、どの値がどの指標のものか"
            "決められません",
            f"{cell_en} is numbered {got} but {by_en} {want}: which value belongs to which"
            " indicator cannot be told",
            index,
        )


def _has_value(text: str) -> bool:
    """Not blank and not a "no value" marker (`-`, `未集計`): such a cell is shared."""
    try:
        return not parse_number(text).is_missing
    except NumberError:
        return True


def _unmarked(text: str) -> str:
    """A shared cell written as one bullet (`・件`) without its mark."""
    stripped = text.strip()
    if stripped[:1] in MARKS or stripped[:1] in CIRCLED:
        return stripped[1:].strip()
    return text
