"""The pages comparing organizations: the nation (/nation/), a prefecture (/pref/01/), the
search (/search/?q=), their CSV, and the home page's pages.

Figures come from stored judgements. Most tests write `Judgement` rows directly with known
statuses (`judged`), so every count and share on the page can be checked by hand; one test
judges the reference report through the real service (services/judgements.py).
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from kpiledger.core.categories import Field
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services import importing, judgements, nation
from kpiledger.web.ledger.tests.factories import import_reference
from kpiledger.web.ledger.tests.test_pages import PageParser, get_ok, parse, row_with

pytestmark = pytest.mark.django_db

KUSHIRO, SAPPORO, HAKODATE = "012068", "011002", "012025"
KUSHIRO_TOWN, CHIYODA, TSUKUBA = "016616", "131016", "082201"
STATUS_ORDER = ["achieved", "nearly_achieved", "not_achieved", "no_data", "not_due"]


# --- building a ledger of judgements ------------------------------------------------------------


def judged(
    code: str,
    year: int = 2023,
    *,
    name: str | None = None,
    published: bool = True,
    **counts: int,
) -> m.Organization:
    """The organization (created from the bundled table if new) with a report of `year`
    (public unless `published` is False) whose KPIs have the given statuses
    (`achieved=3, not_due=1`): one project, one KPI and one stored judgement per status."""
    org = m.Organization.objects.filter(code=code).first() or registered(code, name)
    if published:
        m.FiscalYear.objects.update_or_create(
            organization=org, year=year, defaults={"published_at": timezone.now()}
        )
    project = m.Project.objects.create(
        organization=org, name=f"事業{year}", section=m.Section.TARGET
    )
    statuses = [status for status in STATUS_ORDER for _ in range(counts.get(status, 0))]
    kpis = m.Kpi.objects.bulk_create(
        m.Kpi(project=project, indicator=f"指標{i}", unit="人", target=Decimal(100), position=i)
        for i in range(len(statuses))
    )
    m.Judgement.objects.bulk_create(
        judgement(org, project, kpi, year, status, i)
        for i, (kpi, status) in enumerate(zip(kpis, statuses, strict=True))
    )
    return org


def registered(code: str, name: str | None = None) -> m.Organization:
    """An organization in the ledger, named as the bundled table names its code."""
    org = importing.organization_for(code, name)
    org.save()
    return org


def judgement(  # type: ignore[no-untyped-def]
    org: m.Organization, project: m.Project, kpi: m.Kpi, year: int, status: str, position: int
) -> m.Judgement:
    return m.Judgement(
        kpi=kpi,
        organization=org,
        project=project,
        fiscal_year=year,
        position=position,
        status=status,
        rate=None,
        goal=Field.OTHER.goal.value,
        field=Field.OTHER.value,
        nearly=Decimal(80),
        record={},
    )


@pytest.fixture
def ledger() -> None:
    """釧路市 8 KPIs (3 achieved of 6 due: 50.0%), 札幌市 3 (1 of 3: 33.3%), 千代田区 2 (2 of 2:
    100.0%); 函館市 registered without a report."""
    judged(KUSHIRO, achieved=3, nearly_achieved=1, not_achieved=1, no_data=1, not_due=2)
    judged(SAPPORO, achieved=1, not_achieved=2)
    judged(CHIYODA, achieved=2)
    registered(HAKODATE, "函館市")


def url(name: str, *args: str, language: str = "ja") -> str:
    with translation.override(language):
        return reverse(f"ledger:{name}", args=args)


def listing_rows(page: PageParser) -> list[list[str]]:
    """The rows of the organization listing (those whose second cell is a code)."""
    return [row for row in page.rows if len(row) > 2 and row[1].isdigit() and len(row[1]) == 6]


def names(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [row[0] for row in listing_rows(parse(response))]


def csv_rows(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM for Excel"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


# --- the national page --------------------------------------------------------------------------


def test_national_table_counts_and_shares_per_prefecture(client, ledger):
    page = parse(get_ok(client, url("nation")))
    # 都道府県, 団体数, 報告のある団体, 指標数, 達成, 概ね達成, 未達成, 実績なし, 目標年度前,
    # 達成割合
    assert row_with(page, "北海道") == ["北海道", "3", "2", "11", "4", "1", "3", "1", "2", "44.4%"]
    assert row_with(page, "東京都") == ["東京都", "1", "1", "2", "2", "0", "0", "0", "0", "100.0%"]
    assert row_with(page, "青森県") == ["青森県", "0", "0", "0", "0", "0", "0", "0", "0", "—"]
    assert row_with(page, "全国") == ["全国", "4", "3", "13", "6", "1", "3", "1", "2", "54.5%"]
    prefectures = [row[0] for row in page.rows if len(row) == 10 and row[1].isdigit()][:-1]
    assert len(prefectures) == 47 and prefectures[0] == "北海道" and prefectures[-1] == "沖縄県"
    assert url("prefecture", "01") in page.urls


def test_national_listing_shows_each_reporting_organization(client, ledger):
    page = parse(get_ok(client, url("nation")))
    assert listing_rows(page) == [
        ["札幌市", SAPPORO, "北海道", "R5年度", "3", "1", "0", "2", "0", "0", "33.3%"],
        ["釧路市", KUSHIRO, "北海道", "R5年度", "8", "3", "1", "1", "1", "2", "50.0%"],
        ["千代田区", CHIYODA, "東京都", "R5年度", "2", "2", "0", "0", "0", "0", "100.0%"],
    ]  # 函館市 has no report: not listed
    assert reverse("ledger:report", args=[KUSHIRO, 2023]) in page.urls
    assert "3団体" in get_ok(client, url("nation")).content.decode()


def test_the_chart_of_shares_has_its_table_and_its_words(client, ledger):
    page = parse(get_ok(client, url("nation")))
    chart = json.loads(page.script_text["share-chart-data"])
    assert chart["kind"] == "share-bar"
    assert len(chart["categories"]) == 47
    assert chart["values"][0] == "44.4" and chart["values"][12] == "100.0"
    assert chart["values"][1] is None  # 青森県: no KPI due
    (container,) = page.charts
    assert container["role"] == "img"
    assert container["aria-label"].startswith(
        "都道府県別の達成割合を示す横棒グラフ：北海道 44.4%、東京都 100.0%"
    )
    assert "（目標年度を迎えた指標のない都道府県：45）" in container["aria-label"]
    html = get_ok(client, url("nation")).content.decode()
    assert '<table class="data stack">' in html  # the same figures as a table


def test_latest_report_by_default_and_a_chosen_year(client, ledger):
    judged(KUSHIRO, 2022, achieved=1, not_achieved=1)
    judged(KUSHIRO, 2024, published=False, achieved=9)  # a draft year: never shown
    latest = parse(get_ok(client, url("nation")))
    assert row_with(latest, "釧路市")[3:5] == ["R5年度", "8"]
    assert row_with(latest, "北海道")[3] == "11"
    earlier = parse(get_ok(client, url("nation"), data={"year": "2022"}))
    assert listing_rows(earlier) == [
        ["釧路市", KUSHIRO, "北海道", "R4年度", "2", "1", "0", "1", "0", "0", "50.0%"]
    ]
    assert row_with(earlier, "北海道") == [
        "北海道",
        "3",
        "1",
        "2",
        "1",
        "0",
        "1",
        "0",
        "0",
        "50.0%",
    ]
    years = [u for u in latest.urls if "year=" in u]
    assert f"{url('nation')}?year=2023" in years and f"{url('nation')}?year=2022" in years
    assert not any("2024" in u for u in years)
    for bad in ("2024", "1999", "R5", "２０２３"):
        assert client.get(url("nation"), {"year": bad}).status_code == 404, bad


# --- sorting and pages ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "order", "expected"),
    [
        (None, None, ["札幌市", "釧路市", "千代田区"]),  # by code
        ("share", None, ["千代田区", "釧路市", "札幌市"]),  # highest first
        ("share", "asc", ["札幌市", "釧路市", "千代田区"]),
        ("kpis", None, ["釧路市", "札幌市", "千代田区"]),
        ("kpis", "asc", ["千代田区", "札幌市", "釧路市"]),
        ("name", "asc", ["釧路市", "札幌市", "千代田区"]),  # クシロシ, サッポロシ, チヨダク
        ("name", "desc", ["千代田区", "札幌市", "釧路市"]),
        ("code", "desc", ["千代田区", "釧路市", "札幌市"]),
        ("prefecture", "desc", ["千代田区", "札幌市", "釧路市"]),  # 13 before 01, then by code
        ("bogus", "sideways", ["札幌市", "釧路市", "千代田区"]),
    ],
)
def test_listing_sorts_by_each_column(client, ledger, sort, order, expected):
    query = {k: v for k, v in (("sort", sort), ("order", order)) if v}
    assert names(get_ok(client, url("nation"), data=query)) == expected


def test_rows_without_a_due_kpi_sort_last_either_way(client, ledger):
    judged(HAKODATE, not_due=4)  # no KPI due: no share
    for order in ("asc", "desc"):
        found = names(get_ok(client, url("nation"), data={"sort": "share", "order": order}))
        assert found[-1] == "函館市", order
    assert row_with(parse(get_ok(client, url("nation"))), "函館市")[-1] == "—"


def test_sort_headers_say_the_order_and_link_to_the_other(client, ledger):
    html = get_ok(client, url("nation"), data={"sort": "share", "order": "desc"}).content.decode()
    assert (
        '<th scope="col" aria-sort="descending">'
        f'<a href="{url("nation")}?sort=share&amp;order=asc">'
        '達成割合 <span aria-hidden="true">▼</span>'
        '<span class="visually-hidden">（昇順に並べ替え）</span></a></th>'
    ) in html
    assert html.count("aria-sort=") == 1
    assert f'href="{url("nation")}?sort=name&amp;order=asc"' in html


def test_listing_is_paginated_fifty_a_page_with_accessible_links(client):
    codes = sorted(c for c in nation_codes() if c.startswith("01"))[:120]
    for code in codes:
        judged(code, achieved=1)
    first = get_ok(client, url("nation"))
    assert len(listing_rows(parse(first))) == 50
    html = first.content.decode()
    assert "1〜50件目（全120件）" in html
    assert '<nav class="pagination no-print" aria-label="' in html
    assert f'<a href="{url("nation")}" aria-current="page" aria-label="1ページ目">1</a>' in html
    assert f'<a href="{url("nation")}?page=2" rel="next">次のページ</a>' in html
    last = get_ok(client, url("nation"), data={"page": "3", "sort": "code", "order": "desc"})
    rows = listing_rows(parse(last))
    assert len(rows) == 20 and rows[-1][1] == codes[0]
    last_html = last.content.decode()
    assert "101〜120件目（全120件）" in last_html
    assert f'href="{url("nation")}?sort=code&amp;order=desc&amp;page=2" rel="prev"' in last_html
    beyond = get_ok(client, url("nation"), data={"page": "99"})  # past the end: the last page
    assert len(listing_rows(parse(beyond))) == 20
    assert len(listing_rows(parse(get_ok(client, url("nation"), data={"page": "x"})))) == 50


def nation_codes() -> list[str]:
    from kpiledger.core.orgcode import local_governments

    return [g.code for g in local_governments().values() if g.is_municipality]


# --- the prefecture page --------------------------------------------------------------------------


def test_prefecture_page_lists_its_organizations_only(client, ledger):
    response = get_ok(client, url("prefecture", "01"))
    page = parse(response)
    assert [row[0] for row in listing_rows(page)] == ["札幌市", "釧路市"]
    assert row_with(page, "北海道") == ["北海道", "3", "2", "11", "4", "1", "3", "1", "2", "44.4%"]
    html = response.content.decode()
    assert "<h1>北海道の達成状況</h1>" in html
    assert f'<a href="{url("prefecture", "01")}" aria-current="page">北海道</a>' in html
    sorted_page = get_ok(client, url("prefecture", "01"), data={"sort": "share", "order": "desc"})
    assert names(sorted_page) == ["釧路市", "札幌市"]
    assert names(get_ok(client, url("prefecture", "13"))) == ["千代田区"]
    assert names(get_ok(client, url("prefecture", "02"))) == []


def test_prefecture_by_name_or_one_digit_leads_to_its_code(client, ledger):
    for key in ("北海道", "1", "１"):
        response = client.get(url("prefecture", key), {"year": "2023"})
        assert response.status_code == 301, key
        assert response["Location"] == f"{url('prefecture', '01')}?year=2023"
    for key in ("48", "00", "北海", "<b>"):
        assert client.get(url("prefecture", key)).status_code == 404, key


# --- search -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "釧路市",
        "クシロシ",
        "くしろし",
        "ｸｼﾛｼ",
        " くしろ し ",
        "012068",
        "01206",
        "０１２０６８",
    ],
)
def test_search_finds_by_kanji_kana_hiragana_and_code(client, ledger, query):
    registered(KUSHIRO_TOWN, "釧路町")
    assert names(get_ok(client, url("search"), data={"q": query})) == ["釧路市"], query


def test_search_by_part_of_a_reading_finds_every_match(client, ledger):
    registered(KUSHIRO_TOWN, "釧路町")
    registered(TSUKUBA, "つくば市")
    assert names(get_ok(client, url("search"), data={"q": "くしろ"})) == ["釧路市", "釧路町"]
    assert names(get_ok(client, url("search"), data={"q": "釧路"})) == ["釧路市", "釧路町"]
    hiragana_name = names(get_ok(client, url("search"), data={"q": "つくば市"}))
    assert hiragana_name == ["つくば市"]
    assert names(get_ok(client, url("search"), data={"q": "ツクバ"})) == ["つくば市"]
    assert names(get_ok(client, url("search"), data={"q": "01"})) == [
        "札幌市",
        "函館市",
        "釧路市",
        "釧路町",
    ]
    assert names(get_ok(client, url("search"), data={"q": "012069"})) == [
        "釧路市"
    ]  # wrong check digit
    for nothing in ("1", "1234567", "大阪", "%", "_"):
        assert names(get_ok(client, url("search"), data={"q": nothing})) == [], nothing


def test_search_results_show_the_summary_or_say_there_is_no_report(client, ledger):
    page = parse(get_ok(client, url("search"), data={"q": "ハコダテ"}))
    assert listing_rows(page) == [
        ["函館市", HAKODATE, "北海道", "—", "公表された報告はまだありません"]
    ]
    page = parse(get_ok(client, url("search"), data={"q": "釧路"}))
    assert listing_rows(page)[0][-1] == "50.0%"


def test_empty_search_shows_the_form_only(client, ledger):
    html = get_ok(client, url("search")).content.decode()
    assert '<form class="org-search no-print" role="search" method="get"' in html
    assert "検索結果" not in html


def test_home_and_national_page_carry_a_search_form_that_needs_no_script(client, ledger):
    for page_url in (url("home"), url("nation")):
        html = get_ok(client, page_url).content.decode()
        form = '<form class="org-search no-print" role="search" method="get"'
        assert f'{form} action="{url("search")}">' in html, page_url
        assert '<label for="org-search-q">' in html and 'name="q"' in html
    assert url("nation") in parse(get_ok(client, url("home"))).urls


def test_search_sorts_and_pages_keep_the_query(client, ledger):
    registered(KUSHIRO_TOWN, "釧路町")
    response = get_ok(client, url("search"), data={"q": "くしろ", "sort": "name", "order": "desc"})
    assert names(response) == ["釧路町", "釧路市"]  # クシロチョウ after クシロシ
    html = response.content.decode()
    assert (
        f'href="{url("search")}?q=%E3%81%8F%E3%81%97%E3%82%8D&amp;sort=name&amp;order=asc"' in html
    )


# --- CSV ----------------------------------------------------------------------------------------


def test_national_csv_has_every_prefecture_and_the_total(client, ledger):
    response = get_ok(client, url("nation_prefectures_csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert 'filename="nation_prefectures_latest.csv"' in disposition
    assert "filename*=UTF-8''%E5%85%A8%E5%9B%BD" in disposition  # 全国…
    rows = csv_rows(response)
    assert rows[0] == [
        "都道府県コード", "都道府県", "団体数", "報告のある団体数", "指標数", "達成", "概ね達成",
        "未達成", "実績なし", "目標年度前", "目標年度を迎えた指標数", "達成割合（%）",
    ]  # fmt: skip
    assert rows[1] == ["01", "北海道", "3", "2", "11", "4", "1", "3", "1", "2", "9", "44.4"]
    assert rows[2] == ["02", "青森県", "0", "0", "0", "0", "0", "0", "0", "0", "0", ""]
    assert rows[-1] == ["00", "全国", "4", "3", "13", "6", "1", "3", "1", "2", "11", "54.5"]
    assert len(rows) == 1 + 47 + 1


def test_organization_csvs_follow_the_year_and_the_sort(client, ledger):
    judged(KUSHIRO, 2022, achieved=1, not_achieved=1)
    rows = csv_rows(get_ok(client, url("nation_organizations_csv"), data={"sort": "share"}))
    assert rows[0][:6] == [
        "団体コード",
        "団体名",
        "団体名（かな）",
        "都道府県",
        "報告年度",
        "報告年度（和暦）",
    ]
    assert [r[1] for r in rows[1:]] == ["千代田区", "釧路市", "札幌市"]
    assert rows[2] == [KUSHIRO, "釧路市", "クシロシ", "北海道", "2023", "令和5年度",
                       "8", "3", "1", "1", "1", "2", "6", "50.0"]  # fmt: skip
    earlier = get_ok(client, url("nation_organizations_csv"), data={"year": "2022"})
    assert 'filename="nation_organizations_2022.csv"' in earlier["Content-Disposition"]
    assert [r[:5] for r in csv_rows(earlier)[1:]] == [
        [KUSHIRO, "釧路市", "クシロシ", "北海道", "2022"]
    ]
    prefecture = csv_rows(get_ok(client, url("prefecture_csv", "13")))
    assert [r[1] for r in prefecture[1:]] == ["千代田区"]
    assert client.get(url("prefecture_csv", "99")).status_code == 404
    page = parse(get_ok(client, url("nation"), data={"year": "2022"}))
    assert f"{url('nation_prefectures_csv')}?year=2022" in page.urls


def test_a_name_that_looks_like_a_formula_stays_text_in_the_csv(client):
    judged("011002", name='=HYPERLINK("http://x")', achieved=1)
    rows = csv_rows(get_ok(client, url("nation_organizations_csv")))
    assert rows[1][1] == '\'=HYPERLINK("http://x")'


# --- escaping, languages, the home page ---------------------------------------------------------


def test_hostile_names_and_queries_are_escaped(client):
    hostile = "<script>alert(1)</script>"
    judged(SAPPORO, name=hostile, achieved=1)
    pages = [
        get_ok(client, url("nation")),
        get_ok(client, url("prefecture", "01")),
        get_ok(client, url("search"), data={"q": "<script>"}),
        get_ok(client, url("search"), data={"q": '"><img src=x onerror=alert(1)>'}),
        get_ok(client, url("home")),
    ]
    for response in pages:
        html = response.content.decode()
        assert hostile not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html or "&quot;&gt;&lt;img" in html


@pytest.mark.parametrize("language", ["ja", "en"])
def test_pages_in_both_languages(client, ledger, language):
    for name, args in (("nation", ()), ("prefecture", ("01",)), ("search", ())):
        response = get_ok(client, url(name, *args, language=language), data={"q": "釧路"})
        html = response.content.decode()
        assert f'<html lang="{language}">' in html
        page = parse(response)
        kushiro = row_with(page, "釧路市")
        assert kushiro[3] == ("R5年度" if language == "ja" else "FY2023"), name
        if language == "ja":
            assert "✔</span> 達成</span>" in html and "団体コード" in html
        else:
            assert "✔</span> Achieved</span>" in html and "Organization code" in html
            assert 'data-label="団体コード"' not in html and "</span> 達成</span>" not in html


def test_every_comparison_page_passes_the_public_page_rules(client, ledger):
    """No inline script or style, local assets only, breadcrumbs from the list of
    organizations, and no Python value shown."""
    from kpiledger.web.ledger.tests.test_csp import assert_no_inline_code, assert_strict_policy

    for page_url in (url("nation"), url("prefecture", "01"), f"{url('search')}?q=釧路"):
        response = get_ok(client, page_url)
        assert_strict_policy(response, page_url)
        assert_no_inline_code(response, page_url)
        html = response.content.decode()
        crumbs = html[html.index('<nav class="breadcrumbs"') :]
        assert crumbs.index(f'<a href="{url("home")}">') < crumbs.index('aria-current="page"')
        for script in parse(response).scripts:
            assert script.get("src", "").startswith("/static/ledger/") or script.get("type") == (
                "application/json"
            )
        for python in (">None<", ">True<", ">False<", "[]", "{'"):
            assert python not in html, (page_url, python)


def test_home_page_is_paginated_and_keeps_its_rows(client):
    codes = sorted(c for c in nation_codes() if c.startswith("01"))[:60]
    for code in codes:
        registered(code)
    judged(codes[0], achieved=1)
    first = parse(get_ok(client, url("home")))
    assert len([r for r in first.rows if len(r) == 4 and r[1] in codes]) == 50
    assert row_with(first, "札幌市") == ["札幌市", SAPPORO, "北海道", "R5年度"]
    second = parse(get_ok(client, url("home"), data={"page": "2"}))
    assert [r[1] for r in second.rows if len(r) == 4 and r[1] in codes] == codes[50:]


# --- the real judgements ----------------------------------------------------------------------


def test_the_reference_report_judged_by_the_service(client):
    import_reference()
    judgements.rejudge(m.Organization.objects.get(code=KUSHIRO))
    page = parse(get_ok(client, url("nation")))
    # 24 KPIs: 14 achieved, 4 nearly, 6 not achieved, as the report's dashboard counts them
    assert listing_rows(page) == [
        ["釧路市", KUSHIRO, "北海道", "R5年度", "24", "14", "4", "6", "0", "0", "58.3%"]
    ]
    assert row_with(page, "北海道")[1:] == ["1", "1", "24", "14", "4", "6", "0", "0", "58.3%"]


# --- queries ----------------------------------------------------------------------------------


def queries(client, page_url: str) -> int:  # type: ignore[no-untyped-def]
    client.get(page_url)  # warm-up
    with CaptureQueriesContext(connection) as captured:
        assert client.get(page_url).status_code == 200, page_url
    return len(captured)


def comparison_urls() -> list[str]:
    return [
        url("nation"),
        f"{url('nation')}?sort=share&page=2",
        f"{url('nation')}?year=2023",
        url("prefecture", "01"),
        f"{url('search')}?q=01",
        url("home"),
        url("nation_prefectures_csv"),
        url("nation_organizations_csv"),
    ]


def test_queries_do_not_grow_with_the_organizations(client, django_assert_num_queries):
    hokkaido = sorted(c for c in nation_codes() if c.startswith("01"))
    for code in hokkaido[:3]:
        judged(code, achieved=1, not_achieved=1)
    few = {page_url: queries(client, page_url) for page_url in comparison_urls()}
    for code in hokkaido[3:30]:
        judged(code, achieved=2, nearly_achieved=1, not_due=1)
    for code in hokkaido[30:33]:
        registered(code)  # registered, no report
    assert m.Organization.objects.count() == 33 and m.Judgement.objects.count() == 114
    for page_url, count in few.items():
        client.get(page_url)
        with django_assert_num_queries(count):
            assert client.get(page_url).status_code == 200, page_url
    assert few[url("nation")] <= 6


def test_nation_service_counts_in_one_grouped_query(django_assert_num_queries):
    judged(KUSHIRO, achieved=1)
    judged(SAPPORO, achieved=1, not_due=1)
    # public years, report years per organization, judgements counted, organizations
    with django_assert_num_queries(4):
        comparison = nation.compare()
    assert [(o.code, o.summary.kpis) for o in comparison.organizations] == [
        (SAPPORO, 2),
        (KUSHIRO, 1),
    ]
