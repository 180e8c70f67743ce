"""The staff upload form: login and a membership required (policy.py), preview before
writing, all or nothing, bilingual located problems for a bad file."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import resolve_url
from django.urls import reverse

from kpiledger.cli.main import reference_report_path
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    """The planning admin (企画担当) of 釧路市 (012068), which is in the ledger."""
    user = f.make_planning_admin("kikaku", is_staff=True)
    client.force_login(user)
    return user


@pytest.fixture
def superuser(client):
    """Only a superuser imports an organization not yet in the ledger."""
    user = User.objects.create_superuser("kanri", "kanri@example.org", f.PASSWORD)
    client.force_login(user)
    return user


def pending() -> m.ImportBatch:
    return m.ImportBatch.objects.filter(status="pending").latest("id")


def preview_url() -> str:
    return reverse("ledger:import_preview", args=[pending().pk])


def show(client) -> str:
    """The preview of the latest pending import, as the page shows it."""
    return client.get(preview_url()).content.decode()


def confirm(client, action: str = "apply", page: str | None = None):
    """Post the preview page's form: its fingerprint (what it showed) with the action."""
    batch = pending()
    page = page if page is not None else show(client)
    found = re.search(r'name="fingerprint" value="([0-9a-f]*)"', page)
    data = {"action": action, "fingerprint": found.group(1) if found else ""}
    return client.post(reverse("ledger:import_confirm", args=[batch.pk]), data)


def upload(client, content: bytes, name="report.txt", code="012068", org_name="釧路市"):
    file = SimpleUploadedFile(name, content, content_type="text/plain")
    return client.post(
        reverse("ledger:import_upload"), {"org_code": code, "org_name": org_name, "file": file}
    )


def test_anonymous_users_are_sent_to_login(client):
    for url in (reverse("ledger:import_upload"), reverse("ledger:staff_imports")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(resolve_url(settings.LOGIN_URL) + "?next=")


def test_staff_without_a_membership_is_refused_in_both_languages(client):
    from django.contrib.auth.models import Permission

    user = User.objects.create_user("other", password="pw-for-tests-only", is_staff=True)
    # the old global permission grants nothing any more: memberships decide
    user.user_permissions.add(Permission.objects.get(codename="add_importbatch"))
    client.force_login(user)
    response = client.get(reverse("ledger:import_upload"))
    text = response.content.decode()
    assert response.status_code == 403
    assert "取込を準備できる団体がありません" in text and "ask your planning office" in text


def test_upload_preview_then_apply(client, staff):
    content = reference_report_path().read_bytes()
    response = upload(client, content)
    assert response.status_code == 302 and response["Location"] == preview_url()
    assert m.Project.objects.count() == 0  # nothing written before the confirmation
    text = show(client)
    assert "事業の追加" in text and ">7<" in text and ">24<" in text and ">120<" in text
    assert m.Project.objects.count() == 0
    done = confirm(client, page=text)
    assert done["Location"] == reverse("ledger:report", kwargs={"code": "012068", "year": 2023})
    assert (m.Project.objects.count(), m.Kpi.objects.count(), m.Observation.objects.count()) == (
        7,
        24,
        120,
    )
    batch = m.ImportBatch.objects.get()
    assert (batch.prepared_by, batch.file_name, batch.status) == (staff, "report.txt", "applied")
    assert batch.applied_by == staff and batch.applied_at is not None
    history = m.Observation.history.first()
    assert history.history_user == staff and "report.txt" in history.history_change_reason


def test_discard_writes_nothing(client, superuser):
    upload(client, reference_report_path().read_bytes())
    done = confirm(client, "discard")
    assert done["Location"] == reverse("ledger:staff_imports")
    assert m.Organization.objects.count() == m.Project.objects.count() == 0
    batch = m.ImportBatch.objects.get()  # the upload is kept as a record, marked discarded
    assert batch.status == m.ImportBatch.Status.DISCARDED and batch.organization is None
    assert batch.discarded_by == superuser and batch.discarded_at is not None


def test_bad_file_shows_every_problem_and_writes_nothing(client, staff):
    bad = reference_report_path().read_text(encoding="utf-8").replace("1,878", "abc")
    bad = bad.replace("R6.3\t-\t-\t-\t33,633", "X6.3\t-\t-\t-\t33,633")
    response = upload(client, bad.encode())
    text = response.content.decode()
    assert response.status_code == 200
    assert "[bad-number]" in text and "[unknown-era]" in text
    assert "11行目" in text and "line 11" in text and "24行目" in text
    assert m.ImportBatch.objects.count() == m.Project.objects.count() == 0


def test_bad_org_code_is_refused_with_the_reason(client, staff):
    response = upload(client, reference_report_path().read_bytes(), code="012067")
    text = response.content.decode()
    assert "検査数字" in text and "check digit" in text
    assert m.ImportBatch.objects.count() == 0


def test_without_a_name_the_organization_is_named_from_the_table(client, superuser):
    response = upload(client, reference_report_path().read_bytes(), code="011002", org_name="")
    assert response["Location"] == preview_url()
    page = show(client)
    assert "札幌市" in page
    confirm(client, page=page)
    org = m.Organization.objects.get()
    assert (org.code, org.name, org.prefecture) == ("011002", "札幌市", "北海道")


def test_a_given_name_overrides_the_table(client, superuser):
    upload(client, reference_report_path().read_bytes(), code="011002", org_name="札幌市役所")
    confirm(client)
    assert m.Organization.objects.get().name == "札幌市役所"


def test_only_a_superuser_imports_a_new_organization(client, staff):
    response = upload(client, reference_report_path().read_bytes(), code="011002")
    text = response.content.decode()
    assert response.status_code == 200 and m.ImportBatch.objects.count() == 0
    assert "団体コード 011002 の団体はまだ台帳にありません" in text
    assert "only a superuser may import a new organization" in text


def test_an_organization_of_which_the_user_is_no_member_is_refused(client, staff):
    f.make_organization("011002", "札幌市")
    response = upload(client, reference_report_path().read_bytes(), code="011002")
    text = response.content.decode()
    assert response.status_code == 200 and m.ImportBatch.objects.count() == 0
    assert "札幌市（011002） の取込を準備する権限がありません" in text
    assert "you may not prepare an import for 011002" in text


def test_a_code_not_in_the_table_needs_a_name(client, superuser):
    content = reference_report_path().read_bytes()
    response = upload(client, content, code="016951", org_name="")  # 色丹村
    text = response.content.decode()
    assert response.status_code == 200
    assert "団体コード 016951 は地方公共団体コード表（2026年10月時点）にありません" in text
    assert "「団体名」欄に団体名を入力してください" in text
    assert "not in the table of local governments (as of 2026-10)" in text
    assert m.ImportBatch.objects.count() == m.Organization.objects.count() == 0
    response = upload(client, content, code="016951", org_name="色丹村")
    assert response["Location"] == preview_url()


def test_an_existing_organization_needs_no_name(client, staff):
    f.make_member(staff, f.make_organization("016951", "色丹村"))
    response = upload(client, reference_report_path().read_bytes(), code="016951", org_name="")
    assert response["Location"] == preview_url()


def test_reimporting_the_same_file_changes_nothing(client, staff):
    content = reference_report_path().read_bytes()
    for _ in range(2):
        upload(client, content)
        confirm(client)
    assert m.ImportBatch.objects.filter(status="applied").count() == 1
    assert m.ImportBatch.objects.filter(status="discarded").count() == 1  # the second upload
    assert m.Observation.history.count() == 120


def test_a_value_the_ledger_cannot_keep_is_refused_at_upload(client, staff):
    text = reference_report_path().read_text(encoding="utf-8").replace("73.5", "73.12345")
    response = upload(client, text.encode())
    body = response.content.decode()
    assert response.status_code == 200 and "[value-out-of-range]" in body
    assert m.ImportBatch.objects.count() == 0


def test_confirm_refuses_when_the_ledger_changed_since_the_preview(client, staff):
    upload(client, reference_report_path().read_bytes())
    page = show(client)
    f.import_reference()  # someone else imported it meanwhile
    response = confirm(client, page=page)
    assert response["Location"] == preview_url()
    assert m.ImportBatch.objects.filter(status="applied").count() == 1
    assert m.ImportBatch.objects.filter(status="pending").count() == 1


def test_many_problems_are_capped_on_the_page(client, staff):
    lines = reference_report_path().read_text(encoding="utf-8").splitlines()
    header = "\n".join(lines[: next(i for i, t in enumerate(lines) if t.endswith("R5年度")) + 1])
    rows = "\n".join(f"事業{i}\t概要\t指標{i}\tabc\t人\tR6.3\t-\t-\t-\t-\t1" for i in range(300))
    body = upload(client, f"{header}\n{rows}\n".encode()).content.decode()
    assert "300件の問題があります" in body and "ほか100件" in body
    assert body.count("[bad-number]") == 200


def test_an_import_no_longer_pending_cannot_be_confirmed_again(client, staff):
    upload(client, reference_report_path().read_bytes())
    batch = pending()
    confirm(client, "discard")
    url = reverse("ledger:import_confirm", args=[batch.pk])
    response = client.post(url, {"action": "apply", "fingerprint": "x"})
    assert response["Location"] == reverse("ledger:staff_imports")
    batch.refresh_from_db()
    assert batch.status == "discarded" and m.Project.objects.count() == 0
    missing = client.post(reverse("ledger:import_confirm", args=[batch.pk + 1]), {})
    assert missing.status_code == 404


def test_a_pending_upload_lives_in_the_ledger_not_in_the_session(client, staff):
    content = reference_report_path().read_bytes() + b"\n" * 200_000  # a bigger upload
    upload(client, content)
    batch = pending()
    assert bytes(batch.content) == content and batch.prepared_by == staff
    assert (batch.org_code, batch.fiscal_year, batch.organization.code) == (
        "012068",
        2023,
        "012068",
    )
    from django.contrib.sessions.models import Session

    stored = Session.objects.get(session_key=client.session.session_key).session_data
    assert len(stored) < 1_000  # the file is not in the session row
    client.logout()  # a new session: the pending import is still reachable at its address
    client.force_login(staff)
    assert client.get(preview_url()).status_code == 200
    confirm(client)
    batch.refresh_from_db()
    assert batch.status == m.ImportBatch.Status.APPLIED and batch.organization.code == "012068"
    assert m.ImportBatch.objects.count() == 1  # the pending record became the applied one


def test_an_editor_prepares_and_only_the_planning_admin_applies(client, staff):
    project = f.make_project(m.Organization.objects.get(code="012068"), "既存事業")
    editor = f.make_user("jigyo")
    f.make_member(editor, project.organization, m.Role.DEPARTMENT_EDITOR, [project])
    client.force_login(editor)
    assert upload(client, reference_report_path().read_bytes())["Location"] == preview_url()
    page = show(client)
    assert 'value="apply"' not in page and "台帳への取り込みは企画担当が行います。" in page
    refused = confirm(client, page=page.replace('value="discard"', 'value="apply"'))
    text = refused.content.decode()
    assert refused.status_code == 403 and m.Kpi.objects.count() == 0
    assert (
        "この操作（取込の実行）の権限がありません" in text and "you may not apply an import" in text
    )
    client.force_login(staff)
    assert "台帳に取り込む" in show(client)
    confirm(client)
    batch = m.ImportBatch.objects.get()
    assert (batch.prepared_by, batch.applied_by, batch.status) == (editor, staff, "applied")
    assert m.Kpi.objects.count() == 24


def test_the_preparer_or_the_planning_admin_discards_nobody_else(client, staff):
    organization = m.Organization.objects.get(code="012068")
    project = f.make_project(organization, "既存事業")
    editors = [f.make_user(name) for name in ("jigyo", "jigyo2")]
    for editor in editors:
        f.make_member(editor, organization, m.Role.DEPARTMENT_EDITOR, [project])
    client.force_login(editors[0])
    upload(client, reference_report_path().read_bytes())
    client.force_login(editors[1])  # an editor of the same organization who did not prepare it
    assert 'value="discard"' not in show(client)
    assert confirm(client, "discard").status_code == 403
    assert pending().status == "pending"
    client.force_login(editors[0])
    assert confirm(client, "discard")["Location"] == reverse("ledger:staff_imports")
    assert m.ImportBatch.objects.get().discarded_by == editors[0]


def test_confirm_without_a_preview_writes_nothing(client, staff):
    upload(client, reference_report_path().read_bytes())
    batch = pending()
    response = client.post(reverse("ledger:import_confirm", args=[batch.pk]), {"action": "apply"})
    assert response["Location"] == preview_url() and m.Project.objects.count() == 0


def test_the_preview_shows_that_a_file_looks_cut_short(client, staff):
    upload(client, reference_report_path().read_bytes()[:7409])  # `head -c 7409`: 88 → 8
    body = show(client)
    assert "[possibly-truncated]" in body and "39行目" in body
    assert m.Project.objects.count() == 0


# --- the staff pages' look, problems without a location, nothing left to import -------------


def test_staff_pages_have_the_site_navigation_and_a_logout_button(client, staff):
    html = client.get(reverse("ledger:import_upload")).content.decode()
    nav = html[html.index('<nav class="staff-nav"') : html.index("</nav>", html.index("staff-nav"))]
    for name in ("ledger:home", "ledger:staff_imports", "admin:index"):
        assert f'href="{reverse(name)}"' in nav, name
    assert f'href="{reverse("ledger:staff_imports")}" aria-current="page"' in nav
    assert "ログイン中: <strong>kikaku</strong>" in html
    logout = html[html.index('<form class="staff-user"') :]
    logout = logout[: logout.index("</form>")]
    assert f'action="{reverse("ledger:logout")}" method="post"' in logout
    assert 'name="csrfmiddlewaretoken"' in logout and "ログアウト</button>" in logout
    assert '<nav class="breadcrumbs"' in html and 'class="button button--primary"' in html


def test_a_problem_without_a_location_has_no_dangling_colon(client, staff):
    response = upload(client, b"\x81\x20abc\xa0\xfd")  # neither UTF-8 nor Shift_JIS
    text = response.content.decode()
    assert "[bad-encoding]" in text
    item = text[text.index('<li class="problem">') : text.index("</li>", text.index("problem"))]
    assert "</span> 文字コードを判別できません" in item, "no location: straight to the message"
    assert '<span class="problem__en" lang="en">cannot decode the file' in item
    assert ": 文字コード" not in item and '">: ' not in item


def test_a_located_problem_shows_its_place_in_both_languages(client, staff):
    bad = reference_report_path().read_text(encoding="utf-8").replace("1,878", "abc")
    text = upload(client, bad.encode()).content.decode()
    assert "</span> 11行目 11列目 「R5年度」: 「abc」は数値として読めません" in text
    assert '<span class="problem__en" lang="en">line 11, column 11 (R5年度): ' in text


def preview_again(client, content: bytes, name: str) -> str:
    response = upload(client, content, name=name)
    assert response["Location"] == preview_url()
    return show(client)


@pytest.mark.parametrize("extra", [b"", b"\n"], ids=["the same file", "the same content"])
def test_a_report_already_in_the_ledger_offers_no_import_and_writes_nothing(client, staff, extra):
    content = reference_report_path().read_bytes()
    upload(client, content)
    confirm(client)
    version, history = m.LedgerVersion.current(), m.Observation.history.count()

    page = preview_again(client, content + extra, name="again.txt")
    assert "この報告書の内容はすでに台帳にあります。取り込む変更はありません。" in page
    assert 'value="apply"' not in page and "台帳に取り込む" not in page
    assert 'name="action" value="discard"' in page

    stale = page.replace('name="action" value="discard"', 'name="action" value="apply"')
    done = confirm(client, page=stale)  # a stale form: apply, with what the page showed
    assert done["Location"] == reverse("ledger:staff_imports")
    assert m.ImportBatch.objects.filter(status="applied").count() == 1
    again = m.ImportBatch.objects.get(file_name="again.txt")
    assert again.status == m.ImportBatch.Status.DISCARDED
    assert (m.LedgerVersion.current(), m.Observation.history.count()) == (version, history)


def test_the_preview_names_the_fiscal_year_in_the_japanese_calendar(client, staff):
    page = preview_again(client, reference_report_path().read_bytes(), name="report.txt")
    assert "<dd>令和5年度（2023年度）</dd>" in page
    english = client.get("/en" + preview_url())
    assert "<dd>FY2023 (令和5年度)</dd>" in english.content.decode()


def test_preview_shows_each_project_and_kpi_as_the_command_line_does(client, staff):
    from kpiledger.web.ledger.presenters.plan import plan_view

    content = reference_report_path().read_bytes()
    upload(client, content)
    confirm(client)  # the confirmation needs a preview shown
    assert m.Observation.objects.count() == 120
    changed = content.decode().replace("\t112\t105", "\t112\t106").encode()
    assert changed != content
    upload(client, changed)
    html = show(client)
    assert "【変更あり】釧路市におけるテレワーク等推進事業" in html
    assert "【変更なし】音別地域交流拠点施設整備事業" in html
    assert '移住者数</th><td data-label="区分">変更あり</td>' in html
    assert "実績値の変更 R5年度: 105 → 106" in html
    assert "変更なし 23" in html and "変更あり 1" in html
    # the same view as the command line's preview, in Japanese
    from kpiledger.io.readers import read_report_bytes
    from kpiledger.web.ledger.services import importing

    plan = importing.plan_import(
        importing.organization_for("012068"), read_report_bytes(changed, "r.txt"), changed
    )
    view = plan_view(plan, "r.txt", "ja")
    [migrants] = [k for p in view.projects for k in p.kpis if k.indicator == "移住者数"]
    assert (migrants.state, [(c.year, c.before, c.after) for c in migrants.changes][-1]) == (
        "changed", ("R5年度", "105", "106"))  # fmt: skip
