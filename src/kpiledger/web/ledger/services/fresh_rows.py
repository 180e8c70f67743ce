"""The rows of a report for an organization with nothing in the ledger yet, made without the
database (in `bulk`'s reading processes): what `plan_import` + `apply_import` + the stored
judgements would write for it, as plain tuples for `fresh_write` to insert in bulk.

An organization with no projects, report years or imports has nothing to compare with: every
project, KPI, published row and actual of the report is new (`Planner` with `plan.fresh`). The
values come from the planner's own functions (`kpi_terms`, `reported_values`,
`assessment_values`, `kpi_overrides`) and the judgements from the same functions the ledger's
rejudging uses (`judgements.Inputs.report`, `_kpi_row`, `_project_row`) on the rows as they will
be stored, so they are the judgements a rejudge would store.

A row is `(*references, *values)`: the references (`Spec.refs`) are filled in by the writer —
the organization, the import batch, a grant by name, a project or KPI by its index in the file,
and the time of writing — and the values are ready for the database (JSON as text, Decimals
exact). A report this path does not cover (no KPIs, a project name twice, an indicator twice in
a project) is left to the careful path (`fresh_rows` returns None).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.db import models

from kpiledger.core import stored
from kpiledger.core.evaluate import evaluate_report
from kpiledger.core.model import Actual, Report
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services import judgements
from kpiledger.web.ledger.services.plan import CHANGE_LABELS
from kpiledger.web.ledger.services.planner import (
    assessment_values,
    kpi_overrides,
    kpi_terms,
    reported_values,
)

# Reference kinds (see the module's docstring).
ORG, BATCH, GRANT, PROJECT, KPI, NOW = "org", "batch", "grant", "project", "kpi", "now"


class Spec:
    """One table's columns as the bulk path writes them: the id, the references, the values."""

    def __init__(self, model: type[models.Model], refs: tuple[tuple[str, str], ...]):
        self.model = model
        self.refs = refs
        named = {name for name, _ in refs}
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.ref_fields = [model._meta.get_field(name.removesuffix("_id")) for name, _ in refs]
        self.value_fields = [f for f in fields if f.attname not in named]
        self.index = {f.attname: i for i, f in enumerate(self.value_fields)}
        # each value's default: a constant (None, '', a number), or made per row (`dict`)
        made = [f.has_default() and callable(f.default) for f in self.value_fields]
        self.template = [
            None if per_row else _plain(f.get_default())
            for f, per_row in zip(self.value_fields, made, strict=True)
        ]
        self.made = [(i, f.get_default) for i, f in enumerate(self.value_fields) if made[i]]
        self.json = [
            (i, getattr(f, "encoder", None))
            for i, f in enumerate(self.value_fields)
            if isinstance(f, models.JSONField)
        ]
        self.decimals = [
            i for i, f in enumerate(self.value_fields) if isinstance(f, models.DecimalField)
        ]
        self.has_history = hasattr(model, "history")

    @property
    def columns(self) -> list[str]:
        """Every column written, in the order of a row (the id first)."""
        pk = self.model._meta.pk.column
        return [pk, *(f.column for f in self.ref_fields), *(f.column for f in self.value_fields)]

    def row(self, refs: tuple[Any, ...], values: dict[str, Any], text: bool) -> tuple[Any, ...]:
        """A row: the references, then each value given or its field's default (JSON as text,
        as Django sends it; with `text`, Decimals too, as Django's SQLite adapter does)."""
        out = self.template.copy()
        for i, make in self.made:
            out[i] = make()
        index = self.index
        for name, value in values.items():
            out[index[name]] = value
        for i, encoder in self.json:
            out[i] = json.dumps(out[i], cls=encoder)
        if text:
            for i in self.decimals:
                if out[i] is not None:
                    out[i] = str(out[i])
        return (*refs, *out)


def _plain(value: Any) -> Any:
    """A choice (`Status.PENDING`) as the text the database keeps."""
    return str(value) if isinstance(value, str) else value


@functools.cache
def specs() -> dict[str, Spec]:
    """The tables, in the order they are written (a table after those it refers to)."""
    made = _specs()
    _check_observation(made["observation"])
    return made


def _check_observation(spec: Spec) -> None:
    """Observations, most of the rows, are made without `Spec.row`: their columns must be
    those `_Builder._kpi` writes."""
    names = [f.attname for f in spec.value_fields]
    if names != ["fiscal_year", "value", "marker", "note"] or spec.template[3] != "":
        raise RuntimeError(f"Observation's columns changed: {names}")


def _specs() -> dict[str, Spec]:
    return {
        "batch": Spec(
            m.ImportBatch, (("organization_id", ORG), ("created_at", NOW), ("applied_at", NOW))
        ),
        "project": Spec(m.Project, (("organization_id", ORG), ("grant_id", GRANT))),
        "kpi": Spec(m.Kpi, (("project_id", PROJECT),)),
        "reported": Spec(m.ReportedKpi, (("kpi_id", KPI), ("import_batch_id", BATCH))),
        "observation": Spec(m.Observation, (("kpi_id", KPI), ("import_batch_id", BATCH))),
        "assessment": Spec(
            m.ReportedProject, (("project_id", PROJECT), ("import_batch_id", BATCH))
        ),
        "fiscal_year": Spec(m.FiscalYear, (("organization_id", ORG), ("published_at", NOW))),
        "project_year": Spec(m.ProjectYear, (("project_id", PROJECT), ("changed_at", NOW))),
        "judgement": Spec(
            m.Judgement,
            (
                ("kpi_id", KPI),
                ("organization_id", ORG),
                ("project_id", PROJECT),
                ("judged_at", NOW),
            ),
        ),
        "project_judgement": Spec(
            m.ProjectJudgement,
            (("project_id", PROJECT), ("organization_id", ORG), ("judged_at", NOW)),
        ),
    }


def stored_row(model: type[models.Model], values: dict[str, Any], **more: Any) -> Any:
    """A row as the judgements read it back from the ledger: every field's value (given, else
    its default) as an attribute (a plain object: only read, and far cheaper than a model
    instance)."""
    return SimpleNamespace(**(_field_defaults(model) | values | more))  # type: ignore[arg-type]


@functools.cache
def _field_defaults(model: type[models.Model]) -> dict[str, Any]:
    return {f.attname: f.get_default() for f in model._meta.concrete_fields}


@dataclass
class FreshFile:
    """A file's rows for an organization new to the ledger (see the module's docstring)."""

    code: str
    organization: dict[str, Any]  # the new organization's fields (used when it does not exist)
    fiscal_year: int
    file_name: str
    sha256: str
    kpis: int
    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    grants: list[str] = field(default_factory=list)  # the grant names the projects refer to


def fresh_rows(
    report: Report,
    content: bytes,
    code: str,
    name: str | None,
    file_name: str,
    *,
    decimals_as_text: bool = False,
) -> FreshFile | None:
    """The file's rows (raises KpiledgerError as `plan_import` and a new organization would),
    or None for a report left to the careful path. `decimals_as_text`: for SQLite, whose
    adapter Django registers turns a Decimal into `str(value)`; done here, in the reading
    process, instead of in the writing one."""
    from kpiledger.web.ledger.services import importing

    if not _covered(report):
        return None
    organization = importing.new_organization(code, name)  # as `importing.writing` would
    importing.check_values(report)  # as `plan_import` would
    fields = ("code", "name", "prefecture", "kana", "kind")
    file = FreshFile(
        code=code,
        organization={f: getattr(organization, f) for f in fields},
        fiscal_year=report.fiscal_year,
        file_name=file_name,
        sha256=hashlib.sha256(content).hexdigest(),
        kpis=len(report.kpis),
    )
    _Builder(file, report, decimals_as_text).build(content)
    return file


def _covered(report: Report) -> bool:
    names = [p.name for p in report.projects]
    if not report.kpis or len(set(names)) != len(names):
        return False
    return all(len({k.indicator for k in p.kpis}) == len(p.kpis) for p in report.projects)


class _Builder:
    """What `Planner` (fresh) and `Writer` would write, and the stored judgements."""

    def __init__(self, file: FreshFile, report: Report, text: bool):
        self.file, self.report, self.year, self.text = file, report, report.fiscal_year, text
        self.specs = specs()
        self.rows: dict[str, list[tuple[Any, ...]]] = {key: [] for key in self.specs}
        self.reported: list[m.ReportedKpi] = []  # as stored, for the judgements
        self.current: dict[int, dict[int, Actual]] = {}
        self.assessments: dict[int, Any] = {}
        self.money: dict[int, tuple[Any, Any, Any]] = {}

    def build(self, content: bytes) -> None:
        position = 0
        projects_with_kpis = []
        for index, project in enumerate(self.report.projects):
            self._project(index, project)
            for kpi in project.kpis:
                self._kpi(index, project, kpi, position)
                position += 1
            if project.kpis:
                projects_with_kpis.append(index)
        self._published_year(projects_with_kpis)
        self._batch(content)
        self._judgements()
        self.file.rows = self.rows

    def _project(self, index: int, project: Any) -> None:
        grant = project.grant or None
        if grant and grant not in self.file.grants:
            self.file.grants.append(grant)
        values = {
            "name": project.name,
            "position": index,
            "section": project.section.value,
            "summary": project.summary or "",
        }
        self.rows["project"].append(self.specs["project"].row((None, grant), values, self.text))
        published = project.assessment
        if published is None:
            return
        values = assessment_values(published)
        spec = self.specs["assessment"]
        self.rows["assessment"].append(
            spec.row((index, None), values | {"fiscal_year": self.year}, self.text)
        )
        row = stored_row(m.ReportedProject, values, project_id=index, fiscal_year=self.year)
        self.assessments[index] = judgements._assessment(row)
        spent = values["spent"]
        yen = None if spent is None else spent * (1000 if values["spent_unit"] == "千円" else 1)
        self.money[index] = (yen, values["total_cost"], values["grant_amount"])

    def _kpi(self, project_index: int, project: Any, kpi: Any, position: int) -> None:
        index = len(self.rows["kpi"])
        terms = kpi_terms(kpi)
        values = {"indicator": kpi.indicator, "note": kpi.note or "", "position": position}
        values |= terms | kpi_overrides(kpi)
        self.rows["kpi"].append(self.specs["kpi"].row((project_index,), values, self.text))
        ledger_kpi = stored_row(m.Kpi, values, project_id=project_index)
        reported = reported_values(project, kpi, terms | {"position": position})
        spec = self.specs["reported"]
        self.rows["reported"].append(
            spec.row((index, None), reported | {"fiscal_year": self.year}, self.text)
        )
        row = stored_row(m.ReportedKpi, reported, kpi_id=index, fiscal_year=self.year)
        row.kpi = ledger_kpi
        self.reported.append(row)
        current = self.current.setdefault(index, {})
        observations = self.rows["observation"]
        for year, actual in sorted(kpi.actuals.items()):
            marker, value = actual.marker or "", actual.value
            stored_value = str(value) if self.text and value is not None else value
            # as `specs()["observation"].row(...)` makes it (checked by `_check_observation`)
            observations.append((index, None, year, stored_value, marker, ""))
            current[year] = Actual(None, marker) if value is None else Actual(m.unpad(value))

    def _published_year(self, projects: list[int]) -> None:
        spec = self.specs["fiscal_year"]
        self.rows["fiscal_year"].append(spec.row((None, None), {"year": self.year}, self.text))
        spec = self.specs["project_year"]
        for index in projects:
            spent, total, grant = self.money.get(index, (None, None, None))
            values = {"fiscal_year": self.year, "state": str(m.WorkState.PUBLISHED)}
            values |= {"spent": spent, "total_cost": total, "grant_amount": grant}
            self.rows["project_year"].append(spec.row((index, None), values, self.text))

    def _batch(self, content: bytes) -> None:
        counts = Counter(
            {
                "new-project": len(self.rows["project"]),
                "new-kpi": len(self.rows["kpi"]),
                "new-reported": len(self.rows["reported"]),
                "new-observation": len(self.rows["observation"]),
                "new-assessment": len(self.rows["assessment"]),
            }
        )
        values = {
            "file_name": self.file.file_name,
            "content": content,
            "sha256": self.file.sha256,
            "title": self.report.title or "",
            "fiscal_year": self.year,
            "notes": list(self.report.notes),
            "status": str(m.ImportBatch.Status.APPLIED),
            "summary": {kind: counts[kind] for kind in CHANGE_LABELS},
        }
        self.rows["batch"].append(self.specs["batch"].row((None, None, None), values, self.text))

    def _judgements(self) -> None:
        """As `judgements._judge` judges the year (organization 0, ids the indexes)."""
        nearly = settings.KPILEDGER_NEARLY
        key = (0, self.year)
        inputs = judgements.Inputs(
            rows={key: self.reported},
            current=self.current,
            assessments={key: self.assessments},
            notes={key: list(self.report.notes)},
            overrides={i: ("", "", "") for i in range(len(self.report.projects))},
        )
        report, project_ids = inputs.report(0, self.year, self.reported)
        result = evaluate_report(report, nearly=nearly)
        rows = iter(self.reported)
        position = 0
        seen: set[int] = set()
        kpi_spec, project_spec = self.specs["judgement"], self.specs["project_judgement"]
        for project_id, project in zip(project_ids, result.projects, strict=True):
            for kpi_result in project.kpis:
                row = next(rows)
                judged = judgements._kpi_row(row.kpi, kpi_result, project.project)
                values = dict(zip(JUDGED_KPI, judged, strict=True)) | {
                    "fiscal_year": self.year,
                    "position": position,
                    "nearly": nearly,
                    "record": stored.kpi_record(kpi_result),
                }
                refs = (row.kpi_id, None, project_id, None)
                self.rows["judgement"].append(kpi_spec.row(refs, values, self.text))
                position += 1
            if project_id not in seen:
                seen.add(project_id)
                judged = judgements._project_row(project, inputs.overrides[project_id])
                values = dict(zip(JUDGED_PROJECT, judged, strict=True))
                values["fiscal_year"] = self.year
                self.rows["project_judgement"].append(
                    project_spec.row((project_id, None, None), values, self.text)
                )


# The judged columns of `judgements._kpi_row` and `_project_row`, in their order.
JUDGED_KPI = judgements.KPI_COLUMNS[5:12]
JUDGED_PROJECT = judgements.PROJECT_COLUMNS[3:10]
