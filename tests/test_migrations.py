"""The migrations build exactly the schema the models describe, and can be undone."""

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from tracker.database import compared, expression_indexes
from tracker.extensions import db


def schema_differences(app) -> list:
    """What autogenerate would change, and each index on an expression the models have and the
    database lacks (autogenerate leaves them out: ``database.compared``)."""
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "include_object": compared(db.metadata)})
        with warnings.catch_warnings():  # SQLite's: it cannot reflect them
            warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression-based index")
            differences = compare_metadata(context, db.metadata)
        if connection.dialect.name == "sqlite":
            present = set(connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'").scalars())
        else:
            present = {index["name"] for index in db.inspect(connection).get_indexes("projects")}
        return differences + [("missing expression index", name)
                              for name in sorted(expression_indexes(db.metadata) - present)]


def test_models_and_migrations_agree(app):
    assert schema_differences(app) == []


def test_migrations_downgrade_to_nothing_and_back(app):
    with app.app_context():
        downgrade(revision="base")
        with db.engine.connect() as connection:
            remaining = set(db.inspect(connection).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        upgrade()
    assert schema_differences(app) == []


def test_a_model_change_without_a_migration_is_caught(app):
    import sqlalchemy as sa
    table = db.metadata.tables["projects"]
    column = sa.Column("forgotten_column", sa.Integer)
    table.append_column(column)
    try:
        differences = schema_differences(app)
    finally:
        table._columns.remove(column)
    assert any(diff[0] == "add_column" and diff[3].name == "forgotten_column" for diff in differences)


def test_keeping_ids_on_sqlite_copies_the_referenced_tables_and_loses_no_row(app):
    """b8d2f4a6c1e3 copies projects, plans and plan_indicators on SQLite (to add AUTOINCREMENT):
    with foreign keys enforced, dropping the old copy deleted every row referring to them (plan
    links, milestones, actuals: ON DELETE CASCADE), and the copy made from the reflected table
    lost the sort indexes' DESC. Down and up again, every row and index is as it was."""
    import datetime as dt

    import sqlalchemy as sa

    from tracker.plans.models import Plan, PlanIndicator, PlanIndicatorActual
    from tracker.progress.models import Milestone
    from tracker.projects.models import project_plans

    from . import factories

    def state(connection) -> tuple:
        counts = tuple(connection.scalar(sa.select(sa.func.count()).select_from(sa.table(table)))
                       for table in ("projects", "plans", "plan_indicators", "plan_indicator_actuals",
                                     "project_plans", "milestones"))
        indexes = connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name").fetchall() \
            if connection.dialect.name == "sqlite" else []
        return counts, indexes

    with app.app_context():
        county = factories.region()
        plan = Plan(key="kept-ids", title="保留编号的规划", region_id=county.id, sources=[])
        db.session.add(plan)
        db.session.flush()
        indicator = PlanIndicator(plan_id=plan.id, key="beds", name="床位数", sources=[])
        db.session.add(indicator)
        db.session.flush()
        db.session.add(PlanIndicatorActual(indicator_id=indicator.id, year=2025, value="7.1", source="公报"))
        project = factories.project(county, name="保留编号的项目")
        db.session.execute(project_plans.insert().values(project_id=project.id, plan_id=plan.id))
        db.session.add(Milestone(project_id=project.id, custom_name="开工", planned_date=dt.date(2026, 3, 1)))
        db.session.commit()
        try:
            downgrade(revision="b8d2f4a6c1e3")  # the schema this migration made (later ones undone)
            with db.engine.connect() as connection:
                before = state(connection)
            assert before[0] == (1, 1, 1, 1, 1, 1)
            downgrade(revision="a9c4e1f7b3d8")
            with db.engine.connect() as connection:
                assert state(connection) == before
            upgrade(revision="b8d2f4a6c1e3")
            with db.engine.connect() as connection:
                assert state(connection) == before
                if connection.dialect.name == "sqlite":
                    assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        finally:  # the empty database again, for the tests after
            db.session.rollback()
            db.session.remove()
            downgrade(revision="base")
            upgrade()
    assert schema_differences(app) == []
