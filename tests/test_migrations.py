"""The migrations build exactly the schema the models describe, and can be undone."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from tracker.extensions import db


def schema_differences(app) -> list:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


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
