"""The list's rows for the csv and xlsx exports: one SELECT of exactly the exported columns.

A whole portfolio is 100,000 rows and more, and an export used to build an ORM object per row,
render every vocabulary label through a lazy string and walk each region's parents
(benchmarks/NOTES.md). Here the values come from one Core ``SELECT`` in the list's filter and order
(``portfolio.exports.stream``: one sort in the database, read a partition at a time, memory
flat); the region names, the plan titles and the vocabulary labels are looked up in dicts built
once per export (in the request's language); and each partition is converted column by column.

``tests/test_export_rows.py`` holds every cell to the columns' own definition
(``text_value(column, column.get(project))``, ``xlsx.value_cell``), so the two cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from functools import lru_cache
from itertools import repeat

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..core import clock
from ..extensions import db
from ..plans.models import Plan
from ..exports.records import list_statement, stream
from ..portfolio.filters import PortfolioFilter
from ..projects.models import Project, project_plans
from ..regions.models import Region
from .columns import FORMULA_TRIGGERS, UNSTORABLE, Column, decimal_text, neutralise

# From a column's values in a partition (a tuple) to its cells, in the same order.
ColumnConverter = Callable[[Sequence], Iterable]


# What "所属规划" is read from: the project's plan ids in one text ("3,17"), put in order and
# turned into titles in Python (``Listing.plans_text``). Read through a cursor, this costs
# PostgreSQL what a join to the grouped plans costs, without building that whole join before
# the first row (0.3 s at 100,000 projects).
PLAN_IDS = (sa.select(sa.func.aggregate_strings(sa.cast(project_plans.c.plan_id, sa.String), ","))
            .where(project_plans.c.project_id == Project.id)
            .scalar_subquery())


# The databases whose SQL hands the xlsx an amount as its scaled integer and a date as Excel's
# day number (``expression``); another would hand over values, converted in Python.
SCALED_READS = ("sqlite", "postgresql")


def stored_value(column: Column):
    """The ``Project`` attribute of a column's key; a 约 column's NULL where its figure is unknown
    (``Column.flag``), a tracker's word of a text in the request's language (``Column.terms``):
    every export reads it here, so the csv's two writers and the xlsx agree."""
    attribute = getattr(Project, column.key)
    if column.approximates is not None:
        return sa.case((getattr(Project, column.approximates).is_(None), sa.null()), else_=attribute)
    translated = {word: str(label) for word, label in (column.terms or {}).items() if str(label) != word}
    if translated:
        return sa.case({word: sa.literal(label, sa.Text()) for word, label in translated.items()},
                       value=attribute, else_=attribute)
    return attribute


def expression(column: Column, dialect: str, *, text: bool = False):
    """The SQL a column's value is read from: the ``Project`` attribute of its key, but for the
    region's two columns (the id, looked up in a dict) and the plans (``PLAN_IDS``)."""
    if column.key in ("region", "region_name"):
        return Project.region_id
    if column.key == "plans":
        return PLAN_IDS
    if column.approximates is not None or column.terms:
        return stored_value(column)
    attribute = getattr(Project, column.key)
    if column.kind == "vocab":
        return sa.type_coerce(attribute, sa.String())  # the stored code; its label comes from a dict
    if column.kind in ("date", "month") and not text and dialect in SCALED_READS:
        # The xlsx writes a date as the number Excel stores (``xlsx.serial_day``, the
        # definition): counted here by the database, not parsed and counted in Python per cell.
        return excel_day(attribute, dialect)
    if column.kind == "decimal" and dialect == "sqlite" and not text:
        # The scaled integer ``ExactDecimal`` stores, as read: the xlsx makes a number of it
        # (``xlsx.amount_cells``) without a Decimal per whole amount.
        return sa.type_coerce(attribute, sa.BigInteger())
    if column.kind == "decimal" and dialect == "postgresql" and not text:
        # The same scaled integer from NUMERIC(p, s), exactly (p ≤ 18 digits: a bigint holds it):
        # an int a cell is read faster than a Decimal and decided on without one.
        return sa.cast(attribute * 10 ** attribute.type.scale, sa.BigInteger())
    if column.kind == "decimal" and dialect == "postgresql":
        if text and attribute.type.scale > 0:
            # NUMERIC(p, s) as PostgreSQL writes it: its s decimals, never an exponent; the csv
            # takes the zeros off (``trimmed``), cheaper than reading a Decimal to write it back.
            return sa.cast(attribute, sa.String())
        # psycopg reads NUMERIC(p, s) as the exact Decimal at its scale, which is what
        # ExactDecimal would return (it converts SQLite's scaled integers): skip a call per cell.
        return sa.type_coerce(attribute, sa.Numeric(asdecimal=True))
    return attribute


# Excel's serial day numbers count from 1899-12-30 (so that 1900-03-01 is 61).
EXCEL_EPOCH = dt.date(1899, 12, 30)
EXCEL_EPOCH_JULIAN = 2415018.5  # SQLite's julianday('1899-12-30')


def excel_day(attribute, dialect: str) -> sa.ColumnElement[int]:
    """A date column as Excel's day number (days since ``EXCEL_EPOCH``), NULL for no date:
    PostgreSQL subtracts two dates; SQLite, which stores a date as its ISO text, subtracts their
    Julian day numbers (midnight's: a whole number of days apart, exact in a double)."""
    if dialect == "postgresql":
        return sa.type_coerce(attribute.op("-")(sa.literal(EXCEL_EPOCH, sa.Date())), sa.Integer())
    return sa.cast(sa.func.julianday(sa.type_coerce(attribute, sa.Text())) - EXCEL_EPOCH_JULIAN,
                   sa.Integer())


def region_names() -> tuple[dict[int, str], dict[int, str]]:
    """``({region id: key}, {region id: full name})`` for every region, from one query:
    ``Region.full_name`` (the names from the province down) without a query per parent."""
    rows = db.session.execute(sa.select(Region.id, Region.key, Region.name, Region.parent_id)).all()
    by_id = {row.id: row for row in rows}
    full: dict[int, str] = {}
    for row in rows:
        chain = []
        current = row.id
        while current is not None and current not in full:
            chain.append(current)
            current = by_id[current].parent_id
        prefix = full[current] if current is not None else ""
        for region_id in reversed(chain):
            prefix += by_id[region_id].name
            full[region_id] = prefix
    return {row.id: row.key for row in rows}, full


def each(function: Callable) -> ColumnConverter:
    """A column converter applying ``function`` to every value."""
    return lambda values: map(function, values)


def maybe(function: Callable) -> Callable:
    """``function`` of a value; an unknown value (None) stays None: an empty cell."""
    def convert(value):
        return None if value is None else function(value)
    return convert


def decimal_cell(value: Decimal | None) -> str | None:
    return None if value is None else decimal_text(value)


def trimmed(values: Sequence[str | None]) -> list[str | None]:
    """``decimal_text`` of amounts read as PostgreSQL writes NUMERIC(p, s > 0): "1320.0000" →
    "1320", "16698.9500" → "16698.95", "0.0000" → "0"."""
    return [None if text is None else text.rstrip("0").rstrip(".") for text in values]


def month_cell(value: dt.date | None) -> str | None:
    """2024-05-01 → "2024-05" (``strftime`` takes four times as long)."""
    return None if value is None else value.isoformat()[:7]


def neutral_text(value: str | None) -> str | None:
    """``neutralise`` for a text or None."""
    return None if value is None else neutralise(value)


def neutral_column(values: Sequence[str | None]) -> Iterable[str | None]:
    """``neutralise`` over a column of texts: as read, unless one of them needs it (rarely: the
    tests run in C, the conversion in Python)."""
    present = list(filter(None, values))
    if any(map(str.startswith, present, repeat(FORMULA_TRIGGERS))) or any(map(UNSTORABLE.search, present)):
        return map(neutral_text, values)
    return values


class Lookup(dict):
    """A dict of names by id: an id that is gone (deleted since the rows were read) has none."""

    def __missing__(self, key):
        return None


class Labels(dict):
    """A vocabulary's labels by code: a code the vocabulary no longer has is shown as stored."""

    def __missing__(self, key):
        return key


class Listing:
    """The export columns of the projects a filter selects, with what converts them. Made inside
    the request: the labels are in its language.

    ``partitions`` reads the rows and converts them a column at a time, with one *column
    converter* per column: a function from the column's values in a partition to its cells (None:
    the values as read). Regions and plans are looked up in dicts filled once per export, when
    the rows' query has started (``look_up``)."""

    def __init__(self, columns: Sequence[Column], *, text: bool = False):
        self.columns = list(columns)
        # What each column is read from; with ``text`` (the csv), amounts may be read as text.
        dialect = db.session.get_bind().dialect.name
        self.reads = [expression(column, dialect, text=text) for column in self.columns]
        self.region_keys = Lookup()
        self.region_full_names = Lookup()
        self.plan_titles = Lookup()
        self.plan_rank: dict[int, int] = {}
        self.labels = {column.vocabulary: self._labels(column.vocabulary)
                       for column in self.columns if column.kind == "vocab"}
        self.yes_no = {True: str(_l("是")), False: str(_l("否")), None: None}
        # Distinct plan lists are few (most projects are in one plan): each is joined once.
        self.plans_text = lru_cache(maxsize=4096)(self._plans_text)
        self.count = 0  # the rows read so far
        # Whether a text ``neutralise`` changed has been read (the xlsx then writes such texts
        # apart, as typed with the quote prefix: ``xlsx.quoted``); rare, so the rows are not
        # looked through until then.
        self.quoted = False

    def look_up(self) -> None:
        """Fill the dicts of region keys and full names and of plan titles (two queries)."""
        keys, names = region_names()
        self.region_keys.update((region, self._neutralised(str(key))) for region, key in keys.items())
        self.region_full_names.update((region, self._neutralised(name)) for region, name in names.items())
        plans = db.session.execute(sa.select(Plan.id, Plan.title).order_by(Plan.key)).all()
        self.plan_titles.update(plans)
        self.plan_rank.update((plan_id, rank) for rank, (plan_id, _title) in enumerate(plans))

    @staticmethod
    def _labels(vocabulary) -> Labels:
        return Labels({member.value: member.label for member in vocabulary})

    def _plans_text(self, plan_ids: str | None) -> str:
        """"3,17" → the titles in the plans' order (``Project.plans``), neutralised."""
        if not plan_ids:
            return ""  # no plan: an empty text, as "；".join([]) is
        known = (plan_id for plan_id in map(int, plan_ids.split(",")) if plan_id in self.plan_rank)
        ids = sorted(known, key=self.plan_rank.__getitem__)
        return self._neutralised("；".join(self.plan_titles[plan_id] for plan_id in ids))

    def _neutralised(self, text: str) -> str:
        """``neutralise``, noting (``quoted``) when it changed the text."""
        made = neutralise(text)
        if made != text:
            self.quoted = True
        return made

    def _neutral_column(self, values: Sequence[str | None]) -> Iterable[str | None]:
        """``neutral_column``, noting (``quoted``) when it changed a text."""
        made = neutral_column(values)
        if made is not values:
            self.quoted = True
        return made

    def partitions(self, portfolio_filter: PortfolioFilter,
                   converters: Sequence[ColumnConverter | None], *, today: dt.date | None = None,
                   batch: int | None = None) -> Iterator[Iterator[tuple]]:
        """The filter's projects in its order, a partition (``batch`` rows) at a time, each an
        iterator of row tuples, every column converted by its converter."""
        statement = list_statement(portfolio_filter, self.reads,
                                   portfolio_filter.conditions(today or clock.today()))
        for rows in stream(statement, batch, read_ahead=True, then=self.look_up):
            self.count += len(rows)
            yield zip(*[values if convert is None else convert(values)
                        for convert, values in zip(converters, zip(*rows))])

    def text_converters(self) -> list[ColumnConverter | None]:
        """``text_value`` of each column, for ``csv.writer`` (which writes None as an empty cell,
        as ``text_value`` does, and a number or a date as ``str`` does)."""
        return [self.text_converter(column) for column in self.columns]

    def text_converter(self, column: Column) -> ColumnConverter | None:
        """``text_value`` over one column; None where ``str`` of the value read is it."""
        if column.key == "region":
            return each(self.region_keys.__getitem__)
        if column.key == "region_name":
            return each(self.region_full_names.__getitem__)
        kind = column.kind
        if kind == "list":
            return each(self.plans_text)
        if kind == "vocab":
            return each(self.labels[column.vocabulary].__getitem__)
        if kind == "bool":
            return each(self.yes_no.__getitem__)
        read = self.reads[self.columns.index(column)]
        if kind == "decimal":
            return trimmed if isinstance(read.type, sa.String) else each(decimal_cell)
        if kind == "month":
            return each(month_cell)
        if kind in ("id", "int", "date"):
            return None  # str() of an int is its digits, of a date its isoformat()
        return self._neutral_column
