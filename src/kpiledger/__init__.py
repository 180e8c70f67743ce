"""kpiledger — KPI実績台帳 for Japanese regional-revitalization grant projects.

The analysts' API (`kpiledger.api`) is imported on first use, so `import kpiledger` stays
light and never imports Django: `kpiledger.read(path)`, `kpiledger.ledger(org, year)`,
`kpiledger.Judged` (see docs/api.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["Judged", "__version__", "ledger", "read"]

if TYPE_CHECKING:
    from kpiledger.api import Judged, ledger, read

_API = frozenset({"Judged", "ledger", "read"})


def __getattr__(name: str) -> Any:
    if name in _API:
        from kpiledger import api

        return getattr(api, name)
    raise AttributeError(f"module 'kpiledger' has no attribute {name!r}")
