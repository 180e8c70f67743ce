"""From an evaluated ledger report to the API's records (plain dicts matching `schemas`).

Every judgement is taken from `kpiledger.io.writers.records` — the records of
`kpiledger export --format json` — so the API, the export and the pages say the same thing.
Exact decimals become strings here, written from the `Decimal` without loss.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kpiledger.core.era import fiscal_year_label
from kpiledger.core.evaluate import KpiResult, Status
from kpiledger.core.model import Actual
from kpiledger.core.model import Section as CoreSection
from kpiledger.io.writers.records import (
    cost_record,
    kpi_record,
    plain,
    project_costs,
    project_record,
)
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services.reports import LedgerReport

SECTION_LABELS = {
    CoreSection.TARGET: ("交付金対象事業", "project funded by the grant"),
    CoreSection.RELATED: ("交付金関連事業", "related project"),
}


def exact(value: Any) -> Any:
    """Every `Decimal` inside a record as its exact plain string (`Decimal('2300')` →
    `"2300"`, `Decimal('73.5')` → `"73.5"`); everything else unchanged."""
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, dict):
        return {key: exact(item) for key, item in value.items()}
    if isinstance(value, list):
        return [exact(item) for item in value]
    return value


def label(ja: str, en: str) -> dict[str, str]:
    return {"ja": ja, "en": en}


def year_label(year: int, style: str = "long") -> str | None:
    """`令和5年度` (or `R5年度`), None for a year before the eras kpiledger knows."""
    try:
        return fiscal_year_label(year, style)
    except ValueError:
        return None


def fiscal_year(year: int) -> dict[str, Any]:
    return {
        "fiscal_year": year,
        "label": year_label(year),
        "short_label": year_label(year, "short"),
    }


def organization(org: m.Organization, years: list[int]) -> dict[str, Any]:
    return {
        "code": org.code,
        "name": org.name,
        "kana": org.kana or None,
        "prefecture": org.prefecture or None,
        "years": years,
    }


def projects(ledger: LedgerReport) -> list[dict[str, Any]]:
    """Every project of the report, in its order, with the numbers of its KPIs."""
    records, first = [], 1
    for number, result in enumerate(ledger.result.projects, start=1):
        record = exact(project_record(result, ledger.result.report.fiscal_year))
        kpi_count = len(record.pop("kpis"))
        section = result.project.section
        record.update(
            number=number,
            section_label=label(*SECTION_LABELS[section]),
            kpi_numbers=list(range(first, first + kpi_count)),
            assessment=record.get("assessment"),
            flags=record.get("flags", []),
        )
        first += kpi_count
        records.append(record)
    return records


def kpis(ledger: LedgerReport) -> list[dict[str, Any]]:
    """Every KPI of the report, in its order: the export's KPI record with exact strings,
    its place in the report and labels beside the codes."""
    ids = iter(ledger.kpi_ids)
    records, number = [], 0
    year = ledger.result.report.fiscal_year
    for project_number, project in enumerate(ledger.result.projects, start=1):
        costs = project_costs(project, year)
        for result, cost in zip(project.kpis, costs, strict=True):
            number += 1
            record = exact(kpi_record(result)) | _labels(result)
            record["cost_per_unit"] = exact(cost_record(cost))
            record.update(
                number=number,
                kpi_id=next(ids),
                project_number=project_number,
                project_name=project.project.name,
                grant=project.project.grant,
                section=project.project.section.value,
            )
            records.append(record)
    return records


def _labels(result: KpiResult) -> dict[str, Any]:
    direction, aggregation = result.direction.value, result.aggregation.value
    progress = result.progress
    return {
        "direction_label": label(direction.label_ja, direction.label_en),
        "aggregation_label": label(aggregation.label_ja, aggregation.label_en),
        "status_label": label(result.status.label_ja, result.status.label_en),
        "progress_label": label(progress.label_ja, progress.label_en) if progress else None,
    }


def kpi_detail(ledger: LedgerReport, number: int) -> dict[str, Any] | None:
    """KPI `number` (from 1) with its observations and its flags' messages; None when the
    report has no such KPI."""
    records = kpis(ledger)
    if not 1 <= number <= len(records):
        return None
    result = ledger.result.kpis[number - 1]
    return records[number - 1] | {
        "observations": observations(result.kpi.actuals),
        "flag_details": [
            {"code": f.code, "message_ja": f.message_ja, "message_en": f.message_en}
            for f in result.flags
        ],
    }


def observations(actuals: dict[int, Actual]) -> list[dict[str, Any]]:
    """The published actuals, oldest first: a value, or which "no value" text it was."""
    return [
        {
            "fiscal_year": year,
            "fiscal_year_label": year_label(year),
            "value": None if actual.value is None else plain(actual.value),
            "marker": None if actual.value is not None else (actual.marker or ""),
        }
        for year, actual in sorted(actuals.items())
    ]


def observation_rows(ledger: LedgerReport) -> list[dict[str, Any]]:
    """Every published actual of the report in long form: one row per KPI and year."""
    rows = []
    for number, result in enumerate(ledger.result.kpis, start=1):
        kpi_id = ledger.kpi_ids[number - 1]
        for row in observations(result.kpi.actuals):
            row.update(
                kpi_number=number,
                kpi_id=kpi_id,
                indicator=result.kpi.indicator,
                unit=result.kpi.unit,
            )
            rows.append(row)
    return rows


def summary(ledger: LedgerReport) -> dict[str, Any]:
    result = ledger.result
    counts = result.summary()
    return {
        "organization": {"code": ledger.organization.code, "name": ledger.organization.name},
        "fiscal_year": result.fiscal_year,
        "fiscal_year_label": year_label(result.fiscal_year),
        "title": result.report.title or "",
        "notes": list(result.report.notes),
        "nearly_threshold": plain(result.nearly_threshold),
        "projects": len(result.projects),
        "summary": counts,
        "statuses": [
            {"status": s.value, "label": label(s.label_ja, s.label_en), "count": counts[s.value]}
            for s in Status
        ],
    }
