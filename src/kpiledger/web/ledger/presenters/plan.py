"""The import preview, one view for the command line and the upload form: per project and
KPI, what the import would add, change (old → new) and leave as is, with the file's notices
and warnings and the counts of every kind of change.

`plan_view(plan, file_name, language)` picks the words: "ja", "en", or "both" (the terminal:
「追加 / added」). The CLI prints it (`cli.import_one.print_plan`); the staff preview page
renders it (`templates/ledger/staff/preview.html`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from kpiledger.core.era import fiscal_year_label
from kpiledger.core.errors import Problem
from kpiledger.web.ledger.services.plan import CHANGE_LABELS, Change, ImportPlan

STATES = {
    "added": ("追加", "added"),
    "changed": ("変更あり", "changed"),
    "values-added": ("実績値の追加", "new actuals"),
    "unchanged": ("変更なし", "unchanged"),
}
CHANGED_KINDS = ("changed-", "removed-", "kept-")


@dataclass
class ChangeLine:
    kind: str  # the CHANGE_LABELS wording in the chosen language
    year: str  # 和暦 year label, or ""
    before: str
    after: str


@dataclass
class KpiLine:
    indicator: str
    state: str  # a key of STATES
    label: str
    changes: list[ChangeLine] = field(default_factory=list)


@dataclass
class ProjectLine:
    name: str
    state: str
    label: str
    changes: list[ChangeLine] = field(default_factory=list)  # of the project itself
    kpis: list[KpiLine] = field(default_factory=list)


@dataclass
class PlanView:
    organization: str  # 釧路市（012068）
    new_organization: bool
    file_name: str
    year: str  # R5年度（2023年度）
    title: str
    notices: list[Problem]
    warnings: list[Problem]
    counts: list[tuple[str, int]]
    projects: list[ProjectLine]
    tally: list[tuple[str, int]]  # KPIs per state
    nothing_to_apply: bool
    already_imported: bool


def _words(pair: tuple[str, str], language: str) -> str:
    ja, en = pair
    return {"ja": ja, "en": en}.get(language, f"{ja} / {en}")


def _line(change: Change, language: str) -> ChangeLine:
    year = fiscal_year_label(change.fiscal_year) if change.fiscal_year else ""
    if year and (change.before.startswith(year) or change.after.startswith(year)):
        year = ""  # the values name their years already (a report row's actuals)
    return ChangeLine(
        _words(CHANGE_LABELS[change.kind], language), year, change.before, change.after
    )


def _state(kinds: set[str], added_kind: str) -> str:
    if added_kind in kinds:
        return "added"
    if any(k.startswith(CHANGED_KINDS) for k in kinds):
        return "changed"
    if kinds:
        return "values-added"
    return "unchanged"


def plan_view(plan: ImportPlan, file_name: str, language: str = "both") -> PlanView:
    by_kpi: dict[tuple[str, str], list[Change]] = defaultdict(list)
    for change in plan.changes:
        by_kpi[change.project, change.indicator].append(change)
    projects, tally = [], dict.fromkeys(STATES, 0)
    for project in plan.report.projects:
        own = by_kpi.get((project.name, ""), [])
        kpis = []
        for kpi in project.kpis:
            changes = by_kpi.get((project.name, kpi.indicator), [])
            state = _state({c.kind for c in changes}, "new-kpi")
            tally[state] += 1
            shown = [_line(c, language) for c in changes if c.kind.startswith(CHANGED_KINDS)]
            kpis.append(KpiLine(kpi.indicator, state, _words(STATES[state], language), shown))
        state = _state({c.kind for c in own}, "new-project")
        if state == "unchanged" and any(k.state != "unchanged" for k in kpis):
            state = "changed" if any(k.state == "changed" for k in kpis) else "values-added"
        projects.append(
            ProjectLine(
                project.name,
                state,
                _words(STATES[state], language),
                [_line(c, language) for c in own if c.kind.startswith(CHANGED_KINDS)],
                kpis,
            )
        )
    organization = plan.organization
    year = plan.report.fiscal_year
    return PlanView(
        organization=f"{organization.name}（{organization.code}）",
        new_organization=organization.pk is None or not organization.projects.exists(),
        file_name=file_name,
        year=f"{fiscal_year_label(year)}（{year}年度）",
        title=plan.report.title or "",
        notices=list(plan.report.notices),
        warnings=list(plan.report.warnings),
        counts=[
            (_words(CHANGE_LABELS[kind], language), count) for kind, count in plan.counts().items()
        ],
        projects=projects,
        tally=[(_words(STATES[s], language), n) for s, n in tally.items()],
        nothing_to_apply=plan.is_empty,
        already_imported=plan.already_imported,
    )
