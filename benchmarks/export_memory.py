"""Peak memory of the streamed exports as the portfolio grows (issue 6: "memory stays flat").

    .venv/bin/python -m benchmarks.export_memory --sizes 1000,10000
    .venv/bin/python -m benchmarks.export_memory --sizes 100000 --database postgresql://postgres@127.0.0.1:5432/tracker_bench_100000

Each size gets its own SQLite file in benchmarks/data/ (generated once with the demo generator:
every project with its milestones and 36 monthly reports), or the PostgreSQL database you name.
For each format the whole portfolio is exported to a sink that only counts bytes, under
tracemalloc: the peak is what the export itself allocated above what was live before it began.
The xlsx goes to a temporary file, as the web view does. The PDF is left out: it is a print-out,
refused above a few thousand rows.

tracemalloc sees only Python's allocations, not those of a writer in Rust or C (the xlsx's
rust_xlsxwriter), and slows the export several times. ``--rss`` measures instead the process's
peak resident memory (VmHWM), each size and format in a fresh process: its peak after the
export against its peak after the app was made and one small export warmed it up, and the time
without tracemalloc:

    .venv/bin/python -m benchmarks.export_memory --rss --sizes 1000,10000 --formats csv,xlsx
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"


class CountingSink:
    def __init__(self):
        self.bytes = 0

    def write(self, chunk) -> None:
        self.bytes += len(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)


def exporters():
    from tracker.exports.csv_ import csv_chunks
    from tracker.exports.oc4ids import package_chunks
    from tracker.exports.xlsx import write_xlsx
    from tracker.exports.records import json_chunks

    def stream(chunks):
        def run(portfolio_filter) -> int:
            sink = CountingSink()
            for chunk in chunks(portfolio_filter):
                sink.write(chunk)
            return sink.bytes
        return run

    def xlsx(portfolio_filter) -> int:
        with tempfile.TemporaryFile() as spool:
            write_xlsx(spool, portfolio_filter)
            return spool.tell()

    return {"csv": stream(csv_chunks), "json": stream(json_chunks),
            "oc4ids": stream(lambda f: package_chunks(f, uri="urn:bench")), "xlsx": xlsx}


def prepare(size: int, database: str | None):
    from flask_migrate import upgrade

    from tracker import create_app
    from tracker.extensions import db

    url = database or f"sqlite:///{DATA / f'export-memory-{size}.sqlite3'}"
    instance = tempfile.mkdtemp(prefix="export-memory-")
    os.environ.setdefault("TRACKER_INSTANCE_PATH", instance)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        from tracker.demo.generator import analyze, existing_demo_regions, generate
        with db.engine.begin() as connection:
            if not existing_demo_regions(connection):
                started = time.monotonic()
                generate(connection, projects=size, seed=1)
                print(f"  generated {size:,} projects in {time.monotonic() - started:.0f} s")
        analyze(db.engine)
    return app


def peak_kib() -> int:
    """This process's peak resident memory so far (VmHWM), in KiB."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))


def one_rss(size: int, database: str | None, name: str) -> None:
    """Export the whole portfolio once in this (fresh) process; print its peak RSS growth."""
    from tracker.extensions import db
    from tracker.portfolio.filters import PortfolioFilter

    app = prepare(size, database)
    with app.app_context():
        chosen = exporters()
        chosen[name](PortfolioFilter(kind="all", region="none-such"))  # imports, caches, pools
        db.session.remove()
        before = peak_kib()
        started = time.monotonic()
        written = chosen[name](PortfolioFilter(kind="all"))
        seconds = time.monotonic() - started
        after = peak_kib()
    print(f"{size:>9,} {name:<7} {after / 1024:>9.1f} {(after - before) / 1024:>9.1f} {seconds:>8.1f} "
          f"{written / 2**20:>11.1f}", flush=True)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--database", help="a PostgreSQL URL holding (or to hold) the demo data")
    parser.add_argument("--formats", default="csv,json,oc4ids,xlsx")
    parser.add_argument("--rss", action="store_true", help="peak resident memory, a process each")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    DATA.mkdir(parents=True, exist_ok=True)
    if args.one:
        one_rss(int(args.sizes), args.database, args.one)
        return
    if args.rss:
        print(f"{'projects':>9} {'format':<7} {'peak MiB':>9} {'+export':>9} {'seconds':>8} {'output MiB':>11}")
        for size in args.sizes.split(","):
            for name in args.formats.split(","):
                database = ["--database", args.database] if args.database else []
                subprocess.run([sys.executable, "-m", "benchmarks.export_memory", "--sizes", size,
                                "--one", name, *database], check=True, cwd=ROOT)
        return
    from tracker.extensions import db
    from tracker.portfolio.filters import PortfolioFilter

    print(f"{'projects':>9} {'format':<7} {'peak MiB':>9} {'seconds':>8} {'output MiB':>11}")
    for size in (int(s) for s in args.sizes.split(",")):
        app = prepare(size, args.database)
        with app.app_context():
            chosen = exporters()
            for name in args.formats.split(","):
                db.session.remove()
                tracemalloc.start()
                started = time.monotonic()
                written = chosen[name](PortfolioFilter(kind="all"))
                seconds = time.monotonic() - started
                _current, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                print(f"{size:>9,} {name:<7} {peak / 2**20:>9.1f} {seconds:>8.1f} {written / 2**20:>11.1f}",
                      flush=True)


if __name__ == "__main__":
    main()
