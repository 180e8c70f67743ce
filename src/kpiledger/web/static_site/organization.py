"""One organization's part of the site: its data loaded once, every page and file written.

For each public report year the report is loaded once (`services.reports.load_report`, the
judgements the ledger keeps), and from it come the report page, the dashboard, a page per KPI
(in each published language), the report's CSV and JSON downloads, the API's answers and the
organization's rows of the national CSV files. The KPIs with their projects and the change
histories of all its KPIs are fetched in one query each, so an organization costs a fixed
number of queries per report year however many KPIs it has.
"""

from __future__ import annotations

from collections import defaultdict, namedtuple
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Subquery
from django.utils import translation

from kpiledger.core.categories import Field
from kpiledger.io.writers import national, opendata
from kpiledger.io.writers.formats import FORMATS
from kpiledger.io.writers.opendata import Publisher
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger import presenters
from kpiledger.web.ledger.presenters import fields as field_pages
from kpiledger.web.ledger.presenters.downloads import Downloads
from kpiledger.web.ledger.presenters.formatting import kpi_url
from kpiledger.web.ledger.presenters.urls import reverse
from kpiledger.web.ledger.services import comparison, reports
from kpiledger.web.ledger.services.reports import LedgerReport
from kpiledger.web.static_site import api_files
from kpiledger.web.static_site.links import download_file
from kpiledger.web.static_site.pages import SiteWriter

#: The report downloads the site holds (no Excel or PDF: `kpiledger export` makes those).
STATIC_FORMATS = ("csv", "csv-wide", "json")


@dataclass(frozen=True)
class Job:
    """An organization to publish, with its public report years (newest first)."""

    org_id: int
    code: str
    years: tuple[int, ...]


@dataclass
class Loaded:
    """Everything the organization's pages show, fetched once."""

    org: m.Organization
    years: list[int]  # newest first
    ledgers: dict[int, LedgerReport]
    kpis: dict[int, m.Kpi]  # with project and grant
    kpi_years: dict[int, list[int]]  # KPI id → the report years that publish it, newest first
    observation_history: dict[int, list[Any]]
    kpi_history: dict[int, list[Any]]
    fields: dict[int, list[tuple[Field, int]]]  # year → the fields of its KPIs, with counts


def publish(job: Job, site: SiteWriter, nearly: Decimal) -> dict[str, list[list[str]]]:
    """Write the organization's pages and files; returns its rows of the national CSV files
    (file name → rows)."""
    loaded = load(job, nearly)
    rows = write_data(loaded, site)
    for language in site.languages:
        with translation.override(language):
            write_pages(loaded, site, language)
    site.counts.kpis += sum(len(ledger.kpi_ids) for ledger in loaded.ledgers.values())
    site.counts.reports += len(loaded.ledgers)
    return rows


def load(job: Job, nearly: Decimal) -> Loaded:
    org = m.Organization.objects.get(pk=job.org_id)
    years = list(job.years)
    ledgers = {year: reports.load_report(org, year, nearly) for year in years}
    kpis = m.Kpi.objects.filter(project__organization=org).select_related("project__grant")
    by_id = {}
    for kpi in kpis:
        kpi.project.organization = org
        by_id[kpi.id] = kpi
    kpi_years: dict[int, list[int]] = defaultdict(list)
    for year in years:
        for kpi_id in ledgers[year].kpi_ids:
            kpi_years[kpi_id].append(year)
    observations, changes = _histories(org, max(years))
    fields = {year: comparison.organization_fields(org, year) for year in years}
    return Loaded(org, years, ledgers, by_id, kpi_years, observations, changes, fields)


History = dict[int, list[Any]]  # KPI id → its history records, newest first


#: What the KPI page shows of a history record (`presenters.kpi`): the change, and the
#: values of an actual or of a KPI's terms.
CHANGE_FIELDS = ("history_date", "history_type", "history_change_reason", "history_user_id")
OBSERVATION_FIELDS = ("kpi_id", "fiscal_year", "value", "marker")
KPI_FIELDS = ("id", "indicator", "target", "unit", "target_year", "target_month", "baseline")
KPI_FIELDS += ("baseline_year", "direction_override", "aggregation_override")


def _histories(org: m.Organization, up_to: int) -> tuple[History, History]:
    """The change history of the organization's actuals (published years only, as the KPI
    page shows it) and of its KPIs, newest first, per KPI id. Two queries, read as plain
    values (`ObservationRecord`, `KpiRecord`): a ledger has tens of history records per KPI,
    and model instances cost several times more to make."""
    ids = Subquery(m.Kpi.objects.filter(project__organization=org).values("id"))
    newest_first = ("-history_date", "-history_id")
    user = f"history_user__{get_user_model().USERNAME_FIELD}"
    observations = m.Observation.history.filter(kpi_id__in=ids, fiscal_year__lte=up_to)
    changes = m.Kpi.history.filter(id__in=ids)
    return (
        _by_kpi(
            observations.order_by(*newest_first).values_list(
                *CHANGE_FIELDS, *OBSERVATION_FIELDS, user
            ),
            ObservationRecord,
            "kpi_id",
        ),
        _by_kpi(
            changes.order_by(*newest_first).values_list(*CHANGE_FIELDS, *KPI_FIELDS, user),
            KpiRecord,
            "id",
        ),
    )


#: A history record as the KPI page reads it: the fields named above as attributes, and
#: `history_user` (who made the change, or None) with its `get_username()`.
ObservationRecord = namedtuple(  # type: ignore[misc]
    "ObservationRecord", (*CHANGE_FIELDS, *OBSERVATION_FIELDS, "history_user")
)
KpiRecord = namedtuple(  # type: ignore[misc]
    "KpiRecord", (*CHANGE_FIELDS, *KPI_FIELDS, "history_user")
)


@dataclass(frozen=True)
class HistoryUser:
    username: str

    def get_username(self) -> str:
        return self.username


def _by_kpi(rows: Any, record: Any, key: str) -> dict[int, list[Any]]:
    """The rows (the record's fields, then the user's name) as `record`s per KPI id."""
    grouped: dict[int, list[Any]] = defaultdict(list)
    users: dict[str, HistoryUser] = {}
    at = record._fields.index(key)
    for row in rows:
        name = row[-1]
        user = (
            None if name is None else users.get(name) or users.setdefault(name, HistoryUser(name))
        )
        grouped[row[at]].append(record(*row[:-1], user))
    return grouped


# --- data files -------------------------------------------------------------------------------


def write_data(loaded: Loaded, site: SiteWriter) -> dict[str, list[list[str]]]:
    """The downloads and API answers of each report, and the national rows."""
    org = loaded.org
    publisher = Publisher(org.code, org.name)
    rows: dict[str, list[list[str]]] = defaultdict(list)
    for name, data in api_files.organization_files(org, loaded.years).items():
        site.write(name, data)
    for year, ledger in loaded.ledgers.items():
        result = ledger.result
        wide = opendata.wide_rows(result, publisher)  # the wide file's rows and the national
        for fmt in STATIC_FORMATS:
            if fmt == "csv-wide":  # as FORMATS renders it, from the rows made above
                data = opendata.dumps_wide(result, publisher, wide).encode(opendata.ENCODING)
            else:
                data = FORMATS[fmt].render(result, publisher)
            site.write(download_file(org.code, year, fmt), data)
        for name, data in api_files.report_files(ledger).items():
            site.write(name, data)
        rows[national.KPIS] += national.kpi_rows(wide, len(result.report.year_columns))
        rows[national.OBSERVATIONS] += national.observation_rows(result, publisher)
        rows[national.PROJECTS] += opendata.project_rows(result, publisher)
    return rows


# --- pages ------------------------------------------------------------------------------------


def downloads(code: str, year: int) -> Downloads:
    """The report's download links that the site holds."""
    links = presenters.download_links(code, year)
    kept = {reverse("ledger:download", args=[code, year, fmt]) for fmt in STATIC_FORMATS}
    return Downloads(links.year_label, [link for link in links.links if link.url in kept])


def write_pages(loaded: Loaded, site: SiteWriter, language: str) -> None:
    """Every page of the organization in the active language."""
    code, years = loaded.org.code, loaded.years
    site.redirect(
        reverse("ledger:organization", args=[code]),
        reverse("ledger:report", args=[code, years[0]]),
        language,
    )
    for year, ledger in loaded.ledgers.items():
        write_report_pages(loaded, site, year, ledger)
    for kpi_id, its_years in loaded.kpi_years.items():
        site.redirect(
            reverse("ledger:kpi", args=[code, kpi_id]),
            kpi_url(code, kpi_id, its_years[0]),
            language,
        )


def write_report_pages(loaded: Loaded, site: SiteWriter, year: int, ledger: LedgerReport) -> None:
    code, years = loaded.org.code, loaded.years
    links = downloads(code, year)
    page = presenters.report_page(ledger, years)
    report = {
        "page": page,
        "downloads": links,
        "field_links": field_pages.organization_field_links(code, year, loaded.fields[year]),
    }
    site.render("ledger/report.html", report, reverse("ledger:report", args=[code, year]))
    dashboard = {"page": presenters.dashboard_page(ledger, years, page), "downloads": links}
    site.render("ledger/dashboard.html", dashboard, reverse("ledger:dashboard", args=[code, year]))
    for kpi_id, result in zip(ledger.kpi_ids, ledger.result.kpis, strict=True):
        page = presenters.kpi_page(
            loaded.kpis[kpi_id],
            result,
            loaded.kpi_years[kpi_id],
            year,
            loaded.observation_history.get(kpi_id, []),
            loaded.kpi_history.get(kpi_id, []),
        )
        site.render("ledger/kpi.html", {"page": page}, kpi_url(code, kpi_id, year))
