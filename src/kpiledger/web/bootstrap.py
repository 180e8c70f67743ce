"""Preparing the ledger database: safe to interrupt, safe to re-run, safe for two processes.

- One process at a time prepares a data directory (`datadir.setup_lock`, and on PostgreSQL an
  advisory lock as well, for workers on other hosts).
- A new SQLite ledger is built whole in a temporary file beside it (migrations, and the reference
  report for `serve`) and moved into place only when complete: a kill at any point leaves
  either no ledger or a complete one, never a half-migrated one. Leftovers of a killed build
  are removed by the next run.
- An existing ledger is migrated in place: each migration is one transaction on SQLite and
  PostgreSQL alike.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection

from kpiledger.web import datadir

WAITING = (
    "別の kpiledger が台帳を準備しています。終わるまで待ちます… / "
    "another kpiledger process is preparing the ledger; waiting for it…"
)
BUILD_SUFFIX = ".building"
ADVISORY_KEY = 0x6B70696C  # 'kpil': the setup lock on PostgreSQL


def prepare_database(fill: Callable[[], object] | None = None) -> None:
    """Migrate the ledger; then call `fill` (e.g. load the reference report into an empty
    ledger) while still holding the setup lock."""
    with datadir.setup_lock(Path(settings.DATA_DIR), WAITING), _database_lock():
        path = sqlite_path()
        if path is not None and not _is_complete(path):
            _build_sqlite(path, fill)
            return
        if path is not None:
            datadir.make_private(path)
        _migrate()
        if fill:
            fill()


def sqlite_path() -> Path | None:
    """The SQLite file of the default database, or None for another engine."""
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict["NAME"])
    return None if connection.creation.is_in_memory_db(name) else Path(name)


def _is_complete(path: Path) -> bool:
    """A ledger file exists and is not empty (an empty file is what sqlite leaves when it is
    opened before any table was made)."""
    return path.exists() and path.stat().st_size > 0


def _build_sqlite(path: Path, fill: Callable[[], object] | None) -> None:
    building = path.with_name(path.name + BUILD_SUFFIX)
    _remove_build(building)  # what a killed build left
    datadir.create_private(building)
    with _using(building):
        _migrate()
        if fill:
            fill()
        with connection.cursor() as cursor:  # fold the WAL into the file before it moves
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with open(building, "rb") as file:
        os.fsync(file.fileno())
    _remove_build(building, keep_main=True)
    with contextlib.suppress(FileNotFoundError):
        if path.stat().st_size == 0:
            path.unlink()  # an empty placeholder made by an earlier open
    os.replace(building, path)
    _fsync_dir(path.parent)


@contextlib.contextmanager
def _using(path: Path) -> Iterator[None]:
    """Point the default connection at `path` for a while."""
    original = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = path
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original


def _remove_build(building: Path, keep_main: bool = False) -> None:
    names = ["-wal", "-shm", "-journal"] + ([] if keep_main else [""])
    for suffix in names:
        with contextlib.suppress(FileNotFoundError):
            building.with_name(building.name + suffix).unlink()


def _fsync_dir(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _migrate() -> None:
    call_command("migrate", interactive=False, verbosity=0)


@contextlib.contextmanager
def _database_lock() -> Iterator[None]:
    """On PostgreSQL, a session advisory lock: setup on several hosts at once runs in turn."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_KEY])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_KEY])
