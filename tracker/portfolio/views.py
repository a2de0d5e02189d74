from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from ..core import clock
from ..accounts.services import money_hidden_from
from ..extensions import db
from ..plans.models import Plan
from ..projects.terms import building_portfolio_label, every_kind_label
from ..regions.services import region_options
from ..vocabulary import BuildNature, Category, FundingSource, Kind, Status
from . import queries
from .filters import PortfolioFilter

bp = Blueprint("portfolio", __name__)


@bp.get("/")
def index():
    return redirect(url_for("portfolio.project_list"))


@bp.get("/projects")
def project_list():
    portfolio_filter = PortfolioFilter.from_args(request.args)
    if money_hidden_from(current_user):
        portfolio_filter = portfolio_filter.without_money_sorts()
    problems = portfolio_filter.problems()
    page_number, seek = 1, None
    if not problems:
        try:
            page_number, seek = queries.page_request(request.args, portfolio_filter)
        except queries.BadPageRequest as bad:
            problems = [str(bad)]
    if problems:
        return render_template("portfolio/list.html", problems=problems, filter=portfolio_filter,
                               page=None, totals=None, region=None, **_choices(portfolio_filter)), 400
    per_page = current_app.config["PAGE_SIZE"]
    totals = queries.totals(portfolio_filter)
    page = queries.project_page(portfolio_filter, page_number, per_page, totals.projects, seek=seek)
    return render_template("portfolio/list.html", filter=portfolio_filter, page=page,
                           totals=totals, problems=[], region=portfolio_filter.region_row(),
                           today=clock.today(),
                           **_choices(portfolio_filter))


def _choices(portfolio_filter: PortfolioFilter) -> dict:
    return {
        "region_options": region_options(portfolio_filter.region),
        "plans": db.session.scalars(sa.select(Plan).order_by(Plan.key)).all(),
        "statuses": Status, "categories": Category, "build_natures": BuildNature, "kinds": Kind,
        "funding_sources": FundingSource,
        "kind_labels": {"building": building_portfolio_label(), "every": every_kind_label()},
    }
