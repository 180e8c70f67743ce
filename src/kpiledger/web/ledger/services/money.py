"""Entering each project's money of a fiscal year (issue 10, item 6): 総事業費 (total cost),
交付金額 (grant amount) and 実績額 (amount spent), all in 円.

An amount is typed as budget papers write it and read by the core's number parser
(`kpiledger.core.numbers.parse_number`): `1,200,000`, `１，２００，０００`, `120万円`, `1,200千円`,
`3.5億`. The only unit accepted is 円 (with or without a multiplier: 千円, 万円, 億円); a plain
number is 円. Blank means "no amount". A negative amount or a fraction of a yen is refused.
The ledger keeps the amount exactly, as a `Decimal` of whole yen, in `ProjectYear`.

`save_money` writes all or nothing. Inside one transaction, with the projects and their
`ProjectYear` rows locked:

1. every row's project must be one of the organization's, and the user must be allowed to
   enter its money (`PermissionDenied`, the whole POST refused);
2. every row must be open (`locks.lock_reason`): a row locked (approved, submitted for its
   department, published for all but the planning admin, year not opened or closed, project
   ended) refuses the whole submission with the reasons (`Locked`);
3. every row must show what the ledger holds now (`token`, a fingerprint of the three amounts
   and the note): a row changed by someone else since the page was shown refuses the whole
   submission, naming both versions (`Conflict`);
4. a change to a published year (the planning admin's correction, `locks.is_correction`)
   needs a comment (`MoneyError`).

Each changed row is saved with the user and the reason (`事業費の入力: <comment>`, or
`事業費の入力（訂正）: <comment>` for a correction) in its history, a missing row is created in
the draft state, and the ledger version is raised in the same transaction. Non-blocking
warnings: 交付金額 or 実績額 above 総事業費.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied
from django.db import OperationalError, transaction

from kpiledger.core.errors import KpiledgerError
from kpiledger.core.numbers import fits_ledger, format_number, out_of_range, parse_number
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger import policy
from kpiledger.web.ledger.policy import Action
from kpiledger.web.ledger.services import locks, refused
from kpiledger.web.ledger.services.entry import Busy as Busy

MONEY_REASON = "事業費の入力"
CORRECTION_REASON = "事業費の入力（訂正）"
MAX_NOTE = 1000
# The history keeps a reason of at most 100 characters (django-simple-history's column): the
# comment fits beside the longest prefix.
REASON_LENGTH = 100
MAX_COMMENT = REASON_LENGTH - len(CORRECTION_REASON) - 2
YEN = "円"
NONE_SHOWN = "—"

# The three amounts: field name, Japanese and English label.
AMOUNTS: tuple[tuple[str, str, str], ...] = (
    ("total_cost", "総事業費", "total cost"),
    ("grant_amount", "交付金額", "grant amount"),
    ("spent", "実績額", "amount spent"),
)

Amount = Decimal | str | None


class MoneyError(ValueError):
    """An amount or a submission that cannot be saved: the Japanese and English reason."""

    def __init__(self, message_ja: str, message_en: str) -> None:
        super().__init__(f"{message_ja} / {message_en}")
        self.message_ja, self.message_en = message_ja, message_en


class MoneyRow(NamedTuple):
    """One row of a submission: the project, its three amounts (typed text, or a Decimal in
    円, or None for no amount), the note and what the page showed (`token`)."""

    project_id: int
    total_cost: Amount
    grant_amount: Amount
    spent: Amount
    note: str
    token: str


@dataclass(frozen=True)
class Money:
    """A project's money of one year, in 円 (None: no amount) and its note."""

    total_cost: Decimal | None = None
    grant_amount: Decimal | None = None
    spent: Decimal | None = None
    note: str = ""

    @classmethod
    def of(cls, row: m.ProjectYear | None) -> Money:
        if row is None:
            return cls()
        return cls(
            _plain(row.total_cost), _plain(row.grant_amount), _plain(row.spent), row.money_note
        )

    def amounts(self) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
        return self.total_cost, self.grant_amount, self.spent

    def text(self) -> str:
        """The three amounts as a page shows them (`総事業費 1,200,000 円、…`)."""
        return "、".join(
            f"{ja} {yen(value)}"
            for (_name, ja, _en), value in zip(AMOUNTS, self.amounts(), strict=True)
        )


@dataclass(frozen=True)
class ConflictRow:
    project_id: int
    name: str
    theirs: str  # in the ledger now
    yours: str  # what was submitted


class Conflict(Exception):
    """Rows changed by someone else since the page was shown: nothing was written."""

    def __init__(self, rows: list[ConflictRow]) -> None:
        super().__init__(f"{len(rows)} conflicting rows")
        self.rows = rows

    def messages(self) -> list[str]:
        return [
            f"「{row.name}」の事業費は、このページを開いた後に別の人が変更しました"
            f"（台帳の現在の値: {row.theirs}、あなたの値: {row.yours}）。何も保存していません"
            f" / the money of “{row.name}” was changed by someone else after you opened this"
            f" page (in the ledger now: {row.theirs}; yours: {row.yours}); nothing was saved"
            for row in self.rows
        ]


@dataclass(frozen=True)
class LockedRow:
    project_id: int
    name: str
    reason: str


class Locked(Exception):
    """Rows that cannot be changed now (approved, submitted, published, year closed …):
    nothing was written."""

    def __init__(self, rows: list[LockedRow]) -> None:
        super().__init__(f"{len(rows)} locked rows")
        self.rows = rows

    def messages(self) -> list[str]:
        return [f"「{row.name}」: {row.reason}" for row in self.rows]


@dataclass
class Saved:
    """What a submission wrote: the ids of the projects changed, the rows created, and
    non-blocking warnings."""

    changed: list[int] = field(default_factory=list)
    created: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _plain(value: Decimal | None) -> Decimal | None:
    return None if value is None else m.unpad(value)


def yen(value: Decimal | None) -> str:
    """An amount as pages show it: `1,234,567 円`, or `—` for no amount."""
    if value is None:
        return NONE_SHOWN
    return f"{format_number(m.unpad(value))} {YEN}"


def typed_text(value: Decimal | None) -> str:
    """An amount as the form's field shows it (`1,234,567`; blank for no amount): typed back
    unchanged, it reads as the same amount."""
    return "" if value is None else format_number(m.unpad(value))


def parse_amount(text: str) -> Decimal | None:
    """A typed amount in 円 (see the module docstring); None when blank or a "no value"
    marker (`-`). Raises MoneyError with the reason."""
    stripped = text.strip()
    if not stripped:
        return None
    try:
        parsed = parse_number(stripped)
    except KpiledgerError as error:
        problem = error.problems[0]
        raise MoneyError(problem.message_ja, problem.message_en) from None
    if parsed.value is None:
        return None
    if parsed.unit and unicodedata.normalize("NFKC", parsed.unit).strip() != YEN:
        raise MoneyError(
            f"単位「{parsed.unit}」は使えません。金額は円で入力してください（千円・万円も可）",
            f"the unit '{parsed.unit}' cannot be used; enter the amount in 円 (千円, 万円 too)",
        )
    return checked_amount(parsed.value, stripped)


def checked_amount(value: Decimal, text: str = "") -> Decimal:
    """An amount the ledger keeps: not negative, whole yen, within the ledger's range."""
    if value < 0:
        raise MoneyError("金額は0以上で入力してください", "an amount cannot be negative")
    if value != value.to_integral_value():
        raise MoneyError("1円未満の端数は入力できません", "an amount is in whole yen")
    if not fits_ledger(value):
        problem = out_of_range(text or str(value)).problems[0]
        raise MoneyError(problem.message_ja, problem.message_en)
    return value.quantize(Decimal(1)) + 0  # `+ 0`: a negative zero is plain zero


def _amount(value: Amount) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return checked_amount(value)
    return parse_amount(value)


def money_of(row: MoneyRow) -> Money:
    """A submitted row's amounts as the ledger would keep them (raises MoneyError)."""
    note = str(row.note or "").strip()
    if len(note) > MAX_NOTE:
        raise MoneyError(
            f"備考は{MAX_NOTE}文字以内で入力してください",
            f"the note has at most {MAX_NOTE} characters",
        )
    return Money(_amount(row.total_cost), _amount(row.grant_amount), _amount(row.spent), note)


def token(row: m.ProjectYear | None) -> str:
    """What the page showed of a project's money: a fingerprint of the three amounts and the
    note. A project without a row has the token of one without money (creating the row for
    its state only, as opening or submitting a year does, is no conflict)."""
    money = Money.of(row)
    parts = ["" if v is None else str(v) for v in money.amounts()]
    text = "\x1f".join([*parts, money.note])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def warnings_for(name: str, money: Money) -> list[str]:
    """Non-blocking warnings of a plausible slip: 交付金額 or 実績額 above 総事業費."""
    total = money.total_cost
    if total is None:
        return []
    out = []
    for label_ja, label_en, value in (
        ("交付金額", "grant amount", money.grant_amount),
        ("実績額", "amount spent", money.spent),
    ):
        if value is not None and value > total:
            out.append(
                f"「{name}」: {label_ja} {yen(value)} が総事業費 {yen(total)} を超えています。"
                f"確認してください / “{name}”: the {label_en} {yen(value)} is more than the"
                f" total cost {yen(total)}; please check"
            )
    return out


def _locked_rows(
    organization: m.Organization, ids: Iterable[int], year: int
) -> tuple[m.FiscalYear | None, dict[int, m.Project], dict[int, m.ProjectYear]]:
    """Inside a transaction: the year, the projects and their rows of `year`, locked for
    update (the project rows too, so two first saves of one project are serialised)."""
    ordered = sorted(set(ids))
    fiscal_year = m.FiscalYear.objects.filter(organization=organization, year=year).first()
    projects = {
        p.pk: p
        for p in m.Project.objects.select_for_update(of=("self",))
        .filter(pk__in=ordered)
        .select_related("organization")
    }
    rows = {
        r.project_id: r
        for r in m.ProjectYear.objects.select_for_update().filter(
            project_id__in=ordered, fiscal_year=year
        )
    }
    return fiscal_year, projects, rows


def _check_allowed(
    user: Any,
    organization: m.Organization,
    rows: Sequence[MoneyRow],
    projects: dict[int, m.Project],
) -> None:
    for row in rows:
        project = projects.get(row.project_id)
        if project is None or project.organization_id != organization.pk:
            raise PermissionDenied(policy.denied_message(Action.EDIT_MONEY, organization))
        policy.require(user, Action.EDIT_MONEY, organization, project)


def reason_with(base: str, comment: str) -> str:
    """The history's reason: `base: comment` (the comment on one line, cut to fit)."""
    comment = " ".join(comment.split())[:MAX_COMMENT]
    return f"{base}: {comment}" if comment else base


def _state(row: m.ProjectYear | None) -> m.WorkState:
    return m.WorkState(row.state) if row is not None else m.WorkState.DRAFT


def save_money(
    user: Any,
    organization: m.Organization,
    year: int,
    rows: Sequence[MoneyRow | tuple[int, Amount, Amount, Amount, str, str]],
    comment: str = "",
) -> Saved:
    """Write the rows that change the ledger, all or nothing (see the module docstring).

    Raises MoneyError for an amount that cannot be kept (before anything is locked) or a
    correction without a comment, PermissionDenied for a project the user may not enter
    money for (or of another organization), Locked for a row locked now, Conflict when a row
    changed since its page was shown, Busy when the ledger is locked by another write.
    """
    submitted = [MoneyRow(*row) for row in rows]
    typed = {row.project_id: money_of(row) for row in submitted}
    saved = Saved()
    try:
        with transaction.atomic():
            fiscal_year, projects, ledger = _locked_rows(organization, typed, year)
            _check_allowed(user, organization, submitted, projects)
            grants = policy.Grants.of(user, organization)
            locked = [
                LockedRow(row.project_id, projects[row.project_id].name, reason)
                for row in submitted
                if (
                    reason := locks.lock_reason(
                        user,
                        Action.EDIT_MONEY,
                        projects[row.project_id],
                        year,
                        state=_state(ledger.get(row.project_id)),
                        fiscal_year=fiscal_year,
                        grants=grants,
                    )
                )
            ]
            if locked:
                raise Locked(locked)
            conflicts = [
                ConflictRow(
                    row.project_id,
                    projects[row.project_id].name,
                    Money.of(ledger.get(row.project_id)).text(),
                    typed[row.project_id].text(),
                )
                for row in submitted
                if token(ledger.get(row.project_id)) != row.token
            ]
            if conflicts:
                raise Conflict(conflicts)
            changing = [
                row
                for row in submitted
                if Money.of(ledger.get(row.project_id)) != typed[row.project_id]
            ]
            correction = any(
                locks.is_correction(
                    projects[row.project_id], year, _state(ledger.get(row.project_id))
                )
                for row in changing
            )
            if correction and not comment.strip():
                raise MoneyError(
                    "公表済みの年度の訂正には理由（コメント）が必要です",
                    "a correction of a published year needs a reason (comment)",
                )
            base = CORRECTION_REASON if correction else MONEY_REASON
            reason = reason_with(base, comment)
            for row in changing:
                project = projects[row.project_id]
                record = ledger.get(row.project_id)
                if record is None:
                    record = m.ProjectYear(
                        project=project, fiscal_year=year, state=m.WorkState.DRAFT
                    )
                    saved.created.append(project.pk)
                money = typed[row.project_id]
                record.total_cost, record.grant_amount, record.spent = money.amounts()
                record.money_note = money.note
                record._history_user = user  # type: ignore[attr-defined]
                record._change_reason = reason  # type: ignore[attr-defined]
                record.save()
                saved.changed.append(project.pk)
                saved.warnings += warnings_for(project.name, money)
            if saved.changed:
                m.LedgerVersion.bump()
    except OperationalError as error:
        if "locked" not in str(error):
            raise
        raise Busy(Busy.MESSAGE) from None
    except Conflict as conflict:
        refused.record(
            user,
            m.RefusedChange.Kind.MONEY,
            year,
            (refused.Attempt(r.project_id, r.yours, r.theirs) for r in conflict.rows),
        )
        raise
    return saved
