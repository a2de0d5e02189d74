"""A home for each user (issue 18): a default scope, and saved named views.

users.home_scope holds the region, plan and period the dashboard and the list open on (a JSON
object; NULL: the whole portfolio, as before). saved_views holds each user's named views: the
page (list or dashboard) and its query string. Nothing exists to backfill: every user starts
with no home and no views, which is what the pages showed until now.

Revision ID: f3b7c2a91d40
Revises: a17c0de4b1d2
Create Date: 2026-12-04 21:30:00

"""
from alembic import op
import sqlalchemy as sa
import tracker.database

# revision identifiers, used by Alembic.
revision = 'f3b7c2a91d40'
down_revision = "a17c0de4b1d2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('home_scope', sa.JSON(), nullable=True))
    op.create_table('saved_views',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('page', sa.String(length=16), nullable=False),
    sa.Column('query', sa.String(length=2000), nullable=False),
    sa.Column('created_at', tracker.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_saved_views_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_views')),
    sa.UniqueConstraint('user_id', 'name', name=op.f('uq_saved_views_user_id_name'))
    )
    op.create_index(op.f('ix_saved_views_user_id'), 'saved_views', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_saved_views_user_id'), table_name='saved_views')
    op.drop_table('saved_views')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('home_scope')
