"""Every sort of the list reads its first page from an index, ascending and descending (issue 19):
the database never sorts the filtered table to show 50 rows. Checked on the query plan the
database itself chooses (PostgreSQL with sorting priced out, so a Sort node means no index could
give the order)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tracker.core import clock
from tracker.extensions import db
from tracker.portfolio import queries
from tracker.portfolio.filters import SORTS, PortfolioFilter

from .test_demo_data import make as make_demo

# None left: the plan order reads the kept Project.plan_key (its test below).
UNINDEXED: set[str] = set()


def plan_of(portfolio_filter: PortfolioFilter) -> str:
    statement = (queries._keys(portfolio_filter, clock.today())
                 .order_by(*portfolio_filter.order_by()).limit(50))
    connection = db.session.connection()
    sql = str(statement.compile(connection, compile_kwargs={"literal_binds": True}))
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL enable_sort = off")
        # A whole order from an index, not a sort of each run of equal values; but the region
        # order, whose runs are one region's projects (see ``sorts``).
        incremental = "on" if portfolio_filter.sort_key == "region" else "off"
        connection.exec_driver_sql(f"SET LOCAL enable_incremental_sort = {incremental}")
        return "\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + sql))
    return "\n".join(row[3] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))


def sorts(plan: str, sort: str) -> bool:
    if sort == "region" and "Presorted Key: regions.key" in plan:
        # PostgreSQL reads regions in key order and each region's projects by (region_id, id),
        # but does not carry the inner order through the join: it sorts each region's own rows.
        return False
    return "TEMP B-TREE" in plan or "Sort  (" in plan


def test_the_first_page_of_every_sort_is_read_from_an_index(db, demo):
    # SQLite's planner weighs an index by the statistics ANALYZE keeps (``tracker seed`` and
    # ``tracker demo-data`` run it): a portfolio big enough for the sort to matter (``demo``).
    plans = {(sort, order): plan_of(PortfolioFilter.from_args({"sort": sort, "order": order}))
             for sort in SORTS for order in ("asc", "desc")}
    sorting = {key for key, plan in plans.items() if sorts(plan, key[0])}
    assert sorting == {(sort, order) for sort in UNINDEXED for order in ("asc", "desc")}, \
        "\n\n".join(f"{key}:\n{plans[key]}" for key in sorted(sorting))


def totals_plan(portfolio_filter: PortfolioFilter) -> str:
    """The plan of the list's totals row (count and sums with their coverage) for a filter."""
    statement = sa.select(queries.Project.id, queries.Project.total_investment,
                          queries.Project.invested_to_date, queries.Project.floor_area_m2,
                          queries.Project.beds, queries.Project.new_beds
                          ).where(*portfolio_filter.conditions(clock.today()))
    connection = db.session.connection()
    sql = str(statement.compile(connection, compile_kwargs={"literal_binds": True}))
    if connection.dialect.name == "postgresql":
        # Small test tables are cheaper to read whole: price that out, as above the sort.
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        connection.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
        return "\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + sql))
    return "\n".join(row[3] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))


def test_the_totals_of_a_list_are_read_from_one_narrow_index(db, demo):
    """The totals row of the construction portfolio, of every kind and of one status read the
    ``ix_projects_totals`` index alone (an index-only scan), not the projects' wide rows: issue
    19's list with its totals computed fresh, at 100,000 projects (benchmarks/NOTES.md)."""
    # Both planners weigh the indexes by their statistics: ``demo``'s 1,000 projects, analysed.
    for args in ({}, {"kind": "all"}, {"status": "construction"}):
        plan = totals_plan(PortfolioFilter.from_args(args))
        assert "ix_projects_totals" in plan and ("COVERING INDEX" in plan or "Index Only Scan" in plan), \
            f"{args}:\n{plan}"


def test_a_two_character_searchs_totals_read_one_range_of_the_grams_index(db, demo):
    """The totals of 妇幼 (and every kind, and one kind) read the term's entries of
    ``ix_project_search_grams_totals`` alone, which carry each project's kind and summed figures:
    no project row is fetched (issue 19, benchmarks/NOTES.md). On PostgreSQL the test's fresh rows
    are not yet marked all-visible (VACUUM cannot run in the test's transaction), which prices an
    index-only scan as a heap read each; the table's statistics are told what a vacuum (autovacuum,
    in production) would record, inside the transaction that is rolled back. At 100,000 projects
    the planner chose this plan on its own."""
    connection = db.session.connection()  # ``demo``: 1,000 projects, analysed
    for args in ({"q": "妇幼"}, {"q": "妇幼", "kind": "all"}, {"q": "中医", "kind": "equipment"}):
        statement = queries.gram_totals_statement(PortfolioFilter.from_args(args))
        sql = str(statement.compile(connection, compile_kwargs={"literal_binds": True}))
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("UPDATE pg_class SET relallvisible = relpages "
                                       "WHERE relname = 'project_search_grams'")
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            connection.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
            plan = "\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + sql))
        else:
            plan = "\n".join(row[3] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
        assert "ix_project_search_grams_totals" in plan and "projects" not in plan.replace(
            "project_search_grams", "") and ("COVERING INDEX" in plan or "Index Only Scan" in plan), \
            f"{args}:\n{plan}"


def test_the_progress_column_probes_each_rows_latest_report(db, demo):
    """工程进度 of a page's rows (``latest_percents``) reads each project's report of its month
    through the (project, month) index: not every report of the page's projects (36 each, as a
    join to the projects read them on PostgreSQL), nor the whole table (as SQLite reads a
    row-value ``IN (VALUES …)``: 470 ms at 3.6 million reports)."""
    connection = db.session.connection()
    page = db.session.execute(sa.select(queries.Project.id, queries.Project.last_report_month)
                              .where(queries.Project.last_report_month.is_not(None))
                              .order_by(queries.Project.id).limit(50)).all()
    statement = queries.latest_percents_statement(dict(page))
    sql = str(statement.compile(connection, compile_kwargs={"literal_binds": True}))
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")  # the test's small table
        plan = "\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + sql))
        probes = ("uq_monthly_reports_project_id_month" in plan
                  and "Index Cond: ((project_id = ANY" in plan and "AND (month = " in plan)
    else:  # the unique constraint's index, which SQLite names sqlite_autoindex_…
        plan = "\n".join(row[3] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
        probes = plan.startswith("SEARCH monthly_reports USING INDEX") and "(project_id=? AND month=?)" in plan
    assert len(page) == 50 and probes, plan


def test_the_dashboards_over_estimate_list_reads_its_rows_in_order(db, demo):
    """超概算 of the whole portfolio, the largest excess first, read from ``ix_projects_overrun``
    in that order, not by sorting every project over its estimate (5,000 of 100,000 projects,
    12 ms on PostgreSQL). Sorting priced out on PostgreSQL, as above."""
    from tracker.dashboard.queries import over_estimate_statement
    from tracker.dashboard.scope import Scope

    connection = db.session.connection()
    statement = over_estimate_statement(Scope.from_args({}), total=1)
    sql = str(statement.compile(connection, compile_kwargs={"literal_binds": True}))
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL enable_sort = off")
        connection.exec_driver_sql("SET LOCAL enable_incremental_sort = off")
        plan = "\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + sql))
    else:
        plan = "\n".join(row[3] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
    assert "ix_projects_overrun" in plan and not sorts(plan, "overrun"), plan


def fresh_plan_keys() -> dict[int, str | None]:
    """Each project's smallest plan key, computed from the links: what plan_key must hold."""
    from tracker.plans.models import Plan
    from tracker.projects.models import Project, project_plans
    smallest = (sa.select(sa.func.min(Plan.key)).join(project_plans)
                .where(project_plans.c.project_id == Project.id).scalar_subquery())
    return dict(db.session.execute(sa.select(Project.id, smallest)).all())


def kept_plan_keys() -> dict[int, str | None]:
    from tracker.projects.models import Project
    db.session.flush()
    return dict(db.session.execute(sa.select(Project.id, Project.plan_key)).all())


def test_the_plan_order_is_kept_at_every_link_and_unlink(db):
    """The 所属规划 order reads ``plan_key``; after the demo generator, a link, a second link
    with a smaller key, an unlink and the last unlink it equals a fresh computation."""
    from tracker.plans.models import Plan
    from tracker.projects import services
    from . import factories

    make_demo(db, projects=30)
    assert kept_plan_keys() == fresh_plan_keys()
    assert all(kept_plan_keys().values())
    _, city, county = factories.county_in_city()
    later, earlier = Plan(key="plan-z", title="乙", region=city), Plan(key="plan-a", title="甲", region=city)
    db.session.add_all([later, earlier])
    project = factories.project(county)
    assert project.plan_key is None
    for change, plan, expected in ((services.link_plan, later, "plan-z"),
                                   (services.link_plan, earlier, "plan-a"),
                                   (services.unlink_plan, earlier, "plan-z"),
                                   (services.unlink_plan, later, None)):
        change(factories.TEST_ACTOR, project, plan)
        assert kept_plan_keys() == fresh_plan_keys()
        assert project.plan_key == expected


def csv_plan(portfolio_filter: PortfolioFilter) -> str:
    """SQLite's plan of the csv export's one statement (csv_lines) for a filter."""
    from tracker.exports.columns import export_columns
    from tracker.exports.csv_lines import LineStatement
    from tracker.exports.listing import Listing

    statement = LineStatement(Listing(export_columns(True), text=True)).select(portfolio_filter, clock.today())
    connection = db.session.connection()
    compiled = statement.compile(connection)
    parameters = compiled.construct_params()
    return "\n".join(row[3] for row in connection.exec_driver_sql(
        "EXPLAIN QUERY PLAN " + str(compiled), tuple(parameters[name] for name in compiled.positiontup)))


def test_the_whole_portfolios_csv_reads_the_table_a_regions_csv_its_index(db, demo):
    """Every project in the list's order through the index of that order is a seek into the
    table a row; the whole portfolio's csv reads the table end to end and sorts its lines (1.21
    → 1.05 s at 100,000 projects). A region's reads its own projects from the index."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's csv is COPY, planned by PostgreSQL")
    from tracker.regions.models import Region

    whole = csv_plan(PortfolioFilter(kind="all"))
    assert "SCAN projects\n" in whole + "\n" and "ix_projects_sort_region" not in whole, whole
    county = db.session.scalar(sa.select(Region).where(Region.level == "county").order_by(Region.key))
    narrow = csv_plan(PortfolioFilter(kind="all", region=county.key))
    assert "SCAN projects\n" not in narrow + "\n", narrow
