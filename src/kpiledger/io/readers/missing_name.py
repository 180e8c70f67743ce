"""A file with no KPI table header: either it is no KPI report (`not-a-report`), or it has a
table with an indicator column but nothing naming the project its KPIs belong to — a table
grouped by 施策 or 基本目標 (総合戦略 tables), told as `missing-column` at that header row with
the headings found. 施策名 and 具体的な施策 are read as the grouping (`columns.GROUP_HEADINGS`);
施策 and 基本目標 are not: they may be a theme above several projects."""

from __future__ import annotations

from kpiledger.core.errors import Problem
from kpiledger.io.readers.grid import Row
from kpiledger.io.readers.layout import Role, heading_roles

NOT_A_REPORT = Problem(
    "not-a-report",
    "KPI表の見出し行（「事業の名称」と「指標」を含む行）が見つかりません。KPI実績報告ではないようです",
    "no KPI table header (a row naming 事業の名称 and 指標) was found: this is not a KPI report",
    line=1,
)
#: A header row needs this many cells naming a role (指標, 単位, 目標値 …) to be told as one.
ROLES_IN_HEADER = 3


def no_header(rows: list[Row]) -> Problem:
    """`missing-column` at the first row that reads as a KPI header but names no project
    column; else `not-a-report`."""
    for row in rows:
        texts = [c.strip() for c in row.cells if c.strip()]
        roles = [heading_roles(t) for t in texts]
        named = [r for r in roles if len(r) == 1]
        if (Role.INDICATOR,) in named and len(named) >= ROLES_IN_HEADER:
            return _no_project_column(row, texts)
    return NOT_A_REPORT


def _no_project_column(row: Row, texts: list[str]) -> Problem:
    found = "・".join(texts)
    first = next((t for t in texts if not heading_roles(t)), None)
    grouped = f"（「{first}」は事業名として読みません）" if first else ""
    grouped_en = f" ('{first}' is not read as a project name)" if first else ""
    return Problem(
        "missing-column",
        f"見出し行（{found}）に、KPIをまとめる事業の名称の列がありません{grouped}。"
        "「事業の名称」「事業名」、または「施策名」「具体的な施策」の列を見出しに書いてください",
        f"the header row ({', '.join(texts)}) has no column naming the project its KPIs belong"
        f" to{grouped_en}: head it 事業の名称 or 事業名, or 施策名 or 具体的な施策",
        line=row.line,
        column=None if first is None else [c.strip() for c in row.cells].index(first) + 1,
        field=first,
    )
