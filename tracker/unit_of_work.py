"""The unit of work: the one place that commits or rolls back.

A request, and a CLI command, is one transaction (as Indico's request handler, ``RH.process``,
commits once after the handler and rolls back on any error):

- **A request** that may write (POST, PUT, PATCH, DELETE) commits when its view returns an
  answer below 400 (a page, a redirect, a file) and rolls back when the view raises or answers
  400 or above. ``TrackerFlask.dispatch_request`` does it, so a view never commits: it loads,
  checks access, calls a service and answers. A GET, HEAD or OPTIONS request only reads: nothing
  of it is committed (its transaction ends with the request), and an error rolls it back.
  A service that refuses raises ``ValidationFailed`` (the view puts it on its form and answers
  400) or ``StaleEdit`` (409 with what the others changed); an exception no view caught reaches
  ``application.py``'s error pages after the rollback.
- **Two named exceptions to "an answer of 400 or above keeps nothing, one below keeps all"**,
  and no others:
  ``abandon()``: the view answers with a redirect (below 400) although it refused, and reports
  the refusal as a flashed message on the next page (the plan candidates' buttons): nothing of
  the request is kept.
  ``commit_attempt()``: what records the attempt itself is kept whatever the answer: a wrong
  password's ``LoginFailure`` (the throttle counts it though the answer is 400) and an API
  token's last use (kept though the call may fail). It commits at once, so it is called where
  nothing else of the request is pending: the attempt record and nothing more.
- ``release_for_slow_reading()``: a request that has written nothing yet ends its transaction
  before reading an upload for seconds, so that SQLite's one write lock is not held through it.
- ``after_commit(callback)``: what must happen only once the writes are kept (removing an
  applied upload's files) runs after the commit, and never after a rollback.
- **A CLI command** that writes is decorated ``@one_unit_of_work``: committed when it returns
  (or exits 0), rolled back when it raises or exits with an error.

Services flush but never commit; where a concurrent save can refuse theirs (a unique 项目代码,
an edit of a version someone else saved), they write inside a savepoint and turn the database's
refusal into their own ``ValidationFailed`` or ``StaleEdit``, so the request's session stays
usable for the page that says why. ``tests/test_unit_of_work.py`` fails when any other module
calls ``db.session.commit()`` or ``rollback()``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click
from flask import Flask, Request, g, request

from .extensions import db
from .web import static
from .web.routing import TrackerMap


class Unit:
    """The state of the unit of work in progress: whether to keep it, what to do once kept."""

    def __init__(self) -> None:
        self.abandoned = False
        self.callbacks: list[Callable[[], None]] = []


@contextmanager
def unit_of_work() -> Iterator[Unit]:
    """Commit what the block wrote when it ends normally, or exits with status 0 (unless
    abandoned); roll back when it raises. A unit inside another one joins it: only the
    outermost commits."""
    if "unit_of_work" in g:
        yield _current()
        return
    unit = g.unit_of_work = Unit()
    try:
        yield unit
    except BaseException as error:
        if not _exits_with_success(error):
            db.session.rollback()
            raise
        _finish(unit)
        raise
    else:
        _finish(unit)
    finally:
        g.pop("unit_of_work", None)


def _exits_with_success(error: BaseException) -> bool:
    """``sys.exit(0)`` or click's ``ctx.exit(0)``: a command that ends early, having succeeded."""
    if isinstance(error, SystemExit):
        return error.code in (0, None)
    return isinstance(error, click.exceptions.Exit) and error.exit_code == 0


def _finish(unit: Unit) -> None:
    if unit.abandoned:
        db.session.rollback()
        return
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    for callback in unit.callbacks:
        callback()


# HTTP's safe methods read and change nothing (and on SQLite they take no write lock:
# application._sqlite_begin); a GET's answer, a page or a stream, is never committed.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TrackerRequest(Request):
    """Flask's request, with a typed form's body held to the size of one multipart text field.

    Werkzeug limits a ``multipart/form-data`` text field (``MAX_FORM_MEMORY_SIZE``, 500 KB) but
    not an ``application/x-www-form-urlencoded`` body, which only ``MAX_CONTENT_LENGTH`` (16 MB,
    for the importer's files) bounds: decoding 16 MB of %-escapes took a worker 2.5 CPU-seconds,
    for anyone who could send a POST, signed in or not. The largest form a person fills in here
    is a few tens of KB."""

    @property
    def max_content_length(self) -> int | None:
        limit = super().max_content_length
        form_limit = self.max_form_memory_size
        if self.mimetype == "application/x-www-form-urlencoded" and form_limit is not None:
            return form_limit if limit is None else min(limit, form_limit)
        return limit

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


class TrackerFlask(Flask):
    """Flask, with every view run as one unit of work.

    The commit happens here, inside the dispatch, so that a commit the database refuses reaches
    the error handlers like any other error of the view (an outage is a 503, not a 500)."""

    request_class = TrackerRequest
    url_map_class = TrackerMap  # an <int:…> is a row id: past 64 bits, a 404

    def get_send_file_max_age(self, filename: str | None) -> int | None:
        """A static file asked for by its current version is kept a year (``web/static.py``)."""
        if filename is not None and request.endpoint == "static":
            found = static.max_age(filename)
            if found is not None:
                return found
        return super().get_send_file_max_age(filename)

    def dispatch_request(self):
        if request.method in SAFE_METHODS:
            # A read: nothing to commit. Its transaction ends with the request (Flask-SQLAlchemy
            # removes the session), or at once when it fails (handle_user_exception).
            return super().dispatch_request()
        with unit_of_work() as unit:
            response = self.make_response(super().dispatch_request())
            if response.status_code >= 400:
                unit.abandoned = True
        return response

    def handle_user_exception(self, e):
        """Whatever failed (a view, a ``before_request`` hook), the error page starts from a clean
        session: a failed statement must not fail the page's own queries."""
        db.session.rollback()
        return super().handle_user_exception(e)


def _current() -> Unit:
    unit = g.get("unit_of_work")
    if unit is None:
        raise RuntimeError("no unit of work here: only a request that may write (POST …) "
                           "or a @one_unit_of_work command has one")
    return unit


def abandon() -> None:
    """Keep nothing of this request although its answer is not an error (a refusal shown on the
    page it redirects to)."""
    _current().abandoned = True


def commit_attempt() -> None:
    """Commit now the record of the attempt itself, kept whatever the answer (a wrong password's
    ``LoginFailure``, a token's last use). Call it where nothing else of the request is pending."""
    db.session.commit()


def writes_next() -> None:
    """The transaction the next statement begins will write, though the request is a GET (an
    API call's count): on SQLite it begins by taking the write lock, waiting for it as a POST's
    does, instead of failing at its first write while another request holds it."""
    g.writes_next = True


def release_for_slow_reading() -> None:
    """End the request's transaction, which has written nothing yet, before slow work that needs
    no database (reading an uploaded plan or sheet: seconds, up to a minute). On SQLite a POST's
    transaction holds the one write lock from its first statement: held through the reading, it
    made every other officer's save wait, then fail with 503 (a QA walk: a 24 s plan upload).
    The next statement begins the request's transaction afresh; what was loaded is read again."""
    if db.session.new or db.session.dirty or db.session.deleted:
        raise RuntimeError("the request has unsaved changes: read before writing, not after")
    db.session.rollback()


def after_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` once this unit's writes are committed; never if they are rolled back."""
    _current().callbacks.append(callback)


def one_unit_of_work(command):
    """A CLI command that writes: one transaction, committed when the command returns or exits
    with status 0, rolled back when it raises or exits with an error (nothing half done)."""
    @functools.wraps(command)
    def run(*args, **kwargs):
        with unit_of_work():
            return command(*args, **kwargs)
    return run
