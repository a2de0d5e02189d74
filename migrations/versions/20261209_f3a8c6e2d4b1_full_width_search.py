"""A project's search text holds full-width letters and digits as ASCII (``search.searchable``).

A name written with full-width letters or digits (Ｐ２实验室) was not found by "P2", nor a name in
ASCII by "Ｐ２" typed in an input method's full-width mode. Search terms are now made ASCII, and so
is the search text: the projects whose text holds such a character get it again, with their
search grams (``project_search_grams``). The few there are, one statement each; the rest are only
read.

Revision ID: f3a8c6e2d4b1
Revises: a6c2e8f4b9d3
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "f3a8c6e2d4b1"
down_revision = "a6c2e8f4b9d3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from tracker.projects.models import GRAM_COPIED, Project, search_grams
    from tracker.projects.search import copied, gram_rows, searchable

    connection = op.get_bind()
    projects = Project.__table__
    rows = connection.execute(sa.select(projects.c.id, projects.c.search_text)).all()
    changed = {project_id: searchable(text) for project_id, text in rows
               if text and searchable(text) != text}
    for project_id, text in changed.items():
        connection.execute(projects.update().where(projects.c.id == project_id).values(search_text=text))
        figures = connection.execute(sa.select(*(projects.c[name] for name in GRAM_COPIED))
                                     .where(projects.c.id == project_id)).mappings().one()
        connection.execute(search_grams.delete().where(search_grams.c.project_id == project_id))
        new_grams = list(gram_rows(project_id, text, copied(figures)))
        if new_grams:
            connection.execute(search_grams.insert(), new_grams)


def downgrade() -> None:
    pass  # the ASCII forms find what the full-width ones found, and more
