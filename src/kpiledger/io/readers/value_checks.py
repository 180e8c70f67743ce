"""Checks on the value cells of one KPI row, in one place for targets, yearly targets,
baselines and actuals:

- a unit written after a value (`135件`, `24 人`, `6,120円/人`, `41.1%`, `累計 7 社`) must
  agree with the 単位 column: the number is read, and a different unit (`135人` under 件) is
  the flag `unit-mismatch` naming the row and the column. In a row holding several KPIs
  (`multi`) it is the problem `ambiguous-kpi-split` instead: the value may belong to another
  of the row's KPIs.
- a bound written after a target (`15分以下`, `60%以上`, `30分以内`, `1.5未満`, `100超`) is split
  from the unit and kept as `Kpi.target_bound`: it states the direction (core.inference) and,
  for 未満 / 超, that the target itself is not yet met.
- `累計` and `年間` written in the cells of one KPI, mixed (`累計 7 社` beside `年間 3 社`): the
  flag `mixed-period` naming the cells; the aggregation is then not taken from them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from kpiledger.core.errors import Problem
from kpiledger.core.model import Flag
from kpiledger.core.numbers import ParsedNumber

#: A bound after a target's unit: `分以下` → (`分`, `以下`); `以上` alone → (``, `以上`).
BOUND = re.compile(r"(?P<unit>.*?)\s*(?P<bound>以上|以下|以内|未満|超)")


def split_bound(parsed: ParsedNumber) -> tuple[ParsedNumber, str | None]:
    """The target without the bound written after it, and the bound (None without one)."""
    found = BOUND.fullmatch(parsed.unit or "")
    if found is None:
        return parsed, None
    return replace(parsed, unit=found["unit"].strip() or None), found["bound"]


def unit_agrees(inline: str, unit: str) -> bool:
    """`件` agrees with `件`, `件/年` and `件数`-like units that start with it, and the other way
    round; full-width and half-width forms are the same (`％`, `%`)."""
    a, b = (unicodedata.normalize("NFKC", u).strip() for u in (inline, unit))
    return a == b or b.startswith(a) or a.startswith(b)


def unit_disagrees(parsed: ParsedNumber, unit: str) -> str | None:
    """The unit written in the cell when it disagrees with the 単位 column's, else None."""
    inline = parsed.unit
    if not inline or not unit or unit_agrees(inline, unit):
        return None
    return inline


def unit_mismatch(line: int, label: str, inline: str, unit: str) -> Flag:
    return Flag(
        "unit-mismatch",
        f"{line}行目「{label}」の値の単位「{inline}」が単位欄「{unit}」と異なります",
        f"line {line} ({label}): unit '{inline}' in the cell differs from '{unit}'",
    )


def unit_mismatch_in_split(
    where: tuple[int, int, str | None], parsed: ParsedNumber, unit: str, indicator: str
) -> Problem:
    """`ambiguous-kpi-split` at the value cell (`where` = line, column, heading)."""
    text = parsed.raw.strip()
    return Problem(
        "ambiguous-kpi-split",
        f"指標「{indicator}」の値「{text}」の単位「{parsed.unit}」が、この指標の単位「{unit}」と"
        "違います。1つのセルに複数のKPIがある行で、どの値がどの指標のものか確かめられません",
        f"the value '{text}' of '{indicator}' has the unit '{parsed.unit}', not the KPI's unit"
        f" '{unit}': in a row holding several KPIs, which value belongs to which indicator"
        " cannot be told",
        *where,
    )


def mixed_periods(line: int, periods: list[tuple[str, str]]) -> Flag | None:
    """`mixed-period` when the cells of one KPI say both 累計 and 年間 (`periods`: (word, the
    cell's heading) for each cell that says one)."""
    if len({word for word, _ in periods}) < 2:
        return None
    cumulative = [label for word, label in periods if word == "累計"]
    annual = [label for word, label in periods if word == "年間"]
    return Flag(
        "mixed-period",
        f"{line}行目の値に「累計」（{'、'.join(cumulative)}）と「年間」（{'、'.join(annual)}）が"
        "混在しています。目標と実績の数え方が同じか確かめてください（集計方法はこれらの語からは"
        "決めず、集計の列または指標名と単位によります）",
        f"line {line} mixes 累計 (cumulative: {', '.join(cumulative)}) and 年間 (annual:"
        f" {', '.join(annual)}) in its"
        " values: check that target and actuals count alike (the aggregation is not taken from"
        " these words, but from a 集計 column or the indicator and unit)",
    )
