"""Entering actuals in the ledger (issue 10, items 4 and 9): parse, lock, compare, write.

A value is typed as reports write it and read by the core's number parser
(`kpiledger.core.numbers.parse_number`: `１，２００`, `△35`, `1.2万`, `73.5%`) or is a "no value"
marker (`-`, `未集計` …). Every row of a submission carries what the page showed (`token`: a
fingerprint of the observation's value, marker and note, or `NEW` when it had none).

`save_entries` writes all or nothing: inside one transaction, with the KPI rows and their
observations locked, every row is compared with what its page showed, and a single row changed
by someone else since refuses the whole submission (`Conflict`, naming each KPI with both
versions). Each written row leaves a history row with the user and the reason (`データ入力`
plus the comment), and the ledger version is raised in the same transaction (signals.py on
every `Observation.save`, and once more here explicitly).

`revert` sets an observation back to one of its earlier values, with the same check; the change
is itself recorded (`取消: <reason>`).

Both ask services/locks.py, inside the transaction with the project years locked, whether each
row may be changed now (year opened and not closed, project and KPI not ended, the project's
state): a single locked row refuses the whole submission (`Locked`, with the reason). A change to
a published year by the planning admin is a correction: it needs a reason and is recorded as
`訂正: <reason>` (the public report shows it beside the published value).
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import OperationalError, transaction

from kpiledger.core.errors import KpiledgerError
from kpiledger.core.numbers import fits_ledger, format_number, out_of_range, parse_number
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger import policy
from kpiledger.web.ledger.policy import Action
from kpiledger.web.ledger.services import judgements, locks, refused

NEW = "new"  # the token of a KPI with no observation for the year
ENTRY_REASON = "データ入力"
REVERT_REASON = "取消"
CORRECTION_REASON = "訂正"  # services/reports.py finds corrections by this prefix
MAX_NOTE = 1000
MAX_COMMENT = 200
PERCENT_UNITS = frozenset({"%", "％"})
GROWTH_LIMIT = Decimal(3)  # more than 3× last year's value: a warning
TARGET_LIMIT = Decimal(10)  # more than 10× the target: a warning


class EntryError(ValueError):
    """A typed value that cannot be entered: the Japanese and English reason."""

    def __init__(self, message_ja: str, message_en: str) -> None:
        super().__init__(f"{message_ja} / {message_en}")
        self.message_ja, self.message_en = message_ja, message_en


@dataclass(frozen=True)
class Typed:
    """One value as parsed: a value or a marker (exactly one of them)."""

    value: Decimal | None
    marker: str

    def text(self) -> str:
        return shown(self.value, self.marker)


@dataclass(frozen=True)
class Entry:
    """One row of a submission: the KPI, its parsed value, its note and what the page showed."""

    kpi_id: int
    typed: Typed
    note: str
    token: str


@dataclass(frozen=True)
class ConflictRow:
    kpi_id: int
    indicator: str
    theirs: str  # in the ledger now
    yours: str  # what was submitted
    project_id: int = 0  # for the record of the refused attempt (services/refused.py)


class Conflict(Exception):
    """Rows changed by someone else since the page was shown: nothing was written."""

    def __init__(self, rows: list[ConflictRow]) -> None:
        super().__init__(f"{len(rows)} conflicting rows")
        self.rows = rows

    def messages(self) -> list[str]:
        return [
            f"「{row.indicator}」は、このページを開いた後に別の人が変更しました"
            f"（台帳の現在の値: {row.theirs}、あなたの値: {row.yours}）。何も保存していません"
            f" / “{row.indicator}” was changed by someone else after you opened this page"
            f" (in the ledger now: {row.theirs}; yours: {row.yours}); nothing was saved"
            for row in self.rows
        ]


class Locked(Exception):
    """A row that cannot be changed now (approved, submitted, published, year not opened or
    closed, ended): nothing was written. The message names the KPI, in Japanese and English."""

    def __init__(self, indicator: str, reason: str) -> None:
        ja, _, en = reason.partition(" / ")
        super().__init__(f"「{indicator}」: {ja} / “{indicator}”: {en or ja}")
        self.indicator, self.reason = indicator, reason


NO_CORRECTION_REASON = (
    "公表済みの年度の値の訂正です。訂正の理由を入力してください",
    "this changes a published year: give a reason for the correction",
)


class Busy(Exception):
    """The ledger is being written by another transaction (SQLite's write lock)."""

    MESSAGE = (
        "台帳は別の書き込みで使用中です。しばらくしてからもう一度保存してください"
        " / the ledger is busy with another write; save again in a moment"
    )


@dataclass
class Saved:
    """What a submission wrote: the ids of the KPIs changed and non-blocking warnings."""

    changed: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def shown(value: Decimal | None, marker: str) -> str:
    """A value as the page shows it (published style), or its marker (`-` when blank)."""
    if value is not None:
        return format_number(m.unpad(value))
    return marker or "-"


def token(observation: m.Observation | None) -> str:
    """What the page showed of an observation: a fingerprint of value, marker and note."""
    if observation is None:
        return NEW
    value = "" if observation.value is None else str(m.unpad(observation.value))
    text = f"{value}\x1f{observation.marker}\x1f{observation.note}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def parse_value(text: str, unit: str) -> Typed:
    """A typed value: a number (with the KPI's unit or none) that the ledger keeps exactly, or
    a "no value" marker. Blank is not a value here (the caller decides what blank means).
    Raises EntryError with the reason."""
    stripped = text.strip()
    if not stripped:
        raise EntryError("値が空です", "the value is blank")
    try:
        parsed = parse_number(stripped)
    except KpiledgerError as error:
        problem = error.problems[0]
        raise EntryError(problem.message_ja, problem.message_en) from None
    if parsed.value is None:
        marker = parsed.marker or "-"
        if len(marker) > m.Observation._meta.get_field("marker").max_length:  # type: ignore[union-attr]
            raise EntryError("値なしの表記が長すぎます", "the no-value marker is too long")
        return Typed(None, marker)
    if parsed.unit and not _same_unit(parsed.unit, unit):
        raise EntryError(
            f"単位「{parsed.unit}」はこのKPIの単位「{unit}」と違います",
            f"the unit '{parsed.unit}' is not this KPI's unit '{unit}'",
        )
    if not fits_ledger(parsed.value):
        problem = out_of_range(stripped).problems[0]
        raise EntryError(problem.message_ja, problem.message_en)
    return Typed(parsed.value, "")


def _same_unit(typed: str, unit: str) -> bool:
    def norm(text: str) -> str:
        return unicodedata.normalize("NFKC", text).replace(" ", "")

    return norm(typed) == norm(unit)


def warnings_for(kpi: m.Kpi, typed: Typed, last_year: Decimal | None) -> list[str]:
    """Non-blocking warnings about a plausible typing slip: a percentage over 100, more than
    3× last year's value, more than 10× the target."""
    value = typed.value
    if value is None:
        return []
    out: list[str] = []
    name = kpi.indicator
    text = shown(value, "")
    if kpi.unit.strip() in PERCENT_UNITS and value > 100:
        out.append(
            f"「{name}」: {text}{kpi.unit} は100%を超えています。確認してください"
            f" / “{name}”: {text}{kpi.unit} is over 100%; please check"
        )
    if last_year is not None and last_year > 0 and value > last_year * GROWTH_LIMIT:
        last = shown(last_year, "")
        out.append(
            f"「{name}」: {text} は前年度の値 {last} の3倍を超えています。確認してください"
            f" / “{name}”: {text} is more than 3 times last year's value {last}; please check"
        )
    if kpi.target > 0 and value > kpi.target * TARGET_LIMIT:
        target = shown(kpi.target, "")
        out.append(
            f"「{name}」: {text} は目標値 {target} の10倍を超えています。確認してください"
            f" / “{name}”: {text} is more than 10 times the target {target}; please check"
        )
    return out


def reason_with(base: str, comment: str) -> str:
    comment = " ".join(comment.split())[:MAX_COMMENT]
    return f"{base}: {comment}" if comment else base


def _locked(kpi_ids: Iterable[int], year: int) -> tuple[dict[int, m.Kpi], dict[int, m.Observation]]:
    """Inside a transaction: the KPIs and their observations of `year`, locked for update (the
    KPI rows too, so two first entries of one KPI are serialised)."""
    ids = sorted(set(kpi_ids))
    kpis = {
        k.pk: k
        for k in m.Kpi.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("project__organization")
    }
    observations = {
        o.kpi_id: o
        for o in m.Observation.objects.select_for_update().filter(kpi_id__in=ids, fiscal_year=year)
    }
    return kpis, observations


def _write(observation: m.Observation, user: Any, reason: str) -> None:
    observation._history_user = user  # type: ignore[attr-defined]
    observation._change_reason = reason  # type: ignore[attr-defined]
    observation.save()


def check_locks(user: Any, kpis: Iterable[m.Kpi], year: int) -> set[int]:
    """Inside the write transaction: raise Locked for the first KPI that cannot be changed in
    `year` now (services/locks.py), with the project years locked so that no transition of the
    cycle passes in between. Returns the ids of the projects whose change is a correction."""
    kpis = list(kpis)
    project_ids = sorted({k.project_id for k in kpis})
    states = {
        row.project_id: m.WorkState(row.state)
        for row in m.ProjectYear.objects.select_for_update().filter(
            project_id__in=project_ids, fiscal_year=year
        )
    }
    fiscal_years = {
        f.organization_id: f
        for f in m.FiscalYear.objects.filter(
            organization_id__in={k.project.organization_id for k in kpis}, year=year
        )
    }
    corrections = set()
    grants: dict[int, policy.Grants] = {}
    for kpi in kpis:
        project = kpi.project
        state = states.get(project.pk, m.WorkState.DRAFT)
        if project.organization_id not in grants:
            grants[project.organization_id] = policy.Grants.of(user, project.organization)
        reason = locks.lock_reason(
            user,
            Action.EDIT_VALUE,
            project,
            year,
            kpi,
            state=state,
            fiscal_year=fiscal_years.get(project.organization_id),
            grants=grants[project.organization_id],
        )
        if reason:
            raise Locked(kpi.indicator, reason)
        if locks.is_correction(project, year, state):
            corrections.add(project.pk)
    return corrections


def correction_reason(comment: str) -> str:
    """`訂正: <comment>`; EntryError without a comment."""
    comment = " ".join(comment.split())[:MAX_COMMENT]
    if not comment:
        raise EntryError(*NO_CORRECTION_REASON)
    return f"{CORRECTION_REASON}: {comment}"


def last_values(kpi_ids: Iterable[int], year: int) -> dict[int, Decimal]:
    """The previous fiscal year's values of these KPIs (those with a value)."""
    rows = m.Observation.objects.filter(
        kpi_id__in=list(kpi_ids), fiscal_year=year - 1, value__isnull=False
    ).values_list("kpi_id", "value")
    return {kpi_id: value for kpi_id, value in rows}


def save_entries(
    user: Any,
    organization: m.Organization,
    year: int,
    entries: list[Entry],
    comment: str = "",
    base_reason: str = ENTRY_REASON,
) -> Saved:
    """Write the rows that change the ledger, all or nothing (see the module docstring).

    Raises PermissionDenied for a KPI the user may not edit (or of another organization),
    Locked for a row locked now, EntryError for a correction without a reason (`comment`),
    Conflict when a row changed since its page was shown, Busy when the ledger is locked.
    """
    reason = reason_with(base_reason, comment)
    saved = Saved()
    year_of = year
    try:
        with transaction.atomic(), judgements.deferred():
            kpis, observations = _locked((e.kpi_id for e in entries), year)
            for entry in entries:
                kpi = kpis.get(entry.kpi_id)
                project = kpi.project if kpi is not None else None
                if kpi is None or project is None or project.organization_id != organization.pk:
                    raise PermissionDenied(policy.denied_message(Action.EDIT_VALUE, organization))
                policy.require(user, Action.EDIT_VALUE, organization, project)
            corrections = check_locks(user, (kpis[e.kpi_id] for e in entries), year)
            conflicts = [
                ConflictRow(
                    e.kpi_id,
                    kpis[e.kpi_id].indicator,
                    _now_text(observations.get(e.kpi_id)),
                    e.typed.text(),
                    kpis[e.kpi_id].project_id,
                )
                for e in entries
                if token(observations.get(e.kpi_id)) != e.token
            ]
            if conflicts:
                raise Conflict(conflicts)
            last = last_values(kpis, year)
            for entry in entries:
                observation = observations.get(entry.kpi_id)
                if observation is not None and _same(observation, entry):
                    continue
                if observation is None:
                    observation = m.Observation(kpi_id=entry.kpi_id, fiscal_year=year)
                observation.value, observation.marker = entry.typed.value, entry.typed.marker
                observation.note = entry.note
                correction = kpis[entry.kpi_id].project_id in corrections
                _write(observation, user, correction_reason(comment) if correction else reason)
                saved.changed.append(entry.kpi_id)
                saved.warnings += warnings_for(
                    kpis[entry.kpi_id], entry.typed, last.get(entry.kpi_id)
                )
            if saved.changed:
                m.LedgerVersion.bump()
                judgements.changed(organization.pk, since=year)  # reports from `year` on
    except OperationalError as error:
        if "locked" not in str(error):
            raise
        raise Busy(Busy.MESSAGE) from None
    except Conflict as conflict:
        _record_refused(user, year_of, conflict)
        raise
    return saved


def _record_refused(user: Any, year: int, conflict: Conflict) -> None:
    refused.record(
        user,
        m.RefusedChange.Kind.VALUE,
        year,
        (
            refused.Attempt(row.project_id, row.yours, row.theirs, row.kpi_id)
            for row in conflict.rows
            if row.project_id
        ),
    )


def _now_text(observation: m.Observation | None) -> str:
    if observation is None:
        return "（未入力）/ (none)"
    return shown(observation.value, observation.marker)


def _same(observation: m.Observation, entry: Entry) -> bool:
    value = observation.value
    return (
        value == entry.typed.value
        and (value is not None or observation.marker == entry.typed.marker)
        and observation.note == entry.note
    )


def revert(user: Any, history_id: int, reason: str, shown_token: str) -> m.Observation:
    """Set an observation back to the value (or marker) and note of one of its history rows,
    if the page showed the observation as it is now; recorded as `取消: <reason>`.

    Raises PermissionDenied, Conflict or Busy (as `save_entries`), EntryError without a reason
    or when there is nothing to go back to."""
    if not reason.strip():
        raise EntryError("取消の理由を入力してください", "give a reason for the revert")
    record = m.Observation.history.filter(history_id=history_id).first()
    if record is None or record.history_type == "-":
        raise EntryError("戻す値がありません", "there is no value to go back to")
    year_of = record.fiscal_year
    try:
        with transaction.atomic(), judgements.deferred():
            kpis, observations = _locked([record.kpi_id], record.fiscal_year)
            kpi = kpis.get(record.kpi_id)
            observation = observations.get(record.kpi_id)
            if kpi is None or observation is None or observation.pk != record.id:
                raise EntryError("この実績値は削除されています", "this actual has been deleted")
            organization = kpi.project.organization
            policy.require(user, Action.EDIT_VALUE, organization, kpi.project)
            correction = bool(check_locks(user, [kpi], record.fiscal_year))
            back = Typed(record.value, record.marker if record.value is None else "")
            if token(observation) != shown_token:
                now = _now_text(observation)
                raise Conflict(
                    [ConflictRow(kpi.pk, kpi.indicator, now, back.text(), kpi.project_id)]
                )
            if _same(observation, Entry(kpi.pk, back, record.note, "")):
                raise EntryError(
                    "台帳の値はすでにこの値です", "the ledger already holds this value"
                )
            observation.value, observation.marker = back.value, back.marker
            observation.note = record.note
            why = reason_with(REVERT_REASON, reason)
            _write(observation, user, correction_reason(why) if correction else why)
            m.LedgerVersion.bump()
            judgements.changed(organization.pk, since=record.fiscal_year)
            return observation
    except OperationalError as error:
        if "locked" not in str(error):
            raise
        raise Busy(Busy.MESSAGE) from None
    except Conflict as conflict:
        _record_refused(user, year_of, conflict)
        raise
