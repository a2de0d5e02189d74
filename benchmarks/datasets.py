"""Generated databases for the benchmarks: made once by ``tracker demo-data``, reused while the
generator, the size, the seed and the report month are the same."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from .servers import BIN, DATA, ROOT

POSTGRES_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")
LEADER, LEADER_PASSWORD = "bench-leader", "Bench-reading-2026"
POSTGRES_NAME = "tracker_bench_{size}"
SQLITE_FILE = "sqlite-{size}.sqlite3"


@dataclass
class Dataset:
    database: str  # "sqlite" or "postgresql"
    size: int
    url: str
    path: Path | None = None  # the SQLite file
    generated_seconds: float | None = None
    reused: bool = False
    rows: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{'SQLite' if self.database == 'sqlite' else 'PostgreSQL'}, {self.size:,} projects"

    def env(self, secret: str) -> dict:
        env = dict(os.environ)
        env.update(TRACKER_DATABASE_URL=self.url, TRACKER_INSTANCE_PATH=str(DATA / "instance"),
                   TRACKER_SECRET_KEY=secret)
        return env


def generator_fingerprint() -> str:
    digest = hashlib.sha256()
    for name in ("generator.py", "bulk.py"):
        digest.update((ROOT / "tracker" / "demo" / name).read_bytes())
    return digest.hexdigest()[:16]


def tracker(args: list[str], env: dict, stdin: str | None = None) -> str:
    result = subprocess.run([str(BIN / "tracker"), *args], env=env, cwd=ROOT, input=stdin,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"tracker {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout + result.stderr


def prepare(database: str, size: int, *, seed: int, report_month: str, fresh: bool,
            secret: str, log, reuse: bool = False, postgres_name: str = POSTGRES_NAME,
            sqlite_file: str = SQLITE_FILE) -> Dataset:
    DATA.mkdir(parents=True, exist_ok=True)
    if database == "sqlite":
        path = DATA / sqlite_file.format(size=size)
        dataset = Dataset(database, size, f"sqlite:///{path}", path)
        marker_path = path.with_suffix(".json")
    else:
        name = postgres_name.format(size=size)
        dataset = Dataset(database, size, f"{POSTGRES_SERVER}/{name}")
        default = name == POSTGRES_NAME.format(size=size)  # the marker's name before --postgres-name
        marker_path = DATA / (f"postgresql-{size}.json" if default else f"{name}.json")
    wanted = {"size": size, "seed": seed, "report_month": report_month,
              "generator": generator_fingerprint()}
    env = dataset.env(secret)
    marker = json.loads(marker_path.read_text()) if marker_path.exists() else {}
    exists = dataset.path.exists() if dataset.path else _pg_exists(dataset.url)
    if reuse and not exists:
        raise RuntimeError(f"--reuse: {dataset.url} does not exist")
    if reuse or (not fresh and exists and {k: marker.get(k) for k in wanted} == wanted):
        log(f"  reusing {dataset.label} (generated in {marker.get('seconds', 0):.0f} s)")
        tracker(["db", "upgrade"], env)
        dataset.generated_seconds, dataset.reused = marker.get("seconds"), True
    else:
        log(f"  generating {dataset.label} …")
        if dataset.path:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{dataset.path}{suffix}").unlink(missing_ok=True)
        else:
            _pg_recreate(dataset.url)
        tracker(["db", "upgrade"], env)
        started = time.monotonic()
        tracker(["demo-data", "--projects", str(size), "--seed", str(seed),
                 "--report-month", report_month], env)
        dataset.generated_seconds = time.monotonic() - started
        marker_path.write_text(json.dumps({**wanted, "seconds": dataset.generated_seconds}))
        log(f"  generated in {dataset.generated_seconds:.0f} s")
    _ensure_leader(env)
    if dataset.reused:
        _vacuumed(dataset.url)
    dataset.rows = row_counts(dataset.url)
    return dataset


def _admin_url(url: str) -> tuple[str, str]:
    base, _, name = url.rpartition("/")
    return base.replace("postgresql://", "postgresql+psycopg://") + "/postgres", name


def _pg_exists(url: str) -> bool:
    admin, name = _admin_url(url)
    engine = sa.create_engine(admin)
    try:
        with engine.connect() as connection:
            return bool(connection.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                           {"n": name}).scalar())
    finally:
        engine.dispose()


def _pg_recreate(url: str) -> None:
    admin, name = _admin_url(url)
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        engine.dispose()


def _vacuumed(url: str) -> None:
    """What autovacuum would have done since the data was generated: a migration run on a reused
    portfolio may rewrite a table (a rebuild of the kept figures deletes and inserts every row),
    and this machine's PostgreSQL runs with autovacuum off, so the dead rows stayed and every
    read of the table went through twice its pages. VACUUM (ANALYZE) on PostgreSQL (outside a
    transaction), ANALYZE on SQLite (whose deleted rows' pages are reused anyway)."""
    if url.startswith("postgresql"):
        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1),
                                  isolation_level="AUTOCOMMIT")
        statement = "VACUUM (ANALYZE)"
    else:
        engine, statement = sa.create_engine(url), "ANALYZE"
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(statement)
    finally:
        engine.dispose()


def _ensure_leader(env: dict) -> None:
    """A leader account for the benchmark's browser (reads everything, changes nothing)."""
    try:
        tracker(["users", "create", LEADER, "--role", "leader", "--password-stdin"], env,
                stdin=LEADER_PASSWORD + "\n")
    except RuntimeError:
        tracker(["users", "reset-password", LEADER, "--password-stdin"], env,
                stdin=LEADER_PASSWORD + "\n")


def engine_for(url: str) -> sa.Engine:
    return sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))


def row_counts(url: str) -> dict:
    engine = engine_for(url)
    try:
        with engine.connect() as connection:
            return {table: connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
                    for table in ("projects", "monthly_reports", "milestones", "audit_entries",
                                  "regions")}
    finally:
        engine.dispose()
