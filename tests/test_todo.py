"""Issue 18: 我的待办, what an officer lands on: his projects with no report this month, milestones
due within 30 days, late milestones without a stated reason, and his imports awaiting
confirmation; each one click from the form that clears it; empty states that say what is true."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import time_machine

from tracker.imports import batches
from tracker.progress import services as progress
from tracker.vocabulary import Status

from . import factories
from .conftest import login_as

TODAY = dt.datetime(2026, 12, 4, 10, 0)
ACTOR = factories.TEST_ACTOR


def _section(html: str, heading: str) -> str:
    return html.split(heading, 1)[1].split("</section>", 1)[0]


@time_machine.travel(TODAY, tick=False)
def test_an_officer_lands_on_his_to_do_list_each_item_one_click_from_its_form(app, db, make_user):
    _, city, longnan = factories.county_in_city()
    other = factories.region("441700", "阳江市", level="city")
    building = factories.project(longnan, name="在建未报的医院", status=Status.CONSTRUCTION)
    tender = progress.add_custom_milestone(ACTOR, building, "施工招标", dt.date(2026, 12, 20))
    late = factories.project(longnan, name="滞后未说明的医院", status=Status.PREPARATION)
    roof = progress.add_custom_milestone(ACTOR, late, "主体封顶", dt.date(2026, 11, 1))
    explained = factories.project(longnan, name="滞后已说明的医院", status=Status.PREPARATION)
    wall = progress.add_custom_milestone(ACTOR, explained, "外墙", dt.date(2026, 11, 1))
    progress.update_milestone(ACTOR, wall, planned_date=wall.planned_date, actual_date=None,
                              delay_reason="资金未到位", expected_version=wall.version)
    factories.project(other, name="阳江在建的医院", status=Status.CONSTRUCTION)
    officer = make_user("officer", longnan)
    batches.open_batch(officer, "t" * 32, "monthly-reports", "十一月月报.xlsx")
    db.session.commit()

    client = app.test_client()
    response = client.post("/login", data={"username": officer.username, "password": "Test-password-1"})
    assert response.headers["Location"].endswith("/todo")
    html = client.get("/todo").get_data(as_text=True)
    assert "我的待办" in html

    unreported = _section(html, "本月未报")
    assert "在建未报的医院" in unreported and "阳江在建的医院" not in html
    assert f'href="/projects/{building.id}/reports/new?month=2026-12"' in unreported
    due = _section(html, "30天内到期的节点")
    assert "施工招标" in due and f'href="/projects/{building.id}/milestones#m{tender.id}"' in due
    unexplained = _section(html, "滞后未说明原因")
    assert "滞后未说明的医院" in unexplained and "滞后已说明的医院" not in unexplained
    assert f'href="/projects/{late.id}/milestones#m{roof.id}"' in unexplained
    assert "滞后 33 天" in unexplained
    imports = _section(html, "待确认的导入")
    assert "十一月月报.xlsx" in imports and f'href="/import/{"t" * 32}"' in imports

    # Each link opens the form that clears the item.
    assert client.get(f"/projects/{building.id}/reports/new?month=2026-12").status_code == 200
    assert client.get(f"/projects/{late.id}/milestones").status_code == 200


@time_machine.travel(TODAY, tick=False)
def test_when_nothing_is_due_the_to_do_list_says_what_is_true(app, db, make_user):
    longnan = factories.region()
    done = factories.project(longnan, name="已报的医院", status=Status.CONSTRUCTION)
    progress.submit_report(ACTOR, done, dt.date(2026, 12, 1), physical_percent=Decimal("40"))
    officer = make_user("officer", longnan)
    db.session.commit()
    client = app.test_client()
    login_as(client, officer)
    html = client.get("/todo").get_data(as_text=True)
    assert "本月月报已全部填报" in html
    assert "未来30天内没有到期的节点" in html
    assert "没有未说明原因的滞后节点" in html
    assert "没有待确认的导入" in html


def test_a_leader_has_no_to_do_list_but_is_told_so(client, db):
    response = client.get("/todo")
    assert response.status_code == 403


@time_machine.travel(TODAY, tick=False)
def test_an_officer_is_told_of_his_regions_plans_awaiting_review(app, db, make_user):
    """临夏县's officer found 今天没有待办事项 while his county's new 十五五 plan waited with six
    projects and three indicators nobody had accepted or rejected: nothing enters the portfolio
    until someone does, so the to-do list says so, one click from the review page."""
    from tracker.audit.services import CLI
    from tracker.plans import services as plans

    _, city, longnan = factories.county_in_city()
    other = factories.region("441700", "阳江市", level="city")
    lines = ["## 重点项目", "推进龙南市人民医院传染病大楼建设，总投资15000万元。",
             "推进龙南市中医院康复大楼建设，总投资5000万元。"]
    ours = plans.add_plan(CLI, plans.check_plan(key="longnan-15", title="龙南市“十五五”规划", region=longnan,
                                                period="十五五"), lines=lines, filename="p.txt")
    plans.add_plan(CLI, plans.check_plan(key="yangjiang-15", title="阳江市“十五五”规划", region=other,
                                         period="十五五"), lines=["推进阳江市人民医院新院建设。"], filename="p.txt")
    officer = make_user("officer", longnan)
    db.session.commit()
    client = app.test_client()
    login_as(client, officer)
    html = client.get("/todo").get_data(as_text=True)
    assert "今天没有待办事项" not in html
    section = _section(html, "待确认的规划候选")
    assert f'href="/plans/{ours.key}/candidates"' in section and "2 个项目待确认" in section
    assert "阳江市" not in section
    import sqlalchemy as sa
    from tracker.plans.models import PlanCandidate
    for candidate in db.session.scalars(sa.select(PlanCandidate).where(PlanCandidate.plan_id == ours.id)):
        plans.reject_candidate(CLI, candidate)
    db.session.commit()
    html = client.get("/todo").get_data(as_text=True)
    assert "今天没有待办事项" in html and "都已处理" in _section(html, "待确认的规划候选")


@time_machine.travel(TODAY, tick=False)
def test_with_no_project_in_construction_the_list_does_not_say_every_report_is_filed(app, db, make_user):
    """An officer whose seeded projects have no status read 本月月报已全部填报, though none had
    ever reported: nothing owes a report until its status says it is under way."""
    longnan = factories.region()
    factories.project(longnan, name="未定状态的医院")
    officer = make_user("officer", longnan)
    db.session.commit()
    client = app.test_client()
    login_as(client, officer)
    html = client.get("/todo").get_data(as_text=True)
    assert "本月月报已全部填报" not in html
    assert "没有需要按月填报的项目" in html and "把状态改为“在建”" in html
