"""Load benchmark: the real web server under concurrent clients, idle and during a large import.

What it measures: `kpiledger serve` (waitress) is started on 127.0.0.1 with a fresh temporary
data directory (KPILEDGER_DATA_DIR), which preloads the reference report as 釧路市 (012068,
FY2023). wrk then loads it for a fixed window at 1, 8 and 32 concurrent connections against

* `report`: the reference report page /org/012068/2023/, and
* `mix`: home, report page, dashboard and one KPI page in turn,

first with the server otherwise idle, then while `kpiledger import` runs back to back in the
background (same data directory), alternating two large generated reports (the reference
report's projects replicated with renamed projects; the second file has different FY2023
values, so every import really writes) into 札幌市 (011002). For each window it prints
requests/s, p50/p95/p99/max latency, the count of non-2xx responses, socket errors (incl.
timeouts) and, under import, how many imports finished inside the window; written, with the
server's peak memory, to benchmarks/results/load-<store>.json. On PostgreSQL
(KPILEDGER_DATABASE_URL set: `make bench` gives it an empty database) the server and the imports
use that database.

Run: `make bench`, or `.venv/bin/python benchmarks/load.py [--seconds 2] [--connections 1,8]`.
KPILEDGER_LOAD_SECONDS (default 10) and KPILEDGER_LOAD_COPIES (default 20 copies = 480 KPIs
per imported file) set the defaults. Needs Debian's wrk (`apt-get install wrk`). Only
127.0.0.1 is ever contacted; the server, the import loop and the temporary directory are
removed at the end whatever happens.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import (
    HOST,
    Window,
    fetch,
    free_port,
    kpiledger_command,
    load_arguments,
    process_peak_mb,
    run_wrk,
    start_server,
    stop_process,
    wait_until_ready,
    write_results,
)
from benchmarks.run import synthetic

CODE, YEAR = "012068", 2023  # the reference report preloaded by `kpiledger serve`
IMPORT_ORG = ("011002", "札幌市")  # the organization the background imports write to
HEADER = (
    f"{'pages':<7} {'load':<6} {'clients':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
    f"{'p99 ms':>8} {'max ms':>8} {'non-2xx':>7} {'errors':>6} {'imports':>7}"
)


# --- command line ---------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = load_arguments(__doc__.split("\n\n")[0], default_seconds=10)
    parser.add_argument(
        "--copies",
        type=int,
        default=int(os.environ.get("KPILEDGER_LOAD_COPIES", "20")),
        help="reference report copies per imported file, 24 KPIs each (default 20)",
    )
    return parser.parse_args(argv)


# --- the server -----------------------------------------------------------------------------


def page_sets(port: int) -> dict[str, list[str]]:
    """The public URLs under test (a KPI id is taken from the report page); each is fetched
    once, which also warms the server up."""
    report = f"/org/{CODE}/{YEAR}/"
    _, html = fetch(port, report)
    match = re.search(rf"/org/{CODE}/kpi/(\d+)/", html)
    if not match:
        raise SystemExit(f"no KPI link found on {report}")
    mix = ["/", report, f"/org/{CODE}/{YEAR}/dashboard/", match.group(0)]
    for path in mix:
        status, _ = fetch(port, path)
        print(f"  {status} http://{HOST}:{port}{path}")
    return {"report": [report], "mix": mix}


# --- the background import loop -------------------------------------------------------------


def write_import_files(directory: Path, copies: int) -> list[Path]:
    """Two large reports with the same projects and KPIs but different FY2023 values."""
    first = synthetic(copies)
    second = "\n".join(_bump_last_value(line) for line in first.splitlines())
    paths = [directory / "large_a.txt", directory / "large_b.txt"]
    for path, text in zip(paths, (first, second), strict=True):
        path.write_text(text + "\n", encoding="utf-8")
    return paths


def _bump_last_value(line: str) -> str:
    head, sep, last = line.rpartition("\t")
    if sep and re.fullmatch(r"\d[\d,]*", last):
        return f"{head}\t{int(last.replace(',', '')) + 1:,}"
    if sep and re.fullmatch(r"\d+\.\d+", last):
        return f"{head}\t{last}1"
    return line


class ImportLoop:
    """`kpiledger import` run back to back in a thread, alternating between the given files."""

    def __init__(self, files: list[Path], env: dict[str, str]) -> None:
        self.files, self.env = files, env
        self.finished: list[float] = []  # time.monotonic() of each successful import
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._thread = threading.Thread(target=self._run, name="import-loop", daemon=True)

    def import_once(self, path: Path) -> None:
        code, name = IMPORT_ORG
        command = [*kpiledger_command(), "import", str(path), "--org", code, "--name", name]
        with self._lock:
            if self._stop.is_set():
                return
            self._process = subprocess.Popen(
                command, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
        _, stderr = self._process.communicate()
        if self._process.returncode == 0:
            self.finished.append(time.monotonic())
        elif not self._stop.is_set():
            self.failures.append(stderr.decode("utf-8", "replace").strip())

    def _run(self) -> None:
        turn = 1  # the first file was imported before the loop started
        while not self._stop.is_set():
            self.import_once(self.files[turn % len(self.files)])
            turn += 1

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        with self._lock:
            if self._process is not None:
                stop_process(self._process)
        if self._thread.is_alive():
            self._thread.join()

    def completed_between(self, start: float, end: float) -> int:
        return sum(1 for t in self.finished if start <= t <= end)


# --- wrk ------------------------------------------------------------------------------------


def row(pages: str, load: str, connections: int, window: Window, imports: str) -> str:
    r = window.result
    rate = r["requests"] / (r["duration_us"] / 1e6) if r["duration_us"] else 0.0
    ms = {k: r[f"{k}_us"] / 1000 for k in ("p50", "p95", "p99", "max")}
    return (
        f"{pages:<7} {load:<6} {connections:>7} {rate:>8.1f} {ms['p50']:>8.1f} "
        f"{ms['p95']:>8.1f} {ms['p99']:>8.1f} {ms['max']:>8.1f} {r['non2xx']:>7} "
        f"{window.errors:>6} {imports:>7}"
    )


def measure_all(
    port: int, pages: dict[str, list[str]], args: argparse.Namespace, loop: ImportLoop | None
) -> dict[str, dict[str, object]]:
    load = "import" if loop else "idle"
    figures: dict[str, dict[str, object]] = {}
    for name, paths in pages.items():
        for connections in args.connections:
            window = run_wrk(port, paths, connections, args.seconds)
            imports = str(loop.completed_between(window.start, window.end)) if loop else "-"
            print(row(name, load, connections, window, imports), flush=True)
            figures.setdefault(name, {})[str(connections)] = _figures(window, imports)
    return figures


def _figures(window: Window, imports: str) -> dict[str, object]:
    return {**window.figures(), "imports": None if imports == "-" else int(imports)}


# --- main -----------------------------------------------------------------------------------


def benchmark(args: argparse.Namespace, tmp: Path) -> dict[str, object]:
    env = {**os.environ, "KPILEDGER_DATA_DIR": str(tmp / "data")}
    loop = ImportLoop(write_import_files(tmp, args.copies), env)
    port, log = free_port(), tmp / "serve.log"
    server = start_server(port, env, log)  # nothing may raise between here and `try`
    try:
        wait_until_ready(server, port, log)
        print(f"kpiledger serve on http://{HOST}:{port}/ ({args.seconds} s per window)")
        pages = page_sets(port)
        loop.import_once(loop.files[0])  # the organization and its KPIs exist from here on
        if not loop.finished:
            raise SystemExit(f"the first import failed: {loop.failures}")
        print(f"\n{HEADER}", flush=True)
        figures: dict[str, object] = {"seconds_per_window": args.seconds, "copies": args.copies}
        figures["idle"] = measure_all(port, pages, args, None)
        started = time.monotonic()
        loop.start()
        figures["import"] = measure_all(port, pages, args, loop)
        figures["server_peak_mb"] = process_peak_mb(server.pid)
    finally:
        loop.stop()
        stop_process(server)
    background = loop.completed_between(started, time.monotonic())
    print(f"\nbackground imports finished: {background}, failed: {len(loop.failures)}")
    for failure in loop.failures[:3]:
        print(f"  import failed: {failure}")
    figures["background_imports"], figures["failed_imports"] = background, len(loop.failures)
    return figures


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(f"stopped by signal {signum}")  # so the finally blocks clean up


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    if shutil.which("wrk") is None:
        print(
            "wrk is not installed: run `apt-get install wrk` (as root), then retry.",
            file=sys.stderr,
        )
        return 1
    tmp = Path(tempfile.mkdtemp(prefix="kpiledger-load-"))
    try:
        figures = benchmark(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    write_results("load", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
