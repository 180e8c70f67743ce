"""From the app's addresses to the static site's files, and every link of a page made relative.

Templates and presenters write absolute addresses (`{% url %}`, `{% static %}`, `reverse`):
`/org/012068/2023/`, `/en/org/012068/kpi/7/?year=2023`, `/static/ledger/css/ledger.css`,
`/org/012068/2023/download/csv`, `/api/v1/organizations/012068/years/2023/kpis`. `site_file`
names the file of the site that holds each one (`org/012068/2023/index.html`,
`en/org/012068/kpi/7/2023/index.html`, …); `relocate` rewrites every `href`, `src` and
`action` of a page into a path relative to the page's own file. Links to other sites and to a
fragment of the same page are left as they are.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from kpiledger.io.writers.formats import FORMATS
from kpiledger.io.writers.opendata import Publisher
from kpiledger.web.static_site.kinds import kind_of, variant_file

INDEX = "index.html"
STATIC_PREFIX = "/static/"
API_PREFIX = "/api/v1/"

_KPI = re.compile(r"org/(?P<code>\d{6})/kpi/(?P<id>\d+)/")
_DOWNLOAD = re.compile(r"org/(?P<code>\d{6})/(?P<year>\d+)/download/(?P<fmt>[\w-]+)")
_ADDRESS = re.compile(r'="(/[^"]*)"')  # an absolute address as an attribute's value
LINK_ATTRIBUTES = ("href", "src", "action")


def download_file(code: str, year: int, fmt: str) -> str:
    """The site file of a report's download (`org/012068/2023/kpi_012068_2023_long.csv`)."""
    name = FORMATS[fmt].ascii_file_name(Publisher(code, ""), year)
    return f"org/{code}/{year}/{name}"


def kpi_file(code: str, kpi_id: int, year: int | None, language: str = "") -> str:
    """A KPI page as a year's report published it; without a year, the page that leads to the
    latest one."""
    middle = f"{year}/" if year is not None else ""
    return f"{language}org/{code}/kpi/{kpi_id}/{middle}{INDEX}"


def _query(text: str) -> dict[str, str]:
    return dict(parse_qsl(html.unescape(text)))


def _page_file(path: str, query: str) -> str:
    """`org/012068/2023/` → `org/012068/2023/index.html`; a KPI with `?year=` → its year's
    page; any other query is dropped: the site has the page as first shown (the pages above
    one organization keep the parameters `kinds.KINDS` names)."""
    kpi = _KPI.fullmatch(path)
    if kpi is not None:
        year = _query(query).get("year", "")
        if year.isdigit():
            return f"{path}{year}/{INDEX}"
    return f"{path}{INDEX}"


class Locator:
    """Maps the app's absolute addresses to site files (`languages`: the URL prefixes of the
    languages other than the default, e.g. `("en",)`; `dropped`: query parameters that make no
    page of their own in this site, see `kinds.kept_query`)."""

    def __init__(
        self, languages: tuple[str, ...] = ("en",), dropped: frozenset[str] = frozenset()
    ) -> None:
        self.prefixes = tuple(f"{code}/" for code in languages)
        self.dropped = dropped
        self._cache: dict[str, str] = {}

    def site_file(self, url: str) -> str:
        """The file of the site that an absolute address of the app (`/…`) stands for, with
        its `#fragment` kept."""
        found = self._cache.get(url)
        if found is None:
            found = self._cache[url] = self._site_file(url)
        return found

    def _site_file(self, url: str) -> str:
        address, _, fragment = url.partition("#")
        path, _, query = address.partition("?")
        target = self._target(path.lstrip("/"), path, query)
        return f"{target}#{fragment}" if fragment else target

    def _target(self, relative: str, path: str, query: str) -> str:
        if path.startswith(STATIC_PREFIX):
            return relative
        if path.startswith(API_PREFIX):
            return relative.rstrip("/") + ".json"
        language = next((p for p in self.prefixes if relative.startswith(p)), "")
        rest = relative[len(language) :]
        download = _DOWNLOAD.fullmatch(rest)
        if download is not None:
            return download_file(download["code"], int(download["year"]), download["fmt"])
        kind = kind_of(rest)
        if kind is not None:
            return language + variant_file(kind, rest, _query(query), self.dropped)
        if not rest or rest.endswith("/"):
            return language + _page_file(rest, query)
        return relative


def relative_to(page: str) -> Callable[[str], str]:
    """A function giving a site file's path relative to the site file `page`."""
    folder = page.rpartition("/")[0]
    folder = f"{folder}/" if folder else ""
    up = "../" * folder.count("/")

    def relative(target: str) -> str:
        if folder and target.startswith(folder):
            return target[len(folder) :] or INDEX
        return up + target

    return relative


_FORM = re.compile(r"[ \t]*<form\b.*?</form>\n?", re.DOTALL)


def without_forms(page_html: str) -> str:
    """The page without its forms: a form asks the server (a search, an organization's place
    on a field page), and a static site has none to answer it."""
    return _FORM.sub("", page_html) if "<form" in page_html else page_html


def relocate(page_html: str, page: str, locator: Locator) -> str:
    """The page's HTML with every absolute link (`href`, `src`, `action`) relative to its file
    `page` (a path in the site, e.g. `org/012068/2023/index.html`).

    The page is searched for `="/` (a literal, which the regular expression engine finds
    quickly), and a match kept where the attribute before it is a link's; a pattern that
    starts with the attribute's name tries every position of the page, several times slower."""
    relative = relative_to(page)
    out = []
    done = 0
    for match in _ADDRESS.finditer(page_html):
        start = match.start()
        if not _link_attribute(page_html, start):
            continue
        target = locator.site_file(html.unescape(match[1]))
        out += (page_html[done : start + 2], html.escape(relative(target), quote=True), '"')
        done = match.end()
    out.append(page_html[done:])
    return "".join(out)


def _link_attribute(text: str, end: int) -> bool:
    """Whether `text` has a link's attribute name (` href`, ` src`, ` action`, after white
    space) just before `end`."""
    for name in LINK_ATTRIBUTES:
        begin = end - len(name)
        if begin > 0 and text.startswith(name, begin) and text[begin - 1].isspace():
            return True
    return False


_ANCHOR = re.compile(r'(<a\b[^>]*?) href="([^"]*)"')


def unlink_missing(root: Path) -> int:
    """Drop the `href` of every link of the site's pages whose file the site lacks (a site of
    one organization has no comparison pages or other organizations): the link's text stays,
    as text. Returns the number of links dropped."""
    dropped = 0
    for page in root.rglob("*.html"):
        text = page.read_text(encoding="utf-8")

        def keep(match: re.Match[str], folder: Path = page.parent) -> str:
            nonlocal dropped
            parts = urlsplit(html.unescape(match[2]))
            if parts.scheme or not parts.path or (folder / unquote(parts.path)).is_file():
                return match[0]
            dropped += 1
            return match[1]

        changed = _ANCHOR.sub(keep, text)
        if changed != text:
            page.unlink()  # a new file: the page may be a link to a file other names share
            page.write_text(changed, encoding="utf-8")
    return dropped
