"""Benchmark: the yearly cycle on a synthetic 1,000-KPI organization (`KPILEDGER_BENCH_COPIES`,
default 42 copies of the reference → 1,008 KPIs in 294 projects) and on the reference (24
KPIs): opening R6 from R5 (every KPI's target extended), rendering the staff pages a planning
admin uses (entry, money, the year's hub, one project's evaluation), saving every KPI's R6
actual in one submission, saving every project's money, submitting and approving every project,
and publishing the year. Each step is timed once (they change the ledger), pages as the median
of 3 renders with their SQL query count. Figures are printed and written as JSON to
benchmarks/results/cycle-<store>.json."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

os.environ["KPILEDGER_DATA_DIR"] = tempfile.mkdtemp(prefix="kpiledger-bench-")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import peak_rss_mb, write_results
from benchmarks.pages import load
from benchmarks.run import synthetic
from kpiledger.web import setup

COPIES = int(os.environ.get("KPILEDGER_BENCH_COPIES", "42"))
R5, R6 = 2023, 2024


def timed(fn: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def page(client: Any, url: str) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url, HTTP_HOST="127.0.0.1")
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times), len(queries)


def cycle(code: str) -> dict[str, float | int]:
    from django.contrib.auth.models import User
    from django.test import Client
    from django.urls import reverse

    from kpiledger.web.ledger import models as m
    from kpiledger.web.ledger.services import entry, money, workflow, years

    org = m.Organization.objects.get(code=code)
    admin = User.objects.create_user(f"kikaku-{code}")
    m.Membership.objects.create(user=admin, organization=org, role=m.Role.PLANNING_ADMIN)
    kpis = list(m.Kpi.objects.filter(project__organization=org))
    projects = list(org.projects.all())
    row: dict[str, float | int] = {"kpis": len(kpis), "projects": len(projects)}

    def say(name: str, seconds: float, extra: str = "") -> None:
        row[f"{name}_s"] = round(seconds, 4)
        print(f"{code} ({len(kpis):4d} KPIs) {name:18s} {seconds * 1000:9.1f} ms {extra}")

    extend = {k.pk: (k.target, 2025, 3) for k in kpis}
    seconds, _ = timed(lambda: years.open_year(admin, org, R6, extend=extend))
    say("open_year", seconds)

    client = Client()
    client.force_login(admin)
    urls = {
        "entry_page": reverse("ledger:staff_entry", args=[code, R6]),
        "money_page": reverse("ledger:staff_money", args=[code, R6]),
        "hub_page": reverse("ledger:staff_year", args=[code, R6]),
        "evaluation_page": reverse("ledger:staff_evaluation", args=[code, R6, projects[0].pk]),
    }
    for name, url in urls.items():
        seconds, queries = page(client, url)
        row[f"{name}_queries"] = queries
        say(name, seconds, f"{queries} queries")

    rows = [
        entry.Entry(k.pk, entry.Typed(Decimal(100 + i), ""), "", entry.NEW)
        for i, k in enumerate(kpis)
    ]
    seconds, saved = timed(lambda: entry.save_entries(admin, org, R6, rows))
    assert len(saved.changed) == len(kpis)
    say("save_all_actuals", seconds)

    tokens = {p.pk: money.token(None) for p in projects}
    amounts = ("12000万円", "6,000万円", "118,500千円")
    money_rows = [(p.pk, *amounts, "", tokens[p.pk]) for p in projects]
    seconds, _ = timed(lambda: money.save_money(admin, org, R6, money_rows))
    say("save_all_money", seconds)

    def submit_and_approve() -> None:
        for project in projects:
            workflow.submit(admin, project, R6)
            workflow.approve(admin, project, R6)

    seconds, _ = timed(submit_and_approve)
    say("submit_approve_all", seconds)
    seconds, _ = timed(lambda: workflow.publish(admin, org, R6))
    say("publish", seconds)
    published = m.ReportedKpi.objects.filter(fiscal_year=R6, kpi__project__organization=org)
    assert published.count() == len(kpis)
    seconds, queries = page(client, reverse("ledger:report", args=[code, R6]))
    row["report_page_queries"] = queries
    say("report_page_r6", seconds, f"{queries} queries")
    return row


def main() -> int:
    setup()
    from django.core.management import call_command

    from kpiledger.cli.main import reference_report_path

    call_command("migrate", verbosity=0)
    load("012068", "釧路市", reference_report_path().read_bytes())
    load("011002", "札幌市（合成）", synthetic(COPIES).encode())
    figures: dict[str, object] = {code: cycle(code) for code in ("012068", "011002")}
    figures["peak_rss_mb"] = peak_rss_mb()
    write_results("cycle", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
