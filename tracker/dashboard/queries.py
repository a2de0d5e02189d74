"""The dashboard's figures, every one an aggregate computed in the database.

The number of queries is fixed: it grows with the number of child regions, plans and vocabulary
codes shown (one row each), never with the number of projects, milestones or reports. Every
selection goes through ``PortfolioFilter.conditions``; the headline totals are
``portfolio.queries.totals`` itself, so the dashboard and the list's totals row cannot disagree.

At national scale (100,000 projects, a million milestones, 1.2 million reports a year) no figure
reads milestones or reports wholesale: 滞后, 已开工 and 有资金来源 come from the project's columns
kept from its milestones and funding lines, the year's figures from ``year_investments`` (all kept
at every flush, progress/upkeep.py), and the status, category and 建设性质 breakdowns and the
headline counts from one pass over the projects. ``build`` keeps the result per process until the next write
(portfolio/cache.py), so every value in a ``Dashboard`` is plain (no ORM object, no translated
text: labels are looked up in the reader's language when shown).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import KW_ONLY, dataclass, field, replace
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy.orm import aliased

from ..database import exact_sum
from ..extensions import db
from ..plans.models import Plan
from ..portfolio import cache
from ..portfolio import queries as portfolio_queries
from ..portfolio.filters import DUE_SOON_DAYS, UNKNOWN, PortfolioFilter
from ..progress.models import AnnualPlan, FundingLine, Milestone, YearInvestment, first_commitment
from ..projects.models import OVERRUN, Project, project_plans
from ..projects.terms import owes_expression
from ..regions.models import Region
from ..vocabulary import BuildNature, Category, FundingSource, Stage, Status
from .scope import Scope

# 已开工, 本月未报, 滞后, 超概算 and 已竣工 are the project's terms (projects/terms.py): not copied here.
LIST_LIMIT = 50
HUNDRED = Decimal(100)
# The breakdowns over a vocabulary column: the filter that lists a row's projects, its labels.
VOCABULARIES = {"status": Status, "category": Category, "build_nature": BuildNature,
                "funding": FundingSource}


def _money_columns(count_label: str = "projects") -> tuple[sa.ColumnElement[Any], ...]:
    """``COUNT(*)`` with the (COUNT, SUM) pairs of 总投资 and 累计完成投资."""
    return (sa.func.count(Project.id).label(count_label),
            sa.func.count(Project.total_investment), exact_sum(Project.total_investment),
            sa.func.count(Project.invested_to_date), exact_sum(Project.invested_to_date))


def ratio(numerator: Decimal | None, denominator: Decimal | int | None) -> Decimal | None:
    if numerator is None or not denominator:
        return None
    return Decimal(numerator) / Decimal(denominator)


@dataclass(frozen=True)
class Group:
    """One breakdown row: a region, plan, category … with its counts and sums and the list link.

    A vocabulary row keeps its code (``key``) and is labelled when shown, in the reader's language.
    """

    key: str | None
    args: dict | None  # the /projects query string for exactly these projects; None: no such list
    projects: int
    with_investment: int = 0
    total_investment: Decimal | None = None
    with_invested: int = 0
    invested_to_date: Decimal | None = None
    _: KW_ONLY  # the figures above come positionally from a row; what follows, by name
    dimension: str = ""  # "status", "category", "build_nature", "funding", "region" or "plan"
    name: str | None = None  # a region's name or a plan's title, as stored
    own: bool = False  # a region's own projects (市本级), under none of its children
    lines: int = 0  # funding: how many funding lines (of which ``with_investment`` state an amount)
    approx_investment: int = 0  # of the stated 总投资, those that are 约 (``approximations``)

    @property
    def label(self) -> str:
        vocabulary = VOCABULARIES.get(self.dimension)
        if vocabulary is not None:
            return vocabulary(self.key).label if self.key is not None else pgettext("分组名", "未填报")
        if self.own:
            return _("%(name)s本级", name=self.name)
        if self.dimension == "plan" and self.key is None:
            return _("未关联规划")
        return self.name or ""

    @property
    def note(self) -> str | None:
        if self.own:
            return _("直属本级、不属于下辖地区的项目")
        if self.dimension == "funding":
            return _("（%(lines)s 条中 %(count)s 条填报金额）", lines=self.lines,
                     count=self.with_investment)
        return None


@dataclass(frozen=True)
class Headline:
    totals: portfolio_queries.Totals
    rate_projects: int  # projects whose rate can be taken (Project.has_investment_rate)
    rate_total: Decimal | None
    rate_invested: Decimal | None
    over_estimate: int
    late: int
    planned_to_start: int
    started: int
    with_funding: int

    @property
    def investment_rate(self) -> Decimal | None:
        return ratio(self.rate_invested, self.rate_total)

    @property
    def start_rate(self) -> Decimal | None:
        return ratio(Decimal(self.started), self.planned_to_start)


@dataclass(frozen=True)
class MonthFigure:
    month: int
    completed: Decimal | None  # Σ 本月完成投资 of every report that month
    reports: int
    completed_of_planned: Decimal | None = None  # the same, by projects with an annual plan


@dataclass(frozen=True)
class YearFigures:
    year: int
    time_progress: Decimal  # share of the year elapsed, 0 … 1
    planned_projects: int
    planned: Decimal | None  # Σ annual_plans.planned_investment
    reporting_projects: int  # projects with a 本月完成投资 in the year
    completed: Decimal | None  # Σ monthly_reports.invested_month in the year
    completed_of_planned: Decimal | None  # the same Σ, over projects that have an annual plan
    months: list[MonthFigure] = field(default_factory=list)  # the months with a stated amount

    @property
    def plan_rate(self) -> Decimal | None:
        """年度计划完成率: completed by the projects with a plan / their plan."""
        if not self.planned:
            return None
        return ratio(self.completed_of_planned or Decimal(0), self.planned)

    @property
    def gap_points(self) -> Decimal | None:
        """Percentage points ahead (+) or behind (−) 时间进度."""
        if self.plan_rate is None:
            return None
        return ((self.plan_rate - self.time_progress) * HUNDRED).quantize(Decimal("0.1"))

    def cumulative_planned(self) -> list[Decimal | None]:
        """The annual plan spread evenly over the months, cumulated: where the money should be."""
        if self.planned is None:
            return [None] * 12
        # To the fen, as every amount is shown (a tooltip read 31,824,448.16833333333333333333).
        return [(self.planned * month / 12).quantize(Decimal("0.01")) for month in range(1, 13)]

    def cumulative_completed(self, through_month: int,
                             planned_only: bool = False) -> list[Decimal | None]:
        """Completed investment cumulated by month; ``planned_only``: by the projects with an
        annual plan, the base the plan line and 年度计划完成率 use. A month with no reported
        amount is None, not the sum so far: drawn as 0 (or as a flat step), the months before
        anyone reported read as reported nothing, as the 24-month trend never does."""
        running, values = Decimal(0), list[Decimal | None]()
        by_month = {figure.month: figure.completed_of_planned if planned_only else figure.completed
                    for figure in self.months}
        for month in range(1, 13):
            amount = by_month.get(month)
            if month > through_month or amount is None:
                values.append(None)
                continue
            running += amount
            values.append(running)
        return values


@dataclass(frozen=True)
class MilestoneRow:
    """A milestone as the dashboard lists it (a copy: the ORM object stays in its session)."""

    stage: Stage | None
    custom_name: str | None
    planned_date: dt.date | None
    delay_reason: str | None = None
    baseline_date: dt.date | None = None
    replan_count: int = 0

    @property
    def name(self) -> str:
        return self.stage.label if self.stage else (self.custom_name or "")

    @property
    def is_replanned(self) -> bool:
        return bool(self.replan_count) and self.baseline_date is not None

    def days_late(self, today: dt.date) -> int:
        """Days past the first planned date (the baseline): a re-plan does not shorten them."""
        committed = first_commitment(self.planned_date, self.baseline_date)
        return (today - committed).days if committed is not None else 0


@dataclass(frozen=True)
class LateProject:
    id: int
    name: str
    region: str
    status: Status | None
    milestones: list[MilestoneRow]

    def days_late(self, milestone: MilestoneRow, today: dt.date) -> int:
        return milestone.days_late(today)


@dataclass(frozen=True)
class Listing:
    """The first rows of a list and how many there are in all ("另有 N 项")."""

    rows: list
    total: int

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.rows))


@dataclass(frozen=True)
class Dashboard:
    scope: Scope
    headline: Headline
    year: YearFigures
    statuses: list[Group]
    regions: list[Group]
    plans: list[Group]
    categories: list[Group]
    natures: list[Group]
    funding: list[Group]
    late: Listing
    due_soon: Listing
    unreported: Listing
    over_estimate: Listing

    @property
    def is_empty(self) -> bool:
        return self.headline.totals.projects == 0

    def regions_for(self, show_money: bool) -> list[Group]:
        """``regions`` ranked by what the reader may see (``ranked_regions``)."""
        return self.regions if show_money else ranked_regions(self.regions, show_money=False)


def _add(total: Decimal | None, value: Decimal | None) -> Decimal | None:
    """A sum where unknown stays unknown: None + None is None, None + x is x."""
    if value is None:
        return total
    return value if total is None else total + value


def _add_figures(total: list | None, values) -> list:
    """Add a row of (COUNT, SUM, …) figures to another, element by element: counts are ints,
    sums are Decimal or None (unknown)."""
    if total is None:
        return list(values)
    return [(a or 0) + (b or 0) if isinstance(a, int) and isinstance(b, int) else _add(a, b)
            for a, b in zip(total, values)]


def time_progress(year: int, today: dt.date) -> Decimal:
    if year < today.year:
        return Decimal(1)
    if year > today.year:
        return Decimal(0)
    days = (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days
    return Decimal(today.timetuple().tm_yday) / Decimal(days)


# ---- one pass over the projects: the headline counts and three breakdowns ------------------------

@dataclass(frozen=True)
class _ProjectFigures:
    headline: Headline
    statuses: list[Group]
    categories: list[Group]
    natures: list[Group]


def _project_figures(scope: Scope) -> _ProjectFigures:
    """One GROUP BY (status, category, 建设性质) over the scope's projects: at most a few hundred
    rows, added up here into the headline counts and the three breakdowns (exact: counts and
    Decimal sums)."""
    rate = Project.has_investment_rate  # the list's totals take their rate over the same projects
    start_planned = Project.planned_to_start_by(scope.year_end)
    started = sa.and_(start_planned, Project.has_started)
    funded = Project.funding_line_count > 0
    dimensions = (("status", Project.status), ("category", Project.category),
                  ("build_nature", Project.build_nature))
    rows = db.session.execute(
        sa.select(*(column for _name, column in dimensions), *_money_columns(),
                  sa.func.count(sa.case((rate, 1))),
                  exact_sum(sa.case((rate, Project.total_investment))),
                  exact_sum(sa.case((rate, Project.invested_to_date))),
                  sa.func.count(sa.case((Project.is_over_estimate, 1))),
                  sa.func.count(sa.case((Project.is_late(scope.today), 1))),
                  sa.func.count(sa.case((start_planned, 1))),
                  sa.func.count(sa.case((started, 1))),
                  sa.func.count(sa.case((funded, 1))))
        .where(*scope.conditions).group_by(*(column for _name, column in dimensions))).all()
    width = len(dimensions)
    head: list | None = None
    by_dimension: list[dict] = [{} for _dimension in dimensions]
    for row in rows:
        money, counts = row[width:width + 5], row[width + 5:]
        head = _add_figures(head, counts)
        for index, value in enumerate(row[:width]):
            code = value.value if value is not None else None
            by_dimension[index][code] = _add_figures(by_dimension[index].get(code), money)
    headline = Headline(portfolio_queries.totals(scope.filter, scope.today),
                        *(head or (0, None, None, 0, 0, 0, 0, 0)))
    groups = []
    for (name, _column), figures in zip(dimensions, by_dimension):
        vocabulary = VOCABULARIES[name]
        order: dict[str | None, int] = {member.value: index for index, member in enumerate(vocabulary)}
        groups.append(sorted(
            (Group(code, scope.filter.to_args(**{name: code if code is not None else UNKNOWN}),
                   *values, dimension=name) for code, values in figures.items()),
            key=lambda group: order.get(group.key, len(order))))
    return _ProjectFigures(headline, *groups)


# ---- the year ---------------------------------------------------------------------------------------

def year_figures(scope: Scope) -> YearFigures:
    """The year's plan and completed investment, month by month: one pass over the scope's
    projects joined to their annual plan and their ``year_investments`` row (each at most one per
    project and year), in two groups: the projects with an annual plan and the others."""
    # A boolean: PostgreSQL expects two groups (and hashes them) where a CASE would make it
    # expect thousands and sort.
    with_plan = AnnualPlan.id.is_not(None)
    by_month: list[sa.ColumnElement[Any]] = []
    for month in range(1, 13):
        column = getattr(YearInvestment, YearInvestment.month_column(month))
        by_month += [exact_sum(column), sa.func.count(column)]
    # Rows of a select with spliced columns are of unknown length: mypy unpacks them only as tuples.
    rows: Sequence[tuple[Any, ...]] = db.session.execute(
        sa.select(with_plan, sa.func.count(AnnualPlan.id), exact_sum(AnnualPlan.planned_investment),
                  sa.func.count(sa.case((YearInvestment.stated_months > 0, 1))), *by_month)
        .select_from(Project)
        .outerjoin(AnnualPlan, sa.and_(AnnualPlan.project_id == Project.id,
                                       AnnualPlan.year == scope.year))
        .outerjoin(YearInvestment, sa.and_(YearInvestment.project_id == Project.id,
                                           YearInvestment.year == scope.year))
        .where(*scope.conditions).group_by(with_plan)).all()
    return year_from_rows(scope, rows)


def year_from_rows(scope: Scope, rows: Sequence[tuple[Any, ...]]) -> YearFigures:
    """The year's figures from rows of (has an annual plan, plans, Σ plan, projects reporting,
    then Σ and count of each month's amounts), one row per group."""
    planned_projects, planned, reporting = 0, None, 0
    completed: list = [None] * 12
    reports = [0] * 12
    of_planned: list = [None] * 12
    for planned_group, plans_counted, plan_sum, reporting_projects, *figures in rows:
        planned_projects += plans_counted
        planned = _add(planned, plan_sum)
        reporting += reporting_projects
        for index in range(12):
            total, count = figures[2 * index:2 * index + 2]
            completed[index] = _add(completed[index], total)
            reports[index] += count
            if planned_group:
                of_planned[index] = _add(of_planned[index], total)
    # The months with a stated amount (a month whose reports state none adds nothing).
    months = [MonthFigure(index + 1, completed[index], reports[index], of_planned[index])
              for index in range(12) if reports[index]]
    total_completed = total_of_planned = None
    for figure in months:
        total_completed = _add(total_completed, figure.completed)
        total_of_planned = _add(total_of_planned, figure.completed_of_planned)
    return YearFigures(scope.year, time_progress(scope.year, scope.today), planned_projects,
                       planned, reporting, total_completed, total_of_planned, months)


# ---- regions, plans, funding ----------------------------------------------------------------------

def _child_key(path: str, children: dict[str, str]) -> str | None:
    """The key of the child region whose path begins ``path`` (None: under none of them)."""
    end = path.find("/", 1)
    while end != -1:
        key = children.get(path[:end + 1])
        if key is not None:
            return key
        end = path.find("/", end + 1)
    return None


def child_regions(scope: Scope) -> Sequence[Any]:
    """The scope region's children (without a region, the top-level ones): key, name, path."""
    region = scope.filter.region_row()
    return db.session.execute(
        sa.select(Region.key, Region.name, Region.path)
        .where(Region.parent_id == region.id if region else Region.parent_id.is_(None))
        .order_by(Region.key)).all()


def regions(scope: Scope, children: Sequence[Any]) -> list[Group]:
    """The scope region's children (``child_regions``), each with its descendants, and the
    region's own projects.

    Without a region the rows are the top-level regions (provinces). The rows add up to the
    headline totals: every project lies under exactly one child, or in the region itself. The
    database sums by the projects' own region (a few thousand rows at most); each is added here to
    the child its path lies under.
    """
    region = scope.filter.region_row()
    child_keys = {child.path: child.key for child in children}
    rows: Sequence[tuple[Any, ...]] = db.session.execute(
        sa.select(Project.region_id, *_money_columns())
        .where(*scope.conditions).group_by(Project.region_id)).all()
    paths = dict(db.session.execute(
        sa.select(Region.id, Region.path).where(Region.id.in_([row[0] for row in rows]))).all()
        if rows else [])
    figures: dict[str | None, list] = {}
    for region_id, *values in rows:
        key = _child_key(paths[region_id], child_keys)
        figures[key] = _add_figures(figures.get(key), values)
    groups = [Group(c.key, scope.filter.to_args(region=c.key), *figures.get(c.key, (0,)),
                    dimension="region", name=c.name) for c in children]
    if None in figures and region is not None:
        if children:
            # The region's own projects (市本级): no list holds exactly these, so no link.
            groups.append(Group(region.key, None, *figures[None], dimension="region",
                                name=region.name, own=True))
        else:  # a county: its own projects are the whole scope
            groups.append(Group(region.key, scope.filter.to_args(region=region.key),
                                *figures[None], dimension="region", name=region.name))
    return ranked_regions(groups, show_money=True)


def ranked_regions(groups: list[Group], *, show_money: bool) -> list[Group]:
    """The region rows in the order their reader may see: by 总投资 (then projects) where money
    is shown; by number of projects where it is hidden, since an order by amount gives the
    amounts away (which region's projects cost most)."""
    if show_money:
        return sorted(groups, key=lambda g: (-(g.total_investment or 0), -g.projects, g.key or ""))
    return sorted(groups, key=lambda g: (-g.projects, g.key or ""))


def plans(scope: Scope) -> list[Group]:
    """By plan. A project named in two plans counts in both, so these rows may add up to more."""
    plan_id = project_plans.c.plan_id
    rows: Sequence[tuple[Any, ...]] = db.session.execute(
        sa.select(plan_id, *_money_columns())
        .select_from(Project).outerjoin(project_plans, project_plans.c.project_id == Project.id)
        .where(*scope.conditions).group_by(plan_id)).all()
    named = {plan.id: plan for plan in db.session.execute(
        sa.select(Plan.id, Plan.key, Plan.title)
        .where(Plan.id.in_([row[0] for row in rows if row[0] is not None])))}
    groups = [Group(named[pid].key if pid is not None else None,
                    scope.filter.to_args(plan=named[pid].key if pid is not None else UNKNOWN),
                    *figures, dimension="plan", name=named[pid].title if pid is not None else None)
              for pid, *figures in rows]
    # By key; the projects named in no plan last, on both databases.
    return sorted(groups, key=lambda group: (group.key is None, group.key or ""))


def funding(scope: Scope) -> list[Group]:
    """By 资金来源: projects with a line of that source, and the amounts of those lines."""
    rows = db.session.execute(
        sa.select(FundingLine.source, sa.func.count(sa.distinct(FundingLine.project_id)),
                  sa.func.count(FundingLine.amount), exact_sum(FundingLine.amount),
                  sa.func.count(FundingLine.id))
        .join(Project, FundingLine.project_id == Project.id)
        .where(*scope.conditions)
        .group_by(FundingLine.source)).all()
    order: dict[str | None, int] = {member.value: index for index, member in enumerate(FundingSource)}
    groups = [Group(source.value, scope.filter.to_args(funding=source.value), projects,
                    with_amount, amount, dimension="funding", lines=lines)
              for source, projects, with_amount, amount, lines in rows]
    return sorted(groups, key=lambda group: order[group.key])


# ---- which rows sum an approximate 总投资 -------------------------------------------------------------

def approximations(scope: Scope, children: dict[str, str]) -> dict[tuple[str, str | None], int]:
    """How many of each breakdown row's stated 总投资 are 约, keyed (dimension, the row's key): a
    row summing 约30,000 says so, as the headline and the list's totals do.

    One statement for every breakdown, over the partial index of the few projects with an
    approximate figure (``ix_projects_approximate``, as ``portfolio.queries.approximate``), so the
    kept figures need no column of their own for it. A project named in two plans is a row per
    plan: counted in each plan's row, and once (its first row) in the others. ``children``:
    the scope's child regions' paths and keys; a project under none of them counts in the
    scope region's own row."""
    region = scope.filter.region_row()
    found: dict[tuple[str, str | None], int] = {}

    def add(key: tuple[str, str | None], count: int) -> None:
        found[key] = found.get(key, 0) + count
    counted: Sequence[tuple[Any, ...]] = db.session.execute(approximations_statement(scope)).all()
    for status, category, nature, path, plan, rows, firsts in counted:
        add(("plan", plan), rows)
        if not firsts:
            continue
        for name, code in (("status", status), ("category", category), ("build_nature", nature)):
            add((name, code.value if code is not None else None), firsts)
        add(("region", _child_key(path, children) or (region.key if region is not None else None)), firsts)
    return found


def approximations_statement(scope: Scope) -> sa.Select:
    """(status, category, 建设性质, region path, plan key, rows, first rows) of the scope's
    projects whose stated 总投资 is 约, a row per plan they are named in."""
    stated = sa.and_(Project.total_investment_approx.is_(True), Project.total_investment.is_not(None))
    linked = (
        sa.select(Project.status, Project.category, Project.build_nature, Project.region_id,
                  Plan.key.label("plan"),
                  sa.func.row_number().over(partition_by=Project.id).label("position"))
        .outerjoin(project_plans, project_plans.c.project_id == Project.id)
        .outerjoin(Plan, Plan.id == project_plans.c.plan_id)
        .where(Project.has_approximate_figure, stated, *scope.conditions)
        # As portfolio.queries.approximate: SQLite's planner would read the kind's projects.
        .with_hint(Project, "INDEXED BY ix_projects_approximate", "sqlite")).subquery()
    dimensions = (linked.c.status, linked.c.category, linked.c.build_nature, Region.path, linked.c.plan)
    return (sa.select(*dimensions, sa.func.count(), sa.func.count(sa.case((linked.c.position == 1, 1))))
            .join(Region, Region.id == linked.c.region_id).group_by(*dimensions))


def with_approximations(groups: list[Group], found: dict[tuple[str, str | None], int]) -> list[Group]:
    """``groups`` each saying how many of its stated 总投资 are 约 (``approximations``)."""
    return [replace(group, approx_investment=found.get((group.dimension, group.key), 0))
            for group in groups]


# ---- lists ----------------------------------------------------------------------------------------

def walks_in_order(scope_projects: int, portfolio_projects: int, wanted: int) -> bool:
    """Whether a list's first ``wanted`` rows (of a region's projects, ``wanted`` of them known
    to match) are found sooner by walking the whole portfolio's index in the list's order than by
    reading the region's projects and sorting them. The walk stops at the ``wanted``-th match,
    after about ``wanted × portfolio / scope`` entries; the region's read costs its projects. A
    country's or a province's list walks; a city's or a county's reads its own: at 100,000
    projects a county's 滞后 list took 49 ms walking the country's index, 0.6 ms reading its 150
    projects (SQLite; PostgreSQL's planner weighs this itself, from its statistics)."""
    return portfolio_projects * wanted < scope_projects * scope_projects


def _count_column(total: int | None) -> sa.ColumnElement[Any]:
    """How many rows the list has in all: counted with the first rows (a window over every
    match), or, where the kept figures know it (``total``), not counted at all."""
    return sa.func.count().over() if total is None else sa.literal(total)


def late_projects(scope: Scope, limit: int = LIST_LIMIT, total: int | None = None,
                  walk: bool = False) -> Listing:
    """Late projects, the longest overdue first, with their overdue milestones and stated reasons.

    ``total``: how many there are, when the kept figures know it; ``walk``: read them from the
    index in their order (``walks_in_order``)."""
    today = scope.today
    if total == 0:
        return Listing([], 0)
    query = sa.select(Project.id, Project.name, Region.name, Project.status, _count_column(total))
    if total is not None:  # the first met in the due dates' order, or the region's, sorted
        index = "ix_projects_next_milestone_due" if walk else "ix_projects_sort_region"
        query = query.with_hint(Project, f"INDEXED BY {index}", "sqlite")
    rows: Sequence[tuple[Any, ...]] = db.session.execute(
        query.join(Region, Project.region_id == Region.id)
        .where(*scope.conditions, Project.is_late(today))
        .order_by(Project.next_milestone_due, Project.id).limit(limit)).all()
    if not rows:
        return Listing([], 0)
    milestones: dict[int, list[MilestoneRow]] = {}
    for row in db.session.execute(
            sa.select(Milestone.project_id, Milestone.stage, Milestone.custom_name,
                      Milestone.planned_date, Milestone.delay_reason, Milestone.baseline_date,
                      Milestone.replan_count)
            .join(Project, Milestone.project_id == Project.id)
            .where(Milestone.project_id.in_([row[0] for row in rows]), Milestone.is_overdue(today),
                   owes_expression(Project.status, Milestone.stage))
            .order_by(Milestone.planned_date, Milestone.position, Milestone.id)):
        milestones.setdefault(row[0], []).append(MilestoneRow(*row[1:]))
    return Listing([LateProject(pid, name, region, status, milestones.get(pid, []))
                    for pid, name, region, status, _total in rows], rows[0][-1])


@dataclass(frozen=True)
class OverEstimate:
    """A 超概算 project with the two amounts that make it so (万元)."""

    id: int
    name: str
    region: str
    total_investment: Decimal
    current_estimate: Decimal

    @property
    def excess(self) -> Decimal:
        return self.current_estimate - self.total_investment


def over_estimate(scope: Scope, limit: int = LIST_LIMIT, total: int | None = None) -> Listing:
    """超概算 projects (``Project.is_over_estimate``), the largest excess first."""
    if total == 0:
        return Listing([], 0)
    rows = db.session.execute(over_estimate_statement(scope, limit, total)).all()
    # Both amounts are stated: ``is_over_estimate`` compares them.
    return Listing([OverEstimate(row[0], row[1], row[2], row[3] or Decimal(0), row[4] or Decimal(0))
                    for row in rows], rows[0][-1] if rows else 0)


def over_estimate_statement(scope: Scope, limit: int = LIST_LIMIT, total: int | None = None) -> sa.Select:
    """The first ``limit`` of 超概算, in the order of ``ix_projects_overrun`` (largest excess first)."""
    return (sa.select(Project.id, Project.name, Region.name, Project.total_investment,
                      Project.current_estimate, _count_column(total))
            .join(Region, Project.region_id == Region.id)
            .where(*scope.conditions, Project.is_over_estimate)
            .order_by(OVERRUN.desc(), Project.id).limit(limit))


@dataclass(frozen=True)
class DueMilestone:
    milestone: MilestoneRow
    project_id: int
    project_name: str
    region: str


def due_soon(scope: Scope, limit: int = LIST_LIMIT, days: int = DUE_SOON_DAYS,
             total: int | None = None, walk: bool = True) -> Listing:
    """Milestones not done due within ``days``, the soonest first. Unless ``walk``
    (``walks_in_order``: a small region), read from the region's projects' milestones, not by
    walking every milestone of the portfolio due in the window."""
    today = scope.today
    if total == 0:
        return Listing([], 0)
    due = aliased(Milestone)
    query = sa.select(due.stage, due.custom_name, due.planned_date, due.delay_reason,
                      Project.id, Project.name, Region.name, _count_column(total))
    if not walk:
        query = (query.with_hint(Project, "INDEXED BY ix_projects_sort_region", "sqlite")
                 .with_hint(due, "INDEXED BY ix_milestones_project_id", "sqlite"))
    rows = db.session.execute(
        query
        .join(Project, due.project_id == Project.id)
        .join(Region, Project.region_id == Region.id)
        .where(*scope.conditions, due.actual_date.is_(None), due.planned_date >= today,
               due.planned_date <= today + dt.timedelta(days=days), owes_expression(Project.status, due.stage))
        .order_by(due.planned_date, due.project_id, due.position)  # (planned_date, project_id): an index
        .limit(limit)).all()
    return Listing([DueMilestone(MilestoneRow(*row[:4]), *row[4:7]) for row in rows],
                   rows[0][-1] if rows else 0)


@dataclass(frozen=True)
class Unreported:
    project_id: int
    name: str
    region: str
    status: Status | None
    last_report_month: dt.date | None


def unreported(scope: Scope, limit: int = LIST_LIMIT, total: int | None = None,
               never: int = 0, first_months: Sequence[dt.date] = (), walk: bool = True) -> Listing:
    """本月未报 (``Project.owes_report``): building projects 在建 or 停缓建 without this month's report.

    Where the kept figures know the counts (``total``; ``never`` of them have no report at all;
    ``first_months``: the oldest report months that hold the first ``limit`` of the others),
    the rows are read from those months only, not from the projects of every month; ``walk``
    (``walks_in_order``): through the index of the months, not from the region's projects."""
    month_start = scope.month_start
    columns = (Project.id, Project.name, Region.name, Project.status, Project.last_report_month)
    if total == 0:
        return Listing([], 0)
    if total is not None:
        # The order in two parts, each read with LIMIT: the projects that never reported, then
        # the others from the oldest report; a large scope's from the index on
        # (last_report_month, id), where SQLite would rather read every project and sort them.
        listed = sa.select(*columns).join(Region, Project.region_id == Region.id)
        if walk:
            listed = listed.with_hint(Project, "INDEXED BY ix_projects_sort_last_report_month", "sqlite")
        unstated = db.session.execute(
            listed
            .where(*scope.conditions, Project.owes_report(month_start),
                   Project.last_report_month.is_(None))
            .order_by(Project.last_report_month, Project.id).limit(limit)).all() if never else []
        dated = db.session.execute(
            listed
            .where(*scope.conditions, Project.owes_report(month_start),
                   # One month (the usual case: most reported last month) read in id order.
                   Project.last_report_month == first_months[0] if len(first_months) == 1
                   else Project.last_report_month.in_(first_months))
            .order_by(Project.last_report_month, Project.id)
            .limit(limit - len(unstated))).all() if len(unstated) < limit and first_months else []
        return Listing([Unreported(*row) for row in [*unstated, *dated]], total)
    rows = db.session.execute(
        sa.select(*columns, sa.func.count().over())
        .join(Region, Project.region_id == Region.id)
        .where(*scope.conditions, Project.owes_report(month_start))
        .order_by(Project.last_report_month.is_(None).desc(), Project.last_report_month,
                  Project.id)
        .limit(limit)).all()
    return Listing([Unreported(*row[:5]) for row in rows], rows[0][-1] if rows else 0)


# ---- the whole dashboard ----------------------------------------------------------------------------

def compute(scope: Scope) -> Dashboard:
    """Every figure of the dashboard: read from the kept figures (dashboard/kept.py) where they
    answer the scope (a region or the whole portfolio, of a kind), else computed afresh."""
    from . import kept  # it builds on this module's figures
    board = kept.compute(scope)
    return board if board is not None else compute_fresh(scope)


def compute_fresh(scope: Scope) -> Dashboard:
    """Every figure of the dashboard from the projects themselves (about a dozen statements)."""
    projects = _project_figures(scope)
    children = child_regions(scope)
    approximate = approximations(scope, {child.path: child.key for child in children})
    return Dashboard(
        scope=scope, headline=projects.headline, year=year_figures(scope),
        statuses=with_approximations(projects.statuses, approximate),
        regions=with_approximations(regions(scope, children), approximate),
        plans=with_approximations(plans(scope), approximate),
        categories=with_approximations(projects.categories, approximate),
        natures=with_approximations(projects.natures, approximate), funding=funding(scope),
        late=late_projects(scope), due_soon=due_soon(scope), unreported=unreported(scope),
        over_estimate=over_estimate(scope))


def build(scope: Scope) -> Dashboard:
    """The dashboard of ``scope``: read from the kept figures, or computed afresh and cached.

    A region's or the whole portfolio's dashboard (of a kind) is read from the kept figures
    (dashboard/kept.py) at every request: tens of milliseconds at 100,000 projects, and never
    older than the last commit, so no cache (benchmarks/NOTES.md). Any other filter is computed
    from the projects, and kept per process by ``portfolio.cache.figures`` until the next write
    to the portfolio (the database's change stamp). The key holds
    everything the figures depend on: the filter (the dashboard never sorts), the year, and the
    day (滞后, 时间进度 and 30 天内到期 depend on it). Labels are not in it: they are translated
    when shown, so the same figures serve every language.
    """
    from . import kept as kept_figures  # it builds on this module's figures
    if kept_figures.answers(scope):
        return compute(scope)
    plain = Scope(replace(scope.filter, sort="region", order="asc"), scope.year, scope.today)

    def kept() -> Dashboard:
        # Kept with a copy of the scope: the request's filter holds its session's region row.
        return replace(compute_fresh(scope), scope=plain)

    board = cache.figures(("dashboard", plain.filter, plain.year, plain.today), kept)
    return replace(board, scope=scope)


# ---- plans' targets and what the tracked projects contribute ----------------------------------

@dataclass(frozen=True)
class BedsContribution:
    """Beds added (新增床位) by the region's tracked projects, with coverage."""

    done_projects: int  # 竣工 or 投用
    done_with_beds: int
    beds_added: int | None  # Σ new_beds over those
    projects: int
    with_beds: int
    beds_planned: int | None  # Σ new_beds over every tracked project, whatever its status


def is_beds_indicator(indicator) -> bool:
    """The bed indicators (每千人口床位数) are the ones tracked projects move directly."""
    name = indicator.name or ""
    return indicator.key.startswith("beds-per-") or ("床位" in name and "每千" in name
                                                      and "护理型" not in name)


def beds_contribution(region: Region, period: str | None = None) -> BedsContribution:
    """The region's projects' beds; with ``period`` ("2021-2025"), the projects of its plans of
    that period only (a 15th-plan hospital's 200 beds were counted toward the 14th plan's 2025
    target)."""
    done = Project.is_done
    row: tuple[Any, ...] = db.session.execute(sa.select(
        sa.func.count(sa.case((done, 1))),
        sa.func.count(sa.case((done, Project.new_beds))),
        exact_sum(sa.case((done, Project.new_beds))),
        sa.func.count(Project.id), sa.func.count(Project.new_beds), exact_sum(Project.new_beds),
    ).where(*PortfolioFilter(region=region.key, period=period).conditions())).one()
    return BedsContribution(*row)


@dataclass(frozen=True)
class IndicatorRow:
    indicator: object
    beds: BedsContribution | None


def plan_targets(plans: list[Plan]) -> list[tuple[Plan, list[IndicatorRow]]]:
    """Each plan's indicators, with the projects' contribution where the link is direct.

    One query per region and period that has a bed indicator in its plans, whatever the
    portfolio size: a plan's projects are those of the region's plans within its period.
    """
    by_region: dict[tuple[int, str | None], BedsContribution] = {}
    result = []
    for plan in plans:
        rows = []
        period = f"{plan.period_start}-{plan.period_end}" if plan.period_start and plan.period_end else None
        for indicator in plan.indicators:
            beds = None
            if is_beds_indicator(indicator):
                if (plan.region_id, period) not in by_region:
                    by_region[(plan.region_id, period)] = beds_contribution(plan.region, period)
                beds = by_region[(plan.region_id, period)]
            rows.append(IndicatorRow(indicator, beds))
        result.append((plan, rows))
    return result
