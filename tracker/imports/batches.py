"""The state of an upload, from its preview to its one confirmation.

``open_batch`` records an upload once its preview is kept; ``claim`` moves it out of
``previewed`` with one ``UPDATE … WHERE status = 'previewed'`` and says whether this transaction
got it. The confirmation claims before it writes a row of the sheet, in the same transaction: a
second confirmation of the same upload waits on the first one's row lock (PostgreSQL) or write
lock (SQLite), then finds the batch already applied and writes nothing. Should the first one
fail and roll back, its claim is rolled back with it and the upload can be confirmed again.
"""

from __future__ import annotations

from typing import Any, cast

import sqlalchemy as sa

from ..core.clock import utcnow
from ..extensions import db
from .models import APPLIED, DISCARDED, PREVIEWED, ImportBatch

__all__ = ["APPLIED", "DISCARDED", "PREVIEWED", "claim", "find", "open_batch"]


def open_batch(user, token: str, kind: str, filename: str) -> ImportBatch:
    batch = ImportBatch(token=token, user_id=user.id, kind=kind, filename=(filename or "")[:200],
                        status=PREVIEWED)
    db.session.add(batch)
    db.session.flush()
    return batch


def find(token: str, user) -> ImportBatch | None:
    """The upload of ``token``, when it is ``user``'s."""
    return db.session.scalar(sa.select(ImportBatch).where(ImportBatch.token == token,
                                                         ImportBatch.user_id == user.id))


def claim(batch: ImportBatch, status: str) -> bool:
    """Move a previewed batch to ``status`` (applied, discarded); False when it was not previewed
    any more (another request claimed it first)."""
    # The session answers DML with a CursorResult; its type says only Result (SQLAlchemy's advice).
    result = cast("sa.CursorResult[Any]", db.session.execute(
        sa.update(ImportBatch)
        .where(ImportBatch.id == batch.id, ImportBatch.status == PREVIEWED)
        .values(status=status, decided_at=utcnow())
        .execution_options(synchronize_session=False)))
    claimed = result.rowcount == 1
    db.session.expire(batch)
    return claimed
