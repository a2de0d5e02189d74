"""Errors the services raise for a person to read: each names the field and what to fix."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from .extensions import db


class ValidationFailed(Exception):
    def __init__(self, errors: dict[str, list[str]] | str, field: str = "__all__"):
        if isinstance(errors, str):
            errors = {field: [errors]}
        self.errors = errors
        super().__init__("; ".join(f"{key}: {' '.join(msgs)}" for key, msgs in errors.items()))


class FieldErrors:
    """A service's field errors, collected so that one save reports every problem at once.

    ``add`` as each rule finds one; ``raise_any`` at the end raises them as one
    :class:`ValidationFailed`, which a form shows beside its fields and the API as its errors."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message) -> None:
        self.errors.setdefault(field, []).append(str(message))

    def merge(self, failure: ValidationFailed) -> None:
        for field, messages in failure.errors.items():
            for message in messages:
                self.add(field, message)

    def __contains__(self, field: str) -> bool:
        return field in self.errors

    def raise_any(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)


class StaleEdit(Exception):
    """Someone saved the record after this edit began: nothing was written.

    ``changes_by_others`` are their audit entries (tracker.audit.queries.changes_since), or the
    rows of a page that conflict, each with the entries of its record."""

    def __init__(self, changes_by_others: list):
        self.changes_by_others = changes_by_others
        super().__init__("the record changed since it was loaded")


class EditConflict(StaleEdit):
    """Someone saved other values into fields this edit changed too: the person chooses.

    ``contested`` is ``{field: {"loaded", "theirs", "mine"}}`` (stored forms of the values),
    ``kept`` the fields only the others changed (``{field: [loaded, theirs]}``, kept as they are)
    and ``current`` every field as saved now: the base of the next attempt.
    """

    def __init__(self, changes_by_others: list, *, contested: dict, kept: dict, current: dict):
        super().__init__(changes_by_others)
        self.contested = contested
        self.kept = kept
        self.current = current


@contextmanager
def saved_or_stale() -> Iterator[None]:
    """The writes of one save, flushed inside a savepoint. When a concurrent save refuses them (an
    UPDATE … WHERE version = expected that matches no row; a unique index that refuses the row
    someone else inserted after our check), they alone are undone and the refusal is a
    ``StaleEdit``: the request's session stays usable for the page that says so."""
    try:
        with db.session.begin_nested():
            yield
            db.session.flush()
    except (StaleDataError, sa.exc.IntegrityError) as error:
        raise StaleEdit([]) from error
