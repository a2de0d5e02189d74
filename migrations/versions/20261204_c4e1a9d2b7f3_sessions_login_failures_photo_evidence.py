"""Server-side sessions, wrong-password counts, and where and when a site photo was taken (issue 14).

- user_sessions: one row per signed-in browser; signing out ends it, so a copied cookie stops
  working (14.8). Existing cookies name no session and end: everyone signs in once more.
- login_failures: wrong passwords at the sign-in form and the password change, counted in the
  database so that every worker sees the same count (14.9, 14.10).
- report_photos.captured_at / latitude / longitude: the camera's time and GPS position, kept as
  data before the served file is stripped of its EXIF (14.4). Photos stored before stay NULL.

Revision ID: c4e1a9d2b7f3
Revises: c3a91f0d2b7e
Create Date: 2026-12-04 18:10:00

"""
from alembic import op
import sqlalchemy as sa
import tracker.database

# revision identifiers, used by Alembic.
revision = 'c4e1a9d2b7f3'
down_revision = 'c3a91f0d2b7e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', tracker.database.UTCDateTime(), nullable=False),
    sa.Column('ended_at', tracker.database.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_user_sessions_key_hash'))
    )
    op.create_index(op.f('ix_user_sessions_user_id'), 'user_sessions', ['user_id'], unique=False)

    op.create_table('login_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('account', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('at', tracker.database.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures'))
    )
    op.create_index('ix_login_failures_scope_account_address', 'login_failures',
                    ['scope', 'account', 'address', 'at'], unique=False)
    op.create_index('ix_login_failures_scope_address', 'login_failures', ['scope', 'address', 'at'],
                    unique=False)
    op.create_index('ix_login_failures_at', 'login_failures', ['at'], unique=False)

    with op.batch_alter_table('report_photos') as batch_op:
        batch_op.add_column(sa.Column('captured_at', tracker.database.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('latitude', tracker.database.ExactDecimal(9, 6), nullable=True))
        batch_op.add_column(sa.Column('longitude', tracker.database.ExactDecimal(9, 6), nullable=True))


def downgrade():
    with op.batch_alter_table('report_photos') as batch_op:
        batch_op.drop_column('longitude')
        batch_op.drop_column('latitude')
        batch_op.drop_column('captured_at')
    op.drop_index('ix_login_failures_at', table_name='login_failures')
    op.drop_index('ix_login_failures_scope_address', table_name='login_failures')
    op.drop_index('ix_login_failures_scope_account_address', table_name='login_failures')
    op.drop_table('login_failures')
    op.drop_index(op.f('ix_user_sessions_user_id'), table_name='user_sessions')
    op.drop_table('user_sessions')
