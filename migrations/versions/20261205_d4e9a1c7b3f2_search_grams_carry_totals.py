"""Search grams carry their project's kind and summed figures: a two-character search's totals
read one range of an index.

The list's totals row of ``?q=妇幼`` summed 总投资, 累计完成投资, 建筑面积 and 床位 over ~8,900
projects at 100,000, fetching each one from the projects (or scanning every project's totals
entry to join them): most of the page's time (benchmarks/NOTES.md). Each row of
``project_search_grams`` now also holds its project's kind and those five figures (kept at every
flush by tracker/projects/search.py), and ``ix_project_search_grams_totals`` (gram, kind, the
figures) answers the totals from one range. The table is derived data: it is built anew, a batch
of projects at a time (the downgrade builds the previous shape the same way).

Revision ID: d4e9a1c7b3f2
Revises: d4a7b2e9f1c3
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tracker.database

revision = "d4e9a1c7b3f2"
down_revision = "d4a7b2e9f1c3"
branch_labels = None
depends_on = None

BATCH = 5000
FIGURES = ("total_investment", "invested_to_date", "floor_area_m2", "beds", "new_beds")


def grams(text: str) -> set[str]:
    # The rule of tracker/projects/search.py at the time of writing: a migration does not import
    # the application, whose rule may change later.
    found = set()
    for line in text.split("\n"):
        found.update(line[i:i + 2] for i in range(len(line) - 1))
    return found


def _build(with_figures: bool) -> None:
    op.drop_index(op.f("ix_project_search_grams_project_id"), table_name="project_search_grams")
    if not with_figures:
        op.drop_index("ix_project_search_grams_totals", table_name="project_search_grams")
    op.drop_table("project_search_grams")
    copied = [
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("total_investment", tracker.database.ExactDecimal(18, 4), nullable=True),
        sa.Column("invested_to_date", tracker.database.ExactDecimal(18, 4), nullable=True),
        sa.Column("floor_area_m2", tracker.database.ExactDecimal(14, 2), nullable=True),
        sa.Column("beds", sa.Integer(), nullable=True),
        sa.Column("new_beds", sa.Integer(), nullable=True),
    ] if with_figures else []
    table = op.create_table(
        "project_search_grams",
        sa.Column("gram", sa.String(length=2), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        *copied,
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE",
                                name=op.f("fk_project_search_grams_project_id_projects")),
        sa.PrimaryKeyConstraint("gram", "project_id", name=op.f("pk_project_search_grams")),
    )
    connection = op.get_bind()
    projects = sa.table("projects", sa.column("id", sa.Integer), sa.column("search_text", sa.Text),
                        sa.column("kind", sa.String),
                        *(sa.column(column.name, column.type) for column in copied[1:]))
    wanted = [projects.c.id, projects.c.search_text]
    if with_figures:
        wanted += [projects.c.kind, *(projects.c[name] for name in FIGURES)]
    last = 0
    while True:
        rows = connection.execute(sa.select(*wanted).where(projects.c.id > last)
                                  .order_by(projects.c.id).limit(BATCH)).all()
        if not rows:
            break
        values = []
        for row in rows:
            figures = ({"kind": row.kind, **{name: row._mapping[name] for name in FIGURES}}
                       if with_figures else {})
            values += [{"gram": gram, "project_id": row.id, **figures}
                       for gram in sorted(grams(row.search_text or ""))]
        if values:
            connection.execute(table.insert(), values)
        last = rows[-1].id
    op.create_index(op.f("ix_project_search_grams_project_id"), "project_search_grams", ["project_id"])
    if with_figures:
        op.create_index("ix_project_search_grams_totals", "project_search_grams",
                        ["gram", "kind", *FIGURES])
    op.execute("ANALYZE project_search_grams")


def upgrade() -> None:
    _build(with_figures=True)


def downgrade() -> None:
    _build(with_figures=False)
