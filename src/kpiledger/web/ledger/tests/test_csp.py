"""Content-Security-Policy: every kind of response carries it, and no page needs inline code.

The policy forbids inline script and style, so each page is parsed for what the browser would
refuse: a `<script>` without `src` (other than a JSON data block), a `<style>` block, a
`style=` attribute, an `on…=` handler or a `javascript:` address. The template sources are
parsed too, so branches the pages below do not reach are covered.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kpiledger.web import security
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.tests import factories as f
from kpiledger.web.ledger.tests.factories import (
    OTOBETSU_USERS,
    REFERENCE_BYTES,
    REFERENCE_TEXT,
    import_reference,
)

pytestmark = pytest.mark.django_db

CODE, YEAR = "012068", 2023
WEB_DIR = Path(security.__file__).resolve().parent
TEMPLATE_DIRS = [WEB_DIR / "templates", WEB_DIR / "ledger" / "templates"]
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}  # data, never executed
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data"}


# --- what the browser would refuse ----------------------------------------------------------


class InlineCode(HTMLParser):
    """Collects every piece of inline script or style in a document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: (value or "") for name, value in attrs}
        where = f"<{tag} {' '.join(f'{k}={v!r}' for k, v in values.items())}>"[:160]
        if tag == "style":
            self.found.append(f"<style> block: {where}")
        kind = values.get("type", "").strip().lower()
        if tag == "script" and not values.get("src") and kind not in DATA_SCRIPT_TYPES:
            self.found.append(f"inline script: {where}")
        for name, value in values.items():
            if name == "style":
                self.found.append(f"style attribute: {where}")
            elif name.startswith("on"):
                self.found.append(f"event handler {name}: {where}")
            elif name in URL_ATTRIBUTES and value.strip().lower().startswith("javascript:"):
                self.found.append(f"javascript: URL: {where}")

    handle_startendtag = handle_starttag


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


def directives(header: str) -> dict[str, list[str]]:
    """`"default-src 'self'; img-src 'self' data:"` → `{"default-src": ["'self'"], …}`."""
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0].lower()] = words[1:]
    return parsed


def assert_strict_policy(response, label: str) -> None:  # type: ignore[no-untyped-def]
    header = response.headers.get("Content-Security-Policy")
    assert header, f"{label}: no Content-Security-Policy header"
    policy = directives(header)
    assert policy.get("frame-ancestors") == ["'none'"], f"{label}: {header}"
    assert policy.get("default-src") == ["'self'"], f"{label}: {header}"
    assert policy.get("object-src") == ["'none'"], f"{label}: {header}"
    assert policy.get("base-uri") == ["'none'"], f"{label}: {header}"
    for name in ("script-src", "style-src"):
        assert name in policy, f"{label}: {name} missing: {header}"
    for name, sources in policy.items():
        if name.startswith(("script-src", "style-src")):
            unsafe = {s for s in sources if s.startswith("'unsafe-")}
            assert not unsafe, f"{label}: {name} allows {unsafe}"


def assert_no_inline_code(response, label: str) -> None:  # type: ignore[no-untyped-def]
    assert response["Content-Type"].startswith("text/html"), label
    found = inline_code(response.content.decode())
    assert found == [], f"{label}:\n" + "\n".join(found)


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture
def reference() -> None:
    import_reference()


@pytest.fixture
def staff(client: Client) -> User:
    from kpiledger.web.ledger.tests.factories import make_planning_admin

    user = make_planning_admin("kikaku", is_staff=True)  # of 釧路市, the CODE uploaded
    client.force_login(user)
    return user


def upload(client: Client, content: bytes):  # type: ignore[no-untyped-def]
    file = SimpleUploadedFile("report.txt", content, content_type="text/plain")
    data = {"org_code": CODE, "org_name": "釧路市", "file": file}
    return client.post(reverse("ledger:import_upload"), data)


def kpi_url(indicator: str = OTOBETSU_USERS) -> str:
    kpi = m.Kpi.objects.get(indicator=indicator, project__organization__code=CODE)
    return reverse("ledger:kpi", args=(CODE, kpi.id))


# --- the header on every kind of response ---------------------------------------------------

PUBLIC_PAGES = {
    "home": lambda: reverse("ledger:home"),
    "report": lambda: reverse("ledger:report", args=(CODE, YEAR)),
    "dashboard": lambda: reverse("ledger:dashboard", args=(CODE, YEAR)),
    "kpi": kpi_url,
    "admin login": lambda: reverse("admin:login"),
    "staff login": lambda: reverse("ledger:login"),
}


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("kind", list(PUBLIC_PAGES))
def test_public_pages_carry_the_policy_and_no_inline_code(client, reference, kind, language):
    response = client.get(f.in_language(PUBLIC_PAGES[kind](), language))
    assert response.status_code == 200
    assert_strict_policy(response, kind)
    assert_no_inline_code(response, kind)


def test_chart_data_stays_in_json_blocks(client, reference):
    """The charts' data is a json_script block, which the policy does not execute."""
    body = client.get(kpi_url()).content.decode()
    assert '<script id="kpi-chart-data" type="application/json">' in body
    assert inline_code(body) == []


@pytest.mark.parametrize(
    "url", ["/nothing-here/", f"/org/{CODE}/1999/", f"/org/{CODE}/kpi/99999/"]
)  # fmt: skip
def test_not_found_pages(client, reference, url):
    response = client.get(url)
    assert response.status_code == 404
    assert_strict_policy(response, url)
    assert_no_inline_code(response, url)


def test_server_error_page(monkeypatch):
    response = f.server_error_response(monkeypatch)
    assert response.status_code == 500
    assert_strict_policy(response, "500")
    assert_no_inline_code(response, "500")
    assert 'rel="stylesheet" href="/static/ledger/css/ledger.css"' in response.content.decode()


def test_redirects_and_static_files(client, reference):
    organization = client.get(reverse("ledger:organization", args=(CODE,)))
    assert organization.status_code == 302
    assert_strict_policy(organization, "organization redirect")
    anonymous_staff = client.get(reverse("ledger:import_upload"))
    assert anonymous_staff.status_code == 302
    assert_strict_policy(anonymous_staff, "staff page, not logged in")
    css = client.get("/static/ledger/css/ledger.css")
    assert css.status_code == 200
    assert_strict_policy(css, "static file")


@pytest.mark.parametrize("login", ["ledger:login", "admin:login"])
def test_login_errors_and_the_lockout_page(client, login):
    """The login form with its error, then the page of a throttled login (django-axes)."""
    User.objects.create_user("kikaku", password="pw-for-tests-only", is_staff=True)
    for number in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse(login), {"username": "kikaku", "password": f"x{number}"})
        label = f"{login}, failure {number + 1}"
        assert response.status_code == (429 if number + 1 == settings.AXES_FAILURE_LIMIT else 200)
        assert_strict_policy(response, label)
        assert_no_inline_code(response, label)


def test_staff_import_pages(client, staff):
    label = "staff upload"
    page = client.get(reverse("ledger:import_upload"))
    assert page.status_code == 200
    assert_strict_policy(page, label)
    assert_no_inline_code(page, label)

    problems = upload(client, REFERENCE_TEXT.replace("1,878", "abc").encode())
    assert problems.status_code == 200 and "[bad-number]" in problems.content.decode()
    assert_strict_policy(problems, "staff upload with problems")
    assert_no_inline_code(problems, "staff upload with problems")

    uploaded = upload(client, REFERENCE_BYTES)
    assert uploaded.status_code == 302
    preview = client.get(uploaded["Location"])
    assert preview.status_code == 200
    assert_strict_policy(preview, "staff preview")
    assert_no_inline_code(preview, "staff preview")


def test_admin_pages(client, reference):
    admin = User.objects.create_superuser("admin", "admin@example.org", "pw-for-tests-only")
    client.force_login(admin)
    kpi = m.Kpi.objects.get(indicator=OTOBETSU_USERS)
    pages = {
        "admin index": reverse("admin:index"),
        "admin list": reverse("admin:ledger_kpi_changelist"),
        "admin change": reverse("admin:ledger_kpi_change", args=(kpi.id,)),
        "admin add": reverse("admin:ledger_project_add"),
        "admin history": reverse("admin:ledger_kpi_history", args=(kpi.id,)),
    }
    for label, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, label
        assert_strict_policy(response, label)
        assert_no_inline_code(response, label)


# --- the templates themselves ---------------------------------------------------------------


def template_paths() -> list[Path]:
    return sorted(p for d in TEMPLATE_DIRS for p in d.rglob("*.html"))


def test_the_templates_are_found():
    names = {p.name for p in template_paths()}
    expected = {"base.html", "400.html", "404.html", "500.html", "report.html", "upload.html",
                "login.html", "locked.html"}  # fmt: skip
    assert expected <= names


@pytest.mark.parametrize("path", template_paths(), ids=lambda p: p.name)
def test_no_template_has_inline_script_or_style(path):
    assert inline_code(path.read_text(encoding="utf-8")) == []


def test_the_parser_finds_each_kind_of_inline_code():
    page = """<style>p{}</style><p style="color:red">x</p><script>alert(1)</script>
      <script type="module">x()</script><button onclick="x()">x</button>
      <a href=" JavaScript:x()">x</a><script type="application/json">{}</script>
      <script src="/static/x.js"></script>"""
    kinds = [found.split(":")[0] for found in inline_code(page)]
    assert kinds == ["<style> block", "style attribute", "inline script", "inline script",
                     "event handler onclick", "javascript"]  # fmt: skip


# --- the middleware ---------------------------------------------------------------------------


def test_policy_header_format():
    policy = {"default-src": ["'self'"], "img-src": ["'self'", "data:"],
              "upgrade-insecure-requests": True, "report-uri": [], "sandbox": False}  # fmt: skip
    expected = "default-src 'self'; img-src 'self' data:; upgrade-insecure-requests"
    assert security.policy_header(policy) == expected


def test_a_policy_set_by_a_view_is_kept():
    from django.http import HttpResponse

    own = "default-src 'none'"

    def view(request):  # type: ignore[no-untyped-def]
        response = HttpResponse("x")
        response[security.HEADER] = own
        return response

    response = security.ContentSecurityPolicyMiddleware(view)(None)  # type: ignore[arg-type]
    assert response[security.HEADER] == own


def test_debug_error_pages_are_left_without_a_policy(client, settings):
    """Django's technical 404/500 pages (DEBUG only) are inline styles and scripts."""
    settings.DEBUG = True
    missing = client.get("/nothing-here/")
    assert missing.status_code == 404
    assert "Content-Security-Policy" not in missing.headers
    assert "Content-Security-Policy" in client.get(reverse("ledger:home")).headers
