"""The admin pages: accounts at /admin/users and the settings at /admin/settings."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tracker.accounts import services
from tracker.accounts.models import User
from tracker.audit.models import AuditEntry
from tracker.audit.services import Actor

from . import factories
from .browsers import browser

PASSWORD = "Test-password-1"

USER_ROUTES = [
    ("GET", "/admin/users"), ("GET", "/admin/users/new"), ("POST", "/admin/users/new"),
    ("GET", "/admin/users/{id}"), ("POST", "/admin/users/{id}/role"),
    ("POST", "/admin/users/{id}/profile"), ("GET", "/admin/users/{id}/disable"),
    ("POST", "/admin/users/{id}/disable"), ("POST", "/admin/users/{id}/enable"),
    ("POST", "/admin/users/{id}/password"),
    ("GET", "/admin/settings"), ("POST", "/admin/settings"),
]


@pytest.fixture()
def admin_client(app, db, make_user):
    return browser(app, make_user("admin", username="chief"))


def user_named(db, username: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == username))


def text(response) -> str:
    return response.get_data(as_text=True)


def one_time_password(html: str) -> str:
    match = re.search(r'<p class="one-time-password"><code>([^<]+)</code></p>', html)
    assert match, html
    return match.group(1)


@pytest.mark.parametrize("role", ["officer", "leader", "viewer"])
def test_only_admins_reach_the_account_and_settings_pages(app, db, make_user, role):
    target = make_user("viewer", username="target")
    region = factories.region()
    db.session.commit()
    test_client = browser(app, make_user(role, *([region] if role == "officer" else [])))
    for method, url in USER_ROUTES:
        response = test_client.open(url.format(id=target.id), method=method,
                                    data={"username": "sneaky", "role": "admin", "password": "Abcdefgh-12"})
        assert response.status_code == 403, (role, method, url)
    assert user_named(db, "sneaky") is None
    assert user_named(db, "target").active


def test_anonymous_visitors_are_sent_to_login(app, db):
    for url in ("/admin/users", "/admin/settings", "/admin/audit"):
        response = browser(app).get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_admin_creates_an_officer_who_can_then_log_in(admin_client, app, db):
    _, city, county = factories.county_in_city()
    db.session.commit()
    page = text(admin_client.get("/admin/users/new"))
    # The regions offered are indented by their depth in the tree, the county under its city.
    assert "　赣州市（360700）" in page and "　　龙南市（360783）" in page
    response = admin_client.post("/admin/users/new", data={
        "username": "Zhang.San", "display_name": "张三", "email": "zhangsan@example.cn",
        "role": "officer", "regions": ["360783"], "password": "Longnan-2024"})
    assert response.status_code == 302
    officer = user_named(db, "zhang.san")
    assert officer.role.value == "officer" and [r.key for r in officer.regions] == ["360783"]
    assert officer.email == "zhangsan@example.cn" and officer.must_change_password
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "user:create")
                               .order_by(AuditEntry.id.desc())).first()
    assert entry.via == "web" and entry.user.username == "chief"

    response = browser(app).post("/login", data={"username": "zhang.san", "password": "Longnan-2024"})
    assert response.status_code == 302
    # An admin chose this password: the officer sets his own before anything else.
    assert response.headers["Location"].endswith("/account/password")


def test_an_officer_without_regions_is_refused_and_the_form_keeps_what_was_typed(admin_client, db):
    factories.county_in_city()
    db.session.commit()
    response = admin_client.post("/admin/users/new", data={
        "username": "lisi", "display_name": "李四", "email": "lisi@example.cn",
        "role": "officer", "password": "Longnan-2024"})
    html = text(response)
    assert response.status_code == 400
    assert "项目专员至少需要分配一个负责地区" in html
    assert 'value="lisi"' in html and 'value="李四"' in html and 'value="lisi@example.cn"' in html
    assert re.search(r'<option selected value="officer">|<option value="officer" selected>', html)
    assert user_named(db, "lisi") is None


def test_a_taken_username_and_a_weak_password_are_explained(admin_client, make_user, db):
    make_user("viewer", username="wangwu")
    html = text(admin_client.post("/admin/users/new", data={
        "username": "wangwu", "role": "viewer", "password": "short"}))
    assert "用户名 wangwu 已存在" in html
    html = text(admin_client.post("/admin/users/new", data={
        "username": "zhaoliu", "role": "viewer", "password": "onlyletters"}))
    assert "密码需同时包含字母和数字（或符号）" in html
    html = text(admin_client.post("/admin/users/new", data={
        "username": "zhaoliu", "role": "viewer", "email": "not-an-address", "password": "Good-pass-123"}))
    assert "请填写有效的电子邮箱地址" in html
    assert user_named(db, "zhaoliu") is None


def test_an_empty_initial_password_is_generated_and_shown_once(admin_client, app, db):
    response = admin_client.post("/admin/users/new", data={"username": "sunqi", "role": "leader"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    password = one_time_password(text(response))
    user = user_named(db, "sunqi")
    assert password not in user.password_hash and user.must_change_password
    assert password not in text(admin_client.get(f"/admin/users/{user.id}"))
    assert services.authenticate("sunqi", password) is not None


def listed(html: str) -> list[str]:
    return re.findall(r'<td><a href="/admin/users/\d+">([^<]+)</a></td>', html)


def test_user_list_pages_and_sorts_by_username_and_role(admin_client, make_user, app, db):
    for index in range(app.config["PAGE_SIZE"]):
        services.create_user(factories.TEST_ACTOR, f"user{index:03d}", "viewer", PASSWORD)
    make_user("leader", username="aaa-leader")
    db.session.commit()
    first = text(admin_client.get("/admin/users?sort=username"))
    # aaa-leader, chief, user000 … user047 fill the first page of 50.
    assert listed(first) == ["aaa-leader", "chief"] + [f"user{i:03d}" for i in range(48)]
    assert "第 1 / 2 页" in first
    assert 'href="/admin/users?page=2&amp;sort=username&amp;order=asc"' in first.split('class="pagination"', 1)[1]
    assert listed(text(admin_client.get("/admin/users?sort=username&page=2"))) == ["user048", "user049"]
    # Roles sort in the vocabulary's order: admins, then officers, leaders, viewers.
    assert listed(text(admin_client.get("/admin/users?sort=role")))[:3] == ["chief", "aaa-leader", "user000"]
    last = listed(text(admin_client.get("/admin/users?sort=role&order=desc&page=2")))
    assert last == ["aaa-leader", "chief"]
    for heading in ("用户名", "姓名", "角色", "负责地区", "状态", "最近登录"):
        assert heading in first


def test_changing_role_and_regions_is_audited(admin_client, make_user, db):
    _, city, county = factories.county_in_city()
    viewer = make_user("viewer", username="qianba")
    response = admin_client.post(f"/admin/users/{viewer.id}/role",
                                 data={"role": "officer", "regions": ["360700", "360783"]})
    assert response.status_code == 302
    db.session.refresh(viewer)
    assert viewer.role.value == "officer" and {r.key for r in viewer.regions} == {"360700", "360783"}
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "user:role")).one()
    assert entry.changes["role"] == ["viewer", "officer"]


def test_officer_role_without_regions_shows_the_services_message(admin_client, make_user, db):
    viewer = make_user("viewer", username="qianba")
    response = admin_client.post(f"/admin/users/{viewer.id}/role", data={"role": "officer"})
    assert response.status_code == 400
    assert "项目专员至少需要分配一个负责地区" in text(response)
    db.session.refresh(viewer)
    assert viewer.role.value == "viewer"


def test_the_last_admin_cannot_be_demoted_or_disabled(admin_client, db):
    chief = user_named(db, "chief")
    response = admin_client.post(f"/admin/users/{chief.id}/role", data={"role": "viewer"})
    assert response.status_code == 400
    assert "不能取消最后一个管理员的管理员角色" in text(response)
    response = admin_client.post(f"/admin/users/{chief.id}/disable")
    assert response.status_code == 400
    assert "不能停用最后一个管理员" in text(response)
    db.session.refresh(chief)
    assert chief.active and chief.role.value == "admin"


def test_disabling_asks_first_then_ends_the_users_session(admin_client, app, make_user, db):
    region = factories.region()
    officer = make_user("officer", region, username="zhouj")
    officer_browser = browser(app, officer)
    assert officer_browser.get("/projects").status_code == 200

    confirm = admin_client.get(f"/admin/users/{officer.id}/disable")
    assert confirm.status_code == 200 and "确定要停用" in text(confirm)
    db.session.refresh(officer)
    assert officer.active  # asking is not doing
    response = admin_client.post(f"/admin/users/{officer.id}/disable")
    assert response.status_code == 302
    db.session.refresh(officer)
    assert not officer.active

    response = officer_browser.get("/projects")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login = officer_browser.post("/login", data={"username": "zhouj", "password": PASSWORD})
    assert login.status_code == 400 and "账号已停用" in text(login)

    assert admin_client.post(f"/admin/users/{officer.id}/enable").status_code == 302
    db.session.refresh(officer)
    assert officer.active
    actions = db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.object_type == "User", AuditEntry.object_id == officer.id)).all()
    assert "user:disable" in actions and "user:activate" in actions


def test_reset_password_shows_it_once_and_the_old_one_stops_working(admin_client, app, make_user, db):
    viewer = make_user("viewer", username="wujiu")
    viewer_browser = browser(app, viewer)

    response = admin_client.post(f"/admin/users/{viewer.id}/password")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    password = one_time_password(text(response))
    assert password not in text(admin_client.get(f"/admin/users/{viewer.id}"))
    db.session.refresh(viewer)
    assert viewer.must_change_password and password not in viewer.password_hash

    # The open session ends; the old password fails, the one-time password works.
    assert viewer_browser.get("/projects").status_code == 302
    stranger = browser(app)
    assert stranger.post("/login", data={"username": "wujiu", "password": PASSWORD}).status_code == 400
    response = stranger.post("/login", data={"username": "wujiu", "password": password})
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/password")
    assert db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "user:password",
                                                          AuditEntry.object_id == viewer.id)).one()


def test_an_admin_editing_his_own_regions_stays_signed_in(admin_client, db):
    factories.county_in_city()
    services.create_user(factories.TEST_ACTOR, "second", "admin", PASSWORD)
    db.session.commit()
    chief = user_named(db, "chief")
    response = admin_client.post(f"/admin/users/{chief.id}/role",
                                 data={"role": "admin", "regions": ["360783"]})
    assert response.status_code == 302
    assert admin_client.get("/admin/users").status_code == 200


def test_profile_email_is_saved_and_checked(admin_client, make_user, db):
    viewer = make_user("viewer", username="zhengshi")
    response = admin_client.post(f"/admin/users/{viewer.id}/profile",
                                 data={"display_name": "郑十", "email": "bad address"})
    assert response.status_code == 400 and "请填写有效的电子邮箱地址" in text(response)
    assert 'value="bad address"' in text(response)
    response = admin_client.post(f"/admin/users/{viewer.id}/profile",
                                 data={"display_name": "郑十", "email": "Zheng@Example.cn"})
    assert response.status_code == 302
    db.session.refresh(viewer)
    assert viewer.display_name == "郑十" and viewer.email == "zheng@example.cn"


def test_nav_links_the_admin_pages_for_admins_only(admin_client, app, make_user, db):
    assert 'href="/admin/users"' in text(admin_client.get("/projects"))
    leader_page = text(browser(app, make_user("leader")).get("/projects"))
    assert 'href="/admin/users"' not in leader_page and 'href="/admin/audit"' in leader_page


# --- settings: money hidden from viewers ---------------------------------------------------

def set_hide_money(enabled: bool) -> None:
    from tracker.extensions import db
    services.set_setting(Actor(None, "cli"), "hide_money_from_viewers", {"enabled": enabled})
    db.session.commit()


def test_admin_switches_money_hiding_on_and_off(admin_client, db):
    assert services.get_setting("hide_money_from_viewers") == {"enabled": False}
    page = text(admin_client.get("/admin/settings"))
    assert "向只读用户隐藏金额" in page
    assert admin_client.post("/admin/settings", data={"hide_money_from_viewers": "y"}).status_code == 302
    assert services.get_setting("hide_money_from_viewers") == {"enabled": True}
    assert "checked" in text(admin_client.get("/admin/settings"))
    assert admin_client.post("/admin/settings", data={}).status_code == 302
    assert services.get_setting("hide_money_from_viewers") == {"enabled": False}
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "setting:update")
                                 .order_by(AuditEntry.id)).all()
    assert [e.changes["hide_money_from_viewers"][1]["enabled"] for e in entries] == [True, False]


@pytest.mark.parametrize("hidden", [True, False])
def test_a_viewer_sees_money_only_when_it_is_not_hidden(app, seeded, make_user, db, hidden):
    set_hide_money(hidden)
    viewer = browser(app, make_user("viewer", username="reader"))
    html = text(viewer.get("/projects?region=360783"))
    assert ("145,735" in html) is not hidden
    assert ("1,320" in html) is not hidden
    assert ("已隐藏" in html) is hidden
    lab = db.session.scalar(sa.select(sa.text("id")).select_from(sa.text("projects")).where(
        sa.text("name = '赣州市龙南市疾病预防控制中心实验楼建设项目'")))
    detail = text(viewer.get(f"/projects/{lab}"))
    assert ("1,320 万元" in detail) is not hidden


def test_hiding_money_from_viewers_does_not_hide_it_from_leaders(app, seeded, make_user, db):
    set_hide_money(True)
    leader = browser(app, make_user("leader"))
    assert "145,735" in text(leader.get("/projects?region=360783"))


def test_every_admin_form_carries_a_csrf_token_and_a_post_without_it_is_refused(
        admin_client, make_user, db, monkeypatch, app):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    viewer = make_user("viewer", username="target")
    refused = admin_client.post("/admin/users/new", data={"username": "forged", "role": "admin"})
    assert refused.status_code == 400 and user_named(db, "forged") is None
    assert admin_client.post(f"/admin/users/{viewer.id}/disable").status_code == 400
    db.session.refresh(viewer)
    assert viewer.active

    page = text(admin_client.get(f"/admin/users/{viewer.id}/disable"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert admin_client.post(f"/admin/users/{viewer.id}/disable", data={"csrf_token": token}).status_code == 302
    db.session.refresh(viewer)
    assert not viewer.active
    edit_page = text(admin_client.get(f"/admin/users/{viewer.id}"))
    # role, profile, enable, reset password: each form posts its token.
    assert edit_page.count('name="csrf_token"') == edit_page.count('method="post"') >= 4


def test_two_admins_editing_one_account_keep_each_others_changes(admin_client, app, db, make_user):
    """A QA walk's complaint: boss added 宜春 to an officer's regions while boss2, whose page was
    open, added 阳江: both were told 已保存 and 宜春 was gone; boss set the officer's 姓名 while
    boss2 set only the e-mail, and the name was blank again."""
    from werkzeug.datastructures import MultiDict

    from .live import forms_in

    city, other, third = factories.region("360700", "赣州市"), factories.region("360900", "宜春市"), \
        factories.region("441700", "阳江市")
    db.session.commit()
    officer = make_user("officer", city.key, username="shared-officer")
    second = browser(app, make_user("admin", username="boss-two"))
    page = second.get(f"/admin/users/{officer.id}").get_data(as_text=True)
    role_form, profile_form = [f for f in forms_in(page) if f.method == "post" and f.action.endswith(("/role", "/profile"))]
    # The first admin saves meanwhile: a region added, a name set.
    assert admin_client.post(f"/admin/users/{officer.id}/role", data={"role": "officer",
                             "regions": [city.key, other.key]}).status_code == 302
    assert admin_client.post(f"/admin/users/{officer.id}/profile",
                             data={"display_name": "赣州市卫健委 张三", "email": ""}).status_code == 302
    # The second saves what he changed on his page, loaded before.
    values = [(name, value) for name, value in role_form.values() if name != "regions"] + \
        [("regions", city.key), ("regions", third.key)]
    assert second.post(f"/admin/users/{officer.id}/role", data=MultiDict(values)).status_code == 302
    assert second.post(f"/admin/users/{officer.id}/profile",
                       data=MultiDict(profile_form.values(email="zhangsan@example.cn"))).status_code == 302
    db.session.expire_all()
    officer = db.session.get(User, officer.id)
    assert {region.key for region in officer.regions} == {city.key, other.key, third.key}
    assert (officer.display_name, officer.email) == ("赣州市卫健委 张三", "zhangsan@example.cn")
    # Both changed the role, each to another: the second is told, nothing changes.
    page = second.get(f"/admin/users/{officer.id}").get_data(as_text=True)
    [role_form] = [f for f in forms_in(page) if f.method == "post" and f.action.endswith("/role")]
    admin_client.post(f"/admin/users/{officer.id}/role", data={"role": "leader"})
    refused = second.post(f"/admin/users/{officer.id}/role", data=MultiDict(role_form.values(role="viewer")))
    assert refused.status_code == 400 and "其他管理员已把角色改为“领导”" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, officer.id).role.value == "leader"


def test_an_admin_who_gives_up_his_role_lands_on_a_page_he_may_read(app, db, make_user):
    """A QA walk's complaint: an admin who made himself 领导 (another admin remaining) read
    "已保存" above a 403 page: he was sent back to the account page he may no longer open."""
    make_user("admin", username="stays-admin")
    leaving = make_user("admin", username="leaves-admin")
    client = browser(app, leaving)
    answer = client.post(f"/admin/users/{leaving.id}/role", data={"role": "leader"}, follow_redirects=True)
    assert answer.status_code == 200 and "已保存 leaves-admin 的角色和负责地区" in answer.get_data(as_text=True)


def test_a_new_accounts_problems_are_told_in_one_save(admin_client, make_user, db):
    """A QA walk's complaint: 新建用户 told its problems one save at a time: the e-mail, then the
    taken name, then the password, then the regions."""
    make_user("viewer", username="zhaoliu")
    html = text(admin_client.post("/admin/users/new", data={
        "username": "zhaoliu", "role": "officer", "password": "short", "email": "not-an-address"}))
    for told in ("电子邮箱", "用户名 zhaoliu 已存在", "项目专员至少需要分配一个负责地区"):
        assert told in html, told
    assert re.search(r'<p class="field-error"[^>]*>[^<]*(密码|至少)', html), html[html.find("密码"):][:600]


def test_a_leader_or_viewer_keeps_no_regions_and_the_console_says_so(app, db, seeded):
    """`users create lead2 --role leader --region 360783` was taken without a word: the admin's
    page showed 负责地区 龙南市 while the leader saw every region."""
    from tracker.accounts.cli import users

    runner = app.test_cli_runner()
    result = runner.invoke(users, ["create", "lead2", "--role", "leader", "--region", "360783"], input="\n")
    assert result.exit_code == 0, result.output
    assert "--region is for officers and was not kept" in result.output
    leader = db.session.scalar(sa.select(User).where(User.username == "lead2"))
    assert leader.regions == []
    officer = services.create_user(Actor(None, "cli"), "ln-off2", "officer", "Long-enough-pass-9",
                                   regions=["360783"])
    services.change_role(Actor(None, "cli"), officer, "viewer", ["360783"])
    assert officer.regions == []
