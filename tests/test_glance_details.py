"""Issue 18, the officer's small things: a 403 that says why, a new-user form that does not
default to 管理员, the funding page's 合计 and 资金缺口, and 超长期特别国债 among the sources."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import sqlalchemy as sa

from tracker.accounts.models import User
from tracker.progress import services as progress

from . import factories
from .conftest import login_as

ACTOR = factories.TEST_ACTOR


def test_the_403_page_says_whose_project_it_is_and_what_the_officer_has(app, db, make_user):
    project = factories.project(factories.region("441700", "阳江市", level="city"), name="阳江的医院")
    db.session.commit()
    officer = app.test_client()
    login_as(officer, make_user("officer", factories.region("360783", "龙南市")))
    response = officer.get(f"/projects/{project.id}/milestones")
    assert response.status_code == 403
    assert "该项目属于阳江市；您负责：龙南市" in response.get_data(as_text=True)


def test_a_leader_is_told_his_role_only_reads(client, db):
    project = factories.project(name="某医院")
    db.session.commit()
    response = client.get(f"/projects/{project.id}/funding")
    assert response.status_code == 403
    assert "您的角色（领导）只能查看项目，不能修改。" in response.get_data(as_text=True)


def test_the_new_user_form_makes_the_admin_choose_a_role(app, db, make_user):
    admin = app.test_client()
    login_as(admin, make_user("admin", username="boss"))
    page = admin.get("/admin/users/new").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="role".*?</select>', page, flags=re.S).group(0)
    assert not re.search(r'<option[^>]*selected[^>]*value="admin"|<option[^>]*value="admin"[^>]*selected', select)
    assert re.search(r'<option[^>]*value=""[^>]*>请选择角色', select)
    response = admin.post("/admin/users/new", data={"username": "newcomer", "role": ""})
    assert response.status_code == 400 and "请选择角色" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(User).where(User.username == "newcomer")) is None


def test_the_funding_page_totals_the_lines_and_shows_the_gap_to_the_current_estimate(app, db, make_user):
    region = factories.region()
    project = factories.project(region, name="有缺口的医院", total_investment=Decimal("1000"))
    progress.revise_budget(ACTOR, project, new_amount=Decimal("1200"), reason="材料涨价",
                           approval_number="赣发改〔2026〕1号", approval_date=dt.date(2026, 6, 1))
    progress.add_funding_line(ACTOR, project, source="ultra_long_bonds", amount=Decimal("500"))
    progress.add_funding_line(ACTOR, project, source="central_budget", amount=Decimal("300"))
    db.session.commit()
    officer = app.test_client()
    login_as(officer, make_user("officer", region))
    html = officer.get(f"/projects/{project.id}/funding").get_data(as_text=True)
    assert re.search(r"<th>合计</th><td class=\"num\"><strong>800</strong>", html)
    assert re.search(r"<th>资金缺口</th><td class=\"num\"><strong>400</strong>", html)
    assert "现行概算 1,200 万元" in html
    assert "<td>超长期特别国债</td>" in html
    source = re.search(r'<select[^>]*name="f-source".*?</select>', html, flags=re.S).group(0)
    for label in ("超长期特别国债", "中央预算内投资", "地方政府专项债券", "其他"):
        assert label in source
