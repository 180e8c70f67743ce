"""The evaluation chain of a project's year (issue 10, items 7 and 8).

A placeholder being written; `assessment_fields` is what publishing a year asks (workflow.py).
"""

from __future__ import annotations

from kpiledger.web.ledger import models as m


def assessment_fields(project: m.Project, year: int) -> dict[str, str]:
    """What the published report says beside the project's KPIs, from its evaluation chain:
    the `ReportedProject` texts effect (事業効果), evaluation, opinion (外部有識者からの意見),
    policy (今後の方針) and policy_reason. Empty strings where a step is missing."""
    steps = {e.step: e for e in m.Evaluation.objects.filter(project=project, fiscal_year=year)}
    committee = steps.get(m.EvaluationStep.COMMITTEE)
    final = steps.get(m.EvaluationStep.FINAL)
    self_ = steps.get(m.EvaluationStep.SELF)
    decided = final or committee or self_
    return {
        "effect": (committee.effect if committee else "") or (decided.effect if decided else ""),
        "evaluation": self_.comment if self_ else "",
        "opinion": committee.comment if committee else "",
        "policy": (final.policy if final else "") or (committee.policy if committee else ""),
        "policy_reason": final.comment if final else "",
    }
