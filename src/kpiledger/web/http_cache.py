"""HTTP caching of public pages: the language from the address alone, and validators.

- `LanguageByAddress`: the language is part of a page's address (Japanese without a prefix,
  English under `/en/`, see web/urls.py), so a page depends neither on the visitor's cookies nor
  on `Accept-Language`; Django's LocaleMiddleware would still add `Vary: Accept-Language`.
- `PublicCacheHeaders`: a public page answered to a visitor who is not signed in (no session
  cookie) carries `ETag` (a hash of the body), `Last-Modified` (when the ledger last changed),
  `Cache-Control: public, max-age=KPILEDGER_PAGE_MAX_AGE` and no `Vary: Cookie` (Django's
  session middleware adds it when a template asks whether the visitor is signed in: for a
  visitor without a session the answer is always no). A conditional request whose validators
  match is answered `304 Not Modified`. Responses to signed-in users are `private, no-cache`
  and keep `Vary: Cookie`; staff pages, the admin, the API (which answers conditional requests
  itself, web/api/caching.py) and anything that sets a cookie are left alone.

A shared cache in front of the app (nginx, a CDN) may therefore keep public pages for everyone;
it must pass requests carrying the session cookie through (docs/deployment.md). The ledger
version changes with every write, so the app's own page cache (web/page_cache.py) never serves
a page older than the data; a proxy revalidates after max-age with the ETag.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag

DEFAULT_PAGE_MAX_AGE = 60
NOT_PUBLIC = ("/admin/", "/staff/", "/api/", "/i18n/", "/static/")


class LanguageByAddress(LocaleMiddleware):
    """Django's LocaleMiddleware without `Vary: Accept-Language` (see the module docstring).

    The language a request activated is put back afterwards, so it does not outlive the request
    in the thread (a test's `reverse()` after an English page, a worker's next job).
    """

    def process_request(self, request: HttpRequest) -> None:
        request._language_before = translation.get_language()  # type: ignore[attr-defined]
        super().process_request(request)

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        response.headers.setdefault("Content-Language", translation.get_language())
        before = getattr(request, "_language_before", None)
        if before:
            translation.activate(before)
        else:
            translation.deactivate()
        return response


def unprefixed(path: str) -> str:
    """The path without its language prefix: `/en/staff/` → `/staff/`."""
    for code, _ in settings.LANGUAGES:
        prefix = f"/{code}/"
        if path.startswith(prefix):
            return path[len(prefix) - 1 :]
    return path


def is_public_path(path: str) -> bool:
    return not unprefixed(path).startswith(NOT_PUBLIC)


def page_max_age() -> int:
    return int(getattr(settings, "KPILEDGER_PAGE_MAX_AGE", DEFAULT_PAGE_MAX_AGE))


class PublicCacheHeaders:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.method not in ("GET", "HEAD") or not is_public_path(request.path_info):
            return response
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            patch_cache_control(response, private=True, no_cache=True)
            return response
        if response.status_code != 200 or response.cookies or response.streaming:
            return response
        _drop_vary_cookie(response)
        digest = hashlib.sha256(response.content).hexdigest()[:32]  # type: ignore[attr-defined]
        etag = str(quote_etag(digest))
        response["ETag"] = etag
        changed = _last_change()
        if changed is not None:
            response["Last-Modified"] = http_date(changed)
        patch_cache_control(response, public=True, max_age=page_max_age())
        return get_conditional_response(
            request, etag=etag, last_modified=changed, response=response
        )


def _drop_vary_cookie(response: HttpResponseBase) -> None:
    if not response.has_header("Vary"):
        return
    kept = [v.strip() for v in response["Vary"].split(",") if v.strip().lower() != "cookie"]
    if kept:
        response["Vary"] = ", ".join(kept)
    else:
        del response["Vary"]


def _last_change() -> int | None:
    """When the ledger last changed, in seconds since the epoch (one query)."""
    from kpiledger.web.ledger.services.state import ledger_state

    changed = ledger_state()[1]
    return None if changed is None else int(changed.timestamp())
