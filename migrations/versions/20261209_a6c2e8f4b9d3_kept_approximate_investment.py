"""The kept portfolio figures count, per row, the stated 总投资 that are 约 (``approx_investment``).

The dashboard's breakdowns say how many of a row's 总投资 are 约. That count was one statement
over every approximate project at each request, 24–29 ms of the whole country's dashboard at
100,000 projects (14,000 of them with a 约 figure), twice what the rest of its statements took.
It is now kept at write time with the other figures, and the rows are rebuilt here.

Revision ID: a6c2e8f4b9d3
Revises: b5d9f3a7c2e4
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a6c2e8f4b9d3"
down_revision = "b5d9f3a7c2e4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from tracker.portfolio.kept import rebuild

    op.add_column("portfolio_figures", sa.Column("approx_investment", sa.BigInteger(), nullable=False,
                                                 server_default="0"))
    rebuild(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("portfolio_figures") as batch:
        batch.drop_column("approx_investment")
