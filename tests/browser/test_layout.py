"""Every page fits the screen, on a desktop (1,280 × 800) and on a phone (390 × 844), in
Japanese and in English.

On each page: nothing is wider than the viewport unless it sits in a scroll container the user
can see (the document itself never scrolls sideways); the status of every KPI of the report
is on screen; no column header or heading breaks one character per line; axe-core still finds
no WCAG 2.1 AA violation; and the browser logs no error (a missing favicon included).
"""

from __future__ import annotations

from typing import Any

import pytest

from . import AXE_JS, CHART, wait_for_charts
from .test_browser import (
    ADMIN_PASSWORD,
    AXE_RUN,
    OTOBETSU_USERS,
    WCAG_AA,
    describe,
    html_lang,
    path_of,
    public_pages,
)

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
KPIS_IN_THE_REPORT = 24

# Elements reaching past the viewport's left or right edge, except those inside a horizontal
# scroll container whose own box is on screen (the user sees it and can scroll it).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const fits = (r) => r.left >= -0.5 && r.right <= width + 0.5;
  const scroller = (e) => {
    for (let a = e.parentElement; a; a = a.parentElement) {
      const x = getComputedStyle(a).overflowX;
      if (x === 'auto' || x === 'scroll') return a;
    }
    return null;
  };
  const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + (typeof e.className === 'string' && e.className.trim()
       ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
  const wide = [];
  for (const e of document.body.querySelectorAll('*')) {
    const r = e.getBoundingClientRect();
    if (!r.width || fits(r)) continue;
    const s = scroller(e);
    if (s && fits(s.getBoundingClientRect())) continue;
    wide.push(`${name(e)} [${Math.round(r.left)}, ${Math.round(r.right)}]`);
  }
  return {width, scrollWidth: document.documentElement.scrollWidth, wide: wide.slice(0, 20)};
}"""

# For each KPI row of the report: whether its status badge is inside the viewport and inside
# every clipping ancestor (a scroll container would otherwise hide it off to the right).
STATUS = """() => {
  const width = document.documentElement.clientWidth;
  return Array.from(document.querySelectorAll('table.report tr[id^="kpi-"]')).map(row => {
    const badge = row.querySelector('td.status .badge');
    if (!badge) return {row: row.id, shown: false, why: 'no status cell'};
    const b = badge.getBoundingClientRect();
    let left = 0, right = width;
    for (let a = badge.parentElement; a; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') {
        const c = a.getBoundingClientRect();
        left = Math.max(left, c.left); right = Math.min(right, c.right);
      }
    }
    const shown = b.width > 0 && b.left >= left - 0.5 && b.right <= right + 0.5;
    return {row: row.id, shown, why: `badge [${Math.round(b.left)}, ${Math.round(b.right)}]`
                                   + ` in [${Math.round(left)}, ${Math.round(right)}]`};
  });
}"""

# Headings and column headers whose text is laid out with a line holding a single character
# (「指標数」 as 指/標/数): characters are grouped into lines by their vertical position.
ONE_CHARACTER_LINES = """() => {
  const found = [];
  for (const e of document.querySelectorAll('h1, h2, h3, caption, thead th')) {
    if (!e.getClientRects().length) continue;
    const lines = [];
    const walker = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      for (let i = 0; i < node.length; i++) {
        if (!node.data[i].trim()) continue;
        const range = document.createRange();
        range.setStart(node, i); range.setEnd(node, i + 1);
        const box = range.getBoundingClientRect();
        if (!box.width || !box.height) continue;
        const middle = (box.top + box.bottom) / 2;
        const line = lines.find(l => Math.abs(l.middle - middle) < box.height / 2);
        if (line) line.text += node.data[i]; else lines.push({middle, text: node.data[i]});
      }
    }
    if (lines.length > 1 && lines.some(l => l.text.length === 1)) {
      found.push(lines.map(l => l.text).join(' / '));
    }
  }
  return found;
}"""


def check_page(tab: Any, name: str, language: str) -> None:
    """The checks every page gets (the page is open and its charts drawn)."""
    page = tab.page
    where = f"{name} ({language}, {page.viewport_size['width']} px)"
    assert html_lang(page) == language, where
    layout = page.evaluate(OVERFLOW)
    assert layout["wide"] == [], f"{where}: wider than the screen: {layout['wide']}"
    assert layout["scrollWidth"] <= layout["width"], f"{where}: the page scrolls sideways"
    assert page.evaluate(ONE_CHARACTER_LINES) == [], f"{where}: one character per line"
    page.add_script_tag(path=str(AXE_JS))
    violations = page.evaluate(AXE_RUN, WCAG_AA)
    assert violations == [], f"{where}:\n{describe(violations)}"
    tab.settle()
    assert tab.errors == [] and tab.failed == [], f"{where}: {tab.errors} {tab.failed}"


def open_page(tab: Any, url: str) -> None:
    tab.open(url)
    if tab.page.locator(CHART).count():
        wait_for_charts(tab.page)  # laid out and checked as drawn


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("language", ["ja", "en"])
def test_public_pages_fit_the_screen(ledger, open_tab, language, size):
    tab = open_tab(language, viewport=SIZES[size], bypass_csp=True)  # lets axe-core in
    for name, url in public_pages(ledger, language).items():
        open_page(tab, url)
        if name == "report":
            statuses = tab.page.evaluate(STATUS)
            assert len(statuses) == KPIS_IN_THE_REPORT
            hidden = [s for s in statuses if not s["shown"]]
            assert hidden == [], f"status off screen ({language}, {size}): {hidden[:5]}"
        check_page(tab, name, language)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("language", ["ja", "en"])
def test_staff_pages_fit_the_screen(ledger, open_tab, language, size):
    from kpiledger.web.ledger.tests.factories import REFERENCE_BYTES, make_planning_admin

    user = make_planning_admin("kikaku", is_staff=True)
    user.set_password(ADMIN_PASSWORD)
    user.save()
    tab = open_tab(language, viewport=SIZES[size], bypass_csp=True)
    page = tab.page
    upload = path_of(ledger.url("import_upload", language=language))
    tab.open(ledger.url("login", language=language, query={"next": upload}))
    check_page(tab, "login", language)
    page.fill('input[name="username"]', "kikaku")
    page.fill('input[name="password"]', ADMIN_PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.locator('main form button[type="submit"]').click()
    assert page.locator(".staff-nav").is_visible()
    assert path_of(page.url) == upload
    check_page(tab, "upload", language)

    page.fill('input[name="org_code"]', "012068")
    page.set_input_files('input[name="file"]', files=[
        {"name": "again.txt", "mimeType": "text/plain", "buffer": REFERENCE_BYTES + b"\n"}
    ])  # fmt: skip
    with page.expect_navigation(wait_until="load"):
        page.locator("main form button[type=submit]").click()
    pending = user.prepared_imports.get()
    assert page.url == ledger.url("import_preview", pending.pk, language=language)
    check_page(tab, "preview", language)

    tab.open(ledger.url("staff_imports", language=language))
    assert page.locator("main table").count() >= 1
    check_page(tab, "imports", language)

    tab.open(ledger.url("staff_entry", ledger.code, ledger.year + 1, language=language))
    assert "この年度はまだ開始されていません" in page.locator("main").inner_text()
    check_page(tab, "entry (year not opened)", language)
    kpi_id = ledger.kpi_ids[OTOBETSU_USERS]
    tab.open(ledger.url("staff_kpi_history", kpi_id, language=language))
    check_page(tab, "kpi history", language)
    check_yearly_cycle_pages(tab, ledger, language)


def check_yearly_cycle_pages(tab: Any, ledger: Any, language: str) -> None:
    """The yearly cycle's pages, before and after the next year is opened (every KPI's
    target extended, so that every row takes a value), with a project returned to draft
    with a long comment (the hub's comment column) and the committee's words recorded."""
    from kpiledger.web.ledger import models as m
    from kpiledger.web.ledger.tests.yearly import open_year, set_state

    code, year = ledger.code, ledger.year + 1
    page = tab.page

    def visit(name: str, *args: object, query: dict | None = None) -> None:
        tab.open(ledger.url(name, *args, language=language, query=query))
        check_page(tab, f"{name} {args}", language)

    visit("staff_home")
    visit("staff_years", code)
    assert page.locator("form.open-year-form").count() == 1
    visit("staff_evaluation_steps", code)
    organization = m.Organization.objects.get(code=code)
    open_year(organization, year)
    first = organization.projects.order_by("position").first()
    assert first is not None
    set_state(first, year, m.WorkState.DRAFT, comment="実績値の根拠資料を添付してください。" * 4)
    m.Evaluation.objects.create(
        project=first, fiscal_year=year, step="self", effect="地方創生に効果があった",
        comment="目標を概ね達成した。" * 10,
    )  # fmt: skip
    visit("staff_years", code)
    visit("staff_year", code, year)
    assert page.locator("main table.year-projects tbody tr").count() == 7
    visit("staff_year_setup", code, year)
    visit("staff_entry", code, year)
    assert page.locator('main input[name^="value_"]').count() == KPIS_IN_THE_REPORT
    visit("staff_money", code, year)
    visit("staff_money", code, year, query={"project": first.pk, "history": 1})
    visit("staff_evaluation", code, year, first.pk)
    assert page.locator("main fieldset.choice-group").count() >= 2


@pytest.mark.parametrize("size", SIZES)
def test_kpi_chart_names_the_target_in_its_legend_not_in_the_plot(ledger, open_tab, size):
    """The target and the target year are named in the legend, so their names cannot cover
    the last point; the lines run beneath the values, whose labels have a box of their own."""
    tab = open_tab("ja", viewport=SIZES[size])
    open_page(tab, ledger.kpi(OTOBETSU_USERS))
    option = tab.page.evaluate(
        "() => { const chart = echarts.getInstanceByDom(document.querySelector('[data-chart]'));"
        " const o = chart.getOption(); return {legend: o.legend[0].data, series: o.series}; }"
    )
    actual = option["series"][0]
    assert option["legend"] == ["実績値", "目標値 16,000人", "目標年度 R5年度"]
    assert actual["markLine"]["label"]["show"] is False, "no name written on a marker line"
    assert actual["markLine"]["z"] < actual["z"], "the marker lines run beneath the values"
    assert actual["label"]["backgroundColor"], "a value's label covers a line behind it"
    assert tab.errors == [] and tab.failed == []


def test_favicon_is_served(ledger, open_tab):
    tab = open_tab()
    tab.open(ledger.report())
    icon = tab.page.locator('link[rel="icon"]').get_attribute("href")
    response = tab.page.request.get(ledger.base + icon)
    assert response.ok and response.headers["content-type"].startswith("image/svg+xml")
    fallback = tab.page.request.get(ledger.base + "/favicon.ico")  # follows the redirect
    assert fallback.ok and fallback.url.endswith(icon)
