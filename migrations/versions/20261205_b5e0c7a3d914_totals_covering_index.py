"""The list computed fresh (issue 19): its totals from one narrow index, its 所属规划 order kept.

Every list page sums 总投资, 累计完成投资, 建筑面积 and 床位 over its filtered projects, with their
coverage. Read from the projects' rows, that is every wide row of the portfolio (search text,
scope, names…); read from ``ix_projects_totals`` (the filters kind, status and region first,
then each summed figure and id) it is an index-only scan of narrow entries (benchmarks/NOTES.md).
``ix_projects_kind`` goes: the new index begins with kind and serves every filter it served.

The 所属规划 order was the smallest key of a project's plans, a subquery per row that no index
holds: the list sorted the whole filtered table for its first page. ``projects.plan_key`` keeps
that key (projects/services.py: link_plan and unlink_plan; the demo generator writes it), with
the (column, id) index pair of every other sort.

Revision ID: b5e0c7a3d914
Revises: f3b7c2a91d40
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "b5e0c7a3d914"
down_revision = "f3b7c2a91d40"
branch_labels = None
depends_on = None

# As tracker/projects/models.py TOTALS_INDEX when this was written.
COLUMNS = ["kind", "status", "region_id", "total_investment", "invested_to_date",
           "floor_area_m2", "beds", "new_beds", "id"]


def upgrade() -> None:
    op.create_index("ix_projects_totals", "projects", COLUMNS)
    op.drop_index("ix_projects_kind", table_name="projects")
    op.add_column("projects", sa.Column("plan_key", sa.String(length=64), nullable=True))
    op.execute("UPDATE projects SET plan_key = (SELECT min(plans.key) FROM project_plans "
               "JOIN plans ON plans.id = project_plans.plan_id "
               "WHERE project_plans.project_id = projects.id)")
    descending = "DESC NULLS LAST" if op.get_bind().dialect.name == "postgresql" else "DESC"
    op.create_index("ix_projects_sort_plan_key", "projects", ["plan_key", "id"])
    op.create_index("ix_projects_sort_plan_key_desc", "projects",
                    [sa.text(f"plan_key {descending}"), "id"])


def downgrade() -> None:
    op.drop_index("ix_projects_sort_plan_key_desc", table_name="projects")
    op.drop_index("ix_projects_sort_plan_key", table_name="projects")
    op.drop_column("projects", "plan_key")
    op.create_index("ix_projects_kind", "projects", ["kind"])
    op.drop_index("ix_projects_totals", table_name="projects")
