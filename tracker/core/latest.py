"""What a process built from the latest versions of some tables, kept while they stand.

The region menus and the region lookup are built from the regions table (and which regions have
projects), and cost tens of milliseconds to build; each process keeps what it built, keyed on a
digest of what it read that the database computes in one small statement. A change committed by
any process changes the digest, so nothing kept is older than the tables; the last few versions
are kept, so two requests that straddle a change do not rebuild in turn.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class Latest(Generic[T]):
    """Built values by key (a digest, with what else tells them apart), the latest ``keep``."""

    def __init__(self, keep: int = 2):
        self.keep = keep
        self._built: dict[Hashable, T] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        """The value kept under ``key``, or ``build()`` kept there (built outside the lock: two
        threads may both build it once, the same value)."""
        with self._lock:
            value = self._built.get(key)
        if value is None:
            value = build()
            with self._lock:
                if len(self._built) >= self.keep:
                    self._built.clear()
                self._built[key] = value
        return value
