"""Plans added by users (issue 16): their text kept as numbered lines, and their candidates.

plan_documents holds the text of a plan added with ``tracker plans add`` or at /plans/new (the
seed plans stay under SOURCES_DIR); being in the database, ``tracker backup`` keeps it.
plan_candidates holds each project or indicator the extractor found, and the person's decision
(accepted, merged, rejected), so a decided candidate is not offered again.
plan_indicator_actuals holds an indicator's actual value per year with its source (终期评估).

Revision ID: d1f6a2c8e4b9
Revises: c3d1e5a7b902
Create Date: 2026-12-04 19:08:36.588689

"""
from alembic import op
import sqlalchemy as sa
import tracker.database

# revision identifiers, used by Alembic.
revision = 'd1f6a2c8e4b9'
down_revision = 'c3d1e5a7b902'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('plan_candidates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=True),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', tracker.database.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_plan_candidates_decided_by_id_users')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_candidates_plan_id_plans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_plan_candidates_project_id_projects'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_candidates')),
    sa.UniqueConstraint('plan_id', 'kind', 'position', name=op.f('uq_plan_candidates_plan_id_kind_position'))
    )
    with op.batch_alter_table('plan_candidates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_candidates_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_candidates_project_id'), ['project_id'], unique=False)

    op.create_table('plan_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', tracker.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_documents_plan_id_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_documents')),
    sa.UniqueConstraint('plan_id', name=op.f('uq_plan_documents_plan_id'))
    )
    op.create_table('plan_indicator_actuals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('value', sa.String(length=100), nullable=False),
    sa.Column('source', sa.String(length=500), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', tracker.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_plan_indicator_actuals_entered_by_id_users')),
    sa.ForeignKeyConstraint(['indicator_id'], ['plan_indicators.id'], name=op.f('fk_plan_indicator_actuals_indicator_id_plan_indicators'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_indicator_actuals')),
    sa.UniqueConstraint('indicator_id', 'year', name=op.f('uq_plan_indicator_actuals_indicator_id_year'))
    )
    with op.batch_alter_table('plan_indicator_actuals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_indicator_actuals_indicator_id'), ['indicator_id'], unique=False)


def downgrade():
    with op.batch_alter_table('plan_indicator_actuals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_indicator_actuals_indicator_id'))
    op.drop_table('plan_indicator_actuals')
    op.drop_table('plan_documents')
    with op.batch_alter_table('plan_candidates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_candidates_project_id'))
        batch_op.drop_index(batch_op.f('ix_plan_candidates_plan_id'))

    op.drop_table('plan_candidates')
