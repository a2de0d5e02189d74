"""An audit entry stores its action and parameters; its sentence is written when it is read, in
the reader's language (issue 15). A project's history folds the seed's entries into one line and
names plans by title (issue 18). One macro renders every list of changes."""

from __future__ import annotations

import ast
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from flask import render_template_string

from tracker.audit.messages import MESSAGES, summary
from tracker.audit.models import AuditEntry
from tracker.audit.services import Actor
from tracker.core.clock import utcnow
from tracker.progress import services as progress
from tracker.progress.models import Milestone
from tracker.projects import services as projects
from tracker.vocabulary import Stage, Status

from . import factories
from .browsers import browser

ROOT = Path(__file__).resolve().parents[1]


def text(response) -> str:
    return response.get_data(as_text=True)


def in_english(client):
    client.get("/language/en")
    return client


def history_of(html: str) -> str:
    return html[html.index('id="history"'):html.index("</section>", html.index('id="history"'))]


# --- the reader's language ---------------------------------------------------------------------

def test_an_entry_made_in_english_reads_in_chinese_and_in_english(app, db, make_user):
    """An admin working in English creates a user; the trail used to keep his English sentence."""
    admin = in_english(browser(app, make_user("admin", username="admin-en")))
    response = admin.post("/admin/users/new", data={"username": "wangwu", "role": "viewer",
                                                    "password": "Longnan-2024"})
    assert response.status_code == 302
    url = "/admin/audit?action=user:create&user=admin-en"
    chinese = text(browser(app, make_user("leader", username="leader-zh")).get(url))
    assert "新建用户：wangwu（只读用户）" in chinese and "Created user" not in chinese
    assert "Created user: wangwu (Read-only user)" in text(admin.get(url))


def test_an_entry_made_in_chinese_reads_in_english(app, db, make_user):
    project = factories.project(name="龙南市人民医院新院区")
    db.session.commit()
    projects.update_project(Actor(make_user("officer", factories.region(), username="zhangsan"), "web"),
                            project, {"status": Status.CONSTRUCTION}, expected_version=project.version,
                            reason="已开工")
    milestone = Milestone(stage=Stage.START, position=Stage.START.position)
    project.milestones.append(milestone)
    db.session.flush()
    progress.save_milestones(Actor(None, "cli"), project, [progress.MilestoneEdit(
        milestone, None, None, "施工许可已办", None, milestone.version, key="start")])
    db.session.commit()
    leader = in_english(browser(app, make_user("leader", username="leader-en")))
    history = history_of(text(leader.get(f"/projects/{project.id}")))
    assert "Edited project: 龙南市人民医院新院区" in history and "修改项目" not in history
    assert "Updated milestone: Construction start" in history and "更新节点" not in history
    assert "Command line" in history  # the path, in the reader's words too


def test_an_amount_in_a_sentence_is_hidden_from_whom_money_is_hidden(app, db):
    project = factories.project(name="阳江市妇幼保健院", total_investment=Decimal("7515"))
    revision = progress.revise_budget(factories.TEST_ACTOR, project, new_amount="8123.45", reason="增加设备",
                                      approval_number="阳发改〔2024〕3号", approval_date=dt.date(2024, 5, 6))
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.object_id == revision.id,
                                                          AuditEntry.action == "budget:revise"))
    assert entry.params == {"old": "7515", "new": "8123.45"}
    assert summary(entry) == "概算调整：7515 → 8123.45 万元"
    assert summary(entry, show_money=False) == "概算调整"


def test_an_entry_from_before_params_shows_its_stored_summary(app, db):
    """Rows written before the params column keep their sentence, in the writer's language; an
    old sentence stating an amount is still hidden from whom money is hidden."""
    project = factories.project(name="宜春市中医院")
    for action, words in (("project:update", "Edited project: 宜春市中医院"),
                          ("budget:revise", "概算调整：7515 → 8123.45 万元")):
        db.session.add(AuditEntry(occurred_at=utcnow(), via="web", action=action, object_type="Project",
                                  object_id=project.id, project_id=project.id, summary=words, changes={}))
    db.session.commit()
    old = list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.params.is_(None))))
    assert {summary(entry) for entry in old} == {"Edited project: 宜春市中医院", "概算调整：7515 → 8123.45 万元"}
    with app.test_request_context("/"):
        html = render_template_string('{% include "audit/_project_history.html" %}',
                                      entries=old, show_money=False)
    assert "Edited project: 宜春市中医院" in html and "7515" not in html and "概算调整" in html


# --- the API's path ---------------------------------------------------------------------------

def test_changes_made_through_the_api_are_labelled_and_can_be_filtered(app, db, make_user):
    """/admin/audit?via=api was refused as an unknown path."""
    api_user = make_user("officer", factories.region(), username="api-robot")
    project = factories.project(name="龙南市疾控中心")
    projects.add_alias(Actor(api_user, "api"), project, "龙南疾控")
    db.session.commit()
    leader = browser(app, make_user("leader", username="leader-api"))
    response = leader.get("/admin/audit?via=api")
    assert response.status_code == 200
    html = text(response)
    assert '<option value="api" selected>接口</option>' in html
    assert "新增别名：龙南疾控" in html and "新建项目" not in html
    assert '<option value="api" selected>API</option>' in text(in_english(leader).get("/admin/audit?via=api"))
    # A QA walk's complaint: the project's history said only "api-robot", the channel nowhere.
    leader.get("/language/zh")
    history = text(leader.get(f"/projects/{project.id}"))
    assert "api-robot（接口）" in history


# --- the project page's history (issue 18) ----------------------------------------------------

def test_the_seeds_entries_are_one_line_that_opens_on_them(app, db, seeded, longnan_project, make_user):
    seed_entries = db.session.scalar(sa.select(sa.func.count()).where(
        AuditEntry.project_id == longnan_project.id, AuditEntry.via == "seed"))
    assert seed_entries > 1
    officer = make_user("officer", "360783", username="ln-officer")
    projects.add_alias(Actor(officer, "web"), longnan_project, "龙南一院")
    db.session.commit()
    history = history_of(text(browser(app, officer).get(f"/projects/{longnan_project.id}")))
    assert history.count("<details>") == 1
    assert f"从规划导入，{seed_entries} 项</summary>" in history
    folded = history[history.index("<details>"):history.index("</details>")]
    assert folded.count('<p class="what">') == seed_entries
    # The officer's own change is a line of its own, above the import.
    assert history.index("新增别名：龙南一院") < history.index("<details>")
    english = history_of(text(in_english(browser(app, officer)).get(f"/projects/{longnan_project.id}")))
    assert f"Imported from the plans, {seed_entries} entries" in english


def test_plans_are_named_by_title_not_by_file(app, db, seeded, longnan_project, make_user):
    html = text(browser(app, make_user("leader")).get(f"/projects/{longnan_project.id}"))
    history = history_of(html)
    assert "关联规划：龙南市“十四五”区域卫生规划" in history
    assert "来源：《龙南市“十四五”区域卫生规划》第" in history
    assert "关联规划" in history and "longnan-14th-regional-plan" not in history  # the change row too
    assert "《龙南市“十四五”区域卫生规划》第" in history and ".txt" not in history  # and the quotes


# --- one catalogue, one macro, one query --------------------------------------------------------

def _recorded_actions() -> tuple[set[str], set[str]]:
    """The actions ``record(...)`` is called with in tracker/: literal ones, and the constant
    prefixes of f-strings (plan:candidate-{decision})."""
    literal, prefixes = set(), set()
    for path in (ROOT / "tracker").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and len(node.args) >= 2
                    and getattr(node.func, "id", getattr(node.func, "attr", None)) == "record"):
                continue
            for part in ast.walk(node.args[1]):
                if isinstance(part, ast.JoinedStr):
                    prefixes.add(part.values[0].value)
                    break
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    literal.add(part.value)
    return literal, prefixes


def test_every_action_the_code_records_has_a_message():
    literal, prefixes = _recorded_actions()
    assert len(literal) > 30 and "user:disable" in literal
    assert sorted(literal - set(MESSAGES)) == []
    for prefix in prefixes:
        assert {f"{prefix}{decision}" for decision in ("accepted", "merged", "rejected")} <= set(MESSAGES)


def test_every_seeded_entry_is_written_from_its_params(app, db, seeded):
    entries = list(db.session.scalars(sa.select(AuditEntry)))
    assert entries and all(entry.params is not None and entry.summary is None for entry in entries)
    assert [entry.action for entry in entries if summary(entry) == entry.action] == []


def test_one_macro_renders_every_list_of_changes():
    templates = ROOT / "templates"
    rendering = [path.relative_to(templates).as_posix() for path in templates.rglob("*.html")
                 if '<del>' in path.read_text(encoding="utf-8")]
    assert rendering == ["audit/_changes.html"]
    for name in ("audit/_project_history.html", "audit/log.html", "projects/form.html",
                 "progress/milestones.html"):
        assert "change_list(" in (templates / name).read_text(encoding="utf-8"), name


def test_the_milestone_conflict_lists_the_others_changes_like_the_history(app, db, seeded, longnan_project,
                                                                         make_user):
    officer = browser(app, make_user("officer", "360783", username="ln-officer"))
    colleague = browser(app, make_user("officer", "360783", username="ln-colleague"))
    assert officer.post(f"/projects/{longnan_project.id}/milestones/lifecycle").status_code == 302
    start = next(m for m in longnan_project.milestones if m.stage == Stage.START)
    page = text(officer.get(f"/projects/{longnan_project.id}/milestones"))
    mine = {name: value for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page)
            if name != "csrf_token"}
    theirs = dict(mine, **{f"m{start.id}-planned_date": "2025-03-01"})
    assert colleague.post(f"/projects/{longnan_project.id}/milestones", data=theirs).status_code == 302
    response = officer.post(f"/projects/{longnan_project.id}/milestones",
                            data=dict(mine, **{f"m{start.id}-planned_date": "2025-04-01"}))
    assert response.status_code == 409
    html = text(response)
    assert "ln-colleague" in html
    assert re.search(r'<ul class="changes"><li><span class="change-field">计划日期</span>：<del>[^<]*</del> → '
                     r'<ins>2025-03-01</ins></li></ul>', html)


def test_a_token_and_a_password_read_as_what_they_are_in_the_trail(app, db, make_user):
    """A QA walk's complaint: a token's entry read "建设规模及内容：（空）→ write", "expires_at：…
    2027-03-07T09:59:28+00:00" and "token：hct_… → （空）"; a user setting his own password read
    "重置密码", as an admin's reset does."""
    from tracker.accounts import services as accounts
    from tracker.api.tokens import create_token

    reader = make_user("admin", username="trail-reader")
    chief = make_user("admin", username="trail-admin")
    create_token(Actor(chief, "web"), reader, name="接口", scope="write", days=90)
    accounts.set_password(Actor(reader, "web"), reader, "Another-pass-2026x")
    accounts.set_password(Actor(chief, "web"), reader, "Reset-by-admin-2026", must_change=True)
    db.session.commit()
    html = text(browser(app, chief).get("/admin/audit?action=token:"))
    plain = re.sub(r"\s", "", re.sub(r"<[^>]+>", "", html))
    assert "权限范围：（空）→读写" in plain and "建设规模及内容" not in plain
    assert re.search(r"新建接口令牌：hct_\S+…（读写）", plain) and "（write）" not in plain
    assert "expires_at" not in plain and re.search(r"到期时间：（空）→\d{4}-\d\d-\d\d\d\d:\d\d", plain), plain[-600:]
    passwords = text(browser(app, chief).get("/admin/audit?action=user:password"))
    assert "修改本人密码：trail-reader" in passwords and "重置密码：trail-reader" in passwords


def test_a_user_cannot_keep_the_password_he_was_given_as_his_own(app, db, make_user):
    from tracker.accounts import services as accounts
    from tracker.errors import ValidationFailed

    user = make_user("officer", factories.region(), username="keeps-given")
    accounts.set_password(Actor(None, "cli"), user, "Given-once-2026x", must_change=True)
    try:
        accounts.set_password(Actor(user, "web"), user, "Given-once-2026x")
    except ValidationFailed as refused:
        assert "新密码不能与当前密码相同" in str(refused)
    else:
        raise AssertionError("the one-time password was kept as his own")
    assert user.must_change_password
