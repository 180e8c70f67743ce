"""Issue 10, item 1: who may do what. The permission matrix (every role × every action ×
every place), checked against a table written here by hand — not read from policy.py — and the
doors that ask the policy: the staff import pages and the Django admin."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kpiledger.web.ledger import models as m
from kpiledger.web.ledger import policy
from kpiledger.web.ledger.policy import Action
from kpiledger.web.ledger.tests import factories as f

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[5] / "docs" / "web.md"

# The places of the matrix: (organization, project) as seen from a member of organization A.
#   own         A, the project assigned to the department editor
#   other       A, another project of A (assigned to nobody)
#   org         A as a whole (no project)
#   foreign     B, a project of another organization
#   foreign_org B as a whole
PLACES = ("own", "other", "org", "foreign", "foreign_org")

# Expected: Y allowed, N denied, in the order of PLACES. Written out by hand from issue 10.
EXPECTED_TEXT = """
role               action          own other org foreign foreign_org
planning_admin     view_draft      Y   Y     Y   N       N
planning_admin     edit_value      Y   Y     Y   N       N
planning_admin     edit_money      Y   Y     Y   N       N
planning_admin     self_evaluate   Y   Y     Y   N       N
planning_admin     submit          Y   Y     Y   N       N
planning_admin     review          Y   Y     Y   N       N
planning_admin     approve         Y   Y     Y   N       N
planning_admin     publish         Y   Y     Y   N       N
planning_admin     evaluate        Y   Y     Y   N       N
planning_admin     decide          Y   Y     Y   N       N
planning_admin     open_year       Y   Y     Y   N       N
planning_admin     import_prepare  Y   Y     Y   N       N
planning_admin     import_apply    Y   Y     Y   N       N
planning_admin     admin_change    Y   Y     Y   N       N
planning_admin     api_write       Y   Y     Y   N       N
department_editor  view_draft      Y   N     Y   N       N
department_editor  edit_value      Y   N     Y   N       N
department_editor  edit_money      Y   N     Y   N       N
department_editor  self_evaluate   Y   N     Y   N       N
department_editor  submit          Y   N     Y   N       N
department_editor  review          N   N     N   N       N
department_editor  approve         N   N     N   N       N
department_editor  publish         N   N     N   N       N
department_editor  evaluate        N   N     N   N       N
department_editor  decide          N   N     N   N       N
department_editor  open_year       N   N     N   N       N
department_editor  import_prepare  Y   Y     Y   N       N
department_editor  import_apply    N   N     N   N       N
department_editor  admin_change    N   N     N   N       N
department_editor  api_write       Y   N     Y   N       N
committee_member   view_draft      Y   Y     Y   N       N
committee_member   edit_value      N   N     N   N       N
committee_member   edit_money      N   N     N   N       N
committee_member   self_evaluate   N   N     N   N       N
committee_member   submit          N   N     N   N       N
committee_member   review          N   N     N   N       N
committee_member   approve         N   N     N   N       N
committee_member   publish         N   N     N   N       N
committee_member   evaluate        Y   Y     Y   N       N
committee_member   decide          N   N     N   N       N
committee_member   open_year       N   N     N   N       N
committee_member   import_prepare  N   N     N   N       N
committee_member   import_apply    N   N     N   N       N
committee_member   admin_change    N   N     N   N       N
committee_member   api_write       N   N     N   N       N
viewer             view_draft      Y   Y     Y   N       N
viewer             edit_value      N   N     N   N       N
viewer             edit_money      N   N     N   N       N
viewer             self_evaluate   N   N     N   N       N
viewer             submit          N   N     N   N       N
viewer             review          N   N     N   N       N
viewer             approve         N   N     N   N       N
viewer             publish         N   N     N   N       N
viewer             evaluate        N   N     N   N       N
viewer             decide          N   N     N   N       N
viewer             open_year       N   N     N   N       N
viewer             import_prepare  N   N     N   N       N
viewer             import_apply    N   N     N   N       N
viewer             admin_change    N   N     N   N       N
viewer             api_write       N   N     N   N       N
"""
# Every action: superuser Y everywhere; no membership and anonymous N everywhere.
EVERYWHERE = {"superuser": "YYYYY", "no_membership": "NNNNN", "anonymous": "NNNNN"}
ACTIONS = [
    "view_draft",
    "edit_value",
    "edit_money",
    "self_evaluate",
    "submit",
    "review",
    "approve",
    "publish",
    "evaluate",
    "decide",
    "open_year",
    "import_prepare",
    "import_apply",
    "admin_change",
    "api_write",
]
ROLES = ("planning_admin", "department_editor", "committee_member", "viewer")
SUBJECTS = (*ROLES, "no_membership", "anonymous", "superuser")


def expected_table() -> dict[tuple[str, str, str], bool]:
    rows = [line.split() for line in EXPECTED_TEXT.strip().splitlines()[1:]]
    table = {
        (role, action, place): mark == "Y"
        for role, action, *marks in rows
        for place, mark in zip(PLACES, marks, strict=True)
    }
    for subject, marks in EVERYWHERE.items():
        for action in ACTIONS:
            for place, mark in zip(PLACES, marks, strict=True):
                table[(subject, action, place)] = mark == "Y"
    return table


@pytest.fixture
def world() -> dict[str, object]:
    """Organization A (two projects, one assigned to the editor) and B (one project); a user
    for each role in A, one without a membership, a superuser, and the anonymous visitor."""
    a = f.make_organization("012068", "釧路市")
    b = f.make_organization("011002", "札幌市")
    own, other = f.make_project(a, "担当の事業"), f.make_project(a, "ほかの事業")
    foreign = f.make_project(b, "札幌の事業")
    users: dict[str, object] = {}
    for role in ROLES:
        users[role] = f.make_user(role)
        f.make_member(users[role], a, role, [own] if role == "department_editor" else [])
    users["no_membership"] = f.make_user("nobody", is_staff=True)
    users["anonymous"] = AnonymousUser()
    users["superuser"] = User.objects.create_superuser("root", "root@example.org", f.PASSWORD)
    places = {
        "own": (a, own),
        "other": (a, other),
        "org": (a, None),
        "foreign": (b, foreign),
        "foreign_org": (b, None),
    }
    return {"users": users, "places": places, "a": a, "b": b, "own": own, "other": other}


def test_the_permission_matrix_every_role_action_and_place(world):
    expected = expected_table()
    assert [a.value for a in Action] == ACTIONS  # every action of issue 10, none missing
    cells = 0
    wrong = []
    for subject in SUBJECTS:
        user = world["users"][subject]
        for action in ACTIONS:
            for place in PLACES:
                organization, project = world["places"][place]
                got = policy.allowed(user, Action(action), organization, project)
                cells += 1
                if got != expected[(subject, action, place)]:
                    wrong.append(f"{subject} {action} {place}: got {got}")
    print(f"permission matrix: {cells} cells")
    assert cells == len(SUBJECTS) * len(ACTIONS) * len(PLACES) == 7 * 15 * 5 == 525
    assert len(expected) == cells
    assert wrong == []


def test_organizations_and_projects_for_scope_querysets(world):
    users, a = world["users"], world["a"]
    for role in ROLES:
        for action in ACTIONS:
            allowed_in_a = expected_table()[(role, action, "org")]
            orgs = list(policy.organizations_for(users[role], Action(action)))
            assert orgs == ([a] if allowed_in_a else []), (role, action)
    assert set(policy.projects_for(users["department_editor"], Action.EDIT_VALUE)) == {world["own"]}
    assert set(policy.projects_for(users["committee_member"], Action.EVALUATE)) == {
        world["own"],
        world["other"],
    }
    assert policy.organizations_for(users["superuser"], Action.PUBLISH).count() == 2
    assert not policy.organizations_for(users["anonymous"], Action.VIEW_DRAFT).exists()
    assert not policy.projects_for(users["no_membership"], Action.VIEW_DRAFT).exists()


def test_an_editor_without_projects_or_with_a_foreign_one_may_do_nothing(world):
    a, b = world["a"], world["b"]
    idle = f.make_member("idle", a, m.Role.DEPARTMENT_EDITOR)
    for action in ACTIONS:
        assert not policy.allowed(idle.user, Action(action), a), action
    # a project of B assigned by a direct write (the admin form refuses it) grants nothing
    idle.projects.add(m.Project.objects.get(organization=b))
    assert not policy.allowed(idle.user, Action.EDIT_VALUE, a)
    assert not policy.allowed(
        idle.user, Action.EDIT_VALUE, b, m.Project.objects.get(organization=b)
    )
    assert not policy.projects_for(idle.user, Action.EDIT_VALUE).exists()


def test_a_project_must_belong_to_the_organization_asked_about(world):
    admin, a = world["users"]["planning_admin"], world["a"]
    foreign = world["places"]["foreign"][1]
    assert not policy.allowed(admin, Action.EDIT_VALUE, a, foreign)


def test_inactive_accounts_and_new_organizations(world):
    root, admin = world["users"]["superuser"], world["users"]["planning_admin"]
    assert policy.allowed(root, Action.IMPORT_PREPARE, None)  # a new organization: superusers
    assert not policy.allowed(admin, Action.IMPORT_PREPARE, None)
    root.is_active = admin.is_active = False
    assert not policy.allowed(root, Action.VIEW_DRAFT, world["a"])
    assert not policy.allowed(admin, Action.VIEW_DRAFT, world["a"])


def test_require_refuses_in_both_languages(world):
    viewer, a = world["users"]["viewer"], world["a"]
    policy.require(viewer, Action.VIEW_DRAFT, a)  # allowed: no exception
    with pytest.raises(PermissionDenied) as refused:
        policy.require(viewer, Action.PUBLISH, a)
    assert str(refused.value) == (
        "この操作（公表）の権限がありません: 釧路市（012068） / you may not publish here: 012068"
    )


def test_membership_is_unique_per_user_and_organization_and_kept_with_history(world):
    from django.db import IntegrityError, transaction

    viewer = world["users"]["viewer"]
    with pytest.raises(IntegrityError), transaction.atomic():
        m.Membership.objects.create(user=viewer, organization=world["a"], role=m.Role.VIEWER)
    membership = m.Membership.objects.get(user=viewer)
    membership.role = m.Role.COMMITTEE_MEMBER
    membership.save()
    assert [h.role for h in membership.history.all()] == ["committee_member", "viewer"]


# --- the documentation ---------------------------------------------------------------------


def test_the_docs_table_is_the_policy_table():
    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index("## Roles and permissions") :]
    lines = [line for line in section.splitlines() if line.startswith("| `")]
    header = next(line for line in section.splitlines() if line.startswith("| action |"))
    roles = re.findall(r"`(\w+)`", header)
    assert roles == [r.value for r in m.Role]
    documented: dict[str, set[str]] = {role: set() for role in roles}
    actions = []
    for line in lines:
        cells = [c.strip() for c in line.strip("|").split("|")]
        action = re.match(r"`(\w+)`", cells[0]).group(1)  # type: ignore[union-attr]
        actions.append(action)
        assert set(cells[1:]) <= {"✓", "—"}, line
        for role, cell in zip(roles, cells[1:], strict=True):
            if cell == "✓":
                documented[role].add(action)
    assert actions == [a.value for a in Action]
    assert documented == {
        role.value: {a.value for a in actions_} for role, actions_ in policy.ROLE_ACTIONS.items()
    }


# --- the doors: staff import pages ---------------------------------------------------------


def _upload(client, code: str) -> str:  # type: ignore[no-untyped-def]
    file = SimpleUploadedFile("report.txt", f.REFERENCE_BYTES, content_type="text/plain")
    response = client.post(reverse("ledger:import_upload"), {"org_code": code, "file": file})
    assert response.status_code == 302, response.content.decode()[:3000]
    return response["Location"]


def test_an_editor_of_a_cannot_see_or_apply_the_pending_import_of_b(client, world):
    users, b = world["users"], world["b"]
    f.make_member("sapporo", b, m.Role.PLANNING_ADMIN)
    client.force_login(User.objects.get(username="sapporo"))
    preview_b = _upload(client, "011002")
    batch_b = m.ImportBatch.objects.get()
    client.force_login(users["department_editor"])
    listing = client.get(reverse("ledger:staff_imports")).content.decode()
    assert "釧路市（012068）" in listing and "札幌市" not in listing
    assert preview_b not in listing
    seen = client.get(preview_b)
    assert seen.status_code == 403
    text = seen.content.decode()
    assert "この操作（公表前のデータの閲覧）の権限がありません: 札幌市（011002）" in text
    assert "you may not view unpublished data here: 011002" in text
    confirm_b = reverse("ledger:import_confirm", args=[batch_b.pk])
    for action in ("apply", "discard"):
        assert client.post(confirm_b, {"action": action, "fingerprint": "x"}).status_code == 403
    # even the planning admin of A may not apply B's import
    client.force_login(users["planning_admin"])
    assert client.post(confirm_b, {"action": "apply", "fingerprint": "x"}).status_code == 403
    batch_b.refresh_from_db()
    assert batch_b.status == "pending" and m.Kpi.objects.count() == 0


STATE = '<td data-label="状態">{}</td>'


def test_the_imports_list_shows_each_state_and_the_actions_the_user_may_take(client, world):
    users = world["users"]
    client.force_login(users["department_editor"])
    preview = _upload(client, "012068")
    client.force_login(users["viewer"])
    viewer_page = client.get(reverse("ledger:staff_imports")).content.decode()
    assert preview in viewer_page and "変更内容を見る" in viewer_page
    assert 'value="discard"' not in viewer_page and "確認して取り込む" not in viewer_page
    assert "報告書をアップロードする" not in viewer_page  # a viewer prepares nothing
    client.force_login(users["planning_admin"])
    admin_page = client.get(reverse("ledger:staff_imports")).content.decode()
    assert "確認して取り込む" in admin_page and 'value="discard"' in admin_page
    assert STATE.format("確認待ち") in admin_page and "department_editor" in admin_page
    page = client.get(preview).content.decode()
    fingerprint = re.search(r'name="fingerprint" value="([0-9a-f]+)"', page).group(1)  # type: ignore[union-attr]
    client.post(preview + "confirm/", {"action": "apply", "fingerprint": fingerprint})
    listing = client.get(reverse("ledger:staff_imports")).content.decode()
    assert STATE.format("取込済み") in listing and STATE.format("確認待ち") not in listing
    assert "planning_admin" in listing
    batch = m.ImportBatch.objects.get()
    assert (batch.prepared_by, batch.applied_by) == (
        users["department_editor"],
        users["planning_admin"],
    )


def test_a_committee_member_or_viewer_cannot_upload(client, world):
    for role in ("committee_member", "viewer"):
        client.force_login(world["users"][role])
        response = client.get(reverse("ledger:import_upload"))
        assert (
            response.status_code == 403 and "ask your planning office" in response.content.decode()
        )


# --- the doors: the Django admin -----------------------------------------------------------


@pytest.fixture
def admin_a(client, world):  # type: ignore[no-untyped-def]
    user = world["users"]["planning_admin"]
    user.is_staff = True  # opens /admin/; the membership decides what is in it
    user.save()
    client.force_login(user)
    return user


def test_the_project_changelist_shows_only_the_own_organizations_projects(client, admin_a, world):
    page = client.get(reverse("admin:ledger_project_changelist"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "担当の事業" in text and "ほかの事業" in text and "札幌の事業" not in text
    foreign = world["places"]["foreign"][1]
    for name in ("change", "delete", "history"):
        url = reverse(f"admin:ledger_project_{name}", args=[foreign.pk])
        assert client.get(url).status_code in (403, 404), name
    own = reverse("admin:ledger_project_change", args=[world["own"].pk])
    form = client.get(own).content.decode()
    assert "釧路市（012068）" in form and "札幌市（011002）" not in form  # the choices
    moved = client.post(
        own, {"organization": world["b"].pk, "name": "担当の事業", "section": "対象事業",
              "position": 0, "kpis-TOTAL_FORMS": 0, "kpis-INITIAL_FORMS": 0}
    )  # fmt: skip
    assert moved.status_code == 200  # the form refuses another organization
    assert m.Project.objects.get(pk=world["own"].pk).organization == world["a"]


def test_admin_of_other_models_is_scoped_and_others_see_nothing(client, admin_a, world):
    f.make_kpi(world["own"], "利用者数")
    f.make_kpi(world["places"]["foreign"][1], "来場者数")
    text = client.get(reverse("admin:ledger_kpi_changelist")).content.decode()
    assert "利用者数" in text and "来場者数" not in text
    orgs = client.get(reverse("admin:ledger_organization_changelist")).content.decode()
    assert "釧路市" in orgs and "札幌市" not in orgs
    assert client.get(reverse("admin:ledger_organization_add")).status_code == 403
    viewer = world["users"]["viewer"]
    viewer.is_staff = True
    viewer.save()
    client.force_login(viewer)  # staff, but not a planning admin: no ledger data in the admin
    assert client.get(reverse("admin:ledger_project_changelist")).status_code == 403
    assert "ledger_project" not in client.get(reverse("admin:index")).content.decode()


def test_a_membership_admin_of_a_cannot_add_a_membership_in_b(client, admin_a, world):
    newcomer = f.make_user("newcomer")
    add = reverse("admin:ledger_membership_add")
    form = client.get(add).content.decode()
    assert "釧路市（012068）" in form and "札幌市（011002）" not in form
    response = client.post(
        add, {"user": newcomer.pk, "organization": world["b"].pk, "role": "viewer"}
    )
    assert response.status_code == 200 and not m.Membership.objects.filter(user=newcomer).exists()
    foreign_project = world["places"]["foreign"][1]
    response = client.post(
        add,
        {
            "user": newcomer.pk,
            "organization": world["a"].pk,
            "role": "department_editor",
            "projects": [foreign_project.pk],
        },
    )
    assert response.status_code == 200 and not m.Membership.objects.filter(user=newcomer).exists()
    response = client.post(
        add,
        {
            "user": newcomer.pk,
            "organization": world["a"].pk,
            "role": "department_editor",
            "projects": [world["other"].pk],
        },
    )
    assert response.status_code == 302
    membership = m.Membership.objects.get(user=newcomer)
    assert membership.organization == world["a"] and list(membership.projects.all()) == [
        world["other"]
    ]
    assert policy.allowed(newcomer, Action.EDIT_VALUE, world["a"], world["other"])
    members_of_b = f.make_member("sapporo_viewer", world["b"], m.Role.VIEWER)
    listing = client.get(reverse("admin:ledger_membership_changelist")).content.decode()
    assert "newcomer" in listing and "sapporo_viewer" not in listing
    change_b = reverse("admin:ledger_membership_change", args=[members_of_b.pk])
    assert client.get(change_b).status_code == 404
