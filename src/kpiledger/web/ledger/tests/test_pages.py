"""The public pages: home, organization redirect, report table, dashboard, KPI page.

Content is checked against the reference report (釧路市 令和5年度) imported through the real
importer; a generated report of 40 projects × 5 KPIs shows that every page runs the same
number of queries however large the report is.
"""

from __future__ import annotations

import ast
import gettext
import json
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kpiledger.core.inference import infer_direction
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.tests import factories as f
from kpiledger.web.ledger.tests.factories import (
    OTOBETSU_USERS,
    REFERENCE_PATH,
    SATISFACTION,
    import_file,
    import_reference,
    make_organization,
)

pytestmark = pytest.mark.django_db

CODE, YEAR = "012068", 2023
LARGE_CODE = "011002"  # 札幌市: the generated large report
SCHOOLS = "標準学力検査結果平均正答率が全国比-5ポイント以下の学校数"  # lower is better: 5 → 6
NIGHTS = "欧米豪の訪日外国人延べ宿泊客数"  # 232 → 3,660: implausible-jump flag
RELATED_OTOBETSU = "【地方創生拠点整備交付金】 音別地域交流拠点施設整備事業"


# --- fixtures and helpers -------------------------------------------------------------------


@pytest.fixture
def reference() -> m.Organization:
    import_reference()
    return m.Organization.objects.get(code=CODE)


def large_report_text(projects: int = 40, kpis: int = 5) -> str:
    """A report in the reference layout with `projects` × `kpis` KPIs; every fifth KPI is due
    in R8.3 (not yet due in FY2023), the others vary between achieved and not achieved."""
    lines = REFERENCE_PATH.read_text(encoding="utf-8").splitlines()
    header_end = next(i for i, line in enumerate(lines) if line.rstrip().endswith("R5年度"))
    out = ["## 令和5年度テスト交付金事業の実績", "", *lines[4 : header_end + 1]]
    for p in range(projects):
        for k in range(kpis):
            due = "R8.3" if k == kpis - 1 else "R6.3"
            values = "\t".join(str(100 + p + k + step * (k + 1) * 10) for step in range(5))
            row = f"試験指標{p + 1}-{k + 1}利用者数\t{200 + k * 50:,}\t人\t{due}\t{values}"
            lead = f"試験事業{p + 1}\t試験事業{p + 1}の概要。" if k == 0 else "\t"
            out.append(f"{lead}\t{row}")
    return "\n".join(out) + "\n"


@pytest.fixture
def large(tmp_path: Path) -> m.Organization:
    path = tmp_path / "large_report.txt"
    path.write_text(large_report_text(), encoding="utf-8")
    import_file(path, code=LARGE_CODE, name="札幌市")
    return m.Organization.objects.get(code=LARGE_CODE)


def kpi_id(indicator: str, code: str = CODE) -> int:
    return m.Kpi.objects.get(indicator=indicator, project__organization__code=code).id


def report_url(code: str = CODE, year: int = YEAR) -> str:
    return reverse("ledger:report", args=[code, year])


def dashboard_url(code: str = CODE, year: int = YEAR) -> str:
    return reverse("ledger:dashboard", args=[code, year])


def kpi_url(indicator: str, code: str = CODE) -> str:
    return reverse("ledger:kpi", args=[code, kpi_id(indicator, code)])


class PageParser(HTMLParser):
    """Collects table rows (cell texts), URL attributes, scripts and elements by id."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.urls: list[str] = []
        self.scripts: list[dict[str, str | None]] = []
        self.script_text: dict[str, str] = {}
        self.by_id: dict[str, dict[str, str | None]] = {}
        self.charts: list[dict[str, str | None]] = []
        self._cell: list[str] | None = None
        self._script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.urls += [v for k, v in attrs if k in ("href", "src", "action", "srcset") and v]
        if "id" in attributes:
            self.by_id[attributes["id"] or ""] = attributes
        if attributes.get("data-chart"):
            self.charts.append(attributes)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "script":
            self.scripts.append(attributes)
            self._script = attributes.get("id") or ""
            self.script_text[self._script] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.rows:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._script is not None:
            self.script_text[self._script] += data


def parse(response) -> PageParser:  # type: ignore[no-untyped-def]
    parser = PageParser()
    parser.feed(response.content.decode())
    return parser


def row_with(page: PageParser, text: str) -> list[str]:
    """The first table row with a cell starting with `text`."""
    return next(row for row in page.rows if any(cell.startswith(text) for cell in row))


def get_ok(client, url: str, **extra):  # type: ignore[no-untyped-def]
    response = client.get(url, **extra)
    assert response.status_code == 200, url
    return response


# --- home and organization ------------------------------------------------------------------


def test_home_lists_organizations_with_their_report_years(client, reference):
    make_organization("011002", "札幌市")  # no report yet
    response = get_ok(client, reverse("ledger:home"))
    page = parse(response)
    assert row_with(page, "釧路市") == ["釧路市", "012068", "北海道", "R5年度"]
    assert row_with(page, "札幌市")[3] == "公表された報告はまだありません"
    assert report_url() in page.urls


def test_organization_redirects_to_its_latest_report(client, reference):
    response = client.get(reverse("ledger:organization", args=[CODE]))
    assert response.status_code == 302
    assert response["Location"] == report_url()


@pytest.mark.parametrize(
    "url",
    [
        "/org/999999/",
        "/org/999999/2023/",
        "/org/012068/2022/",
        "/org/012068/2022/dashboard/",
        "/org/999999/2023/dashboard/",
        "/org/012068/kpi/999999/",
    ],
)
def test_unknown_organization_year_or_kpi_is_404(client, reference, url):
    assert client.get(url).status_code == 404


def test_organization_without_report_is_404(client):
    make_organization("011002", "札幌市")
    assert client.get(reverse("ledger:organization", args=["011002"])).status_code == 404


def test_kpi_of_another_organization_or_unknown_year_is_404(client, reference, large):
    other = m.Kpi.objects.filter(project__organization=large).first()
    assert client.get(reverse("ledger:kpi", args=[CODE, other.id])).status_code == 404
    url = kpi_url(OTOBETSU_USERS)
    assert client.get(url, {"year": "2022"}).status_code == 404
    assert client.get(url, {"year": "R5"}).status_code == 404
    assert client.get(url, {"year": "2023"}).status_code == 200


# --- the report page ------------------------------------------------------------------------


def test_report_reproduces_the_official_table(client, reference):
    response = get_ok(client, report_url())
    html = response.content.decode()
    page = parse(response)
    assert "令和5年度デジタル田園都市国家構想交付金事業の実績" in html
    assert "【デジタル田園都市国家構想交付金（地方創生推進タイプ）対象事業】" in html
    assert "【デジタル田園都市国家構想交付金関連事業】" in html
    header = next(row for row in page.rows if "R1年度" in row)
    assert header[:3] == ["指標値", "単位", "年月"]
    assert header[3:] == ["R1年度", "R2年度", "R3年度", "R4年度", "R5年度"]
    otobetsu = row_with(page, RELATED_OTOBETSU)
    assert otobetsu[2:] == [OTOBETSU_USERS, "16,000", "人", "R6.3", "-", "-", "-", "33,633",
                            "35,245（評価対象年度）", "220.3%", "✔ 達成"]  # fmt: skip
    assert row_with(page, SCHOOLS)[-2:] == ["83.3%", "△ 概ね達成"]
    assert "（↓低いほど良い）" in row_with(page, SCHOOLS)[0]
    assert row_with(page, "特産品販売の売上額")[1:3] == ["1,300,000", "円"]
    assert row_with(page, SATISFACTION)[-3].startswith("73.5")
    kpi_link = f"{kpi_url(OTOBETSU_USERS)}?year=2023"
    assert kpi_link in page.urls


def test_report_table_semantics(client, reference):
    html = get_ok(client, report_url()).content.decode()
    assert html.count('<caption id="caption-') == 2
    assert '<th scope="colgroup" colspan="3">指標値</th>' in html
    assert '<th scope="colgroup" colspan="5">実績値</th>' in html
    assert '<th scope="col" class="year">R5年度</th>' in html
    assert f'<th scope="rowgroup" rowspan="3" class="project-name">{RELATED_OTOBETSU}</th>' in html
    assert '<td rowspan="3" class="project-summary">' in html
    assert '<th scope="row" class="indicator">' in html
    assert html.count('<tbody class="project">') == 7


def test_report_shows_each_projects_suggested_effect_with_reason(client, reference):
    page = parse(get_ok(client, report_url()))
    effects = [row[0] for row in page.rows if row and row[0].startswith("事業効果（提案）")]
    assert len(effects) == 7
    assert "事業効果（提案）: 地方創生に非常に効果的であった — 3指標とも達成" in effects
    assert (  # the テレワーク project: its badges are 未達成 and 概ね達成 (issue 7)
        "事業効果（提案）: 地方創生に効果がなかった — "
        "2指標中、概ね達成1指標・未達成1指標で、当初より改善した指標なし"
    ) in effects


def test_status_badge_is_icon_and_text_not_colour_alone(client, reference):
    html = get_ok(client, report_url()).content.decode()
    badge = ('<span class="badge badge--achieved"><span class="badge__icon" aria-hidden="true">'
             "✔</span> 達成</span>")  # fmt: skip
    assert badge in html
    assert '<span class="badge__icon" aria-hidden="true">△</span> 概ね達成' in html
    assert '<span class="badge__icon" aria-hidden="true">✘</span> 未達成' in html


def test_report_print_stylesheet_is_a4_landscape(client, reference):
    html = get_ok(client, report_url()).content.decode()
    assert 'href="/static/ledger/css/print.css" media="print"' in html
    css = Path(finders.find("ledger/css/print.css")).read_text(encoding="utf-8")
    assert "size: A4 landscape;" in css
    assert "margin: 10mm;" in css
    assert "thead { display: table-header-group; }" in css


# --- English --------------------------------------------------------------------------------


def test_english_under_en(client, reference):
    response = get_ok(client, "/en" + report_url())
    html = response.content.decode()
    assert '<html lang="en">' in html
    for text in ("KPI Ledger", "Achievement rate", "Achieved", "Nearly achieved",
                 "Skip to main content", "Projects funded by", "FY2023",
                 "Effective for regional revitalization"):  # fmt: skip
        assert text in html, text
    assert "評価の概要" not in html


def test_the_language_is_the_addresses_not_the_browsers(client, reference):
    # Japanese first: an address without a prefix is Japanese whatever the browser prefers.
    html = get_ok(client, report_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="ja">' in html
    # Older links to the language switch still work: the page's address in that language.
    response = client.post(reverse("set_language"), {"language": "en", "next": report_url()})
    assert response.status_code == 302
    assert response["Location"] == "/en" + report_url()
    html = get_ok(client, "/en" + kpi_url(OTOBETSU_USERS)).content.decode()
    assert '<html lang="en">' in html
    assert "Achievement rate" in html
    assert "Change history" in html
    assert "2024-03 (令和6年3月)" in html


def test_flags_and_reasons_follow_the_language(client, reference):
    url = kpi_url(NIGHTS)
    japanese = get_ok(client, url).content.decode()
    english = get_ok(client, "/en" + url).content.decode()
    assert "implausible-jump" in japanese
    assert "10倍以上変化" in japanese
    assert "changes tenfold or more" in english
    assert "10倍以上変化" not in english


# --- base template and accessibility --------------------------------------------------------


def test_base_template_landmarks_and_language_switch(client, reference):
    html = get_ok(client, report_url()).content.decode()
    assert '<html lang="ja">' in html
    assert '<a class="skip-link" href="#main">本文へ移動</a>' in html
    assert '<main id="main" tabindex="-1">' in html
    assert "<header" in html and "<footer" in html
    # The language switch is a pair of links to this page in each language (no per-visitor
    # token, no form: public pages can be cached, and the static site switches too).
    assert '<nav class="language-switch" aria-label="表示言語">' in html
    assert 'name="csrfmiddlewaretoken"' not in html
    assert (
        f'<a href="{report_url()}" lang="ja" hreflang="ja" aria-current="true">日本語</a>' in html
    )
    assert f'<a href="/en{report_url()}" lang="en" hreflang="en">English</a>' in html


def test_user_data_is_escaped(client):
    org = make_organization("011002", "<script>alert(1)</script>")
    assert org.pk
    html = get_ok(client, reverse("ledger:home")).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def page_urls(reference_org: m.Organization) -> list[str]:
    return [
        reverse("ledger:home"),
        report_url(),
        dashboard_url(),
        kpi_url(OTOBETSU_USERS),
        kpi_url(SCHOOLS),
    ]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_no_external_host_and_no_inline_script(client, reference, language):
    for url in page_urls(reference):
        page = parse(get_ok(client, f.in_language(url, language)))
        assert page.urls, url
        for value in page.urls:
            parts = urlsplit(value)
            assert not parts.scheme and not parts.netloc, (url, value)
            assert not value.startswith("//"), (url, value)
        for script in page.scripts:
            assert script.get("src") or script.get("type") == "application/json", (url, script)
        for script in page.scripts:
            if script.get("src"):
                assert script["src"].startswith("/static/ledger/"), script


# --- the KPI page ---------------------------------------------------------------------------


def test_kpi_page_facts_and_judgement(client, reference):
    response = get_ok(client, kpi_url(OTOBETSU_USERS))
    html = response.content.decode()
    page = parse(response)
    crumbs = ["釧路市", "R5年度", RELATED_OTOBETSU, OTOBETSU_USERS]
    positions = [html.index(f">{c}</a>") for c in crumbs]
    assert positions == sorted(positions)
    assert f"{report_url()}#kpi-{kpi_id(OTOBETSU_USERS)}" in page.urls
    for text in ("16,000人", "令和6年3月", "令和5年度（2023年度）", "220.3%", "✔</span> 達成",
                 "高いほど良い", "年間値", "推定", "確度", "指摘事項はありません。"):  # fmt: skip
        assert text in html, text
    assert infer_direction(OTOBETSU_USERS, "人").reason_ja in html


def test_kpi_page_lower_is_better_with_reason(client, reference):
    html = get_ok(client, kpi_url(SCHOOLS)).content.decode()
    inferred = infer_direction(SCHOOLS, "学校数")
    assert "低いほど良い" in html
    assert inferred.reason_ja in html
    assert "83.3%" in html and "△</span> 概ね達成" in html


def test_kpi_chart_data_is_exact_json_with_target_lines(client, reference):
    page = parse(get_ok(client, kpi_url(OTOBETSU_USERS)))
    data = json.loads(page.script_text["kpi-chart-data"])
    assert data["values"] == [None, None, None, "33633", "35245"]
    assert data["categories"] == ["R1年度", "R2年度", "R3年度", "R4年度", "R5年度"]
    assert data["target"] == "16000"
    assert data["target_category"] == "R5年度"
    [chart] = page.charts
    assert chart["role"] == "img"
    assert "33,633人" in chart["aria-label"] and "16,000人" in chart["aria-label"]
    assert row_with(page, "R4年度") == ["R4年度", "33,633", ""]
    assert row_with(page, "R5年度") == ["R5年度", "35,245", "16,000人"]


def test_decimal_values_are_printed_exactly(client, reference):
    response = get_ok(client, kpi_url(SATISFACTION))
    page = parse(response)
    assert json.loads(page.script_text["kpi-chart-data"])["values"][-1] == "73.5"
    assert row_with(page, "R5年度")[1] == "73.5"
    assert "73.5000" not in response.content.decode()


def test_kpi_page_history_of_observations_and_kpi(client, reference):
    user = User.objects.create_user("tanaka", password="pw-for-tests-only")
    observation = m.Observation.objects.get(kpi_id=kpi_id(OTOBETSU_USERS), fiscal_year=2023)
    observation.value = Decimal("35300")
    observation._history_user = user
    observation._change_reason = "集計誤りの訂正"
    observation.save()
    page = parse(get_ok(client, kpi_url(OTOBETSU_USERS)))
    history = [row for row in page.rows if len(row) == 6 and row[2] in ("作成", "変更")]
    assert len(history) == 6  # five imported years + one correction
    assert history[0][1:] == ["tanaka", "変更", "R5年度", "35,300", "集計誤りの訂正"]
    assert history[-1][1:3] == ["取込", "作成"]
    assert "取込 / import: kushiro_r5_kpi_report.txt" in history[-1][5]
    kpi_rows = [row for row in page.rows if len(row) == 10 and row[2] == "作成"]
    assert kpi_rows[0][3:6] == [OTOBETSU_USERS, "16,000人", "R6.3"]
    # The FY2023 page stays as published and says that the value was corrected since.
    assert json.loads(page.script_text["kpi-chart-data"])["values"][-1] == "35245"
    text = get_ok(client, kpi_url(OTOBETSU_USERS)).content.decode()
    assert "公表後に 35,245 から 35,300 に訂正" in text


def test_not_yet_due_kpi_shows_progress(client, large):
    url = reverse("ledger:kpi", args=[LARGE_CODE, kpi_id("試験指標1-5利用者数", LARGE_CODE)])
    response = get_ok(client, url)
    html, page = response.content.decode(), parse(response)
    assert "…</span> 目標年度前（順調）" in html
    assert "進捗（目標年度前）" in html
    data = json.loads(page.script_text["kpi-chart-data"])
    assert data["categories"][-1] == "R7年度"
    assert data["target_category"] == "R7年度"


# --- the dashboard --------------------------------------------------------------------------


def test_dashboard_counts_per_status_project_and_grant(client, reference):
    page = parse(get_ok(client, dashboard_url()))
    assert row_with(page, "✔ 達成") == ["✔ 達成", "14", "58.3%"]
    assert row_with(page, "△ 概ね達成") == ["△ 概ね達成", "4", "16.7%"]
    assert row_with(page, "✘ 未達成") == ["✘ 未達成", "6", "25.0%"]
    counts = ["3", "3", "0", "0", "0", "0"]  # KPIs, then per status
    effect = ["地方創生に非常に効果的であった", "3指標とも達成"]
    assert row_with(page, RELATED_OTOBETSU) == [RELATED_OTOBETSU, *counts, *effect]
    assert row_with(page, "地方創生拠点整備交付金") == ["地方創生拠点整備交付金", "1", "3", "3",
                                                         "0", "0", "0", "0"]  # fmt: skip
    status = json.loads(page.script_text["status-chart-data"])
    assert status["values"] == [14, 4, 6, 0, 0]
    grants = json.loads(page.script_text["grant-chart-data"])
    assert "地方創生テレワーク交付金" in grants["categories"]
    charts = page.charts
    assert len(charts) == 2
    assert all(c["role"] == "img" and c["aria-label"] for c in charts)
    assert "達成 14" in charts[0]["aria-label"]


# --- query counts ---------------------------------------------------------------------------


def count_queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    client.get(url)  # warm-up: first-use caches (content types, translations)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_the_report(client, reference, large):
    assert m.Kpi.objects.filter(project__organization=large).count() == 200
    small_kpi = kpi_url(OTOBETSU_USERS)
    large_kpi = reverse("ledger:kpi", args=[LARGE_CODE, kpi_id("試験指標40-5利用者数", LARGE_CODE)])
    pairs = {
        "report": (report_url(), report_url(LARGE_CODE)),
        "dashboard": (dashboard_url(), dashboard_url(LARGE_CODE)),
        "kpi": (small_kpi, large_kpi),
    }
    for name, (small, big) in pairs.items():
        assert count_queries(client, small) == count_queries(client, big), name


def test_home_query_count_does_not_grow_with_organizations(client, reference):
    before = count_queries(client, reverse("ledger:home"))
    for code, name in [("011002", "札幌市"), ("012025", "函館市"), ("012041", "旭川市")]:
        make_organization(code, name)
    assert count_queries(client, reverse("ledger:home")) == before


# --- translations ---------------------------------------------------------------------------


def po_entries(path: Path) -> list[tuple[str | None, str, list[str]]]:
    """(msgctxt, msgid, msgstrs) of every entry of a .po file (header excluded)."""
    entries, current, key = [], {}, ""
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if current.get("msgid"):
                strs = [v for k, v in current.items() if k.startswith("msgstr")]
                entries.append((current.get("msgctxt"), current["msgid"], strs))
            current, key = {}, ""
        elif line.startswith(("msgctxt ", "msgid ", "msgid_plural ", "msgstr")):
            key, _, value = line.partition(" ")
            current[key] = json.loads(value)
        elif line.startswith('"') and key:
            current[key] += json.loads(line)
    return entries


def test_every_message_is_translated_and_compiled():
    po = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"
    with po.with_suffix(".mo").open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)
    entries = po_entries(po)
    assert len(entries) > 100
    for context, msgid, strs in entries:
        assert all(strs), f"untranslated in django.po: {msgid}"
        compiled = catalog.pgettext(context, msgid) if context else catalog.gettext(msgid)
        assert compiled == strs[0], f"django.mo is not compiled from django.po: {msgid}"


TRANSLATED_CALL = re.compile(
    r"\b(?:(?P<p>pgettext)\((?P<ctx>u?'(?:[^'\\]|\\.)*'),\s*|n?gettext\()"
    r"(?P<id>u?'(?:[^'\\]|\\.)*')"
)


def template_messages() -> set[tuple[str | None, str]]:
    """Every (context, msgid) the site's templates translate, as makemessages extracts them
    (Django's own `templatize`, which turns a template into gettext calls)."""
    from django.utils.translation.template import templatize

    root = Path(__file__).resolve().parents[2]  # src/kpiledger/web
    found: set[tuple[str | None, str]] = set()
    for template in sorted(root.glob("**/templates/**/*.html")):
        for call in TRANSLATED_CALL.finditer(templatize(template.read_text(encoding="utf-8"))):
            context = call["ctx"] and ast.literal_eval(call["ctx"].removeprefix("u"))
            found.add((context or None, ast.literal_eval(call["id"].removeprefix("u"))))
    return found


GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy"}


def code_messages() -> set[tuple[str | None, str]]:
    """Every (context, msgid) the web package's Python code translates with a literal."""
    root = Path(__file__).resolve().parents[2]  # src/kpiledger/web
    found: set[tuple[str | None, str]] = set()
    for source in sorted(root.glob("**/*.py")):
        if "tests" in source.parts:
            continue
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            literals = [a.value for a in node.args if isinstance(a, ast.Constant)]
            if node.func.id in GETTEXT_NAMES and literals:
                found.add((None, literals[0]))
            elif node.func.id in {"pgettext", "pgettext_lazy"} and len(literals) >= 2:
                found.add((literals[0], literals[1]))
    return found


def test_every_message_of_every_template_and_module_is_in_the_catalog():
    """A string added to a template or a module without running makemessages would show in
    Japanese on the English pages: every translated string must be in django.po."""
    po = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"
    catalog = {(context, msgid) for context, msgid, _ in po_entries(po)}
    messages = template_messages() | code_messages()
    assert len(code_messages()) > 100 and len(template_messages()) > 100
    assert (None, "ダウンロード") in messages and (None, "事業の評価") in messages
    missing = sorted(str(m) for m in messages - catalog)
    assert not missing, f"not in django.po (run makemessages): {missing}"


# --- what a new user meets: breadcrumbs, empty values, icon, staff header, admin ------------


def breadcrumbs(html: str) -> list[tuple[str, str]]:
    """(href, text) of each link in the page's breadcrumb trail, first to last."""
    start = html.index('<nav class="breadcrumbs"')
    trail = html[start : html.index("</nav>", start)]
    return [(href, " ".join(text.split())) for href, text in _LINKS.findall(trail)]


_LINKS = re.compile(r'<a href="([^"]*)"[^>]*>(.*?)</a>', re.S)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_page_starts_its_breadcrumbs_at_the_list_of_organizations(
    client, reference, language
):
    home = (reverse("ledger:home"), "団体一覧" if language == "ja" else "Organizations")
    year = "R5年度" if language == "ja" else "FY2023"
    organization = (reverse("ledger:organization", args=[CODE]), "釧路市")
    project = (f"{report_url()}#kpi-{kpi_id(OTOBETSU_USERS)}", RELATED_OTOBETSU)
    expected = {
        report_url(): [home, organization, (report_url(), year)],
        dashboard_url(): [home, organization, (report_url(), year), (dashboard_url(), "")],
        kpi_url(OTOBETSU_USERS): [home, organization, (report_url(), year), project,
                                  (f"{kpi_url(OTOBETSU_USERS)}?year=2023", OTOBETSU_USERS)],
    }  # fmt: skip
    for url, trail in expected.items():
        html = get_ok(client, f.in_language(url, language)).content.decode()
        crumbs = breadcrumbs(html)
        assert [href for href, _ in crumbs] == [f.in_language(h, language) for h, _ in trail], url
        assert [t for (_, t), (_, want) in zip(crumbs, trail, strict=True) if want] == [
            want for _, want in trail if want
        ], url
        assert html.count('aria-current="page"', html.index('<nav class="breadcrumbs"')) >= 1


def test_the_home_page_has_no_trail_to_itself(client, reference):
    html = get_ok(client, reverse("ledger:home")).content.decode()
    assert '<nav class="breadcrumbs"' not in html


def test_no_baseline_reads_nashi_or_none_never_python_none(client, reference):
    url = kpi_url(OTOBETSU_USERS)  # the reference report gives no baseline
    japanese = get_ok(client, url).content.decode()
    assert "<dt>基準値</dt><dd>なし</dd>" in japanese
    kpi_rows = [row for row in parse(get_ok(client, url)).rows if len(row) == 10]
    assert kpi_rows[-1][6] == "なし", "the KPI history's baseline column"
    assert kpi_rows[-1][7:9] == ["—", "—"], "no override: a dash, not an empty cell"
    english = get_ok(client, "/en" + url).content.decode()
    assert "<dd>None</dd>" not in english and ">None<" not in english


@pytest.mark.parametrize("language", ["ja", "en"])
def test_no_page_shows_a_python_value(client, reference, language):
    python = re.compile(r">\s*(None|True|False|null|undefined)\s*<")
    for url in page_urls(reference):
        html = get_ok(client, f.in_language(url, language)).content.decode()
        assert python.findall(html) == [], url


def test_pages_link_the_icon_and_favicon_ico_leads_to_it(client, reference):
    icon = "/static/ledger/img/favicon.svg"
    assert finders.find("ledger/img/favicon.svg")
    for url in [reverse("ledger:home"), report_url(), "/nothing-here/", reverse("admin:login")]:
        html = client.get(url).content.decode()
        assert f'<link rel="icon" href="{icon}" type="image/svg+xml">' in html, url
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == icon
    error_page = (Path(settings.TEMPLATES[0]["DIRS"][0]) / "500.html").read_text(encoding="utf-8")
    assert 'rel="icon" href="{% get_static_prefix %}ledger/img/favicon.svg"' in error_page


def test_the_admin_carries_the_ledgers_name_and_links_back(client):
    html = client.get(reverse("admin:login")).content.decode()
    assert "KPI実績台帳 管理サイト" in html and "Django" not in html
    assert f'href="{reverse("ledger:home")}"' in html  # back to the public pages
    admin = User.objects.create_superuser("admin", "admin@example.org", "pw-for-tests-only")
    client.force_login(admin)
    index = client.get(reverse("admin:index")).content.decode()
    assert "<title>台帳の管理 | KPI実績台帳 管理サイト</title>" in index
    assert f'href="{reverse("ledger:import_upload")}"' in index
    english = client.get("/en" + reverse("admin:index")).content.decode()
    assert "Django administration" not in english and "Django site admin" not in english


def staff_user(username: str = "kikaku") -> User:
    """The planning admin (企画担当) of 釧路市, with access to the admin site."""
    from kpiledger.web.ledger.tests.factories import make_planning_admin

    user = make_planning_admin(username, is_staff=True)
    user.first_name = "花子"
    user.save()
    return user


def test_public_pages_show_the_staff_header_only_to_a_signed_in_user(client, reference):
    anonymous = get_ok(client, report_url()).content.decode()
    for text in ('class="staff-nav"', "ログアウト", "csrfmiddlewaretoken", "ログイン中"):
        assert text not in anonymous, text
    client.force_login(staff_user())
    signed_in = get_ok(client, report_url()).content.decode()
    assert 'class="staff-nav"' in signed_in and "ログイン中: <strong>花子</strong>" in signed_in
    assert f'action="{reverse("ledger:logout")}" method="post"' in signed_in
    assert 'name="csrfmiddlewaretoken"' in signed_in
    for name in ("ledger:home", "ledger:staff_imports", "admin:index"):
        assert f'href="{reverse(name)}"' in signed_in, name


def test_the_staff_header_never_reaches_the_public_page_cache(client, reference):
    from django.core.wsgi import get_wsgi_application

    from kpiledger.web.ledger.tests.test_page_cache import get
    from kpiledger.web.page_cache import PublicPageCache

    app = PublicPageCache(get_wsgi_application())
    client.force_login(staff_user())
    session = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    _, headers, signed_in = get(app, report_url(), HTTP_COOKIE=session)
    assert "ログアウト" in signed_in and "X-Kpiledger-Cache" not in headers
    for _ in range(2):  # rendered, then served from memory: never with the staff header
        _, headers, anonymous = get(app, report_url())
        assert "ログアウト" not in anonymous and "csrfmiddlewaretoken" not in anonymous
    assert headers.get("X-Kpiledger-Cache") == "hit"


def test_logout_is_a_post_back_to_the_public_list(client, reference):
    client.force_login(staff_user())
    assert client.get(reverse("ledger:logout")).status_code == 405  # Django 5: POST only
    response = client.post(reverse("ledger:logout"))
    assert response.status_code == 302 and response["Location"] == reverse("ledger:home")
    assert "ログアウト" not in get_ok(client, reverse("ledger:home")).content.decode()
    assert client.get(reverse("ledger:import_upload")).status_code == 302  # to the login


def test_the_legend_says_what_the_evaluation_does(client, reference):
    html = get_ok(client, report_url()).content.decode()
    legend = html[html.index('<section class="legend"') :]
    assert "小数第2位を四捨五入し、小数第1位まで表示" in legend
    assert "小数第1位を四捨五入" not in legend  # 220.28 → 220.3: one decimal is kept
    assert "概ね達成：達成率80%以上で、目標値には達していない指標" in legend
    assert "実績なし：評価に用いる年度（目標年度）の実績値がない指標" in legend
    assert "達成率は最新の実績値による暫定値" in legend


def test_report_cells_carry_their_column_names_for_narrow_screens(client, reference):
    html = get_ok(client, report_url()).content.decode()
    row = html[html.index(f'id="kpi-{kpi_id(OTOBETSU_USERS)}"') :]
    row = row[: row.index("</tr>")]
    for label in ("指標値（目標値）", "単位", "年月", "R1年度", "R5年度", "達成率", "状況"):
        assert f'data-label="{label}"' in row, label
