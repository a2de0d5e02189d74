"""The URL map: an ``<int:…>`` in a route is a row id, no larger than the database's integers.

werkzeug's ``int`` converter takes any number of digits, and a 20-digit id reached the database:
SQLite's driver raised ``OverflowError`` (a 500 on every route that takes an id, a QA walk found)
where the API, which checks its ids, answered 404. Here a number past the largest 64-bit integer,
what SQLite's INTEGER and PostgreSQL's BIGINT hold, is a 404 like any id of no row (raised, not a
route that does not match: the API's document promises 404 there, not 405).
"""

from __future__ import annotations

from werkzeug.datastructures import ImmutableDict
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter, Map

from ..core.values import LARGEST_ID


class RowId(IntegerConverter):
    def to_python(self, value: str) -> int:
        number = int(value)
        if number > LARGEST_ID:
            raise NotFound()
        return number


class TrackerMap(Map):
    default_converters = ImmutableDict({**Map.default_converters, "int": RowId})
