"""``tracker briefing``: the dashboard's one-page PDF, from the command line."""

from __future__ import annotations

import click
from flask.cli import with_appcontext



@click.command()
@click.option("--region", help="A region code: a city includes its counties.")
@click.option("--plan", help="A plan key, e.g. longnan-14th-regional-plan.")
@click.option("--category", help="A project category code, e.g. cdc.")
@click.option("--year", type=int, help="The year of the annual figures (default: this year).")
@click.option("--output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="The PDF file to write.")
@with_appcontext
def briefing(region: str | None, plan: str | None, category: str | None, year: int | None,
             output: str) -> None:
    """Write the one-page A4 briefing (the dashboard's figures) as a PDF."""
    from . import queries
    from ..core.fonts import cjk_font
    from .briefing import render
    from .scope import Scope

    args = {key: value for key, value in
            (("region", region), ("plan", plan), ("category", category),
             ("year", str(year) if year is not None else None)) if value}
    scope = Scope.from_args(args)
    problems = scope.problems()
    if problems:
        raise click.ClickException("; ".join(problems))
    font = cjk_font()
    pdf = render(queries.build(scope), show_money=True, font=font)
    with open(output, "wb") as handle:
        handle.write(pdf)
    where = font.path or f"{font.name} (built in, not embedded)"
    click.echo(f"{output}: {len(pdf):,} bytes, font {where}", err=True)
