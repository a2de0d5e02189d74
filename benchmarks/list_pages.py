"""The list page in-process: Flask test client signed in as a leader, no HTTP, no gunicorn.

    TRACKER_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/list_100k \
        .venv/bin/python -m benchmarks.list_pages [--repeats 30]

Prints p50 / p95 of the wall time, the median Python CPU time of the process and time spent
waiting on SQL statements (both less disturbed by a busy machine than the wall time), and the
number of SQL statements of: the first page, a city (the median city by
projects, as benchmarks/measure.py picks it), sorted by 总投资 largest first, the deep page by its
number (``?page=N``, N = half the pages) and the same page reached by its neighbour's “下一页” link
(keyset). The leader ``bench-leader`` is created when missing. Run it on a quiet machine: the
figures are wall-clock.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import statistics
import time

import sqlalchemy as sa

SKIPPED = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|PRAGMA)", re.I)
LEADER = "bench-leader"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--clear-cache", action="store_true",
                        help="empty the figures cache before each request (the totals' worst case)")
    options = parser.parse_args()

    from tracker import create_app
    from tracker.accounts import services as account_services
    from tracker.accounts.models import User
    from tracker.audit.services import Actor
    from tracker.extensions import db
    from tracker.portfolio import cache as figure_cache

    app = create_app()
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == LEADER))
        if user is None:
            user = account_services.create_user(Actor(None, "cli"), LEADER, "leader", "Bench-reading-2026")
            db.session.commit()
        from tracker.accounts import sessions
        signed_in = sessions.cookie(user)
        db.session.commit()
        cities = db.session.execute(sa.text(
            "SELECT r.key, count(p.id) AS n FROM regions r JOIN regions k ON k.path LIKE r.path || '%' "
            "JOIN projects p ON p.region_id = k.id WHERE r.level = 'city' AND r.key LIKE 'demo-%' "
            "GROUP BY r.key ORDER BY n, r.key")).all()
        city = cities[len(cities) // 2][0]
        count = db.session.scalar(sa.text(
            "SELECT count(*) FROM projects WHERE kind IN ('construction', 'equipment')"))
        db.session.rollback()
    deep = max(1, -(-count // app.config["PAGE_SIZE"]) // 2)

    client = app.test_client()
    with client.session_transaction() as session:
        session.update(signed_in)

    with app.app_context():
        before_deep = client.get(f"/projects?page={deep - 1}").get_data(as_text=True)
    found = re.search(r'<a rel="next" href="([^"]+)"', before_deep)
    seek = html.unescape(found.group(1)) if found else None

    urls = [("first page", "/projects"), (f"a city ({city})", f"/projects?region={city}"),
            ("sorted by investment, desc", "/projects?sort=investment&order=desc"),
            (f"page {deep} by number", f"/projects?page={deep}")]
    if seek:
        urls.append((f"page {deep} by the next link", seek))
    else:
        print("(no keyset next link on the page: this build pages by OFFSET only)")

    with app.app_context():
        engine = db.engine
    print(f"{count:,} projects in the default list; {os.environ.get('TRACKER_DATABASE_URL', '')}")
    for name, url in urls:
        seen: list[str] = []

        def hook(_conn, _cursor, statement, _parameters, _context, _many):
            if not SKIPPED.match(statement):
                seen.append(statement)

        for _ in range(2):  # warm-up
            assert client.get(url).status_code == 200, url
        sa.event.listen(engine, "before_cursor_execute", hook)
        try:
            client.get(url)
        finally:
            sa.event.remove(engine, "before_cursor_execute", hook)
        timings, cpu, sql = [], [], []
        waited = [0.0]

        def started_statement(_conn, _cursor, _statement, _parameters, context, _many):
            context._bench_started = time.perf_counter()

        def ended_statement(_conn, _cursor, _statement, _parameters, context, _many):
            waited[0] += time.perf_counter() - context._bench_started

        sa.event.listen(engine, "before_cursor_execute", started_statement)
        sa.event.listen(engine, "after_cursor_execute", ended_statement)
        try:
            for _ in range(options.repeats):
                if options.clear_cache:
                    figure_cache.clear()
                waited[0] = 0.0
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                timings.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
                sql.append(waited[0])
                assert response.status_code == 200, url
        finally:
            sa.event.remove(engine, "before_cursor_execute", started_statement)
            sa.event.remove(engine, "after_cursor_execute", ended_statement)
        timings.sort()
        p95 = timings[min(len(timings) - 1, int(round(0.95 * (len(timings) - 1))))]
        print(f"  {name:<30} p50 {statistics.median(timings) * 1000:6.1f} ms  p95 {p95 * 1000:6.1f} ms"
              f"  (python cpu {statistics.median(cpu) * 1000:5.1f} ms, sql wait "
              f"{statistics.median(sql) * 1000:5.1f} ms)  {len(seen)} statements  {url}")


if __name__ == "__main__":
    main()
