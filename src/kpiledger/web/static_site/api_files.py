"""The REST API's answers as files: what `/api/v1/…` answers for each organization and report
year, from the same records (`web/api/records.py`) through the same schemas, written as JSON
the way the API writes it.

    api/v1/organizations.json                       every organization (one page of all)
    api/v1/organizations/<code>.json                one organization
    api/v1/organizations/<code>/years.json          its report years
    api/v1/organizations/<code>/years/<year>/summary.json
    api/v1/organizations/<code>/years/<year>/projects.json      (one page of all)
    api/v1/organizations/<code>/years/<year>/kpis.json          (one page of all)
    api/v1/organizations/<code>/years/<year>/observations.json  (one page of all)

A list the API pages (`page`, `page_size` ≤ 200) is one page holding every item here:
`{"items": […], "count": n, "page": 1, "page_size": n, "pages": 1}`. The single KPI
(`…/kpis/<number>`) is not written: the KPI list holds the same record, and the KPI's page its
history.

The records are validated and dumped by the schemas' fields as plain pydantic models
(`plain_model`: the same fields, types and constraints): a ninja `Schema` reads every value
of every nested record through its `DjangoGetter` (made for model instances), several times
slower for the plain dicts of `records`, with the same answer.
"""

from __future__ import annotations

import json
import types
import typing
from functools import cache
from typing import Any, Literal, Union, get_args, get_origin

from ninja import Schema
from ninja.responses import NinjaJSONEncoder
from pydantic import BaseModel, TypeAdapter, create_model

from kpiledger.web.api import records
from kpiledger.web.api import schemas as s
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services.reports import LedgerReport

BASE = "api/v1/organizations"


@cache
def _adapter(schema: Any) -> TypeAdapter[Any]:
    return TypeAdapter(plain_type(schema))


def plain_type(annotation: Any) -> Any:
    """`annotation` with every ninja `Schema` in it replaced by its `plain_model`
    (`list[Kpi]`, `Assessment | None`, `dict[str, str | None]` …)."""
    if isinstance(annotation, type) and issubclass(annotation, Schema):
        return plain_model(annotation)
    origin = get_origin(annotation)
    if origin is None or origin is Literal:
        return annotation
    args = tuple(plain_type(arg) for arg in get_args(annotation))
    if origin is Union or origin is types.UnionType:
        return Union[args]  # noqa: UP007 (built from a tuple)
    if origin is typing.Annotated:
        return typing.Annotated[(args[0], *annotation.__metadata__)]
    return origin[args]


@cache
def plain_model(schema: type[Schema]) -> type[BaseModel]:
    """A pydantic model with the fields of `schema` (in order, with their defaults and
    constraints), its nested schemas plain too."""
    fields: dict[str, Any] = {
        name: (plain_type(info.annotation), info) for name, info in schema.model_fields.items()
    }
    return create_model(schema.__name__, **fields)


def dumps(schema: Any, value: Any) -> bytes:
    """`value` validated and dumped by `schema`, as the API's renderer writes it (UTF-8,
    Japanese unescaped)."""
    adapter = _adapter(schema)
    data = adapter.dump_python(adapter.validate_python(value))
    return json.dumps(data, cls=NinjaJSONEncoder, ensure_ascii=False).encode("utf-8")


def one_page(schema: Any, items: list[Any]) -> bytes:
    """A paginated list with every item on its one page."""
    adapter, count = _adapter(list[schema]), len(items)
    envelope = {
        "items": adapter.dump_python(adapter.validate_python(items)),
        "count": count,
        "page": 1,
        "page_size": max(count, 1),
        "pages": 1 if count else 0,
    }
    return json.dumps(envelope, cls=NinjaJSONEncoder, ensure_ascii=False).encode("utf-8")


def report_files(ledger: LedgerReport) -> dict[str, bytes]:
    """The API's answers about one report."""
    base = f"{BASE}/{ledger.organization.code}/years/{ledger.result.fiscal_year}"
    return {
        f"{base}/summary.json": dumps(s.Summary, records.summary(ledger)),
        f"{base}/projects.json": one_page(s.Project, records.projects(ledger)),
        f"{base}/kpis.json": one_page(s.Kpi, records.kpis(ledger)),
        f"{base}/observations.json": one_page(s.ObservationRow, records.observation_rows(ledger)),
    }


def organization_files(org: m.Organization, years: list[int]) -> dict[str, bytes]:
    """The API's answers about one organization (`years`: newest first)."""
    years_record = {
        "organization": {"code": org.code, "name": org.name},
        "years": [records.fiscal_year(year) for year in years],
    }
    return {
        f"{BASE}/{org.code}.json": dumps(s.Organization, records.organization(org, years)),
        f"{BASE}/{org.code}/years.json": dumps(s.OrganizationYears, years_record),
    }


def organizations_file(pairs: list[tuple[m.Organization, list[int]]]) -> dict[str, bytes]:
    """Every organization with a published report, in the API's order."""
    items = [records.organization(org, years) for org, years in pairs if years]
    return {f"{BASE}.json": one_page(s.Organization, items)}
