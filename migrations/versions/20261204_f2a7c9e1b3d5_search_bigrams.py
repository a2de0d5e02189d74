"""Search bigrams: every pair of adjacent characters of each project's search text.

A search of two characters (妇幼, 中医) read every project: PostgreSQL's trigram index cannot
answer it and SQLite indexes no LIKE '%…%' (tracker/projects/search.py). The backfill writes the
grams of every existing project, a batch at a time.

Revision ID: f2a7c9e1b3d5
Revises: e18a4c015b1d
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "f2a7c9e1b3d5"
down_revision = "e18a4c015b1d"
branch_labels = None
depends_on = None

BATCH = 5000


def grams(text: str) -> set[str]:
    # The rule of tracker/projects/search.py at the time of writing: a migration does not import
    # the application, whose rule may change later.
    found = set()
    for line in text.split("\n"):
        found.update(line[i:i + 2] for i in range(len(line) - 1))
    return found


def upgrade() -> None:
    table = op.create_table(
        "project_search_grams",
        sa.Column("gram", sa.String(2), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE",
                                name=op.f("fk_project_search_grams_project_id_projects")),
        sa.PrimaryKeyConstraint("gram", "project_id", name=op.f("pk_project_search_grams")),
    )
    op.create_index(op.f("ix_project_search_grams_project_id"), "project_search_grams", ["project_id"])
    connection = op.get_bind()
    projects = sa.table("projects", sa.column("id", sa.Integer), sa.column("search_text", sa.Text))
    last = 0
    while True:
        rows = connection.execute(sa.select(projects.c.id, projects.c.search_text)
                                  .where(projects.c.id > last).order_by(projects.c.id)
                                  .limit(BATCH)).all()
        if not rows:
            break
        values = [{"gram": gram, "project_id": row.id}
                  for row in rows for gram in sorted(grams(row.search_text or ""))]
        if values:
            connection.execute(table.insert(), values)
        last = rows[-1].id


def downgrade() -> None:
    op.drop_index(op.f("ix_project_search_grams_project_id"), table_name="project_search_grams")
    op.drop_table("project_search_grams")
