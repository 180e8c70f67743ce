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


def environment(data_dir: Path) -> dict[str, str]:
    env = os.environ | {"KPILEDGER_DATA_DIR": str(data_dir)}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the app's own settings, as a user runs it
    env.pop("KPILEDGER_SECRET_KEY", None)
    return env


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
    return query(data_dir, "PRAGMA integrity_check")[0][0]
