"""A partial index of the projects with an approximate (约) 总投资 or 建筑面积.

A total over a list says how many of its figures are 约 (a QA walk: 总投资合计 203,615 counted a
约15,000 as exact, 总建筑面积 288,898.95 seven approximations). The count reads this index alone:
the few projects with such a figure, with the columns a list is filtered by most and those counted.

Revision ID: c3e5a7b9d1f2
Revises: b8d2f4a6c1e3
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c3e5a7b9d1f2"
down_revision = "b8d2f4a6c1e3"
branch_labels = None
depends_on = None

COLUMNS = ["region_id", "kind", "status", "total_investment_approx", "floor_area_approx",
           "total_investment", "floor_area_m2"]


def upgrade() -> None:
    true = "1" if op.get_bind().dialect.name == "sqlite" else "true"
    where = sa.text(f"total_investment_approx IS {true} OR floor_area_approx IS {true}")
    op.create_index("ix_projects_approximate", "projects", COLUMNS, sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    op.drop_index("ix_projects_approximate", table_name="projects")
