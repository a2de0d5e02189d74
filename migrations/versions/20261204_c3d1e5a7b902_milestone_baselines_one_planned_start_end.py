"""Milestone baselines; 计划开工/计划竣工 kept from the milestones (issue 12, items 4 and 6).

- milestones.baseline_date: the first planned date a milestone was given; replan_count: how often
  the planned date moved since. Lateness is shown against the baseline ("原计划 2025-12-31，已调整
  1 次"). Existing milestones take their current planned date as baseline (no history to tell).
- projects.next_milestone_baseline: the baseline of the milestone behind next_milestone_due.
- projects.planned_start / planned_end were a second truth beside the 开工 / 竣工验收 milestones.
  The milestones are now the truth and the two columns a copy kept at every flush
  (tracker/progress/upkeep.py). The upgrade moves each project's dates into those milestones:
  a project date goes into the milestone when the milestone has none (the milestone is added
  when missing); where both state a date and they differ, the milestone's date is kept (it is the
  one the dashboard's 滞后 and 开工率 already used).
- projects.start_milestone_planned is dropped: it was the same fact as planned_start.

The downgrade restores start_milestone_planned from the 开工 milestones and drops the new columns;
the milestones the upgrade added stay (they carry the dates the projects stated).

Revision ID: c3d1e5a7b902
Revises: c4e1a9d2b7f3
Create Date: 2026-12-04 18:30:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'c3d1e5a7b902'
down_revision = 'c4e1a9d2b7f3'
branch_labels = None
depends_on = None

START, ACCEPTANCE = "start", "acceptance"  # vocabulary.Stage
POSITIONS = {START: 6, ACCEPTANCE: 8}  # Stage.position


def _tables():
    projects = sa.table('projects', sa.column('id'), sa.column('planned_start', sa.Date),
                        sa.column('planned_end', sa.Date), sa.column('next_milestone_due', sa.Date),
                        sa.column('next_milestone_baseline', sa.Date),
                        sa.column('start_milestone_planned', sa.Date))
    milestones = sa.table('milestones', sa.column('id'), sa.column('project_id'), sa.column('stage'),
                          sa.column('position'), sa.column('planned_date', sa.Date),
                          sa.column('actual_date', sa.Date), sa.column('baseline_date', sa.Date),
                          sa.column('replan_count'), sa.column('sources', sa.JSON),
                          sa.column('version'))
    return projects, milestones


def upgrade():
    op.add_column('milestones', sa.Column('baseline_date', sa.Date(), nullable=True))
    op.add_column('milestones', sa.Column('replan_count', sa.Integer(), nullable=False,
                                          server_default=sa.text('0')))
    op.add_column('projects', sa.Column('next_milestone_baseline', sa.Date(), nullable=True))
    projects, milestones = _tables()
    op.execute(milestones.update().values(baseline_date=milestones.c.planned_date))
    connection = op.get_bind()
    for column, stage in ((projects.c.planned_start, START), (projects.c.planned_end, ACCEPTANCE)):
        first = (sa.select(sa.func.min(milestones.c.id)).where(
            milestones.c.project_id == projects.c.id, milestones.c.stage == stage).scalar_subquery())
        # the project's date into its milestone where the milestone has none
        for project_id, day, milestone_id in connection.execute(
                sa.select(projects.c.id, column, first).where(column.is_not(None))).all():
            if milestone_id is None:
                connection.execute(milestones.insert().values(
                    project_id=project_id, stage=stage, position=POSITIONS[stage], planned_date=day,
                    baseline_date=day, replan_count=0, sources=[], version=1))
            else:
                connection.execute(milestones.update().where(
                    milestones.c.id == milestone_id, milestones.c.planned_date.is_(None))
                    .values(planned_date=day, baseline_date=day))
    _derive(connection, projects, milestones)
    op.drop_column('projects', 'start_milestone_planned')


def _derive(connection, projects, milestones):
    """The project columns kept from the milestones, as progress/upkeep.py computes them."""
    def earliest(column, *where):
        return (sa.select(sa.func.min(column)).where(milestones.c.project_id == projects.c.id, *where)
                .scalar_subquery())
    open_ = (milestones.c.actual_date.is_(None), milestones.c.planned_date.is_not(None))
    connection.execute(projects.update().values(
        planned_start=earliest(milestones.c.planned_date, milestones.c.stage == START),
        planned_end=earliest(milestones.c.planned_date, milestones.c.stage == ACCEPTANCE),
        next_milestone_due=earliest(milestones.c.planned_date, *open_),
        next_milestone_baseline=sa.select(milestones.c.baseline_date)
        .where(milestones.c.project_id == projects.c.id, *open_)
        .order_by(milestones.c.planned_date, milestones.c.position, milestones.c.id)
        .limit(1).scalar_subquery()))


def downgrade():
    op.add_column('projects', sa.Column('start_milestone_planned', sa.Date(), nullable=True))
    projects, milestones = _tables()
    op.execute(projects.update().values(start_milestone_planned=(
        sa.select(sa.func.min(milestones.c.planned_date))
        .where(milestones.c.project_id == projects.c.id, milestones.c.stage == START)
        .scalar_subquery())))
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+), as 80e9a1bec0b2 explains.
    op.drop_column('projects', 'next_milestone_baseline')
    op.drop_column('milestones', 'replan_count')
    op.drop_column('milestones', 'baseline_date')
