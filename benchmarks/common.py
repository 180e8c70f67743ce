"""What the benchmarks share: which store they run on, a throwaway PostgreSQL database, the
results file of each (benchmarks/results/<name>-<sqlite|postgresql>.json), peak memory, the
production server loaded by wrk (load.py, load_national.py) and a page's render time through
Django's test client (pages.py, field_pages.py).

The store is PostgreSQL when KPILEDGER_DATABASE_URL (or DATABASE_URL) is set, else SQLite in
KPILEDGER_DATA_DIR. `make bench` (benchmarks/bench.py) runs every benchmark once per store.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
URL_VARIABLES = ("KPILEDGER_DATABASE_URL", "DATABASE_URL")


def database_url() -> str | None:
    return next((os.environ[v] for v in URL_VARIABLES if os.environ.get(v)), None)


def store() -> str:
    """`postgresql` or `sqlite`: where this run's ledger is."""
    return "postgresql" if database_url() else "sqlite"


def cores() -> int:
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity else os.cpu_count() or 1


def machine() -> dict[str, Any]:
    """What the figures were measured on (the load average says whether the machine was
    busy with something else at the time)."""
    return {
        "store": store(),
        "cores": cores(),
        "load_average": [round(v, 2) for v in os.getloadavg()],
        "python": platform.python_version(),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def peak_rss_mb(*, children: bool = True) -> float:
    """This process's peak resident memory, plus its largest child's (Linux: KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss if children else 0
    return round((own + child) / 1024, 1)


def process_peak_mb(pid: int) -> float | None:
    """Another running process's peak resident memory (VmHWM), None when unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def write_results(name: str, figures: dict[str, Any]) -> Path:
    """benchmarks/results/<name>-<store>.json, with the machine's description."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}-{store()}.json"
    content = {"benchmark": name, **machine(), **figures}
    path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written: {path.relative_to(ROOT)}")
    return path


@contextlib.contextmanager
def throwaway_database(prefix: str = "kpiledger_bench") -> Iterator[str | None]:
    """On PostgreSQL, a new empty database on the server of the URL given, used instead of the
    one named there (the environment is changed for this process and its children) and dropped
    at the end; on SQLite nothing (yields None)."""
    url = database_url()
    if url is None:
        yield None
        return
    import psycopg

    parts = urlparse(url)
    name = f"{prefix}_{os.getpid()}"
    admin = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}"')
        db.execute(f'CREATE DATABASE "{name}"')
    saved = {v: os.environ.pop(v) for v in URL_VARIABLES if v in os.environ}
    os.environ["KPILEDGER_DATABASE_URL"] = urlunparse(parts._replace(path=f"/{name}"))
    try:
        yield name
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        os.environ.pop("KPILEDGER_DATABASE_URL", None)
        os.environ.update(saved)
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_measured(command: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run a command to its end: its wall seconds, CPU seconds, exit status, output (stdout
    and stderr) and peak resident memory. The peak is the command's own (VmHWM read while it
    runs, every 50 ms): the kernel's rusage of a child also counts the memory of the process
    it was forked from."""
    import tempfile
    import threading

    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        peak = [0.0]
        done = threading.Event()

        def watch() -> None:
            while not done.wait(0.05):
                peak[0] = max(peak[0], process_peak_mb(process.pid) or 0.0)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        done.set()
        watcher.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read().decode("utf-8", "replace")
    return {
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "returncode": process.returncode,
        "output": output,
        "peak_mb": peak[0],
    }


# --- the production server under wrk (load.py, load_national.py) -----------------------------

HOST = "127.0.0.1"  # the only address the load benchmarks ever talk to
LUA = Path(__file__).resolve().parent / "load_report.lua"


@dataclass
class Window:
    """One wrk run: its parsed LOAD_RESULT line and when it started and ended."""

    result: dict[str, int]
    start: float
    end: float
    server_cpu_seconds: float | None = None  # the server's CPU time over the window

    @property
    def errors(self) -> int:
        keys = ("connect_errors", "read_errors", "write_errors", "timeouts")
        return sum(self.result[k] for k in keys)

    def figures(self) -> dict[str, Any]:
        """Requests/s, p50/p95/p99/max in ms, non-2xx answers and socket errors, the
        server's CPU ms a request (when measured) and the load average at the end."""
        r = self.result
        seconds = r["duration_us"] / 1e6
        figures: dict[str, Any] = {
            "requests": r["requests"],
            "requests_per_second": round(r["requests"] / seconds, 1) if seconds else 0.0,
            **{f"{k}_ms": round(r[f"{k}_us"] / 1000, 2) for k in ("p50", "p95", "p99", "max")},
            "non_2xx": r["non2xx"],
            "errors": self.errors,
            "bytes_per_response": r["bytes"] // r["requests"] if r["requests"] else 0,
            "load_average_1min": round(os.getloadavg()[0], 2),
        }
        if self.server_cpu_seconds is not None and r["requests"]:
            figures["server_cpu_ms_per_request"] = round(
                self.server_cpu_seconds * 1000 / r["requests"], 3
            )
        return figures


def kpiledger_command() -> list[str]:
    """The `kpiledger` console script of the running interpreter's environment."""
    script = Path(sys.executable).parent / "kpiledger"
    if script.exists():
        return [str(script)]
    found = shutil.which("kpiledger")
    if not found:
        raise SystemExit("kpiledger is not installed in this environment (run `make` first)")
    return [found]


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


def stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def process_cpu_seconds(pid: int) -> float | None:
    """Another running process's user + system CPU seconds so far (Linux), None when unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_arguments(description: str, default_seconds: int) -> argparse.ArgumentParser:
    """The options of a load benchmark: `--seconds` (each measurement window; default
    $KPILEDGER_LOAD_SECONDS or `default_seconds`) and `--connections` (1,8,32)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--seconds",
        type=int,
        default=int(os.environ.get("KPILEDGER_LOAD_SECONDS", str(default_seconds))),
        help=f"length of each measurement window (default: $KPILEDGER_LOAD_SECONDS or"
        f" {default_seconds})",
    )
    parser.add_argument(
        "--connections",
        type=lambda s: [int(n) for n in s.split(",")],
        default=[1, 8, 32],
        help="comma-separated concurrent connections (default 1,8,32)",
    )
    return parser


def run_wrk(
    port: int, paths: list[str], connections: int, seconds: int, server: int | None = None
) -> Window:
    """wrk for `seconds` at `connections` connections, cycling through `paths`
    (load_report.lua); with the server's process id, the CPU time it spent meanwhile."""
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
    cpu = None if server is None else process_cpu_seconds(server)
    start = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
    end = time.monotonic()
    if cpu is not None and server is not None:
        after = process_cpu_seconds(server)
        cpu = None if after is None else after - cpu
    for line in done.stdout.splitlines():
        if line.startswith("LOAD_RESULT "):
            return Window(json.loads(line.removeprefix("LOAD_RESULT ")), start, end, cpu)
    raise SystemExit(f"wrk printed no LOAD_RESULT line:\n{done.stdout}\n{done.stderr}")


# --- a page rendered through Django's test client (pages.py, field_pages.py) ----------------


def render_timing(
    client: Any, url: str, *, times: int = 5, warm: bool = False
) -> tuple[float, int]:
    """(median seconds, SQL queries) of `url` rendered `times` times through Django's test
    client (no server, no page cache); `warm`: once more first, not counted."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if warm:
        client.get(url, HTTP_HOST=HOST)
    spent = []
    for _ in range(times):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url, HTTP_HOST=HOST)
            spent.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(spent), len(queries)
