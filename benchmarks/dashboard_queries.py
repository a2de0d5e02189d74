"""Time the dashboard without the figures cache, against its floor, on the configured database.

    .venv/bin/tracker demo-data --projects 100000      # into a fresh database (or a copy)
    TRACKER_DATABASE_URL=… .venv/bin/python benchmarks/dashboard_queries.py [--runs 15] [--pdf]

For the whole portfolio, the first province and the first city, alternating in one run:

- ``kept``: ``queries.compute``, the dashboard as the page computes it (read from the kept
  figures, portfolio/kept.py), the figures cache bypassed;
- ``fresh``: ``queries.compute_fresh``, every figure from the projects (what any other filter costs);
- ``floor``: the bare SQL of one grouped pass over the scope's projects (status × category ×
  建设性质: counts and sums), the issue's floor;

each the median (p50) and worst of ``--runs`` runs, with the number of SQL statements, the ratio
kept / floor, and where the kept path's time goes (its slowest statements).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import defaultdict

import sqlalchemy as sa

from tracker import create_app
from tracker.dashboard import briefing, queries
from tracker.dashboard.scope import Scope
from tracker.extensions import db
from tracker.models import Milestone, MonthlyReport, Project, Region
from tracker.portfolio import cache
from tracker.portfolio.filters import PortfolioFilter
from tracker.projects.terms import BUILDING_KINDS

FLOOR = """SELECT status, category, build_nature, COUNT(*), COUNT(total_investment),
 SUM(total_investment), COUNT(invested_to_date), SUM(invested_to_date)
 FROM projects WHERE kind IN ({kinds}) {region} GROUP BY status, category, build_nature"""


def floor_sql(region: Region | None) -> str:
    kinds = ", ".join(f"'{kind.value}'" for kind in BUILDING_KINDS)
    where = (f"AND region_id IN (SELECT id FROM regions WHERE path LIKE '{region.path}%')"
             if region else "")
    return FLOOR.format(kinds=kinds, region=where)


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--pdf", action="store_true", help="also time drawing the briefing PDF")
    options = parser.parse_args()
    app = create_app()
    with app.app_context():
        print({model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
               for model in (Project, MonthlyReport, Milestone)})
        province = db.session.scalar(sa.select(Region).where(Region.level == "province").order_by(Region.key))
        city = db.session.scalar(sa.select(Region).where(Region.level == "city").order_by(Region.key))
        scopes = {"all": None, f"province {province.key}": province, f"city {city.key}": city}
        times: dict[tuple[str, str], list[float]] = defaultdict(list)
        statements: dict[str, list[tuple[float, str]]] = defaultdict(list)
        started_at: dict[int, float] = {}

        def before(_conn, cursor, *_args):
            started_at[id(cursor)] = time.perf_counter()

        label = ""

        def after(_conn, cursor, statement, *_args):
            spent = (time.perf_counter() - started_at.pop(id(cursor), time.perf_counter())) * 1000
            statements[label].append((spent, " ".join(statement.split())[:110]))

        for run in range(options.runs + 1):  # the first run warms the caches and is not counted
            for label, region in scopes.items():
                scope = Scope(PortfolioFilter(region=region.key if region else None))
                cache.clear()
                if run == options.runs:  # the last run: where the kept path's time goes
                    sa.event.listen(db.engine, "before_cursor_execute", before)
                    sa.event.listen(db.engine, "after_cursor_execute", after)
                kept = timed(lambda: queries.compute(Scope(scope.filter, scope.year, scope.today)))
                if run == options.runs:
                    sa.event.remove(db.engine, "before_cursor_execute", before)
                    sa.event.remove(db.engine, "after_cursor_execute", after)
                fresh = timed(lambda: queries.compute_fresh(Scope(scope.filter, scope.year, scope.today)))
                floor = timed(lambda: db.session.execute(sa.text(floor_sql(region))).all())
                db.session.rollback()
                if run:
                    for name, value in (("kept", kept), ("fresh", fresh), ("floor", floor)):
                        times[(label, name)].append(value)
        for label in scopes:
            kept_p50 = statistics.median(times[(label, "kept")])
            floor_p50 = statistics.median(times[(label, "floor")])
            print(f"{label:18s} " + "  ".join(
                f"{name} p50={statistics.median(times[(label, name)]):6.1f} ms "
                f"max={max(times[(label, name)]):6.1f}" for name in ("kept", "fresh", "floor"))
                + f"  kept/floor={kept_p50 / floor_p50:4.2f}  statements={len(statements[label])}")
            for spent, text in sorted(statements[label], reverse=True)[:4]:
                print(f"    {spent:6.1f} ms  {text}")
        if options.pdf:
            board = queries.compute(Scope(PortfolioFilter()))
            print(f"pdf {timed(lambda: briefing.render(board)):6.0f} ms")


if __name__ == "__main__":
    main()
