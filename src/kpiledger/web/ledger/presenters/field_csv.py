"""The tables of a field's comparison as CSV (`io.writers.table_csv`: UTF-8 with BOM, so that
Excel opens it; one header row in Japanese; numbers in plain exact notation, an empty cell for
no value; text that a spreadsheet would run as a formula prefixed with `'`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from kpiledger.core.distribution import Standing, share, standings
from kpiledger.core.era import fiscal_year_label
from kpiledger.core.evaluate import Status
from kpiledger.io.writers import table_csv
from kpiledger.web.ledger.services.comparison import FieldComparison, Group, OrgRow

TABLES = {  # name in the address → its Japanese name (in the file's name)
    "distribution": "達成率の分布",
    "prefectures": "都道府県別",
    "bands": "人口規模別",
    "organizations": "団体別",
}
Cell = str | int | Decimal | None


def _csv(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    return table_csv.dumps(header, rows)


def file_names(c: FieldComparison, table: str) -> tuple[str, str]:
    """The file's Japanese name and its ASCII fallback."""
    year = fiscal_year_label(c.year)
    return (
        f"分野別比較_{c.field.label_ja}_{year}_{TABLES[table]}.csv",
        f"field_{c.field.value}_{c.year}_{table}.csv",
    )


def render(c: FieldComparison, table: str, org: OrgRow | None) -> bytes:
    if table == "distribution":
        return distribution(c, org)
    if table == "prefectures":
        return groups(c.prefectures, "都道府県")
    if table == "bands":
        return groups(c.bands, "人口規模")
    return organizations(c)


def distribution(c: FieldComparison, org: OrgRow | None) -> bytes:
    header = ["区分", "区分コード", "下限（%以上）", "上限（%未満）", "指標数", "割合（%）"]
    if org is not None:
        header += [f"{org.name}の指標数", f"{org.name}の割合（%）"]
    rows = []
    for b in c.bins:
        count = c.tally.bins[b.key]
        row: list[Cell] = [b.label_ja, b.key, b.low, b.high, count, share(count, c.tally.due)]
        if org is not None:
            mine = org.tally.bins[b.key]
            row += [mine, share(mine, org.tally.due)]
        rows.append(row)
    return _csv(header, rows)


GROUP_COLUMNS = [
    "団体数",
    "指標数",
    "目標年度を迎えた指標数",
    "達成",
    "達成割合（%）",
    "達成率の中央値（%）",
]


def groups(found: list[Group], name: str) -> bytes:
    rows = [
        [
            g.label_ja,
            len(g.organizations),
            g.tally.kpis,
            g.tally.due,
            g.tally.achieved,
            g.tally.achieved_share,
            g.tally.median,
        ]
        for g in found
    ]
    return _csv([name, *GROUP_COLUMNS], rows)


ORGANIZATION_COLUMNS = [
    "団体コード",
    "団体名",
    "都道府県",
    "人口",
    "人口規模",
    "指標数",
    "目標年度を迎えた指標数",
    "達成",
    "概ね達成",
    "未達成",
    "実績なし",
    "目標年度前",
    "達成割合（%）",
    "達成率の中央値（%）",
    "県内順位",
    "県内の順位のある団体数",
    "人口規模内順位",
    "人口規模内の順位のある団体数",
]


def organizations(c: FieldComparison) -> bytes:
    """Every organization, in code order, with its ranks in its prefecture and its band."""
    in_prefecture = {g.key: standings(g.medians) for g in c.prefectures}
    in_band = {g.key: standings(g.medians) for g in c.bands}
    rows = []
    for o in c.organizations:
        t = o.tally
        mine = None if o.prefecture_government else in_prefecture[o.prefecture]
        rows.append(
            [
                o.code,
                o.name,
                o.prefecture,
                o.population,
                o.band.label_ja,
                t.kpis,
                t.due,
                t.achieved,
                t.statuses[Status.NEARLY_ACHIEVED],
                t.statuses[Status.NOT_ACHIEVED],
                t.statuses[Status.NO_DATA],
                t.statuses[Status.NOT_DUE],
                t.achieved_share,
                o.median,
                *_rank(o, mine),
                *_rank(o, in_band[o.band.key]),
            ]
        )
    return _csv(ORGANIZATION_COLUMNS, rows)


def _rank(o: OrgRow, group: dict[Decimal, Standing] | None) -> tuple[int | None, int | None]:
    if group is None or o.median is None:
        return None, None
    found = group[o.median]
    return found.rank, found.of
