"""The table interpreter shared by every format: rows of cells → `Report`.

The layout it reads: a title line (`## 令和5年度…の実績`), section headings in 【】 (`…対象事業`,
`…関連事業`), then per section a KPI table: a header block, then one row per KPI; a row with a
project name starts a project, rows without one continue it. Columns are found by their header
text (see `columns`), so other column orders and extra columns (基準値, 達成率, 備考) are read
too. Every format's reader (text, CSV, Excel, PDF) hands it a `Source`; problems are located in
the format's own terms by `Source.locate`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kpiledger.core.era import parse_fiscal_year
from kpiledger.core.errors import EraError, Problem, ReportError
from kpiledger.core.model import Kpi, Project, Report, Section
from kpiledger.io.readers.assessment import read_assessment
from kpiledger.io.readers.cells import RowReader, split_grant, split_target
from kpiledger.io.readers.columns import (
    Columns,
    Role,
    Row,
    is_header_row,
    is_header_start,
    map_columns,
    norm,
)
from kpiledger.io.readers.layout import SECTION_HEADING, is_note
from kpiledger.io.readers.missing_name import no_header
from kpiledger.io.readers.multi import join_text, split_kpis
from kpiledger.io.readers.slots import SlotRow, continuation, indicator_index, slot_row
from kpiledger.io.readers.source import Source
from kpiledger.io.readers.truncation import truncation

TITLE_YEAR = re.compile(r"((?:令和|平成|昭和|[RHS])\s*(?:元|[0-9０-９]+)|[0-9０-９]{4})\s*年度")


def interpret(source: Source) -> Report:
    """The report in `source`'s rows; raises `ReportError` listing every problem, located in
    the file's own terms. Signs that the file was cut short are `Report.warnings`."""
    rows = source.rows
    state = _State(source=source)
    index = 0
    while index < len(rows):
        index = state.feed(rows, index)
    try:
        report = state.finish(source.unterminated)
    except ReportError as error:
        raise ReportError([source.locate(p) for p in error.problems]) from None
    report.warnings = [source.locate(w) for w in report.warnings]
    return report


@dataclass
class _State:
    source: Source
    title: str | None = None
    section: Section | None = None
    section_grant: str | None = None
    columns: Columns | None = None
    project: Project | None = None
    projects: list[Project] = field(default_factory=list)
    by_name: dict[str, Project] = field(default_factory=dict)  # normalized name → project
    years: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    headers: int = 0
    bare_end: Row | None = None  # the last section heading or header, while no row follows it
    indicators: set[tuple[int, str]] = field(default_factory=set)  # (id(project), indicator)
    slot: SlotRow | None = None  # the national form's last KPI row (see `slots`)

    def feed(self, rows: list[Row], index: int) -> int:
        """Consume the row at `index` (and a header block's rows); return the next index."""
        row = rows[index]
        filled = [c for c in row.cells if c]
        if not filled:
            return index + 1
        if self._starts_header(row.cells):
            self.bare_end = row
            return self._header(rows, index)
        self.bare_end = None
        if len(filled) == 1 and self._is_heading(rows, index):
            text = filled[0].lstrip("#").strip()
            self._heading(text)
            self.bare_end = row if SECTION_HEADING.match(text) else None
        elif self.columns is not None:
            self._row(row)
        else:
            self.notes.append("\t".join(row.cells).strip())
        return index + 1

    def _starts_header(self, cells: list[str]) -> bool:
        """A row opening a header block; inside a table (after a header) it must also be made
        of header words only, so a KPI row whose texts contain 名称 and 指標 stays data."""
        if not is_header_start(cells):
            return False
        return self.headers == 0 or is_header_row(cells)

    def _is_heading(self, rows: list[Row], index: int) -> bool:
        """A line with one text: a title, section heading or note. Inside a table, a text in
        the project-name column is a project name (its KPIs follow) unless it reads as a
        heading (`#`, 【】) or a note (`NOTE_PREFIXES`); written without any tab, it is one only
        when the next row continues a project."""
        cells = rows[index].cells
        if self.columns is None:
            return True
        first = cells[0].lstrip("#").strip()
        if cells[0].startswith("#") or SECTION_HEADING.match(first) or is_note(first):
            return True
        if len(cells) > 1:
            return False
        return not (self.columns.roles[Role.NAME] == 0 and self._kpi_follows(rows, index))

    def _kpi_follows(self, rows: list[Row], index: int) -> bool:
        """Whether the next non-blank row is a KPI row without a project name."""
        assert self.columns is not None
        following = (r for r in rows[index + 1 :] if any(r.cells))
        row = next(following, None)
        if row is None or len(row.cells) < 2:
            return False
        reader = RowReader(self.columns, row.cells, row.line)
        return not reader.cell(Role.NAME) and bool(reader.cell(Role.INDICATOR))

    def _heading(self, text: str) -> None:
        match = SECTION_HEADING.match(text)
        if match:
            self._section(match.group(1).strip())
        elif self.title is None and not self.projects and self.columns is None:
            self.title = text
        else:
            self.notes.append(text)
        if match:  # a new section: its rows may follow under the same header, or a new one
            self.project = None

    def _section(self, inner: str) -> None:
        if inner.endswith("関連事業"):
            self.section, self.section_grant = Section.RELATED, None
        else:
            self.section = Section.TARGET
            grant = inner.removesuffix("対象事業").strip()
            self.section_grant = grant or None

    def _header(self, rows: list[Row], start: int) -> int:
        """Read the header block starting at `start`; return the index after it."""
        block = [rows[start]]
        end = start + 1
        while (
            end < len(rows)
            and any(rows[end].cells)
            and not _is_section_row(rows[end].cells)
            and is_header_row(rows[end].cells)
        ):
            block.append(rows[end])
            end += 1
        columns, problems = map_columns(block, self._title_year())
        self.headers += 1
        self.problems.extend(problems)
        if not _same_layout(self.columns, columns):
            self.project = None  # a header repeated at a page break keeps the project open
        self.columns = None if problems else columns
        if not problems:
            self.years.extend(y for y in columns.years.values() if y not in self.years)
        return end

    def _row(self, row: Row) -> None:
        """A table row: a project name and/or a KPI, a summary continuation, or a problem."""
        assert self.columns is not None
        reader = RowReader(self.columns, row.cells, row.line)
        name, indicator = reader.cell(Role.NAME), reader.cell(Role.INDICATOR)
        if name:
            self._start_project(name, reader.cell(Role.SUMMARY), row.line)
        if self.project is not None:
            self.problems.extend(read_assessment(self.project, reader))
        if not indicator:
            if reader.is_empty_slot():
                return  # the national form's unused 指標③ row
            if reader.has_kpi_values():
                self.problems.append(reader.missing_indicator())
            elif not name:
                self._continue_text(reader)
            return
        if self.project is None:
            self.problems.append(_orphan(row.line, self.columns))
            return
        self._kpis(row)

    def _kpis(self, row: Row) -> None:
        """The row's KPIs: one, or several written in its cells (`multi`). A row of the
        national form that only continues the slot above adds none (`slots`)."""
        assert self.columns is not None and self.project is not None
        if self._continues_slot(row):
            return
        text = indicator_index(self.columns, row.cells)
        parts, problems = split_kpis(self.columns, row.cells, row.line, text)
        self.problems.extend(problems)
        count = 0 if problems else len(parts)
        kpis: list[Kpi] = []
        for number, cells in enumerate(parts[:count], start=1):
            part = (number, count) if count > 1 else None
            kpi = self._kpi(RowReader(self.columns, cells, row.line, part=part))
            kpis += [kpi] if kpi is not None else []
        if self.columns.indicator_text is not None:
            self.slot = slot_row(self.columns, row.cells, self.project, kpis)

    def _kpi(self, reader: RowReader) -> Kpi | None:
        """One KPI of a row, added to the project; None when it has a problem."""
        assert self.columns is not None and self.project is not None
        indicator = reader.cell(Role.INDICATOR)
        in_indicator = Role.TARGET not in self.columns.roles and not self.columns.yearly_targets
        split = split_target(indicator) if in_indicator else None
        if self._repeated_indicator(split[0] if split else indicator, reader.line):
            return None
        kpi = reader.read_kpi()
        once = (self.columns.missing_target, self.columns.missing_date)  # told once per table
        self.problems.extend(
            p for p in reader.problems if all(p is not o for o in once) or p not in self.problems
        )
        if kpi is not None:
            self.project.kpis.append(kpi)
            self.years.extend(y for y in kpi.actuals if y not in self.years)  # per-row years
        return kpi

    def _continues_slot(self, row: Row) -> bool:
        """A national form row continuing the slot above (`slots.continuation`): nothing to
        read, or its text wrapped into this row, added to the slot's one KPI. With no such KPI
        (the slot's row was refused, or held several) the row is read as a row of its own."""
        assert self.columns is not None and self.project is not None
        more = continuation(self.slot, self.project, self.columns, row.cells)
        if more is None or self.slot is None:
            return False
        if not more:
            return True
        if len(self.slot.kpis) != 1:
            return False
        kpi = self.slot.kpis[0]
        self.indicators.discard((id(self.project), norm(kpi.indicator)))
        kpi.indicator = join_text(kpi.indicator, more)
        self.slot.text = join_text(self.slot.text, more)
        self.indicators.add((id(self.project), norm(kpi.indicator)))
        return True

    def _start_project(self, name: str, summary: str, line: int) -> None:
        """Start a project, or continue the one of that name (a name row repeated after a page
        break); the same name in the other section is `duplicate-project`."""
        grant, bare = split_grant(name)
        section = self.section or (Section.RELATED if grant else Section.TARGET)
        if grant is None and section is Section.TARGET:
            grant = self.section_grant
        project = Project(bare, section, grant, summary or None, line=line)
        key = norm(bare)
        earlier = self.by_name.get(key)
        if earlier is not None and earlier.section is section:
            self.project = earlier
            return
        self.project = project
        if earlier is not None:
            self.problems.append(self._duplicate_project(earlier, line))
            return  # its rows are still checked, but the project is not kept
        self.projects.append(project)
        self.by_name[key] = project

    def _duplicate_project(self, earlier: Project, line: int) -> Problem:
        assert self.columns is not None
        index = self.columns.roles[Role.NAME]
        return Problem(
            "duplicate-project",
            f"事業「{earlier.name}」は{self.source.where_ja(earlier.line)}にも"
            f"「{earlier.section}」としてあります（同じ名前の事業が別の区分にあります）",
            f"project '{earlier.name}' is also on {self.source.where_en(earlier.line)}, in the"
            f" other section ({earlier.section})",
            line=line,
            column=index + 1,
            field=self.columns.label(index) or None,
        )

    def _repeated_indicator(self, indicator: str, line: int) -> bool:
        """`duplicate-indicator` for a project's second row with the same 指標."""
        assert self.columns is not None and self.project is not None
        key = (id(self.project), norm(indicator))
        if key not in self.indicators:
            self.indicators.add(key)
            return False
        index = self.columns.roles[Role.INDICATOR]
        self.problems.append(
            Problem(
                "duplicate-indicator",
                f"事業「{self.project.name}」に指標「{indicator}」が2回あります",
                f"project '{self.project.name}' has the indicator '{indicator}' twice",
                line=line,
                column=index + 1,
                field=self.columns.label(index) or None,
            )
        )
        return True

    def _continue_text(self, reader: RowReader) -> None:
        """A row with only summary text continues the current project's summary."""
        more = reader.cell(Role.SUMMARY)
        if self.project is not None and more:
            joined = f"{self.project.summary}\n{more}" if self.project.summary else more
            self.project.summary = joined
        elif more or any(reader.cells):
            self.notes.append(" ".join(c for c in reader.cells if c))

    def finish(self, unterminated: Row | None = None) -> Report:
        """The report; `unterminated` is the last row when the file ends without a line break."""
        self._check_complete()
        if self.problems:
            raise ReportError(self.problems)
        year = self._report_year()
        report = Report(self.title, year, self.projects, sorted(self.years), self.notes)
        report.warnings = truncation(self.bare_end, unterminated, self.columns, report)
        return report

    def _check_complete(self) -> None:
        if self.headers == 0:
            self.problems.insert(0, no_header(self.source.rows))
            return
        date = self.columns.missing_date if self.columns else None
        told = any(p is date for p in self.problems)  # rows refused for want of a date
        for project in self.projects:
            if told or project.kpis or any(p.line == project.line for p in self.problems):
                continue
            self.problems.append(
                Problem(
                    "project-without-kpi",
                    f"事業「{project.name}」に指標の行がありません（表が途中で切れていませんか）",
                    f"project '{project.name}' has no KPI row (is the table cut short?)",
                    line=project.line,
                )
            )
        missing = [self.columns.missing_target, self.columns.missing_date] if self.columns else []
        if not self.projects and not self.problems and any(missing):
            self.problems.extend(p for p in missing if p is not None)  # no row to read from
            return
        if not self.projects and not self.problems:
            self.problems.append(
                Problem("no-kpi-rows", "KPIの行が一つもありません", "the report has no KPI row")
            )

    def _report_year(self) -> int:
        """The last fiscal year written in the title, else the latest actual column."""
        year = self._title_year()
        return year if year is not None else max(self.years)

    def _title_year(self) -> int | None:
        """The last fiscal year written in the title (`第2期総合戦略（令和2年度～令和6年度）に
        係る令和5年度…` → 2023); also the year of a 実績値 column written without one."""
        for match in reversed(list(TITLE_YEAR.finditer(self.title or ""))):
            try:
                return parse_fiscal_year(match.group(1) + "年度")
            except EraError:
                continue
        return None


def _is_section_row(cells: list[str]) -> bool:
    """A row holding only a section heading such as 【…関連事業】."""
    filled = [c.strip() for c in cells if c.strip()]
    return len(filled) == 1 and SECTION_HEADING.match(filled[0].lstrip("#").strip()) is not None


def _same_layout(before: Columns | None, after: Columns) -> bool:
    if before is None:
        return False
    return (before.roles, before.years, before.yearly_targets, before.interims) == (
        after.roles,
        after.years,
        after.yearly_targets,
        after.interims,
    )


def _orphan(line: int, columns: Columns) -> Problem:
    index = columns.roles[Role.NAME]
    return Problem(
        "kpi-without-project",
        "事業の名称より前に指標の行があります",
        "a KPI row comes before any project name",
        line=line,
        column=index + 1,
        field=columns.label(index) or None,
    )
