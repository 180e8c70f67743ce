"""Issue 10, item 6 (the entry side): each project's 総事業費, 交付金額 and 実績額 per fiscal year,
typed in Japanese notation, kept exactly in 円 with history, under the roles and locks of the
yearly cycle, with optimistic locking between two sessions."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services import locks
from kpiledger.web.ledger.services import money as service
from kpiledger.web.ledger.tests import factories as f

pytestmark = pytest.mark.django_db

CODE = f.KUSHIRO[0]
YEAR = 2024  # R6: opened for entry
PUBLISHED_YEAR = 2023  # R5: the reference report
ROW_FIELD = re.compile(r'name="((?:total_cost|grant_amount|spent|note|token)_\d+)"')
ROW_VALUE = re.compile(
    r'name="((?:total_cost|grant_amount|spent|note|token)_\d+)"[^>]*?value="([^"]*)"'
)


@pytest.fixture
def kushiro() -> m.Organization:
    f.import_reference()
    organization = m.Organization.objects.get(code=CODE)
    m.FiscalYear.objects.create(
        organization=organization, year=YEAR, opened_from=YEAR - 1, opened_at=timezone.now()
    )
    for project in organization.projects.all():
        m.ProjectYear.objects.create(project=project, fiscal_year=YEAR)
    return organization


def projects() -> tuple[m.Project, m.Project]:
    """Two projects of the reference report: the editor's own and another."""
    own, other = m.Project.objects.filter(organization__code=CODE).order_by("position", "id")[:2]
    return own, other


def published(project: m.Project, **money: Decimal | None) -> m.ProjectYear:
    """The project's row of the reference report's year (published by the import), with
    `money` set."""
    organization = project.organization
    m.FiscalYear.objects.update_or_create(
        organization=organization,
        year=PUBLISHED_YEAR,
        defaults={"published_at": timezone.now()},
    )
    record, _ = m.ProjectYear.objects.update_or_create(
        project=project,
        fiscal_year=PUBLISHED_YEAR,
        defaults={"state": m.WorkState.PUBLISHED, **money},
    )
    return record


def row(project: m.Project, year: int = YEAR) -> m.ProjectYear:
    return m.ProjectYear.objects.get(project=project, fiscal_year=year)


def money_url(year: int = YEAR, code: str = CODE) -> str:
    return reverse("ledger:staff_money", args=[code, year])


def history_url(project: m.Project, year: int = YEAR) -> str:
    return f"{money_url(year)}?project={project.pk}&history=1"


def signed_in(user: User, **kwargs: object) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def member(username: str, role: m.Role, projects_: tuple[m.Project, ...] = ()) -> Client:
    user = f.make_user(username)
    organization = m.Organization.objects.get(code=CODE)
    f.make_member(user, organization, role, projects=projects_)
    return signed_in(user)


def editor() -> Client:
    return member("tanto", m.Role.DEPARTMENT_EDITOR, (projects()[0],))


def planning_admin() -> Client:
    return member("kikaku", m.Role.PLANNING_ADMIN)


def page_form(page: str) -> dict[str, str]:
    """The money form as a browser would post it unchanged."""
    data = {name: html.unescape(value) for name, value in ROW_VALUE.findall(page)}
    for name in ROW_FIELD.findall(page):
        data.setdefault(name, "")
    return data


def post_money(
    client: Client,
    project: m.Project,
    *,
    total: str | None = None,
    grant: str | None = None,
    spent: str | None = None,
    note: str | None = None,
    comment: str = "",
    year: int = YEAR,
    page: str | None = None,
    follow: bool = False,
):  # type: ignore[no-untyped-def]
    """Open the money page (or use `page`, what was shown earlier), type into the project's
    row and save."""
    if page is None:
        page = client.get(money_url(year)).content.decode()
    data = page_form(page)
    for prefix, text in (
        ("total_cost", total),
        ("grant_amount", grant),
        ("spent", spent),
        ("note", note),
    ):
        if text is not None:
            data[f"{prefix}_{project.pk}"] = text
    data["comment"] = comment
    return client.post(money_url(year), data, follow=follow)


def messages_of(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(message) for message in response.context["messages"]]


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.content.decode())


# --- typed amounts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "yen"),
    [
        ("1,200,000", Decimal(1200000)),
        ("１，２００，０００", Decimal(1200000)),
        ("１，２００", Decimal(1200)),
        ("120万円", Decimal(1200000)),
        ("1,200千円", Decimal(1200000)),
        ("950千円", Decimal(950000)),
        ("3.5億", Decimal(350000000)),
        ("5百万円", Decimal(5000000)),
        ("1億2,000万円", Decimal(120000000)),
        ("3億5千万円", Decimal(350000000)),
        ("1,200 円", Decimal(1200)),
        ("0", Decimal(0)),
        ("", None),
        ("  ", None),
        ("-", None),
    ],
)
def test_amounts_are_read_in_japanese_notation_as_exact_yen(typed, yen):
    value = service.parse_amount(typed)
    assert value == yen
    assert value is None or (isinstance(value, Decimal) and value == value.to_integral_value())


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("△5", "金額は0以上で入力してください"),
        ("-1,000", "金額は0以上で入力してください"),
        ("1.5", "1円未満の端数は入力できません"),
        ("12件", "単位「件」は使えません"),
        ("約120万円", "数値として読めません"),
        ("1000億円", "扱える数値の範囲を超えています"),
    ],
)
def test_amounts_that_cannot_be_kept_are_refused_with_the_reason(typed, reason):
    with pytest.raises(service.MoneyError) as refused:
        service.parse_amount(typed)
    assert reason in str(refused.value)


# --- saving ------------------------------------------------------------------------------------


def test_an_editor_saves_the_assigned_projects_money_exactly_in_yen_with_history(kushiro):
    own, other = projects()
    client = editor()
    version = m.LedgerVersion.current()
    response = post_money(
        client,
        own,
        total="120万円",
        grant="１，２００",
        spent="950千円",
        note="当初予算",
        comment="年度当初",
    )
    assert response.status_code == 302 and response["Location"] == money_url()
    saved = row(own)
    assert saved.total_cost == Decimal(1200000)
    assert saved.grant_amount == Decimal(1200)
    assert saved.spent == Decimal(950000)
    assert str(m.unpad(saved.total_cost)) == "1200000"
    assert saved.money_note == "当初予算" and saved.state == m.WorkState.DRAFT
    record = saved.history.latest()
    assert record.history_user.username == "tanto"
    assert record.history_change_reason == "事業費の入力: 年度当初"
    assert m.LedgerVersion.current() > version
    assert row(other).total_cost is None  # only the editor's project
    page = client.get(money_url())
    shown = text_of(page)
    assert "1,200,000 円" in shown and "950,000 円" in shown and "1,200 円" in shown
    assert any("1件の事業費を保存しました" in t for t in messages_of(page))
    # The form shows the amounts as typed back unchanged: saving again writes nothing.
    counts = f.history_counts()
    again = post_money(client, own, follow=True)
    assert any("変更はありません" in t for t in messages_of(again))
    assert f.history_counts() == counts


def test_a_project_without_a_row_of_the_year_gets_one_in_the_draft_state(kushiro):
    own, _ = projects()
    m.ProjectYear.objects.filter(project=own, fiscal_year=YEAR).delete()
    client = editor()
    response = post_money(client, own, total="3.5億")
    assert response.status_code == 302
    created = row(own)
    assert created.total_cost == Decimal(350000000) and created.state == m.WorkState.DRAFT
    assert created.history.get().history_type == "+"


def test_the_service_takes_rows_as_tuples_and_blank_means_no_amount(kushiro):
    own, _ = projects()
    user = f.make_user("tanto")
    f.make_member(user, kushiro, m.Role.DEPARTMENT_EDITOR, projects=[own])
    token = service.token(row(own))
    saved = service.save_money(
        user, kushiro, YEAR, [(own.pk, "1,000千円", Decimal(800000), "", "", token)], "予算"
    )
    assert saved.changed == [own.pk] and saved.warnings == []
    assert (row(own).total_cost, row(own).grant_amount, row(own).spent) == (
        Decimal(1000000),
        Decimal(800000),
        None,
    )
    with pytest.raises(service.MoneyError):
        service.save_money(user, kushiro, YEAR, [(own.pk, Decimal(-1), None, None, "", token)])


def test_last_years_amounts_are_shown_beside(kushiro):
    own, _ = projects()
    published(own, total_cost=Decimal("5432100"), grant_amount=None, spent=Decimal("5000000"))
    page = text_of(editor().get(money_url()))
    assert "総事業費: 5,432,100 円" in page and "実績額: 5,000,000 円" in page
    assert "交付金額: —" in page


def test_a_bad_amount_is_located_and_nothing_is_written(kushiro):
    own, _ = projects()
    client = editor()
    counts, version = f.row_counts(), m.LedgerVersion.current()
    response = post_money(client, own, total="120万円", grant="△5", spent="12件")
    assert response.status_code == 200
    page = text_of(response)
    assert f"「{own.name}」の交付金額: 金額は0以上で入力してください" in page
    assert f"「{own.name}」の実績額: 単位「件」は使えません" in page
    assert 'aria-invalid="true"' in page and "何も保存していません" in page
    assert 'value="△5"' in page and 'value="120万円"' in page  # kept for correction
    assert f.row_counts() == counts and m.LedgerVersion.current() == version
    assert row(own).total_cost is None


def test_warnings_do_not_block_the_save(kushiro):
    own, _ = projects()
    response = post_money(
        editor(), own, total="1,000,000", grant="1,200,000", spent="1,100,000", follow=True
    )
    shown = messages_of(response)
    assert any(
        f"「{own.name}」: 交付金額 1,200,000 円 が総事業費 1,000,000 円 を超えています" in t
        for t in shown
    )
    assert any(f"「{own.name}」: 実績額 1,100,000 円 が総事業費" in t for t in shown)
    assert row(own).grant_amount == Decimal(1200000)
    # Within the total: no warning.
    response = post_money(editor_again(), own, grant="900,000", spent="1,000,000", follow=True)
    assert not any("超えています" in t for t in messages_of(response))


def editor_again() -> Client:
    return signed_in(User.objects.get(username="tanto"))


# --- who may enter -----------------------------------------------------------------------------


def test_a_department_editor_cannot_enter_another_projects_money(kushiro):
    own, other = projects()
    client = editor()
    page = client.get(money_url()).content.decode()
    assert f'name="total_cost_{own.pk}"' in page
    assert f'name="total_cost_{other.pk}"' not in page and html.escape(other.name) not in page
    counts = f.row_counts()
    data = page_form(page) | {f"total_cost_{other.pk}": "100", f"token_{other.pk}": ""}
    response = client.post(money_url(), data)
    assert response.status_code == 403
    assert f.row_counts() == counts and row(other).total_cost is None
    user = User.objects.get(username="tanto")
    with pytest.raises(PermissionDenied):
        service.save_money(user, kushiro, YEAR, [(other.pk, "100", None, None, "", "")])
    assert row(other).total_cost is None


@pytest.mark.parametrize("role", [m.Role.COMMITTEE_MEMBER, m.Role.VIEWER])
def test_committee_members_and_viewers_see_the_money_but_cannot_enter_it(kushiro, role):
    own, _ = projects()
    post_money(planning_admin(), own, total="1,000,000")
    client = member("other", role)
    response = client.get(money_url())
    assert response.status_code == 200
    page = text_of(response)
    assert "1,000,000 円" in page
    assert "この操作（事業費の入力）の権限がありません" in page
    assert 'name="total_cost_' not in page and "保存する / Save" not in page
    counts = f.row_counts()
    response = client.post(money_url(), {f"total_cost_{own.pk}": "5", f"token_{own.pk}": ""})
    assert response.status_code == 403
    assert f.row_counts() == counts and row(own).total_cost == Decimal(1000000)


def test_another_organizations_admin_and_anonymous_visitors_are_refused(kushiro):
    own, _ = projects()
    sapporo = f.make_organization("011002", "札幌市")
    outsider = f.make_user("sapporo")
    f.make_member(outsider, sapporo, m.Role.PLANNING_ADMIN)
    client = signed_in(outsider)
    assert client.get(money_url()).status_code == 403
    assert client.get(history_url(own)).status_code == 403
    data = {f"total_cost_{own.pk}": "5", f"token_{own.pk}": service.token(row(own))}
    assert client.post(money_url(), data).status_code == 403
    with pytest.raises(PermissionDenied):
        service.save_money(outsider, kushiro, YEAR, [(own.pk, "5", None, None, "", "")])
    with pytest.raises(PermissionDenied):  # naming the project under its own organization
        service.save_money(outsider, sapporo, YEAR, [(own.pk, "5", None, None, "", "")])
    anonymous = Client().post(money_url(), data)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert Client().get(money_url()).status_code == 302
    assert row(own).total_cost is None and not row(own).history.exclude(history_type="+")


def test_a_post_without_csrf_token_is_refused(kushiro):
    own, _ = projects()
    client = signed_in(f.make_user("tanto"), enforce_csrf_checks=True)
    f.make_member(
        User.objects.get(username="tanto"), kushiro, m.Role.DEPARTMENT_EDITOR, projects=[own]
    )
    page = client.get(money_url()).content.decode()
    assert 'name="csrfmiddlewaretoken"' in page
    data = page_form(page) | {f"total_cost_{own.pk}": "100"}
    response = client.post(money_url(), data)
    assert response.status_code == 403
    assert row(own).total_cost is None
    # The same POST with the page's token is saved: the refusal was the missing token.
    csrf = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[0]
    assert client.post(money_url(), data | {"csrfmiddlewaretoken": csrf}).status_code == 302
    assert row(own).total_cost == Decimal(100)


# --- locks ---------------------------------------------------------------------------------------


def test_an_approved_project_is_locked_with_the_reason_and_nothing_is_written(kushiro):
    own, _ = projects()
    client = planning_admin()
    page = client.get(money_url()).content.decode()  # shown while still a draft
    m.ProjectYear.objects.filter(pk=row(own).pk).update(state=m.WorkState.APPROVED)
    counts, version = f.row_counts(), m.LedgerVersion.current()
    response = post_money(client, own, total="1,000,000", page=page)
    assert response.status_code == 409
    shown = text_of(response)
    assert f"「{own.name}」: 承認済みのため編集できません / approved: locked" in shown
    assert "何も保存していません" in shown
    assert f.row_counts() == counts and m.LedgerVersion.current() == version
    # The page now shows the row read-only with the reason; a crafted POST is refused too.
    page = client.get(money_url()).content.decode()
    assert f'name="total_cost_{own.pk}"' not in page and "承認済みのため編集できません" in page
    crafted = {f"total_cost_{own.pk}": "5", f"token_{own.pk}": service.token(row(own))}
    assert client.post(money_url(), crafted).status_code == 409
    assert row(own).total_cost is None
    admin = User.objects.get(username="kikaku")
    with pytest.raises(service.Locked) as locked:
        service.save_money(admin, kushiro, YEAR, [(own.pk, "5", None, None, "", "")])
    assert locked.value.rows[0].reason == locks.text(locks.APPROVED)


def test_a_submitted_project_is_locked_for_its_editor_only(kushiro):
    own, _ = projects()
    m.ProjectYear.objects.filter(pk=row(own).pk).update(state=m.WorkState.SUBMITTED)
    page = text_of(editor().get(money_url()))
    assert "提出済みのため編集できません" in page and f'name="total_cost_{own.pk}"' not in page
    assert post_money(planning_admin(), own, total="100").status_code == 302
    assert row(own).total_cost == Decimal(100)


def test_a_year_not_opened_shows_every_row_locked(kushiro):
    page = text_of(planning_admin().get(money_url(YEAR + 1)))
    assert "この年度はまだ開始されていません" in page
    assert 'name="total_cost_' not in page and "保存する / Save" not in page


def test_correcting_a_published_year_needs_the_planning_admins_comment(kushiro):
    own, _ = projects()
    published(own, total_cost=Decimal(5000000))
    # The department editor cannot change a published year at all.
    page = text_of(editor().get(money_url(PUBLISHED_YEAR)))
    assert "公表済みのため編集できません" in page
    assert f'name="total_cost_{own.pk}"' not in page
    client = planning_admin()
    response = post_money(client, own, total="5,100,000", year=PUBLISHED_YEAR)
    assert response.status_code == 200
    assert "公表済みの年度の訂正には理由（コメント）が必要です" in text_of(response)
    assert row(own, PUBLISHED_YEAR).total_cost == Decimal(5000000)
    response = post_money(
        client, own, total="5,100,000", year=PUBLISHED_YEAR, comment="監査による訂正"
    )
    assert response.status_code == 302
    corrected = row(own, PUBLISHED_YEAR)
    assert corrected.total_cost == Decimal(5100000)
    assert corrected.state == m.WorkState.PUBLISHED
    record = corrected.history.latest()
    assert record.history_change_reason == "事業費の入力（訂正）: 監査による訂正"
    assert record.history_user.username == "kikaku"


# --- two sessions ---------------------------------------------------------------------------------


def test_the_second_of_two_concurrent_saves_gets_the_conflict_and_nothing_is_lost(kushiro):
    own, _ = projects()
    first, second = editor(), planning_admin()
    page_first = first.get(money_url()).content.decode()
    page_second = second.get(money_url()).content.decode()
    token = f'name="token_{own.pk}"'
    assert (
        token in page_first
        and page_form(page_first)[f"token_{own.pk}"] == page_form(page_second)[f"token_{own.pk}"]
    )
    assert post_money(first, own, total="100万円", page=page_first).status_code == 302
    response = post_money(second, own, total="200万円", page=page_second)
    assert response.status_code == 200
    shown = text_of(response)
    assert "別の人の変更と重なりました。何も保存していません" in shown
    assert "総事業費 1,000,000 円" in shown  # in the ledger now
    assert "総事業費 2,000,000 円" in shown  # the second user's
    assert any("このページを開いた後に別の人が変更しました" in t for t in messages_of(response))
    assert row(own).total_cost == Decimal(1000000)
    assert [r.history_user.username for r in row(own).history.filter(history_type="~")] == ["tanto"]
    # ... and the refused attempt is on record beside the history, shown on the history page
    (attempt,) = m.RefusedChange.objects.all()
    assert (attempt.user.username, attempt.kind, attempt.project_id) == ("kikaku", "money", own.pk)
    assert attempt.attempted.startswith("総事業費 2,000,000 円")
    assert attempt.in_ledger.startswith("総事業費 1,000,000 円")
    history_page = text_of(second.get(f"{money_url()}?project={own.pk}&history=1"))
    assert (
        "保存されなかった変更（競合）" in history_page and "総事業費 2,000,000 円" in history_page
    )
    # The second user's typing is kept against the ledger's state now: saving it again wins.
    kept = response.content.decode()
    assert page_form(kept)[f"total_cost_{own.pk}"] == "200万円"
    assert post_money(second, own, page=kept, comment="再確認").status_code == 302
    assert row(own).total_cost == Decimal(2000000)
    changes = row(own).history.filter(history_type="~").order_by("history_id")
    assert [(r.history_user.username, r.total_cost) for r in changes] == [
        ("tanto", Decimal(1000000)),
        ("kikaku", Decimal(2000000)),
    ]


def test_the_service_refuses_a_stale_token_with_both_versions(kushiro):
    own, _ = projects()
    admin = f.make_user("kikaku")
    f.make_member(admin, kushiro, m.Role.PLANNING_ADMIN)
    shown = service.token(row(own))
    service.save_money(admin, kushiro, YEAR, [(own.pk, "1", None, None, "", shown)])
    with pytest.raises(service.Conflict) as conflict:
        service.save_money(admin, kushiro, YEAR, [(own.pk, "2", None, None, "", shown)])
    (only,) = conflict.value.rows
    assert (only.theirs.split("、")[0], only.yours.split("、")[0]) == (
        "総事業費 1 円",
        "総事業費 2 円",
    )
    assert row(own).total_cost == Decimal(1)


# --- history and escaping ---------------------------------------------------------------


def test_the_money_history_shows_who_when_from_what_to_what_and_why(kushiro):
    own, _ = projects()
    post_money(editor(), own, total="1,000,000", comment="当初")
    post_money(planning_admin(), own, total="1,200,000", spent="900,000", comment="補正")
    submitted = row(own)  # a change of the state alone is not listed
    submitted.state = m.WorkState.SUBMITTED
    submitted.save()
    viewer = member("etsuran", m.Role.VIEWER)
    response = viewer.get(history_url(own))
    assert response.status_code == 200
    page = text_of(response)
    body = page[page.index("<tbody>") :]
    assert body.index("kikaku") < body.index("tanto")  # newest first
    assert "事業費の入力: 当初" in page and "事業費の入力: 補正" in page
    assert "1,000,000 円" in page and "1,200,000 円" in page and "900,000 円" in page
    rows = [
        r
        for r in re.findall(r"<tr id=\"change-[^>]*>(.*?)</tr>", response.content.decode(), re.S)
        if "R6年度" in r
    ]
    assert len(rows) == 3  # 総事業費 twice, 実績額 once
    first_total = next(r for r in rows if "tanto" in r)
    assert "—" in first_total and "1,000,000 円" in first_total
    # A project of another organization or no project: not found.
    assert viewer.get(f"{money_url()}?project=999999&history=1").status_code == 404
    assert viewer.get(f"{money_url()}?project=x&history=1").status_code == 404


def test_a_script_in_a_note_or_a_project_name_is_shown_escaped(kushiro):
    own, _ = projects()
    m.Project.objects.filter(pk=own.pk).update(name="<b>事業</b>")
    client = editor()
    post_money(client, own, total="1", note="<script>alert(1)</script>")
    assert row(own).money_note == "<script>alert(1)</script>"
    for url in (money_url(), history_url(own)):
        page = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in page and "<b>事業</b>" not in page
        assert "&lt;b&gt;事業&lt;/b&gt;" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get(money_url()).content.decode()
