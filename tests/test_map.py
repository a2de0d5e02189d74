"""The dashboard's map: the regions in scope shaded by investment, count or late projects, drawn
on the server from the offline boundary package, each region a link to its list."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import time_machine

from tracker.config import PROJECT_ROOT
from tracker.dashboard import maps
from tracker.progress.models import MonthlyReport

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
    match = re.search(r'<a href="(/projects\?[^"]*region=' + code + r'[^"]*)"[^>]*><path d="M[^"]+"[^>]*>'
                      r'<title>([^<]+)</title>', svg)
    assert match, f"region {code} is not a link on the map"
    return match.group(1).replace("&amp;", "&"), match.group(2)


def test_a_leader_sees_each_county_shaded_by_investment_with_its_figure_and_link(client, db):
    ganzhou_with_projects(db)
    html = client.get(f"/dashboard?region={GANZHOU}").get_data(as_text=True)
    svg = the_map(html)
    href, title = region_link(svg, LONGNAN)
    assert href == f"/projects?region={LONGNAN}"
    assert title == "龙南市：36,000 万元（3 个项目中 3 个填报）"
    assert region_link(svg, DINGNAN)[1] == "定南县：56,000 万元（1 个项目中 1 个填报）"
    # The county with no project is drawn (the reader sees where it is) but leads nowhere; it
    # says it has none (it said "0 万元（0 个项目）", a figure of nothing).
    assert "瑞金市：无项目" in svg and "：0 万元" not in svg
    legend = re.search(r'<ul class="map-legend".*?</ul>', html, re.S).group(0)
    assert "无项目" in legend and "万元" in legend  # the key states its unit and the empty class
    assert "40,000–60,000" in legend  # five round steps up to 100,000 (the largest is 56,000)
    assert "不作为国界、行政区域界线的依据" in html  # orientation only: the standard map rules
    # The list the region leads to holds its projects.
    assert client.get(href).status_code == 200


def test_the_map_switches_to_counts_and_late_projects_by_links(client, db):
    ganzhou_with_projects(db)
    html = client.get(f"/dashboard?region={GANZHOU}").get_data(as_text=True)
    assert f'href="/dashboard?region={GANZHOU}&amp;map=late#map"' in html
    svg = the_map(client.get(f"/dashboard?region={GANZHOU}&map=count").get_data(as_text=True))
    assert region_link(svg, LONGNAN)[1] == "龙南市：3 个（3 个项目）"
    html = client.get(f"/dashboard?region={GANZHOU}&map=late").get_data(as_text=True)
    svg = the_map(html)
    href, title = region_link(svg, DINGNAN)
    assert title == "定南县：1 个（1 个项目）"
    assert href == f"/projects?region={DINGNAN}&late=1"
    assert "定南县人民医院" in client.get(href).get_data(as_text=True)
    assert region_link(svg, LONGNAN)[1] == "龙南市：0 个（3 个项目）"
    assert "无滞后" in html and "</svg> 1</li>" in html  # one late project: a step of one
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


def test_the_country_is_drawn_by_province_and_whole_with_the_boundary_at_sea(client, db):
    ganzhou_with_projects(db)
    svg = the_map(client.get("/dashboard").get_data(as_text=True))
    assert region_link(svg, "360000")[1] == "江西省：92,000 万元（4 个项目中 4 个填报）"
    # One province known: no boundary at sea round it (it would shrink the province to a speck) …
    assert 'fill="none" stroke=' not in svg
    # … all of them: the whole country, with its boundary lines (境界线).
    every_province = tuple(sorted(code for code in maps._features("province") if code))
    assert maps._outlines(every_province, True).boundary


def test_outlines_are_simplified_and_kept_for_the_next_dashboard():
    codes = (DINGNAN, LONGNAN, "360781")
    first = maps._outlines(codes, False)
    assert set(first.paths) == set(codes)
    # 10 MB of county boundaries become a few kilobytes a county: the page stays light.
    assert sum(len(data) for data in first.paths.values()) < 30_000
    assert maps._outlines(codes, False) is first  # projected once per process
    # A code the boundary data does not know (a zone, a changed code) is left out, not an error.
    assert maps._outlines(("999999",), False).paths == {}


# ---- trends: the last 24 months ------------------------------------------------------------------

def trend_chart(html: str, kind: str = "trend") -> list[str]:
    """The charts of the trend section, each as its list of month titles."""
    section = re.search(r'<section class="trends".*?</section>', html, re.S)
    assert section, "no trend section"
    return [re.findall(r"<title>([^<]+)</title>", svg)
            for svg in re.findall(r'<svg[^>]*class="chart trend".*?</svg>', section.group(0), re.S)]


def reports_over_two_years(db):
    first, second = factories.project(name="甲医院"), factories.project(name="乙医院")
    for project, month, amount in ((first, dt.date(2023, 7, 1), "900"),  # 25 months ago: left out
                                   (first, dt.date(2023, 8, 1), "80"),
                                   (first, dt.date(2024, 12, 1), "500"),
                                   (first, dt.date(2025, 3, 1), None),  # filed, no amount stated
                                   (first, dt.date(2025, 7, 1), "100.25"),
                                   (second, dt.date(2025, 7, 1), "20")):
        db.session.add(MonthlyReport(project_id=project.id, month=month,
                                     invested_month=Decimal(amount) if amount else None))
    db.session.commit()


def test_a_leader_sees_completed_investment_and_reports_filed_for_24_months(client, db):
    with time_machine.travel(dt.datetime(2025, 7, 15, 10, tzinfo=dt.timezone.utc)):
        reports_over_two_years(db)
        html = client.get("/dashboard").get_data(as_text=True)
    invested, filed = trend_chart(html)
    months = [title.split("：")[0] for title in invested[1:]]
    assert months[0] == "2023-08" and months[-1] == "2025-07" and len(months) == 24
    assert "2024-12：500 万元" in invested and "2025-07：120.25 万元" in invested
    assert "2023-08：80 万元" in invested
    # Wider than a phone, each drawing opens on its latest months (its box is written right to
    # left: tracker.css), where a QA walk saw the oldest, empty, and the reports out of sight.
    section = re.search(r'<section class="trends".*?</section>', html, re.S).group(0)
    assert section.count('class="chart-scroll latest"') == 2
    # Opened at its right end, a drawing shows its scale there too (the left one is out of view).
    for svg in re.findall(r'<svg[^>]*class="chart trend".*?</svg>', section, re.S):
        width = float(re.search(r'width="([\d.]+)"', svg).group(1))
        zeros = [float(x) for x in re.findall(r'<text x="([\d.]+)"[^>]*>0</text>', svg)]
        assert len(zeros) == 2 and max(zeros) > width - 60 and min(zeros) < 60, zeros
    css = (PROJECT_ROOT / "tracker" / "static" / "tracker.css").read_text()
    assert ".chart-scroll.latest { direction: rtl; }" in css
    assert ".chart-scroll.latest > * { direction: ltr; margin-left: 0; margin-right: auto; }" in css
    # A month whose reports state no amount is unknown, not 0; the report still counts as filed.
    assert "2025-03：未填报" in invested and "2025-03：1 份" in filed
    assert "2025-07：2 份" in filed and "2024-11：0 份" in filed
    assert not any("900" in title for title in invested)


def test_a_viewer_from_whom_money_is_hidden_sees_only_the_reports_trend(app, db, make_user):
    hide_money()
    viewer = browser(app, make_user("viewer", username="reader"))
    with time_machine.travel(dt.datetime(2025, 7, 15, 10, tzinfo=dt.timezone.utc)):
        reports_over_two_years(db)
        html = viewer.get("/dashboard").get_data(as_text=True)
    (filed,) = trend_chart(html)
    assert "2025-07：2 份" in filed
    assert "500" not in "".join(filed) and "每月完成投资" not in html


def test_a_scope_without_reports_says_so(client, db):
    factories.project(name="尚无月报的医院")
    db.session.commit()
    html = client.get("/dashboard").get_data(as_text=True)
    assert "近24个月没有月报" in html
