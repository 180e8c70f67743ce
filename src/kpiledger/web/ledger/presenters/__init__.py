"""Evaluated reports turned into rows, labels and chart data for the public pages.

Views fetch (a fixed number of queries); presenters only reshape what was fetched, so the
templates never query. Every label goes through Django i18n (Japanese msgids, English in
locale/en); texts the core already gives in both languages (reasons, flags) are picked by the
active language.
"""

from kpiledger.web.ledger.presenters.downloads import Downloads, download_links
from kpiledger.web.ledger.presenters.formatting import (
    Badge,
    badge,
    count_text,
    english,
    year_label,
)
from kpiledger.web.ledger.presenters.kpi import KpiPage, kpi_page
from kpiledger.web.ledger.presenters.report import (
    DashboardPage,
    ReportPage,
    dashboard_page,
    home_rows,
    report_page,
)

__all__ = [
    "Badge",
    "DashboardPage",
    "Downloads",
    "KpiPage",
    "ReportPage",
    "badge",
    "count_text",
    "dashboard_page",
    "download_links",
    "english",
    "home_rows",
    "kpi_page",
    "report_page",
    "year_label",
]
