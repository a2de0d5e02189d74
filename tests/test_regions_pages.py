"""The pages with the whole country loaded: every region usable, no menu of 3,200 options."""

import re

import pytest
import sqlalchemy as sa

from tracker.models import Project, Region

from .conftest import login_as


def region(db, key: str) -> Region:
    return db.session.scalar(sa.select(Region).where(Region.key == key))


def signed_in(app, make_user, role: str, *regions):
    client = app.test_client()
    login_as(client, make_user(role, *regions))
    return client


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def select(html: str, name: str) -> str:
    return html.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]


def option_values(menu: str) -> list[str]:
    return re.findall(r'<option value="([^"]*)"', menu)


def regions_with_projects_and_above(db) -> set[str]:
    paths = db.session.scalars(sa.select(Region.path).join(Project, Project.region_id == Region.id))
    return {key for path in paths for key in path.strip("/").split("/")}


@pytest.mark.parametrize("url", ["/projects", "/dashboard"])
def test_the_filter_menu_offers_the_regions_with_projects_not_the_whole_country(
        app, db, make_user, country, url):
    html = page(signed_in(app, make_user, "leader"), url)
    offered = [value for value in option_values(select(html, "region")) if value]
    assert set(offered) == regions_with_projects_and_above(db)
    assert {"360000", "360700", "360783", "441700-hailing"} <= set(offered)
    assert "110101" not in offered and len(offered) < 40  # of 3,213 regions
    # The page weighs what it did with the seed's 14 regions, not 150 KB more.
    assert len(html.encode()) < 80_000


def test_a_region_without_projects_reached_by_a_link_is_shown_chosen(app, db, make_user, country):
    html = page(signed_in(app, make_user, "leader"), "/projects?region=110101")
    menu = select(html, "region")
    assert '<option value="110101" selected>北京市东城区</option>' in menu
    assert menu.count(" selected>") == 1


def test_an_admin_adds_a_project_in_a_city_no_seed_mentions(app, db, make_user, country):
    admin = signed_in(app, make_user, "admin")
    html = page(admin, "/projects/new")
    picker = select(html, "region_id")
    jinjiang = region(db, "510104")
    assert 'data-region-filter="筛选地区：输入名称或代码"' in html.split('name="region_id"')[0][-400:]
    assert '<optgroup label="四川省">' in picker
    assert f'<option value="{jinjiang.id}">　　锦江区（510104）</option>' in picker
    assert len(option_values(picker)) == db.session.scalar(sa.select(sa.func.count(Region.id)))
    response = admin.post("/projects/new", data={
        "name": "成都市锦江区社区医院", "region_id": str(jinjiang.id), "kind": "construction",
        "category": "emergency_120", "build_nature": "new", "status": ""})
    assert response.status_code == 302
    project = db.session.scalar(sa.select(Project).where(Project.name == "成都市锦江区社区医院"))
    assert project.region.full_name == "四川省成都市锦江区"
    # The edit form shows the project's region chosen, once.
    edit = select(page(admin, f"/projects/{project.id}/edit"), "region_id")
    assert f'<option value="{jinjiang.id}" selected>' in edit and edit.count(" selected>") == 1


def test_an_admin_posting_an_unknown_region_gets_a_refusal_not_a_crash(app, db, make_user, country):
    admin = signed_in(app, make_user, "admin")
    for value in ("999999999", "abc", ""):
        response = admin.post("/projects/new", data={
            "name": "无效地区项目", "region_id": value, "kind": "construction",
            "category": "emergency_120", "build_nature": "new", "status": ""})
        assert response.status_code in (400, 403), value
    assert db.session.scalar(sa.select(Project).where(Project.name == "无效地区项目")) is None


def test_an_officer_picks_from_his_own_regions_only(app, db, make_user, country):
    officer = signed_in(app, make_user, "officer", "360700")
    picker = select(page(officer, "/projects/new"), "region_id")
    ganzhou = db.session.scalars(sa.select(Region.id).where(Region.path.startswith("/360000/360700/")))
    assert sorted(int(v) for v in option_values(picker)) == sorted(ganzhou)
    assert len(option_values(picker)) == 19  # 赣州市 and its 18 counties
    assert '<optgroup label="江西省">' in picker and "北京" not in picker


def test_an_admin_gives_an_officer_any_region_of_the_country(app, db, make_user, country):
    admin = signed_in(app, make_user, "admin")
    html = page(admin, "/admin/users/new")
    picker = select(html, "regions")
    assert "　成都市（510100）" in picker and '<optgroup label="四川省">' in picker
    response = admin.post("/admin/users/new", data={
        "username": "chengdu", "role": "officer", "regions": ["510100", "510104"],
        "password": "Sichuan-2026x"})
    assert response.status_code == 302
    user_page = page(admin, response.headers["Location"])
    assert "四川省成都市" in user_page
    chosen = select(user_page, "regions")
    assert '<option value="510100" selected>' in chosen and '<option value="510104" selected>' in chosen
    assert chosen.count(" selected>") == 2
    refused = admin.post("/admin/users/new", data={
        "username": "nowhere", "role": "officer", "regions": ["123456"], "password": "Faraway-2026x"})
    assert refused.status_code == 400
    assert "没有行政区划代码为 123456 的地区" in refused.get_data(as_text=True)


def test_the_dashboard_lists_the_provinces_with_projects_not_31_empty_rows(app, db, make_user, country):
    leader = signed_in(app, make_user, "leader")
    html = page(leader, "/dashboard")
    table = html.split("<h3>按地区</h3>", 1)[1].split("</section>", 1)[0]
    rows = re.findall(r"<tr><td><a [^>]*>([^<]+)</a>", table)
    assert sorted(rows) == sorted(["江西省", "广东省", "江苏省"])
    assert "另有 31 个地区没有项目，未列出。" in table
    county = page(leader, "/dashboard?region=360783")
    assert "没有项目，未列出" not in county.split("<h3>按地区</h3>", 1)[1].split("</section>", 1)[0]


def test_a_region_without_projects_says_its_total_as_the_list_does(client, db):
    """A QA walk's complaint: /regions/360100 南昌市, with no project, read "总投资合计 — 万元（0 个项目中
    0 个填报）" where the list of the same region says 未填报: the page says what the list says."""
    import re

    from . import factories

    province = factories.region("360000", "江西省", level="province")
    factories.region("360100", "南昌市", province, level="city")
    db.session.commit()

    def total(url: str) -> str:
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get(url).get_data(as_text=True)))
        return re.search(r"总投资合计 (.*?） )", text).group(1)

    assert total("/regions/360100") == total("/projects?region=360100") == "未填报 （0 个项目中 0 个填报） "
