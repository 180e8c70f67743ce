"""The category comparison in the API: /api/v1/fields, /api/v1/fields/{field}, and its
organizations. The ledger is that of the page tests (ledger/tests/test_fields.py), whose module
docstring has every figure worked out by hand."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpiledger.web.api.tests.conftest import API
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.tests.test_fields import (
    ASAHIKAWA,
    CHIYODA,
    HAKODATE,
    HOKKAIDO,
    KUSHIRO,
    SAPPORO,
    A,
    X,
    build_ledger,
    hokkaido_codes,
    judged,
    organization,
)

pytestmark = pytest.mark.django_db
TOURISM = f"{API}/fields/tourism"


@pytest.fixture
def ledger(db: None) -> None:
    build_ledger()


def get_json(client, path: str, status: int = 200) -> dict:  # type: ignore[no-untyped-def,type-arg]
    response = client.get(path)
    assert response.status_code == status, (path, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    return response.json()  # type: ignore[no-any-return]


def test_list_of_fields(client, ledger):
    body = get_json(client, f"{API}/fields")
    assert body["fiscal_year"] == 2023 and body["years"] == [2023, 2022]
    tourism = next(f for f in body["fields"] if f["field"] == "tourism")
    assert tourism == {
        "field": "tourism",
        "label": {"ja": "観光", "en": "Tourism"},
        "goal": "flow",
        "goal_label": {"ja": "人の流れ・移住", "en": "Flow of people, migration"},
        "organizations": 6,
        "kpis": 13,
        "due": 12,
        "achieved": 5,
        "achieved_share": "41.7",
    }
    assert len(body["fields"]) == 15
    assert get_json(client, f"{API}/fields?year=2022")["fiscal_year"] == 2022


def test_one_field_distribution_and_groups(client, ledger):
    body = get_json(client, f"{TOURISM}?year=2023")
    assert (body["kpis"], body["due"], body["not_due"], body["achieved"]) == (13, 12, 1, 5)
    assert (body["achieved_share"], body["median_rate"], body["nearly"]) == ("41.7", "85.0", "80")
    assert body["fiscal_year_label"] == "令和5年度" and body["organizations"] == 6
    assert [(b["key"], b["kpis"], b["share"]) for b in body["distribution"]] == [
        ("lt50", 1, "8.3"),
        ("50-80", 3, "25.0"),
        ("80-100", 2, "16.7"),
        ("ge100", 5, "41.7"),
        ("none", 1, "8.3"),
    ]
    nearly = body["distribution"][2]
    assert nearly["low"] == "80" and nearly["high"] == "100" and nearly["nearly"] is True
    assert nearly["label"] == {
        "ja": "80%以上100%未満（概ね達成）",
        "en": "80% to under 100% (nearly achieved)",
    }
    assert body["prefectures"][0] == {
        "key": "北海道",
        "label": {"ja": "北海道", "en": "北海道"},
        "organizations": 4,
        "kpis": 11,
        "due": 10,
        "achieved": 3,
        "achieved_share": "30.0",
        "median_rate": "80.0",
    }
    assert [g["key"] for g in body["bands"]] == [
        "50k-100k",
        "100k-200k",
        "200k-500k",
        "500k-plus",
        "prefecture",
    ]
    assert body["standing"] is None


def test_one_organizations_standing(client, ledger):
    standing = get_json(client, f"{TOURISM}?org={KUSHIRO}")["standing"]
    assert standing["code"] == KUSHIRO and standing["band"] == "100k-200k"
    assert standing["median_rate"] == "80.0" and standing["achieved_share"] == "33.3"
    assert standing["in_prefecture"] == {
        "group": "北海道",
        "label": {"ja": "北海道", "en": "北海道"},
        "rank": 2,
        "of": 4,
        "above": 1,
        "ties": 1,
        "below": 1,
        "percentile": "33.3",
    }
    assert standing["in_band"]["rank"] == 1 and standing["in_band"]["percentile"] is None
    assert [b["kpis"] for b in standing["distribution"]] == [0, 1, 0, 1, 1]
    prefecture = get_json(client, f"{TOURISM}?org={HOKKAIDO}")["standing"]
    assert prefecture["in_prefecture"] is None and prefecture["band"] == "prefecture"


def test_organizations_sorted_filtered_and_paginated(client, ledger):
    body = get_json(client, f"{TOURISM}/organizations?sort=-median")
    assert [o["code"] for o in body["items"]] == [
        CHIYODA,
        HOKKAIDO,
        SAPPORO,
        ASAHIKAWA,
        KUSHIRO,
        HAKODATE,
    ]
    kushiro = body["items"][4]
    assert kushiro["counts"] == {
        "achieved": 1,
        "nearly_achieved": 0,
        "not_achieved": 1,
        "no_data": 1,
        "not_due": 1,
    }
    assert kushiro["population"] == 160000 and kushiro["band_label"]["en"] == "100,000–199,999"
    filtered = get_json(client, f"{TOURISM}/organizations?prefecture=北海道&band=200k-500k")
    assert [o["code"] for o in filtered["items"]] == [HAKODATE, ASAHIKAWA]
    paged = get_json(client, f"{TOURISM}/organizations?page_size=2&page=3")
    assert (paged["count"], paged["pages"], [o["code"] for o in paged["items"]]) == (
        6,
        3,
        [KUSHIRO, CHIYODA],
    )


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        (f"{API}/fields/bogus", 404, "field-not-found"),
        (f"{API}/fields/bogus/organizations", 404, "field-not-found"),
        (f"{TOURISM}?year=2031", 404, "year-not-found"),
        (f"{API}/fields?year=2031", 404, "year-not-found"),
        (f"{TOURISM}?org=131130", 404, "organization-not-in-field"),
        (f"{API}/fields/safety", 404, "year-not-found"),
        (f"{TOURISM}?year=abc", 422, "bad-parameter"),
        (f"{TOURISM}?org=12", 422, "bad-parameter"),
        (f"{TOURISM}/organizations?sort=bogus", 422, "bad-parameter"),
    ],
)
def test_errors_say_what_is_wrong_in_both_languages(client, ledger, path, status, code):
    body = get_json(client, path, status)
    assert body["code"] == code
    assert body["message_ja"] and body["message_en"]


def test_answers_are_cacheable_and_in_the_openapi_document(client, ledger):
    response = client.get(TOURISM)
    assert response["ETag"] and response["Cache-Control"].startswith("public")
    assert client.get(TOURISM, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    assert {
        "/api/v1/fields",
        "/api/v1/fields/{field}",
        "/api/v1/fields/{field}/organizations",
    } <= set(paths)


def count(client, path: str) -> int:  # type: ignore[no-untyped-def]
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200, path
    return len(captured)


def test_queries_do_not_grow_with_the_organizations(client, db, django_assert_num_queries):
    codes = hokkaido_codes()
    for code in codes[:3]:
        judged(organization(code, 5_000), (A, "100"), (X, "40"))
    paths = [f"{API}/fields", f"{TOURISM}?org={codes[0]}", f"{TOURISM}/organizations?sort=-median"]
    few = {path: count(client, path) for path in paths}
    for code in codes[3:30]:
        judged(organization(code, 60_000), (A, "120"), (X, "10"))
    assert m.Organization.objects.count() == 30
    for path, queries in few.items():
        with django_assert_num_queries(queries):
            assert client.get(path).status_code == 200
