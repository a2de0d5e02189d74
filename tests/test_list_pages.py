"""The list page for its users: export and import links, the funding filter, page links that seek
(keyset) instead of counting, hostile page arguments, and the region menu kept per table version."""

from __future__ import annotations

import csv
import html as html_lib
import io
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlencode, urlsplit

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.plans.models import Plan
from tracker.portfolio import queries
from tracker.portfolio.filters import SORTS
from tracker.progress import services as progress
from tracker.projects import services as project_services
from tracker.vocabulary import BuildNature, Category, FundingSource, Status

from . import factories
from .browsers import browser
from .test_portfolio_list import page_text, row_names


def links(html: str) -> list[str]:
    return [html_lib.unescape(href) for href in re.findall(r'href="([^"]+)"', html)]


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def rel_link(html: str, rel: str) -> str | None:
    found = re.search(rf'<a rel="{rel}" href="([^"]+)"', html)
    return html_lib.unescape(found.group(1)) if found else None


# --- export and import links ------------------------------------------------------------------

@pytest.fixture()
def two_cities(db):
    _, city, county = factories.county_in_city()
    other = factories.region("360900", "宜春市", level="city")
    wanted = [factories.project(county, name=f"龙南央投项目{index}", total_investment=Decimal(index + 1))
              for index in range(3)]
    for project in wanted:
        progress.add_funding_line(factories.TEST_ACTOR, project, source="central_budget", amount=Decimal("10"))
    factories.project(county, name="龙南自筹项目", total_investment=Decimal("50"))
    elsewhere = factories.project(other, name="宜春央投项目", total_investment=Decimal("70"))
    progress.add_funding_line(factories.TEST_ACTOR, elsewhere, source="central_budget", amount=Decimal("5"))
    db.session.commit()
    return city


def test_export_links_carry_the_filter_and_sort_and_give_the_filtered_rows(client, two_cities):
    query = "region=360700&funding=central_budget&sort=investment&order=desc"
    page = page_text(client, f"/projects?{query}")
    listed = row_names(page)
    assert listed == ["龙南央投项目2", "龙南央投项目1", "龙南央投项目0"]
    by_format = {fmt: next(link for link in links(page) if urlsplit(link).path == f"/projects/export.{fmt}")
                 for fmt in ("xlsx", "csv", "oc4ids.json", "pdf")}
    for link in by_format.values():
        assert query_of(link) == {"region": "360700", "funding": "central_budget", "sort": "investment",
                                  "order": "desc"}
    rows = list(csv.reader(io.StringIO(client.get(by_format["csv"]).data.decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == listed
    book = openpyxl.load_workbook(io.BytesIO(client.get(by_format["xlsx"]).data))
    names = [row[1] for row in book["项目清单"].iter_rows(min_row=2, values_only=True)
             if row[0] not in ("合计", "填报情况")]
    assert names == listed
    package = client.get(by_format["oc4ids.json"]).get_json()
    assert sorted(p["title"] for p in package["projects"]) == sorted(listed)
    pdf = client.get(by_format["pdf"])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"


def test_import_links_only_for_those_who_may_import(app, client, db, make_user):
    factories.project(name="某项目")
    db.session.commit()
    leader_page = page_text(client, "/projects")
    assert "/projects/export.xlsx" in leader_page  # everyone who reads may export
    assert "/import" not in leader_page.split("</header>", 1)[1]
    officer = browser(app, make_user("officer", "360783", username="importing-officer"))
    officer_page = officer.get("/projects").get_data(as_text=True)
    for target in ("/import", "/import/templates/projects.xlsx", "/import/templates/monthly-reports.xlsx"):
        assert f'href="{target}"' in officer_page.split("</header>", 1)[1]
        assert officer.get(target).status_code == 200
    viewer = browser(app, make_user("viewer", username="reading-viewer"))
    assert "/import/templates/" not in viewer.get("/projects").get_data(as_text=True)


# --- the funding filter -----------------------------------------------------------------------------

def test_the_dashboards_funding_rows_open_the_list_with_that_filter_shown(client, two_cities):
    page = page_text(client, "/projects?funding=central_budget")
    assert sorted(row_names(page)) == ["宜春央投项目", "龙南央投项目0", "龙南央投项目1", "龙南央投项目2"]
    menu = page.split('<select name="funding">', 1)[1].split("</select>", 1)[0]
    assert '<option value="central_budget" selected>中央预算内投资</option>' in menu
    assert all(source.value in menu for source in FundingSource)
    assert "（4 个项目中 4 个填报）" in page
    assert row_names(page_text(client, "/projects?funding=bank_loan")) == []
    refused = client.get("/projects?funding=gold")
    assert refused.status_code == 400
    assert "筛选条件 funding 的值无效：gold" in refused.get_data(as_text=True)


# --- pages: next / previous seek from a row ---------------------------------------------------

@pytest.fixture()
def varied(db):
    """17 projects whose every sort column has ties and unknown values, in two regions, some in
    two plans, some in none."""
    _, city, county = factories.county_in_city()
    plan_a = Plan(key="plan-a", title="甲规划", region=city)
    plan_b = Plan(key="plan-b", title="乙规划", region=county)
    db.session.add_all([plan_a, plan_b])
    statuses = [Status.CONSTRUCTION, None, Status.COMPLETED, Status.CONSTRUCTION]
    natures = [BuildNature.NEW, None, BuildNature.RELOCATION]
    for index in range(17):
        project = factories.project(
            [county, city][index % 2], name=f"项目{index % 5}",
            total_investment=[Decimal("1.5"), None, Decimal("300"), Decimal("1.5"), Decimal("0")][index % 5],
            floor_area_m2=[None, Decimal("10.25"), Decimal("10.25")][index % 3],
            beds=[None, 5, 5, 100][index % 4], new_beds=[0, None][index % 2],
            status=statuses[index % 4], build_nature=natures[index % 3],
            category=[Category.CDC, Category.OTHER, Category.GENERAL_HOSPITAL][index % 3])
        for plan in [[plan_a], [], [plan_b, plan_a], [plan_b]][index % 4]:
            project_services.link_plan(factories.TEST_ACTOR, project, plan)
    db.session.commit()


def walk(client, first_url: str, rel: str) -> list[list[str]]:
    pages, url = [], first_url
    while url:
        html = page_text(client, url)
        pages.append(row_names(html))
        url = rel_link(html, rel)
        assert len(pages) < 50
    return pages


@pytest.mark.parametrize("sort", sorted(SORTS))
def test_next_and_previous_links_walk_the_same_pages_as_their_numbers(app, client, varied, monkeypatch, sort):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 4)
    for order in ("asc", "desc"):
        base = f"/projects?sort={sort}&order={order}"
        by_number = [row_names(page_text(client, f"{base}&page={n}")) for n in range(1, 6)]
        assert [len(rows) for rows in by_number] == [4, 4, 4, 4, 1]
        second = rel_link(page_text(client, base), "next")
        assert "after" in query_of(second) and "page=2" in second
        forward = walk(client, base, "next")
        assert forward == by_number, (sort, order)
        last = page_text(client, f"{base}&page=5")
        backward = walk(client, rel_link(last, "prev"), "prev")
        assert backward == by_number[-2::-1], (sort, order)


def test_the_list_order_is_one_order_whichever_way_a_page_is_reached(app, client, varied, monkeypatch):
    """Unknown values last both ways, ties by id, on every database: the whole list in one page
    equals its pages joined, by number, by seek, and counted from the end."""
    monkeypatch.setitem(app.config, "PAGE_SIZE", 100)
    whole = row_names(page_text(client, "/projects?sort=investment&order=asc"))
    assert whole[-4:] == ["项目1"] * 4  # the four of unknown investment
    monkeypatch.setitem(app.config, "PAGE_SIZE", 3)
    joined = [name for n in range(1, 7) for name in row_names(page_text(client, f"/projects?sort=investment&page={n}"))]
    assert joined == whole


def test_numbered_links_near_this_page_seek_and_land_on_their_page(app, client, varied, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 3)  # 17 projects: 6 pages
    by_number = {n: row_names(page_text(client, f"/projects?sort=beds&order=desc&page={n}")) for n in range(1, 7)}
    page_three = page_text(client, "/projects?sort=beds&order=desc&page=3")
    nav = page_three.split('<nav class="pagination"', 1)[1].split("</nav>", 1)[0]
    numbered = {int(number): html_lib.unescape(href)
                for href, number in re.findall(r'<a href="([^"]+)">([0-9]+)</a>', nav)}
    assert set(numbered) == {1, 2, 4, 5, 6}
    assert {"after", "anchor"} <= set(query_of(numbered[5])) and "before" in query_of(numbered[2])
    assert "after" not in query_of(numbered[6]) and "page" not in query_of(numbered[1])
    for number, link in numbered.items():
        assert row_names(page_text(client, link)) == by_number[number], number
    assert '<strong aria-current="page">3</strong>' in page_three
    assert "第 3 / 6 页" in page_three


def test_a_deep_page_by_number_is_found_from_the_region_counts(app, client, varied, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    expected = {}
    for order in ("asc", "desc"):
        for n in range(1, 10):
            expected[order, n] = row_names(page_text(client, f"/projects?order={order}&page={n}"))
    monkeypatch.setattr(queries, "DEEP", 0)
    for (order, n), rows in expected.items():
        assert row_names(page_text(client, f"/projects?order={order}&page={n}")) == rows, (order, n)


def test_a_page_number_past_either_end_shows_that_end(app, client, varied, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 4)
    first, last = (row_names(page_text(client, f"/projects?page={n}")) for n in (1, 5))
    assert row_names(page_text(client, "/projects?page=-3")) == first
    assert row_names(page_text(client, "/projects?page=0")) == first
    assert row_names(page_text(client, "/projects?page=99999999999999999999")) == last


def test_a_link_whose_row_is_gone_still_gives_its_page(app, client, varied, db, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 4)
    page_four = page_text(client, "/projects?sort=name&page=4")
    past_the_end = "/projects?sort=name&page=5&after=999999&value=%E9%A1%B9%E7%9B%AE9"
    assert row_names(page_text(client, past_the_end)) == row_names(page_text(client, "/projects?sort=name&page=5"))
    before_the_start = "/projects?sort=name&page=1&before=1&value=%E9%A1%B9%E7%9B%AE0"
    assert row_names(page_text(client, before_the_start)) == row_names(page_text(client, "/projects?sort=name"))
    assert row_names(page_four)


# --- hostile page arguments ---------------------------------------------------------------------------

@pytest.mark.parametrize("query", [
    "page=abc", "page=1e3", "page=0x10", "page=1.5", "page=%EF%BC%91",
    "page=2&after=abc", "page=2&after=-5", "page=2&after=99999999999", "page=2&after=1&before=2",
    "page=2&value=x", "page=2&anchor=1", "page=2&after=1&anchor=3", "page=2&before=1&anchor=1",
    "sort=investment&page=2&after=1&value=NaN", "sort=investment&page=2&after=1&value=1e400",
    "sort=investment&page=2&after=1&value=1.23456", "sort=investment&page=2&after=1&value=999999999999999999",
    "sort=floor_area&page=2&after=1&value=1.001", "sort=beds&page=2&after=1&value=3000000000",
    "sort=beds&page=2&after=1&value=1.5", "sort=status&page=2&after=1&value=bogus",
    "sort=category&page=2&after=1", "sort=name&page=2&after=1", "page=2&after=1",
    "sort=name&page=2&after=1&value=" + "长" * 201, "page=2&after=1&anchor=%EF%BC%91",
])
def test_hostile_page_arguments_get_400_with_a_chinese_message(client, varied, query):
    response = client.get(f"/projects?{query}")
    assert response.status_code == 400, query
    html = response.get_data(as_text=True)
    message = re.search(r'<p class="flash error">([^<]+)</p>', html)
    assert message and re.search(r"[\u4e00-\u9fff]", message.group(1)), html[:2000]


page_values = st.one_of(st.text(max_size=30), st.integers(min_value=-(10 ** 12), max_value=10 ** 12).map(str),
                        st.decimals(allow_nan=True, allow_infinity=True).map(str),
                        st.sampled_from(["", "NaN", "-0", "1e-999", "0E-4", "1.5000", "construction", "项目1"]))


@settings(max_examples=60, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(args=st.dictionaries(st.sampled_from(["page", "after", "before", "value", "anchor", "sort", "order"]),
                            page_values.filter(lambda v: "\x00" not in v), max_size=5))
def test_any_page_arguments_get_a_page_or_a_400_never_a_crash(client, varied, args):
    response = client.get("/projects?" + urlencode(args))
    assert response.status_code in (200, 400), (args, response.get_data(as_text=True)[:2000])
    if response.status_code == 400:
        assert 'class="flash error"' in response.get_data(as_text=True)


# --- the region menu ------------------------------------------------------------------------------------

def test_the_region_menu_follows_every_change_to_the_regions(client, db):
    _, city, county = factories.county_in_city()
    factories.project(county)  # the menu offers the regions with projects, and those above them
    db.session.commit()
    menu = lambda html: html.split('<select name="region">', 1)[1].split("</select>", 1)[0]  # noqa: E731
    first = menu(page_text(client, "/projects?region=360783"))
    assert '<option value="360783" selected>　　龙南市</option>' in first
    assert '<option value="360700">　赣州市</option>' in first
    assert first.count("selected") == 1
    county.name = "龙南县"  # a rename keeps the count and the largest id
    db.session.commit()
    renamed = menu(page_text(client, "/projects"))
    assert "龙南县" in renamed and "龙南市" not in renamed and "selected" not in renamed
    zhanggong = factories.region("360702", "章贡区", city)
    db.session.commit()
    assert "章贡区" not in menu(page_text(client, "/projects"))  # no project there yet
    factories.project(zhanggong)
    db.session.commit()
    assert '<option value="360702">　　章贡区</option>' in menu(page_text(client, "/projects"))
    hostile = menu(page_text(client, '/projects?q=%22%3E%3Cscript%3E'))
    assert "<script>" not in hostile


# --- statements ---------------------------------------------------------------------------------------

def test_a_seek_page_needs_as_many_statements_whatever_the_page_size(app, client, varied, db, monkeypatch):
    from .test_query_counts import statements_for
    counts = {}
    for size in (2, 5):
        monkeypatch.setitem(app.config, "PAGE_SIZE", size)
        second = rel_link(page_text(client, "/projects?sort=investment&order=desc"), "next")
        counts[size] = (statements_for(db, client, second), statements_for(db, client, "/projects?page=3"))
    assert counts[2] == counts[5]
