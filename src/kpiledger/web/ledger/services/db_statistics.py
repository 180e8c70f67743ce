"""The query planner's statistics: taken after a large write, brought up to date before a long
read.

SQLite keeps none unless asked (`ANALYZE`), and its planner then guesses: in a national ledger
it counted an organization's judgements of a year by reading every judgement of the year (2 ms
instead of 0.1 ms a query). `take_statistics` asks it, on a sample of each index
(`analysis_limit`: milliseconds, not a read of every row); the bulk import does at its end.

PostgreSQL's autovacuum takes them by itself, a minute or so after a large write. A full
`ANALYZE` of a national ledger costs ~2 s there, too much to add to every import;
`refresh_stale_statistics` takes them, before a long read such as `publish --all`, for the
tables whose rows changed by more than a tenth since their last statistics (when autovacuum
has not yet: one query otherwise). On SQLite it takes them when a ledger has none (one made
before kpiledger took them, or grown only by single imports and entry).
"""

from __future__ import annotations

from django.db import connection

ANALYSIS_LIMIT = 1000  # SQLite: index entries sampled for the statistics (`analysis_limit`)
STALE_SHARE = 0.1  # PostgreSQL: rows changed since the last statistics, as a share of the rows
STALE_ROWS = 50  # … and at least this many (autovacuum's own threshold)


def take_statistics() -> None:
    """SQLite: the statistics of every table taken now (the limit as it was afterwards).
    PostgreSQL: nothing (its autovacuum does)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA analysis_limit")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
        try:
            cursor.execute("ANALYZE")
        finally:
            cursor.execute(f"PRAGMA analysis_limit = {int(before)}")


def refresh_stale_statistics() -> list[str]:
    """The statistics of the tables that need them taken now; the tables' names. SQLite: every
    table, when the ledger has none yet (made before kpiledger took them). PostgreSQL: the
    tables changed by more than `STALE_SHARE` since their last statistics."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone():
                return []
            take_statistics()
            return ["*"]
        if connection.vendor != "postgresql":
            return []
        cursor.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE schemaname = current_schema()"
            " AND n_mod_since_analyze > GREATEST(%s, %s * n_live_tup) ORDER BY relname",
            [STALE_ROWS, STALE_SHARE],
        )
        names = [name for (name,) in cursor.fetchall()]
        for name in names:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(name)}")
    return names
