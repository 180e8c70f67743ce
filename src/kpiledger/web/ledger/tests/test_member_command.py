"""`kpiledger manage member`: roles given, changed, listed and removed from the command line,
with the same rules as the admin (a department editor needs projects of that organization),
bilingual refusals that write nothing, and history."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from kpiledger.web.ledger import models as m
from kpiledger.web.ledger import policy
from kpiledger.web.ledger.policy import Action
from kpiledger.web.ledger.tests import factories as f

pytestmark = pytest.mark.django_db

CODE = f.KUSHIRO[0]
OTOBETSU = "音別地域交流拠点施設整備事業"


@pytest.fixture
def kushiro() -> m.Organization:
    f.import_reference()
    return m.Organization.objects.get(code=CODE)


def member(*args: str) -> str:
    out = StringIO()
    call_command("member", *args, stdout=out)
    return out.getvalue()


def test_a_new_editor_is_created_with_a_password_and_given_one_project(kushiro, monkeypatch):
    answers = iter(["Kushiro-2024-entry!", "Kushiro-2024-entry!"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    project = m.Project.objects.get(
        organization=kushiro, name__endswith="音別地域交流拠点施設整備事業"
    )
    said = member(
        "tanto", "--org", CODE, "--role", "department_editor", "--project", project.name, "--create"
    )
    assert "「tanto」を釧路市（012068）の事業担当課にしました" in said
    user = User.objects.get(username="tanto")
    assert user.check_password("Kushiro-2024-entry!")
    assert policy.allowed(user, Action.EDIT_VALUE, kushiro, project)
    other = m.Project.objects.exclude(pk=project.pk).filter(organization=kushiro).first()
    assert not policy.allowed(user, Action.EDIT_VALUE, kushiro, other)
    membership = m.Membership.objects.get(user=user)
    assert membership.history.latest().history_change_reason == "kpiledger manage member"
    # the role changes; the list shows it
    member("tanto", "--org", CODE, "--role", "planning_admin")
    assert policy.allowed(user, Action.PUBLISH, kushiro)
    assert member("--org", CODE, "--list").splitlines() == ["tanto\tplanning_admin\t企画担当\t"]
    # and goes
    assert "役割を外しました" in member("tanto", "--org", CODE, "--remove")
    assert not m.Membership.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["nobody", "--role", "viewer"], "利用者「nobody」はいません"),
        (["kikaku", "--role", "department_editor"], "担当する事業を --project で指定"),
        (
            ["kikaku", "--role", "viewer", "--project", OTOBETSU],
            "事業担当課（department_editor）にだけ",
        ),
        (
            ["kikaku", "--role", "department_editor", "--project", "ない事業"],
            "事業「ない事業」はありません",
        ),
        (["kikaku"], "--role を指定してください"),
        (["kikaku", "--remove"], "所属していません"),
    ],
)
def test_refusals_say_why_and_write_nothing(kushiro, args, says):
    f.make_user("kikaku")
    before = m.Membership.objects.count(), m.Membership.history.count()
    with pytest.raises(CommandError) as refused:
        member(*args, "--org", CODE)
    assert says in str(refused.value) and " / " in str(refused.value)
    assert (m.Membership.objects.count(), m.Membership.history.count()) == before


def test_an_unknown_organization_and_a_weak_or_mistyped_password_are_refused(kushiro, monkeypatch):
    with pytest.raises(CommandError, match="団体コード 999999 の団体は台帳にありません"):
        member("kikaku", "--org", "999999", "--role", "viewer")
    answers = iter(["abc", "abd"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError, match="パスワードが一致しません"):
        member("kikaku", "--org", CODE, "--role", "viewer", "--create")
    answers = iter(["123", "123"])
    with pytest.raises(CommandError):
        member("kikaku", "--org", CODE, "--role", "viewer", "--create")
    assert not User.objects.filter(username="kikaku").exists()
