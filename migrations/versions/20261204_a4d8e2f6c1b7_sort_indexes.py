"""Every sort of the list read from an index, ascending and descending (issue 19).

Sorting the list by 名称, 床位, 建筑面积, 累计完成投资… sorted the whole filtered table for its first
page (SQLite: USE TEMP B-TREE FOR ORDER BY; PostgreSQL: a Sort node). Each sortable column gets
(column, id) and (column DESC NULLS LAST, id), the two orders the list asks
(PortfolioFilter.order_by); on SQLite DESC already puts NULL last. The region order reads
each region's projects by (region_id, id).

Revision ID: a4d8e2f6c1b7
Revises: f2a7c9e1b3d5
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a4d8e2f6c1b7"
down_revision = "f2a7c9e1b3d5"
branch_labels = None
depends_on = None

# As tracker/projects/models.py SORTED_COLUMNS when this was written.
COLUMNS = ("name", "category", "build_nature", "status", "total_investment", "floor_area_m2",
           "beds", "new_beds", "invested_to_date", "last_report_month")
SUPERSEDED = ("region_id", "category", "build_nature", "status", "total_investment", "last_report_month")
NOT_NULL = ("name", "category")  # ordered without NULLS LAST (PortfolioFilter.order_by)


def upgrade() -> None:
    descending = "DESC NULLS LAST" if op.get_bind().dialect.name == "postgresql" else "DESC"
    # 总投资's descending index, named as the others' now (ix_projects_sort_total_investment_desc).
    op.drop_index("ix_projects_total_investment_desc", table_name="projects")
    op.create_index("ix_projects_sort_region", "projects", ["region_id", "id"])
    # The (column, id) indexes serve every filter these served.
    for column in SUPERSEDED:
        op.drop_index(f"ix_projects_{column}", table_name="projects")
    for column in COLUMNS:
        op.create_index(f"ix_projects_sort_{column}", "projects", [column, "id"])
        op.create_index(f"ix_projects_sort_{column}_desc", "projects",
                        [sa.text(f"{column} {'DESC' if column in NOT_NULL else descending}"), "id"])


def downgrade() -> None:
    descending = "DESC NULLS LAST" if op.get_bind().dialect.name == "postgresql" else "DESC"
    for column in reversed(COLUMNS):
        op.drop_index(f"ix_projects_sort_{column}_desc", table_name="projects")
        op.drop_index(f"ix_projects_sort_{column}", table_name="projects")
    for column in SUPERSEDED:
        op.create_index(f"ix_projects_{column}", "projects", [column])
    op.drop_index("ix_projects_sort_region", table_name="projects")
    op.create_index("ix_projects_total_investment_desc", "projects",
                    [sa.text(f"total_investment {descending}"), "id"])
