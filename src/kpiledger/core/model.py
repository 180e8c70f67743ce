"""The KPI model: reports, projects, KPIs, targets, baselines and yearly actuals.

Everything numeric is an exact `Decimal`; "no value" cells keep the marker as published.
These are plain data: inference and evaluation live in `inference` and `evaluate`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from kpiledger.core.era import YearMonth
from kpiledger.core.errors import Problem


class Direction(StrEnum):
    """Which way is better."""

    INCREASE = "increase"  # 高いほど良い
    DECREASE = "decrease"  # 低いほど良い

    @property
    def label_ja(self) -> str:
        return "高いほど良い" if self is Direction.INCREASE else "低いほど良い"

    @property
    def label_en(self) -> str:
        return "higher is better" if self is Direction.INCREASE else "lower is better"


class Aggregation(StrEnum):
    """How the values of successive years relate."""

    ANNUAL = "annual"  # 年間値: a value per year
    CUMULATIVE = "cumulative"  # 累計: a running total
    LEVEL = "level"  # 水準: a rate, share, score or average

    @property
    def label_ja(self) -> str:
        return AGGREGATION_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return AGGREGATION_LABELS[self][1]


AGGREGATION_LABELS = {
    Aggregation.ANNUAL: ("年間値", "annual"),
    Aggregation.CUMULATIVE: ("累計", "cumulative"),
    Aggregation.LEVEL: ("水準（率・割合・平均など）", "level (rate, share, average …)"),
}


class Confidence(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Section(StrEnum):
    """The two sections of the published report."""

    TARGET = "対象事業"  # projects funded by the grant itself
    RELATED = "関連事業"  # related projects (grant type in 【】 before the name)


@dataclass(frozen=True)
class Flag:
    """A data-quality remark on a KPI (it does not stop evaluation)."""

    code: str
    message_ja: str
    message_en: str


@dataclass(frozen=True)
class Actual:
    """One year's published actual (実績値): a value, or which "no value" marker it was."""

    value: Decimal | None
    marker: str | None = None  # e.g. "-", "未集計", "" (blank); None when a value is present

    @property
    def is_missing(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class Baseline:
    """基準値 with the fiscal year it was measured in (when published)."""

    value: Decimal
    fiscal_year: int | None = None


@dataclass
class Kpi:
    """One KPI row: 指標, 指標値 (target), 単位, 年月 and the yearly 実績値."""

    indicator: str
    unit: str
    target: Decimal
    target_date: YearMonth | None
    actuals: dict[int, Actual] = field(default_factory=dict)  # fiscal year → actual
    baseline: Baseline | None = None
    published_rate: Decimal | None = None  # 達成率 as published, percent
    note: str | None = None  # 備考
    direction_override: Direction | None = None
    aggregation_override: Aggregation | None = None
    actuals_are_increments: bool = False  # cumulative KPI published with yearly increments
    line: int | None = None  # where the row was read (1-based)
    reader_flags: list[Flag] = field(default_factory=list)  # remarks from the source
    #: A bound written after the target (`15分以下` → 以下): 以上/超 say higher is better, 以下/
    #: 以内/未満 lower is better; 未満 and 超 are strict (the target value itself is not met).
    target_bound: str | None = None

    @property
    def target_fiscal_year(self) -> int | None:
        """The fiscal year a target is judged in: 年月 R6.3 → FY2023 (R5年度)."""
        return self.target_date.fiscal_year if self.target_date else None

    def series(self, up_to: int | None = None) -> list[tuple[int, Decimal]]:
        """(fiscal year, value) as judged, oldest first, ≤ `up_to`: the published values, or
        for a cumulative KPI published as yearly increments the running totals."""
        values = self.values(up_to)
        if not self.actuals_are_increments:
            return values
        total, totals = Decimal(0), []
        for year, value in values:
            total += value
            totals.append((year, total))
        return totals

    def values(self, up_to: int | None = None) -> list[tuple[int, Decimal]]:
        """(fiscal year, value) for every year with a value, oldest first, ≤ `up_to` (read
        once per `up_to` while `unchanged_kpis` holds: the list is then shared, not to be
        changed by the caller)."""
        every_kpi = _MEMO.get()
        if every_kpi is None:
            return self._values(up_to)
        memo = every_kpi.get(id(self))
        if memo is None:
            memo = every_kpi[id(self)] = {}
        found: list[tuple[int, Decimal]] | None = memo.get(up_to)  # type: ignore[assignment]
        if found is None:
            every: list[tuple[int, Decimal]] | None = memo.get(None)  # type: ignore[assignment]
            if every is None:
                every = memo[None] = self._values(None)
            found = every if up_to is None else [v for v in every if v[0] <= up_to]
            memo[up_to] = found
        return found

    def _values(self, up_to: int | None) -> list[tuple[int, Decimal]]:
        return [
            (year, actual.value)
            for year, actual in sorted(self.actuals.items())
            if actual.value is not None and (up_to is None or year <= up_to)
        ]


#: id of a KPI → what was computed from it, while the KPIs are known not to change
#: (`unchanged_kpis`): its values by `up_to` (int or None keys), the doubt its numbers cast on a
#: direction (`("doubt", direction)` keys).
_MEMO: ContextVar[dict[int, dict[object, object]] | None] = ContextVar(
    "kpiledger_kpi_memo", default=None
)


def kpi_memo(kpi: Kpi) -> dict[object, object] | None:
    """The memo of `unchanged_kpis` for `kpi` (made on first use), None outside one."""
    memo = _MEMO.get()
    if memo is None:
        return None
    mine = memo.get(id(kpi))
    if mine is None:
        mine = memo[id(kpi)] = {}
    return mine


@contextmanager
def unchanged_kpis() -> Iterator[None]:
    """While the KPIs alive now are not changed (judging a report reads them over and over),
    each KPI's `values` is computed once per `up_to`. Nested uses share the outer memo."""
    if _MEMO.get() is not None:
        yield
        return
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


@dataclass
class Assessment:
    """What a report publishes about a project beside its KPIs, as published: the columns of the
    national form 「事業実施結果報告」 right of the KPIs. `effect` is the 事業効果 chosen by the
    municipality and its committee (kpiledger's own is only a suggestion); `spent` is 実績額 in
    `spent_unit` (the heading's 単位：円 / 千円)."""

    effect: str | None = None  # 事業効果
    evaluation: str | None = None  # 事業の評価 (総合戦略のKPI達成に有効であった …)
    opinion: str | None = None  # 外部有識者からの意見
    policy: str | None = None  # 今後の方針
    policy_reason: str | None = None  # 今後の方針の理由
    spent: Decimal | None = None  # 実績額
    spent_unit: str = "円"
    total_cost: Decimal | None = None  # 総事業費 (円), as entered in the ledger
    grant_amount: Decimal | None = None  # 交付金額 (円), as entered in the ledger

    TEXTS = ("effect", "evaluation", "opinion", "policy", "policy_reason")

    def is_empty(self) -> bool:
        money = (self.spent, self.total_cost, self.grant_amount)
        return all(v is None for v in money) and not any(getattr(self, n) for n in self.TEXTS)


@dataclass
class Project:
    """One project (事業): name, grant type, section, summary (事業の概要) and its KPIs; what
    the report published about it beside the KPIs is its `assessment` (None when nothing)."""

    name: str
    section: Section
    grant: str | None = None
    summary: str | None = None
    kpis: list[Kpi] = field(default_factory=list)
    line: int | None = None
    assessment: Assessment | None = None


@dataclass
class Report:
    """A published KPI result report for one fiscal year (the report year)."""

    title: str | None
    fiscal_year: int
    projects: list[Project] = field(default_factory=list)
    year_columns: list[int] = field(default_factory=list)  # published actual columns, in order
    notes: list[str] = field(default_factory=list)  # trailing notes (※…) as published
    #: Data-quality warnings on the whole file (`possibly-truncated` …), located like problems:
    #: the file was read, but the user should look before importing it.
    warnings: list[Problem] = field(default_factory=list)
    #: How the file was read (`encoding-detected`, `sheet-chosen`): told to the user, not a
    #: concern about the data, so not part of the JSON output.
    notices: list[Problem] = field(default_factory=list)

    @property
    def kpis(self) -> list[Kpi]:
        return [kpi for project in self.projects for kpi in project.kpis]
