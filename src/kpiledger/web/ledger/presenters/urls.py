"""`reverse`, each answer remembered: the public pages name the same few addresses many times
(a KPI page its KPI's address in the breadcrumbs and in each year's link, a field page every
organization's report, each organization on dozens of field pages), and Django's `reverse`
costs tens of microseconds a call.

An address depends on the URL name, the arguments, the active language (the `/en/` prefix),
the script prefix, the URL configuration and the application instance asked for (a
template's `{% url %}` passes the request's namespace): all are in the key, so a remembered
answer is the answer `reverse` gives. Memory is bounded: the table is emptied when full.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf
from django.urls import reverse as django_reverse
from django.utils.translation import get_language

from kpiledger.web.remembered import Remembered

REMEMBERED = 50_000

_known: Remembered[tuple[Any, ...], str] = Remembered(REMEMBERED)


def reverse(
    viewname: str,
    args: Sequence[Any] = (),
    kwargs: dict[str, Any] | None = None,
    current_app: str | None = None,
) -> str:
    """`django.urls.reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)`,
    remembered (see the module docstring). A failure (`NoReverseMatch`) is not remembered."""
    key = (
        viewname,
        tuple(args),
        tuple(sorted(kwargs.items())) if kwargs else (),
        current_app,
        get_language(),
        get_script_prefix(),
        get_urlconf() or settings.ROOT_URLCONF,
    )
    try:
        found = _known.get(key)
    except TypeError:  # an argument that cannot be a key (a list): not remembered
        return str(django_reverse(viewname, args=args, kwargs=kwargs, current_app=current_app))
    if found is None:
        found = str(django_reverse(viewname, args=args, kwargs=kwargs, current_app=current_app))
        _known.keep(key, found)
    return found


def forget() -> None:
    """Empty the table (tests that change the URL configuration in place)."""
    _known.clear()
