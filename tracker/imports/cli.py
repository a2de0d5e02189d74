"""``tracker import FILE``: a sheet of projects or monthly reports, all rows or none."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from ..unit_of_work import one_unit_of_work


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--user", "username", required=True,
              help="The account the changes are made as (its permissions apply; audited via import).")
@click.option("--kind", type=click.Choice(["auto", "projects", "monthly-reports"]), default="auto",
              show_default=True, help="What the sheet holds (auto: recognised from its header).")
@click.option("--dry-run", is_flag=True, help="Only report what would change; write nothing.")
@click.option("--reason", help="变更原因: needed when a row changes a project's status.")
@with_appcontext
@one_unit_of_work
def import_command(file: str, username: str, kind: str, dry_run: bool, reason: str | None) -> None:
    """Import projects or monthly reports from an .xlsx or .csv: all rows or none."""
    import os

    from ..accounts.services import get_by_username
    from ..audit.services import Actor
    from .importer import run_import, setting

    user = get_by_username(username)
    if user is None or not user.active:
        raise click.ClickException(f"no active user named {username}")
    limit = setting("IMPORT_MAX_BYTES")
    if os.path.getsize(file) > limit:
        raise click.ClickException(f"{file} is larger than the {limit // (1024 * 1024)} MB import limit")
    with open(file, "rb") as handle:
        data = handle.read(limit + 1)
    # All rows or none: a run with any error, or a dry run, leaves nothing to commit.
    report = run_import(Actor(user, "import"), data, os.path.basename(file), kind=kind,
                        apply=not dry_run, reason=reason)
    for line in report.lines():
        click.echo(line)
    sys.exit(0 if report.ok else 1)
