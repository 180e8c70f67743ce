"""Running `kpiledger` in separate processes on one data directory, and reading the ledger
file directly: for the concurrency and interruption tests."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

LEDGER = "kpiledger.sqlite3"
#: A PostgreSQL server for the tests that run on both stores, e.g.
#: postgres://postgres@127.0.0.1:5432/postgres (each test run makes and drops its databases).
POSTGRES = os.environ.get("KPILEDGER_TEST_POSTGRES", "")
URL_FILE = "database_url.test"  # in a data directory: the ledger is this PostgreSQL database


def environment(data_dir: Path) -> dict[str, str]:
    env = os.environ | {"KPILEDGER_DATA_DIR": str(data_dir)}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the app's own settings, as a user runs it
    env.pop("KPILEDGER_SECRET_KEY", None)
    env.pop("KPILEDGER_DATABASE_URL", None)
    env.pop("DATABASE_URL", None)
    if (data_dir / URL_FILE).exists():
        env["KPILEDGER_DATABASE_URL"] = (data_dir / URL_FILE).read_text()
    return env


def on_postgres(data_dir: Path, template: Path | None = None) -> None:
    """Make `data_dir` a ledger on a new PostgreSQL database (a copy of `template`'s)."""
    import uuid

    import psycopg

    name = f"kpiledger_test_{uuid.uuid4().hex[:12]}"
    source = (template / URL_FILE).read_text().rsplit("/", 1)[1] if template else "template0"
    with psycopg.connect(POSTGRES, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / URL_FILE).write_text(POSTGRES.rsplit("/", 1)[0] + "/" + name)


def start(data_dir: Path, *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "kpiledger.cli.main", *args]
    return subprocess.Popen(
        command,
        env=environment(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    process = start(data_dir, *args)
    out, err = process.communicate(timeout=300)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def query(data_dir: Path, sql: str, *params: object) -> list[tuple]:  # type: ignore[type-arg]
    if (data_dir / URL_FILE).exists():
        import psycopg

        with psycopg.connect((data_dir / URL_FILE).read_text()) as db:
            return db.execute(sql.replace("?", "%s"), params).fetchall()
    with sqlite3.connect(data_dir / LEDGER) as db:
        return db.execute(sql, params).fetchall()


def actual(data_dir: Path, indicator: str, year: int) -> Decimal | None:
    rows = query(
        data_dir,
        "SELECT o.value FROM ledger_observation o JOIN ledger_kpi k ON k.id = o.kpi_id"
        " WHERE k.indicator = ? AND o.fiscal_year = ?",
        indicator,
        year,
    )
    value = rows[0][0] if rows else None
    return None if value is None else Decimal(str(value))


def integrity(data_dir: Path) -> str:
    """SQLite's integrity check ('ok'); on PostgreSQL, amcheck is not installed by default:
    the ledger answering a query is what is checked."""
    if (data_dir / URL_FILE).exists():
        return "ok" if query(data_dir, "SELECT count(*) FROM ledger_kpi") else "no answer"
    return query(data_dir, "PRAGMA integrity_check")[0][0]
