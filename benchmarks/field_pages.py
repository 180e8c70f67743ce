"""Benchmark: the category comparison pages (/fields/, /field/<field>/, its CSV) at national
size — 1,741 organizations × 24 stored judgements (`KPILEDGER_BENCH_ORGS`,
`KPILEDGER_BENCH_KPIS`), all of one field (the worst case: a page reads every judgement of its
field and year) — written in bulk. Prints each page's median time and its SQL queries, written to
benchmarks/results/field_pages-<store>.json.

    .venv/bin/python benchmarks/field_pages.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

os.environ["KPILEDGER_DATA_DIR"] = tempfile.mkdtemp(prefix="kpiledger-bench-")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import peak_rss_mb, render_timing, write_results
from kpiledger.web import setup

ORGANIZATIONS = int(os.environ.get("KPILEDGER_BENCH_ORGS", "1741"))
KPIS = int(os.environ.get("KPILEDGER_BENCH_KPIS", "24"))
YEAR = 2023


def national_ledger(organizations: int, per_organization: int) -> None:
    """`organizations` municipalities with `per_organization` tourism judgements each, written
    in bulk (rates spread over 0–149.9 %, every seventh KPI not yet due)."""
    from django.utils import timezone

    from kpiledger.core.orgcode import local_governments
    from kpiledger.web.ledger import models as m

    table = local_governments()
    codes = sorted(c for c, g in table.items() if g.is_municipality)[:organizations]
    orgs = m.Organization.objects.bulk_create(
        m.Organization(
            code=c,
            name=table[c].name,
            prefecture=table[c].prefecture,
            kind=table[c].kind.value,
            population=(i * 7919) % 900_000 + 800,
        )
        for i, c in enumerate(codes)
    )
    m.FiscalYear.objects.bulk_create(
        m.FiscalYear(organization=o, year=YEAR, published_at=timezone.now()) for o in orgs
    )
    projects = m.Project.objects.bulk_create(
        m.Project(organization=o, name="事業", section="対象事業") for o in orgs
    )
    kpis = m.Kpi.objects.bulk_create(
        (
            m.Kpi(project=p, indicator=f"指標{i}", unit="人", target=Decimal(100), position=i)
            for p in projects
            for i in range(per_organization)
        ),
        batch_size=2000,
    )
    rows = []
    for n, kpi in enumerate(kpis):
        project = projects[n // per_organization]
        rate = Decimal(n * 37 % 1500) / 10
        status = (
            "not_due"
            if n % 7 == 0
            else (
                "achieved" if rate >= 100 else "nearly_achieved" if rate >= 80 else "not_achieved"
            )
        )
        rows.append(
            m.Judgement(
                kpi=kpi,
                organization=project.organization,
                project=project,
                fiscal_year=YEAR,
                position=n % per_organization,
                status=status,
                rate=rate,
                goal="flow",
                field="tourism",
                nearly=Decimal(80),
                record={},
            )
        )
    m.Judgement.objects.bulk_create(rows, batch_size=2000)


def main() -> int:
    setup()
    from django.core.management import call_command
    from django.test import Client

    from kpiledger.core.categories import Field
    from kpiledger.web.ledger import models as m
    from kpiledger.web.ledger.services import comparison

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    national_ledger(ORGANIZATIONS, KPIS)
    print(
        f"ledger: {m.Organization.objects.count()} organizations, "
        f"{m.Judgement.objects.count()} judgements written in {time.perf_counter() - start:.1f} s"
    )
    code = m.Organization.objects.order_by("code").values_list("code", flat=True)[100]
    client = Client()
    figures: dict[str, float | int] = {"organizations": ORGANIZATIONS, "kpis_each": KPIS}
    pages = {
        "fields index": "/fields/",
        "field page": "/field/tourism/",
        "field page ?org=": f"/field/tourism/?org={code}",
        "field page sorted, p.20": "/field/tourism/?sort=-median&page=20",
        "organizations CSV": "/field/tourism/csv/organizations/",
    }
    for name, url in pages.items():
        seconds, queries = render_timing(client, url, warm=True)
        key = name.replace(" ", "_").replace("?org=", "org").replace(",", "").replace(".", "")
        figures[f"{key}_ms"], figures[f"{key}_queries"] = round(seconds * 1000, 2), queries
        print(f"{name:24s} {seconds * 1000:8.1f} ms {queries:3d} queries")
    times = []
    for _ in range(5):
        started = time.perf_counter()
        comparison.compare_field(Field.TOURISM, YEAR, Decimal(80), [YEAR])
        times.append(time.perf_counter() - started)
    print(f"{'compare_field (service)':24s} {statistics.median(times) * 1000:8.1f} ms")
    figures["compare_field_ms"] = round(statistics.median(times) * 1000, 2)
    figures["peak_rss_mb"] = peak_rss_mb()
    write_results("field_pages", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
