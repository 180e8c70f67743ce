"""The form of the staff money page: per editable project its three amounts (総事業費, 交付金額,
実績額, typed in Japanese notation and read by services/money.py), a note and what the page
showed (a hidden token); a comment for the history. A bad amount is an error on its own field
naming the project."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms

from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services import money as service

FIELDS = tuple(name for name, _ja, _en in service.AMOUNTS)
PREFIXES = (*FIELDS, "note", "token")


@dataclass
class Row:
    """One project of the money page: its row of the year, last year's row, and why it is
    locked (None: editable by this user)."""

    project: m.Project
    current: m.ProjectYear | None
    last_year: m.ProjectYear | None
    lock: str | None

    @property
    def money(self) -> service.Money:
        return service.Money.of(self.current)

    @property
    def last_money(self) -> service.Money:
        return service.Money.of(self.last_year)

    @property
    def token(self) -> str:
        return service.token(self.current)

    @property
    def state_label(self) -> str:
        state = m.WorkState(self.current.state) if self.current else m.WorkState.DRAFT
        return str(state.label)

    def last_shown(self) -> list[tuple[str, str]]:
        """Last year's amounts: label and amount (`1,234,567 円`, `—`)."""
        last = self.last_money.amounts()
        return [
            (ja, service.yen(v)) for (_n, ja, _en), v in zip(service.AMOUNTS, last, strict=True)
        ]


@dataclass(frozen=True)
class Cell:
    """One amount of a row: its label, the ledger's amount (`1,234,567 円`) and the bound
    field (None when the row is locked)."""

    label: str
    now: str
    field: Any


@dataclass(frozen=True)
class PageRow:
    row: Row
    cells: list[Cell]
    note: Any
    token: Any


def field_name(prefix: str, project_id: int) -> str:
    return f"{prefix}_{project_id}"


def posted_project_ids(data: Any) -> set[int]:
    """Every project id a POST names in a row field (to refuse rows not editable on the
    user's page). Raises ValueError for a row field without a numeric id."""
    ids: set[int] = set()
    for key in data:
        prefix, _sep, rest = str(key).rpartition("_")
        if prefix in PREFIXES:
            if not rest.isdigit():
                raise ValueError(key)
            ids.add(int(rest))
    return ids


class MoneyForm(forms.Form):
    """The money of one organization and fiscal year: the editable rows' fields and a comment
    for the history (`事業費の入力: <comment>`; required for a correction of a published
    year, which the service checks)."""

    comment = forms.CharField(
        label="変更の理由 / reason for the change",
        required=False,
        max_length=service.MAX_COMMENT,
        help_text=(
            "履歴に「事業費の入力」と一緒に記録されます。公表済みの年度の訂正では必須です"
            " / recorded in the history with “事業費の入力”; required to correct a published year"
        ),
    )

    def __init__(self, *args: Any, rows: list[Row], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = [row for row in rows if row.lock is None]
        for row in self.rows:
            project, money = row.project, row.money
            for (name, ja, en), value in zip(service.AMOUNTS, money.amounts(), strict=True):
                self.fields[field_name(name, project.pk)] = forms.CharField(
                    label=f"{project.name} の{ja}（円） / {en} (yen)",
                    required=False,
                    max_length=40,
                    initial=service.typed_text(value),
                )
            self.fields[field_name("note", project.pk)] = forms.CharField(
                label=f"{project.name} の事業費の備考 / note on the money",
                required=False,
                max_length=service.MAX_NOTE,
                initial=money.note,
            )
            self.fields[field_name("token", project.pk)] = forms.CharField(
                required=False, widget=forms.HiddenInput, initial=row.token
            )
        self.money_rows: list[service.MoneyRow] = []

    def row_fields(self, rows: list[Row]) -> list[PageRow]:
        """Every row of the page with its bound fields (none for a locked row), for the
        template."""
        out = []
        for row in rows:
            pk = row.project.pk
            editable = row.lock is None
            cells = [
                Cell(
                    f"{ja} / {en}",
                    service.yen(value),
                    self[field_name(name, pk)] if editable else None,
                )
                for (name, ja, en), value in zip(service.AMOUNTS, row.money.amounts(), strict=True)
            ]
            note = self[field_name("note", pk)] if editable else None
            token = self[field_name("token", pk)] if editable else None
            out.append(PageRow(row, cells, note, token))
        return out

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        money_rows: list[service.MoneyRow] = []
        for row in self.rows:
            pk = row.project.pk
            if field_name("token", pk) not in self.data:  # a row not submitted
                continue
            amounts: list[Any] = []
            for name, ja, en in service.AMOUNTS:
                key = field_name(name, pk)
                try:
                    amounts.append(service.parse_amount(cleaned.get(key) or ""))
                except service.MoneyError as error:
                    self.add_error(
                        key,
                        f"「{row.project.name}」の{ja}: {error.message_ja} / “{row.project.name}”,"
                        f" {en}: {error.message_en}",
                    )
                    amounts.append(None)
            note = (cleaned.get(field_name("note", pk)) or "").strip()
            shown_token = str(self.data.get(field_name("token", pk), ""))
            total, grant, spent = amounts
            money_rows.append(service.MoneyRow(pk, total, grant, spent, note, shown_token))
        self.money_rows = money_rows
        return cleaned
