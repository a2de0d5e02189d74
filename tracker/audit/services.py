"""Writing the audit trail: every service that changes data calls ``record`` in its transaction."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from ..accounts.models import User
from ..core.values import clean_text
from ..extensions import db
from .models import AuditEntry


@dataclass(frozen=True)
class Actor:
    """Who makes a change and by which path: ``web``, ``api``, ``import``, ``cli`` or ``seed``."""

    user: User | None
    via: str

    @property
    def label(self) -> str:
        return self.user.username if self.user else self.via


SEED = Actor(None, "seed")
CLI = Actor(None, "cli")


def json_value(value):
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value.normalize())
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [json_value(item) for item in value]
    return str(value)


def snapshot(obj, fields) -> dict:
    return {field: json_value(getattr(obj, field)) for field in fields}


def diff(before: dict, after: dict) -> dict:
    """``{field: [old, new]}`` for the fields whose value changed."""
    return {field: [before.get(field), value] for field, value in after.items()
            if before.get(field) != value}


def record(actor: Actor, action: str, obj, params: dict | None = None, *, changes: dict | None = None,
           reason: str | None = None, project_id: int | None = None) -> AuditEntry:
    """Add the entry for a change, in the caller's transaction.

    ``params`` are the values the action's message names (tracker/audit/messages.py: names,
    months, amounts, codes); they are stored, and the sentence is written in the reader's
    language when the entry is shown.
    """
    db.session.flush()  # the object has its id before the entry names it
    entry = AuditEntry(
        user_id=actor.user.id if actor.user else None,
        via=actor.via,
        action=action,
        object_type=type(obj).__name__,
        object_id=getattr(obj, "id", None),
        project_id=project_id,
        params={name: json_value(value) for name, value in (params or {}).items()},
        changes=changes or {},
        reason=clean_text(reason, multiline=True),  # a reason may come from a form, a sheet or the CLI
    )
    db.session.add(entry)
    return entry


class AppendOnly(Exception):
    """The audit trail is never edited or deleted: a correction is a new entry."""


@sa.event.listens_for(AuditEntry, "before_update")
def _refuse_update(mapper, connection, target):
    raise AppendOnly(f"audit entry {target.id} cannot be changed: the trail is append-only")


@sa.event.listens_for(AuditEntry, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise AppendOnly(f"audit entry {target.id} cannot be deleted: the trail is append-only")
