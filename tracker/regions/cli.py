"""``tracker regions load``: every province, city and county of China, from the data package."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from ..audit.services import CLI
from ..unit_of_work import one_unit_of_work


@click.group("regions")
def regions() -> None:
    """The administrative divisions the tracker knows."""


@regions.command("load")
@with_appcontext
@one_unit_of_work
def load() -> None:
    """Load the national divisions with their GB/T 2260 codes (idempotent; deletes nothing)."""
    from .national import load_national

    started = time.perf_counter()
    report = load_national(CLI)
    for line in report.lines():
        click.echo(line)
    click.echo(f"done in {time.perf_counter() - started:.1f} s")


@regions.command("find")
@click.argument("text")
@with_appcontext
def find(text: str) -> None:
    """The regions TEXT names: a code, a name with or without 市/县/区, a former name."""
    from .lookup import find_regions

    found = find_regions(text)
    if not found:
        raise click.ClickException(f"no region is named {text!r}")
    for region in found:
        formers = "；".join(f"{former.name} {former.code or ''}".strip()
                           for former in region.former_names)
        click.echo(f"{region.key}\t{region.full_name}" + (f"\t(formerly {formers})" if formers else ""))
