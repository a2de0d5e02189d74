"""An uploaded sheet on its way in: previewed once, then applied once (or abandoned)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..database import Base, MaybeTimestamp, Timestamp, intpk

PREVIEWED, APPLIED, DISCARDED = "previewed", "applied", "discarded"


class ImportBatch(Base):
    """One upload. Its bytes and its preview are kept as files (``uploads.py``); this row is the
    upload's state, and the lock that makes a confirmation apply once: the confirming transaction
    turns ``previewed`` into ``applied`` with ``UPDATE … WHERE status = 'previewed'`` before it
    writes anything, so a second confirmation (a double click, a second tab) finds nothing to
    claim, whatever the timing, on both databases."""

    __tablename__ = "import_batches"

    id: Mapped[intpk]
    token: Mapped[str] = mapped_column(sa.String(32), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(32))  # projects, monthly-reports
    filename: Mapped[str] = mapped_column(sa.String(200))
    status: Mapped[str] = mapped_column(sa.String(16), default=PREVIEWED)
    created_at: Mapped[Timestamp]
    decided_at: Mapped[MaybeTimestamp]

    def __repr__(self) -> str:
        return f"<ImportBatch {self.id} {self.status}>"
