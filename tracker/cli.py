"""The ``tracker`` command: Flask's CLI group with the tracker's own commands added.

``tracker db upgrade`` comes from Flask-Migrate; ``tracker routes`` and ``tracker shell`` from Flask.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from .unit_of_work import one_unit_of_work


def register_commands(app: Flask) -> None:
    app.cli.add_command(serve)
    app.cli.add_command(seed)
    app.cli.add_command(export)
    from .imports.cli import import_command
    app.cli.add_command(import_command)
    from .accounts.cli import users
    app.cli.add_command(users)
    from .reminders.cli import reminders
    app.cli.add_command(reminders)
    from .ops.cli import backup, restore
    app.cli.add_command(backup)
    app.cli.add_command(restore)
    from .dashboard.cli import briefing
    app.cli.add_command(briefing)
    from .demo.cli import demo_data
    app.cli.add_command(demo_data)
    from .regions.cli import regions
    app.cli.add_command(regions)
    from .plans.cli import plans
    app.cli.add_command(plans)
    from .api.cli import tokens
    app.cli.add_command(tokens)


@click.command()
@click.option("--host", default="127.0.0.1", envvar="HOST", show_default=True)
@click.option("--port", default=5000, type=int, envvar="PORT", show_default=True)
@click.option("--threads", default=8, type=int, envvar="THREADS", show_default=True,
              help="Requests handled at once; idle and slow connections take none.")
@click.option("--workers", type=int, hidden=True,
              help="Ignored: waitress serves in one process (README: production).")
def serve(host: str, port: int, threads: int, workers: int | None) -> None:
    """Serve the tracker with waitress, a production WSGI server that buffers whole requests."""
    if threads < 1:
        raise click.BadParameter("at least 1", param_hint="--threads")
    if workers is not None:
        click.echo("--workers is ignored: tracker serve is one process of --threads threads "
                   "(README: production runs gunicorn workers behind nginx)", err=True)
    click.echo(f"Tracker at http://{host}:{port}/  (Ctrl+C stops it)")
    sys.stdout.flush()
    # The server runs in place of this process and builds the app itself. Serving the app object
    # of this command would run every request inside the app context the CLI pushed for the
    # command: `g`, and with it the user Flask-Login caches there, would pass between requests.
    os.execv(sys.executable, server_command(host, port, threads))


def server_command(host: str, port: int, threads: int) -> list[str]:
    return [sys.executable, "-m", "tracker.serving", "--host", host, "--port", str(port),
            "--threads", str(threads)]


@click.command()
@click.option("--check", is_flag=True, help="Only verify every quote and number against the plans.")
@with_appcontext
@one_unit_of_work
def seed(check: bool) -> None:
    """Load the five plans' projects, targets and regions from seed/ (idempotent)."""
    from .seeding.provenance import SeedChecker

    seed_dir = current_app.config["SEED_DIR"]
    sources_dir: Path = current_app.config["SOURCES_DIR"]
    if check:
        if not sources_dir.is_dir():
            raise click.ClickException(f"plan documents not found in {sources_dir}")
        problems = SeedChecker(sources_dir).check_all(seed_dir)
        for problem in problems:
            click.echo(str(problem))
        click.echo(f"{len(problems)} problem(s)")
        sys.exit(1 if problems else 0)

    from .seeding.loader import load
    report = load(seed_dir)
    for line in report.lines():
        click.echo(line)


@click.command()
@click.option("--format", "fmt", type=click.Choice(["json", "xlsx", "csv", "oc4ids", "pdf"]),
              default="json", show_default=True, help="xlsx and pdf need --output.")
@click.option("--region", help="A region code: the city includes its counties.")
@click.option("--output", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file instead of standard output.")
@with_appcontext
def export(fmt: str, region: str | None, output: str | None) -> None:
    """Export the portfolio (every kind of project): JSON, Excel, CSV, OC4IDS or a printable PDF."""
    from .exports.cli import run_export
    from .portfolio.filters import PortfolioFilter

    portfolio_filter = PortfolioFilter.from_args({"region": region, "kind": "all"})  # cleaned as a query
    errors = portfolio_filter.problems()
    if errors:
        raise click.ClickException("; ".join(errors))
    count = run_export(fmt, portfolio_filter, output)
    if output:
        click.echo(f"{count} projects written to {output}", err=True)


def _create_app(*_args, **_kwargs) -> Flask:
    from . import create_app
    return create_app()


class TrackerGroup(FlaskGroup):
    """Flask's command group, with a database that cannot be reached (stopped, not created, not
    migrated) said in a line instead of a 150-line traceback (which a cron job running
    ``reminders --send`` mailed to the admin)."""

    def invoke(self, ctx: click.Context):
        import sqlalchemy as sa

        try:
            return super().invoke(ctx)
        except (sa.exc.OperationalError, sa.exc.InterfaceError) as error:
            reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
            raise click.ClickException(
                f"the database cannot be used: {reason}. Is it running, does it exist, and is it "
                "migrated (tracker db upgrade)? TRACKER_DATABASE_URL names it.") from None


main = TrackerGroup(name="tracker", create_app=_create_app, add_version_option=False,
                    help="The health-construction portfolio tracker.")
