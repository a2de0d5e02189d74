"""The csv export on PostgreSQL: the database writes the file (``COPY (SELECT …) TO STDOUT``).

``csv.writer`` in Python made ~90,000 rows a second at 100,000 projects, most of its time turning
the driver's values into Python objects and back into text. Here PostgreSQL's own csv writer, in
C, writes every line, and Python only passes the bytes on, a large block at a time: the query's
work (the sort, the plans' titles) and the writing run on the server's core, the response's on
this one.

The SELECT makes each cell the text ``Listing.text_converter`` makes in Python, so the file is
byte for byte the one SQLite writes (``csv_lines``: there one SELECT makes each whole line, from
the same ``Listing`` labels and ``region_names``, and Python finds the rare hostile text in the
block; here too: a regular expression on every text cell was most of the query's time).
``tests/test_export_rows.py`` holds both to
``csv.writer`` of ``text_value`` for every cell, hostile ones included:

* an amount: ``trim_scale`` (NUMERIC's digits, trailing zeros off, never an exponent);
* a date: ISO (``DateStyle`` is set for the transaction); a month: ``YYYY-MM``;
* yes/no and the vocabularies: their labels in the request's language, a code the vocabulary no
  longer has as stored;
* a text, the region's key and the plans' titles: ``neutralise`` in SQL where the text starts
  with a formula's sign (``neutralised``), in Python for the rare line that holds a control
  character or U+FFFE/U+FFFF (``_mended``);
* the region's full name: made in Python (``region_names``) and passed in as two arrays;
* an empty text as no value: ``csv.writer`` writes both as nothing, where COPY writes ``""``.

The quoting rules are the same: a cell is quoted when it holds a comma, a quote or a line break
(``csv_.Lines`` quotes a carriage return in Python too), quotes are doubled, and lines end in
"\\n", COPY's only line end.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import aliased

from ..core import clock
from ..extensions import db
from ..plans.models import Plan
from ..portfolio.filters import PortfolioFilter
from ..projects.models import Project, project_plans
from ..regions.models import Region
from .columns import FORMULA_TRIGGERS, Column, neutralise
from .listing import Listing, region_names, stored_value
from . import records
from .records import list_statement

# What ``storable`` takes out of a text, as PostgreSQL's ``translate`` takes it: the vertical tab
# and form feed become line breaks, the other C0 controls (but tab and line breaks) and
# U+FFFE/U+FFFF go. A PostgreSQL text holds neither NUL nor a lone surrogate.
_LINE_BREAKING = "\x0b\x0c"
_DROPPED = "".join(chr(code) for code in (*range(0x01, 0x09), *range(0x0e, 0x20))) + "\ufffe\uffff"
# A text ``neutralise`` would change: a formula's first sign, or a character ``storable`` takes.
TAKEN = "[" + _LINE_BREAKING + _DROPPED + "]"
HOSTILE = "^[" + "".join(FORMULA_TRIGGERS).replace("-", "\\-") + "]|" + TAKEN
CHUNK = 256 * 1024  # bytes handed to the response at a time


def neutralised(text, starts_only: bool = False) -> sa.ColumnElement[str]:
    """``neutralise`` in PostgreSQL's SQL, an empty result as NULL (see the module), for the rare
    text that needs it: one regular expression finds a formula's first sign or a character
    ``storable`` takes (``translate`` on every cell took 4 µs each). ``starts_only``: only the
    formula's first sign is looked at here (the export's texts: ``copy_chunks`` finds the taken
    characters in the lines; a regular expression on every text cell was ~1 µs each, most of the
    export's time)."""
    stored = sa.func.translate(text, sa.literal(_LINE_BREAKING + _DROPPED), sa.literal("\n\n"),
                               type_=sa.Text())
    quoted = sa.case((sa.func.left(stored, 1).in_(FORMULA_TRIGGERS), sa.literal("'") + stored),
                     else_=stored)
    needs = sa.func.left(text, 1).in_(FORMULA_TRIGGERS) if starts_only else text.regexp_match(HOSTILE)
    return sa.func.nullif(sa.case((needs, quoted), else_=text), "", type_=sa.Text())


def labelled(attribute, labels: dict) -> sa.ColumnElement[str]:
    """A CASE giving each stored code its label; a code without one is written as stored
    (``listing.Labels``)."""
    stored = sa.type_coerce(attribute, sa.Text())
    return sa.case({code: sa.literal(label, sa.Text()) for code, label in labels.items()},
                   value=stored, else_=stored)


def plan_titles() -> sa.TableValuedAlias:
    """The plan titles of each project in more than one plan, in the plans' order, joined with
    "；" (``Listing.plans_text``), read here once and passed in as two arrays (as the regions'
    full names are). A project in one plan, nearly every one, reads its plan's title through its
    one link, joined (``CopyStatement.select``). Grouped in the COPY's own SELECT, the pass over
    every project's links was made again by each of PostgreSQL's parallel workers (~85 ms each at
    100,000 projects, an eighth of the export; a subquery per project took 2.6 s, and a LATERAL
    or correlated look-up would run in the leader alone, with every cell's formatting above it);
    here it is one index-only pass, in the export's transaction, before the COPY (as the
    regions' full names are read)."""
    several = (sa.select(project_plans.c.project_id).group_by(project_plans.c.project_id)
               .having(sa.func.count() > 1))
    rows = db.session.execute(
        sa.select(project_plans.c.project_id,
                  sa.func.string_agg(Plan.title, postgresql.aggregate_order_by(sa.literal("；"), Plan.key)))
        .join_from(project_plans, Plan, Plan.id == project_plans.c.plan_id)
        .where(project_plans.c.project_id.in_(several))
        .group_by(project_plans.c.project_id)).all()
    return (sa.func.unnest(
        sa.bindparam("plan_project_ids", [row[0] for row in rows], type_=postgresql.ARRAY(sa.Integer())),
        sa.bindparam("plan_titles", [row[1] for row in rows], type_=postgresql.ARRAY(sa.Text())))
        .table_valued(sa.column("project_id", sa.Integer()), sa.column("titles", sa.Text()))
        .render_derived(name="export_plans"))


class CopyStatement:
    """The SELECT of the csv's cells, for the columns of ``listing``."""

    def __init__(self, listing: Listing):
        keys, full_names = region_names()
        ids = sorted(full_names)
        self.full_names = (sa.func.unnest(
            sa.bindparam("region_ids", ids, type_=postgresql.ARRAY(sa.Integer())),
            sa.bindparam("region_names", [neutralise(full_names[i]) for i in ids],
                         type_=postgresql.ARRAY(sa.Text())))
            .table_valued(sa.column("id", sa.Integer()), sa.column("full_name", sa.Text()))
            .render_derived(name="export_region_names"))
        self.listing = listing
        self.plans = plan_titles()
        self.one_link = project_plans.alias("export_one_link")
        self.first_plan = aliased(Plan, name="export_first_plan")
        texts = {column.key: self.text(column) for column in listing.columns}
        # The texts, by position in the line: ``copy_chunks`` neutralises them in Python in the
        # rare line that holds a character ``storable`` takes.
        self.text_positions = [position for position, column in enumerate(listing.columns)
                               if texts[column.key] is not None]
        self.cells = [neutralised(texts[column.key], starts_only=True)
                      if texts[column.key] is not None else self.cell(column)
                      for column in listing.columns]

    def text(self, column: Column) -> Any:
        """The stored text of a text column, to be neutralised; None for any other column."""
        if column.kind == "region":
            return Region.key
        if column.kind == "list":  # the plans' titles
            return sa.func.coalesce(self.plans.c.titles, self.first_plan.title)
        if column.kind == "text" and column.key != "region_name":  # the full name: from Python
            return stored_value(column)
        return None

    def cell(self, column: Column):
        if column.key == "region_name":
            return self.full_names.c.full_name
        attribute = stored_value(column)
        kind = column.kind
        if kind == "vocab":
            return sa.func.nullif(labelled(attribute, self.listing.labels[column.vocabulary]), "")
        if kind == "bool":
            yes_no = self.listing.yes_no
            return sa.case((attribute.is_(True), sa.literal(yes_no[True])),
                           (attribute.is_(False), sa.literal(yes_no[False])))
        if kind == "decimal":
            return sa.func.trim_scale(sa.type_coerce(attribute, sa.Numeric()))
        if kind == "month":
            return sa.func.to_char(attribute, "YYYY-MM")
        if kind in ("id", "int", "date"):
            return attribute  # PostgreSQL's text of an integer, of a date in ISO (DateStyle)
        raise AssertionError(f"no cell for {column.key}")  # pragma: no cover (texts: ``text``)

    def select(self, portfolio_filter: PortfolioFilter, today: dt.date) -> sa.Select:
        statement = list_statement(portfolio_filter, self.cells, portfolio_filter.conditions(today))
        if any(column.key == "region_name" for column in self.listing.columns):
            statement = statement.outerjoin(self.full_names, self.full_names.c.id == Project.region_id)
        if any(column.key == "plans" for column in self.listing.columns):
            statement = (statement.outerjoin(self.plans, self.plans.c.project_id == Project.id)
                         # The one link of a project in one plan (one in several is in ``plans``).
                         .outerjoin(self.one_link, sa.and_(self.one_link.c.project_id == Project.id,
                                                           self.plans.c.project_id.is_(None)))
                         .outerjoin(self.first_plan, self.first_plan.id == self.one_link.c.plan_id))
        return statement


# A character ``storable`` takes, as UTF-8 bytes in a line: the C0 controls (one byte each) and
# U+FFFE/U+FFFF. Found by deleting the controls (``bytes.translate``: ~0.1 s for the 44 MB of
# 100,000 projects, where a regular expression took 0.4 s) and two searches.
_CONTROL_BYTES = (_LINE_BREAKING + _DROPPED[:-2]).encode()
_NONCHARACTERS = ("\ufffe".encode(), "\uffff".encode())


def _taken(data: bytes) -> bool:
    return (len(data.translate(None, _CONTROL_BYTES)) != len(data)
            or any(sign in data for sign in _NONCHARACTERS))


def _mended(lines: list[bytes], text_positions: list[int],
            write: Callable[[list[list[str]]], bytes]) -> bytes:
    """The lines, each that holds a character ``storable`` takes written again with its texts
    neutralised (PostgreSQL looked only at their first sign: ``neutralised(starts_only=True)``).
    A line holds one record: libpq hands over one line at a time, a text's line breaks included."""
    mended = []
    for line in lines:
        if _taken(line):
            [cells] = csv.reader(io.StringIO(line.decode("utf-8"), newline=""))
            for position in text_positions:
                cells[position] = neutralise(cells[position])
            line = write([cells])
        mended.append(line)
    return b"".join(mended)


def copy_chunks(listing: Listing, portfolio_filter: PortfolioFilter, *,
                write: Callable[[list[list[str]]], bytes], today: dt.date | None = None,
                batch: int | None = None) -> Iterator[bytes]:
    """The csv's lines (no header) as PostgreSQL writes them, ``batch`` lines (or ``CHUNK``
    bytes) at a time; ``listing.count`` counts them. ``write`` writes rows of cells as csv lines
    (``csv_.Lines.block``), for the rare line whose texts Python neutralises (``_mended``)."""
    batch = batch or records.BATCH
    connection = db.session.connection()
    connection.exec_driver_sql("SET LOCAL jit = off")  # see records.stream
    connection.exec_driver_sql("SET LOCAL DateStyle = 'ISO, YMD'")
    # The lines are sorted in the list's order whole (~800 bytes a row): in memory, not in
    # temporary files (~50 MB at 100,000 projects; PostgreSQL's default work_mem is 4 MB).
    connection.exec_driver_sql("SET LOCAL work_mem = '64MB'")
    statement = CopyStatement(listing)
    sql, parameters = records.compiled(connection, statement.select(portfolio_filter, today or clock.today()))
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", parameters) as copy:
            lines: list[bytes] = []
            size = 0
            for line in copy:  # libpq hands over one line at a time
                lines.append(line)
                size += len(line)
                if len(lines) >= batch or size >= CHUNK:
                    yield _block(lines, statement.text_positions, write)
                    listing.count += len(lines)
                    lines, size = [], 0
            if lines:
                yield _block(lines, statement.text_positions, write)
                listing.count += len(lines)
    finally:
        cursor.close()


def _block(lines: list, text_positions: list[int], write: Callable[[list[list[str]]], bytes]) -> bytes:
    block = b"".join(lines)
    if _taken(block):  # rare: a stored text with a control character
        return _mended([bytes(line) for line in lines], text_positions, write)
    return block
