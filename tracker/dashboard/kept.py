"""The dashboard read from the kept portfolio figures (portfolio/kept.py): a few hundred rows.

A scope of a region (or the whole portfolio) and a kind is answered from ``portfolio_figures``
and ``portfolio_year_figures``: the region's rows (the whole portfolio: the provinces' rows),
grouped by breakdown in one statement, its children's for the region breakdown, the year's in
another. What depends on today is read from the rows by key (滞后: the months before this one,
plus this month's days before today through the ``next_milestone_due`` index; 本月未报: the
months reported before this one; 开工率: the years of 计划开工 up to the scope's), the lists' first
rows through their indexes with LIMIT. Any other filter (a status, a plan, a search …) is
computed afresh (``queries.compute_fresh``); tests/test_kept_figures.py checks both give the
same ``Dashboard``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from ..plans.models import Plan
from ..portfolio import kept
from ..portfolio.filters import DUE_SOON_DAYS, UNKNOWN
from ..portfolio.models import (MONTHS, SUMS, portfolio_figures, portfolio_year_figures)
from ..portfolio.queries import Totals
from ..projects.models import Project
from ..regions.models import Region
from ..vocabulary import FundingSource
from . import queries
from .queries import VOCABULARIES, Dashboard, Group, Headline, ranked_regions
from .scope import Scope

DIMENSIONS = {"status": "status", "category": "category", "nature": "build_nature"}
# The breakdowns read whole; "soon" (one row per day) is read for the 30 days only.
READ = ("all", "status", "category", "nature", "plan", "funding", "due", "start", "report")


def answers(scope: Scope) -> bool:
    """Whether the kept rows answer this scope: a region (or none) and a kind, nothing else."""
    return kept.answers(scope.filter)


def _kinds(scope: Scope) -> list[sa.ColumnElement[bool]]:
    return kept.kinds(scope.filter)


MONEY = (("with_investment", "total_investment"), ("with_invested", "invested_to_date"))


def _known(figures: dict, count: str, total: str):
    """A sum where its coverage is none is unknown (None), as SQL's SUM over no values."""
    return figures[total] if figures[count] else None


def _money(figures: dict) -> tuple:
    return (figures["projects"], figures["with_investment"],
            _known(figures, "with_investment", "total_investment"),
            figures["with_invested"], _known(figures, "with_invested", "invested_to_date"))


def _group(key: str | None, args: dict | None, figures: dict, **named) -> Group:
    """A breakdown row of the kept figures: its money, and how many of its 总投资 are 约."""
    return Group(key, args, *_money(figures), approx_investment=figures["approx_investment"], **named)


def compute(scope: Scope) -> Dashboard | None:
    if not answers(scope):
        return None
    kept.settle(db.session())  # a transaction that wrote reads its own changes
    region = scope.filter.region_row()
    children = db.session.execute(
        sa.select(Region.id, Region.key, Region.name, Region.path)
        .where(Region.parent_id == region.id if region else Region.parent_id.is_(None))
        .order_by(Region.key)).all()
    nodes = [region.id] if region else [child.id for child in children]
    table = portfolio_figures
    by_key: dict[str, dict[str, dict]] = defaultdict(dict)
    rows: Sequence[tuple[Any, ...]] = db.session.execute(
            sa.select(table.c.dimension, table.c.key, *kept.summed(table, kept.FIGURE_NAMES, tuple(SUMS.items())))
            .where(table.c.region_id.in_(nodes), *_kinds(scope), table.c.dimension.in_(READ))
            .group_by(table.c.dimension, table.c.key)).all()
    for dimension, key, *values in rows:
        by_key[dimension][key] = kept.decoded(values, kept.FIGURE_NAMES, SUMS)
    empty = dict.fromkeys(kept.FIGURE_NAMES, 0)
    every = by_key["all"].get("", empty)
    headline = _headline(scope, every, by_key)
    money_names = kept.MONEY
    per_node = {node: kept.decoded(values, money_names, SUMS) for node, *values in db.session.execute(
        sa.select(table.c.region_id, *kept.summed(table, money_names, tuple(SUMS.items())))
        .where(table.c.region_id.in_([child.id for child in children] + nodes),
               table.c.dimension == "all", *_kinds(scope))
        .group_by(table.c.region_id))}
    month_start = scope.month_start.isoformat()
    owing = sum(figures["projects"] for key, figures in by_key["report"].items()
                if key == "" or key < month_start)
    never = by_key["report"].get("", empty)["projects"]
    first_months, listed = [], never
    for key in sorted(key for key in by_key["report"] if key and key < month_start):
        if listed >= queries.LIST_LIMIT:
            break
        if by_key["report"][key]["projects"]:
            first_months.append(dt.date.fromisoformat(key))
            listed += by_key["report"][key]["projects"]
    breakdowns = {name: _breakdown(scope, name, by_key[dimension])
                  for dimension, name in DIMENSIONS.items()}
    scope_projects = every["projects"]
    portfolio_projects = _portfolio_projects(scope) if region else scope_projects

    def walk(total: int) -> bool:
        return queries.walks_in_order(scope_projects, portfolio_projects,
                                      min(total, queries.LIST_LIMIT))

    due_soon = _due_soon(scope, nodes)
    return Dashboard(
        scope=scope, headline=headline, year=_year(scope, nodes),
        statuses=breakdowns["status"], regions=_regions(scope, region, children, per_node),
        plans=_plans(scope, by_key["plan"]), categories=breakdowns["category"],
        natures=breakdowns["build_nature"], funding=_funding(scope, by_key["funding"]),
        late=queries.late_projects(scope, total=headline.late, walk=walk(headline.late)),
        due_soon=queries.due_soon(scope, total=due_soon, walk=walk(due_soon)),
        unreported=queries.unreported(scope, total=owing, never=never, first_months=first_months,
                                      walk=walk(owing)),
        over_estimate=queries.over_estimate(scope, total=headline.over_estimate))


def _headline(scope: Scope, every: dict, by_key: dict) -> Headline:
    totals = Totals.of_kept(every)  # the 约 among its 总投资 and 建筑面积 kept too
    this_month = f"{scope.today.year:04d}-{scope.today.month:02d}"
    late = sum(figures["projects"] for key, figures in by_key["due"].items() if key < this_month)
    if scope.today.day > 1:  # this month's days before today: through the index, a month at most
        late += db.session.scalar(
            sa.select(sa.func.count()).select_from(Project)
            .where(*scope.conditions, Project.next_milestone_due >= scope.month_start,
                   Project.next_milestone_due < scope.today)) or 0
    year = f"{scope.year:04d}"
    planned = [figures for key, figures in by_key["start"].items() if key <= year]
    return Headline(totals, every["with_rate"], _known(every, "with_rate", "rate_investment"),
                    _known(every, "with_rate", "rate_invested"), every["over_estimate"], late,
                    sum(figures["projects"] for figures in planned),
                    sum(figures["started"] for figures in planned), every["funded"])


def _portfolio_projects(scope: Scope) -> int:
    """The whole portfolio's projects of the scope's kinds: the provinces' kept rows."""
    table = portfolio_figures
    return int(db.session.scalar(
        sa.select(sa.func.sum(table.c.projects))
        .where(table.c.region_id.in_(sa.select(Region.id).where(Region.parent_id.is_(None))),
               *_kinds(scope), table.c.dimension == "all", table.c.key == "")) or 0)


def _due_soon(scope: Scope, nodes: list[int]) -> int:
    """Milestones not done due from today to the 30th day after (queries.due_soon's window)."""
    table = portfolio_figures
    first = scope.today.isoformat()
    last = (scope.today + dt.timedelta(days=DUE_SOON_DAYS)).isoformat()
    return int(db.session.scalar(
        sa.select(sa.func.sum(table.c.projects))
        .where(table.c.region_id.in_(nodes), *_kinds(scope), table.c.dimension == "soon",
               table.c.key >= first, table.c.key <= last)) or 0)


def _breakdown(scope: Scope, name: str, rows: dict[str, dict]) -> list[Group]:
    vocabulary = VOCABULARIES[name]
    order: dict[str | None, int] = {member.value: index for index, member in enumerate(vocabulary)}
    groups = [_group(key or None, scope.filter.to_args(**{name: key or UNKNOWN}), figures, dimension=name)
              for key, figures in rows.items() if figures["projects"]]
    return sorted(groups, key=lambda group: order.get(group.key, len(order)))


def _regions(scope: Scope, region: Region | None, children, per_node: dict) -> list[Group]:
    groups = [_group(child.key, scope.filter.to_args(region=child.key), per_node[child.id],
                     dimension="region", name=child.name) if child.id in per_node
              else Group(child.key, scope.filter.to_args(region=child.key), 0, dimension="region", name=child.name)
              for child in children]
    if region is not None and region.id in per_node:
        own = dict(per_node[region.id])
        for child in children:
            for name, value in per_node.get(child.id, {}).items():
                own[name] -= value
        if own["projects"]:
            if children:  # the region's own projects (市本级): no list holds exactly these
                groups.append(_group(region.key, None, own, dimension="region", name=region.name, own=True))
            else:
                groups.append(_group(region.key, scope.filter.to_args(region=region.key), own,
                                     dimension="region", name=region.name))
    return ranked_regions(groups, show_money=True)


def _plans(scope: Scope, rows: dict[str, dict]) -> list[Group]:
    ids = [int(key) for key, figures in rows.items() if key and figures["projects"]]
    named = {plan.id: plan for plan in db.session.execute(
        sa.select(Plan.id, Plan.key, Plan.title).where(Plan.id.in_(ids)))} if ids else {}
    groups = []
    for key, figures in rows.items():
        if not figures["projects"]:
            continue
        plan = named[int(key)] if key else None
        groups.append(_group(plan.key if plan else None,
                             scope.filter.to_args(plan=plan.key if plan else UNKNOWN),
                             figures, dimension="plan", name=plan.title if plan else None))
    return sorted(groups, key=lambda group: (group.key is None, group.key or ""))


def _funding(scope: Scope, rows: dict[str, dict]) -> list[Group]:
    order = {member.value: index for index, member in enumerate(FundingSource)}
    groups = [Group(key, scope.filter.to_args(funding=key), figures["projects"],
                    figures["with_investment"], _known(figures, "with_investment", "total_investment"),
                    dimension="funding", lines=figures["lines"])
              for key, figures in rows.items() if figures["projects"]]
    return sorted(groups, key=lambda group: order[group.key or ""])


YEAR_NAMES = ("plans", "planned", "reporting",
              *(name for month in MONTHS for name in (f"m{month:02d}", f"n{month:02d}")))


def _year(scope: Scope, nodes: list[int]) -> queries.YearFigures:
    table = portfolio_year_figures
    rows = []
    for with_plan, *values in db.session.execute(
            sa.select(table.c.with_plan, *kept.summed(table, YEAR_NAMES, tuple(kept.YEAR_SCALES.items())))
            .where(table.c.region_id.in_(nodes), table.c.year == scope.year,
                   *kept.kinds(scope.filter, table))
            .group_by(table.c.with_plan)):
        figures = kept.decoded(values, YEAR_NAMES, kept.YEAR_SCALES)
        row: list[Any] = [bool(with_plan), figures["plans"], _known(figures, "plans", "planned"),
                          figures["reporting"]]
        for month in MONTHS:
            row += [_known(figures, f"n{month:02d}", f"m{month:02d}"), figures[f"n{month:02d}"]]
        rows.append(tuple(row))
    return queries.year_from_rows(scope, rows)
