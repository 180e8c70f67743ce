"""Benchmark: render time and SQL queries of each public page, for the reference report and a
large synthetic one (`KPILEDGER_BENCH_COPIES` copies of it, default 40 → 960 KPIs), rendered
through Django's test client (no server, no page cache); written to
benchmarks/results/pages-<store>.json."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ["KPILEDGER_DATA_DIR"] = tempfile.mkdtemp(prefix="kpiledger-bench-")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import peak_rss_mb, render_timing, write_results
from benchmarks.run import synthetic
from kpiledger.web import setup

COPIES = int(os.environ.get("KPILEDGER_BENCH_COPIES", "40"))


def load(code: str, name: str, content: bytes) -> None:
    from kpiledger.io.readers import read_report_bytes
    from kpiledger.web.ledger.services import importing

    org = importing.organization_for(code, name)
    plan = importing.plan_import(org, read_report_bytes(content, "r.txt"), content)
    importing.apply_import(plan, file_name="r.txt", content=content)


def main() -> int:
    setup()
    from django.core.management import call_command
    from django.test import Client

    from kpiledger.cli.main import reference_report_path
    from kpiledger.web.ledger import models as m

    call_command("migrate", verbosity=0)
    load("012068", "釧路市", reference_report_path().read_bytes())
    load("011002", "札幌市（合成）", synthetic(COPIES).encode())
    client = Client()
    figures: dict[str, float | int] = {}
    for code in ("012068", "011002"):
        kpis = m.Kpi.objects.filter(project__organization__code=code)
        first = kpis.order_by("id").first()
        pages = {
            "report": f"/org/{code}/2023/",
            "dashboard": f"/org/{code}/2023/dashboard/",
            "kpi": f"/org/{code}/kpi/{first.id}/",
        }
        for name, url in pages.items():
            seconds, queries = render_timing(client, url)
            figures[f"{code}_{name}_ms"] = round(seconds * 1000, 2)
            figures[f"{code}_{name}_queries"] = queries
            print(
                f"{code} ({kpis.count():4d} KPIs) {name:9s} {seconds * 1000:8.1f} ms "
                f"{queries:3d} queries"
            )
    seconds, queries = render_timing(client, "/")
    figures["home_ms"], figures["home_queries"] = round(seconds * 1000, 2), queries
    print(f"home {seconds * 1000:8.1f} ms {queries:3d} queries")
    figures["peak_rss_mb"] = peak_rss_mb()
    write_results("pages", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
