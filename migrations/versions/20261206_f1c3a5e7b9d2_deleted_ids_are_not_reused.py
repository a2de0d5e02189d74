"""A deleted funding line's or saved view's id is never given to a new row on SQLite.

SQLite gives a new row the largest id plus one, so deleting the newest funding line and adding
another gave the new line the deleted one's id, and its version 1: a correction form still open on
the deleted line saved over the new one (tests/test_funding_lines.py). ``AUTOINCREMENT`` keeps the
largest id ever given (``sqlite_sequence``). SQLite cannot add it to a table in place, so each
table is copied (Alembic's batch mode); both are leaves (no other table references them), so the
copy deletes nothing. PostgreSQL's sequences never reuse an id: nothing to do there.

Revision ID: f1c3a5e7b9d2
Revises: e2b7c4a9d1f5
"""

from __future__ import annotations

from alembic import op

revision = "f1c3a5e7b9d2"
down_revision = "e2b7c4a9d1f5"
branch_labels = None
depends_on = None

TABLES = ("funding_lines", "saved_views")


def _copy(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}):
            pass


def upgrade() -> None:
    _copy(True)


def downgrade() -> None:
    _copy(False)
