"""What kpiledger's own PDF (`io.writers.pdf`) adds after the published data, dropped when
the PDF is read back, so that the file round-trips to the report it was written from: the
appendix of charts (`CHARTS_HEADING` and everything after it), whose year labels and values are
drawings of the table, not data nor notes. The appendix starts a page, so what stands above its
heading on that page is the page's running title (kept by the running-text rules when no other
page repeats it at that height): dropped too.

The judgement's columns (達成率（kpiledger算定）…) need nothing here: like every heading marked
`kpiledger`, the table reader ignores them (`own_columns.is_own`). `COMPUTED_HEADINGS` are those
headings without their line breaks, as the PDF prints them.
"""

from __future__ import annotations

import re
import unicodedata

from kpiledger.io.readers.columns import Row
from kpiledger.io.readers.own_columns import EFFECT_HEADING, RATE_HEADING, STATUS_HEADING

#: The judgement's headings, as in kpiledger's workbook (`own_columns`), without line breaks.
COMPUTED_HEADINGS = tuple(
    heading.replace("\n", "") for heading in (RATE_HEADING, STATUS_HEADING, EFFECT_HEADING)
)
CHARTS_HEADING = "グラフ（kpiledgerが表の値から作図）"


def _key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


_CHARTS = _key(CHARTS_HEADING)


def without_own(rows: list[Row], pages: dict[int, tuple[int, int]]) -> list[Row]:
    """The rows before kpiledger's chart appendix (see the module); `pages` maps a row's line
    to its (page, row on the page)."""
    for at, row in enumerate(rows):
        filled = [cell for cell in row.cells if cell.strip()]
        if len(filled) == 1 and _key(filled[0]) == _CHARTS:
            page = pages.get(row.line, (0, 0))[0]
            return [r for r in rows[:at] if pages.get(r.line, (-1, 0))[0] != page]
    return rows
