"""Benchmark: `kpiledger publish --all` — the whole national ledger as a static site.

Builds (or reuses) a national ledger in KPILEDGER_DATA_DIR (default: a folder kept in the
temporary directory, so a second run reuses it): `kpiledger demo-data --national --seed 1`,
1,788 organizations and about 45,000 KPIs (benchmarks/national_ledger.py). Then publishes every
organization's pages, the comparison pages and the data files, in both languages, into a new
folder, in this process as the command does (`static_site.build`), and prints the seconds,
ms per KPI, pages, files, MB, the CPU time of this process and its workers, and the peak
memory: this process, the largest worker, and the largest sum over this process and its workers
at one time (proportional set size, sampled every 0.2 s). Written as JSON to
benchmarks/results/publish_all.json. Target (issue 11, item 7): ≤ 60 s for ~50,000 KPIs
(≤ 1.2 ms per KPI), peak memory ≤ 500 MB.

    .venv/bin/python benchmarks/publish_all.py [--organizations N] [--workers W]
        [--no-english] [--keep DIR]

On PostgreSQL (KPILEDGER_DATABASE_URL or DATABASE_URL set) the ledger is that database's: it is
filled once by demo-data when it has fewer organizations than asked, and kept.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault(
    "KPILEDGER_DATA_DIR", str(Path(tempfile.gettempdir()) / "kpiledger-bench-national")
)
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "benchmarks" / "results" / "publish_all.json"
TARGET_SECONDS, TARGET_MS_PER_KPI, TARGET_MB = 60.0, 1.2, 500.0
URL_VARIABLES = ("KPILEDGER_DATABASE_URL", "DATABASE_URL")


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organizations", type=int, default=1788)
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--no-english", dest="english", action="store_false")
    parser.add_argument("--keep", metavar="DIR", help="publish into DIR and keep it")
    return parser.parse_args()


def main() -> int:
    args = options()
    Path(os.environ["KPILEDGER_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    from kpiledger.web import setup

    setup()
    from benchmarks.national_ledger import build as build_ledger
    from kpiledger.cli.database import prepare

    prepare()
    started = time.perf_counter()
    print(f"ledger: {build_ledger(args.organizations)} ({time.perf_counter() - started:.0f} s)")
    vendor = "postgresql" if any(os.environ.get(v) for v in URL_VARIABLES) else "sqlite"
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kpiledger-site-"))
    target = folder if args.keep else folder / "site"
    try:
        figures = publish(target, args.workers, args.english)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    figures = {"database": vendor, "cores": len(os.sched_getaffinity(0)), **figures}
    report(figures)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"written: {RESULTS}")
    return 0


def publish(target: Path, workers: int, english: bool) -> dict[str, object]:
    from kpiledger.web.static_site.build import Options, build

    languages = ("ja", "en") if english else ("ja",)
    sampler = PeakSampler()
    cpu = time.process_time()
    with sampler:
        summary = build(Options(target=target, workers=workers, languages=languages))
    cpu = time.process_time() - cpu
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    counts = summary.counts
    return {
        "organizations": summary.organizations,
        "reports": counts.reports,
        "kpis": counts.kpis,
        "languages": list(languages),
        "workers": summary.workers,
        "seconds": round(summary.seconds, 2),
        "ms_per_kpi": round(summary.ms_per_kpi, 3),
        "cpu_seconds": round(cpu + children.ru_utime + children.ru_stime, 1),
        "cpu_ms_per_kpi": round(
            (cpu + children.ru_utime + children.ru_stime) * 1000 / counts.kpis, 3
        ),
        "pages": counts.pages,
        "files": counts.files,
        "megabytes": round(counts.bytes / 1e6, 1),
        "peak_mb_parent": round(summary.peak_mb, 1),
        "peak_mb_largest_worker": round(summary.worker_peak_mb, 1),
        "peak_mb_all_at_once": round(sampler.peak_mb, 1),
        "load_average_1min_at_end": round(os.getloadavg()[0], 2),
    }


def report(figures: dict[str, object]) -> None:
    """Print the figures and whether the target is met (kept in `figures` as target_met)."""
    f = figures
    seconds, per_kpi = float(f["seconds"]), float(f["ms_per_kpi"])  # type: ignore[arg-type]
    peak = max(float(f["peak_mb_all_at_once"]), float(f["peak_mb_parent"]))  # type: ignore[arg-type]
    met = seconds <= TARGET_SECONDS and per_kpi <= TARGET_MS_PER_KPI and peak <= TARGET_MB
    f["target_met"] = met
    lines = (
        f"publish --all: {f['organizations']:,} organizations, {f['kpis']:,} KPIs,"
        f" {f['workers']} workers, {f['database']}",
        f"  {seconds:.1f} s, {per_kpi:.2f} ms/KPI"
        f" (CPU {f['cpu_seconds']} s, {f['cpu_ms_per_kpi']} ms/KPI over all processes)",
        f"  {f['pages']:,} pages, {f['files']:,} files, {f['megabytes']:,} MB",
        f"  peak memory: {peak:.0f} MB all processes at once"
        f" (parent {f['peak_mb_parent']} MB, largest worker {f['peak_mb_largest_worker']} MB)",
        f"  target ≤ {TARGET_SECONDS:.0f} s, ≤ {TARGET_MS_PER_KPI} ms/KPI, ≤ {TARGET_MB:.0f} MB:"
        f" {'met' if met else 'MISSED'} (load average {f['load_average_1min_at_end']})",
    )
    print("\n".join(lines))


class PeakSampler:
    """The largest sum of the proportional set sizes of this process and its children (the
    workers share the parent's pages until they write them), sampled every 0.2 s."""

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            pids = [os.getpid(), *_children(os.getpid())]
            self.peak_mb = max(self.peak_mb, sum(_pss_kb(pid) for pid in pids) / 1024)


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
