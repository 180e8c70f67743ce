"""The suite runs on the store it was asked for (tests/settings.py): PostgreSQL when
KPILEDGER_TEST_DATABASE_URL names one (CI's second pass), SQLite otherwise; and neither the
tests nor the processes they start can reach the user's own database."""

from __future__ import annotations

import os
from urllib.parse import urlparse

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_the_database_is_the_one_asked_for() -> None:
    url = os.environ.get("KPILEDGER_TEST_DATABASE_URL", "").strip()
    with connection.cursor() as cursor:  # a real round trip to the store
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    if not url:
        assert connection.vendor == "sqlite"
        return
    parts = urlparse(url)
    assert connection.vendor == "postgresql"
    # pytest-django's own database beside the named one (test_<name>, _gw<n> per xdist worker)
    assert connection.settings_dict["NAME"].startswith(f"test_{parts.path.lstrip('/')}")
    assert connection.settings_dict["HOST"] == parts.hostname
    assert connection.settings_dict["PORT"] == str(parts.port or "")


def test_the_users_database_settings_are_not_passed_on() -> None:
    assert "KPILEDGER_DATABASE_URL" not in os.environ
    assert "DATABASE_URL" not in os.environ
