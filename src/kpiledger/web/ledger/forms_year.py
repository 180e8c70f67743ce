"""Forms of opening a fiscal year and setting up its projects and KPIs (issue 10, item 3).

Years are typed as 和暦 or western (`R6年度`, `令和6年度`, `2024`), target dates as reports write
them (`R7.3`, `令和7年3月`, `2025-03`) and values in Japanese notation (`１，２００`, `△35`): the
core's parsers read them (services/years.py); every message is Japanese, then English.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms

from kpiledger.core.era import fiscal_year_label, parse_fiscal_year
from kpiledger.core.errors import KpiledgerError
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services import locks
from kpiledger.web.ledger.services import years as service

REQUIRED = "入力してください / this field is required"
TOO_LONG = "長すぎます（%(limit_value)d文字まで） / too long (at most %(limit_value)d characters)"
MESSAGES = {"required": REQUIRED, "max_length": TOO_LONG}


def parse_year(text: str) -> int:
    """A fiscal year typed as `R6年度`, `令和6年度`, `R6`, `FY2024`, `2024年度` or `2024`."""
    cleaned = unicodedata.normalize("NFKC", text).strip()
    if cleaned.isdigit() and len(cleaned) == 4:
        year = int(cleaned)
    else:
        try:
            year = parse_fiscal_year(cleaned)
        except KpiledgerError as error:
            problem = error.problems[0]
            raise forms.ValidationError(f"{problem.message_ja} / {problem.message_en}") from None
    if not service.FIRST_YEAR <= year <= service.LAST_YEAR:
        raise forms.ValidationError(
            f"{year}年度はありえない範囲です / FY{year} is out of range",
        )
    return year


def target_name(kpi_id: int) -> str:
    return f"target_{kpi_id}"


def date_name(kpi_id: int) -> str:
    return f"date_{kpi_id}"


def end_name(project_id: int) -> str:
    return f"end_{project_id}"


@dataclass
class KpiRow:
    """A KPI carried into the year to open: its terms and whether it is closed there."""

    kpi: m.Kpi
    closed: str | None

    @property
    def target_text(self) -> str:
        return service.shown(self.kpi.target) + (self.kpi.target_bound or "")

    @property
    def date_text(self) -> str:
        k = self.kpi
        if not (k.target_year and k.target_month):
            return "—"
        return f"{k.target_year}年{k.target_month}月"


def kpi_rows(organization: m.Organization, year: int) -> list[KpiRow]:
    return [KpiRow(k, locks.kpi_closed(k, year)) for k in service.carried_kpis(organization, year)]


class OpenYearForm(forms.Form):
    """Open the next year: the year, the year it is opened from, a new target and target date
    for KPIs whose target date has passed, and the projects that ended with the year before."""

    year = forms.CharField(
        label="開始する年度 / year to open",
        max_length=20,
        help_text="例 / e.g. R6年度、令和6年度、2024",
        error_messages=MESSAGES,
    )
    from_year = forms.TypedChoiceField(
        label="引継ぎ元の年度 / carried over from",
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "一覧から選んでください / choose one of the list"},
    )

    def __init__(
        self,
        *args: Any,
        organization: m.Organization,
        year: int,
        rows: list[KpiRow],
        projects: list[m.Project],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.target_year = year  # the year whose carried KPIs the form lists
        self.rows = rows
        self.projects = projects
        known = service.known_years(organization)
        next_year, latest = service.default_years(organization)
        self.fields["from_year"].choices = [("", "（なし）/ (none)")] + [
            (str(y), f"{fiscal_year_label(y)}（{y}）") for y in known
        ]
        self.fields["year"].initial = fiscal_year_label(year)
        if next_year == year and latest is not None:
            self.fields["from_year"].initial = str(latest)
        for row in rows:
            kpi = row.kpi
            self.fields[target_name(kpi.pk)] = forms.CharField(
                label=f"{kpi.indicator} の新しい目標値 / new target",
                required=False,
                max_length=60,
                error_messages=MESSAGES,
            )
            self.fields[date_name(kpi.pk)] = forms.CharField(
                label=f"{kpi.indicator} の新しい目標年月 / new target date",
                required=False,
                max_length=20,
                error_messages=MESSAGES,
            )
        for project in projects:
            self.fields[end_name(project.pk)] = forms.BooleanField(
                label=f"{project.name} を終了する（引き継がない） / ended: do not carry over",
                required=False,
            )
        self.extend: dict[int, service.Extension] = {}
        self.close: list[int] = []

    def clean_year(self) -> int:
        return parse_year(self.cleaned_data.get("year") or "")

    def row_fields(self) -> list[tuple[KpiRow, Any, Any]]:
        return [
            (row, self[target_name(row.kpi.pk)], self[date_name(row.kpi.pk)]) for row in self.rows
        ]

    def project_fields(self) -> list[tuple[m.Project, Any]]:
        return [(p, self[end_name(p.pk)]) for p in self.projects]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        extend: dict[int, service.Extension] = {}
        for row in self.rows:
            kpi = row.kpi
            target_text = (cleaned.get(target_name(kpi.pk)) or "").strip()
            date_text = (cleaned.get(date_name(kpi.pk)) or "").strip()
            if not target_text and not date_text:
                continue
            if not date_text:
                self.add_error(
                    date_name(kpi.pk),
                    f"「{kpi.indicator}」: 新しい目標年月も入力してください"
                    f" / “{kpi.indicator}”: enter the new target date too",
                )
                continue
            try:
                due = service.parse_target_date(date_text)
                target = service.parse_amount(target_text, kpi.unit) if target_text else kpi.target
            except service.YearError as error:
                field = date_name(kpi.pk) if not target_text else target_name(kpi.pk)
                self.add_error(
                    field,
                    f"「{kpi.indicator}」: {error.message_ja} / “{kpi.indicator}”: "
                    f"{error.message_en}",
                )
                continue
            extend[kpi.pk] = service.Extension(Decimal(target), due.year, due.month)
        self.extend = extend
        self.close = [p.pk for p in self.projects if cleaned.get(end_name(p.pk))]
        return cleaned


class ProjectForm(forms.Form):
    """A new project of the year."""

    name = forms.CharField(
        label="事業の名称 / project name", max_length=500, error_messages=MESSAGES
    )
    section = forms.ChoiceField(
        label="区分 / section",
        choices=[
            (s.value, f"{s.value} / {e}")
            for s, e in zip(m.Section, ("grant", "related"), strict=True)
        ],
        error_messages={
            "required": REQUIRED,
            "invalid_choice": "区分を選んでください / choose the section",
        },
    )
    grant_name = forms.CharField(
        label="交付金（任意） / grant (optional)",
        max_length=200,
        required=False,
        help_text="例 / e.g. 地方創生推進交付金",
        error_messages=MESSAGES,
    )
    summary = forms.CharField(
        label="事業の概要（任意） / summary (optional)",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=MESSAGES,
    )


BOUND_CHOICES = [("", "（なし）/ (none)")] + [(b, b) for b in service.BOUNDS if b]


class KpiForm(forms.Form):
    """A new KPI of one of the year's projects."""

    project = forms.TypedChoiceField(
        label="事業 / project",
        coerce=int,
        error_messages={
            "required": REQUIRED,
            "invalid_choice": "事業を選んでください / choose the project",
        },
    )
    indicator = forms.CharField(label="指標 / indicator", max_length=500, error_messages=MESSAGES)
    unit = forms.CharField(
        label="単位 / unit",
        max_length=50,
        required=False,
        help_text="例 / e.g. 人、件、%",
        error_messages=MESSAGES,
    )
    target = forms.CharField(
        label="目標値 / target",
        max_length=60,
        help_text="例 / e.g. 1,200、１，２００、1.2万",
        error_messages=MESSAGES,
    )
    target_bound = forms.ChoiceField(
        label="目標値の範囲 / bound", choices=BOUND_CHOICES, required=False
    )
    target_date = forms.CharField(
        label="目標年月 / target date",
        max_length=20,
        required=False,
        help_text="例 / e.g. R8.3、令和8年3月、2026-03",
        error_messages=MESSAGES,
    )
    baseline = forms.CharField(
        label="基準値（任意） / baseline (optional)",
        max_length=60,
        required=False,
        error_messages=MESSAGES,
    )
    baseline_year = forms.CharField(
        label="基準年度（任意） / baseline year (optional)",
        max_length=20,
        required=False,
        help_text="例 / e.g. R5年度、2023",
        error_messages=MESSAGES,
    )

    def __init__(self, *args: Any, projects: list[m.Project], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.projects = {p.pk: p for p in projects}
        self.fields["project"].choices = [("", "（選んでください）/ (choose)")] + [
            (str(p.pk), p.name) for p in projects
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        unit = cleaned.get("unit") or ""
        for name in ("target", "baseline"):
            text = cleaned.get(name)
            if text:
                try:
                    cleaned[name] = service.parse_amount(text, unit)
                except service.YearError as error:
                    self.add_error(name, str(error))
            elif name == "baseline":
                cleaned[name] = None
        date_text = cleaned.get("target_date") or ""
        if date_text:
            try:
                cleaned["target_date"] = service.parse_target_date(date_text)
            except service.YearError as error:
                self.add_error("target_date", str(error))
        else:
            cleaned["target_date"] = None
        year_text = cleaned.get("baseline_year") or ""
        if year_text:
            try:
                cleaned["baseline_year"] = parse_year(year_text)
            except forms.ValidationError as error:
                self.add_error("baseline_year", error)
        else:
            cleaned["baseline_year"] = None
        return cleaned


class ChangeForm(forms.Form):
    """Close or reopen one project or KPI of the year."""

    action = forms.ChoiceField(
        choices=[(a, a) for a in ("close_project", "reopen_project", "close_kpi", "reopen_kpi")]
    )
    target_id = forms.IntegerField(min_value=1)
    last_year = forms.IntegerField(
        required=False, min_value=service.FIRST_YEAR, max_value=service.LAST_YEAR
    )
