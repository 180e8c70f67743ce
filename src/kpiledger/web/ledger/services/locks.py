"""Why a value of one project's year cannot be changed now (issue 10, item 5): the one place
the entry form, the money form, the evaluation pages and the write API ask.

`lock_reason` answers None (open) or the reason, in Japanese and English, that the page shows
beside the locked form. In order:

1. the policy (policy.py): not the user's organization, role or project;
2. the year: not opened yet (no `FiscalYear`), or closed to entry;
3. the project or KPI: ended in an earlier year, or a KPI whose target date (年月) has passed;
4. the project's state in the cycle: submitted (locked for its department, still open to the
   planning admin, who returns or approves it), approved (locked for everyone), published
   (locked for everyone but the planning admin, who may correct with a reason: a correction).
"""

from __future__ import annotations

from typing import Any

from kpiledger.core.era import YearMonth, fiscal_year_label, fiscal_year_of
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger import policy
from kpiledger.web.ledger.policy import Action

# Actions that change a project's year (values, money, the department's own evaluation).
EDITING = frozenset({Action.EDIT_VALUE, Action.EDIT_MONEY, Action.SELF_EVALUATE, Action.API_WRITE})

NOT_YOURS = ("担当の事業ではありません", "this is not your project")
NOT_OPENED = (
    "この年度はまだ開始されていません（企画担当が年度を開始します）",
    "this fiscal year has not been opened yet (the planning office opens it)",
)
CLOSED = ("この年度は締め切られています", "this fiscal year is closed")
SUBMITTED = (
    "提出済みのため編集できません（企画担当の確認待ち）",
    "submitted: locked while the planning office reviews it",
)
APPROVED = ("承認済みのため編集できません", "approved: locked")
PUBLISHED = (
    "公表済みのため編集できません（訂正は企画担当が理由を付けて行います）",
    "published: locked (the planning office corrects it, with a reason)",
)


def text(reason: tuple[str, str]) -> str:
    return f"{reason[0]} / {reason[1]}"


def kpi_closed(kpi: m.Kpi, year: int) -> str | None:
    """Why a KPI takes no value for `year`: it ended in an earlier year, or its target date
    (年月) fell in an earlier fiscal year (shown as closed; the planning admin extends it by
    giving a new target date when opening the year)."""
    if kpi.ended_year is not None and year > kpi.ended_year:
        label = fiscal_year_label(kpi.ended_year)
        return text((f"{label}で終了したKPIです", f"this KPI ended in FY{kpi.ended_year}"))
    if kpi.target_year and kpi.target_month:
        due = fiscal_year_of(YearMonth(kpi.target_year, kpi.target_month))
        if year > due:
            when = f"{kpi.target_year}年{kpi.target_month}月"
            return text(
                (
                    f"目標年月（{when}）を過ぎたため終了したKPIです",
                    f"closed: its target date ({kpi.target_year}-{kpi.target_month:02d}) has"
                    " passed",
                )
            )
    return None


def project_closed(project: m.Project, year: int) -> str | None:
    if project.ended_year is not None and year > project.ended_year:
        label = fiscal_year_label(project.ended_year)
        return text((f"{label}で終了した事業です", f"this project ended in FY{project.ended_year}"))
    return None


def state_of(project: m.Project, year: int) -> m.WorkState:
    """The project's state in `year` (draft when it has no row yet)."""
    state = (
        m.ProjectYear.objects.filter(project=project, fiscal_year=year)
        .values_list("state", flat=True)
        .first()
    )
    return m.WorkState(state) if state else m.WorkState.DRAFT


class Unknown:
    """A year not looked up yet (None means: looked up, and not opened)."""


UNKNOWN = Unknown()


def lock_reason(
    user: Any,
    action: Action,
    project: m.Project,
    year: int,
    kpi: m.Kpi | None = None,
    state: m.WorkState | None = None,
    fiscal_year: m.FiscalYear | Unknown | None = UNKNOWN,
    grants: policy.Grants | None = None,
) -> str | None:
    """None when `user` may do `action` on `project` (and `kpi`) in `year` now, else why not.

    `state`, `fiscal_year` and `grants` (the user's `policy.Grants` in the project's
    organization) may be passed by a page that has them already: then a page of many rows
    asks the database nothing per row."""
    organization = project.organization
    if grants is None:
        grants = policy.Grants.of(user, organization)
    if not grants.allows(action, project):
        if grants.role == m.Role.DEPARTMENT_EDITOR:
            return text(NOT_YOURS)
        return policy.denied_message(action, organization, project)
    if isinstance(fiscal_year, Unknown):
        fiscal_year = m.FiscalYear.objects.filter(organization=organization, year=year).first()
    if fiscal_year is None:
        return text(NOT_OPENED)
    if fiscal_year.closed_at is not None:
        return text(CLOSED)
    ended = project_closed(project, year) or (kpi_closed(kpi, year) if kpi is not None else None)
    if ended:
        return ended
    if state is None:
        state = state_of(project, year)
    if Action(action) not in EDITING:
        return None
    corrector = grants.allows(Action.PUBLISH, project)
    if state == m.WorkState.SUBMITTED and not corrector:
        return text(SUBMITTED)
    if state == m.WorkState.APPROVED:
        return text(APPROVED)
    if state == m.WorkState.PUBLISHED and not corrector:
        return text(PUBLISHED)
    return None


def is_correction(project: m.Project, year: int, state: m.WorkState | None = None) -> bool:
    """A change to a published project's year is a correction: it needs a reason, and the
    public report shows it as one."""
    return (state or state_of(project, year)) == m.WorkState.PUBLISHED
