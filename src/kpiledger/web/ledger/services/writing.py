"""One write to the ledger: a transaction whose failure to get SQLite's write lock (another
process is writing) becomes a refusal with a reason in Japanese and English, of the caller's
own error type, instead of a traceback. The stored judgements of what the write changed are
rebuilt once at its end, inside the transaction (`judgements.deferred`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import OperationalError, transaction

from kpiledger.web.ledger.services import judgements

BUSY = (
    "台帳は別の書き込みで使用中です。しばらくしてからもう一度操作してください",
    "the ledger is busy with another write; try again in a moment",
)


@contextmanager
def writing(busy: Callable[[str, str], Exception]) -> Iterator[None]:
    """`with writing(YearError): …` — one transaction; raises `busy(ja, en)` when the ledger
    is locked by another writer."""
    try:
        with transaction.atomic(), judgements.deferred():
            yield
    except OperationalError as error:
        if "locked" not in str(error):
            raise
        raise busy(*BUSY) from None
