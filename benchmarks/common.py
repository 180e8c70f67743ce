"""What the benchmarks share: which store they run on, a throwaway PostgreSQL database, the
results file of each (benchmarks/results/<name>-<sqlite|postgresql>.json) and peak memory.

The store is PostgreSQL when KPILEDGER_DATABASE_URL (or DATABASE_URL) is set, else SQLite in
KPILEDGER_DATA_DIR. `make bench` (benchmarks/bench.py) runs every benchmark once per store.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import resource
import time
from collections.abc import Iterator
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
    import subprocess
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
