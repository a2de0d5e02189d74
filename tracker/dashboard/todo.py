"""我的待办: what an officer has to do today, over the projects of his regions.

Five lists, each item one click from the form that clears it: projects being built with no
report this month (the report form), milestones due within 30 days and late milestones without a
stated reason (the milestones form, at the row), his uploads awaiting confirmation (their
preview), and the plans of his regions whose projects and indicators found in the text nobody has
yet accepted or rejected (their review page: nothing enters the portfolio until someone does).
The conditions are the list filter's (portfolio/filters.py), so "本月未报" here and on the
dashboard count the same projects.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from ..imports.models import PREVIEWED, ImportBatch
from ..plans.models import Plan, PlanCandidate
from ..extensions import db
from ..portfolio.filters import DUE_SOON_DAYS
from ..projects.terms import BUILDING_KINDS, REPORTING_STATUSES, owes_expression
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
    candidates: list[PlanReview]
    month: dt.date
    region_keys: tuple[str, ...]  # the officer's regions ("" for everyone's, an admin's)
    # Projects that report monthly (在建, 停缓建): none owing is "all filed" only when there are
    # some; with none it said 本月月报已全部填报 of a portfolio that had never reported.
    reporting: int = 0

    @property
    def is_empty(self) -> bool:
        return not (self.unreported.total or self.due_soon.total or self.unexplained.total
                    or self.imports or self.candidates)


@dataclass(frozen=True)
class PlanReview:
    """A plan with candidates awaiting a decision, and how many of each kind."""

    key: str
    title: str
    projects: int
    indicators: int


def _in_regions(user, region_id) -> list:
    """``region_id`` in ``user``'s regions or below them (nothing asked of an admin's)."""
    if user.role is Role.ADMIN:
        return []
    paths = [region.path for region in user.regions]
    if not paths:
        return [sa.false()]
    return [region_id.in_(sa.select(Region.id).where(sa.or_(*(Region.path.startswith(path, autoescape=True)
                                                               for path in paths))))]


def _own(user) -> list:
    """The projects ``user`` edits: an officer's regions with their counties; an admin's, all."""
    return [Project.kind.in_(BUILDING_KINDS), *_in_regions(user, Project.region_id)]


def _awaiting_review(user) -> list[PlanReview]:
    """The plans ``user`` may review (plans/views.can_manage) with undecided candidates."""

    def counted(kind: str) -> sa.ColumnElement[int]:
        return sa.func.sum(sa.case((PlanCandidate.kind == kind, 1), else_=0), type_=sa.Integer)

    rows = db.session.execute(
        sa.select(Plan.key, Plan.title, counted("project"), counted("indicator"))
        .join(PlanCandidate, PlanCandidate.plan_id == Plan.id)
        .where(PlanCandidate.decision.is_(None), *_in_regions(user, Plan.region_id))
        .group_by(Plan.id, Plan.key, Plan.title).order_by(Plan.key)).all()
    return [PlanReview(key, title, projects or 0, indicators or 0) for key, title, projects, indicators in rows]


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
    owed = owes_expression(Project.status, Milestone.stage)  # 取消, 投用, or a stage its status passed: none
    due_soon = _listing(
        sa.select(*milestone_columns)
        .join(Project, Milestone.project_id == Project.id).join(Region, Project.region_id == Region.id)
        .where(*own, Milestone.actual_date.is_(None), Milestone.planned_date >= today,
               Milestone.planned_date <= today + dt.timedelta(days=DUE_SOON_DAYS), owed)
        .order_by(Milestone.planned_date, Project.id, Milestone.position))
    unexplained = _listing(
        sa.select(*milestone_columns)
        .join(Project, Milestone.project_id == Project.id).join(Region, Project.region_id == Region.id)
        .where(*own, Milestone.actual_date.is_(None), Milestone.planned_date < today, owed,
               sa.or_(Milestone.delay_reason.is_(None), Milestone.delay_reason == ""))
        .order_by(Milestone.planned_date, Project.id, Milestone.position))
    imports = db.session.scalars(
        sa.select(ImportBatch).where(ImportBatch.user_id == user.id, ImportBatch.status == PREVIEWED)
        .order_by(ImportBatch.created_at.desc())).all()
    keys = tuple(region.key for region in user.regions) if user.role is not Role.ADMIN else ("",)
    reporting = db.session.scalar(sa.select(sa.func.count()).select_from(Project).where(
        *own, Project.status.in_(REPORTING_STATUSES))) or 0
    return ToDo(unreported, due_soon, unexplained, list(imports), _awaiting_review(user), month, keys, reporting)

