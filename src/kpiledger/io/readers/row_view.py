"""What the cell helpers (`cell_text`, `time_points`, `increments`) use of the row being read.

`cells.RowReader` has all of it; the helpers take this view of it instead, so that they need
not import `cells`, which imports them.
"""

from __future__ import annotations

from typing import Protocol

from kpiledger.core.errors import KpiledgerError, Problem
from kpiledger.core.model import Flag
from kpiledger.core.numbers import ParsedNumber
from kpiledger.io.readers.grid import Columns
from kpiledger.io.readers.layout import Role


class RowView(Protocol):
    """One row being read: its columns and cells, and where problems, flags and notes go."""

    columns: Columns
    cells: list[str]
    line: int
    problems: list[Problem]
    flags: list[Flag]
    notes: list[str]
    #: A time note in a target or baseline cell (`1,200（R5年度）`): cell index → `R5年度`.
    cell_times: dict[int, str]

    def cell(self, role: Role) -> str:
        """The text of the role's cell (blank when the table or row has none)."""
        ...

    def number(self, role: Role) -> ParsedNumber | None:
        """The number in the role's cell (None, with a located problem, when it is not one)."""
        ...

    def locate(self, error: KpiledgerError, index: int) -> None:
        """The error's problems, located at the cell `index`."""
        ...
