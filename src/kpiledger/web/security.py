"""The Content-Security-Policy header on every response (Django 5.2 has none built in).

The policy is the `SECURE_CSP` setting, in the form Django 6.0 uses for its own
`django.middleware.csp.ContentSecurityPolicyMiddleware`: a dict from directive to a list of
sources (`True` for a directive without a value). On Django 6 this module can be replaced by
that middleware without touching the setting.

Pages carry no inline script or style, so the policy needs neither `'unsafe-inline'` nor
nonces. The one exception is Django's own debug pages (DEBUG only), which are built with inline
`<style>` and `<script>`: a 404 or 500 response is left without the header when DEBUG is on,
as django-csp does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

HEADER = "Content-Security-Policy"
DEBUG_PAGE_STATUSES = (404, 500)


def policy_header(policy: Mapping[str, Sequence[str] | bool]) -> str:
    """`{"default-src": ["'self'"], "upgrade-insecure-requests": True}` →
    `"default-src 'self'; upgrade-insecure-requests"`; a directive set to `False` or to an
    empty list is left out."""
    parts = []
    for directive, sources in policy.items():
        if sources is True:
            parts.append(directive)
        elif sources:
            parts.append(" ".join([directive, *sources]))
    return "; ".join(parts)


class ContentSecurityPolicyMiddleware:
    """Adds `SECURE_CSP` as the Content-Security-Policy header unless a view set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if HEADER in response:
            return response
        if settings.DEBUG and response.status_code in DEBUG_PAGE_STATUSES:
            return response  # Django's technical 404/500 pages are inline styles and scripts
        header = policy_header(getattr(settings, "SECURE_CSP", {}))
        if header:
            response[HEADER] = header
        return response
