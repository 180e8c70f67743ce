"""HTTP caching of the API's answers: ETag, Last-Modified, Cache-Control, 304.

- `ETag` is a hash of the ledger version (`LedgerVersion`, raised in the same transaction as
  every change to the ledger), the request's path and query, the API and kpiledger versions and
  the 概ね達成 threshold: everything an answer depends on. The same ETag means the same body.
- `Last-Modified` is when the ledger last changed: the newest history row of the published
  tables (django-simple-history keeps one for every write, bulk imports included) or the
  newest applied import.
- Both come from one query; a request whose `If-None-Match` matches is answered `304` before
  the report is loaded. `If-Modified-Since` is honoured too (after the answer is known to be
  a 200, so a 404 never turns into a 304).
- `Cache-Control: public, max-age=KPILEDGER_API_MAX_AGE` (default 300 s): the API shows only
  published data and reads neither session nor cookie, so a shared cache may keep an answer
  for everyone; after max-age a client revalidates with the ETag.

The API is left out of the public page cache (web/http_cache.py `NOT_PUBLIC`): it
answers `If-None-Match` and `If-Modified-Since` itself with one query, and its many query-string
variants (filters, pages) would crowd the public pages out of that cache's bounded entries.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotModified
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_etags, quote_etag

from kpiledger import __version__
from kpiledger.web.ledger.services.state import ledger_state

API_VERSION = "1"
DEFAULT_MAX_AGE = 300
View = Callable[..., HttpResponseBase]


def etag_for(request: HttpRequest, version: int) -> str:
    parts = (
        API_VERSION,
        __version__,
        str(settings.KPILEDGER_NEARLY),
        str(version),
        request.path,
        request.META.get("QUERY_STRING", ""),
    )
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]
    return str(quote_etag(digest))


def max_age() -> int:
    return int(getattr(settings, "KPILEDGER_API_MAX_AGE", DEFAULT_MAX_AGE))


def _headers(response: HttpResponseBase, etag: str, changed: datetime | None) -> None:
    response["ETag"] = etag
    if changed is not None:
        response["Last-Modified"] = http_date(changed.timestamp())
    response["Cache-Control"] = f"public, max-age={max_age()}"


def http_cached(run: View) -> View:
    """Wrap an API operation: ETag, Last-Modified and Cache-Control on a 200, and 304 when
    the client's copy is current (see the module docstring)."""

    @wraps(run)
    def cached(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        version, changed = ledger_state()
        etag = etag_for(request, version)
        if etag in parse_etags(request.META.get("HTTP_IF_NONE_MATCH", "")):
            not_modified = HttpResponseNotModified()
            _headers(not_modified, etag, changed)
            return not_modified
        response = run(request, *args, **kwargs)
        if response.status_code != 200:
            return response
        _headers(response, etag, changed)
        stamp = None if changed is None else int(changed.timestamp())
        conditional = get_conditional_response(
            request, etag=etag, last_modified=stamp, response=response
        )
        if isinstance(conditional, HttpResponse) and conditional.status_code == 304:
            _headers(conditional, etag, changed)
        return conditional

    return cached
