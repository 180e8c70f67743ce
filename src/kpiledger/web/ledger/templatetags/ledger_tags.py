"""Template helpers of the public pages: status badges, and the long runs of cells of the KPI,
report and dashboard pages (a KPI's chart table and change histories, a report row's actuals
by year, a row's counts by status).

The runs of cells are written here rather than by `{% for %}` loops in the templates: a page
has dozens to hundreds of them, and a Python loop writes them about ten times faster than the
template engine, for the server and the static site alike (they render the same templates).
Each value is escaped as `{{ value }}` would escape it (`conditional_escape`), each time
formatted as `{{ value|date:"…" }}` would format it; the HTML is the loops' own, byte for byte.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django import template
from django.template import defaultfilters
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import get_language, gettext

from kpiledger.web.ledger import presenters
from kpiledger.web.remembered import Remembered

register = template.Library()

REMEMBERED_TIMES = 10_000  # formatted history times kept (a ledger has one per import)


@register.filter(is_safe=True)
def grouped(value: Any) -> Any:
    """A count with thousands separators (`{{ kpis|grouped }}` → `45,447`), as published
    tables write one; anything but an int as it is."""
    return presenters.count_text(value) if type(value) is int else value


@register.simple_tag
def status_badge(badge: presenters.Badge) -> SafeString:
    """A status as icon + text (colour is only a third cue)."""
    return _badge(badge, get_language())


@functools.lru_cache(maxsize=256)
def _badge(badge: presenters.Badge, language: str | None) -> SafeString:
    """The badge's HTML in `language` (the active one: a badge's text depends on it)."""
    e = conditional_escape
    return mark_safe(
        f'<span class="badge badge--{e(badge.key)}"><span class="badge__icon"'
        f' aria-hidden="true">{e(badge.icon)}</span> {e(badge.text)}</span>'
    )


@register.simple_tag
def chart_rows(rows: Iterable[Any]) -> SafeString:
    """The rows of a KPI's table of actuals by year (`ChartRow`s): year, actual, target."""
    e = _escaper()
    return mark_safe(
        "".join(
            f'<tr><th scope="row">{e(r.year)}</th><td class="num">{e(r.value)}</td>'
            f'<td class="num">{e(r.target)}</td></tr>'
            for r in rows
        )
    )


@register.simple_tag
def history_rows(rows: Iterable[Any], first_class: str, other_class: str) -> SafeString:
    """The rows of a change history table (`HistoryRow`s, newest first): time, who, what, the
    values (labelled for the stacked layout; the first value's cell of class `first_class`,
    the others' of `other_class`, "" for none) and the reason."""
    e = _escaper()
    first = f' class="{first_class}"' if first_class else ""
    other = f' class="{other_class}"' if other_class else ""
    who, what, why = e(gettext("変更者")), e(gettext("種別")), e(gettext("変更理由"))
    time = _time_formatter()
    opening: dict[tuple[str, ...], list[str]] = {}  # the rows' labels → their cells' tags
    out = []
    for row in rows:
        labels = row.labels
        tags = opening.get(labels)
        if tags is None:
            tags = opening[labels] = [
                f'<td{other if index else first} data-label="{e(label)}">'
                for index, label in enumerate(labels)
            ]
        values = "".join(
            f"{tag}{e(value)}</td>" for tag, value in zip(tags, row.values, strict=True)
        )
        out.append(
            f'\n      <tr><th scope="row">{time(row.date)}</th><td data-label="{who}">'
            f'{e(row.user)}</td><td data-label="{what}">{e(row.kind)}</td>\n        {values}'
            f'<td class="wide" data-label="{why}">{e(row.reason)}</td></tr>\n    '
        )
    return mark_safe("".join(out))


def _escaper() -> Callable[[Any], str]:
    """`conditional_escape` as `{{ value }}` applies it (text marked safe kept, any other
    value escaped), each distinct text escaped once per call of a tag."""
    done: dict[Any, str] = {}

    def escape(value: Any) -> str:
        if isinstance(value, str) and not isinstance(value, SafeData):
            found = done.get(value)
            if found is None:
                found = done[value] = html.escape(value)
            return found
        return str(conditional_escape(value))

    return escape


_times: Remembered[tuple[Any, ...], str] = Remembered(REMEMBERED_TIMES)


def _time_formatter() -> Callable[[datetime], str]:
    """`<time datetime="{{ value|date:'c' }}">{{ value|date:"Y-m-d H:i" }}</time>` in the
    active language and time zone, each time formatted once (a ledger has few: one per
    import)."""
    context = (get_language(), timezone.get_current_timezone_name())

    def time(value: datetime) -> str:
        key = (value, *context)
        found = _times.get(key)
        if found is None:
            local = timezone.template_localtime(value)
            machine = conditional_escape(defaultfilters.date(local, "c"))
            shown = conditional_escape(defaultfilters.date(local, "Y-m-d H:i"))
            found = _times.keep(key, f'<time datetime="{machine}">{shown}</time>')
        return found

    return time


@register.simple_tag
def year_cells(cells: Iterable[Any]) -> SafeString:
    """The cells of a report row's actuals by year (`cells` of a KPI row: label, text and
    whether it is the year judged), the first marked `year--first`."""
    e = _escaper()
    judged_note = ""
    out = []
    for index, cell in enumerate(cells):
        classes = "num year" + (" year--first" if index == 0 else "")
        note = ""
        if cell.judged:
            classes += " judged"
            judged_note = judged_note or e(gettext("（評価対象年度）"))
            note = f'<span class="visually-hidden">{judged_note}</span>'
        out.append(f'<td class="{classes}" data-label="{e(cell.label)}">{e(cell.text)}{note}</td>')
    return mark_safe("".join(out))


@register.simple_tag
def status_count_cells(counts: dict[str, int], statuses: Iterable[presenters.Badge]) -> SafeString:
    """A row's counts by status (`counts`: status key → count), a cell per status in the
    order of `statuses`, labelled by its icon and name where the table stacks."""
    e = _escaper()
    return mark_safe(
        "".join(
            f'<td class="num" data-label="{e(b.icon)} {e(b.label)}">'
            f"{presenters.count_text(counts.get(b.key, 0))}</td>"
            for b in statuses
        )
    )
