"""Kept portfolio figures: the dashboard's counts and sums per region node, kept at write time.

``portfolio_figures`` and ``portfolio_year_figures`` (tracker/portfolio/models.py) hold, per
region (with everything under it), project kind and breakdown, the additive figures the
dashboard shows; tracker/portfolio/kept.py keeps them at every commit. The backfill is that
module's ``rebuild``: the figures' one definition (a later change of what they hold comes with a
migration that rebuilds them again). ``ix_projects_over_estimate`` (partial: the projects over
their estimate) serves 超概算's list without reading every project, its count now being kept.

Revision ID: b5e0c7d3a9f1
Revises: f3b7c2a91d40
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "b5e0c7d3a9f1"
down_revision = "b5e0c7a3d914"
branch_labels = None
depends_on = None

COUNTS = ("projects", "with_investment", "with_invested", "with_floor_area", "with_beds",
          "with_new_beds", "with_rate", "with_both", "over_estimate", "started", "funded", "lines")
SUMS = ("total_investment", "invested_to_date", "rate_invested", "rate_investment",
        "both_total", "both_invested", "floor_area")
INT_SUMS = ("beds", "new_beds")
YEAR_COUNTS = ("plans", "reporting", *(f"n{month:02d}" for month in range(1, 13)))
YEAR_SUMS = ("planned", *(f"m{month:02d}" for month in range(1, 13)))


def _numbers(names):
    return [sa.Column(name, sa.BigInteger(), server_default="0", nullable=False) for name in names]


def _split(names):
    return _numbers([f"{name}_{part}" for name in names for part in ("hi", "lo")])


def _region(table: str) -> list:
    return [sa.Column("region_id", sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(["region_id"], ["regions.id"], ondelete="CASCADE",
                                    name=op.f(f"fk_{table}_region_id_regions"))]


def upgrade() -> None:
    op.create_table(
        "portfolio_figures", *_region("portfolio_figures"),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("dimension", sa.String(16), nullable=False),
        sa.Column("key", sa.String(40), nullable=False),
        *_numbers(COUNTS), *_split(SUMS), *_numbers(INT_SUMS),
        sa.PrimaryKeyConstraint("region_id", "kind", "dimension", "key",
                                name=op.f("pk_portfolio_figures")))
    op.create_table(
        "portfolio_year_figures", *_region("portfolio_year_figures"),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("with_plan", sa.Boolean(), nullable=False),
        *_numbers(YEAR_COUNTS), *_split(YEAR_SUMS),
        sa.PrimaryKeyConstraint("region_id", "kind", "year", "with_plan",
                                name=op.f("pk_portfolio_year_figures")))
    over = sa.text("current_estimate > total_investment")
    op.create_index("ix_projects_over_estimate", "projects", ["region_id", "id"],
                    postgresql_where=over, sqlite_where=over)
    from tracker.portfolio.kept import rebuild
    rebuild(op.get_bind())
    # The planners' statistics for the new tables and the indexes of this and the previous
    # migration: without them SQLite read the whole portfolio's late and over-budget lists by scan
    # (a 100,000-project dashboard 747 ms instead of 26 ms) until someone ran ANALYZE.
    for table in ("projects", "portfolio_figures", "portfolio_year_figures"):
        op.execute(f"ANALYZE {table}")


def downgrade() -> None:
    op.drop_index("ix_projects_over_estimate", table_name="projects")
    op.drop_table("portfolio_year_figures")
    op.drop_table("portfolio_figures")
