"""Issue 10: the permission matrix at the doors — 41 doors × 8 users = 328 cells.

tests/test_policy.py checks `policy.allowed()` against its table; this module checks what the
real HTTP endpoints do. Every page, form, admin page and API operation that changes or reveals
the unpublished data of one organization (釧路市, R6年度 opened and in progress) is called as
each kind of user, and the outcome of each call is compared with the table `EXPECTED`, written
here independently from docs/web.md ("Pages", "The yearly cycle", "Roles and permissions").

Users (columns): the planning admin of 釧路市 (`admin`); the department editor of the project
under test, 音別地域交流拠点施設整備事業 (`editor`); a department editor of another project
of 釧路市 (`other_ed`); a committee member (`committee`); a viewer (`viewer`); the planning
admin of another organization, 札幌市 (`foreign`); a superuser (`super`); an anonymous
visitor (`anon`).
Every signed-in user has `is_staff` (so that /admin/ opens for them and only the policy
decides) and an API token.

Outcomes (cells):
- `Y`  allowed: a page shows the project's unpublished data (a marker written for the test);
       a write answers 2xx/3xx and the intended row changed;
- `P`  the page opens (200) but without the project's unpublished data (another project's or
       organization's view of it);
- `N`  refused with 403;
- `H`  refused with 404 (the admin hides rows outside the user's organizations);
- `F`  refused on the page itself (a form error or a message, no 403), nothing written;
- `L`  not signed in: sent to the login page (302), or 401 from the API.
A refused call (anything but `Y`) must write nothing: every ledger and history table's row
count, the ledger version, the imports' states, the fiscal years and the evaluation steps are
compared before and after; a refused call that wrote something shows as e.g. `N!`. A page (GET)
must write nothing in any cell, and an allowed write must show in that comparison (else `Y0`:
the comparison would be blind to that door's refused writes).

The world (the reference report imported, R6 opened, the users) is built once; each cell runs in
a savepoint rolled back afterwards, after its door set the states it needs (submit needs a
draft, approve a submission, publish every project approved …). The whole table is compared at
once: a failure lists every differing cell.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from kpiledger.io.readers import read_report_bytes
from kpiledger.web.api.models import ApiToken
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services import entry as entry_service
from kpiledger.web.ledger.services import evaluation as evaluation_service
from kpiledger.web.ledger.services import importing
from kpiledger.web.ledger.services import money as money_service
from kpiledger.web.ledger.tests import factories as f
from kpiledger.web.ledger.tests.yearly import open_year, set_state

pytestmark = pytest.mark.django_db

CODE = f.KUSHIRO[0]
OTHER = ("011002", "札幌市")
R6, R7 = 2024, 2025
API = "/api/v1"

ROLES = ("admin", "editor", "other_ed", "committee", "viewer", "foreign", "super", "anon")

# Markers of unpublished data, written for the test where each page would show them.
DRAFT_NOTE = "未公表の備考マーカー"  # the note of the R6 actual of the KPI under test
MONEY_NOTE = "未公表の事業費マーカー"  # the note of the project's R6 money
SELF_COMMENT = "未公表の自己評価マーカー"  # the project's R6 self-evaluation
HUB_COMMENT = "未公表の差戻しマーカー"  # the planning office's last comment on the project
BATCH_FILE = "doors_r6_draft.txt"  # a pending import of 釧路市 R6, prepared by the editor
FIRST_VALUE, DRAFT_VALUE = Decimal(4321), Decimal(4400)  # the R6 actual's history

# The expected table: door → the outcome for each user, in the order of ROLES.
EXPECTED_TEXT = """
door                      admin editor other_ed committee viewer foreign super anon
GET home                  Y     Y      Y        Y         Y      P       Y     L
GET year hub              Y     Y      P        Y         Y      N       Y     L
GET years                 Y     Y      Y        Y         Y      N       Y     L
GET year setup            Y     N      N        N         N      N       Y     L
GET entry                 Y     Y      P        N         N      N       Y     L
GET money                 Y     Y      P        Y         Y      N       Y     L
GET money history         Y     Y      N        Y         Y      N       Y     L
GET evaluation            Y     Y      N        Y         Y      N       Y     L
GET kpi history           Y     Y      N        Y         Y      N       Y     L
GET imports               Y     Y      Y        Y         Y      P       Y     L
GET import preview        Y     Y      Y        Y         Y      N       Y     L
API GET observation       Y     Y      N        Y         Y      N       Y     L
ADMIN GET kpi             Y     H      H        H         H      H       Y     L
ADMIN GET observation     Y     H      H        H         H      H       Y     L
ADMIN GET projectyear     Y     H      H        H         H      H       Y     L
ADMIN GET evaluation      Y     H      H        H         H      H       Y     L
POST entry                Y     Y      N        N         N      N       Y     L
POST money                Y     Y      N        N         N      N       Y     L
POST evaluation self      Y     Y      N        N         N      N       Y     L
POST evaluation primary   Y     N      N        N         N      N       Y     L
POST evaluation committee Y     N      N        Y         N      N       Y     L
POST evaluation final     Y     N      N        N         N      N       Y     L
POST submit               Y     Y      N        N         N      N       Y     L
POST return               Y     N      N        N         N      N       Y     L
POST approve              Y     N      N        N         N      N       Y     L
POST publish              Y     N      N        N         N      N       Y     L
POST open year            Y     N      N        N         N      N       Y     L
POST setup add project    Y     N      N        N         N      N       Y     L
POST setup close kpi      Y     N      N        N         N      N       Y     L
POST entry window         Y     N      N        N         N      N       Y     L
POST evaluation steps     Y     N      N        N         N      N       Y     L
POST revert               Y     Y      N        N         N      N       Y     L
POST import upload        Y     Y      Y        N         N      F       Y     L
POST import apply         Y     N      N        N         N      N       Y     L
POST import discard       Y     Y      N        N         N      N       Y     L
ADMIN POST kpi            Y     H      H        H         H      H       Y     L
ADMIN POST observation    Y     H      H        H         H      H       Y     L
ADMIN POST projectyear    Y     H      H        H         H      H       Y     L
ADMIN POST evaluation     Y     H      H        H         H      H       Y     L
API PUT observation       Y     Y      N        N         N      N       Y     L
API POST observations     Y     Y      N        N         N      N       Y     L
"""


def parse_table(text: str) -> dict[tuple[str, str], str]:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    header = lines[0].split()
    assert tuple(header[1:]) == ROLES
    table: dict[tuple[str, str], str] = {}
    for line in lines[1:]:
        words = line.split()
        name, cells = " ".join(words[: -len(ROLES)]), words[-len(ROLES) :]
        for role, cell in zip(ROLES, cells, strict=True):
            assert (name, role) not in table, f"{name} twice in the table"
            table[(name, role)] = cell
    return table


EXPECTED = parse_table(EXPECTED_TEXT)
DOOR_COUNT = 41
CELLS = DOOR_COUNT * len(ROLES)  # 328


# --- the world -----------------------------------------------------------------------------------


@dataclass
class World:
    org: m.Organization
    project: m.Project  # the project under test (the editor's)
    kpi: m.Kpi  # a KPI of it, open in R6, with an R6 actual in draft
    observation: m.Observation
    first_history_id: int  # the actual's first history row (FIRST_VALUE): revert goes there
    batch: m.ImportBatch  # a pending import of 釧路市 R6, prepared by the editor
    users: dict[str, User]
    tokens: dict[str, str]
    cache: dict[str, Any] = field(default_factory=dict)

    def reload_observation(self) -> m.Observation:
        return m.Observation.objects.get(pk=self.observation.pk)


def build_world() -> World:
    f.import_reference()
    org = m.Organization.objects.get(code=CODE)
    sapporo = f.make_organization(*OTHER)
    f.make_project(sapporo, "札幌市の事業")
    kpi = m.Kpi.objects.get(indicator=f.OTOBETSU_USERS, project__organization=org)
    project = kpi.project
    other_project = m.Kpi.objects.get(indicator=f.MIGRANTS, project__organization=org).project
    assert other_project != project
    open_year(org, R6)
    set_state(project, R6, m.WorkState.DRAFT, comment=HUB_COMMENT)

    def user(name: str, **fields: Any) -> User:
        return f.make_user(name, is_staff=True, **fields)  # type: ignore[no-any-return]

    users = {
        "admin": user("kikaku"),
        "editor": user("tanto"),
        "other_ed": user("betsu_tanto"),
        "committee": user("iin"),
        "viewer": user("etsuran"),
        "foreign": user("sapporo_kikaku"),
        "super": user("root", is_superuser=True),
    }
    f.make_member(users["admin"], org, m.Role.PLANNING_ADMIN)
    f.make_member(users["editor"], org, m.Role.DEPARTMENT_EDITOR, [project])
    f.make_member(users["other_ed"], org, m.Role.DEPARTMENT_EDITOR, [other_project])
    f.make_member(users["committee"], org, m.Role.COMMITTEE_MEMBER)
    f.make_member(users["viewer"], org, m.Role.VIEWER)
    f.make_member(users["foreign"], sapporo, m.Role.PLANNING_ADMIN)
    tokens = {role: ApiToken.issue(u, "doors")[1] for role, u in users.items()}

    # The unpublished data of the project's R6: an actual with its history, money, a
    # self-evaluation.
    observation = m.Observation.objects.create(
        kpi=kpi, fiscal_year=R6, value=FIRST_VALUE, note=DRAFT_NOTE
    )
    first = observation.history.get()  # type: ignore[attr-defined]
    observation.value = DRAFT_VALUE
    observation.save()
    money = m.ProjectYear.objects.get(project=project, fiscal_year=R6)
    money.total_cost, money.money_note = Decimal(13_579_000), MONEY_NOTE
    money.save()  # with its history row: the money's history page shows it
    m.Evaluation.objects.create(
        project=project,
        fiscal_year=R6,
        step=m.EvaluationStep.SELF,
        comment=SELF_COMMENT,
        recorded_by=users["editor"],
    )
    content = f.next_year_text().encode("utf-8")
    batch = importing.record_pending(
        read_report_bytes(content, BATCH_FILE),
        code=CODE,
        name=f.KUSHIRO[1],
        file_name=BATCH_FILE,
        content=content,
        user=users["editor"],
    )
    return World(org, project, kpi, observation, first.history_id, batch, users, tokens)


def snapshot(world: World) -> tuple[Any, ...]:
    """What a refused call must leave as it was."""
    world.org.refresh_from_db()
    return (
        f.row_counts(),
        m.LedgerVersion.current(),
        sorted(m.ImportBatch.objects.values_list("pk", "status")),
        sorted(
            m.FiscalYear.objects.values_list("organization_id", "year", "closed_at", "published_at")
        ),
        list(world.org.evaluation_steps),
    )


# --- doors ---------------------------------------------------------------------------------------

Prepare = Callable[[World], dict[str, Any]]
Call = Callable[[World, Client, str, dict[str, Any]], HttpResponse]
Done = Callable[[World, HttpResponse, dict[str, Any]], bool]


def nothing(world: World) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Door:
    name: str
    call: Call
    done: Done  # a page: shows the marker; a write: the intended row changed
    write: bool
    prepare: Prepare = nothing


def shows(marker: str) -> Done:
    def done(world: World, response: HttpResponse, ctx: dict[str, Any]) -> bool:
        return marker in response.content.decode()

    return done


def page(name: str, url: Callable[[World], str], marker: str) -> Door:
    return Door(name, lambda w, c, role, ctx: c.get(url(w)), shows(marker), write=False)


def year_url(view: str, *args: Any) -> Callable[[World], str]:
    return lambda w: reverse(f"ledger:{view}", args=[CODE, R6, *args])


def evaluation_url(w: World) -> str:
    return reverse("ledger:staff_evaluation", args=[CODE, R6, w.project.pk])


def history_url(w: World) -> str:
    return reverse("ledger:staff_kpi_history", args=[w.kpi.pk])


def admin_url(w: World, model: str) -> str:
    return f"/admin/ledger/{model}/{admin_object(w, model).pk}/change/"


def admin_object(w: World, model: str) -> Any:
    if model == "kpi":
        return w.kpi
    if model == "observation":
        return w.observation
    if model == "projectyear":
        return m.ProjectYear.objects.get(project=w.project, fiscal_year=R6)
    return m.Evaluation.objects.get(project=w.project, fiscal_year=R6, step="self")


def api_client(world: World, role: str) -> Client:
    if role == "anon":
        return Client()
    return Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens[role]}")


def value_is(expected: Decimal) -> Done:
    def done(world: World, response: HttpResponse, ctx: dict[str, Any]) -> bool:
        return world.reload_observation().value == expected

    return done


def state_is(state: m.WorkState) -> Done:
    def done(world: World, response: HttpResponse, ctx: dict[str, Any]) -> bool:
        row = m.ProjectYear.objects.get(project=world.project, fiscal_year=R6)
        return bool(row.state == state)

    return done


def in_state(state: m.WorkState, every_project: bool = False) -> Prepare:
    def prepare(world: World) -> dict[str, Any]:
        projects = world.org.projects.all() if every_project else [world.project]
        for project in projects:
            set_state(project, R6, state)
        return {}

    return prepare


# Entry, money, evaluation ---------------------------------------------------------------------


def post_entry(w: World, c: Client, role: str, ctx: dict[str, Any]) -> HttpResponse:
    k = w.kpi.pk
    data = {
        f"value_{k}": "5000",
        f"note_{k}": DRAFT_NOTE,
        f"token_{k}": entry_service.token(w.reload_observation()),
    }
    return c.post(year_url("staff_entry")(w), data)


def post_money(w: World, c: Client, role: str, ctx: dict[str, Any]) -> HttpResponse:
    p = w.project.pk
    row = m.ProjectYear.objects.get(project=w.project, fiscal_year=R6)
    data = {
        f"total_cost_{p}": "24,680,000",
        f"grant_amount_{p}": "",
        f"spent_{p}": "",
        f"note_{p}": MONEY_NOTE,
        f"token_{p}": money_service.token(row),
    }
    return c.post(year_url("staff_money")(w), data)


def money_saved(w: World, response: HttpResponse, ctx: dict[str, Any]) -> bool:
    row = m.ProjectYear.objects.get(project=w.project, fiscal_year=R6)
    return row.total_cost == Decimal(24_680_000)


STEP_TEXTS = {
    "self": {"comment": "自己評価を更新しました"},
    "primary": {"comment": "一次評価の所見"},
    "committee": {
        "effect": evaluation_service.EFFECTS[0],
        "comment": "外部有識者の意見",
        "policy": evaluation_service.POLICIES[2],
    },
    "final": {"comment": "方針の理由", "policy": evaluation_service.POLICIES[2]},
}


def steps_recorded(*steps: str, state: m.WorkState) -> Prepare:
    """The project's year in `state`, with the steps before the one under test recorded."""

    def prepare(world: World) -> dict[str, Any]:
        set_state(world.project, R6, state)
        for step in steps:
            texts = STEP_TEXTS[step]
            m.Evaluation.objects.create(
                project=world.project,
                fiscal_year=R6,
                step=step,
                effect=texts.get("effect", ""),
                comment=texts["comment"] + "（既存）",
                policy=texts.get("policy", ""),
                recorded_by=world.users["admin"],
            )
        return {}

    return prepare


def post_step(step: str) -> Call:
    def call(w: World, c: Client, role: str, ctx: dict[str, Any]) -> HttpResponse:
        current = m.Evaluation.objects.filter(project=w.project, fiscal_year=R6, step=step).first()
        data = {f"{step}-step": step, f"{step}-token": evaluation_service.token(current)}
        data |= {f"{step}-{name}": text for name, text in STEP_TEXTS[step].items()}
        return c.post(evaluation_url(w), data)

    return call


def step_saved(step: str) -> Done:
    def done(w: World, response: HttpResponse, ctx: dict[str, Any]) -> bool:
        row = m.Evaluation.objects.filter(project=w.project, fiscal_year=R6, step=step).first()
        return row is not None and row.comment == STEP_TEXTS[step]["comment"]

    return done


# Review, publish, the year -------------------------------------------------------------------


def project_action(action: str, comment: str = "") -> Call:
    def call(w: World, c: Client, role: str, ctx: dict[str, Any]) -> HttpResponse:
        url = reverse("ledger:staff_project_action", args=[CODE, R6, w.project.pk, action])
        return c.post(url, {"comment": comment})

    return call


def published(w: World, response: HttpResponse, ctx: dict[str, Any]) -> bool:
    return m.FiscalYear.objects.get(organization=w.org, year=R6).published_at is not None


def r7_opened(w: World, response: HttpResponse, ctx: dict[str, Any]) -> bool:
    return m.FiscalYear.objects.filter(organization=w.org, year=R7).exists()


NEW_PROJECT = "扉の検査で追加した事業"


def post_setup(data: dict[str, Any]) -> Call:
    def call(w: World, c: Client, role: str, ctx: dict[str, Any]) -> HttpResponse:
        posted = {k: (v(w) if callable(v) else v) for k, v in data.items()}
        return c.post(year_url("staff_year_setup")(w), posted)

    return call


def project_added(w: World, response: HttpResponse, ctx: dict[str, Any]) -> bool:
    return m.Project.objects.filter(organization=w.org, name=NEW_PROJECT).exists()


def kpi_closed(w: World, response: HttpResponse, ctx: dict[str, Any]) -> bool:
    return m.Kpi.objects.get(pk=w.kpi.pk).ended_year == R6


def entry_closed(w: World, response: HttpResponse, ctx: dict[str, Any]) -> bool:
    return m.FiscalYear.objects.get(organization=w.org, year=R6).closed_at is not None


CHOSEN_STEPS = ["self", "committee", "final"]


def steps_changed(w: World, response: HttpResponse, ctx: dict[str, Any]) -> bool:
    return m.Organization.objects.get(pk=w.org.pk).evaluation_steps == CHOSEN_STEPS


def post_revert(w: World, c: Client, role: str, ctx: dict[str, Any]) -> HttpResponse:
    data = {
        "history_id": w.first_history_id,
        "token": entry_service.token(w.reload_observation()),
        "reason": "扉の検査",
    }
    return c.post(history_url(w), data)


# Imports ----------------------------------------------------------------------------------------

UPLOADED = "doors_upload.txt"


def post_upload(w: World, c: Client, role: str, ctx: dict[str, Any]) -> HttpResponse:
    file = SimpleUploadedFile(UPLOADED, f.next_year_text().encode("utf-8"), "text/plain")
    data = {"org_code": CODE, "org_name": f.KUSHIRO[1], "file": file}
    return c.post(reverse("ledger:import_upload"), data)


def uploaded(w: World, response: HttpResponse, ctx: dict[str, Any]) -> bool:
    return m.ImportBatch.objects.filter(file_name=UPLOADED, status="pending").exists()


def fingerprint(world: World) -> dict[str, Any]:
    """What the preview showed the planning admin (the confirmation posts it back)."""
    content = bytes(world.batch.content)
    plan = importing.plan_import(
        importing.organization_for(CODE, f.KUSHIRO[1]),
        read_report_bytes(content, BATCH_FILE),
        content,
    )
    return {"fingerprint": plan.fingerprint()}


def confirm(action: str) -> Call:
    def call(w: World, c: Client, role: str, ctx: dict[str, Any]) -> HttpResponse:
        url = reverse("ledger:import_confirm", args=[w.batch.pk])
        return c.post(url, {"action": action, "fingerprint": ctx.get("fingerprint", "")})

    return call


def batch_is(status: str) -> Done:
    def done(w: World, response: HttpResponse, ctx: dict[str, Any]) -> bool:
        return bool(m.ImportBatch.objects.get(pk=w.batch.pk).status == status)

    return done


# The admin --------------------------------------------------------------------------------------


class FormFields(HTMLParser):
    """The fields of one form of a page as a browser would post them unchanged."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data: dict[str, list[str]] = {}
        self.select: tuple[str, bool] | None = None
        self.options: list[tuple[str, bool]] = []
        self.textarea: str | None = None
        self.text: list[str] = []

    def add(self, name: str, value: str) -> None:
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        if not self.inside or "disabled" in a:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.add(name, a.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select" and name:
            self.select, self.options = (name, "multiple" in a), []
        elif tag == "option" and self.select is not None:
            self.options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and name:
            self.textarea, self.text = name, []

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select" and self.select is not None:
            name, multiple = self.select
            chosen = [v for v, selected in self.options if selected]
            if not chosen and not multiple and self.options:
                chosen = [self.options[0][0]]
            for value in chosen:
                self.add(name, value)
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.add(self.textarea, "".join(self.text).removeprefix("\n"))
            self.textarea = None


ADMIN_CHANGES = {
    "kpi": ("note", "管理サイトでの変更"),
    "observation": ("note", "管理サイトでの変更"),
    "projectyear": ("money_note", "管理サイトでの変更"),
    "evaluation": ("comment", "管理サイトでの変更"),
}


def admin_form(model: str) -> Prepare:
    """The change form as the superuser's browser would post it, with one field changed."""

    def prepare(world: World) -> dict[str, Any]:
        key = f"admin-form-{model}"
        if key not in world.cache:
            client = Client()
            client.force_login(world.users["super"])
            response = client.get(admin_url(world, model))
            assert response.status_code == 200, (model, response.status_code)
            parser = FormFields(f"{model}_form")
            parser.feed(response.content.decode())
            name, value = ADMIN_CHANGES[model]
            assert name in parser.data, (model, sorted(parser.data))
            parser.data[name] = [value]
            world.cache[key] = parser.data
        return {"data": world.cache[key]}

    return prepare


def admin_post(model: str) -> Call:
    def call(w: World, c: Client, role: str, ctx: dict[str, Any]) -> HttpResponse:
        return c.post(admin_url(w, model), ctx["data"])

    return call


def admin_changed(model: str) -> Done:
    def done(w: World, response: HttpResponse, ctx: dict[str, Any]) -> bool:
        name, value = ADMIN_CHANGES[model]
        row = type(admin_object(w, model)).objects.get(pk=admin_object(w, model).pk)
        return bool(getattr(row, name) == value)

    return done


def admin_marker(model: str) -> str:
    return {
        "kpi": DRAFT_NOTE,  # the R6 actual in the KPI's observation rows
        "observation": DRAFT_NOTE,
        "projectyear": MONEY_NOTE,
        "evaluation": SELF_COMMENT,
    }[model]


# The write API ----------------------------------------------------------------------------------


def api_observation_url(w: World) -> str:
    return f"{API}/kpis/{w.kpi.pk}/observations/{R6}"


def api_get(w: World, c: Client, role: str, ctx: dict[str, Any]) -> HttpResponse:
    return api_client(w, role).get(api_observation_url(w))


def api_shows_note(w: World, response: HttpResponse, ctx: dict[str, Any]) -> bool:
    return bool(json.loads(response.content).get("note") == DRAFT_NOTE)


def api_put(w: World, c: Client, role: str, ctx: dict[str, Any]) -> HttpResponse:
    body = {
        "value": "5100",
        "note": DRAFT_NOTE,
        "token": entry_service.token(w.reload_observation()),
    }
    return api_client(w, role).put(api_observation_url(w), body, content_type="application/json")


def api_post(w: World, c: Client, role: str, ctx: dict[str, Any]) -> HttpResponse:
    row = {
        "kpi_id": w.kpi.pk,
        "value": "5200",
        "note": DRAFT_NOTE,
        "token": entry_service.token(w.reload_observation()),
    }
    return api_client(w, role).post(
        f"{API}/observations/{R6}", {"rows": [row]}, content_type="application/json"
    )


def post(url: Callable[[World], str], data: dict[str, Any]) -> Call:
    return lambda w, c, role, ctx: c.post(url(w), data)


DOORS: list[Door] = [
    page("GET home", lambda w: reverse("ledger:staff_home"), f'href="/staff/org/{CODE}/{R6}/"'),
    page("GET year hub", year_url("staff_year"), HUB_COMMENT),
    page("GET years", lambda w: reverse("ledger:staff_years", args=[CODE]), "開始済み（入力中）"),
    page("GET year setup", year_url("staff_year_setup"), "R6年度"),
    page("GET entry", year_url("staff_entry"), DRAFT_NOTE),
    page("GET money", year_url("staff_money"), MONEY_NOTE),
    page(
        "GET money history",
        lambda w: year_url("staff_money")(w) + f"?project={w.project.pk}&history=1",
        MONEY_NOTE,
    ),
    page("GET evaluation", evaluation_url, SELF_COMMENT),
    page("GET kpi history", history_url, DRAFT_NOTE),
    page("GET imports", lambda w: reverse("ledger:staff_imports"), BATCH_FILE),
    page(
        "GET import preview",
        lambda w: reverse("ledger:import_preview", args=[w.batch.pk]),
        f.NEW_PROJECT,
    ),
    Door("API GET observation", api_get, api_shows_note, write=False),
    *(
        page(f"ADMIN GET {model}", lambda w, model=model: admin_url(w, model), admin_marker(model))
        for model in ("kpi", "observation", "projectyear", "evaluation")
    ),
    Door("POST entry", post_entry, value_is(Decimal(5000)), write=True),
    Door("POST money", post_money, money_saved, write=True),
    Door(
        "POST evaluation self",
        post_step("self"),
        step_saved("self"),
        write=True,
        prepare=steps_recorded(state=m.WorkState.DRAFT),
    ),
    Door(
        "POST evaluation primary",
        post_step("primary"),
        step_saved("primary"),
        write=True,
        prepare=steps_recorded(state=m.WorkState.SUBMITTED),
    ),
    Door(
        "POST evaluation committee",
        post_step("committee"),
        step_saved("committee"),
        write=True,
        prepare=steps_recorded("primary", state=m.WorkState.APPROVED),
    ),
    Door(
        "POST evaluation final",
        post_step("final"),
        step_saved("final"),
        write=True,
        prepare=steps_recorded("primary", "committee", state=m.WorkState.APPROVED),
    ),
    Door(
        "POST submit",
        project_action("submit"),
        state_is(m.WorkState.SUBMITTED),
        write=True,
        prepare=in_state(m.WorkState.DRAFT),
    ),
    Door(
        "POST return",
        project_action("return", "数値の根拠を添えてください"),
        state_is(m.WorkState.DRAFT),
        write=True,
        prepare=in_state(m.WorkState.SUBMITTED),
    ),
    Door(
        "POST approve",
        project_action("approve"),
        state_is(m.WorkState.APPROVED),
        write=True,
        prepare=in_state(m.WorkState.SUBMITTED),
    ),
    Door(
        "POST publish",
        post(year_url("staff_publish"), {}),
        published,
        write=True,
        prepare=in_state(m.WorkState.APPROVED, every_project=True),
    ),
    Door(
        "POST open year",
        post(
            lambda w: reverse("ledger:staff_years", args=[CODE]),
            {"year": str(R7), "from_year": str(R6)},
        ),
        r7_opened,
        write=True,
    ),
    Door(
        "POST setup add project",
        post_setup({"form": "project", "project-name": NEW_PROJECT, "project-section": "対象事業"}),
        project_added,
        write=True,
    ),
    Door(
        "POST setup close kpi",
        post_setup(
            {
                "form": "change",
                "action": "close_kpi",
                "target_id": lambda w: w.kpi.pk,
                "last_year": R6,
            }
        ),
        kpi_closed,
        write=True,
    ),
    Door(
        "POST entry window",
        post(year_url("staff_entry_window"), {"action": "close"}),
        entry_closed,
        write=True,
    ),
    Door(
        "POST evaluation steps",
        post(
            lambda w: reverse("ledger:staff_evaluation_steps", args=[CODE]),
            {"steps": CHOSEN_STEPS},
        ),
        steps_changed,
        write=True,
    ),
    Door("POST revert", post_revert, value_is(FIRST_VALUE), write=True),
    Door("POST import upload", post_upload, uploaded, write=True),
    Door(
        "POST import apply",
        confirm("apply"),
        batch_is("applied"),
        write=True,
        prepare=fingerprint,
    ),
    Door("POST import discard", confirm("discard"), batch_is("discarded"), write=True),
    *(
        Door(
            f"ADMIN POST {model}",
            admin_post(model),
            admin_changed(model),
            write=True,
            prepare=admin_form(model),
        )
        for model in ("kpi", "observation", "projectyear", "evaluation")
    ),
    Door("API PUT observation", api_put, value_is(Decimal(5100)), write=True),
    Door("API POST observations", api_post, value_is(Decimal(5200)), write=True),
]


# --- running a cell ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    outcome: str
    detail: str


def signed_in(world: World, role: str) -> Client:
    client = Client()
    if role != "anon":
        client.force_login(world.users[role])
    return client


def classify(door: Door, world: World, response: HttpResponse, ctx: dict[str, Any]) -> str:
    status = response.status_code
    location = str(response.get("Location", ""))
    if status == 302 and ("/staff/login/" in location or "/admin/login/" in location):
        return "L"
    if status == 401:
        return "L"
    if status == 403:
        return "N"
    if status == 404:
        return "H"
    if not door.write:
        if status != 200:
            return f"?{status}"
        return "Y" if door.done(world, response, ctx) else "P"
    if door.done(world, response, ctx):
        return "Y" if status in (200, 302) else f"?{status}"
    return "F"


def run_cell(world: World, door: Door, role: str) -> Cell:
    with transaction.atomic():
        ctx = door.prepare(world)
        client = signed_in(world, role)
        before = snapshot(world)
        response = door.call(world, client, role, ctx)
        outcome = classify(door, world, response, ctx)
        wrote = snapshot(world) != before
        if wrote and (outcome != "Y" or not door.write):
            outcome += "!"  # a refused call or a page wrote something
        if door.write and outcome == "Y" and not wrote:
            outcome = "Y0"  # the snapshot missed an allowed write: it could not see a refused one
        detail = f"{response.status_code} {response.get('Location', '')}".strip()
        transaction.set_rollback(True)
    return Cell(outcome, detail)


def test_the_table_covers_every_door_for_every_user() -> None:
    assert [door.name for door in DOORS] == list(dict.fromkeys(n for n, _r in EXPECTED))
    assert len(DOORS) == DOOR_COUNT
    assert len(EXPECTED) == CELLS == 328
    assert {cell for cell in EXPECTED.values()} <= set("YPNHFL")


def test_every_door_for_every_user_328_cells() -> None:
    world = build_world()
    actual: dict[tuple[str, str], Cell] = {}
    for door in DOORS:
        for role in ROLES:
            actual[(door.name, role)] = run_cell(world, door, role)
    assert len(actual) == CELLS == 328
    differing = [
        f"{name} / {role}: expected {EXPECTED[(name, role)]}, got {cell.outcome} ({cell.detail})"
        for (name, role), cell in actual.items()
        if cell.outcome != EXPECTED[(name, role)]
    ]
    assert not differing, f"{len(differing)} of {CELLS} cells differ:\n" + "\n".join(differing)
    # The world was not changed by any cell (each rolled back), so every cell saw the same one.
    assert world.reload_observation().value == DRAFT_VALUE
