"""The `table` format: a readable, coloured terminal table (rich), grouped by project."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

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
    console.print(Text(title, style="bold"), Text(f"（評価年度: {year}）"))
    for project in result.projects:
        console.print(project_table(project, result.report.year_columns))
    console.print(summary_line(result))
    for note in result.report.notes:
        console.print(Text(note, style="dim"))


def _console() -> Console:
    """A terminal's own width; 160 columns when writing to a file or pipe."""
    console = Console()
    return console if console.is_terminal else Console(width=160)


def project_table(project: ProjectResult, years: list[int]) -> Table:
    p = project.project
    grant = f"【{p.grant}】" if p.grant else ""
    table = Table(
        title=f"{grant}{p.name}",
        title_justify="left",
        caption=f"事業効果（提案）: {project.effect_suggestion or '—'}"
        f" ─ {project.effect_reason_ja}",
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
        table.add_row(*kpi_cells(kpi, years))
    return table


def kpi_cells(result: KpiResult, years: list[int]) -> list[str | Text]:
    kpi = result.kpi
    direction = "↓" if result.direction.value.value == "decrease" else ""
    rate = f"{result.achievement_rate}%" if result.achievement_rate is not None else "—"
    return [
        kpi.indicator + (f" {direction}" if direction else ""),
        format_number(kpi.target),
        kpi.unit,
        format_short(kpi.target_date) if kpi.target_date else "",
        *(_actual(kpi.actuals.get(y), y == result.judged_year) for y in years),
        rate,
        status_text(result),
    ]


def _actual(actual: Actual | None, judged: bool) -> str | Text:
    if actual is None:
        return ""
    if actual.value is None:
        return actual.marker or "-"
    text = format_number(actual.value)
    return Text(text, style="bold underline") if judged else text


def summary_line(result: ReportResult) -> Text:
    s = result.summary()
    parts = [f"KPI {s['kpis']}件"] + [
        f"{STATUS_STYLE[st][0]} {st.label_ja} {s[st.value]}" for st in Status
    ]
    return Text("  ".join(parts), style="bold")
