"""The list's totals read from one narrow index (issue 19: the list computed fresh).

Every list page sums 总投资, 累计完成投资, 建筑面积 and 床位 over its filtered projects, with their
coverage. Read from the projects' rows, that is every wide row of the portfolio (search text,
scope, names…); read from ``ix_projects_totals`` (the filters kind, status and region first,
then each summed figure) it is an index-only scan of narrow entries: at 100,000 projects on
SQLite about 2.5x faster for the whole portfolio and ~5x for one status (benchmarks/NOTES.md).
``ix_projects_kind`` goes: the new index begins with kind and serves every filter it served.

Revision ID: b5e0c7a3d914
Revises: f3b7c2a91d40
"""

from __future__ import annotations

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
    # Its first column: every filter on kind is served by the new index, one fewer to keep.
    op.drop_index("ix_projects_kind", table_name="projects")


def downgrade() -> None:
    op.create_index("ix_projects_kind", "projects", ["kind"])
    op.drop_index("ix_projects_totals", table_name="projects")
