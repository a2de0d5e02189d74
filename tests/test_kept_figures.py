"""The portfolio figures kept at write time (tracker/portfolio/kept.py) equal a computation from
scratch after every kind of write, and the dashboard read from them equals the one computed from
every project, for every scope the kept rows answer."""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import replace
from decimal import Decimal

import pytest
import time_machine
import sqlalchemy as sa
from sqlalchemy.orm import Session

from tracker.dashboard import kept as dashboard_kept
from tracker.dashboard import queries
from tracker.dashboard.scope import Scope
from tracker.extensions import db
from tracker.portfolio import kept
from tracker.portfolio.filters import UNKNOWN, PortfolioFilter
from tracker.progress import services as progress
from tracker.accounts.models import User
from tracker.audit.services import CLI
from tracker.plans.models import Plan
from tracker.progress.models import FundingLine
from tracker.projects import services as project_services
from tracker.projects.models import Project
from tracker.regions.models import Region
from tracker.vocabulary import FundingSource, Kind, Stage, Status

from . import factories
from .conftest import login_as
from .test_api_writes import NEW, api, tokens_by_role  # noqa: F401  (fixtures)
from .test_api import token_for  # noqa: F401  (a fixture)
from .test_demo_data import make as make_demo
from .test_import import new_projects_sheet
from .test_import import run as run_import
from .test_project_form import edit_form, submit

OFFICER = factories.TEST_ACTOR


def fresh(portfolio_filter, today):
    """The totals computed from the projects: the sums, and how many of them are 约 (one query
    for every path)."""
    from tracker.portfolio import queries as portfolio

    return portfolio.with_approximate(portfolio._totals(portfolio_filter, today), portfolio_filter, today)


def assert_kept_exact() -> None:
    """Commit (the figures are added before the commit), then compare with a rebuild."""
    db.session.commit()
    connection = db.session.connection()
    stored, stored_years = kept.stored(connection)
    computed, computed_years = kept.computed(connection)
    assert stored == computed
    assert stored_years == computed_years


def test_the_services_keep_the_figures_exact(db):
    province, city, county = factories.county_in_city()
    project = factories.project(county, name="甲县医院", total_investment=Decimal("1200.5"),
                                status=Status.CONSTRUCTION)
    other = factories.project(city, name="乙市疾控中心", kind=Kind.EQUIPMENT)
    assert_kept_exact()
    lifecycle = {m.stage: m for m in progress.add_standard_lifecycle(OFFICER, project)}
    start = lifecycle[Stage.START]
    progress.update_milestone(OFFICER, start, planned_date=dt.date(2025, 3, 1), actual_date=None,
                              expected_version=start.version)
    assert_kept_exact()
    progress.add_funding_line(OFFICER, project, source=FundingSource.SPECIAL_BONDS, amount="100")
    progress.submit_report(OFFICER, project, dt.date(2025, 5, 1), invested_month=Decimal("10.5"))
    progress.set_annual_plan(OFFICER, project, 2025, "300")
    assert_kept_exact()
    progress.submit_report(OFFICER, project, dt.date(2025, 5, 1), invested_month=Decimal("12"),
                           correction_reason="统计口径更正")
    assert_kept_exact()
    from tracker.projects import services
    services.update_project(OFFICER, other, {"status": Status.COMPLETED, "total_investment": Decimal("8")},
                            reason="竣工")
    project.region = city
    assert_kept_exact()
    db.session.delete(project)
    assert_kept_exact()



def test_a_region_moved_to_another_parent_takes_its_figures_along(db):
    province, city, county = factories.county_in_city()
    other = factories.region("360800", "吉安市", province, level="city")
    factories.project(county, name="迁移县医院", total_investment=Decimal("50"))
    assert_kept_exact()
    county.parent = other
    county.path = f"{other.path}{county.key}/"
    assert_kept_exact()
    figures = kept.stored(db.session.connection())[0]
    assert figures[(other.id, "construction", "all", "")]["projects"] == 1
    assert (city.id, "construction", "all", "") not in figures


def test_a_value_set_to_what_it_was_reads_no_figures(db, monkeypatch):
    """A re-seed sets every project's unchanged checksum: the flush writes nothing for it, so
    taking its "before" would read that project's figures (six statements) for a delta of
    nothing, on a re-seed of the five plans for each of its 230 projects."""
    project = factories.project(total_investment=Decimal("50"))
    assert_kept_exact()
    read: list = []
    original = kept.project_figures
    monkeypatch.setattr(kept, "project_figures", lambda connection, ids: (
        read.append(set(ids) if ids is not None else None), original(connection, ids))[1])
    project.seed_checksum, project.name = project.seed_checksum, project.name
    db.session.flush()
    assert read == []
    project.total_investment = Decimal("60")  # a real change still takes its before, and adds it
    assert_kept_exact()
    assert read[0] == {project.id}


# ---- the dashboard read from them equals the one computed from every project ----------------------

def scopes(today: dt.date) -> list[Scope]:
    provinces = db.session.scalars(sa.select(Region).where(Region.parent_id.is_(None))
                                   .order_by(Region.key)).all()
    province = provinces[0]
    city = db.session.scalars(sa.select(Region).where(Region.parent_id == province.id)
                              .order_by(Region.key)).first()
    county = db.session.scalars(sa.select(Region).where(Region.parent_id == city.id)
                                .order_by(Region.key)).first()
    found = []
    for region in (None, province, city, county):
        for kind in (None, "all", Kind.PROGRAMME.value):
            for year in (today.year, today.year - 1):
                found.append(Scope(PortfolioFilter(region=region.key if region else None, kind=kind),
                                   year, today))
    return found


def assert_both_paths_equal(today: dt.date) -> int:
    """Compare every scope's two dashboards; how many 约 the rows counted in all."""
    approximate = 0
    for scope in scopes(today):
        assert dashboard_kept.answers(scope)
        board = queries.compute(scope)
        assert board == queries.compute_fresh(scope), scope
        approximate += sum(group.approx_investment for group in (
            *board.statuses, *board.regions, *board.plans, *board.categories, *board.natures))
    return approximate


def test_the_dashboard_from_the_kept_figures_equals_the_fresh_one(db):
    make_demo(db)
    statements: list[str] = []
    sa.event.listen(db.engine, "before_cursor_execute", record := (
        lambda _connection, _cursor, statement, *_rest: statements.append(statement)))
    try:
        for today in (dt.date(2026, 11, 17), dt.date(2026, 12, 1), dt.date(2025, 6, 30)):
            # The rows' 约 counts were compared too, not only zeros.
            assert assert_both_paths_equal(today)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert_kept_exact()
    if db.engine.dialect.name == "sqlite":
        # Both ways of finding a list's first rows were compared with the fresh lists: walking
        # the portfolio's index in the list's order (the country), and reading a region's own
        # projects (the county: walks_in_order).
        hints = " ".join(statements)
        assert "INDEXED BY ix_projects_next_milestone_due" in hints
        assert "INDEXED BY ix_projects_sort_region" in hints


def test_each_list_read_either_way_is_the_same(db):
    """滞后 and 30天内到期 read from a region's projects equal the lists found by walking the
    portfolio's index in their order, for every region (本月未报 both ways: the test above)."""
    make_demo(db)
    today = dt.date(2026, 11, 17)
    regions = db.session.scalars(sa.select(Region).order_by(Region.key)).all()
    listed = 0
    for region in regions:
        scope = Scope(PortfolioFilter(region=region.key), today.year, today)
        fresh = {"late": queries.late_projects(scope), "due": queries.due_soon(scope)}
        for walk in (True, False):
            assert queries.late_projects(scope, total=fresh["late"].total, walk=walk) == fresh["late"]
            assert queries.due_soon(scope, total=fresh["due"].total, walk=walk) == fresh["due"]
        listed += bool(fresh["late"].total) + bool(fresh["due"].total)
    assert listed > 4


def test_a_small_regions_lists_read_its_projects_a_large_scopes_walk_the_portfolios_order():
    """At 100,000 projects a county's 滞后 list took 49 ms walking the country's index in order
    of the due dates (to find its 36 late projects), and 0.6 ms reading its 150 projects."""
    assert queries.walks_in_order(100_000, 100_000, 50)  # the whole portfolio
    assert queries.walks_in_order(11_000, 100_000, 50)  # a province: ~450 entries of the index
    assert not queries.walks_in_order(1_146, 100_000, 50)  # a city
    assert not queries.walks_in_order(150, 100_000, 36)  # a county
    assert queries.walks_in_order(150, 100_000, 0)  # nothing to find (no statement is run)


def test_the_lists_totals_from_the_kept_figures_equal_the_sums_over_its_projects(db):
    """A list of a region (or everything) and a kind takes its totals row from the kept figures,
    uncached; the same sums over the projects (what any other filter still does) agree, and a
    write in the same transaction shows at once."""
    from tracker.portfolio import queries as portfolio
    make_demo(db)
    today = dt.date(2026, 11, 17)
    for scope in scopes(today):
        if scope.year != today.year:
            continue
        assert kept.answers(scope.filter)
        assert portfolio.totals(scope.filter, today) == fresh(scope.filter, today), scope.filter
        # The count alone (the walk's budget, portfolio/queries._unnarrowed), as the totals say.
        assert kept.project_count(db.session, scope.filter) == fresh(scope.filter, today).projects
    everything = PortfolioFilter(kind="all")
    before = portfolio.totals(everything, today)
    target = db.session.scalars(sa.select(Project).where(Project.total_investment.is_not(None))).first()
    project_services.update_project(CLI, target, {"total_investment": target.total_investment + 1},
                                    expected_version=target.version)
    db.session.flush()
    after = portfolio.totals(everything, today)
    assert after.total_investment == before.total_investment + 1
    assert after == fresh(everything, today)
    searched = PortfolioFilter(q="医院")
    assert not kept.answers(searched)


def breakdown_filters(today: dt.date) -> list[PortfolioFilter]:
    """Every status, category and 建设性质 the projects have (and 未填报), for each region and kind."""
    used = {name: {getattr(value, "value", value) for value in db.session.scalars(
        sa.select(column).distinct())} | extra for name, column, extra in (
            ("status", Project.status, {None}), ("category", Project.category, set()),
            ("build_nature", Project.build_nature, {None}))}
    found = []
    for scope in scopes(today):
        if scope.year != today.year:
            continue
        for name, values in used.items():
            for value in sorted(values, key=str):
                found.append(replace(scope.filter, **{name: UNKNOWN if value is None else value}))
    return found


def test_a_lists_totals_by_status_category_or_nature_come_from_the_kept_rows_exactly(db):
    """A list of a region and a kind narrowed to one 状态 (or 类别, or 建设性质) takes its whole
    totals row (count, 总投资, 累计完成投资, 建筑面积, 床位, 新增床位, 投资完成率, with their
    coverage) from that breakdown's kept rows, equal to the sums over its projects; after writes
    that move projects between statuses and change every summed column, too."""
    from tracker.portfolio import queries as portfolio
    make_demo(db)
    today = dt.date(2026, 11, 17)
    filters = breakdown_filters(today)
    assert len({f.status for f in filters}) > 3 and len({f.build_nature for f in filters}) > 3

    def assert_equal() -> None:
        for portfolio_filter in filters:
            assert kept.breakdown(portfolio_filter) is not None, portfolio_filter
            assert portfolio.totals(portfolio_filter, today) == fresh(portfolio_filter, today), \
                portfolio_filter

    assert_equal()
    projects = db.session.scalars(sa.select(Project).where(Project.status == Status.CONSTRUCTION)
                                  .order_by(Project.id).limit(3)).all()
    changes = [{"status": Status.COMPLETED, "floor_area_m2": Decimal("1234.56"), "beds": 80},
               {"status": None, "new_beds": 12, "total_investment": Decimal("7.5")},
               {"total_investment": None, "beds": None}]
    for project, values in zip(projects, changes):
        project_services.update_project(CLI, project, values, expected_version=project.version,
                                        reason="状态更正")
    db.session.flush()
    assert_equal()  # in the transaction that wrote: its changes are settled first
    assert_kept_exact()
    assert_equal()
    constructing = PortfolioFilter(status=Status.CONSTRUCTION.value, kind="all")
    statements = count_statements(lambda: portfolio.totals(constructing, today))
    # Only how many are 约 reads projects: the partial index of the few with such a figure.
    assert not any("FROM projects" in statement and "approx" not in statement for statement in statements), statements
    # What the rows cannot answer is summed over the projects.
    for other in (PortfolioFilter(status=Status.CONSTRUCTION.value, category="cdc"),
                  PortfolioFilter(status="no-such-status"), PortfolioFilter(status=Status.CONSTRUCTION.value, q="医院")):
        assert kept.breakdown(other) is None, other
    assert not kept.answers(constructing)  # the dashboard needs more than the totals


def count_statements(read) -> list[str]:
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        read()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    return statements


def test_the_trend_from_the_kept_figures_equals_the_one_from_every_report(db):
    """The 24-month trend read every monthly report of two years (4.4 s for the whole portfolio
    at 100,000 projects on SQLite); the kept year rows count the reports filed per month too."""
    from tracker.dashboard import trends
    make_demo(db)
    filed = 0
    for today in (dt.date(2026, 11, 17), dt.date(2026, 1, 5)):
        for scope in scopes(today):
            if scope.year != today.year:
                continue
            kept_trend = trends.monthly_trend(scope)
            assert kept_trend == trends.fresh_trend(scope), scope.filter
            filed += sum(month.reports for month in kept_trend)
    assert filed  # the demo's reports are counted, not only zeros compared
    # A report filed with no amount counts as filed, not as stating one.
    target = db.session.scalars(sa.select(Project).where(Project.kind == Kind.CONSTRUCTION)
                                .order_by(Project.id)).first()
    month = dt.date.today().replace(day=1)
    everything = Scope(PortfolioFilter(kind="all"), month.year, month.replace(day=17))
    before = {m.month: m for m in trends.monthly_trend(everything)}[month]
    progress.submit_report(CLI, target, month, invested_month=None)
    db.session.flush()
    after = {m.month: m for m in trends.monthly_trend(everything)}[month]
    assert (after.reports, after.stating) == (before.reports + 1, before.stating)
    assert trends.monthly_trend(everything) == trends.fresh_trend(everything)


def test_a_scope_the_kept_figures_cannot_answer_is_computed_afresh(db):
    make_demo(db)
    scope = Scope(PortfolioFilter(status=Status.CONSTRUCTION.value), 2026, dt.date(2026, 11, 17))
    assert not dashboard_kept.answers(scope)
    assert queries.compute(scope) == queries.compute_fresh(scope)


def test_every_kind_of_write_keeps_them_exact(app, db, seeded, make_user, api, tokens_by_role):
    assert_kept_exact()  # the seed loader's
    assert kept.stored(db.session.connection())[0]
    # The form: an officer edits a project.
    officer = app.test_client()
    login_as(officer, make_user("officer", "360783", username="ln-form-officer"))
    hospital = db.session.scalar(sa.select(Project).where(Project.seed_key == "longnan-t6-03"))
    answer = submit(officer, hospital, edit_form(officer, hospital), total_investment="9800", beds="300")
    assert answer.status_code == 302
    assert_kept_exact()
    # The breakdown rows hold every figure too (the list's totals by status read them), so the
    # comparisons here cover their 建筑面积, 床位 … as well.
    breakdowns = [values for key, values in kept.stored(db.session.connection())[0].items()
                  if key[2] in ("status", "category", "nature")]
    assert all(any(values.get(name) for values in breakdowns) for name in ("beds", "with_beds", "floor_area"))
    # The API: a project created, with its milestones.
    made = api("POST", "/projects", tokens_by_role["officer"], json=NEW)
    assert made.status_code == 201, made.get_data(as_text=True)
    assert_kept_exact()
    # The import: three new projects.
    user = db.session.scalar(sa.select(User).where(User.username == "ln-form-officer"))
    report = run_import(user, new_projects_sheet())
    assert report.counts["create"] == 3, report.counts
    assert_kept_exact()
    # Reports, a correction, funding lines, an annual plan, a plan unlinked, a budget revision.
    progress.submit_report(OFFICER, hospital, dt.date(2025, 5, 1), invested_month=Decimal("10"),
                           invested_total=Decimal("500"))
    assert_kept_exact()
    progress.submit_report(OFFICER, hospital, dt.date(2025, 5, 1), invested_month=Decimal("12"),
                           invested_total=Decimal("502"), correction_reason="统计口径更正")
    line = progress.add_funding_line(OFFICER, hospital, source=FundingSource.CENTRAL_BUDGET, amount="50")
    progress.set_annual_plan(OFFICER, hospital, 2025, "800")
    assert_kept_exact()
    progress.remove_funding_line(OFFICER, line, reason="重复")
    for plan in list(hospital.plans):
        project_services.unlink_plan(OFFICER, hospital, plan, reason="调整")
    assert_kept_exact()
    # Deletions: a project, and a plan (its links go with it).
    db.session.delete(hospital)
    assert_kept_exact()
    plan = db.session.scalars(sa.select(Plan).order_by(Plan.id)).first()
    db.session.delete(plan)
    assert_kept_exact()


# ---- two writers at once (PostgreSQL) -------------------------------------------------------------

def test_writers_at_once_in_the_same_and_different_regions_neither_deadlock_nor_lose_a_delta(app, db):
    """Four sessions commit for real, at once, changes to projects of two counties of one province
    (so every commit adds to the province's rows, and some to the same county's or project's):
    every commit succeeds (no deadlock, no lock timeout) and the kept rows equal a rebuild."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("one writer at a time on SQLite")
    import random
    import threading

    engine = db.engine
    with Session(engine) as session:
        province = Region(key="kept-p", name="并发省", level="province", path="/kept-p/")
        counties = [Region(key=f"kept-c{n}", name=f"并发县{n}", level="county", parent=province,
                           path=f"/kept-p/kept-c{n}/") for n in range(2)]
        session.add_all([province, *counties])
        projects = [Project(name=f"并发项目{n}", region=counties[n % 2], kind=Kind.CONSTRUCTION,
                            category="other", search_text="") for n in range(6)]
        session.add_all(projects)
        session.commit()
        region_ids = [province.id, *(county.id for county in counties)]
        project_ids = [project.id for project in projects]
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def writer(seed: int) -> None:
        rng = random.Random(seed)
        with Session(engine) as session:
            session.execute(sa.text("SET lock_timeout = '20s'"))
            session.commit()
            start.wait()
            for _round in range(12):
                try:
                    # Read under its lock: else a save based on a version another writer has
                    # replaced is refused (the version check), which is not what is tested here.
                    project = session.get(Project, rng.choice(project_ids),
                                          with_for_update={"key_share": True})
                    project.total_investment = Decimal(rng.randint(1, 9999))
                    project.status = rng.choice([Status.CONSTRUCTION, Status.COMPLETED, None])
                    if rng.random() < 0.5:
                        session.add(FundingLine(project_id=project.id,
                                                source=rng.choice(list(FundingSource)),
                                                amount=Decimal(rng.randint(1, 99))))
                    session.flush()
                    time.sleep(rng.random() / 50)  # hold the project's lock a while
                    session.commit()
                except BaseException as error:  # pragma: no cover - reported below
                    errors.append(error)
                    session.rollback()

    threads = [threading.Thread(target=writer, args=(seed,)) for seed in range(4)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert not errors, errors
        with engine.connect() as connection:
            stored, stored_years = kept.stored(connection)
            computed, computed_years = kept.computed(connection)
        assert stored == computed and stored_years == computed_years
        assert stored[(province.id, "construction", "all", "")]["projects"] == 6
    finally:
        with engine.begin() as connection:
            connection.execute(sa.delete(Project).where(Project.id.in_(project_ids)))
            connection.execute(sa.delete(Region).where(Region.id.in_(region_ids[1:])))
            connection.execute(sa.delete(Region).where(Region.id == region_ids[0]))


# ---- the migration that gave the breakdown rows every figure ----------------------------------------

def test_the_migration_rebuilds_the_breakdown_rows_and_the_downgrade_empties_them(app):
    """d4a7b2e9f1c3 on a database with projects: the downgrade leaves a status's rows with the
    count and the money only (what c8d1e4f7a2b6's upkeep keeps there) and drops the cache's
    stamp; the upgrade fills them and makes the stamp's one row."""
    from flask_migrate import downgrade, upgrade

    from tracker.portfolio.models import portfolio_figures
    with app.app_context():
        engine = db.engine
        with Session(engine) as session:
            county = Region(key="kept-mig", name="迁移测试县", level="county", path="/kept-mig/")
            session.add(county)
            session.add_all([Project(name=f"迁移项目{n}", region=county, kind=Kind.CONSTRUCTION,
                                     category="other", search_text="", status=Status.CONSTRUCTION,
                                     total_investment=Decimal(100 + n), floor_area_m2=Decimal("1500.25"),
                                     beds=40 + n) for n in range(3)])
            session.commit()
            county_id = county.id
        table = portfolio_figures
        status_row = sa.select(table.c.projects, table.c.with_floor_area, table.c.floor_area_lo,
                               table.c.beds).where(
            table.c.region_id == county_id, table.c.kind == "construction",
            table.c.dimension == "status", table.c.key == "construction")
        try:
            with engine.connect() as connection:
                assert connection.execute(status_row).one() == (3, 3, 450075, 123)
            downgrade(revision="c8d1e4f7a2b6")
            with engine.connect() as connection:
                assert connection.execute(status_row).one() == (3, 0, 0, 0)
                assert not sa.inspect(connection).has_table("portfolio_changes")
                assert connection.execute(
                    sa.select(table.c.beds).where(table.c.region_id == county_id,
                                                  table.c.dimension == "all")).scalar() == 123
            upgrade()
            with engine.connect() as connection:
                assert connection.execute(status_row).one() == (3, 3, 450075, 123)
                assert connection.execute(sa.text("SELECT id FROM portfolio_changes ORDER BY id")).scalars().all() == [1, 2]
                stored, stored_years = kept.stored(connection)
                computed, computed_years = kept.computed(connection)
            assert stored == computed and stored_years == computed_years
        finally:
            upgrade()
            with engine.begin() as connection:
                connection.execute(sa.delete(Project).where(Project.region_id == county_id))
                connection.execute(sa.delete(Region).where(Region.id == county_id))


def test_how_many_figures_are_approximate_is_read_from_the_partial_index_alone(db):
    """A total says how many of its figures are 约 (queries.approximate): on SQLite the count of
    a region's, a kind's or a status's list reads the covering partial index of the few projects
    with such a figure, never the table."""
    from tracker.portfolio import queries as portfolio

    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's plan is read here; PostgreSQL chooses by its statistics")
    make_demo(db)
    today = dt.date(2026, 11, 17)
    county = db.session.scalar(sa.select(Project.region_id).limit(1))
    from tracker.regions.models import Region
    key = db.session.get(Region, county).key
    for portfolio_filter in (PortfolioFilter(), PortfolioFilter(region=key), PortfolioFilter(status="construction", kind="all")):
        statements = count_statements(lambda f=portfolio_filter: portfolio.approximate(f, today))
        [statement] = [s for s in statements if "approx" in s]
        compiled = portfolio.approximate_statement(portfolio_filter, today)
        plan = " ".join(str(row[-1]) for row in db.session.execute(
            sa.text("EXPLAIN QUERY PLAN " + str(compiled.compile(db.engine, compile_kwargs={"literal_binds": True})))))
        assert "COVERING INDEX ix_projects_approximate" in plan, (portfolio_filter, plan)
    # The dashboard's rows that sum a 约 总投资: one statement through the same partial index.
    scope = Scope(PortfolioFilter(region=key), today.year, today)
    statements = count_statements(lambda: queries.approximations(scope, {}))
    [statement] = [s for s in statements if "approx" in s]
    assert "INDEXED BY ix_projects_approximate" in statement
    compiled = str(queries.approximations_statement(scope).compile(
        db.engine, compile_kwargs={"literal_binds": True}))
    plan = " ".join(str(row[-1]) for row in db.session.execute(sa.text("EXPLAIN QUERY PLAN " + compiled)))
    assert "ix_projects_approximate" in plan and "SCAN projects" not in plan, plan


def test_a_cancelled_or_finished_project_owes_no_milestone_and_is_not_late(db, client, make_user):
    """A QA walk: a project set to 取消 stayed 滞后 341 天 on the dashboard, in the late list and
    the briefing; one 竣工 whose 竣工验收 nobody dated was listed 滞后 too. A cancelled project
    owes no milestone, one in use neither; a completed one only 投入使用 and its own. The status
    change alone (no milestone touched) moves the kept figures."""
    from tracker.projects import services

    province, city, county = factories.county_in_city()
    today = dt.date(2026, 12, 7)
    late = {}
    for name in ("取消的医院", "竣工的医院", "投用的医院", "在建的医院"):
        project = factories.project(county, name=name, status=Status.CONSTRUCTION)
        lifecycle = {m.stage: m for m in progress.add_standard_lifecycle(OFFICER, project)}
        for stage, planned in ((Stage.START, dt.date(2025, 3, 1)), (Stage.ACCEPTANCE, dt.date(2025, 12, 31)),
                               (Stage.IN_USE, dt.date(2026, 6, 30))):
            progress.update_milestone(OFFICER, lifecycle[stage], planned_date=planned,
                                      actual_date=dt.date(2025, 3, 2) if stage is Stage.START else None,
                                      expected_version=lifecycle[stage].version)
        late[name] = project
    assert_kept_exact()
    assert all(project.is_late(today) for project in late.values())

    for name, status in (("取消的医院", Status.CANCELLED), ("竣工的医院", Status.COMPLETED),
                         ("投用的医院", Status.IN_USE)):
        services.update_project(OFFICER, late[name], {"status": status}, reason="状态更新")
    assert_kept_exact()
    db.session.expire_all()
    assert not late["取消的医院"].is_late(today) and not late["投用的医院"].is_late(today)
    # 竣工: 竣工验收 is passed though undated; 投入使用 (2026-06-30) is still owed, and overdue.
    completed = late["竣工的医院"]
    assert completed.is_late(today) and completed.next_milestone_due == dt.date(2026, 6, 30)
    assert not any(m.is_overdue(today) for m in completed.milestones if m.stage is Stage.ACCEPTANCE)
    assert late["在建的医院"].next_milestone_due == dt.date(2025, 12, 31)
    # 在建 has started, its 开工 passed though nobody dated it: not "开工 overdue" beside 已开工.
    started = factories.project(county, name="在建未填开工日期", status=Status.CONSTRUCTION)
    lifecycle = {m.stage: m for m in progress.add_standard_lifecycle(OFFICER, started)}
    progress.update_milestone(OFFICER, lifecycle[Stage.START], planned_date=dt.date(2024, 1, 1), actual_date=None,
                              expected_version=lifecycle[Stage.START].version)
    progress.update_milestone(OFFICER, lifecycle[Stage.ACCEPTANCE], planned_date=dt.date(2027, 6, 30),
                              actual_date=None, expected_version=lifecycle[Stage.ACCEPTANCE].version)
    db.session.flush()
    assert started.has_started and not started.is_late(today) and started.next_milestone_due == dt.date(2027, 6, 30)
    services.update_project(OFFICER, started, {"status": Status.PREPARATION}, reason="尚未开工")
    db.session.flush()
    db.session.refresh(started)
    assert started.is_late(today) and started.next_milestone_due == dt.date(2024, 1, 1)
    board = queries.compute_fresh(Scope(PortfolioFilter(region=county.key), today=today))
    assert sorted(p.name for p in board.late.rows) == ["在建未填开工日期", "在建的医院", "竣工的医院"]
    # 开工率: the cancelled project is neither planned to start nor "not started" (it read
    # "计划开工 2 个，未开工 2 个" of a city whose one project was cancelled).
    assert board.headline.planned_to_start == 4
    # Nor is a cancelled project's milestone due within 30 days, on the dashboard, in the list's
    # filter or on the to-do list, nor a milestone it no longer owes left to explain (a QA walk:
    # 我的待办 asked 滞后原因 of 13 milestones, each "滞后 0 天", of projects late for none).
    from tracker.dashboard import todo
    from tracker.portfolio.filters import due_soon_condition

    cancelled = late["取消的医院"]
    soon = next(m for m in cancelled.milestones if m.stage is Stage.IN_USE)
    progress.update_milestone(OFFICER, soon, planned_date=today + dt.timedelta(days=10), actual_date=None,
                              expected_version=soon.version)
    db.session.flush()
    board = queries.compute_fresh(Scope(PortfolioFilter(region=county.key), today=today))
    assert "取消的医院" not in [row.project_name for row in board.due_soon.rows]
    assert cancelled.id not in set(db.session.scalars(sa.select(Project.id).where(due_soon_condition(today))))
    manager = make_user("admin", username="county-todo")
    things = todo.for_user(manager, today)
    assert all(row[1] != cancelled.id for row in things.due_soon.rows + things.unexplained.rows)
    assert {row[2] for row in things.unexplained.rows} <= {"在建的医院", "竣工的医院", "在建未填开工日期"}
    # The project page's count and its chart say the same (it said "1 个节点已过计划日期而未完成"
    # and "开工 滞后 705 天" of the cancelled project, whose table tagged none 已逾期).
    db.session.commit()
    with time_machine.travel(dt.datetime(2026, 12, 7, 4, tzinfo=dt.timezone.utc), tick=False):
        page = re.sub(r"<[^>]+>", "", client.get(f"/projects/{cancelled.id}").get_data(as_text=True))
    assert "个节点已过计划日期而未完成" not in page and "滞后" not in page, page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Project).where(
        *PortfolioFilter(region=county.key, start="not_started").conditions(today))) == 1
    assert_both_paths_equal(today)
