"""The API's rate limit counted on the token's row, so that every worker shares one allowance.

Revision ID: a17c0de4b1d2
Revises: f3a7c2d9e8b1
Create Date: 2026-12-04 21:30:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'a17c0de4b1d2'
down_revision = 'f3a7c2d9e8b1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rate_window', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('rate_count', sa.Integer(), server_default=sa.text('0'), nullable=False))


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('rate_count')
        batch_op.drop_column('rate_window')
