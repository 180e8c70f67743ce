"""Issue 10, item 5: review and publish, per project (draft → submitted → approved → published),
the locks of the cycle on every writing path (entry page, revert, write API), corrections of a
published year with their reason, and publishing a year from the ledger."""

from __future__ import annotations

import html
import io
import re
import textwrap
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services import entry as service
from kpiledger.web.ledger.services import reports, workflow
from kpiledger.web.ledger.tests import factories as f
from kpiledger.web.ledger.tests import processes as p
from kpiledger.web.ledger.tests.yearly import open_year, set_state

pytestmark = pytest.mark.django_db

CODE = f.KUSHIRO[0]
YEAR = 2024  # R6: opened in the ledger
PUBLISHED = 2023  # R5: the imported reference
OTOBETSU = "音別地域交流拠点施設整備事業"  # project of OTOBETSU_USERS
DRAFT, SUBMITTED, APPROVED = m.WorkState.DRAFT, m.WorkState.SUBMITTED, m.WorkState.APPROVED


def kpi(indicator: str) -> m.Kpi:
    return m.Kpi.objects.get(indicator=indicator, project__organization__code=CODE)


def state(project: m.Project, year: int = YEAR) -> str:
    return m.ProjectYear.objects.get(project=project, fiscal_year=year).state


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


class Cast:
    """The reference imported, R6 opened with every project in draft, and one user per role."""

    def __init__(self) -> None:
        f.import_reference()
        self.org = m.Organization.objects.get(code=CODE)
        self.fiscal_year = open_year(self.org, YEAR)
        self.a = kpi(f.OTOBETSU_USERS).project  # the editor's project
        self.b = kpi(f.MIGRANTS).project  # another editor's
        assert self.a != self.b
        self.admin = f.make_user("kikaku")
        f.make_member(self.admin, self.org, m.Role.PLANNING_ADMIN)
        self.editor = f.make_user("tanto")
        f.make_member(self.editor, self.org, m.Role.DEPARTMENT_EDITOR, [self.a])
        self.other_editor = f.make_user("tanto-b")
        f.make_member(self.other_editor, self.org, m.Role.DEPARTMENT_EDITOR, [self.b])
        self.committee = f.make_user("iin")
        f.make_member(self.committee, self.org, m.Role.COMMITTEE_MEMBER)
        self.viewer = f.make_user("etsuran")
        f.make_member(self.viewer, self.org, m.Role.VIEWER)
        self.outsider = f.make_planning_admin("sapporo", code="011002", name="札幌市")


@pytest.fixture
def cast(db: None) -> Cast:
    return Cast()


def hub_url(year: int = YEAR) -> str:
    return reverse("ledger:staff_year", args=[CODE, year])


def action_url(project: m.Project, action: str, year: int = YEAR) -> str:
    return reverse("ledger:staff_project_action", args=[CODE, year, project.pk, action])


def entry_url(year: int = YEAR) -> str:
    return reverse("ledger:staff_entry", args=[CODE, year])


def latest_history(project: m.Project, year: int = YEAR):  # type: ignore[no-untyped-def]
    return (
        m.ProjectYear.objects.get(project=project, fiscal_year=year)
        .history.order_by("-history_id")
        .first()
    )


def enter(user, indicator: str, value: str, year: int = YEAR, comment: str = "") -> None:  # type: ignore[no-untyped-def]
    k = kpi(indicator)
    current = m.Observation.objects.filter(kpi=k, fiscal_year=year).first()
    typed = service.parse_value(value, k.unit)
    row = service.Entry(k.pk, typed, "", service.token(current))
    service.save_entries(user, k.project.organization, year, [row], comment)


# --- transitions ----------------------------------------------------------------------------


def test_every_transition_allowed_and_refused_by_role_and_state(cast):
    a = cast.a
    # Only the project's own editor (or the planning admin) submits it.
    for user in (cast.other_editor, cast.committee, cast.viewer, cast.outsider):
        with pytest.raises(PermissionDenied):
            workflow.submit(user, a, YEAR)
    assert state(a) == DRAFT
    # Nothing to approve or return in draft.
    with pytest.raises(workflow.WorkflowError, match="「入力中」のため、承認できません"):
        workflow.approve(cast.admin, a, YEAR)
    with pytest.raises(workflow.WorkflowError):
        workflow.return_(cast.admin, a, YEAR, "早すぎる")
    workflow.submit(cast.editor, a, YEAR)
    assert state(a) == SUBMITTED
    record = latest_history(a)
    assert (record.history_user, record.history_change_reason) == (cast.editor, "提出")
    with pytest.raises(workflow.WorkflowError) as twice:
        workflow.submit(cast.editor, a, YEAR)
    assert "提出済み" in twice.value.message_ja and "submitted" in twice.value.message_en
    # Review and approval belong to the planning admin only.
    for user in (cast.editor, cast.other_editor, cast.committee, cast.viewer, cast.outsider):
        with pytest.raises(PermissionDenied):
            workflow.approve(user, a, YEAR)
        with pytest.raises(PermissionDenied):
            workflow.return_(user, a, YEAR, "理由")
    assert state(a) == SUBMITTED
    # A return needs its comment.
    with pytest.raises(workflow.WorkflowError, match="コメント"):
        workflow.return_(cast.admin, a, YEAR, "  ")
    assert state(a) == SUBMITTED
    workflow.return_(cast.admin, a, YEAR, "単位を確認してください")
    row = m.ProjectYear.objects.get(project=a, fiscal_year=YEAR)
    assert (row.state, row.comment) == (DRAFT, "単位を確認してください")
    record = latest_history(a)
    assert record.history_user == cast.admin
    assert record.history_change_reason == "差戻し: 単位を確認してください"
    workflow.submit(cast.editor, a, YEAR)
    workflow.approve(cast.admin, a, YEAR, "確認しました")
    assert state(a) == APPROVED
    assert latest_history(a).history_change_reason == "承認: 確認しました"
    with pytest.raises(workflow.WorkflowError):
        workflow.approve(cast.admin, a, YEAR)
    with pytest.raises(workflow.WorkflowError):
        workflow.submit(cast.editor, a, YEAR)
    # An approved year can still be returned (with a comment).
    workflow.return_(cast.admin, a, YEAR, "再確認")
    assert state(a) == DRAFT
    # The planning admin may submit on a department's behalf.
    workflow.submit(cast.admin, cast.b, YEAR)
    assert state(cast.b) == SUBMITTED
    # Opened, then submit, return, submit, approve, return: one history row each.
    assert m.ProjectYear.objects.get(project=a, fiscal_year=YEAR).history.count() == 6


def test_submit_needs_an_opened_year_that_is_not_closed(cast):
    with pytest.raises(workflow.WorkflowError, match="開始されていません"):
        workflow.submit(cast.editor, cast.a, YEAR + 1)
    cast.fiscal_year.closed_at = timezone.now()
    cast.fiscal_year.save()
    with pytest.raises(workflow.WorkflowError, match="締め切られています"):
        workflow.submit(cast.editor, cast.a, YEAR)
    assert state(cast.a) == DRAFT


# --- the hub --------------------------------------------------------------------------------


def test_the_hub_shows_states_comments_links_and_only_the_users_buttons(cast):
    editor = signed_in(cast.editor)
    page = html.unescape(editor.get(hub_url()).content.decode())
    assert "入力中 / draft" in page
    assert f'action="{action_url(cast.a, "submit")}"' in page
    assert f'action="{action_url(cast.b, "submit")}"' not in page  # not the editor's project
    assert cast.b.name not in page  # drafts of projects not assigned stay unseen
    assert reverse("ledger:staff_entry", args=[CODE, YEAR]) in page
    assert reverse("ledger:staff_money", args=[CODE, YEAR]) in page
    assert reverse("ledger:staff_evaluation", args=[CODE, YEAR, cast.a.pk]) in page
    assert "staff_publish" not in page and "/publish/" not in page
    # the evaluation chain's progress per project: every step of the organization, none yet
    assert page.count("未記録 / not yet") == 4 and "記録済み / recorded" not in page
    m.Evaluation.objects.create(project=cast.a, fiscal_year=YEAR, step="self", comment="達成")
    page = html.unescape(editor.get(hub_url()).content.decode())
    assert "自己評価: 記録済み / recorded" in page and "外部評価: 未記録 / not yet" in page
    done = editor.post(action_url(cast.a, "submit"), follow=True)
    assert done.redirect_chain == [(hub_url(), 302)]
    assert "を提出しました" in html.unescape(done.content.decode())
    assert state(cast.a) == SUBMITTED
    admin = signed_in(cast.admin)
    page = html.unescape(admin.get(hub_url()).content.decode())
    assert "提出済み / submitted" in page
    assert f'action="{action_url(cast.a, "approve")}"' in page
    assert f'action="{action_url(cast.a, "return")}"' in page
    assert f'action="{action_url(cast.b, "submit")}"' in page  # the admin may submit too
    # Publishing is blocked: the hub names what blocks it.
    assert "まだ公表できません" in page and cast.b.name in page
    assert reverse("ledger:staff_publish", args=[CODE, YEAR]) not in page
    # A return without a comment is refused with a message; with one, the department sees it.
    refused = admin.post(action_url(cast.a, "return"), {"comment": ""}, follow=True)
    assert "コメント" in html.unescape(refused.content.decode())
    assert state(cast.a) == SUBMITTED
    admin.post(action_url(cast.a, "return"), {"comment": "桁が違います"})
    assert state(cast.a) == DRAFT
    assert "桁が違います" in editor.get(hub_url()).content.decode()
    assert "桁が違います" in editor.get(entry_url()).content.decode()
    # Unknown actions are 404; GET is not allowed; roles are enforced on POST.
    assert admin.post(action_url(cast.a, "delete")).status_code == 404
    assert admin.get(action_url(cast.a, "approve")).status_code == 405
    committee = signed_in(cast.committee)
    assert committee.get(hub_url()).status_code == 200
    assert committee.post(action_url(cast.a, "submit")).status_code == 403
    assert signed_in(cast.viewer).post(action_url(cast.a, "approve")).status_code == 403
    outsider = signed_in(cast.outsider)
    assert outsider.get(hub_url()).status_code == 403
    assert outsider.post(action_url(cast.a, "submit")).status_code == 403
    assert outsider.post(reverse("ledger:staff_publish", args=[CODE, YEAR])).status_code == 403
    assert state(cast.a) == DRAFT
    assert Client().get(hub_url()).status_code == 302  # to the login


def test_a_project_name_with_script_is_escaped_on_the_hub(cast):
    m.Project.objects.filter(pk=cast.a.pk).update(name="<script>alert(1)</script>事業")
    body = signed_in(cast.admin).get(hub_url()).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;事業" in body


# --- locks on every writing path -------------------------------------------------------------


def test_approved_locks_the_entry_page_and_the_api_for_everyone(cast):
    set_state(cast.a, YEAR, APPROVED)
    target = kpi(f.OTOBETSU_USERS)
    for user in (cast.editor, cast.admin):
        client = signed_in(user)
        page = html.unescape(client.get(entry_url()).content.decode())
        assert "承認済みのため編集できません / approved: locked" in page
        assert f'name="value_{target.pk}"' not in page  # shown read-only
        refused = client.post(entry_url(), {f"value_{target.pk}": "1", f"token_{target.pk}": "new"})
        assert refused.status_code == 409
        assert "承認済みのため編集できません" in html.unescape(refused.content.decode())
        with pytest.raises(service.Locked, match="approved: locked"):
            enter(user, f.OTOBETSU_USERS, "1")
    assert not m.Observation.objects.filter(kpi=target, fiscal_year=YEAR).exists()
    # The write API: the same reason, nothing written.
    out = io.StringIO()
    call_command("api_token", "tanto", "--name", "t", stdout=out)
    token = re.findall(r"^(kpl_\S+)$", out.getvalue(), re.MULTILINE)[0]
    answer = Client().put(
        f"/api/v1/kpis/{target.pk}/observations/{YEAR}",
        {"value": "5", "note": "", "token": "new"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert answer.status_code == 403
    body = answer.json()
    assert body["code"] == "locked"
    assert "承認済みのため編集できません" in body["message_ja"]
    assert "approved: locked" in body["message_en"]
    assert not m.Observation.objects.filter(kpi=target, fiscal_year=YEAR).exists()
    # Another project of the same page stays open to the admin.
    enter(cast.admin, f.MIGRANTS, "130")
    assert m.Observation.objects.get(kpi=kpi(f.MIGRANTS), fiscal_year=YEAR).value == 130


def test_submitted_locks_the_department_but_not_the_planning_admin(cast):
    workflow.submit(cast.editor, cast.a, YEAR)
    with pytest.raises(service.Locked, match="提出済み"):
        enter(cast.editor, f.OTOBETSU_USERS, "40000")
    enter(cast.admin, f.OTOBETSU_USERS, "40000")
    assert m.Observation.objects.get(kpi=kpi(f.OTOBETSU_USERS), fiscal_year=YEAR).value == 40000


def test_a_year_not_opened_says_so_and_links_the_years_page(cast):
    page = html.unescape(signed_in(cast.admin).get(entry_url(YEAR + 1)).content.decode())
    assert "この年度はまだ開始されていません" in page
    assert reverse("ledger:staff_years", args=[CODE]) in page
    assert 'name="value_' not in page and "保存する / Save" not in page


def test_revert_is_refused_on_an_approved_year(cast):
    enter(cast.editor, f.OTOBETSU_USERS, "100")
    enter(cast.editor, f.OTOBETSU_USERS, "200")
    observation = m.Observation.objects.get(kpi=kpi(f.OTOBETSU_USERS), fiscal_year=YEAR)
    first = observation.history.order_by("history_id").first()
    set_state(cast.a, YEAR, APPROVED)
    client = signed_in(cast.editor)
    url = reverse("ledger:staff_kpi_history", args=[observation.kpi_id])
    assert f'value="{first.history_id}"' not in client.get(url).content.decode()
    posted = client.post(
        url,
        {"history_id": first.history_id, "token": service.token(observation), "reason": "戻す"},
        follow=True,
    )
    assert "承認済みのため編集できません" in html.unescape(posted.content.decode())
    observation.refresh_from_db()
    assert observation.value == 200


def test_a_published_year_locks_editors_and_the_admins_correction_needs_a_reason(cast):
    target = kpi(f.OTOBETSU_USERS)
    editor = signed_in(cast.editor)
    page = html.unescape(editor.get(entry_url(PUBLISHED)).content.decode())
    assert "公表済みのため編集できません" in page
    assert f'name="value_{target.pk}"' not in page
    with pytest.raises(service.Locked, match="published: locked"):
        enter(cast.editor, f.OTOBETSU_USERS, "35,300", PUBLISHED)
    # The planning admin corrects, with a reason only.
    with pytest.raises(service.EntryError, match="訂正の理由"):
        enter(cast.admin, f.OTOBETSU_USERS, "35,300", PUBLISHED)
    assert f.observation(f.OTOBETSU_USERS, PUBLISHED).value == 35245
    enter(cast.admin, f.OTOBETSU_USERS, "35,300", PUBLISHED, comment="集計漏れの追加")
    corrected = f.observation(f.OTOBETSU_USERS, PUBLISHED)
    assert corrected.value == 35300
    record = corrected.history.order_by("-history_id").first()
    assert (record.history_user, record.history_change_reason) == (
        cast.admin,
        "訂正: 集計漏れの追加",
    )
    # The published report is unchanged; the correction is flagged with its reason.
    judged = reports.load_report(cast.org, PUBLISHED).result.kpis
    [number] = [i for i, k in enumerate(judged, 1) if k.kpi.indicator == f.OTOBETSU_USERS]
    row = judged[number - 1]
    assert row.kpi.actuals[PUBLISHED].value == 35245
    [flag] = [x for x in row.kpi.reader_flags if x.code == "revised-after-publication"]
    assert "35,245 から 35,300 に訂正" in flag.message_ja
    assert "訂正の理由: 集計漏れの追加" in flag.message_ja
    assert "(reason: 集計漏れの追加)" in flag.message_en
    kpi_page = Client().get(f"/org/{CODE}/kpi/{target.pk}/?year={PUBLISHED}").content.decode()
    assert "集計漏れの追加" in html.unescape(kpi_page)
    api = f"/api/v1/organizations/{CODE}/years/{PUBLISHED}/kpis/{number}"
    [detail] = [
        d
        for d in Client().get(api).json()["flag_details"]
        if d["code"] == "revised-after-publication"
    ]
    assert "集計漏れの追加" in detail["message_ja"] and "集計漏れの追加" in detail["message_en"]


# --- publishing ------------------------------------------------------------------------------


def test_publish_is_refused_naming_the_projects_not_approved(cast):
    set_state(cast.a, YEAR, APPROVED)
    with pytest.raises(PermissionDenied):
        workflow.publish(cast.editor, cast.org, YEAR)
    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.publish(cast.admin, cast.org, YEAR)
    assert cast.b.name in refused.value.message_ja and "入力中" in refused.value.message_ja
    assert cast.a.name not in refused.value.message_ja
    assert cast.b.name in refused.value.message_en
    assert m.FiscalYear.objects.get(organization=cast.org, year=YEAR).published_at is None
    assert YEAR not in reports.report_years(cast.org)
    # An ended project does not block the year.
    m.Project.objects.exclude(pk=cast.a.pk).update(ended_year=PUBLISHED)
    workflow.publish(cast.admin, cast.org, YEAR)
    assert state(cast.a) == m.WorkState.PUBLISHED
    assert state(cast.b) == DRAFT  # ended: left as it was
    with pytest.raises(workflow.WorkflowError, match="すでに公表"):
        workflow.publish(cast.admin, cast.org, YEAR)


def test_publishing_makes_the_year_public_with_the_values_entered_and_keeps_it(cast):
    org, a, b = cast.org, cast.a, cast.b
    m.Project.objects.exclude(pk__in=[a.pk, b.pk]).update(ended_year=PUBLISHED)
    enter(cast.editor, f.OTOBETSU_USERS, "３６，０１２")
    enter(cast.other_editor, f.MIGRANTS, "△3")
    m.ProjectYear.objects.filter(project=a, fiscal_year=YEAR).update(
        spent=Decimal(12_345_000), total_cost=Decimal(20_000_000), grant_amount=Decimal(10_000_000)
    )
    for project, editor in ((a, cast.editor), (b, cast.other_editor)):
        workflow.submit(editor, project, YEAR)
        workflow.approve(cast.admin, project, YEAR)
    admin = signed_in(cast.admin)
    assert (
        reverse("ledger:staff_publish", args=[CODE, YEAR]) in admin.get(hub_url()).content.decode()
    )
    version = m.LedgerVersion.current()
    done = admin.post(reverse("ledger:staff_publish", args=[CODE, YEAR]), follow=True)
    assert "公表しました" in html.unescape(done.content.decode())
    assert m.LedgerVersion.current() > version
    fiscal_year = m.FiscalYear.objects.get(organization=org, year=YEAR)
    assert fiscal_year.published_at is not None and fiscal_year.published_by == cast.admin
    assert fiscal_year.history.order_by("-history_id").first().history_change_reason == "公表"
    assert {state(a), state(b)} == {m.WorkState.PUBLISHED}
    assert reports.report_years(org) == [YEAR, PUBLISHED]
    assert reports.report_heading(org, YEAR)[0] == "令和6年度 KPI実績"
    # The record: terms, the actuals of every year up to R6, money in 円.
    reported = m.ReportedKpi.objects.get(kpi=kpi(f.OTOBETSU_USERS), fiscal_year=YEAR)
    assert reported.actuals[str(YEAR)] == {"value": "36012"}
    assert reported.actuals[str(PUBLISHED)] == {"value": "35245"}
    assert reported.project_name == a.name and reported.import_batch is None
    assert m.ReportedKpi.objects.filter(fiscal_year=YEAR).count() == (
        m.Kpi.objects.filter(project__in=[a, b]).count()
    )
    money = m.ReportedProject.objects.get(project=a, fiscal_year=YEAR)
    assert (money.spent, money.spent_unit, money.total_cost) == (12_345_000, "円", 20_000_000)
    # Public pages and the API show it like an imported year.
    visitor = Client()
    report = visitor.get(f"/org/{CODE}/{YEAR}/")
    assert report.status_code == 200
    body = html.unescape(report.content.decode())
    assert "36,012" in body
    assert f'href="/org/{CODE}/{YEAR}/"' in visitor.get("/").content.decode()
    api = f"/api/v1/organizations/{CODE}"
    assert f'"fiscal_year": {YEAR}' in visitor.get(f"{api}/years").content.decode()
    rows = visitor.get(f"{api}/years/{YEAR}/observations").content.decode()
    assert "36012" in rows
    # A later correction: the published report stays; only the flag (with the reason) appears.
    enter(cast.admin, f.OTOBETSU_USERS, "36,100", comment="再集計")
    reported.refresh_from_db()
    assert reported.actuals[str(YEAR)] == {"value": "36012"}
    [row] = [k for k in reports.load_report(org, YEAR).result.kpis
             if k.kpi.indicator == f.OTOBETSU_USERS]  # fmt: skip
    assert row.kpi.actuals[YEAR].value == Decimal("36012")
    assert any("再集計" in x.message_ja for x in row.kpi.reader_flags)
    assert "36,012" in html.unescape(visitor.get(f"/org/{CODE}/{YEAR}/").content.decode())


def test_an_import_publishes_its_year_and_projects_with_the_spent_amount_in_yen():
    f.import_reference()
    org = m.Organization.objects.get(code=CODE)
    fiscal_year = m.FiscalYear.objects.get(organization=org, year=PUBLISHED)
    assert fiscal_year.published_at is not None
    assert set(m.ProjectYear.objects.values_list("state", flat=True)) == {"published"}
    assert m.ProjectYear.objects.count() == org.projects.count() == 7
    layouts = Path(__file__).resolve().parents[5] / "tests" / "data" / "layouts"
    f.import_file(layouts / "23b_national_form_money.txt", code="011002", name="札幌市")
    sagisawa = m.Organization.objects.get(code="011002")
    [batch] = sagisawa.imports.all()
    spent = {
        row.project.name: row.spent
        for row in m.ProjectYear.objects.filter(
            project__organization=sagisawa, fiscal_year=batch.fiscal_year
        )
    }
    assert spent["鷺沢村ワーケーション推進事業"] == Decimal(12_345_000)  # 12,345 千円
    assert spent["鷺沢村空き家活用事業"] == Decimal(5_000_000)
    assert m.FiscalYear.objects.get(organization=sagisawa).published_at is not None


# --- two reviews at once --------------------------------------------------------------------

SETUP = textwrap.dedent(
    """
    from kpiledger.web import setup
    setup()
    from django.contrib.auth.models import User
    from kpiledger.web.ledger import models as m
    from kpiledger.web.ledger.tests.yearly import open_year
    org = m.Organization.objects.get(code="012068")
    admin = User.objects.create_user("kikaku", password="x")
    m.Membership.objects.create(user=admin, organization=org, role="planning_admin")
    project = m.Project.objects.get(name=%r)
    open_year(org, 2024, projects=[project])
    m.ProjectYear.objects.filter(project=project, fiscal_year=2024).update(state="submitted")
    """
)

RACE = textwrap.dedent(
    """
    import os, sys, time
    from kpiledger.web import setup
    setup()
    from django.contrib.auth.models import User
    from kpiledger.web.ledger import models as m
    from kpiledger.web.ledger.services import workflow
    save = m.ProjectYear.save
    def slow(self, *args, **kwargs):  # widen the window between the check and the write
        time.sleep(0.5)
        save(self, *args, **kwargs)
    m.ProjectYear.save = slow
    admin = User.objects.get(username="kikaku")
    project = m.Project.objects.get(name=%r)
    go = sys.argv[2]
    while not os.path.exists(go):
        time.sleep(0.01)
    try:
        if sys.argv[1] == "approve":
            workflow.approve(admin, project, 2024, "ok")
        else:
            workflow.return_(admin, project, 2024, "back")
    except workflow.WorkflowError as error:
        print("refused", error)
    else:
        print("done")
    """
)


def python(data_dir, code: str, *args: str):  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env=p.environment(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("action", ["approve", "return"])
def test_two_reviews_at_once_record_exactly_one_outcome(action, tmp_path):
    reference = tmp_path / "reference.txt"
    reference.write_text(f.REFERENCE_TEXT, encoding="utf-8")
    ledger = tmp_path / "ledger"
    done = p.run(ledger, "import", str(reference), "--org", CODE)
    assert done.returncode == 0, done.stderr
    setup = python(ledger, SETUP % OTOBETSU)
    _, err = setup.communicate(timeout=120)
    assert setup.returncode == 0, err
    go = tmp_path / "go"
    racers = [python(ledger, RACE % OTOBETSU, action, str(go)) for _ in range(2)]
    time.sleep(2)  # both started and waiting
    go.write_text("go")
    outputs = [racer.communicate(timeout=180) for racer in racers]
    for racer, (_, err) in zip(racers, outputs, strict=True):
        assert racer.returncode == 0, err
    results = sorted(out.split()[0] for out, _ in outputs)
    assert results == ["done", "refused"], outputs
    expected = "approved" if action == "approve" else "draft"
    rows = p.query(
        ledger,
        "SELECT y.state FROM ledger_projectyear y JOIN ledger_project p ON p.id = y.project_id"
        " WHERE p.name = ? AND y.fiscal_year = 2024",
        OTOBETSU,
    )
    assert rows == [(expected,)]
    reasons = p.query(
        ledger,
        "SELECT h.history_change_reason FROM ledger_historicalprojectyear h"
        " JOIN ledger_project p ON p.id = h.project_id WHERE p.name = ? AND h.fiscal_year = 2024"
        " AND h.history_change_reason IS NOT NULL",
        OTOBETSU,
    )
    # One transition in the history (the row's creation by the setup has no reason).
    assert reasons == ([("承認: ok",)] if action == "approve" else [("差戻し: back",)])
