"""``tracker demo-data``: a generated national-scale portfolio, for trying the tracker and benchmarking."""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import with_appcontext

from ..extensions import db


def _month(_ctx, _param, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise click.BadParameter("use YYYY-MM, e.g. 2026-10") from None


@click.command("demo-data")
@click.option("--projects", type=click.IntRange(1, 1_000_000), required=True,
              help="How many projects to generate.")
@click.option("--seed", type=int, default=1, show_default=True,
              help="The same seed (and report month) gives the same rows.")
@click.option("--report-month", callback=_month, metavar="YYYY-MM",
              help="The latest of the 36 monthly reports [default: last month].")
@click.option("--batch-size", type=click.IntRange(100, 100_000), default=5000, show_default=True)
@click.option("--beside-real-projects", is_flag=True,
              help="Write into a database that holds real projects too (their totals then count the demo's).")
@with_appcontext
def demo_data(projects: int, seed: int, report_month: dt.date | None, batch_size: int,
              beside_real_projects: bool) -> None:
    """Write a realistic demo portfolio into the configured database (a fresh one: a database
    with real projects is refused, since every total would count the demo's).

    Demo regions and plans are marked (keys start with demo-, names end in （演示）); the demo
    projects stand in those regions and plans.
    """
    import sqlalchemy as sa

    from ..projects.models import Project
    from ..regions.models import Region
    from .generator import analyze, generate

    with db.engine.connect() as connection:  # closed before the generator's own transaction
        real = connection.scalar(sa.select(sa.func.count()).select_from(Project).join(Region).where(
            sa.not_(Region.key.startswith("demo-"))))
    if real and not beside_real_projects:
        raise click.ClickException(
            f"this database holds {real:,} real projects ({db.engine.url.render_as_string(hide_password=True)}): "
            "demo projects would count in their regions' and the country's totals. Point TRACKER_DATABASE_URL "
            "at a new database, or add --beside-real-projects.")
    engine = db.engine
    try:
        with engine.begin() as connection:
            summary = generate(connection, projects=projects, seed=seed, report_month=report_month,
                               batch_size=batch_size, progress=lambda line: click.echo(line, err=True))
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    analyze(engine)
    click.echo(f"{summary.projects:,} demo projects (seed {summary.seed}, reports up to "
               f"{summary.report_month:%Y-%m}) in {summary.seconds:.0f} s:")
    for table, count in sorted(summary.rows.items()):
        click.echo(f"  {table:<18} {count:>12,}")
