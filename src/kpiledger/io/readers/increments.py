"""Yearly increments (増加分), as the 地域再生計画's KPI table writes them:
`事業開始前（現時点） | R3年度増加分（1年目） | R4年度増加分（2年目） | … | KPI増加分の累計`.

Headings (after NFKC, spaces and `KPI` removed):
- `R3年度増加分（1年目）`, `令和3年度増加分`, `2021年度増加分`, `増加分（R3年度）`: the actual
  column of that fiscal year, whose value is the year's increase.
- `目標値（KPI増加分の累計）`, `KPI増加分の累計（目標値）`, `増加分の累計目標`: the target, the sum
  of the increments. A bare `KPI増加分の累計` is that target under a 目標値 heading; under a
  実績 heading it is the published running total, not read (the sum is computed); alone it is
  `ambiguous-column` (target, or the actuals' total?).
- `事業開始前（現時点）`: the level before the project, a baseline column (`layout`).

A table whose year columns are increments and whose target is their sum reads every KPI as
cumulative, published as yearly increments (`Kpi.actuals_are_increments`, as the 集計 word
累計（単年度値） does): the actual judged is the sum of the years up to the judged year. Its
baseline column holds the starting level, which cannot be compared with increments (with a
baseline the rate would be (Σ − b)/(t − b)): it is kept in the KPI's note, not as `baseline`.
Refused (`ambiguous-increments`), never guessed: increment columns beside a target that does not
say it is their sum (a level?), a target summing increments beside plain year columns, year
columns of both kinds, a 集計 word other than 累計（単年度値）, and an indicator saying
増加分の累計 (`…（KPI増加分の累計）`) where neither the headings nor a 集計 word say what the
year columns hold.
"""

from __future__ import annotations

import re

from kpiledger.core.errors import Problem
from kpiledger.core.model import Aggregation, Baseline
from kpiledger.io.readers.grid import Columns
from kpiledger.io.readers.layout import Role, heading_key, heading_roles
from kpiledger.io.readers.row_view import RowView

CODE = "ambiguous-increments"
#: `R3年度増加分（1年目）`, `増加分（R3年度）`: the increase of one fiscal year.
INCREMENT_YEAR = re.compile(
    r"(?P<year>[^()]+?)増加分(?:\((?:[0-9]{1,2}|元)年目\))?(?:実績値?|\(実績値?\))?"
    r"|増加分\((?P<inner>[^()]+)\)"
)
#: `目標値（増加分の累計）`, `増加分の累計（目標値）`, `増加分の累計目標値` (`KPI` removed).
INCREMENT_TARGET = re.compile(
    r"(?:目標値?|指標値)\(増加分の累計値?\)|増加分の累計値?\((?:目標値?|指標値)\)|増加分の累計の?目標値?"
)
TOTAL = re.compile(r"増加分の累計値?")
WORD = "増加分の累計"


def increment_year_label(label: str) -> tuple[str, bool]:
    """The fiscal-year part of an increment heading and True (`R3年度増加分（1年目）` →
    `R3年度`), else the label and False."""
    found = INCREMENT_YEAR.fullmatch(heading_key(label))
    if found is None:
        return label, False
    return found["year"] or found["inner"], True


def increment_target(
    columns: Columns, index: int, label: str, line: int, above: list[str]
) -> list[Problem] | None:
    """The problems of a heading naming the sum of the increments (none: the target column is
    recorded), or None when the label is no such heading."""
    key = heading_key(label).replace("KPI", "")
    if not INCREMENT_TARGET.fullmatch(key):
        if not TOTAL.fullmatch(key):
            return None
        if any("実績" in heading_key(text) for text in above):
            return []  # the published running total: the sum is computed, not read
        if not any(heading_roles(text) == (Role.TARGET,) for text in above):
            return [_bare_total(index, label, line)]
    if Role.TARGET not in columns.roles:
        columns.roles[Role.TARGET], columns.labels[index] = index, label
        columns.increment_target = True
    return []


def _bare_total(index: int, label: str, line: int) -> Problem:
    return Problem(
        "ambiguous-column",
        f"見出し「{label}」が目標値か実績の累計か決められません（目標値なら「目標値（KPI増加分の"
        "累計）」と書いてください）",
        f"the header '{label}' could be the target or the actuals' running total (write"
        " 目標値（KPI増加分の累計） for the target)",
        line=line,
        column=index + 1,
        field=label,
    )


def increment_problems(columns: Columns) -> list[Problem]:
    """`ambiguous-increments` for a header whose year columns and target disagree on whether
    the values are yearly increments."""
    increments = columns.increment_years
    if not increments and not columns.increment_target:
        return []
    plain = [i for i in sorted(columns.years) if i not in increments]
    if increments and plain:
        return [
            _header_problem(
                columns,
                plain[0],
                "ほかの実績の列は各年度の増加分（「R3年度増加分」など）ですが、この列は増加分か"
                "累計か分かりません。どの年度の列も「R5年度増加分」のように書いてください",
                "the other actual columns are yearly increments (R3年度増加分 …), but this one"
                " may be a running total: write every year as R5年度増加分",
            )
        ]
    target = columns.roles.get(Role.TARGET, max(columns.yearly_targets, default=None))
    if target is None:
        return []  # `missing-column` says so
    if increments and not columns.increment_target:
        return [
            _header_problem(
                columns,
                target,
                "実績の列は各年度の増加分ですが、目標値が増加分の累計か到達する水準か分かりません"
                "（増加分の累計なら見出しを「目標値（KPI増加分の累計）」としてください）",
                "the actual columns are yearly increments, but the target may be their sum or a"
                " level to reach (write 目標値（KPI増加分の累計） for the sum)",
            )
        ]
    if columns.increment_target and not increments:
        return [
            _header_problem(
                columns,
                target,
                "目標値は増加分の累計ですが、実績の列が各年度の増加分か累計か分かりません"
                "（増加分なら見出しを「R5年度増加分」のように書いてください）",
                "the target is a sum of increments, but the actual columns may be increments or"
                " running totals (write R5年度増加分 for increments)",
            )
        ]
    return []


def _header_problem(columns: Columns, index: int, ja: str, en: str) -> Problem:
    label = columns.label(index)
    return Problem(
        CODE,
        f"見出し「{label}」：{ja}",
        f"the header '{label}': {en}",
        line=columns.lines.get(index, columns.line),
        column=index + 1,
        field=label or None,
    )


def increment_terms(
    reader: RowView,
    aggregation: Aggregation | None,
    increments: bool,
    baseline: Baseline | None,
) -> tuple[Aggregation | None, bool, Baseline | None]:
    """(aggregation, published as increments, baseline) of a row: in a table of increments
    cumulative as increments, its baseline kept in the note instead; elsewhere as read, but an
    indicator saying 増加分の累計 needs a 集計 word (else `ambiguous-increments`)."""
    columns, said = reader.columns, reader.cell(Role.AGGREGATION)
    if not columns.increments:
        if WORD in heading_key(reader.cell(Role.INDICATOR)) and not said:
            reader.problems.append(_indicator_problem(reader))
        return aggregation, increments, baseline
    # the 集計 word must agree (an unreadable one is `bad-aggregation` already); 累計 / 年間
    # written in a value cell (`年間 3,800 人`) give way to the headings
    stated = (aggregation, increments) if said and aggregation is not None else None
    if stated not in (None, (Aggregation.CUMULATIVE, True)):
        reader.problems.append(_aggregation_problem(reader, said))
    if baseline is not None:
        index = columns.roles[Role.BASELINE]
        reader.notes.append(f"{columns.label(index)}：{reader.cell(Role.BASELINE)}")
    return Aggregation.CUMULATIVE, True, None


def _indicator_problem(reader: RowView) -> Problem:
    index = reader.columns.roles[Role.INDICATOR]
    return Problem(
        CODE,
        "指標は「増加分の累計」ですが、実績の列が各年度の増加分か累計か分かりません（見出しを"
        "「R5年度増加分」とするか、集計の列に「累計（単年度値）」または「累計」と書いてください）",
        "the indicator is a sum of increments (増加分の累計), but the actual columns may be"
        " increments or running totals (head them R5年度増加分, or write 累計（単年度値） or 累計"
        " in a 集計 column)",
        reader.line,
        index + 1,
        reader.columns.label(index) or None,
    )


def _aggregation_problem(reader: RowView, said: str) -> Problem:
    index = reader.columns.roles[Role.AGGREGATION]
    return Problem(
        CODE,
        f"実績の列は各年度の増加分で目標値はその累計ですが、集計の列は「{said}」です（増加分なら"
        "「累計（単年度値）」と書くか、空欄にしてください）",
        f"the actual columns are yearly increments and the target their sum, but the 集計 cell"
        f" says '{said}' (write 累計（単年度値） or leave it blank)",
        reader.line,
        index + 1,
        reader.columns.label(index) or None,
    )
