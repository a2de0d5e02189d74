"""Search grams carry whether their project's 总投资 and 建筑面积 are 约: a two-character search's
totals count the approximations in the same range of ``ix_project_search_grams_totals`` (counted
from the projects, the 约 count was 14 ms of a 34 ms list on PostgreSQL at 100,000 projects).

Revision ID: d7f1a3c5e9b2
Revises: c3e5a7b9d1f2
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "d7f1a3c5e9b2"
down_revision = "c3e5a7b9d1f2"
branch_labels = None
depends_on = None

FIGURES = ["gram", "kind", "total_investment", "invested_to_date", "floor_area_m2", "beds", "new_beds"]
FLAGS = ["total_investment_approx", "floor_area_approx"]


def upgrade() -> None:
    with op.batch_alter_table("project_search_grams") as batch:
        for flag in FLAGS:
            batch.add_column(sa.Column(flag, sa.Boolean, nullable=False, server_default=sa.false()))
    # Only the grams of projects with a 约 figure change (a few in a hundred).
    op.execute("UPDATE project_search_grams SET total_investment_approx = projects.total_investment_approx, "
               "floor_area_approx = projects.floor_area_approx FROM projects "
               "WHERE projects.id = project_search_grams.project_id "
               "AND (projects.total_investment_approx OR projects.floor_area_approx)")
    op.drop_index("ix_project_search_grams_totals", table_name="project_search_grams")
    op.create_index("ix_project_search_grams_totals", "project_search_grams", FIGURES + FLAGS)


def downgrade() -> None:
    op.drop_index("ix_project_search_grams_totals", table_name="project_search_grams")
    op.create_index("ix_project_search_grams_totals", "project_search_grams", FIGURES)
    with op.batch_alter_table("project_search_grams") as batch:
        for flag in FLAGS:
            batch.drop_column(flag)
