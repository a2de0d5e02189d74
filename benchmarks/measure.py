"""What the benchmark measures: pages through gunicorn, their SQL floors, exports, report
submissions, Datasette side by side, and throughput under load. Every loop is bounded in count
and in time; every request goes to 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import shutil
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from unittest import mock
from urllib.parse import quote

import sqlalchemy as sa

from . import servers
from .client import Client
from .datasets import LEADER, LEADER_PASSWORD, Dataset, engine_for


@dataclass
class Stats:
    samples: list[float]

    @property
    def n(self) -> int:
        return len(self.samples)

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


@dataclass
class PageResult:
    name: str
    path: str
    part: str = "list"  # the --parts name that measures it
    fresh: bool = False  # the figures cache emptied before each request (Invalidator)
    stats: Stats | None = None
    floor: Stats | None = None
    # A list's bare floor: its statements with the totals summed from its projects, as a database
    # must without the figures kept at write time (issue 19's "bare floor", like the dashboard's
    # one grouped pass). Pages the kept figures do not answer have bare == floor.
    bare: Stats | None = None
    statements: int = 0
    size_kib: int = 0
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.stats is None or self.floor is None or self.floor.p50 <= 0:
            return None
        return self.stats.p50 / self.floor.p50

    @property
    def bare_ratio(self) -> float | None:
        if self.stats is None or self.bare is None or self.bare.p50 <= 0:
            return None
        return self.stats.p50 / self.bare.p50


@dataclass
class Budget:
    repeats: int = 30  # at most this many timed calls …
    seconds: float = 20.0  # … and no new one after this many seconds …
    warmup: int = 2
    minimum: int = 5  # … once this many are taken


def timed(call, budget: Budget) -> Stats:
    for _ in range(budget.warmup):
        call()
    samples: list[float] = []
    deadline = time.monotonic() + budget.seconds
    while len(samples) < budget.repeats and (len(samples) < budget.minimum
                                              or time.monotonic() < deadline):
        samples.append(call())
    return Stats(samples)


def get_ok(client: Client, path: str) -> float:
    response = client.get(path)
    if response.status != 200:
        raise RuntimeError(f"GET {path}: HTTP {response.status}")
    return response.seconds


# ---------------------------------------------------------------- what to ask for
@dataclass
class Targets:
    city: str
    county: str
    county_id: int
    project_id: int
    deep_page: int
    province: str = ""
    status: str = "construction"
    search_long: str = "妇幼保健院"
    search_short: str = "妇幼"


def pick_targets(url: str, page_size: int = 50) -> Targets:
    """A typical city (the median by projects), a county in it, a project in the middle."""
    engine = engine_for(url)
    try:
        with engine.connect() as c:
            cities = c.execute(sa.text(
                "SELECT r.key, count(p.id) AS n FROM regions r JOIN regions k ON k.path LIKE r.path || '%' "
                "JOIN projects p ON p.region_id = k.id WHERE r.level = 'city' AND r.key LIKE 'demo-%' "
                "GROUP BY r.key ORDER BY n, r.key")).all()
            city = cities[len(cities) // 2][0]
            county_key, county_id = c.execute(sa.text(
                "SELECT k.key, k.id FROM regions k JOIN regions r ON k.parent_id = r.id "
                "WHERE r.key = :city ORDER BY k.key LIMIT 1"), {"city": city}).one()
            province = c.execute(sa.text(
                "SELECT p.key FROM regions p JOIN regions r ON r.parent_id = p.id "
                "WHERE r.key = :city"), {"city": city}).scalar() or ""
            count = c.execute(sa.text(
                "SELECT count(*) FROM projects WHERE kind IN ('construction', 'equipment')")).scalar()
            project_id = c.execute(sa.text(
                "SELECT id FROM projects ORDER BY id LIMIT 1 OFFSET :half"),
                {"half": count // 2}).scalar()
    finally:
        engine.dispose()
    pages = max(1, -(-count // page_size))
    return Targets(city, county_key, county_id, project_id, max(1, pages // 2), province)


# The list's pages that Datasette's table page also serves (same rows, page size and count),
# by name: the path Datasette is asked, "{db}" standing for the database's name. Tuned as its
# docs advise for speed: ``_nosuggest=1`` (no facet suggestions computed per request).
DATASETTE_SIZE = 50  # the list's page size


def pages_to_measure(targets: Targets) -> list[PageResult]:
    """Every list page is measured computed fresh (the figures cache emptied before each
    request, as after any write on the database server): that is issue 19's target. The
    dashboard both ways."""
    t, q = targets, quote
    lists = [
        ("list: first page", "/projects"),
        ("list: first page, every kind", "/projects?kind=all"),
        ("list: one city (region filter)", f"/projects?region={t.city}"),
        ("list: one county, every kind", f"/projects?region={t.county}&kind=all"),
        ("list: one county sorted by 总投资, every kind",
         f"/projects?region={t.county}&kind=all&sort=investment&order=desc"),
        (f"list: status {t.status}, every kind", f"/projects?kind=all&status={t.status}"),
        ("list: sorted by 总投资, largest first", "/projects?sort=investment&order=desc"),
        ("list: sorted by 总投资, every kind", "/projects?kind=all&sort=investment&order=desc"),
        ("list: sorted by 所属规划", "/projects?sort=plan"),
        (f"list: search “{t.search_long}”", f"/projects?q={q(t.search_long)}"),
        (f"list: search “{t.search_short}” (2 characters)", f"/projects?q={q(t.search_short)}"),
        (f"list: search “{t.search_short}”, every kind", f"/projects?kind=all&q={q(t.search_short)}"),
        (f"list: deep page ({t.deep_page})", f"/projects?page={t.deep_page}"),
        # Narrowed by a set of ids from another table: a whole period's (every project of the
        # demo portfolio is in a 十四五 plan) and 续建 (none is).
        ("list: the 十四五 period", "/projects?period=2021-2025"),
        ("list: 续建 (continued)", "/projects?continued=1"),
    ]
    pages = [PageResult(name, path, "list", fresh=True) for name, path in lists]
    pages += [PageResult("project page", f"/projects/{t.project_id}", "list"),
              PageResult("region page (a city)", f"/regions/{t.city}", "list")]
    for label, args in (("everything", ""), (f"one province ({t.province})", f"?region={t.province}"),
                        (f"one city ({t.city})", f"?region={t.city}"),
                        (f"one county ({t.county})", f"?region={t.county}")):
        pages.append(PageResult(f"dashboard: {label}, computed fresh", f"/dashboard{args}",
                                "dashboard", fresh=True))
        pages.append(PageResult(f"dashboard: {label}, through the cache", f"/dashboard{args}",
                                "dashboard"))
    return pages


def datasette_pairs(targets: Targets) -> list[tuple[str, str]]:
    """(our path, Datasette's path) of the operations both serve: a page of 50 rows and the
    count of the filtered table (ours also sums its money with coverage)."""
    t, size = targets, f"_nosuggest=1&_size={DATASETTE_SIZE}"
    return [
        ("/projects?kind=all", f"/{{db}}/projects?{size}"),
        (f"/projects?region={t.county}&kind=all", f"/{{db}}/projects?region_id={t.county_id}&{size}"),
        (f"/projects?region={t.county}&kind=all&sort=investment&order=desc",
         f"/{{db}}/projects?region_id={t.county_id}&_sort_desc=total_investment&{size}"),
        (f"/projects?kind=all&status={t.status}", f"/{{db}}/projects?status={t.status}&{size}"),
        ("/projects?kind=all&sort=investment&order=desc",
         f"/{{db}}/projects?_sort_desc=total_investment&{size}"),
        (f"/projects?kind=all&q={quote(t.search_short)}",
         f"/{{db}}/projects?search_text__contains={quote(t.search_short)}&{size}"),
    ]


class Invalidator:
    """Empties every worker's figures cache the way production does: a committed write to the
    portfolio moves the database's change stamp (``portfolio_changes``, portfolio/cache.py), on
    both databases. A build older than the stamp (the cache stamped with PostgreSQL's snapshot,
    nothing cached on SQLite): a transaction that gets an id. Each call commits its own
    transaction (the application's SQLite ``begin`` hook opens one even in autocommit mode)."""

    def __init__(self, url: str):
        self.engine = engine_for(url)
        stamped = sa.inspect(self.engine).has_table("portfolio_changes")
        self.statement = (sa.text("UPDATE portfolio_changes SET stamp = stamp + 1 WHERE id = 1")
                          if stamped else sa.text("SELECT pg_current_xact_id()")
                          if url.startswith("postgresql") else None)

    def __call__(self) -> None:
        if self.statement is not None:
            with self.engine.begin() as connection:
                connection.execute(self.statement)

    def close(self) -> None:
        self.engine.dispose()


# ---------------------------------------------------------------- pages and their floors
def measure_pages(port: int, url: str, targets: Targets, parts: set[str], budget: Budget,
                  log) -> list[PageResult]:
    client = Client(port)
    client.login(LEADER, LEADER_PASSWORD)
    invalidate = Invalidator(url)
    results = []
    try:
        for _ in range(4):  # every worker past its first requests (templates, region menu)
            client.get("/projects")
        for result in pages_to_measure(targets):
            if result.part not in parts:
                continue
            path = result.path
            if result.part == "dashboard" and not result.fresh and invalidate.statement is None:
                result.note = "this build caches nothing on SQLite: the same as computed fresh"
                log(f"    {result.name:<52} {result.note}")
                results.append(result)
                continue
            probe = client.get(path)
            if probe.status == 404 and path.startswith("/dashboard"):
                result.note = "skipped: /dashboard does not exist in this build"
            elif probe.status != 200:
                result.note = f"HTTP {probe.status}"
            else:
                result.size_kib = len(probe.body) // 1024

                def call(path=path, fresh=result.fresh) -> float:
                    if fresh:
                        invalidate()  # before the request, outside its time
                    return get_ok(client, path)
                result.stats = timed(call, budget)
            log(f"    {result.name:<52} {_ms(result.stats)}")
            results.append(result)
    finally:
        invalidate.close()
        client.close()
    return results


SKIPPED = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|PRAGMA)", re.I)


def measure_floors(dataset: Dataset, results: list[PageResult], budget: Budget, log) -> None:
    """Each page's own SQL, captured in-process, replayed through the bare driver: no ORM, no
    template, no HTTP. Its time is the floor a page cannot go below."""
    os.environ.update(TRACKER_DATABASE_URL=dataset.url)
    from tracker import create_app
    from tracker.accounts.models import User
    from tracker.extensions import db
    from tracker.portfolio import cache as figure_cache, kept, queries as portfolio_queries

    app = create_app({"SQLALCHEMY_DATABASE_URI": dataset.url.replace(
        "postgresql://", "postgresql+psycopg://")})
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == LEADER))
        from tracker.accounts import sessions
        signed_in = sessions.cookie(user)
        db.session.commit()
        engine = db.engine
        captured: list[tuple[str, object]] = []

        def capture(_conn, _cursor, statement, parameters, _context, executemany):
            captured.append((statement, parameters, executemany))

        client = app.test_client()
        with client.session_transaction() as session:
            session.update(signed_in)

        def capture_page(path: str) -> list[tuple[str, object]]:
            figure_cache.clear()
            sa.event.listen(engine, "before_cursor_execute", capture)
            try:
                captured.clear()
                client.get(path)
            finally:
                sa.event.remove(engine, "before_cursor_execute", capture)
            return [(s, p) for s, p, many in captured if not many and not SKIPPED.match(s)]

        done: dict[str, PageResult] = {}
        for result in results:
            if result.stats is None:
                continue
            if result.path in done:  # the same page through the cache: the same floor
                same = done[result.path]
                result.floor, result.bare, result.statements = same.floor, same.bare, same.statements
                continue
            done[result.path] = result
            # The floor is what the page needs without the figures cache: its full SQL.
            statements = capture_page(result.path)
            result.statements = len(statements)
            reads = [(s, p) for s, p in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]
            if len(reads) < len(statements):
                result.note = (result.note + f" {len(statements) - len(reads)} write(s) not replayed").strip()
            result.floor = _replay(engine, reads, budget)
            log(f"    floor {result.name:<46} {_ms(result.floor)}  ({result.statements} statements)")
            if result.path == "/projects" or result.path.startswith("/projects?"):
                # The totals summed from the projects: neither the kept breakdown rows nor the
                # figures the search grams carry (portfolio/queries.py: totals).
                with mock.patch.object(kept, "breakdown", return_value=None), \
                        mock.patch.object(portfolio_queries, "_grams_answer", return_value=False):
                    bare = [(s, p) for s, p in capture_page(result.path)
                            if s.lstrip().upper().startswith(("SELECT", "WITH"))]
                result.bare = result.floor if bare == reads else _replay(engine, bare, budget)
                log(f"    bare floor {result.name:<41} {_ms(result.bare)}  (totals summed from the projects)")
        db.session.remove()
        engine.dispose()


@dataclass
class GroupedPass:
    """Issue 19's floor for the dashboard: one grouped pass over the scope's projects (count and
    sums by status, category and 建设性质), through the bare driver."""
    scope: str
    stats: Stats | None = None


GROUPED_PASS = """
SELECT p.status, p.category, p.build_nature, count(*), sum(p.total_investment),
       sum(p.invested_to_date), count(p.total_investment), count(p.invested_to_date)
FROM projects p {join}
WHERE p.kind IN ('construction', 'equipment') {where}
GROUP BY p.status, p.category, p.build_nature
"""


def measure_grouped_pass(dataset: Dataset, targets: Targets, budget: Budget, log) -> list[GroupedPass]:
    engine = engine_for(dataset.url)
    results = []
    try:
        for scope, region in (("everything", None), (f"one province ({targets.province})", targets.province),
                              (f"one city ({targets.city})", targets.city),
                              (f"one county ({targets.county})", targets.county)):
            if region is None:
                sql, parameters = GROUPED_PASS.format(join="", where=""), {}
            else:
                with engine.connect() as connection:
                    path = connection.execute(sa.text("SELECT path FROM regions WHERE key = :k"),
                                              {"k": region}).scalar()
                sql = GROUPED_PASS.format(join="JOIN regions r ON r.id = p.region_id",
                                          where="AND r.path LIKE :path")
                parameters = {"path": f"{path}%"}
            if dataset.database == "postgresql":
                sql = sql.replace(":path", "%(path)s")
            item = GroupedPass(scope)
            item.stats = _replay(engine, [(sql, parameters)], budget)
            log(f"    floor: one grouped pass, {scope:<32} {_ms(item.stats)}")
            results.append(item)
    finally:
        engine.dispose()
    return results


def _replay(engine: sa.Engine, statements, budget: Budget) -> Stats:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()

        def run() -> float:
            started = time.perf_counter()
            for statement, parameters in statements:
                cursor.execute(statement, parameters)
                if cursor.description is not None:
                    cursor.fetchall()
            elapsed = time.perf_counter() - started
            raw.rollback()
            return elapsed
        return timed(run, budget)
    finally:
        raw.close()


def _ms(stats: Stats | None) -> str:
    if stats is None:
        return "—"
    return f"p50 {stats.p50 * 1000:8.1f} ms  p95 {stats.p95 * 1000:8.1f} ms  (n={stats.n})"


# ---------------------------------------------------------------- exports
@dataclass
class ExportResult:
    fmt: str
    rows: int = 0
    stats: Stats | None = None
    bytes: int = 0
    peak_mib: float | None = None
    baseline_mib: float | None = None
    note: str = ""

    @property
    def rows_per_second(self) -> float | None:
        return self.rows / self.stats.p50 if self.stats and self.stats.p50 else None


def measure_export(dataset: Dataset, env: dict, fmt: str, rows: int, runs: int, log) -> ExportResult:
    """The whole portfolio (every kind) downloaded from a fresh one-worker server: its time, and
    the worker's peak resident memory (VmHWM) against its size after one small page."""
    result = ExportResult(fmt, rows)
    path = f"/projects/export.{fmt}?kind=all"
    log_path = servers.DATA / "logs" / f"export-{dataset.database}-{dataset.size}-{fmt}.log"
    with servers.gunicorn(env, 1, log_path) as server:
        client = Client(server.port)
        client.login(LEADER, LEADER_PASSWORD)
        if client.get(f"/projects/export.{fmt}?region=none-such").status == 404:
            result.note = f"skipped: /projects/export.{fmt} does not exist in this build"
            return result
        client.get("/projects")
        worker = servers.worker_pids(server)[0]
        result.baseline_mib = servers.memory_kib(worker)["VmHWM"] / 1024
        samples = []
        for _ in range(runs):
            received = [0]

            def sink(chunk: bytes) -> None:
                received[0] += len(chunk)
            response = client.get(path, sink=sink)
            if response.status != 200:
                result.note = f"HTTP {response.status}"
                return result
            samples.append(response.seconds)
            result.bytes = received[0]
        result.stats = Stats(samples)
        result.peak_mib = servers.memory_kib(worker)["VmHWM"] / 1024
        client.close()
    log(f"    export {fmt}: {rows:,} rows in {result.stats.p50:.2f} s, "
        f"{result.rows_per_second:,.0f} rows/s, peak {result.peak_mib:.0f} MiB "
        f"(after one page {result.baseline_mib:.0f} MiB)")
    return result


# ---------------------------------------------------------------- report submissions
@dataclass
class SubmissionResult:
    stats: Stats | None = None
    note: str = ""

    @property
    def per_second(self) -> float | None:
        return 1 / self.stats.p50 if self.stats else None


def measure_submissions(dataset: Dataset, budget: Budget, log) -> SubmissionResult:
    """Monthly reports filed one by one through the progress service, each in its own
    transaction; then every row they wrote is removed and the projects restored."""
    try:
        from tracker.progress.services import submit_report
    except ImportError:
        return SubmissionResult(note="skipped: tracker.progress.services.submit_report does not exist")
    from tracker import create_app
    from tracker.accounts.models import User
    from tracker.audit.models import AuditEntry
    from tracker.audit.services import Actor
    from tracker.extensions import db
    from tracker.progress.models import MonthlyReport
    from tracker.projects.models import Project

    app = create_app({"SQLALCHEMY_DATABASE_URI": dataset.url.replace(
        "postgresql://", "postgresql+psycopg://")})
    month = dt.date.today().replace(day=1)
    result = SubmissionResult()
    with app.app_context():
        actor = Actor(db.session.scalar(sa.select(User).where(User.username == LEADER)), "web")
        candidates = db.session.execute(
            sa.select(Project.id, Project.invested_to_date, Project.last_report_month,
                      Project.version, Project.updated_at)
            .where(Project.status == "construction",
                   ~sa.exists().where(MonthlyReport.project_id == Project.id, MonthlyReport.month >= month))
            .order_by(Project.id).limit(budget.repeats + budget.warmup)).all()
        last_audit = db.session.scalar(sa.select(sa.func.max(AuditEntry.id))) or 0
        db.session.rollback()
        submitted: list[int] = []
        samples: list[float] = []
        deadline = time.monotonic() + budget.seconds
        try:
            for number, row in enumerate(candidates):
                if number >= budget.warmup + 5 and time.monotonic() > deadline:
                    break
                started = time.perf_counter()
                project = db.session.get(Project, row.id)
                report = submit_report(actor, project, month, progress_text="主体结构施工",
                                       invested_month=Decimal("1.25"),
                                       over_budget_reason="基准测试")
                db.session.commit()
                elapsed = time.perf_counter() - started
                submitted.append(report.id)
                if number >= budget.warmup:
                    samples.append(elapsed)
        finally:
            db.session.rollback()
            db.session.execute(sa.delete(MonthlyReport).where(MonthlyReport.id.in_(submitted)))
            db.session.execute(sa.delete(AuditEntry).where(AuditEntry.id > last_audit))
            for row in candidates:
                db.session.execute(sa.update(Project.__table__).where(Project.__table__.c.id == row.id)
                                   .values(invested_to_date=row.invested_to_date,
                                           last_report_month=row.last_report_month,
                                           version=row.version, updated_at=row.updated_at))
            db.session.commit()
        db.session.remove()
        db.engine.dispose()
    result.stats = Stats(samples) if samples else None
    if result.stats:
        log(f"    report submissions: {result.per_second:.1f}/s ({_ms(result.stats)})")
    return result


# ---------------------------------------------------------------- Datasette
@dataclass
class Comparison:
    name: str
    ours_path: str
    theirs_path: str
    ours: Stats | None = None
    theirs: Stats | None = None
    fresh: bool = False
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.ours and self.theirs:
            return self.ours.p50 / self.theirs.p50
        return None


def compare_datasette(dataset: Dataset, env: dict, targets: Targets, budget: Budget, log,
                      *, exports: bool = True) -> tuple[list[Comparison], str]:
    """Our pages and Datasette's on the same SQLite file, both servers up, requests alternating
    (one of ours, one of theirs) so that whatever else loads the machine loads both alike; one
    gunicorn worker, as Datasette is one process."""
    executable, version = servers.ensure_datasette()
    name = dataset.path.stem
    names = {page.path: page.name for page in pages_to_measure(targets)}
    comparisons = [Comparison(names.get(ours, ours), ours, theirs.format(db=name), fresh=True)
                   for ours, theirs in datasette_pairs(targets)]
    comparisons.append(Comparison("facet count: projects by status (our dashboard, computed fresh)",
                                  "/dashboard", f"/{name}/projects?_facet=status&_nosuggest=1&_size=0",
                                  fresh=True))
    if exports:
        comparisons.append(Comparison("full CSV export (every project)", "/projects/export.csv?kind=all",
                                      f"/{name}/projects.csv?_stream=on&_size=max"))
    # Whole-file exports: a few runs for small files, one for large ones.
    heavy = Budget(max(1, min(3, budget.repeats // 10)), budget.seconds, 1 if dataset.size <= 10_000 else 0, 1)
    log_dir = servers.DATA / "logs"
    with servers.datasette(executable, dataset.path, log_dir / f"datasette-{dataset.size}.log") as theirs, \
            servers.gunicorn(env, 1, log_dir / f"ours-vs-datasette-{dataset.size}.log") as ours:
        their_client, our_client = Client(theirs.port), Client(ours.port)
        our_client.login(LEADER, LEADER_PASSWORD)
        invalidate = Invalidator(dataset.url)
        try:
            for item in comparisons:
                if our_client.get(item.ours_path.split("?")[0]).status == 404:
                    item.note = f"ours: {item.ours_path.split('?')[0]} does not exist"
                    continue
                chosen = heavy if "export" in item.name else budget
                def our_call(item=item) -> float:
                    if item.fresh:
                        invalidate()  # before the request, outside its time
                    return get_ok(our_client, item.ours_path)
                try:
                    item.ours, item.theirs = _alternating(
                        our_call, lambda item=item: get_ok(their_client, item.theirs_path), chosen)
                except RuntimeError as error:
                    item.note = str(error)
                ratio = f"{item.ratio:.2f}" if item.ratio else "—"
                log(f"    vs Datasette {item.name:<48} ours {_ms(item.ours)} | theirs {_ms(item.theirs)} | {ratio}")
        finally:
            invalidate.close()
            their_client.close()
            our_client.close()
    return comparisons, version


def _alternating(ours, theirs, budget: Budget) -> tuple[Stats, Stats]:
    for _ in range(budget.warmup):
        ours()
        theirs()
    mine: list[float] = []
    others: list[float] = []
    deadline = time.monotonic() + 2 * budget.seconds
    while len(mine) < budget.repeats and (len(mine) < budget.minimum or time.monotonic() < deadline):
        mine.append(ours())
        others.append(theirs())
    return Stats(mine), Stats(others)


# ---------------------------------------------------------------- throughput
@dataclass
class Throughput:
    workers: int
    path: str
    requests_per_second: float = 0.0
    p50_ms: float | None = None
    errors: int = 0
    tool: str = ""


def measure_throughput(dataset: Dataset, env: dict, paths: list[str], workers_list: list[int],
                       seconds: int, connections: int, log) -> list[Throughput]:
    results = []
    wrk = shutil.which("wrk")
    for workers in workers_list:
        log_path = servers.DATA / "logs" / f"load-{dataset.database}-{dataset.size}-{workers}.log"
        with servers.gunicorn(env, workers, log_path) as server:
            client = Client(server.port)
            client.login(LEADER, LEADER_PASSWORD)
            cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
            for path in paths:
                get_ok(client, path)  # warm every worker's first query a little
                if wrk:
                    item = _wrk(wrk, server.port, path, cookie, seconds, connections)
                else:
                    item = _threaded(server.port, path, dict(client.cookies), seconds, connections)
                item.workers = workers
                results.append(item)
                log(f"    {workers} worker(s) {path:<40} {item.requests_per_second:7.1f} req/s "
                    f"(p50 {item.p50_ms or 0:.0f} ms, {item.errors} errors, {item.tool})")
            client.close()
    return results


def _wrk(wrk: str, port: int, path: str, cookie: str, seconds: int, connections: int) -> Throughput:
    output = subprocess.run(
        [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "--latency",
         "-H", f"Cookie: {cookie}", f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, timeout=seconds + 60).stdout
    item = Throughput(0, path, tool=f"wrk -t2 -c{connections} -d{seconds}s")
    if match := re.search(r"Requests/sec:\s+([\d.]+)", output):
        item.requests_per_second = float(match.group(1))
    if match := re.search(r"50%\s+([\d.]+)(us|ms|s)", output):
        value, unit = float(match.group(1)), match.group(2)
        item.p50_ms = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    if match := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output):
        item.errors += int(match.group(1))
    if match := re.search(r"Socket errors:.*?timeout (\d+)", output):
        item.errors += int(match.group(1))
    return item


def _threaded(port: int, path: str, cookies: dict, seconds: int, connections: int) -> Throughput:
    """The fallback load generator: threads with keep-alive connections, bounded by time."""
    deadline = time.monotonic() + seconds
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def worker():
        client = Client(port)
        client.cookies = dict(cookies)
        mine, bad = [], 0
        while time.monotonic() < deadline and len(mine) < 100_000:
            try:
                response = client.get(path)
                if response.status == 200:
                    mine.append(response.seconds)
                else:
                    bad += 1
            except OSError:
                bad += 1
        client.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 120)
    elapsed = time.monotonic() - started
    return Throughput(0, path, len(latencies) / elapsed,
                      statistics.median(latencies) * 1000 if latencies else None, errors[0],
                      f"Python threads ×{connections}, {seconds}s")
