"""The declarative base, its naming convention and the column types every model shares."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, ROUND_HALF_EVEN
from typing import TYPE_CHECKING, Annotated, ClassVar, TypeVar

import sqlalchemy as sa
import sqlalchemy.orm  # sa.orm.Mapper below
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, mapped_column
from sqlalchemy.sql.functions import FunctionElement

from .core.clock import utcnow  # column defaults

_T = TypeVar("_T")  # what a sum adds up: Decimal (money, areas) or int (beds)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class InexactValue(ValueError):
    """A value has more decimal places than its column keeps: it is refused, never rounded away."""


class ExactDecimal(sa.types.TypeDecorator):
    """An exact decimal on every database.

    PostgreSQL stores ``NUMERIC(precision, scale)``. SQLite has no decimal type: its NUMERIC is a
    float, and ``SUM`` over floats is not exact to 0.01 万元. There the value is stored as a scaled
    integer (``1320.5`` 万元 at scale 4 is ``13205000``), so sums in SQL stay exact integers.
    Python always sees ``Decimal``; a float is refused.
    """

    impl = sa.Numeric
    cache_ok = True

    def __init__(self, precision: int = 18, scale: int = 4):
        super().__init__(precision=precision, scale=scale, asdecimal=True)
        self.precision = precision
        self.scale = scale
        self.quantum = Decimal(1).scaleb(-scale)

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.BigInteger())
        return dialect.type_descriptor(sa.Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("exact decimal columns take Decimal, int or str, never float")
        value = Decimal(value)
        if not value.is_finite():
            raise InexactValue(f"{value} is not a finite number")
        quantized = value.quantize(self.quantum, rounding=ROUND_HALF_EVEN)
        if quantized != value:
            raise InexactValue(f"{value} has more than {self.scale} decimal places")
        if dialect.name == "sqlite":
            return int(quantized.scaleb(self.scale))
        return quantized

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-self.scale).quantize(self.quantum)
        return Decimal(value).quantize(self.quantum)

    def coerce_compared_value(self, op, value):
        return self


# --- sums that cannot overflow -------------------------------------------------------------------
#
# On SQLite a money value is a scaled 64-bit integer and SQL's SUM stops with "integer overflow"
# past 9.2e18: 930 projects at the largest 总投资 the services accept (1e12 万元 = 1e16 stored).
# ``exact_sum`` splits each value into a high and a low part (value = high * SPLIT + low, with
# SQLite's truncating division and remainder), sums each part, which no realistic row count can
# overflow, and recombines them exactly in Python. PostgreSQL's NUMERIC sum is exact already.
SPLIT = 10**9


class _SplitSumType(sa.types.TypeDecorator):
    """The result of ``exact_sum``: "high:low" on SQLite, NUMERIC elsewhere; Decimal in Python."""

    impl = sa.Numeric
    cache_ok = True

    def __init__(self, exact: ExactDecimal):
        super().__init__()
        self.exact = exact

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.String())
        return dialect.type_descriptor(sa.Numeric(asdecimal=True))

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":
            high, _, low = str(value).partition(":")
            return Decimal(int(high) * SPLIT + int(low)).scaleb(-self.exact.scale).quantize(self.exact.quantum)
        return Decimal(value).quantize(self.exact.quantum)


class exact_sum(FunctionElement[_T]):
    """``SUM(expression)`` of an exact decimal (a column or a CASE over one) that no stored data
    can overflow; NULL (``None``) when no row has a value, as SUM. Every money and area sum uses
    it; over another type (an integer count of beds) it is a plain SUM."""

    inherit_cache = True

    def __init__(self, expression: sa.ColumnExpressionArgument[_T]):
        super().__init__(expression)
        exact = self.clauses.clauses[0].type  # the argument, coerced to a column expression
        self.type = _SplitSumType(exact) if isinstance(exact, ExactDecimal) else exact


@compiles(exact_sum)
def _sum_elsewhere(element, compiler, **kw):
    return "SUM(%s)" % compiler.process(element.clauses, **kw)


@compiles(exact_sum, "sqlite")
def _sum_on_sqlite(element, compiler, **kw):
    inner = compiler.process(element.clauses, **kw)
    if not isinstance(element.type, _SplitSumType):
        return "SUM(%s)" % inner
    return (f"(CAST(SUM(({inner}) / {SPLIT}) AS TEXT) || ':' || "
            f"CAST(SUM(({inner}) % {SPLIT}) AS TEXT))")


class UTCDateTime(sa.types.TypeDecorator):
    """Timestamps are stored in UTC and come back timezone-aware, on SQLite too."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: timestamps must carry a timezone")
        return value.astimezone(dt.timezone.utc)

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value




# 万元, to 0.0001 万元 (one yuan); areas to 0.01.
Money = Annotated[Decimal, mapped_column(ExactDecimal(18, 4))]
Area = Annotated[Decimal, mapped_column(ExactDecimal(14, 2))]
Percent = Annotated[Decimal, mapped_column(ExactDecimal(5, 2))]
Timestamp = Annotated[dt.datetime, mapped_column(UTCDateTime(), default=utcnow)]
MaybeTimestamp = Annotated[dt.datetime, mapped_column(UTCDateTime(), nullable=True)]
intpk = Annotated[int, mapped_column(primary_key=True)]


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

    if TYPE_CHECKING:
        # Every model maps one Table (none maps a join or a select), so its Core inserts and
        # updates (progress/upkeep.py, the demo bulk writer) can use ``Model.__table__`` as one.
        __table__: ClassVar[sa.Table]


# --- text no longer than its column ---------------------------------------------------------------
#
# A VARCHAR(n) column holds n characters on PostgreSQL (a longer value was a 500 there) and any
# number on SQLite; a TEXT column any number on both (a 1.5 M-character reason made a project
# page 4.5 MB). Every text attribute of every model refuses, as it is set, a value longer than
# its column's length, or than TEXT_LIMIT for a TEXT column (``info={"max_length": n}`` on a
# column says otherwise): the service setting it raises ValidationFailed naming the attribute,
# which its form shows on the field of that name.
TEXT_LIMIT = 20_000


def text_limit(column: sa.Column) -> int | None:
    """The most characters ``column`` takes; None for a column that is not free text."""
    if not isinstance(column.type, sa.String) or isinstance(column.type, sa.Enum):
        return None
    return column.info.get("max_length") or column.type.length or TEXT_LIMIT


@sa.event.listens_for(sa.orm.Mapper, "mapper_configured")
def _limit_text(mapper, cls) -> None:
    if not issubclass(cls, Base):
        return
    for prop in mapper.column_attrs:
        limit = text_limit(prop.columns[0])
        if limit is not None:
            sa.event.listen(getattr(cls, prop.key), "set", _refuse_longer_than(prop.key, limit),
                            retval=False)


def _refuse_longer_than(name: str, limit: int):
    def check(target, value, oldvalue, initiator):
        if isinstance(value, str) and len(value) > limit:
            from flask_babel import lazy_gettext as _l

            from .errors import ValidationFailed
            raise ValidationFailed({name: [str(_l("不能超过 %(n)s 个字", n=limit))]})
    return check


def code_enum(enum_cls) -> sa.Enum:
    """A closed vocabulary stored as its code in a VARCHAR: no native ENUM type to migrate."""
    return sa.Enum(enum_cls, native_enum=False, create_constraint=False, length=32,
                   values_callable=lambda members: [member.value for member in members],
                   validate_strings=True)


# SQLite's planner sometimes takes a filter's index and sorts where an index on the order would
# stop after LIMIT rows; ``Select.with_hint(table, "INDEXED BY ix_…", "sqlite")`` names the index
# (SQLAlchemy renders table hints for other dialects only: here, after the table's name).
def _sqlite_table_hint(self, table, text: str) -> str:
    return text


SQLiteCompiler.get_from_hint_text = _sqlite_table_hint  # type: ignore[assignment,method-assign]


def expression_indexes(metadata: sa.MetaData) -> set[str]:
    """The names of the indexes on an expression (``projects.models.vocabulary_order``'s), not
    on columns alone (a column's DESC is not an expression here)."""
    def plain(expression) -> bool:
        while isinstance(expression, sa.sql.elements.UnaryExpression):  # DESC, NULLS LAST
            expression = expression.element
        return isinstance(expression, (sa.Column, sa.sql.elements.ColumnClause, str))
    return {str(index.name) for table in metadata.tables.values() for index in table.indexes
            if not all(plain(expression) for expression in index.expressions)}


def compared(metadata: sa.MetaData):
    """Alembic's ``include_object`` for comparing the models with a database: an index on an
    expression is left out (SQLite's reflection skips it; PostgreSQL's prints it on several
    lines, which autogenerate reads as another expression and would drop and make again each
    time). ``tests/test_migrations.py`` checks each exists by name, ``tests/test_sort_indexes.py``
    that the database reads the list's orders from them."""
    skipped = expression_indexes(metadata)

    def include(item, name, type_, reflected, compare_to) -> bool:
        return not (type_ == "index" and name in skipped)
    return include
