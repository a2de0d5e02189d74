"""Issue 18: the list shows progress (工程进度, 累计完成投资, 投资完成率, 最近月报, 滞后) in columns
each user chooses for himself, with totals and their coverage for the new money column."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import time_machine

from tracker.progress import services as progress

from . import factories
from .conftest import login_as

TODAY = dt.datetime(2026, 12, 4, 10, 0)


def _portfolio(db):
    """Three projects: one reporting (60 %, 300 of 1,000 万元), one late, one with nothing."""
    reporting = factories.project(name="报了月报的医院", total_investment=Decimal("1000"))
    progress.submit_report(factories.TEST_ACTOR, reporting, dt.date(2026, 11, 1),
                           physical_percent=Decimal("60"), invested_month=Decimal("300"))
    late = factories.project(name="滞后的医院", total_investment=Decimal("500"))
    progress.add_custom_milestone(factories.TEST_ACTOR, late, "主体封顶", dt.date(2026, 11, 24))
    factories.project(name="什么也没报的医院")
    db.session.commit()
    return reporting, late


def _table(html: str) -> str:
    return html.split('<table class="portfolio">', 1)[1].split("</table>", 1)[0]


def _headers(html: str) -> list[str]:
    head = _table(html).split("</thead>", 1)[0]
    return [re.sub(r"<[^>]+>|[▲▼]", "", cell).strip()
            for cell in re.findall(r"<th[^>]*>(.*?)</th>", head, flags=re.S)]


@time_machine.travel(TODAY, tick=False)
def test_the_list_shows_each_projects_progress_and_the_totals_say_what_they_cover(client, db):
    _portfolio(db)
    html = client.get("/projects").get_data(as_text=True)
    assert {"工程进度", "累计完成投资（万元）", "投资完成率", "最近月报", "滞后"} <= set(_headers(html))
    row = re.search(r"<tr>(?:(?!</tr>).)*报了月报的医院.*?</tr>", _table(html), flags=re.S).group(0)
    assert "60%" in row and "300" in row and "2026年11月" in row
    # The rate is a bar a reader sees at a glance, and its figure for those who read figures: the
    # bar hidden from a screen reader and empty, which read (and copied) "30.0% 30.0%".
    assert re.search(r'<meter[^>]*value="0\.3"[^>]*aria-hidden="true"></meter> 30\.0%', row)
    late_row = re.search(r"<tr>(?:(?!</tr>).)*滞后的医院.*?</tr>", _table(html), flags=re.S).group(0)
    assert "滞后 10 天" in late_row
    # 累计完成投资 is summed, and says over how many projects: one of three has reported.
    foot = _table(html).split("<tfoot>", 1)[1]
    assert re.search(r"<strong>300</strong><br><span class=\"coverage\">（3 个项目中 1 个填报）", foot)
    # The portfolio's rate: 300 of the 1,000 万元 of the projects that state both figures.
    assert re.search(r'<meter[^>]*value="0\.3"', foot)


@time_machine.travel(TODAY, tick=False)
def test_a_user_chooses_his_columns_and_the_list_keeps_his_choice(app, client, db, make_user):
    _portfolio(db)
    page = client.get("/projects").get_data(as_text=True)
    assert 'name="columns"' in page  # the choice is on the list page itself
    response = client.post("/projects/columns", data={"columns": ["progress", "last_report"],
                                                      "next": "/projects?sort=name"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/projects?sort=name")
    headers = _headers(client.get("/projects").get_data(as_text=True))
    assert "工程进度" in headers and "最近月报" in headers
    assert "累计完成投资（万元）" not in headers and "总建筑面积（m²）" not in headers
    assert headers[:2] == ["项目名称", "地区"]  # what names a row is never hidden
    # Another user's list is untouched by this one's choice.
    other = app.test_client()
    login_as(other, make_user("leader", username="another-leader"))
    assert "总建筑面积（m²）" in _headers(other.get("/projects").get_data(as_text=True))
    # "恢复默认" brings every default column back.
    client.post("/projects/columns", data={"reset": "1"})
    assert "总建筑面积（m²）" in _headers(client.get("/projects").get_data(as_text=True))


def test_an_unknown_column_is_refused_with_a_message_and_nothing_changes(client, db):
    factories.project(name="一家医院")
    db.session.commit()
    response = client.post("/projects/columns", data={"columns": ["progress", "salary"]})
    assert response.status_code == 400
    assert "没有名为 salary 的列" in response.get_data(as_text=True)
    assert "总建筑面积（m²）" in _headers(client.get("/projects").get_data(as_text=True))


def test_a_column_choice_only_returns_to_this_site(client, db):
    response = client.post("/projects/columns", data={"columns": ["progress"],
                                                      "next": "https://evil.example/projects"})
    assert response.status_code == 302
    assert "evil" not in response.headers["Location"]


@time_machine.travel(TODAY, tick=False)
def test_the_list_sorts_by_latest_report_with_the_unreported_last(client, db):
    reporting, _ = _portfolio(db)
    older = factories.project(name="十月报过的医院")
    progress.submit_report(factories.TEST_ACTOR, older, dt.date(2026, 10, 1),
                           physical_percent=Decimal("10"))
    db.session.commit()
    html = client.get("/projects?sort=last_report&order=desc").get_data(as_text=True)
    names = re.findall(r'<a href="/projects/\d+">([^<]+)</a>', _table(html))
    assert names[:2] == ["报了月报的医院", "十月报过的医院"]
    assert 'aria-sort="descending"' in html


def test_a_total_nothing_states_says_unknown_in_the_list_as_on_the_dashboard(client, db):
    """A QA walk: the list's 合计 row said "—（2 个项目中 0 个填报）" under 总投资, 建筑面积 and 床位
    where the sentence above it and the dashboard say 未填报."""
    factories.project(name="没有数字的医院甲")
    factories.project(name="没有数字的医院乙")
    db.session.commit()
    foot = _table(client.get("/projects").get_data(as_text=True)).split("<tfoot>", 1)[1]
    cells = re.findall(r"<td class=\"num\">(.*?)</td>", foot, flags=re.S)
    assert len(cells) >= 3 and "—" not in foot
    assert all('<span class="unknown">未填报</span>' in cell and "（2 个项目中 0 个填报）" in cell
               for cell in cells), cells


def test_a_region_with_projects_of_other_kinds_only_says_so_and_leads_to_them(client, db):
    """A QA walk: the region menu offers a county whose only project is an IT platform; the default
    list (construction and equipment) showed "没有符合条件的项目" and no reason. It says how many
    projects of the other kinds the filter holds, and links to them; a list with none says nothing
    more."""
    county = factories.region("360799", "信息县")
    factories.project(county, name="信息县全民健康信息平台", kind="it_platform")
    db.session.commit()
    html = client.get("/projects?region=360799").get_data(as_text=True)
    found = re.search(r'<p class="empty">.*?</p>', html, flags=re.S).group(0)
    assert "另有 1 个其他类型的项目（非建设类），查看全部类型" in found
    assert 'href="/projects?region=360799&amp;kind=all"' in found
    listed = client.get("/projects?region=360799&kind=all").get_data(as_text=True)
    assert "信息县全民健康信息平台" in listed
    nothing = client.get("/projects?q=nothing-at-all").get_data(as_text=True)
    assert "其他类型" not in re.search(r'<p class="empty">.*?</p>', nothing, flags=re.S).group(0)
