"""Load benchmark at national size: the production server under concurrent clients.

`kpiledger serve` (waitress, 8 threads) is started on 127.0.0.1 on the national ledger of the
environment (KPILEDGER_DATA_DIR, or KPILEDGER_DATABASE_URL / DATABASE_URL; `kpiledger
demo-data --national --seed 1` makes one). For each page —

* `report`: the report page /org/<code>/<year>/ of the organization with the most KPIs in the
  latest report year (the largest page of its kind),
* `nation`: /nation/ (every prefecture's figures and the first 50 organizations),
* `pref`: /pref/01/ (北海道: the most organizations),
* `field`: /field/tourism/ (every tourism KPI of the nation compared),

it first times the page rendered afresh (`render_ms`: the median of 5 single requests, each
with a query string of its own so that the page cache cannot answer), then loads it with wrk
for a fixed window at 1, 8 and 32 concurrent connections (the page cache answering, as it
does in production): requests/s, p50/p95/p99/max latency, non-2xx responses and socket
errors, the server's CPU milliseconds a request (from /proc) and the load average. Target
(issue 11): p99 ≤ 50 ms at 32 clients. It also records the server's peak
memory (≤ 500 MB). Written to benchmarks/results/load_national-<store>.json.

    .venv/bin/python benchmarks/load_national.py [--seconds 5] [--connections 1,8,32]

Needs Debian's wrk (`apt-get install wrk`). Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import (
    HOST,
    fetch,
    free_port,
    load_arguments,
    process_peak_mb,
    run_wrk,
    start_server,
    stop_process,
    wait_until_ready,
    write_results,
)

NAME = "load_national"
HEADER = (
    f"{'page':<7} {'clients':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
    f"{'max ms':>8} {'non-2xx':>7} {'errors':>6} {'cpu ms':>7} {'load':>5}"
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = load_arguments(__doc__.split("\n\n")[0], default_seconds=5)
    return parser.parse_args(argv)


def pages() -> dict[str, str]:
    """The paths under test, from the ledger (read here, before the server starts)."""
    from django.db.models import Count

    from kpiledger.web import setup

    setup()
    from django.db import connections

    from kpiledger.web.ledger import models as m

    year = m.ReportedKpi.objects.order_by("-fiscal_year").values_list("fiscal_year", flat=True)
    latest = year.first()
    if latest is None:
        raise SystemExit("the ledger has no report: make a national one first (demo-data)")
    largest = (
        m.ReportedKpi.objects.filter(fiscal_year=latest)
        .values("kpi__project__organization__code")
        .annotate(kpis=Count("id"))
        .order_by("-kpis", "kpi__project__organization__code")
        .first()
    )
    assert largest is not None
    code = largest["kpi__project__organization__code"]
    connections.close_all()
    return {
        "report": f"/org/{code}/{latest}/",
        "nation": "/nation/",
        "pref": "/pref/01/",
        "field": "/field/tourism/",
    }


def render_ms(port: int, path: str, times: int = 5) -> tuple[float, float]:
    """(median, max) milliseconds of the page rendered afresh (a query string of its own each
    time, so the page cache has no copy)."""
    spent = []
    for n in range(times):
        start = time.perf_counter()
        status, _ = fetch(port, f"{path}?bench={time.time_ns()}-{n}")
        spent.append((time.perf_counter() - start) * 1000)
        if status != 200:
            raise SystemExit(f"{path}: HTTP {status}")
    return round(statistics.median(spent), 1), round(max(spent), 1)


def benchmark(args: argparse.Namespace, tmp: Path) -> dict[str, object]:
    paths = pages()
    env = os.environ.copy()
    port, log = free_port(), tmp / "serve.log"
    server = start_server(port, env, log)
    figures: dict[str, object] = {"seconds_per_window": args.seconds, "pages": {}}
    try:
        wait_until_ready(server, port, log)
        print(f"kpiledger serve on http://{HOST}:{port}/ ({args.seconds} s per window)")
        for name, path in paths.items():
            status, _ = fetch(port, path)  # rendered once: the page cache keeps it
            median, worst = render_ms(port, path)
            print(f"  {status} {path}: rendered afresh in {median:.0f} ms (max {worst:.0f} ms)")
            figures["pages"][name] = {"path": path, "render_ms": median, "render_max_ms": worst}  # type: ignore[index]
        print(f"\n{HEADER}", flush=True)
        for name, path in paths.items():
            clients: dict[str, object] = {}
            for connections in args.connections:
                window = run_wrk(port, [path], connections, args.seconds, server.pid)
                row = window.figures()
                clients[str(connections)] = row
                print(
                    f"{name:<7} {connections:>7} {row['requests_per_second']:>8.1f} "
                    f"{row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} {row['p99_ms']:>8.1f} "
                    f"{row['max_ms']:>8.1f} {row['non_2xx']:>7} {row['errors']:>6} "
                    f"{row.get('server_cpu_ms_per_request', 0):>7.3f} "
                    f"{row['load_average_1min']:>5.2f}",
                    flush=True,
                )
            figures["pages"][name]["clients"] = clients  # type: ignore[index]
        figures["server_peak_mb"] = process_peak_mb(server.pid)
    finally:
        stop_process(server)
    print(f"\nserver peak memory: {figures.get('server_peak_mb')} MB")
    return figures


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(f"stopped by signal {signum}")  # so the finally blocks clean up


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    if shutil.which("wrk") is None:
        print("wrk is not installed: run `apt-get install wrk` (as root), then retry.",
              file=sys.stderr)  # fmt: skip
        return 1
    tmp = Path(tempfile.mkdtemp(prefix="kpiledger-load-national-"))
    try:
        figures = benchmark(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    write_results(NAME, figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
