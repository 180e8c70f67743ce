"""Benchmark: judging every KPI of the nation for one report year, and `kpiledger rejudge`.

On the national ledger of the environment (KPILEDGER_DATA_DIR, or KPILEDGER_DATABASE_URL /
DATABASE_URL; `kpiledger demo-data --national --seed 1` makes one, and so does this script
when the ledger is empty):

1. every organization's report of the latest public report year is read from the ledger as
   core `Report`s, the way the stored judgements are made (`judgements.Inputs`; timed apart,
   `load_seconds`);
2. **the pure core judging**: `evaluate_report` over all of them, in one process
   (`judge_seconds`) and split over one process per core (`judge_parallel_seconds`). Target
   (issue 11): ≤ 1 s;
3. `kpiledger rejudge` as a command (judging every public report year again and writing the
   stored judgements): its wall time and peak memory (`rejudge_seconds`, `rejudge_peak_mb`).

Figures are printed and written to benchmarks/results/judge_national-<store>.json. Peak
memory target ≤ 500 MB for each process.

    KPILEDGER_DATA_DIR=/path/to/national .venv/bin/python benchmarks/judge_national.py
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import cores, peak_rss_mb, run_measured, write_results

NAME = "judge_national"
KPILEDGER = Path(sys.executable).parent / "kpiledger"
REPORTS: list[object] = []  # the reports judged, inherited by the forked judging processes


def main() -> int:
    from kpiledger.web import setup

    setup()
    from django.conf import settings

    from benchmarks.national_ledger import build
    from kpiledger.cli.database import prepare
    from kpiledger.web.ledger import models as m

    prepare()
    print(build(1))  # a national ledger when the one given is empty
    year = latest_year()
    nearly = settings.KPILEDGER_NEARLY
    start = time.perf_counter()
    REPORTS[:] = national_reports(year)
    load = time.perf_counter() - start
    kpis = sum(len(r.kpis) for r in REPORTS)  # type: ignore[attr-defined]
    print(f"FY{year}: {len(REPORTS):,} organizations' reports, {kpis:,} KPIs read from the"
          f" ledger in {load:.2f} s")  # fmt: skip
    one, cpu = judge(range(len(REPORTS)), nearly)
    print(f"evaluate_report, 1 process:          {one:6.2f} s ({cpu:.2f} s CPU,"
          f" {one / kpis * 1e6:.0f} µs a KPI)")  # fmt: skip
    workers = cores()
    parallel = judge_parallel(workers, nearly)
    print(f"evaluate_report, {workers} processes:         {parallel:6.2f} s")
    figures: dict[str, object] = {
        "fiscal_year": year,
        "organizations": len(REPORTS),
        "kpis": kpis,
        "load_seconds": round(load, 3),
        "judge_seconds": round(one, 3),
        "judge_cpu_seconds": round(cpu, 3),
        "judge_parallel_seconds": round(parallel, 3),
        "judge_processes": workers,
        "judge_peak_mb": peak_rss_mb(children=False),
    }
    REPORTS.clear()
    figures |= rejudge()
    figures["judgements"] = m.Judgement.objects.count()
    print(f"peak memory: judging {figures['judge_peak_mb']:.0f} MB,"
          f" kpiledger rejudge {figures['rejudge_peak_mb']:.0f} MB")  # fmt: skip
    write_results(NAME, figures)
    return 0


def latest_year() -> int:
    from kpiledger.web.ledger.services import reports

    years = {year for _, year in reports.report_year_pairs()}
    if not years:
        raise SystemExit("the ledger has no public report")
    return max(years)


def national_reports(year: int) -> list[object]:
    """Every organization's report of `year` as core `Report`s (those with one), read as the
    stored judgements read them, 100 organizations at a time."""
    from kpiledger.web.ledger import models as m
    from kpiledger.web.ledger.services import judgements

    ids = list(m.Organization.objects.order_by("code").values_list("pk", flat=True))
    found = []
    for start in range(0, len(ids), judgements.CHUNK):
        chosen = {pk: [year] for pk in ids[start : start + judgements.CHUNK]}
        inputs = judgements.Inputs.read(chosen)
        for (org_id, fiscal_year), rows in inputs.rows.items():
            if rows:
                found.append(inputs.report(org_id, fiscal_year, rows)[0])
    return found


def judge(indexes: range, nearly: object) -> tuple[float, float]:
    """(wall, CPU) seconds of `evaluate_report` over REPORTS[indexes]."""
    from kpiledger.core.evaluate import evaluate_report

    wall, cpu = time.perf_counter(), time.process_time()
    for index in indexes:
        evaluate_report(REPORTS[index], nearly=nearly)  # type: ignore[arg-type]
    return time.perf_counter() - wall, time.process_time() - cpu


def _judge_slice(task: tuple[int, int, object]) -> float:
    start, step, nearly = task
    return judge(range(start, len(REPORTS), step), nearly)[0]


def judge_parallel(workers: int, nearly: object) -> float:
    """Wall seconds of judging REPORTS in `workers` forked processes (they inherit the reports;
    each judges every workers-th one)."""
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return judge(range(len(REPORTS)), nearly)[0]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pool.map(_judge_slice, [(0, 1, nearly)] * workers)  # started and warm
        start = time.perf_counter()
        pool.map(_judge_slice, [(i, workers, nearly) for i in range(workers)])
        return time.perf_counter() - start


def rejudge() -> dict[str, object]:
    """`kpiledger rejudge` on the same ledger: wall seconds and the command's peak memory."""
    from django.db import connections

    connections.close_all()
    run = run_measured([str(KPILEDGER), "rejudge"], os.environ.copy())
    if run["returncode"] != 0:
        raise SystemExit(f"kpiledger rejudge failed ({run['returncode']}):\n{run['output']}")
    print(f"kpiledger rejudge:                   {run['seconds']:6.2f} s"
          f" ({run['cpu_seconds']:.1f} s CPU)  {run['output'].strip()}")  # fmt: skip
    return {
        "rejudge_seconds": round(run["seconds"], 3),
        "rejudge_cpu_seconds": round(run["cpu_seconds"], 3),
        "rejudge_peak_mb": run["peak_mb"],
    }


if __name__ == "__main__":
    sys.exit(main())
