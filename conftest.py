"""Fixtures for the whole suite (tests/ and the web apps' tests/), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections


@pytest.fixture(autouse=True)
def _requests_keep_the_test_connection() -> Iterator[None]:
    """Requests made by calling the WSGI application directly (the page cache's and the API's
    HTTP tests) do not close the test's database connection, as Django's test client does not.

    Django closes a connection at a request's start and end when it is inside a transaction
    (close_old_connections). A test's database is one open transaction rolled back at its end:
    on PostgreSQL closing it would end the test's transaction ("the connection is closed");
    SQLite's in-memory test database ignores the close. A server run in a thread
    (pytest-django's live_server) closes its own connections after each request anyway."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
