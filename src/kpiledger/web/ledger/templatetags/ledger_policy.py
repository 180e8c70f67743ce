"""Template helpers of the staff header: what the signed-in user may do (policy.py)."""

from __future__ import annotations

from typing import Any

from django import template

from kpiledger.web.ledger import policy
from kpiledger.web.ledger.policy import Action

register = template.Library()


@register.filter
def may(user: Any, action: str) -> bool:
    """`{% if request.user|may:"import_prepare" %}`: may the user do the action in any
    organization? (Superusers always: they may also import a new organization.)"""
    if getattr(user, "is_superuser", False) and getattr(user, "is_active", False):
        return True
    return policy.organizations_for(user, Action(action)).exists()
