"""The evaluated report as plain records (dicts of str, int, Decimal, None, lists).

This is the one place that decides the shape of the output schema (EVALUATION.md); the JSON
and CSV writers, and later the web pages and API, all start from these records.
"""

from __future__ import annotations

from typing import Any

from kpiledger.core.errors import Problem
from kpiledger.core.evaluate import KpiResult, ProjectResult, ReportResult
from kpiledger.core.model import Assessment
from kpiledger.core.money import CostPerUnit, cost_per_unit
from kpiledger.core.numbers import to_plain_string


def report_record(result: ReportResult) -> dict[str, Any]:
    """The whole report, in the schema of `kpiledger evaluate --format json`. `warnings` (the
    reader's data-quality warnings, e.g. `possibly-truncated`) is there only when there is one,
    so the output of a clean report is unchanged."""
    record = {
        "title": result.report.title,
        "fiscal_year": result.fiscal_year,
        "summary": result.summary(),
        "projects": [project_record(p, result.report.fiscal_year) for p in result.projects],
        "notes": list(result.report.notes),
    }
    if result.report.warnings:
        record["warnings"] = [problem_record(p) for p in result.report.warnings]
    return record


def problem_record(problem: Problem) -> dict[str, Any]:
    """A located problem or warning: code, both messages, line, column, field (header text)."""
    return {
        "code": problem.code,
        "message_ja": problem.message_ja,
        "message_en": problem.message_en,
        "line": problem.line,
        "column": problem.column,
        "field": problem.field,
    }


def project_record(result: ProjectResult, fiscal_year: int | None = None) -> dict[str, Any]:
    """A project; `assessment` (and the project's `flags`) only when the report published what
    the national form says beside the KPIs or the ledger holds the project's money, and each
    KPI's `cost_per_unit` (in `fiscal_year`, the report's year) only when the project has a
    実績額, so the output of other reports is unchanged."""
    project = result.project
    record: dict[str, Any] = {
        "name": project.name,
        "grant": project.grant,
        "section": project.section.value,
        "summary": project.summary,
        "effect_suggestion": result.effect_suggestion.value if result.effect_suggestion else None,
        "effect_reason": result.effect_reason_ja,
        "kpis": [kpi_record(k) for k in result.kpis],
    }
    if project.assessment is not None:
        record["assessment"] = assessment_record(project.assessment)
        record["flags"] = [flag.code for flag in result.flags]
        if project.assessment.spent is not None:
            costs = project_costs(result, fiscal_year)
            for kpi, cost in zip(record["kpis"], costs, strict=True):
                kpi["cost_per_unit"] = cost_record(cost)
    return record


def project_costs(
    result: ProjectResult, fiscal_year: int | None = None
) -> list[CostPerUnit | None]:
    """The cost per unit of each of the project's KPIs: its 実績額 of `fiscal_year` (the report
    year; each KPI's judged year when None) ÷ what the KPI counted that year (`core.money`)."""
    assessment = result.project.assessment
    if assessment is None or assessment.spent is None:
        return [None for _ in result.kpis]
    return [
        cost_per_unit(
            assessment.spent, k, fiscal_year=fiscal_year, spent_unit=assessment.spent_unit
        )
        for k in result.kpis
    ]


def cost_record(cost: CostPerUnit | None) -> dict[str, Any] | None:
    """The cost per unit as a record (円 per `per`, rounded half up), None when not meaningful."""
    if cost is None:
        return None
    return {
        "amount": cost.amount,
        "per": cost.per,
        "count": cost.count,
        "fiscal_year": cost.fiscal_year,
        "reason_ja": cost.reason_ja,
        "reason_en": cost.reason_en,
    }


def assessment_record(assessment: Assessment) -> dict[str, Any]:
    """What the report published about the project beside its KPIs (the national form)."""
    return {name: getattr(assessment, name) for name in Assessment.TEXTS} | {
        "spent": assessment.spent,
        "spent_unit": assessment.spent_unit if assessment.spent is not None else None,
        "total_cost": assessment.total_cost,
        "grant_amount": assessment.grant_amount,
    }


def kpi_record(result: KpiResult) -> dict[str, Any]:
    kpi = result.kpi
    baseline = kpi.baseline
    return {
        "indicator": kpi.indicator,
        "unit": kpi.unit,
        "target": kpi.target,
        "target_date": kpi.target_date.iso() if kpi.target_date else None,
        "target_fiscal_year": kpi.target_fiscal_year,
        "baseline": (
            {"value": baseline.value, "fiscal_year": baseline.fiscal_year} if baseline else None
        ),
        "direction": result.direction.value.value,
        "direction_reason": result.direction.reason_ja,
        "direction_confidence": result.direction.confidence.value,
        "aggregation": result.aggregation.value.value,
        "aggregation_reason": result.aggregation.reason_ja,
        "actuals": {str(year): actual.value for year, actual in sorted(kpi.actuals.items())},
        "judged_year": result.judged_year,
        "achievement_rate": result.achievement_rate,
        "published_rate": kpi.published_rate,
        "status": result.status.value,
        "progress": result.progress.value if result.progress else None,
        "flags": [flag.code for flag in result.flags],
    }


plain = to_plain_string  # exact plain notation (`Decimal('1.3E+6')` → `1300000`)
