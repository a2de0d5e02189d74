"""The csv export on PostgreSQL: the database writes the file (``COPY (SELECT …) TO STDOUT``).

``csv.writer`` in Python made ~90,000 rows a second at 100,000 projects, most of its time turning
the driver's values into Python objects and back into text. Here PostgreSQL's own csv writer, in
C, writes every line, and Python only passes the bytes on, a large block at a time: the query's
work (the sort, the plans' titles) and the writing run on the server's core, the response's on
this one.

The SELECT makes each cell the text ``Listing.text_converter`` makes in Python, so the file is
byte for byte the one SQLite writes (``csv_lines``: there one SELECT makes each whole line, from
the same ``Listing`` labels and ``region_names``, and Python finds the rare hostile text in the
block, as SQLite has no regular expressions). ``tests/test_export_rows.py`` holds both to
``csv.writer`` of ``text_value`` for every cell, hostile ones included:

* an amount: ``trim_scale`` (NUMERIC's digits, trailing zeros off, never an exponent);
* a date: ISO (``DateStyle`` is set for the transaction); a month: ``YYYY-MM``;
* yes/no and the vocabularies: their labels in the request's language, a code the vocabulary no
  longer has as stored;
* a text, the region's key and the plans' titles: ``neutralise`` in SQL (``neutralised``);
* the region's full name: made in Python (``region_names``) and passed in as two arrays;
* an empty text as no value: ``csv.writer`` writes both as nothing, where COPY writes ``""``.

The quoting rules are the same: a cell is quoted when it holds a comma, a quote or a line break
(``csv_.Lines`` quotes a carriage return in Python too), quotes are doubled, and lines end in
"\\n", COPY's only line end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from ..core import clock
from ..extensions import db
from ..plans.models import Plan
from ..portfolio.filters import PortfolioFilter
from ..projects.models import Project, project_plans
from ..regions.models import Region
from .columns import FORMULA_TRIGGERS, Column, neutralise
from .listing import Listing, region_names
from . import records
from .records import list_statement

# What ``storable`` takes out of a text, as PostgreSQL's ``translate`` takes it: the vertical tab
# and form feed become line breaks, the other C0 controls (but tab and line breaks) and
# U+FFFE/U+FFFF go. A PostgreSQL text holds neither NUL nor a lone surrogate.
_LINE_BREAKING = "\x0b\x0c"
_DROPPED = "".join(chr(code) for code in (*range(0x01, 0x09), *range(0x0e, 0x20))) + "\ufffe\uffff"
# A text ``neutralise`` would change: a formula's first sign, or a character ``storable`` takes.
HOSTILE = ("^[" + "".join(FORMULA_TRIGGERS).replace("-", "\\-") + "]|["
           + _LINE_BREAKING + _DROPPED + "]")
CHUNK = 256 * 1024  # bytes handed to the response at a time


def neutralised(text) -> sa.ColumnElement[str]:
    """``neutralise`` in PostgreSQL's SQL, an empty result as NULL (see the module). One regular
    expression finds the rare text that needs it (``translate`` on every cell took 4 µs each)."""
    stored = sa.func.translate(text, sa.literal(_LINE_BREAKING + _DROPPED), sa.literal("\n\n"),
                               type_=sa.Text())
    quoted = sa.case((sa.func.left(stored, 1).in_(FORMULA_TRIGGERS), sa.literal("'") + stored),
                     else_=stored)
    return sa.func.nullif(sa.case((text.regexp_match(HOSTILE), quoted), else_=text), "", type_=sa.Text())


def labelled(attribute, labels: dict) -> sa.ColumnElement[str]:
    """A CASE giving each stored code its label; a code without one is written as stored
    (``listing.Labels``)."""
    stored = sa.type_coerce(attribute, sa.Text())
    return sa.case({code: sa.literal(label, sa.Text()) for code, label in labels.items()},
                   value=stored, else_=stored)


def plan_titles() -> sa.Subquery:
    """Each project's plan titles in the plans' order, joined with "；" (``Listing.plans_text``):
    one grouped pass joined to the projects (a subquery per project took 2.6 s at 100,000)."""
    return (sa.select(project_plans.c.project_id,
                      sa.func.string_agg(Plan.title, postgresql.aggregate_order_by(sa.literal("；"), Plan.key))
                      .label("titles"))
            .join_from(project_plans, Plan, Plan.id == project_plans.c.plan_id)
            .group_by(project_plans.c.project_id)
            .subquery("export_plans"))


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
        self.cells = [self.cell(column) for column in listing.columns]

    def cell(self, column: Column):
        if column.key == "region":
            return neutralised(Region.key)
        if column.key == "region_name":
            return self.full_names.c.full_name
        if column.key == "plans":
            return neutralised(self.plans.c.titles)
        attribute = getattr(Project, column.key)
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
        return neutralised(attribute)

    def select(self, portfolio_filter: PortfolioFilter, today: dt.date) -> sa.Select:
        statement = list_statement(portfolio_filter, self.cells, portfolio_filter.conditions(today))
        if any(column.key == "region_name" for column in self.listing.columns):
            statement = statement.outerjoin(self.full_names, self.full_names.c.id == Project.region_id)
        if any(column.key == "plans" for column in self.listing.columns):
            statement = statement.outerjoin(self.plans, self.plans.c.project_id == Project.id)
        return statement


class _Captured:
    """What SQLAlchemy would send to the driver for a statement (``_capture``)."""

    statement: str
    parameters: object


@sa.event.listens_for(sa.engine.Engine, "do_execute")
def _capture(cursor, statement, parameters, context):
    """Not executed but kept: a statement run with the ``copy_capture`` execution option, as
    SQLAlchemy compiled it and with its parameters as it processed them (IN lists expanded, each
    type's bind processing done), for ``COPY`` (which psycopg binds on the client)."""
    captured = context.execution_options.get("copy_capture")
    if captured is None:
        return None
    captured.statement, captured.parameters = statement, parameters
    return True


def copy_chunks(listing: Listing, portfolio_filter: PortfolioFilter, *,
                today: dt.date | None = None, batch: int | None = None) -> Iterator[bytes]:
    """The csv's lines (no header) as PostgreSQL writes them, ``batch`` lines (or ``CHUNK``
    bytes) at a time; ``listing.count`` counts them."""
    batch = batch or records.BATCH
    connection = db.session.connection()
    connection.exec_driver_sql("SET LOCAL jit = off")  # see records.stream
    connection.exec_driver_sql("SET LOCAL DateStyle = 'ISO, YMD'")
    captured = _Captured()
    connection.execute(CopyStatement(listing).select(portfolio_filter, today or clock.today()),
                       execution_options={"copy_capture": captured})
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(f"COPY ({captured.statement}) TO STDOUT (FORMAT csv)",
                         captured.parameters) as copy:
            block = bytearray()
            lines = 0
            for line in copy:  # libpq hands over one line at a time
                block += line
                lines += 1
                if lines >= batch or len(block) >= CHUNK:
                    listing.count += lines
                    lines = 0
                    yield bytes(block)
                    block.clear()
            listing.count += lines
            if block:
                yield bytes(block)
    finally:
        cursor.close()
