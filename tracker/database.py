"""The declarative base, its naming convention and the column types every model shares."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, ROUND_HALF_EVEN
from typing import Annotated

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, mapped_column

from .core.clock import utcnow  # noqa: F401  (column defaults; models import it from here)

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


def code_enum(enum_cls) -> sa.Enum:
    """A closed vocabulary stored as its code in a VARCHAR: no native ENUM type to migrate."""
    return sa.Enum(enum_cls, native_enum=False, create_constraint=False, length=32,
                   values_callable=lambda members: [member.value for member in members],
                   validate_strings=True)
