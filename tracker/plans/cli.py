"""``tracker plans …``: plan documents from the shell.

``tracker plans extract KEY`` reads a plan already in the database (its ``source_file`` under
SOURCES_DIR); ``tracker plans extract --file PATH`` reads any document. Both only read: the
candidates go to standard output or ``--output`` as JSON, and nothing in the portfolio changes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from ..unit_of_work import one_unit_of_work
from .models import PlanCandidate
from .queries import known_projects, known_regions


@click.group("plans")
def plans() -> None:
    """Plan documents: read a plan's text and find its projects and indicators."""


@plans.command("extract")
@click.argument("key", required=False)
@click.option("--file", "file_path", type=click.Path(exists=True, dir_okay=False),
              help="Read this document (.txt, .md, .docx, .pdf) instead of a stored plan's.")
@click.option("--region", "region_code",
              help="With --file: the code of the plan's region (names such as 市人民医院 are its own).")
@click.option("--output", type=click.Path(dir_okay=False, writable=True),
              help="Write the JSON here instead of standard output.")
@with_appcontext
def extract_command(key: str | None, file_path: str | None, region_code: str | None,
                    output: str | None) -> None:
    """Find the project and indicator candidates of plan KEY (or of --file), without changing
    the portfolio: {"plan": KEY, "projects": [...], "indicators": [...]}."""
    from .documents import DocumentProblem, read_lines
    from .extraction import extract
    from .models import Plan

    if bool(key) == bool(file_path):
        raise click.UsageError("give a plan KEY or --file PATH (one of the two)")
    plan = None
    if key:
        plan = db.session.scalar(sa.select(Plan).where(Plan.key == key))
        if plan is None:
            raise click.ClickException(f"no plan with the key {key!r}")
        if not plan.source_file:
            raise click.ClickException(f"plan {key!r} has no document (source_file)")
        path = Path(current_app.config["SOURCES_DIR"]) / plan.source_file
        if not path.is_file():
            raise click.ClickException(f"the document of plan {key!r} is missing: {path}")
    else:
        path = Path(file_path or "")
    try:
        lines = read_lines(path)
    except DocumentProblem as problem:
        raise click.ClickException(str(problem)) from None
    plan_region = None
    if plan is not None:
        plan_region = plan.region.code or plan.region.key
    elif region_code:
        from ..regions.models import Region
        region = db.session.scalar(sa.select(Region).where(
            sa.or_(Region.code == region_code, Region.key == region_code)))
        if region is None:
            raise click.ClickException(f"no region with the code {region_code!r}")
        plan_region = region.code or region.key
    result = extract(lines, plan=key or path.stem, regions=known_regions(), existing=known_projects(),
                     plan_region=plan_region)
    text = json.dumps(result, ensure_ascii=False, indent=1)
    if output:
        Path(output).write_text(text + "\n", encoding="utf-8")
        click.echo(f"{len(result['projects'])} project candidates and {len(result['indicators'])} "
                   f"indicator candidates written to {output}", err=True)
    else:
        sys.stdout.write(text + "\n")


@plans.command("add")
@click.argument("file_path", metavar="FILE", type=click.Path(exists=True, dir_okay=False))
@click.option("--key", help="The plan's key, e.g. longnan-15th (lower case, digits, - and _); "
                             "by default made from the region's code and the period, e.g. 360783-2026-2030.")
@click.option("--title", required=True, help="The plan's title as printed.")
@click.option("--region", "region_code", required=True,
              help="The plan's region: its 行政区划代码 (e.g. 360783) or its name when only one region has it.")
@click.option("--period", required=True, help="2026-2030 (or 十五五).")
@click.option("--issuer", help="发文单位.")
@click.option("--doc-number", help="文号.")
@click.option("--date", "issued", help="印发日期, YYYY-MM-DD.")
@with_appcontext
@one_unit_of_work
def add_command(file_path: str, key: str | None, title: str, region_code: str, period: str,
                issuer: str | None, doc_number: str | None, issued: str | None) -> None:
    """Add a plan from its document (.txt, .md, .docx, .pdf): the text is stored with its line
    numbers and its candidates are kept for review at /plans/KEY/candidates; the portfolio is
    unchanged until a person accepts them."""
    from ..audit.services import CLI
    from ..core.values import ValueProblem, parse_date
    from ..errors import ValidationFailed
    from .documents import DocumentProblem, read_lines
    from .services import add_plan, check_plan

    try:
        issued_date = parse_date(issued) if issued else None
    except ValueProblem as problem:
        raise click.ClickException(f"--date: {problem}") from None
    try:
        lines = read_lines(Path(file_path))
    except DocumentProblem as problem:
        raise click.ClickException(str(problem)) from None
    try:
        facts = check_plan(key=key, title=title, region=region_code, period=period, issuer=issuer,
                           doc_number=doc_number, issued_date=issued_date)
        plan = add_plan(CLI, facts, lines=lines, filename=Path(file_path).name)
    except ValidationFailed as failure:
        raise click.ClickException("; ".join(" ".join(messages) for messages in failure.errors.values())) from None
    projects = db.session.scalar(sa.select(sa.func.count()).select_from(PlanCandidate)
                                 .where(PlanCandidate.plan_id == plan.id, PlanCandidate.kind == "project"))
    click.echo(f"plan {plan.key} added: {len(lines)} lines, {projects} project candidates; "
               f"review them at /plans/{plan.key}/candidates")
