"""Run every benchmark and write benchmarks/RESULTS.md.

    make bench                                   # = .venv/bin/python -m benchmarks.run
    .venv/bin/python -m benchmarks.run --sizes 1000 --databases sqlite --quick   # a smoke run

Generated databases live in benchmarks/data/ (SQLite files) and in PostgreSQL databases named
tracker_bench_<size> on BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432); they
are reused while the generator, size, seed and report month are unchanged (--fresh regenerates).
Every request goes to 127.0.0.1; every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import secrets
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import traceback
from pathlib import Path

from . import datasets, measure, report, servers

DEFAULT_SIZES = (1_000, 10_000, 100_000)
# What a run measures, each re-runnable alone (--parts): the list pages (computed fresh) with the
# project and region pages, the dashboard (fresh and through the cache), the exports, report
# submissions, Datasette side by side (SQLite), throughput under wrk.
PARTS = ("list", "dashboard", "exports", "submissions", "datasette", "throughput")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                        help="portfolio sizes, comma-separated [%(default)s]")
    parser.add_argument("--databases", default="postgresql,sqlite", help="[%(default)s]")
    parser.add_argument("--sqlite-max", type=int, default=100_000,
                        help="largest size to run on SQLite [%(default)s]")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--report-month", default=None,
                        help="YYYY-MM of the latest generated report [last month]")
    parser.add_argument("--repeats", type=int, default=20, help="timed requests per page [%(default)s]")
    parser.add_argument("--page-seconds", type=float, default=10,
                        help="time bound per page (at least 5 samples are taken) [%(default)s]")
    parser.add_argument("--load-seconds", type=int, default=10, help="per load-test run [%(default)s]")
    parser.add_argument("--connections", type=int, default=8, help="load-test connections [%(default)s]")
    parser.add_argument("--throughput-all", action="store_true",
                        help="load-test every dataset (default: the largest per database)")
    parser.add_argument("--quick", action="store_true", help="few repeats: a smoke run, not a result")
    parser.add_argument("--fresh", action="store_true", help="regenerate the databases")
    parser.add_argument("--parts", default=",".join(PARTS),
                        help="what to measure, comma-separated [%(default)s]")
    parser.add_argument("--reuse", action="store_true",
                        help="use the databases as they are (a copy, say), never regenerate them")
    parser.add_argument("--postgres-name", default=datasets.POSTGRES_NAME,
                        help="the PostgreSQL database of each size [%(default)s]")
    parser.add_argument("--sqlite-file", default=datasets.SQLITE_FILE,
                        help="the SQLite file of each size, under benchmarks/data/ [%(default)s]")
    parser.add_argument("--output", default=None,
                        help="[benchmarks/RESULTS.md for a run of every part, "
                             "else benchmarks/data/RESULTS-<parts>.md]")
    args = parser.parse_args(argv)
    args.parts = {part.strip() for part in args.parts.split(",") if part.strip()}
    if unknown := args.parts - set(PARTS):
        parser.error(f"unknown parts: {', '.join(sorted(unknown))} (choose from {', '.join(PARTS)})")
    if args.output is None:
        args.output = str(servers.ROOT / "benchmarks" / "RESULTS.md") if args.parts == set(PARTS) else \
            str(servers.DATA / f"RESULTS-{'-'.join(p for p in PARTS if p in args.parts)}.md")
    return args


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        kib = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, IndexError, ValueError):
        pass
    info = {"cpu": cpu, "nproc": os.cpu_count(), "memory": memory,
            "os": platform.platform(), "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version}
    try:
        info["postgresql"] = subprocess.run(
            ["psql", "-At", "-h", "127.0.0.1", "-U", "postgres", "-c", "SHOW server_version"],
            capture_output=True, text=True, timeout=10).stdout.strip() or "unknown"
    except (OSError, subprocess.TimeoutExpired):
        info["postgresql"] = "unknown"
    import gunicorn
    info["gunicorn"] = gunicorn.__version__
    info["load"] = "wrk" if shutil.which("wrk") else "Python threads (wrk not installed)"
    try:
        info["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=servers.ROOT,
                                        capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=servers.ROOT,
                               capture_output=True, text=True).stdout.strip()
        if dirty:
            info["commit"] += " (with uncommitted changes)"
    except OSError:
        info["commit"] = "unknown"
    return info


def cpu_probe() -> float:
    """Seconds for a fixed pure-Python loop: how fast this (shared) machine runs now, so that two
    runs' absolute figures can be compared (it has taken 0.7 s and 2.7 s on the same host)."""
    started = time.perf_counter()
    total = 0
    for step in range(10_000_000):
        total += step * step % 7
    return time.perf_counter() - started


def main(argv=None) -> int:
    args = parse_args(argv)
    # A TERM (or Ctrl+C) unwinds normally, so every server this run started is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    servers.raise_priority()  # the client, the floors and every server started from here
    started = time.monotonic()
    sizes = [int(size) for size in args.sizes.split(",") if size]
    databases = [name.strip() for name in args.databases.split(",") if name.strip()]
    report_month = args.report_month or (dt.date.today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    secret = secrets.token_hex(32)  # one key for every worker of every server, as in production
    os.environ.update(TRACKER_INSTANCE_PATH=str(servers.DATA / "instance"), TRACKER_SECRET_KEY=secret)
    budget = measure.Budget(3 if args.quick else args.repeats, 5 if args.quick else args.page_seconds,
                            1 if args.quick else 2)
    given = " ".join(shlex.quote(a) for a in (argv or sys.argv[1:]))
    command = (f"make bench BENCH_ARGS={shlex.quote(given)}" if given else "make bench") \
        if os.environ.get("BENCH_VIA_MAKE") else ".venv/bin/python -m benchmarks.run " + given
    probe = cpu_probe()
    results = report.Results(command=command.strip(), started=dt.datetime.now().astimezone(),
                             machine=machine(), report_month=report_month, quick=args.quick,
                             parts=[part for part in PARTS if part in args.parts], probe=[probe])
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)

    def log(line: str) -> None:
        print(line, flush=True)

    for database in databases:
        largest = max([s for s in sizes if database != "sqlite" or s <= args.sqlite_max], default=None)
        for size in sizes:
            if database == "sqlite" and size > args.sqlite_max:
                results.notes.append(f"SQLite at {size:,} projects skipped (--sqlite-max {args.sqlite_max:,}).")
                continue
            log(f"== {database}, {size:,} projects ({os.getloadavg()[0]:.1f} load)")
            try:
                run_dataset(database, size, args, budget, secret, report_month, results,
                            load=args.throughput_all or size == largest, log=log)
            except Exception as error:  # one failed dataset must not lose the others' figures
                traceback.print_exc()
                results.notes.append(f"{database} at {size:,} projects failed: {error!r}")
            results.elapsed = time.monotonic() - started
            Path(args.output).write_text(report.render(results), encoding="utf-8")
    results.elapsed = time.monotonic() - started
    results.probe.append(cpu_probe())
    Path(args.output).write_text(report.render(results), encoding="utf-8")
    log(f"wrote {args.output} in {results.elapsed / 60:.1f} min")
    return 0


def run_dataset(database, size, args, budget, secret, report_month, results, *, load, log) -> None:
    dataset = datasets.prepare(database, size, seed=args.seed, report_month=report_month,
                               fresh=args.fresh, secret=secret, log=log, reuse=args.reuse,
                               postgres_name=args.postgres_name, sqlite_file=args.sqlite_file)
    env = dataset.env(secret)
    section = report.DatasetResults(dataset)
    results.datasets.append(section)
    targets = measure.pick_targets(dataset.url)
    section.targets = targets
    parts = args.parts
    load_at_start = os.getloadavg()[0]
    logs = servers.DATA / "logs"

    def timing(part: str, since: float) -> None:
        section.seconds[part] = section.seconds.get(part, 0) + time.monotonic() - since
        log(f"  ({part}: {section.seconds[part]:.0f} s, load {os.getloadavg()[0]:.1f})")

    for part in ("list", "dashboard"):  # each with its own server, so that its time is its own
        if part not in parts:
            continue
        since = time.monotonic()
        with servers.gunicorn(env, 2, logs / f"pages-{database}-{size}.log") as server:
            pages = measure.measure_pages(server.port, dataset.url, targets, {part}, budget, log)
        measure.measure_floors(dataset, pages, budget, log)
        section.pages += pages
        if part == "dashboard":
            section.grouped_pass = measure.measure_grouped_pass(dataset, targets, budget, log)
        timing(part, since)
    if "exports" in parts:
        since = time.monotonic()
        # The p50 of three downloads from one fresh worker: the first pays the worker's first
        # export (imports, compiled statements), which a single sample reported as the rate.
        # A 100,000-row export takes seconds now (it took minutes when one run was chosen).
        runs = 1 if args.quick else 3
        for fmt in ("csv", "xlsx"):
            section.exports.append(measure.measure_export(dataset, env, fmt, dataset.rows["projects"],
                                                          runs, log))
        timing("exports", since)
    if "submissions" in parts:
        since = time.monotonic()
        section.submissions = measure.measure_submissions(
            dataset, measure.Budget(20 if args.quick else 200, 5 if args.quick else 20, 3), log)
        timing("submissions", since)
    if database == "sqlite" and "datasette" in parts:
        since = time.monotonic()
        section.datasette, results.machine["datasette"] = measure.compare_datasette(
            dataset, env, targets, budget, log)
        timing("datasette", since)
    if load and "throughput" in parts:
        since = time.monotonic()
        paths = [f"/projects/{targets.project_id}", f"/projects?region={targets.city}"]
        section.throughput = measure.measure_throughput(
            dataset, env, paths, [1, 2, 4], 3 if args.quick else args.load_seconds,
            args.connections, log)
        timing("throughput", since)
    section.load = (load_at_start, os.getloadavg()[0])


if __name__ == "__main__":
    sys.exit(main())
