"""Exports of a filtered portfolio. ``project_to_dict`` is the one project representation: the
JSON export writes it and the API (tracker/api/) returns it."""

from __future__ import annotations

import datetime as dt
import json
import queue
import threading
from typing import IO, Any, Callable, Iterator, Sequence

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..core import clock
from ..audit.services import json_value
from ..extensions import db
from ..projects.fields import JSON_FIELDS
from ..projects.models import Project, SourceMention
from ..regions.models import Region
from ..portfolio.filters import PortfolioFilter

BATCH = 1000


def project_to_dict(project: Project) -> dict:
    return {
        "id": project.id,
        **{field.json_name: json_value(getattr(project, field.name)) for field in JSON_FIELDS},
        "aliases": [alias.name for alias in project.aliases],
        "region_code": project.region.code,
        "region_key": project.region.key,
        "region_name": project.region.name,
        # Each plan by its key (a plan added in the tracker has no seed file); the files as before.
        "plans": [plan.key for plan in project.plans],
        "plan_files": [plan.source_file for plan in project.plans if plan.source_file],
        "sources": [{"plan": source.plan.key, "file": source.plan.source_file, "line": source.line,
                     "quote": source.quote, "fields": source.fields} for source in project.sources],
        "milestones": [{"stage": json_value(m.stage), "name": m.name,
                        "planned_date": json_value(m.planned_date),
                        "actual_date": json_value(m.actual_date)} for m in project.milestones],
    }


MONEY_KEYS = tuple(field.json_name for field in JSON_FIELDS if field.money)


def hide_money(record: dict) -> dict:
    """``project_to_dict``'s record as a user from whom money is hidden sees it (the export, the
    API): the amounts go, and so does a source quote that supports one (it prints the figure)."""
    kept = {k: v for k, v in record.items() if k not in MONEY_KEYS}
    kept["sources"] = [s for s in record.get("sources", [])
                       if not set(s.get("fields") or ()) & set(MONEY_KEYS)]
    return kept


DEFAULT_OPTIONS = (
    selectinload(Project.aliases), selectinload(Project.plans), selectinload(Project.region),
    selectinload(Project.milestones), selectinload(Project.sources).selectinload(SourceMention.plan),
)


def list_statement(portfolio_filter: PortfolioFilter, expressions, conditions) -> sa.Select:
    """``SELECT expressions`` for the projects the filter selects (``conditions`` are its WHERE
    clauses, ``PortfolioFilter.conditions``), in the list's order, with ``Region`` joined as on
    the list page."""
    return (
        sa.select(*expressions)
        .select_from(Project)
        .join(Region, Project.region_id == Region.id)
        .where(*conditions)
        .order_by(*portfolio_filter.order_by())
    )


class _Captured:
    """What SQLAlchemy would send to the driver for a statement (``compiled``)."""

    statement: str
    parameters: Any


@sa.event.listens_for(sa.engine.Engine, "do_execute")
def _capture(cursor, statement, parameters, context):
    """Not executed but kept: a statement run with the ``capture`` execution option."""
    captured = context.execution_options.get("capture")
    if captured is None:
        return None
    captured.statement, captured.parameters = statement, parameters
    return True


def compiled(connection: sa.Connection, statement: sa.Executable) -> tuple[str, Any]:
    """The SQL and parameters ``connection`` would send its driver for ``statement``: compiled by
    SQLAlchemy, IN lists expanded, each parameter bound as its type binds it. For a statement run
    elsewhere: inside ``COPY`` (psycopg binds its parameters on the client), or by another reader."""
    captured = _Captured()
    connection.execute(statement, execution_options={"capture": captured})
    return captured.statement, captured.parameters


def stream(statement, batch: int | None = None, *, read_ahead: bool = False,
           then: Callable[[], object] | None = None) -> Iterator[Sequence[sa.Row]]:
    """The rows of ONE query, ``batch`` (default ``BATCH``) at a time, read as they are asked for.

    Through a server-side cursor (``yield_per``: a named cursor on PostgreSQL; on SQLite the
    cursor steps through the result as it is read): the database sorts once and sends the rows
    as they are fetched, so memory stays flat however long the list, and no batch re-sorts what
    is left (as keyset batches over an order no index gives, such as the region's, would).

    The query runs on the session's connection and in its transaction: the caller must not
    commit or roll back before the end (the cursor would close). It may run other queries
    between two batches, unless it asks to ``read_ahead``: then a thread fetches the next batch
    while the caller works on this one (``_read_ahead``), on PostgreSQL and on SQLite alike (the
    sqlite3 module lets go of the GIL while SQLite steps through the rows). In a streamed response
    this runs after the view returned, inside ``stream_with_context``: the session and its
    connection last until the response is closed, and the cursor is closed first.

    ``then()`` is called once the query is started, before any row is read: what it reads (the
    names the rows refer to) is at least as new as the rows, even on PostgreSQL where each
    statement of a transaction sees the latest commits (a cursor sees the database as it was
    when it was declared).
    """
    connection = db.session.connection()
    postgresql = connection.dialect.name == "postgresql"
    if postgresql:
        # A whole portfolio's query is costed above PostgreSQL's jit thresholds, and compiling
        # it took 0.2–0.4 s before the first row and more CPU than it saved (the query reads and
        # sends rows): no JIT for the rest of this transaction, which is the export's.
        connection.exec_driver_sql("SET LOCAL jit = off")
    result = connection.execute(statement, execution_options={"yield_per": batch or BATCH})
    try:
        if then is not None:
            then()
        # An in-memory SQLite database's connection may not be used from another thread.
        if read_ahead and connection.engine.url.database not in (None, "", ":memory:"):
            yield from _read_ahead(result.partitions())
        else:
            yield from result.partitions()
    finally:
        result.close()  # also when the reader stops early (a client that went away)


class _Failed:
    def __init__(self, error: BaseException):
        self.error = error


_END = object()


def _read_ahead(partitions: Iterator[Sequence[sa.Row]]) -> Iterator[Sequence[sa.Row]]:
    """``partitions``, the next one fetched by a thread while the caller works on this one.

    PostgreSQL computes and sends the next rows while Python converts these, on another core, and
    SQLite steps through them without the GIL: an export takes the longer of the two times rather
    than their sum (SQLite, 10,000 projects, csv: 0.69 → 0.56 s, benchmarks/NOTES.md). Only the thread touches
    the cursor until the iteration ends (it is joined before the cursor is closed), and the
    caller must not use the connection meanwhile. At most three batches live at once (the
    caller's, the one handed over, the one being fetched): memory stays flat.
    """
    handoff: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()

    def hand_over(item) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False  # the caller stopped reading

    def fetch() -> None:
        try:
            for partition in partitions:
                if not hand_over(partition):
                    return
            hand_over(_END)
        except BaseException as error:  # handed to the caller, raised there
            hand_over(_Failed(error))

    thread = threading.Thread(target=fetch, name="export-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = handoff.get()
            if item is _END:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item
            del item
    finally:
        stop.set()
        thread.join()


def iter_rows(portfolio_filter: PortfolioFilter, expressions, *, today: dt.date | None = None,
              batch: int | None = None) -> Iterator[Sequence[sa.Row]]:
    """The rows of ``expressions`` for the projects the filter selects, in its order, ``batch``
    rows at a time, from one query (``stream``)."""
    conditions = portfolio_filter.conditions(today or clock.today())
    yield from stream(list_statement(portfolio_filter, expressions, conditions), batch)


def iter_batches(portfolio_filter: PortfolioFilter, *, options=DEFAULT_OPTIONS, batch: int = BATCH,
                 today: dt.date | None = None) -> Iterator[list[Project]]:
    """The projects the filter selects, in its order, ``batch`` at a time.

    The ids come from one sorted query read a batch at a time (``iter_rows``), and each batch of
    projects is loaded by id with ``options``: neither the ids nor the projects of the whole list
    are ever held at once, and memory stays flat however long the list. Loaded projects are not
    expunged: the session's identity map holds them weakly, and expunging would detach objects the
    caller may still hold. A caller should let go of (or ``clear()``) each batch before asking for
    the next, so that two batches never live at once.
    """
    for rows in iter_rows(portfolio_filter, [Project.id], today=today, batch=batch):
        ids = [row[0] for row in rows]
        del rows
        by_id = {project.id: project
                 for project in db.session.scalars(sa.select(Project).where(Project.id.in_(ids))
                                                   .options(*options))}
        projects = [by_id.pop(project_id) for project_id in ids]
        del by_id, ids
        yield projects
        # Hold nothing of this batch while the next one loads: two batches never live at once.
        del projects


def iter_projects(portfolio_filter: PortfolioFilter, **kwargs) -> Iterator[Project]:
    """Every project the filter selects, in its order, loaded a batch at a time."""
    for projects in iter_batches(portfolio_filter, **kwargs):
        projects.reverse()
        while projects:  # emptied as it goes, so the batch is gone before the next one loads
            yield projects.pop()


def json_chunks(portfolio_filter: PortfolioFilter, transform=None) -> Iterator[str]:
    """``{"projects": [...]}`` as text chunks, one project per line, for a streamed response."""
    yield '{"projects": [\n'
    first = True
    for project in iter_projects(portfolio_filter):
        record = project_to_dict(project)
        if transform is not None:
            record = transform(record)
        yield ("" if first else ",\n") + json.dumps(record, ensure_ascii=False)
        first = False
    yield "\n]}\n"


def write_json(out: IO[str], portfolio_filter: PortfolioFilter) -> int:
    """Write ``{"projects": [...]}``, one project per line, without holding the list in memory."""
    count = -2  # the opening and closing chunks are not projects
    for chunk in json_chunks(portfolio_filter):
        out.write(chunk)
        count += 1
    return count
