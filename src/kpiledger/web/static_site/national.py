"""The pages above one organization (`kinds.KINDS`): rendered by calling each page's view
directly with a plain GET request of an anonymous reader (no middleware, no HTTP), starting
from the entry kinds and following each page's links to the addresses of any kind.

These pages are few (the home page, the national and prefecture lists, the fields), so each is
made by its own view, exactly as the server makes it. The ledger does not change while the site
is built, so each field's comparison of a year, and the national and each prefecture's
comparison, is computed once for all its pages and tables (`comparisons_remembered`), not once
per page as a server must; and the views render the
templates folded for the language (`templates.folded`: the same output, a fifth less time).
"""

from __future__ import annotations

import contextlib
import functools
import html
import io
import re
from collections import deque
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.contrib.auth.models import AnonymousUser
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import translation

from kpiledger.core.categories import Field
from kpiledger.web.ledger.services import comparison, nation
from kpiledger.web.static_site import templates
from kpiledger.web.static_site.kinds import KINDS, Kind, kept_query, kind_of
from kpiledger.web.static_site.pages import SiteWriter

_HREF = re.compile(r'\shref="(/[^"#]*)')


def request_for(path: str, query: str, language: str) -> WSGIRequest:
    """A GET request of an anonymous reader for `path?query`."""
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "HTTP_HOST": "localhost",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
    }
    request = WSGIRequest(environ)
    request.user = AnonymousUser()
    request.LANGUAGE_CODE = language
    return request


#: The answers written as they are: a page, and the page a reader meets where a link of the
#: server's pages leads to no data (a field without judgements in a year: 404 with links on).
WRITTEN_STATUS = (200, 404)
REDIRECT_STATUS = (301, 302, 303, 307, 308)


def render_view(path: str, query: str, language: str) -> HttpResponse | None:
    """The view's answer for `path?query` in `language`; None when it is no page of the site
    (no such address, a streamed answer, or a status other than a page, a 404 page or a
    redirect)."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    request = request_for(path, query, language)
    request.resolver_match = match
    response = match.func(request, *match.args, **match.kwargs)
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    if getattr(response, "streaming", False):
        return None
    if response.status_code not in WRITTEN_STATUS + REDIRECT_STATUS:
        return None
    return response  # type: ignore[no-any-return]


def entries(language: str) -> list[str]:
    """The addresses the site starts from: each entry kind that the app has."""
    found = []
    with translation.override(language):
        for kind in KINDS:
            if kind.entry:
                try:
                    found.append(reverse(kind.url_name))
                except NoReverseMatch:
                    continue
    return found


def _split(address: str, prefix: str) -> tuple[str, dict[str, str]] | None:
    """(path after the language prefix, query) of a link of a page in this language."""
    path, _, query = html.unescape(address).partition("?")
    if not path.startswith(prefix):
        return None
    return path[len(prefix) :], dict(parse_qsl(query))


def publish(site: SiteWriter) -> list[str]:
    """Render every page of the kinds reachable from the entries, in each language; returns
    the addresses written."""
    written = []
    with comparisons_remembered(), templates.folded(site.compiled):
        for language in site.languages:
            written += _crawl(site, language)
    return written


@contextlib.contextmanager
def comparisons_remembered() -> Iterator[None]:
    """Within the block, `comparison.compare_field`, `comparison.judged_years` and
    `nation.compare` compute each answer once (a field's pages, one per page number, and its
    tables share one comparison; so do the 36 pages of the national list, in each language).
    For a ledger that does not change meanwhile; the answers are not changed by their users
    (the presenters build their rows anew)."""
    real_compare, real_years = comparison.compare_field, comparison.judged_years
    real_nation = nation.compare
    compared: dict[tuple[Any, ...], comparison.FieldComparison] = {}
    judged: dict[Field | None, list[int]] = {}
    nations: dict[tuple[Any, ...], nation.Comparison] = {}

    def compare_field(
        field_: Field, year: int, nearly: Decimal, years: list[int]
    ) -> comparison.FieldComparison:
        key = (field_, year, nearly, tuple(years))
        if key not in compared:
            compared[key] = real_compare(field_, year, nearly, years)
        return compared[key]

    def judged_years(field_: Field | None = None) -> list[int]:
        if field_ not in judged:
            judged[field_] = real_years(field_)
        return list(judged[field_])  # a copy for each caller

    def compare_nation(
        organizations: Any = None,
        year: int | None = None,
        *,
        reporting_only: bool = True,
        years: list[int] | None = None,
    ) -> nation.Comparison:
        scope = None if organizations is None else str(organizations.query)  # its SQL
        key = (scope, year, reporting_only, None if years is None else tuple(years))
        if key not in nations:
            nations[key] = real_nation(
                organizations, year, reporting_only=reporting_only, years=years
            )
        return nations[key]

    comparison.compare_field, comparison.judged_years = compare_field, judged_years  # type: ignore[assignment]
    nation.compare = compare_nation  # type: ignore[assignment]
    try:
        yield
    finally:
        comparison.compare_field, comparison.judged_years = real_compare, real_years
        nation.compare = real_nation  # type: ignore[assignment]


def _crawl(site: SiteWriter, language: str) -> list[str]:
    prefix = "/" if language == site.languages[0] else f"/{language}/"
    queue = deque(entries(language))
    seen, written = set(queue), []
    with translation.override(language):
        while queue:
            address = queue.popleft()
            path, _, query = address.partition("?")
            response = render_view(path, query, language)
            if response is None:
                continue
            found = _write(site, address, response, language)
            for link in _links(found, prefix, site.locator.dropped):
                if link not in seen:
                    seen.add(link)
                    queue.append(link)
            written.append(address)
    return written


def _write(site: SiteWriter, address: str, response: HttpResponse, language: str) -> str:
    """Write the answer as the address's site file; returns the HTML whose links lead on (a
    redirect's page: its one link)."""
    if response.status_code in REDIRECT_STATUS:
        location = response["Location"]  # the app's own address (`/pref/01/`)
        site.redirect(address, location, language)
        return f' href="{html.escape(location)}"'
    if not response["Content-Type"].startswith("text/html"):
        site.write(site.locator.site_file(address), response.content)
        return ""
    text = response.content.decode("utf-8")
    site.page(text, site.locator.site_file(address))
    return text


def _links(text: str, prefix: str, dropped: frozenset[str]) -> list[str]:
    """The page's links to pages of a kind, as the addresses the site renders (only the kept
    parameters), in order of appearance."""
    out = []
    for match in _HREF.finditer(text):
        address = _address_of(match[1], prefix, dropped)
        if address is not None:
            out.append(address)
    return out


@functools.lru_cache(maxsize=100_000)
def _address_of(link: str, prefix: str, dropped: frozenset[str]) -> str | None:
    """The address the site renders for a link (`_links`), None for a link to no page of a
    kind. Remembered: the pages above one organization link to the same pages many times."""
    split = _split(link, prefix)
    if split is None:
        return None
    path, query = split
    kind: Kind | None = kind_of(path)
    if kind is None:
        return None
    kept = kept_query(kind, query, dropped)
    return prefix + path + (f"?{urlencode(kept)}" if kept else "")
