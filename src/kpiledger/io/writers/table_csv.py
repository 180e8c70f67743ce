"""A table of the comparison pages as CSV for spreadsheets: UTF-8 with a BOM (what Excel on a
municipal PC needs), one header row, CRLF line ends, numbers exactly as computed, and text a
spreadsheet would run as a formula (`=…`, `+…`, `-…`, `@…`) prefixed with `'` (CSV
injection), as in the report's open data (`opendata.py`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from kpiledger.io.writers.opendata import ENCODING
from kpiledger.io.writers.opendata import _cell as cell


def dumps(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """The table as CSV bytes (UTF-8 with a BOM); None is an empty cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([cell(name) for name in header])
    writer.writerows([cell(value) for value in row] for row in rows)
    return out.getvalue().encode(ENCODING)
