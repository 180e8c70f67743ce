"""A small bar chart of one KPI as inline SVG text, for the PDF of the report (`pdf.py`).

One bar per published year column (the actual as published; a year without a value has no
bar and its marker, e.g. `-`, under the axis), the target as a dashed line, the values and
year labels as SVG text (real, searchable text in the PDF), and a `<title>` giving the chart
in words for readers that cannot see it. Positions are computed with `Decimal` and rounded to
0.1 (no binary floats anywhere); every text is escaped.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from html import escape

from kpiledger.core.era import fiscal_year_label, format_short
from kpiledger.core.model import Kpi
from kpiledger.core.numbers import format_number

WIDTH, HEIGHT = 240, 100
LEFT, RIGHT, TOP, BOTTOM = Decimal(6), Decimal(234), Decimal(20), Decimal(82)
FONT = "Noto Sans CJK JP"
BAR = "#4a78b5"
TARGET = "#c0392b"
STEP = Decimal("0.1")


def kpi_chart(kpi: Kpi, years: list[int]) -> str:
    """The `<svg>` element of the KPI's actuals in `years` against its target."""
    values = {y: a.value for y, a in kpi.actuals.items() if a.value is not None}
    low, high = _range([*values.values(), kpi.target])
    slot = (RIGHT - LEFT) / max(len(years), 1)
    parts = [f"<title>{escape(describe(kpi, years))}</title>"]
    parts.append(_line(LEFT, _y(Decimal(0), low, high), RIGHT, "#555", ""))
    for index, year in enumerate(years):
        parts += _bar(kpi, year, values.get(year), LEFT + slot * index, slot, low, high)
    target_y = _y(kpi.target, low, high)
    parts.append(_line(LEFT, target_y, RIGHT, TARGET, ' stroke-dasharray="4 2"'))
    date = f"（{format_short(kpi.target_date)}）" if kpi.target_date else ""
    label = f"--- 目標 {format_number(kpi.target)}{kpi.unit}{date}"
    parts.append(_text(LEFT, Decimal(8), label, "start", TARGET))
    return (
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}"'
        f' height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img"'
        f' aria-label="{escape(describe(kpi, years))}">{"".join(parts)}</svg>'
    )


def describe(kpi: Kpi, years: list[int]) -> str:
    """The chart in words: `移住者数（人）：目標 121（R6.3）、実績 R4年度 112、R5年度 105`."""
    date = f"（{format_short(kpi.target_date)}）" if kpi.target_date else ""
    cells = []
    for year in years:
        actual = kpi.actuals.get(year)
        if actual is not None and actual.value is not None:
            text = format_number(actual.value)
        else:
            text = (actual.marker if actual is not None else None) or "値なし"
        cells.append(f"{fiscal_year_label(year)} {text}")
    actuals = "、".join(cells) or "なし"
    return f"{kpi.indicator}（{kpi.unit}）：目標 {format_number(kpi.target)}{date}、実績 {actuals}"


def _range(values: list[Decimal]) -> tuple[Decimal, Decimal]:
    """The lowest and highest value drawn, zero always included; never an empty range."""
    low, high = min([Decimal(0), *values]), max([Decimal(0), *values])
    return (low, high) if high > low else (low, low + 1)


def _y(value: Decimal, low: Decimal, high: Decimal) -> Decimal:
    return BOTTOM - (value - low) / (high - low) * (BOTTOM - TOP)


def _bar(
    kpi: Kpi,
    year: int,
    value: Decimal | None,
    x: Decimal,
    slot: Decimal,
    low: Decimal,
    high: Decimal,
) -> list[str]:
    """One year's bar with its value above it, and the year under the axis."""
    middle = x + slot / 2
    short = fiscal_year_label(year).removesuffix("年度")
    parts = [_text(middle, BOTTOM + 9, short, "middle", "#333")]
    if value is None:
        actual = kpi.actuals.get(year)
        marker = (actual.marker if actual is not None else None) or ""
        return parts + ([_text(middle, BOTTOM - 2, marker, "middle", "#777")] if marker else [])
    zero, top = _y(Decimal(0), low, high), _y(value, low, high)
    width = slot * Decimal("0.6")
    parts.append(
        f'<rect x="{_n(middle - width / 2)}" y="{_n(min(zero, top))}" width="{_n(width)}"'
        f' height="{_n(abs(zero - top))}" fill="{BAR}"/>'
    )
    parts.append(_text(middle, max(min(zero, top) - 2, Decimal(7)), format_number(value)))
    return parts


def _line(x1: Decimal, y: Decimal, x2: Decimal, colour: str, extra: str) -> str:
    return (
        f'<line x1="{_n(x1)}" y1="{_n(y)}" x2="{_n(x2)}" y2="{_n(y)}" stroke="{colour}"'
        f' stroke-width="0.8"{extra}/>'
    )


def _text(x: Decimal, y: Decimal, text: str, anchor: str = "middle", colour: str = "#222") -> str:
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-size="6.5" font-family="{FONT}"'
        f' text-anchor="{anchor}" fill="{colour}">{escape(text)}</text>'
    )


def _n(value: Decimal) -> str:
    """A coordinate rounded to 0.1, in plain notation."""
    return format(value.quantize(STEP, rounding=ROUND_HALF_UP), "f")
