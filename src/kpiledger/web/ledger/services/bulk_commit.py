"""How a bulk import commits: quickly while many files are written, durably at the end.

While many files are written, SQLite commits without waiting for the disk at each transaction
(`synchronous=NORMAL`, which in WAL mode keeps the database consistent after a crash; only the
last commits before a power loss could be lost), keeps its temporary data (statement journals)
in memory instead of temporary files, and copies the write-ahead log into the database less
often (`wal_autocheckpoint`); the end makes everything durable with one synced commit.
PostgreSQL commits likewise (`synchronous_commit=off`). Each transaction is still all or
nothing, and every setting is restored afterwards.

At the end SQLite's query planner statistics are taken (`db_statistics.take_statistics`:
SQLite keeps none unless asked); PostgreSQL's autovacuum takes its own.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.db import connection, transaction

from kpiledger.web.ledger.services.db_statistics import take_statistics

# SQLite's settings while many files are written (see the module's docstring): a 64 MB page
# cache, and a checkpoint every 16,384 pages (64 MB of log) rather than every 1,000.
SQLITE_FAST = {
    "synchronous": "NORMAL",
    "cache_size": "-65536",
    "temp_store": "MEMORY",
    "wal_autocheckpoint": "16384",
}


@contextlib.contextmanager
def fast_commits(enabled: bool) -> Iterator[None]:
    """Commits that do not wait for the disk while many files are written, then one that does
    (see the module's docstring). Left as is inside a caller's transaction."""
    if not enabled or connection.in_atomic_block:
        yield
        return
    if connection.vendor == "sqlite":
        with _sqlite_pragmas(**SQLITE_FAST):
            yield
        _durable()
        take_statistics()
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
            _durable()
    else:
        yield


@contextlib.contextmanager
def _sqlite_pragmas(**values: str) -> Iterator[None]:
    with connection.cursor() as cursor:
        before = {}
        for name, value in values.items():
            cursor.execute(f"PRAGMA {name}")
            before[name] = cursor.fetchone()[0]
            cursor.execute(f"PRAGMA {name} = {value}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for name, value in before.items():
                cursor.execute(f"PRAGMA {name} = {value}")


def _durable() -> None:
    """One commit with the usual guarantee: on SQLite it syncs the whole write-ahead log, so
    every file written before is on disk."""
    from kpiledger.web.ledger import models as m

    with transaction.atomic():
        m.LedgerVersion.bump()
