"""The evaluated report as an Excel workbook (.xlsx) in the official layout: what a planning
office hands its committee, looking like the table it used to make by hand (the reference
report 釧路市 令和5年度, and the national form 「事業実施結果報告」 when the report has its
columns).

The sheet, top to bottom:
- the title (A1, as published) — alone in its row, so that the file reads back to the same
  title; the publishing local government, when given, names the sheet and heads every printed
  page (the page header), and is in the workbook's properties;
- per section (【…対象事業】 / 【…関連事業】, grouped as the report's projects come) a header of
  three rows as in the reference: 交付対象事業の名称 | 事業の概要 | KPI（重要業績評価指標）:
  指標, [基準値, 基準年度], 指標値 (指標値, 単位, 年月 as 和暦 `R6.3`), 実績値 (one column per
  year, `R1年度`…); then the published columns the report has (達成率 as published, 評価, 方向,
  集計, 備考, and the national form's 実績額, 事業効果, 事業の評価, 外部有識者からの意見, 今後の
  方針, 今後の方針の理由), then kpiledger's judgement for the report year: 達成率 and 状況 per
  KPI, and the suggested 事業効果 per project, in columns headed `（kpiledger…）`
  (`readers.own_columns`: never read back as published data). The 事業効果 is a column, merged
  over the project's rows as the national form does, the published one beside the suggestion;
- one row per KPI, the project's name, summary and its other cells merged over its KPI rows
  (a text of several lines is written on the project's first row only, since a merged cell
  reads as the same text on every row);
- the notes (※ …) below the table; notes a reader found before the table (a line naming the
  prefecture, a unit) stay above it, so their order is kept.

Values are written as published: a number as an Excel number whose format shows exactly its
digits (`2,300`, `73.5`, `2300.00` with `#,##0.00`, negatives `△12`), checked against what the
Excel reader will read (`readers.excel_values.number_text`), else as text; a "no value"
marker (`-`, `未集計`) and a target with its bound (`15以下`) as text. A text is never a formula
(a name starting with `=` is a string cell).

Round trip: `read_report_bytes(dumps(result), "report.xlsx")` judges to the same JSON as the
report. Where a KPI's published years differ from its neighbours' (a table per period, a time
point per row), a new header starts, and the project's name is repeated under it. The reader's
remarks on the original file (`forecast-not-read` …) are kept in `読取時の注意（kpiledger）`.

Page setup: A4 landscape, fit to one page wide, the first header repeated on every page, the
print area over the table and its notes, ＭＳ Ｐゴシック, wrapped text and thin borders.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kpiledger.core import quality
from kpiledger.core.era import fiscal_year_label, format_short
from kpiledger.core.evaluate import KpiResult, ProjectResult, ReportResult
from kpiledger.core.model import Aggregation, Direction, Kpi, Project, Section
from kpiledger.io.readers import own_columns
from kpiledger.io.readers.excel_values import number_text
from kpiledger.io.readers.layout import is_note
from kpiledger.io.writers.opendata import Publisher
from kpiledger.io.writers.records import plain

FONT = "ＭＳ Ｐゴシック"  # on every Japanese Windows PC
KPI_GROUP = "K P I（重要業績評価指標）"
DIRECTION_WORDS = {Direction.INCREASE: "増加", Direction.DECREASE: "減少"}
AGGREGATION_WORDS = {
    Aggregation.ANNUAL: "年間",
    Aggregation.CUMULATIVE: "累計",
    Aggregation.LEVEL: "水準",
}
INCREMENTS_WORD = "累計（単年度値）"
NO_SUGGESTION = "（提案なし：目標年度前）"
ASSESSMENT_HEADINGS = (
    ("effect", "事業効果"),
    ("evaluation", "事業の評価"),
    ("opinion", "外部有識者からの意見"),
    ("policy", "今後の方針"),
    ("policy_reason", "今後の方針の理由"),
)
_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")  # what an .xlsx cannot hold

Value = str | Decimal | None


@dataclass(frozen=True)
class Column:
    """One column: its three header labels (None continues the label above), its width, and
    what it holds — per KPI (`kpi`) or, when `project` is set, per project (merged)."""

    labels: tuple[str, str | None, str | None]
    width: float
    kpi: Callable[[KpiResult], Value] | None = None
    project: Callable[[ProjectResult], Value] | None = None
    number_format: str | None = None  # a fixed format (the computed rate)


@dataclass
class Block:
    """A header and the KPI rows under it: one section's run of KPIs published for the same
    years (a new block starts where the section, the grant or the years change)."""

    section: Section
    grant: str | None
    years: tuple[int, ...]
    rows: list[tuple[ProjectResult, list[KpiResult], bool]] = field(default_factory=list)


def dumps(result: ReportResult, publisher: Publisher | None = None) -> bytes:
    """The evaluated report as the bytes of an .xlsx in the official layout."""
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = _sheet_title(publisher)
    sheet = _Sheet(ws)
    report = result.report
    head, tail = _split_notes(report.notes)
    if report.title:
        sheet.title(report.title)
    for note in head:
        sheet.note(note)
    blocks = list(_blocks(result))
    width, section = 0, None
    for block in blocks:
        columns = _columns(result, block.years)
        width = max(width, len(columns))
        if (block.section, block.grant) != section:
            section = (block.section, block.grant)
            sheet.heading(_section_heading(block, result))
        sheet.header(columns)
        for project, kpis, first in block.rows:
            sheet.project(columns, project, kpis, first)
    sheet.skip()
    for note in tail:
        sheet.note(note)
    sheet.finish(width, publisher, report.title)
    book.properties.title = report.title
    book.properties.creator = "kpiledger"
    if publisher is not None:
        book.properties.subject = f"{publisher.name}（{publisher.code}）"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- what goes where ------------------------------------------------------------------------


def _blocks(result: ReportResult) -> Iterator[Block]:
    """The report's KPIs in order, in runs of one section, grant and set of published years."""
    block: Block | None = None
    for project in result.projects:
        grant = project.project.grant if project.project.section is Section.TARGET else None
        first = True
        for kpi in project.kpis:
            years = tuple(sorted(kpi.kpi.actuals))
            key = (project.project.section, grant, years)
            if block is None or (block.section, block.grant, block.years) != key:
                if block is not None:
                    yield block
                block = Block(*key)
            if block.rows and block.rows[-1][0] is project:
                block.rows[-1][1].append(kpi)
            else:
                block.rows.append((project, [kpi], first))
            first = False
    if block is not None:
        yield block


def _section_heading(block: Block, result: ReportResult) -> str:
    """【…対象事業】 with the grant, or 【…関連事業】 named after the report's first grant
    (without its type: デジタル田園都市国家構想交付金（地方創生推進タイプ） → …交付金関連事業)."""
    if block.section is Section.TARGET:
        return f"【{block.grant or ''}対象事業】"
    grants = [p.project.grant for p in result.projects if p.project.section is Section.TARGET]
    grant = next((g for g in grants if g), "")
    return f"【{re.sub(r'（[^（）]*タイプ）$', '', grant)}関連事業】"


def _columns(result: ReportResult, years: tuple[int, ...]) -> list[Column]:
    """The columns of a block: the reference's, then what the report publishes beside them,
    then kpiledger's judgement."""
    kpis = [k.kpi for k in result.kpis]
    projects = [p.project for p in result.projects]
    columns = [
        Column(("交付対象\n事業の名称", None, None), 22, project=lambda p: _name(p.project)),
        Column(("事業の概要", None, None), 40, project=lambda p: p.project.summary),
        Column((KPI_GROUP, "指標", None), 28, kpi=lambda k: k.kpi.indicator),
    ]
    if any(k.baseline for k in kpis):
        columns += [
            Column((KPI_GROUP, "基準値", None), 10, kpi=lambda k: _baseline(k.kpi)),
            Column((KPI_GROUP, "基準年度", None), 8, kpi=lambda k: _baseline_year(k.kpi)),
        ]
    columns += [
        Column((KPI_GROUP, "指標値", "指標値"), 11, kpi=lambda k: _target(k.kpi)),
        Column((KPI_GROUP, "指標値", "単位"), 8, kpi=lambda k: k.kpi.unit),
        Column((KPI_GROUP, "指標値", "年月"), 7, kpi=lambda k: _date(k.kpi)),
    ]
    columns += [_year_column(year) for year in years]
    columns += _published_columns(kpis)
    columns += [
        Column((own_columns.RATE_HEADING, None, None), 9, kpi=lambda k: k.achievement_rate,
               number_format="0.0"),
        Column((own_columns.STATUS_HEADING, None, None), 9, kpi=lambda k: k.status.label_ja),
    ]  # fmt: skip
    columns += _assessment_columns(projects)
    columns.append(Column((own_columns.EFFECT_HEADING, None, None), 16, project=_suggestion))
    if any(_carried(k) for k in kpis):
        columns.append(Column((own_columns.FLAGS_HEADING, None, None), 36, kpi=_carried_text))
    return columns


def _year_column(year: int) -> Column:
    def actual(result: KpiResult) -> Value:
        actual = result.kpi.actuals[year]
        return actual.value if actual.value is not None else actual.marker

    return Column((KPI_GROUP, "実績値", fiscal_year_label(year)), 10, kpi=actual)


def _published_columns(kpis: list[Kpi]) -> list[Column]:
    """達成率 and 評価 as published, the report's 方向 and 集計 words, 備考: when any KPI has
    them."""
    columns = []
    if any(k.published_rate is not None for k in kpis):
        columns.append(
            Column(("達成率\n（公表）", None, None), 9, kpi=lambda k: k.kpi.published_rate)
        )
    if any(quality.published_grade(k) for k in kpis):
        columns.append(
            Column(("評価", None, None), 8, kpi=lambda k: quality.published_grade(k.kpi))
        )
    if any(k.direction_override for k in kpis):
        columns.append(Column(("方向", None, None), 6, kpi=lambda k: _direction(k.kpi)))
    if any(k.aggregation_override or k.actuals_are_increments for k in kpis):
        columns.append(Column(("集計", None, None), 9, kpi=lambda k: _aggregation(k.kpi)))
    if any(k.note for k in kpis):
        columns.append(Column(("備考", None, None), 24, kpi=lambda k: k.kpi.note))
    return columns


def _assessment_columns(projects: list[Project]) -> list[Column]:
    """The national form's columns beside the KPIs, when any project has them."""
    assessments = [p.assessment for p in projects if p.assessment is not None]
    columns = []
    if any(a.spent is not None for a in assessments):
        unit = next(a.spent_unit for a in assessments if a.spent is not None)
        columns.append(Column(("実績額", None, f"単位：{unit}"), 13, project=_spent))
    for name, heading in ASSESSMENT_HEADINGS:
        if any(getattr(a, name) for a in assessments):
            columns.append(Column((heading, None, None), 20, project=_assessment(name)))
    return columns


def _assessment(name: str) -> Callable[[ProjectResult], Value]:
    def value(result: ProjectResult) -> Value:
        assessment = result.project.assessment
        return getattr(assessment, name) if assessment is not None else None

    return value


def _spent(result: ProjectResult) -> Value:
    assessment = result.project.assessment
    return assessment.spent if assessment is not None else None


def _suggestion(result: ProjectResult) -> Value:
    """The suggested 事業効果; none while every KPI's target year is still ahead."""
    suggestion = result.effect_suggestion
    return suggestion.value if suggestion else NO_SUGGESTION


def _name(project: Project) -> str:
    """A related project's name with its grant in 【】, as the reference writes it."""
    if project.section is Section.RELATED and project.grant:
        return f"【{project.grant}】 {project.name}"
    return project.name


def _target(kpi: Kpi) -> Value:
    return f"{plain(kpi.target)}{kpi.target_bound}" if kpi.target_bound else kpi.target


def _date(kpi: Kpi) -> Value:
    return format_short(kpi.target_date) if kpi.target_date else None


def _baseline(kpi: Kpi) -> Value:
    return kpi.baseline.value if kpi.baseline else None


def _baseline_year(kpi: Kpi) -> Value:
    year = kpi.baseline.fiscal_year if kpi.baseline else None
    return fiscal_year_label(year) if year is not None else None


def _direction(kpi: Kpi) -> Value:
    return DIRECTION_WORDS[kpi.direction_override] if kpi.direction_override else None


def _aggregation(kpi: Kpi) -> Value:
    if kpi.actuals_are_increments:
        return INCREMENTS_WORD
    return AGGREGATION_WORDS[kpi.aggregation_override] if kpi.aggregation_override else None


def _carried(kpi: Kpi) -> list[Any]:
    """The reader's remarks to carry: all but the published grade (the 評価 column says it)."""
    return [f for f in kpi.reader_flags if f.code != "published-grade"]


def _carried_text(result: KpiResult) -> Value:
    return own_columns.flags_text(_carried(result.kpi)) or None


def _split_notes(notes: list[str]) -> tuple[list[str], list[str]]:
    """(notes above the table, notes below it): below are the last notes that read as notes
    (※ …) wherever they stand; any note before them stays above, in order."""
    split = len(notes)
    while split > 0 and is_note(notes[split - 1]):
        split -= 1
    return notes[:split], notes[split:]


def _sheet_title(publisher: Publisher | None) -> str:
    name = f"{publisher.name} KPI実績" if publisher else "KPI実績"
    return re.sub(r"[\[\]:*?/\\]", "", name)[:31]


# --- the sheet ------------------------------------------------------------------------------


class _Sheet:
    """Writes rows one after another and remembers what the page setup needs."""

    def __init__(self, ws: Any) -> None:
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        self.ws = ws
        self.row = 1
        self.first_header: tuple[int, int] | None = None
        self.widths: dict[int, float] = {}
        thin = Side(style="thin")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.font = Font(name=FONT, size=10)
        self.bold = Font(name=FONT, size=10, bold=True)
        self.big = Font(name=FONT, size=14, bold=True)
        self.fill = PatternFill("solid", fgColor="D9E1F2")
        self.own_fill = PatternFill("solid", fgColor="FFF2CC")
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.center = Alignment(wrap_text=True, horizontal="center", vertical="center")
        self.right = Alignment(wrap_text=True, horizontal="right", vertical="top")
        self.line = Alignment(vertical="center")
        self.heights: dict[int, float] = {}
        _named_styles(ws.parent, self)

    def title(self, text: str) -> None:
        cell = self._put(self.row, 1, text)
        cell.font, cell.alignment = self.big, self.line
        self.heights[self.row] = 24
        self.row += 2

    def heading(self, text: str) -> None:
        if self.row > 1 and self.first_header is not None:
            self.row += 1
        cell = self._put(self.row, 1, text)
        cell.font, cell.alignment = self.bold, self.line
        self.row += 1

    def note(self, text: str) -> None:
        for offset, part in enumerate(text.split("\t")):
            cell = self._put(self.row, 1 + offset, part)
            cell.font, cell.alignment = self.font, self.line
        self.row += 1

    def skip(self) -> None:
        self.row += 1

    def header(self, columns: list[Column]) -> None:
        top = self.row
        for index, column in enumerate(columns, start=1):
            self.widths[index] = column.width
            for depth, label in enumerate(column.labels):
                own = own_columns.is_own(unicodedata.normalize("NFKC", column.labels[0]))
                self.ws.cell(top + depth, index).style = "kl_own" if own else "kl_header"
                if label is not None:
                    self._put(top + depth, index, label)
        for merge in _header_merges(columns, top):
            self._merge(**merge)
        if self.first_header is None:
            self.first_header = (top, top + 2)
        self.row = top + 3

    def project(
        self, columns: list[Column], result: ProjectResult, kpis: list[KpiResult], first: bool
    ) -> None:
        top, count = self.row, len(kpis)
        for offset, kpi in enumerate(kpis):
            for index, column in enumerate(columns, start=1):
                value = column.kpi(kpi) if column.kpi else None
                self._value(top + offset, index, value, column.number_format)
        for index, column in enumerate(columns, start=1):
            if column.project is None:
                continue
            value = column.project(result) if first or index == 1 else None
            self._value(top, index, value, column.number_format)
            multiline = isinstance(value, str) and "\n" in value and index > 2
            if count > 1 and not multiline:
                self._merge(top, index, top + count - 1, index)
        self._fit_heights(columns, result, kpis, top, first)
        self.row = top + count

    def _value(self, row: int, column: int, value: Value, number_format: str | None) -> None:
        cell = self.ws.cell(row, column)
        cell.style = "kl_number" if isinstance(value, Decimal) else "kl_cell"
        if isinstance(value, Decimal):
            _put_number(cell, value, number_format)
        elif value is not None and value != "":
            self._put(row, column, value)

    def _merge(self, start_row: int, start_column: int, end_row: int, end_column: int) -> None:
        """Merge a range (never overlapping another: openpyxl's own check is quadratic), its
        covered cells bordered as the table."""
        from openpyxl.cell.cell import MergedCell
        from openpyxl.worksheet.cell_range import CellRange
        from openpyxl.worksheet.merge import MergedCellRange

        area = CellRange(min_row=start_row, min_col=start_column, max_row=end_row,
                         max_col=end_column)  # fmt: skip
        self.ws.merged_cells.ranges.add(MergedCellRange(self.ws, area.coord))
        for row, column in list(area.cells)[1:]:
            covered = MergedCell(self.ws, row, column)
            covered.border = self.border
            self.ws._cells[row, column] = covered

    def _put(self, row: int, column: int, text: str) -> Any:
        """A text cell, never a formula (`=…` stays text, and Excel keeps it text on edit)."""
        cell = self.ws.cell(row, column)
        cell.value = _ILLEGAL.sub("", text)
        cell.data_type = "s"
        if text[:1] in ("=", "+", "-", "@") and len(text) > 1:
            cell.quotePrefix = True
        return cell

    def _fit_heights(
        self,
        columns: list[Column],
        result: ProjectResult,
        kpis: list[KpiResult],
        top: int,
        first: bool,
    ) -> None:
        """Row heights for wrapped text (Excel does not fit merged cells): each KPI row fits
        its own cells, and the rows together fit the project's merged cells."""
        own = [
            max((_lines(c.kpi(kpi), c.width) for c in columns if c.kpi is not None), default=1)
            for kpi in kpis
        ]
        merged = max(
            (_lines(c.project(result), c.width) for c in columns if c.project and first),
            default=1,
        )
        extra = max(0, merged - sum(own))
        for offset, lines in enumerate(own):
            share = math.ceil(extra / len(own))
            self.heights[top + offset] = 13.5 * (lines + share) + 3

    def finish(self, width: int, publisher: Publisher | None, title: str | None) -> None:
        from openpyxl.utils import get_column_letter

        ws = self.ws
        for index, value in self.widths.items():
            ws.column_dimensions[get_column_letter(index)].width = value
        for row, height in self.heights.items():
            ws.row_dimensions[row].height = height
        last = max(1, self.row - 1)
        ws.print_area = f"A1:{get_column_letter(max(width, 1))}{last}"
        if self.first_header is not None:
            ws.print_title_rows = f"{self.first_header[0]}:{self.first_header[1]}"
        setup = ws.page_setup
        setup.orientation, setup.paperSize = "landscape", ws.PAPERSIZE_A4
        setup.fitToWidth, setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.page_margins.top = ws.page_margins.bottom = 0.6
        if publisher is not None:
            ws.oddHeader.right.text = f"{publisher.name}（{publisher.code}）"
        ws.oddFooter.center.text = "&P / &N"


def _named_styles(book: Any, sheet: _Sheet) -> None:
    """The table's cell styles, registered once (a style per cell is slow to set)."""
    from openpyxl.styles import NamedStyle

    kinds = {
        "kl_header": (sheet.bold, sheet.center, sheet.fill),
        "kl_own": (sheet.bold, sheet.center, sheet.own_fill),
        "kl_cell": (sheet.font, sheet.wrap, None),
        "kl_number": (sheet.font, sheet.right, None),
    }
    for name, (font, alignment, fill) in kinds.items():
        style = NamedStyle(name, font=font, alignment=alignment, border=sheet.border)
        if fill is not None:
            style.fill = fill
        book.add_named_style(style)


def _header_merges(columns: list[Column], top: int) -> list[dict[str, int]]:
    """Each label over the rows below it left empty (None), and the same label over adjacent
    columns on one row (K P I…, 指標値, 実績値)."""
    merges: list[dict[str, int]] = []
    for index, column in enumerate(columns, start=1):
        for depth, label in enumerate(column.labels):
            extent = 1
            while depth + extent < 3 and column.labels[depth + extent] is None:
                extent += 1
            if label is not None and extent > 1:
                merges.append(_range(top + depth, index, top + depth + extent - 1, index))
    for depth in range(3):
        start = 0
        while start < len(columns):
            label = _label_at(columns[start], depth)
            end = start
            while end + 1 < len(columns) and label and _label_at(columns[end + 1], depth) == label:
                end += 1
            if end > start:
                merges.append(_range(top + depth, start + 1, top + depth, end + 1))
            start = end + 1
    return merges


def _label_at(column: Column, depth: int) -> str | None:
    """The label starting at `depth` when it covers that one row only (a horizontal group)."""
    label = column.labels[depth]
    below = column.labels[depth + 1] if depth < 2 else "end"
    return label if label is not None and below is not None else None


def _range(top: int, left: int, bottom: int, right: int) -> dict[str, int]:
    return {"start_row": top, "start_column": left, "end_row": bottom, "end_column": right}


# --- values ---------------------------------------------------------------------------------


def _put_number(cell: Any, value: Decimal, number_format: str | None) -> None:
    """A Decimal as an Excel number whose format shows exactly its digits (what the Excel
    reader reads back: `number_text`), else as text (more than 15 significant digits)."""
    text = plain(value)
    places = len(text.partition(".")[2])
    fmt = number_format or _format(places)
    number = float(value)
    if number_text(number, fmt) == text:
        cell.value, cell.number_format = number, fmt
    else:
        cell.value, cell.data_type = text, "s"


def _format(places: int) -> str:
    """`#,##0` with `places` decimals; a negative shown as `△12` (Japanese reports)."""
    positive = "#,##0" + ("." + "0" * places if places else "")
    return f'{positive};"△"{positive}'


def _lines(value: Value, width: float) -> int:
    """How many lines a wrapped text takes in a column `width` characters wide (a wide
    character counts two)."""
    if value is None:
        return 1
    text = value if isinstance(value, str) else plain(value)
    total = 0
    for line in text.split("\n"):
        size = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
        total += max(1, math.ceil(size / max(width - 1, 1)))
    return total
