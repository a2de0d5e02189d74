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
