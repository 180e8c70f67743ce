"""The shapes of the API's responses (ninja Schemas, published in the OpenAPI document).

A KPI is the KPI record of `kpiledger export --format json` (EVALUATION.md) with the same field
names and meanings, plus its place in the report (`number`, `project_number`, `kpi_id`) and
labels beside the codes. Exact decimals are strings written from the `Decimal` as published
(`"73.5"`, `"2300"`), never JSON numbers: a client parsing them as binary floats would lose
digits.
"""

from __future__ import annotations

from typing import Any, Literal

from ninja import Schema
from pydantic import Field

StatusCode = Literal["achieved", "nearly_achieved", "not_achieved", "no_data", "not_due"]
ProgressCode = Literal["on_track", "needs_acceleration", "limited", "deterioration"]
SectionCode = Literal["対象事業", "関連事業"]
#: `section` filter: the published words, or their ASCII codes (easier in a URL).
SectionFilter = Literal["対象事業", "関連事業", "target", "related"]
DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"


def decimal_field(description: str) -> Any:
    return Field(pattern=DECIMAL_PATTERN, description=description)


class Label(Schema):
    """A code's words: Japanese first, English beside."""

    ja: str
    en: str


class Error(Schema):
    """A 404: what was not found, in Japanese and English."""

    code: str = Field(description="`organization-not-found`, `year-not-found`, `kpi-not-found`")
    message_ja: str
    message_en: str
    detail: str = Field(description="「日本語 / English」")


class ValidationErrors(Schema):
    """A 422: a query or path parameter the API cannot read, named in Japanese and English,
    with django-ninja's own `detail` list."""

    code: str = Field(description="`bad-parameter`")
    message_ja: str
    message_en: str
    detail: list[dict[str, Any]]


class FiscalYear(Schema):
    fiscal_year: int = Field(description="年度 (FY2023 = 令和5年度 = 2023-04…2024-03)")
    label: str | None = Field(description="令和5年度")
    short_label: str | None = Field(description="R5年度")


class Organization(Schema):
    code: str = Field(description="団体コード (6 digits with check digit)")
    name: str = Field(description="団体名")
    prefecture: str | None = Field(description="都道府県 (null when unknown)")
    years: list[int] = Field(description="年度 with a published report, newest first")


class OrganizationRef(Schema):
    code: str
    name: str


class OrganizationYears(Schema):
    organization: OrganizationRef
    years: list[FiscalYear]


class Assessment(Schema):
    """What the report published beside the KPIs (事業効果, 事業の評価, 実績額 …)."""

    effect: str | None
    evaluation: str | None
    opinion: str | None
    policy: str | None
    policy_reason: str | None
    spent: str | None = Field(pattern=DECIMAL_PATTERN, description="実績額, exact decimal")
    spent_unit: str | None
    total_cost: str | None = Field(
        default=None, pattern=DECIMAL_PATTERN, description="総事業費 (円), exact decimal"
    )
    grant_amount: str | None = Field(
        default=None, pattern=DECIMAL_PATTERN, description="交付金額 (円), exact decimal"
    )


class CostPerUnit(Schema):
    """実績額 ÷ what the KPI counted in the report's year (kpiledger's calculation)."""

    amount: str = decimal_field("円 per unit, rounded to the 円 (half up)")
    per: str = Field(description="the unit counted (人, 件 …)")
    count: str = decimal_field("what the KPI counted in the year (its increase if cumulative)")
    fiscal_year: int
    reason_ja: str = Field(description="実績額 8,412,000円 ÷ R5年度の実績値（22人）")
    reason_en: str


class Project(Schema):
    number: int = Field(description="the project's place in the report, from 1")
    name: str
    grant: str | None
    section: SectionCode
    section_label: Label
    summary: str | None
    effect_suggestion: str | None = Field(description="kpiledger's suggestion (事業効果)")
    effect_reason: str | None
    kpi_numbers: list[int]
    assessment: Assessment | None = Field(description="null when the report published none")
    flags: list[str]


class Baseline(Schema):
    value: str = decimal_field("基準値, exact decimal")
    fiscal_year: int | None


class Kpi(Schema):
    number: int = Field(description="the KPI's place in the report, from 1")
    kpi_id: int = Field(description="the ledger's id (the page /org/{code}/kpi/{kpi_id}/)")
    project_number: int
    project_name: str
    grant: str | None
    section: SectionCode
    indicator: str = Field(description="指標")
    unit: str = Field(description="単位")
    target: str = decimal_field("指標値, exact decimal as published")
    target_date: str | None = Field(description="年月 as YYYY-MM")
    target_fiscal_year: int | None
    baseline: Baseline | None
    direction: Literal["increase", "decrease"]
    direction_label: Label
    direction_reason: str
    direction_confidence: Literal["high", "medium", "low"]
    aggregation: Literal["annual", "cumulative", "level"]
    aggregation_label: Label
    aggregation_reason: str
    actuals: dict[str, str | None] = Field(
        description="fiscal year → exact decimal, or null for a 'no value' cell"
    )
    judged_year: int | None
    achievement_rate: str | None = Field(
        pattern=DECIMAL_PATTERN, description="達成率 (percent, one decimal)"
    )
    published_rate: str | None = Field(pattern=DECIMAL_PATTERN, description="公表達成率")
    status: StatusCode
    status_label: Label
    progress: ProgressCode | None
    progress_label: Label | None
    flags: list[str]
    cost_per_unit: CostPerUnit | None = Field(
        default=None,
        description="円 per unit counted, where the project has 実績額 and the KPI counts things"
        " in the year (null otherwise)",
    )


class Observation(Schema):
    """One year's actual as the report published it: a value, or the "no value" marker."""

    fiscal_year: int
    fiscal_year_label: str | None
    value: str | None = Field(pattern=DECIMAL_PATTERN, description="実績値, exact decimal")
    marker: str | None = Field(description="the 'no value' text (`-`, `未集計` …) or null")


class Flag(Schema):
    code: str
    message_ja: str
    message_en: str


class KpiDetail(Kpi):
    observations: list[Observation]
    flag_details: list[Flag]


class ObservationRow(Observation):
    kpi_number: int
    kpi_id: int
    indicator: str
    unit: str


class StatusCount(Schema):
    status: StatusCode
    label: Label
    count: int


class Counts(Schema):
    kpis: int
    achieved: int
    nearly_achieved: int
    not_achieved: int
    no_data: int
    not_due: int


class Summary(Schema):
    organization: OrganizationRef
    fiscal_year: int
    fiscal_year_label: str | None
    title: str
    notes: list[str]
    nearly_threshold: str = decimal_field("概ね達成 threshold (achievement rate, percent)")
    projects: int
    summary: Counts
    statuses: list[StatusCount]


# --- the write API (issue 10, item 10) --------------------------------------------------------


class Problem(Schema):
    """A 401, 403, 404 or 503 of the write API: why, in Japanese and English."""

    code: str = Field(
        description="`unauthorized`, `forbidden`, `kpi-not-found`, `busy`",
    )
    message_ja: str
    message_en: str
    detail: str = Field(description="「日本語 / English」")


class DraftObservation(Schema):
    """The ledger's actual of a KPI for one fiscal year, as it is now (published or not), with
    the `token` a write must send back."""

    kpi_id: int = Field(description="the KPI's ledger id (as in `/org/{code}/kpi/{kpi_id}/`)")
    organization: str = Field(description="団体コード")
    project: str = Field(description="事業名")
    indicator: str = Field(description="指標")
    unit: str = Field(description="単位")
    fiscal_year: int = Field(description="年度 (2024 = 令和6年度)")
    exists: bool = Field(description="whether the ledger has an actual for this year")
    value: str | None = decimal_field("実績値, an exact decimal as a string; null when none")
    marker: str = Field(description="the no-value marker (`-`, `未集計` …) when value is null")
    shown: str = Field(description="as the pages show it: `1,200`, `△35`, `-`")
    note: str = Field(description="備考")
    token: str = Field(description="what a write must send back: `new` when there is no actual")


class ObservationWrite(Schema):
    """A value to enter, as reports write it, and the `token` of the state it replaces."""

    value: str = Field(
        min_length=1,
        max_length=100,
        description="`1,200`, `１，２００`, `△35`, `1.2万`, `73.5%`, or a no-value marker `-`",
    )
    note: str = Field("", max_length=1000, description="備考")
    token: str = Field(
        min_length=1, max_length=64, description="the `token` last read (`new` when none)"
    )
    reason: str = Field("", max_length=200, description="変更の理由 (kept in the history)")


class BatchRow(Schema):
    kpi_id: int = Field(ge=1, description="the KPI's ledger id")
    value: str = Field(min_length=1, max_length=100)
    note: str = Field("", max_length=1000)
    token: str = Field(min_length=1, max_length=64)


class BatchWrite(Schema):
    """Rows of one organization, written all or nothing."""

    rows: list[BatchRow] = Field(min_length=1, max_length=500)
    reason: str = Field("", max_length=200, description="変更の理由 (kept in the history)")


class Written(Schema):
    """A write's result: the KPIs changed (none when the values were already so), warnings
    that did not block it, and the new state with its new `token`."""

    changed: list[int]
    warnings: list[str]
    observations: list[DraftObservation]


class Submitted(Schema):
    value: str
    note: str
    token: str


class ConflictRow(Schema):
    kpi_id: int
    indicator: str
    theirs: DraftObservation = Field(description="the ledger's state now (with its token)")
    yours: Submitted = Field(description="what was sent")


class ConflictBody(Schema):
    """A 409: a row changed since its token was read; nothing was written."""

    code: str = Field(description="`conflict`")
    message_ja: str
    message_en: str
    detail: str
    conflicts: list[ConflictRow]
