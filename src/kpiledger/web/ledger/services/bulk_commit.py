"""How a bulk import commits: quickly while many files are written, durably at the end.

While many files are written, SQLite commits without waiting for the disk at each transaction
(`synchronous=NORMAL`, which in WAL mode keeps the database consistent after a crash; only the
last commits before a power loss could be lost), keeps its temporary data (statement journals)
in memory instead of temporary files, and copies the write-ahead log into the database less
often (`wal_autocheckpoint`); the end makes everything durable with one synced commit.
PostgreSQL commits likewise (`synchronous_commit=off`). Each transaction is still all or
nothing, and every setting is restored afterwards.

At the end SQLite's statistics are refreshed (`ANALYZE`): SQLite keeps none unless asked,
and its query planner then guesses: in a national ledger it counted an organization's
judgements of a year by reading every judgement of the year (2 ms instead of 0.1 ms a query).
They come from a sample of each index (`analysis_limit`: milliseconds, not a read of every
row). PostgreSQL's autovacuum keeps its own statistics.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.db import connection, transaction

ANALYSIS_LIMIT = 1000  # SQLite: index entries sampled for the statistics (`analysis_limit`)

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
        _statistics()
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


def _statistics() -> None:
    """SQLite's query planner statistics refreshed (see the module's docstring)."""
    with _sqlite_pragmas(analysis_limit=str(ANALYSIS_LIMIT)), connection.cursor() as cursor:
        cursor.execute("ANALYZE")
