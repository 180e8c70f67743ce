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


# --- the version, read at most once per KPILEDGER_VERSION_TTL_MS ------------------------------


class Clock:
    """time.monotonic for page_cache, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    from kpiledger.web import page_cache

    moved = Clock()
    monkeypatch.setattr(page_cache.time, "monotonic", moved)
    return moved


def another_process_raises_the_version() -> None:
    """What `kpiledger import` in another process does to this one: the number moves in the
    database, and this process hears nothing of it."""
    from django.db.models import F

    m.LedgerVersion.objects.filter(pk=1).update(number=F("number") + 1)


def test_another_processs_change_shows_within_the_ttl(app, clock, settings):
    assert app.version.ttl == settings.KPILEDGER_VERSION_TTL_MS / 1000 == 0.25
    f.import_reference()
    first = get(app)[2]
    assert get(app)[1]["X-Kpiledger-Cache"] == "hit"
    another_process_raises_the_version()
    clock.now += 0.2  # within the TTL: the number read before is trusted
    assert get(app)[1]["X-Kpiledger-Cache"] == "hit"
    clock.now += 0.06  # past it: read again, the page is rendered at the new number
    _, headers, again = get(app)
    assert "X-Kpiledger-Cache" not in headers and again == first


def test_a_change_in_this_process_shows_at_once(app, clock):
    f.import_reference()
    version = app.version.current()
    get(app)
    m.LedgerVersion.bump()  # e.g. a staff page's save, served by this process
    assert app.version.current() == version + 1  # the clock has not moved
    assert "X-Kpiledger-Cache" not in get(app)[1]


def test_the_version_is_read_once_per_ttl(app, clock, django_assert_num_queries):
    f.import_reference()
    app.version.current()
    with django_assert_num_queries(0):
        for _ in range(10):
            app.version.current()
    clock.now += 0.25
    with django_assert_num_queries(1):
        app.version.current()
        app.version.current()


def test_a_ttl_of_zero_reads_on_every_request(settings, clock, django_assert_num_queries):
    from kpiledger.web.page_cache import VersionClock, version_ttl

    settings.KPILEDGER_VERSION_TTL_MS = 0
    versions = VersionClock(version_ttl())
    with django_assert_num_queries(3):
        for _ in range(3):
            versions.current()


def test_a_read_begun_before_a_raise_is_not_kept(clock, monkeypatch):
    from kpiledger.web import page_cache

    versions = page_cache.VersionClock(1.0)

    def raised_meanwhile() -> int:
        number = m.LedgerVersion.current()
        m.LedgerVersion.bump()  # committed by another thread while this one read
        return number

    monkeypatch.setattr(page_cache, "current_version", raised_meanwhile)
    before = versions.current()
    monkeypatch.undo()
    assert versions.known is None and versions.current() == before + 1


def test_raising_the_version_tells_the_process_at_once_and_at_commit(
    django_capture_on_commit_callbacks,
):
    heard = []

    def listen(sender, **kwargs):
        heard.append(sender)

    m.version_raised.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            m.LedgerVersion.bump()
            assert heard == [m.LedgerVersion]
        assert heard == [m.LedgerVersion, m.LedgerVersion]
    finally:
        m.version_raised.disconnect(listen)


@pytest.mark.parametrize("value", ["-1", "1001", "0.5", "quarter"])
def test_a_bad_version_ttl_is_named(tmp_path, value):
    from kpiledger.web.ledger.tests.test_setting_errors import assert_users_mistake, kpiledger

    done = kpiledger(tmp_path, "manage", "check", KPILEDGER_VERSION_TTL_MS=value)
    assert_users_mistake(done, "[bad-setting]", "KPILEDGER_VERSION_TTL_MS", "0〜1000", repr(value))
