"""Dashboard figures kept per project (issue 7: the dashboard at 100,000 projects).

- projects.next_milestone_due: the earliest planned date of a milestone without an actual date.
  A project is 滞后 exactly when that date is before today, so the dashboard counts late projects
  from the projects alone instead of an EXISTS over every milestone, and the answer stays right
  as the days pass. Indexed: the late list is read in that order.
- projects.start_milestone_planned / start_milestone_actual: the 开工 milestone's planned and
  actual dates (the earliest, should a project have two), for 开工率.
- projects.funding_line_count: how many 资金来源 lines the project has.
- year_investments: each project's 本月完成投资 month by month, one row per project and year with
  reports: the year's figures read ~100,000 rows instead of ~1.2 million reports.

All are derived data, kept at every flush by tracker/progress/upkeep.py. The upgrade fills them
from the existing milestones and reports.

Revision ID: 80e9a1bec0b2
Revises: 9bff0eaa82e7
Create Date: 2026-12-03 08:30:00

"""
from alembic import op
import sqlalchemy as sa
import tracker.database

# revision identifiers, used by Alembic.
revision = '80e9a1bec0b2'
down_revision = '9bff0eaa82e7'
branch_labels = None
depends_on = None

MONTHS = range(1, 13)
START = "start"  # vocabulary.Stage.START


def upgrade():
    op.add_column('projects', sa.Column('next_milestone_due', sa.Date(), nullable=True))
    op.add_column('projects', sa.Column('start_milestone_planned', sa.Date(), nullable=True))
    op.add_column('projects', sa.Column('start_milestone_actual', sa.Date(), nullable=True))
    op.add_column('projects', sa.Column('funding_line_count', sa.Integer(), nullable=False,
                                        server_default=sa.text('0')))
    op.create_index(op.f('ix_projects_next_milestone_due'), 'projects', ['next_milestone_due'],
                    unique=False)
    op.create_table('year_investments',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('stated_months', sa.Integer(), nullable=False),
    *[sa.Column(f'month_{month:02d}', tracker.database.ExactDecimal(18, 4), nullable=True)
      for month in MONTHS],
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_year_investments_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'year', name=op.f('pk_year_investments'))
    )
    op.create_index(op.f('ix_year_investments_year'), 'year_investments', ['year'], unique=False)
    _backfill()


def _backfill():
    """The derived figures of the rows already there (no ORM, no app code)."""
    projects = sa.table('projects', sa.column('id'), sa.column('next_milestone_due'),
                        sa.column('start_milestone_planned'), sa.column('start_milestone_actual'),
                        sa.column('funding_line_count'))
    funding_lines = sa.table('funding_lines', sa.column('project_id'))
    milestones = sa.table('milestones', sa.column('project_id'), sa.column('stage'),
                          sa.column('planned_date'), sa.column('actual_date'))
    reports = sa.table('monthly_reports', sa.column('project_id'), sa.column('month'),
                       sa.column('invested_month'))
    year_investments = sa.table('year_investments', sa.column('project_id'), sa.column('year'),
                                sa.column('stated_months'),
                                *[sa.column(f'month_{month:02d}') for month in MONTHS])
    is_start = milestones.c.stage == START
    dates = (sa.select(
        milestones.c.project_id,
        sa.func.min(sa.case((milestones.c.actual_date.is_(None), milestones.c.planned_date)))
        .label('due'),
        sa.func.min(sa.case((is_start, milestones.c.planned_date))).label('start_planned'),
        sa.func.min(sa.case((is_start, milestones.c.actual_date))).label('start_actual'))
        .group_by(milestones.c.project_id).subquery())
    op.execute(projects.update().where(projects.c.id == dates.c.project_id).values(
        next_milestone_due=dates.c.due, start_milestone_planned=dates.c.start_planned,
        start_milestone_actual=dates.c.start_actual))
    lines = (sa.select(funding_lines.c.project_id, sa.func.count().label('lines'))
             .group_by(funding_lines.c.project_id).subquery())
    op.execute(projects.update().where(projects.c.id == lines.c.project_id)
               .values(funding_line_count=lines.c.lines))

    year = sa.cast(sa.extract('year', reports.c.month), sa.Integer)
    month = sa.cast(sa.extract('month', reports.c.month), sa.Integer)
    by_year = sa.select(
        reports.c.project_id, year, sa.func.count(reports.c.invested_month),
        *[sa.func.sum(sa.case((month == number, reports.c.invested_month))) for number in MONTHS],
    ).group_by(reports.c.project_id, year)
    op.execute(year_investments.insert().from_select(
        ['project_id', 'year', 'stated_months', *[f'month_{number:02d}' for number in MONTHS]],
        by_year))


def downgrade():
    op.drop_index(op.f('ix_year_investments_year'), table_name='year_investments')
    op.drop_table('year_investments')
    op.drop_index(op.f('ix_projects_next_milestone_due'), table_name='projects')
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch copy of projects would delete the
    # rows that reference it on SQLite (foreign keys are on).
    op.drop_column('projects', 'funding_line_count')
    op.drop_column('projects', 'start_milestone_actual')
    op.drop_column('projects', 'start_milestone_planned')
    op.drop_column('projects', 'next_milestone_due')
