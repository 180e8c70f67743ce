"""Public pages comparing the same kind of KPI across organizations (分野別の比較).

- `/fields/?year=`: every field with its KPI counts and achieved share, under the strategy's
  four goals;
- `/field/<field>/?year=&org=&sort=&page=&pref=&band=`: the distribution of achievement rates,
  per prefecture, per population band, and the organizations (sortable, paginated); with
  `org`, where that organization stands in its prefecture and its band;
- `/field/<field>/csv/<table>/?year=&org=`: each of those tables as CSV.

No login. A fixed number of queries however many organizations there are (the years, the
field's judgements of the year, their organizations: services/comparison.py).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from kpiledger.core.categories import Field
from kpiledger.core.era import fiscal_year_label
from kpiledger.web.ledger.presenters import field_csv
from kpiledger.web.ledger.presenters import fields as presenter
from kpiledger.web.ledger.services import comparison
from kpiledger.web.ledger.views import attachment


class Refused(Exception):
    """A request the page cannot answer: its status and the reason in both languages."""

    def __init__(self, status: int, ja: str, en: str, links: list[presenter.Link]) -> None:
        super().__init__(en)
        self.status, self.ja, self.en, self.links = status, ja, en, links


def _refused(request: HttpRequest, error: Refused) -> HttpResponse:
    context = {"message_ja": error.ja, "message_en": error.en, "links": error.links}
    return render(request, "ledger/field_error.html", context, status=error.status)


def _field(text: str) -> Field:
    try:
        return Field(text)
    except ValueError:
        links = [presenter.Link(presenter.field_label(f), presenter.field_url(f)) for f in Field]
        raise Refused(
            404,
            f"分野「{text}」はありません。次のいずれかを選んでください。",
            f"There is no field “{text}”. Choose one of these.",
            links,
        ) from None


def _year(request: HttpRequest, years: list[int], field: Field | None) -> int | None:
    """`?year=` if it has judgements, else the latest year (None when there is none)."""
    text = request.GET.get("year")
    if text is None or text == "":
        return years[0] if years else None
    links = presenter.year_links(field, years, 0)
    if not (text.isascii() and text.isdigit()) or len(text) > 4:
        raise Refused(
            400,
            f"年度「{text}」を読めません。西暦の年度を数字で指定してください（例: ?year=2023 は"
            "令和5年度）。",
            f"Cannot read the fiscal year “{text}”: give it as a western year in digits (e.g."
            " ?year=2023 for FY2023).",
            links,
        )
    year = int(text)
    if year not in years:
        shown = fiscal_year_label(year) if year >= 1926 else f"{year}年度"
        where = "この分野の" if field else ""
        raise Refused(
            404,
            f"{shown}（{year}年度）の{where}評価はありません。評価のある年度を選んでください。",
            f"There are no judgements{' of this field' if field else ''} for fiscal year"
            f" {year}. Choose a year that has them.",
            links,
        )
    return year


@require_safe
def fields_index(request: HttpRequest) -> HttpResponse:
    """Every field with its KPI counts and achieved share, grouped by goal."""
    years = comparison.judged_years()
    try:
        year = _year(request, years, None)
    except Refused as error:
        return _refused(request, error)
    summaries = comparison.field_summaries(year) if year is not None else []
    goals = comparison.goal_summaries(summaries) if year is not None else []
    page = presenter.fields_index(goals, year, years)
    return render(request, "ledger/fields.html", {"page": page})


def _table_request(request: HttpRequest) -> presenter.TableRequest:
    sort = request.GET.get("sort", "code")
    if sort.removeprefix("-") not in presenter.SORTS:
        sort = "code"
    page_text = request.GET.get("page", "")
    band = request.GET.get("band", "")
    return presenter.TableRequest(
        sort=sort,
        page=int(page_text) if page_text.isascii() and page_text.isdigit() else None,
        prefecture=request.GET.get("pref", "")[:10],
        band=band if band in {b.key for b in comparison.all_bands()} else "",
        org=request.GET.get("org", "").strip()[:6],
    )


def _org_notice(c: comparison.FieldComparison, code: str) -> tuple[str, str] | None:
    """Why `?org=` shows no standing (a malformed code, or no KPI of the field), or None."""
    if not code or c.organization(code) is not None:
        return None
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        return ("団体コードは半角数字6桁で指定してください。", "Give a 6-digit organization code.")
    return (
        f"団体コード {code} の団体には、{fiscal_year_label(c.year)}のこの分野の指標がありません。",
        f"The organization with code {code} has no KPI of this field in FY{c.year}.",
    )


@require_safe
def field(request: HttpRequest, field: str) -> HttpResponse:
    """One field compared across organizations (and one organization's standing)."""
    try:
        chosen = _field(field)
        years = comparison.judged_years(chosen)
        year = _year(request, years, chosen)
    except Refused as error:
        return _refused(request, error)
    if year is None:
        context = {
            "label": presenter.field_label(chosen),
            "goal": presenter.goal_label(chosen.goal),
        }
        return render(request, "ledger/field_empty.html", context)
    found = comparison.compare_field(chosen, year, settings.KPILEDGER_NEARLY, years)
    asked = _table_request(request)
    page = presenter.field_page(found, asked)
    context = {"page": page, "notice": _org_notice(found, asked.org)}
    return render(request, "ledger/field.html", context)


@require_safe
def field_csv_download(request: HttpRequest, field: str, table: str) -> HttpResponse:
    """One table of the field's page as CSV (UTF-8 with BOM, Japanese header row)."""
    try:
        chosen = _field(field)
        if table not in field_csv.TABLES:
            raise Refused(
                404,
                f"表「{table}」はありません（{', '.join(field_csv.TABLES)}）。",
                f"There is no table “{table}” ({', '.join(field_csv.TABLES)}).",
                [],
            )
        years = comparison.judged_years(chosen)
        year = _year(request, years, chosen)
        if year is None:
            raise Refused(
                404, "この分野の評価はまだありません。", "No judgements of this field yet.", []
            )
    except Refused as error:
        return _refused(request, error)
    found = comparison.compare_field(chosen, year, settings.KPILEDGER_NEARLY, years)
    org = found.organization(request.GET.get("org", ""))
    response = HttpResponse(
        field_csv.render(found, table, org), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = attachment(*field_csv.file_names(found, table))
    response["X-Content-Type-Options"] = "nosniff"
    return response
