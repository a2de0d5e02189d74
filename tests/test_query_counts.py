"""No page's number of SQL queries grows with the page size or the portfolio size.

A page that loads a relation row by row (an N+1) is fast with ten projects and slow with 100,000;
counting the statements catches it with ten. Sizes: 10 projects (a short page) against 60 (a full
page of 50 and a second page), from the demo generator.
"""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa

from tracker.demo.generator import generate
from tracker.progress.models import MonthlyReport
from tracker.projects.models import Project
from tracker.regions.models import Region

NOT_QUERIES = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|PRAGMA)", re.I)


def statements_for(db, client, url: str) -> int:
    """The statements a page runs, a streamed body included (it runs after the view returns)."""
    client.get(url).get_data()  # a first request may load what is cached per process
    seen: list[str] = []

    def count(_conn, _cursor, statement, _parameters, _context, _executemany):
        if not NOT_QUERIES.match(statement):
            seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
        body = response.get_data()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200 and body, url
    return len(seen)


def counts_at(db, client, size: int, urls) -> dict[str, int]:
    savepoint = db.session.begin_nested()
    try:
        generate(db.session.connection(), projects=size, seed=5, report_month=dt.date(2026, 10, 1))
        db.session.expire_all()
        # The generator draws project after project from one seed, so the first project (and its
        # city) is the same at both sizes: the pages compared differ only in what surrounds them.
        project = db.session.scalars(sa.select(Project).join(Region).where(
            Region.key.startswith("demo-")).order_by(Project.id)).first()
        region = project.region
        city = region.key if region.level.value == "city" else region.parent.key
        project_id = project.id
        return {name: statements_for(db, client, url.format(city=city, project=project_id))
                for name, url in urls.items()}
    finally:
        savepoint.rollback()


PAGES = {
    "list": "/projects",
    "list sorted by investment": "/projects?sort=investment&order=desc&kind=all",
    "list of a city": "/projects?region={city}",
    "project": "/projects/{project}",
    "region": "/regions/{city}",
}


def test_no_page_queries_more_for_a_larger_portfolio_or_a_fuller_page(app, db, client):
    urls = dict(PAGES)
    if "dashboard.index" in app.view_functions:
        urls.update({"dashboard": "/dashboard", "dashboard of a city": "/dashboard?region={city}"})
    small = counts_at(db, client, 30, urls)  # both sizes hold late projects, so both list them
    large = counts_at(db, client, 60, urls)
    assert large == small


def test_the_project_page_queries_do_not_grow_with_its_monthly_reports(db, client):
    savepoint = db.session.begin_nested()
    try:
        generate(db.session.connection(), projects=3, seed=5, report_month=dt.date(2026, 10, 1))
        project_id = db.session.scalar(sa.select(sa.func.max(Project.id)))
        with_36_reports = statements_for(db, client, f"/projects/{project_id}")
        db.session.execute(sa.delete(MonthlyReport).where(
            MonthlyReport.project_id == project_id, MonthlyReport.month < dt.date(2026, 8, 1)))
        db.session.expire_all()
        with_3_reports = statements_for(db, client, f"/projects/{project_id}")
    finally:
        savepoint.rollback()
    assert with_36_reports == with_3_reports
