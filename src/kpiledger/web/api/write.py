"""The write API (issue 10, item 10): a KPI's actual of a fiscal year, read with its token and
entered through `services/entry.py` — the staff entry form's own path, so the same parse
(Japanese notation), policy (`api_write` and `edit_value` on the KPI's project), optimistic
lock (the token), locks of the yearly cycle (services/locks.py: a year not opened or closed, a
submitted, approved or published project, an ended KPI: 403 `locked` with the reason; the
planning admin's change to a published year is a correction and needs a `reason`, else 422),
all-or-nothing write, history (user and reason) and ledger version apply.

KPIs are addressed by their ledger id (`kpi_id` of the read API, as in `/org/{code}/kpi/{id}/`)
and the fiscal year being entered, published or not:

- `GET  /kpis/{kpi_id}/observations/{fiscal_year}`: the state now and its `token`;
- `PUT  /kpis/{kpi_id}/observations/{fiscal_year}`: enter a value (and note);
- `POST /observations/{fiscal_year}`: several KPIs of one organization, all or nothing.

Every operation needs `Authorization: Bearer <token>` (auth.py); a session counts for nothing.
Answers are never cached (`Cache-Control: private, no-store`): drafts are not public.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from ninja import P, PathEx, Router, Status
from ninja.decorators import decorate_view
from ninja.errors import AuthenticationError

from kpiledger.web.api import schemas as s
from kpiledger.web.api.auth import bearer
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger import policy
from kpiledger.web.ledger.policy import Action
from kpiledger.web.ledger.services import entry as service
from kpiledger.web.ledger.staff_entry import FIRST_YEAR, LAST_YEAR

WRITE_TAG = "台帳への書き込み（トークン認証） / writing the ledger (token)"
API_REASON = "API"
KpiId = PathEx[int, P(ge=1, le=2**31 - 1, description="the KPI's ledger id", example=1)]
FiscalYear = PathEx[
    int,
    P(ge=FIRST_YEAR, le=LAST_YEAR, description="入力する年度 (2024 = 令和6年度)", example=2024),
]
AUTH_ERRORS: dict[int, Any] = {401: s.Problem, 403: s.Problem, 404: s.Problem}
View = Callable[..., HttpResponseBase]


def problem(code: str, message_ja: str, message_en: str) -> dict[str, str]:
    return {
        "code": code,
        "message_ja": message_ja,
        "message_en": message_en,
        "detail": f"{message_ja} / {message_en}",
    }


def _split(text: str) -> tuple[str, str]:
    """A service message `日本語 / English` as its two halves."""
    ja, _, en = text.partition(" / ")
    return ja, en or ja


def forbidden(error: PermissionDenied) -> dict[str, str]:
    return problem("forbidden", *_split(str(error)))


#: The write operations; api.py adds them to the API (`api.add_router`), so this module
#: never imports api.py back.
router = Router()


def unauthorized(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    """The API's answer to a missing, wrong or revoked token (registered by api.py)."""
    body = problem(
        "unauthorized",
        "有効なAPIトークンを Authorization: Bearer ヘッダーで送ってください"
        "（ログインのセッションは使えません）",
        "send a valid API token in an Authorization: Bearer header (a session is not used)",
    )
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=401,
        content_type="application/json; charset=utf-8",
    )
    response["WWW-Authenticate"] = 'Bearer realm="kpiledger"'
    return response


def never_cached(run: View) -> View:
    """Drafts are not public: no shared or private cache keeps these answers."""

    @wraps(run)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = run(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        return response

    return wrapped


class Refused(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(status)
        self.status, self.body = status, body


def _kpis(ids: list[int]) -> dict[int, m.Kpi]:
    found = {
        k.pk: k for k in m.Kpi.objects.filter(pk__in=ids).select_related("project__organization")
    }
    missing = [kpi_id for kpi_id in ids if kpi_id not in found]
    if missing:
        raise Refused(
            404,
            problem(
                "kpi-not-found",
                f"台帳にKPI（id {missing[0]}）はありません",
                f"the ledger has no KPI with id {missing[0]}",
            ),
        )
    return found


def _require(user: Any, actions: tuple[Action, ...], kpi: m.Kpi) -> None:
    project = kpi.project
    for action in actions:
        if not policy.allowed(user, action, project.organization, project):
            denied = policy.denied_message(action, project.organization, project)
            raise Refused(403, forbidden(PermissionDenied(denied)))


def state(kpi: m.Kpi, year: int, observation: m.Observation | None) -> dict[str, Any]:
    value = observation.value if observation is not None else None
    return {
        "kpi_id": kpi.pk,
        "organization": kpi.project.organization.code,
        "project": kpi.project.name,
        "indicator": kpi.indicator,
        "unit": kpi.unit,
        "fiscal_year": year,
        "exists": observation is not None,
        "value": None if value is None else str(m.unpad(value)),
        "marker": "" if observation is None or value is not None else observation.marker,
        "shown": "-"
        if observation is None
        else service.shown(observation.value, observation.marker),
        "note": "" if observation is None else observation.note,
        "token": service.token(observation),
    }


def _states(kpis: list[m.Kpi], year: int) -> list[dict[str, Any]]:
    observations = {
        o.kpi_id: o
        for o in m.Observation.objects.filter(kpi__in=[k.pk for k in kpis], fiscal_year=year)
    }
    return [state(k, year, observations.get(k.pk)) for k in kpis]


def _write(
    user: Any, year: int, rows: list[s.BatchRow], reason: str, where: tuple[str | int, ...]
) -> tuple[int, dict[str, Any]]:
    """Check, parse and enter the rows through the entry service: (status, body)."""
    try:
        ids = [row.kpi_id for row in rows]
        if len(set(ids)) != len(ids):
            return 422, _bad_value(
                [
                    (
                        ("body", "rows"),
                        service.EntryError("同じKPIが2回あります", "a KPI is repeated"),
                    )
                ]
            )
        kpis = _kpis(ids)
        organization = kpis[ids[0]].project.organization
        for kpi in kpis.values():
            if kpi.project.organization_id != organization.pk:
                denied = policy.denied_message(Action.EDIT_VALUE, organization)
                raise Refused(403, forbidden(PermissionDenied(denied)))
            _require(user, (Action.API_WRITE, Action.EDIT_VALUE), kpi)
        entries, errors = [], []
        for index, row in enumerate(rows):
            try:
                typed = service.parse_value(row.value, kpis[row.kpi_id].unit)
            except service.EntryError as error:
                loc = (*where, index, "value") if where else ("body", "value")
                errors.append((loc, error))
                continue
            entries.append(service.Entry(row.kpi_id, typed, row.note, row.token))
        if errors:
            return 422, _bad_value(errors)
        saved = service.save_entries(
            user,
            organization,
            year,
            entries,
            reason,
            base_reason=f"{service.ENTRY_REASON}: {API_REASON}",
        )
    except Refused as refused:
        return refused.status, refused.body
    except PermissionDenied as error:
        return 403, forbidden(error)
    except service.Locked as locked:
        return 403, problem("locked", *_split(str(locked)))
    except service.EntryError as error:  # a correction of a published year without a reason
        return 422, _bad_value([(("body", "reason"), error)])
    except service.Conflict as conflict:
        return 409, _conflict(conflict, year, rows)
    except service.Busy:
        return 503, problem("busy", *_split(service.Busy.MESSAGE))
    return 200, {
        "changed": saved.changed,
        "warnings": saved.warnings,
        "observations": _states([kpis[i] for i in ids], year),
    }


def _bad_value(errors: list[tuple[tuple[str | int, ...], service.EntryError]]) -> dict[str, Any]:
    def place(loc: tuple[str | int, ...]) -> str:
        return ".".join(str(part) for part in loc[1:])

    return {
        "code": "bad-value",
        "message_ja": "値が正しくありません。何も保存していません。"
        + "；".join(f"{place(loc)}: {e.message_ja}" for loc, e in errors),
        "message_en": "bad value; nothing was saved: "
        + "; ".join(f"{place(loc)}: {e.message_en}" for loc, e in errors),
        "detail": [
            {
                "loc": list(loc),
                "msg": e.message_en,
                "msg_ja": e.message_ja,
                "type": "value_error",
            }
            for loc, e in errors
        ],
    }


def _conflict(conflict: service.Conflict, year: int, rows: list[s.BatchRow]) -> dict[str, Any]:
    sent = {row.kpi_id: row for row in rows}
    ids = [row.kpi_id for row in conflict.rows]
    kpis = {
        k.pk: k for k in m.Kpi.objects.filter(pk__in=ids).select_related("project__organization")
    }
    now = {one["kpi_id"]: one for one in _states([kpis[i] for i in ids], year)}
    texts = conflict.messages()
    return {
        "code": "conflict",
        "message_ja": "\n".join(_split(text)[0] for text in texts),
        "message_en": "\n".join(_split(text)[1] for text in texts),
        "detail": "\n".join(texts),
        "conflicts": [
            {
                "kpi_id": row.kpi_id,
                "indicator": row.indicator,
                "theirs": now[row.kpi_id],
                "yours": {
                    "value": sent[row.kpi_id].value,
                    "note": sent[row.kpi_id].note,
                    "token": sent[row.kpi_id].token,
                },
            }
            for row in conflict.rows
        ],
    }


OBSERVATION = "/kpis/{kpi_id}/observations/{fiscal_year}"


@router.get(
    OBSERVATION,
    auth=bearer,
    response={200: s.DraftObservation, **AUTH_ERRORS, 422: s.ValidationErrors},
    tags=[WRITE_TAG],
)
@decorate_view(never_cached)
def get_draft_observation(
    request: HttpRequest, kpi_id: KpiId, fiscal_year: FiscalYear
) -> Status[dict[str, Any]]:
    """台帳の実績値とトークン (the ledger's actual of a KPI for a fiscal year, published or not,
    with the token a write sends back)."""
    user = request.auth
    try:
        kpi = _kpis([kpi_id])[kpi_id]
        _require(user, (Action.VIEW_DRAFT,), kpi)
    except Refused as refused:
        return Status(refused.status, refused.body)
    return Status(200, _states([kpi], fiscal_year)[0])


WRITE_ANSWERS: dict[int, Any] = {
    200: s.Written,
    **AUTH_ERRORS,
    409: s.ConflictBody,
    422: s.ValidationErrors,
    503: s.Problem,
}


@router.put(OBSERVATION, auth=bearer, response=WRITE_ANSWERS, tags=[WRITE_TAG])
@decorate_view(never_cached)
def put_observation(
    request: HttpRequest, kpi_id: KpiId, fiscal_year: FiscalYear, body: s.ObservationWrite
) -> Status[dict[str, Any]]:
    """実績値の入力 (enter a KPI's actual for a fiscal year, parsed as on the entry page; 409
    when the token is stale)."""
    row = s.BatchRow(kpi_id=kpi_id, value=body.value, note=body.note, token=body.token)
    return Status(*_write(request.auth, fiscal_year, [row], body.reason, ()))


@router.post("/observations/{fiscal_year}", auth=bearer, response=WRITE_ANSWERS, tags=[WRITE_TAG])
@decorate_view(never_cached)
def post_observations(
    request: HttpRequest, fiscal_year: FiscalYear, body: s.BatchWrite
) -> Status[dict[str, Any]]:
    """実績値の一括入力 (enter the actuals of several KPIs of one organization for a fiscal
    year, all or nothing)."""
    return Status(*_write(request.auth, fiscal_year, body.rows, body.reason, ("body", "rows")))
