"""The pages above one organization, in one table: the home page and the comparison pages.

Each kind names its URL, the shape of its address (a regular expression of the path after the
language prefix), the query parameters whose values are pages of their own on the site (a year
or a page number: `field/tourism/?year=2023&page=2` →
`field/tourism/year-2023/page-2/index.html`; any other parameter, such as a sort order or the
organization a field page marks, is dropped and its link leads to the page as first shown) and
its file name. A kind whose address is a file (`nation/prefectures.csv`) keeps its parameters as
folders before the name (`nation/year-2023/prefectures.csv`).

The site starts from every kind that is an `entry` and whose URL exists in this version of the
app (a kind the app lacks is left out), renders each by calling its view directly, and follows
the links of each page to the addresses of any kind here. Adding a page kind is one entry in
`KINDS`; the organizations' own pages (report, dashboard, KPI) are rendered by
`organization.py` from their presenters.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

INDEX = "index.html"


@dataclass(frozen=True)
class Kind:
    url_name: str  # reversed without arguments for an entry kind
    path: str  # regular expression of the path after the language prefix
    queries: tuple[str, ...] = ()  # the parameters kept (each value: a page of its own)
    file: str = INDEX  # the file in the page's folder ("" for an address that is a file)
    entry: bool = False  # whether the site starts from it

    def matches(self, path: str) -> bool:
        return _compiled(self.path).fullmatch(path) is not None


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    """A kind's path pattern compiled once (every address the site writes is matched)."""
    return re.compile(pattern)


KINDS: tuple[Kind, ...] = (
    Kind("ledger:home", r"", ("page",), entry=True),
    Kind("ledger:nation", r"nation/", ("year", "page"), entry=True),
    Kind("ledger:nation_prefectures_csv", r"nation/prefectures\.csv", ("year",), file=""),
    Kind("ledger:nation_organizations_csv", r"nation/organizations\.csv", ("year",), file=""),
    Kind("ledger:prefecture", r"pref/\d{2,6}/", ("year", "page")),
    Kind("ledger:prefecture_csv", r"pref/\d{2,6}/organizations\.csv", ("year",), file=""),
    Kind("ledger:fields", r"fields/", ("year",), entry=True),
    Kind("ledger:field", r"field/[\w-]+/", ("year", "page")),
    Kind("ledger:field_csv", r"field/[\w-]+/csv/[\w-]+/", ("year",), file="table.csv"),
)

SAFE_VALUE = re.compile(r"[\w-]{1,40}")


def kind_of(path: str) -> Kind | None:
    """The kind of a path (after the language prefix), None for an organization's page."""
    return next((kind for kind in KINDS if kind.matches(path)), None)


def variant_file(
    kind: Kind, path: str, query: dict[str, str], dropped: frozenset[str] = frozenset()
) -> str:
    """The site file of `path` with `query` (`field/tourism/page-2/index.html`,
    `nation/year-2023/prefectures.csv`)."""
    kept = "".join(f"{key}-{value}/" for key, value in kept_query(kind, query, dropped).items())
    folder, _, name = path.rpartition("/")
    folder = f"{folder}/" if folder else ""
    return f"{folder}{kept}{name}{kind.file}"


def kept_query(
    kind: Kind, query: dict[str, str], dropped: frozenset[str] = frozenset()
) -> dict[str, str]:
    """The parameters of `query` that are pages of their own, less those `dropped` (`year` in a
    ledger of one report year, where every page of a year is the page as first shown)."""
    return {
        key: query[key]
        for key in kind.queries
        if key in query and key not in dropped and SAFE_VALUE.fullmatch(query[key])
    }
