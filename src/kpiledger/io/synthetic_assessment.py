"""The national form's columns of a synthetic project (`synthetic.py`), chosen from how its KPIs
went: the 事業効果 the committee published (mostly the one kpiledger suggests, now and then a
step more generous, as committees are), 事業の評価, 外部有識者からの意見, 今後の方針 and its
reason."""

from __future__ import annotations

import random

from kpiledger.core.effect import Effect, FuturePolicy
from kpiledger.core.evaluate import ProjectResult, ReportResult
from kpiledger.io import synthetic_words as words

EFFECTS = tuple(Effect)  # best first


def assess(rng: random.Random, result: ReportResult) -> None:
    """Fill each project's assessment (its money is already there) from its judgement."""
    for project in result.projects:
        assessment = project.project.assessment
        if assessment is None:
            continue
        effect = published_effect(rng, project.effect_suggestion)
        good = EFFECTS.index(effect) < 2 or (effect is Effect.EFFECTIVE and rng.random() < 0.4)
        assessment.effect = effect.value
        assessment.evaluation = words.EVALUATION_GOOD if good else words.EVALUATION_BAD
        assessment.opinion = rng.choice(words.OPINIONS[effect]) if rng.random() < 0.85 else None
        policy = future_policy(rng, effect, ended(project, result.fiscal_year))
        assessment.policy = policy.value
        assessment.policy_reason = rng.choice(words.POLICY_REASONS[policy])


def published_effect(rng: random.Random, suggested: Effect | None) -> Effect:
    if suggested is None:  # every KPI not yet due: the committee still writes a word
        return rng.choice((Effect.CONSIDERABLY_EFFECTIVE, Effect.EFFECTIVE))
    place = EFFECTS.index(suggested)
    if place > 0 and rng.random() < 0.15:
        return EFFECTS[place - 1]
    return suggested


def ended(project: ProjectResult, report_year: int) -> bool:
    """The project's period is over: every target was due before the report year."""
    years = [k.kpi.target_fiscal_year for k in project.kpis]
    return all(y is not None and y < report_year for y in years)


def future_policy(rng: random.Random, effect: Effect, over: bool) -> FuturePolicy:
    if over:
        return FuturePolicy.FINISHED if rng.random() < 0.8 else FuturePolicy.CONTINUE
    if effect is Effect.NOT_EFFECTIVE:
        return FuturePolicy.STOP if rng.random() < 0.2 else FuturePolicy.REVISE
    if effect is Effect.EFFECTIVE:
        return FuturePolicy.REVISE if rng.random() < 0.6 else FuturePolicy.CONTINUE
    return FuturePolicy.DEVELOP if rng.random() < 0.3 else FuturePolicy.CONTINUE
