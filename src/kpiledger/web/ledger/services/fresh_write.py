"""Writing the rows of many files for organizations new to the ledger (`fresh_rows`) at once:
one statement run per table for all the files (`executemany`), each table's history rows copied
from the rows just written by the database itself (`INSERT … SELECT`, one per file: each file's
history names its own file, as `apply_import` does), in one transaction.

The ids are taken before the rows are written (PostgreSQL: from the table's sequence; SQLite:
after the largest ever used, the transaction holding the write lock), so the rows refer to
each other without asking the database for each. The organizations are locked first (`SELECT …
FOR UPDATE`, in code order) and one that has projects, report years or imports by then (another
import was quicker) is not written here: `write_files` says so and the caller takes the careful
path for it. Two imports creating one organization at once: the second fails on its unique code
and the caller writes its files one at a time (`importing.writing` then finds the organization).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services.fresh_rows import (
    BATCH,
    GRANT,
    KPI,
    NOW,
    ORG,
    PROJECT,
    FreshFile,
    Spec,
    specs,
)
from kpiledger.web.ledger.services.importing import busy_as_problem
from kpiledger.web.ledger.services.inserts import create_with_history

VENDORS = ("sqlite", "postgresql")  # where the ids can be taken before the rows are written


def supported() -> bool:
    return connection.vendor in VENDORS


def write_files(files: Sequence[FreshFile]) -> list[int | None]:
    """Write the files in one transaction (all or nothing); for each, its import batch's id, or
    None when its organization has data in the ledger by now (nothing of it written)."""
    with busy_as_problem(), transaction.atomic():
        return _write(files)


def _write(files: Sequence[FreshFile]) -> list[int | None]:
    organizations = _organizations(files)
    chosen = [f for f in files if f.code in organizations]
    if chosen:
        _Rows(chosen, organizations).write()
        m.LedgerVersion.bump()
    return [organizations[f.code][1] if f.code in organizations else None for f in files]


def _organizations(files: Sequence[FreshFile]) -> dict[str, list[Any]]:
    """Code → [organization id, batch id (set later)] of the files' organizations that have
    nothing in the ledger: locked when they exist, created when they do not."""
    codes = sorted({f.code for f in files})
    rows = m.Organization.objects.select_for_update().filter(code__in=codes).order_by("code")
    existing = dict(rows.values_list("code", "pk"))
    ids = list(existing.values())
    busy = set()
    if ids:
        applied = m.ImportBatch.objects.filter(status=m.ImportBatch.Status.APPLIED)
        for query in (m.Project.objects, m.FiscalYear.objects, applied):
            busy |= set(query.filter(organization_id__in=ids).values_list("organization_id"))
    busy_ids = {pk for (pk,) in busy}
    found = {code: [pk, None] for code, pk in existing.items() if pk not in busy_ids}
    new: dict[str, m.Organization] = {}
    for file in files:
        if file.code not in existing and file.code not in new:
            new[file.code] = m.Organization(**file.organization)
    create_with_history(list(new.values()), m.Organization)
    return found | {code: [organization.pk, None] for code, organization in new.items()}


class _Rows:
    """The files' rows with their references filled in, written table by table."""

    def __init__(self, files: Sequence[FreshFile], organizations: dict[str, list[Any]]):
        self.files = files
        self.organizations = organizations
        now = timezone.now()
        self.now = m.ImportBatch._meta.get_field("applied_at").get_db_prep_save(now, connection)
        self.grants = _grants(list(dict.fromkeys(name for f in files for name in f.grants)))
        self.ids: list[dict[str, list[int]]] = [{} for _ in files]

    def write(self) -> None:
        for key, spec in specs().items():
            counts = [len(f.rows[key]) for f in self.files]
            ids = _reserve(spec.model, sum(counts))
            rows: list[tuple[Any, ...]] = []
            start = 0
            for index, (file, count) in enumerate(zip(self.files, counts, strict=True)):
                mine = ids[start : start + count]
                start += count
                self.ids[index][key] = mine
                rows += self._resolved(index, file, spec, mine, file.rows[key])
            _insert(spec, rows)
            if spec.has_history:
                self._history(spec, key)
        for file, taken in zip(self.files, self.ids, strict=True):
            self.organizations[file.code][1] = taken["batch"][0]

    def _resolved(
        self, index: int, file: FreshFile, spec: Spec, ids: list[int], rows: list[tuple[Any, ...]]
    ) -> list[tuple[Any, ...]]:
        resolvers = [self._resolver(index, file, kind) for _, kind in spec.refs]
        pairs = zip(ids, rows, strict=True)
        if len(resolvers) == 1:  # the common shapes unrolled: most rows are observations
            (a,) = resolvers
            return [(pk, a(row[0]), *row[1:]) for pk, row in pairs]
        if len(resolvers) == 2:
            a, b = resolvers
            return [(pk, a(row[0]), b(row[1]), *row[2:]) for pk, row in pairs]
        k = len(resolvers)
        return [
            (pk, *[resolve(v) for resolve, v in zip(resolvers, row[:k], strict=True)], *row[k:])
            for pk, row in pairs
        ]

    def _resolver(self, index: int, file: FreshFile, kind: str) -> Callable[[Any], Any]:
        ids = self.ids[index]
        if kind == ORG:
            org_id = self.organizations[file.code][0]
            return lambda _: org_id
        if kind == BATCH:
            batch_id = ids["batch"][0]
            return lambda _: batch_id
        if kind == GRANT:
            grants = self.grants
            return lambda name: grants[name] if name else None
        if kind == PROJECT:
            return ids["project"].__getitem__
        if kind == KPI:
            return ids["kpi"].__getitem__
        if kind == NOW:
            now = self.now
            return lambda _: now
        raise ValueError(kind)

    def _history(self, spec: Spec, key: str) -> None:
        """A `+` history row of each row written, copied by the database, with the file's
        reason (`取込 / import: <file>`), as `create_with_history` writes them: on SQLite one
        statement run per file (each file's ids are a range), on PostgreSQL one statement
        (the ids and their reasons as two arrays)."""
        sql, order = _history_sql(spec)
        reasons = [f"取込 / import: {file.file_name}" for file in self.files]
        taken = [ids[key] for ids in self.ids]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                ids = [pk for mine in taken for pk in mine]
                why = [r for r, mine in zip(reasons, taken, strict=True) for _ in mine]
                cursor.execute(sql, [self.now, ids, why])
                return
            params = []
            for reason, mine in zip(reasons, taken, strict=True):
                if mine:
                    meta = {"history_date": self.now, "history_change_reason": reason}
                    meta |= {"history_type": "+", "history_user_id": None}
                    params.append([meta[name] for name in order] + [mine[0], mine[-1]])
            cursor.executemany(sql, params)


def _grants(names: list[str]) -> dict[str, int]:
    """Grant name → id, creating those the ledger lacks in the order the files name them (as
    `Writer` does)."""
    if not names:
        return {}
    found = dict(m.GrantProgram.objects.filter(name__in=names).values_list("name", "pk"))
    missing = [m.GrantProgram(name=name) for name in names if name not in found]
    for grant in m.GrantProgram.objects.bulk_create(missing):
        found[grant.name] = grant.pk
    return found


def _reserve(model: type[models.Model], count: int) -> list[int]:
    """`count` new ids of the model's table, in order (see the module's docstring)."""
    if not count:
        return []
    table, pk = model._meta.db_table, model._meta.pk.column
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [quote(table), pk])
            (sequence,) = cursor.fetchone()  # named once: not once per id
            cursor.execute(
                "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count]
            )
            return [pk for (pk,) in cursor.fetchall()]
        cursor.execute(f"SELECT MAX({quote(pk)}) FROM {quote(table)}")
        top = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        found = cursor.fetchone()
        top = max(top, found[0] if found else 0)
    return list(range(top + 1, top + 1 + count))


def _insert(spec: Spec, rows: list[tuple[Any, ...]]) -> None:
    """INSERT the rows: on PostgreSQL by COPY (one round trip, not one per row; JSON as text
    is read as jsonb), on SQLite one statement run per row (`executemany`, in-process)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(spec.model._meta.db_table)
    names = ", ".join(quote(c) for c in spec.columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        places = ", ".join(["%s"] * len(spec.columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({places})", rows)


META = ("history_date", "history_change_reason", "history_type", "history_user_id")


@functools.cache
def _history_sql_for(model: type[models.Model], vendor: str) -> tuple[str, tuple[str, ...]]:
    """The statement copying written rows into the history table, and the names of the
    history's own values in the order of its parameters (SQLite; on PostgreSQL its parameters
    are the time, the ids and the reasons)."""
    quote = connection.ops.quote_name
    history = model.history.model
    columns = {f.attname: f.column for f in model._meta.concrete_fields}
    postgres = vendor == "postgresql"
    own = {
        "history_date": "%s",
        "history_change_reason": "r.reason" if postgres else "%s",
        "history_type": "'+'",
        "history_user_id": "NULL",
    }
    targets, sources, order = [], [], []
    for field in history._meta.concrete_fields:
        if field.primary_key:
            continue
        targets.append(quote(field.column))
        if field.attname in META:
            sources.append(own[field.attname] if postgres else "%s")
            order.append(field.attname)
        else:
            sources.append("t." + quote(columns[field.attname]))
    pk = "t." + quote(model._meta.pk.column)
    rows = f"{quote(model._meta.db_table)} t"
    if postgres:
        rows += " JOIN unnest(%s::bigint[], %s::text[]) AS r(id, reason) ON " + pk + " = r.id"
        where = ""
    else:
        where = f" WHERE {pk} BETWEEN %s AND %s"
    sql = (
        f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(targets)}) "
        f"SELECT {', '.join(sources)} FROM {rows}{where} ORDER BY {pk}"
    )
    return sql, tuple(order)


def _history_sql(spec: Spec) -> tuple[str, tuple[str, ...]]:
    return _history_sql_for(spec.model, connection.vendor)  # type: ignore[arg-type]
