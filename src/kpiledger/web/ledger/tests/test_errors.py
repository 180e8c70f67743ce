"""Error pages are the site's own, bilingual, with a way back; odd query values are 404s."""

import pytest
from django.test import Client

from kpiledger.web.ledger.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    ["/org/999999/2023/", "/org/012068/1999/", "/org/012068/kpi/99999/",
     "/org/012068/kpi/1/?year=abc", "/org/012068/kpi/1/?year=²", "/nothing-here/"],
)  # fmt: skip
def test_not_found_pages(client, url):
    f.import_reference()
    response = client.get(url)
    assert response.status_code == 404
    body = response.content.decode()
    assert "ページが見つかりません" in body and 'href="/"' in body
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Page not found" in english


def test_server_error_page_is_bilingual_and_self_contained(monkeypatch):
    from kpiledger.web.ledger import presenters

    def broken(*args):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setattr(presenters, "home_rows", broken)
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "エラーが発生しました" in body and "Server error" in body and "http" not in body
