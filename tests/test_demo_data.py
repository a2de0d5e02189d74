"""``tracker demo-data``: a generated portfolio that is deterministic, internally consistent, exact
with money, and never mistaken for the plans' real projects."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tracker.demo.generator import DEMO_PREFIX, DEMO_SUFFIX, REPORT_MONTHS, generate
from tracker.portfolio import queries
from tracker.portfolio.filters import PortfolioFilter
from tracker.progress.models import AnnualPlan, FundingLine, Milestone, MonthlyReport
from tracker.projects.models import Project
from tracker.regions.models import Region

REPORT_MONTH = dt.date(2026, 10, 1)
PROJECTS = 50


def make(db, seed: int = 7, projects: int = PROJECTS):
    summary = generate(db.session.connection(), projects=projects, seed=seed,
                       report_month=REPORT_MONTH)
    db.session.expire_all()
    return summary


def portfolio_rows(db) -> list[tuple]:
    """Everything a generated project is, without the ids a database hands out."""
    region_key = sa.select(Region.key).where(Region.id == Project.region_id).scalar_subquery()
    projects = db.session.execute(
        sa.select(region_key, Project.name, Project.project_code, Project.kind, Project.category,
                  Project.build_nature, Project.status, Project.total_investment,
                  Project.current_estimate, Project.invested_to_date, Project.floor_area_m2,
                  Project.beds, Project.planned_start, Project.search_text)
        .where(Project.region.has(Region.key.startswith(DEMO_PREFIX))).order_by(Project.id)).all()
    reports = db.session.execute(
        sa.select(MonthlyReport.month, MonthlyReport.invested_month, MonthlyReport.invested_total,
                  MonthlyReport.physical_percent, MonthlyReport.progress_text)
        .join(Project).where(Project.region.has(Region.key.startswith(DEMO_PREFIX)))
        .order_by(MonthlyReport.project_id, MonthlyReport.month)).all()
    milestones = db.session.execute(
        sa.select(Milestone.stage, Milestone.planned_date, Milestone.actual_date)
        .join(Project).where(Project.region.has(Region.key.startswith(DEMO_PREFIX)))
        .order_by(Milestone.project_id, Milestone.position)).all()
    return [tuple(row) for row in projects + reports + milestones]


def test_writes_the_asked_number_of_projects_with_their_history(db):
    summary = make(db)
    count = lambda model: db.session.scalar(sa.select(sa.func.count()).select_from(model))  # noqa: E731
    assert count(Project) == PROJECTS
    assert count(MonthlyReport) == PROJECTS * REPORT_MONTHS
    assert count(Milestone) >= PROJECTS * 3
    assert count(FundingLine) > 0 and count(AnnualPlan) > 0
    assert summary.rows["monthly_reports"] == PROJECTS * REPORT_MONTHS
    months = db.session.execute(sa.select(MonthlyReport.project_id, sa.func.count(),
                                          sa.func.min(MonthlyReport.month), sa.func.max(MonthlyReport.month))
                                .group_by(MonthlyReport.project_id)).all()
    assert {(n, first, last) for _, n, first, last in months} == {
        (REPORT_MONTHS, dt.date(2023, 11, 1), REPORT_MONTH)}


def test_generated_regions_are_marked_as_demo_and_leave_the_real_plans_alone(db, seeded):
    longnan_before = queries.totals(PortfolioFilter(region="360783"))
    make(db)
    demo = db.session.scalars(sa.select(Region).where(Region.key.startswith(DEMO_PREFIX))).all()
    assert len(demo) > 100
    assert all(r.name.endswith(DEMO_SUFFIX) and r.code.startswith("9") for r in demo)
    assert {r.level.value for r in demo} == {"province", "city", "county"}
    # Longnan's table 6: still its 8 budgeted projects and 145,735 万元, untouched.
    longnan = queries.totals(PortfolioFilter(region="360783"))
    assert longnan == longnan_before
    assert (longnan.with_investment, longnan.total_investment) == (8, Decimal("145735"))


def test_the_same_seed_gives_the_same_rows_and_another_seed_does_not(db):
    def rows_for(seed: int) -> list[tuple]:
        savepoint = db.session.begin_nested()
        try:
            make(db, seed=seed)
            return portfolio_rows(db)
        finally:
            savepoint.rollback()

    first, again, other = rows_for(11), rows_for(11), rows_for(12)
    assert len(first) > PROJECTS * REPORT_MONTHS
    assert first == again
    assert first != other


def test_cumulative_figures_add_up_and_the_project_shows_its_latest_report(db):
    make(db)
    reports = defaultdict(list)
    for report in db.session.scalars(sa.select(MonthlyReport).order_by(MonthlyReport.month)):
        reports[report.project_id].append(report)
    for project in db.session.scalars(sa.select(Project)):
        history = reports[project.id]
        for earlier, report in zip(history, history[1:]):
            assert report.invested_total == earlier.invested_total + report.invested_month
            year_before = earlier.invested_year if report.month.month != 1 else Decimal(0)
            assert report.invested_year == year_before + report.invested_month
            assert report.physical_percent >= earlier.physical_percent
            if report.funds_received is not None:
                assert report.funds_received >= earlier.funds_received
                assert report.paid <= report.funds_received
        assert project.invested_to_date == history[-1].invested_total
        assert project.last_report_month == REPORT_MONTH


def test_unknown_stays_unknown_and_some_projects_run_late(db):
    make(db, projects=200)
    unknown_budget = db.session.scalar(sa.select(sa.func.count()).where(Project.total_investment.is_(None)))
    assert 0 < unknown_budget < 200
    overdue = db.session.scalar(sa.select(sa.func.count(sa.distinct(Milestone.project_id))).where(
        Milestone.actual_date.is_(None), Milestone.planned_date < REPORT_MONTH))
    assert 0 < overdue < 200
    totals = queries.totals(PortfolioFilter(kind="all"))
    assert totals.projects == 200 and totals.with_investment == 200 - unknown_budget


def test_money_is_exact_to_the_cent_in_sums(db):
    make(db)
    amounts = db.session.scalars(sa.select(MonthlyReport.invested_month)).all()
    assert any(amount != amount.to_integral() for amount in amounts)  # cents are exercised
    in_sql = db.session.scalar(sa.select(sa.func.sum(MonthlyReport.invested_month)))
    assert Decimal(in_sql) == sum(amounts)
    budgets = [b for b in db.session.scalars(sa.select(Project.total_investment)) if b is not None]
    assert Decimal(db.session.scalar(sa.select(sa.func.sum(Project.total_investment)))) == sum(budgets)


def test_a_second_run_into_the_same_database_is_refused(db):
    make(db, projects=5)
    with pytest.raises(ValueError, match="already holds demo data"):
        make(db, projects=5)


def test_the_command_refuses_a_malformed_report_month(app):
    result = app.test_cli_runner().invoke(args=["demo-data", "--projects", "5", "--report-month", "2026-13"])
    assert result.exit_code != 0
    assert "YYYY-MM" in result.output


def test_a_bulk_load_checks_each_foreign_key_by_the_parents_primary_key(db):
    """On PostgreSQL a foreign key's check is a plan cached at the first child row. Made while
    the migrations' statistics said ``projects`` was empty, it read the whole table for every
    monthly report, milestone and search gram (quadratic: most of an hour at 100,000 projects).
    The writer keeps the parents' statistics as the load grows, and the checks turn to the index."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        pytest.skip("the foreign keys' cached checks are PostgreSQL's")
    connection.exec_driver_sql("ANALYZE projects")  # as the migrations leave it: empty
    make(db, projects=400)
    seq_scans, index_scans = connection.exec_driver_sql(
        "SELECT seq_scan, idx_scan FROM pg_stat_xact_user_tables WHERE relname = 'projects'").one()
    assert index_scans > 2 * seq_scans, (seq_scans, index_scans)


def test_no_report_is_filed_after_the_first_day_of_the_month_after_the_latest(db):
    """A QA walk's complaint: made on 2026-12-07 with 2026-11 as the latest month, 30,119 reports
    (and their audit entries) were dated up to 2026-12-10: the trail opened on them, today's real
    actions pages behind."""
    import sqlalchemy as sa

    from tracker.audit.models import AuditEntry
    from tracker.progress.models import MonthlyReport

    make(db)
    cap = dt.datetime(2026, 11, 1, 23, 59, tzinfo=dt.timezone.utc)  # the day after the latest month (10)
    latest = db.session.scalar(sa.select(sa.func.max(MonthlyReport.submitted_at)))
    assert latest is not None and latest.replace(tzinfo=dt.timezone.utc) <= cap, latest
    entry = db.session.scalar(sa.select(sa.func.max(AuditEntry.occurred_at)))
    assert entry.replace(tzinfo=dt.timezone.utc) <= cap, entry


def test_the_command_refuses_a_database_with_real_projects(app, db, seeded):
    """An admin trying the tracker at scale on the production server added demo projects with
    plausible names to the real totals, without a word (the help said names end in （演示））."""
    from tracker.projects.models import Project

    before = db.session.scalar(sa.select(sa.func.count()).select_from(Project))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["demo-data", "--projects", "3"])
    assert result.exit_code != 0 and f"holds {before:,} real projects" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Project)) == before
