"""The REST API's docs page (/api/v1/docs) in Debian's Chromium: Swagger UI draws every
operation from the local OpenAPI document, with no request to another host, no
Content-Security-Policy violation and no script error (the `open_tab` fixture fails the test on
any of them)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_docs_page_works_offline_under_the_policy(live_server: Any, open_tab: Any) -> None:
    tab = open_tab("ja")
    response = tab.page.goto(f"{live_server.url}/api/v1/docs", wait_until="load")
    assert response is not None and response.ok
    tab.page.wait_for_function(
        "() => document.querySelectorAll('.opblock-summary-path').length >= 8"
    )
    paths = tab.page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/kpis/{number}" in path.replace("\u200b", "") for path in paths), paths
    assert "KPI実績台帳" in tab.page.locator(".title").first.inner_text()
    tab.page.evaluate(
        "() => new Promise(done => requestAnimationFrame(() => setTimeout(done, 50)))"
    )
    assert tab.errors == [], tab.errors
