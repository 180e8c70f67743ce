"""Fixtures of the API tests: the reference report (釧路市 令和5年度) imported through the real
service, and a pending (uploaded, not applied) import beside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpiledger.io.readers import read_report
from kpiledger.web.ledger import models as m
from kpiledger.web.ledger.services import importing
from kpiledger.web.ledger.tests import factories as f

CODE, YEAR = "012068", 2023
API = "/api/v1"
LAYOUTS = Path(__file__).resolve().parents[5] / "tests" / "data" / "layouts"
#: The pending upload of another organization (札幌市): never shown by the API.
PENDING_CODE, PENDING_NAME = "011002", "札幌市"


@pytest.fixture
def reference(db: None) -> m.Organization:
    f.import_reference()
    return m.Organization.objects.get(code=CODE)


def record_pending(path: Path, code: str, name: str) -> m.ImportBatch:
    """An upload kept for confirmation, as the staff upload page keeps it (not applied)."""
    content = path.read_bytes()
    return importing.record_pending(
        read_report(path), code=code, name=name, file_name=path.name, content=content, user=None
    )


@pytest.fixture
def pending(reference: m.Organization, tmp_path: Path) -> list[m.ImportBatch]:
    """Two pending imports: a new organization's report and Kushiro's next year (FY2024)."""
    next_year = tmp_path / "r6.txt"
    next_year.write_text(f.next_year_text(), encoding="utf-8")
    return [
        record_pending(f.REFERENCE_PATH, PENDING_CODE, PENDING_NAME),
        record_pending(next_year, CODE, "釧路市"),
    ]
