"""Plans carry a version: a plan's title, region, period and issue details can be corrected in the
tracker (/plans/<key>/edit), and a correction saved since the form was opened is not overwritten.

Revision ID: e2b7c4a9d1f5
Revises: d4e9a1c7b3f2
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "e2b7c4a9d1f5"
down_revision = "d4e9a1c7b3f2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("plans", sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1")))


def downgrade() -> None:
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch copy of plans would delete the rows
    # that reference it on SQLite (foreign keys are on).
    op.drop_column("plans", "version")
