"""A status's, category's and 建设性质's kept rows hold every figure (issue 19): the list narrowed
to one of them reads its whole totals row there instead of summing its projects. And
``portfolio_changes``, the figures cache's stamp per database (portfolio/cache.py).

No column is added: ``portfolio_figures`` has them all (the "all" rows fill them); the breakdown
rows held only the count and the money sums. The upgrade rebuilds the kept rows; the downgrade
empties the columns the earlier revision leaves at zero in those rows.

Revision ID: d4a7b2e9f1c3
Revises: c8d1e4f7a2b6
Create Date: 2026-12-05
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "d4a7b2e9f1c3"
down_revision = "c8d1e4f7a2b6"
branch_labels = None
depends_on = None

DIMENSIONS = ("status", "category", "nature")
# What the breakdown rows held before this revision (and hold again after the downgrade).
MONEY = ("projects", "with_investment", "total_investment_hi", "total_investment_lo",
         "with_invested", "invested_to_date_hi", "invested_to_date_lo")


def upgrade() -> None:
    changes = op.create_table(
        "portfolio_changes",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("stamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolio_changes")))
    op.bulk_insert(changes, [{"id": 1, "stamp": secrets.randbits(62)}])
    from tracker.portfolio.kept import rebuild
    rebuild(op.get_bind())
    op.execute("ANALYZE portfolio_figures")


def downgrade() -> None:
    op.drop_table("portfolio_changes")
    connection = op.get_bind()
    columns = [column["name"] for column in sa.inspect(connection).get_columns("portfolio_figures")]
    figures = sa.table("portfolio_figures", *(sa.column(name) for name in columns))
    pk = ("region_id", "kind", "dimension", "key")
    connection.execute(figures.update()
                       .where(figures.c.dimension.in_(DIMENSIONS))
                       .values({name: 0 for name in columns if name not in pk + MONEY}))
