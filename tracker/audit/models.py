from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..database import Base, Timestamp, intpk


# The longest "why" any form takes (a budget revision's reason); the database refuses longer
# (tracker/database.py: text no longer than its column).
REASON_LIMIT = 2000


class AuditEntry(Base):
    """One change, by anyone and by any path: who, when, what, old → new, why. Append-only."""

    __tablename__ = "audit_entries"
    __table_args__ = (sa.Index("ix_audit_entries_project_time", "project_id", "occurred_at"),)

    id: Mapped[intpk]
    occurred_at: Mapped[Timestamp] = mapped_column(index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    # How the change arrived: web, import, cli, seed.
    via: Mapped[str] = mapped_column(sa.String(16))
    action: Mapped[str] = mapped_column(sa.String(64), index=True)  # e.g. "project:update"
    object_type: Mapped[str] = mapped_column(sa.String(32))
    object_id: Mapped[int | None]
    # No foreign key: the history of a deleted project stays readable.
    project_id: Mapped[int | None]
    # The sentence as written before entries carried their parameters, in the writer's language;
    # NULL since (issue 15): ``params`` and the action's message say it in the reader's language.
    summary: Mapped[str | None] = mapped_column(sa.String(255))
    # The values the action's message names (tracker/audit/messages.py), JSON-safe.
    params: Mapped[dict | None] = mapped_column(sa.JSON)
    # {"field": [old, new]} with values as JSON-safe strings.
    changes: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    reason: Mapped[str | None] = mapped_column(sa.Text, info={"max_length": REASON_LIMIT})

    user: Mapped[User | None] = relationship()

    @property
    def occurred_on(self) -> dt.date:
        return self.occurred_at.date()
