"""The pages above one organization (`kinds.KINDS`): rendered by calling each page's view
directly with a plain GET request of an anonymous reader (no middleware, no HTTP), starting
from the entry kinds and following each page's links to the addresses of any kind.

These pages are few (the home page, the national and prefecture lists, the fields), so each is
made by its own view, exactly as the server makes it.
"""

from __future__ import annotations

import html
import io
import re
from collections import deque
from urllib.parse import parse_qsl, urlencode

from django.contrib.auth.models import AnonymousUser
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import translation

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


def render_view(path: str, query: str, language: str) -> HttpResponse | None:
    """The view's answer for `path?query` in `language`; None when it is not a page (no such
    address, or an answer other than 200)."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    request = request_for(path, query, language)
    request.resolver_match = match
    response = match.func(request, *match.args, **match.kwargs)
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    if response.status_code != 200 or getattr(response, "streaming", False):
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
    for language in site.languages:
        written += _crawl(site, language)
    return written


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
            content = response.content
            if response["Content-Type"].startswith("text/html"):
                text = content.decode("utf-8")
                site.page(text, site.locator.site_file(address))
                for link in _links(text, prefix):
                    if link not in seen:
                        seen.add(link)
                        queue.append(link)
            else:
                site.write(site.locator.site_file(address), content)
            written.append(address)
    return written


def _links(text: str, prefix: str) -> list[str]:
    """The page's links to pages of a kind, as the addresses the site renders (only the kept
    parameters), in order of appearance."""
    out = []
    for match in _HREF.finditer(text):
        split = _split(match[1], prefix)
        if split is None:
            continue
        path, query = split
        kind: Kind | None = kind_of(path)
        if kind is None:
            continue
        kept = kept_query(kind, query)
        out.append(prefix + path + (f"?{urlencode(kept)}" if kept else ""))
    return out
