"""Test fixtures: the schema is built by the migrations, each test rolls back.

The suite runs on a throwaway SQLite file, or on PostgreSQL when ``TRACKER_TEST_DATABASE_URL``
names a database (``.ci/run`` creates one). That database is emptied and migrated at the start.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import g, request_started
from flask_migrate import upgrade

from flask_sqlalchemy.session import Session as FlaskSession

from tracker import create_app
from tracker.config import normalise_database_url
from tracker.extensions import db as _db

SHARED_SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TRACKER_TEST_DATABASE_URL")
    if url:
        url = normalise_database_url(url)
        engine = sa.create_engine(url)
        with engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
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
    with application.app_context():
        upgrade()
    # The `db` fixture keeps one app context open for the whole test, and a test request reuses it,
    # so `g` outlives a request: forget Flask-Login's user at the start of each, as a real server
    # (one app context per request) does. Two clients in one test are then two different people.
    request_started.connect(_forget_the_user, application, weak=False)
    return application


def _forget_the_user(sender, **extra) -> None:
    g.pop("_login_user", None)


class ConnectionBoundSession(FlaskSession):
    """Flask-SQLAlchemy picks an engine per model; in a test every query uses the test's connection."""

    def get_bind(self, *args, **kwargs):
        return self.bind if self.bind is not None else super().get_bind(*args, **kwargs)


@pytest.fixture()
def db(app):
    """A session whose commits are savepoints inside a transaction rolled back after the test."""
    with app.app_context():
        connection = _db.engine.connect()
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


def login_as(client, user) -> None:
    """Sign a test client in as ``user`` the way the sign-in form does: a server-side session
    (tracker/accounts/sessions.py) named in Flask-Login's cookie."""
    from tracker.accounts import sessions
    with client.session_transaction() as session:
        session.update(sessions.cookie(user))
    _db.session.commit()  # an error page's rollback must not take the session away


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
def seeded(db, app):
    """The five plans' seed data, loaded through the services."""
    from tracker.seeding.loader import load
    report = load(app.config["SEED_DIR"])
    db.session.commit()
    return report
