"""Cached portfolio totals are never older than the last write to the portfolio, and only such a
write empties them (portfolio/cache.py), on both databases.

The tests write through other connections that commit for real, as another worker would, and read
as a request does (each read in a transaction of its own); they remove what they wrote at the end.
Their lists are of a region, a category *and a 建设性质*: the totals of a region and a kind, with
at most one status, category or 建设性质, come from the kept figures (portfolio/kept.py), which
nothing caches.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from tracker.accounts.models import LoginFailure, User
from tracker.database import utcnow
from tracker.extensions import db
from tracker.home.models import SavedView
from tracker.portfolio import cache, kept, queries
from tracker.portfolio.filters import PortfolioFilter
from tracker.projects.models import Project
from tracker.regions.models import Region
from tracker.vocabulary import Role

T = TypeVar("T")
KEY = "cachetest"
CACHED = PortfolioFilter(region=KEY, category="other", build_nature="unknown")


class Worker:
    """Another worker of the same database: each call commits."""

    def __init__(self, engine: sa.Engine, region_id: int) -> None:
        self.engine, self.region_id = engine, region_id

    def add_project(self, amount: str) -> None:
        with Session(self.engine) as session:
            session.add(Project(name="缓存测试项目", region_id=self.region_id, kind="construction",
                                category="other", total_investment=Decimal(amount),
                                search_text="缓存测试项目"))
            session.commit()

    def core_update(self, amount: str) -> None:
        """A Core bulk write (as the importer's and the demo generator's), no session."""
        with self.engine.begin() as connection:
            connection.execute(sa.update(Project).where(Project.region_id == self.region_id)
                               .values(total_investment=Decimal(amount)))

    def unrelated(self) -> None:
        """What every request may write: a saved view, a failed sign-in, a user's row."""
        with Session(self.engine) as session:
            user = User(username=f"cache-{uuid.uuid4().hex[:8]}", password_hash="x", role=Role.LEADER,
                        session_token=uuid.uuid4().hex, created_at=utcnow())
            session.add(user)
            session.flush()
            session.add(SavedView(user_id=user.id, name="在建", page="list", query="status=construction",
                                  created_at=utcnow()))
            session.add(LoginFailure(scope="login", account="nobody", address="127.0.0.1", at=utcnow()))
            session.commit()


@pytest.fixture()
def worker(app):
    with app.app_context():
        cache.clear()
        engine = db.engine
        with engine.begin() as connection:
            region_id = connection.execute(sa.insert(Region).values(
                key=KEY, code=None, name="缓存测试县", level="county", parent_id=None,
                path=f"/{KEY}/").returning(Region.id)).scalar()
        try:
            yield Worker(engine, region_id)
        finally:
            db.session.remove()
            with engine.begin() as connection:
                connection.execute(sa.delete(Project).where(Project.region_id == region_id))
                connection.execute(sa.delete(Region).where(Region.id == region_id))
                connection.execute(sa.delete(SavedView).where(SavedView.user_id.in_(
                    sa.select(User.id).where(User.username.startswith("cache-")))))
                connection.execute(sa.delete(User).where(User.username.startswith("cache-")))
                connection.execute(sa.delete(LoginFailure).where(LoginFailure.account == "nobody"))
            cache.clear()


def as_a_request(call: Callable[[], T], word: str) -> tuple[T, int]:
    """``call()`` as a request makes it (a transaction of its own), and how many of its statements
    hold ``word``."""
    db.session.remove()
    seen = []

    def count(_conn, _cursor, statement, *_args):
        if word in statement.lower():
            seen.append(statement)
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        value = call()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
        db.session.remove()
    return value, len(seen)


def read(portfolio: PortfolioFilter = CACHED) -> tuple[queries.Totals, int]:
    """The totals as a request reads them, and how many sums it ran."""
    return as_a_request(lambda: queries.totals(portfolio), "sum(")


def test_a_total_is_reused_until_a_write_to_the_portfolio_commits(worker):
    assert kept.breakdown(CACHED) is None
    worker.add_project("100.25")
    first, sums = read()
    assert (first.projects, first.total_investment, sums) == (1, Decimal("100.25"), 1)
    assert read() == (first, 0)  # nothing changed: served without summing again

    worker.add_project("0.75")  # another worker commits a project
    after, sums = read()
    assert (after.projects, after.total_investment, sums) == (2, Decimal("101.00"), 1)
    assert read() == (after, 0)

    worker.core_update("3")  # a Core write, no session: seen too
    assert read() == (queries.Totals(2, 2, Decimal("6.0000"), 0, None, 0, None, 0, None, 0, None), 1)


def test_a_write_to_what_the_figures_do_not_read_leaves_the_cache_alone(worker):
    worker.add_project("5")
    first, _sums = read()
    worker.unrelated()
    assert read() == (first, 0)


def test_a_commit_in_another_database_of_the_server_leaves_the_cache_alone(worker):
    """The last stamp, PostgreSQL's snapshot, changed with every commit on the server: one write
    in any other database emptied every worker's cache."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("a server of several databases: PostgreSQL")
    worker.add_project("5")
    first, _sums = read()
    other = sa.create_engine(db.engine.url.set(database="postgres"))
    try:
        with other.begin() as connection:
            assert connection.execute(sa.text("SELECT pg_current_xact_id()")).scalar()  # it writes
    finally:
        other.dispose()
    assert read() == (first, 0)


def test_a_transaction_that_wrote_sees_its_own_change_not_a_cached_total(worker):
    worker.add_project("5")
    assert read()[0].projects == 1
    assert read()[1] == 0  # cached
    db.session.add(Project(name="本事务新增", region_id=worker.region_id, kind="construction",
                           category="other", total_investment=Decimal("1"), search_text="x",
                           planned_start=dt.date(2026, 1, 1)))
    try:
        assert queries.totals(CACHED).projects == 2  # flushed, summed, and not kept
        assert queries.totals(CACHED).projects == 2
    finally:
        db.session.rollback()
    assert read() == (queries.totals(CACHED), 0)  # the rollback bumped nothing: still cached
    assert read()[0].projects == 1


def test_a_write_is_recognised_by_its_table_whatever_writes_it():
    from tracker.portfolio.cache import _writes_figures
    from tracker.accounts.models import UserSession
    assert _writes_figures(sa.update(Project).values(beds=1))
    assert _writes_figures(sa.insert(Region))
    assert _writes_figures(sa.delete(sa.table("plans")))
    assert not _writes_figures(sa.update(UserSession).values(ended_at=None))
    assert not _writes_figures(sa.insert(SavedView))
    assert not _writes_figures(sa.select(Project.id))
    assert _writes_figures(sa.text("UPDATE projects SET beds = 1"))
    assert _writes_figures('insert into "monthly_reports" values (1)')
    assert _writes_figures("DELETE FROM funding_lines")
    assert _writes_figures("ALTER TABLE projects ADD COLUMN x int")
    assert not _writes_figures(sa.text("DELETE FROM login_failures WHERE at < :at"))
    assert not _writes_figures("UPDATE users SET last_seen = now()")
    assert not _writes_figures("SELECT setval('projects_id_seq', 3)")
    assert not _writes_figures("SET LOCAL jit = off")


def menu() -> tuple[str, int]:
    """The filters' region menu as a request renders it, and how many statements read regions."""
    from tracker.regions.services import region_options

    return as_a_request(lambda: str(region_options()), "regions")


def test_the_region_menu_is_kept_until_a_write_and_follows_it(worker):
    """The menu (regions with projects) is rendered again only when the change stamp moves: a
    first project in a region adds it, a rename renames it; a request between reads no region."""
    first, _reads = menu()
    assert f'<option value="{KEY}">' not in first
    worker.add_project("1")
    added, reads = menu()
    assert '<option value="cachetest">缓存测试县</option>' in added and reads
    assert menu() == (added, 0)  # nothing changed: not one statement over the regions
    worker.unrelated()
    assert menu() == (added, 0)
    with worker.engine.begin() as connection:
        connection.execute(sa.update(Region).where(Region.id == worker.region_id).values(name="缓存改名县"))
    renamed, _reads = menu()
    assert '<option value="cachetest">缓存改名县</option>' in renamed


def test_the_region_menu_outlasts_the_reports_and_figures_but_not_a_project_moved_or_removed(worker):
    """The menu follows its own stamp (cache.MENU): a write that changes a project's figures (its
    总投资, a Core bulk write, or a field through the ORM) leaves it, with no statement over the
    regions; a project moved to another region, or deleted, moves it, and the menu follows."""
    worker.add_project("1")
    shown, _reads = menu()
    assert f'<option value="{KEY}">' in shown
    assert menu() == (shown, 0)
    worker.core_update("2")
    with Session(worker.engine) as session:
        project = session.scalars(sa.select(Project).where(Project.region_id == worker.region_id)).one()
        project.beds = 120
        session.commit()
    assert menu() == (shown, 0)  # figures written: the portfolio's stamp moved, not the menu's
    with worker.engine.begin() as connection:
        elsewhere = connection.execute(sa.insert(Region).values(
            key=f"{KEY}-2", code=None, name="缓存迁入县", level="county", parent_id=None,
            path=f"/{KEY}-2/").returning(Region.id)).scalar()
    try:
        with Session(worker.engine) as session:
            project = session.scalars(sa.select(Project).where(Project.region_id == worker.region_id)).one()
            project.region_id = elsewhere
            session.commit()
        moved, reads = menu()
        assert reads and f'<option value="{KEY}">' not in moved and f'<option value="{KEY}-2">' in moved
        with worker.engine.begin() as connection:
            connection.execute(sa.delete(Project).where(Project.region_id == elsewhere))
        removed, reads = menu()
        assert reads and f'<option value="{KEY}-2">' not in removed
    finally:
        with worker.engine.begin() as connection:
            connection.execute(sa.delete(Project).where(Project.region_id == elsewhere))
            connection.execute(sa.delete(Region).where(Region.id == elsewhere))


def test_what_moves_the_region_menu_is_read_from_the_sql_a_write_ran():
    """``_MENU_WRITE``: the regions written, a project added or deleted, region_id set; not a
    project's other columns, nor a WHERE that names region_id."""
    from tracker.portfolio.cache import _MENU_WRITE

    moves = ["INSERT INTO projects (name, region_id) VALUES (?, ?)", "DELETE FROM projects WHERE id = ?",
             "UPDATE projects SET region_id=?, version=? WHERE projects.id = ?",
             'UPDATE "projects" SET name=%(name)s, region_id=%(region_id)s WHERE id = 1',
             "UPDATE regions SET name=? WHERE regions.id = ?", "INSERT OR IGNORE INTO regions VALUES (1)",
             "DELETE FROM regions", "ALTER TABLE projects ADD COLUMN x int", "TRUNCATE projects",
             "WITH moved AS (SELECT 1) UPDATE projects SET beds = 1", "COPY projects FROM STDIN"]
    stays = ["UPDATE projects SET beds=?, version=? WHERE projects.id = ?",
             "UPDATE projects SET total_investment=? WHERE projects.region_id = ?",
             "INSERT INTO monthly_reports (project_id) VALUES (?)",
             "DELETE FROM project_search_grams WHERE project_id IN (1)",
             "UPDATE portfolio_figures SET projects = projects + 1 WHERE region_id = 3"]
    assert [sql for sql in moves if not _MENU_WRITE.match(sql)] == []
    assert [sql for sql in stays if _MENU_WRITE.match(sql)] == []
