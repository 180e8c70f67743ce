"""Forms of the staff data entry: one row per KPI (value, note, what the page showed) and the
revert of a KPI's history page. Values are read by the core's number parser
(services/entry.py); a bad value is an error on its own field naming the KPI."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms

from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services import entry as service


@dataclass
class Row:
    """One KPI of the entry page: the KPI (with its project), the observation of the year and
    last year's value."""

    kpi: m.Kpi
    observation: m.Observation | None
    last_year: m.Observation | None
    # Why the row cannot be changed now (services/locks.py; blank: open), shown in its place.
    locked: str = ""

    @property
    def current_text(self) -> str:
        o = self.observation
        return "" if o is None else service.shown(o.value, o.marker)

    @property
    def last_text(self) -> str:
        o = self.last_year
        return "—" if o is None else service.shown(o.value, o.marker)

    @property
    def target_text(self) -> str:
        return service.shown(self.kpi.target, "")

    @property
    def token(self) -> str:
        return service.token(self.observation)

    @property
    def last_value(self) -> Decimal | None:
        return None if self.last_year is None else self.last_year.value


def value_name(kpi_id: int) -> str:
    return f"value_{kpi_id}"


def note_name(kpi_id: int) -> str:
    return f"note_{kpi_id}"


def token_name(kpi_id: int) -> str:
    return f"token_{kpi_id}"


def posted_kpi_ids(data: Any) -> set[int]:
    """Every KPI id a POST names in a row field (to refuse KPIs not on the user's page)."""
    ids: set[int] = set()
    for key in data:
        prefix, _sep, rest = str(key).partition("_")
        if prefix in ("value", "note", "token") and rest:
            if not rest.isdigit():
                raise ValueError(key)
            ids.add(int(rest))
    return ids


class EntryForm(forms.Form):
    """The data entry of one organization and fiscal year: a value, a note and a hidden token
    per row (disabled for a locked row), and a comment for the history (`データ入力: <comment>`;
    the reason of a correction of a published year, `訂正: <comment>`, where it is required)."""

    comment = forms.CharField(
        label="変更の理由（任意） / reason for the change (optional)",
        required=False,
        max_length=service.MAX_COMMENT,
        help_text=(
            "履歴に「データ入力」と一緒に記録されます / recorded in the history with “データ入力”"
        ),
    )

    def __init__(self, *args: Any, rows: list[Row], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            kpi = row.kpi
            locked = bool(row.locked)  # shown read-only; a POST of it is refused by the view
            self.fields[value_name(kpi.pk)] = forms.CharField(
                label=f"{kpi.indicator} の実績値 / actual",
                required=False,
                max_length=60,
                initial=row.current_text,
                disabled=locked,
            )
            self.fields[note_name(kpi.pk)] = forms.CharField(
                label=f"{kpi.indicator} の備考 / note",
                required=False,
                max_length=service.MAX_NOTE,
                initial=row.observation.note if row.observation else "",
                disabled=locked,
            )
            self.fields[token_name(kpi.pk)] = forms.CharField(
                required=False, widget=forms.HiddenInput, initial=row.token, disabled=locked
            )
        self.entries: list[service.Entry] = []

    def row_fields(self) -> list[tuple[Row, Any, Any, Any]]:
        """Each row with its bound fields (value, note, token), for the template."""
        return [
            (
                row,
                self[value_name(row.kpi.pk)],
                self[note_name(row.kpi.pk)],
                self[token_name(row.kpi.pk)],
            )
            for row in self.rows
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        entries: list[service.Entry] = []
        for row in self.rows:
            kpi = row.kpi
            name = value_name(kpi.pk)
            if row.locked or name not in self.data:  # locked, or not submitted
                continue
            text = cleaned.get(name) or ""
            note = (cleaned.get(note_name(kpi.pk)) or "").strip()
            shown_token = self.data.get(token_name(kpi.pk), "")
            if not text.strip():
                if row.observation is None and not note:
                    continue  # nothing entered for a KPI without a value
                self.add_error(
                    name,
                    f"「{kpi.indicator}」: 値が空です。値がない場合は「-」または「未集計」と"
                    f"入力してください / “{kpi.indicator}”: the value is blank; enter “-” or"
                    " “未集計” when there is no value",
                )
                continue
            try:
                typed = service.parse_value(text, kpi.unit)
            except service.EntryError as error:
                self.add_error(
                    name,
                    f"「{kpi.indicator}」: {error.message_ja} / “{kpi.indicator}”: "
                    f"{error.message_en}",
                )
                continue
            entries.append(service.Entry(kpi.pk, typed, note, shown_token))
        self.entries = entries
        return cleaned


class RevertForm(forms.Form):
    """Go back to one history row's value: the reason is required (`取消: <reason>`)."""

    history_id = forms.IntegerField(widget=forms.HiddenInput)
    token = forms.CharField(widget=forms.HiddenInput, max_length=40)
    reason = forms.CharField(
        label="取消の理由 / reason for the revert",
        max_length=service.MAX_COMMENT,
        required=True,
        strip=True,
    )
