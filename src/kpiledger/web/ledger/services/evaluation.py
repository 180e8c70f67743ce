"""The evaluation chain of a project's year (issue 10, items 7 and 8).

Municipalities judge each project's year in up to four steps, in this order:

1. 自己評価 (`self`): the department's own effect category and comment (`self_evaluate`: the
   department editor of the project, the planning admin);
2. 一次評価 (`primary`): the planning office's review (`review`: the planning admin);
3. 外部評価 (`committee`): the external committee's effect category (one of the four national
   words, required), comment (外部有識者からの意見) and 今後の方針 (`evaluate`: a committee member,
   the planning admin);
4. 最終判断 (`final`): the decision on 今後の方針 (required) with its reason (`decide`: the
   planning admin).

An organization runs the steps of `Organization.evaluation_steps` (a small town may skip one);
a step needs every earlier configured step to be recorded first, and a step not configured is
refused. Nothing is recorded once the project's year is published; the self-evaluation also
follows `locks.lock_reason` (submitted, approved, year closed, not your project).

`record` writes one step all or nothing, in a transaction with the project row locked: the page
posts what it showed of the step (`token`), and a step changed by someone else since is refused
(`Conflict`, with both versions), so two committee members saving at once never overwrite each
other silently. Each write leaves a history row with the user and the reason, and raises the
ledger version in the same transaction.

Beside the committee's choice the page shows kpiledger's suggestion (`suggestion`): the effect
the core suggests from the KPI results of the year, with its reason, judged on the year's
published report when there is one, else on the ledger's current values.

`assessment_fields` is what publishing a year writes into `ReportedProject` from the chain.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import OperationalError, transaction

from kpiledger.core.effect import Effect, FuturePolicy
from kpiledger.core.era import YearMonth
from kpiledger.core.evaluate import KpiResult, ProjectResult, Status, evaluate_report
from kpiledger.core.model import (
    Aggregation,
    Baseline,
    Direction,
    Kpi,
    Project,
    Report,
    Section,
)
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger import policy
from kpiledger.web.ledger.policy import Action
from kpiledger.web.ledger.services import locks, refused, reports

Step = m.EvaluationStep
STEPS: tuple[Step, ...] = tuple(Step)  # the canonical order

# Who records each step (policy.py).
STEP_ACTIONS: dict[Step, Action] = {
    Step.SELF: Action.SELF_EVALUATE,
    Step.PRIMARY: Action.REVIEW,
    Step.COMMITTEE: Action.EVALUATE,
    Step.FINAL: Action.DECIDE,
}
STEP_LABELS: dict[Step, tuple[str, str]] = {
    Step.SELF: ("自己評価", "self-evaluation"),
    Step.PRIMARY: ("一次評価", "the planning office's review"),
    Step.COMMITTEE: ("外部評価", "the committee's evaluation"),
    Step.FINAL: ("最終判断（今後の方針）", "the final decision"),
}
MAX_COMMENT = 4000
MAX_REASON = 200
EFFECTS: tuple[str, ...] = tuple(e.value for e in Effect)
POLICIES: tuple[str, ...] = tuple(p.value for p in FuturePolicy)
NEW = "new"  # the token of a step not recorded yet
STEPS_REASON = "評価の手順の変更"


class EvaluationError(ValueError):
    """A step that cannot be recorded now or as given: the Japanese and English reason."""

    def __init__(self, message_ja: str, message_en: str) -> None:
        super().__init__(f"{message_ja} / {message_en}")
        self.message_ja, self.message_en = message_ja, message_en


class Busy(Exception):
    MESSAGE = (
        "台帳は別の書き込みで使用中です。しばらくしてからもう一度保存してください"
        " / the ledger is busy with another write; save again in a moment"
    )


@dataclass(frozen=True)
class Version:
    """One version of a step: what it says (and, when recorded, who and when)."""

    effect: str
    comment: str
    policy: str
    by: str = ""
    at: Any = None

    def text(self) -> str:
        parts = [
            f"事業効果 / effect: {self.effect or '—'}",
            f"今後の方針 / policy: {self.policy or '—'}",
            f"コメント / comment: {self.comment or '—'}",
        ]
        return "; ".join(parts)


class Conflict(Exception):
    """The step was recorded or changed by someone else since the page showed it: nothing was
    written. `theirs` is the ledger's version now, `yours` the one submitted."""

    def __init__(self, step: Step, theirs: Version, yours: Version) -> None:
        super().__init__(f"{step} changed since shown")
        self.step, self.theirs, self.yours = step, theirs, yours

    def message(self) -> str:
        ja, en = STEP_LABELS[self.step]
        who = self.theirs.by or "（不明）/ (unknown)"
        return (
            f"{ja}は、このページを開いた後に {who} が記録しました。何も保存していません。"
            f"記録された内容を確認し、必要ならもう一度保存してください"
            f" / {en} was recorded by {who} after you opened this page; nothing was saved."
            " Check what was recorded and save again if needed"
        )


def label(step: Step | str) -> str:
    ja, en = STEP_LABELS[Step(step)]
    return f"{ja} / {en}"


def steps_for(organization: m.Organization) -> list[Step]:
    """The steps the organization runs, in the canonical order."""
    configured = set(organization.evaluation_steps or [])
    return [step for step in STEPS if step.value in configured]


def set_steps(user: Any, organization: m.Organization, steps: list[str]) -> list[Step]:
    """Choose the organization's steps (the planning admin: `admin_change`); at least one,
    kept in the canonical order, recorded in the history. Returns the steps as saved."""
    policy.require(user, Action.ADMIN_CHANGE, organization)
    known = {step.value for step in STEPS}
    unknown = [s for s in steps if s not in known]
    if unknown:
        raise EvaluationError(
            f"評価の手順にない段階です: {', '.join(unknown)}",
            f"not an evaluation step: {', '.join(unknown)}",
        )
    chosen = [step for step in STEPS if step.value in set(steps)]
    if not chosen:
        raise EvaluationError(
            "評価の段階を少なくとも1つ選んでください", "choose at least one evaluation step"
        )
    with transaction.atomic():
        locked = m.Organization.objects.select_for_update().get(pk=organization.pk)
        values = [step.value for step in chosen]
        if locked.evaluation_steps != values:
            locked.evaluation_steps = values
            locked._history_user = user  # type: ignore[attr-defined]
            locked._change_reason = STEPS_REASON  # type: ignore[attr-defined]
            locked.save(update_fields=["evaluation_steps"])
            m.LedgerVersion.bump()
    organization.evaluation_steps = [step.value for step in chosen]
    return chosen


def token(evaluation: m.Evaluation | None) -> str:
    """What a page showed of a step: a fingerprint of its texts, who recorded it and when."""
    if evaluation is None:
        return NEW
    when = evaluation.recorded_at.isoformat() if evaluation.recorded_at else ""
    text = "\x1f".join(
        [
            evaluation.effect,
            evaluation.comment,
            evaluation.policy,
            str(evaluation.recorded_by_id or ""),
            when,
        ]
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def who(evaluation: m.Evaluation) -> str:
    user = evaluation.recorded_by
    return str(user.get_username()) if user is not None else "（不明）/ (unknown)"


def version_of(evaluation: m.Evaluation) -> Version:
    return Version(
        evaluation.effect,
        evaluation.comment,
        evaluation.policy,
        who(evaluation),
        evaluation.recorded_at,
    )


def chain(project: m.Project, year: int) -> dict[Step, m.Evaluation]:
    """The recorded steps of the project's year (configured or not), by step."""
    rows = m.Evaluation.objects.filter(project=project, fiscal_year=year).select_related(
        "recorded_by"
    )
    return {Step(row.step): row for row in rows}


def published(project: m.Project, year: int) -> bool:
    return locks.state_of(project, year) == m.WorkState.PUBLISHED


PUBLISHED = (
    "この年度は公表済みのため、評価は記録できません",
    "this year is published: its evaluation can no longer be recorded",
)


def why_not(
    user: Any,
    project: m.Project,
    year: int,
    step: Step,
    recorded: dict[Step, m.Evaluation] | None = None,
) -> str | None:
    """None when `user` may record `step` of the project's year now, else why not (Japanese
    and English): not configured, not the user's role, the year not opened, published or
    locked, or an earlier step missing."""
    try:
        check(user, project, year, step, recorded)
    except EvaluationError as error:
        return str(error)
    except PermissionDenied as denied:
        return str(denied)
    return None


def check(
    user: Any,
    project: m.Project,
    year: int,
    step: Step,
    recorded: dict[Step, m.Evaluation] | None = None,
) -> None:
    """Raise PermissionDenied (the user's role) or EvaluationError (why the step cannot be
    recorded now) unless `user` may record `step` (see `why_not`)."""
    organization = project.organization
    configured = steps_for(organization)
    if step not in configured:
        ja, en = STEP_LABELS[step]
        raise EvaluationError(
            f"{organization.name}の評価の手順に「{ja}」はありません",
            f"{organization.code} does not run the step “{en}”",
        )
    policy.require(user, STEP_ACTIONS[step], organization, project)
    fiscal_year = m.FiscalYear.objects.filter(organization=organization, year=year).first()
    if fiscal_year is None:
        raise EvaluationError(*locks.NOT_OPENED)
    ended = locks.project_closed(project, year)
    if ended:
        ja, _sep, en = ended.partition(" / ")
        raise EvaluationError(ja, en)
    state = locks.state_of(project, year)
    if state == m.WorkState.PUBLISHED:
        raise EvaluationError(*PUBLISHED)
    if step == Step.SELF:
        reason = locks.lock_reason(
            user, Action.SELF_EVALUATE, project, year, state=state, fiscal_year=fiscal_year
        )
        if reason:
            ja, _sep, en = reason.partition(" / ")
            raise EvaluationError(ja, en)
    if recorded is None:
        recorded = chain(project, year)
    for earlier in configured[: configured.index(step)]:
        if earlier not in recorded:
            ja, en = STEP_LABELS[earlier]
            this_ja, this_en = STEP_LABELS[step]
            raise EvaluationError(
                f"先に「{ja}」を記録してください（{this_ja}はその後です）",
                f"{en} must be recorded first ({this_en} comes after it)",
            )


def validate(step: Step, effect: str, comment: str, future: str) -> None:
    """The step's texts: an effect among the four national words, a policy among the five; the
    committee chooses an effect, the final decision a policy; an empty step is refused."""
    if effect and effect not in EFFECTS:
        raise EvaluationError(
            f"事業効果「{effect}」は次の4つのいずれかではありません: {'、'.join(EFFECTS)}",
            f"the effect “{effect}” is not one of the four national categories",
        )
    if future and future not in POLICIES:
        raise EvaluationError(
            f"今後の方針「{future}」は次の5つのいずれかではありません: {'、'.join(POLICIES)}",
            f"the policy “{future}” is not one of the five national words",
        )
    if len(comment) > MAX_COMMENT:
        raise EvaluationError(
            f"コメントは{MAX_COMMENT}文字以内にしてください",
            f"the comment is longer than {MAX_COMMENT} characters",
        )
    if step == Step.COMMITTEE and not effect:
        raise EvaluationError(
            "外部評価では事業効果を選んでください", "the committee's evaluation needs an effect"
        )
    if step == Step.FINAL and not future:
        raise EvaluationError(
            "最終判断では今後の方針を選んでください", "the final decision needs a policy"
        )
    if not (effect or comment.strip() or future):
        raise EvaluationError(
            "事業効果、コメントまたは今後の方針を入力してください",
            "give an effect, a comment or a policy",
        )


def record(
    user: Any,
    project: m.Project,
    year: int,
    step: Step | str,
    effect: str,
    comment: str,
    policy_word: str,
    *,
    shown: str | None = None,
    reason: str = "",
) -> m.Evaluation:
    """Record (create or change) one step of the project's year, all or nothing.

    `shown` is the token of the step as the page showed it (None: not checked, for callers
    that read and write at once); `reason` is added to the history's reason. Raises
    PermissionDenied (not the user's role), EvaluationError (not now, or not as given),
    Conflict (changed since shown) or Busy (the ledger locked by another write)."""
    step = Step(step)
    comment = comment.strip()
    effect, policy_word = effect.strip(), policy_word.strip()
    organization = project.organization
    policy.require(user, STEP_ACTIONS[step], organization, project)
    validate(step, effect, comment, policy_word)
    history_reason = locks_reason(step, reason)
    try:
        with transaction.atomic():
            # The project row serialises every write of its chain (also a step's first record).
            locked = m.Project.objects.select_for_update(of=("self",)).select_related(
                "organization"
            )
            project = locked.get(pk=project.pk)
            recorded = {
                Step(row.step): row
                for row in m.Evaluation.objects.select_for_update(of=("self",))
                .filter(project=project, fiscal_year=year)
                .select_related("recorded_by")
            }
            check(user, project, year, step, recorded)
            current = recorded.get(step)
            if shown is not None and token(current) != shown:
                theirs = version_of(current) if current else Version("", "", "")
                raise Conflict(step, theirs, Version(effect, comment, policy_word))
            if current is None:
                current = m.Evaluation(project=project, fiscal_year=year, step=step.value)
            elif (current.effect, current.comment, current.policy) == (
                effect,
                comment,
                policy_word,
            ) and current.recorded_by_id == getattr(user, "pk", None):
                return current  # nothing changed
            current.effect, current.comment, current.policy = effect, comment, policy_word
            current.recorded_by = user if getattr(user, "pk", None) else None
            current._history_user = user  # type: ignore[attr-defined]
            current._change_reason = history_reason  # type: ignore[attr-defined]
            current.save()
            m.LedgerVersion.bump()
            return current
    except OperationalError as error:
        if "locked" not in str(error):
            raise
        raise Busy(Busy.MESSAGE) from None
    except Conflict as conflict:
        label_ja = STEP_LABELS[step][0]
        refused.record(
            user,
            m.RefusedChange.Kind.EVALUATION,
            year,
            [
                refused.Attempt(
                    project.pk,
                    f"{label_ja}: {conflict.yours.text()}",
                    f"{label_ja}: {conflict.theirs.text()}",
                )
            ],
        )
        raise


def locks_reason(step: Step, reason: str) -> str:
    """The history's reason of a step's record: its name, and the user's reason if given."""
    reason = " ".join(reason.split())[:MAX_REASON]
    base = STEP_LABELS[step][0]
    return f"{base}: {reason}" if reason else base


# --- kpiledger's suggestion -----------------------------------------------------------------


@dataclass(frozen=True)
class KpiLine:
    """One KPI of the suggestion: what the core judged."""

    indicator: str
    unit: str
    target: Decimal
    judged_year: int | None
    actual: Decimal | None
    rate: Decimal | None
    status: Status


@dataclass
class Suggestion:
    """The effect the core suggests from the KPI results (None: no suggestion), its reason, the
    KPIs judged and whether they were judged on the published report or the ledger's values."""

    effect: str | None
    reason_ja: str
    reason_en: str
    from_published: bool
    kpis: list[KpiLine] = field(default_factory=list)


def ledger_project(project: m.Project, year: int) -> Project:
    """The project as the ledger holds it now, as a core `Project` for `year`: its KPIs (those
    not ended before `year`) with their current terms and actuals up to `year`."""
    kpis = [
        k
        for k in m.Kpi.objects.filter(project=project).order_by("position", "id")
        if k.ended_year is None or year <= k.ended_year
    ]
    values = reports.current_values([k.pk for k in kpis], year)
    grant = project.grant.name if project.grant_id and project.grant else None
    core = Project(project.name, Section(project.section), grant, project.summary or None)
    for kpi in kpis:
        date = YearMonth(kpi.target_year, kpi.target_month) if kpi.target_year else None
        baseline = None
        if kpi.baseline is not None:
            baseline = Baseline(m.unpad(kpi.baseline), kpi.baseline_year)
        core.kpis.append(
            Kpi(
                indicator=kpi.indicator,
                unit=kpi.unit,
                target=m.unpad(kpi.target),
                target_bound=kpi.target_bound or None,
                target_date=date,
                actuals=dict(values.get(kpi.pk, {})),
                baseline=baseline,
                direction_override=(
                    Direction(kpi.direction_override) if kpi.direction_override else None
                ),
                aggregation_override=(
                    Aggregation(kpi.aggregation_override) if kpi.aggregation_override else None
                ),
                actuals_are_increments=kpi.actuals_are_increments,
            )
        )
    return core


def published_project(project: m.Project, year: int) -> Project | None:
    """The project as the year's published report has it (None: not in a published report)."""
    rows = list(
        m.ReportedKpi.objects.filter(kpi__project=project, fiscal_year=year)
        .select_related("kpi")
        .order_by("position", "id")
    )
    if not rows:
        return None
    current = reports.current_values([row.kpi_id for row in rows], year)
    first = rows[0]
    core = Project(
        first.project_name, Section(first.section), first.grant_name or None, first.summary or None
    )
    core.kpis = [reports.to_core_kpi(row, current.get(row.kpi_id, {})) for row in rows]
    return core


def judged(project: m.Project, year: int) -> tuple[ProjectResult, bool]:
    """The core's judgement of the project in `year`, and whether it is the published report's."""
    core = published_project(project, year)
    from_published = core is not None
    notes: list[str] = []
    if core is None:
        core = ledger_project(project, year)
    else:
        notes = reports.report_heading(project.organization, year)[1]
    columns = sorted({y for k in core.kpis for y in k.actuals})
    report = Report(None, year, [core], columns, notes)
    return evaluate_report(report, year).projects[0], from_published


def suggestion(project: m.Project, year: int) -> Suggestion:
    """kpiledger's suggested 事業効果 for the project's year, with its reason and KPI results."""
    result, from_published = judged(project, year)
    return Suggestion(
        effect=result.effect_suggestion.value if result.effect_suggestion else None,
        reason_ja=result.effect_reason_ja,
        reason_en=result.effect_reason_en,
        from_published=from_published,
        kpis=[_line(r) for r in result.kpis],
    )


def _line(result: KpiResult) -> KpiLine:
    kpi = result.kpi
    return KpiLine(
        kpi.indicator,
        kpi.unit,
        kpi.target,
        result.judged_year,
        result.actual,
        result.achievement_rate,
        result.status,
    )


# --- what publishing writes -----------------------------------------------------------------


def assessment_fields(project: m.Project, year: int) -> dict[str, str]:
    """What the published report says beside the project's KPIs, from its evaluation chain (the
    steps the organization runs): the `ReportedProject` texts

    - effect (事業効果): the committee's, or with no committee's the final decision's, the
      planning office's or the department's, in that order;
    - evaluation (事業の評価): the self-evaluation's and the review's comments, labelled;
    - opinion (外部有識者からの意見): the committee's comment;
    - policy (今後の方針): the final decision's, or the committee's without one;
    - policy_reason: the final decision's comment.

    Empty strings where a step is missing."""
    configured = set(steps_for(project.organization))
    steps = {s: e for s, e in chain(project, year).items() if s in configured}
    self_, primary = steps.get(Step.SELF), steps.get(Step.PRIMARY)
    committee, final = steps.get(Step.COMMITTEE), steps.get(Step.FINAL)
    effect = next(
        (e.effect for e in (committee, final, primary, self_) if e is not None and e.effect), ""
    )
    labelled = [
        f"【{STEP_LABELS[step][0]}】{e.comment}"
        for step, e in ((Step.SELF, self_), (Step.PRIMARY, primary))
        if e is not None and e.comment
    ]
    return {
        "effect": effect,
        "evaluation": "\n".join(labelled),
        "opinion": committee.comment if committee else "",
        "policy": (final.policy if final else "") or (committee.policy if committee else ""),
        "policy_reason": final.comment if final else "",
    }
