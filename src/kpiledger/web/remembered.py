"""A table of answers worked out once (`Remembered`), for the values the public pages show many
times: formatted numbers, addresses, times."""

from __future__ import annotations

from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Remembered(dict[K, V], Generic[K, V]):
    """A dict of answers whose memory is bounded: `keep` empties it when it holds `limit`
    (a ledger edited by hand can have answers of every kind). Read it with `get` (the dict's
    own: the common case costs nothing more)."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def keep(self, key: K, value: V) -> V:
        """Remember `value` for `key`; the value."""
        if len(self) >= self.limit:
            self.clear()
        self[key] = value
        return value
