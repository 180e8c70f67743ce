"""Before forking worker processes (the bulk import's readers, `publish`'s builders)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def frozen_heap() -> Iterator[None]:
    """The objects loaded so far (Django, the app, its templates, the work to share out) left
    out of the garbage collector's passes while the workers run (`gc.freeze`): a forked
    worker's collections then neither walk them nor copy the memory they share with this
    process (marking an object writes to its page), and this process's collections skip them
    too. Nothing changes when something else froze objects already: they stay frozen."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
