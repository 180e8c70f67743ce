"""Settings for the test suite: the app's settings with a fresh temporary data directory, so
tests never write into the user's own data directory.

The suite runs on SQLite by default. KPILEDGER_TEST_DATABASE_URL (postgres://user@host:port/name)
runs it on PostgreSQL instead, read by the app's own settings code; pytest-django creates and
drops its own test database there (test_<name>, one per xdist worker). The app's
KPILEDGER_DATABASE_URL and DATABASE_URL are removed from the environment, so neither the tests
nor the `kpiledger` processes they start ever reach the user's real database."""

import os
import tempfile

os.environ["KPILEDGER_DATA_DIR"] = tempfile.mkdtemp(prefix="kpiledger-test-")
os.environ.pop("KPILEDGER_DATABASE_URL", None)
os.environ.pop("DATABASE_URL", None)
_test_database_url = os.environ.get("KPILEDGER_TEST_DATABASE_URL", "").strip()
if _test_database_url:
    os.environ["KPILEDGER_DATABASE_URL"] = _test_database_url

try:
    from kpiledger.web.settings import *  # noqa: F403
finally:
    os.environ.pop("KPILEDGER_DATABASE_URL", None)

# Tests create many accounts: a fast password hash for them (the app keeps Django's default,
# PBKDF2 with hundreds of thousands of iterations, which costs ~0.3 s per account here).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
