"""Issue 10, items 4 and 9: staff data entry of actuals (Japanese notation, all or nothing,
warnings, optimistic locking between two sessions), a KPI's value history with revert, and
drafts (values of a year without a published report) never shown to the public."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.tests import factories as f
from kpiledger.web.ledger.tests.yearly import open_year

pytestmark = pytest.mark.django_db

CODE = f.KUSHIRO[0]
DRAFT_YEAR = 2024  # R6: no published report of 釧路市
PUBLISHED_YEAR = 2023  # R5: the reference report


@pytest.fixture
def kushiro() -> m.Organization:
    """The reference imported (R5 published) and R6 opened, every project in draft."""
    f.import_reference()
    organization = m.Organization.objects.get(code=CODE)
    open_year(organization, DRAFT_YEAR)
    return organization


def kpi(indicator: str) -> m.Kpi:
    return m.Kpi.objects.get(indicator=indicator, project__organization__code=CODE)


def entry_url(year: int = DRAFT_YEAR, code: str = CODE) -> str:
    return reverse("ledger:staff_entry", args=[code, year])


def history_url(indicator: str) -> str:
    return reverse("ledger:staff_kpi_history", args=[kpi(indicator).pk])


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def admin_client(username: str = "kikaku") -> tuple[Client, User]:
    user = f.make_user(username)
    f.make_member(user, m.Organization.objects.get(code=CODE), m.Role.PLANNING_ADMIN)
    return signed_in(user), user


def page_form(page: str) -> dict[str, str]:
    """The entry page's form as a browser would post it unchanged (values, notes, tokens)."""
    data = {}
    for name, value in re.findall(r'name="((?:value|note|token)_\d+)"[^>]*?value="([^"]*)"', page):
        data[name] = html.unescape(value)
    for name in re.findall(r'name="((?:value|note|token)_\d+)"', page):
        data.setdefault(name, "")
    return data


def post_entry(
    client: Client,
    values: dict[str, str],
    *,
    year: int = DRAFT_YEAR,
    notes: dict[str, str] | None = None,
    comment: str = "",
    page: str | None = None,
    follow: bool = False,
):  # type: ignore[no-untyped-def]
    """Open the entry page (or use `page`, what was shown earlier), type `values` (indicator →
    text) and save."""
    if page is None:
        page = client.get(entry_url(year)).content.decode()
    data = page_form(page)
    for indicator, text in values.items():
        data[f"value_{kpi(indicator).pk}"] = text
    for indicator, text in (notes or {}).items():
        data[f"note_{kpi(indicator).pk}"] = text
    data["comment"] = comment
    return client.post(entry_url(year), data, follow=follow)


def observed(indicator: str, year: int = DRAFT_YEAR) -> m.Observation | None:
    return m.Observation.objects.filter(kpi=kpi(indicator), fiscal_year=year).first()


def messages_of(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(message) for message in response.context["messages"]]


# --- entry: notation, all or nothing, warnings ---------------------------------------------


def test_japanese_notation_is_saved_exactly_with_history_and_a_new_ledger_version(kushiro):
    client, user = admin_client()
    version = m.LedgerVersion.current()
    response = post_entry(
        client,
        {
            f.OTOBETSU_USERS: "３６，１２０",
            f.MIGRANTS: "△35",
            f.SPECIALTY_SALES: "1.2万",
            f.SATISFACTION: "７４．２５%",
            "アンケートによる電子申請システム利用者満足度（機能拡充のみ）": "未集計",
        },
        notes={f.MIGRANTS: "転出超過"},
        comment="年度末集計",
    )
    assert response.status_code == 302 and response["Location"] == entry_url()
    assert observed(f.OTOBETSU_USERS).value == Decimal("36120")
    assert observed(f.MIGRANTS).value == Decimal("-35")
    assert observed(f.MIGRANTS).note == "転出超過"
    assert observed(f.SPECIALTY_SALES).value == Decimal("12000")
    assert observed(f.SATISFACTION).value == Decimal("74.25")
    unset = observed("アンケートによる電子申請システム利用者満足度（機能拡充のみ）")
    assert unset is not None and unset.value is None and unset.marker == "未集計"
    # KPIs left blank stay without a value (no row, no history).
    assert m.Observation.objects.filter(fiscal_year=DRAFT_YEAR).count() == 5
    record = observed(f.MIGRANTS).history.get()
    assert (record.history_user, record.history_change_reason) == (user, "データ入力: 年度末集計")
    assert m.LedgerVersion.current() > version
    # The page shows the saved values in published style.
    page = client.get(entry_url()).content.decode()
    assert "36,120" in page and "△35" in page and "12,000" in page


def test_saving_the_page_unchanged_writes_nothing(kushiro):
    client, _ = admin_client()
    post_entry(client, {f.MIGRANTS: "120"})
    counts, version = f.history_counts(), m.LedgerVersion.current()
    response = post_entry(client, {}, follow=True)
    assert any("変更はありません" in text for text in messages_of(response))
    assert f.history_counts() == counts and m.LedgerVersion.current() == version


def test_a_bad_value_is_located_and_nothing_of_the_submission_is_written(kushiro):
    client, _ = admin_client()
    counts, version = f.row_counts(), m.LedgerVersion.current()
    response = post_entry(
        client, {f.OTOBETSU_USERS: "36000", f.MIGRANTS: "約120", f.SPECIALTY_SALES: "12件"}
    )
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert f"「{f.MIGRANTS}」: 「約120」は数値として読めません" in page
    assert "text before the number" in page
    assert f"「{f.SPECIALTY_SALES}」: 単位「件」はこのKPIの単位「円」と違います" in page
    assert 'aria-invalid="true"' in page
    assert "何も保存していません" in page
    assert f.row_counts() == counts and m.LedgerVersion.current() == version
    assert observed(f.OTOBETSU_USERS) is None  # the good row was not written either
    # What was typed is kept on the page for correction.
    assert 'value="約120"' in page and 'value="36000"' in page


def test_a_value_beyond_the_ledger_and_a_blanked_value_are_refused(kushiro):
    client, _ = admin_client()
    response = post_entry(client, {f.OTOBETSU_USERS: "1.23456"}, year=PUBLISHED_YEAR)
    assert "扱える数値の範囲を超えています" in html.unescape(response.content.decode())
    response = post_entry(client, {f.MIGRANTS: ""}, year=PUBLISHED_YEAR)  # R5 had 105
    assert "値がない場合は「-」または「未集計」" in html.unescape(response.content.decode())
    assert observed(f.MIGRANTS, PUBLISHED_YEAR).value == Decimal(105)
    assert observed(f.OTOBETSU_USERS, PUBLISHED_YEAR).value == Decimal(35245)


def test_warnings_do_not_block_the_save(kushiro):
    client, _ = admin_client()
    response = post_entry(
        client,
        {f.SATISFACTION: "120", f.MIGRANTS: "1,300", f.OTOBETSU_USERS: "36000"},
        follow=True,
    )
    shown = messages_of(response)
    assert any(f"「{f.SATISFACTION}」: 120% は100%を超えています" in t for t in shown)
    # 移住者数: R5 105 → 1,300 is over 3× last year and over 10× the target 121.
    assert any(f"「{f.MIGRANTS}」: 1,300 は前年度の値 105 の3倍" in t for t in shown)
    assert any(f"「{f.MIGRANTS}」: 1,300 は目標値 121 の10倍" in t for t in shown)
    # 36,000 against 35,245 last year and a target of 16,000: no warning.
    assert not any(f.OTOBETSU_USERS in t for t in shown if "確認してください" in t)
    assert observed(f.SATISFACTION).value == Decimal(120)
    assert observed(f.MIGRANTS).value == Decimal(1300)


# --- who may enter ----------------------------------------------------------------------------


def test_a_department_editor_sees_and_saves_only_the_assigned_project(kushiro):
    own, other = kpi(f.MIGRANTS).project, kpi(f.OTOBETSU_USERS).project
    assert own != other
    editor = f.make_user("tanto")
    f.make_member(editor, kushiro, m.Role.DEPARTMENT_EDITOR, projects=[own])
    client = signed_in(editor)
    page = client.get(entry_url()).content.decode()
    assert f.MIGRANTS in page and f.OTOBETSU_USERS not in page
    # Crafting the POST with the other project's KPI: refused as a whole.
    data = page_form(page)
    data[f"value_{kpi(f.MIGRANTS).pk}"] = "120"
    data[f"value_{kpi(f.OTOBETSU_USERS).pk}"] = "1"
    data[f"token_{kpi(f.OTOBETSU_USERS).pk}"] = "new"
    response = client.post(entry_url(), data)
    assert response.status_code == 403
    assert "実績値の入力" in response.content.decode()
    assert observed(f.MIGRANTS) is None and observed(f.OTOBETSU_USERS) is None
    # Its own project alone is saved.
    assert post_entry(client, {f.MIGRANTS: "120"}).status_code == 302
    assert observed(f.MIGRANTS).value == Decimal(120)


def test_viewers_other_organizations_and_visitors_cannot_enter(kushiro):
    viewer = f.make_user("etsuran")
    f.make_member(viewer, kushiro, m.Role.VIEWER)
    other_admin = f.make_planning_admin("sapporo", code="011002", name="札幌市")
    target = f"value_{kpi(f.MIGRANTS).pk}"
    data = {target: "120", f"token_{kpi(f.MIGRANTS).pk}": "new"}
    for user in (viewer, other_admin):
        client = signed_in(user)
        assert client.get(entry_url()).status_code == 403
        assert client.post(entry_url(), data).status_code == 403
        # Nor through its own organization's page with a KPI of 釧路市.
        own_page = client.post(entry_url(code="011002"), data)
        assert own_page.status_code == 403
    anonymous = Client().post(entry_url(), data)
    assert anonymous.status_code == 302 and "/staff/login/" in anonymous["Location"]
    assert Client().get(entry_url(code="999999")).status_code == 302  # login first
    assert signed_in(viewer).get(entry_url(code="011002")).status_code == 403
    assert observed(f.MIGRANTS) is None


def test_an_unknown_organization_is_404(kushiro):
    client, _ = admin_client()
    assert client.get(entry_url(code="999999")).status_code == 404


# --- optimistic locking --------------------------------------------------------------------


def test_two_sessions_editing_one_kpi_the_second_gets_the_conflict_and_nothing_is_lost(kushiro):
    first, first_user = admin_client("kikaku1")
    second, _ = admin_client("kikaku2")
    first_page = first.get(entry_url(PUBLISHED_YEAR)).content.decode()
    second_page = second.get(entry_url(PUBLISHED_YEAR)).content.decode()
    # R5 is published: the planning admins' changes are corrections, with a reason.
    won = post_entry(
        first, {f.MIGRANTS: "106"}, year=PUBLISHED_YEAR, page=first_page, comment="集計誤り"
    )
    assert won.status_code == 302
    version = m.LedgerVersion.current()
    lost = post_entry(
        second,
        {f.MIGRANTS: "107", f.OTOBETSU_USERS: "35,300"},
        year=PUBLISHED_YEAR,
        page=second_page,
        comment="集計誤り",
    )
    assert lost.status_code == 200
    text = html.unescape(lost.content.decode())
    assert f"「{f.MIGRANTS}」は、このページを開いた後に別の人が変更しました" in text
    assert "台帳の現在の値: 106、あなたの値: 107" in text
    assert "in the ledger now: 106; yours: 107" in text
    # Nothing of the second submission was written, not even its other row.
    assert observed(f.MIGRANTS, PUBLISHED_YEAR).value == Decimal(106)
    assert observed(f.OTOBETSU_USERS, PUBLISHED_YEAR).value == Decimal(35245)
    assert m.LedgerVersion.current() == version
    history = list(observed(f.MIGRANTS, PUBLISHED_YEAR).history.order_by("history_id"))
    assert [h.value for h in history] == [Decimal(105), Decimal(106)]
    assert history[-1].history_user == first_user
    # ... and the refused attempt is on record, shown on the KPI's history page
    (attempt,) = m.RefusedChange.objects.all()
    assert (attempt.kind, attempt.user.username, attempt.fiscal_year) == (
        "value",
        "kikaku2",
        PUBLISHED_YEAR,
    )
    assert (attempt.kpi.indicator, attempt.attempted, attempt.in_ledger) == (
        f.MIGRANTS,
        "107",
        "106",
    )
    kpi_page = html.unescape(
        second.get(reverse("ledger:staff_kpi_history", args=[attempt.kpi_id])).content.decode()
    )
    assert "保存されなかった変更（競合）" in kpi_page and ">107<" in kpi_page
    # The second user's values are kept, now against the ledger's state: saving again is a
    # decision made after seeing both versions.
    assert 'value="107"' in text
    again = post_entry(
        second, {}, year=PUBLISHED_YEAR, page=lost.content.decode(), comment="再確認"
    )
    assert again.status_code == 302
    assert observed(f.MIGRANTS, PUBLISHED_YEAR).value == Decimal(107)


def test_two_first_entries_of_a_kpi_without_a_value_conflict_too(kushiro):
    first, _ = admin_client("kikaku1")
    second, _ = admin_client("kikaku2")
    first_page = first.get(entry_url()).content.decode()
    second_page = second.get(entry_url()).content.decode()
    assert post_entry(first, {f.MIGRANTS: "110"}, page=first_page).status_code == 302
    lost = post_entry(second, {f.MIGRANTS: "111"}, page=second_page)
    assert lost.status_code == 200
    assert "台帳の現在の値: 110、あなたの値: 111" in html.unescape(lost.content.decode())
    assert observed(f.MIGRANTS).value == Decimal(110)
    assert observed(f.MIGRANTS).history.count() == 1


# --- history and revert --------------------------------------------------------------------


def test_history_lists_every_change_and_revert_is_itself_recorded(kushiro):
    client, user = admin_client()
    post_entry(client, {f.MIGRANTS: "160"}, year=PUBLISHED_YEAR, comment="誤入力")
    page = html.unescape(client.get(history_url(f.MIGRANTS)).content.decode())
    # R5 is published: the planning admin's change is a correction, recorded as one.
    assert "訂正: 誤入力" in page and "kikaku" in page
    # Only the imported R5 105 can be gone back to (R4 112 and the entry are the values now).
    assert page.count('name="history_id"') == 1
    observation = observed(f.MIGRANTS, PUBLISHED_YEAR)
    imported = observation.history.order_by("history_id").first()
    token = re.search(
        rf'name="history_id" value="{imported.history_id}">\s*<input type="hidden" name="token"'
        r' value="([^"]*)"',
        page,
    )
    assert token is not None
    # No reason: refused, nothing changes.
    refused = client.post(
        history_url(f.MIGRANTS),
        {"history_id": imported.history_id, "token": token.group(1), "reason": " "},
    )
    assert refused.status_code == 200
    assert observed(f.MIGRANTS, PUBLISHED_YEAR).value == Decimal(160)
    version = m.LedgerVersion.current()
    done = client.post(
        history_url(f.MIGRANTS),
        {"history_id": imported.history_id, "token": token.group(1), "reason": "桁の誤り"},
    )
    assert done.status_code == 302
    observation.refresh_from_db()
    assert observation.value == Decimal(105)
    latest = observation.history.order_by("-history_id").first()
    assert latest.history_change_reason == "訂正: 取消: 桁の誤り"
    assert latest.history_user == user and latest.value == Decimal(105)
    assert m.LedgerVersion.current() > version
    # The same (now stale) page posted again: the optimistic check refuses it.
    stale = client.post(
        history_url(f.MIGRANTS),
        {"history_id": imported.history_id, "token": token.group(1), "reason": "もう一度"},
        follow=True,
    )
    assert any("別の人が変更しました" in t for t in messages_of(stale))
    assert observation.history.count() == 3


def test_viewers_see_the_history_but_cannot_revert(kushiro):
    viewer = f.make_user("etsuran")
    f.make_member(viewer, kushiro, m.Role.VIEWER)
    client = signed_in(viewer)
    page = client.get(history_url(f.MIGRANTS)).content.decode()
    assert "112" in page and 'name="history_id"' not in page
    record = observed(f.MIGRANTS, PUBLISHED_YEAR).history.first()
    response = client.post(
        history_url(f.MIGRANTS), {"history_id": record.history_id, "token": "x", "reason": "r"}
    )
    assert response.status_code == 403
    outsider = signed_in(f.make_planning_admin("sapporo", code="011002", name="札幌市"))
    assert outsider.get(history_url(f.MIGRANTS)).status_code == 403


# --- drafts never public --------------------------------------------------------------------


def test_a_value_entered_for_an_unpublished_year_is_invisible_to_the_public(kushiro):
    client, _ = admin_client()
    post_entry(client, {f.OTOBETSU_USERS: "987654"}, notes={f.OTOBETSU_USERS: "下書きメモ"})
    assert observed(f.OTOBETSU_USERS).value == Decimal(987654)
    staff_page = client.get(entry_url()).content.decode()
    assert "987,654" in staff_page
    kpi_id = kpi(f.OTOBETSU_USERS).pk
    report = f"/org/{CODE}/{PUBLISHED_YEAR}"
    api = f"/api/v1/organizations/{CODE}"
    public = [
        "/",
        f"/org/{CODE}/",
        f"{report}/",
        f"{report}/dashboard/",
        f"/org/{CODE}/kpi/{kpi_id}/",
        f"/org/{CODE}/kpi/{kpi_id}/?year={PUBLISHED_YEAR}",
        f"{report}/download/json",
        f"{report}/download/csv",
        "/api/v1/organizations",
        api,
        f"{api}/years",
        f"{api}/years/{PUBLISHED_YEAR}/summary",
        f"{api}/years/{PUBLISHED_YEAR}/kpis",
        f"{api}/years/{PUBLISHED_YEAR}/observations",
    ]
    visitor = Client()
    for url in public:
        response = visitor.get(url, follow=True)
        assert response.status_code == 200, url
        body = response.content.decode()
        for draft in ("987654", "987,654", "下書きメモ", "R6年度"):
            assert draft not in body, (url, draft)
    assert visitor.get(f"/org/{CODE}/{DRAFT_YEAR}/").status_code == 404
    assert visitor.get(f"{api}/years/{DRAFT_YEAR}/kpis").status_code == 404


def test_the_public_kpi_page_lists_corrections_of_published_years(kushiro):
    """The filter keeps the history of published years (a later correction still shows)."""
    client, _ = admin_client()
    post_entry(client, {f.OTOBETSU_USERS: "35,999"}, year=PUBLISHED_YEAR, comment="集計漏れ")
    body = Client().get(f"/org/{CODE}/kpi/{kpi(f.OTOBETSU_USERS).pk}/").content.decode()
    assert "35999" in body or "35,999" in body


def test_the_list_of_imports_links_the_entry_of_the_next_and_the_latest_year(client):
    from django.urls import reverse

    from kpiledger.web.ledger.tests import factories as fx

    fx.import_reference()
    client.force_login(fx.make_planning_admin("entry-links"))
    html = client.get(reverse("ledger:staff_imports")).content.decode()
    for year in (2024, 2023):
        assert f'href="{reverse("ledger:staff_entry", args=["012068", year])}"' in html
    assert "令和6年度（2024年度）の実績を入力する" in html
    client.force_login(fx.make_user("no-role"))
    html = client.get(reverse("ledger:staff_imports")).content.decode()
    assert "/entry/" not in html
