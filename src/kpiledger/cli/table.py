"""The `table` format: a readable, coloured terminal table (rich), grouped by project.

Every text from the report (title, project and grant names, indicators, units, markers, notes)
is passed to rich as a `Text` made by `literal`, never as a string: rich reads strings as
markup (`[red]…[/red]`, `[link=…]`) and emoji codes (`:smile:`), which would alter or drop
published text, or fail on a stray `[/x]`.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from kpiledger.cli.terminal import printable
from kpiledger.core.era import fiscal_year_label, format_short
from kpiledger.core.evaluate import KpiResult, ProjectResult, ReportResult, Status
from kpiledger.core.model import Actual
from kpiledger.core.numbers import format_number

STATUS_STYLE = {
    Status.ACHIEVED: ("✔", "bold green"),
    Status.NEARLY_ACHIEVED: ("△", "bold yellow"),
    Status.NOT_ACHIEVED: ("✘", "bold red"),
    Status.NO_DATA: ("－", "dim"),
    Status.NOT_DUE: ("…", "cyan"),
}


def literal(text: str, style: str = "") -> Text:
    """`text` shown exactly as published: no markup or emoji codes read, and control
    characters written as `\\x1b` instead of being sent to the terminal (see `printable`)."""
    return Text(printable(text), style=style)


def status_text(result: KpiResult) -> Text:
    """Icon + Japanese label (never colour alone), with the progress of a target not yet due."""
    icon, style = STATUS_STYLE[result.status]
    label = f"{icon} {result.status.label_ja}"
    if result.progress is not None:
        label += f"（{result.progress.label_ja}）"
    return Text(label, style=style)


def print_report(result: ReportResult, console: Console | None = None) -> None:
    console = console or _console()
    title = result.report.title or "KPI実績"
    year = fiscal_year_label(result.fiscal_year)
    console.print(literal(title, style="bold"), Text(f"（評価年度: {year}）"))
    later = [y for y in result.report.year_columns if y > result.fiscal_year]
    if later:
        shown = "・".join(fiscal_year_label(y) for y in later)
        console.print(
            Text(
                f"{year}時点で評価しています。{shown}の実績は参考に表示するだけで、評価には使っていません。"
                f" / Judged as of FY{result.fiscal_year}: later columns are shown, not judged.",
                style="yellow",
            )
        )
    for project in result.projects:
        console.print(project_table(project, result.report.year_columns, result.fiscal_year))
    console.print(summary_line(result))
    for note in result.report.notes:
        console.print(literal(note, style="dim"))


def _console() -> Console:
    """A terminal's own width; 160 columns when writing to a file or pipe."""
    console = Console(markup=False, emoji=False)
    return console if console.is_terminal else Console(width=160, markup=False, emoji=False)


def project_table(project: ProjectResult, years: list[int], report_year: int) -> Table:
    p = project.project
    grant = f"【{p.grant}】" if p.grant else ""
    table = Table(
        title=literal(f"{grant}{p.name}"),
        title_justify="left",
        caption=literal(_caption(project)),
        caption_justify="left",
        show_lines=False,
    )
    table.add_column("指標", overflow="fold", min_width=16)
    table.add_column("指標値", justify="right", no_wrap=True)
    table.add_column("単位", no_wrap=True)
    table.add_column("年月", no_wrap=True)
    for year in years:
        table.add_column(fiscal_year_label(year), justify="right", no_wrap=True)
    table.add_column("達成率", justify="right", no_wrap=True)
    table.add_column("状況", no_wrap=True)
    for kpi in project.kpis:
        table.add_row(*kpi_cells(kpi, years, report_year))
    return table


def _caption(project: ProjectResult) -> str:
    """The suggested 事業効果; where the report published one (the national form), that too,
    with the amount spent and the `effect-mismatch` remark."""
    lines = [f"事業効果（提案）: {project.effect_suggestion or '—'} ─ {project.effect_reason_ja}"]
    published = project.project.assessment
    if published is not None and published.effect:
        lines.append(f"事業効果（公表）: {published.effect}")
    if published is not None and published.spent is not None:
        lines.append(f"実績額: {format_number(published.spent)}{published.spent_unit}")
    lines += [f"注意：{flag.message_ja}" for flag in project.flags]
    return "\n".join(lines)


def kpi_cells(result: KpiResult, years: list[int], report_year: int) -> list[Text]:
    """One row: every cell a `Text`, so no published text is read as markup. The judged value is
    underlined; values after the year judged are dimmed."""
    kpi = result.kpi
    direction = "↓" if result.direction.value.value == "decrease" else ""
    rate = f"{result.achievement_rate}%" if result.achievement_rate is not None else "—"
    return [
        literal(kpi.indicator + (f" {direction}" if direction else "")),
        literal(format_number(kpi.target)),
        literal(kpi.unit),
        literal(format_short(kpi.target_date) if kpi.target_date else ""),
        *(_actual(kpi.actuals.get(y), y == result.judged_year, y > report_year) for y in years),
        literal(rate),
        status_text(result),
    ]


def _actual(actual: Actual | None, judged: bool, after: bool) -> Text:
    if actual is None:
        return Text("")
    style = "dim" if after else ("bold underline" if judged else "")
    if actual.value is None:
        return literal(actual.marker or "-", style="dim" if after else "")
    return literal(format_number(actual.value), style=style)


def summary_line(result: ReportResult) -> Text:
    s = result.summary()
    parts = [f"KPI {s['kpis']}件"] + [
        f"{STATUS_STYLE[st][0]} {st.label_ja} {s[st.value]}" for st in Status
    ]
    return Text("  ".join(parts), style="bold")
