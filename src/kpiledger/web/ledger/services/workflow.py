"""The yearly cycle of a project (issue 10, item 5): draft → submitted → approved → published.

- `submit`: the project's department editor (or the planning admin) hands the year's values in
  (draft → submitted); the year must be opened and not closed.
- `return_`: the planning admin sends a submitted or approved year back to the department with
  a comment (→ draft); the comment is required and shown on the hub and the entry page.
- `approve`: the planning admin approves a submitted year (→ approved: locked for everyone).
- `publish`: the planning admin publishes the organization's year once every project of the
  year that has not ended is approved: the year's report is written as a record
  (`ReportedKpi`, `ReportedProject`, exactly as an import writes one), every project's state
  becomes published and the year appears on the public pages.

Each transition runs in one transaction with the `ProjectYear` row locked (`select_for_update`;
on SQLite the transaction takes the write lock when it begins), checks the state inside it,
and leaves a history row with the user and the reason. A wrong role is PermissionDenied (the
policy's message); a wrong state is a `WorkflowError`, in Japanese and English.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from kpiledger.web.ledger import models as m
from kpiledger.web.ledger import policy
from kpiledger.web.ledger.policy import Action
from kpiledger.web.ledger.services import evaluation, judgements, locks
from kpiledger.web.ledger.services.writing import writing

MAX_COMMENT = 1000
STATE_LABELS: dict[str, tuple[str, str]] = {
    m.WorkState.DRAFT: ("入力中", "draft"),
    m.WorkState.SUBMITTED: ("提出済み", "submitted"),
    m.WorkState.APPROVED: ("承認済み", "approved"),
    m.WorkState.PUBLISHED: ("公表済み", "published"),
}
# The history's reasons (`ProjectYear`, `FiscalYear`).
SUBMIT_REASON = "提出"
RETURN_REASON = "差戻し"
APPROVE_REASON = "承認"
PUBLISH_REASON = "公表"
CHUNK = 500  # rows per bulk statement


class WorkflowError(Exception):
    """A transition refused for the state of the project or the year: why, in Japanese and
    English."""

    def __init__(self, message_ja: str, message_en: str) -> None:
        super().__init__(f"{message_ja} / {message_en}")
        self.message_ja, self.message_en = message_ja, message_en


def state_label(state: str) -> str:
    """`承認済み / approved`."""
    ja, en = STATE_LABELS.get(state, (state, state))
    return f"{ja} / {en}"


def _reason(base: str, comment: str) -> str:
    comment = " ".join(comment.split())[:200]
    return f"{base}: {comment}" if comment else base


def _fiscal_year(organization: m.Organization, year: int, *, lock: bool = False) -> m.FiscalYear:
    rows = m.FiscalYear.objects.select_for_update() if lock else m.FiscalYear.objects
    fiscal_year = rows.filter(organization=organization, year=year).first()
    if fiscal_year is None:
        raise WorkflowError(*locks.NOT_OPENED)
    return fiscal_year


def _locked_row(project: m.Project, year: int) -> m.ProjectYear:
    row = (
        m.ProjectYear.objects.select_for_update(of=("self",))
        .filter(project=project, fiscal_year=year)
        .select_related("project__organization")
        .first()
    )
    if row is None:
        raise WorkflowError(
            f"「{project.name}」はこの年度（{year}年度）の事業ではありません",
            f"“{project.name}” is not a project of FY{year}",
        )
    return row


def _save(row: Any, user: Any, reason: str) -> None:
    row._history_user = user
    row._change_reason = reason
    row.save()


def _transition(
    user: Any,
    project: m.Project,
    year: int,
    action: Action,
    allowed_from: tuple[m.WorkState, ...],
    to: m.WorkState,
    reason: str,
    comment: str | None = None,
    *,
    open_year: bool = False,
) -> m.ProjectYear:
    policy.require(user, action, project.organization, project)
    ja, en = policy.ACTION_LABELS[action]
    with writing(WorkflowError):
        fiscal_year = _fiscal_year(project.organization, year)
        row = _locked_row(project, year)  # the state is read under the lock
        if open_year and fiscal_year.closed_at is not None:
            raise WorkflowError(*locks.CLOSED)
        ended = locks.project_closed(project, year)
        if ended:
            raise WorkflowError(*ended.split(" / ", 1))
        if row.state not in allowed_from:
            now_ja, now_en = STATE_LABELS[row.state]
            raise WorkflowError(
                f"「{project.name}」は現在「{now_ja}」のため、{ja}できません",
                f"“{project.name}” is {now_en} now: you cannot {en} it",
            )
        row.state = to
        if comment is not None:
            row.comment = comment
        _save(row, user, reason)
        m.LedgerVersion.bump()
    return row


def _comment(comment: str) -> str:
    comment = comment.strip()
    if len(comment) > MAX_COMMENT:
        raise WorkflowError(
            f"コメントは{MAX_COMMENT}文字までです",
            f"the comment is at most {MAX_COMMENT} characters",
        )
    return comment


def submit(user: Any, project: m.Project, year: int) -> m.ProjectYear:
    """draft → submitted (the project's department editor or the planning admin)."""
    return _transition(
        user,
        project,
        year,
        Action.SUBMIT,
        (m.WorkState.DRAFT,),
        m.WorkState.SUBMITTED,
        SUBMIT_REASON,
        open_year=True,
    )


def return_(user: Any, project: m.Project, year: int, comment: str) -> m.ProjectYear:
    """submitted or approved → draft, with the planning admin's comment (required)."""
    policy.require(user, Action.REVIEW, project.organization, project)
    text = _comment(comment)
    if not text:
        raise WorkflowError(
            "差し戻す理由（コメント）を入力してください", "give a comment: why it is returned"
        )
    return _transition(
        user,
        project,
        year,
        Action.REVIEW,
        (m.WorkState.SUBMITTED, m.WorkState.APPROVED),
        m.WorkState.DRAFT,
        _reason(RETURN_REASON, text),
        text,
    )


def approve(user: Any, project: m.Project, year: int, comment: str = "") -> m.ProjectYear:
    """submitted → approved (the planning admin); the comment (optional) replaces the last."""
    policy.require(user, Action.APPROVE, project.organization, project)
    text = _comment(comment)
    return _transition(
        user,
        project,
        year,
        Action.APPROVE,
        (m.WorkState.SUBMITTED,),
        m.WorkState.APPROVED,
        _reason(APPROVE_REASON, text),
        text,
    )


# --- publishing -----------------------------------------------------------------------------


def year_projects(organization: m.Organization, year: int) -> list[m.ProjectYear]:
    """The project years of the organization's year, in the projects' order."""
    return list(
        m.ProjectYear.objects.filter(project__organization=organization, fiscal_year=year)
        .select_related("project__grant", "project__organization")
        .order_by("project__position", "project_id")
    )


def blockers(rows: list[m.ProjectYear], year: int) -> list[m.ProjectYear]:
    """The project years that keep the year from being published: not ended, not approved."""
    return [
        row
        for row in rows
        if locks.project_closed(row.project, year) is None and row.state != m.WorkState.APPROVED
    ]


def publish(user: Any, organization: m.Organization, year: int) -> m.FiscalYear:
    """Publish the organization's report of `year` (see the module docstring). Refused, naming
    the projects, unless every project of the year that has not ended is approved."""
    policy.require(user, Action.PUBLISH, organization)
    with writing(WorkflowError):
        fiscal_year = _fiscal_year(organization, year, lock=True)
        if fiscal_year.published_at is not None:
            raise WorkflowError(
                "この年度はすでに公表されています（公表後の変更は訂正として記録されます）",
                "this year is published already (later changes are recorded as corrections)",
            )
        rows = list(
            m.ProjectYear.objects.select_for_update(of=("self",))
            .filter(project__organization=organization, fiscal_year=year)
            .select_related("project__grant", "project__organization")
            .order_by("project__position", "project_id")
        )
        active = [row for row in rows if locks.project_closed(row.project, year) is None]
        if not active:
            raise WorkflowError(
                "この年度には公表する事業がありません", "this year has no project to publish"
            )
        waiting = blockers(rows, year)
        if waiting:
            ja = "、".join(f"「{r.project.name}」（{STATE_LABELS[r.state][0]}）" for r in waiting)
            en = ", ".join(f"“{r.project.name}” ({STATE_LABELS[r.state][1]})" for r in waiting)
            raise WorkflowError(
                f"承認されていない事業があるため公表できません: {ja}",
                f"not every project is approved, so the year cannot be published: {en}",
            )
        _write_report(user, active, year)
        for row in active:
            row.state = m.WorkState.PUBLISHED
        bulk_update_with_history(
            active,
            m.ProjectYear,
            ["state"],
            batch_size=CHUNK,
            default_user=user,
            default_change_reason=PUBLISH_REASON,
        )
        fiscal_year.published_at, fiscal_year.published_by = timezone.now(), user
        _save(fiscal_year, user, PUBLISH_REASON)
        m.LedgerVersion.bump()
        judgements.changed(organization.pk, since=year)  # the new report year is judged
    return fiscal_year


def _text(value: Decimal, earlier: str = "") -> str:
    """A value's digits as shown: as an earlier report wrote it when it is the same number
    (`73.50`), else without the database's padding."""
    if earlier:
        try:
            if Decimal(earlier) == value:
                return earlier
        except ArithmeticError:
            pass
    return str(m.unpad(value))


def _write_report(user: Any, rows: list[m.ProjectYear], year: int) -> None:
    """The year's published record: a `ReportedKpi` per KPI that is open for the year, with its
    terms now and its actuals of every year up to `year`; a `ReportedProject` per project with
    its money and the evaluation chain's texts."""
    projects = [row.project for row in rows]
    kpis = [
        kpi
        for kpi in m.Kpi.objects.filter(project__in=projects).order_by(
            "project__position", "project_id", "position", "id"
        )
        if locks.kpi_closed(kpi, year) is None
    ]
    by_project = {p.pk: p for p in projects}
    ids = [k.pk for k in kpis]
    earlier: dict[int, m.ReportedKpi] = {}
    for reported in m.ReportedKpi.objects.filter(kpi_id__in=ids, fiscal_year__lt=year).order_by(
        "fiscal_year"
    ):
        earlier[reported.kpi_id] = reported  # the latest earlier report wins
    observations: dict[int, list[m.Observation]] = {}
    for o in m.Observation.objects.filter(kpi_id__in=ids, fiscal_year__lte=year).order_by(
        "fiscal_year"
    ):
        observations.setdefault(o.kpi_id, []).append(o)
    existing = {r.kpi_id: r for r in m.ReportedKpi.objects.filter(kpi_id__in=ids, fiscal_year=year)}
    created: list[m.ReportedKpi] = []
    for position, kpi in enumerate(kpis):
        project = by_project[kpi.project_id]
        before = earlier.get(kpi.pk)
        before_actuals = before.actuals if before is not None else {}
        actuals: dict[str, dict[str, str]] = {}
        note = kpi.note
        for o in observations.get(kpi.pk, []):
            if o.value is not None:
                written = before_actuals.get(str(o.fiscal_year), {}).get("value", "")
                actuals[str(o.fiscal_year)] = {"value": _text(o.value, written)}
            else:
                actuals[str(o.fiscal_year)] = {"marker": o.marker or "-"}
            if o.fiscal_year == year and o.note:
                note = o.note
        row = existing.get(kpi.pk) or m.ReportedKpi(kpi=kpi, fiscal_year=year)
        for name in (
            "unit",
            "target",
            "target_bound",
            "target_year",
            "target_month",
            "baseline",
            "baseline_year",
        ):
            setattr(row, name, getattr(kpi, name))
        row.import_batch = None
        row.position = position
        row.project_name, row.section = project.name, project.section
        row.grant_name = project.grant.name if project.grant else ""
        row.summary, row.note = project.summary, note
        row.published_rate, row.published_rate_text, row.reader_flags = None, "", []
        row.target_text = _text(kpi.target, before.target_text if before else "")
        row.baseline_text = (
            ""
            if kpi.baseline is None
            else _text(kpi.baseline, before.baseline_text if before else "")
        )
        row.actuals = actuals
        if row.pk is None:
            created.append(row)
        else:
            _save(row, user, PUBLISH_REASON)
    # one statement per 500 new rows (and their history), not two per KPI
    for start in range(0, len(created), CHUNK):
        bulk_create_with_history(
            created[start : start + CHUNK],
            m.ReportedKpi,
            default_user=user,
            default_change_reason=PUBLISH_REASON,
        )
    for year_row in rows:
        _write_project(user, year_row, year)


def _write_project(user: Any, row: m.ProjectYear, year: int) -> None:
    texts = evaluation.assessment_fields(row.project, year)
    money = (row.spent, row.total_cost, row.grant_amount)
    reported = m.ReportedProject.objects.filter(project=row.project, fiscal_year=year).first()
    if reported is None and not any(texts.values()) and all(v is None for v in money):
        return  # nothing to publish beside the KPIs (as an import without such columns)
    reported = reported or m.ReportedProject(project=row.project, fiscal_year=year)
    for name, text in texts.items():
        setattr(reported, name, text)
    reported.import_batch = None
    reported.spent = row.spent
    reported.spent_text = "" if row.spent is None else str(m.unpad(row.spent))
    reported.spent_unit = "円"
    reported.total_cost, reported.grant_amount = row.total_cost, row.grant_amount
    _save(reported, user, PUBLISH_REASON)
