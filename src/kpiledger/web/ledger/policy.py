"""Who may do what: the one place every view, form, admin page, command and API call asks.

A user's permissions are their memberships (`models.Membership`: user × organization × role).
A role grants the actions of `ROLE_ACTIONS` in its organization only; no role in one
organization grants anything in another.

- **Superusers** may do everything everywhere (the deployment's operators: they also create
  organizations that are not yet in the ledger). An inactive account, superuser or not, may do
  nothing.
- **Anonymous visitors** may do nothing: the public sees published data, which needs no action.
- **Department editors** (事業担当課) act only on the projects assigned to them
  (`Membership.projects`). For an action on the organization as a whole (`project=None`, or an
  action of `ORGANIZATION_ACTIONS` such as `import_prepare`), one assigned project in that
  organization suffices; an editor with no assigned project may do nothing.
- Every other role acts on every project of its organization.

Staff status (`is_staff`) plays no part here: it only opens `/admin/`, whose pages ask this
module too (admin.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from kpiledger.web.ledger import models as m

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    User = AbstractBaseUser | AnonymousUser


class Action(StrEnum):
    """Every action of the yearly cycle (issue 10), by its name in the permission matrix."""

    VIEW_DRAFT = "view_draft"
    EDIT_VALUE = "edit_value"
    EDIT_MONEY = "edit_money"
    SELF_EVALUATE = "self_evaluate"
    SUBMIT = "submit"
    REVIEW = "review"
    APPROVE = "approve"
    PUBLISH = "publish"
    EVALUATE = "evaluate"
    DECIDE = "decide"
    OPEN_YEAR = "open_year"
    IMPORT_PREPARE = "import_prepare"
    IMPORT_APPLY = "import_apply"
    ADMIN_CHANGE = "admin_change"
    API_WRITE = "api_write"


# What each action is called in messages and in docs/web.md: Japanese, English.
ACTION_LABELS: dict[Action, tuple[str, str]] = {
    Action.VIEW_DRAFT: ("公表前のデータの閲覧", "view unpublished data"),
    Action.EDIT_VALUE: ("実績値の入力", "enter actuals"),
    Action.EDIT_MONEY: ("事業費の入力", "enter project money"),
    Action.SELF_EVALUATE: ("自己評価", "self-evaluate"),
    Action.SUBMIT: ("提出", "submit"),
    Action.REVIEW: ("一次評価（差戻し）", "review"),
    Action.APPROVE: ("承認", "approve"),
    Action.PUBLISH: ("公表", "publish"),
    Action.EVALUATE: ("外部評価", "evaluate as the committee"),
    Action.DECIDE: ("最終判断（今後の方針）", "decide"),
    Action.OPEN_YEAR: ("年度の開始", "open a fiscal year"),
    Action.IMPORT_PREPARE: ("取込の準備（アップロード）", "prepare an import"),
    Action.IMPORT_APPLY: ("取込の実行", "apply an import"),
    Action.ADMIN_CHANGE: ("管理サイトでの変更", "change data in the admin site"),
    Action.API_WRITE: ("APIでの書き込み", "write through the API"),
}

# The permission table: role → the actions it grants in its own organization. The matrix test
# (tests/test_policy.py) checks every cell against a table written there independently, and a
# test checks docs/web.md's table against this one.
ROLE_ACTIONS: dict[m.Role, frozenset[Action]] = {
    m.Role.PLANNING_ADMIN: frozenset(Action),
    m.Role.DEPARTMENT_EDITOR: frozenset(
        {
            Action.VIEW_DRAFT,
            Action.EDIT_VALUE,
            Action.EDIT_MONEY,
            Action.SELF_EVALUATE,
            Action.SUBMIT,
            Action.IMPORT_PREPARE,
            Action.API_WRITE,
        }
    ),
    m.Role.COMMITTEE_MEMBER: frozenset({Action.VIEW_DRAFT, Action.EVALUATE}),
    m.Role.VIEWER: frozenset({Action.VIEW_DRAFT}),
}

# Roles limited to the projects assigned to them.
PROJECT_SCOPED_ROLES: frozenset[m.Role] = frozenset({m.Role.DEPARTMENT_EDITOR})

# Actions on the organization as a whole: a project named with them plays no part (beyond
# belonging to the organization).
ORGANIZATION_ACTIONS: frozenset[Action] = frozenset(
    {
        Action.PUBLISH,
        Action.OPEN_YEAR,
        Action.IMPORT_PREPARE,
        Action.IMPORT_APPLY,
        Action.ADMIN_CHANGE,
    }
)


def _signed_in(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _is_superuser(user: Any) -> bool:
    return _signed_in(user) and bool(getattr(user, "is_superuser", False))


def allowed(
    user: Any,
    action: Action,
    organization: m.Organization | None,
    project: m.Project | None = None,
) -> bool:
    """May `user` do `action` in `organization` (on `project`, one of its projects, if given)?

    `organization` None (an organization not yet in the ledger): superusers only.
    """
    return Grants.of(user, organization).allows(action, project)


@dataclass(frozen=True)
class Grants:
    """What one user may do in one organization, read once (the membership and its assigned
    projects): a page asking about many projects asks this instead of `allowed` per row —
    `allowed` itself is `Grants.of(...).allows(...)`, so the two cannot disagree."""

    organization: m.Organization | None
    signed_in: bool
    superuser: bool
    role: m.Role | None
    assigned: frozenset[int]

    @classmethod
    def of(cls, user: Any, organization: m.Organization | None) -> Grants:
        signed_in = _signed_in(user)
        superuser = _is_superuser(user)
        role, assigned = None, frozenset[int]()
        known = organization is not None and organization.pk is not None
        if signed_in and not superuser and known:
            membership = (
                m.Membership.objects.filter(user=user, organization=organization)
                .only("id", "role")
                .first()
            )
            if membership is not None:
                role = m.Role(membership.role)
                if role in PROJECT_SCOPED_ROLES:
                    assigned = frozenset(
                        membership.projects.filter(organization=organization).values_list(
                            "pk", flat=True
                        )
                    )
        return cls(organization, signed_in, superuser, role, assigned)

    def allows(self, action: Action, project: m.Project | None = None) -> bool:
        action = Action(action)
        organization = self.organization
        if not self.signed_in:
            return False
        if project is not None and (
            organization is None or project.organization_id != organization.pk
        ):
            return False  # a project of another organization than the one asked about
        if self.superuser:
            return True
        if self.role is None or action not in ROLE_ACTIONS[self.role]:
            return False
        if self.role not in PROJECT_SCOPED_ROLES:
            return True
        if project is None or action in ORGANIZATION_ACTIONS:
            return bool(self.assigned)
        return project.pk in self.assigned


def require(
    user: Any,
    action: Action,
    organization: m.Organization | None,
    project: m.Project | None = None,
) -> None:
    """Raise PermissionDenied (with a Japanese and English message) unless `allowed`."""
    if not allowed(user, action, organization, project):
        raise PermissionDenied(denied_message(action, organization, project))


def denied_message(
    action: Action, organization: m.Organization | None, project: m.Project | None = None
) -> str:
    ja, en = ACTION_LABELS[Action(action)]
    where_ja = str(organization) if organization is not None else "新しい団体"
    where_en = organization.code if organization is not None else "a new organization"
    if project is not None:
        where_ja, where_en = f"{where_ja}「{project.name}」", f"{where_en}, “{project.name}”"
    return f"この操作（{ja}）の権限がありません: {where_ja} / you may not {en} here: {where_en}"


def _granting_roles(action: Action) -> list[m.Role]:
    return [role for role, actions in ROLE_ACTIONS.items() if Action(action) in actions]


def organizations_for(user: Any, action: Action) -> QuerySet[m.Organization]:
    """The organizations where `user` may do `action` (for a department editor: those where a
    project is assigned to them), to scope querysets."""
    organizations = m.Organization.objects.all()
    if _is_superuser(user):
        return organizations
    if not _signed_in(user):
        return organizations.none()
    roles = _granting_roles(action)
    scoped = [r for r in roles if r in PROJECT_SCOPED_ROLES]
    whole = [r for r in roles if r not in PROJECT_SCOPED_ROLES]
    assigned = m.Membership.projects.through.objects.filter(
        membership_id=OuterRef("pk"), project__organization_id=OuterRef("organization_id")
    )
    memberships = m.Membership.objects.filter(user=user).filter(
        Q(role__in=whole) | Q(Exists(assigned), role__in=scoped)
    )
    return organizations.filter(pk__in=memberships.values("organization_id"))


def projects_for(user: Any, action: Action) -> QuerySet[m.Project]:
    """The projects `user` may do `action` on (a department editor's: those assigned)."""
    projects = m.Project.objects.all()
    if _is_superuser(user):
        return projects
    if not _signed_in(user):
        return projects.none()
    roles = _granting_roles(action)
    whole = [r for r in roles if r not in PROJECT_SCOPED_ROLES]
    scoped = [r for r in roles if r in PROJECT_SCOPED_ROLES]
    if Action(action) in ORGANIZATION_ACTIONS:
        return projects.filter(organization__in=organizations_for(user, action))
    by_role = m.Membership.objects.filter(user=user, role__in=whole)
    assigned = m.Membership.projects.through.objects.filter(
        membership__user=user,
        membership__role__in=scoped,
        project__organization_id=F("membership__organization_id"),
    )
    return projects.filter(
        Q(organization_id__in=by_role.values("organization_id"))
        | Q(pk__in=assigned.values("project_id"))
    )


def role_in(user: Any, organization: m.Organization | None) -> m.Role | None:
    """The user's role in the organization, if any (for pages that show it)."""
    if not _signed_in(user) or organization is None or organization.pk is None:
        return None
    role = (
        m.Membership.objects.filter(user=user, organization=organization)
        .values_list("role", flat=True)
        .first()
    )
    return m.Role(role) if role else None
