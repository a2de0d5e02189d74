"""The dashboard's map: the regions in scope shaded by investment, count or late projects, drawn
on the server from the offline boundary package, each region a link to its list."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from tracker.dashboard import maps

from . import factories
from .browsers import browser
from .test_money_hidden import hide_money

LONGNAN, DINGNAN, GANZHOU = "360783", "360728", "360700"


def ganzhou_with_projects(db):
    province, city, longnan = factories.county_in_city()
    dingnan = factories.region(DINGNAN, "定南县", city)
    factories.region("360781", "瑞金市", city)  # a county with no project: drawn, unshaded
    for _ in range(3):
        factories.project(longnan, total_investment=Decimal("12000"))
    late = factories.project(dingnan, name="定南县人民医院", total_investment=Decimal("56000"))
    late.next_milestone_due = dt.date(2020, 1, 1)  # a milestone long past with no actual date
    db.session.commit()
    return city


def the_map(html: str) -> str:
    match = re.search(r'<svg[^>]*class="chart map".*?</svg>', html, re.S)
    assert match, "no map on the page"
    return match.group(0)


def region_link(svg: str, code: str) -> str:
    """The link of one region on the map and the title inside it."""
    match = re.search(r'<a href="(/projects\?[^"]*region=' + code + r'[^"]*)"><path d="M[^"]+"[^>]*>'
                      r'<title>([^<]+)</title>', svg)
    assert match, f"region {code} is not a link on the map"
    return match.group(1).replace("&amp;", "&"), match.group(2)


def test_a_leader_sees_each_county_shaded_by_investment_with_its_figure_and_link(client, db):
    ganzhou_with_projects(db)
    html = client.get(f"/dashboard?region={GANZHOU}").get_data(as_text=True)
    svg = the_map(html)
    href, title = region_link(svg, LONGNAN)
    assert href == f"/projects?region={LONGNAN}"
    assert title == "龙南市：36,000 万元（3 个项目）"
    assert region_link(svg, DINGNAN)[1] == "定南县：56,000 万元（1 个项目）"
    # The county with no project is drawn (the reader sees where it is) but leads nowhere.
    assert "瑞金市：0 万元（0 个项目）" in svg
    assert "无项目" in svg and "万元" in svg  # the legend states its unit and the empty class
    assert "不作为国界、行政区域界线的依据" in html  # orientation only: the standard map rules
    # The list the region leads to holds its projects.
    assert client.get(href).status_code == 200


def test_the_map_switches_to_counts_and_late_projects_by_links(client, db):
    ganzhou_with_projects(db)
    html = client.get(f"/dashboard?region={GANZHOU}").get_data(as_text=True)
    assert f'href="/dashboard?region={GANZHOU}&amp;map=late#map"' in html
    svg = the_map(client.get(f"/dashboard?region={GANZHOU}&map=count").get_data(as_text=True))
    assert region_link(svg, LONGNAN)[1] == "龙南市：3 个（3 个项目）"
    svg = the_map(client.get(f"/dashboard?region={GANZHOU}&map=late").get_data(as_text=True))
    href, title = region_link(svg, DINGNAN)
    assert title == "定南县：1 个（1 个项目）"
    assert href == f"/projects?region={DINGNAN}&late=1"
    assert "定南县人民医院" in client.get(href).get_data(as_text=True)
    assert region_link(svg, LONGNAN)[1] == "龙南市：0 个（3 个项目）"
    assert "无滞后" in svg
    # A measure nobody offers is the default, not an error.
    assert client.get(f"/dashboard?region={GANZHOU}&map=%3Cscript%3E").status_code == 200


def test_a_viewer_from_whom_money_is_hidden_gets_no_investment_map(app, db, make_user):
    ganzhou_with_projects(db)
    hide_money()
    viewer = browser(app, make_user("viewer", username="reader"))
    for url in (f"/dashboard?region={GANZHOU}", f"/dashboard?region={GANZHOU}&map=investment"):
        html = viewer.get(url).get_data(as_text=True)
        svg = the_map(html)
        assert "万元" not in svg and "56,000" not in svg and "36,000" not in svg
        assert region_link(svg, LONGNAN)[1] == "龙南市：3 个（3 个项目）"
        assert "map=investment" not in html


def test_the_whole_country_is_drawn_by_province_with_the_boundary_at_sea(client, db):
    ganzhou_with_projects(db)
    svg = the_map(client.get("/dashboard").get_data(as_text=True))
    assert region_link(svg, "360000")[1] == "江西省：92,000 万元（4 个项目）"
    assert 'fill="none" stroke=' in svg  # the national boundary lines (境界线)


def test_outlines_are_simplified_and_kept_for_the_next_dashboard():
    codes = (DINGNAN, LONGNAN, "360781")
    first = maps._outlines(codes, False)
    assert set(first.paths) == set(codes)
    # 10 MB of county boundaries become a few kilobytes a county: the page stays light.
    assert sum(len(data) for data in first.paths.values()) < 30_000
    assert maps._outlines(codes, False) is first  # projected once per process
    # A code the boundary data does not know (a zone, a changed code) is left out, not an error.
    assert maps._outlines(("999999",), False).paths == {}
