"""`make bench`: every benchmark, on SQLite and then on PostgreSQL, and one table of the figures
against their targets (docs/benchmarks.md).

For each store a national ledger is built by importing the national report files (the
`kpiledger demo-data --national --seed 1` folder: the one in the data directory when it is
there, else one made here with `--no-ledger`) — which is itself the import benchmark — and
the national benchmarks run on it: judging (`judge_national.py`), the server under load
(`load_national.py`) and `publish --all` (`publish_all.py`). The smaller benchmarks then run
each on a ledger of its own. Each writes benchmarks/results/<name>-<store>.json; the table at
the end (also benchmarks/results/summary.json) is read from those files.

PostgreSQL: the server of KPILEDGER_BENCH_POSTGRES (`postgres://user@host:port/db`, a user who
may create databases; the benchmarks make their own databases there and drop them), else a
throwaway cluster started here when Debian's PostgreSQL server is installed (as `.ci/run`
does), else skipped with a note.

    .venv/bin/python benchmarks/bench.py [--stores sqlite,postgresql] [--only NAME,…]
        [--files DIR] [--summary]

`--only` runs the benchmarks named (e.g. `import_national,judge_national`; a national one
needs the national ledger, so `import_national` is always run first); `--summary` prints the
table of the results already written. KPILEDGER_LOAD_SECONDS sets the load windows (default
5 s); KPILEDGER_BENCH_TIMEOUT stops a benchmark that runs longer (default 600 s). Exit
status: 0 when every benchmark ran (a target missed is a figure, not a failure), 1 otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
PYTHON = sys.executable
KPILEDGER = str(Path(sys.executable).parent / "kpiledger")
STORES = ("sqlite", "postgresql")
SYSTEM_TMP = tempfile.gettempdir()  # before main() points TMPDIR into its own folder
URL_VARIABLES = ("KPILEDGER_DATABASE_URL", "DATABASE_URL")

#: On the national ledger, in this order (import_national builds it).
NATIONAL = ("import_national", "judge_national", "load_national", "publish_all")
#: On a ledger of their own (a fresh database on PostgreSQL).
OWN_LEDGER = ("import_ledger", "pages", "exports", "cycle", "field_pages", "load")
#: No ledger at all: run once, with the first store.
NO_LEDGER = ("run", "readers")
ARGUMENTS = {"load": ["--seconds", "3"]}
#: Settings of some benchmarks for `make bench` (a PDF of 1,000 KPIs takes a minute: once).
SETTINGS = {"exports": {"KPILEDGER_BENCH_REPEAT": "1"}}
#: Seconds a benchmark may run before it is stopped (and reported as failed).
TIMEOUT = float(os.environ.get("KPILEDGER_BENCH_TIMEOUT", "600"))


# --- the targets ----------------------------------------------------------------------------


@dataclass
class Check:
    """One figure of one benchmark's results against its target (None: shown, no target)."""

    benchmark: str
    label: str
    keys: tuple[str, ...]  # a path in the results; the first key found of alternatives "a|b"
    target: float | None
    unit: str


def _load_checks() -> list[Check]:
    checks = []
    for page in ("report", "nation", "pref", "field"):
        checks.append(
            Check(
                "load_national",
                f"{page} page p99 at 32 clients",
                ("pages", page, "clients", "32", "p99_ms"),
                50,
                "ms",
            )
        )
        checks.append(
            Check(
                "load_national",
                f"{page} page req/s at 32 clients",
                ("pages", page, "clients", "32", "requests_per_second"),
                None,
                "/s",
            )
        )
        checks.append(
            Check(
                "load_national",
                f"{page} page rendered afresh",
                ("pages", page, "render_ms"),
                None,
                "ms",
            )
        )
    return checks


CHECKS = [
    Check("import_national", "import, per 1,741 files", ("seconds_per_1741",), 10, "s"),
    Check("import_national", "import peak memory", ("peak_rss_mb",), 500, "MB"),
    Check("import_national", "re-import (unchanged)", ("reimport_seconds",), None, "s"),
    Check("judge_national", "judging, 1 process", ("judge_seconds",), 1, "s"),
    Check("judge_national", "judging, all cores", ("judge_parallel_seconds",), 1, "s"),
    Check("judge_national", "judging peak memory", ("judge_peak_mb",), 500, "MB"),
    Check("judge_national", "kpiledger rejudge", ("rejudge_seconds",), None, "s"),
    Check("judge_national", "rejudge peak memory", ("rejudge_peak_mb",), 500, "MB"),
    *_load_checks(),
    Check("load_national", "server peak memory", ("server_peak_mb",), 500, "MB"),
    Check("publish_all", "publish --all", ("seconds|publish_seconds",), 60, "s"),
    Check(
        "publish_all",
        "publish peak memory (all processes)",
        ("peak_mb_all_at_once|peak_rss_mb",),
        500,
        "MB",
    ),
]


# --- running ----------------------------------------------------------------------------------


@dataclass
class Outcome:
    name: str
    store: str
    seconds: float
    status: str  # ran, failed, skipped


@dataclass
class Run:
    outcomes: list[Outcome] = field(default_factory=list)

    def step(self, name: str, store: str, command: list[str], env: dict[str, str]) -> bool:
        print(f"\n=== {name} ({store}) " + "=" * max(0, 70 - len(name) - len(store)), flush=True)
        start = time.perf_counter()
        # A session of its own: on a timeout the benchmark and its workers are stopped together.
        process = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
        try:
            returncode = process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            _stop_group(process)
            returncode = None
        except BaseException:
            _stop_group(process)
            raise
        seconds = time.perf_counter() - start
        if returncode is None:
            status = f"failed (stopped after {TIMEOUT:.0f} s)"
        else:
            status = "ran" if returncode == 0 else f"failed ({returncode})"
        _name_by_store(name, store, since=time.time() - seconds)
        self.outcomes.append(Outcome(name, store, seconds, status))
        print(f"--- {name} ({store}): {status} in {seconds:.0f} s", flush=True)
        return returncode == 0

    def skip(self, name: str, store: str, why: str) -> None:
        print(f"\n=== {name} ({store}): skipped — {why}", flush=True)
        self.outcomes.append(Outcome(name, store, 0.0, f"skipped: {why}"))


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """Stop a benchmark started in a session of its own, with the processes it started."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _name_by_store(name: str, store: str, since: float) -> None:
    """A benchmark that writes results/<name>.json (publish_all.py): that file, written by
    this run, becomes results/<name>-<store>.json with the store named inside."""
    plain = RESULTS / f"{name}.json"
    if store not in STORES or not plain.exists() or plain.stat().st_mtime < since:
        return
    content = json.loads(plain.read_text(encoding="utf-8"))
    content.setdefault("store", store)
    target = RESULTS / f"{name}-{store}.json"
    target.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    plain.unlink()


def script(name: str) -> Path:
    return HERE / f"{name}.py"


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in URL_VARIABLES}
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("KPILEDGER_DATA_DIR", None)
    return env


def run_store(
    run: Run, store: str, server: str | None, files: Path, only: set[str] | None, tmp: Path
) -> None:
    env = base_env()
    env["KPILEDGER_DATA_DIR"] = str(tmp / f"{store}-national")
    wanted = [n for n in NATIONAL if only is None or n in only]
    if wanted:
        with database(server, "kpiledger_bench_national") as url:
            if url:
                env["KPILEDGER_DATABASE_URL"] = url
            importing = [script("import_national"), "--from", str(files), "--keep"]
            following = [name for name in wanted if name != "import_national"]
            if run.step("import_national", store, [PYTHON, *map(str, importing)], env):
                for name in following:
                    if not script(name).exists():
                        run.skip(name, store, f"{script(name).relative_to(ROOT)} is not there")
                        continue
                    command = [PYTHON, str(script(name)), *ARGUMENTS.get(name, [])]
                    run.step(name, store, command, env)
            else:
                for name in following:
                    run.skip(name, store, "the national ledger could not be built")
        shutil.rmtree(tmp / f"{store}-national", ignore_errors=True)
    for name in OWN_LEDGER:
        if only is not None and name not in only:
            continue
        own = base_env() | SETTINGS.get(name, {})
        with database(server, f"kpiledger_bench_{name}") as url:
            if url:
                own["KPILEDGER_DATABASE_URL"] = url
            run.step(name, store, [PYTHON, str(script(name)), *ARGUMENTS.get(name, [])], own)


@contextlib.contextmanager
def database(server: str | None, name: str) -> Iterator[str | None]:
    """A fresh database on the PostgreSQL server (its URL), dropped at the end; None on
    SQLite."""
    if server is None:
        yield None
        return
    import psycopg

    parts = urlparse(server)
    admin = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunparse(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- the national report files ------------------------------------------------------------------


def national_files(given: Path | None, tmp: Path, run: Run) -> Path | None:
    """The folder of the national report files: the one given, else the one `kpiledger
    demo-data --national --seed 1` wrote in the data directory, else one made here."""
    if given is not None:
        return given
    data = os.environ.get("KPILEDGER_DATA_DIR") or str(
        Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "kpiledger"
    )
    found = Path(data).expanduser() / "demo-data" / "national-seed1"
    if (found / "manifest.csv").exists():
        print(f"national report files: {found}")
        return found
    made = tmp / "national-seed1"
    command = [KPILEDGER, "demo-data", "--national", "--seed", "1", "--no-ledger"]
    command += ["--formats", "none", "-o", str(made)]
    env = base_env() | {"KPILEDGER_DATA_DIR": str(tmp / "files-data")}
    if not run.step("demo-data files", "-", command, env):
        return None
    return made


# --- PostgreSQL -------------------------------------------------------------------------------


@contextlib.contextmanager
def postgres_server() -> Iterator[tuple[str | None, str]]:
    """(URL of a server the benchmarks may create databases on, how it was found), or
    (None, why not)."""
    given = os.environ.get("KPILEDGER_BENCH_POSTGRES")
    if given:
        yield given, "KPILEDGER_BENCH_POSTGRES"
        return
    initdb = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb")) or [shutil.which("initdb")]
    if not initdb[-1]:
        yield (
            None,
            (
                "no server: set KPILEDGER_BENCH_POSTGRES=postgres://user@host:port/db or install"
                " Debian's postgresql"
            ),
        )
        return
    with throwaway_cluster(Path(initdb[-1]).parent) as url:
        yield url, "a throwaway cluster started here"


@contextlib.contextmanager
def throwaway_cluster(bin_dir: Path) -> Iterator[str]:
    """A PostgreSQL cluster in a temporary folder on 127.0.0.1 (as `.ci/run` starts one),
    stopped and removed at the end. As root it runs as the `postgres` user."""
    folder = Path(tempfile.mkdtemp(prefix="kpiledger-bench-pg-", dir=SYSTEM_TMP))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    as_root = os.geteuid() == 0
    if as_root:
        shutil.chown(folder, "postgres")

    def pg(*command: str) -> None:
        line = " ".join(command)
        full = ["su", "postgres", "-c", line] if as_root else ["sh", "-c", line]
        subprocess.run(full, check=True, stdout=subprocess.DEVNULL)

    pg(str(bin_dir / "initdb"), "-D", f"{folder}/data", "-A", "trust", "-U", "postgres")
    options = f"'-k {folder} -h 127.0.0.1 -p {port}'"
    pg(str(bin_dir / "pg_ctl"), "-D", f"{folder}/data", "-o", options, "-l", f"{folder}/log", "-w",
       "start")  # fmt: skip
    try:
        yield f"postgres://postgres@127.0.0.1:{port}/postgres"
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            pg(str(bin_dir / "pg_ctl"), "-D", f"{folder}/data", "-m", "fast", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


# --- the summary ------------------------------------------------------------------------------


def read_results(name: str, store: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}-{store}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    except (OSError, ValueError):
        return None


def value_of(results: dict[str, Any] | None, keys: tuple[str, ...]) -> float | None:
    node: Any = results
    for key in keys:
        if not isinstance(node, dict):
            return None
        node = next((node[k] for k in key.split("|") if k in node), None)
    return float(node) if isinstance(node, int | float) else None


def summary(stores: list[str]) -> dict[str, Any]:
    """The figures against their targets, printed as one table; returned for summary.json."""
    rows = []
    for check in CHECKS:
        cells = {}
        for store in stores:
            value = value_of(read_results(check.benchmark, store), check.keys)
            verdict = "-"
            if value is not None and check.target is not None:
                verdict = "PASS" if value <= check.target else "MISS"
            elif value is None and check.target is not None:
                verdict = "n/a"
            cells[store] = {"value": value, "verdict": verdict}
        rows.append({"check": check, "cells": cells})
    width = max(len(c.label) for c in CHECKS)
    head = f"{'benchmark':<16} {'figure':<{width}} {'target':>9}"
    head += "".join(f" {store:>17}" for store in stores)
    print("\n" + head + "\n" + "-" * len(head))
    for row in rows:
        check = row["check"]
        target = f"≤ {check.target:g} {check.unit}" if check.target is not None else ""
        line = f"{check.benchmark:<16} {check.label:<{width}} {target:>9}"
        for store in stores:
            cell = row["cells"][store]
            shown = "—" if cell["value"] is None else f"{cell['value']:,.1f} {check.unit}"
            mark = cell["verdict"] if cell["verdict"] != "-" else ""
            line += f" {shown:>12} {mark:>4}"
        print(line)
    loads = {
        store: (read_results("import_national", store) or {}).get("load_average")
        for store in stores
    }
    print(f"\nload average (1, 5, 15 min) when each store's import started: {loads}")
    return {
        "stores": stores,
        "rows": [
            {
                "benchmark": r["check"].benchmark,
                "figure": r["check"].label,
                "target": r["check"].target,
                "unit": r["check"].unit,
                **{store: r["cells"][store] for store in stores},
            }
            for r in rows
        ],
    }


# --- main -------------------------------------------------------------------------------------


def options(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--stores",
        type=lambda s: [x for x in s.split(",") if x],
        default=os.environ.get("KPILEDGER_BENCH_STORES", ",".join(STORES)).split(","),
    )
    parser.add_argument("--only", type=lambda s: {x for x in s.split(",") if x}, default=None)
    parser.add_argument("--files", type=Path, default=None)
    parser.add_argument("--summary", action="store_true")
    args = parser.parse_args(argv)
    unknown = set(args.stores) - set(STORES)
    if unknown:
        parser.error(f"unknown store(s): {', '.join(sorted(unknown))}")
    known = set(NATIONAL + OWN_LEDGER + NO_LEDGER)
    if args.only is not None and args.only - known:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(args.only - known))}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = options(argv)
    if args.summary:
        summary(args.stores)
        return 0
    started = time.perf_counter()
    run = Run()
    stores_done: list[str] = []
    with tempfile.TemporaryDirectory(prefix="kpiledger-bench-") as folder:
        tmp = Path(folder)
        # The benchmarks' own temporary ledgers and files: removed with this folder at the end.
        (tmp / "tmp").mkdir()
        os.environ["TMPDIR"] = str(tmp / "tmp")
        national = args.only is None or bool(args.only & set(NATIONAL))
        files = national_files(args.files, tmp, run) if national else None
        if national and files is None:
            print("the national report files could not be made: national benchmarks skipped")
        first = True
        for store in args.stores:
            with contextlib.ExitStack() as stack:
                server = None
                if store == "postgresql":
                    server, how = stack.enter_context(postgres_server())
                    if server is None:
                        print(f"\nPostgreSQL skipped: {how}")
                        continue
                    print(f"\nPostgreSQL: {how}")
                only = args.only
                if files is None:
                    only = (only or set(OWN_LEDGER)) - set(NATIONAL)
                run_store(run, store, server, files or tmp, only, tmp)
                if first:
                    for name in NO_LEDGER:
                        if args.only is None or name in args.only:
                            run.step(name, store, [PYTHON, str(script(name))], base_env())
                    first = False
                stores_done.append(store)
    figures = summary(stores_done)
    print("\nruns:")
    for outcome in run.outcomes:
        print(
            f"  {outcome.name:<16} {outcome.store:<10} {outcome.seconds:7.0f} s  {outcome.status}"
        )
    total = time.perf_counter() - started
    print(f"make bench: {total / 60:.1f} min")
    RESULTS.mkdir(exist_ok=True)
    figures["runs"] = [vars(o) for o in run.outcomes]
    figures["minutes"] = round(total / 60, 1)
    (RESULTS / "summary.json").write_text(
        json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    failed = [o for o in run.outcomes if o.status.startswith("failed")]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
