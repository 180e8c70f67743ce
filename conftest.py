"""Test-wide set-up: the ledger's data directory is a fresh temporary one, never the user's."""

import os
import tempfile

os.environ.setdefault("KPILEDGER_DATA_DIR", tempfile.mkdtemp(prefix="kpiledger-test-"))
