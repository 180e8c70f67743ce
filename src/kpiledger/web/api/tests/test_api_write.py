"""Issue 10, item 10: the write API. Per-user tokens (only the hash stored), writes through the
entry service under the same roles and locks as the staff form, 401/403/409/422 answers, and
drafts written through the API never public."""

from __future__ import annotations

import hashlib
import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client

from kpiledger.web.api.models import ApiToken
from kpiledger.web.api.tests.conftest import API, CODE
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.tests import factories as f
from kpiledger.web.ledger.tests.yearly import open_year

pytestmark = pytest.mark.django_db
DRAFT_YEAR = 2024  # R6: no published report of 釧路市


def kpi(indicator: str) -> m.Kpi:
    return m.Kpi.objects.get(indicator=indicator, project__organization__code=CODE)


def issue(username: str, name: str = "default") -> str:
    out = io.StringIO()
    call_command("api_token", username, "--name", name, stdout=out)
    text = out.getvalue()
    assert "一度" in text or "二度と表示されません" in text
    assert "shown only this once" in text
    found = re.findall(r"^(kpl_\S+)$", text, re.MULTILINE)
    assert len(found) == 1
    return str(found[0])


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def url(kpi_id: int, year: int = DRAFT_YEAR) -> str:
    return f"{API}/kpis/{kpi_id}/observations/{year}"


def read(token: str, kpi_id: int, year: int = DRAFT_YEAR):  # type: ignore[no-untyped-def]
    return Client().get(url(kpi_id, year), **bearer(token))


def put(token: str, kpi_id: int, body: dict[str, str], year: int = DRAFT_YEAR):  # type: ignore[no-untyped-def]
    return Client().put(url(kpi_id, year), body, content_type="application/json", **bearer(token))


def observed(indicator: str, year: int = DRAFT_YEAR) -> m.Observation | None:
    return m.Observation.objects.filter(kpi=kpi(indicator), fiscal_year=year).first()


@pytest.fixture
def editor(reference: m.Organization) -> str:
    """A department editor of 釧路市 with the 音別 project assigned: their token (R6 opened,
    every project in draft)."""
    open_year(reference, DRAFT_YEAR)
    user = f.make_user("tanto")
    f.make_member(user, reference, m.Role.DEPARTMENT_EDITOR, [kpi(f.OTOBETSU_USERS).project])
    return issue("tanto", "laptop")


def test_the_command_prints_the_token_once_and_stores_only_its_hash(reference):
    user = f.make_user("tanto")
    token = issue("tanto", "laptop")
    row = ApiToken.objects.get(user=user)
    assert row.name == "laptop" and not row.revoked and row.last_used_at is None
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = [
        str(v) for v in ApiToken.objects.values_list(*[f.name for f in ApiToken._meta.fields]).get()
    ]
    assert not any(token in value for value in stored)
    # A second active token of the same name is refused; --revoke revokes it.
    with pytest.raises(Exception, match="already has an active token"):
        issue("tanto", "laptop")
    out = io.StringIO()
    call_command("api_token", "tanto", "--revoke", "laptop", stdout=out)
    assert "失効しました" in out.getvalue() and "revoked" in out.getvalue()
    row.refresh_from_db()
    assert row.revoked


def test_an_editor_writes_an_assigned_kpi_exactly_with_history_and_a_new_version(editor):
    target = kpi(f.OTOBETSU_USERS)
    now = read(editor, target.pk)
    assert now.status_code == 200 and now["Cache-Control"] == "private, no-store"
    assert now.json()["token"] == "new" and now.json()["exists"] is False
    version = m.LedgerVersion.current()
    response = put(
        editor,
        target.pk,
        {"value": "３６，１２０．５", "note": "年度末", "token": "new", "reason": "集計確定"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["changed"] == [target.pk]
    state = body["observations"][0]
    assert (state["value"], state["shown"], state["note"]) == ("36120.5", "36,120.5", "年度末")
    saved = observed(f.OTOBETSU_USERS)
    assert saved is not None and saved.value == Decimal("36120.5") and saved.note == "年度末"
    record = saved.history.get()
    user = m.Membership.objects.get(role=m.Role.DEPARTMENT_EDITOR).user
    assert (record.history_user, record.history_change_reason) == (
        user,
        "データ入力: API: 集計確定",
    )
    assert m.LedgerVersion.current() > version
    assert state["token"] == read(editor, target.pk).json()["token"] != "new"
    assert ApiToken.objects.get().last_used_at is not None


def test_a_marker_and_a_triangle_negative_through_the_batch(editor, reference):
    project = kpi(f.OTOBETSU_USERS).project
    kpis = list(project.kpis.all())
    assert len(kpis) >= 1
    rows = [{"kpi_id": kpis[0].pk, "value": "△35", "token": "new"}]
    rows += [{"kpi_id": k.pk, "value": "未集計", "token": "new"} for k in kpis[1:]]
    response = Client().post(
        f"{API}/observations/{DRAFT_YEAR}",
        {"rows": rows, "reason": "一括"},
        content_type="application/json",
        **bearer(editor),
    )
    assert response.status_code == 200, response.content
    first = m.Observation.objects.get(kpi=kpis[0], fiscal_year=DRAFT_YEAR)
    assert first.value == Decimal("-35")
    for other in kpis[1:]:
        row = m.Observation.objects.get(kpi=other, fiscal_year=DRAFT_YEAR)
        assert row.value is None and row.marker == "未集計"


def test_a_kpi_of_a_project_not_assigned_is_403_and_nothing_is_written(editor):
    other = kpi(f.MIGRANTS)
    assert other.project_id != kpi(f.OTOBETSU_USERS).project_id
    before = m.Observation.history.count()
    response = put(editor, other.pk, {"value": "120", "token": "new"})
    assert response.status_code == 403
    assert "権限がありません" in response.json()["message_ja"]
    assert "you may not" in response.json()["message_en"]
    assert observed(f.MIGRANTS) is None and m.Observation.history.count() == before
    # Nor in a batch beside an assigned KPI: all or nothing.
    response = Client().post(
        f"{API}/observations/{DRAFT_YEAR}",
        {
            "rows": [
                {"kpi_id": kpi(f.OTOBETSU_USERS).pk, "value": "1", "token": "new"},
                {"kpi_id": other.pk, "value": "2", "token": "new"},
            ]
        },
        content_type="application/json",
        **bearer(editor),
    )
    assert response.status_code == 403
    assert m.Observation.objects.filter(fiscal_year=DRAFT_YEAR).count() == 0


def test_a_viewers_token_reads_but_cannot_write(reference):
    f.make_member("etsuran", reference, m.Role.VIEWER)
    token = issue("etsuran")
    target = kpi(f.OTOBETSU_USERS)
    assert read(token, target.pk).status_code == 200
    response = put(token, target.pk, {"value": "1", "token": "new"})
    assert response.status_code == 403
    assert "APIでの書き込み" in response.json()["message_ja"]
    assert observed(f.OTOBETSU_USERS) is None


def test_a_revoked_a_wrong_or_no_token_is_401(editor):
    target = kpi(f.OTOBETSU_USERS).pk
    for token in (editor[:-1] + ("A" if editor[-1] != "A" else "B"), "kpl_nothing", ""):
        for response in (read(token, target), put(token, target, {"value": "1", "token": "new"})):
            assert response.status_code == 401
            body = response.json()
            assert body["code"] == "unauthorized" and "トークン" in body["message_ja"]
            assert "token" in body["message_en"]
            assert response["WWW-Authenticate"].startswith("Bearer")
    call_command("api_token", "tanto", "--revoke", "laptop", stdout=io.StringIO())
    assert put(editor, target, {"value": "1", "token": "new"}).status_code == 401
    assert read(editor, target).status_code == 401
    assert observed(f.OTOBETSU_USERS) is None


def test_a_stale_token_is_409_with_both_versions_and_nothing_written(editor):
    target = kpi(f.OTOBETSU_USERS)
    first = put(editor, target.pk, {"value": "100", "token": "new"})
    assert first.status_code == 200
    history = m.Observation.history.count()
    version = m.LedgerVersion.current()
    response = put(editor, target.pk, {"value": "200", "note": "私の値", "token": "new"})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict" and "別の人が変更しました" in body["message_ja"]
    (row,) = body["conflicts"]
    assert row["theirs"]["value"] == "100"
    assert row["theirs"]["token"] == first.json()["observations"][0]["token"]
    assert row["yours"] == {"value": "200", "note": "私の値", "token": "new"}
    assert observed(f.OTOBETSU_USERS).value == Decimal(100)  # type: ignore[union-attr]
    assert m.Observation.history.count() == history and m.LedgerVersion.current() == version
    # With the token just read, the write goes through.
    again = put(editor, target.pk, {"value": "200", "token": row["theirs"]["token"]})
    assert again.status_code == 200 and observed(f.OTOBETSU_USERS).value == Decimal(200)  # type: ignore[union-attr]


def test_a_bad_value_is_422_located_in_both_languages(editor):
    target = kpi(f.OTOBETSU_USERS).pk
    response = put(editor, target, {"value": "たくさん", "token": "new"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "bad-value" and body["detail"][0]["loc"] == ["body", "value"]
    assert body["detail"][0]["msg_ja"] and body["detail"][0]["msg"]
    assert "value" in body["message_en"] and "nothing was saved" in body["message_en"]
    assert "何も保存していません" in body["message_ja"]
    batch = Client().post(
        f"{API}/observations/{DRAFT_YEAR}",
        {
            "rows": [
                {"kpi_id": target, "value": "1", "token": "new"},
                {"kpi_id": target, "value": "x", "token": "new"},
            ]
        },
        content_type="application/json",
        **bearer(editor),
    )
    assert batch.status_code == 422
    assert observed(f.OTOBETSU_USERS) is None


def test_an_api_draft_shows_on_the_entry_page_and_never_in_public(editor):
    target = kpi(f.OTOBETSU_USERS)
    assert (
        put(
            editor, target.pk, {"value": "987654", "note": "下書きメモ", "token": "new"}
        ).status_code
        == 200
    )
    staff = Client()
    staff.force_login(m.Membership.objects.get(role=m.Role.DEPARTMENT_EDITOR).user)
    page = staff.get(f"/staff/org/{CODE}/{DRAFT_YEAR}/entry/").content.decode()
    assert "987,654" in page and "下書きメモ" in page
    api = f"{API}/organizations/{CODE}"
    visitor = Client()
    for address in (
        f"/org/{CODE}/kpi/{target.pk}/",
        f"/org/{CODE}/",
        f"{api}/years/2023/observations",
        f"{api}/years/2023/kpis",
    ):
        response = visitor.get(address, follow=True)
        assert response.status_code == 200, address
        for draft in ("987654", "987,654", "下書きメモ"):
            assert draft not in response.content.decode(), (address, draft)
    assert visitor.get(f"{api}/years/{DRAFT_YEAR}/kpis").status_code == 404
    assert visitor.get(url(target.pk)).status_code == 401


def test_a_signed_in_browser_without_a_bearer_token_cannot_write(editor):
    user = m.Membership.objects.get(role=m.Role.DEPARTMENT_EDITOR).user
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    target = kpi(f.OTOBETSU_USERS).pk
    response = browser.put(
        url(target), {"value": "5", "token": "new"}, content_type="application/json"
    )
    assert response.status_code == 401
    assert browser.get(url(target)).status_code == 401
    posted = browser.post(
        f"{API}/observations/{DRAFT_YEAR}",
        {"rows": [{"kpi_id": target, "value": "5", "token": "new"}]},
        content_type="application/json",
    )
    assert posted.status_code == 401
    assert observed(f.OTOBETSU_USERS) is None
