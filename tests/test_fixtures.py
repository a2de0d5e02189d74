"""The fixtures the other tests stand on: `seeded` is the five plans, `db` alone is empty, and
what a test changes in either is gone for the next test (tests/conftest.py)."""

from __future__ import annotations

import sqlalchemy as sa

from tracker.accounts.models import User
from tracker.plans.models import Plan
from tracker.projects.models import Project

LONGNAN_LAB = "赣州市龙南市疾病预防控制中心实验楼建设项目"


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_without_seeded_the_database_is_empty(db):
    assert (count(db, Project), count(db, Plan), count(db, User)) == (0, 0, 0)


def test_seeded_holds_the_five_plans_and_their_projects(db, seeded):
    assert count(db, Plan) >= 5 and count(db, Project) > 200
    assert seeded.created == count(db, Project)


def test_a_seeded_test_may_change_the_seed_and_commit(db, seeded, make_user):
    make_user("leader")
    db.session.execute(sa.delete(Project).where(Project.name == LONGNAN_LAB))
    db.session.commit()
    assert db.session.scalar(sa.select(Project).where(Project.name == LONGNAN_LAB)) is None


def test_the_next_seeded_test_sees_the_seed_as_loaded(db, seeded):
    assert db.session.scalar(sa.select(Project).where(Project.name == LONGNAN_LAB)) is not None
    assert count(db, User) == 0


def test_the_next_empty_test_sees_nothing_of_either(db):
    assert (count(db, Project), count(db, User)) == (0, 0)


def test_demo_holds_the_generated_portfolio_with_its_statistics(db, demo):
    assert demo.projects == 1000 == count(db, Project)
    if db.session.get_bind().dialect.name == "sqlite":  # ANALYZE's, which the planner reads
        assert db.session.scalar(sa.text("SELECT COUNT(*) FROM sqlite_stat1")) > 0


def test_a_loaded_database_is_built_by_the_first_worker_and_copied_by_the_others(tmp_path):
    """On SQLite under xdist (tests/conftest.py, ``_once_per_run``): the second worker to ask gets
    the first one's file and report, and builds nothing."""
    import sqlite3

    from .conftest import _once_per_run

    shared = tmp_path / "run"
    shared.mkdir()
    built = []

    def build_into(path):
        def build():
            built.append(path)
            with sqlite3.connect(path) as connection:
                connection.execute("CREATE TABLE t (n INTEGER)")
                connection.execute("INSERT INTO t VALUES (42)")
            connection.close()
            return {"rows": 1}
        return build

    first, second = tmp_path / "gw0.sqlite3", tmp_path / "gw1.sqlite3"
    for path in (first, second):
        sqlite3.connect(path).close()  # each worker's empty copy
    assert _once_per_run(shared, "kind", f"sqlite:///{first}", build_into(first)) == {"rows": 1}
    assert _once_per_run(shared, "kind", f"sqlite:///{second}", build_into(second)) == {"rows": 1}
    assert built == [first]
    with sqlite3.connect(second) as connection:
        assert connection.execute("SELECT n FROM t").fetchall() == [(42,)]
    connection.close()
    # Without a shared directory (one process, or PostgreSQL) every caller builds its own.
    third = tmp_path / "alone.sqlite3"
    _once_per_run(None, "kind", f"sqlite:///{third}", build_into(third))
    assert built == [first, third]
