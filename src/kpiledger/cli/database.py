"""Making the ledger's database ready for a command (migrations, the reference report), with a
bilingual `database-unavailable` error when it cannot be reached. Shared by the commands that
use the ledger (`import`, `export`, `serve`, `manage`)."""

from __future__ import annotations

from kpiledger.core.errors import KpiledgerError


def prepare(fill=None) -> None:  # type: ignore[no-untyped-def]
    """Make the database ready (safe to interrupt and to run twice at once); a database that
    cannot be reached is a `database-unavailable` error saying what to check."""
    from django.db import OperationalError, connection

    from kpiledger.web.bootstrap import prepare_database

    if connection.vendor != "sqlite":  # connecting would create the SQLite file, which
        try:  # bootstrap builds aside and renames into place (see web/bootstrap.py)
            connection.ensure_connection()
        except OperationalError as error:
            raise database_unavailable(error) from None
    prepare_database(fill)


def database_unavailable(error: Exception) -> KpiledgerError:
    from django.db import connection

    settings = connection.settings_dict
    where = f"{settings.get('HOST') or 'localhost'}:{settings.get('PORT') or 5432}"
    reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return KpiledgerError.single(
        "database-unavailable",
        f"データベース（{where}）に接続できません: {reason}。データベースが起動しているか、"
        "環境変数 KPILEDGER_DATABASE_URL（または DATABASE_URL）を確認してください",
        f"cannot connect to the database ({where}): {reason}; check that it is running and"
        " the environment variable KPILEDGER_DATABASE_URL (or DATABASE_URL)",
    )
