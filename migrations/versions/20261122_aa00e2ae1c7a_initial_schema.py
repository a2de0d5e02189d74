"""The initial schema: regions, plans, projects, progress, accounts, audit.

Vocabulary columns (kind, status, stage …) are VARCHAR(32) holding the codes of
tracker.vocabulary; money and areas are tracker.database.ExactDecimal (NUMERIC on PostgreSQL,
a scaled integer on SQLite).

Revision ID: aa00e2ae1c7a
Revises: 
Create Date: 2026-11-22 21:40:39.098556

"""
from alembic import op
import sqlalchemy as sa
import tracker.database

# revision identifiers, used by Alembic.
revision = 'aa00e2ae1c7a'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('regions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('code', sa.String(length=6), nullable=True),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('level', sa.String(length=32), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('path', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['regions.id'], name=op.f('fk_regions_parent_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_regions')),
    sa.UniqueConstraint('code', name=op.f('uq_regions_code')),
    sa.UniqueConstraint('key', name=op.f('uq_regions_key'))
    )
    with op.batch_alter_table('regions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_regions_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_regions_path'), ['path'], unique=False)

    op.create_table('settings',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_settings'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=64), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('must_change_password', sa.Boolean(), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=True),
    sa.Column('session_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', tracker.database.UTCDateTime(), nullable=False),
    sa.Column('last_login_at', tracker.database.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', tracker.database.UTCDateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('via', sa.String(length=16), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('object_type', sa.String(length=32), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('summary', sa.String(length=255), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_entries_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entries_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_occurred_at'), ['occurred_at'], unique=False)
        batch_op.create_index('ix_audit_entries_project_time', ['project_id', 'occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_user_id'), ['user_id'], unique=False)

    op.create_table('plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('issuer', sa.String(length=200), nullable=True),
    sa.Column('doc_number', sa.String(length=100), nullable=True),
    sa.Column('issued_date', sa.Date(), nullable=True),
    sa.Column('period_start', sa.Integer(), nullable=True),
    sa.Column('period_end', sa.Integer(), nullable=True),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('source_file', sa.String(length=100), nullable=True),
    sa.Column('sources', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_plans_region_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plans')),
    sa.UniqueConstraint('key', name=op.f('uq_plans_key')),
    sa.UniqueConstraint('source_file', name=op.f('uq_plans_source_file'))
    )
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plans_region_id'), ['region_id'], unique=False)

    op.create_table('projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('project_code', sa.String(length=24), nullable=True),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('build_nature', sa.String(length=32), nullable=True),
    sa.Column('build_nature_term', sa.String(length=50), nullable=True),
    sa.Column('location', sa.String(length=200), nullable=True),
    sa.Column('owner_unit', sa.String(length=200), nullable=True),
    sa.Column('supervising_department', sa.String(length=200), nullable=True),
    sa.Column('land_area_mu', tracker.database.ExactDecimal(14, 2), nullable=True),
    sa.Column('land_area_approx', sa.Boolean(), nullable=False),
    sa.Column('floor_area_m2', tracker.database.ExactDecimal(14, 2), nullable=True),
    sa.Column('floor_area_approx', sa.Boolean(), nullable=False),
    sa.Column('floor_area_term', sa.String(length=50), nullable=True),
    sa.Column('beds', sa.Integer(), nullable=True),
    sa.Column('new_beds', sa.Integer(), nullable=True),
    sa.Column('total_investment', tracker.database.ExactDecimal(18, 4), nullable=True),
    sa.Column('total_investment_approx', sa.Boolean(), nullable=False),
    sa.Column('current_estimate', tracker.database.ExactDecimal(18, 4), nullable=True),
    sa.Column('invested_to_date', tracker.database.ExactDecimal(18, 4), nullable=True),
    sa.Column('last_report_month', sa.Date(), nullable=True),
    sa.Column('scope', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=True),
    sa.Column('planned_start', sa.Date(), nullable=True),
    sa.Column('planned_end', sa.Date(), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('seed_key', sa.String(length=64), nullable=True),
    sa.Column('seed_checksum', sa.String(length=64), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', tracker.database.UTCDateTime(), nullable=False),
    sa.Column('updated_at', tracker.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_projects_region_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_projects')),
    sa.UniqueConstraint('project_code', name=op.f('uq_projects_project_code')),
    sa.UniqueConstraint('seed_key', name=op.f('uq_projects_seed_key'))
    )
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_projects_build_nature'), ['build_nature'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_last_report_month'), ['last_report_month'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_region_id'), ['region_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_total_investment'), ['total_investment'], unique=False)

    op.create_table('region_former_names',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=6), nullable=True),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('until_year', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_region_former_names_region_id_regions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_region_former_names'))
    )
    with op.batch_alter_table('region_former_names', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_region_former_names_region_id'), ['region_id'], unique=False)

    op.create_table('user_regions',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_user_regions_region_id_regions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_regions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'region_id', name=op.f('pk_user_regions'))
    )
    op.create_table('budget_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('previous_amount', tracker.database.ExactDecimal(18, 4), nullable=True),
    sa.Column('new_amount', tracker.database.ExactDecimal(18, 4), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('approval_number', sa.String(length=100), nullable=False),
    sa.Column('approval_date', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', tracker.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_budget_revisions_created_by_id_users')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_budget_revisions_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_revisions'))
    )
    with op.batch_alter_table('budget_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_revisions_project_id'), ['project_id'], unique=False)

    op.create_table('funding_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('amount', tracker.database.ExactDecimal(18, 4), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_funding_lines_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funding_lines'))
    )
    with op.batch_alter_table('funding_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funding_lines_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_funding_lines_source'), ['source'], unique=False)

    op.create_table('milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=32), nullable=True),
    sa.Column('custom_name', sa.String(length=100), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('planned_date', sa.Date(), nullable=True),
    sa.Column('actual_date', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('delay_reason', sa.Text(), nullable=True),
    sa.Column('sources', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_milestones_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestones'))
    )
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.create_index('ix_milestones_overdue', ['planned_date', 'project_id'], unique=False, sqlite_where=sa.text('actual_date IS NULL'), postgresql_where=sa.text('actual_date IS NULL'))
        batch_op.create_index(batch_op.f('ix_milestones_project_id'), ['project_id'], unique=False)

    op.create_table('monthly_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('progress_text', sa.Text(), nullable=True),
    sa.Column('physical_percent', tracker.database.ExactDecimal(5, 2), nullable=True),
    sa.Column('invested_month', tracker.database.ExactDecimal(18, 4), nullable=True),
    sa.Column('invested_year', tracker.database.ExactDecimal(18, 4), nullable=True),
    sa.Column('invested_total', tracker.database.ExactDecimal(18, 4), nullable=True),
    sa.Column('funds_received', tracker.database.ExactDecimal(18, 4), nullable=True),
    sa.Column('paid', tracker.database.ExactDecimal(18, 4), nullable=True),
    sa.Column('over_budget_reason', sa.Text(), nullable=True),
    sa.Column('problems', sa.Text(), nullable=True),
    sa.Column('next_steps', sa.Text(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', tracker.database.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('physical_percent >= 0', name=op.f('ck_monthly_reports_physical_percent_not_negative')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_monthly_reports_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_monthly_reports_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monthly_reports')),
    sa.UniqueConstraint('project_id', 'month', name=op.f('uq_monthly_reports_project_id_month'))
    )
    with op.batch_alter_table('monthly_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monthly_reports_month'), ['month'], unique=False)

    op.create_table('plan_indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('section', sa.String(length=100), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.String(length=50), nullable=True),
    sa.Column('baseline', sa.String(length=100), nullable=True),
    sa.Column('baseline_year', sa.Integer(), nullable=True),
    sa.Column('target', sa.String(length=100), nullable=True),
    sa.Column('target_year', sa.Integer(), nullable=True),
    sa.Column('comparator', sa.String(length=2), nullable=True),
    sa.Column('nature', sa.String(length=32), nullable=True),
    sa.Column('sources', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_indicators_plan_id_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_indicators')),
    sa.UniqueConstraint('plan_id', 'key', name=op.f('uq_plan_indicators_plan_id_key'))
    )
    with op.batch_alter_table('plan_indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_indicators_plan_id'), ['plan_id'], unique=False)

    op.create_table('project_aliases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_aliases_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_aliases')),
    sa.UniqueConstraint('project_id', 'name', name=op.f('uq_project_aliases_project_id_name'))
    )
    with op.batch_alter_table('project_aliases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_aliases_project_id'), ['project_id'], unique=False)

    op.create_table('project_plans',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_project_plans_plan_id_plans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_plans_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'plan_id', name=op.f('pk_project_plans'))
    )
    with op.batch_alter_table('project_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_plans_plan_id'), ['plan_id'], unique=False)

    op.create_table('source_mentions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('quote', sa.Text(), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_source_mentions_plan_id_plans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_source_mentions_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_source_mentions')),
    sa.UniqueConstraint('project_id', 'plan_id', 'line', 'quote', name=op.f('uq_source_mentions_project_id_plan_id_line_quote'))
    )
    with op.batch_alter_table('source_mentions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_source_mentions_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_source_mentions_project_id'), ['project_id'], unique=False)

    op.create_table('report_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('storage_name', sa.String(length=100), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=50), nullable=False),
    sa.Column('byte_size', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', tracker.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['monthly_reports.id'], name=op.f('fk_report_photos_report_id_monthly_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_photos'))
    )
    with op.batch_alter_table('report_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_photos_report_id'), ['report_id'], unique=False)



def downgrade():
    with op.batch_alter_table('report_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_photos_report_id'))

    op.drop_table('report_photos')
    with op.batch_alter_table('source_mentions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_source_mentions_project_id'))
        batch_op.drop_index(batch_op.f('ix_source_mentions_plan_id'))

    op.drop_table('source_mentions')
    with op.batch_alter_table('project_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_plans_plan_id'))

    op.drop_table('project_plans')
    with op.batch_alter_table('project_aliases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_aliases_project_id'))

    op.drop_table('project_aliases')
    with op.batch_alter_table('plan_indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_indicators_plan_id'))

    op.drop_table('plan_indicators')
    with op.batch_alter_table('monthly_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monthly_reports_month'))

    op.drop_table('monthly_reports')
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestones_project_id'))
        batch_op.drop_index('ix_milestones_overdue', sqlite_where=sa.text('actual_date IS NULL'), postgresql_where=sa.text('actual_date IS NULL'))

    op.drop_table('milestones')
    with op.batch_alter_table('funding_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_funding_lines_source'))
        batch_op.drop_index(batch_op.f('ix_funding_lines_project_id'))

    op.drop_table('funding_lines')
    with op.batch_alter_table('budget_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_revisions_project_id'))

    op.drop_table('budget_revisions')
    op.drop_table('user_regions')
    with op.batch_alter_table('region_former_names', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_region_former_names_region_id'))

    op.drop_table('region_former_names')
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_projects_total_investment'))
        batch_op.drop_index(batch_op.f('ix_projects_status'))
        batch_op.drop_index(batch_op.f('ix_projects_region_id'))
        batch_op.drop_index(batch_op.f('ix_projects_last_report_month'))
        batch_op.drop_index(batch_op.f('ix_projects_kind'))
        batch_op.drop_index(batch_op.f('ix_projects_category'))
        batch_op.drop_index(batch_op.f('ix_projects_build_nature'))

    op.drop_table('projects')
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plans_region_id'))

    op.drop_table('plans')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entries_user_id'))
        batch_op.drop_index('ix_audit_entries_project_time')
        batch_op.drop_index(batch_op.f('ix_audit_entries_occurred_at'))
        batch_op.drop_index(batch_op.f('ix_audit_entries_action'))

    op.drop_table('audit_entries')
    op.drop_table('users')
    op.drop_table('settings')
    with op.batch_alter_table('regions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_regions_path'))
        batch_op.drop_index(batch_op.f('ix_regions_parent_id'))

    op.drop_table('regions')
