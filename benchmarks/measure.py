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
from dataclasses import dataclass, field
from decimal import Decimal
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
    stats: Stats | None = None
    floor: Stats | None = None
    statements: int = 0
    size_kib: int = 0
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.stats is None or self.floor is None or self.floor.p50 <= 0:
            return None
        return self.stats.p50 / self.floor.p50


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
            count = c.execute(sa.text(
                "SELECT count(*) FROM projects WHERE kind IN ('construction', 'equipment')")).scalar()
            project_id = c.execute(sa.text(
                "SELECT id FROM projects ORDER BY id LIMIT 1 OFFSET :half"),
                {"half": count // 2}).scalar()
    finally:
        engine.dispose()
    pages = max(1, -(-count // page_size))
    return Targets(city, county_key, county_id, project_id, max(1, pages // 2))


def pages_to_measure(targets: Targets) -> list[tuple[str, str]]:
    return [
        ("list: first page", "/projects"),
        ("list: one city (region filter)", f"/projects?region={targets.city}"),
        ("list: sorted by 总投资, largest first", "/projects?sort=investment&order=desc"),
        (f"list: search “{targets.search_long}”", f"/projects?q={quote(targets.search_long)}"),
        (f"list: search “{targets.search_short}” (2 characters)", f"/projects?q={quote(targets.search_short)}"),
        (f"list: deep page ({targets.deep_page})", f"/projects?page={targets.deep_page}"),
        ("project page", f"/projects/{targets.project_id}"),
        ("region page (a city)", f"/regions/{targets.city}"),
        ("dashboard: everything", "/dashboard"),
        ("dashboard: one city", f"/dashboard?region={targets.city}"),
    ]


# ---------------------------------------------------------------- pages and their floors
def measure_pages(port: int, targets: Targets, budget: Budget, log) -> list[PageResult]:
    client = Client(port)
    client.login(LEADER, LEADER_PASSWORD)
    results = []
    for name, path in pages_to_measure(targets):
        result = PageResult(name, path)
        probe = client.get(path)
        if probe.status == 404 and path.startswith("/dashboard"):
            result.note = "skipped: /dashboard does not exist in this build"
        elif probe.status != 200:
            result.note = f"HTTP {probe.status}"
        else:
            result.size_kib = len(probe.body) // 1024
            result.stats = timed(lambda: get_ok(client, path), budget)
        log(f"    {name:<42} {_ms(result.stats)}")
        results.append(result)
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
    from tracker.portfolio import cache as figure_cache

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
        for result in results:
            if result.stats is None:
                continue
            # The floor is what the page needs without the figures cache: its full SQL.
            figure_cache.clear()
            sa.event.listen(engine, "before_cursor_execute", capture)
            try:
                captured.clear()
                client.get(result.path)
            finally:
                sa.event.remove(engine, "before_cursor_execute", capture)
            statements = [(s, p) for s, p, many in captured if not many and not SKIPPED.match(s)]
            result.statements = len(statements)
            reads = [(s, p) for s, p in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]
            if len(reads) < len(statements):
                result.note = (result.note + f" {len(statements) - len(reads)} write(s) not replayed").strip()
            result.floor = _replay(engine, reads, budget)
            log(f"    floor {result.name:<36} {_ms(result.floor)}  ({result.statements} statements)")
        db.session.remove()
        engine.dispose()


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
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.ours and self.theirs:
            return self.ours.p50 / self.theirs.p50
        return None


def compare_datasette(dataset: Dataset, env: dict, targets: Targets, budget: Budget, log) -> tuple[list[Comparison], str]:
    executable, version = servers.ensure_datasette()
    name = dataset.path.stem
    comparisons = [
        Comparison("table page: one county, sorted by 总投资 desc",
                   f"/projects?region={targets.county}&sort=investment&order=desc",
                   f"/{name}/projects?region_id={targets.county_id}&_sort_desc=total_investment"),
        Comparison("facet count: projects by status",
                   "/dashboard", f"/{name}/projects?_facet=status"),
        Comparison("full CSV export (every project)",
                   "/projects/export.csv?kind=all", f"/{name}/projects.csv?_stream=on&_size=max"),
    ]
    # Whole-file exports: a few runs for small files, one for large ones.
    heavy = Budget(max(1, min(3, budget.repeats // 10)), budget.seconds, 1 if dataset.size <= 10_000 else 0, 1)
    log_dir = servers.DATA / "logs"
    with servers.datasette(executable, dataset.path, log_dir / f"datasette-{dataset.size}.log") as theirs:
        client = Client(theirs.port)
        for item in comparisons:
            chosen = heavy if "export" in item.name else budget
            try:
                item.theirs = timed(lambda: get_ok(client, item.theirs_path), chosen)
            except RuntimeError as error:
                item.note = f"Datasette: {error}"
        client.close()
    with servers.gunicorn(env, 2, log_dir / f"ours-vs-datasette-{dataset.size}.log") as ours:
        client = Client(ours.port)
        client.login(LEADER, LEADER_PASSWORD)
        for item in comparisons:
            chosen = heavy if "export" in item.name else budget
            if client.get(item.ours_path.split("?")[0]).status == 404:
                item.note = (item.note + f" ours: {item.ours_path.split('?')[0]} does not exist").strip()
                continue
            item.ours = timed(lambda: get_ok(client, item.ours_path), chosen)
        client.close()
    for item in comparisons:
        ratio = f"{item.ratio:.2f}" if item.ratio else "—"
        log(f"    vs Datasette {item.name:<44} ours {_ms(item.ours)} | theirs {_ms(item.theirs)} | {ratio}")
    return comparisons, version


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
