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

This module puts the sheet together; the columns and their values are `excel_columns`, the
cell styles, merges, numbers and page setup `excel_sheet`.
"""

from __future__ import annotations

import io
import re

from kpiledger.core.evaluate import ReportResult
from kpiledger.io.readers.layout import is_note
from kpiledger.io.writers.excel_columns import block_columns, kpi_blocks, section_heading
from kpiledger.io.writers.excel_sheet import Sheet
from kpiledger.io.writers.opendata import Publisher


def dumps(result: ReportResult, publisher: Publisher | None = None) -> bytes:
    """The evaluated report as the bytes of an .xlsx in the official layout."""
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = _sheet_title(publisher)
    sheet = Sheet(ws)
    report = result.report
    head, tail = _split_notes(report.notes)
    if report.title:
        sheet.title(report.title)
    for note in head:
        sheet.note(note)
    width, section = 0, None
    for block in kpi_blocks(result):
        columns = block_columns(result, block.years)
        width = max(width, len(columns))
        if (block.section, block.grant) != section:
            section = (block.section, block.grant)
            sheet.heading(section_heading(block, result))
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
