"""What the figures cache (portfolio/cache.py) saves a read and costs a write, in-process, on the
configured database (use a copy: it commits one bump per run and nothing else):

    TRACKER_DATABASE_URL=… .venv/bin/python benchmarks/figure_cache_cost.py [--runs 20]

For each list filter the kept rows do not answer: the totals computed (the cache emptied first)
and served from the cache (p50, ms, CPU seconds of this process and the database's wait alike);
then the stamp's read alone, and the stamp's bump alone (the statement a writing commit adds).
"""

from __future__ import annotations

import argparse
import statistics
import time

import sqlalchemy as sa

FILTERS = (("search 妇幼, every kind", {"q": "妇幼", "kind": "all"}),
           ("滞后 (late)", {"late": "1"}),
           ("本月未报 (unreported)", {"unreported": "1"}),
           ("status construction and a category", {"status": "construction", "category": "cdc"}))


def p50(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    options = parser.parse_args()

    from tracker import create_app
    from tracker.extensions import db
    from tracker.portfolio import cache, queries
    from tracker.portfolio.filters import PortfolioFilter

    app = create_app()
    with app.app_context():
        print(db.engine.url.render_as_string(hide_password=True))
        for name, args in FILTERS:
            portfolio = PortfolioFilter.from_args(args)
            fresh, cached = [], []
            for _ in range(options.runs):
                cache.clear()
                db.session.remove()
                started = time.perf_counter()
                queries.totals(portfolio)
                fresh.append(time.perf_counter() - started)
                db.session.remove()
                started = time.perf_counter()
                queries.totals(portfolio)
                cached.append(time.perf_counter() - started)
            print(f"  {name:<40} computed p50 {p50(fresh):7.2f} ms   from the cache p50 "
                  f"{p50(cached):5.2f} ms")
        reads, bumps = [], []
        for _ in range(options.runs * 5):
            db.session.remove()
            started = time.perf_counter()
            cache._stamp()
            reads.append(time.perf_counter() - started)
        connection = db.session.connection()
        statement = cache._BUMP[connection.dialect.name]
        for _ in range(options.runs * 5):
            started = time.perf_counter()
            connection.exec_driver_sql(statement)
            bumps.append(time.perf_counter() - started)
        db.session.commit()
        print(f"  the stamp read (a new transaction)       p50 {p50(reads):5.2f} ms")
        print(f"  the stamp bump (one more statement)      p50 {p50(bumps):5.2f} ms")
        db.session.remove()
        with db.engine.connect() as plain:
            print("  stamp now:", plain.execute(sa.text("SELECT stamp FROM portfolio_changes")).scalar())


if __name__ == "__main__":
    main()
