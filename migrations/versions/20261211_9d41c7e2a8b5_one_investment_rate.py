"""投资完成率 is taken over one set of projects: 累计完成投资 stated and 总投资 above 0.

The dashboard's headline summed its rate over the projects stating both figures (``with_both``,
``both_total``, ``both_invested``), the list's totals over those whose 总投资 is above 0 as well
(``with_rate``): a project with 总投资 0 and 累计完成投资 100 put its 100 in the dashboard's numerator
and was 未填报 in the list. Both now read ``with_rate`` (``Project.has_investment_rate``); the
columns of the other definition go.

Revision ID: 9d41c7e2a8b5
Revises: 157af8ddb774
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "9d41c7e2a8b5"
down_revision = "157af8ddb774"
branch_labels = None
depends_on = None

GONE = ("with_both", "both_total_hi", "both_total_lo", "both_invested_hi", "both_invested_lo")


def upgrade() -> None:
    with op.batch_alter_table("portfolio_figures") as batch:
        for name in GONE:
            batch.drop_column(name)


def downgrade() -> None:
    with op.batch_alter_table("portfolio_figures") as batch:
        for name in GONE:
            batch.add_column(sa.Column(name, sa.BigInteger(), nullable=False, server_default="0"))
    # Filled as the rate's own columns would have been: the old definition is gone from the code.
    op.execute("UPDATE portfolio_figures SET with_both = with_rate, both_total_hi = rate_investment_hi, "
               "both_total_lo = rate_investment_lo, both_invested_hi = rate_invested_hi, "
               "both_invested_lo = rate_invested_lo")
