"""A national-size ledger for the benchmarks: `kpiledger demo-data --national` when that command
is there, else the reference report (24 KPIs) imported for the first N organizations of the
bundled table of local governments (2,000 × 24 ≈ 48,000 KPIs) through the import service.

Run on its own to build (or top up) a ledger in KPILEDGER_DATA_DIR:

    KPILEDGER_DATA_DIR=/tmp/national .venv/bin/python benchmarks/national_ledger.py 2000
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KPILEDGER = ROOT / ".venv" / "bin" / "kpiledger"


def demo_data_available() -> bool:
    return importlib.util.find_spec("kpiledger.cli.demo_data") is not None


def build(organizations: int, *, demo: bool | None = None) -> str:
    """Fill the ledger of KPILEDGER_DATA_DIR (Django set up) up to `organizations`
    organizations; returns how it was made (`demo-data` or `reference copies`)."""
    from kpiledger.web.ledger import models as m

    have = m.Organization.objects.count()
    if have >= organizations:
        return f"existing ledger ({have} organizations)"
    if demo if demo is not None else demo_data_available():
        command = [str(KPILEDGER), "demo-data", "--national", "--seed", "1"]
        subprocess.run(command, check=True, env=os.environ.copy())
        return "kpiledger demo-data --national --seed 1"
    _copies(organizations)
    return f"reference report × {organizations} organizations"


def _copies(organizations: int) -> None:
    from kpiledger.cli.database import prepare
    from kpiledger.cli.main import reference_report_path
    from kpiledger.core.orgcode import local_governments
    from kpiledger.io.readers import read_report_bytes
    from kpiledger.web.ledger import models as m
    from kpiledger.web.ledger.services import importing

    prepare()
    content = reference_report_path().read_bytes()
    report = read_report_bytes(content, "r5.txt")
    have = set(m.Organization.objects.values_list("code", flat=True))
    codes = [code for code in sorted(local_governments()) if code not in have]
    start = time.perf_counter()
    for n, code in enumerate(codes[: organizations - len(have)], 1):
        org = importing.organization_for(code)
        plan = importing.plan_import(org, report, content)
        importing.apply_import(plan, file_name=f"{code}_r5.txt", content=content)
        if n % 200 == 0:
            print(f"  {n} organizations imported ({time.perf_counter() - start:.0f} s)", flush=True)


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from kpiledger.web import setup

    setup()
    wanted = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    print(build(wanted))
    return 0


if __name__ == "__main__":
    sys.exit(main())
