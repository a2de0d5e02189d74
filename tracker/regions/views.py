from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, render_template
from sqlalchemy.orm import selectinload

from ..dashboard.queries import plan_targets
from ..extensions import db
from ..plans.models import Plan
from ..portfolio import queries
from ..portfolio.filters import PortfolioFilter
from .models import Region
from .services import get_region

bp = Blueprint("regions", __name__)


@bp.get("/regions/<key>")
def region_detail(key: str):
    region = get_region(key)
    if region is None:
        abort(404)
    plans = db.session.scalars(
        sa.select(Plan).join(Region).where(Region.path.startswith(region.path, autoescape=True))
        .options(selectinload(Plan.indicators), selectinload(Plan.region))
        .order_by(Plan.key)).all()
    portfolio_filter = PortfolioFilter(region=region.key)
    # templates/dashboard/_targets.html calls plan_targets(plans): the plans' 主要指标 with the
    # tracked projects' direct contribution (beds added by completed projects).
    return render_template("regions/detail.html", region=region, plans=plans,
                           plan_targets=plan_targets,
                           totals=queries.totals(portfolio_filter), filter=portfolio_filter)
