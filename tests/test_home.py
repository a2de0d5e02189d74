"""A home for each user (issue 18): the scope the dashboard and list open on, with a visible way
out to 全部; and named views a user saves, opens from a menu, renames and deletes."""

from __future__ import annotations

import sqlalchemy as sa

from tracker.home.models import SavedView

from . import factories

LONGNAN = "360783"


def leader_user(db):
    from tracker.accounts.models import User
    return db.session.scalar(sa.select(User).where(User.username == "leader"))


def set_home(client, **scope):
    return client.post("/account/home", data=scope)


def test_without_a_default_scope_the_pages_open_on_everything(client, db):
    factories.project()
    assert client.get("/projects").status_code == 200
    assert client.get("/dashboard").status_code == 200


def test_a_leader_sets_his_region_and_the_dashboard_and_list_open_on_it(client, db):
    factories.county_in_city()
    factories.project(name="龙南市人民医院")
    response = set_home(client, region=LONGNAN, plan="", period="2021-2025")
    assert response.status_code == 302
    assert leader_user(db).home_scope == {"region": LONGNAN, "period": "2021-2025"}

    for page in ("/dashboard", "/projects"):
        opened = client.get(page)
        assert opened.status_code == 302
        assert opened.location == f"{page}?region={LONGNAN}&period=2021-2025"
    html = client.get(f"/projects?region={LONGNAN}&period=2021-2025").get_data(as_text=True)
    assert "这是您的默认范围" in html
    assert 'href="/projects?scope=all">全部</a>' in html  # the way out, always in sight


def test_the_way_out_shows_everything_and_offers_the_way_back(client, db):
    factories.county_in_city()
    factories.project(name="龙南市人民医院")
    set_home(client, region=LONGNAN)
    response = client.get("/projects?scope=all")
    assert response.status_code == 200  # scope=all is a query: no redirect to the home
    html = response.get_data(as_text=True)
    assert "龙南市人民医院" in html and "回到我的默认范围" in html
    # Removing the last chip, or clearing the filters, leads to everything too.
    html = client.get(f"/projects?region={LONGNAN}&period=2021-2025&late=1").get_data(as_text=True)
    assert 'href="/projects?scope=all">清除筛选</a>' in html
    dashboard = client.get(f"/dashboard?region={LONGNAN}").get_data(as_text=True)
    assert 'href="/dashboard?scope=all">全部' in dashboard


def test_a_region_that_does_not_exist_is_refused_with_a_message(client, db):
    response = set_home(client, region="123456")
    assert response.status_code == 400
    assert "没有行政区划代码为 123456 的地区" in response.get_data(as_text=True)
    assert leader_user(db).home_scope is None


def test_a_default_scope_gone_stale_is_said_and_the_pages_still_open(client, db):
    user = leader_user(db)
    user.home_scope = {"region": "999999"}  # a region removed since it was chosen
    db.session.commit()
    assert client.get("/projects").status_code == 200  # no redirect into a 400
    page = client.get("/account/home").get_data(as_text=True)
    assert "当前默认范围已失效" in page and "999999" in page


def save(client, name, query, page="list"):
    return client.post("/views", data={"name": name, "page": page, "query": query})


def test_a_leader_saves_a_view_from_the_list_and_opens_it_from_the_menu(client, db):
    factories.county_in_city()
    factories.project(name="龙南市人民医院")
    response = save(client, "龙南滞后", f"region={LONGNAN}&late=1&page=3&sort=name")
    assert response.status_code == 302
    assert response.location == f"/projects?region={LONGNAN}&late=1&sort=name"
    view = db.session.scalar(sa.select(SavedView))
    assert (view.name, view.page, view.query) == ("龙南滞后", "list", f"region={LONGNAN}&late=1&sort=name")

    menu = client.get("/projects").get_data(as_text=True)
    assert f'<a href="/views/{view.id}">龙南滞后</a>' in menu
    opened = client.get(f"/views/{view.id}")
    assert opened.status_code == 302
    assert opened.location == f"/projects?region={LONGNAN}&late=1&sort=name"


def test_a_dashboard_view_opens_the_dashboard(client, db):
    factories.county_in_city()
    save(client, "龙南 2025", f"region={LONGNAN}&year=2025", page="dashboard")
    view = db.session.scalar(sa.select(SavedView))
    assert client.get(f"/views/{view.id}").location == f"/dashboard?region={LONGNAN}&year=2025"


def test_a_view_the_page_would_refuse_is_not_saved(client, db):
    response = save(client, "坏年份", "year=abc", page="dashboard")
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(SavedView.id))) == 0
    html = client.get(response.location).get_data(as_text=True)
    assert "年份无效：abc" in html


def test_a_saved_view_gone_bad_says_why_instead_of_failing(client, db, make_user):
    user = leader_user(db)
    db.session.add(SavedView(user_id=user.id, name="已撤销的地区", page="list", query="region=123456"))
    db.session.commit()
    view = db.session.scalar(sa.select(SavedView))
    response = client.get(f"/views/{view.id}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "视图“已撤销的地区”无法打开" in html and "没有行政区划代码为 123456 的地区" in html


def test_views_are_renamed_and_a_name_taken_is_refused(client, db):
    save(client, "甲", "late=1")
    save(client, "乙", "over_estimate=1")
    second = db.session.scalar(sa.select(SavedView).where(SavedView.name == "乙"))
    refused = client.post(f"/views/{second.id}/rename", data={"name": "甲"})
    assert refused.status_code == 400
    assert "已有名为“甲”的视图" in refused.get_data(as_text=True)
    assert client.post(f"/views/{second.id}/rename", data={"name": "超概算"}).status_code == 302
    db.session.expire_all()
    assert {view.name for view in db.session.scalars(sa.select(SavedView))} == {"甲", "超概算"}


def test_deleting_a_view_asks_first(client, db):
    save(client, "甲", "late=1")
    view = db.session.scalar(sa.select(SavedView))
    page = client.get(f"/views/{view.id}/delete")
    assert page.status_code == 200 and "确定删除视图“甲”吗" in page.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(SavedView.id))) == 1
    assert client.post(f"/views/{view.id}/delete").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(SavedView.id))) == 0


def test_a_deletion_page_left_open_never_deletes_the_view_saved_after(client, db):
    """Two tabs on one view's deletion page; the first deletes it, then another view is saved. On
    SQLite the new view took the deleted one's id (the largest plus one) and the second tab's
    confirmation deleted it: a deleted view's id is never given again."""
    save(client, "甲", "late=1")
    first = db.session.scalar(sa.select(SavedView))
    url = f"/views/{first.id}/delete"
    assert client.post(url).status_code == 302
    save(client, "乙", "over_estimate=1")
    second = db.session.scalar(sa.select(SavedView))
    assert second.id != first.id
    assert client.post(url).status_code == 404
    assert db.session.scalar(sa.select(SavedView.name)) == "乙"


def test_another_users_view_is_not_found(app, client, db, make_user):
    save(client, "甲", "late=1")
    view = db.session.scalar(sa.select(SavedView))
    from .conftest import login_as
    other = app.test_client()
    login_as(other, make_user("viewer", username="someone-else"))
    for response in (other.get(f"/views/{view.id}"), other.get(f"/views/{view.id}/delete"),
                     other.post(f"/views/{view.id}/rename", data={"name": "我的"})):
        assert response.status_code == 404
