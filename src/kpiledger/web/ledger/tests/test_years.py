"""Issue 10, item 3: opening a fiscal year (R6 from the imported R5 reference: projects, KPIs
and targets carried over by reference, KPIs past their target date shown closed unless
extended), setting up its projects and KPIs, and who may do it."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services import locks
from kpiledger.web.ledger.services import years as service
from kpiledger.web.ledger.tests import factories as f

pytestmark = pytest.mark.django_db

CODE = f.KUSHIRO[0]
R5, R6, R7 = 2023, 2024, 2025
OTHER = ("011002", "札幌市")
SCRIPT = "<script>alert('x')</script>事業"


@pytest.fixture
def kushiro() -> m.Organization:
    f.import_reference()
    return m.Organization.objects.get(code=CODE)


@pytest.fixture
def admin(kushiro: m.Organization) -> User:
    user = f.make_user("kikaku")
    f.make_member(user, kushiro, m.Role.PLANNING_ADMIN)
    return user


def signed_in(user: User, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def years_url(code: str = CODE) -> str:
    return reverse("ledger:staff_years", args=[code])


def setup_url(year: int = R6, code: str = CODE) -> str:
    return reverse("ledger:staff_year_setup", args=[code, year])


def kpi(indicator: str) -> m.Kpi:
    return m.Kpi.objects.get(indicator=indicator, project__organization__code=CODE)


def kpi_terms() -> list[tuple[Any, ...]]:
    return list(
        m.Kpi.objects.order_by("pk").values_list(
            "pk",
            "project_id",
            "indicator",
            "unit",
            "target",
            "target_year",
            "target_month",
            "baseline",
            "ended_year",
        )
    )


def closed_for(year: int) -> list[str]:
    return [k.indicator for k in m.Kpi.objects.all() if locks.kpi_closed(k, year)]


def open_form(client: Client, **extra: str) -> dict[str, str]:
    """The years page's open form as a browser would post it unchanged, plus `extra`."""
    page = client.get(years_url()).content.decode()
    data = {"year": re.search(r'name="year"[^>]*value="([^"]*)"', page)[1]}  # type: ignore[index]
    chosen = re.search(r'<option value="(\d+)" selected>', page)
    data["from_year"] = chosen[1] if chosen else ""
    data.update(extra)
    return data


# --- opening R6 from the reference ------------------------------------------------------------


def test_the_reference_opens_r6_from_r5_carrying_every_project_and_kpi_over(
    kushiro: m.Organization, admin: User
) -> None:
    before = kpi_terms()
    assert len(before) == 24
    client = signed_in(admin)
    page = client.get(years_url()).content.decode()
    # the form offers R6 from R5, every KPI carried over, all 24 past their target date (R6.3)
    assert 'value="R6年度"' in page
    assert '<option value="2023" selected>' in page
    assert page.count("終了（目標年月を過ぎたKPI）/ closed: target date passed") == 24
    assert "24件のKPIを引き継ぎます。うち24件は目標年月を過ぎています" in page
    response = client.post(years_url(), open_form(client))
    assert response.status_code == 302
    fiscal_year = m.FiscalYear.objects.get(organization=kushiro, year=R6)
    assert (fiscal_year.opened_from, fiscal_year.opened_by, fiscal_year.published_at) == (
        R5,
        admin,
        None,
    )
    assert fiscal_year.history.get().history_change_reason == "年度の開始"
    rows = m.ProjectYear.objects.filter(fiscal_year=R6)
    assert rows.count() == 7
    assert set(rows.values_list("state", flat=True)) == {m.WorkState.DRAFT}
    assert set(rows.values_list("project_id", flat=True)) == set(
        m.Project.objects.filter(organization=kushiro).values_list("pk", flat=True)
    )
    assert kpi_terms() == before  # carried over by reference: nothing retyped or copied
    assert len(closed_for(R6)) == 24
    assert closed_for(R5) == []
    # the years page lists the opened year; its setup page is open to the planning admin
    after = client.get(years_url()).content.decode()
    assert "開始済み（入力中） / opened" in after
    assert "R5年度" in after and "kikaku" in after
    assert client.get(setup_url()).status_code == 200


def test_extending_one_kpi_keeps_it_open_in_r6_with_its_history(
    kushiro: m.Organization, admin: User
) -> None:
    migrants = kpi(f.MIGRANTS)
    assert (migrants.target, migrants.target_year, migrants.target_month) == (Decimal(121), 2024, 3)
    client = signed_in(admin)
    data = open_form(client, **{f"target_{migrants.pk}": "１３０", f"date_{migrants.pk}": "R7.3"})
    assert client.post(years_url(), data).status_code == 302
    migrants.refresh_from_db()
    assert (migrants.target, migrants.target_year, migrants.target_month) == (Decimal(130), 2025, 3)
    assert locks.kpi_closed(migrants, R6) is None
    assert len(closed_for(R6)) == 23 and f.MIGRANTS not in closed_for(R6)
    latest = migrants.history.order_by("-history_id").first()
    assert latest is not None
    assert (latest.history_user, latest.history_change_reason, latest.target) == (
        admin,
        "年度の開始: 目標の更新",
        Decimal(130),
    )
    assert latest.prev_record is not None and latest.prev_record.target == Decimal(121)
    # the new year's page shows it open, the others closed
    page = client.get(setup_url()).content.decode()
    assert page.count("目標年月（2024年3月）を過ぎたため終了したKPIです") == 23


def test_extension_keeping_the_target_and_a_date_only(kushiro: m.Organization, admin: User) -> None:
    users = kpi(f.OTOBETSU_USERS)
    service.open_year(admin, kushiro, R6, extend={users.pk: (users.target, 2026, 3)})
    users.refresh_from_db()
    assert (users.target, users.target_year, users.target_month) == (Decimal(16000), 2026, 3)
    assert locks.kpi_closed(users, R7) is None


def test_a_bad_extension_is_refused_with_nothing_written(
    kushiro: m.Organization, admin: User
) -> None:
    migrants = kpi(f.MIGRANTS)
    counts = f.row_counts()
    client = signed_in(admin)
    # a date before the year opened, and a target without a date
    for extra, message in (
        ({f"target_{migrants.pk}": "130", f"date_{migrants.pk}": "R6.3"}, "より前です"),
        ({f"target_{migrants.pk}": "130"}, "新しい目標年月も入力してください"),
        ({f"target_{migrants.pk}": "約130", f"date_{migrants.pk}": "R7.3"}, "数値として読めません"),
        ({f"target_{migrants.pk}": "130件", f"date_{migrants.pk}": "R7.3"}, "単位「件」"),
        ({f"date_{migrants.pk}": "R7.13"}, "1〜12ではありません"),
    ):
        response = client.post(years_url(), open_form(client, **extra))
        assert response.status_code == 200
        assert message in response.content.decode()
        assert f.row_counts() == counts
    assert not m.FiscalYear.objects.filter(year=R6).exists()


# --- who may open a year -----------------------------------------------------------------------


@pytest.mark.parametrize("role", [m.Role.DEPARTMENT_EDITOR, m.Role.COMMITTEE_MEMBER, m.Role.VIEWER])
def test_other_roles_see_the_years_but_may_not_open_one(
    kushiro: m.Organization, role: m.Role
) -> None:
    user = f.make_user("someone")
    f.make_member(user, kushiro, role, projects=kushiro.projects.all()[:1])
    client = signed_in(user)
    page = client.get(years_url())
    assert page.status_code == 200
    assert "年度の開始は企画担当が行います" in page.content.decode()
    assert 'name="year"' not in page.content.decode()
    response = client.post(years_url(), {"year": "R6年度", "from_year": "2023"})
    assert response.status_code == 403
    assert "年度の開始" in response.content.decode()
    assert client.get(setup_url(R5)).status_code == 403
    with pytest.raises(PermissionDenied):
        service.open_year(user, kushiro, R6)
    assert not m.FiscalYear.objects.filter(year=R6).exists()


def test_another_organizations_admin_and_anonymous_are_refused(kushiro: m.Organization) -> None:
    other = f.make_planning_admin("sapporo", *OTHER)
    client = signed_in(other)
    assert client.get(years_url()).status_code == 403
    assert client.post(years_url(), {"year": "R6年度", "from_year": "2023"}).status_code == 403
    with pytest.raises(PermissionDenied):
        service.open_year(other, kushiro, R6)
    home = client.get(reverse("ledger:staff_home")).content.decode()
    assert "札幌市" in home and "釧路市" not in home
    anonymous = Client()
    for url in (years_url(), reverse("ledger:staff_home"), setup_url(R5)):
        response = anonymous.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("ledger:login"))
    assert anonymous.post(years_url(), {"year": "R6年度"}).status_code == 302
    assert not m.FiscalYear.objects.filter(year=R6).exists()


def test_a_year_opened_already_is_refused(kushiro: m.Organization, admin: User) -> None:
    service.open_year(admin, kushiro, R6)
    with pytest.raises(service.YearError, match="R6年度はすでに開始されています"):
        service.open_year(admin, kushiro, R6)
    client = signed_in(admin)
    response = client.post(years_url(), {"year": "2024", "from_year": "2023"})
    assert response.status_code == 200
    assert "R6年度はすでに開始されています / FY2024 has already been opened" in (
        response.content.decode()
    )
    assert m.FiscalYear.objects.filter(year=R6).count() == 1
    assert m.ProjectYear.objects.filter(fiscal_year=R6).count() == 7
    with pytest.raises(service.YearError, match="より後に"):
        service.open_year(admin, kushiro, 2022, from_year=R6)
    with pytest.raises(service.YearError, match="引継ぎ元の年度（R2年度）はこの団体にありません"):
        service.open_year(admin, kushiro, R7, from_year=2020)
    assert not m.FiscalYear.objects.filter(year__in=[2022, R7]).exists()
    # the form now offers R7 from R6
    page = client.get(years_url()).content.decode()
    assert 'value="R7年度"' in page and '<option value="2024" selected>' in page


# --- setting a year up ---------------------------------------------------------------------------


@pytest.fixture
def opened(kushiro: m.Organization, admin: User) -> m.FiscalYear:
    return service.open_year(admin, kushiro, R6)


def add_project(client: Client, name: str, **extra: str):  # type: ignore[no-untyped-def]
    data = {"form": "project", "project-name": name, "project-section": "対象事業"}
    data.update(extra)
    return client.post(setup_url(), data)


def test_adding_a_project_and_a_kpi_typed_in_japanese_notation(
    opened: m.FiscalYear, admin: User
) -> None:
    client = signed_in(admin)
    response = add_project(
        client, "ゼロカーボン推進事業", **{"project-grant_name": "地方創生推進交付金"}
    )
    assert response.status_code == 302 and response["Location"] == setup_url()
    project = m.Project.objects.get(name="ゼロカーボン推進事業")
    assert project.grant is not None and project.grant.name == "地方創生推進交付金"
    others = m.Project.objects.exclude(pk=project.pk).values_list("position", flat=True)
    assert project.position == max(others) + 1  # listed last
    assert m.ProjectYear.objects.get(project=project, fiscal_year=R6).state == m.WorkState.DRAFT
    assert project.history.get().history_change_reason == "年度の設定: 事業の追加"
    response = client.post(
        setup_url(),
        {
            "form": "kpi",
            "kpi-project": str(project.pk),
            "kpi-indicator": "太陽光発電設備の導入数",
            "kpi-unit": "施設",
            "kpi-target": "１，２００",
            "kpi-target_bound": "以上",
            "kpi-target_date": "令和8年3月",
            "kpi-baseline": "△35",
            "kpi-baseline_year": "R5年度",
        },
    )
    assert response.status_code == 302
    new = m.Kpi.objects.get(indicator="太陽光発電設備の導入数")
    assert (new.project, new.unit, new.target, new.target_bound) == (
        project,
        "施設",
        Decimal(1200),
        "以上",
    )
    assert (new.target_year, new.target_month, new.baseline, new.baseline_year) == (
        2026,
        3,
        Decimal(-35),
        R5,
    )
    assert new.history.get().history_user == admin
    page = client.get(setup_url()).content.decode()
    assert "太陽光発電設備の導入数" in page and "1,200以上" in page and "2026年3月" in page
    assert "KPI「太陽光発電設備の導入数」を追加しました" in page


def test_duplicate_names_are_refused_with_a_message_and_nothing_written(
    opened: m.FiscalYear, admin: User
) -> None:
    client = signed_in(admin)
    existing = m.Project.objects.filter(organization__code=CODE).first()
    assert existing is not None
    counts = f.row_counts()
    response = add_project(client, f"  {existing.name} ")
    assert response.status_code == 200
    assert f"事業「{existing.name}」はすでにこの団体にあります" in response.content.decode()
    assert f.row_counts() == counts
    migrants = kpi(f.MIGRANTS)
    response = client.post(
        setup_url(),
        {
            "form": "kpi",
            "kpi-project": str(migrants.project_id),
            "kpi-indicator": f.MIGRANTS,
            "kpi-unit": "人",
            "kpi-target": "１，２００",
        },
    )
    assert response.status_code == 200
    assert f"KPI「{f.MIGRANTS}」はすでに事業「{migrants.project.name}」にあります" in (
        response.content.decode()
    )
    assert f.row_counts() == counts
    # a bad number: an error on its field, nothing written
    response = client.post(
        setup_url(),
        {
            "form": "kpi",
            "kpi-project": str(migrants.project_id),
            "kpi-indicator": "新しい指標",
            "kpi-target": "約100",
        },
    )
    assert "「約100」は数値として読めません" in response.content.decode()
    assert f.row_counts() == counts


def test_a_closed_project_is_not_carried_into_the_next_year(
    opened: m.FiscalYear, admin: User, kushiro: m.Organization
) -> None:
    client = signed_in(admin)
    project = m.Project.objects.filter(organization=kushiro).order_by("position").first()
    assert project is not None
    response = client.post(
        setup_url(),
        {"form": "change", "action": "close_project", "target_id": project.pk, "last_year": R6},
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.ended_year == R6
    assert project.history.order_by("-history_id")[0].history_change_reason == (
        "年度の設定: 事業の終了（R6年度まで）"
    )
    assert m.ProjectYear.objects.filter(project=project, fiscal_year=R6).exists()
    service.open_year(admin, kushiro, R7)
    assert m.ProjectYear.objects.filter(fiscal_year=R7).count() == 6
    assert not m.ProjectYear.objects.filter(project=project, fiscal_year=R7).exists()
    assert not service.carried_kpis(kushiro, R7).filter(project=project).exists()
    # the R8 form does not list it; its box on the form ends another one
    second = m.Project.objects.filter(organization=kushiro).order_by("position")[1]
    page = client.get(years_url()).content.decode()
    assert project.name not in page.split('id="open-year"')[1]
    response = client.post(years_url(), open_form(client, **{f"end_{second.pk}": "on"}))
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.ended_year == R7
    assert m.ProjectYear.objects.filter(fiscal_year=2026).count() == 5


def test_closing_and_reopening_a_kpi_and_a_project(
    opened: m.FiscalYear, admin: User, kushiro: m.Organization
) -> None:
    client = signed_in(admin)
    users = kpi(f.OTOBETSU_USERS)
    post = {"form": "change", "action": "close_kpi", "target_id": users.pk, "last_year": R5}
    assert client.post(setup_url(), post).status_code == 302
    users.refresh_from_db()
    assert users.ended_year == R5
    assert "R5年度で終了したKPIです" in (locks.kpi_closed(users, R6) or "")
    post = {"form": "change", "action": "reopen_kpi", "target_id": users.pk}
    assert client.post(setup_url(), post).status_code == 302
    users.refresh_from_db()
    assert users.ended_year is None
    reasons = list(
        users.history.order_by("history_id").values_list("history_change_reason", flat=True)
    )
    assert reasons[-2:] == ["年度の設定: KPIの終了（R5年度まで）", "年度の設定: KPIの再開"]
    # a project ended last year leaves this year (its draft row removed), and comes back
    project = users.project
    post = {"form": "change", "action": "close_project", "target_id": project.pk, "last_year": R5}
    assert client.post(setup_url(), post).status_code == 302
    assert not m.ProjectYear.objects.filter(project=project, fiscal_year=R6).exists()
    post = {"form": "change", "action": "reopen_project", "target_id": project.pk}
    assert client.post(setup_url(), post).status_code == 302
    project.refresh_from_db()
    assert project.ended_year is None
    assert m.ProjectYear.objects.get(project=project, fiscal_year=R6).state == m.WorkState.DRAFT
    # a KPI of another organization named in the form: refused
    other = f.make_organization(*OTHER)
    foreign = f.make_kpi(f.make_project(other))
    post = {"form": "change", "action": "close_kpi", "target_id": foreign.pk, "last_year": R6}
    assert client.post(setup_url(), post).status_code == 403
    foreign.refresh_from_db()
    assert foreign.ended_year is None


def test_setup_of_a_year_not_opened_goes_back_to_the_years(
    kushiro: m.Organization, admin: User
) -> None:
    client = signed_in(admin)
    response = client.get(setup_url(R6), follow=True)
    assert response.redirect_chain == [(years_url(), 302)]
    assert "R6年度はまだ開始されていません" in response.content.decode()
    with pytest.raises(service.YearError, match="まだ開始されていません"):
        service.add_project(admin, kushiro, R6, "新しい事業", "対象事業")


# --- pages: home, escaping, CSRF -------------------------------------------------------------


def test_home_lists_the_organizations_years_with_links(opened: m.FiscalYear, admin: User) -> None:
    client = signed_in(admin)
    page = client.get(reverse("ledger:staff_home")).content.decode()
    assert "釧路市（012068）" in page
    assert reverse("ledger:staff_year", args=[CODE, R6]) in page
    assert reverse("ledger:staff_year", args=[CODE, R5]) in page
    assert setup_url(R6) in page and setup_url(R5) not in page
    # R5: published at its import (the import writes its FiscalYear), or known from it only
    r5_published = m.FiscalYear.objects.filter(year=R5, published_at__isnull=False).exists()
    r5_state = "公表済み / published" if r5_published else "取込済みの報告書（年度は未開始）"
    assert re.search(rf"{R5}/\">令和5年度（2023年度）</a></th>\s*<td[^>]*>{r5_state}", page)
    assert years_url() in page
    # the header's link for members only
    assert 'href="/staff/" aria-current="page">年度の業務 / Yearly cycle' in page
    outsider = signed_in(f.make_user("nobody"))
    assert "年度の業務 / Yearly cycle</a>" not in outsider.get("/").content.decode()
    assert "公表前のデータを見られる団体がありません" in (
        outsider.get(reverse("ledger:staff_home")).content.decode()
    )


def test_a_typed_project_name_is_shown_escaped(opened: m.FiscalYear, admin: User) -> None:
    client = signed_in(admin)
    assert add_project(client, SCRIPT).status_code == 302
    assert m.Project.objects.filter(name=SCRIPT).exists()
    for url in (setup_url(), years_url()):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;事業" in page


def test_posts_without_a_csrf_token_are_refused(kushiro: m.Organization, admin: User) -> None:
    client = signed_in(admin, enforce_csrf_checks=True)
    response = client.post(years_url(), {"year": "R6年度", "from_year": "2023"})
    assert response.status_code == 403
    assert b"CSRF" in response.content  # refused by the CSRF check, not the policy
    assert not m.FiscalYear.objects.filter(year=R6).exists()
    service.open_year(admin, kushiro, R6)
    response = add_project(client, "CSRFなしの事業")
    assert response.status_code == 403 and b"CSRF" in response.content
    assert not m.Project.objects.filter(name="CSRFなしの事業").exists()
    # with the page's token the same POST passes
    page = client.get(setup_url()).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    response = add_project(client, "CSRFありの事業", csrfmiddlewaretoken=token[1])
    assert response.status_code == 302
    assert m.Project.objects.filter(name="CSRFありの事業").exists()


# --- the entry window (締切) ------------------------------------------------------------------


@pytest.fixture
def kushiro_r6_open(kushiro: m.Organization, admin: User) -> tuple[m.Organization, User, User]:
    """R6 opened from R5 with every KPI's target extended to R7.3, and an editor of the first
    project."""
    extend = {k.pk: (k.target, R7, 3) for k in m.Kpi.objects.filter(project__organization=kushiro)}
    service.open_year(admin, kushiro, R6, extend=extend)
    editor = f.make_user("tanto")
    first = kushiro.projects.order_by("position").first()
    f.make_member(editor, kushiro, m.Role.DEPARTMENT_EDITOR, projects=[first])
    return kushiro, admin, editor


def test_closing_the_year_locks_entry_with_the_reason_and_reopening_opens_it(kushiro_r6_open):
    """The planning admin closes R6 to entry on the hub: the department's entry and money
    pages show the year as closed and refuse a save; reopening opens them again. Editors,
    committee members and viewers may not close; a published year cannot be closed."""
    organization, admin, editor = kushiro_r6_open
    hub = reverse("ledger:staff_year", args=[organization.code, R6])
    window = reverse("ledger:staff_entry_window", args=[organization.code, R6])
    signed = Client()
    signed.force_login(admin)
    assert "入力を締め切る" in signed.get(hub).content.decode()
    response = signed.post(window, {"action": "close"})
    assert response.status_code == 302
    year = m.FiscalYear.objects.get(organization=organization, year=R6)
    assert year.closed_at is not None and year.closed_by == admin
    assert year.history.latest().history_change_reason == "入力の締切"
    page = signed.get(hub).content.decode()
    assert "締切済み / closed" in page and "入力を再開する" in page

    department = Client()
    department.force_login(editor)
    entry = reverse("ledger:staff_entry", args=[organization.code, R6])
    shown = html.unescape(department.get(entry).content.decode())
    assert "この年度は締め切られています / this fiscal year is closed" in shown
    kpi = m.Kpi.objects.filter(project__in=editor.memberships.get().projects.all()).first()
    assert kpi is not None
    from kpiledger.web.ledger.services import entry as entry_service

    with pytest.raises(entry_service.Locked):
        entry_service.save_entries(
            editor,
            organization,
            R6,
            [entry_service.Entry(kpi.pk, entry_service.Typed(Decimal(1), ""), "", "new")],
        )
    assert not m.Observation.objects.filter(kpi=kpi, fiscal_year=R6).exists()
    # the department may not reopen it
    assert department.post(window, {"action": "reopen"}).status_code == 403
    assert m.FiscalYear.objects.get(pk=year.pk).closed_at is not None
    # twice closed: refused with a message, nothing changed
    signed.post(window, {"action": "close"})
    assert m.FiscalYear.objects.get(pk=year.pk).history.count() == year.history.count()
    # reopened
    assert signed.post(window, {"action": "reopen"}).status_code == 302
    assert m.FiscalYear.objects.get(pk=year.pk).closed_at is None
    assert "この年度は締め切られています" not in department.get(entry).content.decode()
    # published: neither closed nor reopened any more
    m.FiscalYear.objects.filter(pk=year.pk).update(published_at=timezone.now())
    signed.post(window, {"action": "close"})
    assert m.FiscalYear.objects.get(pk=year.pk).closed_at is None
    assert signed.post(window, {"action": "bogus"}).status_code == 404
