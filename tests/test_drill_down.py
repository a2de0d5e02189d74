"""Issue 18: every figure on the dashboard opens the projects behind it, through the one list
filter; each new filter is checked (400 with a message) and shown as a chip a reader removes."""

from __future__ import annotations

import datetime as dt
import html as html_module
import re
from decimal import Decimal

import pytest
import time_machine

from tracker.progress import services as progress
from tracker.vocabulary import Status

from . import factories

TODAY = dt.datetime(2026, 12, 4, 10, 0)
ACTOR = factories.TEST_ACTOR


def _links(html: str) -> dict[str, str]:
    """Each link's text (tags removed) → its address."""
    found = {}
    for href, text in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', html, flags=re.S):
        found.setdefault(re.sub(r"<[^>]+>", "", text).strip(), html_module.unescape(href))
    return found


def _names(html: str) -> list[str]:
    if "<tbody>" not in html:
        return []
    body = html.split('<table class="portfolio">', 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<a href="/projects/\d+">([^<]+)</a>', body)


def _card(html: str, label: str) -> str:
    return re.search(rf'<div class="label">{label}</div>(.*?)</div>\s*</div>', html, flags=re.S).group(1)


@pytest.fixture()
def portfolio(db):
    region = factories.region()
    over = factories.project(region, name="超了概算的医院", total_investment=Decimal("1000"),
                             status=Status.CONSTRUCTION, planned_start=dt.date(2026, 3, 1))
    progress.revise_budget(ACTOR, over, new_amount=Decimal("1200"), reason="材料涨价",
                           approval_number="赣发改〔2026〕1号", approval_date=dt.date(2026, 6, 1))
    reported = factories.project(region, name="按时报了的医院", status=Status.CONSTRUCTION,
                                 planned_start=dt.date(2026, 5, 1))
    progress.submit_report(ACTOR, reported, dt.date(2026, 12, 1), physical_percent=Decimal("5"))
    waiting = factories.project(region, name="还没开工的医院", status=Status.PREPARATION,
                                planned_start=dt.date(2026, 9, 1))
    progress.add_custom_milestone(ACTOR, waiting, "施工招标", dt.date(2026, 12, 20))
    factories.project(region, name="明年开工的医院", status=Status.PREPARATION,
                      planned_start=dt.date(2027, 3, 1))
    db.session.commit()


@time_machine.travel(TODAY, tick=False)
def test_a_leader_on_a_phone_finds_the_over_budget_project_in_two_taps(client, portfolio):
    dashboard = client.get("/dashboard").get_data(as_text=True)
    card = _card(dashboard, "超概算项目")
    assert "1 个" in card
    # Tap 1: the figure itself.
    listing = client.get(_links(card)["1 个"])
    assert listing.status_code == 200
    names = _names(listing.get_data(as_text=True))
    assert names == ["超了概算的医院"]
    # Tap 2: the project.
    project = client.get(_links(listing.get_data(as_text=True))["超了概算的医院"])
    assert project.status_code == 200 and "超了概算的医院" in project.get_data(as_text=True)


@time_machine.travel(TODAY, tick=False)
def test_each_dashboard_figure_lists_the_projects_it_counts(client, portfolio):
    dashboard = client.get("/dashboard").get_data(as_text=True)
    start = _links(_card(dashboard, "开工率"))
    # 开工率: 3 planned by the end of 2026, of which 2 started (by status) and 1 not.
    assert sorted(_names(client.get(start["计划开工 3 个"]).get_data(as_text=True))) == \
        sorted(["超了概算的医院", "按时报了的医院", "还没开工的医院"])
    assert sorted(_names(client.get(start["已开工 2 个"]).get_data(as_text=True))) == \
        sorted(["超了概算的医院", "按时报了的医院"])
    assert _names(client.get(start["未开工 1 个"]).get_data(as_text=True)) == ["还没开工的医院"]
    # 本月未报: being built and no December report.
    unreported = re.search(r"本月未填报月报</h2>|本月未填报月报 <small>(.*?)</small>", dashboard, flags=re.S)
    unreported_link = _links(unreported.group(1))["1 个"]
    assert _names(client.get(unreported_link).get_data(as_text=True)) == ["超了概算的医院"]
    # 30 天内到期: the 施工招标 due on 12-20.
    due = re.search(r"30天内到期的节点 <small>(.*?)</small>", dashboard, flags=re.S)
    assert _names(client.get(_links(due.group(1))["1 个"]).get_data(as_text=True)) == ["还没开工的医院"]


@time_machine.travel(TODAY, tick=False)
def test_every_breakdown_cell_opens_its_projects(client, portfolio):
    dashboard = client.get("/dashboard").get_data(as_text=True)
    table = dashboard.split("<h3>按状态</h3>", 1)[1].split("</table>", 1)[0]
    for row in re.findall(r"<tr><td>.*?</tr>", table, flags=re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        targets = {href for cell in cells for href in re.findall(r'href="([^"]+)"', cell)}
        assert len(cells) == 4 and len(targets) == 1, row  # every cell, one list
        assert all('href="' in cell for cell in cells), row


@pytest.mark.parametrize("query, message", [
    ("over_estimate=maybe", "筛选条件 over_estimate 的值无效：maybe（应为 1 或 0）"),
    ("unreported=2", "筛选条件 unreported 的值无效：2（应为 1 或 0）"),
    ("start=soon", "筛选条件 start 的值无效：soon"),
    ("start=started&start_by=20x6", "年份无效：20x6"),
])
def test_a_bad_drill_down_value_is_a_400_that_says_which(client, db, query, message):
    response = client.get(f"/projects?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


@time_machine.travel(TODAY, tick=False)
def test_each_filter_shows_as_a_chip_that_removes_only_itself(client, portfolio):
    html = client.get("/projects?over_estimate=1&unreported=1&region=360783").get_data(as_text=True)
    chips = re.search(r'<ul class="chips"[^>]*>(.*?)</ul>', html, flags=re.S).group(1)
    texts = [re.sub(r"\s+", " ", text).strip() for text in re.findall(r'<li class="chip">([^<]*)<a', chips)]
    assert texts == ["地区：龙南市", "超概算", "本月未报"]
    removes = dict(zip(texts, re.findall(r'href="([^"]+)"', chips)))
    without = html_module.unescape(removes["超概算"])
    assert "over_estimate" not in without and "unreported=1" in without and "region=360783" in without
    # The list form keeps the drill-down filters when it is submitted again.
    assert re.search(r'name="over_estimate" value="1"\s+checked', html)
