"""Alembic environment: the schema is the tracker's models, the database the app's."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from tracker.database import ExactDecimal, UTCDateTime, compared

config = context.config
if config.config_file_name and not config.attributes.get("skip_logging_config"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db
target_metadata = db.metadata


def render_item(type_, obj, autogen_context):
    """Our column types render as themselves, with their import, in generated revisions."""
    if type_ == "type" and isinstance(obj, (ExactDecimal, UTCDateTime)):
        autogen_context.imports.add("import tracker.database")
        if isinstance(obj, ExactDecimal):
            return f"tracker.database.ExactDecimal({obj.precision}, {obj.scale})"
        return "tracker.database.UTCDateTime()"
    return False


def configure_args() -> dict:
    return {
        "target_metadata": target_metadata,
        "render_as_batch": True,  # SQLite alters tables by copying them
        "compare_type": True,
        "render_item": render_item,
        "include_object": compared(target_metadata),  # indexes on expressions: database.compared
        **current_app.extensions["migrate"].configure_args,
    }


def run_migrations_offline():
    context.configure(url=db.engine.url.render_as_string(hide_password=False),
                      literal_binds=True, **configure_args())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def skip_empty_revision(context_, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    args = configure_args()
    args.setdefault("process_revision_directives", skip_empty_revision)
    with db.engine.connect() as connection:
        context.configure(connection=connection, **args)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
