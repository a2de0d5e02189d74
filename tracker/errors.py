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


class PermissionDenied(Exception):
    pass
