"""What kpiledger's own PDF (`io.writers.pdf`) adds beside the published data, dropped when
the PDF is read back, so that the file round-trips to the report it was written from:

- the columns of kpiledger's judgement (`COMPUTED_HEADINGS`: 達成率（kpiledger算定）,
  状況（kpiledger判定）, 事業効果（kpiledger提案）, the headings of its workbook): a 達成率
  column would otherwise be read as the published rate. In a table whose header names one,
  that column is taken out of every row of the table's width.
- the appendix of charts after the report (`CHARTS_HEADING` and everything after it): its year
  labels and values are drawings of the table, not data nor notes. The appendix starts a page,
  so what stands above its heading on that page is the page's running title (kept by the
  running-text rules when no other page repeats it at that height): dropped too.

Both are texts no published report writes; the writer imports them from here.
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


_COMPUTED = {_key(text) for text in COMPUTED_HEADINGS}
_CHARTS = _key(CHARTS_HEADING)


def without_own(rows: list[Row], pages: dict[int, tuple[int, int]]) -> list[Row]:
    """The rows without kpiledger's computed columns and chart appendix (see the module);
    `pages` maps a row's line to its (page, row on the page)."""
    kept: list[Row] = []
    width, computed = 0, set[int]()
    for row in rows:
        filled = [cell for cell in row.cells if cell.strip()]
        if len(filled) == 1 and _key(filled[0]) == _CHARTS:
            page = pages.get(row.line, (0, 0))[0]
            return [r for r in kept if pages.get(r.line, (-1, 0))[0] != page]
        own = {i for i, cell in enumerate(row.cells) if _key(cell) in _COMPUTED}
        if own:
            width, computed = len(row.cells), own
        if computed and len(row.cells) == width:
            cells = [cell for i, cell in enumerate(row.cells) if i not in computed]
            row = Row(row.line, cells)
        kept.append(row)
    return kept
