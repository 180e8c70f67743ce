"""The national form's slot labels (指標①, 指標②…) as workbooks and PDFs deliver them.

The form heads two cells with 指標: the slot label and, right of it, the indicator's text
(`Columns.indicator_text`). A narrow label cell arrives in pieces:

- over two lines of one cell, `指標\\n①` (a workbook; a PDF joins them: `指標①`);
- over two rows, `指標` on one and `①` on the next, when each slot spans two sheet rows: the
  other cells merged down both rows (a merged cell reads as the same text on each), or written
  in the upper row only;
- blank on a row that only continues the slot above: its cells merged down, or the indicator's
  text wrapped into the next row.

`is_slot_label` reads every piece as a label, so no piece becomes an indicator; `continuation`
tells a row that continues the slot above from a KPI of its own, so it adds no second (phantom,
or `duplicate-indicator`) KPI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kpiledger.core.model import Kpi, Project
from kpiledger.io.readers.grid import Columns
from kpiledger.io.readers.layout import PROJECT_ROLES, Role, heading_key

#: A slot label or a piece of one (after NFKC, spaces removed: ① is 1): `指標①`, `指標`, `①`,
#: `KPI2`; a blank label too.
SLOT_PART = re.compile(r"(?:指標|KPI)?[0-9]{0,2}")
#: Cells that belong to the project, not to a KPI slot (their texts are merged down the rows).
_NOT_SLOT = (Role.NAME, Role.SUMMARY, Role.INDICATOR, *PROJECT_ROLES)


def is_slot_label(text: str) -> bool:
    """A slot label, a piece of one, or a blank (`指標①`, `指標`, `①`, ``)."""
    return SLOT_PART.fullmatch(heading_key(text)) is not None


def indicator_index(columns: Columns, cells: list[str]) -> int:
    """The cell holding the row's indicator: the text right of a slot label in the national
    form, else the 指標 cell."""
    index = columns.roles[Role.INDICATOR]
    if columns.indicator_text is not None and is_slot_label(_at(cells, index)):
        return columns.indicator_text
    return index


@dataclass
class SlotRow:
    """The national form's last KPI row read: whose, its slot label, its text and values."""

    project: Project
    label: str
    text: str
    values: tuple[str, ...]
    kpis: list[Kpi] = field(default_factory=list)


def slot_row(columns: Columns, cells: list[str], project: Project, kpis: list[Kpi]) -> SlotRow:
    label = heading_key(_at(cells, columns.roles[Role.INDICATOR]))
    text = _at(cells, indicator_index(columns, cells))
    return SlotRow(project, label, text, _values(columns, cells), kpis)


def continuation(
    previous: SlotRow | None, project: Project, columns: Columns, cells: list[str]
) -> str | None:
    """None when the row is a KPI of its own. Otherwise it continues the slot `previous` of the
    same project — its label blank, the same, or the rest of a split one (`①` under `指標`) —
    and it returns `""` when it repeats that slot (every cell the same: merged down) or the
    text to add to the slot's indicator (a wrapped text, on a row without values)."""
    if previous is None or previous.project is not project or columns.indicator_text is None:
        return None
    label = heading_key(_at(cells, columns.roles[Role.INDICATOR]))
    if not _continues(previous.label, label):
        return None
    text = _at(cells, indicator_index(columns, cells))
    values = _values(columns, cells)
    if any(values):
        return "" if (values, text) == (previous.values, previous.text) else None
    return "" if text == previous.text else text


def _continues(previous: str, label: str) -> bool:
    """A label that does not start a new slot: blank, the same (merged), or the number under a
    label written without one (`指標` then `①`)."""
    if not label or label == previous:
        return True
    return not any(c.isdigit() for c in previous) and label.isdigit()


def _values(columns: Columns, cells: list[str]) -> tuple[str, ...]:
    """The row's KPI value cells (target, unit, date, actuals …), in column order."""
    skip = {columns.roles[role] for role in _NOT_SLOT if role in columns.roles}
    skip.add(columns.indicator_text if columns.indicator_text is not None else -1)
    return tuple(_at(cells, i) for i in range(len(cells)) if i not in skip and _read(columns, i))


def _read(columns: Columns, index: int) -> bool:
    """Whether the column is read as a KPI's (a role, a year, a yearly target, a forecast)."""
    return (
        index in columns.roles.values()
        or index in columns.years
        or index in columns.yearly_targets
        or index in columns.interims
        or index in columns.forecasts
    )


def _at(cells: list[str], index: int) -> str:
    return cells[index].strip() if 0 <= index < len(cells) else ""
