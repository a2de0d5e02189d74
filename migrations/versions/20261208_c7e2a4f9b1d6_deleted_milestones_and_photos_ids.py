"""A deleted custom milestone's or photo's id is never given to a new row on SQLite.

Custom milestones and site photos can now be deleted. SQLite gives a new row the largest id plus
one, so the newest milestone deleted left its id to the next one added: the milestone grid, a
rename page or a deletion page still open on the old one (version 1, as the new one's) would save
onto, or delete, the new one. ``AUTOINCREMENT`` keeps the largest id ever given, as b8d2f4a6c1e3
did for projects, plans and indicators, and the same way: each table copied with foreign keys
unenforced, its indexes (the partial ``ix_milestones_overdue``) made again as the database had
them, then ``PRAGMA foreign_key_check``. PostgreSQL's sequences never reuse an id.

Revision ID: c7e2a4f9b1d6
Revises: e4b8d2f6a1c9
"""

from __future__ import annotations

from alembic import op

revision = "c7e2a4f9b1d6"
down_revision = "e4b8d2f6a1c9"
branch_labels = None
depends_on = None

TABLES = ("milestones", "report_photos")


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
