"""No storable data makes a page fail (issue 14 item 2).

930 projects at the largest 总投资 the services accept (1e12 万元) overflowed SQLite's 64-bit
integer SUM (money is a scaled integer there), and every total was a 503 "数据库暂时无法连接" for
everyone. Here ten projects hold the largest amount the columns store (99,999,999,999,999.9999
万元), which overflows the same way, and every page and export that sums them must answer.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tracker.audit.services import CLI
from tracker.database import exact_sum
from tracker.models import Project
from tracker.progress import services as progress

from .browsers import browser
from .factories import county_in_city, project

COLUMN_MAX = Decimal("99999999999999.9999")  # Money = ExactDecimal(18, 4)
HOW_MANY = 10


def store_raw(db, table: str, column: str, ids: list[int], value: Decimal) -> None:
    """Write ``value`` as the column stores it, past every service's bound."""
    raw = int(value.scaleb(4)) if db.engine.dialect.name == "sqlite" else value
    db.session.execute(sa.text(f"UPDATE {table} SET {column} = :value WHERE id IN ({','.join(map(str, ids))})"),
                       {"value": raw})


@pytest.fixture()
def huge(app, db, make_user):
    _, _, county = county_in_city()
    projects = [project(county, kind="construction", category="cdc", total_investment=1000)
                for _ in range(HOW_MANY)]
    for row in projects:
        progress.add_funding_line(CLI, row, source="central_budget", amount="1")
        progress.set_annual_plan(CLI, row, dt.date.today().year, "1")
    db.session.flush()
    ids = [row.id for row in projects]
    for column in ("total_investment", "invested_to_date", "current_estimate"):
        store_raw(db, "projects", column, ids, COLUMN_MAX)
    store_raw(db, "funding_lines", "amount",
              list(db.session.scalars(sa.text("SELECT id FROM funding_lines"))), COLUMN_MAX)
    store_raw(db, "annual_plans", "planned_investment",
              list(db.session.scalars(sa.text("SELECT id FROM annual_plans"))), COLUMN_MAX)
    db.session.commit()
    db.session.expire_all()
    return {"leader": browser(app, make_user("leader", username="sum-leader")), "ids": ids}


def test_a_money_sum_past_64_bits_is_exact(huge, db):
    total = db.session.scalar(sa.select(exact_sum(Project.total_investment)))
    assert total == COLUMN_MAX * HOW_MANY
    halves = db.session.scalar(sa.select(exact_sum(sa.case((Project.id.in_(huge["ids"][:5]),
                                                            Project.invested_to_date)))))
    assert halves == COLUMN_MAX * 5
    assert db.session.scalar(sa.select(exact_sum(Project.total_investment)).where(Project.id < 0)) is None


@pytest.mark.parametrize("path", [
    "/projects", "/dashboard", "/regions/360783", "/projects/export.csv", "/projects/export.xlsx",
    "/projects/export.json", "/projects/export.oc4ids.json", "/projects/export.pdf",
    "/dashboard/briefing.pdf",
])
def test_every_total_answers_however_large_the_amounts(huge, path):
    response = huge["leader"].get(path)
    body = response.get_data()
    assert response.status_code == 200, body[:2000].decode("utf-8", "replace")
    if path in ("/projects", "/dashboard"):
        # 999,999,999,999,999.999 万元 in all, shown to the last digit the page shows
        assert "999,999,999,999,999" in body.decode(), body.decode()[:3000]


def test_an_error_that_is_not_an_outage_is_not_called_one(app, db, make_user, monkeypatch):
    """A query the database refuses (SQLite's own "integer overflow"; PostgreSQL's "index row size
    exceeds maximum", class 54) is a server error, logged as one: not "数据库暂时无法连接" with
    Retry-After, which sends people away to wait for a database that is up."""
    from tracker.portfolio import queries

    def refused(*args, **kwargs):
        if db.engine.dialect.name == "sqlite":
            db.session.execute(sa.text(
                "SELECT SUM(x) FROM (SELECT 9223372036854775807 AS x UNION ALL SELECT 1)"))
        import psycopg
        raise sa.exc.OperationalError("INSERT …", {}, psycopg.errors.ProgramLimitExceeded(
            "index row size 9000 exceeds btree version 4 maximum 2704"))
    monkeypatch.setattr(queries, "_totals", refused)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = browser(app, make_user("leader", username="err-leader")).get("/projects?q=overflow")
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    html = response.get_data(as_text=True)
    assert response.status_code == 500, html[:2000]
    assert "数据库暂时无法连接" not in html and "Retry-After" not in response.headers


@pytest.mark.parametrize("message", ["database is locked", "unable to open database file", "disk I/O error"])
def test_a_database_that_cannot_answer_is_still_a_503(app, db, make_user, monkeypatch, message):
    import sqlite3

    from tracker.portfolio import queries

    def unavailable(*args, **kwargs):
        raise sa.exc.OperationalError("SELECT …", {}, sqlite3.OperationalError(message))
    monkeypatch.setattr(queries, "_totals", unavailable)
    response = browser(app, make_user("leader", username="down-leader")).get("/projects?q=down")
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert "数据库暂时无法连接" in response.get_data(as_text=True)


def test_a_save_the_database_could_not_take_says_it_was_not_saved(app, db, make_user, monkeypatch):
    """A QA walk's complaint: a report refused with 503 after the write lock's wait said
    "恢复后无需其他操作" (nothing to do once it recovers), and the report was not saved."""
    import sqlite3

    from tracker.projects import services
    from . import factories

    project = factories.project()
    db.session.commit()
    officer = make_user("officer", project.region.key, username="locked-officer")

    def locked(*args, **kwargs):
        raise sa.exc.OperationalError("UPDATE …", {}, sqlite3.OperationalError("database is locked"))
    from .live import forms_in

    client = browser(app, officer)
    page = client.get(f"/projects/{project.id}/edit").get_data(as_text=True)
    form = next(f for f in forms_in(page) if f.method == "post" and f.action == "")  # posts back
    monkeypatch.setattr(services, "update_project", locked)
    from werkzeug.datastructures import MultiDict
    response = client.post(f"/projects/{project.id}/edit", data=MultiDict(form.values(owner_unit="锁住时保存的单位")))
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "刚才提交的内容没有保存" in html and "无需其他操作" not in html
