"""A backup restored into an empty database holds every row, exactly."""

import os
import sqlite3
import uuid

import pytest
import sqlalchemy as sa
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
def two_databases(tmp_path, database_url, seeded_database):
    """A source with the five plans' seed, migrated and loaded as ``tracker db upgrade`` and
    ``tracker seed`` leave it (a copy of the suite's seeded database, which is exactly that: the
    migrations and the seed run once per session), and an empty target, on the suite's kind of
    database."""
    seeded = make_url(seeded_database.url)
    if make_url(database_url).get_backend_name() == "sqlite":
        source = tmp_path / "source.sqlite3"
        with sqlite3.connect(seeded.database) as original, sqlite3.connect(source) as copy:
            original.backup(copy)
        original.close()
        copy.close()
        yield f"sqlite:///{source}", f"sqlite:///{tmp_path / 'target.sqlite3'}"
        return
    server = make_url(database_url)
    names = [f"backup_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("source", "target")]
    admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    seeded_database.engine.dispose()  # PostgreSQL copies a database only while nobody is connected to it
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{names[0]}" TEMPLATE "{seeded.database}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{names[1]}"'))
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
        from tracker.accounts import services
        from tracker.audit.services import CLI
        services.create_user(CLI, "officer1", "officer", "Backup-test-1", regions=["360783"])
        # A plan a user added: its text lives in the database (plan_documents), so the backup has it.
        from tracker.plans.services import add_plan, check_plan
        add_plan(CLI, check_plan(key="backup-plan", title="备份测试规划", region="360783", period="2026-2030"),
                 lines=["一、重点项目", "新建龙南市康复医院，总投资3000万元。"], filename="plan.txt")
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
    assert any("新建龙南市康复医院" in str(row) for row in target_rows["plan_documents"])


def test_restoring_something_that_is_not_a_backup_fails_clearly(tmp_path):
    junk = tmp_path / "junk.backup"
    junk.write_bytes(os.urandom(256))
    with pytest.raises(backups.BackupError):
        backups.restore(f"sqlite:///{tmp_path / 'empty.sqlite3'}", junk)


def test_a_backup_restored_on_an_empty_machine_brings_back_every_page_and_photo(
        two_databases, tmp_path, monkeypatch):
    """Issue 14.12: the backup left the site photos out. Here a report with a photo is filed
    through the pages on one "machine", backed up, restored on another with an empty instance
    folder and database, and the officer finds his report and its photo there."""
    import io
    import stat

    from PIL import Image

    from tracker.ops.cli import backup as backup_command
    from tracker.ops.cli import restore as restore_command

    from .conftest import login_as

    source_url, target_url = two_databases
    monkeypatch.delenv("TRACKER_SECRET_KEY", raising=False)
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "old-server"))
    source_app = create_app({"SQLALCHEMY_DATABASE_URI": source_url, "SOURCES_DIR": SHARED_SEEDS,
                             "WTF_CSRF_ENABLED": False})
    with source_app.app_context():
        from tracker.accounts import services
        from tracker.audit.services import CLI
        from tracker.models import Project
        officer = services.create_user(CLI, "officer1", "officer", "Backup-test-1", regions=["360783"])
        db.session.commit()
        project_id = db.session.scalar(sa.select(Project.id).where(Project.seed_key == "longnan-t6-01"))
        browser = source_app.test_client()
        login_as(browser, officer)
        picture = io.BytesIO()
        Image.new("RGB", (48, 32), (10, 160, 90)).save(picture, "PNG")
        filed = browser.post(f"/projects/{project_id}/reports/new", data={
            "month": "2026-11", "progress_text": "备份前的形象进度：主体封顶", "invested_month": "12",
            "photos": [(io.BytesIO(picture.getvalue()), "封顶.png")]}, content_type="multipart/form-data")
        assert filed.status_code == 302, filed.get_data(as_text=True)[:1000]
        photo_url = next(line.split('"')[1] for line in browser.get(f"/projects/{project_id}").get_data(
            as_text=True).split("href=")[1:] if line.startswith('"/photos/'))
        original = browser.get(photo_url)
        original_photo = original.get_data()
        original.close()  # a file answer holds its file open until closed
        secret = source_app.config["SECRET_KEY"]
        output = tmp_path / "backups" / "tracker.backup"
        result = source_app.test_cli_runner().invoke(backup_command, ["--output", str(output)])
        assert result.exit_code == 0, result.output
        db.session.remove()
        db.engine.dispose()
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    if make_url(source_url).get_backend_name() == "sqlite":
        assert stat.S_IMODE(os.stat(make_url(source_url).database).st_mode) & 0o077 == 0

    # A new machine: an empty instance folder, an empty database.
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "new-server"))
    target_app = create_app({"SQLALCHEMY_DATABASE_URI": target_url, "WTF_CSRF_ENABLED": False})
    with target_app.app_context():
        result = target_app.test_cli_runner().invoke(restore_command, [str(output)])
        assert result.exit_code == 0, result.output
        db.engine.dispose()
    assert (tmp_path / "new-server" / "secret_key").read_text().strip() == secret
    restarted = create_app({"SQLALCHEMY_DATABASE_URI": target_url})
    assert restarted.config["SECRET_KEY"] == secret
    with restarted.app_context():
        visitor = restarted.test_client()
        page = visitor.get("/login")
        token = page.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        signed_in = visitor.post("/login", data={"username": "officer1", "password": "Backup-test-1",
                                                 "csrf_token": token})
        assert signed_in.status_code == 302
        project_page = visitor.get(f"/projects/{project_id}").get_data(as_text=True)
        assert "备份前的形象进度：主体封顶" in project_page and photo_url in project_page
        restored_photo = visitor.get(photo_url)
        assert restored_photo.status_code == 200 and restored_photo.get_data() == original_photo
        thumbnail = visitor.get(photo_url + "/thumb")
        assert thumbnail.status_code == 200
        for answer in (restored_photo, thumbnail):
            answer.close()  # a file answer holds its file open until closed, as a server closes it
        db.session.remove()
        db.engine.dispose()


def test_a_restore_while_something_is_connected_to_postgresql_is_refused(two_databases, tmp_path, monkeypatch):
    """`tracker restore --yes` ran while gunicorn still served the database (README says stop it
    first): a save in between would land between the restore's steps."""
    source_url, target_url = two_databases
    if not target_url.startswith("postgresql"):
        pytest.skip("SQLite shows no other connections")
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "instance"))
    output = tmp_path / "tracker.backup"
    backups.backup(source_url, output)
    from tracker.ops.cli import restore

    target_app = create_app({"SQLALCHEMY_DATABASE_URI": target_url, "SECRET_KEY": "x"})
    server = sa.create_engine(target_url)
    with server.connect():  # a tracker still serving it
        refused = target_app.test_cli_runner().invoke(restore, [str(output), "--yes"])
        assert refused.exit_code != 0 and "other connection(s) to this database are open" in refused.output
        assert backups.is_empty(target_url)
    server.dispose()
    with target_app.app_context():
        db.engine.dispose()
    restored = target_app.test_cli_runner().invoke(restore, [str(output), "--yes"])
    assert restored.exit_code == 0, restored.output


def test_a_backup_of_one_kind_of_database_restored_into_the_other_says_so(tmp_path, monkeypatch):
    """An admin moving from the `make run` trial restored its SQLite backup into PostgreSQL and was
    told only "pg_restore: error: input file does not appear to be a valid archive"."""
    trial = f"sqlite:///{tmp_path / 'trial.sqlite3'}"
    engine = sa.create_engine(trial)
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32))"))
    engine.dispose()
    output = tmp_path / "trial.backup"
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "instance"))
    backups.backup(trial, output)
    with pytest.raises(backups.BackupError, match="is a backup of a SQLite database and this tracker's database is PostgreSQL"):
        backups.restore("postgresql://postgres@127.0.0.1:5432/never_touched", output)
