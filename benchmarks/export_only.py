"""Only the export measurement of ``make bench`` (``measure.measure_export``), on a database that
already holds a generated portfolio: for re-measuring an export alone on a quiet machine.

    BENCH_URL=postgresql://postgres@127.0.0.1:5432/tracker_bench_100000 \
        .venv/bin/python -m benchmarks.export_only csv,xlsx 3
"""

from __future__ import annotations

import os
import sys
import tempfile

from . import datasets, measure


def main(argv: list[str]) -> int:
    url = os.environ.get("BENCH_URL", f"{datasets.POSTGRES_SERVER}/tracker_bench_100000")
    formats = argv[0].split(",") if argv else ["csv", "xlsx"]
    runs = int(argv[1]) if len(argv) > 1 else 3
    rows = datasets.row_counts(url)["projects"]
    dataset = datasets.Dataset("postgresql" if url.startswith("postgresql") else "sqlite", rows, url)
    env = dict(os.environ, TRACKER_DATABASE_URL=url, TRACKER_SECRET_KEY="bench-export",
               TRACKER_INSTANCE_PATH=tempfile.mkdtemp(prefix="bench-export-"))
    datasets._ensure_leader(env)
    for fmt in formats:
        load = os.getloadavg()[0]
        measure.measure_export(dataset, env, fmt, rows, runs, lambda line: print(line, flush=True))
        print(f"    ({fmt}: load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
