"""Template helpers of the public pages: status badges and counts by status."""

from __future__ import annotations

from django import template

from kpiledger.web.ledger import presenters

register = template.Library()


@register.inclusion_tag("ledger/_badge.html")
def status_badge(badge: presenters.Badge) -> dict[str, object]:
    """A status as icon + text (colour is only a third cue)."""
    return {"badge": badge}


@register.filter
def get_count(counts: dict[str, int], key: str) -> int:
    """counts[key], 0 when absent (status counts by status key)."""
    return counts.get(key, 0)
