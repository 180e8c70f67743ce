"""The evaluated report as a PDF to print or publish: A4 landscape, set in Noto Sans CJK JP.

The HTML is built here (every text through `html.escape`; no template engine, the io layer does
not import Django) and laid out by WeasyPrint, imported only when a PDF is written. Without
Pango the error `pdf-unavailable` names the Debian packages to install.

What the PDF holds, in order:
- the title (`<h1>`; also in the top-left margin of every page), the organization and its
  code in the bottom-left margin beside 「1 / 3 ページ」;
- per section (【…対象事業】, 【…関連事業】) the table as published: 事業の名称, 事業の概要,
  指標, 指標値, 単位, 年月 (R6.3), one 実績値 column per published year (R1年度…), with
  基準値・基準年度, a published 達成率 and the published assessment (事業効果 …) where the
  report has them, then kpiledger's judgement in the columns 達成率（kpiledger算定）,
  状況（kpiledger判定）, 事業効果（kpiledger提案）. The header is a `<thead>`, repeated on
  every page;
- the report's notes (※…), one paragraph each;
- an appendix of charts (`pdf_own.CHARTS_HEADING`): per project its effect (published and
  suggested, with the reason) and one bar chart per KPI (`svg_chart`), as inline SVG.

Round trip: `read_report_bytes(dumps(result), "x.pdf")` judges to the same JSON as `result`.
The reader drops the judgement's columns and the chart appendix (`readers.pdf_own`), whose
texts this module imports from there. Known limits (as for any PDF): a note longer than a line
(about 110 characters) wraps and reads back as two notes; a summary's line breaks read as
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from itertools import groupby

from kpiledger.core.era import fiscal_year_label, format_short
from kpiledger.core.errors import KpiledgerError
from kpiledger.core.evaluate import KpiResult, ProjectResult, ReportResult
from kpiledger.core.model import Actual, Assessment, Project, Report, Section
from kpiledger.core.money import CostPerUnit
from kpiledger.core.numbers import format_number
from kpiledger.io.readers.own_columns import COST_HEADING
from kpiledger.io.readers.pdf_own import CHARTS_HEADING, COMPUTED_HEADINGS
from kpiledger.io.writers.excel_columns import MONEY_HEADINGS
from kpiledger.io.writers.opendata import Publisher
from kpiledger.io.writers.published import ASSESSMENT_HEADINGS, published_name
from kpiledger.io.writers.records import project_costs
from kpiledger.io.writers.svg_chart import kpi_chart

COST_LABEL = COST_HEADING.replace("\n", "")
FONT = "Noto Sans CJK JP"
PAGE_WIDTH = Decimal(785)  # points inside the margins of A4 landscape (842 − 2 × 10 mm)
#: The published assessment's texts as the national form heads them (read back by the reader).
PAGE = """
@page {{ size: A4 landscape; margin: 14mm 10mm 12mm;
  @top-left {{ content: string(title); font-family: '{font}'; font-size: 7pt; color: #444 }}
  @bottom-left {{ content: {publisher}; font-family: '{font}'; font-size: 7pt }}
  @bottom-right {{ content: counter(page) " / " counter(pages) " ページ";
    font-family: '{font}'; font-size: 7pt }} }}
"""
CSS = f"""
html {{ font-family: '{FONT}' }}
body {{ font-size: 6.5pt; line-height: 1.3 }}
h1 {{ font-size: 13pt; font-weight: bold; margin: 0 0 6pt; string-set: title content() }}
h2 {{ font-size: 10pt; font-weight: bold; margin: 8pt 0 4pt }}
h2.charts {{ break-before: page }}
h3 {{ font-size: 8pt; margin: 8pt 0 2pt; break-after: avoid }}
table {{ border-collapse: collapse; table-layout: fixed; width: 100% }}
td, th {{ border: 0.5pt solid #000; padding: 2pt 2.5pt; vertical-align: middle;
  overflow-wrap: anywhere }}
th {{ font-weight: normal; text-align: center; background: #eef1f5 }}
th.own, td.own {{ background: #fbf6e9 }}
th.own {{ font-size: 5.5pt; overflow-wrap: normal }}
td.n {{ text-align: right }}
tr {{ break-inside: avoid }}
p.note {{ font-size: 7pt; margin: 4pt 0 0 }}
p.effect {{ margin: 1pt 0 }}
figure {{ display: inline-block; width: 245pt; margin: 2pt 6pt 6pt 0; vertical-align: top;
  break-inside: avoid }}
figcaption {{ font-size: 6.5pt }}
"""


@dataclass(frozen=True)
class _Layout:
    """The columns a table needs: the years, and the optional published columns."""

    years: list[int]
    baseline: bool
    rate: bool
    assessment: list[tuple[str, str]]  # (Assessment field, heading) published somewhere
    spent_unit: str | None  # the unit of 実績額 when published
    money: list[tuple[str, str]] = field(default_factory=list)  # 総事業費, 交付金額 (円) held
    costs: dict[int, CostPerUnit | None] = field(default_factory=dict)  # id(KpiResult) → cost


def dumps(result: ReportResult, publisher: Publisher | None = None) -> bytes:
    """The PDF of the evaluated report (see the module); `pdf-unavailable` without Pango."""
    return render(document(result, publisher))


def render(text: str) -> bytes:
    """Lay an HTML document out as PDF with WeasyPrint (imported here, as it loads Pango)."""
    try:
        import weasyprint  # type: ignore[import-untyped]
    except (ImportError, OSError) as error:
        raise KpiledgerError.single(
            "pdf-unavailable",
            "PDFを作れません（WeasyPrintまたはPangoがありません）。Debian/Ubuntuでは"
            " apt install libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk を実行してください",
            "cannot write PDF (WeasyPrint or Pango is missing): on Debian/Ubuntu run"
            f" apt install libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk ({error})",
        ) from None
    return bytes(weasyprint.HTML(string=text).write_pdf())


def document(result: ReportResult, publisher: Publisher | None = None) -> str:
    """The HTML document the PDF is laid out from."""
    report = result.report
    layout = _layout(result)
    body = [f"<h1>{escape(report.title)}</h1>" if report.title else ""]
    for heading, projects in _sections(result):
        body.append(f"<h2>{escape(heading)}</h2>")
        body.append(_table(projects, layout))
    body += [f'<p class="note">{escape(note)}</p>' for note in report.notes]
    body.append(_charts(result, layout.years, layout.costs))
    meta = f'<meta name="author" content="{escape(publisher.name)}">' if publisher else ""
    title = escape(report.title or fiscal_year_label(result.fiscal_year, "long"))
    style = PAGE.format(font=FONT, publisher=_css_string(_publisher_text(publisher))) + CSS
    return (
        f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>{title}</title>'
        f"{meta}<style>{style}</style></head><body>{''.join(body)}</body></html>"
    )


def _publisher_text(publisher: Publisher | None) -> str:
    return f"{publisher.name}（団体コード {publisher.code}）" if publisher else ""


def _css_string(text: str) -> str:
    """A quoted CSS string: ASCII punctuation and controls as hex escapes (no `"`, `\\` or
    `</style>` can end it)."""
    out = [c if c.isalnum() or c == " " or ord(c) > 0x7F else f"\\{ord(c):06x}" for c in text]
    return '"' + "".join(out) + '"'


# --- sections and tables --------------------------------------------------------------------


def _sections(result: ReportResult) -> list[tuple[str, list[ProjectResult]]]:
    """Consecutive projects of one section (and, for 対象事業, one grant) under their 【】
    heading, in the report's order."""
    target_grant = next((p.grant for p in result.report.projects if p.grant and _target(p)), "")
    out = []
    for (section, grant), group in groupby(
        result.projects,
        key=lambda p: (p.project.section, p.project.grant if _target(p.project) else None),
    ):
        if section is Section.TARGET:
            heading = f"【{grant or ''}対象事業】"
        else:
            heading = f"【{_grant_family(target_grant)}関連事業】"
        out.append((heading, list(group)))
    return out


def _target(project: Project) -> bool:
    return project.section is Section.TARGET


def _grant_family(grant: str | None) -> str:
    """The grant without its type: `…交付金（地方創生推進タイプ）` → `…交付金`."""
    if not grant:
        return ""
    return grant.split("（")[0] if grant.endswith("）") else grant


def _layout(result: ReportResult) -> _Layout:
    report: Report = result.report
    kpis = report.kpis
    assessments = [p.assessment for p in report.projects if p.assessment is not None]
    published = [
        (name, heading)
        for name, heading in ASSESSMENT_HEADINGS
        if any(getattr(a, name) for a in assessments)
    ]
    spent = next((a.spent_unit for a in assessments if a.spent is not None), None)
    money = [
        (name, heading)
        for name, heading in MONEY_HEADINGS
        if any(getattr(a, name) is not None for a in assessments)
    ]
    costs = {
        id(k): cost
        for p in result.projects
        for k, cost in zip(p.kpis, project_costs(p, report.fiscal_year), strict=True)
    }
    return _Layout(
        years=list(report.year_columns),
        baseline=any(k.baseline is not None for k in kpis),
        rate=any(k.published_rate is not None for k in kpis),
        assessment=published,
        spent_unit=spent,
        money=money,
        costs=costs if any(costs.values()) else {},
    )


def _table(projects: list[ProjectResult], layout: _Layout) -> str:
    widths = "".join(f'<col style="width: {w}pt">' for w in _widths(layout))
    rows = "".join(_project_rows(p, layout) for p in projects)
    return (
        f"<table><colgroup>{widths}</colgroup><thead>{_header(layout)}</thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _kpi_extra(layout: _Layout) -> list[str]:
    """Published KPI columns after the years: 基準値, 基準年度, 達成率."""
    return (["基準値", "基準年度"] if layout.baseline else []) + (["達成率"] if layout.rate else [])


def _project_extra(layout: _Layout) -> list[str]:
    """Published project columns: the assessment's texts, 実績額, 総事業費 and 交付金額 (円)."""
    spent = [f"実績額（{layout.spent_unit}）"] if layout.spent_unit else []
    money = [f"{heading}（円）" for _, heading in layout.money]
    return [heading for _, heading in layout.assessment] + spent + money


def _widths(layout: _Layout) -> list[Decimal]:
    """Column widths in points: numbers fixed, texts sharing the rest by weight."""
    fixed = [Decimal(42), Decimal(30), Decimal(30)] + [Decimal(36)] * len(layout.years)
    fixed += [Decimal(40), Decimal(34)] * layout.baseline + [Decimal(34)] * layout.rate
    spent = [Decimal(44)] * (bool(layout.spent_unit) + len(layout.money))
    own = [Decimal(40), Decimal(40)]
    weights = [Decimal(2), Decimal(3), Decimal("2.5")]  # name, summary, indicator
    texts = [Decimal("1.5")] * len(layout.assessment) + [Decimal("1.4")]  # …, 事業効果（提案）
    rest = PAGE_WIDTH - sum(fixed + spent + own, Decimal(0))
    unit = max(rest / sum(weights + texts, Decimal(0)), Decimal(12))
    name, summary, indicator = (w * unit for w in weights)
    shared = [(w * unit).quantize(Decimal(1)) for w in texts]
    first = [
        name.quantize(Decimal(1)),
        summary.quantize(Decimal(1)),
        indicator.quantize(Decimal(1)),
    ]
    return first + fixed + shared[:-1] + spent + own + shared[-1:]


def _own_heading(text: str) -> str:
    """`達成率<br>（kpiledger<br>算定）`: broken where a reader expects, never inside the word."""
    return "<br>".join(
        escape(part) for part in text.replace("kpiledger", "kpiledger\n").split("\n")
    )


def _own_headings(layout: _Layout) -> list[str]:
    """The judgement's headings: 達成率, 状況, 事業効果（提案） (the cost per unit stands beside
    each KPI's chart in the appendix: the table has no room for one more column)."""
    return list(COMPUTED_HEADINGS)


def _header(layout: _Layout) -> str:
    """Three rows, as the national form and the reference: the KPI group, then 指標 / 指標値 /
    実績値, then 指標値 単位 年月 and the years."""
    kpi_span = 4 + len(layout.years) + len(_kpi_extra(layout))
    own = "".join(
        f'<th rowspan="3" class="own">{_own_heading(h)}</th>' for h in _own_headings(layout)
    )
    project = "".join(f'<th rowspan="3">{escape(h)}</th>' for h in _project_extra(layout))
    first = (
        '<tr><th rowspan="3">交付対象 事業の名称</th><th rowspan="3">事業の概要</th>'
        f'<th colspan="{kpi_span}">K P I（重要業績評価指標）</th>{project}{own}</tr>'
    )
    extra = "".join(f'<th rowspan="2">{escape(h)}</th>' for h in _kpi_extra(layout))
    second = (
        '<tr><th rowspan="2">指標</th><th colspan="3">指標値</th>'
        f'<th colspan="{max(len(layout.years), 1)}">実績値</th>{extra}</tr>'
    )
    years = "".join(f"<th>{fiscal_year_label(y)}</th>" for y in layout.years) or "<th></th>"
    third = f"<tr><th>指標値</th><th>単位</th><th>年月</th>{years}</tr>"
    return first + second + third


def _project_rows(result: ProjectResult, layout: _Layout) -> str:
    project = result.project
    rows = []
    for index, kpi in enumerate(result.kpis):
        first = index == 0
        name = published_name(project) if first else ""
        summary = (project.summary or "") if first else ""
        cells = [_td(name), _td(summary), *_kpi_cells(kpi, layout)]
        cells += [_td(t) for t in _project_cells(project.assessment, layout, first)]
        cells += [_td(_rate(kpi.achievement_rate), "n own"), _td(_status(kpi), "own")]
        cells.append(_td(_suggestion(result) if first else "", "own"))
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return "".join(rows)


def _kpi_cells(result: KpiResult, layout: _Layout) -> list[str]:
    kpi = result.kpi
    target = format_number(kpi.target) + (kpi.target_bound or "")
    date = format_short(kpi.target_date) if kpi.target_date else ""
    cells = [_td(kpi.indicator), _td(target, "n"), _td(kpi.unit), _td(date)]
    cells += [_td(_actual(kpi.actuals.get(y)), "n") for y in layout.years] or [_td("")]
    if layout.baseline:
        base = kpi.baseline
        year = base.fiscal_year if base else None
        cells.append(_td(format_number(base.value) if base else "", "n"))
        cells.append(_td(fiscal_year_label(year) if year is not None else ""))
    if layout.rate:
        rate = kpi.published_rate
        cells.append(_td(format_number(rate) if rate is not None else "", "n"))
    return cells


def _project_cells(assessment: Assessment | None, layout: _Layout, first: bool) -> list[str]:
    shown = assessment if first else None
    texts = [(getattr(shown, name) or "") if shown else "" for name, _ in layout.assessment]
    if layout.spent_unit:
        spent = shown.spent if shown else None
        texts.append(format_number(spent) if spent is not None else "")
    for name, _ in layout.money:
        amount = getattr(shown, name) if shown else None
        texts.append(format_number(amount) if amount is not None else "")
    return texts


def _actual(actual: Actual | None) -> str:
    """A published actual: the number (`2,300`, `73.5`), or its "no value" marker (`-`)."""
    if actual is None:
        return ""
    return format_number(actual.value) if actual.value is not None else actual.marker or ""


def _rate(rate: Decimal | None) -> str:
    return "—" if rate is None else f"{rate}%"


def _status(result: KpiResult) -> str:
    progress = f"（{result.progress.label_ja}）" if result.progress else ""
    return result.status.label_ja + progress


def _suggestion(result: ProjectResult) -> str:
    return result.effect_suggestion.value if result.effect_suggestion else "提案なし"


def _td(text: str, kind: str = "") -> str:
    attribute = f' class="{kind}"' if kind else ""
    return f"<td{attribute}>{escape(text)}</td>"


# --- the chart appendix ---------------------------------------------------------------------


def _charts(result: ReportResult, years: list[int], costs: dict[int, CostPerUnit | None]) -> str:
    """Per project: its effect (published, suggested with the reason), a chart per KPI."""
    parts = [f'<h2 class="charts">{escape(CHARTS_HEADING)}</h2>']
    for project in result.projects:
        parts.append(f"<h3>{escape(published_name(project.project))}</h3>")
        assessment = project.project.assessment
        if assessment is not None and assessment.effect:
            parts.append(f'<p class="effect">事業効果（公表）：{escape(assessment.effect)}</p>')
        suggestion = f"{_suggestion(project)}（{project.effect_reason_ja}）"
        parts.append(f'<p class="effect">事業効果（kpiledgerの提案）：{escape(suggestion)}</p>')
        for kpi in project.kpis:
            caption = f"{kpi.kpi.indicator}（{kpi.kpi.unit}）"
            cost = costs.get(id(kpi))
            if cost is not None:  # beside its chart: the table has no room for one more column
                caption += f"　{COST_LABEL}：{cost.text}"
            parts.append(
                f"<figure>{kpi_chart(kpi.kpi, years)}"
                f"<figcaption>{escape(caption)}</figcaption></figure>"
            )
    return "".join(parts)
