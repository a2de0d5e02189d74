"""A backup restored into an empty database holds every row, exactly."""

import os
import uuid

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

from tracker import create_app
from tracker.extensions import db
from tracker.ops import backup as backups

from .conftest import SHARED_SEEDS


def every_row(url: str) -> dict[str, list]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            metadata = sa.MetaData()
            metadata.reflect(connection)
            return {name: sorted(map(tuple, connection.execute(sa.select(table)).all()), key=repr)
                    for name, table in metadata.tables.items()}
    finally:
        engine.dispose()


@pytest.fixture()
def two_databases(tmp_path, database_url):
    """An empty source and an empty target on the suite's kind of database."""
    if make_url(database_url).get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'source.sqlite3'}", f"sqlite:///{tmp_path / 'target.sqlite3'}"
        return
    server = make_url(database_url)
    names = [f"backup_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("source", "target")]
    admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for name in names:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield tuple(server.set(database=name).render_as_string(hide_password=False) for name in names)
    finally:
        with admin.connect() as connection:
            for name in names:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_restore_into_an_empty_database_compares_every_row(two_databases, tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "instance"))
    source_url, target_url = two_databases
    source_app = create_app({"SQLALCHEMY_DATABASE_URI": source_url, "SECRET_KEY": "x",
                             "SOURCES_DIR": SHARED_SEEDS})
    with source_app.app_context():
        upgrade()
        from tracker.accounts import services
        from tracker.audit.services import CLI
        from tracker.seeding.loader import load
        load(source_app.config["SEED_DIR"])
        services.create_user(CLI, "officer1", "officer", "Backup-test-1", regions=["360783"])
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    output = tmp_path / "tracker.backup"
    backups.backup(source_url, output)
    assert output.exists() and not output.with_name(output.name + ".partial").exists()

    target_app = create_app({"SQLALCHEMY_DATABASE_URI": target_url, "SECRET_KEY": "x"})
    assert backups.is_empty(target_url)
    backups.restore(target_url, output)
    with target_app.app_context():
        db.engine.dispose()
    source_rows, target_rows = every_row(source_url), every_row(target_url)
    assert sum(len(rows) for rows in source_rows.values()) > 1000
    assert target_rows == source_rows


def test_restoring_something_that_is_not_a_backup_fails_clearly(tmp_path):
    junk = tmp_path / "junk.backup"
    junk.write_bytes(os.urandom(256))
    with pytest.raises(backups.BackupError):
        backups.restore(f"sqlite:///{tmp_path / 'empty.sqlite3'}", junk)
