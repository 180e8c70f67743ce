"""The web ledger (Django): the database, public report pages and charts, the REST API, and
the yearly cycle of the staff (roles, imports, entry, money, review, evaluation, publishing)."""

from __future__ import annotations

import os


def setup() -> None:
    """Configure Django for the CLI (settings from the environment; see settings.py)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpiledger.web.settings")
    import django

    django.setup()
