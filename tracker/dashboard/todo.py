"""我的待办: what an officer has to do today, over the projects of his regions.

Four lists, each item one click from the form that clears it: projects being built with no
report this month (the report form), milestones due within 30 days and late milestones without a
stated reason (the milestones form, at the row), and his uploads awaiting confirmation (their
preview). The conditions are the list filter's (portfolio/filters.py), so "本月未报" here and on
the dashboard count the same projects.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from ..imports.models import PREVIEWED, ImportBatch
from ..extensions import db
from ..portfolio.filters import DUE_SOON_DAYS
from ..projects.terms import BUILDING_KINDS
from ..progress.models import Milestone
from ..projects.models import Project
from ..regions.models import Region
from ..vocabulary import Role
from .queries import Listing

LIMIT = 50  # rows per list; beyond, the list says how many more and links to them


@dataclass(frozen=True)
class ToDo:
    unreported: Listing
    due_soon: Listing
    unexplained: Listing
    imports: list[ImportBatch]
    month: dt.date
    region_keys: tuple[str, ...]  # the officer's regions ("" for everyone's, an admin's)

    @property
    def is_empty(self) -> bool:
        return not (self.unreported.total or self.due_soon.total or self.unexplained.total
                    or self.imports)


def _own(user) -> list:
    """The projects ``user`` edits: an officer's regions with their counties; an admin's, all."""
    if user.role is Role.ADMIN:
        return [Project.kind.in_(BUILDING_KINDS)]
    paths = [region.path for region in user.regions]
    if not paths:
        return [sa.false()]
    return [Project.kind.in_(BUILDING_KINDS), Project.region_id.in_(
        sa.select(Region.id).where(sa.or_(*(Region.path.startswith(path, autoescape=True)
                                            for path in paths))))]


def _listing(statement) -> Listing:
    rows = db.session.execute(statement.add_columns(sa.func.count().over()).limit(LIMIT)).all()
    return Listing([row[:-1] for row in rows], rows[0][-1] if rows else 0)


def for_user(user, today: dt.date) -> ToDo:
    own = _own(user)
    month = today.replace(day=1)
    unreported = _listing(
        sa.select(Project.id, Project.name, Region.name, Project.last_report_month)
        .join(Region, Project.region_id == Region.id)
        .where(*own, Project.owes_report(month))
        .order_by(Project.last_report_month.is_(None).desc(), Project.last_report_month, Project.id))
    milestone_columns = (Milestone, Project.id, Project.name, Region.name)
    due_soon = _listing(
        sa.select(*milestone_columns)
        .join(Project, Milestone.project_id == Project.id).join(Region, Project.region_id == Region.id)
        .where(*own, Milestone.actual_date.is_(None), Milestone.planned_date >= today,
               Milestone.planned_date <= today + dt.timedelta(days=DUE_SOON_DAYS))
        .order_by(Milestone.planned_date, Project.id, Milestone.position))
    unexplained = _listing(
        sa.select(*milestone_columns)
        .join(Project, Milestone.project_id == Project.id).join(Region, Project.region_id == Region.id)
        .where(*own, Milestone.actual_date.is_(None), Milestone.planned_date < today,
               sa.or_(Milestone.delay_reason.is_(None), Milestone.delay_reason == ""))
        .order_by(Milestone.planned_date, Project.id, Milestone.position))
    imports = db.session.scalars(
        sa.select(ImportBatch).where(ImportBatch.user_id == user.id, ImportBatch.status == PREVIEWED)
        .order_by(ImportBatch.created_at.desc())).all()
    keys = tuple(region.key for region in user.regions) if user.role is not Role.ADMIN else ("",)
    return ToDo(unreported, due_soon, unexplained, list(imports), month, keys)

