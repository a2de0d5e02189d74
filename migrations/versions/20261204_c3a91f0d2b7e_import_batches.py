"""Import batches: an uploaded sheet is confirmed once (issue 13).

import_batches holds one row per upload (who, what kind, the file's name) and its state:
previewed → applied (or discarded). Confirming claims the row with
``UPDATE … WHERE status = 'previewed'`` in the transaction that writes the sheet's rows, so two
confirmations of one upload (a double click, two tabs) cannot both apply it.

Revision ID: c3a91f0d2b7e
Revises: 80e9a1bec0b2
Create Date: 2026-12-04 18:00:00

"""
from alembic import op
import sqlalchemy as sa
import tracker.database

# revision identifiers, used by Alembic.
revision = 'c3a91f0d2b7e'
down_revision = '80e9a1bec0b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', tracker.database.UTCDateTime(), nullable=False),
    sa.Column('decided_at', tracker.database.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_import_batches_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batches')),
    sa.UniqueConstraint('token', name=op.f('uq_import_batches_token'))
    )
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_batches_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_batches_user_id'))
    op.drop_table('import_batches')
