"""The dashboard page and its printed briefing: the same scope, the same figures."""

from __future__ import annotations


import sqlalchemy as sa
from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core import clock
from ..accounts.permissions import EDIT_PROJECT, READ, require
from ..extensions import db
from ..home import services as home
from ..plans.models import Plan
from ..portfolio import cache
from ..regions.services import region_options
from ..vocabulary import Category
from . import briefing, charts, maps, queries, todo, trends
from .access import money_hidden_for
from .scope import Scope
from .summary import coverage, headline_items

bp = Blueprint("dashboard", __name__)


@bp.get("/todo")
@require(EDIT_PROJECT)
def my_todo():
    """我的待办: an officer's landing page."""
    today = clock.today()
    return render_template("dashboard/todo.html", todo=todo.for_user(current_user, today), today=today)


@bp.get("/dashboard")
@require(READ)
def index():
    # A bare /dashboard opens the reader's default scope (tracker/home/); any query is taken as is.
    if home.opens_home(request.args) and (default := home.home_args(current_user)):
        return redirect(url_for("dashboard.index", **default))
    scope = Scope.from_args(request.args)
    problems = scope.problems()
    if problems:
        return render_template("dashboard/index.html", problems=problems, scope=scope, board=None,
                               **_choices(scope)), 400
    board = queries.build(scope)
    show_money = not money_hidden_for(current_user)
    items = [item for item in headline_items(board) if show_money or not item.money]
    return render_template("dashboard/index.html", problems=[], scope=scope, board=board,
                           items=items, show_money=show_money, charts=_charts(board, show_money),
                           regions=board.regions_for(show_money),
                           region_map=_map(board, request.args.get("map"), show_money),
                           trend=_trend(scope, show_money),
                           **_choices(scope))


@bp.get("/dashboard/briefing.pdf")
@require(READ)
def briefing_pdf():
    scope = Scope.from_args(request.args)
    problems = scope.problems()
    if problems:
        return render_template("dashboard/index.html", problems=problems, scope=scope, board=None,
                               **_choices(scope)), 400
    board = queries.build(scope)
    pdf = briefing.render(board, show_money=not money_hidden_for(current_user))
    name = f"briefing-{scope.filter.region or 'all'}-{scope.year}.pdf"
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"',
                             "Cache-Control": "private, no-store"})


def _list_url(args: dict | None) -> str | None:
    return url_for("portfolio.project_list", **args) if args is not None else None


def _charts(board: queries.Dashboard, show_money: bool) -> dict:
    scope = board.scope
    with_projects = [group for group in board.regions_for(show_money) if group.projects]
    if show_money:
        bars = [charts.Bar(group.label, group.total_investment,
                           coverage(group.with_investment, group.projects,
                                    approx=group.approx_investment), _list_url(group.args))
                for group in with_projects]
        region_chart = charts.bar_chart(bars, _("各地区总投资"), _("万元"))
    else:
        bars = [charts.Bar(group.label, group.projects, "", _list_url(group.args))
                for group in with_projects]
        region_chart = charts.bar_chart(bars, _("各地区项目数"), _("个"))
    status_chart = charts.stacked_bar(
        [charts.Segment(group.key, group.label, group.projects, _list_url(group.args))
         for group in board.statuses], _("项目状态构成"))
    month_chart = None
    if show_money:
        year = board.year
        through = 12 if scope.year < scope.today.year else (
            0 if scope.year > scope.today.year else scope.today.month)
        # Like with like: the plan line against what the projects with a plan completed.
        by_month = {figure.month: figure.completed_of_planned for figure in year.months
                    if figure.completed_of_planned is not None}
        # The completed line stops at the last month anyone reported: no report yet is not zero.
        through = min(through, max(by_month, default=0))
        month_chart = charts.month_chart(
            year.cumulative_planned(), year.cumulative_completed(through, planned_only=True),
            [by_month.get(month) for month in range(1, 13)],
            _("%(year)s年计划与完成投资（按月累计）", year=scope.year), _("万元"))
    return {"regions": region_chart, "statuses": status_chart, "months": month_chart}


def _map(board: queries.Dashboard, raw_measure: str | None, show_money: bool) -> dict:
    """The choropleth of the regions in scope, and the links that switch its measure."""
    measure = maps.chosen_measure(raw_measure, show_money)
    labels = maps.measure_labels()
    title = _("%(scope)s各地区%(measure)s", scope=board.scope.describe()[0], measure=labels[measure])
    # Kept with the dashboard's figures (portfolio/cache.py): plain data, language-free.
    found = cache.figures(("map", board.scope.filter, board.scope.year, board.scope.today, measure),
                          lambda: tuple(maps.areas(board, measure, _list_url)))
    drawing = maps.choropleth(found, measure, title, board.scope.filter.region is None) if found else None
    switches = [(key, labels[key], url_for("dashboard.index", **board.scope.to_args(), map=key))
                for key in maps.MEASURES if show_money or key != "investment"]
    return {"svg": drawing, "legend": maps.legend(found, measure) if drawing else None,
            "measure": measure, "switches": switches, "areas": found,
            # Regions below the scope but none with an outline (a zone, a demo region): said so,
            # not "no subordinate regions" under a chart that lists them.
            "subregions": bool(board.regions)}


def _trend(scope: Scope, show_money: bool) -> dict:
    """The last 24 months: completed investment (where money is shown) and reports filed."""
    months = cache.figures(("trend", scope.filter, scope.today), lambda: tuple(trends.monthly_trend(scope)))
    invested = trends.month_bars([(m.month, m.completed) for m in months],
                                 _("近%(n)s个月每月完成投资", n=trends.MONTHS), _("万元")) if show_money else None
    filed = trends.month_bars([(m.month, m.reports) for m in months],
                              _("近%(n)s个月每月填报月报数", n=trends.MONTHS), _("份"), colour=charts.GOOD)
    return {"months": months, "invested": invested, "filed": filed,
            "reports": sum(m.reports for m in months)}


def _choices(scope: Scope) -> dict:
    first, last = db.session.execute(
        sa.select(sa.func.min(Plan.period_start), sa.func.max(Plan.period_end))).one()
    this_year = scope.today.year
    years = range(min(first or this_year, scope.year, this_year),
                  max(last or this_year, scope.year, this_year) + 1)
    return {"region_options": region_options(scope.filter.region),
            "plans": db.session.scalars(sa.select(Plan).order_by(Plan.key)).all(),
            "categories": Category, "years": list(reversed(years))}


@bp.app_template_global()
def milestone_timeline(project) -> str:
    """The project page's planned-vs-actual chart (templates/dashboard/_project_timeline.html)."""
    return charts.milestone_timeline(project.milestones, clock.today())


@bp.app_template_global()
def plan_targets(plans):
    """Each plan's indicators with the tracked projects' direct contribution (_targets.html)."""
    return queries.plan_targets(list(plans))
