"""The csv of a whole SQLite portfolio, read by two processes at once (``csv_lines.Halves``).

Each test exports the generated 1,000-project portfolio (``demo``: committed, in a file, as a
second process must find it) with the two readers made to cut any list of ten projects or more,
and holds the bytes to one reader's: the same bytes, whatever happens to the second reader (a
write between the two readers' starts, a failure, a client that goes away).
"""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from tracker.exports import csv_lines
from tracker.exports.csv_ import csv_chunks
from tracker.portfolio.filters import PortfolioFilter
from tracker.projects.models import Project
from tracker.regions.models import Region


@pytest.fixture()
def readers(db, demo, monkeypatch):
    """Two readers for a list of ten projects or more, on any machine; the readers started."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's csv (PostgreSQL writes it with COPY)")
    started: list[csv_lines._Reader] = []
    start = csv_lines._Reader.__init__

    def record(reader, job):
        start(reader, job)
        started.append(reader)

    monkeypatch.setattr(csv_lines.Halves, "SMALLEST", 10)
    monkeypatch.setattr(csv_lines, "_cores", lambda: 2)
    monkeypatch.setattr(csv_lines._Reader, "__init__", record)
    return started


def exported(args: dict) -> bytes:
    return b"".join(csv_chunks(PortfolioFilter.from_args(args)))


def one_reader(monkeypatch, args: dict) -> bytes:
    with monkeypatch.context() as patch:
        patch.setattr(csv_lines.Halves, "SMALLEST", 10**9)
        return exported(args)


@pytest.mark.parametrize("args", [{"kind": "all"}, {}, {"kind": "equipment"}])
def test_two_readers_write_the_bytes_one_reader_writes(db, readers, monkeypatch, args):
    alone = one_reader(monkeypatch, args)
    assert not readers
    both = exported(args)
    assert len(readers) == 1 and readers[0].process.returncode == 0
    assert both == alone
    lines = alone.count(b"\n") - 1  # less the header
    # The cut is near the middle: neither reader had most of the list.
    halves = csv_lines.Halves.of(PortfolioFilter.from_args(args))
    assert halves is not None
    below = db.session.scalar(sa.select(sa.func.count()).select_from(Project).join(Region)
                              .where(Region.key < halves.key, *PortfolioFilter.from_args(args).conditions()))
    assert lines / 4 <= below <= lines * 3 / 4


def test_a_list_of_one_region_or_in_another_order_is_read_by_one(db, readers, monkeypatch):
    county = db.session.scalar(sa.select(Region).join(Project).group_by(Region.id)
                               .order_by(sa.func.count().desc()).limit(1))
    for args in ({"kind": "all", "region": county.key}, {"kind": "all", "sort": "investment"},
                 {"kind": "all", "order": "desc"}, {"kind": "all", "status": "construction"}):
        assert exported(args) == one_reader(monkeypatch, args)
    assert not readers


def test_a_write_between_the_two_readers_starts_is_not_in_the_export(db, readers, monkeypatch):
    """The second reader sees the database as a write committed after this export began left it:
    it must write nothing, and this process read the second half as it saw it."""
    args = {"kind": "all"}
    before = one_reader(monkeypatch, args)
    halves = csv_lines.Halves.of(PortfolioFilter.from_args(args))
    assert halves is not None
    last = db.session.scalar(sa.select(Project).join(Region).where(Region.key >= halves.key)
                             .order_by(Project.id.desc()).limit(1))
    name = last.name
    start = csv_lines._Reader.__init__

    def write_first(reader, job):
        with db.engine.connect() as other:  # another officer's save, committed meanwhile
            other.execute(sa.update(Project).where(Project.id == last.id).values(name="别人刚改的名称"))
            other.execute(sa.text("UPDATE portfolio_changes SET stamp = stamp + 1"))
            other.commit()
        start(reader, job)

    monkeypatch.setattr(csv_lines._Reader, "__init__", write_first)
    try:
        during = exported(args)
    finally:
        with db.engine.connect() as other:
            other.execute(sa.update(Project).where(Project.id == last.id).values(name=name))
            other.commit()
    assert readers[0].process.returncode == csv_lines.sqlite_reader.STALE
    assert "别人刚改的名称".encode() not in during
    assert during == before


def test_a_reader_that_fails_is_read_again_here(db, readers, monkeypatch, tmp_path, caplog):
    broken = tmp_path / "reader.py"
    broken.write_text("import sys\nsys.stdout.write('half a line')\nsys.exit(1)\n")
    monkeypatch.setattr(csv_lines, "READER", broken)
    args = {"kind": "all"}
    with caplog.at_level(logging.WARNING, logger="tracker.exports.csv_lines"):
        assert exported(args) == one_reader(monkeypatch, args)
    assert readers[0].process.returncode == 1
    assert "second reader failed (status 1)" in caplog.text


def test_a_client_that_goes_away_stops_the_second_reader(db, readers, monkeypatch):
    chunks = csv_chunks(PortfolioFilter.from_args({"kind": "all"}), batch=50)
    next(chunks)  # the header
    next(chunks)  # the first lines: the second reader is running or done
    [reader] = readers
    chunks.close()
    assert reader.process.returncode is not None
    assert reader.output.closed


def test_the_cut_falls_between_two_regions_near_the_middle(db, readers):
    everything = PortfolioFilter.from_args({"kind": "all"})
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Project))
    key = csv_lines.split_key(everything, 10)
    below = db.session.scalar(sa.select(sa.func.count()).select_from(Project).join(Region)
                              .where(Region.key < key))
    largest = db.session.scalar(sa.select(sa.func.count()).select_from(Project)
                                .group_by(Project.region_id).order_by(sa.func.count().desc()).limit(1))
    assert abs(total - 2 * below) <= largest  # no other region key cuts nearer
    assert csv_lines.split_key(everything, total + 1) is None


def test_no_cut_when_one_region_holds_most_of_the_list(db, readers, monkeypatch):
    from tracker.portfolio import kept

    everything = PortfolioFilter.from_args({"kind": "all"})
    # Every project of the list in one region: the kept figures hold them there.
    biggest = db.session.scalar(sa.select(Project.region_id).where(Project.kind == "construction").limit(1))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Project))
    db.session.execute(sa.update(kept.portfolio_figures).values(projects=0))
    for region_id in _with_ancestors(db, biggest):
        db.session.execute(sa.update(kept.portfolio_figures)
                           .where(kept.portfolio_figures.c.region_id == region_id,
                                  kept.portfolio_figures.c.kind == "construction",
                                  kept.portfolio_figures.c.dimension == "all",
                                  kept.portfolio_figures.c.key == "").values(projects=total))
    assert csv_lines.split_key(everything, 10) is None


def _with_ancestors(db, region_id):
    while region_id is not None:
        yield region_id
        region_id = db.session.scalar(sa.select(Region.parent_id).where(Region.id == region_id))


def test_the_reader_opens_a_database_whose_path_holds_what_ends_a_uri(tmp_path):
    """The reader opens the file read-only by URI: a "?" or "#" in a folder's name would end the
    path there and open another file, or none."""
    import pickle
    import sqlite3
    import subprocess
    import sys

    folder = tmp_path / "台账#1?备份"
    folder.mkdir()
    database = folder / "tracker.sqlite3"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE portfolio_changes (id INTEGER PRIMARY KEY, stamp INTEGER)")
        connection.execute("INSERT INTO portfolio_changes VALUES (1, 7)")
    connection.close()
    job = {"database": str(database), "stamp": 7, "sql": "SELECT CAST(? AS BLOB)", "parameters": ("第一行\n",)}
    done = subprocess.run([sys.executable, "-I", "-S", str(csv_lines.READER)], input=pickle.dumps(job),
                          capture_output=True, check=False)
    assert (done.returncode, done.stdout) == (0, "第一行\n".encode())
    stale = subprocess.run([sys.executable, "-I", "-S", str(csv_lines.READER)],
                           input=pickle.dumps({**job, "stamp": 8}), capture_output=True, check=False)
    assert (stale.returncode, stale.stdout) == (csv_lines.sqlite_reader.STALE, b"")


def test_an_export_while_another_has_its_second_reader_is_read_in_one(db, readers, monkeypatch):
    """Exports at once share the cores: while one has its second reader, another reads in one
    process, the same bytes."""
    args = {"kind": "all"}
    alone = one_reader(monkeypatch, args)
    assert csv_lines.SECOND_READERS.acquire(blocking=False)  # another export's reader runs
    try:
        assert exported(args) == alone
        assert not readers
    finally:
        csv_lines.SECOND_READERS.release()
    assert exported(args) == alone and len(readers) == 1
