"""A project's cells beside its KPIs (the national form 「事業実施結果報告」's right-hand side):
実績額, 事業効果, 事業の評価, 外部有識者からの意見, 今後の方針 and its reason, read into
`Project.assessment` as published.

They stand on the project's first row, or are merged over its KPI rows (a merged cell reads
as the same text on every row: kept once). A different text on a later row of the same project
(a comment per KPI) is kept too, on its own line. 実績額 is a number; two different amounts for
one project are `conflicting-spent`, never a guess.
"""

from __future__ import annotations

from kpiledger.core.errors import Problem
from kpiledger.core.model import Assessment, Project
from kpiledger.core.money import spent_in_yen
from kpiledger.io.readers.cells import RowReader
from kpiledger.io.readers.layout import MONEY_ROLES, PROJECT_ROLES, ROLE_NAMES, Role


def read_assessment(project: Project, reader: RowReader) -> list[Problem]:
    """Add the row's project cells to `project.assessment`; the problems found, located."""
    columns = reader.columns
    roles = [role for role in PROJECT_ROLES if role in columns.roles]
    if not roles or not any(reader.cell(role) for role in roles):
        return []
    assessment = project.assessment or Assessment(spent_unit=columns.spent_unit)
    problems: list[Problem] = []
    for role in roles:
        text = reader.cell(role)
        if not text:
            continue
        if role is Role.SPENT:
            problems += _spent(project, assessment, reader)
            continue
        if role in MONEY_ROLES:
            problems += _amount(project, assessment, reader, role)
            continue
        earlier = getattr(assessment, role.value)
        if not earlier:
            setattr(assessment, role.value, text)
        elif text not in earlier.split("\n"):
            setattr(assessment, role.value, f"{earlier}\n{text}")
    if not assessment.is_empty():
        project.assessment = assessment
    return problems


def _amount(
    project: Project, assessment: Assessment, reader: RowReader, role: Role
) -> list[Problem]:
    """総事業費 or 交付金額, in 円 (a heading's 千円 multiplied out); two different amounts for
    one project are `conflicting-spent` like two 実績額."""
    before = len(reader.problems)
    parsed = reader.number(role)
    if parsed is None:
        problems = reader.problems[before:]
        del reader.problems[before:]
        return problems
    if parsed.value is None:
        return []
    unit = parsed.unit if parsed.unit and parsed.unit.endswith("円") else None
    value = spent_in_yen(parsed.value, unit or reader.columns.money_units.get(role, "円"))
    earlier = getattr(assessment, role.value)
    if value is None or earlier is None or earlier == value:
        setattr(assessment, role.value, value if value is not None else earlier)
        return []
    index = reader.columns.roles[role]
    what = ROLE_NAMES[role]
    return [
        Problem(
            "conflicting-spent",
            f"事業「{project.name}」の{what[0]}が2つあります（{earlier} と {value}）",
            f"project '{project.name}' has two amounts of {what[1]} ({earlier} and {value})",
            reader.line,
            index + 1,
            reader.columns.label(index) or None,
        )
    ]


def _spent(project: Project, assessment: Assessment, reader: RowReader) -> list[Problem]:
    before = len(reader.problems)
    parsed = reader.number(Role.SPENT)
    if parsed is None:  # not a number: the problem is the caller's, not the KPI's
        problems = reader.problems[before:]
        del reader.problems[before:]
        return problems
    if parsed.value is None:  # a "no value" marker (`-`)
        return []
    if assessment.spent is None or assessment.spent == parsed.value:
        assessment.spent = parsed.value
        if parsed.unit and parsed.unit.endswith("円"):
            assessment.spent_unit = parsed.unit
        return []
    index = reader.columns.roles[Role.SPENT]
    return [
        Problem(
            "conflicting-spent",
            f"事業「{project.name}」の実績額が2つあります（{assessment.spent} と {parsed.value}）",
            f"project '{project.name}' has two amounts spent ({assessment.spent} and"
            f" {parsed.value})",
            reader.line,
            index + 1,
            reader.columns.label(index) or None,
        )
    ]
