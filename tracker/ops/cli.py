from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from . import backup as backups


def _instance_files() -> dict:
    """Where the photos and uploads live, and the generated secret key when the environment does
    not set one (a key from TRACKER_SECRET_KEY is the operator's to keep, not the backup's)."""
    secret = None if os.environ.get("TRACKER_SECRET_KEY") else Path(current_app.instance_path) / "secret_key"
    return {"upload_dir": Path(current_app.config["UPLOAD_DIR"]), "secret_key_file": secret}


@click.command("backup")
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup(output: Path) -> None:
    """Back up the database, site photos, uploads and secret key while the tracker keeps running.

    The file is written readable by its owner only (0600)."""
    try:
        manifest = backups.backup(current_app.config["SQLALCHEMY_DATABASE_URI"], output,
                                  **_instance_files())
    except (backups.BackupError, OSError) as error:
        raise click.ClickException(str(error)) from error
    uploads = sum(1 for name in manifest["files"] if name.startswith("uploads/"))
    click.echo(f"backup written to {output}: the database and {uploads} photo and upload file(s)")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace a database that already holds data.")
@with_appcontext
def restore(source: Path, yes: bool) -> None:
    """Restore a backup taken by `tracker backup`: database, photos, uploads, secret key.
    Stop the server first."""
    from ..extensions import db
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    db.engine.dispose()
    if busy := backups.other_connections(url):  # README: restore with the server stopped
        raise click.ClickException(
            f"{busy} other connection(s) to this database are open: stop the tracker (and anything else "
            "using the database) first; a save made during the restore would be lost or half-restored")
    if not backups.is_empty(url) and not yes:
        click.confirm("The database already holds data, which the backup will replace. Continue?",
                      abort=True)
    try:
        manifest = backups.restore(url, source, **_instance_files())
    except (backups.BackupError, OSError) as error:
        raise click.ClickException(str(error)) from error
    uploads = sum(1 for name in manifest["files"] if name.startswith("uploads/"))
    click.echo(f"restored {source}: the database and {uploads} photo and upload file(s)")
    if backups.SECRET_KEY in manifest["files"] and not os.environ.get("TRACKER_SECRET_KEY"):
        click.echo("the secret key was restored too: restart the tracker to use it")
