"""Builders for ledger rows and imported reports in tests.

The reference report (釧路市 令和5年度) is imported through the real service
(`plan_import` → `apply_import`), never by inserting rows by hand, so every test that uses it
also exercises the importer.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.apps import apps

from kpiledger.cli.main import reference_report_path
from kpiledger.io.readers import read_report
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services import importing

KUSHIRO = ("012068", "釧路市")
REFERENCE_PATH = reference_report_path()
REFERENCE_BYTES = REFERENCE_PATH.read_bytes()
REFERENCE_TEXT = REFERENCE_BYTES.decode("utf-8")

OTOBETSU_USERS = "音別地域交流拠点施設利用者数"  # 33,633 (R4), 35,245 (R5), target 16,000
MIGRANTS = "移住者数"  # 112 (R4), 105 (R5), target 121
SATISFACTION = "アンケートによる施設予約システム利用者満足度"  # 73.5 % (R5)
SPECIALTY_SALES = "特産品販売の売上額"  # 5,994,616 (R4), 5,516,080 (R5)


def make_organization(code: str = KUSHIRO[0], name: str = KUSHIRO[1]) -> m.Organization:
    org = importing.organization_for(code, name)
    org.save()
    return org


PASSWORD = "pw-for-tests-only"


def make_user(username: str, **fields):  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import User

    return User.objects.create_user(username, password=PASSWORD, **fields)


def make_member(  # type: ignore[no-untyped-def]
    user,
    organization: m.Organization,
    role: m.Role | str = m.Role.PLANNING_ADMIN,
    projects=(),
) -> m.Membership:
    """Give `user` (a User or a new user's name) a role in the organization; a department
    editor gets the `projects` assigned."""
    if isinstance(user, str):
        user = make_user(user)
    membership = m.Membership.objects.create(user=user, organization=organization, role=role)
    membership.projects.set(projects)
    return membership


def make_planning_admin(  # type: ignore[no-untyped-def]
    username: str = "kikaku", code: str = KUSHIRO[0], name: str = KUSHIRO[1], **fields
):
    """A user who is the planning admin (企画担当) of the organization (created if new)."""
    organization = m.Organization.objects.filter(code=code).first() or make_organization(code, name)
    user = make_user(username, **fields)
    make_member(user, organization, m.Role.PLANNING_ADMIN)
    return user


def make_project(organization: m.Organization, name: str = "テスト事業", **fields) -> m.Project:  # type: ignore[no-untyped-def]
    fields.setdefault("section", m.Section.TARGET)
    return m.Project.objects.create(organization=organization, name=name, **fields)


def make_kpi(project: m.Project, indicator: str = "利用者数", **fields) -> m.Kpi:  # type: ignore[no-untyped-def]
    fields.setdefault("unit", "人")
    fields.setdefault("target", Decimal(100))
    return m.Kpi.objects.create(project=project, indicator=indicator, **fields)


def import_file(
    path: Path, code: str = KUSHIRO[0], name: str | None = KUSHIRO[1]
) -> tuple[importing.ImportPlan, m.ImportBatch | None]:
    """Read, plan and apply a report file as the CLI does; return the plan and the batch."""
    content = path.read_bytes()
    plan = importing.plan_import(importing.organization_for(code, name), read_report(path), content)
    batch = importing.apply_import(plan, file_name=path.name, content=content)
    return plan, batch


def import_reference() -> tuple[importing.ImportPlan, m.ImportBatch | None]:
    return import_file(REFERENCE_PATH)


def ledger_models() -> list[type]:
    """Every model of the ledger's data and of django-simple-history's Historical* tables
    (not the accounts: memberships are who may do what, not data an import writes)."""
    accounts = ("Membership", "HistoricalMembership", "HistoricalMembership_projects")
    ledger = [
        model
        for model in apps.get_app_config("ledger").get_models()
        if model.__name__ not in accounts
    ]
    historical = [
        model.history.model for model in ledger if hasattr(getattr(model, "history", None), "model")
    ]
    return sorted({*ledger, *historical}, key=lambda model: model.__name__)


def row_counts() -> dict[str, int]:
    """Rows in every ledger table and history table, by model name."""
    return {model.__name__: model.objects.count() for model in ledger_models()}


def history_counts() -> dict[str, int]:
    return {k: v for k, v in row_counts().items() if k.startswith("Historical")}


def observation(indicator: str, year: int, code: str = KUSHIRO[0]) -> m.Observation:
    return m.Observation.objects.get(
        kpi__indicator=indicator, kpi__project__organization__code=code, fiscal_year=year
    )


# The next year's report (令和6年度) of the same city, derived from the reference: a new R6年度
# column, 移住者数 R5 corrected 105 → 106, a new KPI in the テレワーク project and a new project.
NEW_KPI = "移住相談件数"
NEW_PROJECT = "ゼロカーボンシティ推進事業"
NEW_PROJECT_KPI = "公共施設への太陽光発電設備導入数"


def next_year_text(text: str = REFERENCE_TEXT) -> str:
    """The FY2024 variant of the reference report (see the constants above)."""
    lines = text.replace("令和5年度", "令和6年度", 1).splitlines()
    out = []
    for line in lines:
        cells = line.split("\t")
        if line.endswith("R5年度"):
            line += "\tR6年度"
        elif "\tR6.3\t" in line:
            if cells[2] == MIGRANTS:
                cells[-1] = "106"
            line = "\t".join([*cells, _r6_value(cells)])
        out.append(line)
        if line.startswith(f"\t\t{MIGRANTS}\t"):
            out.append(f"\t\t{NEW_KPI}\t60\t件\tR7.3\t-\t-\t-\t-\t-\t52")
        if line.startswith(f"\t\t{'児童生徒の学習適応度'}"):
            out.append(
                f"【地方創生推進交付金】 {NEW_PROJECT}\t公共施設の脱炭素化を進める。\t"
                f"{NEW_PROJECT_KPI}\t10\t施設\tR8.3\t-\t-\t-\t-\t-\t3"
            )
    return "\n".join(out) + "\n"


def _r6_value(cells: list[str]) -> str:
    """A plausible R6 actual: the R5 value plus one (or '-' when R5 had none)."""
    last = cells[-1].replace(",", "")
    return "-" if last == "-" else str(Decimal(last) + 1)


def server_error_response(monkeypatch):  # type: ignore[no-untyped-def]
    """The home page answered while its presenter fails: Django's 500 page."""
    from django.test import Client

    from kpiledger.web.ledger import presenters

    def broken(*args):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setattr(presenters, "home_rows", broken)
    return Client(raise_request_exception=False).get("/")


def in_language(url: str, language: str) -> str:
    """A page's address in a language: Japanese without a prefix, others under `/<code>/`."""
    return url if language == "ja" else f"/{language}{url}"
