"""The unit of work (tracker/unit_of_work.py): one place commits, and a failure keeps nothing.

A request commits when its view answers below 400 and rolls back when it raises or refuses; a CLI
command is one transaction; services turn a concurrent save's refusal into their own errors. The
first test reads every module with ``ast``: no other module commits or rolls back the session.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import click
import pytest
import sqlalchemy as sa
from flask.cli import with_appcontext

from tracker.accounts.models import LoginFailure, User
from tracker.audit.models import AuditEntry
from tracker.core.clock import this_month
from tracker.extensions import db as _db
from tracker.progress.models import MonthlyReport
from tracker.projects.models import Project
from tracker.unit_of_work import abandon, after_commit, one_unit_of_work, unit_of_work

from . import factories
from .meanwhile import SomeoneSavesTheProjectMeanwhile
from .conftest import login_as

TRACKER = Path(__file__).resolve().parent.parent / "tracker"

# Modules that end a transaction themselves, and why. Only tracker/unit_of_work.py otherwise.
ALLOWED = {
    "tracker/unit_of_work.py": "the unit of work: the one place that commits and rolls back",
    "tracker/imports/importer.py": "a preview holds no transaction while it reads a sheet and gives "
                                   "the database back every half second (Slices): SQLite has one writer",
}


def session_endings(path: Path) -> list[int]:
    """The lines of ``path`` that call ``….session.commit()`` or ``….session.rollback()``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("commit", "rollback")
                and isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "session"):
            found.append(node.lineno)
    return found


def test_only_the_unit_of_work_commits_or_rolls_back():
    offenders = {str(path.relative_to(TRACKER.parent)): lines for path in sorted(TRACKER.rglob("*.py"))
                 if (lines := session_endings(path))}
    unexpected = {module: lines for module, lines in offenders.items() if module not in ALLOWED}
    assert not unexpected, (
        "commit or roll back through tracker/unit_of_work.py (a view answers, a CLI command is "
        f"@one_unit_of_work), never by hand: {unexpected}")
    gone = set(ALLOWED) - set(offenders)
    assert not gone, f"no longer needed, take them off ALLOWED: {gone}"


def test_the_scanner_finds_a_commit_and_a_rollback(tmp_path):
    module = tmp_path / "view.py"
    module.write_text("def save():\n    db.session.commit()\n    x.rollback()\n    db.session.rollback()\n")
    assert session_endings(module) == [2, 4]


# --- requests --------------------------------------------------------------------------------------

@pytest.fixture()
def officer_client(app, make_user, db):
    county = factories.region()
    db.session.commit()
    client = app.test_client()
    login_as(client, make_user("officer", county.key, username="uow-officer"))
    return client, county


def new_project(county, **fields) -> dict:
    """The new-project form as an officer fills it in."""
    return {"region_id": str(county.id), "kind": "construction", "category": "cdc",
            "build_nature": "new", "status": "", **fields}


def project_named(name: str) -> Project | None:
    return _db.session.scalar(sa.select(Project).where(Project.name == name))


def test_a_view_that_fails_after_writing_leaves_nothing_written(app, officer_client, monkeypatch):
    """The project is written (and audited), then the lifecycle step fails: the officer gets the
    error page, and neither the project nor its audit entry stays."""
    client, county = officer_client
    from tracker.progress import services as progress_services

    def broken(actor, project):
        raise RuntimeError("the disk went away")
    monkeypatch.setattr(progress_services, "add_standard_lifecycle", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # the page a server shows
    answer = client.post("/projects/new", data=new_project(county, name="写了一半的项目",
                                                                 add_lifecycle="y"))
    assert answer.status_code == 500
    assert project_named("写了一半的项目") is None
    assert not _db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "project:create"))


def test_a_view_that_succeeds_is_committed(app, officer_client):
    client, county = officer_client
    answer = client.post("/projects/new", data=new_project(county, name="保存好的项目"))
    assert answer.status_code == 302
    _db.session.rollback()  # the test's own session: only what was committed is still there
    assert project_named("保存好的项目") is not None


def test_a_project_code_taken_in_the_same_instant_is_a_form_error_not_a_500(app, officer_client):
    """Another officer saves the 项目代码 after our check and before our INSERT: the unique index
    refuses ours, and the officer reads the form again with the reason."""
    client, county = officer_client
    code = "2026-360783-84-01-000099"
    other = factories.project(county, name="他人的项目")
    _db.session.commit()

    def the_other_officer_saves_first(session, flush_context, instances):
        if any(isinstance(obj, Project) and obj.project_code == code for obj in session.new):
            session.connection().execute(sa.update(Project).where(Project.id == other.id)
                                         .values(project_code=code))
    session = _db.session()
    sa.event.listen(session, "before_flush", the_other_officer_saves_first)
    try:
        answer = client.post("/projects/new", data=new_project(county, name="同时新建的项目",
                                                                     project_code=code))
    finally:
        sa.event.remove(session, "before_flush", the_other_officer_saves_first)
    assert answer.status_code == 400
    assert f"项目代码 {code} 已被另一个项目使用" in answer.get_data(as_text=True)
    assert project_named("同时新建的项目") is None


def reports_of(project: Project) -> int:
    return _db.session.scalar(sa.select(sa.func.count(MonthlyReport.id)).where(
        MonthlyReport.project_id == project.id))


def test_a_report_filed_while_the_project_is_saved_is_refused_with_409_not_a_500(app, officer_client):
    client, county = officer_client
    project = factories.project(county)
    _db.session.commit()
    with SomeoneSavesTheProjectMeanwhile(project) as other:
        answer = client.post(f"/projects/{project.id}/reports/new", data={
            "month": this_month().strftime("%Y-%m"), "progress_text": "基础施工", "invested_month": "10"})
    assert other.saved and answer.status_code == 409
    assert "其他人修改了此项目，月报未保存" in answer.get_data(as_text=True)
    assert reports_of(project) == 0


def test_the_api_answers_a_save_in_the_same_instant_with_a_409_problem(app, officer_client, make_user):
    from tracker.api import tokens
    from tracker.audit.services import Actor

    client, county = officer_client
    project = factories.project(county)
    user = _db.session.scalar(sa.select(User).where(User.username == "uow-officer"))
    _token, secret = tokens.create_token(Actor(None, "cli"), user, scope="write")
    _db.session.commit()
    with SomeoneSavesTheProjectMeanwhile(project) as other:
        answer = app.test_client().post(
            f"/api/v1/projects/{project.id}/reports", headers={"Authorization": f"Bearer {secret}"},
            json={"month": this_month().strftime("%Y-%m"), "invested_month": "10"})
    assert other.saved and answer.status_code == 409, answer.get_data(as_text=True)
    assert answer.mimetype == "application/problem+json" and "其他人刚刚修改了此内容" in answer.get_json()["detail"]
    assert reports_of(project) == 0


def test_a_failed_sign_in_is_counted_though_the_answer_is_400(app, make_user, db):
    """The one answer above 400 that keeps a write: the failure the throttle counts."""
    make_user("leader", username="counted")
    answer = app.test_client().post("/login", data={"username": "counted", "password": "wrong"})
    assert answer.status_code == 400
    db.session.rollback()  # only what the request committed is still there
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginFailure).where(
        LoginFailure.account == "counted")) == 1


# --- the unit itself -------------------------------------------------------------------------------

def test_an_abandoned_unit_keeps_nothing(db):
    """A refusal told on the next page (a flash and a redirect) keeps nothing of the request."""
    with unit_of_work():
        factories.project(name="放弃的项目")
        abandon()
    assert project_named("放弃的项目") is None


def test_after_commit_runs_once_committed_and_never_after_a_rollback(db):
    ran = []
    with unit_of_work():
        factories.project(name="保存的项目")
        after_commit(lambda: ran.append(project_named("保存的项目") is not None))
    assert ran == [True]
    with pytest.raises(RuntimeError), unit_of_work():
        after_commit(lambda: ran.append("rolled back"))
        raise RuntimeError
    assert ran == [True]


# --- CLI commands ----------------------------------------------------------------------------------

def test_a_cli_command_that_fails_after_writing_writes_nothing(app, db, monkeypatch):
    """`tracker users create` whose service writes the user and then refuses: exit 1, no user."""
    from tracker.accounts import services
    from tracker.accounts.cli import users
    from tracker.errors import ValidationFailed

    original = services.create_user

    def writes_then_refuses(*args, **kwargs):
        original(*args, **kwargs)
        raise ValidationFailed("邮件服务器拒绝了这个地址", "email")
    monkeypatch.setattr(services, "create_user", writes_then_refuses)
    result = app.test_cli_runner().invoke(users, ["create", "half-made", "--role", "viewer"])
    assert result.exit_code == 1 and "邮件服务器拒绝了这个地址" in result.output
    assert db.session.scalar(sa.select(User).where(User.username == "half-made")) is None


def test_a_cli_command_that_succeeds_is_committed(app, db):
    from tracker.accounts.cli import users

    result = app.test_cli_runner().invoke(users, ["create", "made-here", "--role", "viewer"])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    assert db.session.scalar(sa.select(User).where(User.username == "made-here")) is not None


@pytest.mark.parametrize("status, kept", [(0, True), (1, False)])
def test_a_command_that_exits_is_committed_only_when_it_exits_0(app, db, status, kept):
    """`tracker import` ends with sys.exit(0 if every row was good else 1)."""
    @click.command()
    @with_appcontext
    @one_unit_of_work
    def command():
        factories.project(name=f"退出码 {status}")
        sys.exit(status)

    assert app.test_cli_runner().invoke(command).exit_code == status
    db.session.rollback()
    assert (project_named(f"退出码 {status}") is not None) is kept
