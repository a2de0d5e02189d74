"""Faults: a process killed mid-write, the database going away, storage that refuses a photo.

Each fault is made for real where it can be: the `tracker` command is SIGKILLed in a subprocess
while its transaction is open; the database is taken away from a running server (PostgreSQL: the
database stops accepting connections and the server's are terminated; SQLite: the file is moved
away). A full disk is simulated (tests run as root, where a read-only directory still takes
writes): the photo store's write raises ENOSPC.
"""

from __future__ import annotations

import csv
import errno
import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from tracker.core import clock
from tracker.config import PROJECT_ROOT
from tracker.projects.models import Project

from ..live import LiveServer, WebClient, every_row, make_app, scalar

UNAVAILABLE = "数据库暂时无法连接"
THIS_MONTH = clock.today().strftime("%Y-%m")


def png(colour=(30, 120, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "PNG")
    return buffer.getvalue()


# --- (a) a process killed half-way ------------------------------------------------------------------

def tracker_env(database_url: str, tmp_path: Path) -> dict:
    return {**os.environ, "TRACKER_DATABASE_URL": database_url, "TRACKER_SECRET_KEY": "e2e-secret",
            "TRACKER_INSTANCE_PATH": str(tmp_path / "cli-instance"), "PYTHONPATH": str(PROJECT_ROOT)}


def write_lock_held(database_url: str) -> bool:
    """Does another process hold an open write transaction on the database right now?"""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        probe = sqlite3.connect(url.database, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError as error:
            return "locked" in str(error)
        finally:
            probe.close()
    return scalar(database_url, "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
                                "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL") > 0


def wait_for_other_sessions_to_end(database_url: str) -> None:
    if make_url(database_url).get_backend_name() != "postgresql":
        return
    for _ in range(100):
        if not scalar(database_url, "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
                                    "AND pid <> pg_backend_pid()"):
            return
        time.sleep(0.1)
    raise AssertionError("the killed command's session never ended")


def kill_half_way(database_url: str, tmp_path: Path, arguments: list[str], after_flushes: int) -> int:
    """Run ``tracker <arguments>``; after ``after_flushes`` flushes, freeze it, check that its
    transaction is open, and SIGKILL it. Returns how many flushes it had made."""
    process = subprocess.Popen([sys.executable, "-m", "tests.e2e.flush_probe", *arguments],
                               cwd=PROJECT_ROOT, env=tracker_env(database_url, tmp_path),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    flushed, output = 0, []
    try:
        for line in process.stdout:
            output.append(line)
            if line.startswith("flushed "):
                flushed = int(line.split()[1])
                if flushed >= after_flushes:
                    process.send_signal(signal.SIGSTOP)  # frozen with its transaction open
                    break
        else:
            raise AssertionError(f"finished before {after_flushes} flushes:\n{''.join(output[-20:])}")
        assert write_lock_held(database_url), "the command was not inside a write transaction"
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
    wait_for_other_sessions_to_end(database_url)
    return flushed


def run_tracker(database_url: str, tmp_path: Path, arguments: list[str]) -> str:
    """``tracker <arguments>`` run to its end in this process, on an app of its own: the command
    after the killed one needs no process of its own, and an interpreter's start is a second."""
    from tracker.extensions import db

    app = make_app(database_url, tmp_path)
    try:
        result = app.test_cli_runner().invoke(args=arguments)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    assert result.exit_code == 0, (result.output[-3000:], result.exception)
    return result.output


def test_a_seed_killed_half_way_leaves_the_database_as_it_was(databases, tmp_path):
    url = databases.migrated("killed_seed")
    app = make_app(url, tmp_path)
    from tracker.accounts import services
    from tracker.audit.services import CLI
    from tracker.extensions import db
    from tracker.projects import services as project_services
    from tracker.regions.models import Region
    with app.app_context():  # what the database held before: an account and a project made in the tracker
        officer = services.create_user(CLI, "leader-before", "leader", "Before-password-1")
        region = Region(key="360783", code="360783", name="龙南市", level="county", path="/360783/")
        db.session.add(region)
        db.session.flush()
        project_services.create_project(CLI, region=region, name="种子之前录入的项目",
                                        kind="construction", category="cdc")
        db.session.commit()
        assert officer.id
        db.session.remove()
        db.engine.dispose()
    before = every_row(url)

    flushed = kill_half_way(url, tmp_path, ["seed"], after_flushes=900)

    assert flushed >= 900
    assert every_row(url) == before  # not one row of the half-done seed, nothing else lost
    out = run_tracker(url, tmp_path, ["seed"])  # the next seed runs as if nothing had happened
    assert "253 created" in out
    assert scalar(url, "SELECT COUNT(*) FROM projects") == 254


def import_file(path: Path, rows: int) -> Path:
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(["项目名称", "地区代码", "项目类型", "类别", "总投资（万元）"])
        for n in range(rows):
            writer.writerow([f"批量导入项目{n:04d}", "360783", "construction", "other", f"{n}.5"])
    return path


def test_an_import_killed_half_way_leaves_the_database_as_it_was(databases, tmp_path):
    url = databases.seeded("killed_import")
    sheet = import_file(tmp_path / "projects.csv", 400)
    before = every_row(url)

    flushed = kill_half_way(url, tmp_path, ["import", str(sheet), "--user", "admin-e2e"], after_flushes=400)

    assert flushed >= 400  # some 200 of the 400 rows were written inside the transaction
    assert every_row(url) == before
    out = run_tracker(url, tmp_path, ["import", str(sheet), "--user", "admin-e2e"])
    assert "已全部导入" in out
    assert scalar(url, "SELECT COUNT(*) FROM projects WHERE name LIKE '批量导入项目%'") == 400


# --- (b) the database going away ---------------------------------------------------------------------

class Outage:
    """Takes a server's database away and brings it back."""

    def __init__(self, databases, url: str):
        self.databases, self.url = databases, url
        self.name = make_url(url).database

    def begin(self) -> None:
        if self.databases.backend == "postgresql":
            self.databases.execute_on_server(f'ALTER DATABASE "{self.name}" WITH ALLOW_CONNECTIONS false')
            self.databases.execute_on_server(
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{self.name}'")
        else:  # the disk holding it is gone: the path now names a directory, not a database
            for suffix in ("-wal", "-shm"):
                assert not os.path.exists(self.name + suffix)
            os.rename(self.name, self.name + ".away")
            os.mkdir(self.name)

    def end(self) -> None:
        if self.databases.backend == "postgresql":
            self.databases.execute_on_server(f'ALTER DATABASE "{self.name}" WITH ALLOW_CONNECTIONS true')
        else:
            os.rmdir(self.name)
            os.rename(self.name + ".away", self.name)


@pytest.fixture()
def own_server(databases, tmp_path):
    """A live tracker on its own database. On SQLite each request opens the file anew (NullPool),
    so moving the file away reaches the server at once, as a lost disk would."""
    url = databases.seeded("outage")
    options = {"poolclass": NullPool} if databases.backend == "sqlite" else {"pool_pre_ping": True}
    server = LiveServer(make_app(url, tmp_path, SQLALCHEMY_ENGINE_OPTIONS=options))
    server.database_url = url
    yield server
    server.stop()


def test_the_database_going_away_gives_a_clear_503_and_the_tracker_recovers(own_server, databases):
    url = own_server.database_url
    project_id = scalar(url, "SELECT id FROM projects WHERE seed_key = 'longnan-t6-02'")
    officer = WebClient(own_server.url)
    officer.login("officer-1")
    form = officer.get(f"/projects/{project_id}/reports/new")
    assert officer.get("/projects").status == 200

    outage = Outage(databases, url)
    outage.begin()
    try:
        for path in ("/projects", "/dashboard", f"/projects/{project_id}", "/projects/export.csv"):
            answer = officer.get(path)
            assert answer.status == 503, (path, answer.status, answer.text[:1500])
            assert UNAVAILABLE in answer.text, path
        refused = officer.submit(form, month=THIS_MONTH, invested_month="12.5")
        assert refused.status == 503 and UNAVAILABLE in refused.text
        anonymous = WebClient(own_server.url).get("/login")
        assert anonymous.status in (200, 503)  # the login page needs no database until it is posted
    finally:
        outage.end()

    assert officer.get("/projects").status == 200  # no restart: the next request is served
    accepted = officer.submit(officer.get(f"/projects/{project_id}/reports/new"), month=THIS_MONTH,
                              invested_month="12.5")
    assert accepted.status == 302, accepted.text[:2000]
    assert scalar(url, "SELECT COUNT(*) FROM monthly_reports WHERE project_id = :p", p=project_id) == 1


def test_a_read_only_database_during_an_upload_is_reported_and_nothing_is_half_written(own_server,
                                                                                        databases):
    url = own_server.database_url
    project_id = scalar(url, "SELECT id FROM projects WHERE seed_key = 'longnan-t6-03'")
    officer = WebClient(own_server.url)
    officer.login("officer-2")
    form = officer.get(f"/projects/{project_id}/reports/new")
    before = every_row(url)
    from tracker.extensions import db

    if databases.backend == "postgresql":
        name = make_url(url).database
        databases.execute_on_server(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
        databases.execute_on_server(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
    else:
        with own_server.app.app_context():
            engine = db.engine

        def read_only(dbapi_connection, record):
            dbapi_connection.execute("PRAGMA query_only = ON")
        sa.event.listen(engine, "connect", read_only)
    try:
        answer = officer.submit(form, month=THIS_MONTH, invested_month="8", progress_text="只读期间的填报",
                                files=[("photos", "site.png", png(), "image/png")])
        assert answer.status == 503, answer.text[:2000]
        assert UNAVAILABLE in answer.text
    finally:
        if databases.backend == "postgresql":
            databases.execute_on_server(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')
            databases.execute_on_server(
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
        else:
            sa.event.remove(engine, "connect", read_only)
    assert every_row(url) == before
    again = officer.submit(officer.get(f"/projects/{project_id}/reports/new"), month=THIS_MONTH,
                           invested_month="8", files=[("photos", "site.png", png(), "image/png")])
    assert again.status == 302, again.text[:2000]


# --- (c) the disk full during a photo upload ---------------------------------------------------------

def test_a_full_disk_during_a_photo_upload_is_reported_and_no_report_is_written(app, db, make_user,
                                                                              monkeypatch):
    from tracker.progress.models import MonthlyReport, ReportPhoto

    from ..browsers import browser
    from ..factories import county_in_city, project
    _, _, county = county_in_city()
    target = project(county, kind="construction", category="cdc")
    db.session.commit()
    officer = browser(app, make_user("officer", "360783", username="disk-officer"))

    def no_space(self, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(self))
    monkeypatch.setattr(Path, "write_bytes", no_space)
    answer = officer.post(f"/projects/{target.id}/reports/new", data={
        "month": THIS_MONTH, "progress_text": "磁盘已满时的填报", "invested_month": "3",
        "photos": (io.BytesIO(png()), "site.png")}, content_type="multipart/form-data")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "存储空间不足或不可写" in page and "月报未提交" in page
    assert "磁盘已满时的填报" in page  # what he typed is still in the form
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MonthlyReport)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportPhoto)) == 0
    monkeypatch.undo()
    assert officer.post(f"/projects/{target.id}/reports/new", data={
        "month": THIS_MONTH, "invested_month": "3", "photos": (io.BytesIO(png()), "site.png")},
        content_type="multipart/form-data").status_code == 302


def test_a_full_disk_during_a_sheet_upload_is_reported(app, db, make_user, monkeypatch):
    from ..browsers import browser
    from ..factories import county_in_city
    county_in_city()
    officer = browser(app, make_user("officer", "360783", username="disk-importer"))

    def no_space(self, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(self))
    imports = Path(app.config["UPLOAD_DIR"]) / "imports"

    def kept_uploads() -> set:
        return set(imports.iterdir()) if imports.is_dir() else set()
    kept_before = kept_uploads()
    monkeypatch.setattr(Path, "write_bytes", no_space)
    sheet = "项目名称,地区代码,项目类型,类别\n磁盘已满时导入,360783,construction,cdc\n".encode("utf-8-sig")
    answer = officer.post("/import", data={"kind": "projects", "file": (io.BytesIO(sheet), "项目.csv")},
                          content_type="multipart/form-data")
    page = answer.get_data(as_text=True)
    assert answer.status_code in (400, 503), page[:2000]
    assert "field-error" in page or 'class="flash error"' in page or 'class="error-page"' in page
    assert "存储空间不足" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Project)) == 0
    assert kept_uploads() == kept_before  # no half-kept upload left behind
