"""Issue 10, tests and checks: imported or typed names containing HTML/JS are shown escaped
everywhere (pages, admin, exports); forms and API writes without a CSRF token or an API token
are refused.

One yearly cycle is run through the real pages with a browser-like client that enforces CSRF
(`Client(enforce_csrf_checks=True)`): an import of a small hostile report (previewed, then
discarded), R6 opened from the reference R5, a project and a KPI added on the year's setup
page, an actual with its note (entry page), the project's money with its note (money page),
the four steps of the evaluation chain, submit / return / approve on the year's hub, the
year published, and a correction and a revert of the published value with their reasons.
Every POST is sent first without the CSRF token (403, nothing written: every ledger and
history table counted) and then with the token the page gave. Each typed text carries hostile
markup, a spreadsheet formula, an SQL fragment or a bidi override; the pages (staff, public,
Django admin), every export and the API are then read back.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services import evaluation, workflow
from kpiledger.web.ledger.tests import factories as f

pytestmark = pytest.mark.django_db

CODE = f.KUSHIRO[0]
R5, R6 = 2023, 2024

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
HYPERLINK = '=HYPERLINK("http://x","y")'
SUM = "=1+1"
SQL = "'; DROP TABLE--"
BIDI = "\u202e"  # RIGHT-TO-LEFT OVERRIDE

# What is typed where (each with a Japanese word of its own, to be found again).
PROJECT_NAME = f"{HYPERLINK}{SCRIPT}事業{BIDI}"
SUMMARY = f"{IMG}{SQL}概要"
INDICATOR = f"{SUM}{SCRIPT}指標"
UNIT = f"{IMG}人"[:50]
NOTE = f"{SUM} {SCRIPT}{BIDI}実績メモ"
MONEY_NOTE = f"{IMG}{SQL}事業費メモ"
SELF_COMMENT = f"{SCRIPT}自己評価{BIDI}"
PRIMARY_COMMENT = f"{IMG}一次評価"
COMMITTEE_COMMENT = f"{HYPERLINK} {SCRIPT}外部評価"
FINAL_COMMENT = f"{SUM}{IMG}最終判断"
RETURN_COMMENT = f"{SCRIPT}差戻し{SQL}"
APPROVE_COMMENT = f"{IMG}承認{BIDI}"
CORRECTION = f"{SCRIPT}訂正理由{IMG}"
REVERT_REASON = f"{IMG}取消理由{SQL}"
API_NOTE = f"{HYPERLINK}{SCRIPT}API経由メモ{BIDI}"
IMPORTED_PROJECT = f"{SCRIPT}取込事業{IMG}"
FILE_NAME = f"{IMG}報告書.txt"  # no `/`: an upload's name keeps no folder


# --- a browser's view of a page's forms -------------------------------------------------------


@dataclass
class Form:
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)

    def data(self, **changes: str) -> dict[str, Any]:
        """The form as a browser posts it unchanged, with `changes` (name → value)."""
        out: dict[str, Any] = {}
        for name, value in self.fields:
            out.setdefault(name, value)
        out.update(changes)
        return out

    def names(self) -> set[str]:
        return {name for name, _value in self.fields}


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = Form(a.get("action", ""))
            self.forms.append(self._form)
        if self._form is None:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file"):
                self._form.fields.append(
                    (a["name"], a.get("value", "on" if kind in ("checkbox", "radio") else ""))
                )
        elif tag == "select":
            self._select, self._options = a.get("name"), []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select" and self._form is not None and self._select:
            chosen = [v for v, selected in self._options if selected] or [
                v for v, _s in self._options[:1]
            ]
            self._form.fields.extend((self._select, v) for v in chosen)
            self._select = None
        elif tag == "textarea" and self._form is not None and self._textarea:
            self._form.fields.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None


def forms_of(page: bytes) -> list[Form]:
    parser = _Forms()
    parser.feed(page.decode())
    return parser.forms


def form_on(page: bytes, *, action: str | None = None, having: str | None = None) -> Form:
    """The one form of the page posting to `action` (a substring) and/or with a field named
    `having` (exactly, or the field's prefix before `_<id>`)."""
    found = [
        form
        for form in forms_of(page)
        if (action is None or action in form.action)
        and (having is None or any(n == having or n.startswith(having) for n in form.names()))
    ]
    assert len(found) == 1, (action, having, [x.action for x in found])
    return found[0]


# --- the cycle, every POST first without the CSRF token ---------------------------------------


def ledger_state() -> tuple[dict[str, int], int]:
    return f.row_counts(), m.LedgerVersion.current()


@dataclass
class Cycle:
    admin: User
    client: Client
    project: m.Project
    kpi: m.Kpi
    pages: dict[str, bytes]
    csrf_refused: list[str]
    expected_posts: list[str]


def post(
    client: Client, url: str, form: Form, log: list[str], *, expect: int = 302, **changes: Any
) -> Any:
    """POST the form without the CSRF token (refused, nothing written), then with the page's."""
    data = form.data(**changes)
    token = data.pop("csrfmiddlewaretoken")
    before = ledger_state()
    refused = client.post(url, data)
    assert refused.status_code == 403, url
    assert b"CSRF" in refused.content, url  # the CSRF check refused it, not the policy
    assert ledger_state() == before, url
    log.append(url)
    for value in data.values():
        if hasattr(value, "seek"):
            value.seek(0)  # an uploaded file, read by the refused POST
    done = client.post(url, {**data, "csrfmiddlewaretoken": token})
    assert done.status_code == expect, (url, done.content.decode()[:3000])
    return done


def get(client: Client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    return bytes(response.content)


def run_cycle() -> Cycle:
    f.import_reference()
    org = m.Organization.objects.get(code=CODE)
    admin = f.make_user("kikaku")
    f.make_member(admin, org, m.Role.PLANNING_ADMIN)
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    pages: dict[str, bytes] = {}
    log: list[str] = []

    # An import of a small hostile report: previewed (and listed), then discarded.
    hostile = f.next_year_text().replace(f.NEW_PROJECT, IMPORTED_PROJECT)
    upload_url = reverse("ledger:import_upload")
    upload = form_on(get(client, upload_url), having="org_code")
    file = SimpleUploadedFile(FILE_NAME, hostile.encode(), content_type="text/plain")
    post(client, upload_url, upload, log, org_code=CODE, org_name="釧路市", file=file)
    batch = m.ImportBatch.objects.get(status="pending")
    preview_url = reverse("ledger:import_preview", args=[batch.pk])
    pages["import preview"] = get(client, preview_url)
    pages["imports"] = get(client, reverse("ledger:staff_imports"))
    confirm_url = reverse("ledger:import_confirm", args=[batch.pk])
    confirm = form_on(pages["import preview"], having="fingerprint")
    post(client, confirm_url, confirm, log, action="discard")
    assert m.ImportBatch.objects.get(pk=batch.pk).status == "discarded"
    assert batch.file_name == FILE_NAME

    # R6 opened from R5 on the years page.
    years_url = reverse("ledger:staff_years", args=[CODE])
    post(client, years_url, form_on(get(client, years_url), having="year"), log)
    assert m.FiscalYear.objects.filter(organization=org, year=R6).exists()

    # The year's setup: a project and a KPI.
    setup_url = reverse("ledger:staff_year_setup", args=[CODE, R6])
    page = get(client, setup_url)
    form = form_on(page, having="project-name")
    post(client, setup_url, form, log, **{"project-name": PROJECT_NAME, "project-summary": SUMMARY})
    project = m.Project.objects.get(organization=org, name=PROJECT_NAME)
    assert project.summary == SUMMARY
    form = form_on(get(client, setup_url), having="kpi-indicator")
    post(
        client,
        setup_url,
        form,
        log,
        **{
            "kpi-project": str(project.pk),
            "kpi-indicator": INDICATOR,
            "kpi-unit": UNIT,
            "kpi-target": "100",
            "kpi-target_date": "R7.3",
        },
    )
    kpi = m.Kpi.objects.get(project=project)
    assert (kpi.indicator, kpi.unit) == (INDICATOR, UNIT)
    pages["setup"] = get(client, setup_url)

    # The actual and its note.
    entry_url = reverse("ledger:staff_entry", args=[CODE, R6])
    form = form_on(get(client, entry_url), having="value_")
    post(client, entry_url, form, log, **{f"value_{kpi.pk}": "40", f"note_{kpi.pk}": NOTE})
    assert m.Observation.objects.get(kpi=kpi, fiscal_year=R6).note == NOTE
    pages["entry"] = get(client, entry_url)

    # The money and its note.
    money_url = reverse("ledger:staff_money", args=[CODE, R6])
    form = form_on(get(client, money_url), having="total_cost_")
    post(
        client,
        money_url,
        form,
        log,
        **{
            f"total_cost_{project.pk}": "1,000,000",
            f"grant_amount_{project.pk}": "500,000",
            f"spent_{project.pk}": "800,000",
            f"note_{project.pk}": MONEY_NOTE,
        },
    )
    assert m.ProjectYear.objects.get(project=project, fiscal_year=R6).money_note == MONEY_NOTE

    # The evaluation chain, step by step.
    evaluation_url = reverse("ledger:staff_evaluation", args=[CODE, R6, project.pk])
    effect, policy = evaluation.EFFECTS[0], evaluation.POLICIES[0]
    for step, comment, extra in (
        ("self", SELF_COMMENT, {}),
        ("primary", PRIMARY_COMMENT, {}),
        ("committee", COMMITTEE_COMMENT, {"committee-effect": effect}),
        ("final", FINAL_COMMENT, {"final-policy": policy}),
    ):
        form = form_on(get(client, evaluation_url), having=f"{step}-comment")
        post(client, evaluation_url, form, log, **{f"{step}-comment": comment, **extra})
        assert m.Evaluation.objects.get(project=project, fiscal_year=R6, step=step).comment == (
            comment.strip()
        )
    pages["evaluation"] = get(client, evaluation_url)

    # Submit, return with a comment, submit again, approve with a comment (the year's hub).
    hub_url = reverse("ledger:staff_year", args=[CODE, R6])
    for action, comment in (
        ("submit", None),
        ("return", RETURN_COMMENT),
        ("submit", None),
        ("approve", APPROVE_COMMENT),
    ):
        url = reverse("ledger:staff_project_action", args=[CODE, R6, project.pk, action])
        form = form_on(get(client, hub_url), action=url)
        post(client, url, form, log, **({"comment": comment} if comment else {}))
        if action == "return":
            pages["hub returned"] = get(client, hub_url)
    row = m.ProjectYear.objects.get(project=project, fiscal_year=R6)
    assert (row.state, row.comment) == (m.WorkState.APPROVED, APPROVE_COMMENT)

    # The reference's projects (no hostile text) approved through the service; then publish.
    for other in workflow.year_projects(org, R6):
        if other.project_id != project.pk:
            workflow.submit(admin, other.project, R6)
            workflow.approve(admin, other.project, R6)
    pages["hub approved"] = get(client, hub_url)
    publish_url = reverse("ledger:staff_publish", args=[CODE, R6])
    post(client, publish_url, form_on(pages["hub approved"], action=publish_url), log)
    assert m.FiscalYear.objects.get(organization=org, year=R6).published_at is not None

    # A correction of the published value (its reason), then a revert (its reason).
    form = form_on(get(client, entry_url), having="value_")
    post(client, entry_url, form, log, **{f"value_{kpi.pk}": "45", "comment": CORRECTION})
    history_url = reverse("ledger:staff_kpi_history", args=[kpi.pk])
    page = get(client, history_url)
    revert = [x for x in forms_of(page) if "history_id" in x.names()]
    assert revert, "a revert form on the history page"
    post(client, history_url, revert[0], log, reason=REVERT_REASON)
    observation = m.Observation.objects.get(kpi=kpi, fiscal_year=R6)
    reasons = list(observation.history.values_list("history_change_reason", flat=True))
    assert any(CORRECTION in r for r in reasons) and any(REVERT_REASON in r for r in reasons)

    # The rest of the staff pages, after the cycle.
    pages["hub"] = get(client, hub_url)
    pages["entry published"] = get(client, entry_url)
    pages["money"] = get(client, money_url)
    pages["money history"] = get(client, f"{money_url}?project={project.pk}&history=1")
    pages["evaluation published"] = get(client, evaluation_url)
    pages["years"] = get(client, years_url)
    pages["kpi history"] = get(client, history_url)
    pages["staff home"] = get(client, reverse("ledger:staff_home"))
    project.refresh_from_db()
    kpi.refresh_from_db()
    urls = [upload_url, confirm_url, years_url, setup_url, setup_url, entry_url, money_url]
    urls += [evaluation_url] * 4
    urls += [
        reverse("ledger:staff_project_action", args=[CODE, R6, project.pk, action])
        for action in ("submit", "return", "submit", "approve")
    ]
    urls += [publish_url, entry_url, history_url]
    return Cycle(admin, client, project, kpi, pages, log, urls)


@pytest.fixture(scope="module")
def cycle(django_db_setup: None, django_db_blocker: Any) -> Iterator[Cycle]:
    """The cycle run once for the module (about 5 s), inside a transaction rolled back after
    its last test; each test runs inside it (pytest-django's savepoints)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield run_cycle()
        transaction.set_rollback(True)


# --- what is shown where ---------------------------------------------------------------------

# The raw markup that must never reach a page: the typed tags, live. (`"><img` alone is no
# test: the admin's own markup has `title="…"><img src="/static/…`.)
LIVE = (SCRIPT.encode(), b"<img src=x", b"onerror=alert(1)>")

TEXTS = {
    "PROJECT_NAME": PROJECT_NAME,
    "SUMMARY": SUMMARY,
    "INDICATOR": INDICATOR,
    "UNIT": UNIT,
    "NOTE": NOTE,
    "MONEY_NOTE": MONEY_NOTE,
    "SELF_COMMENT": SELF_COMMENT,
    "PRIMARY_COMMENT": PRIMARY_COMMENT,
    "COMMITTEE_COMMENT": COMMITTEE_COMMENT,
    "FINAL_COMMENT": FINAL_COMMENT,
    "RETURN_COMMENT": RETURN_COMMENT,
    "APPROVE_COMMENT": APPROVE_COMMENT,
    "CORRECTION": CORRECTION,
    "REVERT_REASON": REVERT_REASON,
    "IMPORTED_PROJECT": IMPORTED_PROJECT,
    "FILE_NAME": FILE_NAME,
}


def assert_escaped(name: str, page: bytes, expected: set[str]) -> None:
    """No live markup of the hostile texts on the page; each of `expected` shown, escaped as
    Django escapes (`&lt;script&gt;`, `&quot;&gt;&lt;img`, `&#x27;`), its bidi override kept."""
    for live in LIVE:
        assert live not in page, (name, live)
    text = page.decode()
    missing = {key for key in expected if escape(TEXTS[key]) not in text}
    assert not missing, (name, missing)
    if expected:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text or "&lt;img src=x" in text, name


def test_every_post_of_the_cycle_is_refused_without_the_csrf_token_then_accepted_with_it(
    cycle: Cycle,
) -> None:
    """`post` asserted each: 403 from the CSRF check, every ledger table unchanged, then the
    same form with the page's token accepted."""
    # upload, discard, open R6, add project + KPI, entry, money, 4 evaluation steps, submit,
    # return, submit, approve, publish, correction (entry), revert (KPI history)
    assert cycle.csrf_refused == cycle.expected_posts
    assert len(cycle.csrf_refused) == 18
    assert len(set(cycle.csrf_refused)) == 12  # endpoints


STAFF_PAGES: dict[str, set[str]] = {
    "import preview": {"IMPORTED_PROJECT", "FILE_NAME"},
    "imports": {"FILE_NAME"},
    "setup": {"PROJECT_NAME", "INDICATOR", "UNIT"},
    "entry": {"PROJECT_NAME", "INDICATOR", "UNIT", "NOTE"},
    "evaluation": {
        "PROJECT_NAME",
        "INDICATOR",
        "UNIT",
        "SELF_COMMENT",
        "PRIMARY_COMMENT",
        "COMMITTEE_COMMENT",
        "FINAL_COMMENT",
    },
    "hub returned": {"PROJECT_NAME", "RETURN_COMMENT"},
    "hub approved": {"PROJECT_NAME", "APPROVE_COMMENT"},
    "hub": {"PROJECT_NAME", "APPROVE_COMMENT"},
    "entry published": {"PROJECT_NAME", "INDICATOR", "UNIT", "NOTE"},
    "money": {"PROJECT_NAME", "MONEY_NOTE"},
    "money history": {"PROJECT_NAME", "MONEY_NOTE"},
    "evaluation published": {
        "PROJECT_NAME",
        "SELF_COMMENT",
        "PRIMARY_COMMENT",
        "COMMITTEE_COMMENT",
        "FINAL_COMMENT",
    },
    "years": {"PROJECT_NAME", "INDICATOR", "UNIT"},
    "kpi history": {"PROJECT_NAME", "INDICATOR", "NOTE", "CORRECTION", "REVERT_REASON"},
    "staff home": set(),
}


def test_staff_pages_show_every_typed_text_escaped(cycle: Cycle) -> None:
    assert set(cycle.pages) == set(STAFF_PAGES)
    for name, expected in STAFF_PAGES.items():
        assert_escaped(name, cycle.pages[name], expected)
    # inside a form field's value too (the entry page's note input, as typed)
    assert f'value="{escape(NOTE)}"' in cycle.pages["entry"].decode()


def test_public_pages_show_the_published_texts_escaped(cycle: Cycle) -> None:
    visitor = Client()
    pages = {
        "report": (
            f"/org/{CODE}/{R6}/",
            {"PROJECT_NAME", "SUMMARY", "INDICATOR", "UNIT"}
            | {"SELF_COMMENT", "PRIMARY_COMMENT", "COMMITTEE_COMMENT", "FINAL_COMMENT"},
        ),
        "dashboard": (f"/org/{CODE}/{R6}/dashboard/", {"PROJECT_NAME"}),
        "kpi": (
            f"/org/{CODE}/kpi/{cycle.kpi.pk}/",
            {"PROJECT_NAME", "INDICATOR", "UNIT", "CORRECTION", "REVERT_REASON"},
        ),
    }
    for name, (url, expected) in pages.items():
        assert_escaped(name, get(visitor, url), expected)
    home = get(visitor, "/")
    assert not any(live in home for live in LIVE)
    # drafts and the staff's own texts stay off the public pages
    for url, _expected in pages.values():
        text = get(visitor, url).decode()
        for key in ("MONEY_NOTE", "RETURN_COMMENT", "APPROVE_COMMENT", "IMPORTED_PROJECT"):
            assert escape(TEXTS[key]) not in text, (url, key)


def test_the_django_admin_shows_them_escaped_to_a_superuser(cycle: Cycle) -> None:
    root = User.objects.create_superuser("root", "root@example.org", f.PASSWORD)
    admin = Client()
    admin.force_login(root)
    project, kpi = cycle.project, cycle.kpi
    rows = {
        "project": (project.pk, {"PROJECT_NAME"}, {"PROJECT_NAME", "SUMMARY"}),
        "kpi": (kpi.pk, {"PROJECT_NAME", "INDICATOR", "UNIT"}, {"INDICATOR", "UNIT", "NOTE"}),
        "observation": (
            m.Observation.objects.get(kpi=kpi, fiscal_year=R6).pk,
            set(),
            {"INDICATOR", "NOTE"},
        ),
        "projectyear": (
            m.ProjectYear.objects.get(project=project, fiscal_year=R6).pk,
            {"PROJECT_NAME"},
            {"PROJECT_NAME", "MONEY_NOTE", "APPROVE_COMMENT"},
        ),
        "evaluation": (
            m.Evaluation.objects.get(project=project, fiscal_year=R6, step="committee").pk,
            {"PROJECT_NAME"},
            {"PROJECT_NAME", "COMMITTEE_COMMENT"},
        ),
        "reportedproject": (
            m.ReportedProject.objects.get(project=project, fiscal_year=R6).pk,
            {"PROJECT_NAME"},
            {"PROJECT_NAME", "SELF_COMMENT", "PRIMARY_COMMENT", "COMMITTEE_COMMENT"}
            | {"FINAL_COMMENT"},
        ),
    }
    for model, (pk, listed, in_form) in rows.items():
        assert_escaped(f"{model} list", get(admin, f"/admin/ledger/{model}/"), listed)
        assert_escaped(
            f"{model} change", get(admin, f"/admin/ledger/{model}/{pk}/change/"), in_form
        )
    # the observations' list (over 100 rows: ours on a later page) filtered to R6 names the KPI
    filtered = get(admin, f"/admin/ledger/observation/?fiscal_year={R6}")
    assert_escaped("observation list of R6", filtered, {"INDICATOR"})


# --- exports ---------------------------------------------------------------------------------

FORMULAS = {"PROJECT_NAME", "INDICATOR", "NOTE", "COMMITTEE_COMMENT", "FINAL_COMMENT"}
assert all(TEXTS[key].startswith("=") for key in FORMULAS)


def download(fmt: str) -> bytes:
    response = Client().get(f"/org/{CODE}/{R6}/download/{fmt}")
    assert response.status_code == 200, fmt
    return bytes(response.content)


def csv_cells(data: bytes | str) -> list[str]:
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def assert_csv_neutralised(name: str, cells: list[str], expected: set[str]) -> None:
    """opendata.py: a text cell starting with `= + - @`, a tab or a CR gets a leading `'`; a
    lone `-` (no value) stays. Every other text is written exactly."""
    for key in expected:
        text = TEXTS[key]
        wanted = "'" + text if key in FORMULAS else text
        assert wanted in cells, (name, key)
        if key in FORMULAS:
            assert text not in cells, (name, key)
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")], name
    assert all(c == "-" or not c.startswith("-") or _number(c) for c in cells), name


def _number(text: str) -> bool:
    return re.fullmatch(r"-\d+(\.\d+)?", text) is not None


CSV_TEXTS = {"PROJECT_NAME", "INDICATOR", "UNIT", "NOTE"}


def test_xlsx_cells_are_text_never_a_formula(cycle: Cycle) -> None:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(download("xlsx")))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = {str(c.value): c for c in cells if isinstance(c.value, str)}
    for key in ("PROJECT_NAME", "INDICATOR", "UNIT", "COMMITTEE_COMMENT", "FINAL_COMMENT"):
        found = [c for text, c in values.items() if TEXTS[key] in text]
        assert found, key
        for cell in found:
            assert cell.data_type == "s", (key, cell.coordinate)
    for key in FORMULAS & {"PROJECT_NAME", "INDICATOR"}:
        cell = values[TEXTS[key]]  # the whole cell, exactly as typed
        assert cell.data_type == "s" and cell.quotePrefix, key


def test_csv_json_and_datapackage_keep_the_texts_and_neutralise_formulas(cycle: Cycle) -> None:
    for fmt in ("csv", "csv-wide"):
        assert_csv_neutralised(fmt, csv_cells(download(fmt)), CSV_TEXTS)
    record = json.loads(download("json"))
    strings = set(_strings(record))
    for key in ("PROJECT_NAME", "SUMMARY", "INDICATOR", "UNIT"):
        assert TEXTS[key] in strings, key  # exactly as typed: JSON is no spreadsheet
    (project,) = record["projects"]
    assessment = project["assessment"]
    assert (assessment["opinion"], assessment["policy_reason"]) == (
        COMMITTEE_COMMENT,
        FINAL_COMMENT,
    )
    assert assessment["evaluation"] == f"【自己評価】{SELF_COMMENT}\n【一次評価】{PRIMARY_COMMENT}"
    with zipfile.ZipFile(io.BytesIO(download("datapackage"))) as package:
        names = package.namelist()
        tables = [n for n in names if n.endswith(".csv")]
        assert {n.rsplit("/", 1)[-1] for n in tables} == {
            "kpis.csv",
            "observations.csv",
            "projects.csv",
        }
        for name in tables:
            cells = csv_cells(package.read(name))
            expected = {
                "projects.csv": {"PROJECT_NAME", "SUMMARY", "COMMITTEE_COMMENT", "FINAL_COMMENT"},
            }.get(name.rsplit("/", 1)[-1], CSV_TEXTS)
            assert_csv_neutralised(name, cells, expected)
        descriptor = next(n for n in names if n.endswith("datapackage.json"))
        json.loads(package.read(descriptor))  # still valid JSON


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_the_pdf_prints_the_markup_as_text(cycle: Cycle) -> None:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(download("pdf"))) as pdf:
        text = "".join(page.extract_text() or "" for page in pdf.pages)
    flat = re.sub(r"\s+", "", text)
    for key in ("PROJECT_NAME", "INDICATOR", "UNIT"):
        visible = re.sub(r"\s+", "", TEXTS[key].replace(BIDI, ""))
        assert visible in flat.replace(BIDI, ""), key  # printed, not run as markup


# --- the API ---------------------------------------------------------------------------------


def test_the_api_returns_the_exact_strings_and_its_docs_page_is_unaffected(cycle: Cycle) -> None:
    api = f"/api/v1/organizations/{CODE}/years/{R6}"
    visitor = Client()
    (ours,) = visitor.get(f"{api}/projects").json()["items"]
    assert (ours["name"], ours["summary"]) == (PROJECT_NAME, SUMMARY)
    assessment = ours["assessment"]
    assert (assessment["opinion"], assessment["policy_reason"]) == (
        COMMITTEE_COMMENT,
        FINAL_COMMENT,
    )
    assert assessment["evaluation"] == f"【自己評価】{SELF_COMMENT}\n【一次評価】{PRIMARY_COMMENT}"
    (kpi,) = visitor.get(f"{api}/kpis").json()["items"]
    assert (kpi["project_name"], kpi["indicator"], kpi["unit"]) == (PROJECT_NAME, INDICATOR, UNIT)
    assert INDICATOR in _strings(visitor.get(f"{api}/observations").json())
    docs = visitor.get("/api/v1/docs")
    assert docs.status_code == 200
    assert not any(live in docs.content for live in LIVE)
    assert b"alert(1)" not in docs.content and b"\xe2\x80\xae" not in docs.content


def issue_token(username: str) -> str:
    out = io.StringIO()
    call_command("api_token", username, "--name", "hostile", stdout=out)
    (token,) = re.findall(r"^(kpl_\S+)$", out.getvalue(), re.MULTILINE)
    return str(token)


def test_api_writes_without_a_valid_bearer_token_are_refused_and_with_one_kept_exactly(
    cycle: Cycle,
) -> None:
    kpi = cycle.kpi
    url = f"/api/v1/kpis/{kpi.pk}/observations/{R6}"
    good = issue_token(cycle.admin.get_username())
    viewer = f.make_user("etsuran")
    f.make_member(viewer, cycle.project.organization, m.Role.VIEWER)
    viewer_token = issue_token("etsuran")
    state = Client().get(url, HTTP_AUTHORIZATION=f"Bearer {good}").json()
    assert state["note"] == NOTE and state["indicator"] == INDICATOR  # exact, not escaped
    body = {"value": "47", "note": API_NOTE, "token": state["token"], "reason": CORRECTION}
    batch = {"rows": [{"kpi_id": kpi.pk, "value": "47", "note": API_NOTE, "token": state["token"]}]}
    signed_in = cycle.client  # a staff session (CSRF enforced), no bearer token
    refusals = [
        ("no token", Client(), {}, 401),
        ("a wrong token", Client(), {"HTTP_AUTHORIZATION": "Bearer kpl_not-a-token"}, 401),
        ("not a bearer", Client(), {"HTTP_AUTHORIZATION": f"Token {good}"}, 401),
        ("a session, no token", signed_in, {}, 401),
        ("a viewer's token", Client(), {"HTTP_AUTHORIZATION": f"Bearer {viewer_token}"}, 403),
    ]
    for what, client, headers, status in refusals:
        before = ledger_state()
        put = client.put(url, body, content_type="application/json", **headers)
        posted = client.post(
            f"/api/v1/observations/{R6}", batch, content_type="application/json", **headers
        )
        assert (put.status_code, posted.status_code) == (status, status), what
        assert ledger_state() == before, what
    assert m.Observation.objects.get(kpi=kpi, fiscal_year=R6).note == NOTE
    # with the planning admin's token: accepted (a correction of the published year)
    done = Client().put(
        url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {good}"
    )
    assert done.status_code == 200, done.content
    observation = m.Observation.objects.get(kpi=kpi, fiscal_year=R6)
    assert observation.note == API_NOTE
    assert CORRECTION in (observation.history.latest("history_id").history_change_reason or "")
    again = Client().get(url, HTTP_AUTHORIZATION=f"Bearer {good}").json()
    assert again["note"] == API_NOTE
    history = get(cycle.client, reverse("ledger:staff_kpi_history", args=[kpi.pk]))
    assert_escaped("kpi history after the API", history, {"CORRECTION"})
    assert escape(API_NOTE) in history.decode()
