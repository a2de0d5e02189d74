"""The kept year figures count the reports filed per month (issue 19): the dashboard's 24-month
trend reads them instead of every monthly report of two years.

Revision ID: c8d1e4f7a2b6
Revises: b5e0c7d3a9f1
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c8d1e4f7a2b6"
down_revision = "b5e0c7d3a9f1"
branch_labels = None
depends_on = None

COLUMNS = tuple(f"r{month:02d}" for month in range(1, 13))


def upgrade() -> None:
    with op.batch_alter_table("portfolio_year_figures") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.BigInteger(), nullable=False, server_default="0"))
    # The figures' one definition, as the previous migration (it rebuilds both tables).
    from tracker.portfolio.kept import rebuild
    rebuild(op.get_bind())
    op.execute("ANALYZE portfolio_year_figures")


def downgrade() -> None:
    with op.batch_alter_table("portfolio_year_figures") as batch:
        for name in COLUMNS:
            batch.drop_column(name)
