"""The pages above one organization, in one table: the home page and the comparison pages.

Each kind names its URL, the shape of its address (a regular expression of the path after the
language prefix), the query parameters whose values are pages of their own on the site (a page
number: `field/tourism/?page=2` → `field/tourism/page-2/index.html`; any other parameter, such
as a sort order, is dropped and its link leads to the page as first shown) and its file name.

The site starts from every kind that is an `entry` and whose URL exists in this version of the
app (a kind the app lacks is left out), renders each by calling its view directly, and follows
the links of each page to the addresses of any kind here. Adding a page kind is one entry in
`KINDS`; the organizations' own pages (report, dashboard, KPI) are rendered by
`organization.py` from their presenters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

INDEX = "index.html"


@dataclass(frozen=True)
class Kind:
    url_name: str  # reversed without arguments for an entry kind
    path: str  # regular expression of the path after the language prefix
    queries: tuple[str, ...] = ()  # the parameters kept (each value: a page of its own)
    file: str = INDEX  # the file in the page's folder
    entry: bool = False  # whether the site starts from it

    def matches(self, path: str) -> bool:
        return re.fullmatch(self.path, path) is not None


KINDS: tuple[Kind, ...] = (
    Kind("ledger:home", r"", ("page",), entry=True),
    Kind("ledger:nation", r"nation/", ("page",), entry=True),
    Kind("ledger:prefecture", r"pref/\d{2,6}/", ("page",)),
    Kind("ledger:fields", r"fields/", entry=True),
    Kind("ledger:field", r"field/[\w-]+/", ("page",)),
    Kind("ledger:field_csv", r"field/[\w-]+/csv/[\w-]+/", file="table.csv"),
)

SAFE_VALUE = re.compile(r"[\w-]{1,40}")


def kind_of(path: str) -> Kind | None:
    """The kind of a path (after the language prefix), None for an organization's page."""
    return next((kind for kind in KINDS if kind.matches(path)), None)


def variant_file(kind: Kind, path: str, query: dict[str, str]) -> str:
    """The site file of `path` with `query` (`field/tourism/page-2/index.html`)."""
    kept = "".join(
        f"{key}-{query[key]}/"
        for key in kind.queries
        if key in query and SAFE_VALUE.fullmatch(query[key])
    )
    return f"{path}{kept}{kind.file}"


def kept_query(kind: Kind, query: dict[str, str]) -> dict[str, str]:
    """The parameters of `query` that are pages of their own."""
    return {
        key: query[key] for key in kind.queries if key in query and SAFE_VALUE.fullmatch(query[key])
    }
