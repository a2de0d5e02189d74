"""Errors the services raise for a person to read: each names the field and what to fix."""

from __future__ import annotations


class ValidationFailed(Exception):
    def __init__(self, errors: dict[str, list[str]] | str, field: str = "__all__"):
        if isinstance(errors, str):
            errors = {field: [errors]}
        self.errors = errors
        super().__init__("; ".join(f"{key}: {' '.join(msgs)}" for key, msgs in errors.items()))


class StaleEdit(Exception):
    """Someone saved the record after this edit began: nothing was written."""

    def __init__(self, changes_by_others: list[dict]):
        self.changes_by_others = changes_by_others
        super().__init__("the record changed since it was loaded")


class EditConflict(StaleEdit):
    """Someone saved other values into fields this edit changed too: the person chooses.

    ``contested`` is ``{field: {"loaded", "theirs", "mine"}}`` (stored forms of the values),
    ``kept`` the fields only the others changed (``{field: [loaded, theirs]}``, kept as they are)
    and ``current`` every field as saved now: the base of the next attempt.
    """

    def __init__(self, changes_by_others: list[dict], *, contested: dict, kept: dict, current: dict):
        super().__init__(changes_by_others)
        self.contested = contested
        self.kept = kept
        self.current = current
