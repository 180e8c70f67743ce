"""The cut-point experiment: read every byte prefix of the reference report and classify it.

A file cut short (a download or copy that stopped early) must not be accepted as if it were
whole. For every prefix `data[:n]` of the reference report (0 ≤ n < full length), this reads it
the way an upload is read (`read_report_bytes`: UTF-8, else CP932) and puts it in one class:

- `error`: refused, with problems (`ReportError`);
- `warned`: read, with a report-level warning (`Report.warnings`) the user sees;
- `identical`: read without warning, same evaluation JSON as the whole report;
- `silent-changed`: read without warning, and a value, a name or a text differs from the
  whole report (e.g. the last cell `88` read as `8`);
- `silent-dropped`: read without warning, every KPI read is as in the whole report, but KPIs
  (or projects) at the end are missing.

Run: `.venv/bin/python benchmarks/truncation.py [--list]`; `--list` prints each silent cut
point (byte offset, line, column, and the end of the last line). Nothing here is asserted by
the test suite (tests/test_truncation.py holds the representative cases).
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kpiledger.cli.main import reference_report_path
from kpiledger.core.errors import ReportError
from kpiledger.core.evaluate import evaluate_report
from kpiledger.core.model import Report
from kpiledger.io.readers import read_report_bytes
from kpiledger.io.writers import json as json_writer

CLASSES = ("error", "warned", "identical", "silent-changed", "silent-dropped")


@dataclass(frozen=True)
class Cut:
    """One prefix: its length in bytes, its class, and whether it is valid UTF-8."""

    size: int
    kind: str
    utf8: bool
    codes: tuple[str, ...] = ()


def classify(data: bytes, full: Report, full_json: str) -> Cut:
    """The class of one prefix (see the module docstring)."""
    utf8 = _is_utf8(data)
    try:
        report = read_report_bytes(data, "cut.txt")
    except ReportError as error:
        return Cut(len(data), "error", utf8, tuple(p.code for p in error.problems))
    warnings = tuple(p.code for p in getattr(report, "warnings", []))
    if warnings:
        return Cut(len(data), "warned", utf8, warnings)
    if json_writer.dumps(evaluate_report(report)) == full_json:
        return Cut(len(data), "identical", utf8)
    kind = "silent-dropped" if _is_prefix_of(report, full) else "silent-changed"
    return Cut(len(data), kind, utf8)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _is_prefix_of(part: Report, full: Report) -> bool:
    """Whether every project and KPI read from the prefix is, field for field, the one at the
    same place in the whole report (only the ones after it are missing)."""
    if (part.title, part.fiscal_year) != (full.title, full.fiscal_year):
        return False
    if len(part.projects) > len(full.projects):
        return False
    for mine, theirs in zip(part.projects, full.projects, strict=False):
        same = (mine.name, mine.section, mine.grant, mine.summary, mine.line) == (
            theirs.name,
            theirs.section,
            theirs.grant,
            theirs.summary,
            theirs.line,
        )
        if not same or mine.kpis != theirs.kpis[: len(mine.kpis)]:
            return False
    return True


def where(data: bytes) -> str:
    """`line L, column C: …end of the last line` for a prefix (column = tab-separated cell)."""
    text = data.decode("utf-8", errors="replace")
    lines = text.split("\n")
    last = lines[-1]
    tail = last if len(last) <= 40 else "…" + last[-40:]
    return f"line {len(lines)}, cell {last.count(chr(9)) + 1}: {tail!r}"


def run(show: bool) -> dict[str, int]:
    data = reference_report_path().read_bytes()
    full = read_report_bytes(data, "full.txt")
    full_json = json_writer.dumps(evaluate_report(full))
    cuts = [classify(data[:size], full, full_json) for size in range(len(data))]
    counts = Counter(cut.kind for cut in cuts)
    utf8_counts = Counter(cut.kind for cut in cuts if cut.utf8)
    print(
        f"reference: {len(data)} bytes, {len(full.kpis)} KPIs; full report warnings: "
        f"{[p.code for p in getattr(full, 'warnings', [])]}"
    )
    print(f"{'class':<16}{'all prefixes':>14}{'valid UTF-8':>14}")
    for kind in CLASSES:
        print(f"{kind:<16}{counts[kind]:>14}{utf8_counts[kind]:>14}")
    print(f"{'total':<16}{len(cuts):>14}{sum(utf8_counts.values()):>14}")
    warned = Counter(code for cut in cuts if cut.kind == "warned" for code in cut.codes)
    if warned:
        print("warning codes:", dict(warned))
    if show:
        for cut in cuts:
            if cut.kind.startswith("silent"):
                print(f"{cut.size:>6} {cut.kind:<15} {where(data[: cut.size])}")
    return dict(counts)


def main() -> int:
    run(show="--list" in sys.argv[1:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
