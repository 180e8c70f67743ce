"""Fixtures for the browser tests: one Chromium per session, the reference report served by
pytest-django's live server, and pages that may not reach any other host nor break the
Content-Security-Policy (every violation the browser reports fails the test).

Playwright's sync API runs an event loop in this thread, which makes Django refuse ORM calls
here ("SynchronousOnlyOperation"); the tests only touch the database outside page actions, so
the check is switched off for this directory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest

from . import block_external, launch

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

LOCALES = {"ja": "ja-JP", "en": "en-US"}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@dataclass
class Ledger:
    """The reference report in the live server's database, and URLs into it.

    The language is part of a page's address (web/urls.py): Japanese without a prefix, English
    under `/en/`; every URL is the Japanese one unless `language` says otherwise."""

    base: str
    code: str
    year: int
    kpi_ids: dict[str, int]

    def address(
        self, view: str, *args: object, language: str = "ja", query: dict | None = None
    ) -> str:
        """The full URL of any named view (`admin:login`) in `language`."""
        from django.urls import reverse
        from django.utils import translation

        with translation.override(language):
            path = reverse(view, args=args)
        return self.base + path + (f"?{urlencode(query)}" if query else "")

    def url(self, name: str, *args: object, language: str = "ja", query: dict | None = None) -> str:
        return self.address(f"ledger:{name}", *args, language=language, query=query)

    def report(self, language: str = "ja") -> str:
        return self.url("report", self.code, self.year, language=language)

    def dashboard(self, language: str = "ja") -> str:
        return self.url("dashboard", self.code, self.year, language=language)

    def kpi(self, indicator: str, language: str = "ja") -> str:
        return self.url("kpi", self.code, self.kpi_ids[indicator], language=language)

    def home(self, language: str = "ja") -> str:
        return self.url("home", language=language)


@pytest.fixture
def ledger(live_server: Any) -> Ledger:
    """The reference report (釧路市, FY2023) imported through the importing service."""
    from kpiledger.web.ledger import models as m
    from kpiledger.web.ledger.tests.factories import import_reference

    import_reference()
    ids = dict(m.Kpi.objects.values_list("indicator", "id"))
    return Ledger(live_server.url, "012068", 2023, ids)


@dataclass
class Tab:
    """A page and what it did on the network: blocked external requests, failed local ones,
    script errors, and what the Content-Security-Policy refused."""

    page: Any
    external: list[str]
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    csp: list[str] = field(default_factory=list)

    def settle(self) -> None:
        """Let the page deliver pending events (CSP violations are reported asynchronously)."""
        self.page.evaluate(
            "() => new Promise(done => requestAnimationFrame(() => setTimeout(done)))"
        )

    def open(self, url: str) -> Any:
        response = self.page.goto(url, wait_until="load")
        assert response is not None and response.ok, f"{url}: HTTP {response and response.status}"
        return response


@pytest.fixture
def open_tab(browser: Any) -> Iterator[Any]:
    """`open_tab(language="ja", **context_options)` → a Tab in a fresh browser context."""
    contexts, tabs = [], []

    def make(language: str = "ja", **options: Any) -> Tab:
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(locale=LOCALES[language], **options)
        contexts.append(context)
        violations: list[str] = []
        watch_csp(context, violations)
        tab = Tab(context.new_page(), block_external(context), csp=violations)
        tab.page.set_default_timeout(10_000)
        tab.page.on("request", lambda request: tab.requests.append(request.url))
        tab.page.on("pageerror", lambda error: tab.errors.append(str(error)))
        tab.page.on("console", lambda message: _record_console_error(tab, message))
        tab.page.on("response", lambda r: _record_failure(tab, r))
        tabs.append(tab)
        return tab

    yield make
    for context in contexts:
        context.close()
    for tab in tabs:
        assert tab.external == [], f"requests to other hosts were attempted: {tab.external}"
        assert tab.csp == [], f"the Content-Security-Policy refused: {tab.csp}"


def _record_failure(tab: Tab, response: Any) -> None:
    """Every failed response, the browser's own /favicon.ico request included (the site has
    an icon, and /favicon.ico leads to it)."""
    if response.status >= 400:
        tab.failed.append(f"{response.status} {response.url}")


# Runs in every document before its own scripts (a DevTools injection, not subject to the CSP).
CSP_LISTENER = """document.addEventListener('securitypolicyviolation', (e) => {
  const where = `${e.sourceFile || e.documentURI}:${e.lineNumber}`;
  window.__reportCspViolation(
    `${e.effectiveDirective} refused ${e.blockedURI || 'inline'} in ${where} ${e.sample}`.trim());
});"""


def watch_csp(context: Any, violations: list[str]) -> None:
    """Append every `securitypolicyviolation` event of the context's pages to `violations`."""
    context.expose_binding("__reportCspViolation", lambda source, text: violations.append(text))
    context.add_init_script(CSP_LISTENER)


def _record_console_error(tab: Tab, message: Any) -> None:
    where = (message.location or {}).get("url", "")
    if "Content Security Policy" in message.text:
        tab.csp.append(f"console: {message.text} ({where})")
    if message.type == "error":
        tab.errors.append(f"{message.text} ({where})")
