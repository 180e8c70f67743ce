"""Bearer-token authentication of the write API (`Authorization: Bearer <token>`).

A token authenticates its user when its SHA-256 hash matches a stored, unrevoked `ApiToken`
of an active user (the hashes are compared in constant time). Only the header counts: a
session cookie authenticates nobody here, so a browser signed in to the staff pages cannot
write through the API, and cross-site request forgery has nothing to ride on.
"""

from __future__ import annotations

import hmac
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from kpiledger.web.api.models import ApiToken, hash_token

MAX_TOKEN = 200


class BearerToken(HttpBearer):
    """The user of a valid token (ninja sets it as `request.auth`), or None (a 401)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        token = token.strip()
        if not token or len(token) > MAX_TOKEN:
            return None
        digest = hash_token(token)
        row = (
            ApiToken.objects.select_related("user")
            .filter(token_hash=digest, revoked_at=None)
            .first()
        )
        if row is None or not hmac.compare_digest(row.token_hash, digest):
            return None
        if not row.user.is_active:
            return None
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        request.api_token = row
        return row.user


bearer = BearerToken()
