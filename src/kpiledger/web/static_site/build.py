"""The whole run of `kpiledger publish`: organizations split across worker processes, the
national pages, the static files, the national CSV files and data package, then the folder
renamed into place.

Each worker is a forked process with its own database connection (the parent closes its
connections before forking); it takes organizations in chunks (in code order), writes their
pages and files straight into the folder being built, and writes its chunk's rows of the
national CSV files to a part file; the parent meanwhile renders the pages above one
organization, then joins the parts in chunk order, so the files are the same however the work
was shared. Time and memory grow with the number of KPIs: nothing national is held in memory.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import io
import json
import multiprocessing
import resource
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connections
from django.db.models import Count
from django.urls import reverse
from django.utils import translation

from kpiledger.core.errors import KpiledgerError
from kpiledger.io.writers import national as national_data
from kpiledger.io.writers.opendata import ENCODING
from kpiledger.web.forking import frozen_heap
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger import presenters
from kpiledger.web.ledger.services import reports
from kpiledger.web.ledger.services.db_statistics import refresh_stale_statistics
from kpiledger.web.plain_locals import plain_locals
from kpiledger.web.static_site import api_files, national, output
from kpiledger.web.static_site.links import Locator, unlink_missing
from kpiledger.web.static_site.organization import Job, publish
from kpiledger.web.static_site.pages import Counts, SiteWriter

STATIC_INCLUDE = ("ledger/",)  # the static files the public pages use
PARTS = ".parts"
CHUNK_KPIS = 400  # about this many KPIs per task of a worker
PART_FILES = (national_data.PROJECTS, national_data.KPIS, national_data.OBSERVATIONS)
#: The cyclic garbage collector's first threshold while publishing (Python's: 700 new
#: objects). Rendering a page makes thousands of short-lived objects, nearly none in cycles:
#: collecting every 700 spends a few percent of the time finding nothing.
COLLECT_EVERY = 20_000


@dataclass(frozen=True)
class Options:
    target: Path
    org: str | None = None  # one organization's code; None: all
    workers: int = 2
    languages: tuple[str, ...] = ("ja",)
    force: bool = False


@dataclass
class Summary:
    target: Path
    organizations: int
    counts: Counts
    seconds: float = 0.0
    peak_mb: float = 0.0  # this process
    worker_peak_mb: float = 0.0  # the largest worker
    workers: int = 1
    national_pages: list[str] = field(default_factory=list)

    @property
    def ms_per_kpi(self) -> float:
        return self.seconds * 1000 / self.counts.kpis if self.counts.kpis else 0.0


Progress = Callable[[int, int], None]  # (KPIs done, KPIs in all)


def jobs_for(org_code: str | None) -> list[Job]:
    """The organizations with a public report (or the one asked for), in code order."""
    years: dict[int, set[int]] = {}
    for org_id, year in reports.report_year_pairs():
        years.setdefault(org_id, set()).add(year)
    if org_code is not None:
        org = reports.organization_of(org_code)
        reports.report_year(org, None)  # `year-not-in-ledger` when it has no report
        orgs = [org]
    else:
        orgs = list(m.Organization.objects.filter(pk__in=years).order_by("code"))
    return [Job(o.pk, o.code, tuple(sorted(years[o.pk], reverse=True))) for o in orgs]


def kpi_counts() -> dict[int, int]:
    """Organization id → its published KPI rows (all report years). One query."""
    rows = m.ReportedKpi.objects.values_list("kpi__project__organization")
    return dict(rows.order_by().annotate(n=Count("id")))


def chunks(jobs: list[Job], sizes: dict[int, int]) -> list[list[Job]]:
    """The jobs in code order, cut into tasks of about CHUNK_KPIS KPIs."""
    out: list[list[Job]] = [[]]
    total = 0
    for job in jobs:
        if total >= CHUNK_KPIS:
            out.append([])
            total = 0
        out[-1].append(job)
        total += sizes.get(job.org_id, 0)
    return [chunk for chunk in out if chunk]


def dropped_queries(jobs: list[Job]) -> frozenset[str]:
    """The query parameters that make no page of their own: `year` when the ledger has one
    report year (every page of that year is the page as first shown)."""
    return frozenset({"year"}) if len({y for job in jobs for y in job.years}) == 1 else frozenset()


def nothing_to_publish() -> KpiledgerError:
    return KpiledgerError.single(
        "nothing-to-publish",
        "台帳に公表された報告書がありません。先に kpiledger import で報告書を取り込んでください",
        "the ledger has no published report; import one first with kpiledger import",
    )


# --- the workers ------------------------------------------------------------------------------

#: The worker's own writer and threshold, set before the processes fork (each has a copy).
_worker: dict[str, object] = {}


def _run_task(arguments: tuple[int, list[Job]]) -> Counts:
    """Publish a chunk of organizations; their national rows go to the chunk's part files."""
    index, jobs = arguments
    site, nearly = _worker["site"], _worker["nearly"]
    assert isinstance(site, SiteWriter) and isinstance(nearly, Decimal)
    site.counts = Counts()
    rows: dict[str, list[list[str]]] = {name: [] for name in PART_FILES}
    for job in jobs:
        for name, found in publish(job, site, nearly).items():
            rows[name] += found
    for name, found in rows.items():
        part = site.root / PARTS / f"{index:06d}.{name}"
        with open(part, "w", encoding="utf-8", newline="") as out:
            csv.writer(out, lineterminator="\r\n").writerows(found)
    return site.counts


@contextlib.contextmanager
def _tasks_running(tasks: list[tuple[int, list[Job]]], workers: int) -> Iterator[Iterable[Counts]]:
    """The tasks started on `workers` forked processes (at once, so that this process can do
    other work meanwhile); yields their counts in task order. One worker: run here, lazily."""
    if workers <= 1 or len(tasks) <= 1:
        yield map(_run_task, tasks)
        return
    connections.close_all()  # each process opens its own
    with multiprocessing.get_context("fork").Pool(min(workers, len(tasks))) as pool:
        yield pool.imap(_run_task, tasks)


# --- the run ----------------------------------------------------------------------------------


def build(options: Options, progress: Progress | None = None) -> Summary:
    """Publish the site into `options.target` (see the package docstring)."""
    started = time.perf_counter()
    output.check_target(options.target, options.force)
    jobs = jobs_for(options.org)
    if not jobs:
        raise nothing_to_publish()
    refresh_stale_statistics()  # a long read: not with a planner guessing (see there)
    built = output.start(options.target)
    try:
        with _quick_run():
            summary = _build(options, jobs, built, progress)
        output.finish(built, options.target)
    except BaseException:
        output.discard(built)
        raise
    summary.seconds = time.perf_counter() - started
    summary.peak_mb = _peak_mb(resource.RUSAGE_SELF)
    summary.worker_peak_mb = _peak_mb(resource.RUSAGE_CHILDREN)
    return summary


@contextlib.contextmanager
def _quick_run() -> Iterator[None]:
    """Within the block, the garbage collector runs less often (`COLLECT_EVERY`), and the
    objects made so far (the app, its templates, the jobs) are left out of its searches
    (`forking.frozen_heap`); the active language and time zone are read from plain thread
    locals (`plain_locals`: publishing runs in one thread per process). As before afterwards."""
    threshold = gc.get_threshold()
    gc.set_threshold(max(COLLECT_EVERY, threshold[0]), *threshold[1:])
    try:
        with frozen_heap(), plain_locals():
            yield
    finally:
        gc.set_threshold(*threshold)


def _build(options: Options, jobs: list[Job], built: Path, progress: Progress | None) -> Summary:
    nearly, languages = settings.KPILEDGER_NEARLY, options.languages
    locator = Locator(languages[1:], dropped_queries(jobs))
    (built / PARTS).mkdir()
    sizes = kpi_counts()
    total = sum(sizes.get(job.org_id, 0) for job in jobs)
    tasks = list(enumerate(chunks(jobs, sizes)))
    summary = Summary(options.target, len(jobs), Counts(), workers=options.workers)
    _worker.update(site=SiteWriter(built, locator, languages), nearly=nearly)
    site = SiteWriter(built, locator, languages)  # this process's own pages
    with _tasks_running(tasks, options.workers) as results:
        copy_static(site)
        if options.org is None:
            summary.national_pages = national.publish(site)
        else:
            home_of_one(site, jobs[0])
        for counts in results:
            summary.counts.add(counts)
            if progress is not None:
                progress(summary.counts.kpis, total)
    national_files(site, jobs, len(tasks), nearly, summary.counts.reports)
    shutil.rmtree(built / PARTS)
    if options.org is not None:
        unlink_missing(built)  # the comparison pages and other organizations are not here
    summary.counts.add(site.counts)
    return summary


def copy_static(site: SiteWriter) -> None:
    """The static files of the public pages, found as the server finds them, into static/."""
    seen = set()
    for finder in finders.get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            if path in seen or not path.startswith(STATIC_INCLUDE):
                continue
            seen.add(path)
            with storage.open(path) as source:
                site.write(f"static/{path}", source.read())


def home_of_one(site: SiteWriter, job: Job) -> None:
    """The home page of a site of one organization: it alone in the list."""
    org = m.Organization.objects.get(pk=job.org_id)
    rows = presenters.home_rows([org], [(org.pk, year) for year in job.years])
    for language in site.languages:
        with translation.override(language):
            site.render("ledger/home.html", {"rows": rows}, reverse("ledger:home"))


def national_files(
    site: SiteWriter, jobs: list[Job], parts: int, nearly: Decimal, report_count: int
) -> None:
    """data/*.csv (the workers' parts joined in order) and datapackage.json; the API's list of
    organizations."""
    orgs = m.Organization.objects.in_bulk([job.org_id for job in jobs])
    pairs = [(orgs[job.org_id], list(job.years)) for job in jobs]
    for name, data in api_files.organizations_file(pairs).items():
        site.write(name, data)
    folder = national_data.FOLDER
    organizations = [
        national_data.organization_row(
            o.code, o.name, o.prefecture, o.kana, o.kind, o.population, years
        )
        for o, years in pairs
    ]
    site.write(
        f"{folder}/{national_data.ORGANIZATIONS}", _csv(national_data.ORGANIZATIONS, organizations)
    )
    for name in PART_FILES:
        _join_parts(site, name, parts)
    descriptor = national_data.descriptor(nearly, len(jobs), report_count)
    text = json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"
    site.write("datapackage.json", text.encode("utf-8"))


def _csv(name: str, rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(national_data.HEADERS[name])
    writer.writerows(rows)
    return out.getvalue().encode(ENCODING)


def _join_parts(site: SiteWriter, name: str, parts: int) -> None:
    target = site.root / national_data.FOLDER / name
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as out:
        out.write(_csv(name, []))
        for index in range(parts):
            with open(site.root / PARTS / f"{index:06d}.{name}", "rb") as part:
                shutil.copyfileobj(part, out, 1 << 20)
        site.counts.bytes += out.tell()
    site.counts.files += 1


def _peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux
