"""What every format's reader hands the table interpreter: rows of cell texts, each row
numbered as its format numbers it, and how to name a place in the file.

A format reader (text, CSV, Excel, PDF) only decodes and tokenizes; `table.interpret` turns the
rows into a `Report` the same way for every format, and `Source.locate` turns the row numbers
of its problems into the format's own location (`line 11, column 4`, `Sheet1!C12`,
`p.3 row 5`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from kpiledger.core.errors import Problem
from kpiledger.io.readers.columns import Row


@dataclass
class Source:
    """A file's table as rows of trimmed cell texts.

    `rows[i].line` is unique and increasing. In a text file it is the line; in a workbook the
    sheet's row; in a PDF an ordinal that `pages` maps to (page, row on that page).
    `unterminated` is the last row when a text file ends without a line break (a sign of a cut
    file for `truncation`). `notices` say how the file was read (the encoding detected, the
    sheet chosen) and travel with the report's warnings only when they matter to a user.
    """

    rows: list[Row]
    kind: str  # "text", "csv", "xlsx", "xls", "ods", "pdf"
    sheet: str | None = None
    pages: dict[int, tuple[int, int]] = field(default_factory=dict)
    encoding: str | None = None
    unterminated: Row | None = None
    notices: list[Problem] = field(default_factory=list)

    def locate(self, problem: Problem) -> Problem:
        """`problem` with its location in this file's own terms."""
        if problem.line is None:
            return problem
        if self.sheet is not None:
            return dataclasses.replace(problem, sheet=self.sheet)
        if problem.line in self.pages:
            page, row = self.pages[problem.line]
            return dataclasses.replace(problem, page=page, line=row)
        return problem

    def where_ja(self, line: int | None) -> str:
        """A row in a message: 「12行目」, 「シート『KPI』の12行目」, 「3ページ5行目」."""
        if line is None:
            return "別の行"
        if self.sheet is not None:
            return f"シート「{self.sheet}」の{line}行目"
        if line in self.pages:
            page, row = self.pages[line]
            return f"{page}ページ{row}行目"
        return f"{line}行目"

    def where_en(self, line: int | None) -> str:
        if line is None:
            return "another row"
        if self.sheet is not None:
            return f"row {line} of sheet {self.sheet}"
        if line in self.pages:
            page, row = self.pages[line]
            return f"p.{page} row {row}"
        return f"line {line}"
