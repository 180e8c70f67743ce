"""The yearly cycle's staff pages run a fixed number of SQL queries whatever the size of the
organization: the reference (7 projects, 24 KPIs) and a generated one (40 projects, 200 KPIs),
each with R6 opened, every project's money entered and one project's evaluation recorded, are
served with the same count — for the planning admin (every project) and for a department
editor (one project of each). A page that asked the policy, the locks or the ledger once per
row would differ by hundreds (measured before the fix: the entry page ran 893 queries at 1,008
KPIs, the money page 596)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.tests import factories as f
from kpiledger.web.ledger.tests.test_pages import count_queries, large_report_text
from kpiledger.web.ledger.tests.yearly import open_year

pytestmark = pytest.mark.django_db

SMALL, LARGE, R6 = "012068", "011002", 2024


def prepared(code: str, name: str) -> m.Organization:
    organization = m.Organization.objects.get(code=code)
    open_year(organization, R6)
    for project in organization.projects.all():
        m.ProjectYear.objects.filter(project=project, fiscal_year=R6).update(
            total_cost=1000000, spent=900000, comment=f"{name}の確認"
        )
    first = organization.projects.order_by("position").first()
    assert first is not None
    m.Evaluation.objects.create(project=first, fiscal_year=R6, step="self", comment="概ね達成")
    admin = f.make_user(f"kikaku-{code}")
    f.make_member(admin, organization, m.Role.PLANNING_ADMIN)
    editor = f.make_user(f"tanto-{code}")
    f.make_member(editor, organization, m.Role.DEPARTMENT_EDITOR, projects=[first])
    return organization


@pytest.fixture
def two_sizes(tmp_path: Path) -> tuple[m.Organization, m.Organization]:
    f.import_reference()
    path = tmp_path / "large.txt"
    path.write_text(large_report_text(), encoding="utf-8")
    f.import_file(path, code=LARGE, name="札幌市")
    assert m.Kpi.objects.filter(project__organization__code=LARGE).count() == 200
    return prepared(SMALL, "釧路市"), prepared(LARGE, "札幌市")


def pages(organization: m.Organization) -> dict[str, str]:
    code = organization.code
    first = organization.projects.order_by("position").first()
    assert first is not None
    kpi = m.Kpi.objects.filter(project=first).first()
    assert kpi is not None
    return {
        "home": reverse("ledger:staff_home"),
        "years": reverse("ledger:staff_years", args=[code]),
        "setup": reverse("ledger:staff_year_setup", args=[code, R6]),
        "hub": reverse("ledger:staff_year", args=[code, R6]),
        "entry": reverse("ledger:staff_entry", args=[code, R6]),
        "money": reverse("ledger:staff_money", args=[code, R6]),
        "money history": reverse("ledger:staff_money", args=[code, R6])
        + f"?project={first.pk}&history=1",
        "evaluation": reverse("ledger:staff_evaluation", args=[code, R6, first.pk]),
        "kpi history": reverse("ledger:staff_kpi_history", args=[kpi.pk]),
    }


@pytest.mark.parametrize("role", ["kikaku", "tanto"])
def test_the_cycle_s_pages_run_the_same_queries_for_7_and_40_projects(two_sizes, role):
    small, large = two_sizes
    counts = {}
    for organization in (small, large):
        client = Client()
        client.force_login(m.Membership.objects.get(
            organization=organization, user__username__startswith=f"{role}-"
        ).user)  # fmt: skip
        urls = pages(organization)
        if role == "tanto":  # the setup page is the planning admin's
            urls.pop("setup")
        counts[organization.code] = {name: count_queries(client, url) for name, url in urls.items()}
    assert counts[SMALL] == counts[LARGE]
