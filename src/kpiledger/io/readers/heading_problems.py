"""The problems of a header block: a column missing, a year heading that cannot be read, one
year in two columns, a heading that could be two roles."""

from __future__ import annotations

from kpiledger.core.errors import Problem
from kpiledger.io.readers.grid import Columns
from kpiledger.io.readers.layout import ROLE_NAMES, Role, heading_key

REQUIRED = (Role.NAME, Role.INDICATOR, Role.TARGET)


def duplicate(
    columns: Columns,
    first: int,
    index: int,
    label: str,
    line: int,
    year: int,
    kind: tuple[str, str] = ("実績", "actual"),
) -> Problem:
    """`duplicate-column` at the second column of a fiscal year, naming both columns."""
    before = columns.label(first)
    return Problem(
        "duplicate-column",
        f"「{before}」（{first + 1}列目）と「{label}」（{index + 1}列目）が同じ年度"
        f"（{year}年度）の{kind[0]}です",
        f"'{before}' (column {first + 1}) and '{label}' (column {index + 1}) are the "
        f"{kind[1]} of the same fiscal year ({year})",
        line=line,
        column=index + 1,
        field=label,
    )


def unknown_year(index: int, label: str, line: int, why: int | str | None) -> Problem:
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
        "行ごとの実績値の時点（年度）の列は、年度のない「実績値」の列が1つだけの表で読みます。"
        "年度ごとの実績値の列（R5年度 …）がある表では、この列を削るか、値をその年度の列に"
        "書いてください",
        "a per-row time-point column is read only beside a single 実績値 column without a year;"
        " beside per-year actual columns (R5年度 …), remove it or write each value under its year",
    ),
    "per-row-no-title-year": (
        "行ごとの把握時点がある表でも、報告年度は表題の年度です（把握時点が空欄の実績はその年度の"
        "値として読みます）。表題に年度（令和5年度など）を書いてください",
        "with a per-row time-point column the report year is still the title's (an actual whose"
        " time point is blank is read as that year's): write the fiscal year in the title",
    ),
}


def ambiguous(index: int, label: str, line: int, roles: tuple[Role, ...]) -> Problem:
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


def unit_headings_disagree(
    columns: Columns, one: int, other: int, first: str, second: str
) -> Problem:
    """Two value headings naming different units (`目標値（単位：人）`, `実績値（単位：千人）`):
    `ambiguous-column` at the second, never a guess which is the KPIs' unit."""
    before, label = columns.label(one) or "", columns.label(other) or ""
    return Problem(
        "ambiguous-column",
        f"見出し「{label}」（{other + 1}列目）の単位「{second}」が「{before}」（{one + 1}列目）の"
        f"単位「{first}」と異なり、指標の単位を決められません（単位をそろえるか、単位の列に"
        "書いてください）",
        f"the header '{label}' (column {other + 1}) names the unit '{second}' but '{before}'"
        f" (column {one + 1}) names '{first}': the KPIs' unit cannot be told (use one unit,"
        " or write it in a 単位 column)",
        line=columns.lines.get(other, columns.line),
        column=other + 1,
        field=label or None,
    )


def wide_form(index: int, label: str, line: int) -> Problem:
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


def _missing_one(columns: Columns, role: Role) -> Problem:
    """`missing-column` for a role; for the target beside a 中間目標 column, saying that an
    interim target is never taken as the KPI's target."""
    if role is not Role.TARGET or not columns.interims:
        return missing_role(columns, role)
    labels = "」「".join(columns.label(i) for i in sorted(columns.interims))
    return Problem(
        "missing-column",
        f"見出しに「{labels}」（中間目標）はありますが、最終の目標値（指標値・最終目標値）の列が"
        "ありません（中間目標はKPIの目標にしません）",
        f"the header has an interim target ('{labels}') but no final target column (指標値,"
        " 最終目標値): an interim target is never taken as the KPI's target",
        line=columns.line,
    )


def missing_role(columns: Columns, role: Role) -> Problem:
    return Problem(
        "missing-column",
        f"見出しに「{ROLE_NAMES[role][0]}」の列がありません",
        f"the header has no '{ROLE_NAMES[role][1]}' column",
        line=columns.line,
    )


def missing(columns: Columns) -> list[Problem]:
    required = [r for r in REQUIRED if not (r is Role.TARGET and columns.yearly_targets)]
    problems = [_missing_one(columns, role) for role in required if role not in columns.roles]
    dated = Role.DATE in columns.roles or Role.TARGET_YEAR in columns.roles
    if not dated and not columns.yearly_targets:
        problems.append(missing_date(columns))
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


def missing_date(columns: Columns) -> Problem:
    """`missing-column` for the target date (年月 or 目標年度); a row whose target cell names
    its year (`1,200（R5年度）`) does without it (`cell_text`)."""
    return Problem(
        "missing-column",
        "見出しに「年月」（目標年月）または「目標年度」の列がありません",
        "the header has no target date column (年月 or 目標年度)",
        line=columns.line,
    )


#: A heading whose column says, per row, whether it holds the target or the actual (s10).
KIND_HEADINGS = ("区分", "項目区分", "目標・実績", "目標/実績", "種別")


def target_actual_rows(columns: Columns, headings: list[list[str]]) -> Problem | None:
    """`target-actual-rows`: a table with a 区分 column and no target column holds a row of
    targets and a row of actuals per KPI (区分 目標 | 22 | 24, 区分 実績 | 21 | 25), a shape
    kpiledger does not read; None for any other table."""
    if Role.TARGET in columns.roles or columns.yearly_targets:
        return None
    for index, labels in enumerate(headings):
        if any(heading_key(label) in KIND_HEADINGS for label in labels):
            label = labels[-1]
            return Problem(
                "target-actual-rows",
                f"目標の行と実績の行が分かれた表（「{label}」の列に目標・実績）は読めません。"
                "KPIごとに1行で、目標値（指標値）・年月・年度別の実績値を列に書いてください",
                f"a table whose '{label}' column splits each KPI into a row of targets and a row"
                " of actuals cannot be read: write one row per KPI, with the target, its date"
                " and each year's actual in columns",
                line=columns.line,
                column=index + 1,
                field=label,
            )
    return None
