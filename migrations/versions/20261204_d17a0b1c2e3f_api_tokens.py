"""API tokens (issue 17): hashed secrets, scope, expiry, revocation.

Revision ID: d17a0b1c2e3f
Revises: d1f6a2c8e4b9
Create Date: 2026-12-04 19:30:00

"""
from alembic import op
import sqlalchemy as sa
import tracker.database

# revision identifiers, used by Alembic.
revision = 'd17a0b1c2e3f'
down_revision = 'd1f6a2c8e4b9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('scope', sa.String(length=8), nullable=False),
    sa.Column('created_at', tracker.database.UTCDateTime(), nullable=False),
    sa.Column('expires_at', tracker.database.UTCDateTime(), nullable=True),
    sa.Column('revoked_at', tracker.database.UTCDateTime(), nullable=True),
    sa.Column('last_used_at', tracker.database.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('secret_hash', name=op.f('uq_api_tokens_secret_hash'))
    )
    op.create_index(op.f('ix_api_tokens_user_id'), 'api_tokens', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_api_tokens_user_id'), table_name='api_tokens')
    op.drop_table('api_tokens')
