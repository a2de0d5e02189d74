"""Portfolio figures kept per process while what they summarise has not changed: never older than
the last write to it, and untouched by writes to anything else (issue 19).

A sum over 100,000 projects costs tens of milliseconds whatever the indexes (it reads every row),
and a list of a filter the kept figures (kept.py) do not answer computes one on every page.
Between two writes to the portfolio the answer cannot change, so each worker keeps the figures it
computed, stamped with the database's *change stamp*, and serves them while the stamp is the same.

The stamp is the one row of ``portfolio_changes`` (models.py). A transaction that wrote any table
the figures read (projects, their reports, milestones, funding, plans, regions, search grams …:
every table but those in ``UNRELATED``: users, sessions, sign-in failures, API tokens, saved
views, the audit trail, import batches) adds one to it in its last statement before COMMIT
(``_bump``, at the connection's ``commit`` event, so ORM flushes and Core writers alike), in the
same transaction: the new stamp becomes visible exactly when the write does (MVCC on PostgreSQL,
the write lock on SQLite). Writes are seen by an ``after_execute`` listener on every engine
(``_seen``): an INSERT/UPDATE/DELETE construct by its table, raw SQL text (``sa.text``,
``exec_driver_sql``) by its first words (any DML or DDL counts, unless it names an unrelated table).

A reader reads the stamp in a statement of its own, before computing: the figures it then
computes are at least as new as that stamp (under READ COMMITTED later statements see at least
what the stamp's statement saw; on SQLite the read transaction is one snapshot), so serving them
while the stamp is still the same is never stale. Nothing is served or kept inside a transaction
that has itself written what the figures read (it must see its own uncommitted changes). The
stamp carries the database's URL too, so one process's figures of two databases never mix, and a
commit in another database of the same server leaves this one's cache alone (the last design
stamped with ``pg_current_snapshot()``, which every commit on the server changes).

A second row follows less: the regions, and which regions hold projects (``MENU``), what the
filters' region menu shows (regions/services.py). A transaction bumps it too when it wrote the
regions, added or deleted a project or moved one to another region (``_moves_menu``, on the SQL
it ran): the menu then stands while officers file reports all day, and a list page no longer
probes every region for projects after each of them (~4 ms of SQL on PostgreSQL at 100,000
projects, a tenth of a list page computed fresh).

The price: a writing transaction updates one shared row as its last statement, so writers to
one database queue for the length of a COMMIT (the row is taken after every other lock, by a
transaction that then waits for nothing: no deadlock). A write made outside the application
(psql) does not move the stamp: ``clear()`` or a restart. Both databases cache.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from typing import Any, Callable, Hashable, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.sql.ddl import ExecutableDDLElement
from sqlalchemy.sql.dml import UpdateBase

from ..extensions import db
from .models import portfolio_changes

T = TypeVar("T")
MAX_ENTRIES = 256
# The tables no cached figure reads: writing them leaves the cache as it is. Any other table
# (one added later included) invalidates it.
UNRELATED = frozenset({"users", "user_sessions", "user_regions", "login_failures", "api_tokens",
                       "saved_views", "audit_entries", "import_batches", "portfolio_changes"})
_WROTE = "tracker.figures_written"  # in Connection.info: the transaction that wrote them
_WROTE_MENU = "tracker.menu_written"  # … and the one that wrote what the region menu shows
# The rows of portfolio_changes, each a stamp of its own: what every cached figure reads, and the
# part of it the region menu reads (module docstring).
PORTFOLIO, MENU = 1, 2

_entries: OrderedDict[Hashable, tuple[Any, Any]] = OrderedDict()  # (stamp, what compute returned)
_lock = threading.Lock()

_READ = sa.select(portfolio_changes.c.stamp).where(portfolio_changes.c.id == sa.bindparam("row"))
_RAW_WRITE = re.compile(
    r"\s*(?:insert\s+(?:or\s+\w+\s+)?into|update|delete\s+from|merge\s+into|truncate(?:\s+table)?"
    r"|create|alter|drop|copy|with)\b\s*(?:table\s+|index\s+|if\s+(?:not\s+)?exists\s+)*"
    r"[\"`]?(\w*)", re.IGNORECASE)
# A statement that may change the region menu, by its SQL: a write to the regions, a project
# added or deleted, an UPDATE of the projects that sets region_id, DDL, or a statement this does
# not read (a CTE's write, COPY): a false alarm costs one menu rendered again, a miss a stale menu.
_MENU_WRITE = re.compile(
    r"\s*(?:(?:insert\s+(?:or\s+\w+\s+)?into|delete\s+from|update)\s+[\"`]?regions\b"
    r"|(?:insert\s+(?:or\s+\w+\s+)?into|delete\s+from)\s+[\"`]?projects\b"
    r"|update\s+[\"`]?projects[\"`]?\s+set\b(?:(?!\bwhere\b).)*\bregion_id\b"
    r"|(?:create|alter|drop|truncate|copy|merge|with)\b)", re.IGNORECASE | re.DOTALL)
_UPDATE = "UPDATE portfolio_changes SET stamp = stamp + 1 WHERE id IN ({rows})"


def _writes_figures(statement) -> bool:
    if isinstance(statement, UpdateBase):
        table = getattr(statement, "table", None)
        return getattr(table, "name", None) not in UNRELATED
    if isinstance(statement, ExecutableDDLElement):
        return True
    if isinstance(statement, sa.TextClause):
        statement = statement.text
    if isinstance(statement, str):
        found = _RAW_WRITE.match(statement)
        return found is not None and found.group(1).lower() not in UNRELATED
    return False


def _moves_menu(result) -> bool:
    """Whether a statement that wrote what the figures read (``_writes_figures``) may change the
    region menu, by the SQL it ran (``_MENU_WRITE``); an unknown one may."""
    sql = getattr(getattr(result, "context", None), "statement", None)
    return not isinstance(sql, str) or _MENU_WRITE.match(sql) is not None


@sa.event.listens_for(Engine, "after_execute")
def _seen(connection: sa.Connection, statement, _multiparams, _params, _options, result) -> None:
    if _writes_figures(statement):
        transaction = connection.get_transaction()
        connection.info[_WROTE] = transaction
        if _moves_menu(result):
            connection.info[_WROTE_MENU] = transaction


def _wrote(connection: sa.Connection, what: str = _WROTE) -> bool:
    """Whether this connection's transaction has written what the figures read (or ``what``
    else the connection's info marks)."""
    marked = connection.info.get(what)
    return marked is not None and marked is connection.get_transaction()


@sa.event.listens_for(Engine, "commit")
def _bump(connection: sa.Connection) -> None:
    """Before COMMIT (SQLAlchemy calls this just before it), the transaction's last statement: on
    the DBAPI cursor, as SQLAlchemy's own transaction is being committed. A database older than
    the table (a migration's, a test's downgrade) has nothing to bump."""
    wrote, menu = _wrote(connection), _wrote(connection, _WROTE_MENU)
    connection.info.pop(_WROTE, None)
    connection.info.pop(_WROTE_MENU, None)
    if not wrote:
        return
    update = _UPDATE.format(rows=f"{PORTFOLIO}, {MENU}" if menu else PORTFOLIO)
    if connection.dialect.name == "postgresql":
        statement = (f"DO $$ BEGIN IF to_regclass('portfolio_changes') IS NOT NULL THEN {update}; "
                     "END IF; END $$")
    elif connection.dialect.name == "sqlite":
        statement = update
    else:
        return
    cursor = connection.connection.cursor()
    try:
        cursor.execute(statement)
    except connection.dialect.loaded_dbapi.OperationalError:
        if connection.dialect.name != "sqlite":
            raise
        # SQLite: no such table (an older schema); a failed statement leaves the transaction be.
    finally:
        cursor.close()


@sa.event.listens_for(Engine, "rollback")
def _forget(connection: sa.Connection) -> None:
    connection.info.pop(_WROTE, None)
    connection.info.pop(_WROTE_MENU, None)


def stamp(row: int = PORTFOLIO) -> tuple[str, int, int] | None:
    """This database's change stamp now (``row``: PORTFOLIO, or MENU for the region menu), or None
    when nothing may be cached or served here."""
    session = db.session
    number = session.execute(_READ, {"row": row}).scalar()  # flushes first: a pending write is seen below
    connection = session.connection()
    if number is None or _wrote(connection):
        return None  # a transaction that wrote sees its own changes
    return connection.engine.url.render_as_string(hide_password=True), row, number


def figures(key: Hashable, compute: Callable[[], T], follows: int = PORTFOLIO) -> T:
    """``compute()``, or what it returned in this process since the last write to the portfolio
    (``follows=MENU``: to what the region menu shows).

    ``compute`` must return plain values (no ORM objects): they outlive the session.
    """
    now = stamp(follows)
    if now is None:
        return compute()
    with _lock:
        entry = _entries.get(key)
        if entry is not None and entry[0] == now:
            _entries.move_to_end(key)
            return entry[1]
    value = compute()
    if not _wrote(db.session.connection()):  # computed from committed figures only
        with _lock:
            _entries[key] = (now, value)
            _entries.move_to_end(key)
            while len(_entries) > MAX_ENTRIES:
                _entries.popitem(last=False)
    return value


def clear() -> None:
    with _lock:
        _entries.clear()
