"""Small builders for core objects in tests."""

from __future__ import annotations

from decimal import Decimal

from kpiledger.core.era import YearMonth
from kpiledger.core.model import Actual, Baseline, Direction, Kpi


def D(text: str | int) -> Decimal:
    return Decimal(str(text))


DUE = YearMonth(2024, 3)


def make_kpi(
    target: str | int = 100,
    actuals: dict[int, str | int | None] | None = None,
    *,
    indicator: str = "利用者数",
    unit: str = "人",
    due: YearMonth = DUE,
    baseline: tuple[str | int, int | None] | None = None,
    direction: Direction | None = None,
    **extra: object,
) -> Kpi:
    """A KPI with actuals given as {fiscal year: value or None}."""
    return Kpi(
        indicator=indicator,
        unit=unit,
        target=D(target),
        target_date=due,
        actuals={
            y: Actual(D(v)) if v is not None else Actual(None, "-")
            for y, v in (actuals or {}).items()
        },
        baseline=Baseline(D(baseline[0]), baseline[1]) if baseline else None,
        direction_override=direction,
        **extra,  # type: ignore[arg-type]
    )
