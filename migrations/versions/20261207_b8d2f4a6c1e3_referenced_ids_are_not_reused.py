"""A deleted project's, plan's or indicator's id is never given to a new row on SQLite.

SQLite gives a new row the largest id plus one, so the newest project merged away by a reseed,
plan deleted or indicator removed left its id to the next one created: a bookmark or a form still
open on the old one reached the new one (an indicator's actual saved onto another indicator), and
the old one's trail read as the new one's history. ``AUTOINCREMENT`` keeps the largest id ever
given (``sqlite_sequence``), as f1c3a5e7b9d2 gave the funding lines and saved views.

SQLite cannot add it to a table in place: each table is copied (Alembic's batch mode). Other
tables refer to these, and with foreign keys enforced dropping the old copy would delete their
rows (``ON DELETE CASCADE``) or fail: enforcement is switched off for the copy, outside the
migration's transaction (the pragma does nothing inside one), and on again after it; then
``PRAGMA foreign_key_check`` must find nothing. The copy's indexes are made from the reflected
table, which loses an index's order (``beds DESC``: the list's sorts read them): each index is
made again as the database had it. PostgreSQL's sequences never reuse an id.

Revision ID: b8d2f4a6c1e3
Revises: a9c4e1f7b3d8
"""

from __future__ import annotations

from alembic import op

revision = "b8d2f4a6c1e3"
down_revision = "a9c4e1f7b3d8"
branch_labels = None
depends_on = None

TABLES = ("projects", "plans", "plan_indicators")


def _copy(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.get_context().autocommit_block():
        op.execute("PRAGMA foreign_keys=OFF")
    try:
        for table in TABLES:
            indexes = op.get_bind().exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
                (table,)).fetchall()
            with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}):
                pass
            for name, sql in indexes:
                op.execute(f'DROP INDEX IF EXISTS "{name}"')
                op.execute(sql)
        broken = op.get_bind().exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"rows refer to rows that are gone after copying {TABLES}: {broken[:5]}")
    finally:
        with op.get_context().autocommit_block():
            op.execute("PRAGMA foreign_keys=ON")


def upgrade() -> None:
    _copy(True)


def downgrade() -> None:
    _copy(False)
