"""Portfolio figures kept per process while the database has not changed: never older than the
last change.

A sum over 100,000 projects costs tens of milliseconds on PostgreSQL whatever the indexes (it reads
every row), and the list computes one on every page. Between two writes the answer cannot change,
so each worker keeps the figures it computed, stamped with the database state they were computed
in, and serves them only while that state is still the current one.

The stamp is PostgreSQL's current snapshot (``pg_current_snapshot()``: xmin, xmax and the ids
of the writing transactions in progress), which decides exactly which rows a query sees. Every
transaction that writes anything gets an id, and when it ends (commit or rollback) every later
snapshot differs from the earlier ones. A figure is kept only when the snapshot did not change
while it was computed, and served only while the current snapshot is that same one, and never
inside a transaction that has written (it must see its own uncommitted changes). So any
committed write, to any table, makes every worker recompute on its next request: a cached
figure is never older than the last change. On SQLite nothing is cached: it serves small
portfolios, where the sums are cheap.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable, Hashable, TypeVar

import sqlalchemy as sa

from ..extensions import db

T = TypeVar("T")
MAX_ENTRIES = 256

_entries: OrderedDict[Hashable, tuple[str, Any]] = OrderedDict()  # (stamp, what compute returned)
_lock = threading.Lock()

_SNAPSHOT = sa.text("SELECT pg_current_snapshot()::text, pg_current_xact_id_if_assigned() IS NULL")


def _stamp() -> str | None:
    """The snapshot a query would see now, or None when nothing may be cached here."""
    if db.session.get_bind().dialect.name != "postgresql":
        return None
    row: tuple[str, bool] = db.session.execute(_SNAPSHOT).one()
    snapshot, read_only = row
    return snapshot if read_only else None  # a transaction that wrote sees its own changes


def figures(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, or what it returned in this process since the last change to the database.

    ``compute`` must return plain values (no ORM objects): they outlive the session.
    """
    stamp = _stamp()
    if stamp is None:
        return compute()
    with _lock:
        entry = _entries.get(key)
        if entry is not None and entry[0] == stamp:
            _entries.move_to_end(key)
            return entry[1]
    value = compute()
    if _stamp() == stamp:  # nothing ended while it was computed: it belongs to this snapshot
        with _lock:
            _entries[key] = (stamp, value)
            _entries.move_to_end(key)
            while len(_entries) > MAX_ENTRIES:
                _entries.popitem(last=False)
    return value


def clear() -> None:
    with _lock:
        _entries.clear()
