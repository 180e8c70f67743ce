"""`kpiledger manage api_token <username> [--name NAME]`: create a token for the write API and
print it once; `--revoke NAME` revokes the user's token of that name. Only the token's SHA-256
hash is stored (models.ApiToken)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from kpiledger.web.api.models import ApiToken

DEFAULT_NAME = "default"


class Command(BaseCommand):
    help = (
        "書き込みAPIのトークンを作成（一度だけ表示）または失効します"
        " / create a write-API token (shown once) or revoke one"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username", help="利用者名 / the user's name")
        parser.add_argument(
            "--name", default=DEFAULT_NAME, help="トークンの名前 / the token's label"
        )
        parser.add_argument(
            "--revoke", metavar="NAME", help="この名前のトークンを失効 / revoke this token"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"]
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"利用者「{username}」はいません / no user named '{username}'")
        revoke: str | None = options["revoke"]
        if revoke is not None:
            self._revoke(user, revoke)
            return
        name: str = options["name"].strip()
        if not name or len(name) > ApiToken._meta.get_field("name").max_length:  # type: ignore[operator]
            raise CommandError(
                "トークンの名前は1〜100文字にしてください / the name takes 1 to 100 characters"
            )
        if ApiToken.objects.filter(user=user, name=name, revoked_at=None).exists():
            raise CommandError(
                f"「{username}」には有効なトークン「{name}」がすでにあります。別の名前にするか、"
                f"--revoke {name} で失効してください / '{username}' already has an active token"
                f" '{name}': choose another name or revoke it with --revoke {name}"
            )
        if not user.is_active:
            raise CommandError(
                f"利用者「{username}」は無効です / the user '{username}' is inactive"
            )
        _, token = ApiToken.issue(user, name)
        self.stdout.write(
            f"「{username}」のAPIトークン「{name}」を作成しました。このトークンは二度と表示され"
            f"ません。安全な場所に保管してください / created the API token '{name}' of"
            f" '{username}'. It is shown only this once: keep it somewhere safe.\n"
            f"Authorization: Bearer {token}\n{token}"
        )

    def _revoke(self, user: Any, name: str) -> None:
        tokens = ApiToken.objects.filter(user=user, name=name, revoked_at=None)
        if not tokens.exists():
            raise CommandError(
                f"「{user.get_username()}」に有効なトークン「{name}」はありません"
                f" / '{user.get_username()}' has no active token '{name}'"
            )
        for token in tokens:
            token.revoke()
        self.stdout.write(
            f"「{user.get_username()}」のAPIトークン「{name}」を失効しました"
            f" / revoked the API token '{name}' of '{user.get_username()}'"
        )
