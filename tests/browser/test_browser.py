"""The public pages in a real browser (Debian's Chromium through Playwright), offline.

The reference report (釧路市, FY2023) is imported into the live server's database; every page
is checked with axe-core (WCAG 2.0/2.1 A and AA, the JIS X 8341-3 level AA criteria) in
Japanese (`/org/…`) and in English (`/en/org/…`: the language is part of the address, and the
header's switch links each page to itself in the other language), no page may request
anything from another host, and nothing a page or the admin does may be refused by the
Content-Security-Policy (checked for every tab by the `open_tab` fixture; the pages, charts
and admin are walked through on purpose below).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from . import AXE_JS, CHART, chart_drawing, wait_for_chart, wait_for_charts

pytestmark = pytest.mark.browser

OTOBETSU_USERS = "音別地域交流拠点施設利用者数"  # 33,633 (R4), 35,245 (R5) / 16,000 → 220.3 %
LANGUAGE_SWITCH = "nav.language-switch"  # a link per language: `/org/…` ↔ `/en/org/…`
KPI_HREF = re.compile(r"/org/012068/kpi/\d+/")
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

FOCUSED = """() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  const box = e.getBoundingClientRect();
  const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  let behind = 'rgb(255, 255, 255)';  // what the outline is drawn on: the nearest background
  for (let a = e.parentElement; a; a = a.parentElement) {
    const colour = getComputedStyle(a).backgroundColor;
    if (colour === 'transparent' || /^rgba\\(.*,\\s*0\\)$/.test(colour)) continue;
    behind = colour;
    break;
  }
  return {
    tag: e.tagName.toLowerCase(),
    href: e.getAttribute('href') || '',
    hreflang: e.getAttribute('hreflang') || '',
    current: e.getAttribute('aria-current'),
    text: (e.innerText || e.value || '').trim().slice(0, 80),
    isMain: e.tagName === 'MAIN',
    inMain: !!e.closest('main'),
    inLanguageSwitch: !!e.closest('LANGUAGE_SWITCH'),
    ring: outlined || style.boxShadow !== 'none',
    outline: outlined ? style.outlineColor : '',
    behind,
    onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
              && box.top < innerHeight && box.left < innerWidth,
  };
}""".replace("LANGUAGE_SWITCH", LANGUAGE_SWITCH)

# Each link of the language switch as the page shows it.
SWITCH_LINKS = """links => links.map(a => ({
  href: a.href, lang: a.lang, hreflang: a.hreflang, current: a.getAttribute('aria-current'),
  text: a.innerText.trim(), visible: a.getClientRects().length > 0,
}))"""


def html_lang(page: Any) -> str:
    return page.evaluate("document.documentElement.lang")


def focused(page: Any) -> dict:
    return page.evaluate(FOCUSED)


def tab_until(page: Any, wanted: Any, limit: int = 300) -> dict:
    """Press Tab until the focused element satisfies `wanted`; return its description."""
    visited = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = focused(page)
        if wanted(info):
            return info
        visited.append(f"{info['tag']} {info['href'] or info['text']}")
    raise AssertionError(f"not reached in {limit} Tab presses; focus went to: {visited[:60]}")


def contrast(first: str, second: str) -> float:
    """WCAG's contrast ratio of two computed colours (`rgb(255, 213, 79)`)."""

    def luminance(colour: str) -> float:
        channels = [float(c) / 255 for c in re.findall(r"[\d.]+", colour)[:3]]
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def assert_focus_ring(info: dict) -> None:
    """The focused element is on screen with a focus indicator; an outline stands out from
    what it is drawn on (3:1, WCAG 1.4.11)."""
    assert info["onScreen"], f"focused but off screen: {info}"
    assert info["ring"], f"no focus indicator: {info}"
    if info["outline"]:
        ratio = contrast(info["outline"], info["behind"])
        assert ratio >= 3, f"the focus outline is hard to see ({ratio:.1f}:1): {info}"


def path_of(url: str) -> str:
    return urlsplit(url).path


def switch_links(page: Any) -> list[dict]:
    return page.locator(f"{LANGUAGE_SWITCH} a").evaluate_all(SWITCH_LINKS)


def assert_switch(page: Any, language: str, other: str) -> None:
    """The page is in `language`; its switch names every language in that language, marks
    `language` as the current one, and leads to `other`, the same page (and query) in the
    other one."""
    assert html_lang(page) == language
    switch = page.locator(LANGUAGE_SWITCH)
    assert switch.count() == 1 and switch.is_visible()
    assert (switch.get_attribute("aria-label") or "").strip(), "the switch has a name"
    links = switch_links(page)
    assert [(a["lang"], a["hreflang"], a["text"]) for a in links] == [
        ("ja", "ja", "日本語"),
        ("en", "en", "English"),
    ]
    assert all(a["visible"] for a in links), links
    assert {a["hreflang"]: a["current"] for a in links} == {
        code: "true" if code == language else None for code in ("ja", "en")
    }, links
    here = next(a for a in links if a["current"])
    assert urlsplit(here["href"])[2:4] == urlsplit(page.url)[2:4], "the current one stays here"
    there = urlsplit(next(a for a in links if not a["current"])["href"])
    assert there.path == path_of(other), links
    assert there.query == urlsplit(page.url).query, f"the query is kept: {links}"


def switch_language(page: Any, code: str) -> None:
    """Follow the page's language switch to `code`."""
    with page.expect_navigation(wait_until="load"):
        page.locator(f'{LANGUAGE_SWITCH} a[hreflang="{code}"]').click()


def table_rows(page: Any) -> list[list[str]]:
    """Each body row of the page's tables as its cells' (and links') whitespace-joined text."""
    return page.locator("table tbody tr").evaluate_all(
        """rows => rows.map(row => Array.from(row.querySelectorAll('th, td, a'))
             .map(cell => cell.innerText.replace(/\\s+/g, ' ').trim()))"""
    )


def public_pages(ledger: Any, language: str = "ja") -> dict[str, str]:
    """One page of every public kind, in `language`: the organization's pages, the nation, a
    prefecture (北海道), the search (釧路), the fields and one field (観光)."""
    return {
        "home": ledger.home(language),
        "report": ledger.report(language),
        "dashboard": ledger.dashboard(language),
        "kpi": ledger.kpi(OTOBETSU_USERS, language),
        "nation": ledger.url("nation", language=language),
        "prefecture": ledger.url("prefecture", "01", language=language),
        "search": ledger.url("search", language=language, query={"q": "釧路"}),
        "fields": ledger.url("fields", language=language),
        "field": ledger.url("field", "tourism", language=language),
    }


# --- the report ------------------------------------------------------------------------------


def test_report_page_reproduces_the_official_table(ledger, open_tab):
    tab = open_tab()
    tab.open(ledger.report())
    page = tab.page
    assert html_lang(page) == "ja"
    rows = table_rows(page)
    where = {indicator: [i for i, cells in enumerate(rows) if indicator in cells]
             for indicator in ledger.kpi_ids}  # fmt: skip
    assert len(where) == 24
    assert {k: v for k, v in where.items() if len(v) != 1} == {}, "each KPI in exactly one row"
    assert len({v[0] for v in where.values()}) == 24
    row = page.locator("table tbody tr").nth(where[OTOBETSU_USERS][0])
    row.scroll_into_view_if_needed()
    assert row.is_visible()
    assert row.get_by_text(OTOBETSU_USERS, exact=True).first.is_visible()
    assert row.get_by_text(re.compile(r"220\.3\s*[%％]")).first.is_visible()
    assert re.search(r"35,245", row.inner_text())
    assert page.get_by_text("音別地域交流拠点施設整備事業").first.is_visible()
    assert tab.errors == [] and tab.failed == []


def test_organization_redirects_to_its_latest_report(ledger, open_tab):
    tab = open_tab()
    tab.open(ledger.url("organization", ledger.code))
    assert urlsplit(tab.page.url).path == urlsplit(ledger.report()).path


# --- one KPI ---------------------------------------------------------------------------------


def test_kpi_page_draws_its_chart_and_lists_the_values(ledger, open_tab):
    tab = open_tab()
    tab.open(ledger.kpi(OTOBETSU_USERS))
    page = tab.page
    chart = wait_for_chart(page)
    assert chart.get_attribute("aria-label").strip()
    drawing = chart_drawing(chart)
    assert drawing["renderer"] in ("canvas", "svg")
    assert drawing["width"] > 0 and drawing["height"] > 0, drawing
    assert drawing["drawn"], f"the chart is blank: {drawing}"
    table = page.locator("table").filter(has_text=re.compile(r"35,?245"))
    assert table.count() >= 1, "a data table with the chart's values"
    text = table.first.inner_text()
    assert re.search(r"33,?633", text) and re.search(r"35,?245", text)
    assert table.first.evaluate("t => !t.closest('[aria-hidden=\"true\"]')")
    assert re.search(r"16,?000", page.locator("main").inner_text())  # the target
    assert tab.errors == [] and tab.failed == []


# --- language --------------------------------------------------------------------------------


def test_language_switch_goes_to_the_same_page_in_the_other_language_and_back(ledger, open_tab):
    tab = open_tab("en")  # the address chooses the language, not the browser's
    page = tab.page
    tab.open(ledger.report())
    assert_switch(page, "ja", ledger.report("en"))
    assert page.get_by_text("達成率").first.is_visible()

    switch_language(page, "en")
    assert path_of(page.url) == path_of(ledger.report("en"))
    assert_switch(page, "en", ledger.report())
    assert page.get_by_text("Achievement rate").first.is_visible()
    with page.expect_navigation(wait_until="load"):  # an English page links to English pages
        page.locator("main a").filter(has_text=OTOBETSU_USERS).first.click()
    assert path_of(page.url) == path_of(ledger.kpi(OTOBETSU_USERS, "en"))
    assert_switch(page, "en", ledger.kpi(OTOBETSU_USERS))

    switch_language(page, "ja")
    assert path_of(page.url) == path_of(ledger.kpi(OTOBETSU_USERS))
    assert_switch(page, "ja", ledger.kpi(OTOBETSU_USERS, "en"))
    assert page.get_by_text("達成率").first.is_visible()
    assert page.get_by_text("Achievement rate").count() == 0

    search = {"q": "釧路"}  # the switch keeps the query
    english = ledger.url("search", language="en", query=search)
    tab.open(ledger.url("search", query=search))
    assert_switch(page, "ja", english)
    switch_language(page, "en")
    assert urlsplit(page.url)[2:4] == urlsplit(english)[2:4]
    assert_switch(page, "en", ledger.url("search", query=search))
    assert page.locator('main input[name="q"]').input_value() == "釧路"
    found = path_of(ledger.report("en"))
    assert page.locator(f'main a[href="{found}"]').count() >= 1, (
        "釧路市 is found, with an English link"
    )
    assert tab.errors == [] and tab.failed == []


# --- keyboard --------------------------------------------------------------------------------


def test_skip_link_comes_first_and_moves_focus_to_main(ledger, open_tab):
    tab = open_tab()
    page = tab.page
    tab.open(ledger.report())
    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["tag"] == "a" and skip["href"].startswith("#"), f"first Tab stop: {skip}"
    target_in_main = page.evaluate(
        "id => { const t = document.getElementById(id); return !!t && !!t.closest('main'); }",
        skip["href"][1:],
    )
    assert target_in_main, f"the skip link {skip['href']} must lead to main"
    assert skip["onScreen"], "the skip link is visible when it has focus"
    assert skip["ring"], "the focused skip link shows a focus indicator"
    page.keyboard.press("Enter")
    now = focused(page)
    assert now["isMain"] or now["inMain"], f"focus after the skip link: {now}"
    page.keyboard.press("Tab")
    assert focused(page)["inMain"], "the next Tab stop is inside main, past the header"


def test_keyboard_switches_the_language_and_back(ledger, open_tab):
    tab = open_tab()
    page = tab.page
    tab.open(ledger.report())
    here = tab_until(page, lambda f: f["inLanguageSwitch"])
    assert (here["tag"], here["hreflang"], here["current"]) == ("a", "ja", "true"), here
    assert_focus_ring(here)
    page.keyboard.press("Tab")
    english = focused(page)
    assert (english["tag"], english["hreflang"], english["current"]) == ("a", "en", None)
    assert_focus_ring(english)
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    assert path_of(page.url) == path_of(ledger.report("en"))
    assert html_lang(page) == "en"

    japanese = tab_until(page, lambda f: f["inLanguageSwitch"])
    assert (japanese["tag"], japanese["hreflang"], japanese["current"]) == ("a", "ja", None)
    assert_focus_ring(japanese)
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    assert path_of(page.url) == path_of(ledger.report())
    assert html_lang(page) == "ja"
    assert tab.errors == [] and tab.failed == []


def test_keyboard_opens_a_kpi(ledger, open_tab):
    tab = open_tab()
    page = tab.page
    tab.open(ledger.report())
    link = tab_until(page, lambda f: f["tag"] == "a" and KPI_HREF.search(f["href"]))
    assert_focus_ring(link)
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    assert path_of(page.url) == path_of(urljoin(ledger.base, link["href"]))
    assert link["text"] in page.locator("main").inner_text()
    assert tab.errors == [] and tab.failed == []


# --- print -----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["ja", "en"])
def test_print_hides_navigation_and_language_switch(ledger, open_tab, language):
    tab = open_tab(language)
    page = tab.page
    tab.open(ledger.report(language))
    switch = page.locator(LANGUAGE_SWITCH)
    assert switch.is_visible() and page.locator(f"{LANGUAGE_SWITCH} a").count() == 2
    chrome = page.locator("nav")
    assert chrome.count() >= 2  # the switch and the breadcrumbs at least
    page.emulate_media(media="print")
    visible = [chrome.nth(i).evaluate("e => e.outerHTML.slice(0, 120)")
               for i in range(chrome.count()) if chrome.nth(i).is_visible()]  # fmt: skip
    assert visible == [], f"visible when printed: {visible}"
    assert not switch.is_visible()
    assert page.locator("table").first.is_visible()
    assert page.get_by_text(OTOBETSU_USERS).first.is_visible()


# --- offline ---------------------------------------------------------------------------------


def test_pages_load_everything_from_this_server(ledger, open_tab):
    tab = open_tab()
    for url in public_pages(ledger).values():
        tab.open(url)
        assert tab.external == [], f"{url} asked for {tab.external}"
        assert tab.failed == [], f"{url}: {tab.failed}"
        assert tab.errors == [], f"{url}: {tab.errors}"
    hosts = {urlsplit(u).hostname for u in tab.requests if u.startswith("http")}
    assert hosts <= {"localhost", "127.0.0.1"}
    assert any("/static/" in u and u.endswith(".css") for u in tab.requests)
    assert any("/static/" in u and "echarts" in u for u in tab.requests), "ECharts is bundled"
    assert tab.page.locator(CHART).filter(has=tab.page.locator("canvas, svg")).count() >= 1


# --- content security policy ---------------------------------------------------------------

ADMIN_PASSWORD = "pw-for-browser-tests-only"


def assert_policy(response: Any, where: str) -> None:
    policy = response.headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in policy, f"{where}: {policy!r}"
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy, f"{where}: {policy}"


def hover(locator: Any) -> None:
    """Rest the mouse on the middle of an element (a chart shows its tooltip)."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    locator.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


CHARTS = {"dashboard": 2, "kpi": 1, "nation": 1, "field": 1}  # on each page that has any


@pytest.mark.parametrize("language", ["ja", "en"])
def test_pages_and_charts_keep_to_the_content_security_policy(ledger, open_tab, language):
    urls = public_pages(ledger, language) | {
        "admin login": ledger.address("admin:login", language=language),
        "staff login": ledger.url("login", language=language),
    }
    tab = open_tab(language)
    page = tab.page
    for name, url in urls.items():
        assert_policy(tab.open(url), name)
        assert html_lang(page) == language, name
        charts = wait_for_charts(page)
        assert charts.count() == CHARTS.get(name, 0), name
        for i in range(charts.count()):
            assert charts.nth(i).locator("canvas, svg").count() >= 1, f"{name}: chart {i}"
            hover(charts.nth(i))  # the tooltip is drawn under the policy too
            page.wait_for_timeout(200)
            assert chart_drawing(charts.nth(i))["drawn"], f"{name}: chart {i} is blank"
        tab.settle()
        assert tab.csp == [], f"{name} ({language}): {tab.csp}"
    assert tab.errors == [] and tab.failed == []

    prefix = "" if language == "ja" else f"/{language}"
    missing = page.goto(f"{ledger.base}{prefix}/nothing-here/", wait_until="load")
    assert missing.status == 404
    assert_policy(missing, "404")
    assert page.locator("link[rel=stylesheet]").count() >= 1
    assert html_lang(page) == language
    tab.settle()
    assert tab.csp == [], f"404 ({language}): {tab.csp}"


def test_admin_works_under_the_content_security_policy(ledger, open_tab):
    from django.contrib.auth.models import User
    from django.urls import reverse

    User.objects.create_superuser("admin", "admin@example.org", ADMIN_PASSWORD)
    tab = open_tab()
    page = tab.page
    tab.open(ledger.base + reverse("admin:index"))  # → the login form
    page.fill('input[name="username"]', "admin")
    page.fill('input[name="password"]', ADMIN_PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.locator('input[type="submit"]').click()
    assert urlsplit(page.url).path == reverse("admin:index")

    assert_policy(tab.open(ledger.base + reverse("admin:ledger_kpi_changelist")), "admin list")
    counter = page.locator(".action-counter")
    page.locator("#action-toggle").check()  # admin/js/actions.js counts the selection
    assert re.findall(r"\d+", counter.inner_text()) == ["24", "24"], counter.inner_text()

    kpi = reverse("admin:ledger_kpi_change", args=(ledger.kpi_ids[OTOBETSU_USERS],))
    assert_policy(tab.open(ledger.base + kpi), "admin change form")
    rows = page.locator("#observations-group tbody tr.form-row")
    before = rows.count()
    page.locator("#observations-group .add-row a").click()  # admin/js/inlines.js adds a row
    assert rows.count() == before + 1
    tab.settle()
    assert tab.csp == [], f"admin: {tab.csp}"
    assert tab.errors == [] and tab.failed == []


# --- accessibility ---------------------------------------------------------------------------

AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary})),
  }));
}"""


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} [{v['impact']}] {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:8]:
            target = " ".join(map(str, node["target"]))
            lines.append(f"    at {target}: {node['html'][:160]}")
            lines.append("      " + (node["summary"] or "").replace("\n", "\n      "))
        if len(v["nodes"]) > 8:
            lines.append(f"    …and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


PAGE_KINDS = ["home", "report", "dashboard", "kpi", "nation", "prefecture", "search", "fields",
              "field"]  # fmt: skip


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_axe_finds_no_wcag_aa_violation(ledger, open_tab, kind, language):
    tab = open_tab(language, bypass_csp=True)  # lets the test inject axe-core
    page = tab.page
    tab.open(public_pages(ledger, language)[kind])
    assert html_lang(page) == language
    wait_for_charts(page)  # axe sees the page as drawn
    page.add_script_tag(path=str(AXE_JS))
    violations = page.evaluate(AXE_RUN, WCAG_AA)
    assert violations == [], f"{kind} ({language}):\n{describe(violations)}"
