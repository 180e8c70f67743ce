"""Public pages rendered once per ledger version: a small WSGI layer in front of Django.

A citizen's request for a public page (GET, no login session) is answered from memory when the
same page, in the same language, was rendered at the current ledger version (`LedgerVersion`,
raised in the same transaction as every change to the ledger). Everything else — staff pages,
the admin, logged-in users, POSTs, responses that set a cookie, errors — goes to Django
untouched. Each worker process keeps its own bounded cache (least recently used out).

The version is read from the database at most once per `KPILEDGER_VERSION_TTL_MS` (default
250 ms) per process, not on every request (on PostgreSQL a round trip to the server, most of
what a cached page cost). What that allows, and no more:

- a change made **in this process** (a staff page, the admin, the API served by this server) is
  seen by the next request: raising the version sends `version_raised`, at once and again at
  commit, and the number is read afresh; a read that began before the commit is not kept;
- a change made **by another process** (`kpiledger import` on the command line, another
  server process) shows on this process's pages at most `KPILEDGER_VERSION_TTL_MS` after its
  commit (0: read on every request, as before).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from http.cookies import CookieError, SimpleCookie
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils.http import parse_http_date_safe

from kpiledger.web.http_cache import is_public_path

DEFAULT_VERSION_TTL_MS = 250

StartResponse = Callable[..., Any]
Entry = tuple[str, list[tuple[str, str]], bytes]
# Not cached: staff pages, the admin, static files, and the REST API, which answers conditional
# requests itself (ETag and Last-Modified, one query: web/api/caching.py) and whose many
# query-string variants would crowd pages out of the entries (web/http_cache.py NOT_PUBLIC).
MAX_ENTRIES = 512
MAX_BODY = 4 * 1024 * 1024  # a report's PDF or workbook fits
NOT_MODIFIED_HEADERS = {"etag", "cache-control", "expires", "vary", "last-modified"}


class PublicPageCache:
    def __init__(self, application: Callable[..., Iterable[bytes]], max_entries: int = MAX_ENTRIES):
        self.application = application
        self.max_entries = max_entries
        self.entries: OrderedDict[tuple[object, ...], Entry] = OrderedDict()
        self.lock = threading.Lock()
        self.rendering: dict[tuple[object, ...], threading.Lock] = {}
        self.version = VersionClock(version_ttl())

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        key = self._key(environ)
        if key is None:
            return self.application(environ, start_response)
        key = (*key, self.version.current())
        entry = self._get(key)
        if entry is None:
            # One thread renders a page; others asking for it meanwhile (all visitors right
            # after an import moved the version) wait for that page instead of rendering it too.
            with self.lock:
                turn = self.rendering.setdefault(key, threading.Lock())
            with turn:
                entry = self._get(key)
                if entry is None:
                    try:
                        return self._render(key, environ, start_response)
                    finally:
                        with self.lock:
                            self.rendering.pop(key, None)
        status, headers, body = entry
        if _not_modified(headers, environ):
            kept = [(n, v) for n, v in headers if n.lower() in NOT_MODIFIED_HEADERS]
            start_response("304 Not Modified", [*kept, ("X-Kpiledger-Cache", "hit")])
            return [b""]
        start_response(status, [*headers, ("X-Kpiledger-Cache", "hit")])
        return [body]

    def _get(self, key: tuple[object, ...]) -> Entry | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def _render(
        self, key: tuple[object, ...], environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        seen: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen.update(status=status, headers=headers, failed=exc_info is not None)
            return start_response(status, headers, exc_info)

        result = self.application(environ, capture)
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close:
                close()
        if _storable(seen, body):
            self._store(key, (seen["status"], list(seen["headers"]), body))
        return [body]

    def _store(self, key: tuple[object, ...], entry: Entry) -> None:
        with self.lock:
            self.entries[key] = entry
            while len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)

    @staticmethod
    def _key(environ: dict[str, Any]) -> tuple[object, ...] | None:
        """What the page depends on (host, path with its language prefix, query), or None when
        not cacheable: a page's language is part of its address (web/urls.py)."""
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") != "GET" or not is_public_path(path):
            return None
        cookies = _cookies(environ.get("HTTP_COOKIE", ""))
        if cookies is None or settings.SESSION_COOKIE_NAME in cookies:
            return None  # a signed-in user (or a cookie header we do not understand)
        return (environ.get("HTTP_HOST", ""), path, environ.get("QUERY_STRING", ""))


def _not_modified(headers: list[tuple[str, str]], environ: dict[str, Any]) -> bool:
    """Whether the visitor's copy is current: its `If-None-Match` names the page's ETag, or
    (without If-None-Match, as RFC 9110 orders them) `If-Modified-Since` is no older than the
    page's Last-Modified."""
    if "HTTP_IF_NONE_MATCH" not in environ and "HTTP_IF_MODIFIED_SINCE" not in environ:
        return False  # most requests: nothing to compare
    named = {name.lower(): value for name, value in headers}
    if "HTTP_IF_NONE_MATCH" in environ:
        etag = named.get("etag")
        return etag is not None and etag in _tags(environ["HTTP_IF_NONE_MATCH"])
    since = parse_http_date_safe(environ["HTTP_IF_MODIFIED_SINCE"])
    modified = parse_http_date_safe(named.get("last-modified", ""))
    return since is not None and modified is not None and modified <= since


def _tags(header: str) -> set[str]:
    """The entity tags of an If-None-Match header (weak or strong, as RFC 9110 compares)."""
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def _cookies(header: str) -> dict[str, str] | None:
    if not header:
        return {}
    try:
        jar = SimpleCookie(header)
    except CookieError:
        return None
    return {name: morsel.value for name, morsel in jar.items()}


def _storable(seen: dict[str, Any], body: bytes) -> bool:
    """A complete 200 page that sets no cookie."""
    if seen.get("failed") or not str(seen.get("status", "")).startswith("200"):
        return False
    names = {name.lower() for name, _ in seen.get("headers", [])}
    return "set-cookie" not in names and len(body) <= MAX_BODY


def current_version() -> int:
    """The ledger version as the database has it now (one query)."""
    from kpiledger.web.ledger.models import LedgerVersion

    return LedgerVersion.current()


def version_ttl() -> float:
    """Seconds a read ledger version is trusted (`KPILEDGER_VERSION_TTL_MS`, module docstring)."""
    return int(getattr(settings, "KPILEDGER_VERSION_TTL_MS", DEFAULT_VERSION_TTL_MS)) / 1000


class VersionClock:
    """The ledger version, read again once `ttl` seconds have passed since the last read, or
    when this process raised it (`version_raised`; see the module docstring)."""

    def __init__(self, ttl: float) -> None:
        from kpiledger.web.ledger.models import version_raised

        self.ttl = ttl
        self.known: tuple[int, float] | None = None  # (number, monotonic time of its read)
        self.generation = 0  # moved by every `forget`: a read begun before it is not kept
        self.lock = threading.Lock()
        version_raised.connect(self.forget, weak=True)

    def current(self) -> int:
        known = self.known
        started = time.monotonic()
        if known is not None and started - known[1] < self.ttl:
            return known[0]
        generation = self.generation
        try:
            number = current_version()
        except DatabaseError:
            # Outside Django's request signals nothing else would drop a broken connection
            # (the database restarted): the next read opens a new one.
            connection.close_if_unusable_or_obsolete()
            raise
        with self.lock:
            if generation == self.generation:
                self.known = (number, started)
        return number

    def forget(self, **_: object) -> None:
        with self.lock:
            self.generation += 1
            self.known = None
