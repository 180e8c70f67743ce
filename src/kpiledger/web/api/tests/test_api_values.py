"""The API's values: the reference report (釧路市 令和5年度) as the JSON export judges it,
exact decimals as strings, filters, pages, 404s and 422s."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from kpiledger.io.writers.json import dumps
from kpiledger.web.api.tests.conftest import API, CODE, YEAR
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services import reports
from kpiledger.web.ledger.tests import factories as f

pytestmark = pytest.mark.django_db
REPORT = f"{API}/organizations/{CODE}/years/{YEAR}"
KPI_2 = "釧路市ビジネスサポートセンターk-Bizの来所相談件数"
K_BIZ_GRANT = "デジタル田園都市国家構想交付金（地方創生推進タイプ）"


def get(client: Client, path: str, status: int = 200) -> Any:
    response = client.get(path)
    assert response.status_code == status, (path, response.content[:300])
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response.json()


def items(client: Client, path: str) -> list[dict[str, Any]]:
    separator = "&" if "?" in path else "?"
    page = get(client, f"{path}{separator}page_size=200")
    assert page["count"] == len(page["items"])
    return page["items"]  # type: ignore[no-any-return]


def exported(organization: m.Organization) -> dict[str, Any]:
    """`kpiledger export --format json` of the year: its text, numbers kept as their digits."""
    result = reports.load_report(organization, YEAR).result
    return json.loads(  # type: ignore[no-any-return]
        dumps(result), parse_float=lambda text: ("number", text), parse_int=_int_or_digits
    )


def _int_or_digits(text: str) -> Any:
    return ("number", text)


def as_api(value: Any) -> Any:
    """An exported value as the API writes it: a JSON number as the string of its digits,
    every other value as is (years and counts are the API's integers)."""
    if isinstance(value, tuple):
        return value[1]
    if isinstance(value, dict):
        return {k: as_api(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_api(v) for v in value]
    return value


INTEGER_FIELDS = {"target_fiscal_year", "judged_year", "fiscal_year"}


def as_api_kpi(record: dict[str, Any]) -> dict[str, Any]:
    converted = as_api(record)
    for name in INTEGER_FIELDS & set(converted):
        if converted[name] is not None:
            converted[name] = int(converted[name])
    if converted["baseline"] and converted["baseline"]["fiscal_year"] is not None:
        converted["baseline"]["fiscal_year"] = int(converted["baseline"]["fiscal_year"])
    return converted


# --- values -------------------------------------------------------------------------------


def test_every_kpi_is_judged_exactly_as_the_json_export(client, reference):
    export = exported(reference)
    expected = [as_api_kpi(k) for p in export["projects"] for k in p["kpis"]]
    api = items(client, f"{REPORT}/kpis")
    assert len(api) == len(expected) == 24
    for number, (ours, theirs) in enumerate(zip(api, expected, strict=True), start=1):
        assert ours["number"] == number
        differing = {k: (ours.get(k), v) for k, v in theirs.items() if ours.get(k) != v}
        assert not differing, (number, differing)


def test_kpi_2_of_the_reference(client, reference):
    kpi = get(client, f"{REPORT}/kpis/2")
    assert kpi["indicator"] == KPI_2
    assert (kpi["target"], kpi["unit"], kpi["target_date"]) == ("2300", "件", "2024-03")
    assert kpi["actuals"] == {
        "2019": "1581",
        "2020": "2124",
        "2021": "1832",
        "2022": "2026",
        "2023": "1878",
    }
    assert (kpi["achievement_rate"], kpi["status"]) == ("81.7", "nearly_achieved")
    assert kpi["status_label"] == {"ja": "概ね達成", "en": "Nearly achieved"}
    assert kpi["direction_label"] == {"ja": "高いほど良い", "en": "higher is better"}
    assert kpi["progress"] is None and kpi["progress_label"] is None
    assert (kpi["project_number"], kpi["grant"], kpi["section"]) == (1, K_BIZ_GRANT, "対象事業")
    assert kpi["observations"][-1] == {
        "fiscal_year": 2023,
        "fiscal_year_label": "令和5年度",
        "value": "1878",
        "marker": None,
    }
    row = m.Kpi.objects.get(pk=kpi["kpi_id"])
    assert row.indicator == kpi["indicator"]


def test_decimals_are_strings_as_published_and_no_value_keeps_its_marker(client, reference):
    kpis = {k["indicator"]: k for k in items(client, f"{REPORT}/kpis")}
    satisfaction = kpis[f.SATISFACTION]
    assert satisfaction["actuals"]["2023"] == "73.5" and satisfaction["unit"] == "%"
    assert kpis[f.SPECIALTY_SALES]["target"] == "1300000"
    detail = get(client, f"{REPORT}/kpis/3")
    first = detail["observations"][0]
    assert first == {
        "fiscal_year": 2019,
        "fiscal_year_label": "令和元年度",
        "value": None,
        "marker": "-",
    }
    assert detail["actuals"]["2019"] is None


def test_a_value_written_with_its_digits_keeps_them(client, reference):
    """`2300.00` in a report stays `"2300.00"` (the digits as written, not a float)."""
    row = m.ReportedKpi.objects.get(fiscal_year=YEAR, kpi__indicator=KPI_2)
    row.target_text = "2300.00"
    row.actuals = {**row.actuals, "2023": {"value": "1878.0"}}
    row.save()
    kpi = get(client, f"{REPORT}/kpis/2")
    assert (kpi["target"], kpi["actuals"]["2023"]) == ("2300.00", "1878.0")


def test_summary_and_projects_match_the_export(client, reference):
    export = exported(reference)
    summary = get(client, f"{REPORT}/summary")
    assert summary["summary"] == {k: int(v[1]) for k, v in export["summary"].items()}
    assert summary["summary"]["kpis"] == 24 and summary["summary"]["achieved"] == 14
    assert (
        summary["title"] == export["title"] == "令和5年度デジタル田園都市国家構想交付金事業の実績"
    )
    assert (summary["fiscal_year_label"], summary["nearly_threshold"]) == ("令和5年度", "80")
    assert {s["status"]: s["count"] for s in summary["statuses"]}["nearly_achieved"] == 4
    projects = items(client, f"{REPORT}/projects")
    assert [p["name"] for p in projects] == [p["name"] for p in export["projects"]]
    assert [p["effect_suggestion"] for p in projects] == [
        p["effect_suggestion"] for p in export["projects"]
    ]
    assert projects[0]["kpi_numbers"] == [1, 2, 3] and projects[1]["kpi_numbers"] == [4, 5, 6]
    assert sum(len(p["kpi_numbers"]) for p in projects) == 24


def test_organizations_and_years(client, reference):
    organizations = get(client, f"{API}/organizations")
    assert organizations["items"] == [
        {
            "code": CODE,
            "name": "釧路市",
            "kana": "クシロシ",
            "prefecture": "北海道",
            "years": [YEAR],
        }
    ]
    assert get(client, f"{API}/organizations/{CODE}")["years"] == [YEAR]
    assert get(client, f"{API}/organizations/{CODE}/years")["years"] == [
        {"fiscal_year": 2023, "label": "令和5年度", "short_label": "R5年度"}
    ]
    assert get(client, f"{API}/organizations?year=2022")["count"] == 0
    assert get(client, f"{API}/organizations?prefecture=北海道")["count"] == 1


def test_a_second_year_is_listed_once_applied(client, reference, tmp_path):
    path = tmp_path / "r6.txt"
    path.write_text(f.next_year_text(), encoding="utf-8")
    f.import_file(path)
    assert get(client, f"{API}/organizations/{CODE}")["years"] == [2024, 2023]
    assert f.NEW_KPI in {
        k["indicator"] for k in items(client, f"{API}/organizations/{CODE}/years/2024/kpis")
    }
    not_due = items(client, f"{API}/organizations/{CODE}/years/2024/kpis?status=not_due")
    assert [k["indicator"] for k in not_due] == [f.NEW_PROJECT_KPI]
    assert not_due[0]["status_label"] == {"ja": "目標年度前", "en": "Target not yet due"}
    # The FY2023 report still reads as published: 移住者数 R5 stays 105 (corrected to 106 later).
    old = {k["indicator"]: k for k in items(client, f"{REPORT}/kpis")}
    assert old[f.MIGRANTS]["actuals"]["2023"] == "105"
    assert "revised-after-publication" in old[f.MIGRANTS]["flags"]


# --- filters and pages ----------------------------------------------------------------------


def test_kpi_filters(client, reference):
    achieved = items(client, f"{REPORT}/kpis?status=achieved")
    assert len(achieved) == 14 and {k["status"] for k in achieved} == {"achieved"}
    two = items(client, f"{REPORT}/kpis?status=achieved&status=nearly_achieved")
    assert len(two) == 18
    base = items(client, f"{REPORT}/kpis?grant=地方創生拠点整備交付金")
    assert {k["indicator"] for k in base} == {
        f.OTOBETSU_USERS,
        "ふき紙漉き体験者数",
        f.SPECIALTY_SALES,
    }
    assert [k["number"] for k in items(client, f"{REPORT}/kpis?project=1")] == [1, 2, 3]
    related = items(client, f"{REPORT}/kpis?section=related")
    assert related == items(client, f"{REPORT}/kpis?section=関連事業")
    assert related and {k["section"] for k in related} == {"関連事業"}
    target = items(client, f"{REPORT}/kpis?section=target")
    assert len(target) + len(related) == 24
    assert items(client, f"{REPORT}/kpis?status=no_data") == []
    assert items(client, f"{REPORT}/kpis?grant=no-such-grant") == []


def test_project_and_observation_filters(client, reference):
    projects = items(client, f"{REPORT}/projects?grant={K_BIZ_GRANT}")
    assert [p["number"] for p in projects] == [1, 2, 3]
    assert {p["section"] for p in items(client, f"{REPORT}/projects?section=related")} == {
        "関連事業"
    }
    rows = items(client, f"{REPORT}/observations?kpi=2")
    assert [(r["fiscal_year"], r["value"]) for r in rows] == [
        (2019, "1581"),
        (2020, "2124"),
        (2021, "1832"),
        (2022, "2026"),
        (2023, "1878"),
    ]
    in_2023 = items(client, f"{REPORT}/observations?fiscal_year=2023")
    assert len(in_2023) == 24 and {r["kpi_number"] for r in in_2023} == set(range(1, 25))
    everything = get(client, f"{REPORT}/observations")
    export = exported(reference)
    assert everything["count"] == sum(
        len(k["actuals"]) for p in export["projects"] for k in p["kpis"]
    )


def test_pages(client, reference):
    first = get(client, f"{REPORT}/kpis?page_size=5")
    assert (first["count"], first["page"], first["page_size"], first["pages"]) == (24, 1, 5, 5)
    assert [k["number"] for k in first["items"]] == [1, 2, 3, 4, 5]
    last = get(client, f"{REPORT}/kpis?page_size=5&page=5")
    assert [k["number"] for k in last["items"]] == [21, 22, 23, 24]
    assert get(client, f"{REPORT}/kpis?page_size=5&page=6")["items"] == []
    assert get(client, f"{REPORT}/kpis")["page_size"] == 50
    for bad in ("page_size=201", "page_size=0", "page=0", "page=x"):
        get(client, f"{REPORT}/kpis?{bad}", status=422)


# --- errors ---------------------------------------------------------------------------------


def test_unknown_organization_year_and_kpi_are_bilingual_404s(client, reference):
    org = get(client, f"{API}/organizations/131016", status=404)
    assert org["code"] == "organization-not-found"
    assert "131016" in org["message_ja"] and "公表された報告書はありません" in org["message_ja"]
    assert org["detail"] == f"{org['message_ja']} / {org['message_en']}"
    year = get(client, f"{API}/organizations/{CODE}/years/2022/kpis", status=404)
    assert year["code"] == "year-not-found" and "令和4年度" in year["message_ja"]
    kpi = get(client, f"{REPORT}/kpis/25", status=404)
    assert kpi["code"] == "kpi-not-found" and "KPI 25" in kpi["message_ja"]
    for path in (f"{REPORT}/summary", f"{REPORT}/projects", f"{REPORT}/observations"):
        get(client, path.replace(CODE, "131016"), status=404)


def test_bad_parameters_are_422_never_500(client, reference):
    for path in (
        f"{API}/organizations/12068",
        f"{API}/organizations/abcdef/years",
        f"{REPORT}/kpis?status=bogus",
        f"{REPORT}/kpis?project=0",
        f"{REPORT}/kpis/0",
        f"{REPORT}/projects?section=other",
        f"{API}/organizations/{CODE}/years/99999/kpis",
        f"{API}/organizations?year=x",
    ):
        body = get(client, path, status=422)
        assert body["detail"] and body["code"] == "bad-parameter", path
        assert body["message_ja"].startswith("パラメータが正しくありません。"), path
        assert body["message_en"].startswith("bad parameter: "), path


def test_a_bad_parameter_is_named_in_japanese_and_english(client, reference):
    body = get(client, f"{API}/organizations?page=0", status=422)
    assert (
        body["message_ja"]
        == "パラメータが正しくありません。page（クエリ）: 1以上の値を指定してください"
    )
    assert (
        body["message_en"]
        == "bad parameter: page (query): Input should be greater than or equal to 1"
    )
    body = get(client, f"{API}/organizations/12068", status=422)
    assert body["message_ja"].endswith("code（パス）: 半角数字6桁の団体コードを指定してください")


def test_only_get(client, reference):
    for method in ("post", "put", "patch", "delete"):
        for path in (f"{API}/organizations", f"{REPORT}/kpis", f"{REPORT}/kpis/2"):
            assert getattr(client, method)(path).status_code == 405, (method, path)
