"""The portfolio list: filters in the query string, sorting, pagination, totals with coverage."""

import re
from decimal import Decimal

import pytest

import sqlalchemy as sa

from tracker.projects.models import Project
from tracker.vocabulary import BuildNature, Category, Kind, Status

from . import factories

LONGNAN_TABLE_6_TOTAL = "145,735"


def page_text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def row_names(html: str) -> list[str]:
    if "<tbody>" not in html:
        return []
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<a href="/projects/\d+">([^<]+)</a>', body)


def test_longnan_lists_its_table_projects_with_their_total_and_coverage(client, seeded):
    html = page_text(client, "/projects?region=360783")
    assert f"总投资合计 <strong class=\"money\">{LONGNAN_TABLE_6_TOTAL} 万元</strong>" in html
    for name in ("赣州市龙南市疾病预防控制中心实验楼建设项目", "龙南医养综合服务中心",
                 "龙南第五人民医院（公立中医院）建设项目"):
        assert name in html
    # Only table 6 states budgets: the total says how many of the listed projects it covers.
    covered = re.search(r"（(\d+) 个项目中 (\d+) 个填报）", html)
    assert covered and covered.group(2) == "8" and int(covered.group(1)) >= 8


def test_a_city_includes_its_counties(client, db):
    _, city, county = factories.county_in_city()
    other = factories.region("360900", "宜春市", level="city")
    factories.project(county, name="县里的医院", total_investment=Decimal("10"))
    factories.project(city, name="市里的医院", total_investment=Decimal("5"))
    factories.project(other, name="别处的医院", total_investment=Decimal("7"))
    db.session.commit()
    names = row_names(page_text(client, "/projects?region=360700"))
    assert sorted(names) == ["县里的医院", "市里的医院"]
    assert row_names(page_text(client, "/projects?region=360783")) == ["县里的医院"]


def test_an_unknown_region_gets_a_clear_message_not_an_empty_list(client, db):
    response = client.get("/projects?region=999999")
    assert response.status_code == 400
    assert "没有行政区划代码为 999999 的地区" in response.get_data(as_text=True)


def test_sorting_by_investment_puts_unknown_last_both_ways(client, db):
    factories.project(name="甲", total_investment=Decimal("1"))
    factories.project(name="乙", total_investment=None)
    factories.project(name="丙", total_investment=Decimal("3"))
    db.session.commit()
    assert row_names(page_text(client, "/projects?sort=investment&order=asc")) == ["甲", "丙", "乙"]
    assert row_names(page_text(client, "/projects?sort=investment&order=desc")) == ["丙", "甲", "乙"]


def test_sorting_by_status_follows_the_lifecycle_not_the_stored_codes(client, db, app, monkeypatch):
    """Sorted by 状态 the list read 取消, 竣工, 在建, 投用, 前期, 储备, 停缓建: the stored codes
    (cancelled, completed, construction…) in alphabetical order. It follows the lifecycle, unknown
    last both ways, in either language; 类别 and 建设性质 their vocabulary's order; the page links
    walk it, and a link made before (its value a code) still finds its page."""
    lifecycle = [Status.RESERVE, Status.PREPARATION, Status.CONSTRUCTION, Status.COMPLETED,
                 Status.IN_USE, Status.SUSPENDED, Status.CANCELLED]
    for status in [*reversed(lifecycle), None]:
        factories.project(name=f"项目{status.label if status else '未知'}", status=status)
    db.session.commit()
    names = [f"项目{status.label}" for status in lifecycle]
    assert row_names(page_text(client, "/projects?sort=status")) == [*names, "项目未知"]
    assert row_names(page_text(client, "/projects?sort=status&order=desc")) == [*reversed(names), "项目未知"]
    monkeypatch.setitem(app.config, "PAGE_SIZE", 3)
    walked, url = [], "/projects?sort=status"
    while url:
        html = page_text(client, url)
        walked += row_names(html)
        following = re.search(r'<a rel="next" href="(/projects\?[^"]*)"', html)
        url = following and following.group(1).replace("&amp;", "&")
    assert walked == [*names, "项目未知"]
    assert "after=" in page_text(client, "/projects?sort=status") and "value=2" in page_text(client, "/projects?sort=status")
    last_of_first = db.session.scalar(sa.select(Project.id).where(Project.name == names[2]))
    old_link = f"/projects?sort=status&page=2&after={last_of_first}&value=construction"
    assert row_names(page_text(client, old_link)) == names[3:6]
    assert client.get(f"/projects?sort=status&page=2&after={last_of_first}&value=nothing").status_code == 400


def test_sorting_by_category_and_nature_follows_their_vocabularies(client, db):
    for category, nature in [(Category.OTHER, BuildNature.RELOCATION), (Category.CDC, BuildNature.NEW),
                             (Category.GENERAL_HOSPITAL, BuildNature.EXPANSION)]:
        factories.project(name=f"{category.label}{nature.label}", category=category, build_nature=nature)
    db.session.commit()
    assert row_names(page_text(client, "/projects?sort=category")) == ["综合医院扩建", "疾病预防控制新建", "其他迁建"]
    assert row_names(page_text(client, "/projects?sort=build_nature")) == ["疾病预防控制新建", "综合医院扩建", "其他迁建"]


@pytest.mark.parametrize("sort", ["name", "region", "plan", "category", "build_nature", "status",
                                  "investment", "floor_area", "beds"])
def test_every_column_sorts(client, seeded, sort):
    for order in ("asc", "desc"):
        assert row_names(page_text(client, f"/projects?sort={sort}&order={order}&kind=all"))


def test_pagination_keeps_the_filter_and_totals_cover_every_page(client, db, app):
    for index in range(app.config["PAGE_SIZE"] + 5):
        factories.project(name=f"项目{index:03d}", total_investment=Decimal("1.5"))
    db.session.commit()
    first = page_text(client, "/projects?sort=name")
    second = page_text(client, "/projects?sort=name&page=2")
    assert len(row_names(first)) == app.config["PAGE_SIZE"]
    assert row_names(second) == [f"项目{index:03d}" for index in range(50, 55)]
    assert 'href="/projects?sort=name&amp;page=2"' in first or "page=2" in first
    for html in (first, second):
        assert "82.5" in html  # 55 × 1.5 on every page


def test_free_text_finds_names_and_aliases_without_sql_wildcards(client, seeded, db):
    from tracker.projects import services
    project = factories.project(name="阳西县总医院")
    services.add_alias(factories.TEST_ACTOR, project, "阳西总医院")
    db.session.commit()
    assert "阳西县总医院" in row_names(page_text(client, "/projects?q=阳西总医院"))
    assert row_names(page_text(client, "/projects?q=%25")) == []


def test_programmes_are_hidden_by_default_and_shown_on_request(client, db):
    factories.project(name="医院大楼", kind=Kind.CONSTRUCTION, total_investment=Decimal("100"))
    factories.project(name="健康行动", kind=Kind.PROGRAMME, total_investment=Decimal("900"))
    db.session.commit()
    default = page_text(client, "/projects")
    assert row_names(default) == ["医院大楼"]
    assert ">100</strong>" in default
    assert sorted(row_names(page_text(client, "/projects?kind=all"))) == ["健康行动", "医院大楼"]


def test_an_empty_result_says_so(client, db):
    html = page_text(client, "/projects?q=不存在的项目")
    assert "没有符合条件的项目" in html


def test_unknown_status_is_its_own_filter(client, db):
    from tracker.vocabulary import Status
    factories.project(name="在建的", status=Status.CONSTRUCTION)
    factories.project(name="不知道的", status=None)
    db.session.commit()
    assert row_names(page_text(client, "/projects?status=unknown")) == ["不知道的"]
    assert row_names(page_text(client, "/projects?status=construction")) == ["在建的"]


def test_a_plan_period_holds_the_plans_of_a_year_within_it(client, seeded):
    """A leader's complaint: 十四五 left out the three projects whose only plan is the 2021年
    宜春市卫生健康工作要点 (a plan of 2021 alone), one of them 滞后 by years, so that neither
    period's view showed it. A period holds every plan whose years lie within it."""
    names = ("市人民医院北院二期", "宜春市中医院康养中心", "热敏灸区域诊疗中心")

    def listed(query: str) -> str:
        response = client.get(f"/projects/export.csv?region=360900&kind=all{query}")
        assert response.status_code == 200
        return response.get_data().decode("utf-8-sig")

    whole, period, later = listed(""), listed("&period=2021-2025"), listed("&period=2026-2030")
    for name in names:
        assert name in whole and name in period and name not in later
    assert len(period.splitlines()) == len(whole.splitlines())


def test_a_total_says_how_many_of_its_figures_are_approximate(client, seeded, db):
    """A QA walk's complaint: 龙南's 总建筑面积 total added six 约 areas (约2,000, 约20,000 …) and
    printed the sum as exact, on the page, in the workbook and the PDF; so did 总投资 with a 约
    amount. Each total now says how many of its figures are 约."""
    import io

    import openpyxl
    import sqlalchemy as sa
    from pypdf import PdfReader

    from tracker.projects.models import Project

    region = "360783"
    projects = db.session.scalars(sa.select(Project).join(Project.region).where(
        Project.region.has(key=region), Project.kind.in_(["construction", "equipment"]))).all()
    areas = sum(1 for p in projects if p.floor_area_approx and p.floor_area_m2 is not None)
    assert areas >= 2
    stated = next(p for p in projects if p.total_investment is not None)
    stated.total_investment_approx = True
    db.session.commit()
    html = page_text(client, f"/projects?region={region}&columns=investment,floor_area")
    assert f"（{len(projects)} 个项目中 8 个填报，其中 1 个为约数）" in html, re.findall(r"（[^）]*约数）", html)
    assert f"其中 {areas} 个为约数" in html
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/projects/export.xlsx?region={region}").data))
    coverage = [str(cell) for row in book.worksheets[0].iter_rows(values_only=True) if row[0] == "填报情况"
                for cell in row if cell]
    assert any("其中 1 个为约数" in cell for cell in coverage) and any(f"其中 {areas} 个为约数" in cell for cell in coverage)
    printed = "".join(page.extract_text() for page in PdfReader(io.BytesIO(
        client.get(f"/projects/export.pdf?region={region}").data)).pages)
    assert f"其中{areas}个为约数" in re.sub(r"\s", "", printed)
    dashboard = page_text(client, f"/dashboard?region={region}")
    assert "其中 1 个为约数" in dashboard


def test_words_apart_in_the_search_are_each_found(client, seeded):
    """A QA walk's complaint: "康塘 医院" found nothing though 33 projects held both words: the
    box is labelled 关键词, and a space made one phrase of them."""
    both = page_text(client, "/projects?kind=all&q=龙南 人民医院&per_page=100")
    names = row_names(both)
    assert names and all("龙南" in name and "人民医院" in name for name in names), names
    alone = row_names(page_text(client, "/projects?kind=all&q=龙南人民医院"))
    assert set(alone) <= set(names)
    assert "第一人民医院" in " ".join(names)  # 龙南市第一人民医院…: the words apart, not adjacent
    assert "个项目中" in both  # its totals row stands
