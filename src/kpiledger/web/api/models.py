"""Per-user API tokens for the write API (issue 10, item 10).

Only the SHA-256 hash of a token is stored: the token itself is shown once, when it is created
(`kpiledger manage api_token <username>`), and cannot be read back. A token acts as its user:
every write through the API asks policy.py exactly as the staff forms do.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "kpl_"


def hash_token(token: str) -> str:
    """The SHA-256 hash (hex) of a token, as stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A new random token (256 bits), recognisable by its prefix."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class ApiToken(models.Model):
    """A user's token for the write API: a label, the hash, when it was created and last used,
    and when it was revoked (a revoked token authenticates no one)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("利用者"),
    )
    name = models.CharField(_("名前"), max_length=100)
    token_hash = models.CharField(_("トークンのハッシュ（SHA-256）"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最終使用日時"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("失効日時"), null=True, blank=True)

    class Meta:
        ordering = ["user", "name", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=Q(revoked_at__isnull=True),
                name="unique_active_api_token_name",
            )
        ]
        verbose_name = verbose_name_plural = _("APIトークン")

    def __str__(self) -> str:
        return f"{self.user}: {self.name}"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @classmethod
    def issue(cls, user: object, name: str) -> tuple[ApiToken, str]:
        """Create a token for `user`: the row (hash only) and the token, to be shown once."""
        token = new_token()
        row = cls.objects.create(user=user, name=name, token_hash=hash_token(token))
        return row, token

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])
