"""Test fixtures: the schema is built by the migrations, each test rolls back.

The suite runs on a throwaway SQLite file, or on PostgreSQL when ``TRACKER_TEST_DATABASE_URL``
names a database (``.ci/run`` creates one). That database is emptied and migrated at the start.

Four databases serve the tests, each built once per session (a loaded one when a test first
asks for it): the empty one (migrated, nothing in it), a copy of it with the five plans' seed
loaded, a copy with the whole country's divisions and then the seed, as `make run` loads them,
and a copy with 1,000 generated projects (copies are SQLite files; on PostgreSQL databases
created from the first with ``CREATE DATABASE … TEMPLATE`` and dropped at the end). A test that
asks for ``country`` runs on the third, one that asks for ``seeded`` on the second, ``demo`` on
the fourth, every other test on the empty one; always inside a transaction rolled back
afterwards, so no database ever changes (docs/ARCHITECTURE.md, "Tests").

Under pytest-xdist each worker is a session of its own: its SQLite files are in its own
temporary directory, and on PostgreSQL it works in ``<database>_<worker>``, created here.
"""

from __future__ import annotations

import dataclasses
import fcntl
import os
import pickle
import sqlite3
from pathlib import Path

import jinja2
import pytest
import sqlalchemy as sa
from flask import g, request_started
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSession
from flask_wtf import FlaskForm
from sqlalchemy.engine import make_url
from werkzeug.security import generate_password_hash

from tracker import create_app
from tracker.config import normalise_database_url
from tracker.extensions import db as _db

SHARED_SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def pytest_xdist_auto_num_workers(config) -> int:
    """``-n auto`` (``make test``): one worker per core this process may use. The suite is
    CPU-bound (its browser tests spread through the run keep both cores busy, ~1.85 of 2 on
    average), and a worker more costs its own set-up (collection, the loaded databases, a live
    server, a browser, module-scoped servers set up twice): on two cores 229 CPU-s and 120 s
    with three workers, 212 CPU-s and 116 s with two (docs/ARCHITECTURE.md, "make test")."""
    return len(os.sched_getaffinity(0))


def _whole_module(item) -> bool:
    """Whether the test uses a module-scoped fixture (a server, a database of its module's own)."""
    return any(definition.scope == "module" for definitions in item._fixtureinfo.name2fixturedefs.values()
               for definition in definitions)


def pytest_collection_modifyitems(config, items) -> None:
    """Under pytest-xdist, the browser tests (tests/e2e/) spread evenly through the run.

    They wait on Chromium and a live server far more than they compute, so one worker running
    them in a row (xdist hands each worker a run of consecutive tests first, and tests/e2e/ is
    collected first) was the run's longest chain: ~170 s while the other workers had finished.
    Spread, each worker takes a share and fills its waits with the other tests. A module with a
    module-scoped fixture moves as one block, so its fixture is set up once on the worker that
    takes the block (xdist's chunks can still split a block; ``--dist loadgroup`` would keep it
    whole, but with pytest 9.2 xdist 3.8 cannot rename a test by its group and groups nothing).
    Every worker collects the same order (xdist checks it): the order depends on the collection
    alone."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    browser = [item for item in items if item.path.parent.name == "e2e"]
    if not browser or len(browser) == len(items):
        return
    rest = [item for item in items if item.path.parent.name != "e2e"]
    units: list[list] = []
    for item in browser:
        if _whole_module(item) and units and units[-1][0].path == item.path:
            units[-1].append(item)
        else:
            units.append([item])
    spacing = len(rest) / len(units)
    spread: list = []
    taken = 0
    for number, unit in enumerate(units):
        until = round(number * spacing)
        spread += rest[taken:until] + unit
        taken = until
    items[:] = spread + rest[taken:]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, worker_id):
    """The empty database: emptied here, migrated by ``app``. ``worker_id`` is pytest-xdist's
    name for this worker (gw0, gw1 …), "master" without workers."""
    url = os.environ.get("TRACKER_TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    url = make_url(normalise_database_url(url))
    drop = None
    if worker_id != "master":  # one database per xdist worker, beside the one named
        url = url.set(database=f"{url.database}_{worker_id}")
        drop = _create_database(url)
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    yield url.render_as_string(hide_password=False)
    if drop:
        drop()


def _create_database(url, template: str | None = None):
    """Creates the PostgreSQL database ``url`` names (afresh); returns how to drop it."""
    server = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    clause = f' TEMPLATE "{template}"' if template else ""
    with server.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{url.database}"{clause}'))

    def drop() -> None:
        with server.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        server.dispose()
    return drop


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory, worker_id):
    instance = tmp_path_factory.mktemp("instance")
    os.environ["TRACKER_INSTANCE_PATH"] = str(instance)
    application = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test",
        "WTF_CSRF_ENABLED": False,
        "SOURCES_DIR": SHARED_SEEDS,
        "UPLOAD_DIR": instance / "uploads",
    })
    application.jinja_env.undefined = TestUndefined
    application.test_client_class = ServerLikeClient
    with application.app_context():
        upgrade()
    # The loaded databases start as copies of the migrated one, made now: later a test could hold
    # a connection to the original, and PostgreSQL copies only a database nobody is connected to.
    copies = {kind: _copy_database(application, database_url, tmp_path_factory, kind)
              for kind in ("seeded", "country", "demo")}
    application.config["TEST_LOADED_DATABASE_URIS"] = {kind: url for kind, (url, _) in copies.items()}
    # pytest-xdist's workers of one run share the parent of their temporary directories.
    application.config["TEST_SHARED_DIRECTORY"] = (
        tmp_path_factory.getbasetemp().parent if worker_id != "master" else None)
    # The `db` fixture keeps one app context open for the whole test, and a test request reuses it,
    # so `g` outlives a request: forget Flask-Login's user at the start of each, as a real server
    # (one app context per request) does. Two clients in one test are then two different people.
    request_started.connect(_forget_the_user, application, weak=False)
    yield application
    for _url, drop in copies.values():
        if drop:
            drop()


def _forget_the_user(sender, **extra) -> None:
    g.pop("_login_user", None)


class ServerLikeClient(FlaskClient):
    """The test client, closing every answer and request body at the end of the test, as a WSGI
    server does once the answer is sent. Werkzeug's client leaves both open: an export sent from
    a temporary file, and a request body over 500 KB, which it spools to one (pallets/flask#3551),
    would stay open until the garbage collector finds them, a ResourceWarning that fails a test
    (pyproject.toml's filterwarnings)."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        _answers_to_close.append(response)
        return response


_answers_to_close: list = []


@pytest.fixture(autouse=True)
def _close_answers():
    yield
    while _answers_to_close:
        answer = _answers_to_close.pop()
        answer.close()
        body = answer.request.environ.get("wsgi.input") if answer.request else None
        if body is not None:
            body.close()


class TestUndefined(jinja2.StrictUndefined):
    """A template that uses a variable its view never passed fails the test instead of rendering
    as if it were empty (a false "保存未成功" banner once stood on every visit of two pages).

    One exception: ``form.csrf_token``. The tests switch CSRF off (WTF_CSRF_ENABLED), which
    removes that field from every form, while in production it is always there; it renders as
    nothing here, as it would without StrictUndefined."""

    __test__ = False  # not a test class, whatever its name

    def __new__(cls, hint=None, obj=jinja2.utils.missing, name=None, *args, **kwargs):
        if name == "csrf_token" and isinstance(obj, FlaskForm):
            return jinja2.Undefined(hint, obj, name, *args, **kwargs)
        return super().__new__(cls)


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes():
    """Every test makes users, and scrypt spends 70 ms on each hash by design (a guess must be
    costly). The tests check that passwords are hashed and verified, not what a hash costs: here
    users get a one-iteration PBKDF2 hash, which ``check_password_hash`` verifies the same way;
    so does ``authenticate``'s dummy hash for unknown names, made by the same function (its first
    use comes after this patch)."""
    from tracker.accounts import services

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services, "generate_password_hash",
                      lambda password: generate_password_hash(password, method="pbkdf2:sha256:1"))
        yield


# --- the loaded databases, built once --------------------------------------------------------------

class SeededDatabase:
    """A loaded copy: its engine, the seed loader's report, and how many rows each table holds
    (checked after every test that used it: a test that commits outside its transaction would
    otherwise change the data under every later test)."""

    def __init__(self, url: str, engine: sa.Engine, report, counts: dict[str, int]):
        self.url, self.engine, self.report, self.counts = url, engine, report, counts
        self.changed_by = ""

    def check_unchanged_by(self, test: str) -> None:
        if self.changed_by:
            pytest.fail(f"the shared loaded database was changed by {self.changed_by}", pytrace=False)
        now = _row_counts(self.engine)
        if now != self.counts:
            self.changed_by = test
            changed = {name: f"{count} → {now[name]}" for name, count in self.counts.items()
                       if now[name] != count}
            pytest.fail(f"{test} committed outside its transaction into a shared loaded database "
                        f"(rows: {changed}); every later test would see it", pytrace=False)

    def close(self) -> None:
        self.engine.dispose()


def _row_counts(engine: sa.Engine) -> dict[str, int]:
    tables = _db.metadata.sorted_tables
    query = sa.select(*(sa.select(sa.func.count()).select_from(t).scalar_subquery().label(t.name)
                        for t in tables))
    with engine.connect() as connection:
        return dict(connection.execute(query).one()._mapping)


def _copy_database(app, source_url: str, tmp_path_factory, kind: str) -> tuple[str, object]:
    """A copy of the migrated empty database: its URL and how to drop it (or None)."""
    with app.app_context():
        _db.engine.dispose()  # PostgreSQL copies a database only while nobody is connected to it
    source = make_url(source_url)
    if source.get_backend_name() == "sqlite":
        path = tmp_path_factory.mktemp("db") / f"{kind}.sqlite3"
        _sqlite_backup(source.database, path)
        return f"sqlite:///{path}", None
    copy = source.set(database=f"{source.database}_{kind}")
    return copy.render_as_string(hide_password=False), _create_database(copy, template=source.database)


def _loaded_database(app, kind: str, load) -> SeededDatabase:
    """The copy of the empty database made for ``kind``, with ``load()`` run into it once."""
    url = app.config["TEST_LOADED_DATABASE_URIS"][kind]
    engine = sa.create_engine(url, **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))

    def build():
        with app.app_context(), _engine_of(app, engine):
            report = load()
            _db.session.commit()
            _db.session.remove()
        return report

    report = _once_per_run(app.config["TEST_SHARED_DIRECTORY"], kind, url, build)
    return SeededDatabase(url, engine, report, _row_counts(engine))


def _once_per_run(shared: Path | None, kind: str, url: str, build):
    """``build()`` run into the database at ``url``, or its result copied there: on SQLite under
    pytest-xdist the first worker to ask for ``kind`` builds it and leaves the file and its
    report in the run's shared directory, and every other worker copies that file over its own
    empty copy (a seed load is ~3 CPU-s, a generated portfolio ~4: once per run, not per worker).
    On PostgreSQL each worker builds its own."""
    target = make_url(url)
    if shared is None or target.get_backend_name() != "sqlite":
        return build()
    built, report = shared / f"{kind}.sqlite3", shared / f"{kind}.report.pickle"
    with open(shared / f"{kind}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if report.exists():
            _sqlite_backup(built, target.database)
            return pickle.loads(report.read_bytes())
        result = build()
        _sqlite_backup(target.database, built)
        report.write_bytes(pickle.dumps(result))
        return result


def _sqlite_backup(source, target) -> None:
    with sqlite3.connect(source) as original, sqlite3.connect(target) as copy:
        original.backup(copy)  # consistent whatever sits in the write-ahead log
    original.close()
    copy.close()


@pytest.fixture(scope="session")
def seeded_database(app):
    """The five plans' seed, loaded through the services once."""
    from tracker.seeding.loader import load

    # Its Region objects belong to the loading session (and another worker may load it).
    seeded = _loaded_database(app, "seeded", lambda: dataclasses.replace(
        load(app.config["SEED_DIR"]), loaded_regions={}))
    yield seeded
    seeded.close()


@pytest.fixture(scope="session")
def demo_database(app):
    """A generated portfolio of 1,000 projects with the planner's statistics (``ANALYZE``, as
    ``tracker demo-data`` runs it): once, for the tests of the query plans a portfolio big enough
    for an index to matter gets."""
    from tracker.demo.generator import generate

    from .test_demo_data import REPORT_MONTH

    def load_demo():
        summary = generate(_db.session.connection(), projects=1000, seed=7, report_month=REPORT_MONTH)
        _db.session.execute(sa.text("ANALYZE"))
        return summary

    demo = _loaded_database(app, "demo", load_demo)
    yield demo
    demo.close()


@pytest.fixture(scope="session")
def country_database(app):
    """The whole country's divisions, then the seed (its former names and zone), as `make run`
    loads them: once, for the tests of regions among 3,200."""
    from tracker.audit.services import CLI
    from tracker.regions.national import load_national
    from tracker.seeding.loader import load

    def load_country():
        load_national(CLI)
        return dataclasses.replace(load(app.config["SEED_DIR"]), loaded_regions={})

    country = _loaded_database(app, "country", load_country)
    yield country
    country.close()


class _engine_of:
    """Points the app's default engine (``db.engine``, and through it every session) at ``engine``.

    Flask-SQLAlchemy keeps its engines per app in ``_app_engines``; it has no public way to change
    one after ``init_app``."""

    def __init__(self, app, engine: sa.Engine):
        self.engines = _db._app_engines[app]
        self.engine = engine

    def __enter__(self):
        self.previous = self.engines[None]
        self.engines[None] = self.engine
        return self.engine

    def __exit__(self, *exc_info):
        self.engines[None] = self.previous


class ConnectionBoundSession(FlaskSession):
    """Flask-SQLAlchemy picks an engine per model; in a test every query uses the test's connection."""

    def get_bind(self, *args, **kwargs):
        return self.bind if self.bind is not None else super().get_bind(*args, **kwargs)


@pytest.fixture()
def db(app, request):
    """A session whose commits are savepoints inside a transaction rolled back after the test.

    On the country's database when the test (or one of its fixtures) asks for ``country``, on
    the seeded one when it asks for ``seeded``, on the generated one for ``demo``, else on the
    empty one."""
    from tracker.portfolio import cache

    seeded = (request.getfixturevalue("country_database") if "country" in request.fixturenames
              else request.getfixturevalue("seeded_database") if "seeded" in request.fixturenames
              else request.getfixturevalue("demo_database") if "demo" in request.fixturenames
              else None)
    with app.app_context(), _engine_of(app, seeded.engine if seeded else _db.engine) as engine:
        cache.clear()  # figures computed on the other database must not be served from this one
        connection = engine.connect()
        transaction = connection.begin()
        original = _db.session
        _db.session = _db._make_scoped_session(
            {"bind": connection, "join_transaction_mode": "create_savepoint",
             "class_": ConnectionBoundSession})
        try:
            yield _db
        finally:
            _db.session.remove()
            _db.session = original
            transaction.rollback()
            connection.close()
            cache.clear()
    if seeded is not None:
        seeded.check_unchanged_by(request.node.nodeid)


def login_as(client, user) -> None:
    """Sign a test client in as ``user`` the way the sign-in form does: a server-side session
    (tracker/accounts/sessions.py) named in Flask-Login's cookie."""
    from tracker.accounts import sessions
    with client.session_transaction() as session:
        session.update(sessions.cookie(user))
    _db.session.commit()  # an error page's rollback must not take the session away
    _signed_in.append((client, user))


# The clients signed in during the current test, so that moving the clock keeps them signed in.
_signed_in: list = []


@pytest.fixture(autouse=True)
def _sessions_follow_time_travel(monkeypatch):
    """A test that moves the clock (``time_machine.travel``) keeps its clients signed in.

    A session started at the real time has ended (idle timeout, absolute lifetime) at a moment
    hours or months away, as it would for a real browser; such a test is about something else,
    so each of its clients signs in again at the moment it travels to.
    """
    import time_machine
    _signed_in.clear()
    original_start = time_machine.travel.start

    def start(self):
        traveller = original_start(self)
        for client, user in list(_signed_in):
            from tracker.accounts import sessions
            with client.session_transaction() as session:
                session.update(sessions.cookie(user))
            _db.session.commit()
        return traveller

    monkeypatch.setattr(time_machine.travel, "start", start)
    yield
    _signed_in.clear()


@pytest.fixture()
def make_user(db):
    from tracker.accounts import services
    from tracker.audit.services import Actor

    def make(role: str, *regions, username: str | None = None):
        name = username or f"{role}-{'-'.join(str(r.key if hasattr(r, 'key') else r) for r in regions) or 'all'}"
        user = services.create_user(Actor(None, "cli"), name, role, "Test-password-1",
                                    regions=regions)
        db.session.commit()
        return user
    return make


@pytest.fixture()
def anonymous_client(app, db):
    return app.test_client()


@pytest.fixture()
def client(app, db, make_user):
    """A leader's browser: reads every page, changes nothing."""
    test_client = app.test_client()
    login_as(test_client, make_user("leader", username="leader"))
    return test_client


@pytest.fixture()
def seeded(db, seeded_database):
    """The five plans' seed data, loaded through the services (once per session: see the module's
    docstring); the test's changes to it are rolled back like any other."""
    report = seeded_database.report  # its counts; its Region objects belonged to the loading session
    return dataclasses.replace(report, kept_edited=list(report.kept_edited), loaded_regions={})


@pytest.fixture()
def demo(db, demo_database):
    """The generated portfolio of 1,000 projects (see ``demo_database``); the test's changes are
    rolled back like any other."""
    return demo_database.report


@pytest.fixture()
def country(db, country_database):
    """The whole country's divisions and the seed (see the module's docstring); the test's changes
    are rolled back like any other."""


# Seeded Longnan (龙南市 360783): 表6 row 1 and an officer of the county's own, shared by the
# officers' tests (a test file may define its own ``officer`` where it needs another).
@pytest.fixture()
def longnan_project(db, seeded):
    from tracker.projects.models import Project
    return db.session.scalar(sa.select(Project).where(Project.seed_key == "longnan-t6-01"))


@pytest.fixture()
def officer(app, make_user, db, seeded):
    client = app.test_client()
    login_as(client, make_user("officer", "360783", username="ln-officer"))
    return client
