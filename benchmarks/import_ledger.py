"""Benchmark: importing a large synthetic report into a fresh SQLite ledger, then re-importing.

`make bench` runs it on each store (PostgreSQL: a database of its own). Prints timings, written to
benchmarks/results/import_ledger-<store>.json.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ["KPILEDGER_DATA_DIR"] = tempfile.mkdtemp(prefix="kpiledger-bench-")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import peak_rss_mb, write_results
from benchmarks.run import synthetic
from kpiledger.web import setup

COPIES = int(os.environ.get("KPILEDGER_BENCH_COPIES", "200"))


def main() -> int:
    setup()
    from django.core.management import call_command

    from kpiledger.io.readers import read_report_bytes
    from kpiledger.web.ledger import models as m
    from kpiledger.web.ledger.services import importing, reports

    call_command("migrate", verbosity=0)
    content = synthetic(COPIES).encode("utf-8")
    start = time.perf_counter()
    report = read_report_bytes(content, "synthetic.txt")
    org = importing.organization_for("012068", "釧路市")
    plan = importing.plan_import(org, report, content)
    planned = time.perf_counter()
    importing.apply_import(plan, file_name="synthetic.txt", content=content)
    done = time.perf_counter()
    kpis, obs = m.Kpi.objects.count(), m.Observation.objects.count()
    figures: dict[str, float | int] = {"copies": COPIES, "kpis": kpis, "observations": obs}
    figures["read_plan_s"] = round(planned - start, 3)
    figures["write_s"] = round(done - planned, 3)
    print(
        f"import {COPIES} copies: read+plan {planned - start:6.2f} s, "
        f"write {done - planned:6.2f} s ({kpis:,} KPIs, {obs:,} observations)"
    )
    start = time.perf_counter()
    again = importing.plan_import(importing.organization_for("012068"), report, content + b"\n")
    figures["replan_s"] = round(time.perf_counter() - start, 3)
    print(f"re-plan (no changes: {again.is_empty}) {figures['replan_s']:6.2f} s")
    start = time.perf_counter()
    ledger = reports.load_report(m.Organization.objects.get(), 2023)
    figures["load_report_s"] = round(time.perf_counter() - start, 3)
    print(
        f"load+evaluate from the ledger {figures['load_report_s']:6.2f} s "
        f"({len(ledger.kpi_ids):,} KPIs)"
    )
    figures["peak_rss_mb"] = peak_rss_mb()
    write_results("import_ledger", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
