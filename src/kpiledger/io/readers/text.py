"""Reader for the published text layout of a KPI result report (the reference report).

The layout: a title line (`## 令和5年度…の実績`), section headings in 【】 (`…対象事業`,
`…関連事業`), then per section a KPI table of tab-separated cells: a header block, then one
row per KPI; a row with a project name starts a project, rows without one continue it.
Columns are found by their header text (see `columns`), so other column orders and extra
columns (基準値, 達成率, 備考) are read too. UTF-8 (with or without BOM) or CP932, any line
ending, blank lines and trailing notes are accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from kpiledger.core.era import parse_fiscal_year
from kpiledger.core.errors import EraError, Problem, ReportError
from kpiledger.core.model import Project, Report, Section
from kpiledger.io.readers.cells import RowReader, split_grant
from kpiledger.io.readers.columns import (
    Columns,
    Role,
    is_header_row,
    is_header_start,
    map_columns,
)

SECTION_HEADING = re.compile(r"^[【\[](.+)[】\]]$")
TITLE_YEAR = re.compile(r"((?:令和|平成|昭和|[RHS])\s*(?:元|[0-9０-９]+)|[0-9０-９]{4})\s*年度")
NOTE_MARKS = ("※", "＊", "*", "注", "（注", "(注", "出典", "資料")


def read(path: str | Path) -> Report:
    """Read a report file; raises `ReportError` listing every problem."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ReportError.single(
            "cannot-open",
            f"ファイルを開けません: {path}（{error.strerror}）",
            f"cannot open the file: {path} ({error.strerror})",
        ) from None
    return parse(decode(data))


def decode(data: bytes) -> str:
    """UTF-8 (a BOM is dropped), else CP932 (Shift_JIS as written by Windows Excel)."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReportError.single(
        "bad-encoding",
        "文字コードを判別できません（UTF-8 または Shift_JIS で保存してください）",
        "cannot decode the file (save it as UTF-8 or Shift_JIS)",
    )


def parse(text: str) -> Report:
    """Parse the text of a report; raises `ReportError` listing every problem."""
    state = _State()
    lines = text.lstrip("\ufeff").splitlines()
    number = 0
    while number < len(lines):
        number = state.feed(lines, number)
    return state.finish()


@dataclass
class _State:
    title: str | None = None
    section: Section | None = None
    section_grant: str | None = None
    columns: Columns | None = None
    project: Project | None = None
    projects: list[Project] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    headers: int = 0

    def feed(self, lines: list[str], index: int) -> int:
        """Consume the line at `index` (and a header block's rows); return the next index."""
        cells = [c.strip() for c in lines[index].split("\t")]
        filled = [c for c in cells if c]
        if not filled:
            return index + 1
        if is_header_start(cells):
            return self._header(lines, index)
        if len(filled) == 1 and self._is_heading(cells):
            self._heading(filled[0].lstrip("#").strip())
        elif self.columns is not None:
            self._row(cells, index + 1)
        else:
            self.notes.append(lines[index].strip())
        return index + 1

    def _is_heading(self, cells: list[str]) -> bool:
        """A line with one text: a title, section heading or note — also when an exporter
        padded it with tabs to the table's width, as long as the text is in the first cell
        and reads as a heading or a note."""
        if len(cells) == 1 or self.columns is None:
            return True
        first = cells[0].lstrip("#").strip()
        return bool(first) and (
            cells[0].startswith("#")
            or SECTION_HEADING.match(first) is not None
            or first.startswith(NOTE_MARKS)
        )

    def _heading(self, text: str) -> None:
        match = SECTION_HEADING.match(text)
        if match:
            self._section(match.group(1).strip())
        elif self.title is None and not self.projects and self.columns is None:
            self.title = text
        else:
            self.notes.append(text)
        self.columns = self.columns if not match else None
        self.project = self.project if not match else None

    def _section(self, inner: str) -> None:
        if inner.endswith("関連事業"):
            self.section, self.section_grant = Section.RELATED, None
        else:
            self.section = Section.TARGET
            grant = inner.removesuffix("対象事業").strip()
            self.section_grant = grant or None

    def _header(self, lines: list[str], start: int) -> int:
        rows = [lines[start].split("\t")]
        end = start + 1
        while end < len(lines) and lines[end].strip() and is_header_row(lines[end].split("\t")):
            rows.append(lines[end].split("\t"))
            end += 1
        columns, problems = map_columns(rows, start + 1)
        self.headers += 1
        self.problems.extend(problems)
        if not _same_layout(self.columns, columns):
            self.project = None  # a header repeated at a page break keeps the project open
        self.columns = None if problems else columns
        if not problems:
            self.years.extend(y for y in columns.years.values() if y not in self.years)
        return end

    def _row(self, cells: list[str], line: int) -> None:
        assert self.columns is not None
        reader = RowReader(self.columns, cells, line)
        name = reader.cell(Role.NAME)
        if name:
            self._start_project(name, reader.cell(Role.SUMMARY), line)
        elif not reader.cell(Role.INDICATOR):
            self._continue_text(reader)
            return
        if not reader.cell(Role.INDICATOR):
            return
        if self.project is None:
            self.problems.append(_orphan(line, self.columns))
            return
        kpi = reader.read_kpi()
        self.problems.extend(reader.problems)
        if kpi is not None:
            self.project.kpis.append(kpi)

    def _start_project(self, name: str, summary: str, line: int) -> None:
        grant, bare = split_grant(name)
        section = self.section or (Section.RELATED if grant else Section.TARGET)
        if grant is None and section is Section.TARGET:
            grant = self.section_grant
        self.project = Project(bare, section, grant, summary or None, line=line)
        self.projects.append(self.project)

    def _continue_text(self, reader: RowReader) -> None:
        """A row with only summary text continues the current project's summary."""
        more = reader.cell(Role.SUMMARY)
        if self.project is not None and more:
            joined = f"{self.project.summary}\n{more}" if self.project.summary else more
            self.project.summary = joined
        elif more or any(reader.cells):
            self.notes.append(" ".join(c for c in reader.cells if c))

    def finish(self) -> Report:
        self._check_complete()
        if self.problems:
            raise ReportError(self.problems)
        year = self._report_year()
        return Report(self.title, year, self.projects, sorted(self.years), self.notes)

    def _check_complete(self) -> None:
        if self.headers == 0:
            self.problems.insert(0, _NOT_A_REPORT)
            return
        for project in self.projects:
            if not project.kpis and not any(p.line == project.line for p in self.problems):
                self.problems.append(
                    Problem(
                        "project-without-kpi",
                        f"事業「{project.name}」に指標の行がありません（表が途中で切れていませんか）",
                        f"project '{project.name}' has no KPI row (is the table cut short?)",
                        line=project.line,
                    )
                )
        if not self.projects and not self.problems:
            self.problems.append(
                Problem("no-kpi-rows", "KPIの行が一つもありません", "the report has no KPI row")
            )

    def _report_year(self) -> int:
        """The year in the title (令和5年度… → 2023), else the latest actual column."""
        match = TITLE_YEAR.search(self.title or "")
        if match:
            try:
                return parse_fiscal_year(match.group(1) + "年度")
            except EraError:
                pass
        return max(self.years)


def _same_layout(before: Columns | None, after: Columns) -> bool:
    return before is not None and (before.roles, before.years) == (after.roles, after.years)


_NOT_A_REPORT = Problem(
    "not-a-report",
    "KPI表の見出し行（「事業の名称」と「指標」を含む行）が見つかりません。KPI実績報告ではないようです",
    "no KPI table header (a row naming 事業の名称 and 指標) was found: this is not a KPI report",
    line=1,
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
