"""A judgement as a record the ledger keeps, and back (stored judgements, issue 11).

`kpi_record(result)` turns a `KpiResult` into plain JSON values (str, int, bool, None, lists and
dicts); `kpi_result(record, kpi)` gives the equal `KpiResult` back from the record and the KPI it
judged, without judging again. The same for a project's suggested 事業効果 (`project_record`,
`project_result`) and a whole report (`report_result`).

Decimals are kept as their strings (`"73.50"`, `"1E+3"`), so the digits come back as they were.
The record also keeps the KPI's own remarks (`reader_flags`, e.g. the ledger's corrections of a
published value), since they are part of what it was judged with: `kpi_result` gives them back
on a copy of the KPI when the KPI passed in has others.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from kpiledger.core.effect import Effect
from kpiledger.core.evaluate import KpiResult, ProjectResult, ReportResult, Status
from kpiledger.core.inference import Inferred
from kpiledger.core.model import Aggregation, Confidence, Direction, Flag, Kpi, Project, Report
from kpiledger.core.progress import Progress

Record = dict[str, Any]
#: The layout of a KPI's record; a ledger reading a record of another version judges again.
RECORD_VERSION = 1
E = TypeVar("E", bound=StrEnum)


# --- pieces -----------------------------------------------------------------------------------


def number_text(value: Decimal | None) -> str | None:
    """A Decimal as its exact string (`Decimal("73.50")` → `"73.50"`), None as None."""
    return None if value is None else str(value)


def number_of(text: str | None) -> Decimal | None:
    """The Decimal of `number_text`, digits as they were."""
    return None if text is None else Decimal(text)


def flag_record(flag: Flag) -> Record:
    return {"code": flag.code, "message_ja": flag.message_ja, "message_en": flag.message_en}


def flags_of(records: list[Record]) -> list[Flag]:
    return [Flag(r["code"], r["message_ja"], r["message_en"]) for r in records]


def inferred_record(inferred: Inferred[E]) -> Record:
    return {
        "value": inferred.value.value,
        "reason_ja": inferred.reason_ja,
        "reason_en": inferred.reason_en,
        "confidence": inferred.confidence.value,
        "overridden": inferred.overridden,
    }


def inferred_of(record: Record, kind: type[E]) -> Inferred[E]:
    return Inferred(
        kind(record["value"]),
        record["reason_ja"],
        record["reason_en"],
        Confidence(record["confidence"]),
        record["overridden"],
    )


# --- a KPI ----------------------------------------------------------------------------------


def kpi_record(result: KpiResult) -> Record:
    """Everything judged of one KPI (not the KPI itself, which the ledger keeps in its rows)."""
    return {
        "version": RECORD_VERSION,
        "direction": inferred_record(result.direction),
        "aggregation": inferred_record(result.aggregation),
        "judged_year": result.judged_year,
        "actual": number_text(result.actual),
        "rate": number_text(result.achievement_rate),
        "status": result.status.value,
        "progress": None if result.progress is None else result.progress.value,
        "flags": [flag_record(f) for f in result.flags],
        "reader_flags": [flag_record(f) for f in result.kpi.reader_flags],
    }


def kpi_result(record: Record, kpi: Kpi) -> KpiResult:
    """The `KpiResult` the record was made from, for `kpi` (the KPI as judged, with the
    record's remarks)."""
    reader_flags = flags_of(record["reader_flags"])
    if kpi.reader_flags != reader_flags:
        kpi = replace(kpi, reader_flags=reader_flags)
    progress = record["progress"]
    return KpiResult(
        kpi=kpi,
        direction=inferred_of(record["direction"], Direction),
        aggregation=inferred_of(record["aggregation"], Aggregation),
        judged_year=record["judged_year"],
        actual=number_of(record["actual"]),
        achievement_rate=number_of(record["rate"]),
        status=Status(record["status"]),
        progress=None if progress is None else Progress(progress),
        flags=flags_of(record["flags"]),
    )


# --- a project and a report -----------------------------------------------------------------


def project_record(result: ProjectResult) -> Record:
    """The project's own judgement: the suggested 事業効果 with its reason, and its flags."""
    effect = result.effect_suggestion
    return {
        "effect": None if effect is None else effect.value,
        "reason_ja": result.effect_reason_ja,
        "reason_en": result.effect_reason_en,
        "flags": [flag_record(f) for f in result.flags],
    }


def project_result(record: Record, project: Project, kpis: list[KpiResult]) -> ProjectResult:
    """The `ProjectResult` of `project` from its record and its KPIs' results (in its order);
    the project's KPIs are those of the results."""
    judged = [k.kpi for k in kpis]
    if len(judged) != len(project.kpis) or any(
        a is not b for a, b in zip(judged, project.kpis, strict=False)
    ):
        project = replace(project, kpis=judged)
    effect = record["effect"]
    return ProjectResult(
        project=project,
        kpis=kpis,
        effect_suggestion=None if effect is None else Effect(effect),
        effect_reason_ja=record["reason_ja"],
        effect_reason_en=record["reason_en"],
        flags=flags_of(record["flags"]),
    )


def report_result(
    report: Report,
    fiscal_year: int,
    nearly: Decimal,
    project_records: list[Record],
    kpi_records: list[Record],
) -> ReportResult:
    """The `ReportResult` of `report` judged in `fiscal_year` from the records of its projects
    and of its KPIs (in the report's order); ValueError when their numbers do not match."""
    if len(project_records) != len(report.projects) or len(kpi_records) != len(report.kpis):
        raise ValueError("the records do not match the report's projects and KPIs")
    records = iter(kpi_records)
    projects = []
    for project, record in zip(report.projects, project_records, strict=True):
        kpis = [kpi_result(next(records), kpi) for kpi in project.kpis]
        projects.append(project_result(record, project, kpis))
    if any(a is not b.project for a, b in zip(report.projects, projects, strict=True)):
        report = replace(report, projects=[p.project for p in projects])
    return ReportResult(report, fiscal_year, nearly, projects)
