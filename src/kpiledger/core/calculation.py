"""The decimal context every calculation runs under (see `evaluate`).

No value can make a calculation fail: every calculation but the achievement rate (computed
exactly, see `rate`) runs under `CALCULATION`, a decimal context whose precision and exponent
range no published value reaches, whatever the caller's context is.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from decimal import (
    MAX_EMAX,
    MIN_EMIN,
    ROUND_HALF_EVEN,
    Context,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    getcontext,
    localcontext,
)
from functools import wraps
from typing import ParamSpec, TypeVar

#: The context of every calculation: 50 significant digits (a ledger value has 15, a sum of a
#: century of them 17) and the widest exponent range, so nothing overflows or underflows.
CALCULATION = Context(
    prec=50,
    rounding=ROUND_HALF_EVEN,
    Emin=MIN_EMIN,
    Emax=MAX_EMAX,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)
P = ParamSpec("P")
R = TypeVar("R")


#: The context `calculated` entered last in this thread or task: a calculation called from
#: another one runs in it already (nothing in the core changes a context it is given).
_ENTERED: ContextVar[object] = ContextVar("kpiledger_calculation", default=None)


def calculated(function: Callable[P, R]) -> Callable[P, R]:
    """Run `function` under `CALCULATION`, whatever the caller's decimal context."""

    @wraps(function)
    def in_context(*args: P.args, **kwargs: P.kwargs) -> R:
        if getcontext() is _ENTERED.get():
            return function(*args, **kwargs)
        with localcontext(CALCULATION) as context:
            token = _ENTERED.set(context)
            try:
                return function(*args, **kwargs)
            finally:
                _ENTERED.reset(token)

    return in_context
