"""The portfolio's figures, computed in the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..projects.models import Project
from ..regions.models import Region
from . import cache
from .filters import PortfolioFilter


@dataclass(frozen=True)
class Totals:
    """Sums with their coverage: a sum over 8 of 150 projects says so."""

    projects: int
    with_investment: int
    total_investment: Decimal | None
    with_invested: int
    invested_to_date: Decimal | None
    with_floor_area: int
    floor_area_m2: Decimal | None
    with_beds: int
    beds: int | None
    with_new_beds: int
    new_beds: int | None


def totals(portfolio_filter: PortfolioFilter, today: dt.date | None = None) -> Totals:
    """The filter's sums with their coverage; kept per process until the next write (cache.py):
    over a national portfolio they read every project, on every list page."""
    today = today or dt.date.today()
    key = ("totals", replace(portfolio_filter, sort="region", order="asc"), today)
    return cache.figures(key, lambda: _totals(portfolio_filter, today))


def _totals(portfolio_filter: PortfolioFilter, today: dt.date) -> Totals:
    row = db.session.execute(
        sa.select(
            sa.func.count(Project.id),
            sa.func.count(Project.total_investment), sa.func.sum(Project.total_investment),
            sa.func.count(Project.invested_to_date), sa.func.sum(Project.invested_to_date),
            sa.func.count(Project.floor_area_m2), sa.func.sum(Project.floor_area_m2),
            sa.func.count(Project.beds), sa.func.sum(Project.beds),
            sa.func.count(Project.new_beds), sa.func.sum(Project.new_beds),
        ).where(*portfolio_filter.conditions(today))
    ).one()
    return Totals(*row)


@dataclass(frozen=True)
class Page:
    items: list[Project]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def project_page(portfolio_filter: PortfolioFilter, page: int, per_page: int, total: int,
                 today: dt.date | None = None) -> Page:
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    # First the page's ids, then its rows: the database sorts and skips narrow (id, key) pairs
    # rather than whole project rows, which matters for deep pages and unindexed sorts.
    ids = list(db.session.scalars(
        sa.select(Project.id)
        .join(Region, Project.region_id == Region.id)
        .where(*portfolio_filter.conditions(today))
        .order_by(*portfolio_filter.order_by())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ))
    rows = db.session.scalars(
        sa.select(Project).where(Project.id.in_(ids))
        .options(selectinload(Project.plans), selectinload(Project.region))
    ).all() if ids else []
    by_id = {project.id: project for project in rows}
    return Page([by_id[project_id] for project_id in ids], page, per_page, total)
