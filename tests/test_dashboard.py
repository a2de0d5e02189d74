"""The leaders' dashboard: figures with their coverage, rates, breakdowns that drill down to the
list, the late list, and one truth with the list's totals row and the exports."""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from markupsafe import escape
from flask import g

from tracker.accounts.models import Setting
from tracker.dashboard import queries, summary
from tracker.dashboard.scope import Scope
from tracker.portfolio import queries as portfolio_queries
from tracker.exports.records import write_json
from tracker.portfolio.filters import PortfolioFilter
from tracker.plans.models import Plan
from tracker.progress.models import AnnualPlan, FundingLine, Milestone, MonthlyReport
from tracker.projects import services as project_services
from tracker.vocabulary import Category, FundingSource, Kind, Stage, Status

from . import factories
from .conftest import login_as

TODAY = dt.date(2025, 7, 2)  # day 183 of 365: 时间进度 50.1%


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def card(html: str, label: str) -> str:
    """The value of a headline card, its tags stripped."""
    match = re.search(r'<div class="label">' + re.escape(label) +
                      r'</div>\s*<div class="value">(.*?)</div>', html, re.S)
    assert match, f"no card {label}"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def list_total(client, args: str) -> str:
    """The list's 总投资合计: written as the dashboard writes it, an unknown sum 未填报 (it was "—")."""
    html = page(client, f"/projects?{args}")
    shown = re.search(r'总投资合计 <strong class="money">(.*?)</strong>', html).group(1)
    return re.sub(r"<[^>]+>", "", shown).removesuffix("万元").strip()


def build(**filter_args) -> queries.Dashboard:
    year = filter_args.pop("year", TODAY.year)
    return queries.build(Scope(PortfolioFilter(**filter_args), year, TODAY))


def set_figures(project, **values):
    """Figures the report and budget services keep (not editable through the project form)."""
    for name, value in values.items():
        setattr(project, name, value)
    factories.db.session.flush()
    return project


# ---- the acceptance case: Longnan ----------------------------------------------------------------

def test_longnan_dashboard_shows_the_table_total_over_its_eight_budgeted_projects(client, seeded):
    html = page(client, "/dashboard?region=360783")
    assert card(html, "总投资") == "145,735 万元"
    listed = re.search(r"（(\d+) 个项目中 (\d+) 个填报）", html.split('<div class="label">总投资</div>')[1])
    assert listed.group(2) == "8"
    assert card(html, "项目总数") == f"{listed.group(1)} 个"
    assert "龙南市" in html and "打印简报" in html


def breakdown_section(html: str, title: str) -> str:
    """A 分类汇总 table's text, its tags stripped."""
    section = html.split(f"<h3>{title}</h3>", 1)[1].split("</section>", 1)[0]
    return re.sub(r"<[^>]+>", "", section)


@pytest.mark.parametrize("args", ["region=360783", "region=360783&plan=longnan-14th-regional-plan"])
def test_a_breakdown_row_summing_an_approximate_investment_says_so(client, seeded, db, args):
    """A QA walk's complaint: with one of 龙南's 总投资 marked 约, the headline card said "其中 1 个为约数"
    but every breakdown row (by category, region, status, plan, 建设性质), the regions' bar and the
    briefing's region table printed its sum as exact. Both the kept figures (a region) and the
    figures computed afresh (a plan too) say it now."""
    from pypdf import PdfReader

    from tracker.projects.models import Project

    project = db.session.scalar(sa.select(Project).where(
        Project.region.has(key="360783"), Project.name == "龙南医养综合服务中心",
        Project.total_investment.is_not(None)))
    project.total_investment_approx = True
    db.session.commit()
    html = page(client, f"/dashboard?{args}")
    assert "其中 1 个为约数" in html.split('<div class="label">总投资</div>')[1].split("</div>", 2)[1]
    for title in ("按地区", "按状态", "按规划", "按类别", "按建设性质"):
        rows = [row for row in breakdown_section(html, title).split("\n") if "个为约数" in row]
        assert len(rows) == 1 and "其中 1 个为约数" in rows[0], (title, breakdown_section(html, title))
    bars = html.split("各地区总投资", 1)[1].split("</svg>", 1)[0]
    assert "其中 1 个为约数" in bars
    printed = PdfReader(io.BytesIO(client.get(f"/dashboard/briefing.pdf?{args}").data)).pages[0].extract_text()
    assert re.search(r"145,735（8/\d+填报，其中1个为约数）", re.sub(r"\s+", "", printed)), printed


@pytest.mark.parametrize("args", ["", "region=360783", "region=441700", "region=360000",
                                  "plan=longnan-14th-regional-plan", "category=cdc", "kind=all",
                                  "region=360900&kind=all", "status=unknown"])
def test_dashboard_list_and_export_agree_on_the_seed(client, seeded, app, args):
    dashboard_total = card(page(client, f"/dashboard?{args}"), "总投资").removesuffix(" 万元")
    assert dashboard_total == list_total(client, args)
    portfolio_filter = PortfolioFilter.from_args(
        dict(pair.split("=") for pair in args.split("&")) if args else {})
    out = io.StringIO()
    write_json(out, portfolio_filter)
    exported = [Decimal(p["total_investment_wan_yuan"]) for p in json.loads(out.getvalue())["projects"]
                if p["total_investment_wan_yuan"] is not None]
    totals = portfolio_queries.totals(portfolio_filter)
    assert (sum(exported) if exported else None) == totals.total_investment
    assert len(exported) == totals.with_investment


def make_portfolio(rng: random.Random, regions, count: int):
    """Projects with cent-level amounts, some unknown, across a city and its counties."""
    for index in range(count):
        amount = Decimal(rng.randint(1, 10_000_000)) / 100 if rng.random() < 0.7 else None
        project = factories.project(rng.choice(regions), name=f"生成项目{index}",
                                    total_investment=amount,
                                    category=rng.choice(list(Category)),
                                    status=rng.choice([*Status, None]),
                                    kind=rng.choice([Kind.CONSTRUCTION, Kind.EQUIPMENT, Kind.PROGRAMME]))
        if rng.random() < 0.5:
            set_figures(project, invested_to_date=Decimal(rng.randint(0, 500_000)) / 100)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sums_agree_to_the_cent_on_generated_data(client, db, seed):
    rng = random.Random(seed)
    _, city, county = factories.county_in_city()
    other = factories.region("360781", "瑞金市", city)
    make_portfolio(rng, [city, county, other], 60)
    db.session.commit()
    for args in ({}, {"region": "360700"}, {"region": "360783"}, {"category": "cdc"}, {"kind": "all"}):
        board = build(**args)
        totals = portfolio_queries.totals(PortfolioFilter(**args))
        assert board.headline.totals == totals
        regions = board.regions
        assert sum(g.projects for g in regions) == totals.projects
        assert sum((g.total_investment for g in regions if g.total_investment is not None),
                   Decimal(0)) == (totals.total_investment or 0)
        assert sum(g.with_investment for g in regions) == totals.with_investment
        for groups in (board.statuses, board.categories, board.natures):
            assert sum(g.projects for g in groups) == totals.projects
        query = "&".join(f"{k}={v}" for k, v in args.items())
        shown = card(page(client, f"/dashboard?{query}"), "总投资").removesuffix(" 万元")
        assert shown == list_total(client, query)


# ---- the headline rates ---------------------------------------------------------------------------

def test_investment_rate_counts_only_projects_stating_both_figures(db):
    set_figures(factories.project(total_investment=Decimal("100")), invested_to_date=Decimal("50"))
    factories.project(total_investment=Decimal("300"))  # no 累计完成投资: left out of the rate
    set_figures(factories.project(total_investment=None), invested_to_date=Decimal("30"))
    board = build()
    assert board.headline.investment_rate == Decimal("0.5")
    item = next(i for i in summary.headline_items(board) if i.label == "投资完成率")
    assert item.value == "50.0%"
    assert "1 个项目" in item.note and "50 / 100" in item.note
    totals = board.headline.totals
    assert (totals.total_investment, totals.with_investment) == (Decimal("400"), 2)


def test_a_total_investment_of_zero_is_left_out_of_the_rate_as_in_the_list(client, db):
    """A QA walk: 总投资 0 with 累计完成投资 100 was in the dashboard's 投资完成率 (10.5%, "2 个项目",
    130 / 1,234) while the list showed the project's rate 未填报 and left it out of its own."""
    set_figures(factories.project(total_investment=Decimal("100")), invested_to_date=Decimal("50"))
    set_figures(factories.project(total_investment=Decimal("0")), invested_to_date=Decimal("100"))
    db.session.commit()
    for board in (build(), queries.compute_fresh(Scope(PortfolioFilter(), TODAY.year, TODAY))):
        assert board.headline.investment_rate == Decimal("0.5")
        assert (board.headline.rate_projects, board.headline.rate_invested) == (1, Decimal("50"))
    html = page(client, "/dashboard")
    assert card(html, "投资完成率") == "50.0%"
    assert "50.0%" in page(client, "/projects")  # the list's totals row: the same rate
    # The project's own cell says its rate cannot be taken, not that a figure is unknown.
    assert "无法计算" in page(client, "/projects")


def test_a_rate_left_unknown_by_a_total_investment_of_zero_says_why(db):
    """A QA walk: a project states 总投资 0 and 累计完成投资 500; the card said "没有项目同时填报总投资和
    累计完成投资", which the project does. A rate cannot be taken over 0: the note says so."""
    set_figures(factories.project(total_investment=Decimal("0")), invested_to_date=Decimal("500"))
    item = next(i for i in summary.headline_items(build()) if i.label == "投资完成率")
    assert item.value == "—"
    assert "大于 0" in item.note, item.note


def test_annual_plan_rate_is_compared_with_the_share_of_the_year_elapsed(db):
    planned = factories.project(name="有计划")
    unplanned = factories.project(name="无计划")
    db.session.add(AnnualPlan(project_id=planned.id, year=2025, planned_investment=Decimal("1200")))
    db.session.add(AnnualPlan(project_id=planned.id, year=2024, planned_investment=Decimal("999")))
    for month, amount in ((1, "100"), (3, "100.50"), (6, "99.50")):
        db.session.add(MonthlyReport(project_id=planned.id, month=dt.date(2025, month, 1),
                                     invested_month=Decimal(amount)))
    db.session.add(MonthlyReport(project_id=planned.id, month=dt.date(2024, 12, 1),
                                 invested_month=Decimal("500")))
    db.session.add(MonthlyReport(project_id=unplanned.id, month=dt.date(2025, 2, 1),
                                 invested_month=Decimal("40")))
    db.session.flush()
    year = build().year
    assert year.planned == Decimal("1200") and year.planned_projects == 1
    assert year.completed == Decimal("340") and year.reporting_projects == 2
    assert year.plan_rate == Decimal("0.25")  # 300 by the planned project / 1,200
    assert year.time_progress == Decimal(183) / Decimal(365)
    assert year.gap_points == Decimal("-25.1")
    item = next(i for i in summary.headline_items(build()) if i.label == "年度计划完成率")
    assert item.value == "25.0%" and "落后时间进度 25.1 个百分点" in item.note and item.warn
    assert [m.month for m in year.months] == [1, 2, 3, 6]
    assert year.cumulative_completed(6)[5] == Decimal("340") and year.cumulative_completed(6)[6] is None
    assert year.cumulative_completed(6, planned_only=True)[5] == Decimal("300")
    assert year.cumulative_planned()[5] == Decimal("600")


def test_a_past_year_is_measured_against_a_whole_year(db):
    project = factories.project()
    db.session.add(AnnualPlan(project_id=project.id, year=2024, planned_investment=Decimal("100")))
    db.session.add(MonthlyReport(project_id=project.id, month=dt.date(2024, 5, 1),
                                 invested_month=Decimal("120")))
    db.session.flush()
    year = build(year=2024).year
    assert year.time_progress == 1 and year.gap_points == Decimal("20.0")
    assert "超过时间进度 20 个百分点" in summary.gap_text(year.gap_points)


def test_start_rate_is_started_over_planned_to_start_by_the_years_end(db):
    def with_start(name, planned, actual=None, status=None):
        project = factories.project(name=name, status=status)
        db.session.add(Milestone(project_id=project.id, stage=Stage.START, planned_date=planned,
                                 actual_date=actual))
        return project

    with_start("已开工（有实际日期）", dt.date(2025, 3, 1), actual=dt.date(2025, 4, 1))
    with_start("在建", dt.date(2024, 10, 1), status=Status.CONSTRUCTION)
    with_start("未开工", dt.date(2025, 6, 1), status=Status.PREPARATION)
    with_start("明年开工", dt.date(2026, 3, 1), status=Status.CONSTRUCTION)
    factories.project(name="没有开工节点", status=Status.CONSTRUCTION)
    db.session.flush()
    headline = build().headline
    assert (headline.planned_to_start, headline.started) == (3, 2)
    item = next(i for i in summary.headline_items(build()) if i.label == "开工率")
    assert item.value == "66.7%" and "计划 2025 年底前开工 3 个，已开工 2 个" in item.note


def test_late_and_over_estimate_counts_and_the_late_list_with_reasons(client, db, monkeypatch):
    late = factories.project(name="滞后的医院", total_investment=Decimal("100"))
    set_figures(late, current_estimate=Decimal("120"))
    db.session.add_all([
        Milestone(project_id=late.id, stage=Stage.TOPPING_OUT, planned_date=dt.date(2025, 5, 1),
                  delay_reason="雨季停工两个月"),
        Milestone(project_id=late.id, stage=Stage.START, planned_date=dt.date(2024, 1, 1),
                  actual_date=dt.date(2024, 3, 1)),
    ])
    on_time = factories.project(name="按期的医院", total_investment=Decimal("100"))
    set_figures(on_time, current_estimate=Decimal("100"))
    db.session.add(Milestone(project_id=on_time.id, stage=Stage.ACCEPTANCE,
                             planned_date=dt.date(2025, 7, 20)))
    db.session.commit()
    board = build()
    assert (board.headline.late, board.headline.over_estimate) == (1, 1)
    assert [p.name for p in board.late.rows] == ["滞后的医院"]
    assert [m.delay_reason for m in board.late.rows[0].milestones] == ["雨季停工两个月"]
    assert [d.project_name for d in board.due_soon.rows] == ["按期的医院"]

    html = page(client, "/dashboard")
    assert "雨季停工两个月" in html and "滞后的医院" in html
    # The late count links to the list's late filter, which shows the same project.
    assert 'href="/projects?late=1"' in html
    assert "滞后的医院" in page(client, "/projects?late=1")


def test_projects_being_built_without_this_months_report_are_listed(db):
    reported = factories.project(name="本月已报", status=Status.CONSTRUCTION)
    set_figures(reported, last_report_month=dt.date(2025, 7, 1))
    stale = factories.project(name="上月才报", status=Status.CONSTRUCTION)
    set_figures(stale, last_report_month=dt.date(2025, 6, 1))
    factories.project(name="从未填报", status=Status.SUSPENDED)
    factories.project(name="储备项目", status=Status.RESERVE)
    listing = build().unreported
    assert [row.name for row in listing.rows] == ["从未填报", "上月才报"]
    assert listing.total == 2


# ---- breakdowns and drill-down ------------------------------------------------------------------

def test_a_click_on_a_region_row_opens_the_list_with_the_same_figures(client, db):
    _, city, county = factories.county_in_city()
    factories.project(county, name="县医院", total_investment=Decimal("10.25"))
    factories.project(county, name="县疾控", total_investment=None)
    factories.project(city, name="市医院", total_investment=Decimal("5"))
    db.session.commit()
    html = page(client, "/dashboard?region=360700")
    assert 'href="/projects?region=360783"' in html
    assert "赣州市本级" in html  # the city's own project, not in any county
    board = build(region="360700")
    county_row = next(g for g in board.regions if g.key == "360783")
    assert (county_row.projects, county_row.total_investment, county_row.with_investment) == (
        2, Decimal("10.25"), 1)
    listed = page(client, "/projects?region=360783")
    assert "10.25" in listed and "（2 个项目中 1 个填报）" in listed


def test_the_total_investment_says_how_much_of_it_is_cancelled_projects(client, db, app):
    """A cancelled project's 总投资 stays in the total, unexplained: a leader comparing the
    headline with his sheet of the projects still going found it larger. It says so, in the
    headline of the dashboard (kept and fresh alike) and of the briefing, in either language."""
    factories.project(name="在建医院", status=Status.CONSTRUCTION, total_investment=Decimal("1200"))
    factories.project(name="取消的医院", status=Status.CANCELLED, total_investment=Decimal("300.5"))
    factories.project(name="取消无金额", status=Status.CANCELLED, total_investment=None)
    db.session.commit()
    for url in ("/dashboard", "/dashboard?q=医院"):  # the kept figures, and a fresh computation
        html = page(client, url)
        assert "1,500.5 万元" in html and "（含已取消的 1 个项目 300.5 万元）" in html, url
    assert "含已取消" not in page(client, "/dashboard?status=construction")
    from pypdf import PdfReader
    briefing = client.get("/dashboard/briefing.pdf")
    text = "".join(sheet.extract_text() for sheet in PdfReader(io.BytesIO(briefing.get_data())).pages)
    assert "含已取消的1个项目300.5万元" in text.replace("\n", "").replace(" ", "")
    client.get("/language/en")
    assert "of which 1 cancelled project, 300.5" in page(client, "/dashboard")


def test_unknown_status_is_a_row_of_its_own_linked_to_its_list(client, db):
    factories.project(name="状态不明", status=None)
    factories.project(name="在建中", status=Status.CONSTRUCTION)
    db.session.commit()
    statuses = {g.label: g for g in build().statuses}
    assert statuses["未填报"].projects == 1 and statuses["未填报"].args == {"status": "unknown"}
    html = page(client, "/dashboard")
    assert 'href="/projects?status=unknown"' in html


def test_the_projects_of_no_plan_are_a_row_linked_to_their_list(client, db, make_user):
    """A QA walk: the plans breakdown's 未关联规划 row was the only one without a link, as the list
    had no filter for it. ``plan=unknown`` lists the projects linked to no plan, on the kept path
    and the fresh one alike, says so in its 筛选条件, and no plan may take the key."""
    from tracker.errors import ValidationFailed
    from tracker.plans import services as plan_services

    county = factories.region()
    planned = factories.project(county, name="规划内项目")
    factories.project(county, name="规划外项目")
    plan = Plan(key="test-plan", title="测试规划", region=county, period_start=2026, period_end=2030)
    db.session.add(plan)
    db.session.flush()
    project_services.link_plan(factories.TEST_ACTOR, planned, plan)
    db.session.commit()
    for scope in ({}, {"q": "项目"}):  # kept figures, and a fresh computation
        groups = {g.label: g for g in build(**scope).plans}
        assert groups["未关联规划"].projects == 1 and groups["未关联规划"].args == {**scope, "plan": "unknown"}
    html = page(client, "/dashboard")
    assert 'href="/projects?plan=unknown"' in html
    listed = page(client, "/projects?plan=unknown")
    assert re.findall(r'<a href="/projects/\d+">([^<]+)</a>', listed) == ["规划外项目"]
    assert "规划：未关联规划" in re.sub(r"<[^>]+>|\s", "", listed)
    with pytest.raises(ValidationFailed) as refused:
        plan_services.check_plan(key="unknown", title="某县规划", region=county, period="2026-2030")
    assert "留作“未关联规划”的筛选条件" in str(refused.value.errors)


def test_funding_sources_drill_down_to_the_projects_they_fund(client, db):
    bonds = factories.project(name="专项债项目")
    factories.project(name="自筹项目")
    db.session.add(FundingLine(project_id=bonds.id, source=FundingSource.SPECIAL_BONDS,
                               amount=Decimal("800")))
    db.session.commit()
    funding = build().funding
    assert [(g.key, g.projects, g.total_investment) for g in funding] == [
        ("special_bonds", 1, Decimal("800"))]
    html = page(client, "/dashboard")
    assert 'href="/projects?funding=special_bonds"' in html
    names = re.findall(r'<a href="/projects/\d+">([^<]+)</a>', page(client, "/projects?funding=special_bonds"))
    assert names == ["专项债项目"]


def test_the_number_of_queries_does_not_grow_with_the_portfolio(app, db):
    from tracker.extensions import db as database

    def count_queries() -> int:
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        engine = database.session.get_bind()
        sa.event.listen(engine, "before_cursor_execute", listener)
        try:
            build(region="360700")
        finally:
            sa.event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    _, city, county = factories.county_in_city()

    def add(count: int):
        for _index in range(count):
            project = factories.project(county, total_investment=Decimal("1"))
            db.session.add(Milestone(project_id=project.id, stage=Stage.START,
                                     planned_date=dt.date(2025, 1, 1)))
            db.session.add(MonthlyReport(project_id=project.id, month=dt.date(2025, 2, 1),
                                         invested_month=Decimal("1")))
        db.session.flush()

    add(3)
    small = count_queries()
    add(40)
    assert count_queries() == small


# ---- empty states, errors, permissions ------------------------------------------------------------

def test_an_empty_scope_says_so_and_divides_by_nothing(client, db):
    html = page(client, "/dashboard")
    assert "此范围内没有项目" in html
    assert card(html, "投资完成率") == "—" and card(html, "开工率") == "—"
    assert card(html, "年度计划完成率") == "—"
    assert "没有年度计划投资，无法计算" in html
    assert "没有滞后项目" in html
    # An empty list says so once: not also what it would list.
    assert "在建和停缓建项目本月都已填报月报" in html and "在建及停缓建项目中，没有" not in html


def test_a_bad_year_or_region_is_explained(client, db):
    assert "年份无效" in page(client, "/dashboard?year=abc", 400)
    assert "没有行政区划代码为 999999 的地区" in page(client, "/dashboard?region=999999", 400)


@pytest.mark.parametrize("role", ["admin", "officer", "leader", "viewer"])
def test_every_role_reads_the_dashboard(app, db, make_user, role):
    client = app.test_client()
    login_as(client, make_user(role, factories.region(), username=f"dash-{role}"))
    assert client.get("/dashboard").status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(anonymous_client):
    response = anonymous_client.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_viewers_see_no_money_when_the_admin_hides_it(app, client, db, make_user):
    factories.project(name="有预算的项目", total_investment=Decimal("4321"))
    db.session.merge(Setting(key="hide_money_from_viewers", value={"enabled": True}))
    db.session.commit()
    viewer = app.test_client()
    login_as(viewer, make_user("viewer", username="viewer-dash"))
    hidden = page(viewer, "/dashboard")
    assert "4,321" not in hidden and "万元" not in hidden.split("</header>", 1)[1]
    assert "项目总数" in hidden
    # The test's app context outlives requests: forget the viewer Flask-Login cached in `g`.
    g.pop("_login_user", None)
    assert card(page(client, "/dashboard"), "总投资") == "4,321 万元"  # a leader still sees it


def test_viewers_see_no_rate_made_of_money_when_the_admin_hides_it(app, client, db, make_user):
    """A QA walk's complaint: with 向只读用户隐藏金额 on, a viewer read 投资完成率 49.2% and 年度计划完成率
    81.2% on the dashboard and its briefing, while the list hides the same 投资完成率 as 已隐藏 (the
    list's column is money). A ratio of two amounts gives them away as the amounts do."""
    from pypdf import PdfReader

    from tracker.core import clock

    year = clock.today().year
    project = set_figures(factories.project(name="疾控中心实验楼", total_investment=Decimal("1000")),
                          invested_to_date=Decimal("492"))
    db.session.add(AnnualPlan(project_id=project.id, year=year, planned_investment=Decimal("1000")))
    db.session.add(MonthlyReport(project_id=project.id, month=dt.date(year, 1, 1),
                                 invested_month=Decimal("812")))
    db.session.merge(Setting(key="hide_money_from_viewers", value={"enabled": True}))
    db.session.commit()
    shown = page(client, "/dashboard")
    assert card(shown, "投资完成率") == "49.2%" and card(shown, "年度计划完成率") == "81.2%"
    viewer = app.test_client()
    login_as(viewer, make_user("viewer", username="viewer-rates"))
    hidden = page(viewer, "/dashboard")
    printed = PdfReader(io.BytesIO(viewer.get("/dashboard/briefing.pdf").data)).pages[0].extract_text()
    g.pop("_login_user", None)  # the test's app context outlives requests
    for text in (hidden, printed):
        assert "项目总数" in text
        assert "49.2%" not in text and "81.2%" not in text and "个百分点" not in text, text


# ---- the includes the lead places on the project and region pages ------------------------------

def test_project_timeline_shows_the_slip_between_planned_and_actual(app, db):
    from flask import render_template_string

    project = factories.project(name="带节点的项目")
    db.session.add_all([
        Milestone(project_id=project.id, stage=Stage.START, planned_date=dt.date(2023, 3, 1),
                  actual_date=dt.date(2023, 5, 10)),
        Milestone(project_id=project.id, stage=Stage.TOPPING_OUT, planned_date=dt.date(2024, 1, 1),
                  delay_reason="设计变更"),
    ])
    db.session.commit()
    db.session.refresh(project)
    with app.test_request_context():
        html = render_template_string('{% include "dashboard/_project_timeline.html" %}',
                                      project=project)
    assert "<svg" in html and "延误 70 天" in html
    assert "滞后" in html and "设计变更" in html


def test_project_timeline_names_each_milestone_whole_in_english(app, db):
    """The names were cut at 12 characters: "Planning (pi", "Project appr", "Completion a"."""
    from flask_babel import force_locale

    from tracker.dashboard.charts import milestone_timeline

    project = factories.project(name="英文节点的项目")
    db.session.add_all([Milestone(project_id=project.id, stage=stage, planned_date=dt.date(2025, 3, 1))
                        for stage in (Stage.PROPOSAL, Stage.PRELIMINARY_DESIGN, Stage.ACCEPTANCE)])
    db.session.commit()
    db.session.refresh(project)
    with app.test_request_context(), force_locale("en"):
        names = [milestone.name for milestone in project.milestones]
        svg = str(milestone_timeline(project.milestones, dt.date(2026, 12, 4)))
    assert all(len(name) > 12 for name in names), names
    for name in names:
        assert f">{escape(name)}</text>" in svg, (name, svg)


def test_project_timeline_shows_today_whole_below_its_rows(app, db):
    """A QA walk: the 今天 under the dashed line sat on the drawing's bottom edge, its lower half cut."""
    from tracker.dashboard.charts import milestone_timeline

    project = factories.project(name="节点图的项目")
    db.session.add(Milestone(project_id=project.id, stage=Stage.START, planned_date=dt.date(2025, 3, 1)))
    db.session.commit()
    db.session.refresh(project)
    with app.test_request_context():
        svg = str(milestone_timeline(project.milestones, dt.date(2026, 12, 4)))
    height = float(re.search(r'<svg[^>]* height="([\d.]+)"', svg).group(1))
    today = re.search(r'<text[^>]* y="([\d.]+)"[^>]*font-size="(\d+)"[^>]*>今天</text>', svg)
    assert today, svg
    baseline, size = float(today.group(1)), float(today.group(2))
    assert baseline - size >= 0 and baseline + 0.25 * size <= height  # its descent inside too
    rows = [float(y) for y in re.findall(r'<line x1="[\d.]+" y1="[\d.]+" x2="[\d.]+" y2="([\d.]+)"', svg)]
    assert max(rows) <= baseline - size  # the dashed line ends above the word


def test_region_targets_show_beds_added_by_completed_projects(app, db):
    from flask import render_template_string

    from tracker.plans.models import Plan, PlanIndicator

    region = factories.region()
    plan = Plan(key="test-plan", title="测试规划", region_id=region.id)
    plan.indicators = [PlanIndicator(key="beds-per-1000", name="每千常住人口医疗卫生机构床位",
                                     unit="张", target="7", comparator="≥"),
                       PlanIndicator(key="life-expectancy", name="人均预期寿命", target="80")]
    db.session.add(plan)
    factories.project(name="已投用", new_beds=86, status=Status.IN_USE)
    factories.project(name="已竣工未填床位", status=Status.COMPLETED)
    factories.project(name="在建", new_beds=200, status=Status.CONSTRUCTION)
    db.session.commit()
    with app.test_request_context():
        html = render_template_string('{% include "dashboard/_targets.html" %}',
                                      region=region, plans=[plan])
    assert "竣工/投用项目新增床位 86 张" in html
    assert "（2 个竣工/投用项目中 1 个填报新增床位）" in html
    assert "全部在库项目拟新增床位 286 张" in html


def test_the_region_menu_keeps_the_chosen_region(client, seeded):
    html = page(client, "/dashboard?region=360783")
    assert '<option value="360783" selected>' in html
    menu = html.split('<select name="region">', 1)[1].split("</select>", 1)[0]
    assert menu.count(" selected>") == 1 and '<option value="441700">' in menu


def test_a_replanned_milestones_slip_says_and_draws_from_where_it_is_counted(app, db):
    """竣工验收 re-planned from 2025-12-31 to 2026-06-30 and still open on 2026-12-07: the note said
    "滞后 341 天" (from the first date, as every count of lateness does) beside a ◇ and a dashed
    line starting at 2026-06-30, about 160 days back. The note names the date it counts from, and
    the line starts there."""
    import re

    from tracker.dashboard.charts import milestone_timeline
    from tracker.progress.models import Milestone

    project = factories.project(name="改过竣工日期的项目")
    milestone = Milestone(project_id=project.id, stage=Stage.ACCEPTANCE, planned_date=dt.date(2025, 12, 31))
    db.session.add(milestone)
    db.session.commit()
    milestone.planned_date = dt.date(2026, 6, 30)  # a re-plan keeps the first date as the baseline
    db.session.commit()
    db.session.refresh(project)
    assert milestone.baseline_date == dt.date(2025, 12, 31)
    with app.test_request_context():
        svg = str(milestone_timeline(project.milestones, dt.date(2026, 12, 7)))
    assert "滞后 341 天，未完成（按原计划 2025-12-31）" in svg
    late_line = re.search(r'<line x1="([\d.]+)"[^>]*stroke-dasharray="5 3"', svg)
    diamond = re.search(r'<path d="M([\d.]+) ', svg)
    assert late_line and diamond and float(late_line.group(1)) < float(diamond.group(1)) - 20


def test_the_month_charts_legend_fits_its_drawing_in_either_language(app):
    """A QA walk's complaint: in English the legend ran past the drawing's edge on one line, its
    last entry (the month's bar) unseen. Each entry stands within the drawing, in rows."""
    import re
    from decimal import Decimal

    from flask_babel import force_locale

    from tracker.dashboard import charts

    months = [Decimal(n * 10) for n in range(1, 13)]
    for language in ("zh", "en"):
        with app.test_request_context(), force_locale(language):
            svg = str(charts.month_chart(months, months, months, "t", "万元", width=640))
            width = 640
            labels = re.findall(r'<text x="([\d.]+)" y="([\d.]+)"[^>]*font-size="12"[^>]*>([^<]+)</text>', svg)
            assert len(labels) == 3, svg[:800]
            for x, _y, text in labels:
                assert float(x) + charts._text_width(text, 12) <= width, (language, text, x)


def test_regions_without_an_outline_are_told_so_not_that_there_are_none(client, db):
    """A QA walk's complaint: at 100,000 demo projects the map said 此范围没有下辖地区 under a chart
    listing eight provinces: their keys (demo-…) have no outline."""
    from . import factories

    province = factories.region("demo-910000", "演示省", level="province")
    city = factories.region("demo-910100", "演示市", province, level="city")
    factories.project(city, name="演示医院", total_investment=Decimal("100"))
    db.session.commit()
    html = client.get("/dashboard?region=demo-910000").get_data(as_text=True)
    assert "边界数据中没有这些地区的轮廓" in html and "此范围没有下辖地区" not in html


def test_the_planned_line_is_to_the_fen(app):
    """A tooltip read 31,824,448.16833333333333333333: the plan spread over twelve months."""
    from tracker.dashboard.queries import YearFigures

    figures = YearFigures.__new__(YearFigures)
    object.__setattr__(figures, "planned", Decimal("100"))
    assert [value.as_tuple().exponent for value in figures.cumulative_planned()] == [-2] * 12


def test_the_year_chart_draws_no_point_for_a_month_nobody_reported(app, db):
    """A QA walk's complaint: the 2026 计划与完成投资 chart drew 实际完成 at 0, a filled dot a month,
    from 1月 to 9月 when no project had reported. A month with no reported amount has no point,
    and the line breaks there, as the 24-month trend leaves such a month without a bar."""
    from tracker.dashboard import charts

    project = factories.project()
    db.session.add(AnnualPlan(project_id=project.id, year=2025, planned_investment=Decimal("1200")))
    for month, amount in ((3, "100"), (5, "50"), (6, "25")):
        db.session.add(MonthlyReport(project_id=project.id, month=dt.date(2025, month, 1),
                                     invested_month=Decimal(amount)))
    db.session.flush()
    year = build().year
    completed = year.cumulative_completed(6, planned_only=True)
    assert completed == [None, None, Decimal("100"), None, Decimal("150"), Decimal("175")] + [None] * 6
    with app.test_request_context():
        svg = str(charts.month_chart(year.cumulative_planned(), completed, [None] * 12, "t", "万元"))
    dots = re.findall(r'<circle cx="([\d.]+)"[^>]*fill="(#[0-9a-f]+)" stroke="\2"', svg)
    assert len(dots) == 3, dots  # March, May, June: the filled dots of the completed line
    lines = re.findall(r'<polyline fill="none" stroke="(#[0-9a-f]+)"[^>]*points="([^"]+)"', svg)
    completed_lines = [points.split() for colour, points in lines if colour != charts.MUTED]
    assert [len(points) for points in completed_lines] == [2]  # May to June; March stands alone


def test_a_past_year_is_named_not_called_this_year(db):
    """A QA walk's complaint: with 年度=2025 chosen, a card read "本年尚无月报填报完成投资",
    calling the chosen past year 本年: the cards name the year they are about."""
    factories.project()
    db.session.add(AnnualPlan(project_id=factories.project().id, year=2024, planned_investment=Decimal("100")))
    db.session.flush()
    items = {item.label: item for item in summary.headline_items(build(year=2024))}
    assert items["2024年完成投资"].note == "2024年尚无月报填报完成投资"
    texts = " ".join(f"{item.label} {item.value} {item.note}" for item in items.values())
    assert "本年" not in texts
