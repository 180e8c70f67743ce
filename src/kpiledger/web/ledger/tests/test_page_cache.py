"""The public page cache (web/page_cache.py): a page is rendered once per ledger version and
language, never served after the ledger changed, and never for a signed-in user."""

from __future__ import annotations

import io
from decimal import Decimal
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.wsgi import get_wsgi_application

from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.tests import factories as f
from kpiledger.web.page_cache import PublicPageCache

pytestmark = pytest.mark.django_db
REPORT = "/org/012068/2023/"


@pytest.fixture
def app():
    return PublicPageCache(get_wsgi_application())


def get(app, path: str = REPORT, **environ: str) -> tuple[str, dict[str, str], str]:
    env = {"PATH_INFO": path, "REQUEST_METHOD": "GET", "HTTP_HOST": "127.0.0.1", **environ}
    setup_testing_defaults(env)
    env["wsgi.input"] = io.BytesIO()
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen.update(status=status, headers=dict(headers))

    body = b"".join(app(env, start_response)).decode("utf-8")
    return seen["status"], seen["headers"], body


def test_a_public_page_is_served_from_memory_until_the_ledger_changes(app):
    f.import_reference()
    observation = f.observation(f.OTOBETSU_USERS, 2023)
    page = f"/org/012068/kpi/{observation.kpi_id}/"
    status, headers, first = get(app, page)
    assert status.startswith("200") and "X-Kpiledger-Cache" not in headers
    status, headers, again = get(app, page)
    assert headers["X-Kpiledger-Cache"] == "hit" and again == first
    assert "35,245" in first and "36,000" not in first
    observation.value = Decimal(36000)
    observation.save()  # an edit in the admin: the version moves in the same transaction
    _, headers, after = get(app, page)
    assert "X-Kpiledger-Cache" not in headers and "36,000" in after


def test_an_import_invalidates_every_page(app, tmp_path):
    f.import_reference()
    get(app)
    path = tmp_path / "r6.txt"
    path.write_text(f.next_year_text(), encoding="utf-8")
    f.import_file(path)
    _, headers, _ = get(app)
    assert "X-Kpiledger-Cache" not in headers and "R6年度" in get(app, "/org/012068/2024/")[2]


def test_languages_are_kept_apart_by_address(app):
    f.import_reference()
    ja = get(app)[2]
    en = get(app, "/en" + REPORT)[2]
    assert ja != en and 'lang="en"' in en and 'lang="ja"' in ja
    # The address alone says the language: a cookie or Accept-Language changes nothing, so the
    # cached page is the right one for every visitor (and a shared cache may keep it too).
    _, headers, again = get(app, HTTP_COOKIE="django_language=en", HTTP_ACCEPT_LANGUAGE="en")
    assert headers["X-Kpiledger-Cache"] == "hit" and again == ja
    _, headers, again = get(app, "/en" + REPORT, HTTP_ACCEPT_LANGUAGE="ja")
    assert headers["X-Kpiledger-Cache"] == "hit" and again == en


def test_public_pages_are_cacheable_by_shared_caches(app):
    f.import_reference()
    for path in ("/", REPORT, "/en" + REPORT, REPORT + "dashboard/"):
        status, headers, body = get(app, path, HTTP_COOKIE="django_language=en")
        assert status.startswith("200"), path
        assert "Cookie" not in headers.get("Vary", ""), path
        assert headers["Cache-Control"] == "public, max-age=60", path
        assert headers["ETag"].startswith('"') and headers["Last-Modified"].endswith("GMT")
        status, again, body = get(app, path, HTTP_IF_NONE_MATCH=headers["ETag"])
        assert status.startswith("304") and body == "" and again["ETag"] == headers["ETag"]
        since = headers["Last-Modified"]
        assert get(app, path, HTTP_IF_MODIFIED_SINCE=since)[0].startswith("304"), path


def test_a_signed_in_users_page_is_private(client):
    f.import_reference()
    user = f.make_user("reader")
    client.force_login(user)
    response = client.get(REPORT)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "no-cache" in response["Cache-Control"]
    assert "Cookie" in response["Vary"] and "ETag" not in response


def test_signed_in_users_and_staff_pages_are_never_cached(app):
    f.import_reference()
    get(app, HTTP_COOKIE="sessionid=abc")
    assert "X-Kpiledger-Cache" not in get(app, HTTP_COOKIE="sessionid=abc")[1]
    get(app, "/admin/login/")
    assert "X-Kpiledger-Cache" not in get(app, "/admin/login/")[1]
    assert get(app, "/org/999999/2023/")[0].startswith("404")
    assert "X-Kpiledger-Cache" not in get(app, "/org/999999/2023/")[1]


def test_the_version_read_on_every_request_is_the_ledgers():
    from kpiledger.web.page_cache import current_version

    assert current_version() == 0 and not m.LedgerVersion.objects.exists()
    f.import_reference()
    imported = current_version()
    assert imported == m.LedgerVersion.objects.get(pk=1).number >= 1
    m.LedgerVersion.bump()
    assert current_version() == imported + 1


@pytest.mark.django_db(transaction=True)  # committed, so that other threads read it
def test_concurrent_misses_render_a_page_once(app):
    import threading

    f.import_reference()
    renders = []
    inner = app.application

    def counting(environ, start_response):
        renders.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    app.application = counting
    bodies = []

    def visit():
        bodies.append(get(app)[2])
        from django.db import connection

        connection.close()

    threads = [threading.Thread(target=visit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(bodies) == 8 and len(set(bodies)) == 1
    assert renders == [REPORT]


def test_a_download_is_cached_once_and_answers_if_none_match(app):
    f.import_reference()
    path = "/org/012068/2023/download/json"
    status, headers, first = get(app, path, HTTP_COOKIE="django_language=en")
    assert status.startswith("200") and "X-Kpiledger-Cache" not in headers
    status, headers, again = get(app, path, HTTP_ACCEPT_LANGUAGE="ja")
    assert headers["X-Kpiledger-Cache"] == "hit" and again == first
    etag = headers["ETag"]
    status, headers, body = get(app, path, HTTP_IF_NONE_MATCH=f'"other", {etag}')
    assert status.startswith("304") and body == "" and headers["ETag"] == etag
    assert "Content-Disposition" not in headers
    status, _, body = get(app, path, HTTP_IF_NONE_MATCH='"other"')
    assert status.startswith("200") and body == first
