"""Issue 10, items 7 and 8: the evaluation chain (自己評価 → 一次評価 → 外部評価 → 最終判断) and
the committee's evaluation beside kpiledger's suggestion: who records each step, their order
(configurable per organization), locks, validation, optimistic locking between two committee
members, history, escaping, CSRF, and what publishing takes from the chain."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kpiledger.core.effect import Effect, FuturePolicy
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services import evaluation as service
from kpiledger.web.ledger.services import reports
from kpiledger.web.ledger.tests import factories as f

pytestmark = pytest.mark.django_db

CODE = f.KUSHIRO[0]
YEAR = 2024  # R6: opened in the test, not published
PUBLISHED_YEAR = 2023  # R5: the reference report
OTHER_CODE = "011002"  # 札幌市
OWN = "音別地域交流拠点施設整備事業"
Step = m.EvaluationStep

SELF, PRIMARY, COMMITTEE, FINAL = Step.SELF, Step.PRIMARY, Step.COMMITTEE, Step.FINAL
VALID: dict[Step, dict[str, str]] = {
    SELF: {"effect": Effect.EFFECTIVE.value, "comment": "利用者は目標を上回った", "policy": ""},
    PRIMARY: {"effect": "", "comment": "自己評価は妥当", "policy": ""},
    COMMITTEE: {
        "effect": Effect.CONSIDERABLY_EFFECTIVE.value,
        "comment": "広報の強化を望む",
        "policy": FuturePolicy.REVISE.value,
    },
    FINAL: {
        "effect": "",
        "comment": "委員会の意見を踏まえ改善する",
        "policy": FuturePolicy.REVISE.value,
    },
}


@pytest.fixture
def org() -> m.Organization:
    f.import_reference()
    organization = m.Organization.objects.get(code=CODE)
    open_year(organization, YEAR)
    return organization


def open_year(organization: m.Organization, year: int) -> None:
    m.FiscalYear.objects.update_or_create(
        organization=organization, year=year, defaults={"opened_at": timezone.now()}
    )
    for project in organization.projects.all():
        m.ProjectYear.objects.get_or_create(project=project, fiscal_year=year)


def project_named(name: str = OWN) -> m.Project:
    return m.Project.objects.get(organization__code=CODE, name__contains=name)


def other_project() -> m.Project:
    return m.Project.objects.filter(organization__code=CODE).exclude(pk=project_named().pk)[0]


@pytest.fixture
def people(org: m.Organization) -> dict[str, User]:
    """One user per role; `editor` has the project OWN, `other_editor` another project;
    `outsider` is the planning admin of another organization."""
    users = {name: f.make_user(name) for name in ROLES}
    f.make_member(users["admin"], org, m.Role.PLANNING_ADMIN)
    f.make_member(users["editor"], org, m.Role.DEPARTMENT_EDITOR, [project_named()])
    f.make_member(users["other_editor"], org, m.Role.DEPARTMENT_EDITOR, [other_project()])
    f.make_member(users["committee"], org, m.Role.COMMITTEE_MEMBER)
    f.make_member(users["committee2"], org, m.Role.COMMITTEE_MEMBER)
    f.make_member(users["viewer"], org, m.Role.VIEWER)
    other = f.make_organization(OTHER_CODE, "札幌市")
    f.make_member(users["outsider"], other, m.Role.PLANNING_ADMIN)
    return users


ROLES = ("admin", "editor", "other_editor", "committee", "committee2", "viewer", "outsider")


def url(project: m.Project | None = None, year: int = YEAR, code: str = CODE) -> str:
    project = project or project_named()
    return reverse("ledger:staff_evaluation", args=[code, year, project.pk])


def steps_url(code: str = CODE) -> str:
    return reverse("ledger:staff_evaluation_steps", args=[code])


def signed_in(user: User, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def earlier_recorded(project: m.Project, step: Step, year: int = YEAR) -> None:
    """Every step before `step` recorded (directly, to test one step alone)."""
    for earlier in service.STEPS[: service.STEPS.index(step)]:
        m.Evaluation.objects.create(
            project=project, fiscal_year=year, step=earlier, **VALID[earlier]
        )


def page_token(page: str, step: Step) -> str:
    found = re.search(rf'name="{step.value}-token" value="([^"]*)"', page)
    assert found, f"no form for {step}"
    return found.group(1)


def post_step(
    client: Client,
    step: Step,
    token: str | None = None,
    project: m.Project | None = None,
    **data: str,
):  # type: ignore[no-untyped-def]
    """Post one step's form as the page shows it (its token read from the page if not given)."""
    if token is None:
        token = page_token(client.get(url(project)).content.decode(), step)
    fields = VALID[step] | data
    body = {f"{step.value}-step": step.value, f"{step.value}-token": token}
    body |= {f"{step.value}-{k}": v for k, v in fields.items()}
    return client.post(url(project), body)


def stored(step: Step, project: m.Project | None = None) -> m.Evaluation | None:
    project = project or project_named()
    return m.Evaluation.objects.filter(project=project, fiscal_year=YEAR, step=step).first()


# --- who records each step ------------------------------------------------------------------

# role → the steps it records on the project OWN (every other cell is refused).
MAY_RECORD = {
    "admin": {SELF, PRIMARY, COMMITTEE, FINAL},
    "editor": {SELF},
    "other_editor": set(),
    "committee": {COMMITTEE},
    "viewer": set(),
    "outsider": set(),
}
CELLS = [(role, step) for role in MAY_RECORD for step in service.STEPS]


@pytest.mark.parametrize(("role", "step"), CELLS, ids=[f"{r}-{s.value}" for r, s in CELLS])
def test_each_step_is_recorded_only_by_its_roles(
    people: dict[str, User], role: str, step: Step
) -> None:
    assert len(CELLS) == 24
    project = project_named()
    earlier_recorded(project, step)
    user = people[role]
    allowed = step in MAY_RECORD[role]
    client = signed_in(user)
    page = client.get(url())
    may_view = role not in ("other_editor", "outsider")
    assert page.status_code == (200 if may_view else 403)
    if not may_view:
        assert "権限がありません" in page.content.decode()
    has_form = f'name="{step.value}-token"' in page.content.decode()
    assert has_form is allowed
    response = post_step(client, step, token=service.NEW)
    if allowed:
        assert response.status_code == 302
        record = stored(step)
        assert record is not None and record.recorded_by == user
        assert record.comment == VALID[step]["comment"]
    else:
        assert response.status_code == 403
        assert stored(step) is None
        with pytest.raises(PermissionDenied):
            service.record(user, project, YEAR, step, **args(step))


def args(step: Step, **changes: str) -> dict[str, str]:
    values = VALID[step] | changes
    return {
        "effect": values["effect"],
        "comment": values["comment"],
        "policy_word": values["policy"],
    }


def test_anonymous_visitor_goes_to_the_login(org: m.Organization) -> None:
    for target in (url(), steps_url()):
        response = Client().get(target)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("ledger:login"))
    assert Client().post(url(), {"committee-step": "committee"}).status_code == 302
    assert not m.Evaluation.objects.exists()


def test_the_viewer_and_the_committee_see_earlier_steps_read_only(people: dict[str, User]) -> None:
    project = project_named()
    service.record(people["editor"], project, YEAR, SELF, **args(SELF))
    page = signed_in(people["viewer"]).get(url()).content.decode()
    assert '<form method="post" action="' + url() not in page
    assert VALID[SELF]["comment"] in page and "editor" in page  # who recorded it
    assert Effect.EFFECTIVE.value in page
    committee_page = signed_in(people["committee"]).get(url()).content.decode()
    assert VALID[SELF]["comment"] in committee_page
    assert 'name="self-token"' not in committee_page
    # the committee's own step waits for the planning office's review, and says so
    assert 'name="committee-token"' not in committee_page
    assert "先に「一次評価」を記録してください" in committee_page


# --- order ----------------------------------------------------------------------------------


def test_all_four_steps_in_order(people: dict[str, User]) -> None:
    project, admin = project_named(), people["admin"]
    with pytest.raises(service.EvaluationError) as refused:
        service.record(people["committee"], project, YEAR, COMMITTEE, **args(COMMITTEE))
    assert "先に「自己評価」を記録してください" in str(refused.value)
    assert "self-evaluation must be recorded first" in str(refused.value)
    service.record(people["editor"], project, YEAR, SELF, **args(SELF))
    with pytest.raises(service.EvaluationError, match="一次評価"):
        service.record(people["committee"], project, YEAR, COMMITTEE, **args(COMMITTEE))
    with pytest.raises(service.EvaluationError, match="先に「一次評価」"):
        service.record(admin, project, YEAR, FINAL, **args(FINAL))
    service.record(admin, project, YEAR, PRIMARY, **args(PRIMARY))
    with pytest.raises(service.EvaluationError, match="先に「外部評価」"):
        service.record(admin, project, YEAR, FINAL, **args(FINAL))
    service.record(people["committee"], project, YEAR, COMMITTEE, **args(COMMITTEE))
    service.record(admin, project, YEAR, FINAL, **args(FINAL))
    chain = service.chain(project, YEAR)
    assert [s.value for s in chain] == ["self", "primary", "committee", "final"]
    assert [chain[s].recorded_by.username for s in service.STEPS] == [  # type: ignore[union-attr]
        "editor",
        "admin",
        "committee",
        "admin",
    ]
    # the page refuses out of order too, with the message
    other = other_project()
    client = signed_in(people["committee"])
    response = post_step(client, COMMITTEE, token=service.NEW, project=other)
    assert response.status_code == 409
    assert "先に「自己評価」を記録してください" in response.content.decode()
    assert not m.Evaluation.objects.filter(project=other).exists()


def test_a_skipped_step_is_not_needed_and_not_recordable(people: dict[str, User]) -> None:
    org, project, admin = project_named().organization, project_named(), people["admin"]
    assert service.set_steps(admin, org, ["final", "committee", "self"]) == [SELF, COMMITTEE, FINAL]
    org.refresh_from_db()
    assert org.evaluation_steps == ["self", "committee", "final"]
    with pytest.raises(service.EvaluationError, match="先に「自己評価」"):
        service.record(people["committee"], project, YEAR, COMMITTEE, **args(COMMITTEE))
    service.record(people["editor"], project, YEAR, SELF, **args(SELF))
    service.record(people["committee"], project, YEAR, COMMITTEE, **args(COMMITTEE))  # no 一次評価
    with pytest.raises(service.EvaluationError, match="「一次評価」はありません"):
        service.record(admin, project, YEAR, PRIMARY, **args(PRIMARY))
    service.record(admin, project, YEAR, FINAL, **args(FINAL))
    assert stored(PRIMARY) is None
    page = signed_in(admin).get(url()).content.decode()
    assert "一次評価 / the planning office" not in page  # no section for the skipped step
    assert 'name="final-token"' in page
    # with the self-evaluation skipped, the committee goes first
    service.set_steps(admin, org, ["committee"])
    other = other_project()
    service.record(people["committee"], other, YEAR, COMMITTEE, **args(COMMITTEE))
    assert stored(COMMITTEE, other) is not None


# --- locks ----------------------------------------------------------------------------------


def set_state(state: m.WorkState, project: m.Project | None = None, year: int = YEAR) -> None:
    m.ProjectYear.objects.filter(project=project or project_named(), fiscal_year=year).update(
        state=state
    )


@pytest.mark.parametrize("step", service.STEPS, ids=[s.value for s in service.STEPS])
def test_nothing_is_recorded_once_published(people: dict[str, User], step: Step) -> None:
    project = project_named()
    earlier_recorded(project, step)
    set_state(m.WorkState.PUBLISHED)
    before = m.Evaluation.objects.count()
    with pytest.raises(service.EvaluationError) as refused:
        service.record(people["admin"], project, YEAR, step, **args(step))
    assert str(refused.value) == " / ".join(service.PUBLISHED)
    client = signed_in(people["admin"])
    page = client.get(url()).content.decode()
    assert f'name="{step.value}-token"' not in page
    assert service.PUBLISHED[0] in page
    response = post_step(client, step, token=service.NEW)
    assert response.status_code == 409
    assert service.PUBLISHED[0] in response.content.decode()
    assert m.Evaluation.objects.count() == before


def test_the_self_evaluation_follows_the_locks(people: dict[str, User]) -> None:
    project, editor, admin = project_named(), people["editor"], people["admin"]
    set_state(m.WorkState.SUBMITTED)
    with pytest.raises(service.EvaluationError, match="提出済みのため編集できません"):
        service.record(editor, project, YEAR, SELF, **args(SELF))
    service.record(admin, project, YEAR, SELF, **args(SELF))  # the planning office still may
    set_state(m.WorkState.APPROVED)
    with pytest.raises(service.EvaluationError, match="承認済みのため編集できません"):
        service.record(admin, project, YEAR, SELF, **args(SELF, comment="変更"))
    service.record(admin, project, YEAR, PRIMARY, **args(PRIMARY))  # other steps go on
    service.record(people["committee"], project, YEAR, COMMITTEE, **args(COMMITTEE))
    assert stored(SELF).comment == VALID[SELF]["comment"]  # type: ignore[union-attr]
    # a year not opened
    with pytest.raises(service.EvaluationError, match="まだ開始されていません"):
        service.record(admin, project, YEAR + 1, SELF, **args(SELF))
    # the department editor of the project is told on its page why it cannot record
    page = signed_in(editor).get(url()).content.decode()
    assert "承認済みのため編集できません" in page


# --- validation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "changes", "message"),
    [
        (COMMITTEE, {"effect": "すごく効果的だった"}, "4つのいずれかではありません"),
        (COMMITTEE, {"policy": "事業の拡大"}, "5つのいずれかではありません"),
        (COMMITTEE, {"effect": ""}, "外部評価では事業効果を選んでください"),
        (FINAL, {"policy": ""}, "最終判断では今後の方針を選んでください"),
        (SELF, {"effect": "", "comment": "  ", "policy": ""}, "入力してください"),
    ],
)
def test_invalid_words_are_refused_and_nothing_written(
    people: dict[str, User], step: Step, changes: dict[str, str], message: str
) -> None:
    project, admin = project_named(), people["admin"]
    earlier_recorded(project, step)
    before = (m.Evaluation.objects.count(), m.Evaluation.history.count())
    with pytest.raises(service.EvaluationError, match=message):
        service.record(admin, project, YEAR, step, **args(step, **changes))
    response = post_step(signed_in(admin), step, **changes)
    assert response.status_code == 400
    text = response.content.decode()
    assert "選んでください" in text or "入力してください" in text
    assert (m.Evaluation.objects.count(), m.Evaluation.history.count()) == before


def test_the_page_offers_the_four_effects_and_five_policies_as_radio_groups(
    people: dict[str, User],
) -> None:
    earlier_recorded(project_named(), COMMITTEE)
    page = signed_in(people["committee"]).get(url()).content.decode()
    form = page[page.index('name="committee-token"') :]
    form = form[: form.index("</form>")]
    assert form.count("<fieldset") == 2 and form.count("<legend>") == 2
    effects = re.findall(r'type="radio" name="committee-effect" value="([^"]+)"', form)
    policies = re.findall(r'type="radio" name="committee-policy" value="([^"]+)"', form)
    assert effects == [e.value for e in Effect]
    assert policies == [p.value for p in FuturePolicy]
    for radio_id in re.findall(r'id="(id_committee-(?:effect|policy)_\d)"', form):
        assert f'<label for="{radio_id}">' in form
    assert not re.findall(r"<script(?![^>]*\bsrc=)", page)  # no inline script (CSP)
    assert "style=" not in page and "<style" not in page


# --- two committee members at once ----------------------------------------------------------


def test_concurrent_committee_saves_the_second_gets_the_conflict(people: dict[str, User]) -> None:
    earlier_recorded(project_named(), COMMITTEE)
    first, second = signed_in(people["committee"]), signed_in(people["committee2"])
    token_first = page_token(first.get(url()).content.decode(), COMMITTEE)
    token_second = page_token(second.get(url()).content.decode(), COMMITTEE)
    assert token_first == token_second == service.NEW
    response = post_step(first, COMMITTEE, token=token_first, comment="一人目の意見")
    assert response.status_code == 302
    response = post_step(
        second,
        COMMITTEE,
        token=token_second,
        comment="二人目の意見",
        effect=Effect.NOT_EFFECTIVE.value,
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "このページを開いた後に committee が記録しました。何も保存していません" in page
    assert "一人目の意見" in page and "二人目の意見" in page  # both versions shown
    record = stored(COMMITTEE)
    assert record is not None
    assert (record.comment, record.recorded_by) == ("一人目の意見", people["committee"])
    history = list(record.history.all())
    assert [(h.comment, h.history_user) for h in history] == [("一人目の意見", people["committee"])]
    # the second attempt is on record beside the history, and shown on the page
    (attempt,) = m.RefusedChange.objects.all()
    assert (attempt.kind, attempt.user, attempt.fiscal_year) == (
        "evaluation",
        people["committee2"],
        YEAR,
    )
    assert "二人目の意見" in attempt.attempted and "一人目の意見" in attempt.in_ledger
    shown = first.get(url()).content.decode()
    assert "保存されなかった変更（競合）" in shown and "二人目の意見" in shown
    # the second's entry is kept in the form against the ledger's token now: saving again wins
    assert page_token(page, COMMITTEE) == service.token(record)
    assert (
        post_step(second, COMMITTEE, token=service.token(record), comment="二人目").status_code
        == 302
    )
    assert stored(COMMITTEE).comment == "二人目"  # type: ignore[union-attr]


def test_the_service_refuses_a_stale_token(people: dict[str, User]) -> None:
    project = project_named()
    earlier_recorded(project, COMMITTEE)
    service.record(
        people["committee"], project, YEAR, COMMITTEE, **args(COMMITTEE), shown=service.NEW
    )
    with pytest.raises(service.Conflict) as conflict:
        service.record(
            people["admin"],
            project,
            YEAR,
            COMMITTEE,
            **args(COMMITTEE, comment="x"),
            shown=service.NEW,
        )
    assert conflict.value.theirs.by == "committee"
    assert conflict.value.theirs.comment == VALID[COMMITTEE]["comment"]
    assert conflict.value.yours.comment == "x"


# --- history --------------------------------------------------------------------------------


def test_every_record_is_in_the_history_with_user_and_reason(people: dict[str, User]) -> None:
    project = project_named()
    earlier_recorded(project, COMMITTEE)
    version = m.LedgerVersion.objects.filter(pk=1).values_list("number", flat=True).first() or 0
    first = service.record(people["committee"], project, YEAR, COMMITTEE, **args(COMMITTEE))
    service.record(
        people["admin"],
        project,
        YEAR,
        COMMITTEE,
        **args(COMMITTEE, effect=Effect.EFFECTIVE.value),
        shown=service.token(first),
        reason="委員長の指摘で訂正",
    )
    rows = list(m.Evaluation.history.filter(id=first.pk).order_by("history_date", "history_id"))
    assert [(r.history_user.username, r.history_change_reason, r.effect) for r in rows] == [
        ("committee", "外部評価", Effect.CONSIDERABLY_EFFECTIVE.value),
        ("admin", "外部評価: 委員長の指摘で訂正", Effect.EFFECTIVE.value),
    ]
    assert m.LedgerVersion.objects.get(pk=1).number == version + 2
    # the same again changes nothing and writes no history
    again = stored(COMMITTEE)
    service.record(
        people["admin"], project, YEAR, COMMITTEE, **args(COMMITTEE, effect=Effect.EFFECTIVE.value)
    )
    assert m.Evaluation.history.filter(id=first.pk).count() == 2
    assert stored(COMMITTEE).recorded_at == again.recorded_at  # type: ignore[union-attr]


# --- escaping, CSRF -------------------------------------------------------------------------


def test_a_script_in_a_comment_is_shown_escaped(people: dict[str, User]) -> None:
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    service.record(people["editor"], project_named(), YEAR, SELF, **args(SELF, comment=evil))
    page = signed_in(people["viewer"]).get(url()).content.decode()
    assert (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
        in page
    )
    assert "<script>alert" not in page and "<img src=x" not in page
    admin_page = signed_in(people["admin"]).get(url()).content.decode()
    assert "<script>alert" not in admin_page  # also inside the form's textarea
    assert "&lt;script&gt;alert(&quot;x&quot;)" in admin_page


def test_posts_without_csrf_token_are_refused(people: dict[str, User]) -> None:
    org = project_named().organization
    client = signed_in(people["admin"], enforce_csrf_checks=True)
    body = {"self-step": "self", "self-token": service.NEW, "self-comment": "x"}
    assert client.post(url(), body).status_code == 403
    assert client.post(steps_url(), {"steps": ["committee"]}).status_code == 403
    assert not m.Evaluation.objects.exists()
    org.refresh_from_db()
    assert org.evaluation_steps == ["self", "primary", "committee", "final"]
    # with the page's token the same post is accepted
    page = client.get(url()).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert csrf
    assert client.post(url(), body | {"csrfmiddlewaretoken": csrf.group(1)}).status_code == 302
    assert stored(SELF).comment == "x"  # type: ignore[union-attr]


# --- the steps page -------------------------------------------------------------------------


def test_the_planning_admin_chooses_the_steps(people: dict[str, User]) -> None:
    org = project_named().organization
    admin = signed_in(people["admin"])
    page = admin.get(steps_url()).content.decode()
    assert len(re.findall(r'type="checkbox" name="steps"[^>]* checked', page)) == 4
    response = admin.post(steps_url(), {"steps": ["final", "self"]})
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.evaluation_steps == ["self", "final"]
    last = org.history.latest("history_date")
    assert (last.history_user, last.history_change_reason) == (
        people["admin"],
        service.STEPS_REASON,
    )
    response = admin.post(steps_url(), {})
    assert response.status_code == 400
    assert "少なくとも1つ選んでください" in response.content.decode()
    assert admin.post(steps_url(), {"steps": ["nonsense"]}).status_code == 400
    org.refresh_from_db()
    assert org.evaluation_steps == ["self", "final"]
    for role in ("committee", "viewer", "editor"):
        client = signed_in(people[role])
        shown = client.get(steps_url())
        assert shown.status_code == 200 and 'name="steps"' not in shown.content.decode()
        assert client.post(steps_url(), {"steps": ["committee"]}).status_code == 403
    assert signed_in(people["outsider"]).get(steps_url()).status_code == 403
    with pytest.raises(PermissionDenied):
        service.set_steps(people["committee"], org, ["committee"])
    with pytest.raises(service.EvaluationError, match="少なくとも1つ"):
        service.set_steps(people["admin"], org, [])
    org.refresh_from_db()
    assert org.evaluation_steps == ["self", "final"]


# --- kpiledger's suggestion -----------------------------------------------------------------


def test_the_suggestion_of_a_draft_year_is_judged_on_the_ledgers_values(
    people: dict[str, User],
) -> None:
    org = project_named().organization
    project = f.make_project(org, "新しい事業", position=99)
    m.ProjectYear.objects.create(project=project, fiscal_year=YEAR)
    met = f.make_kpi(project, "参加者数", target=Decimal(100), target_year=2025, target_month=3)
    missed = f.make_kpi(
        project, "相談件数", unit="件", target=Decimal(50), target_year=2025, target_month=3
    )
    m.Observation.objects.create(kpi=met, fiscal_year=YEAR, value=Decimal(120))
    m.Observation.objects.create(kpi=missed, fiscal_year=YEAR, value=Decimal(30))
    suggestion = service.suggestion(project, YEAR)
    assert not suggestion.from_published
    assert suggestion.effect == Effect.EFFECTIVE.value
    assert suggestion.reason_ja == "2指標中、達成1指標・未達成1指標"
    assert [(k.indicator, k.actual, k.rate, k.status.value) for k in suggestion.kpis] == [
        ("参加者数", Decimal(120), Decimal("120.0"), "achieved"),
        ("相談件数", Decimal(30), Decimal("60.0"), "not_achieved"),
    ]
    page = signed_in(people["committee"]).get(url(project)).content.decode()
    assert "事業効果（kpiledger提案）" in page
    assert Effect.EFFECTIVE.value in page and "2指標中、達成1指標・未達成1指標" in page
    assert "120人" in page and "120.0%" in page and "60.0%" in page and "未達成" in page
    assert "台帳の現在の値で判定しています" in page


def test_the_suggestion_of_a_published_year_is_the_reports(people: dict[str, User]) -> None:
    org, project = project_named().organization, project_named()
    loaded = reports.load_report(org, PUBLISHED_YEAR).result
    [published] = [p for p in loaded.projects if p.project.name == project.name]
    suggestion = service.suggestion(project, PUBLISHED_YEAR)
    assert suggestion.from_published
    assert suggestion.effect == (
        published.effect_suggestion.value if published.effect_suggestion else None
    )
    assert suggestion.reason_ja == published.effect_reason_ja
    assert [k.status for k in suggestion.kpis] == [k.status for k in published.kpis]
    assert [k.rate for k in suggestion.kpis] == [k.achievement_rate for k in published.kpis]


# --- what publishing takes ------------------------------------------------------------------


def full_chain(people: dict[str, User], project: m.Project, year: int = YEAR) -> None:
    service.record(people["admin"], project, year, SELF, **args(SELF))
    service.record(people["admin"], project, year, PRIMARY, **args(PRIMARY))
    service.record(people["committee"], project, year, COMMITTEE, **args(COMMITTEE))
    service.record(people["admin"], project, year, FINAL, **args(FINAL))


def test_assessment_fields_of_the_whole_chain(people: dict[str, User]) -> None:
    project = project_named()
    assert service.assessment_fields(project, YEAR) == dict.fromkeys(
        ("effect", "evaluation", "opinion", "policy", "policy_reason"), ""
    )
    full_chain(people, project)
    assert service.assessment_fields(project, YEAR) == {
        "effect": Effect.CONSIDERABLY_EFFECTIVE.value,
        "evaluation": "【自己評価】利用者は目標を上回った\n【一次評価】自己評価は妥当",
        "opinion": "広報の強化を望む",
        "policy": FuturePolicy.REVISE.value,
        "policy_reason": "委員会の意見を踏まえ改善する",
    }


def test_assessment_fields_without_committee_or_final(people: dict[str, User]) -> None:
    project, org = project_named(), project_named().organization
    service.set_steps(people["admin"], org, ["self", "primary", "final"])
    service.record(people["editor"], project, YEAR, SELF, **args(SELF))
    service.record(
        people["admin"], project, YEAR, PRIMARY, **args(PRIMARY, effect=Effect.VERY_EFFECTIVE.value)
    )
    fields = service.assessment_fields(project, YEAR)
    assert fields["effect"] == Effect.VERY_EFFECTIVE.value  # the review's, before the self's
    assert fields["opinion"] == "" and fields["policy"] == ""
    service.record(
        people["admin"], project, YEAR, FINAL, **args(FINAL, effect=Effect.EFFECTIVE.value)
    )
    fields = service.assessment_fields(project, YEAR)
    assert (fields["effect"], fields["policy"]) == (
        Effect.EFFECTIVE.value,
        FuturePolicy.REVISE.value,
    )
    # with the final decision skipped, the committee's 今後の方針 is published
    other = other_project()
    service.set_steps(people["admin"], org, ["committee"])
    service.record(
        people["committee"],
        other,
        YEAR,
        COMMITTEE,
        **args(COMMITTEE, policy=FuturePolicy.CONTINUE.value),
    )
    fields = service.assessment_fields(other, YEAR)
    assert (fields["policy"], fields["policy_reason"]) == (FuturePolicy.CONTINUE.value, "")


def test_published_assessment_appears_in_the_report_and_the_api(people: dict[str, User]) -> None:
    """The chain of R5 recorded before publication; publishing writes assessment_fields into
    ReportedProject: the public report page and the API show the committee's words."""
    project = project_named()
    open_year(project.organization, PUBLISHED_YEAR)
    set_state(m.WorkState.SUBMITTED, year=PUBLISHED_YEAR)
    comment = "広報の強化を望む<b>太字</b>"
    service.record(people["admin"], project, PUBLISHED_YEAR, SELF, **args(SELF))
    service.record(people["admin"], project, PUBLISHED_YEAR, PRIMARY, **args(PRIMARY))
    service.record(
        people["committee"], project, PUBLISHED_YEAR, COMMITTEE, **args(COMMITTEE, comment=comment)
    )
    service.record(people["admin"], project, PUBLISHED_YEAR, FINAL, **args(FINAL))
    fields = service.assessment_fields(project, PUBLISHED_YEAR)
    m.ReportedProject.objects.update_or_create(
        project=project, fiscal_year=PUBLISHED_YEAR, defaults=fields
    )
    set_state(m.WorkState.PUBLISHED, year=PUBLISHED_YEAR)
    m.LedgerVersion.bump()
    page = Client().get(reverse("ledger:report", args=[CODE, PUBLISHED_YEAR])).content.decode()
    assert Effect.CONSIDERABLY_EFFECTIVE.value in page
    assert "広報の強化を望む&lt;b&gt;太字&lt;/b&gt;" in page
    assert FuturePolicy.REVISE.value in page and "委員会の意見を踏まえ改善する" in page
    api = Client().get(
        f"/api/v1/organizations/{CODE}/years/{PUBLISHED_YEAR}/projects?page_size=100"
    )
    assert api.status_code == 200
    [item] = [p for p in api.json()["items"] if p["name"].endswith(project.name)]
    assert item["assessment"]["effect"] == Effect.CONSIDERABLY_EFFECTIVE.value
    assert item["assessment"]["opinion"] == comment
    assert item["assessment"]["policy"] == FuturePolicy.REVISE.value
    assert item["assessment"]["policy_reason"] == "委員会の意見を踏まえ改善する"
    # once published, the chain is locked
    with pytest.raises(service.EvaluationError):
        service.record(
            people["admin"], project, PUBLISHED_YEAR, FINAL, **args(FINAL, comment="後から")
        )


def browser_form(page: str, step: Step) -> dict[str, str]:
    """What a browser posts from the page's form of `step` unchanged: its hidden inputs, the
    checked radios, the text fields and the textarea."""
    start = page.index(f'name="{step.value}-token"')
    start = page.rindex("<form", 0, start)
    form = page[start : page.index("</form>", start)]
    data: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name is None or ('type="radio"' in tag and " checked" not in tag):
            continue
        data[name.group(1)] = html.unescape(value.group(1)) if value else ""
    for name, text in re.findall(r'<textarea name="([^"]+)"[^>]*>\n?(.*?)</textarea>', form, re.S):
        data[name] = html.unescape(text)
    return data


def test_the_pages_own_form_records_the_step(people: dict[str, User]) -> None:
    earlier_recorded(project_named(), COMMITTEE)
    client = signed_in(people["committee"])
    data = browser_form(client.get(url()).content.decode(), COMMITTEE)
    assert data["committee-step"] == "committee" and data["committee-token"] == service.NEW
    assert "step" not in data
    data |= {
        "committee-effect": Effect.EFFECTIVE.value,
        "committee-policy": FuturePolicy.CONTINUE.value,
        "committee-comment": "委員の意見",
    }
    response = client.post(url(), data)
    assert response.status_code == 302 and response["Location"].endswith("#step-committee")
    record = stored(COMMITTEE)
    assert record is not None
    assert (record.effect, record.policy, record.comment) == (
        Effect.EFFECTIVE.value,
        FuturePolicy.CONTINUE.value,
        "委員の意見",
    )
    page = client.get(url()).content.decode()
    assert "外部評価を記録しました" in page
    # the recorded step is shown with who and when, and its form holds it for a change
    again = browser_form(page, COMMITTEE)
    assert again["committee-effect"] == Effect.EFFECTIVE.value
    assert again["committee-comment"] == "委員の意見"
    assert again["committee-token"] == service.token(record)
    assert client.post(url(), {}).status_code == 404  # no step named
