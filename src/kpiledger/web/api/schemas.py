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
    kana: str | None = Field(default=None, description="団体名のよみ (katakana, クシロシ)")
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


# --- organizations compared (nation.py) -------------------------------------------------------

SortColumn = Literal["code", "name", "prefecture", "kpis", "share"]
SortOrder = Literal["asc", "desc"]


class StatusCounts(Schema):
    """KPIs per status (EVALUATION.md)."""

    achieved: int
    nearly_achieved: int
    not_achieved: int
    no_data: int
    not_due: int


class Figures(Schema):
    kpis: int = Field(description="指標数 (KPIs judged)")
    counts: StatusCounts
    due: int = Field(description="目標年度を迎えた指標数 (every KPI but `not_due`)")
    achieved_share: str | None = Field(
        pattern=DECIMAL_PATTERN,
        description="達成割合: achieved ÷ due × 100, one decimal; null when no KPI is due",
    )


class PrefectureSummary(Figures):
    """A prefecture: its organizations in the ledger, those with a report in scope, and the
    sum of their figures."""

    code: str = Field(description="都道府県コード, 2 digits (`01` 北海道 … `47` 沖縄県)")
    name: str
    organizations: int = Field(description="団体数 in the ledger")
    reporting: int = Field(description="報告のある団体数 (a public report in scope)")


class OrganizationSummary(Figures):
    """An organization with the figures of one report (its latest, or the year asked)."""

    code: str = Field(description="団体コード (6 digits with check digit)")
    name: str
    kana: str | None = Field(description="団体名のよみ (katakana)")
    prefecture: str | None
    fiscal_year: int = Field(description="the report's fiscal year")
    fiscal_year_label: str | None = Field(description="令和5年度")


# --- one field compared across organizations (fields.py) --------------------------------------

FieldSort = Literal[
    "code", "-code", "name", "-name", "prefecture", "-prefecture", "population", "-population",
    "kpis", "-kpis", "median", "-median", "achieved", "-achieved",
]  # fmt: skip
OPTIONAL_DECIMAL = r"^-?[0-9]+(\.[0-9]+)?$"


class KpiFigures(Schema):
    """KPIs of the field: counted, due, achieved, and their rates."""

    kpis: int = Field(description="指標数")
    due: int = Field(description="目標年度を迎えた指標数 (every KPI but `not_due`)")
    achieved: int = Field(description="達成の指標数")
    achieved_share: str | None = Field(
        pattern=OPTIONAL_DECIMAL, description="達成割合 (%): achieved ÷ due, one decimal"
    )
    median_rate: str | None = Field(
        pattern=OPTIONAL_DECIMAL,
        description="達成率の中央値 (%) of the due KPIs with a rate, one decimal (ROUND_HALF_UP)",
    )


class FieldFigures(KpiFigures):
    organizations: int = Field(description="団体数 with a KPI of the field")


class FieldSummary(Schema):
    """A field's KPIs of the year, counted in SQL (no median: see `/fields/{field}`)."""

    organizations: int = Field(description="団体数 with a KPI of the field")
    kpis: int
    due: int = Field(description="目標年度を迎えた指標数")
    achieved: int
    achieved_share: str | None = Field(pattern=OPTIONAL_DECIMAL, description="達成割合 (%)")
    field: str = Field(description="分野 code (`tourism`)")
    label: Label
    goal: str = Field(description="基本目標 code (`work`, `flow`, `family`, `community`)")
    goal_label: Label


class FieldList(Schema):
    fiscal_year: int | None = Field(description="the report year counted (latest by default)")
    years: list[int] = Field(description="report years with judgements, newest first")
    fields: list[FieldSummary]


class RateBin(Schema):
    """A range of achievement rates: low ≤ rate < high (null: open), or the KPIs without one."""

    key: str = Field(description="`lt50`, `50-80`, `80-100` (概ね達成), `ge100`, `none`")
    label: Label
    low: str | None = Field(pattern=OPTIONAL_DECIMAL, description="lower bound (%), inclusive")
    high: str | None = Field(pattern=OPTIONAL_DECIMAL, description="upper bound (%), exclusive")
    nearly: bool = Field(description="the 概ね達成 (nearly achieved) range")
    kpis: int
    share: str | None = Field(pattern=OPTIONAL_DECIMAL, description="kpis ÷ due KPIs (%)")


class FieldGroup(FieldFigures):
    """The municipalities of one prefecture, or the organizations of one population band."""

    key: str = Field(description="the prefecture's name, or the band's key (`10k-50k`)")
    label: Label


class Rank(Schema):
    """A place among the organizations of a group by median rate (higher is better): tied
    organizations share a rank (1, 2, 2, 4); `percentile` = below ÷ (of − 1) × 100."""

    group: str = Field(description="the prefecture's name or the band's key")
    label: Label
    rank: int
    of: int = Field(description="organizations of the group with a median rate")
    above: int
    ties: int = Field(description="other organizations with the same median")
    below: int
    percentile: str | None = Field(
        pattern=OPTIONAL_DECIMAL, description="share of the others that are lower (%)"
    )


class FieldStanding(KpiFigures):
    """Where one organization stands in the field (`?org=`)."""

    code: str
    name: str
    prefecture: str | None
    population: int | None
    band: str = Field(description="population band key (`prefecture` for a prefecture)")
    band_label: Label
    distribution: list[RateBin] = Field(description="the organization's own KPIs per bin")
    in_prefecture: Rank | None = Field(description="null for a prefecture, or without a median")
    in_band: Rank | None = Field(description="null without a median rate")


class FieldDetail(FieldFigures):
    """One field compared across organizations in one report year."""

    field: str
    label: Label
    goal: str
    goal_label: Label
    fiscal_year: int
    fiscal_year_label: str
    years: list[int]
    nearly: str = Field(description="the 概ね達成 threshold (%) the bins use")
    not_due: int
    distribution: list[RateBin]
    prefectures: list[FieldGroup] = Field(description="municipalities per prefecture")
    bands: list[FieldGroup] = Field(description="organizations per population band")
    standing: FieldStanding | None = Field(description="with `?org=`")


class FieldOrganization(KpiFigures):
    code: str
    name: str
    prefecture: str | None
    population: int | None
    band: str
    band_label: Label
    counts: StatusCounts
