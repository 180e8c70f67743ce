"""The API of the comparison pages: `/nation` (per prefecture), `/prefectures/{code}` (its
organizations) and the search of `/organizations?q=`, with the figures of the pages."""

from __future__ import annotations

import pytest

from kpiledger.web.api.tests.conftest import API
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services import judgements
from kpiledger.web.ledger.tests import factories as f
from kpiledger.web.ledger.tests.test_national import (
    CHIYODA,
    HAKODATE,
    KUSHIRO,
    KUSHIRO_TOWN,
    SAPPORO,
    judged,
    registered,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger() -> None:
    judged(KUSHIRO, achieved=3, nearly_achieved=1, not_achieved=1, no_data=1, not_due=2)
    judged(SAPPORO, achieved=1, not_achieved=2)
    judged(CHIYODA, achieved=2)
    registered(HAKODATE)


def test_nation_lists_every_prefecture_with_its_figures(client, ledger):
    response = client.get(f"{API}/nation")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("public") and response["ETag"]
    body = response.json()
    assert (body["count"], body["pages"], len(body["items"])) == (47, 1, 47)
    hokkaido, aomori = body["items"][:2]
    assert hokkaido == {
        "code": "01",
        "name": "北海道",
        "organizations": 3,
        "reporting": 2,
        "kpis": 11,
        "counts": {
            "achieved": 4,
            "nearly_achieved": 1,
            "not_achieved": 3,
            "no_data": 1,
            "not_due": 2,
        },
        "due": 9,
        "achieved_share": "44.4",
    }
    assert aomori["achieved_share"] is None and aomori["kpis"] == 0
    assert body["items"][12]["name"] == "東京都" and body["items"][12]["achieved_share"] == "100.0"
    second = client.get(f"{API}/nation", {"page_size": 20, "page": 3}).json()
    assert [p["code"] for p in second["items"]] == [f"{n}" for n in range(41, 48)]


def test_nation_of_a_year(client, ledger):
    judged(KUSHIRO, 2022, achieved=1, not_achieved=1)
    items = client.get(f"{API}/nation", {"year": 2022}).json()["items"]
    assert (items[0]["reporting"], items[0]["kpis"], items[0]["achieved_share"]) == (1, 2, "50.0")
    assert items[12]["reporting"] == 0
    assert client.get(f"{API}/nation", {"year": 1999}).json()["items"][0]["kpis"] == 0


def test_a_prefectures_organizations_sorted_and_paged(client, ledger):
    body = client.get(f"{API}/prefectures/01").json()
    assert body["count"] == 2  # 函館市 has no report
    kushiro = body["items"][1]
    assert kushiro == {
        "code": KUSHIRO,
        "name": "釧路市",
        "kana": "クシロシ",
        "prefecture": "北海道",
        "fiscal_year": 2023,
        "fiscal_year_label": "令和5年度",
        "kpis": 8,
        "counts": {
            "achieved": 3,
            "nearly_achieved": 1,
            "not_achieved": 1,
            "no_data": 1,
            "not_due": 2,
        },
        "due": 6,
        "achieved_share": "50.0",
    }
    by_share = client.get(f"{API}/prefectures/01", {"sort": "share"}).json()["items"]
    assert [o["name"] for o in by_share] == ["釧路市", "札幌市"]
    one = client.get(f"{API}/prefectures/01", {"page_size": 1, "page": 2}).json()
    assert [o["code"] for o in one["items"]] == [KUSHIRO] and one["pages"] == 2
    assert [o["code"] for o in client.get(f"{API}/prefectures/13").json()["items"]] == [CHIYODA]
    for bad in ("1", "48", "00", "hokkaido"):
        response = client.get(f"{API}/prefectures/{bad}")
        assert response.status_code == 422, bad
        assert response.json()["code"] == "bad-parameter"
    assert client.get(f"{API}/prefectures/01", {"sort": "bogus"}).status_code == 422


@pytest.mark.parametrize("query", ["釧路", "くしろ", "クシロ", "ｸｼﾛ", "01206", "012068"])
def test_organizations_searched_by_name_reading_or_code(client, ledger, query):
    registered(KUSHIRO_TOWN)
    judged(KUSHIRO_TOWN, achieved=1)
    items = client.get(f"{API}/organizations", {"q": query}).json()["items"]
    expected = [KUSHIRO] if query.isdigit() else [KUSHIRO, KUSHIRO_TOWN]
    assert [o["code"] for o in items] == expected, query
    assert items[0]["kana"] == "クシロシ"


def test_search_keeps_to_organizations_with_a_public_report(client, ledger):
    assert client.get(f"{API}/organizations", {"q": "函館"}).json()["items"] == []
    assert client.get(f"{API}/organizations", {"q": ""}).json()["items"] == []
    everyone = client.get(f"{API}/organizations").json()
    assert [o["code"] for o in everyone["items"]] == [SAPPORO, KUSHIRO, CHIYODA]


def test_the_api_says_what_the_page_says_for_the_reference_report(client):
    f.import_reference()
    judgements.rejudge(m.Organization.objects.get(code=KUSHIRO))
    (kushiro,) = client.get(f"{API}/prefectures/01").json()["items"]
    assert (kushiro["kpis"], kushiro["counts"]["achieved"], kushiro["achieved_share"]) == (
        24,
        14,
        "58.3",
    )


def test_hostile_names_come_back_as_data(client):
    hostile = '<script>alert("x")</script>'
    judged(SAPPORO, name=hostile, achieved=1)
    response = client.get(f"{API}/prefectures/01")
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["items"][0]["name"] == hostile


def test_queries_do_not_grow_with_the_organizations(client, django_assert_num_queries):
    from kpiledger.web.api.tests.test_api_http import queries
    from kpiledger.web.ledger.tests.test_national import nation_codes

    hokkaido = sorted(c for c in nation_codes() if c.startswith("01"))
    paths = [f"{API}/nation", f"{API}/prefectures/01?sort=share", f"{API}/organizations?q=01"]
    for code in hokkaido[:3]:
        judged(code, achieved=1)
    few = {path: queries(client, path) for path in paths}
    for code in hokkaido[3:30]:
        judged(code, achieved=1, not_due=1)
    assert m.Judgement.objects.count() == 3 + 27 * 2
    for path, count in few.items():
        with django_assert_num_queries(count):
            assert client.get(path).status_code == 200, path
    assert client.get(f"{API}/prefectures/01").json()["count"] == 30
