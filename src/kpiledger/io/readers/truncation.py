"""Signs of a file cut short (a download or a copy that stopped early): `Report.warnings`."""

from __future__ import annotations

from decimal import Decimal

from kpiledger.core.errors import Problem
from kpiledger.core.model import Kpi, Report
from kpiledger.core.numbers import to_plain_string
from kpiledger.io.readers.columns import Columns, Row
from kpiledger.io.readers.layout import SECTION_HEADING, is_note

TRUNCATED = "possibly-truncated"
#: A last line holding only one of these texts is a complete closing line, not a cut row.
CLOSING_TEXTS = ("以上",)


def truncation(
    bare_end: Row | None, last: Row | None, columns: Columns | None, report: Report
) -> list[Problem]:
    """`possibly-truncated` warnings: signs of a file cut short (a download or a copy that
    stopped early) that a complete report does not show. The reference report itself ends
    without a line break, so that alone is no sign. `last` is the last row when the file ends
    without a line break (else None).

    - The file ends with a section heading or a table header, with no row after it.
    - `last` has fewer cells than the table's columns and is not a KPI row (a KPI row would
      be `truncated-row`): two tabs, a project name alone — unless its one text is complete on
      its own: a note (`※…`), a heading or `以上`.
    - `last` is a KPI row whose last cell is the table's last column, an actual, and either
      blank (a year up to the report year) while no other actual of the report is blank, or
      a number (≥ 1) with fewer integer digits than every other number of its row — target,
      baseline, other years (`82 … 88` cut to `8`).

    A cut exactly at a line end, or inside a number that leaves a plausible one, is not seen.
    """
    if bare_end is not None:
        return [_nothing_after(bare_end)]
    if last is None or columns is None:
        return []
    if len(last.cells) < columns.width:
        return _short_last_row(last, columns)
    return _cut_last_cell(last, columns, report)


def _nothing_after(row: Row) -> Problem:
    """The file ends with a section heading or a table header."""
    index, text = next((i, c) for i, c in enumerate(row.cells) if c)
    heading = SECTION_HEADING.match(text.lstrip("#").strip()) is not None
    what_ja, what_en = ("区分の見出し", "section heading") if heading else ("表の見出し", "header")
    return Problem(
        TRUNCATED,
        f"ファイルが{what_ja}「{_short(text)}」で終わり、その後に指標の行がありません"
        "（ファイルが途中で切れていませんか）",
        f"the file ends with the {what_en} '{_short(text)}' and no KPI row after it "
        "(is the file cut short?)",
        line=row.line,
        column=index + 1,
    )


def _short_last_row(last: Row, columns: Columns) -> list[Problem]:
    """A last line without a line break, shorter than the table, that is not one complete
    text."""
    filled = [c for c in last.cells if c]
    complete = len(filled) == 1 and _is_complete_text(filled[0])
    if complete or (not filled and len(last.cells) < 2):  # a note, or a blank line
        return []
    index = len(last.cells) - 1
    text = _short(last.cells[index])
    cell_ja, cell_en = (f"「{text}」", f"'{text}'") if text else ("（空欄）", "(blank)")
    return [
        Problem(
            TRUNCATED,
            f"最後の行に改行がなく、表の{columns.width}列のうち{index + 1}列目のセル{cell_ja}で"
            "終わっています（ファイルが途中で切れていませんか）",
            f"the last line has no line break and ends at cell {index + 1} of the table's "
            f"{columns.width}, {cell_en} (is the file cut short?)",
            line=last.line,
            column=index + 1,
            field=columns.label(index) or None,
        )
    ]


def _is_complete_text(text: str) -> bool:
    """A note, a heading or a closing word: a line that reads complete on its own."""
    bare = text.lstrip("#").strip()
    return (
        text.startswith("#")
        or SECTION_HEADING.match(bare) is not None
        or is_note(bare)
        or bare in CLOSING_TEXTS
    )


def _cut_last_cell(last: Row, columns: Columns, report: Report) -> list[Problem]:
    """A KPI row at the end without a line break whose last actual looks cut."""
    index = len(last.cells) - 1
    year = columns.years.get(index)
    kpi = next((k for k in report.kpis if k.line == last.line), None)
    actual = kpi.actuals.get(year) if kpi is not None and year is not None else None
    if index != columns.width - 1 or kpi is None or year is None or actual is None:
        return []
    text = last.cells[index]
    if actual.value is None:
        if actual.marker != "" or year > report.fiscal_year or _blank_actuals(report) > 1:
            return []
        why_ja = "空欄で終わっています（この報告書にほかに空欄の実績はありません）"
        why_en = "a blank cell (no other actual of the report is blank)"
    else:
        others = _other_numbers(kpi, year)
        if not _fewer_digits(actual.value, others):
            return []
        shown = [to_plain_string(n) for n in others]
        why_ja = f"「{text}」で終わり、同じ行のほかの数値（{'、'.join(shown)}）より桁が少ないです"
        why_en = (
            f"'{text}', which has fewer digits than every other number of its row "
            f"({', '.join(shown)})"
        )
    return [
        Problem(
            TRUNCATED,
            f"ファイルが改行なしで{why_ja}。最後の値が途中で切れていませんか",
            f"the file ends without a line break at {why_en}: is the last value cut short?",
            line=last.line,
            column=index + 1,
            field=columns.label(index) or None,
        )
    ]


def _blank_actuals(report: Report) -> int:
    return sum(1 for k in report.kpis for a in k.actuals.values() if a.marker == "")


def _other_numbers(kpi: Kpi, year: int) -> list[Decimal]:
    """The row's numbers but the actual of `year`: target, baseline, other years' actuals."""
    baseline = [kpi.baseline.value] if kpi.baseline else []
    actuals = [a.value for y, a in sorted(kpi.actuals.items()) if y != year]
    return [kpi.target, *baseline, *(v for v in actuals if v is not None)]


def _fewer_digits(value: Decimal, others: list[Decimal]) -> bool:
    """Whether `value` has fewer integer digits than every number of `others` (at least one).
    A value below 1 never has: cutting a longer number cannot leave `0…`."""
    digits = _integer_digits(value)
    return digits > 0 and bool(others) and all(digits < _integer_digits(n) for n in others)


def _integer_digits(value: Decimal) -> int:
    """Digits before the decimal point, none for a value below 1 (`0.5` → 0, `△12` → 2)."""
    whole = abs(int(value))
    return len(str(whole)) if whole else 0


def _short(text: str, limit: int = 30) -> str:
    """A cell's text for a message: one line, at most `limit` characters."""
    flat = text.replace("\n", " ")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
