"""The category comparison pages: /fields/, /field/<field>/ (?year=, ?org=), their CSV.

Stored judgements are written directly with known statuses and rates (`judged`), so every
count, share, median and rank on the page can be checked by hand (the ledger below); the
formulas themselves are checked on their own first (core.distribution).

The ledger (FY2023, tourism; 概ね達成 from 80%):

| organization | population (band) | rates (status) | median |
|---|---|---|---|
| 札幌市 011002 | 1,973,395 (50万人以上) | 120 ✔, 85 △, 40 ✘ | 85.0 |
| 釧路市 012068 | 160,000 (10万〜20万人) | 100 ✔, 60 ✘, no data, 30 (not due) | 80.0 |
| 函館市 012025 | 240,000 (20万〜50万人) | 80 △, 50 ✘ | 65.0 |
| 旭川市 012041 | 320,000 (20万〜50万人) | 100 ✔, 60 ✘ | 80.0 |
| 千代田区 131016 | 68,000 (5万〜10万人) | 150 ✔ | 150.0 |
| 北海道 010006 | prefecture | 110 ✔ | 110.0 |

Twelve KPIs are due: < 50 one (40), 50–80 three (60, 50, 60), 80–100 two (85, 80), ≥ 100 five,
no rate one; 5 achieved (41.7%). Among 北海道's municipalities 釧路市 (80.0) is 2nd of 4, tied
with 旭川市 (both 2nd), below 札幌市, above 函館市: higher than 1 of the other 3 (33.3%).
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

from kpiledger.core.categories import Field, population_band
from kpiledger.core.distribution import bin_of, median, rate_bins, share, standing, standings
from kpiledger.core.orgcode import local_governments
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services import comparison, importing
from kpiledger.web.ledger.tests.test_pages import get_ok, parse, row_with

YEAR = 2023
SAPPORO, KUSHIRO, HAKODATE, ASAHIKAWA = "011002", "012068", "012025", "012041"
CHIYODA, HOKKAIDO = "131016", "010006"
D = Decimal


# --- the formulas (core.distribution) -------------------------------------------------------


def test_rate_bins_follow_the_nearly_threshold():
    keys = [b.key for b in rate_bins(D(80))]
    assert keys == ["lt50", "50-80", "80-100", "ge100", "none"]
    assert [b.nearly for b in rate_bins(D(80))] == [False, False, True, False, False]
    assert [b.key for b in rate_bins(D(40))] == ["lt40", "40-100", "ge100", "none"]
    assert [b.key for b in rate_bins(D("72.5"))] == ["lt50", "50-72.5", "72.5-100", "ge100", "none"]
    bins = rate_bins(D(80))
    # lower bounds inclusive, upper bounds exclusive; negative rates are below 50
    assert [bin_of(D(v), bins).key for v in ("49.9", "50", "79.9", "80", "99.9", "100", "-20")] == [
        "lt50",
        "50-80",
        "50-80",
        "80-100",
        "80-100",
        "ge100",
        "lt50",
    ]
    assert bin_of(None, bins).key == "none"


def test_median_is_the_middle_or_the_mean_of_the_two_rounded_half_up():
    assert median([]) is None
    assert median([D(40), D(120), D(85)]) == D("85.0")
    assert median([D(100), D(60)]) == D("80.0")
    assert median([D("80.1"), D("80.2")]) == D("80.2")  # 80.15 → 80.2 (ROUND_HALF_UP)
    assert median([D("-10.1"), D("-10.2")]) == D("-10.2")  # −10.15 → −10.2 (half away from 0)


def test_standing_ranks_ties_together_and_counts_only_lower_others():
    group = [D(85), D(80), D(65), D(80)]
    found = standing(D(80), group)
    assert (found.rank, found.of, found.above, found.ties, found.below) == (2, 4, 1, 1, 1)
    assert found.percentile == D("33.3")  # 1 of the 3 others is lower
    assert standing(D(85), group).percentile == D("100.0")
    assert standing(D(65), group).rank == 4  # 1, 2, 2, 4: a tie skips a rank
    alone = standing(D(80), [D(80)])
    assert (alone.rank, alone.of, alone.percentile) == (1, 1, None)
    all_tied = standing(D(100), [D(100)] * 3)
    assert (all_tied.rank, all_tied.ties, all_tied.percentile) == (1, 2, D("0.0"))
    # all at once, as the CSV ranks every organization
    assert standings(group) == {v: standing(v, group) for v in group}


def test_share_is_one_decimal_and_none_for_nothing():
    assert share(5, 12) == D("41.7")
    assert share(1, 12) == D("8.3")
    assert share(0, 0) is None


def test_population_bands():
    assert population_band(9_999).key == "under-10k"
    assert population_band(10_000).key == "10k-50k"
    assert population_band(160_000).key == "100k-200k"
    assert population_band(500_000).key == "500k-plus"
    assert population_band(None).key == "unknown"


# --- building a ledger of judgements ----------------------------------------------------------


def organization(
    code: str, population: int | None = None, name: str | None = None, year: int = YEAR
) -> m.Organization:
    """The organization (named by the bundled table unless `name`), its report of `year`
    published."""
    org = m.Organization.objects.filter(code=code).first() or importing.organization_for(code, name)
    if population is not None:
        org.population = population
    org.save()
    m.FiscalYear.objects.update_or_create(
        organization=org, year=year, defaults={"published_at": timezone.now()}
    )
    return org


def judged(
    org: m.Organization,
    *kpis: tuple[str, str | None],
    field: Field = Field.TOURISM,
    year: int = YEAR,
) -> None:
    """One project with a KPI and a stored judgement per (status, rate)."""
    number = m.Project.objects.filter(organization=org).count() + 1
    project = m.Project.objects.create(organization=org, name=f"事業{number}", section="対象事業")
    rows = m.Kpi.objects.bulk_create(
        m.Kpi(project=project, indicator=f"指標{i}", unit="人", target=D(100), position=i)
        for i in range(len(kpis))
    )
    m.Judgement.objects.bulk_create(
        judgement(org, project, kpi, year, status, rate, field, i)
        for i, (kpi, (status, rate)) in enumerate(zip(rows, kpis, strict=True))
    )


def judgement(  # type: ignore[no-untyped-def]
    org, project, kpi, year: int, status: str, rate: str | None, field: Field, position: int
) -> m.Judgement:
    return m.Judgement(
        kpi=kpi,
        organization=org,
        project=project,
        fiscal_year=year,
        position=position,
        status=status,
        rate=None if rate is None else D(rate),
        goal=field.goal.value,
        field=field.value,
        nearly=D(80),
        record={},
    )


A, N, X = "achieved", "nearly_achieved", "not_achieved"


@pytest.fixture
def ledger(db: None) -> None:
    build_ledger()


def build_ledger() -> None:
    """The ledger of the module docstring."""
    judged(organization(SAPPORO, 1_973_395), (A, "120"), (N, "85"), (X, "40"))
    kushiro = organization(KUSHIRO, 160_000)
    judged(kushiro, (A, "100"), (X, "60"), ("no_data", None), ("not_due", "30"))
    judged(organization(HAKODATE, 240_000), (N, "80"), (X, "50"))
    judged(organization(ASAHIKAWA, 320_000), (A, "100"), (X, "60"))
    judged(organization(CHIYODA, 68_000), (A, "150"))
    judged(organization(HOKKAIDO, 5_000_000), (A, "110"))
    # another field and another year, never counted in FY2023's tourism
    judged(kushiro, (X, "10"), (X, "20"), field=Field.EMPLOYMENT)
    judged(organization(KUSHIRO, year=2022), (X, "5"), year=2022)


def url(name: str, *args: str, language: str = "ja") -> str:
    with translation.override(language):
        return reverse(f"ledger:{name}", args=args)


def field_url(query: str = "", field: str = "tourism", language: str = "ja") -> str:
    return url("field", field, language=language) + (f"?{query}" if query else "")


def org_codes(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The codes of the rows of the table of organizations, in order."""
    return [row[1] for row in page.rows if len(row) > 2 and len(row[1]) == 6 and row[1].isdigit()]


def data_row(page, first: str, cells: int | None = None) -> list[str]:  # type: ignore[no-untyped-def]
    """The first table row whose first cell is `first` and that holds numbers (of `cells`
    cells, when given)."""
    return next(
        row
        for row in page.rows
        if row and row[0] == first and row[1][:1].isdigit() and cells in (None, len(row))
    )


def csv_rows(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM for Excel"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def chart(response, chart_id: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    return json.loads(parse(response).script_text[chart_id])


# --- the service --------------------------------------------------------------------------------


def test_service_counts_bins_medians_and_groups(ledger):
    years = comparison.judged_years(Field.TOURISM)
    assert years == [2023, 2022]
    c = comparison.compare_field(Field.TOURISM, YEAR, D(80), years)
    assert (c.tally.kpis, c.tally.due, c.tally.achieved) == (13, 12, 5)
    assert dict(c.tally.bins) == {"lt50": 1, "50-80": 3, "80-100": 2, "ge100": 5, "none": 1}
    assert c.tally.median == D("85.0") and c.tally.achieved_share == D("41.7")
    medians = {o.code: o.median for o in c.organizations}
    assert medians == {
        HOKKAIDO: D("110.0"),
        SAPPORO: D("85.0"),
        HAKODATE: D("65.0"),
        ASAHIKAWA: D("80.0"),
        KUSHIRO: D("80.0"),
        CHIYODA: D("150.0"),
    }
    # municipalities per prefecture (北海道 itself is compared with prefectures), code order
    assert [(g.key, [o.code for o in g.organizations]) for g in c.prefectures] == [
        ("北海道", [SAPPORO, HAKODATE, ASAHIKAWA, KUSHIRO]),
        ("東京都", [CHIYODA]),
    ]
    assert [(g.key, len(g.organizations)) for g in c.bands] == [
        ("50k-100k", 1),
        ("100k-200k", 1),
        ("200k-500k", 2),
        ("500k-plus", 1),
        ("prefecture", 1),
    ]


def test_service_standing_in_prefecture_and_band(ledger):
    c = comparison.compare_field(Field.TOURISM, YEAR, D(80), [YEAR])
    kushiro = c.position(KUSHIRO)
    assert kushiro is not None and kushiro.in_prefecture is not None
    assert (kushiro.in_prefecture.rank, kushiro.in_prefecture.of) == (2, 4)
    assert kushiro.in_prefecture.ties == 1 and kushiro.in_prefecture.percentile == D("33.3")
    assert kushiro.band.key == "100k-200k" and kushiro.in_band is not None
    assert (kushiro.in_band.rank, kushiro.in_band.of, kushiro.in_band.percentile) == (1, 1, None)
    hakodate = c.position(HAKODATE)
    assert hakodate is not None and hakodate.in_band is not None
    assert (hakodate.in_band.rank, hakodate.in_band.of, hakodate.in_band.percentile) == (
        2,
        2,
        D("0.0"),
    )
    prefecture = c.position(HOKKAIDO)
    assert prefecture is not None
    assert prefecture.prefecture is None and prefecture.in_prefecture is None
    assert prefecture.band.key == "prefecture"
    assert c.position("999999") is None


def test_a_draft_years_judgements_never_show(ledger):
    org = organization(SAPPORO)
    m.FiscalYear.objects.filter(organization=org, year=YEAR).update(published_at=None)
    c = comparison.compare_field(Field.TOURISM, YEAR, D(80), [YEAR])
    assert SAPPORO not in [o.code for o in c.organizations]
    assert c.tally.kpis == 10


# --- the field page -------------------------------------------------------------------------------


def test_distribution_table_and_chart(client, ledger):
    response = get_ok(client, field_url("year=2023"))
    page = parse(response)
    assert row_with(page, "50%未満") == ["50%未満", "1", "8.3%"]
    assert row_with(page, "50%以上80%未満") == ["50%以上80%未満", "3", "25.0%"]
    assert row_with(page, "80%以上100%未満（概ね達成）") == [
        "80%以上100%未満（概ね達成）",
        "2",
        "16.7%",
    ]
    assert row_with(page, "100%以上") == ["100%以上", "5", "41.7%"]
    assert row_with(page, "達成率なし") == ["達成率なし（実績なし・算出不可）", "1", "8.3%"]
    data = chart(response, "distribution-data")
    assert data["kind"] == "bin-bar"
    assert data["series"] == [{"name": "全団体", "values": ["8.3", "25.0", "16.7", "41.7", "8.3"]}]
    html = response.content.decode()
    assert 'data-chart="distribution-data" role="img"' in html
    assert "目標年度を迎えた12指標" in html and "目標年度前 1" in html


def test_groups_per_prefecture_and_band(client, ledger):
    page = parse(get_ok(client, field_url()))
    # municipalities only: 札幌 3 + 釧路 4 + 函館 2 + 旭川 2 = 11 KPIs, 10 due, 3 achieved
    assert row_with(page, "北海道") == ["北海道", "4", "11", "10", "3", "30.0%", "80.0%"]
    assert row_with(page, "東京都") == ["東京都", "1", "1", "1", "1", "100.0%", "150.0%"]
    assert row_with(page, "20万〜50万人") == ["20万〜50万人", "2", "4", "4", "1", "25.0%", "70.0%"]
    assert data_row(page, "都道府県")[:3] == ["都道府県", "1", "1"]


def test_organization_table_sorts_and_marks_no_value_last(client, ledger):
    def codes(query: str) -> list[str]:
        page = parse(get_ok(client, field_url(query)))
        return org_codes(page)

    assert codes("") == [HOKKAIDO, SAPPORO, HAKODATE, ASAHIKAWA, KUSHIRO, CHIYODA]
    # equal medians (旭川市, 釧路市: 80.0) keep code order either way
    assert codes("sort=-median") == [CHIYODA, HOKKAIDO, SAPPORO, ASAHIKAWA, KUSHIRO, HAKODATE]
    assert codes("sort=median") == [HAKODATE, ASAHIKAWA, KUSHIRO, SAPPORO, HOKKAIDO, CHIYODA]
    assert codes("sort=-kpis")[:1] == [KUSHIRO]
    assert codes("sort=bogus") == codes("")  # an unknown sort: code order
    assert codes("pref=東京都") == [CHIYODA]
    assert codes("band=200k-500k&sort=-median") == [ASAHIKAWA, HAKODATE]
    page = parse(get_ok(client, field_url("sort=-median")))
    assert row_with(page, "釧路市")[:7] == [
        "釧路市",
        KUSHIRO,
        "北海道",
        "160,000",
        "4",
        "80.0%",
        "33.3%",
    ]


def test_sort_headers_carry_aria_sort_and_link_to_the_other_order(client, ledger):
    html = get_ok(client, field_url("sort=-median")).content.decode()
    assert 'aria-sort="descending"' in html
    assert "sort=median" in html  # the header links to ascending
    assert html.count("aria-sort=") == 1


def test_organizations_are_paginated_fifty_a_page(client, db):
    codes = sorted(
        code
        for code, g in local_governments().items()
        if code.startswith("01") and g.is_municipality
    )[:55]
    for code in codes:
        judged(organization(code), (A, "100"))
    first = parse(get_ok(client, field_url()))
    shown = [c for c in org_codes(first) if c in codes]
    assert shown == codes[:50]
    html = get_ok(client, field_url()).content.decode()
    assert 'rel="next"' in html and "1 / 2 ページ" in html
    second = parse(get_ok(client, field_url("page=2")))
    assert [c for c in org_codes(second) if c in codes] == codes[50:]
    # the chosen organization's page is shown when no page is asked for
    chosen = parse(get_ok(client, field_url(f"org={codes[52]}")))
    assert [c for c in org_codes(chosen) if c in codes] == codes[50:]
    # a page past the last shows the last
    assert org_codes(parse(get_ok(client, field_url("page=99"))))[-1] == codes[-1]


def test_where_an_organization_stands(client, ledger):
    response = get_ok(client, field_url(f"year=2023&org={KUSHIRO}"))
    html = response.content.decode()
    assert "釧路市の位置" in html
    assert (
        "釧路市の達成率の中央値は80.0%で、北海道の4団体中2位です。"
        "（中央値が同じ団体が他に1団体あり、同順位です。）"
        "他の3団体のうち1団体（33.3%）より高い値です。"
    ) in html
    assert "釧路市の達成率の中央値は80.0%で、人口規模「10万〜20万人」の1団体中1位です。" in html
    # the prefecture's chart marks the bin of 釧路市's median (80–100), its table says so
    data = chart(response, "standing-prefecture-data")
    assert data["series"][0]["values"] == [0, 1, 3, 0]  # 65 | 80, 80, 85
    assert data["marked"] == 2 and data["marked_label"] == "釧路市の位置"
    page = parse(response)
    assert row_with(page, "80%以上100%未満（概ね達成） ◀ 釧路市はここ")[1:] == ["3", "75.0%"]
    # the distribution compares 釧路市's KPIs with everyone's
    assert chart(response, "distribution-data")["series"][1] == {
        "name": "釧路市",
        "values": ["0", "33.3", "0", "33.3", "33.3"],
    }
    assert data_row(page, "100%以上", cells=5) == ["100%以上", "5", "41.7%", "1", "33.3%"]
    # its row in the table, its prefecture and its band are marked
    assert row_with(page, "釧路市 ◀ この団体")[1] == KUSHIRO
    assert row_with(page, "北海道 ◀ この団体")[1] == "4"
    assert row_with(page, "10万〜20万人 ◀ この団体")[1] == "1"


def test_standing_of_a_prefecture_and_of_an_organization_without_a_rate(client, ledger):
    html = get_ok(client, field_url(f"org={HOKKAIDO}")).content.decode()
    assert "北海道内での位置" not in html
    assert "北海道の達成率の中央値は110.0%で、人口規模「都道府県」の1団体中1位です。" in html
    judged(organization("012131", 30_000), ("no_data", None), (A, None))  # 苫小牧市
    html = get_ok(client, field_url("org=012131")).content.decode()
    assert "順位はありません" in html


def test_an_organization_without_the_field_or_a_bad_code_is_said_so(client, ledger):
    html = get_ok(client, field_url("org=131130")).content.decode()  # 渋谷区: not in the field
    assert "団体コード 131130 の団体には、R5年度のこの分野の指標がありません。" in html
    assert "has no KPI of this field in FY2023" in html
    html = get_ok(client, field_url("org=abc")).content.decode()
    assert "団体コードは半角数字6桁で指定してください。" in html


def test_the_latest_year_by_default_and_links_to_the_others(client, ledger):
    page = parse(get_ok(client, field_url()))
    assert "R5年度" in get_ok(client, field_url()).content.decode()
    assert field_url("year=2022") in page.urls
    old = parse(get_ok(client, field_url("year=2022")))
    assert row_with(old, "50%未満") == ["50%未満", "1", "100.0%"]


def test_unknown_field_is_a_bilingual_404_listing_the_fields(client, ledger):
    response = client.get(field_url(field="<script>x"))
    assert response.status_code == 404
    html = response.content.decode()
    assert "分野「&lt;script&gt;x」はありません" in html
    assert "There is no field “&lt;script&gt;x”" in html
    assert "<script>x" not in html
    assert field_url() in parse(response).urls  # the list of fields


@pytest.mark.parametrize(
    ("year", "status", "words"),
    [
        ("abc", 400, "年度「abc」を読めません"),
        ("20234", 400, "give it as a western year in digits"),
        ("2031", 404, "R13年度（2031年度）のこの分野の評価はありません"),
        ("1200", 404, "There are no judgements of this field for fiscal year 1200"),
    ],
)
def test_a_bad_year_is_said_clearly_with_the_years_there_are(client, ledger, year, status, words):
    response = client.get(field_url(f"year={year}"))
    assert response.status_code == status
    assert words in response.content.decode()
    assert field_url("year=2023") in parse(response).urls


def test_a_field_without_judgements_says_so(client, ledger):
    response = get_ok(client, field_url(field="safety"))
    assert "この分野の評価を保存した報告書はまだありません。" in response.content.decode()


def test_user_data_is_escaped(client, db):
    hostile = "<script>alert(1)</script>"
    judged(organization(SAPPORO, name=hostile), (A, "100"))
    for page_url in (
        field_url(f"org={SAPPORO}"),
        field_url('pref="><img src=x onerror=alert(1)>'),
        field_url("org=<b>"),
    ):
        html = get_ok(client, page_url).content.decode()
        assert hostile not in html and "<img src=x" not in html and "<b>" not in html
    html = get_ok(client, field_url(f"org={SAPPORO}")).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("language", ["ja", "en"])
def test_pages_in_both_languages(client, ledger, language):
    response = get_ok(
        client, field_url(f"org={KUSHIRO}", language=language), HTTP_ACCEPT_LANGUAGE=language
    )
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    page = parse(response)
    if language == "ja":
        assert "分野「観光」の比較" in html and "R5年度" in html
        assert row_with(page, "50%未満")[0] == "50%未満"
    else:  # the words of the ledger's own enums; the page's other words once the catalog has them
        assert "Tourism" in html and "FY2023" in html and "観光" not in html
        assert "100,000–199,999" in html and "Jobs and start-ups" not in html
    index = get_ok(client, url("fields", language=language), HTTP_ACCEPT_LANGUAGE=language)
    assert ("観光" if language == "ja" else "Tourism") in index.content.decode()


def test_every_field_page_passes_the_public_page_rules(client, ledger):
    from kpiledger.web.ledger.tests.test_csp import assert_no_inline_code, assert_strict_policy

    for page_url in (url("fields"), field_url(), field_url(f"org={KUSHIRO}")):
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
        for python in (">None<", ">True<", ">False<", "{'"):
            assert python not in html, (page_url, python)


# --- the index of fields ----------------------------------------------------------------------


def test_index_lists_every_field_under_its_goal(client, ledger):
    response = get_ok(client, url("fields"))
    page = parse(response)
    # tourism: 13 KPIs, 12 due, 5 achieved (41.7%), 6 organizations
    assert row_with(page, "観光") == ["観光", "13", "12", "5", "41.7%", "6"]
    assert row_with(page, "雇用・創業") == ["雇用・創業", "2", "2", "0", "0.0%", "1"]
    assert row_with(page, "防災・安全") == ["防災・安全", "0", "0", "0", "—", "0"]
    html = response.content.decode()
    for goal in ("しごと", "人の流れ・移住", "結婚・出産・子育て", "魅力的な地域・まち"):
        assert f"基本目標「{goal}」" in html
    assert field_url("year=2023") in page.urls
    # a field without KPIs that year is named, not linked: its page would be a 404
    assert not any(u.startswith(url("field", "safety")) for u in page.urls)
    old = parse(get_ok(client, url("fields") + "?year=2022"))
    assert row_with(old, "観光") == ["観光", "1", "1", "0", "0.0%", "1"]
    assert client.get(url("fields") + "?year=x").status_code == 400


# --- CSV --------------------------------------------------------------------------------------


def csv_url(table: str, query: str = "year=2023") -> str:
    return url("field_csv", "tourism", table) + f"?{query}"


def test_csv_of_each_table(client, ledger):
    rows = csv_rows(get_ok(client, csv_url("distribution", f"year=2023&org={KUSHIRO}")))
    assert rows[0] == [
        "区分",
        "区分コード",
        "下限（%以上）",
        "上限（%未満）",
        "指標数",
        "割合（%）",
        "釧路市の指標数",
        "釧路市の割合（%）",
    ]
    assert rows[1] == ["50%未満", "lt50", "", "50", "1", "8.3", "0", "0.0"]
    assert rows[5] == ["達成率なし（実績なし・算出不可）", "none", "", "", "1", "8.3", "1", "33.3"]
    prefectures = csv_rows(get_ok(client, csv_url("prefectures")))
    assert prefectures[1] == ["北海道", "4", "11", "10", "3", "30.0", "80.0"]
    bands = csv_rows(get_ok(client, csv_url("bands")))
    assert bands[0][0] == "人口規模" and [r[0] for r in bands[1:]] == [
        "5万〜10万人",
        "10万〜20万人",
        "20万〜50万人",
        "50万人以上",
        "都道府県",
    ]
    response = get_ok(client, csv_url("organizations"))
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    assert "field_tourism_2023_organizations.csv" in response["Content-Disposition"]
    orgs = csv_rows(response)
    kushiro = next(r for r in orgs if r[0] == KUSHIRO)
    header = orgs[0]
    assert dict(zip(header, kushiro, strict=True)) == {
        "団体コード": KUSHIRO,
        "団体名": "釧路市",
        "都道府県": "北海道",
        "人口": "160000",
        "人口規模": "10万〜20万人",
        "指標数": "4",
        "目標年度を迎えた指標数": "3",
        "達成": "1",
        "概ね達成": "0",
        "未達成": "1",
        "実績なし": "1",
        "目標年度前": "1",
        "達成割合（%）": "33.3",
        "達成率の中央値（%）": "80.0",
        "県内順位": "2",
        "県内の順位のある団体数": "4",
        "人口規模内順位": "1",
        "人口規模内の順位のある団体数": "1",
    }
    hokkaido = next(r for r in orgs if r[0] == HOKKAIDO)
    assert hokkaido[-4:] == ["", "", "1", "1"]  # a prefecture: no rank among municipalities
    assert client.get(url("field_csv", "tourism", "bogus")).status_code == 404
    assert client.get(url("field_csv", "bogus", "bands")).status_code == 404


def test_a_name_that_looks_like_a_formula_stays_text_in_the_csv(client, db):
    judged(organization(SAPPORO, name="=1+2"), (A, "100"))
    rows = csv_rows(get_ok(client, csv_url("organizations")))
    assert rows[1][1] == "'=1+2"


# --- the organization's report links to its fields ----------------------------------------------


def test_the_report_page_links_to_the_fields_of_its_kpis(client, db):
    from kpiledger.web.ledger.tests.factories import import_reference

    import_reference()  # 釧路市's R5 report, so that its report page exists
    m.Judgement.objects.all().delete()  # the service's, replaced by known ones
    kushiro = organization(KUSHIRO)
    judged(kushiro, (A, "100"), (X, "60"), (N, "85"))
    judged(kushiro, (A, "100"), field=Field.EDUCATION)
    response = get_ok(client, url("report", KUSHIRO, "2023"))
    page = parse(response)
    assert field_url(f"year=2023&org={KUSHIRO}") + "#standing" in page.urls
    html = response.content.decode()
    assert "分野別の比較" in html and "観光（3）" in html and "教育・人材育成（1）" in html
    assert html.index("観光（3）") < html.index("教育・人材育成（1）")  # in the order of the fields
    m.Judgement.objects.all().delete()
    assert (
        "field-links-heading" not in get_ok(client, url("report", KUSHIRO, "2023")).content.decode()
    )


# --- queries and time -------------------------------------------------------------------------


def hokkaido_codes() -> list[str]:
    return sorted(
        code
        for code, g in local_governments().items()
        if code.startswith("01") and g.is_municipality
    )


def page_urls(code: str) -> list[str]:
    return [
        url("fields"),
        field_url(),
        field_url(f"org={code}&sort=-median&page=1"),
        csv_url("organizations"),
        csv_url("distribution", f"year=2023&org={code}"),
    ]


def test_queries_do_not_grow_with_the_organizations(client, db, django_assert_num_queries):
    codes = hokkaido_codes()
    for code in codes[:3]:
        judged(organization(code, 5_000), (A, "100"), (X, "40"))
    counts = {}
    for page_url in page_urls(codes[0]):
        client.get(page_url)  # warm-up
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page_url).status_code == 200
        counts[page_url] = len(captured)
    for code in codes[3:30]:
        judged(organization(code, 60_000), (A, "120"), (N, "85"), ("not_due", "10"))
    assert m.Judgement.objects.count() == 3 * 2 + 27 * 3
    for page_url, count in counts.items():
        with django_assert_num_queries(count):
            assert client.get(page_url).status_code == 200, page_url
    # the field page: public years, the field's years, its judgements, their organizations
    assert counts[field_url()] <= 6


def test_compare_field_runs_two_queries(ledger, django_assert_num_queries):
    with django_assert_num_queries(2):
        comparison.compare_field(Field.TOURISM, YEAR, D(80), [YEAR])
