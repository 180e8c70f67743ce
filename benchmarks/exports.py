"""Benchmark: the time to produce each export format from the ledger, for the reference report
(24 KPIs) and a synthetic 1,000-KPI organization (`KPILEDGER_BENCH_COPIES`, default 42 copies
of the reference → 1,008 KPIs), and the REST API's KPI list. Loading and judging the report
from the ledger is timed once per organization; each format is then timed on its own (median
of `KPILEDGER_BENCH_REPEAT` runs, default 3). Figures are printed and written as JSON to
benchmarks/results/exports-<store>.json."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ["KPILEDGER_DATA_DIR"] = tempfile.mkdtemp(prefix="kpiledger-bench-")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import peak_rss_mb, write_results
from benchmarks.pages import load
from benchmarks.run import synthetic
from kpiledger.web import setup

COPIES = int(os.environ.get("KPILEDGER_BENCH_COPIES", "42"))
REPEAT = int(os.environ.get("KPILEDGER_BENCH_REPEAT", "3"))


def median_seconds(fn, repeat: int = REPEAT) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def api_paths(code: str) -> dict[str, str]:
    """REST API reads of one report: its summary, a page of 200 KPIs, a page of observations."""
    base = f"/api/v1/organizations/{code}/years/2023"
    return {
        "summary": f"{base}/summary",
        "kpis": f"{base}/kpis?page_size=200",
        "obs": f"{base}/observations?page_size=200",
    }


def main() -> int:
    setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from kpiledger.cli.main import reference_report_path
    from kpiledger.io.writers.formats import FORMATS
    from kpiledger.io.writers.opendata import Publisher
    from kpiledger.web.ledger import models as m
    from kpiledger.web.ledger.services import reports

    client = Client(HTTP_HOST="127.0.0.1")
    call_command("migrate", verbosity=0)
    load("012068", "釧路市", reference_report_path().read_bytes())
    load("011002", "札幌市（合成）", synthetic(COPIES).encode())
    figures: dict[str, object] = {}
    for code in ("012068", "011002"):
        org = m.Organization.objects.get(code=code)
        seconds, ledger = median_seconds(
            lambda org=org: reports.load_report(org, 2023, settings.KPILEDGER_NEARLY)
        )
        result = ledger.result  # type: ignore[attr-defined]
        kpis = len(result.kpis)
        row: dict[str, float | int] = {"kpis": kpis, "load_and_judge_s": round(seconds, 4)}
        print(f"{code} ({kpis:4d} KPIs) load+judge  {seconds * 1000:9.1f} ms")
        publisher = Publisher(org.code, org.name)
        for name, output in FORMATS.items():
            seconds, content = median_seconds(
                lambda output=output, result=result, publisher=publisher: output.render(
                    result, publisher
                )
            )
            size = len(content)  # type: ignore[arg-type]
            row[f"{name}_s"] = round(seconds, 4)
            row[f"{name}_bytes"] = size
            print(f"{code} ({kpis:4d} KPIs) {name:11s} {seconds * 1000:9.1f} ms {size:>10,} bytes")
        for name, path in api_paths(code).items():
            seconds, status = median_seconds(lambda path=path: client.get(path).status_code)
            assert status == 200, (path, status)
            row[f"api_{name}_s"] = round(seconds, 4)
            print(f"{code} ({kpis:4d} KPIs) API {name:7s} {seconds * 1000:9.1f} ms  {path}")
        figures[code] = row
    figures["peak_rss_mb"] = peak_rss_mb()
    write_results("exports", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
