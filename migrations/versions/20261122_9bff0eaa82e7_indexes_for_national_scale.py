"""Indexes for a national-scale portfolio (issue 7, measured in benchmarks/RESULTS.md).

- ix_projects_total_investment_desc: the list sorted by 总投资, largest first and unknown last,
  reads its first page from an index instead of sorting every project. PostgreSQL spells the
  order DESC NULLS LAST; SQLite cannot write NULLS LAST in an index, but its DESC already puts
  NULL last, so there the same order is plain DESC.
- ix_projects_search_text_trgm: free-text search is LIKE '%…%' on projects.search_text. On
  PostgreSQL a GIN index of trigrams (pg_trgm) answers it for terms of three characters or more.
  SQLite cannot index a LIKE with a leading wildcard: there the index is an empty placeholder
  (WHERE 0) that only keeps the schema the same as the models on both databases.

Revision ID: 9bff0eaa82e7
Revises: 51b186791869
Create Date: 2026-11-22 22:40:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '9bff0eaa82e7'
down_revision = '51b186791869'
branch_labels = None
depends_on = None


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index("ix_projects_total_investment_desc", "projects",
                        [sa.text("total_investment DESC NULLS LAST"), "id"])
        op.create_index("ix_projects_search_text_trgm", "projects", ["search_text"],
                        postgresql_using="gin", postgresql_ops={"search_text": "gin_trgm_ops"})
    else:
        op.create_index("ix_projects_total_investment_desc", "projects",
                        [sa.text("total_investment DESC"), "id"])
        op.create_index("ix_projects_search_text_trgm", "projects", ["search_text"],
                        sqlite_where=sa.text("0"))


def downgrade():
    op.drop_index("ix_projects_search_text_trgm", table_name="projects")
    op.drop_index("ix_projects_total_investment_desc", table_name="projects")
    # pg_trgm stays installed: other objects may use it, and it costs nothing.
