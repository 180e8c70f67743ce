"""The settings a bulk import runs under (services/bulk_commit.py, bulk_read.py): SQLite's fast
commits during the import and every setting restored after it; the heap frozen for the forked
workers and unfrozen after; a worker's garbage collection less frequent; the parallel reading
gives the same results as reading in this process."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from django.db import connection

from kpiledger.core.orgcode import check_digit
from kpiledger.web.forking import frozen_heap
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services import bulk_commit, bulk_read
from kpiledger.web.ledger.services.bulk import FileToImport, Status, import_files
from kpiledger.web.ledger.services.fresh_rows import FreshFile
from kpiledger.web.ledger.tests import factories as f

PRAGMAS = ("synchronous", "cache_size", "temp_store", "wal_autocheckpoint")
#: What `fast_commits` sets while many files are written, as each database reports it.
FAST = {
    "sqlite": {
        "synchronous": 1,
        "cache_size": -65536,
        "temp_store": 2,
        "wal_autocheckpoint": 16384,
    },
    "postgresql": {"synchronous_commit": "off"},
}


def settings_now() -> dict[str, object]:
    """The commit settings of this connection: SQLite's pragmas, PostgreSQL's
    synchronous_commit."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW synchronous_commit")
            return {"synchronous_commit": cursor.fetchone()[0]}
        found = {}
        for name in PRAGMAS:
            cursor.execute(f"PRAGMA {name}")
            found[name] = cursor.fetchone()[0]
        return found


@pytest.mark.django_db(transaction=True)
def test_commits_are_fast_during_the_import_and_as_before_after_it():
    before = settings_now()
    with bulk_commit.fast_commits(True):
        during = settings_now()
    assert during == FAST[connection.vendor]
    assert settings_now() == before != during
    assert m.LedgerVersion.objects.exists()  # the durable commit at the end


@pytest.mark.django_db(transaction=True)
def test_the_settings_are_restored_when_the_import_fails():
    before = settings_now()
    with pytest.raises(RuntimeError), bulk_commit.fast_commits(True):
        raise RuntimeError("disk full")
    assert settings_now() == before


@pytest.mark.django_db(transaction=True)
def test_the_planners_statistics_are_taken_after_an_import_on_sqlite_only(tmp_path):
    """SQLite keeps none unless asked (`ANALYZE`, on a sample: the limit restored after);
    PostgreSQL's autovacuum keeps its own, and an `ANALYZE` there would cost seconds."""
    path = tmp_path / "012068_r5.txt"
    path.write_bytes(f.REFERENCE_BYTES)
    before = _analysis_limit()
    summary = import_files([FileToImport(path, "012068")], workers=1)
    assert [o.status for o in summary.outcomes] == [Status.IMPORTED]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'ledger_judgement'")
            stats = dict(cursor.fetchall())
            assert stats["judgement_org_year"].split()[0] == "24"  # the report's 24 KPIs
            assert _analysis_limit() == before
        else:
            cursor.execute(
                "SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'ledger_judgement'"
            )
            assert cursor.fetchone() == (None,)


@pytest.mark.django_db(transaction=True)
def test_stale_statistics_are_taken_before_a_long_read_and_only_then():
    from kpiledger.web.ledger.services.db_statistics import refresh_stale_statistics

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")  # makes sqlite_stat1 …
            cursor.execute("DROP TABLE sqlite_stat1")  # … and a ledger made before has none
    for index in range(60):  # more than autovacuum's 50 rows, all of the table
        five = f"{10000 + index:05d}"
        f.make_organization(code=f"{five}{check_digit(five)}", name=f"団体{index}")
    _statistics_counted()
    first = refresh_stale_statistics()
    _statistics_counted()
    assert refresh_stale_statistics() == []  # up to date now
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            assert first == ["*"]
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'ledger_organization'")
            assert cursor.fetchone() is not None
        else:
            assert "ledger_organization" in first  # other tables: as earlier tests left them
            cursor.execute(
                "SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'ledger_organization'"
            )
            assert cursor.fetchone()[0] is not None


def _statistics_counted() -> None:
    """PostgreSQL: this connection's counts of changed rows visible in pg_stat_user_tables
    (they are flushed at most once a second, and read once per transaction)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_force_next_flush()")
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")


def _analysis_limit() -> int | None:
    if connection.vendor != "sqlite":
        return None
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA analysis_limit")
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_inside_a_callers_transaction_nothing_is_changed():
    before = settings_now()
    with bulk_commit.fast_commits(True):
        assert settings_now() == before


def test_the_heap_is_frozen_while_the_workers_run_and_unfrozen_after():
    assert gc.get_freeze_count() == 0
    with frozen_heap():
        frozen = gc.get_freeze_count()
        assert frozen > 1000
    assert gc.get_freeze_count() == 0


def test_a_heap_frozen_by_someone_else_stays_frozen():
    gc.freeze()
    try:
        count = gc.get_freeze_count()  # frozen objects may be freed meanwhile, never added
        with frozen_heap():
            assert 0 < gc.get_freeze_count() <= count
        assert 0 < gc.get_freeze_count() <= count
    finally:
        gc.unfreeze()


def thresholds(tasks):  # type: ignore[no-untyped-def]
    """A worker's garbage collection thresholds, once per task (in place of reading)."""
    return [gc.get_threshold() for _ in tasks]


def test_the_workers_collect_garbage_ten_times_less_often(tmp_path, monkeypatch):
    monkeypatch.setattr(bulk_read, "_read_chunk", thresholds)
    before = gc.get_threshold()
    items = [FileToImport(tmp_path / f"{n}.txt", "012068") for n in range(3)]
    found = [read for _, read in bulk_read.read_all(items, 2, {})]
    assert found == [(before[0] * 10, *before[1:])] * 3
    assert gc.get_threshold() == before


def write_towns(folder: Path) -> list[FileToImport]:
    items = []
    for code, name in (("012068", "釧路市"), ("011002", "札幌市"), ("012025", "函館市")):
        path = folder / f"{code}.txt"
        path.write_text(f.REFERENCE_TEXT.replace("釧路市", name), encoding="utf-8")
        items.append(FileToImport(path, code))
    return items


def test_the_workers_read_what_this_process_reads(tmp_path):
    items = write_towns(tmp_path)
    fresh = {0: ("012068", None, True), 2: ("012025", "函館市", False)}
    serial = list(bulk_read.read_all(items, 1, fresh))
    parallel = list(bulk_read.read_all(items, 2, fresh))
    assert [i for i, _ in parallel] == [0, 1, 2]
    assert isinstance(parallel[0][1], FreshFile) and isinstance(parallel[2][1], FreshFile)
    assert parallel[0][1].rows == serial[0][1].rows  # type: ignore[union-attr]
    assert parallel[2][1].rows == serial[2][1].rows  # type: ignore[union-attr]
    content, report = parallel[1][1]  # type: ignore[misc]
    assert content == items[1].path.read_bytes() and report.fiscal_year == 2023
    assert gc.get_freeze_count() == 0


@pytest.mark.django_db(transaction=True)
def test_more_files_than_the_workers_hold_ahead_all_go_in_in_order(tmp_path, monkeypatch):
    monkeypatch.setattr(bulk_read, "AHEAD", 1)
    monkeypatch.setattr(bulk_read, "CHUNK", 1)
    items = write_towns(tmp_path)
    done: list[int] = []
    summary = import_files(items, workers=2, on_done=lambda o: done.append(o.index))
    assert done == [0, 1, 2]
    assert [o.status for o in summary.outcomes] == [Status.IMPORTED] * 3
    assert m.Kpi.objects.count() == 3 * 24
