"""An import plan: every change an import would make, and the unsaved rows that make it
(made by `planner`, shown as the preview, written by `writer`)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from kpiledger.core.model import Report
from kpiledger.web.ledger import models as m

Progress = Callable[[int, int], None]  # (done, total)

CHANGE_LABELS = {
    "new-project": ("事業の追加", "new projects"),
    "changed-project": ("事業の変更", "changed projects"),
    "new-kpi": ("KPIの追加", "new KPIs"),
    "changed-kpi": ("KPIの変更", "changed KPIs"),
    "new-reported": ("報告行の記録", "report rows recorded"),
    "changed-reported": ("報告行の変更", "changed report rows"),
    "removed-reported": ("報告行の削除", "report rows removed"),
    "new-observation": ("実績値の追加", "new actuals"),
    "changed-observation": ("実績値の変更", "changed actuals"),
    "kept-observation": ("新しい報告の値を維持", "newer reported values kept"),
    "new-assessment": ("事業の評価の記録", "project evaluations recorded"),
    "changed-assessment": ("事業の評価の変更", "changed project evaluations"),
    "removed-assessment": ("事業の評価の削除", "project evaluations removed"),
}


@dataclass
class Change:
    """One row of the preview: what will be created or changed."""

    kind: str  # a key of CHANGE_LABELS
    project: str
    indicator: str = ""
    fiscal_year: int | None = None
    before: str = ""
    after: str = ""


@dataclass
class ImportPlan:
    """Every change an import would make, and the unsaved objects that make it."""

    organization: m.Organization
    report: Report
    changes: list[Change] = field(default_factory=list)
    new_projects: list[m.Project] = field(default_factory=list)
    changed_projects: list[m.Project] = field(default_factory=list)
    new_kpis: list[tuple[m.Project, m.Kpi]] = field(default_factory=list)
    changed_kpis: list[m.Kpi] = field(default_factory=list)
    new_reported: list[tuple[m.Kpi, m.ReportedKpi]] = field(default_factory=list)
    changed_reported: list[m.ReportedKpi] = field(default_factory=list)
    removed_reported: list[m.ReportedKpi] = field(default_factory=list)
    new_observations: list[tuple[m.Kpi, m.Observation]] = field(default_factory=list)
    changed_observations: list[m.Observation] = field(default_factory=list)
    new_assessments: list[tuple[m.Project, m.ReportedProject]] = field(default_factory=list)
    changed_assessments: list[m.ReportedProject] = field(default_factory=list)
    removed_assessments: list[m.ReportedProject] = field(default_factory=list)
    grants: dict[str, m.GrantProgram] = field(default_factory=dict)
    already_imported: bool = False
    fresh: bool = False  # the organization had no projects in the ledger: everything is new

    def counts(self) -> dict[str, int]:
        return {k: sum(1 for c in self.changes if c.kind == k) for k in CHANGE_LABELS}

    @property
    def is_empty(self) -> bool:
        return not any(c.kind != "kept-observation" for c in self.changes)

    def fingerprint(self) -> str:
        """A digest of the changes, to check at confirmation that nothing moved since the
        preview was shown."""
        text = "\n".join(repr(c) for c in self.changes)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()
