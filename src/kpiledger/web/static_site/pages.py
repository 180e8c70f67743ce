"""Writing the site's files: pages rendered from the app's templates (the context the views
give), their links made relative, and the language switch of each page.

A `SiteWriter` belongs to one process: it writes into the folder being built, makes each
folder once, and counts pages, files and bytes.

Making a file or a folder is much of the cost of writing a site (a new inode: on the ext4
disk of a small virtual machine, 20 to 300 microseconds of system time each, the more the
busier the disk), and many small files of a site are the same bytes: a KPI's address leads on
to its latest year by a page that differs only by that year and the language. Such a file
(`SHARED_BYTES` or less) is written once and every other name with the same bytes is a hard
link to it (a few microseconds): the same names and bytes, one inode. A name is never written
into an existing file (it is replaced), so no shared file is ever changed through another.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template import Context
from django.utils import translation

from kpiledger.web.static_site.links import Locator, relative_to, relocate, without_forms
from kpiledger.web.static_site.templates import Compiled

WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
SHARED_BYTES = 2048  # files this small with the same bytes share one inode (hard links)
SHARED_FILES = 10_000  # at most this many distinct contents remembered
SHARED_LINKS = 60_000  # links to one file at most (ext4 allows 65,000)

#: A page that leads on to another, as the server's redirects do (the organization's address
#: to its latest report, a KPI's to its latest year): a link for every reader, a refresh for
#: browsers; no script.
REDIRECT = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="0; url={href}">
<title>移動しました / Moved</title>
<link rel="canonical" href="{href}">
</head>
<body>
<p><a href="{href}">このページは移動しました。こちらをご覧ください。
/ This page has moved: follow this link.</a></p>
</body>
</html>
"""


@dataclass
class Counts:
    """What a process wrote."""

    pages: int = 0
    files: int = 0
    bytes: int = 0
    kpis: int = 0
    reports: int = 0

    def add(self, other: Counts) -> None:
        for name in ("pages", "files", "bytes", "kpis", "reports"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class SiteWriter:
    root: Path
    locator: Locator
    languages: tuple[str, ...]  # the languages published, the default first
    counts: Counts = field(default_factory=Counts)
    _folders: set[str] = field(default_factory=set)
    _compiled: dict[str, Compiled] = field(default_factory=dict)
    _shared: dict[bytes, list[Any]] = field(default_factory=dict)  # bytes → [path, links]
    _sources: dict[str, bytes] = field(default_factory=dict)  # path → its bytes, in _shared
    _linking: bool = True  # False once the file system refused a hard link

    def write(self, name: str, data: bytes) -> None:
        """Write the site file `name` (`org/012068/2023/index.html`). Few system calls: a
        site has a folder per page, and creating files and folders is most of the writing;
        a small file whose bytes were written before is a link to that file (see above)."""
        folder = name.rpartition("/")[0]
        if folder not in self._folders:
            self._make_folder(folder)
        path = f"{self.root}/{name}"
        if path in self._sources:  # written again: no longer the file others link to
            self._shared.pop(self._sources.pop(path), None)
        small = len(data) <= SHARED_BYTES and self._linking
        if not small or not self._link(data, path):
            _create(path, data)
            if small and self._linking and len(self._shared) < SHARED_FILES:
                self._shared[data] = [path, 1]
                self._sources[path] = data
        self.counts.files += 1
        self.counts.bytes += len(data)

    def _link(self, data: bytes, path: str) -> bool:
        """Make `path` a hard link to the file written before with `data`, if any (and the
        file system allows it); whether it did."""
        shared = self._shared.get(data)
        if shared is None or shared[1] >= SHARED_LINKS:
            return False
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)  # never write through a name into a file that may be shared
        try:
            os.link(shared[0], path)
        except OSError as error:  # the file is gone, or no hard links here: write it
            self._sources.pop(self._shared.pop(data)[0], None)
            self._linking = isinstance(error, FileNotFoundError)
            return False
        shared[1] += 1
        return True

    def _make_folder(self, folder: str) -> None:
        """Make `folder` (relative to the root) and those above it not made yet."""
        if not folder:
            return
        parent = folder.rpartition("/")[0]
        if parent not in self._folders:
            self._make_folder(parent)
        with contextlib.suppress(FileExistsError):
            os.mkdir(f"{self.root}/{folder}")
        self._folders.add(folder)

    def page(self, html: str, name: str) -> None:
        """Write a rendered page (absolute links) as the site file `name`, without forms."""
        self.write(name, relocate(without_forms(html), name, self.locator).encode("utf-8"))
        self.counts.pages += 1

    def render(self, template: str, context: dict[str, Any], address: str) -> None:
        """Render `template` as the page at `address` (the app's absolute address in the active
        language) into its site file."""
        language = translation.get_language() or settings.LANGUAGE_CODE
        context["language_links"] = self.language_links(address)
        html = self.compiled(language).get(template).render(Context(context, autoescape=True))
        self.page(html, self.locator.site_file(address))

    def compiled(self, language: str) -> Compiled:
        """The templates folded for `language` (`templates.Compiled`), made once."""
        found = self._compiled.get(language)
        if found is None:
            found = self._compiled[language] = Compiled(language)
        return found

    def redirect(self, address: str, to: str, language: str) -> None:
        """A page at `address` that leads to `to` (both the app's absolute addresses)."""
        name = self.locator.site_file(address)
        href = relative_to(name)(self.locator.site_file(to))
        self.write(name, REDIRECT.format(lang=language, href=href).encode("utf-8"))
        self.counts.pages += 1

    def language_links(self, address: str) -> list[dict[str, object]]:
        """The language switch of the page at `address`: its address in each published
        language (as `web/languages.py` gives it on the server)."""
        default = settings.LANGUAGE_CODE
        names = dict(settings.LANGUAGES)
        base = address
        for code in self.languages:
            if code != default and address.startswith(f"/{code}/"):
                base = address[len(code) + 1 :]
        current = next((c for c in self.languages if address.startswith(f"/{c}/")), default)
        return [
            {
                "code": code,
                "name": names[code],
                "url": base if code == default else f"/{code}{base}",
                "current": code == current,
            }
            for code in self.languages
        ]


def _create(path: str, data: bytes) -> None:
    """Write `data` as the new file `path` (a file there before is replaced, not written
    into: it may be a link to a shared file)."""
    try:
        out = os.open(path, WRITE_FLAGS, 0o666)
    except FileExistsError:
        os.unlink(path)
        out = os.open(path, WRITE_FLAGS, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(out, view) :]
    finally:
        os.close(out)
