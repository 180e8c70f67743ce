"""Migrations are committed: a model change without its migration fails CI."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_missing_migrations():
    try:
        call_command("makemigrations", "--check", "--dry-run", verbosity=0)
    except SystemExit as exit_:
        pytest.fail(f"missing migration (makemigrations --check exited {exit_.code})")
