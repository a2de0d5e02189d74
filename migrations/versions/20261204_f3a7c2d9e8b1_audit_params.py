"""Audit entries store their action's parameters, rendered at display time (issue 15).

audit_entries.params holds the values the action's message names (a JSON object); the sentence
is written in the reader's language when the entry is shown, so new entries store no summary.
Rows written before keep NULL params and their stored summary, in the language of whoever wrote
it: that is what they show. No backfill: a summary cannot be parsed back into its parameters
reliably, and NULL params is exactly "show the summary". Going back, an entry without a summary
gets its action code, the most an older version can show of it.

Revision ID: f3a7c2d9e8b1
Revises: a4d8e2f6c1b7
Create Date: 2026-12-04 21:15:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'f3a7c2d9e8b1'
down_revision = "a4d8e2f6c1b7"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('params', sa.JSON(), nullable=True))
        batch_op.alter_column('summary', existing_type=sa.String(length=255), nullable=True)


def downgrade():
    entries = sa.table('audit_entries', sa.column('summary', sa.String), sa.column('action', sa.String))
    op.execute(entries.update().where(entries.c.summary.is_(None)).values(summary=entries.c.action))
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.alter_column('summary', existing_type=sa.String(length=255), nullable=False)
        batch_op.drop_column('params')
