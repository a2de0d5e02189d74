"""``tracker export --format …`` (the formats beyond JSON) and ``tracker import FILE``."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from ..portfolio.filters import PortfolioFilter

FORMATS = ("json", "xlsx", "csv", "oc4ids", "pdf")
BINARY = ("xlsx", "pdf")


def run_export(fmt: str, portfolio_filter: PortfolioFilter, output: str | None) -> int:
    """Write the export to ``output`` (or standard output for the text formats); returns the count."""
    if fmt in BINARY and not output:
        raise click.UsageError(f"--format {fmt} writes a binary file: give --output FILE")
    if fmt == "json":
        from ..portfolio.exports import write_json
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                return write_json(handle, portfolio_filter)
        return write_json(sys.stdout, portfolio_filter)
    if fmt == "oc4ids":
        from ..portfolio import queries
        from .oc4ids import write_package
        if queries.totals(portfolio_filter).projects == 0:
            raise click.ClickException("no project matches: an OC4IDS package needs at least one")
        kwargs = {"prefix": current_app.config.get("OC4IDS_PREFIX", "oc4ids-tracker-"),
                  "publisher": current_app.config.get("OC4IDS_PUBLISHER")}
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                return write_package(handle, portfolio_filter, **kwargs)
        return write_package(sys.stdout, portfolio_filter, **kwargs)
    if fmt == "csv":
        from .csv_ import write_csv
        if output:
            with open(output, "wb") as handle:
                return write_csv(handle, portfolio_filter)
        return write_csv(sys.stdout.buffer, portfolio_filter)
    if fmt == "xlsx":
        from .xlsx import write_xlsx
        with open(output, "wb") as handle:
            return write_xlsx(handle, portfolio_filter)
    from .pdf import TooManyRows, write_pdf
    try:
        with open(output, "wb") as handle:
            return write_pdf(handle, portfolio_filter,
                             max_rows=current_app.config.get("EXPORT_PDF_MAX_ROWS", 2000))
    except TooManyRows as too_many:
        raise click.ClickException(str(too_many)) from None


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--user", "username", required=True,
              help="The account the changes are made as (its permissions apply; audited via import).")
@click.option("--kind", type=click.Choice(["auto", "projects", "monthly-reports"]), default="auto",
              show_default=True, help="What the sheet holds (auto: recognised from its header).")
@click.option("--dry-run", is_flag=True, help="Only report what would change; write nothing.")
@click.option("--reason", help="变更原因: needed when a row changes a project's status.")
@with_appcontext
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
    try:
        report = run_import(Actor(user, "import"), data, os.path.basename(file), kind=kind,
                            apply=not dry_run, reason=reason)
        if report.applied:
            db.session.commit()
        else:
            db.session.rollback()
    except Exception:
        db.session.rollback()
        raise
    for line in report.lines():
        click.echo(line)
    sys.exit(0 if report.ok else 1)
