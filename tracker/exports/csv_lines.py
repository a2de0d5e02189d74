"""The csv export on SQLite: SQLite writes each line (one ``SELECT`` whose one column is the line).

``csv.writer`` in Python made ~60,000 rows a second at 100,000 projects: the sqlite3 module built
29 Python objects a row, under the GIL, for ``csv.writer`` to turn back into text. Here, as
PostgreSQL's ``COPY`` does (``csv_copy``), the database makes the text: every cell is formatted in
SQL and the cells are joined by one ``printf``, read as bytes (``CAST … AS BLOB``: no decoding,
no encoding); Python joins a block of lines, checks it in a few passes in C and hands it on.
SQLite steps through the rows without the GIL, on the read-ahead thread (``records._read_ahead``).

Each cell is the text ``Listing.text_converter`` makes, byte for byte (``tests/test_export_rows.py``
holds every cell to ``csv.writer`` of ``text_value``):

* an amount: from the scaled integer ``ExactDecimal`` stores, its digits, no trailing zeros, never
  an exponent (``decimal_cell``); a date as stored (ISO text), a month its first seven characters;
* yes/no, the vocabularies' labels (in the request's language), the region's key and full name
  and a plan's title: cells made in Python once per export (``neutralise``, then ``cell_text``)
  and chosen in SQL: a CASE per code, a tree of CASEs per id (``lookup``: ~10 comparisons);
* a text: as stored. What the csv quotes or ``neutralise`` changes is rare in a text, and the
  cheapest place to find it is the whole block in Python (``Block``); SQL only marks (``MARK``)
  a text that starts a formula or holds a NUL (``printf`` would cut it there), written in hex.

Cells are separated by the byte 0xFF and lines end in 0xF9, which no UTF-8 text holds, so a line
Python must redo splits into its cells exactly; the cells made in Python carry their commas,
quotes and line breaks as bytes no UTF-8 text holds either (``ENCODED``), so a comma, a quote, a
line break or another control character in a block is a text's. One ``translate`` decodes a
block and deletes those: a clean block (nearly all) comes out as long as it went in and is
written; in another, each line with such a text is made again from its cells in Python (``redo``).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import pickle
import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import sqlalchemy as sa

from ..core import clock
from ..extensions import db
from ..plans.models import Plan
from ..portfolio import cache, kept
from ..portfolio.filters import PortfolioFilter
from ..projects.models import Project, project_plans
from ..regions.models import Region
from . import records, sqlite_reader
from .columns import FORMULA_TRIGGERS, Column, neutralise
from .listing import Listing, region_names, stored_value

SEPARATOR = b"\xff"  # between two cells of a line: no UTF-8 text holds the byte
END = b"\xf9"  # a line's end, "\n" once decoded: so a "\n" in a block is a text's
MARK = b"\xfe"  # before a text SQL wrote in hex: Python makes its cell (a formula, a NUL)
# How a cell made in Python writes what a text's cell could hold: as bytes no UTF-8 text holds.
ENCODED = {b",": b"\xfd", b'"': b"\xfc", b"\n": b"\xfb", b"\r": b"\xfa"}
# One pass from the bytes SQLite wrote to the csv's.
DECODE = bytes.maketrans(SEPARATOR + END + b"".join(ENCODED.values()), b",\n" + b"".join(ENCODED))
# A byte a clean block lacks: a control character, a comma, a quote, the mark. Taken out by the
# same pass (``translate``'s ``delete``): a clean block comes out as long as it went in.
SUSPECT = bytes(range(0x20)) + b',"' + MARK
# U+FFFE and U+FFFF (``storable`` takes them out), looked for apart.
NONCHARACTER = re.compile(b"\xef\xbf[\xbe\xbf]")  # their UTF-8
# A text starting with one of these is a formula's (``FORMULA_TRIGGERS``): a GLOB's class, "-" last.
_TRIGGER = "[" + "".join(sorted(set(FORMULA_TRIGGERS) - {"-"})) + "-]*"
LEAF = 8  # ids compared one by one at the end of a lookup's tree
READER = Path(sqlite_reader.__file__)
SECOND_READERS = threading.BoundedSemaphore(1)  # (``line_chunks``)
logger = logging.getLogger(__name__)


def cell_text(text: str) -> str:
    """``text`` as a csv cell: quoted, its quotes doubled, when it holds a comma, a quote, a line
    feed or a carriage return (as ``csv.writer`` and ``csv_.Lines`` write it)."""
    if any(sign in text for sign in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def neutral_cell(text: str) -> str:
    """A text's cell: ``neutralise``, then ``cell_text``."""
    return cell_text(neutralise(text))


def encoded(cell: str) -> bytes:
    """A cell made in Python as SQLite writes it into a line (``ENCODED``)."""
    data = cell.encode("utf-8")
    for sign, code in ENCODED.items():
        data = data.replace(sign, code)
    return data


def blob(data: bytes) -> sa.ColumnElement[bytes]:
    return sa.literal(data, sa.LargeBinary())


def marked(text) -> sa.ColumnElement[bytes]:
    """A text Python must make the cell of: the mark, then its UTF-8 in hex (all of it, NULs too);
    NULL stays NULL (an empty cell: ``hex(NULL)`` is "")."""
    return sa.case((text.is_not(None), blob(MARK).op("||")(sa.func.hex(text))))


def text_cell(text) -> sa.ColumnElement:
    """A text column's cell: as stored, but marked (``marked``) when it starts a formula or holds
    a NUL (``instr``: ``printf`` and GLOB stop at a NUL)."""
    return sa.case((text.op("GLOB", is_comparison=True)(sa.literal(_TRIGGER, sa.Text()))
                    | (sa.func.instr(text, sa.func.char(0)) > 0), marked(text)),
                   else_=text)


def lookup(name: str, key: str, cells: Mapping[int, bytes], default) -> sa.ColumnElement:
    """The cell of ``key`` (the SQL of an id) in ``cells``, ``default`` for an id it does not
    hold: a tree of CASEs halving the sorted ids (log2 of them comparisons), ``LEAF`` ids
    compared one by one at its ends. Written as SQL text with the cells bound (``name``_n):
    SQLAlchemy took ~0.1 s to build the ~2,000 elements of the regions' trees."""
    ids = sorted(int(i) for i in cells)
    number = {i: n for n, i in enumerate(ids)}

    def tree(low: int, high: int) -> str:
        if high - low <= LEAF:
            return (f"CASE {key} "
                    + " ".join(f"WHEN {i} THEN :{name}_{number[i]}" for i in ids[low:high]) + " END")
        middle = (low + high) // 2
        return f"CASE WHEN {key} < {ids[middle]} THEN {tree(low, middle)} ELSE {tree(middle, high)} END"

    if not ids:
        return default
    found = sa.text(tree(0, len(ids))).bindparams(
        *[sa.bindparam(f"{name}_{n}", cells[i], type_=sa.LargeBinary()) for i, n in number.items()])
    # ``coalesce`` evaluates ``default`` only for a NULL: an id not held.
    return sa.func.coalesce(found, default)


def decimal_cell(attribute) -> sa.ColumnElement:
    """``decimal_text`` in SQLite's SQL, from the scaled integer ``ExactDecimal`` stores:
    13200000 → "1320", 166989500 → "16698.95", -5000 → "-0.5" (scale 4); NULL: NULL."""
    scale = 10 ** attribute.type.scale
    stored = sa.type_coerce(attribute, sa.BigInteger())
    remainder = stored % scale  # SQLite's: the sign of the stored value

    def digits(whole, fraction):
        return (sa.cast(whole, sa.Text()) + "."
                + sa.func.rtrim(sa.func.substr(sa.cast(scale + fraction, sa.Text()), 2), "0"))

    return sa.case((stored.is_(None), sa.null()),
                   (remainder == 0, stored // scale),
                   (stored > 0, digits(stored // scale, remainder)),
                   else_="-" + digits(-stored // scale, -remainder))


class LineStatement:
    """The SELECT of the csv's lines, for the columns of ``listing``: one BLOB a row."""

    def __init__(self, listing: Listing):
        self.listing = listing
        keys, full_names = region_names()
        self.region_keys = {i: encoded(neutral_cell(str(key))) for i, key in keys.items()}
        self.region_names = {i: encoded(neutral_cell(name)) for i, name in full_names.items()}
        titles = db.session.execute(sa.select(Plan.id, Plan.title)).all()
        self.plan_titles = {i: encoded(neutral_cell(title)) for i, title in titles}
        order = [column.key for column in listing.columns]
        cells = []
        for index, column in enumerate(listing.columns):
            if order[index - 1 : index + 1] == ["region", "region_name"]:
                continue  # in the region's cell (``region_cells``)
            if order[index : index + 2] == ["region", "region_name"]:
                cells.append(self.region_cells())
            else:
                cells.append(self.cell(column))
        layout = SEPARATOR.join([b"%s"] * len(cells)) + END
        self.line = sa.cast(sa.func.printf(blob(layout), *cells), sa.LargeBinary()).label("line")

    def region_cells(self) -> sa.ColumnElement:
        """The region's key and full name, side by side: one lookup for the two cells."""
        both = {i: self.region_keys[i] + SEPARATOR + self.region_names.get(i, b"") for i in self.region_keys}
        return lookup("export_region", "projects.region_id", both,
                      marked(Region.key).op("||")(blob(SEPARATOR)))

    def plans_cell(self) -> sa.ColumnElement:
        """One plan's title looked up; several plans' titles joined in the plans' order ("；")
        in SQL (rare: the lookup gives NULL), marked for Python to neutralise."""
        count = sa.func.count()
        one = (sa.select(sa.case((count == 0, blob(b"")),
                                 (count == 1, lookup("export_plan", "max(project_plans.plan_id)", self.plan_titles,
                                                     sa.null()))))
               .where(project_plans.c.project_id == Project.id)
               .scalar_subquery())
        ordered = (sa.select(Plan.title)
                   .join_from(project_plans, Plan, Plan.id == project_plans.c.plan_id)
                   .where(project_plans.c.project_id == Project.id)
                   .order_by(Plan.key)
                   .correlate(Project)
                   .subquery("export_titles"))
        several = sa.select(sa.func.group_concat(ordered.c.title, "；")).scalar_subquery()
        return sa.func.coalesce(one, marked(several))

    def cell(self, column: Column) -> sa.ColumnElement:
        if column.key == "region":
            return lookup("export_region_key", "projects.region_id", self.region_keys, marked(Region.key))
        if column.key == "region_name":
            return lookup("export_region_name", "projects.region_id", self.region_names, blob(b""))
        if column.key == "plans":
            return self.plans_cell()
        attribute = stored_value(column)
        kind = column.kind
        if kind == "vocab":
            stored_code = sa.type_coerce(attribute, sa.Text())
            labels = self.listing.labels[column.vocabulary]
            cells = {code: blob(encoded(cell_text(label))) for code, label in labels.items()}
            # A code the vocabulary no longer has: as stored, made a cell in Python.
            return sa.case({**cells, "": blob(b"")}, value=stored_code, else_=marked(stored_code))
        if kind == "bool":
            yes, no = (cell_text(self.listing.yes_no[flag] or "") for flag in (True, False))
            stored_flag = sa.type_coerce(attribute, sa.Integer())
            return sa.case((stored_flag == 1, blob(encoded(yes))), (stored_flag == 0, blob(encoded(no))))
        if kind == "decimal":
            return decimal_cell(attribute)
        if kind == "month":
            return sa.func.substr(sa.type_coerce(attribute, sa.Text()), 1, 7)
        if kind in ("id", "int", "date"):
            return sa.type_coerce(attribute, sa.Text())  # an integer's digits, a date's ISO text
        return text_cell(sa.type_coerce(attribute, sa.Text()))

    def select(self, portfolio_filter: PortfolioFilter, today: dt.date) -> sa.Select:
        statement = records.list_statement(portfolio_filter, [self.line], portfolio_filter.conditions(today))
        if portfolio_filter.region is None and kept.answers(portfolio_filter):
            # The whole portfolio (of a kind): read the table from end to end and sort the lines,
            # not each project by a seek from an index in the list's order (a seek a row, one of
            # the export's largest costs: 1.21 → 1.05 s at 100,000 projects).
            statement = statement.with_hint(Project, "NOT INDEXED", "sqlite")
        return statement


class Block:
    """Lines SQLite wrote, made the csv's bytes (see the module)."""

    def __init__(self, columns: Sequence[Column]):
        # When a line is made again in Python: which cells are a text as stored (``text_cell``),
        # and how a marked cell is made (a code as stored: quoted; a text: neutralised first).
        self.raw = [column.kind == "text" and column.key != "region_name" for column in columns]
        self.makers: list[Callable[[str], str]] = [
            cell_text if column.kind == "vocab" else neutral_cell for column in columns]

    def line(self, line: bytes) -> bytes:
        """One line's csv bytes: decoded, or made again if it holds a suspect text."""
        decoded = line.translate(DECODE, SUSPECT)
        if len(decoded) == len(line) and NONCHARACTER.search(line) is None:
            return decoded
        return self.redo(line)

    def redo(self, line: bytes) -> bytes:
        """A line made again from its cells: each text's cell as ``text_value`` and the csv make it."""
        cells = []
        for raw, text, make in zip(line[:-1].split(SEPARATOR), self.raw, self.makers):
            if raw.startswith(MARK):
                cells.append(make(bytes.fromhex(raw[1:].decode("ascii")).decode("utf-8")))
            elif text:
                cells.append(neutral_cell(raw.decode("utf-8")))
            else:
                cells.append(raw.translate(DECODE).decode("utf-8"))
        return (",".join(cells) + "\n").encode("utf-8")

    def __call__(self, data: bytes) -> bytes:
        """Whole lines SQLite wrote, one after the other, as the csv's bytes."""
        decoded = data.translate(DECODE, SUSPECT)
        if len(decoded) == len(data) and NONCHARACTER.search(data) is None:
            return decoded  # nearly always: three passes in C over the block
        return b"".join([self.line(line + END) for line in data.split(END)[:-1]])


def line_chunks(listing: Listing, portfolio_filter: PortfolioFilter, *,
                today: dt.date | None = None, batch: int | None = None) -> Iterator[bytes]:
    """The csv's lines (no header) as SQLite writes them, ``batch`` lines at a time;
    ``listing.count`` counts them. A whole portfolio is read by two processes at once
    (``Halves``) where it is large and the machine has a second core."""
    statement = LineStatement(listing).select(portfolio_filter, today or clock.today())
    block = Block(listing.columns)
    halves = Halves.of(portfolio_filter)
    # One second reader at a time in a process: exports at once share the cores, not more of them.
    if halves is None or not SECOND_READERS.acquire(blocking=False):
        yield from _blocks(statement, block, listing, batch)
        return
    try:
        first, second = halves.statements(statement)
        reader = halves.start(second)
        try:
            yield from _blocks(first, block, listing, batch)
            if reader.finished():
                yield from reader.blocks(block, listing)
            else:  # a write came between the two readers' starts, or the reader failed
                yield from _blocks(second, block, listing, batch)
        finally:
            reader.close()
    finally:
        SECOND_READERS.release()


def _blocks(statement: sa.Select, block: Block, listing: Listing, batch: int | None) -> Iterator[bytes]:
    for rows in records.stream(statement, batch, read_ahead=True):
        listing.count += len(rows)
        yield block(b"".join([row[0] for row in rows]))


class Halves:
    """A whole portfolio's lines read by two SQLite connections in two processes at once.

    SQLite reads a statement on one thread, and the lines of 100,000 projects took it 0.72 of the
    export's 0.87 s; a second thread in the same process was slower, not faster (the two hand the
    GIL to each other at every row, and SQLite's memory allocator takes a lock of the process's
    for each allocation: benchmarks/NOTES.md). So the list, in its order (a region's key, then the
    id), is cut at a region's key into two near halves (``split_key``: from the kept figures, no
    project read): this process reads the first and streams it while a fresh interpreter
    (``sqlite_reader``, standard library only) reads the second into a temporary file, which is
    streamed after. Memory stays flat; the file holds the second half's bytes (~22 MB at 100,000).

    Both readers must see the same portfolio. This transaction's change stamp (``cache.stamp``:
    every committed write to the portfolio moves it, in its own transaction) is handed to the
    reader, which reads its own in its read transaction and writes nothing unless the two are the
    same; then this process reads the second half itself. Only the list's default order (by
    region) of the whole portfolio, which the kept figures count, is cut; only a file database.
    """

    SMALLEST = 20_000  # projects: below, a process's start (~30 ms) is worth more than half a read

    def __init__(self, key: str, number: int, database: str):
        self.key, self.number, self.database = key, number, database

    @classmethod
    def of(cls, portfolio_filter: PortfolioFilter) -> Halves | None:
        """How to cut the filter's list, or None to read it in one."""
        if (portfolio_filter.region is not None or not kept.answers(portfolio_filter)
                or portfolio_filter.sort_key != "region" or portfolio_filter.descending
                or _cores() < 2 or not Path(sys.executable).name.startswith("python")):
            return None  # (under an embedding server sys.executable is no interpreter)
        connection = db.session.connection()
        database = connection.engine.url.database
        if not database or database == ":memory:" or connection.engine.url.query.get("mode") == "memory":
            return None
        now = cache.stamp()
        key = split_key(portfolio_filter, cls.SMALLEST)
        if now is None or key is None:
            return None
        return cls(key, now[-1], str(Path(database).resolve()))

    def statements(self, statement: sa.Select) -> tuple[sa.Select, sa.Select]:
        return statement.where(Region.key < self.key), statement.where(Region.key >= self.key)

    def start(self, statement: sa.Select) -> _Reader:
        sql, parameters = records.compiled(db.session.connection(), statement)
        job = {"database": self.database, "stamp": self.number, "sql": sql,
               "parameters": tuple(bytes(p) if isinstance(p, memoryview) else p for p in parameters)}
        return _Reader(job)


class _Reader:
    """The second reader's process (``sqlite_reader``) and the file it writes."""

    CHUNK = 1 << 20  # bytes of the file read at a time
    WAIT = 120  # seconds the reader may still take once this process has read its half

    def __init__(self, job: dict):
        self.output = tempfile.TemporaryFile(prefix="tracker-export-")
        with tempfile.TemporaryFile(prefix="tracker-export-job-") as given:
            pickle.dump(job, given)
            given.seek(0)
            self.process = subprocess.Popen([sys.executable, "-I", "-S", str(READER)],
                                            stdin=given, stdout=self.output)

    def finished(self) -> bool:
        """Whether the reader wrote its half: it waits for it, and tells a failure."""
        try:
            status = self.process.wait(self.WAIT)
        except subprocess.TimeoutExpired:
            status = None
        if status not in (0, sqlite_reader.STALE):
            logger.warning("The export's second reader failed (status %s): read in one", status)
        return status == 0

    def blocks(self, block: Block, listing: Listing) -> Iterator[bytes]:
        """The file's lines, whole lines at a time, as the csv's bytes."""
        self.output.seek(0)
        rest = b""
        while chunk := self.output.read(self.CHUNK):
            data = rest + chunk
            end = data.rfind(END) + 1
            data, rest = data[:end], data[end:]
            listing.count += data.count(END)
            yield block(data)
        if rest:
            raise RuntimeError("the export's second reader wrote a line without its end")

    def close(self) -> None:
        if self.process.poll() is None:  # the client went away first
            self.process.kill()
            self.process.wait()
        self.output.close()


def split_key(portfolio_filter: PortfolioFilter, smallest: int) -> str | None:
    """The region key that cuts the filter's projects (the whole portfolio, of its kind), in the
    order of their regions' keys, into two near halves: the projects of the regions whose key is
    below it, and the rest. From the kept figures: a region node's count less its children's is
    the projects held by the region itself. None when there are fewer than ``smallest``, or no
    key cuts them near halves (a region holds most of them)."""
    figures = kept.portfolio_figures
    # Each region's row of each kind by its primary key (~9 ms for 876 regions), not every row.
    counts = {row[0]: int(row[1] or 0) for row in db.session.execute(
        sa.select(figures.c.region_id, sa.func.sum(figures.c.projects))
        .where(figures.c.kind.in_(kept.kind_codes(portfolio_filter)), figures.c.dimension == "all",
               figures.c.key == "")
        .group_by(figures.c.region_id))}
    rows = [(region_id, parent_id, key, counts.get(region_id, 0))
            for region_id, parent_id, key in db.session.execute(sa.select(Region.id, Region.parent_id, Region.key))]
    own = {region_id: count for region_id, _, _, count in rows}
    for _, parent_id, _, count in rows:
        if parent_id is not None and parent_id in own:
            own[parent_id] -= count
    total = sum(own.values())
    if total < smallest:
        return None
    best: tuple[str, int] | None = None  # the key, the projects before it
    before = 0
    for region_id, _, key, _ in sorted(rows, key=lambda row: row[2]):
        if best is None or abs(total - 2 * before) < abs(total - 2 * best[1]):
            best = (key, before)
        before += own[region_id]
    if best is None or min(best[1], total - best[1]) < total // 4:
        return None  # one region holds most of the list: no cut halves it
    return best[0]


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
