"""The URL map: an ``<int:…>`` in a route is a row id, no larger than the database's integers.

werkzeug's ``int`` converter takes any number of digits, and a 20-digit id reached the database:
SQLite's driver raised ``OverflowError`` (a 500 on every route that takes an id, a QA walk found)
where the API, which checks its ids, answered 404. Here the converter stops at the largest
64-bit integer, what SQLite's INTEGER and PostgreSQL's BIGINT hold, so such a path is a 404 like
any id of no row.
"""

from __future__ import annotations

from werkzeug.datastructures import ImmutableDict
from werkzeug.routing import IntegerConverter, Map

LARGEST_ID = 2**63 - 1


class RowId(IntegerConverter):
    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = LARGEST_ID,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class TrackerMap(Map):
    default_converters = ImmutableDict({**Map.default_converters, "int": RowId})
