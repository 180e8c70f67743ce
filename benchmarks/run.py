"""Benchmarks (`make bench`): reading and judging the reference report and a large synthetic one.

Prints timings, written to benchmarks/results/run-<store>.json (no ledger is used: `make bench`
runs it once); nothing here is asserted by the test suite.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kpiledger.cli.main import reference_report_path
from kpiledger.core.evaluate import evaluate_report
from kpiledger.io.readers import text
from kpiledger.io.writers import json as json_writer


def synthetic(copies: int) -> str:
    """The reference report with its sections and tables repeated `copies` times (project
    names made unique), i.e. 24 × copies KPIs."""
    lines = reference_report_path().read_text(encoding="utf-8").splitlines()
    title_end = 2  # a blank line and the title
    head, body = lines[:title_end], lines[title_end:]
    out = list(head)
    for n in range(copies):
        out += [_rename(line, n) for line in body]
    return "\n".join(out)


def _rename(line: str, n: int) -> str:
    first, sep, rest = line.partition("\t")
    if first and sep and not first.startswith("交付対象"):
        return f"{first}（{n}）{sep}{rest}"
    return line


def timed(fn, repeat: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> int:
    from benchmarks.common import peak_rss_mb, write_results

    figures: dict[str, float | int] = {}
    ref = reference_report_path().read_text(encoding="utf-8")
    t, report = timed(lambda: text.parse(ref), 50)
    figures["reference_parse_ms"] = round(t * 1000, 3)
    print(f"reference: parse            {t * 1000:8.2f} ms ({len(report.kpis)} KPIs)")
    t, result = timed(lambda: evaluate_report(report), 50)
    figures["reference_evaluate_ms"] = round(t * 1000, 3)
    print(f"reference: evaluate         {t * 1000:8.2f} ms")
    t, _ = timed(lambda: json_writer.dumps(result), 50)
    figures["reference_json_ms"] = round(t * 1000, 3)
    print(f"reference: JSON             {t * 1000:8.2f} ms")
    big = synthetic(1000)
    t, report = timed(lambda: text.parse(big), 3)
    figures["copies_1000_kpis"] = len(report.kpis)
    figures["copies_1000_parse_s"] = round(t, 3)
    print(f"1,000 copies: parse         {t:8.2f} s  ({len(report.kpis):,} KPIs)")
    t, result = timed(lambda: evaluate_report(report), 3)
    figures["copies_1000_evaluate_s"] = round(t, 3)
    print(f"1,000 copies: evaluate      {t:8.2f} s")
    t, _ = timed(lambda: json_writer.dumps(result), 3)
    figures["copies_1000_json_s"] = round(t, 3)
    print(f"1,000 copies: JSON          {t:8.2f} s")
    figures["peak_rss_mb"] = peak_rss_mb()
    write_results("run", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
