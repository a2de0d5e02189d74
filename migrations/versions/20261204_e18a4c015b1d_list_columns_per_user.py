"""The project list's columns, chosen per user (issue 18).

users.list_columns holds the keys of the columns a user chose to see (a JSON list); NULL means
the default set, so a column added later reaches everyone who has not chosen.

Revision ID: e18a4c015b1d
Revises: d17a0b1c2e3f
Create Date: 2026-12-04 19:30:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'e18a4c015b1d'
down_revision = 'd17a0b1c2e3f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('list_columns', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('list_columns')
