"""Two imports of one organization at the same time, in separate processes: the plan is made
and written on one state of the ledger, so the newer report's values win every time.

The race of issue 6: a corrected FY2023 report and the FY2024 report are imported at once. The
corrected FY2023 report changes ten R4/R5 actuals that the FY2024 report also publishes (with
the values as first published). Whatever order the two commit in, an actual is only replaced
by a report of the same or a later year, so the FY2024 values must stand.
"""

from __future__ import annotations

import os
import shutil
from decimal import Decimal

import pytest

from kpiledger.web.ledger.tests import factories as f
from kpiledger.web.ledger.tests import processes as p

RUNS = int(os.environ.get("KPILEDGER_RACE_RUNS", "10"))


def contested_rows(text: str) -> list[tuple[str, int, str]]:
    """Ten (indicator, year, value as published) cells: R5 actuals of the FY2024 report."""
    cells = []
    for line in text.splitlines():
        row = line.split("\t")
        if len(row) == 12 and row[5] == "R6.3" and row[10] not in ("-", ""):
            cells.append((row[2], 2023, row[10]))
    return cells[:10]


def corrected_fy2023(text: str, contested: list[tuple[str, int, str]]) -> str:
    """The reference with each contested R5 actual replaced by 9999 (a 'correction')."""
    indicators = {indicator for indicator, _, _ in contested}
    out = []
    for line in text.splitlines():
        row = line.split("\t")
        if len(row) == 11 and row[2] in indicators:
            row[10] = "9999"
        out.append("\t".join(row))
    return "\n".join(out) + "\n"


STORES = ["sqlite"] + (["postgresql"] if p.POSTGRES else [])


@pytest.fixture(scope="module", params=STORES)
def template(request, tmp_path_factory):
    """A data directory with the reference report imported (copied for every run), on SQLite,
    and on PostgreSQL when KPILEDGER_TEST_POSTGRES names a server."""
    directory = tmp_path_factory.mktemp("template")
    if request.param == "postgresql":
        p.on_postgres(directory)
    reference = directory.parent / "reference.txt"
    reference.write_text(f.REFERENCE_TEXT, encoding="utf-8")
    done = p.run(directory, "import", str(reference), "--org", "012068")
    assert done.returncode == 0, done.stderr
    return directory


def test_the_newer_report_wins_every_race(template, tmp_path):
    contested = contested_rows(f.next_year_text())
    assert len(contested) == 10 and (f.MIGRANTS, 2023, "106") in contested
    older = tmp_path / "r5_corrected.txt"
    older.write_text(corrected_fy2023(f.REFERENCE_TEXT, contested), encoding="utf-8")
    newer = tmp_path / "r6.txt"
    newer.write_text(f.next_year_text(), encoding="utf-8")
    outcomes = []
    for run in range(RUNS):
        ledger = tmp_path / f"run{run}"
        shutil.copytree(template, ledger)
        if (template / p.URL_FILE).exists():
            p.on_postgres(ledger, template)
        first = p.start(ledger, "import", str(older), "--org", "012068")
        second = p.start(ledger, "import", str(newer), "--org", "012068")
        results = [process.communicate(timeout=300) for process in (first, second)]
        for process, (_, err) in zip((first, second), results, strict=True):
            assert process.returncode == 0, err
        lost = [
            (indicator, value)
            for indicator, year, value in contested
            if p.actual(ledger, indicator, year) != Decimal(value.replace(",", ""))
        ]
        outcomes.append(len(lost))
        assert p.integrity(ledger) == "ok"
        applied = p.query(ledger, "SELECT count(*) FROM ledger_importbatch WHERE status='applied'")
        assert applied == [(3,)]
    assert outcomes == [0] * RUNS, f"contested actuals lost per run: {outcomes}"
