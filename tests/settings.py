"""Settings for the test suite: the app's settings with a fresh temporary data directory, so
tests never write into the user's own data directory."""

import os
import tempfile

os.environ["KPILEDGER_DATA_DIR"] = tempfile.mkdtemp(prefix="kpiledger-test-")

from kpiledger.web.settings import *  # noqa: F403

# Tests create many accounts: a fast password hash for them (the app keeps Django's default,
# PBKDF2 with hundreds of thousands of iterations, which costs ~0.3 s per account here).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
