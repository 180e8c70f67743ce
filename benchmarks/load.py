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
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import process_peak_mb, write_results
from benchmarks.run import synthetic

HOST = "127.0.0.1"  # the only address this script ever talks to
CODE, YEAR = "012068", 2023  # the reference report preloaded by `kpiledger serve`
IMPORT_ORG = ("011002", "札幌市")  # the organization the background imports write to
LUA = Path(__file__).resolve().parent / "load_report.lua"
HEADER = (
    f"{'pages':<7} {'load':<6} {'clients':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
    f"{'p99 ms':>8} {'max ms':>8} {'non-2xx':>7} {'errors':>6} {'imports':>7}"
)


@dataclass
class Window:
    """One wrk run: its parsed LOAD_RESULT line and when it started and ended."""

    result: dict[str, int]
    start: float
    end: float

    @property
    def errors(self) -> int:
        keys = ("connect_errors", "read_errors", "write_errors", "timeouts")
        return sum(self.result[k] for k in keys)


# --- command line ---------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seconds",
        type=int,
        default=int(os.environ.get("KPILEDGER_LOAD_SECONDS", "10")),
        help="length of each measurement window (default: $KPILEDGER_LOAD_SECONDS or 10)",
    )
    parser.add_argument(
        "--connections",
        type=lambda s: [int(n) for n in s.split(",")],
        default=[1, 8, 32],
        help="comma-separated concurrent connections (default 1,8,32)",
    )
    parser.add_argument(
        "--copies",
        type=int,
        default=int(os.environ.get("KPILEDGER_LOAD_COPIES", "20")),
        help="reference report copies per imported file, 24 KPIs each (default 20)",
    )
    return parser.parse_args(argv)


def kpiledger_command() -> list[str]:
    """The `kpiledger` console script of the running interpreter's environment."""
    script = Path(sys.executable).parent / "kpiledger"
    if script.exists():
        return [str(script)]
    found = shutil.which("kpiledger")
    if not found:
        raise SystemExit("kpiledger is not installed in this environment (run `make` first)")
    return [found]


# --- the server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def fetch(port: int, path: str) -> tuple[int, str]:
    """GET http://127.0.0.1:port/path without any proxy; (status, body)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"http://{HOST}:{port}{path}", timeout=30) as response:
        return response.status, response.read().decode("utf-8")


def start_server(port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    command = [*kpiledger_command(), "serve", "--host", HOST, "--port", str(port)]
    with log.open("wb") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_until_ready(server: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"kpiledger serve exited early:\n{log.read_text(errors='replace')}")
        try:
            if fetch(port, "/")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"kpiledger serve did not answer within 120 s:\n{log.read_text()}")


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


def stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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


def run_wrk(port: int, paths: list[str], connections: int, seconds: int) -> Window:
    command = [
        "wrk",
        f"--threads={min(connections, 2)}",
        f"--connections={connections}",
        f"--duration={seconds}s",
        "--timeout=30s",
        f"--script={LUA}",
        f"http://{HOST}:{port}{paths[0]}",
        "--",
        *paths,
    ]
    start = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
    end = time.monotonic()
    for line in done.stdout.splitlines():
        if line.startswith("LOAD_RESULT "):
            return Window(json.loads(line.removeprefix("LOAD_RESULT ")), start, end)
    raise SystemExit(f"wrk printed no LOAD_RESULT line:\n{done.stdout}\n{done.stderr}")


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
    r = window.result
    seconds = r["duration_us"] / 1e6
    return {
        "requests_per_second": round(r["requests"] / seconds, 1) if seconds else 0.0,
        **{f"{k}_ms": round(r[f"{k}_us"] / 1000, 2) for k in ("p50", "p95", "p99", "max")},
        "non_2xx": r["non2xx"],
        "errors": window.errors,
        "imports": None if imports == "-" else int(imports),
    }


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
