"""The API over HTTP: caching headers and 304s, the page cache, a constant number of queries,
nothing of a pending import, and the OpenAPI document and docs page served locally."""

from __future__ import annotations

import io
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.http import http_date, parse_http_date

from kpiledger.web.api.tests.conftest import (
    API,
    CODE,
    LAYOUTS,
    PENDING_CODE,
    PENDING_NAME,
    YEAR,
)
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.tests import factories as f
from kpiledger.web.ledger.tests.test_csp import assert_strict_policy, inline_code
from kpiledger.web.ledger.tests.test_setting_errors import assert_users_mistake, kpiledger
from kpiledger.web.page_cache import PublicPageCache

pytestmark = pytest.mark.django_db
REPORT = f"{API}/organizations/{CODE}/years/{YEAR}"
EVERY_PATH = [
    f"{API}/organizations",
    f"{API}/organizations/{CODE}",
    f"{API}/organizations/{CODE}/years",
    f"{REPORT}/summary",
    f"{REPORT}/projects",
    f"{REPORT}/kpis",
    f"{REPORT}/kpis/2",
    f"{REPORT}/observations",
]


# --- ETag, Last-Modified, Cache-Control ---------------------------------------------------


def test_every_answer_carries_validators_and_a_public_cache_control(client, reference):
    applied = m.ImportBatch.objects.get().applied_at
    etags = set()
    for path in EVERY_PATH:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Cache-Control"] == "public, max-age=300", path
        etag = response["ETag"]
        assert etag.startswith('"') and etag.endswith('"') and len(etag) == 34, etag
        etags.add(etag)
        modified = parse_http_date(response["Last-Modified"])
        assert abs(modified - applied.timestamp()) < 2, path
        # No session, no cookie: a shared cache may keep it for everyone.
        assert "Set-Cookie" not in response and "Cookie" not in response.get("Vary", ""), path
    assert len(etags) == len(EVERY_PATH)  # one per path


def test_if_none_match_gives_304_until_the_ledger_changes(client, reference):
    path = f"{REPORT}/kpis?status=achieved"
    first = client.get(path)
    etag = first["ETag"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag and again["Cache-Control"] == "public, max-age=300"
    assert client.get(f"{REPORT}/kpis?status=nearly_achieved")["ETag"] != etag
    stale = client.get(path, headers={"If-None-Match": '"something-else"'})
    assert stale.status_code == 200 and stale.content == first.content
    observation = f.observation(f.OTOBETSU_USERS, 2023)
    observation.value = Decimal(36000)
    observation.save()  # an edit in the admin: the ledger version moves
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert parse_http_date(changed["Last-Modified"]) >= parse_http_date(first["Last-Modified"])


def test_if_modified_since(client, reference):
    first = client.get(f"{REPORT}/summary")
    since = first["Last-Modified"]
    assert client.get(f"{REPORT}/summary", headers={"If-Modified-Since": since}).status_code == 304
    earlier = http_date(parse_http_date(since) - 3600)
    response = client.get(f"{REPORT}/summary", headers={"If-Modified-Since": earlier})
    assert response.status_code == 200
    # A 404 never becomes a 304, whatever the client sends.
    missing = client.get(f"{REPORT}/kpis/99", headers={"If-Modified-Since": since})
    assert missing.status_code == 404 and "ETag" not in missing


def test_an_empty_ledger_answers_without_last_modified(client, db):
    response = client.get(f"{API}/organizations")
    assert response.status_code == 200 and response.json()["count"] == 0
    assert "ETag" in response and "Last-Modified" not in response


def wsgi_get(app: Any, path: str, **environ: str) -> tuple[str, dict[str, str], bytes]:
    env = {"PATH_INFO": path, "REQUEST_METHOD": "GET", "HTTP_HOST": "127.0.0.1", **environ}
    setup_testing_defaults(env)
    env["wsgi.input"] = io.BytesIO()
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen.update(status=status, headers=dict(headers))

    body = b"".join(app(env, start_response))
    return seen["status"], seen["headers"], body


def test_behind_the_page_cache_a_current_etag_still_gets_304(reference):
    """The API is not answered from the public page cache (web/api/caching.py says why), and
    the served application still answers a current ETag with 304."""
    app = PublicPageCache(get_wsgi_application())
    path = f"{REPORT}/kpis"
    status, headers, _ = wsgi_get(app, path)
    assert status.startswith("200")
    status, again, _ = wsgi_get(app, path)
    assert status.startswith("200") and "X-Kpiledger-Cache" not in again
    status, _, body = wsgi_get(app, path, HTTP_IF_NONE_MATCH=headers["ETag"])
    assert status.startswith("304") and body == b""


# --- queries --------------------------------------------------------------------------------


def queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200, path
    return len(captured)


def test_queries_do_not_grow_with_the_ledger(
    client, reference, tmp_path, django_assert_max_num_queries
):
    before = {path: queries(client, path) for path in EVERY_PATH}
    for path in EVERY_PATH:
        with django_assert_max_num_queries(7):
            client.get(path)
    next_year = tmp_path / "r6.txt"
    next_year.write_text(f.next_year_text(), encoding="utf-8")
    f.import_file(next_year)
    for layout in ("08_not_yet_due.txt", "10_cumulative.txt"):
        f.import_file(LAYOUTS / layout, code="131016", name="千代田区")
    f.import_file(LAYOUTS / "23_national_form.txt", code="012025", name="函館市")
    assert m.Organization.objects.count() == 3
    after = {path: queries(client, path) for path in EVERY_PATH}
    assert after == before
    assert client.get(f"{API}/organizations").json()["count"] == 3


# --- published data only ------------------------------------------------------------------


def test_a_pending_import_never_appears(client, pending):
    assert m.ImportBatch.objects.filter(status=m.ImportBatch.Status.PENDING).count() == 2
    organizations = client.get(f"{API}/organizations").json()["items"]
    assert [o["code"] for o in organizations] == [CODE]
    assert organizations[0]["years"] == [YEAR]
    assert client.get(f"{API}/organizations/{PENDING_CODE}").status_code == 404
    assert client.get(f"{API}/organizations/{PENDING_CODE}/years/{YEAR}/kpis").status_code == 404
    assert client.get(f"{API}/organizations/{CODE}/years/2024/kpis").status_code == 404
    assert [
        y["fiscal_year"] for y in client.get(f"{API}/organizations/{CODE}/years").json()["years"]
    ] == [YEAR]
    for path in EVERY_PATH:
        body = client.get(f"{path}{'&' if '?' in path else '?'}page_size=200").content.decode()
        for secret in (PENDING_CODE, PENDING_NAME, f.NEW_KPI, f.NEW_PROJECT):
            assert secret not in body, (path, secret)


def test_an_organization_without_an_applied_report_is_unknown(client, reference):
    """A pending upload of an organization already in the ledger (created, nothing applied)."""
    f.make_organization("131016", "千代田区")
    assert client.get(f"{API}/organizations/131016").status_code == 404
    assert [o["code"] for o in client.get(f"{API}/organizations").json()["items"]] == [CODE]


# --- the OpenAPI document and the docs page ----------------------------------------------


def test_the_openapi_document_is_served_and_loads_in_schemathesis(client, db):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["info"]["version"] == "1"
    assert "KPI実績台帳" in document["info"]["title"]
    assert (
        "公表" in document["info"]["description"] and "published" in document["info"]["description"]
    )
    methods = {(name, method) for name, path in document["paths"].items() for method in path}
    writes = {
        (name, method) for name, method in methods if method != "get" or "/kpis/{kpi_id}" in name
    }
    assert {method for _, method in methods - writes} == {"get"}
    assert writes == {
        (f"{API}/kpis/{{kpi_id}}/observations/{{fiscal_year}}", "get"),
        (f"{API}/kpis/{{kpi_id}}/observations/{{fiscal_year}}", "put"),
        (f"{API}/observations/{{fiscal_year}}", "post"),
    }
    for name, method in writes:  # the write API: bearer token only
        operation = document["paths"][name][method]
        assert operation["security"] == [{"BearerToken": []}]
        assert "401" in operation["responses"]
    assert document["components"]["securitySchemes"]["BearerToken"] == {
        "type": "http",
        "scheme": "bearer",
    }
    assert document["components"]["schemas"]["Kpi"]["properties"]["target"]["type"] == "string"
    operations = [op for path in document["paths"].values() for op in path.values()]
    assert document["paths"][f"{API}/organizations"]["get"]["summary"] == (
        "団体の一覧 / organizations with a published report"
    )
    assert all(" / " in op["summary"] and len(op["tags"]) == 1 for op in operations)
    schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", get_wsgi_application())
    labels = [result.ok().label for result in schema.get_all_operations()]
    assert (
        len(labels) == 16
        and f"GET {REPORT.replace(CODE, '{code}').replace(str(YEAR), '{year}')}/kpis" in labels
    )


class Addresses(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [value or "" for name, value in attrs if name in ("src", "href")]


def test_the_docs_page_is_local_and_needs_no_inline_code(client, db):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert_strict_policy(response, "api docs")
    assert inline_code(html) == []
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    parser = Addresses()
    parser.feed(html)
    assert parser.found, "the page links its scripts and styles"
    for address in parser.found:
        assert address.startswith(("/static/", f"{API}/openapi.json")), address
        if address.startswith("/static/"):
            assert client.get(address).status_code == 200, address
    assert '<script src="/static/ninja/swagger-ui-bundle.js">' in html
    assert '"validatorUrl": null' in html and f'"url": "{API}/openapi.json"' in html


# --- the max-age setting ------------------------------------------------------------------


def test_max_age_follows_the_setting(client, reference, settings):
    settings.KPILEDGER_API_MAX_AGE = 60
    assert client.get(f"{API}/organizations")["Cache-Control"] == "public, max-age=60"


def test_a_bad_max_age_is_the_users_to_fix(tmp_path):
    done = kpiledger(tmp_path, "manage", "check", KPILEDGER_API_MAX_AGE="5 minutes")
    assert_users_mistake(done, "[bad-setting]", "環境変数 KPILEDGER_API_MAX_AGE", "0〜31536000")
