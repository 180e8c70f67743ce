"""Reader for the published text layout of a KPI result report (the reference report).

The layout: a title line (`## 令和5年度…の実績`), section headings in 【】 (`…対象事業`,
`…関連事業`), then per section a KPI table of tab-separated cells: a header block, then one
row per KPI; a row with a project name starts a project, rows without one continue it.
Columns are found by their header text (see `columns`), so other column orders and extra
columns (基準値, 達成率, 備考) are read too. UTF-8 (with or without BOM), UTF-16 with a BOM
(Excel's "Unicode テキスト") or CP932, any line ending, blank lines and trailing notes are
accepted. Cells are split as Excel writes tab-separated text: a cell in double quotes may hold
tabs, line breaks and `""` (a quote); a row's line number is the line it starts on.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kpiledger.core.era import parse_fiscal_year
from kpiledger.core.errors import EraError, Problem, ReportError
from kpiledger.core.model import Project, Report, Section
from kpiledger.io.readers.cells import RowReader, split_grant
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
from kpiledger.io.readers.truncation import truncation

TITLE_YEAR = re.compile(r"((?:令和|平成|昭和|[RHS])\s*(?:元|[0-9０-９]+)|[0-9０-９]{4})\s*年度")


def read(path: str | Path) -> Report:
    """Read a report file; raises `ReportError` listing every problem."""
    from kpiledger.io.readers import read_bytes

    return parse(decode(read_bytes(Path(path))))


def decode(data: bytes) -> str:
    """UTF-16 with a BOM (Excel's "Unicode テキスト"), else UTF-8 (a BOM is dropped), else
    CP932 (Shift_JIS as written by Windows Excel)."""
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    for encoding in ("utf-16",) if utf16 else ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReportError.single(
        "bad-encoding",
        "文字コードを判別できません（UTF-8、Shift_JIS、UTF-16（BOM付き）のいずれかで保存してください）",
        "cannot decode the file (save it as UTF-8, Shift_JIS or UTF-16 with a BOM)",
    )


def tokenize(text: str) -> list[Row]:
    """The rows of tab-separated text, split as Excel writes them (quoted cells may hold tabs
    and line breaks), each with the 1-based line it starts on; cells are trimmed."""
    lines = io.StringIO(text.lstrip("\ufeff"), newline="").readlines()
    reader = csv.reader(lines, delimiter="\t")
    rows: list[Row] = []
    start = 1
    try:
        for cells in reader:
            rows.append(Row(start, [_cell(c) for c in cells]))
            start = reader.line_num + 1
    except csv.Error as error:
        raise ReportError.single(
            "bad-cell",
            f"行をセルに分けられません（{error}）",
            f"cannot split the row into cells ({error})",
            line=start,
        ) from None
    _check_last_quote(lines, rows)
    return rows


def _cell(text: str) -> str:
    """A cell trimmed, its line breaks written `\\n`."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _check_last_quote(lines: list[str], rows: list[Row]) -> None:
    """A quote left open swallows the rest of the file into one cell: say so, where it opened."""
    if not rows:
        return
    last = rows[-1]
    probe = csv.reader(lines[last.line - 1 :], delimiter="\t", strict=True)
    try:
        for _ in probe:
            pass
    except csv.Error as error:
        if "unexpected end of data" not in str(error):
            return
        raise ReportError.single(
            "unclosed-quote",
            '「"」で始まるセルが閉じられていません（ファイルの最後までが1つのセルになります）',
            "a cell opened with '\"' is never closed (the rest of the file would be one cell)",
            line=last.line,
            column=len(last.cells),
        ) from None


COMMA_LINES = 3  # lines of the same number (≥ 3) of comma-separated cells that make CSV


def check_tab_separated(text: str) -> None:
    """A text file without a single tab whose lines split on commas into cells is CSV saved as
    .txt: say so (one clear problem), rather than a missing column for every header cell."""
    if "\t" in text:
        return
    lines = io.StringIO(text.lstrip("\ufeff"), newline="").readlines()
    try:
        widths = Counter(len(cells) for cells in csv.reader(lines) if len(cells) >= 3)
    except csv.Error:
        return
    if not widths or widths.most_common(1)[0][1] < COMMA_LINES:
        return
    raise ReportError.single(
        "looks-comma-separated",
        "このファイルはタブ区切りではなく、カンマ区切り（CSV）のようです。"
        "Excelで開き「テキスト（タブ区切り）」として保存し直してください",
        "this file looks comma-separated (CSV), not tab-separated: open it in Excel and save it"
        " as 'Text (Tab delimited)'",
    )


def parse(text: str) -> Report:
    """Parse the text of a report; raises `ReportError` listing every problem. Signs that the
    file was cut short are `Report.warnings` (see `truncation`)."""
    check_tab_separated(text)
    rows = tokenize(text)
    state = _State()
    index = 0
    while index < len(rows):
        index = state.feed(rows, index)
    unterminated = rows[-1] if rows and not text.endswith(("\n", "\r")) else None
    return state.finish(unterminated)


@dataclass
class _State:
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
        columns, problems = map_columns(block)
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
        if not indicator:
            if reader.has_kpi_values():
                self.problems.append(reader.missing_indicator())
            elif not name:
                self._continue_text(reader)
            return
        if self.project is None:
            self.problems.append(_orphan(row.line, self.columns))
            return
        if self._repeated_indicator(indicator, row.line):
            return
        kpi = reader.read_kpi()
        self.problems.extend(reader.problems)
        if kpi is not None:
            self.project.kpis.append(kpi)

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
            f"事業「{earlier.name}」は{earlier.line}行目にも「{earlier.section}」として"
            "あります（同じ名前の事業が別の区分にあります）",
            f"project '{earlier.name}' is also on line {earlier.line}, in the other section "
            f"({earlier.section})",
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
        """The last fiscal year written in the title (`第2期総合戦略（令和2年度～令和6年度）に
        係る令和5年度…` → 2023), else the latest actual column."""
        for match in reversed(list(TITLE_YEAR.finditer(self.title or ""))):
            try:
                return parse_fiscal_year(match.group(1) + "年度")
            except EraError:
                continue
        return max(self.years)


def _is_section_row(cells: list[str]) -> bool:
    """A row holding only a section heading such as 【…関連事業】."""
    filled = [c.strip() for c in cells if c.strip()]
    return len(filled) == 1 and SECTION_HEADING.match(filled[0].lstrip("#").strip()) is not None


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
