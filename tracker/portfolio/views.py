from __future__ import annotations

from dataclasses import replace

import sqlalchemy as sa
from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from ..core import clock
from ..accounts.permissions import READ, require
from ..accounts.services import money_hidden_from
from ..web.requests import safe_next, web_actor
from ..extensions import db
from ..home import services as home
from ..plans.models import Plan
from ..projects.terms import building_portfolio_label, every_kind_label
from ..regions.services import region_options
from ..vocabulary import BuildNature, Category, FundingSource, Kind, Status
from . import columns, queries
from .filters import PortfolioFilter

bp = Blueprint("portfolio", __name__)


@bp.get("/")
def index():
    return redirect(url_for("portfolio.project_list"))


@bp.get("/projects")
def project_list():
    # A bare /projects opens the reader's default scope (tracker/home/); any query is taken as is.
    if home.opens_home(request.args) and (scope := home.home_args(current_user)):
        return redirect(url_for("portfolio.project_list", **scope))
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
    shown = _shown_columns()
    percents = queries.latest_percents(page.items) if "progress" in shown else {}
    return render_template("portfolio/list.html", filter=portfolio_filter, page=page,
                           totals=totals, problems=[], region=portfolio_filter.region_row(),
                           today=clock.today(), percents=percents, other_kinds=_other_kinds(portfolio_filter, totals),
                           row_links=_row_links(portfolio_filter, page.items),
                           **_choices(portfolio_filter))


def _other_kinds(portfolio_filter: PortfolioFilter, totals: queries.Totals) -> int:
    """How many projects of the kinds the default list leaves out (信息化, 专项行动 …) the filter
    would select, when the list it shows is empty: a region with only those is in the region
    menu, and its list should say why it is empty and lead to them."""
    if totals.projects or portfolio_filter.kind is not None:
        return 0
    return queries.totals(replace(portfolio_filter, kind="all")).projects


def _row_links(portfolio_filter: PortfolioFilter, items) -> dict[str, dict[str, str]]:
    """The links the rows repeat, each built once a page: a region's (this list narrowed to it)
    and a plan's. Built row by row, a page of 50 made ~100 of them, most the same (a county's
    list: one region), and werkzeug's URL building was a tenth of the page's Python."""
    regions = {project.region.key for project in items}
    plans = {plan.key for project in items for plan in project.plans}
    return {"region": {key: url_for("portfolio.project_list", **portfolio_filter.to_args(region=key))
                       for key in regions},
            "plan": {key: url_for("plans.plan_detail", key=key) for key in plans}}


@bp.post("/projects/columns")
@require(READ)
def choose_columns():
    """Keep the reader's choice of the list's columns, and go back to the list he was reading."""
    keys = None if request.form.get("reset") else request.form.getlist("columns")
    try:
        columns.set_columns(web_actor(), current_user, keys)
    except columns.UnknownColumn as unknown:
        portfolio_filter = PortfolioFilter()
        return render_template("portfolio/list.html", problems=[str(unknown)],
                               filter=portfolio_filter, page=None, totals=None, region=None,
                               **_choices(portfolio_filter)), 400
    return redirect(safe_next(request.form.get("next") or url_for("portfolio.project_list")))


def _shown_columns() -> tuple[str, ...]:
    return columns.chosen(current_user)


def _choices(portfolio_filter: PortfolioFilter) -> dict:
    return {
        "region_options": region_options(portfolio_filter.region),
        # Key and title for the menu: not every plan's quoted sources (JSON) on every list page.
        "plans": db.session.execute(sa.select(Plan.key, Plan.title).order_by(Plan.key)).all(),
        "statuses": Status, "categories": Category, "build_natures": BuildNature, "kinds": Kind,
        "funding_sources": FundingSource,
        "kind_labels": {"building": building_portfolio_label(), "every": every_kind_label()},
        "columns": columns.COLUMNS, "column_by_key": columns.BY_KEY, "shown": _shown_columns(),
    }
