"""Benchmark: importing the national report files (parse, validate, write) with `import_files`.

The files: with `--from DIR`, a folder as `kpiledger demo-data --national` writes it (its
`reports/` and `manifest.csv`: 1,788 files, 45,447 KPIs, ten years of actuals each), taken as
`kpiledger import DIR --manifest DIR/manifest.csv` takes them; else N organization files
(default 1,741: every municipality) made here, each the reference report (24 KPIs, 7 projects)
under the organization's own name (釧路市 replaced by it), in one format, or with
`--source synthetic` the national synthetic dataset's reports (`kpiledger.io.synthetic`) in
that format. They are imported into a fresh ledger with `bulk.import_files`, then imported
again (all unchanged); it prints files/s, seconds, KPIs and peak memory, written as JSON to
benchmarks/results/import_national-<store>.json, with the CPU time of the writing process and of
the reading ones (on a machine shared with other work, CPU time says more than the wall clock).
Target (issue 11): ≤ 10 s for 1,741 files (`seconds_per_1741`), ≤ 500 MB.

    .venv/bin/python benchmarks/import_national.py [N] [--from DIR] [--keep]
        [--format txt|csv|csv-wide|json|xlsx] [--source reference|synthetic]
        [--workers W] [--baseline] [--no-reimport]

The ledger is a fresh one: a temporary SQLite data directory, or on PostgreSQL
(KPILEDGER_DATABASE_URL or DATABASE_URL set) a throwaway database on that server, dropped at
the end. `--keep` imports into the ledger the environment names instead (it must be empty) and
keeps it: `make bench` builds its national ledger so. `--baseline` also times the way it was
measured before (one process, file after file through the import service: read, plan, apply)
on another fresh ledger.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import database_url, peak_rss_mb, throwaway_database, write_results

NAME = "import_national"
MUNICIPALITIES = 1741  # the target is for this many files


def main() -> int:
    args = options()
    if args.keep:
        if not (os.environ.get("KPILEDGER_DATA_DIR") or database_url()):
            raise SystemExit("--keep: set KPILEDGER_DATA_DIR or KPILEDGER_DATABASE_URL")
        return run(args)
    folder = tempfile.mkdtemp(prefix="kpiledger-bench-")
    os.environ["KPILEDGER_DATA_DIR"] = folder
    try:
        with throwaway_database("kpiledger_bench_import"):
            return run(args)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="?", type=int, default=MUNICIPALITIES)
    parser.add_argument("--from", dest="folder", type=Path, default=None)
    parser.add_argument(
        "--format", choices=("txt", "csv", "csv-wide", "json", "xlsx"), default="txt"
    )
    parser.add_argument("--source", choices=("reference", "synthetic"), default="reference")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--baseline", action="store_true")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--no-reimport", dest="reimport", action="store_false")
    return parser.parse_args()


def run(args: argparse.Namespace) -> int:
    from kpiledger.web import setup

    setup()
    from django.core.management import call_command

    from kpiledger.web.ledger import models as m

    call_command("migrate", verbosity=0)
    if m.Organization.objects.exists():
        raise SystemExit("the ledger is not empty: --keep needs an empty one")
    start = time.perf_counter()
    if args.folder is not None:
        items = folder_files(args.folder)
        source, fmt = f"folder {args.folder}", "as found"
    else:
        folder = Path(tempfile.mkdtemp(prefix="kpiledger-national-files-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        items = make_files(folder, args.files, args.format, args.source)
        source, fmt = args.source, args.format
    made = time.perf_counter() - start
    size = sum(item.path.stat().st_size for item in items)
    print(f"{len(items):,} files ({source}, {fmt}, {size / 1e6:.1f} MB)"
          f" found or made in {made:.1f} s")  # fmt: skip
    figures: dict[str, object] = {"files": len(items), "format": fmt, "source": source}
    figures["megabytes"] = round(size / 1e6, 1)
    first = bulk_run(items, args.workers)
    figures |= first
    figures["seconds_per_1741"] = round(first["seconds"] * MUNICIPALITIES / len(items), 3)
    if args.reimport:
        again = bulk_run(items, args.workers, label="re-import (all unchanged)")
        figures["reimport_seconds"] = again["seconds"]
    if args.baseline:
        call_command("flush", interactive=False, verbosity=0)
        figures["baseline_seconds"] = baseline(items)
    figures["peak_rss_mb"] = peak_rss_mb()
    print(f"peak memory: {figures['peak_rss_mb']:.0f} MB (this process and its largest worker)")
    write_results(NAME, figures)
    return 0


def folder_files(folder: Path):  # type: ignore[no-untyped-def]
    """The report files of a `demo-data` folder with their organizations, as
    `kpiledger import FOLDER/reports --manifest FOLDER/manifest.csv` takes them (the folder
    itself, by the codes the files' names start with, when it has no manifest)."""
    from kpiledger.cli import import_many

    manifest_path = folder / "manifest.csv"
    reports = folder / "reports"
    manifest = import_many.read_manifest(manifest_path) if manifest_path.exists() else {}
    paths = import_many.collect([str(reports if reports.is_dir() else folder)])
    items, unassigned = import_many.assign(paths, None, None, manifest)
    if unassigned or not items:
        raise SystemExit(f"{folder}: {len(unassigned)} files without an organization, "
                         f"{len(items)} with one")  # fmt: skip
    return items


def bulk_run(items, workers: int | None, label: str = "import_files") -> dict[str, float]:  # type: ignore[no-untyped-def]
    from kpiledger.web.ledger import models as m
    from kpiledger.web.ledger.services.bulk import import_files

    cpu, children = time.process_time(), children_cpu()
    with judging_timed() as judging:
        summary = import_files(items, workers=workers)
    cpu, children = time.process_time() - cpu, children_cpu() - children
    assert summary.ok, [o.problems for o in summary.outcomes if not o.ok][:3]
    rate = len(items) / summary.seconds
    print(f"{label}: {summary.seconds:6.2f} s, {rate:6.1f} files/s, {summary.workers} workers;"
          f" imported {summary.imported:,}, unchanged {summary.unchanged:,},"
          f" {summary.kpis:,} KPIs written ({m.Kpi.objects.count():,} in the ledger)")  # fmt: skip
    print(f"  writing process: {cpu:6.2f} s CPU, of which rejudging {judging[0]:6.2f} s;"
          f" reading processes: {children:6.2f} s CPU")  # fmt: skip
    return {
        "seconds": round(summary.seconds, 3),
        "writer_cpu_seconds": round(cpu, 3),
        "workers_cpu_seconds": round(children, 3),
        "judging_seconds": round(judging[0], 3),
        "files_per_second": round(rate, 1),
        "workers": summary.workers,
        "kpis": summary.kpis,
        "observations": m.Observation.objects.count(),
    }


def children_cpu() -> float:
    """CPU seconds of this process's ended children (the reading processes, once their pool
    has shut down)."""
    import resource

    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


@contextlib.contextmanager
def judging_timed() -> Iterator[list[float]]:
    """The time spent storing judgements (services/judgements.py) during the block."""
    spent = [0.0]
    try:
        from kpiledger.web.ledger.services import judgements
    except ImportError:
        yield spent
        return
    real = judgements._flush

    def timed(*args, **kwargs):  # type: ignore[no-untyped-def]
        start = time.process_time()
        try:
            return real(*args, **kwargs)
        finally:
            spent[0] += time.process_time() - start

    judgements._flush = timed
    try:
        yield spent
    finally:
        judgements._flush = real


def baseline(items) -> float:  # type: ignore[no-untyped-def]
    """One process, file after file, through the import service (as measured before)."""
    from kpiledger.io.readers import read_report
    from kpiledger.web.ledger.services import importing

    start = time.perf_counter()
    for item in items:
        report = read_report(item.path)
        with importing.writing(item.code) as organization:
            content = item.path.read_bytes()
            plan = importing.plan_import(organization, report, content)
            importing.apply_import(plan, file_name=item.path.name, content=content)
    seconds = time.perf_counter() - start
    print(f"baseline (one process, file by file): {seconds:6.2f} s,"
          f" {len(items) / seconds:6.1f} files/s")  # fmt: skip
    return round(seconds, 3)


def make_files(folder: Path, count: int, fmt: str, source: str):  # type: ignore[no-untyped-def]
    from kpiledger.web.ledger.services.bulk import FileToImport

    if source == "synthetic":
        return _synthetic_files(folder, count, fmt)
    from kpiledger.core.orgcode import MUNICIPAL_KINDS, local_governments

    towns = [g for g in local_governments().values() if g.kind in MUNICIPAL_KINDS][:count]
    items = []
    for town in towns:
        path = folder / f"{town.code}_{town.name}.{fmt}"
        path.write_bytes(_reference_as(town.code, town.name, fmt))
        items.append(FileToImport(path, town.code))
    return items


def _reference_as(code: str, name: str, fmt: str) -> bytes:
    from kpiledger.cli.options import reference_report_path

    text = reference_report_path().read_text(encoding="utf-8").replace("釧路市", name)
    if fmt == "txt":
        return text.encode("utf-8")
    from kpiledger.core.evaluate import evaluate_report
    from kpiledger.io.readers import read_report_bytes
    from kpiledger.io.writers.formats import FORMATS
    from kpiledger.io.writers.opendata import Publisher

    result = evaluate_report(read_report_bytes(text.encode("utf-8"), "r.txt"))
    return FORMATS[fmt].render(result, Publisher(code, name))


def _synthetic_files(folder: Path, count: int, fmt: str):  # type: ignore[no-untyped-def]
    """The national synthetic dataset's reports (seed 1) of the first `count` municipalities."""
    from kpiledger.io import synthetic, synthetic_files
    from kpiledger.web.ledger.services.bulk import FileToImport

    if fmt == "txt":
        raise SystemExit("--source synthetic: choose --format csv-wide, csv, json or xlsx")
    items = []
    for org in synthetic.organizations(seed=1, municipalities=count)[:count]:
        path = folder / synthetic_files.file_name(org.code, fmt)
        path.write_bytes(synthetic_files.render(synthetic.judged_report(org, 1), org, fmt))
        items.append(FileToImport(path, org.code, org.name))
    return items


if __name__ == "__main__":
    sys.exit(main())
