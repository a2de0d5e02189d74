"""Cached portfolio totals are never older than the last change (PostgreSQL; SQLite caches nothing).

The test writes through a second connection that commits for real, as another worker would, and
removes what it wrote at the end. Its lists are of a region, a category *and a 建设性质*: the totals
of a region and a kind, with at most one status, category or 建设性质, come from the kept figures
(portfolio/kept.py), which nothing caches.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tracker.database import utcnow
from tracker.portfolio import cache, kept, queries
from tracker.portfolio.filters import PortfolioFilter
from tracker.projects.models import Project
from tracker.regions.models import Region

KEY = "cachetest"
CACHED = PortfolioFilter(region=KEY, category="other", build_nature="unknown")


@pytest.fixture()
def other_worker(app, db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("figures are cached on PostgreSQL only")
    cache.clear()
    engine = db.engine
    with engine.begin() as connection:
        region_id = connection.execute(sa.insert(Region).values(
            key=KEY, code=None, name="缓存测试县", level="county", parent_id=None,
            path=f"/{KEY}/").returning(Region.id)).scalar()

    def add_project(amount: str) -> None:
        with engine.begin() as connection:
            connection.execute(sa.insert(Project).values(
                name="缓存测试项目", region_id=region_id, kind="construction", category="other",
                total_investment=Decimal(amount), land_area_approx=False, floor_area_approx=False,
                total_investment_approx=False, search_text="缓存测试项目", version=1,
                created_at=utcnow(), updated_at=utcnow()))

    yield add_project
    with engine.begin() as connection:
        connection.execute(sa.delete(Project).where(Project.region_id == region_id))
        connection.execute(sa.delete(Region).where(Region.id == region_id))
    cache.clear()


def aggregate_queries(db, call) -> int:
    seen = []

    def count(_conn, _cursor, statement, *_args):
        if "sum(" in statement.lower():
            seen.append(statement)
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        call()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_a_total_changes_with_the_next_commit_and_is_reused_until_then(db, other_worker):
    portfolio = CACHED
    assert kept.breakdown(portfolio) is None
    other_worker("100.25")
    first = queries.totals(portfolio)
    assert (first.projects, first.total_investment) == (1, Decimal("100.25"))

    # Unchanged database: the sum is served without running it again (another connection on the
    # server may end a transaction in between, so a few tries are allowed).
    assert any(aggregate_queries(db, lambda: queries.totals(portfolio)) == 0 for _ in range(20))

    other_worker("0.75")  # another worker commits a project
    after = queries.totals(portfolio)
    assert (after.projects, after.total_investment) == (2, Decimal("101.00"))


def test_a_transaction_that_wrote_sees_its_own_change_not_a_cached_total(db, other_worker):
    portfolio = CACHED
    other_worker("5")
    assert queries.totals(portfolio).projects == 1
    region = db.session.scalar(sa.select(Region).where(Region.key == KEY))
    db.session.add(Project(name="本事务新增", region=region, kind="construction", category="other",
                           total_investment=Decimal("1"), search_text="x",
                           planned_start=dt.date(2026, 1, 1)))
    db.session.flush()
    try:
        assert queries.totals(portfolio).projects == 2
    finally:
        db.session.rollback()  # release the row lock before the other connection cleans up
