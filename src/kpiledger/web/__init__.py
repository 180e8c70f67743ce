"""The web ledger (Django): the database, public report pages, charts and staff import."""

from __future__ import annotations

import os


def setup() -> None:
    """Configure Django for the CLI (settings from the environment; see settings.py)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpiledger.web.settings")
    import django

    django.setup()
