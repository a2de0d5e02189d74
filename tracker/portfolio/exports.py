"""Exports of a filtered portfolio. The JSON shape is also what the API will return."""

from __future__ import annotations

import datetime as dt
import json
from typing import IO, Iterator

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..audit.services import json_value
from ..extensions import db
from ..projects.models import Project, SourceMention
from ..regions.models import Region
from .filters import SORTS, PortfolioFilter

BATCH = 1000


def project_to_dict(project: Project) -> dict:
    return {
        "id": project.id,
        "name": project.name,
        "aliases": [alias.name for alias in project.aliases],
        "project_code": project.project_code,
        "region_code": project.region.code,
        "region_key": project.region.key,
        "region_name": project.region.name,
        "plan_files": [plan.source_file for plan in project.plans if plan.source_file],
        "kind": json_value(project.kind),
        "category": json_value(project.category),
        "build_nature": json_value(project.build_nature),
        "build_nature_term": project.build_nature_term,
        "location": project.location,
        "owner_unit": project.owner_unit,
        "land_area_mu": json_value(project.land_area_mu),
        "land_area_approx": project.land_area_approx,
        "floor_area_m2": json_value(project.floor_area_m2),
        "floor_area_approx": project.floor_area_approx,
        "floor_area_term": project.floor_area_term,
        "beds": project.beds,
        "new_beds": project.new_beds,
        "total_investment_wan_yuan": json_value(project.total_investment),
        "total_investment_approx": project.total_investment_approx,
        "scope": project.scope,
        "status": json_value(project.status),
        "planned_start": json_value(project.planned_start),
        "planned_end": json_value(project.planned_end),
        "sources": [{"file": source.plan.source_file, "line": source.line, "quote": source.quote,
                     "fields": source.fields} for source in project.sources],
        "milestones": [{"stage": json_value(m.stage), "name": m.name,
                        "planned_date": json_value(m.planned_date),
                        "actual_date": json_value(m.actual_date)} for m in project.milestones],
    }


DEFAULT_OPTIONS = (
    selectinload(Project.aliases), selectinload(Project.plans), selectinload(Project.region),
    selectinload(Project.milestones), selectinload(Project.sources).selectinload(SourceMention.plan),
)


def iter_batches(portfolio_filter: PortfolioFilter, *, options=DEFAULT_OPTIONS, batch: int = BATCH,
                 today: dt.date | None = None) -> Iterator[list[Project]]:
    """The projects the filter selects, in its order, ``batch`` at a time.

    Keyset pagination on (sort value, id): each batch asks for the rows after the last one seen,
    so neither the ids nor the projects of the whole list are ever held at once, and memory stays
    flat however long the list. Loaded projects are not expunged: the session's identity map holds
    them weakly, and expunging would detach objects the caller may still hold.
    A caller should let go of (or ``clear()``) each batch before asking for the next, so that
    two batches never live at once.
    """
    today = today or dt.date.today()
    sort_column = SORTS.get(portfolio_filter.sort, SORTS["region"])
    descending = portfolio_filter.order == "desc"
    keys = (
        sa.select(Project.id, sort_column.label("sort_value"))
        .join(Region, Project.region_id == Region.id)
        .where(*portfolio_filter.conditions(today))
        .order_by(*portfolio_filter.order_by())
        .limit(batch)
    )
    after = None
    while True:
        statement = keys if after is None else keys.where(_after(sort_column, descending, *after))
        rows = db.session.execute(statement).all()
        if not rows:
            return
        ids = [row.id for row in rows]
        after = (rows[-1].sort_value, rows[-1].id)
        done = len(rows) < batch
        del rows
        by_id = {project.id: project
                 for project in db.session.scalars(sa.select(Project).where(Project.id.in_(ids))
                                                   .options(*options))}
        projects = [by_id.pop(project_id) for project_id in ids]
        del by_id
        yield projects
        # Hold nothing of this batch while the next one loads: two batches never live at once.
        del projects
        if done:
            return


def _after(sort_column, descending: bool, value, last_id: int):
    """The rows that come after (value, last_id) in ``PortfolioFilter.order_by``'s order:
    known values first (ascending or descending), unknown last, ties by id."""
    if value is None:
        return sa.and_(sort_column.is_(None), Project.id > last_id)
    beyond = sort_column < value if descending else sort_column > value
    return sa.or_(sort_column.is_(None), beyond, sa.and_(sort_column == value, Project.id > last_id))


def iter_projects(portfolio_filter: PortfolioFilter, **kwargs) -> Iterator[Project]:
    """Every project the filter selects, in its order, loaded a batch at a time."""
    for projects in iter_batches(portfolio_filter, **kwargs):
        projects.reverse()
        while projects:  # emptied as it goes, so the batch is gone before the next one loads
            yield projects.pop()


def json_chunks(portfolio_filter: PortfolioFilter, transform=None) -> Iterator[str]:
    """``{"projects": [...]}`` as text chunks, one project per line, for a streamed response."""
    yield '{"projects": [\n'
    first = True
    for project in iter_projects(portfolio_filter):
        record = project_to_dict(project)
        if transform is not None:
            record = transform(record)
        yield ("" if first else ",\n") + json.dumps(record, ensure_ascii=False)
        first = False
    yield "\n]}\n"


def write_json(out: IO[str], portfolio_filter: PortfolioFilter) -> int:
    """Write ``{"projects": [...]}``, one project per line, without holding the list in memory."""
    count = -2  # the opening and closing chunks are not projects
    for chunk in json_chunks(portfolio_filter):
        out.write(chunk)
        count += 1
    return count
