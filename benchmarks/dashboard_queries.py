"""Time the dashboard's queries and the briefing PDF on the configured database.

    .venv/bin/tracker demo-data --projects 10000      # into a fresh database
    .venv/bin/python benchmarks/dashboard_queries.py

Prints, for the whole portfolio, the first province and the first city: the number of SQL
statements one dashboard costs (fixed, whatever the portfolio size), the median and worst of five
builds computed afresh (``queries.compute``: the figures cache bypassed), one cached build,
and the time to draw the PDF.
"""

from __future__ import annotations

import statistics
import time

import sqlalchemy as sa

from tracker import create_app
from tracker.dashboard import briefing, queries
from tracker.dashboard.scope import Scope
from tracker.extensions import db
from tracker.models import Milestone, MonthlyReport, Project, Region
from tracker.portfolio.filters import PortfolioFilter


def main() -> None:
    app = create_app()
    with app.app_context():
        print({model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
               for model in (Project, MonthlyReport, Milestone)})
        province = db.session.scalar(sa.select(Region).where(Region.level == "province").order_by(Region.key))
        city = db.session.scalar(sa.select(Region).where(Region.level == "city").order_by(Region.key))
        for label, args in (("all", {}), (f"province {province.key}", {"region": province.key}),
                            (f"city {city.key}", {"region": city.key})):
            scope = Scope(PortfolioFilter(**args))
            statements: list[str] = []

            def count(*arguments):
                statements.append(arguments[2])

            sa.event.listen(db.engine, "before_cursor_execute", count)
            times = []
            for _ in range(5):
                started = time.perf_counter()
                board = queries.compute(Scope(scope.filter, scope.year, scope.today))
                times.append(time.perf_counter() - started)
            sa.event.remove(db.engine, "before_cursor_execute", count)
            queries.build(scope)
            started = time.perf_counter()
            queries.build(scope)  # served by the figures cache on PostgreSQL while nothing changed
            cached = time.perf_counter() - started
            started = time.perf_counter()
            pdf = briefing.render(board)
            drawn = time.perf_counter() - started
            print(f"{label:22s} projects={board.headline.totals.projects:7d} "
                  f"queries={len(statements) // 5:3d} median={statistics.median(times) * 1000:6.0f} ms "
                  f"max={max(times) * 1000:6.0f} ms cached={cached * 1000:6.1f} ms pdf={drawn * 1000:5.0f} ms ({len(pdf) // 1024} KiB)")


if __name__ == "__main__":
    main()
