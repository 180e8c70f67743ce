"""Django's per-request state (the active language and time zone, the URLconf and script
prefix) read cheaply in a long run of synchronous work.

Django keeps the active language (`translation.trans_real._active`), time zone
(`timezone._active`), URLconf and script prefix (`urls.base._urlconfs`, `_prefixes`) in
asgiref `Local`s, which keep coroutines apart as well as threads: a read costs ~3 µs, and a
published page reads them ~80 times (every `gettext`, every `get_language`, every time shown,
every address). `plain_locals()` keeps them in `threading.local`s for the block, starting from
the values set when it begins; afterwards the `Local`s are back, with the values they held
before the block (an `activate` within the block does not outlive it, as with
`translation.override`). Only for synchronous code that starts no thread or coroutine needing
the state, in a process with no other thread at work: the swap is the whole process's (the
command `kpiledger publish`, one thread per process; never a server's request).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from types import ModuleType

from django.urls import base as urls_base
from django.utils import timezone
from django.utils.translation import trans_real

# Where Django keeps each: (module, name of its `Local`)
LOCALS: tuple[tuple[ModuleType, str], ...] = (
    (trans_real, "_active"),
    (timezone, "_active"),
    (urls_base, "_urlconfs"),
    (urls_base, "_prefixes"),
)


@contextlib.contextmanager
def plain_locals() -> Iterator[None]:
    """Within the block, the active language and time zone kept in `threading.local`s (see
    the module's docstring); the originals back afterwards, as they were."""
    originals = [getattr(module, name) for module, name in LOCALS]
    for (module, name), original in zip(LOCALS, originals, strict=True):
        plain = threading.local()
        if hasattr(original, "value"):
            plain.value = original.value
        setattr(module, name, plain)
    try:
        yield
    finally:
        for (module, name), original in zip(LOCALS, originals, strict=True):
            setattr(module, name, original)
