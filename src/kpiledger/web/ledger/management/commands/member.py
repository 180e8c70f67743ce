"""`kpiledger manage member <username> --org CODE --role ROLE [--project NAME …] [--create]`:
give a user their role in one organization (企画担当 planning_admin, 事業担当課
department_editor with the projects assigned, 外部有識者 committee_member, 閲覧 viewer), or
`--remove` it; `--list` shows the organization's members. `--create` makes the account when it
does not exist, asking for its password twice (never on the command line). Every change is kept
in the membership's history. The same roles as the admin's 所属と役割 page (policy.py)."""

from __future__ import annotations

import getpass
from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from kpiledger.web.ledger import models as m

REASON = "kpiledger manage member"


class Command(BaseCommand):
    help = (
        "利用者に団体での役割を与えます（--remove で外す、--list で一覧）"
        " / give a user a role in an organization (--remove to take it away, --list to list)"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username", nargs="?", help="利用者名 / the user's name")
        parser.add_argument("--org", required=True, help="団体コード / the organization's code")
        parser.add_argument(
            "--role",
            choices=[role.value for role in m.Role],
            help="役割 / the role: " + ", ".join(f"{r.value}（{r.label}）" for r in m.Role),
        )
        parser.add_argument(
            "--project",
            action="append",
            default=[],
            metavar="NAME",
            help="事業担当課が担当する事業の名称（繰り返し可） / a project of a department editor",
        )
        parser.add_argument(
            "--create", action="store_true", help="利用者がいなければ作成 / create the account"
        )
        parser.add_argument("--remove", action="store_true", help="役割を外す / remove the role")
        parser.add_argument("--list", action="store_true", help="所属の一覧 / list the members")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = m.Organization.objects.filter(code=options["org"].strip()).first()
        if organization is None:
            raise CommandError(
                f"団体コード {options['org']} の団体は台帳にありません"
                f" / no organization with the code {options['org']} is in the ledger"
            )
        if options["list"]:
            self._list(organization)
            return
        username = (options["username"] or "").strip()
        if not username:
            raise CommandError("利用者名を指定してください / give the user's name")
        if options["remove"]:
            self._remove(username, organization)
            return
        role = options["role"]
        if role is None:
            raise CommandError("--role を指定してください / give --role")
        projects = self._projects(organization, role, options["project"])
        user = self._user(username, options["create"])
        with transaction.atomic():
            membership = m.Membership.objects.filter(user=user, organization=organization).first()
            membership = membership or m.Membership(user=user, organization=organization)
            membership.role = role
            membership._history_user = None  # type: ignore[attr-defined]
            membership._change_reason = REASON  # type: ignore[attr-defined]
            membership.save()
            membership.projects.set(projects)
        label = m.Role(role).label
        assigned = "、".join(p.name for p in projects)
        self.stdout.write(
            f"「{username}」を{organization}の{label}にしました"
            + (f"（担当: {assigned}）" if assigned else "")
            + f" / '{username}' is now {role} of {organization.code}"
            + (f" ({len(projects)} projects)" if projects else "")
        )

    def _projects(self, organization: m.Organization, role: str, names: list[str]) -> list[Any]:
        if names and role != m.Role.DEPARTMENT_EDITOR:
            raise CommandError(
                "--project は事業担当課（department_editor）にだけ指定できます"
                " / --project is for a department editor only"
            )
        projects = []
        for name in names:
            project = m.Project.objects.filter(organization=organization, name=name.strip()).first()
            if project is None:
                known = "、".join(organization.projects.values_list("name", flat=True)[:10])
                raise CommandError(
                    f"{organization}に事業「{name}」はありません（事業: {known}）"
                    f" / {organization.code} has no project named '{name}'"
                )
            projects.append(project)
        if role == m.Role.DEPARTMENT_EDITOR and not projects:
            raise CommandError(
                "事業担当課には担当する事業を --project で指定してください"
                " / give a department editor their projects with --project"
            )
        return projects

    def _user(self, username: str, create: bool) -> Any:
        users = get_user_model()
        user = users.objects.filter(username=username).first()
        if user is not None:
            return user
        if not create:
            raise CommandError(
                f"利用者「{username}」はいません（--create で作成します）"
                f" / no user named '{username}' (--create makes the account)"
            )
        password = getpass.getpass("パスワード / password: ")
        if password != getpass.getpass("もう一度 / again: "):
            raise CommandError("パスワードが一致しません / the passwords differ")
        candidate = users(username=username)
        try:
            validate_password(password, candidate)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        return users.objects.create_user(username, password=password)

    def _remove(self, username: str, organization: m.Organization) -> None:
        membership = m.Membership.objects.filter(
            user__username=username, organization=organization
        ).first()
        if membership is None:
            raise CommandError(
                f"「{username}」は{organization}に所属していません"
                f" / '{username}' has no role in {organization.code}"
            )
        membership._change_reason = REASON  # type: ignore[attr-defined]
        membership.delete()
        self.stdout.write(
            f"「{username}」の{organization}での役割を外しました"
            f" / removed the role of '{username}' in {organization.code}"
        )

    def _list(self, organization: m.Organization) -> None:
        rows = m.Membership.objects.filter(organization=organization).select_related("user")
        for membership in rows.order_by("role", "user__username"):
            projects = "、".join(membership.projects.values_list("name", flat=True))
            self.stdout.write(
                f"{membership.user.get_username()}\t{membership.role}"
                f"\t{membership.get_role_display()}\t{projects}"
            )
