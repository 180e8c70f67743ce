"""Settings for the test suite: the app's settings with a fresh temporary data directory, so
tests never write into the user's own data directory."""

import os
import tempfile

os.environ["KPILEDGER_DATA_DIR"] = tempfile.mkdtemp(prefix="kpiledger-test-")

from kpiledger.web.settings import *  # noqa: F403
