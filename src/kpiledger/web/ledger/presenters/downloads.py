"""The download links of a report (one per output format of `io.writers.formats`)."""

from __future__ import annotations

from dataclasses import dataclass

from kpiledger.io.writers.formats import FORMATS
from kpiledger.web.ledger.presenters.formatting import english, year_label
from kpiledger.web.ledger.presenters.urls import reverse


@dataclass(frozen=True)
class DownloadLink:
    url: str
    label: str  # in the page's language
    content_type: str  # without parameters, for the link's `type`


@dataclass(frozen=True)
class Downloads:
    year_label: str
    links: list[DownloadLink]


def download_links(code: str, fiscal_year: int) -> Downloads:
    """A link per format to the report of `fiscal_year`, generated from the ledger."""
    in_english = english()
    return Downloads(
        year_label(fiscal_year),
        [
            DownloadLink(
                reverse("ledger:download", args=[code, fiscal_year, f.name]),
                f.label_en if in_english else f.label_ja,
                f.content_type.split(";")[0],
            )
            for f in FORMATS.values()
        ],
    )
