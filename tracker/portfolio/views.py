from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from ..plans.models import Plan
from ..regions.services import region_choices
from ..vocabulary import BuildNature, Category, Kind, Status
from . import queries
from .filters import PortfolioFilter

bp = Blueprint("portfolio", __name__)


@bp.get("/")
def index():
    return redirect(url_for("portfolio.project_list"))


@bp.get("/projects")
def project_list():
    portfolio_filter = PortfolioFilter.from_args(request.args)
    problems = portfolio_filter.problems()
    if problems:
        return render_template("portfolio/list.html", problems=problems, filter=portfolio_filter,
                               page=None, totals=None, **_choices()), 400
    try:
        page_number = int(request.args.get("page", 1))
    except ValueError:
        abort(400)
    per_page = current_app.config["PAGE_SIZE"]
    totals = queries.totals(portfolio_filter)
    page = queries.project_page(portfolio_filter, page_number, per_page, totals.projects)
    return render_template("portfolio/list.html", filter=portfolio_filter, page=page,
                           totals=totals, problems=[], region=portfolio_filter.region_row(),
                           **_choices())


def _choices() -> dict:
    from ..extensions import db
    import sqlalchemy as sa
    return {
        "regions": region_choices(),
        "plans": db.session.scalars(sa.select(Plan).order_by(Plan.key)).all(),
        "statuses": Status, "categories": Category, "build_natures": BuildNature, "kinds": Kind,
    }
