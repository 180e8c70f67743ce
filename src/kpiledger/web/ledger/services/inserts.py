"""Bulk writes of ledger rows, each with its history row, without the ORM's per-value cost.

`create_with_history` and `update_with_history` do what django-simple-history's
`bulk_create_with_history` and `bulk_update_with_history` do (the rows, then one historical row
per row: `+` created, `~` changed, with who and why), but build each table's statement once and
prepare each value once for both rows. The ORM's bulk_create spends ~90 µs per row on building
SQL; an import of a whole nation writes 600,000 rows (see benchmarks/import_national.py).

The values are prepared by the fields themselves (`get_db_prep_save`), except plain text,
numbers and booleans, which are passed as they are: what the database receives is what the
ORM would send. Ids come back from `INSERT … RETURNING` (SQLite ≥ 3.35, PostgreSQL), in order,
as the ORM's bulk_create relies on; other databases use the ORM.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import connection, connections, models
from django.db.models.base import ModelState
from django.db.models.signals import post_init
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

Prep = Callable[[Any, Any], Any]  # (value, connection) → the value the database receives

# Fields whose database value is the Python value itself when it is of a plain type.
PLAIN_FIELDS = frozenset(
    {
        "CharField",
        "TextField",
        "IntegerField",
        "SmallIntegerField",
        "BigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "PositiveBigIntegerField",
        "BooleanField",
        "ForeignKey",
        "AutoField",
        "BigAutoField",
    }
)
PLAIN_VALUES = (str, int, bool, type(None))
MAX_PARAMS = 999  # SQLite's smallest limit of variables per statement (Django assumes it too)


def create_with_history(
    objs: Sequence[models.Model],
    model: type[models.Model],
    *,
    user: Any = None,
    reason: str = "",
    date: datetime | None = None,
) -> None:
    """INSERT `objs` (their ids are set) and a `+` history row for each."""
    if not objs:
        return
    if not connection.features.can_return_rows_from_bulk_insert:
        bulk_create_with_history(
            list(objs), model, default_user=user, default_change_reason=reason, default_date=date
        )
        return
    table, db = _table(model), connections[connection.alias]
    rows = [table.values(obj, db, add=True) for obj in objs]
    with db.cursor() as cursor:
        for start in range(0, len(rows), table.batch):
            chunk = rows[start : start + table.batch]
            cursor.execute(table.insert_sql(len(chunk)), [v for row in chunk for v in row])
            for row, (pk,) in zip(chunk, cursor.fetchall(), strict=True):
                row.append(pk)
    for obj, row in zip(objs, rows, strict=True):
        obj.pk = row[-1]
        obj._state.adding, obj._state.db = False, db.alias
    _history(db, table, rows, "+", user, reason, date)


def update_with_history(
    objs: Sequence[models.Model],
    model: type[models.Model],
    fields: Sequence[str],
    *,
    user: Any = None,
    reason: str = "",
    date: datetime | None = None,
) -> None:
    """UPDATE `fields` of `objs` (one statement, many rows) and a `~` history row for each,
    holding the whole row as it now is."""
    if not objs:
        return
    if not connection.features.can_return_rows_from_bulk_insert:
        bulk_update_with_history(
            list(objs),
            model,
            list(fields),
            default_user=user,
            default_change_reason=reason,
            default_date=date,
        )
        return
    table, db = _table(model), connections[connection.alias]
    rows = [[*table.values(obj, db, add=False), obj.pk] for obj in objs]
    columns = [table.columns.index(model._meta.get_field(f).column) for f in fields]
    sql = table.update_sql([table.columns[i] for i in columns])
    with db.cursor() as cursor:
        cursor.executemany(sql, [[row[i] for i in columns] + [row[-1]] for row in rows])
    _history(db, table, rows, "~", user, reason, date)


class _Table:
    """One model's insert and history statements and its value preparers, built once."""

    def __init__(self, model: type[models.Model]):
        ops = connection.ops
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.columns = [f.column for f in self.fields]
        self.preps = [(f.attname, preparer(f)) for f in self.fields]
        self.auto = [i for i, f in enumerate(self.fields) if _is_auto(f)]
        self.name = ops.quote_name(model._meta.db_table)
        self.pk = ops.quote_name(model._meta.pk.column)
        self.batch = max(1, MAX_PARAMS // len(self.fields))
        history = model.history.model  # type: ignore[attr-defined]
        attnames = [f.attname for f in self.fields]
        meta_names = ("history_date", "history_change_reason", "history_type", "history_user_id")
        self.history_columns: list[str] = []
        self.history_sources: list[int | str] = []  # index into a row's values, or a meta name
        for field in history._meta.concrete_fields:
            if field.primary_key:
                continue
            self.history_columns.append(field.column)
            if field.attname == model._meta.pk.attname:
                self.history_sources.append(-1)  # the row's id, appended to its values
            elif field.attname in meta_names:
                self.history_sources.append(field.attname)
            else:
                self.history_sources.append(attnames.index(field.attname))
        self.history_name = ops.quote_name(history._meta.db_table)
        self.history_date = history._meta.get_field("history_date")

    def values(self, obj: models.Model, db: Any, *, add: bool) -> list[Any]:
        for i in self.auto:  # auto_now / auto_now_add: set on the object, as save() does
            self.fields[i].pre_save(obj, add)
        values = obj.__dict__
        return [prep(values[name], db) for name, prep in self.preps]

    def insert_sql(self, count: int) -> str:
        return _insert_sql(self.name, tuple(self.columns), count, self.pk)

    def update_sql(self, columns: list[str]) -> str:
        quote = connection.ops.quote_name
        sets = ", ".join(f"{quote(c)} = %s" for c in columns)
        return f"UPDATE {self.name} SET {sets} WHERE {self.pk} = %s"

    def history_sql(self) -> str:
        return _insert_sql(self.history_name, tuple(self.history_columns), 1, None)


@functools.cache
def _insert_sql(table: str, columns: tuple[str, ...], count: int, returning: str | None) -> str:
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    sql = f"INSERT INTO {table} ({names}) VALUES " + ", ".join([one] * count)
    return sql + (f" RETURNING {returning}" if returning else "")


def _history(
    db: Any,
    table: _Table,
    rows: list[list[Any]],
    kind: str,
    user: Any,
    reason: str,
    date: datetime | None,
) -> None:
    """One history row per written row: the row's values (prepared once, for both) and who,
    when, why."""
    meta = {
        "history_date": table.history_date.get_db_prep_save(date or timezone.now(), db),
        "history_change_reason": reason or None,
        "history_type": kind,
        "history_user_id": getattr(user, "pk", None),
    }
    sources = [s if isinstance(s, int) else None for s in table.history_sources]
    fixed = [meta[s] if isinstance(s, str) else None for s in table.history_sources]
    history = [
        [row[s] if s is not None else value for s, value in zip(sources, fixed, strict=True)]
        for row in rows
    ]
    with db.cursor() as cursor:
        cursor.executemany(table.history_sql(), history)


def preparer(field: models.Field) -> Prep:  # type: ignore[type-arg]
    """How the field's value becomes the database's: the field's own `get_db_prep_save`, except
    for a plain value (text, a whole number, a finite Decimal) that it would pass unchanged."""
    kind = field.get_internal_type()
    full = field.get_db_prep_save
    if kind == "DecimalField":

        def decimal(value: Any, db: Any) -> Any:
            plain = value is None or (type(value) is Decimal and value.is_finite())
            return value if plain else full(value, db)

        return decimal
    if kind not in PLAIN_FIELDS:
        return full

    def prep(value: Any, db: Any) -> Any:
        return value if type(value) in PLAIN_VALUES else full(value, db)

    return prep


def new_row(model: type[models.Model], **values: Any) -> Any:
    """`model(**values)` for a row about to be bulk written, by field attname (`kpi_id`, not
    `kpi`): each field's value or its default, set as Django's own constructor sets them, without
    its per-field work (an import makes hundreds of rows per file). A model with `post_init`
    receivers is made by its constructor."""
    fields = _defaults(model)
    if not fields.keys() >= values.keys():
        raise TypeError(f"{model.__name__} has no fields {sorted(values.keys() - fields.keys())}")
    if post_init.has_listeners(model):
        return model(**values)
    row = model.__new__(model)
    state = row.__dict__
    state["_state"] = ModelState()
    for name, (default, make) in fields.items():
        state[name] = values[name] if name in values else make() if make else default
    return row


@functools.cache
def _defaults(model: type[models.Model]) -> dict[str, tuple[Any, Callable[[], Any] | None]]:
    """Each field's attname → its default: a value to share (None, text, a number) or, for a
    callable default (`dict`, `now`), the function to call for each row."""
    return {
        f.attname: (None, f.get_default) if callable(f.default) else (f.get_default(), None)
        for f in model._meta.concrete_fields
    }


def _is_auto(field: models.Field) -> bool:  # type: ignore[type-arg]
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


_tables: dict[tuple[str, type[models.Model]], _Table] = {}


def _table(model: type[models.Model]) -> _Table:
    key = (connection.vendor, model)
    if key not in _tables:
        _tables[key] = _Table(model)
    return _tables[key]
