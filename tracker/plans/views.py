from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, render_template

from ..accounts.services import MONEY_SOURCE_FIELDS
from ..accounts.visibility import show_money
from ..extensions import db
from ..portfolio import queries
from ..portfolio.filters import PortfolioFilter
from ..projects.models import SourceMention
from .models import Plan

bp = Blueprint("plans", __name__)


def get_plan(key: str) -> Plan:
    plan = db.session.scalar(sa.select(Plan).where(Plan.key == key))
    if plan is None:
        abort(404)
    return plan


@bp.get("/plans/<key>")
def plan_detail(key: str):
    plan = get_plan(key)
    portfolio_filter = PortfolioFilter(plan=plan.key, kind="all")
    return render_template("plans/detail.html", plan=plan,
                           totals=queries.totals(PortfolioFilter(plan=plan.key)),
                           all_totals=queries.totals(portfolio_filter))


@bp.get("/plans/<key>/text")
def plan_text(key: str):
    """The plan document itself, with line numbers, so every quote can be read in context."""
    plan = get_plan(key)
    lines = None
    if plan.source_file:
        path = current_app.config["SOURCES_DIR"] / plan.source_file
        if path.is_file():
            lines = path.read_text(encoding="utf-8").split("\n")
    return render_template("plans/text.html", plan=plan, lines=lines,
                           hidden_lines=set() if lines is None or show_money() else money_lines(plan))


def money_lines(plan: Plan) -> set[int]:
    """The lines of the plan cited for an amount (表6's 总投资 cells): hidden from a viewer when
    the admin hides money, as the project page hides their quotes."""
    return {line for line, fields in db.session.execute(
        sa.select(SourceMention.line, SourceMention.fields).where(SourceMention.plan_id == plan.id))
        if set(fields or ()) & MONEY_SOURCE_FIELDS}
