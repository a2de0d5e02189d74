"""The dashboard's figures, every one an aggregate computed in the database.

The number of queries is fixed: it grows with the number of child regions, plans and vocabulary
codes shown (one row each), never with the number of projects, milestones or reports. Every
selection goes through ``PortfolioFilter.conditions``; the headline totals are
``portfolio.queries.totals`` itself, so the dashboard and the list's totals row cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from ..extensions import db
from ..plans.models import Plan
from ..portfolio import queries as portfolio_queries
from ..portfolio.filters import UNKNOWN, PortfolioFilter, late_condition
from ..progress.models import AnnualPlan, FundingLine, Milestone, MonthlyReport
from ..projects.models import Project, project_plans
from ..regions.models import Region
from ..vocabulary import BuildNature, Category, FundingSource, Stage, Status
from .scope import Scope

# A project counts as started when its status says so (the brief's 在建/竣工/投用) or when its
# 开工 milestone has an actual date.
STARTED_STATUSES = (Status.CONSTRUCTION, Status.COMPLETED, Status.IN_USE)
# Projects expected to send a monthly report: those being built (or halted, who must say why).
REPORTING_STATUSES = (Status.CONSTRUCTION, Status.SUSPENDED)
DONE_STATUSES = (Status.COMPLETED, Status.IN_USE)
LIST_LIMIT = 50
DUE_SOON_DAYS = 30
HUNDRED = Decimal(100)


def _money_columns(count_label: str = "projects"):
    """``COUNT(*)`` with the (COUNT, SUM) pairs of 总投资 and 累计完成投资."""
    return (sa.func.count(Project.id).label(count_label),
            sa.func.count(Project.total_investment), sa.func.sum(Project.total_investment),
            sa.func.count(Project.invested_to_date), sa.func.sum(Project.invested_to_date))


def ratio(numerator: Decimal | None, denominator: Decimal | int | None) -> Decimal | None:
    if numerator is None or not denominator:
        return None
    return Decimal(numerator) / Decimal(denominator)


@dataclass(frozen=True)
class Group:
    """One breakdown row: a region, plan, category … with its counts and sums and the list link."""

    key: str | None
    label: str
    args: dict | None  # the /projects query string for exactly these projects; None: no such list
    projects: int
    with_investment: int = 0
    total_investment: Decimal | None = None
    with_invested: int = 0
    invested_to_date: Decimal | None = None
    note: str | None = None


@dataclass(frozen=True)
class Headline:
    totals: portfolio_queries.Totals
    rate_projects: int  # projects stating both 总投资 and 累计完成投资
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
    months: list[MonthFigure] = field(default_factory=list)

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
        return [self.planned * month / 12 for month in range(1, 13)]

    def cumulative_completed(self, through_month: int,
                             planned_only: bool = False) -> list[Decimal | None]:
        """Completed investment cumulated by month; ``planned_only``: by the projects with an
        annual plan, the base the plan line and 年度计划完成率 use."""
        running, values = Decimal(0), []
        by_month = {figure.month: figure.completed_of_planned if planned_only else figure.completed
                    for figure in self.months}
        for month in range(1, 13):
            if month > through_month:
                values.append(None)
                continue
            running += by_month.get(month) or Decimal(0)
            values.append(running)
        return values


@dataclass(frozen=True)
class LateProject:
    id: int
    name: str
    region: str
    status: Status | None
    milestones: list[Milestone]

    def days_late(self, milestone: Milestone, today: dt.date) -> int:
        return (today - milestone.planned_date).days


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

    @property
    def is_empty(self) -> bool:
        return self.headline.totals.projects == 0


def _add(total: Decimal | None, value: Decimal | None) -> Decimal | None:
    """A sum where unknown stays unknown: None + None is None, None + x is x."""
    if value is None:
        return total
    return value if total is None else total + value


def time_progress(year: int, today: dt.date) -> Decimal:
    if year < today.year:
        return Decimal(1)
    if year > today.year:
        return Decimal(0)
    days = (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days
    return Decimal(today.timetuple().tm_yday) / Decimal(days)


def headline(scope: Scope) -> Headline:
    conditions = scope.conditions
    both = sa.and_(Project.total_investment.is_not(None), Project.invested_to_date.is_not(None))
    start_planned = sa.exists().where(
        Milestone.project_id == Project.id, Milestone.stage == Stage.START,
        Milestone.planned_date <= scope.year_end)
    start_met = sa.exists().where(
        Milestone.project_id == Project.id, Milestone.stage == Stage.START,
        Milestone.actual_date.is_not(None))
    started = sa.and_(start_planned, sa.or_(start_met, Project.status.in_(STARTED_STATUSES)))
    funded = sa.exists().where(FundingLine.project_id == Project.id)
    row = db.session.execute(sa.select(
        sa.func.count(sa.case((both, 1))),
        sa.func.sum(sa.case((both, Project.total_investment))),
        sa.func.sum(sa.case((both, Project.invested_to_date))),
        sa.func.count(sa.case((Project.current_estimate > Project.total_investment, 1))),
        sa.func.count(sa.case((late_condition(scope.today), 1))),
        sa.func.count(sa.case((start_planned, 1))),
        sa.func.count(sa.case((started, 1))),
        sa.func.count(sa.case((funded, 1))),
    ).where(*conditions)).one()
    return Headline(portfolio_queries.totals(scope.filter, scope.today), *row)


def year_figures(scope: Scope) -> YearFigures:
    conditions = scope.conditions
    planned_projects, planned = db.session.execute(
        sa.select(sa.func.count(AnnualPlan.id), sa.func.sum(AnnualPlan.planned_investment))
        .join(Project, AnnualPlan.project_id == Project.id)
        .where(AnnualPlan.year == scope.year, *conditions)).one()

    in_year = sa.and_(MonthlyReport.month >= scope.year_start,
                      MonthlyReport.month < dt.date(scope.year + 1, 1, 1))
    reporting = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(MonthlyReport.project_id)))
        .join(Project, MonthlyReport.project_id == Project.id)
        .where(in_year, MonthlyReport.invested_month.is_not(None), *conditions))

    # One pass over the year's reports, summed per month in SQL. The year's figures are the sum
    # of those (at most twelve) exact subtotals. (annual_plans is unique per project and year.)
    plan = aliased(AnnualPlan)
    rows = db.session.execute(
        sa.select(MonthlyReport.month, sa.func.sum(MonthlyReport.invested_month),
                  sa.func.count(MonthlyReport.invested_month),
                  sa.func.sum(sa.case((plan.id.is_not(None), MonthlyReport.invested_month))))
        .join(Project, MonthlyReport.project_id == Project.id)
        .outerjoin(plan, sa.and_(plan.project_id == MonthlyReport.project_id,
                                 plan.year == scope.year))
        .where(in_year, *conditions).group_by(MonthlyReport.month)).all()
    by_month: dict[int, list] = {}
    for month, total, reports, of_planned in rows:
        figures = by_month.setdefault(month.month, [None, 0, None])
        figures[0] = _add(figures[0], total)
        figures[1] += reports
        figures[2] = _add(figures[2], of_planned)
    months = [MonthFigure(month, total, reports, of_planned)
              for month, (total, reports, of_planned) in sorted(by_month.items())]
    completed = completed_of_planned = None
    for total, _reports, of_planned in by_month.values():
        completed, completed_of_planned = _add(completed, total), _add(completed_of_planned, of_planned)
    return YearFigures(scope.year, time_progress(scope.year, scope.today), planned_projects,
                       planned, reporting, completed, completed_of_planned, months)


def _grouped(scope: Scope, column, vocabulary, filter_name: str) -> list[Group]:
    """A breakdown over one vocabulary column of ``projects``; NULL is its own 未填报 row."""
    rows = db.session.execute(
        sa.select(column, *_money_columns()).where(*scope.conditions)
        .group_by(column)).all()
    groups = []
    for value, *figures in rows:
        if value is None:
            groups.append(Group(None, _("未填报"), scope.filter.to_args(**{filter_name: UNKNOWN}), *figures))
        else:
            groups.append(Group(value.value, vocabulary(value).label,
                                scope.filter.to_args(**{filter_name: value.value}), *figures))
    order = {member.value: index for index, member in enumerate(vocabulary)}
    return sorted(groups, key=lambda group: order.get(group.key, len(order)))


def statuses(scope: Scope) -> list[Group]:
    return _grouped(scope, Project.status, Status, "status")


def categories(scope: Scope) -> list[Group]:
    return _grouped(scope, Project.category, Category, "category")


def natures(scope: Scope) -> list[Group]:
    return _grouped(scope, Project.build_nature, BuildNature, "build_nature")


def regions(scope: Scope) -> list[Group]:
    """The scope region's children, each with its descendants, and the region's own projects.

    Without a region the rows are the top-level regions (provinces). The rows add up to the
    headline totals: every project lies under exactly one child, or in the region itself.
    """
    region = scope.filter.region_row()
    child, project_region = aliased(Region), aliased(Region)
    is_child = child.parent_id == region.id if region else child.parent_id.is_(None)
    children = db.session.scalars(
        sa.select(Region).where(Region.parent_id == region.id if region else Region.parent_id.is_(None))
        .order_by(Region.key)).all()
    under_child = sa.and_(
        is_child, sa.func.substr(project_region.path, 1, sa.func.length(child.path)) == child.path)
    rows = db.session.execute(
        sa.select(child.id, *_money_columns())
        .select_from(Project)
        .join(project_region, Project.region_id == project_region.id)
        .outerjoin(child, under_child)
        .where(*scope.conditions)
        .group_by(child.id)).all()
    figures = {child_id: tuple(values) for child_id, *values in rows}
    groups = [Group(c.key, c.name, scope.filter.to_args(region=c.key), *figures.get(c.id, (0,)))
              for c in children]
    if None in figures and region is not None:
        if children:
            # The region's own projects (市本级): no list holds exactly these, so no link.
            groups.append(Group(region.key, _("%(name)s本级", name=region.name), None,
                                *figures[None], note=_("直属本级、不属于下辖地区的项目")))
        else:  # a county: its own projects are the whole scope
            groups.append(Group(region.key, region.name, scope.filter.to_args(region=region.key),
                                *figures[None]))
    return sorted(groups, key=lambda g: (-(g.total_investment or 0), -g.projects, g.key or ""))


def plans(scope: Scope) -> list[Group]:
    """By plan. A project named in two plans counts in both, so these rows may add up to more."""
    rows = db.session.execute(
        sa.select(Plan.key, Plan.title, *_money_columns())
        .select_from(Project)
        .outerjoin(project_plans, project_plans.c.project_id == Project.id)
        .outerjoin(Plan, Plan.id == project_plans.c.plan_id)
        .where(*scope.conditions)
        .group_by(Plan.id, Plan.key, Plan.title).order_by(Plan.key)).all()
    return [Group(key, title, scope.filter.to_args(plan=key), *figures) if key is not None
            else Group(None, _("未关联规划"), None, *figures) for key, title, *figures in rows]


def funding(scope: Scope) -> list[Group]:
    """By 资金来源: projects with a line of that source, and the amounts of those lines."""
    rows = db.session.execute(
        sa.select(FundingLine.source, sa.func.count(sa.distinct(FundingLine.project_id)),
                  sa.func.count(FundingLine.amount), sa.func.sum(FundingLine.amount),
                  sa.func.count(FundingLine.id))
        .join(Project, FundingLine.project_id == Project.id)
        .where(*scope.conditions)
        .group_by(FundingLine.source)).all()
    order = {member.value: index for index, member in enumerate(FundingSource)}
    groups = [Group(source.value, source.label, scope.filter.to_args(funding=source.value), projects,
                    with_amount, amount,
                    note=_("（%(lines)s 条中 %(count)s 条填报金额）", lines=lines, count=with_amount))
              for source, projects, with_amount, amount, lines in rows]
    return sorted(groups, key=lambda group: order[group.key])


def late_projects(scope: Scope, limit: int = LIST_LIMIT) -> Listing:
    """Late projects, the longest overdue first, with their overdue milestones and stated reasons."""
    today = scope.today
    overdue = sa.and_(Milestone.actual_date.is_(None), Milestone.planned_date < today)
    first_overdue = (sa.select(sa.func.min(Milestone.planned_date))
                     .where(Milestone.project_id == Project.id, overdue).scalar_subquery())
    rows = db.session.execute(
        sa.select(Project.id, Project.name, Region.name, Project.status,
                  sa.func.count().over())
        .join(Region, Project.region_id == Region.id)
        .where(*scope.conditions, late_condition(today))
        .order_by(first_overdue, Project.id).limit(limit)).all()
    if not rows:
        return Listing([], 0)
    milestones: dict[int, list[Milestone]] = {}
    for milestone in db.session.scalars(
            sa.select(Milestone).where(Milestone.project_id.in_([row[0] for row in rows]), overdue)
            .order_by(Milestone.planned_date, Milestone.position, Milestone.id)):
        milestones.setdefault(milestone.project_id, []).append(milestone)
    return Listing([LateProject(pid, name, region, status, milestones.get(pid, []))
                    for pid, name, region, status, _total in rows], rows[0][-1])


@dataclass(frozen=True)
class DueMilestone:
    milestone: Milestone
    project_id: int
    project_name: str
    region: str


def due_soon(scope: Scope, limit: int = LIST_LIMIT, days: int = DUE_SOON_DAYS) -> Listing:
    today = scope.today
    rows = db.session.execute(
        sa.select(Milestone, Project.id, Project.name, Region.name, sa.func.count().over())
        .join(Project, Milestone.project_id == Project.id)
        .join(Region, Project.region_id == Region.id)
        .where(*scope.conditions, Milestone.actual_date.is_(None),
               Milestone.planned_date >= today,
               Milestone.planned_date <= today + dt.timedelta(days=days))
        .order_by(Milestone.planned_date, Project.id, Milestone.position)
        .limit(limit)).all()
    return Listing([DueMilestone(*row[:4]) for row in rows], rows[0][-1] if rows else 0)


@dataclass(frozen=True)
class Unreported:
    project_id: int
    name: str
    region: str
    status: Status
    last_report_month: dt.date | None


def unreported(scope: Scope, limit: int = LIST_LIMIT) -> Listing:
    """Projects being built (or halted) with no monthly report for the current month."""
    month_start = scope.month_start
    rows = db.session.execute(
        sa.select(Project.id, Project.name, Region.name, Project.status, Project.last_report_month,
                  sa.func.count().over())
        .join(Region, Project.region_id == Region.id)
        .where(*scope.conditions, Project.status.in_(REPORTING_STATUSES),
               sa.or_(Project.last_report_month.is_(None),
                      Project.last_report_month < month_start))
        .order_by(Project.last_report_month.is_(None).desc(), Project.last_report_month,
                  Project.id)
        .limit(limit)).all()
    return Listing([Unreported(*row[:5]) for row in rows], rows[0][-1] if rows else 0)


def build(scope: Scope) -> Dashboard:
    return Dashboard(
        scope=scope, headline=headline(scope), year=year_figures(scope), statuses=statuses(scope),
        regions=regions(scope), plans=plans(scope), categories=categories(scope),
        natures=natures(scope), funding=funding(scope), late=late_projects(scope),
        due_soon=due_soon(scope), unreported=unreported(scope))


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


def beds_contribution(region: Region) -> BedsContribution:
    done = Project.status.in_(DONE_STATUSES)
    row = db.session.execute(sa.select(
        sa.func.count(sa.case((done, 1))),
        sa.func.count(sa.case((done, Project.new_beds))),
        sa.func.sum(sa.case((done, Project.new_beds))),
        sa.func.count(Project.id), sa.func.count(Project.new_beds), sa.func.sum(Project.new_beds),
    ).where(*PortfolioFilter(region=region.key).conditions())).one()
    return BedsContribution(*row)


@dataclass(frozen=True)
class IndicatorRow:
    indicator: object
    beds: BedsContribution | None


def plan_targets(plans: list[Plan]) -> list[tuple[Plan, list[IndicatorRow]]]:
    """Each plan's indicators, with the projects' contribution where the link is direct.

    One query per region that has a bed indicator in its plans, whatever the portfolio size.
    """
    by_region: dict[int, BedsContribution] = {}
    result = []
    for plan in plans:
        rows = []
        for indicator in plan.indicators:
            beds = None
            if is_beds_indicator(indicator):
                if plan.region_id not in by_region:
                    by_region[plan.region_id] = beds_contribution(plan.region)
                beds = by_region[plan.region_id]
            rows.append(IndicatorRow(indicator, beds))
        result.append((plan, rows))
    return result
