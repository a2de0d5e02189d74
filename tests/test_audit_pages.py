"""The audit trail as people read it: a project's timeline and /admin/audit with its filters."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import render_template_string

from tracker.accounts import services as accounts
from tracker.audit.models import AuditEntry
from tracker.audit.queries import project_history
from tracker.audit.services import SEED, Actor, AppendOnly, record
from tracker.projects import services as projects
from tracker.vocabulary import Status

from . import factories
from .browsers import browser

UTC = dt.timezone.utc


def text(response) -> str:
    return response.get_data(as_text=True)


def rows(html: str) -> list[str]:
    if "<tbody>" not in html:
        return []
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)


@pytest.fixture()
def officer(db, make_user):
    region = factories.region()
    return make_user("officer", region, username="zhangsan")


@pytest.fixture()
def edited_project(db, officer):
    """Created from the command line, then edited on the web by an officer with a reason."""
    project = factories.project(name="龙南市人民医院新院区", total_investment=Decimal("1320"))
    db.session.commit()
    projects.update_project(Actor(officer, "web"), project,
                            {"status": Status.CONSTRUCTION, "total_investment": Decimal("14500.5")},
                            expected_version=project.version, reason="已取得施工许可证")
    db.session.commit()
    return project


def render_history(app, entries, **context) -> str:
    with app.test_request_context("/"):
        return render_template_string('{% include "audit/_project_history.html" %}',
                                      entries=entries, **context)


def test_the_timeline_reads_in_chinese_newest_first(app, edited_project, db):
    html = render_history(app, project_history(edited_project.id))
    assert html.index("修改项目：龙南市人民医院新院区") < html.index("新建项目：龙南市人民医院新院区")
    assert "zhangsan" in html and "命令行" in html
    assert "状态</span>：<del>（空）</del> → <ins>在建</ins>" in html
    assert "总投资（万元）</span>：<del>1,320</del> → <ins>14,500.5</ins>" in html
    assert "原因：已取得施工许可证" in html
    assert "version" not in html  # bookkeeping is not a change a reader needs


def test_the_timeline_shows_local_time_and_the_seed_path(app, db):
    project = factories.project(name="阳江市第三人民医院迁建")
    entry = record(SEED, "project:alias", project, {"name": "阳江三院"},
                   changes={"alias": [None, "阳江三院"]}, project_id=project.id)
    entry.occurred_at = dt.datetime(2024, 5, 31, 17, 30, tzinfo=UTC)  # 01:30 on 1 June in Beijing
    db.session.commit()
    html = render_history(app, project_history(project.id))
    assert "2024-06-01 01:30" in html and "种子数据" in html
    assert "别名</span>：<del>（空）</del> → <ins>阳江三院</ins>" in html


def test_the_timeline_hides_money_when_the_page_does(app, edited_project, db):
    html = render_history(app, project_history(edited_project.id), show_money=False)
    assert "14,500.5" not in html and "1,320" not in html
    assert "总投资（万元）</span>：<del>已隐藏</del> → <ins>已隐藏</ins>" in html


def test_no_project_history_says_so(app, db):
    assert "暂无变更记录" in render_history(app, [])


def test_the_trail_cannot_be_edited_or_deleted(edited_project, db):
    entry = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.project_id == edited_project.id)).first()
    entry.summary = "改写历史"
    with pytest.raises(AppendOnly):
        db.session.flush()
    db.session.rollback()
    entry = db.session.scalars(sa.select(AuditEntry)).first()
    db.session.delete(entry)
    with pytest.raises(AppendOnly):
        db.session.flush()
    db.session.rollback()


def test_no_route_writes_to_the_audit_log(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/admin/audit"):
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule


# --- /admin/audit ----------------------------------------------------------------------------

@pytest.mark.parametrize("role,status", [("admin", 200), ("leader", 200), ("officer", 403), ("viewer", 403)])
def test_admins_and_leaders_read_the_audit_log(app, db, make_user, role, status):
    user = make_user(role, *([factories.region()] if role == "officer" else []))
    assert browser(app, user).get("/admin/audit").status_code == status


def test_anonymous_is_sent_to_login(app, db):
    response = browser(app).get("/admin/audit")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.fixture()
def leader(app, make_user):
    return browser(app, make_user("leader"))


def test_every_entry_links_to_its_project_newest_first(leader, edited_project):
    html = text(leader.get("/admin/audit"))
    listed = rows(html)
    assert "修改项目" in listed[0] and f'href="/projects/{edited_project.id}"' in listed[0]
    assert any("新建用户：zhangsan" in row for row in listed)


def test_filters_by_user_path_action_and_project(leader, edited_project, db):
    other = factories.project(name="宜春市妇幼保健院二期")
    db.session.commit()

    by_user = rows(text(leader.get("/admin/audit?user=zhangsan")))
    assert len(by_user) == 1 and "修改项目" in by_user[0]
    by_path = rows(text(leader.get("/admin/audit?via=web")))
    assert len(by_path) == 1
    projects_only = rows(text(leader.get("/admin/audit?action=project:")))
    assert projects_only and not any("新建用户" in row for row in projects_only)
    users_only = rows(text(leader.get("/admin/audit?action=user:")))
    assert users_only and all("新建用户" in row for row in users_only)

    by_id = rows(text(leader.get(f"/admin/audit?project={edited_project.id}")))
    assert len(by_id) == 2
    by_name = rows(text(leader.get("/admin/audit?project=人民医院新院")))
    assert len(by_name) == 2 and all("龙南市人民医院新院区" in row for row in by_name)
    assert len(rows(text(leader.get(f"/admin/audit?project={other.id}")))) == 1


def test_dates_are_beijing_days(leader, db):
    project = factories.project(name="阳西县中医院迁建")
    times = {"early_beijing_morning": dt.datetime(2024, 1, 14, 20, 0, tzinfo=UTC),  # 15 Jan 04:00
             "beijing_noon": dt.datetime(2024, 1, 15, 4, 0, tzinfo=UTC),
             "next_day": dt.datetime(2024, 1, 15, 16, 30, tzinfo=UTC)}  # 16 Jan 00:30
    for summary, moment in times.items():
        entry = record(SEED, "project:alias", project, {"name": summary}, project_id=project.id)
        entry.occurred_at = moment
    db.session.commit()
    html = text(leader.get("/admin/audit?date_from=2024-01-15&date_to=2024-01-15"))
    listed = rows(html)
    assert len(listed) == 2
    assert "beijing_noon" in listed[0] and "early_beijing_morning" in listed[1]
    assert "2024-01-15 04:00" in listed[1]
    assert len(rows(text(leader.get("/admin/audit?date_from=2024-01-16")))) >= 1


def test_a_bad_date_is_explained(leader, db):
    response = leader.get("/admin/audit?date_from=2024-02-30")
    assert response.status_code == 400
    assert "起始日期应为“年-月-日”格式" in text(response)
    response = leader.get("/admin/audit?user=nobody")
    assert response.status_code == 400 and "没有用户名为 nobody 的用户" in text(response)


def test_fifty_entries_a_page_and_the_filter_survives_paging(leader, db):
    project = factories.project(name="测试分页项目")
    start = dt.datetime(2023, 3, 1, tzinfo=UTC)
    for index in range(55):
        entry = record(SEED, "project:alias", project, {"name": f"第{index:02d}条"}, project_id=project.id)
        entry.occurred_at = start + dt.timedelta(minutes=index)
    db.session.commit()
    first = text(leader.get(f"/admin/audit?project={project.id}"))
    listed = rows(first)
    assert len(listed) == 50
    # The project was created today, after the 55 dated entries: newest first.
    assert "新建项目" in listed[0] and "第54条" in listed[1] and "第06条" in listed[-1]
    assert f"project={project.id}" in first.split('class="pagination"', 1)[1]
    second = rows(text(leader.get(f"/admin/audit?project={project.id}&page=2")))
    assert [re.search(r"第\d\d条", row).group() for row in second] == [
        "第05条", "第04条", "第03条", "第02条", "第01条", "第00条"]


def test_user_and_setting_changes_read_in_chinese(leader, make_user, db):
    factories.county_in_city()
    viewer = make_user("viewer", username="lisi")
    accounts.change_role(factories.TEST_ACTOR, viewer, "officer", ["360783"])
    accounts.set_setting(factories.TEST_ACTOR, "hide_money_from_viewers", {"enabled": True})
    db.session.commit()
    html = text(leader.get("/admin/audit?action=user:role"))
    assert "角色</span>：<del>只读用户</del> → <ins>项目专员</ins>" in html
    assert "负责地区</span>：<del>（空）</del> → <ins>龙南市</ins>" in html
    html = text(leader.get("/admin/audit?action=setting:"))
    assert "向只读用户隐藏金额</span>：<del>关闭</del> → <ins>开启</ins>" in html


def test_a_huge_log_says_more_than_instead_of_counting_everything(leader, db, monkeypatch):
    from tracker.audit import queries, views
    monkeypatch.setattr(queries, "COUNT_CAP", 3)
    monkeypatch.setattr(views, "PER_PAGE", 2)
    project = factories.project(name="很多记录的项目")
    for index in range(5):
        record(SEED, "project:alias", project, {"name": f"第{index}条"}, project_id=project.id)
    db.session.commit()
    html = text(leader.get(f"/admin/audit?project={project.id}"))
    assert "超过 3 条记录" in html and len(rows(html)) == 2 and "第 1 / 2 页" in html
    html = text(leader.get(f"/admin/audit?project={project.id}&action=project:create"))
    assert "共 1 条记录" in html


def test_the_project_page_shows_its_history_and_its_milestone_slip(client, edited_project, db):
    """A leader opening the project sees who changed what, and the planned-vs-actual timeline."""
    from tracker.progress.models import Milestone

    db.session.add(Milestone(project_id=edited_project.id, custom_name="开工", position=1,
                             planned_date=dt.date(2024, 3, 1), actual_date=dt.date(2024, 5, 1),
                             delay_reason="用地手续延迟"))
    db.session.commit()
    html = text(client.get(f"/projects/{edited_project.id}"))
    history = html.split('id="history"', 1)[1]
    assert "修改项目：龙南市人民医院新院区" in history and "原因：已取得施工许可证" in history
    assert "zhangsan" in history
    timeline = html.split('class="timeline"', 1)[1]
    assert "<svg" in timeline and "延误 61 天" in timeline and "用地手续延迟" in timeline


def test_every_kind_of_action_can_be_chosen_in_the_filter(leader):
    """The action menu offered projects, milestones … users but not plans, indicators or tokens,
    whose entries the log holds too: each kind in the message catalogue has its option."""
    from tracker.audit.messages import MESSAGES
    html = leader.get("/admin/audit").get_data(as_text=True)
    offered = set(re.findall(r'<option value="([a-z_]+:)"', html))
    assert offered >= {action.split(":")[0] + ":" for action in MESSAGES}
