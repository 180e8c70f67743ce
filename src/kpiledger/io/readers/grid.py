"""The table as the interpreter sees it: rows of cell texts, and the role of each column."""

from __future__ import annotations

from dataclasses import dataclass, field

from kpiledger.core.errors import Problem
from kpiledger.io.readers.layout import PROJECT_ROLES, Role


@dataclass(frozen=True)
class Row:
    """One row of the table: its cells and the (1-based) line it starts on."""

    line: int
    cells: list[str]


@dataclass
class Columns:
    """The role of each column (0-based cell index) of one KPI table."""

    line: int
    roles: dict[Role, int] = field(default_factory=dict)
    years: dict[int, int] = field(default_factory=dict)  # cell index → fiscal year
    labels: dict[int, str] = field(default_factory=dict)  # cell index → header text
    lines: dict[int, int] = field(default_factory=dict)  # cell index → its header's line
    baseline_year: int | None = None  # from a header such as 基準値（R1年度）
    forecasts: dict[int, str] = field(default_factory=dict)  # cell index → 見込 column header
    #: The cell right of 指標 under the same heading (the national form: 指標① | 移住者数).
    indicator_text: int | None = None
    #: A 実績値 column without a year (the national form): (cell index, header, line).
    undated: tuple[int, str, int] | None = None
    #: No 指標値 column, and nothing else wrong: each row's target is read from the end of its
    #: indicator (`移住者数（目標70人）`); a row without one gets this `missing-column`.
    missing_target: Problem | None = None
    #: No 年月 / 目標年度 column, and nothing else wrong: each row's target date is read from
    #: its target cell (`1,200（R5年度）`); a row without one gets this `missing-column`.
    missing_date: Problem | None = None
    #: Yearly targets (`目標値(H30)`, `R4目標`) in a table without a 指標値 column: cell index →
    #: fiscal year. A row's target is its last one written (docs: "Yearly targets").
    yearly_targets: dict[int, int] = field(default_factory=dict)
    #: The unit of the 実績額 column: its heading's `(千円)` or the note under it (`単位：円`).
    spent_unit: str = "円"
    #: The unit a value heading names (`指標値（単位：人）`, `単位：件` under 実績値): the unit
    #: of a row whose 単位 cell is blank, or of every row when there is no 単位 column.
    value_unit: str = ""
    value_unit_heading: str = ""  # the heading that names it
    #: The unit of each 総事業費 / 交付金額 column (`MONEY_ROLES`), read in 円.
    money_units: dict[Role, str] = field(default_factory=dict)
    #: 中間目標値（R4年度）, 中間目標: cell index → the fiscal year its heading names (None when
    #: none). Checked as numbers, never the KPI's target (docs: "Interim and final targets").
    interims: dict[int, int | None] = field(default_factory=dict)
    #: Year columns whose values are the year's increase (`R3年度増加分（1年目）`): cell indexes.
    increment_years: set[int] = field(default_factory=set)
    #: The target heading says it is the sum of the increments (`目標値（KPI増加分の累計）`).
    increment_target: bool = False
    #: A time-point column beside a single 実績値 (実績値の把握時点, 時点, 実績年度 …, or a
    #: heading with 時点): (cell index, header, line); read only when `per_row`.
    time_point: tuple[int, str, int] | None = None
    #: The title's fiscal year: the year of a 実績値 whose time point is left blank (`per_row`).
    report_year: int | None = None

    @property
    def increments(self) -> bool:
        """The actuals are yearly increments and the target their sum (docs: "Increments")."""
        return bool(self.increment_years) and self.increment_target

    @property
    def per_row(self) -> bool:
        """One 実績値 column whose fiscal year is written on each row, in a time-point column
        (実績値の把握時点, 時点, 実績年度 …: `time_points`)."""
        return Role.ACTUAL in self.roles and Role.ACTUAL_YEAR in self.roles

    def label(self, index: int) -> str:
        return self.labels.get(index, "")

    @property
    def width(self) -> int:
        """The number of cells a complete row must have. A published grade (評価) and the
        project's cells beside its KPIs (事業効果, 今後の方針 …) are left out: such columns were
        ignored before they were read, and a blank last cell may be dropped; so is a per-row
        time point (a blank one is read as the report year)."""
        optional = (Role.GRADE, Role.ACTUAL_YEAR, *PROJECT_ROLES)
        read = [index for role, index in self.roles.items() if role not in optional]
        return max([*read, *self.years, *self.yearly_targets, *self.interims]) + 1
