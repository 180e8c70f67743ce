"""The staff upload form: login and permission required, preview before writing, all or
nothing, bilingual located problems for a bad file."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kpiledger.cli.main import reference_report_path
from kpiledger.web.ledger import models as m

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = User.objects.create_user("kikaku", password="pw-for-tests-only", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="add_importbatch"))
    client.force_login(user)
    return user


def upload(client, content: bytes, name="report.txt", code="012068", org_name="釧路市"):
    file = SimpleUploadedFile(name, content, content_type="text/plain")
    return client.post(
        reverse("ledger:import_upload"), {"org_code": code, "org_name": org_name, "file": file}
    )


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(reverse("ledger:import_upload"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_without_permission_is_refused(client):
    user = User.objects.create_user("other", password="pw-for-tests-only", is_staff=True)
    client.force_login(user)
    assert client.get(reverse("ledger:import_upload")).status_code == 403


def test_upload_preview_then_apply(client, staff):
    content = reference_report_path().read_bytes()
    response = upload(client, content)
    assert response.status_code == 302 and response["Location"] == reverse("ledger:import_preview")
    assert m.Project.objects.count() == 0  # nothing written before the confirmation
    preview = client.get(reverse("ledger:import_preview"))
    text = preview.content.decode()
    assert "事業の追加" in text and ">7<" in text and ">24<" in text and ">120<" in text
    assert m.Organization.objects.count() == 0
    done = client.post(reverse("ledger:import_confirm"), {"action": "apply"})
    assert done["Location"] == reverse("ledger:report", kwargs={"code": "012068", "year": 2023})
    assert (m.Project.objects.count(), m.Kpi.objects.count(), m.Observation.objects.count()) == (
        7,
        24,
        120,
    )
    batch = m.ImportBatch.objects.get()
    assert (batch.created_by, batch.file_name, batch.status) == (staff, "report.txt", "applied")
    history = m.Observation.history.first()
    assert history.history_user == staff and "report.txt" in history.history_change_reason


def test_discard_writes_nothing(client, staff):
    upload(client, reference_report_path().read_bytes())
    client.post(reverse("ledger:import_confirm"), {"action": "discard"})
    assert m.Organization.objects.count() == m.Project.objects.count() == 0
    batch = m.ImportBatch.objects.get()  # the upload is kept as a record, marked discarded
    assert batch.status == m.ImportBatch.Status.DISCARDED and batch.organization is None


def test_bad_file_shows_every_problem_and_writes_nothing(client, staff):
    bad = reference_report_path().read_text(encoding="utf-8").replace("1,878", "abc")
    bad = bad.replace("R6.3\t-\t-\t-\t33,633", "X6.3\t-\t-\t-\t33,633")
    response = upload(client, bad.encode())
    text = response.content.decode()
    assert response.status_code == 200
    assert "[bad-number]" in text and "[unknown-era]" in text
    assert "11行目" in text and "line 11" in text and "24行目" in text
    assert m.Organization.objects.count() == 0 and not client.session.get(
        "kpiledger_pending_import"
    )


def test_bad_org_code_is_refused_with_the_reason(client, staff):
    response = upload(client, reference_report_path().read_bytes(), code="012067")
    text = response.content.decode()
    assert "検査数字" in text and "check digit" in text
    assert m.Organization.objects.count() == 0


def test_without_a_name_the_organization_is_named_from_the_table(client, staff):
    response = upload(client, reference_report_path().read_bytes(), code="011002", org_name="")
    assert response["Location"] == reverse("ledger:import_preview")
    assert "札幌市" in client.get(reverse("ledger:import_preview")).content.decode()
    client.post(reverse("ledger:import_confirm"), {"action": "apply"})
    org = m.Organization.objects.get()
    assert (org.code, org.name, org.prefecture) == ("011002", "札幌市", "北海道")


def test_a_given_name_overrides_the_table(client, staff):
    upload(client, reference_report_path().read_bytes(), code="011002", org_name="札幌市役所")
    client.get(reverse("ledger:import_preview"))
    client.post(reverse("ledger:import_confirm"), {"action": "apply"})
    assert m.Organization.objects.get().name == "札幌市役所"


def test_a_code_not_in_the_table_needs_a_name(client, staff):
    content = reference_report_path().read_bytes()
    response = upload(client, content, code="016951", org_name="")  # 色丹村
    text = response.content.decode()
    assert response.status_code == 200
    assert "団体コード 016951 は地方公共団体コード表（2026年10月時点）にありません" in text
    assert "「団体名」欄に団体名を入力してください" in text
    assert "not in the table of local governments (as of 2026-10)" in text
    assert m.ImportBatch.objects.count() == m.Organization.objects.count() == 0
    assert not client.session.get("kpiledger_pending_import")
    response = upload(client, content, code="016951", org_name="色丹村")
    assert response["Location"] == reverse("ledger:import_preview")


def test_an_existing_organization_needs_no_name(client, staff):
    from kpiledger.web.ledger.tests import factories as f

    f.make_organization("016951", "色丹村")
    response = upload(client, reference_report_path().read_bytes(), code="016951", org_name="")
    assert response["Location"] == reverse("ledger:import_preview")


def test_reimporting_the_same_file_changes_nothing(client, staff):
    content = reference_report_path().read_bytes()
    for _ in range(2):
        upload(client, content)
        client.get(reverse("ledger:import_preview"))
        client.post(reverse("ledger:import_confirm"), {"action": "apply"})
    assert m.ImportBatch.objects.filter(status="applied").count() == 1
    assert m.ImportBatch.objects.filter(status="discarded").count() == 1  # the second upload
    assert m.Observation.history.count() == 120


def test_a_value_the_ledger_cannot_keep_is_refused_at_upload(client, staff):
    text = reference_report_path().read_text(encoding="utf-8").replace("73.5", "73.12345")
    response = upload(client, text.encode())
    body = response.content.decode()
    assert response.status_code == 200 and "[value-out-of-range]" in body
    assert not client.session.get("kpiledger_pending_import")
    assert client.get(reverse("ledger:import_preview")).status_code == 302


def test_confirm_refuses_when_the_ledger_changed_since_the_preview(client, staff):
    upload(client, reference_report_path().read_bytes())
    client.get(reverse("ledger:import_preview"))
    from kpiledger.web.ledger.tests import factories as f

    f.import_reference()  # someone else imported it meanwhile
    response = client.post(reverse("ledger:import_confirm"), {"action": "apply"})
    assert response["Location"] == reverse("ledger:import_preview")
    assert m.ImportBatch.objects.filter(status="applied").count() == 1
    assert m.ImportBatch.objects.filter(status="pending").count() == 1


def test_many_problems_are_capped_on_the_page(client, staff):
    lines = reference_report_path().read_text(encoding="utf-8").splitlines()
    header = "\n".join(lines[: next(i for i, t in enumerate(lines) if t.endswith("R5年度")) + 1])
    rows = "\n".join(f"事業{i}\t概要\t指標{i}\tabc\t人\tR6.3\t-\t-\t-\t-\t1" for i in range(300))
    body = upload(client, f"{header}\n{rows}\n".encode()).content.decode()
    assert "300件の問題があります" in body and "ほか100件" in body
    assert body.count("[bad-number]") == 200


def test_discard_needs_no_valid_pending_upload(client, staff):
    response = client.post(reverse("ledger:import_confirm"), {"action": "discard"})
    assert response.status_code == 302


def test_a_pending_upload_lives_in_the_ledger_not_in_the_session(client, staff):
    content = reference_report_path().read_bytes() + b"\n" * 200_000  # a bigger upload
    upload(client, content)
    session = client.session
    pending = m.ImportBatch.objects.get(status=m.ImportBatch.Status.PENDING)
    assert session["kpiledger_pending_import"] == pending.pk
    assert bytes(pending.content) == content and pending.created_by == staff
    assert (pending.org_code, pending.fiscal_year, pending.organization) == ("012068", 2023, None)
    from django.contrib.sessions.models import Session

    stored = Session.objects.get(session_key=session.session_key).session_data
    assert len(stored) < 1_000  # only the id: the file is not in the session row
    client.get(reverse("ledger:import_preview"))
    client.post(reverse("ledger:import_confirm"), {"action": "apply"})
    pending.refresh_from_db()
    assert pending.status == m.ImportBatch.Status.APPLIED and pending.organization.code == "012068"
    assert m.ImportBatch.objects.count() == 1  # the pending record became the applied one


def test_another_users_pending_upload_cannot_be_applied(client, staff):
    upload(client, reference_report_path().read_bytes())
    pending = m.ImportBatch.objects.get()
    other = User.objects.create_user("other", password="pw-for-tests-only", is_staff=True)
    other.user_permissions.add(Permission.objects.get(codename="add_importbatch"))
    client.force_login(other)
    session = client.session
    session["kpiledger_pending_import"] = pending.pk
    session.save()
    client.post(reverse("ledger:import_confirm"), {"action": "apply"})
    assert m.Project.objects.count() == 0
    pending.refresh_from_db()
    assert pending.status == m.ImportBatch.Status.PENDING


def test_confirm_without_a_preview_writes_nothing(client, staff):
    upload(client, reference_report_path().read_bytes())
    response = client.post(reverse("ledger:import_confirm"), {"action": "apply"})
    assert response.status_code == 302 and m.Project.objects.count() == 0


def test_the_preview_shows_that_a_file_looks_cut_short(client, staff):
    upload(client, reference_report_path().read_bytes()[:7409])  # `head -c 7409`: 88 → 8
    body = client.get(reverse("ledger:import_preview")).content.decode()
    assert "[possibly-truncated]" in body and "39行目" in body
    assert m.Project.objects.count() == 0


# --- the staff pages' look, problems without a location, nothing left to import -------------


def test_staff_pages_have_the_site_navigation_and_a_logout_button(client, staff):
    html = client.get(reverse("ledger:import_upload")).content.decode()
    nav = html[html.index('<nav class="staff-nav"') : html.index("</nav>", html.index("staff-nav"))]
    for name in ("ledger:home", "ledger:import_upload", "admin:index"):
        assert f'href="{reverse(name)}"' in nav, name
    assert f'href="{reverse("ledger:import_upload")}" aria-current="page"' in nav
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
    assert response["Location"] == reverse("ledger:import_preview")
    return client.get(reverse("ledger:import_preview")).content.decode()


@pytest.mark.parametrize("extra", [b"", b"\n"], ids=["the same file", "the same content"])
def test_a_report_already_in_the_ledger_offers_no_import_and_writes_nothing(client, staff, extra):
    content = reference_report_path().read_bytes()
    upload(client, content)
    client.get(reverse("ledger:import_preview"))
    client.post(reverse("ledger:import_confirm"), {"action": "apply"})
    version, history = m.LedgerVersion.current(), m.Observation.history.count()

    page = preview_again(client, content + extra, name="again.txt")
    assert "この報告書の内容はすでに台帳にあります。取り込む変更はありません。" in page
    assert 'value="apply"' not in page and "台帳に取り込む" not in page
    assert 'name="action" value="discard"' in page

    done = client.post(reverse("ledger:import_confirm"), {"action": "apply"})  # a stale form
    assert done["Location"] == reverse("ledger:import_upload")
    assert m.ImportBatch.objects.filter(status="applied").count() == 1
    again = m.ImportBatch.objects.get(file_name="again.txt")
    assert again.status == m.ImportBatch.Status.DISCARDED
    assert (m.LedgerVersion.current(), m.Observation.history.count()) == (version, history)


def test_the_preview_names_the_fiscal_year_in_the_japanese_calendar(client, staff):
    page = preview_again(client, reference_report_path().read_bytes(), name="report.txt")
    assert "<dd>令和5年度（2023年度）</dd>" in page
    english = client.get(reverse("ledger:import_preview"), HTTP_ACCEPT_LANGUAGE="en")
    assert "<dd>FY2023 (令和5年度)</dd>" in english.content.decode()


def test_preview_shows_each_project_and_kpi_as_the_command_line_does(client, staff):
    from kpiledger.web.ledger.presenters.plan import plan_view

    content = reference_report_path().read_bytes()
    upload(client, content)
    client.get(reverse("ledger:import_preview"))  # the confirmation needs a preview shown
    client.post(reverse("ledger:import_confirm"), {"action": "apply"})
    assert m.Observation.objects.count() == 120
    changed = content.decode().replace("\t112\t105", "\t112\t106").encode()
    assert changed != content
    upload(client, changed)
    html = client.get(reverse("ledger:import_preview")).content.decode()
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
