from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from . import backup as backups


@click.command("backup")
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup(output: Path) -> None:
    """Back up the database while the tracker keeps running."""
    try:
        backups.backup(current_app.config["SQLALCHEMY_DATABASE_URI"], output)
    except backups.BackupError as error:
        raise click.ClickException(str(error))
    click.echo(f"backup written to {output}")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace a database that already holds data.")
@with_appcontext
def restore(source: Path, yes: bool) -> None:
    """Restore a backup taken by `tracker backup`. Stop the server first."""
    from ..extensions import db
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    db.engine.dispose()
    if not backups.is_empty(url) and not yes:
        click.confirm("The database already holds data, which the backup will replace. Continue?",
                      abort=True)
    try:
        backups.restore(url, source)
    except backups.BackupError as error:
        raise click.ClickException(str(error))
    click.echo(f"restored {source}")
