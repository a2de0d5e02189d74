"""Annual investment plans (年度计划投资), one per project and year.

Revision ID: 51b186791869
Revises: aa00e2ae1c7a
Create Date: 2026-11-22 21:55:26.768015

"""
from alembic import op
import sqlalchemy as sa
import tracker.database

# revision identifiers, used by Alembic.
revision = '51b186791869'
down_revision = 'aa00e2ae1c7a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('annual_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('planned_investment', tracker.database.ExactDecimal(18, 4), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_annual_plans_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_annual_plans')),
    sa.UniqueConstraint('project_id', 'year', name=op.f('uq_annual_plans_project_id_year'))
    )
    with op.batch_alter_table('annual_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_annual_plans_year'), ['year'], unique=False)



def downgrade():
    with op.batch_alter_table('annual_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_annual_plans_year'))

    op.drop_table('annual_plans')
