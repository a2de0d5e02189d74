"""The dashboard computed fresh reads no project for its headline's 约 counts nor its 超概算 list.

* ``portfolio_figures.approx_floor_area``: of a row's stated 建筑面积, those that are 约, kept at
  write time as ``approx_investment`` is (a6c2e8f4b9d3). The headline and a list's totals read
  both from the kept rows; they were counted from the ~14,000 projects with a 约 figure at each
  request (6 ms of the country's dashboard on PostgreSQL at 100,000 projects). The rows are
  rebuilt here.
* ``ix_projects_overrun``: the projects over their estimate, the largest excess first (the 超概算
  list's order), so the list reads its 50 rows instead of sorting all ~5,000 (12 ms).

Revision ID: 157af8ddb774
Revises: 1f6d41e3c3a0
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "157af8ddb774"
down_revision = "1f6d41e3c3a0"
branch_labels = None
depends_on = None

OVER = sa.text("current_estimate > total_investment")


def upgrade() -> None:
    from tracker.portfolio.kept import rebuild

    op.add_column("portfolio_figures", sa.Column("approx_floor_area", sa.BigInteger(), nullable=False,
                                                 server_default="0"))
    rebuild(op.get_bind())
    op.create_index("ix_projects_overrun", "projects",
                    [sa.text("(current_estimate - total_investment) DESC"), "id"],
                    postgresql_where=OVER, sqlite_where=OVER)


def downgrade() -> None:
    op.drop_index("ix_projects_overrun", table_name="projects")
    with op.batch_alter_table("portfolio_figures") as batch:
        batch.drop_column("approx_floor_area")
