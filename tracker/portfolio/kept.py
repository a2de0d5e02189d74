"""The portfolio figures kept at write time (``portfolio_figures``, ``portfolio_year_figures``).

Every additive figure the dashboard shows is kept per region node (portfolio/models.py), so a
read sums a few rows instead of every project. A write changes them by a *delta*: the figures
of the projects it touched as they were before it, subtracted, and as they are at commit, added.

How, in one transaction:

1. **Before each flush** (``before_flush``) the projects the flush will change (a project, or
   one of its milestones, reports, funding lines or annual plans; the projects of a deleted
   plan) that this transaction has not touched yet are locked (PostgreSQL: ``FOR NO KEY
   UPDATE``, the lock their UPDATE takes anyway; progress/upkeep.py takes the same one later)
   and their figures read, as they are before any change of ours: the *before*. A project
   created by this transaction has none.
2. **Before the commit** (``before_commit``, or when the dashboard reads in a transaction that
   wrote: ``settle``) the same projects' figures are read again, as they are now, and the
   difference is added to the rows of each project's region and every ancestor, with one
   ``INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`` per row, **in sorted key order**.

Why it cannot deadlock or lose a delta: the region rows are the only rows two writers of
different projects share, and they are taken last (after every project lock, just before the
commit) and in one global order, so two writers queue on them and never wait on each other in a
cycle; the *before* of a project is read once its lock is held, so under READ COMMITTED it is
what the previous holder committed, figures included. No row is written at the first flush:
there is no hot row held for the length of a transaction (the last design's global counter was).

A change of the region tree (a region moved or deleted) rebuilds both tables at commit
(``rebuild``), as does the demo generator after its bulk insert; the migration builds them the
same way. ``tests/test_kept_figures.py`` checks the rows equal a rebuild after every kind of write.
"""

from __future__ import annotations

import functools
import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..database import SPLIT, exact_sum
from ..plans.models import Plan
from ..progress.models import AnnualPlan, FundingLine, Milestone, MonthlyReport, YearInvestment
from ..progress.upkeep import lock_projects
from ..projects.models import Project, project_plans
from ..projects.terms import BUILDING_KINDS, REPORTING_STATUSES, owes_expression
from ..regions.models import Region
from ..vocabulary import BuildNature, Category, Kind, Status
from .filters import UNKNOWN
from .models import (COUNTS, INT_SUMS, MONTHS, SUMS, YEAR_COUNTS, YEAR_SUMS, portfolio_figures,
                     portfolio_year_figures)

Figures = dict[str, Any]  # a column's int or Decimal
FigureKey = tuple[int, str, str, str]  # region_id, kind, dimension, key
YearKey = tuple[int, str, int, bool]  # region_id, kind, year, with_plan
CHUNK = 500
_STATE = "tracker.kept_figures"
_PARENTS = (Milestone, FundingLine, MonthlyReport, AnnualPlan)
YEAR_SCALES = {name: 4 for name in YEAR_SUMS}


def _code(value) -> str:
    if value is None:
        return ""
    return getattr(value, "value", value)


def _add(into: Figures, values: Figures, sign: int = 1) -> None:
    for name, value in values.items():
        if value:
            into[name] = into.get(name, 0) + sign * value


# ---- what a set of projects contributes, by its own regions ---------------------------------------

def _chunks(project_ids: Iterable[int] | None):
    if project_ids is None:
        yield None
        return
    ids = sorted(project_ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def _money_figures() -> list[sa.ColumnElement[Any]]:
    """``MONEY``'s figures, and how many of the stated 总投资 are 约 (a breakdown row says so)."""
    approximate = sa.and_(Project.total_investment_approx.is_(True), Project.total_investment.is_not(None))
    return [sa.func.count(Project.id), sa.func.count(Project.total_investment),
            exact_sum(Project.total_investment), sa.func.count(Project.invested_to_date),
            exact_sum(Project.invested_to_date), sa.func.count(sa.case((approximate, 1)))]


MONEY = ("projects", "with_investment", "total_investment", "with_invested", "invested_to_date",
          "approx_investment")


def project_figures(connection: sa.Connection, project_ids: Iterable[int] | None
                    ) -> tuple[dict[FigureKey, Figures], dict[YearKey, Figures]]:
    """The figures of these projects (None: every project), by their own region (not rolled up)."""
    figures: dict[FigureKey, Figures] = defaultdict(dict)
    years: dict[YearKey, Figures] = defaultdict(dict)
    for ids in _chunks(project_ids):
        _collect(connection, ids, figures, years)
    return figures, years


# A few projects' statements name them by this parameter, bound at execution: the statements are
# built once (``_statements``), not at every write, where building them cost four times what
# running them did (5 ms a project on SQLite, most of a save's time).
_IDS: sa.BindParameter[list[int]] = sa.bindparam("ids", expanding=True)
_NAMES = (*MONEY, "approx_floor_area", "with_floor_area", "floor_area", "with_beds", "beds", "with_new_beds",
          "new_beds", "with_rate", "rate_invested", "rate_investment", "over_estimate", "funded")
_YEAR_NAMES = ("plans", "planned", "reporting",
               *itertools.chain.from_iterable((f"m{m:02d}", f"n{m:02d}") for m in MONTHS))


@functools.cache
def _statements(few: bool) -> dict[str, sa.Select]:
    """``_collect``'s statements: of a few projects (``few``: their ids bound as ``ids``), or of
    every project (a rebuild)."""
    where = [Project.id.in_(_IDS)] if few else []
    approximate_area = sa.and_(Project.floor_area_approx.is_(True), Project.floor_area_m2.is_not(None))
    rate = Project.has_investment_rate
    place = (Project.region_id, Project.kind)
    # A few projects (a write's): the dated breakdowns come in the same statement, grouped by
    # their dates too (about one row per project). Every project (a rebuild): apart, a few
    # thousand rows each. Both give the same figures: the exactness test compares them.
    dated: tuple[Any, ...] = (
        Project.next_milestone_due, Project.planned_start, Project.has_started.label("started"),
        Project.last_report_month) if few else ()
    found: dict[str, sa.Select] = {}
    found["rows"] = (
        sa.select(*place, Project.status, Project.category, Project.build_nature, *dated, *_money_figures(),
                  sa.func.count(sa.case((approximate_area, 1))),
                  sa.func.count(Project.floor_area_m2), exact_sum(Project.floor_area_m2),
                  sa.func.count(Project.beds), sa.func.sum(Project.beds),
                  sa.func.count(Project.new_beds), sa.func.sum(Project.new_beds),
                  sa.func.count(sa.case((rate, 1))),
                  exact_sum(sa.case((rate, Project.invested_to_date))),
                  exact_sum(sa.case((rate, Project.total_investment))),
                  sa.func.count(sa.case((Project.is_over_estimate, 1))),
                  sa.func.count(sa.case((Project.funding_line_count > 0, 1))))
        .where(*where).group_by(*place, Project.status, Project.category, Project.build_nature,
                                *dated))
    if not few:
        found["due"] = (sa.select(*place, Project.next_milestone_due, sa.func.count())
                        .where(*where, Project.next_milestone_due.is_not(None))
                        .group_by(*place, Project.next_milestone_due))
        found["start"] = (sa.select(*place, Project.planned_start, sa.func.count(),
                                    sa.func.count(sa.case((Project.has_started, 1))))
                          .where(*where, Project.planned_start.is_not(None),
                                 sa.or_(Project.status.is_(None), Project.status != Status.CANCELLED))
                          .group_by(*place, Project.planned_start))
        found["report"] = (sa.select(*place, Project.last_report_month, sa.func.count())
                           .where(*where, Project.kind.in_(BUILDING_KINDS), Project.status.is_not(None),
                                  Project.status.in_(REPORTING_STATUSES))
                           .group_by(*place, Project.last_report_month))

    # The breakdowns through other tables: plans, funding lines, open milestones, the years.
    plan_id = project_plans.c.plan_id
    found["plan"] = (sa.select(*place, plan_id, *_money_figures())
                     .select_from(Project).outerjoin(project_plans, project_plans.c.project_id == Project.id)
                     .where(*where).group_by(*place, plan_id))
    found["funding"] = (sa.select(*place, FundingLine.source, sa.func.count(sa.distinct(FundingLine.project_id)),
                                  sa.func.count(FundingLine.amount), exact_sum(FundingLine.amount),
                                  sa.func.count(FundingLine.id))
                        .join(Project, FundingLine.project_id == Project.id)
                        .where(*where).group_by(*place, FundingLine.source))
    found["soon"] = (sa.select(*place, Milestone.planned_date, sa.func.count())
                     .join(Project, Milestone.project_id == Project.id)
                     .where(*where, Milestone.actual_date.is_(None), Milestone.planned_date.is_not(None),
                            owes_expression(Project.status, Milestone.stage))
                     .group_by(*place, Milestone.planned_date))

    # The years: every (project, year) with an annual plan or a year_investments row.
    pairs = sa.union(
        sa.select(AnnualPlan.project_id, AnnualPlan.year).where(
            *([AnnualPlan.project_id.in_(_IDS)] if few else [])),
        sa.select(YearInvestment.project_id, YearInvestment.year).where(
            *([YearInvestment.project_id.in_(_IDS)] if few else []))).subquery()
    with_plan = AnnualPlan.id.is_not(None)
    months: list[sa.ColumnElement[Any]] = []
    for month in MONTHS:
        column = getattr(YearInvestment, YearInvestment.month_column(month))
        months += [exact_sum(column), sa.func.count(column)]
    found["years"] = (
        sa.select(*place, pairs.c.year, with_plan, sa.func.count(AnnualPlan.id),
                  exact_sum(AnnualPlan.planned_investment),
                  sa.func.count(sa.case((YearInvestment.stated_months > 0, 1))), *months)
        .select_from(pairs).join(Project, Project.id == pairs.c.project_id)
        .outerjoin(AnnualPlan, sa.and_(AnnualPlan.project_id == pairs.c.project_id,
                                       AnnualPlan.year == pairs.c.year))
        .outerjoin(YearInvestment, sa.and_(YearInvestment.project_id == pairs.c.project_id,
                                           YearInvestment.year == pairs.c.year))
        .group_by(*place, pairs.c.year, with_plan))

    # The reports filed per month (a report need not state an amount), under the same keys: a
    # year with a report has its year_investments row, so its pair is among those above.
    report_year = sa.extract("year", MonthlyReport.month)
    report_month = sa.extract("month", MonthlyReport.month)
    planned_that_year = sa.exists().where(AnnualPlan.project_id == MonthlyReport.project_id,
                                          AnnualPlan.year == report_year)
    found["reports"] = (sa.select(*place, report_year, report_month, planned_that_year, sa.func.count())
                        .join(Project, Project.id == MonthlyReport.project_id)
                        .where(*where).group_by(*place, report_year, report_month, planned_that_year))
    return found


def _collect(connection, ids, figures, years) -> None:
    few = ids is not None
    statements = _statements(few)
    parameters = {"ids": ids} if few else {}

    def run(name: str):
        return connection.execute(statements[name], parameters)

    for region_id, kind_value, status, category, nature, *values in run("rows"):
        row = dict(zip(_NAMES, values[4:] if few else values))
        kind = _code(kind_value)
        _add(figures[(region_id, kind, "all", "")], row)
        # A status's (category's, 建设性质's) rows hold every figure of "all": the list narrowed
        # to one of them reads its whole totals row there (``breakdown``).
        for dimension, code in (("status", status), ("category", category), ("nature", nature)):
            _add(figures[(region_id, kind, dimension, _code(code))], row)
        if few:
            due, start, started, month = values[:4]
            count = row["projects"]
            if due is not None:
                _add(figures[(region_id, kind, "due", f"{due.year:04d}-{due.month:02d}")],
                     {"projects": count})
            if start is not None and status != Status.CANCELLED:  # Project.planned_to_start_by
                _add(figures[(region_id, kind, "start", f"{start.year:04d}")],
                     {"projects": count, "started": count if started else 0})
            if kind_value in BUILDING_KINDS and status in REPORTING_STATUSES:
                _add(figures[(region_id, kind, "report", month.isoformat() if month else "")],
                     {"projects": count})
    if not few:
        for region_id, kind, due, count in run("due"):
            _add(figures[(region_id, _code(kind), "due", f"{due.year:04d}-{due.month:02d}")],
                 {"projects": count})
        for region_id, kind, start, count, started in run("start"):
            _add(figures[(region_id, _code(kind), "start", f"{start.year:04d}")],
                 {"projects": count, "started": started})
        for region_id, kind, month, count in run("report"):
            _add(figures[(region_id, _code(kind), "report", month.isoformat() if month else "")],
                 {"projects": count})

    for region_id, kind, plan, *values in run("plan"):
        _add(figures[(region_id, _code(kind), "plan", str(plan) if plan is not None else "")],
             dict(zip(MONEY, values)))
    for region_id, kind, source, projects, with_amount, amount, lines in run("funding"):
        _add(figures[(region_id, _code(kind), "funding", _code(source))],
             {"projects": projects, "with_investment": with_amount, "total_investment": amount,
              "lines": lines})
    for region_id, kind, day, count in run("soon"):
        _add(figures[(region_id, _code(kind), "soon", day.isoformat())], {"projects": count})
    for region_id, kind, year, planned, *values in run("years"):
        _add(years[(region_id, _code(kind), year, bool(planned))], dict(zip(_YEAR_NAMES, values)))
    for region_id, kind, year, month, planned, count in run("reports"):
        _add(years[(region_id, _code(kind), int(year), bool(planned))], {f"r{int(month):02d}": count})


# ---- rolled up to every ancestor ----------------------------------------------------------------

def ancestors(connection: sa.Connection, region_ids: Iterable[int]) -> dict[int, list[int]]:
    """Each region's id with its ancestors' (its path names them, from the province down)."""
    wanted = sorted(set(region_ids))
    if not wanted:
        return {}
    paths: dict[int, str] = {}
    for start in range(0, len(wanted), CHUNK):
        paths.update(connection.execute(sa.select(Region.id, Region.path)
                                        .where(Region.id.in_(wanted[start:start + CHUNK]))).all())
    keys = sorted({key for path in paths.values() for key in path.strip("/").split("/") if key})
    ids: dict[str, int] = {}
    for start in range(0, len(keys), CHUNK):
        ids.update(connection.execute(sa.select(Region.key, Region.id)
                                      .where(Region.key.in_(keys[start:start + CHUNK]))).all())
    found = {}
    for region_id, path in paths.items():
        chain = [ids[key] for key in path.strip("/").split("/") if key in ids]
        found[region_id] = chain if region_id in chain else [*chain, region_id]
    return found


def _rolled_up(connection, figures: dict, years: dict) -> tuple[dict, dict]:
    nodes = ancestors(connection, [key[0] for key in itertools.chain(figures, years)])
    up: dict = defaultdict(dict)
    up_years: dict = defaultdict(dict)
    for source, target in ((figures, up), (years, up_years)):
        for key, values in source.items():
            for node in nodes[key[0]]:
                _add(target[(node, *key[1:])], values)
    return up, up_years


# ---- written --------------------------------------------------------------------------------------

def _stored(values: Figures, scales: dict[str, int], counts: Iterable[str]) -> dict[str, int]:
    row = {name: int(values.get(name) or 0) for name in counts}
    for name, scale in scales.items():
        scaled = int((values.get(name) or Decimal(0)).scaleb(scale))
        row[f"{name}_hi"], row[f"{name}_lo"] = divmod(scaled, SPLIT)
    return row


def _rows(table: sa.Table, deltas: dict) -> list[dict]:
    pk = [column.name for column in table.primary_key.columns]
    figures_table = table is portfolio_figures
    scales = SUMS if figures_table else YEAR_SCALES
    counts = (*COUNTS, *INT_SUMS) if figures_table else YEAR_COUNTS
    rows = []
    for key in sorted(deltas):  # one order for every writer: no two wait on each other in a cycle
        values = deltas[key]
        if not any(values.values()):
            continue
        rows.append({**dict(zip(pk, key)), **_stored(values, scales, counts)})
    return rows


def _add_rows(connection: sa.Connection, table: sa.Table, deltas: dict) -> None:
    rows = _rows(table, deltas)
    if not rows:
        return
    statement = _upsert(connection.dialect.name, table)
    for start in range(0, len(rows), CHUNK):
        connection.execute(statement, rows[start:start + CHUNK])


@functools.cache
def _upsert(dialect: str, table: sa.Table) -> sa.Insert:
    """``INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`` for every figure of ``table``:
    built once per dialect and table (its ~40 sums took 2 ms of every commit that wrote)."""
    insert = (postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table))
    pk = [column.name for column in table.primary_key.columns]
    return insert.on_conflict_do_update(
        index_elements=pk,
        set_={column.name: column + insert.excluded[column.name]
              for column in table.columns if column.name not in pk})


def rebuild(connection: sa.Connection) -> None:
    """Both tables afresh from every project (the migration, the demo generator, a moved region)."""
    connection.execute(portfolio_figures.delete())
    connection.execute(portfolio_year_figures.delete())
    figures, years = _rolled_up(connection, *project_figures(connection, None))
    for table, rows in ((portfolio_figures, _rows(portfolio_figures, figures)),
                        (portfolio_year_figures, _rows(portfolio_year_figures, years))):
        # Only the columns the table has now: a migration rebuilds the tables as they stand at its
        # revision (the model may hold columns a later migration adds, and rebuilds again).
        present = {column["name"] for column in sa.inspect(connection).get_columns(table.name)}
        target = sa.table(table.name, *(sa.column(name) for name in table.columns.keys()
                                        if name in present))
        rows = [{name: value for name, value in row.items() if name in present} for row in rows]
        for start in range(0, len(rows), 5000):
            connection.execute(target.insert(), rows[start:start + 5000])


def stored(connection: sa.Connection) -> tuple[dict, dict]:
    """The tables' rows that are not all zero, as the figures they hold (for the exactness test)."""
    found = []
    for table, scales, counts in ((portfolio_figures, SUMS, (*COUNTS, *INT_SUMS)),
                                  (portfolio_year_figures, YEAR_SCALES, YEAR_COUNTS)):
        pk = [column.name for column in table.primary_key.columns]
        kept = {}
        for row in connection.execute(sa.select(table)).mappings():
            values = {name: row[name] for name in counts if row[name]}
            for name, scale in scales.items():
                value = decode(row[f"{name}_hi"], row[f"{name}_lo"], scale)
                if value:
                    values[name] = value
            if values:
                kept[tuple(row[name] for name in pk)] = values
        found.append(kept)
    return found[0], found[1]


def computed(connection: sa.Connection) -> tuple[dict, dict]:
    """What ``rebuild`` would store, in the shape ``stored`` returns."""
    found = []
    for rolled in _rolled_up(connection, *project_figures(connection, None)):
        found.append({key: {name: value for name, value in values.items() if value}
                      for key, values in rolled.items() if any(values.values())})
    return found[0], found[1]


def decode(high: int | None, low: int | None, scale: int) -> Decimal:
    return Decimal((high or 0) * SPLIT + (low or 0)).scaleb(-scale)


# ---- reading ---------------------------------------------------------------------------------------

FIGURE_NAMES = (*COUNTS, *SUMS, *INT_SUMS)
_KINDS = {kind.value for kind in Kind}


# The filters a breakdown's rows answer: (the filter's field, the dimension, its codes, whether
# UNKNOWN, "not stated", is one: the key '').
_BREAKDOWNS = (("status", "status", {member.value for member in Status}, True),
               ("category", "category", {member.value for member in Category}, False),
               ("build_nature", "nature", {member.value for member in BuildNature}, True))


def answers(portfolio_filter) -> bool:
    """Whether the kept rows answer every figure of this filter (the dashboard's, the trend's): a
    region (or none) and a kind, nothing else."""
    return breakdown(portfolio_filter) == ("all", "")


def breakdown(portfolio_filter) -> tuple[str, str] | None:
    """The (dimension, key) of the kept rows that hold the totals of this filter's projects: a
    region (or none) and a kind, ("all", ""); with one status, category or 建设性质 besides, that
    breakdown's rows (they hold every figure "all" does). None: the rows cannot answer it."""
    named = [entry for entry in _BREAKDOWNS if getattr(portfolio_filter, entry[0])]
    if len(named) > 1 or portfolio_filter.to_args(region=None, kind=None, sort="region", order="asc",
                                                  status=None, category=None, build_nature=None):
        return None
    if portfolio_filter.kind not in (None, "all") and portfolio_filter.kind not in _KINDS:
        return None
    if portfolio_filter.region and portfolio_filter.region_row() is None:
        return None
    if not named:
        return ("all", "")
    name, dimension, codes, unknown = named[0]
    value = getattr(portfolio_filter, name)
    if unknown and value == UNKNOWN:
        return (dimension, "")
    return (dimension, value) if value in codes else None


def kinds(portfolio_filter, table: sa.Table = portfolio_figures) -> list[sa.ColumnElement[bool]]:
    """The ``table``'s rows of the filter's kind: the construction kinds when it names none (the
    list's and the dashboard's default), every kind for "all"."""
    if portfolio_filter.kind == "all":
        return []
    return [table.c.kind.in_(kind_codes(portfolio_filter))]


def kind_codes(portfolio_filter) -> list[str]:
    """The kinds of the filter's projects: the construction kinds when it names none, every kind
    for "all"."""
    kind = portfolio_filter.kind
    if kind == "all":
        return [member.value for member in Kind]
    return [member.value for member in BUILDING_KINDS] if kind is None else [kind]


@functools.cache
def summed(table: sa.Table, names: tuple[str, ...], scales: tuple[tuple[str, int], ...]) -> list:
    """The SUM of each figure (a split sum's two halves), built once per table and names."""
    columns = []
    for name in names:
        if name in dict(scales):
            columns += [sa.func.sum(table.c[f"{name}_hi"]), sa.func.sum(table.c[f"{name}_lo"])]
        else:
            columns.append(sa.func.sum(table.c[name]))
    return columns


def decoded(values, names: tuple[str, ...], scales: dict[str, int]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    position = 0
    for name in names:
        if name in scales:
            found[name] = decode(values[position], values[position + 1], scales[name])
            position += 2
        else:
            found[name] = int(values[position] or 0)
            position += 1
    return found


def everything(session: Session, portfolio_filter) -> dict[str, Any]:
    """Every figure of the filter's projects (``breakdown`` must not be None): the region's rows
    of its kinds and breakdown ("all", or its status's …), or the provinces' for the whole
    portfolio. Current at every commit, and within a transaction that wrote (its changes are
    settled first)."""
    found = breakdown(portfolio_filter)
    if found is None:
        raise ValueError(f"the kept rows do not answer {portfolio_filter!r}")
    dimension, key = found
    settle(session)
    table = portfolio_figures
    row = session.execute(
        sa.select(*summed(table, FIGURE_NAMES, tuple(SUMS.items())))
        .where(table.c.region_id.in_(nodes(portfolio_filter)), *kinds(portfolio_filter),
               table.c.dimension == dimension, table.c.key == key)).one()
    return decoded(row, FIGURE_NAMES, SUMS)


def project_count(session: Session, portfolio_filter) -> int:
    """How many projects the filter selects (``answers`` must hold): ``everything``'s count alone,
    one column summed instead of every figure decoded."""
    if not answers(portfolio_filter):
        raise ValueError(f"the kept rows do not answer {portfolio_filter!r}")
    settle(session)
    table = portfolio_figures
    return int(session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(table.c.projects), 0))
        .where(table.c.region_id.in_(nodes(portfolio_filter)), *kinds(portfolio_filter),
               table.c.dimension == "all", table.c.key == "")) or 0)


def nodes(portfolio_filter) -> list[int] | sa.ScalarSelect:
    """The rows that hold the filter's region with everything under it: its own, or the
    provinces' for the whole portfolio."""
    region = portfolio_filter.region_row() if portfolio_filter.region else None
    if region is not None:
        return [region.id]
    return sa.select(Region.id).where(Region.parent_id.is_(None)).scalar_subquery()


def months_of_years(session: Session, portfolio_filter, first_year: int, last_year: int
                    ) -> dict[tuple[int, int], tuple[Decimal, int, int]]:
    """{(year, month): (Σ 本月完成投资 stated, reports stating it, reports filed)} of the filter's
    projects (``answers`` must hold), from the kept year rows."""
    settle(session)
    table = portfolio_year_figures
    names = tuple(name for month in MONTHS for name in (f"m{month:02d}", f"n{month:02d}", f"r{month:02d}"))
    found: dict[tuple[int, int], tuple[Decimal, int, int]] = {}
    row: tuple[Any, ...]
    for row in session.execute(
            sa.select(table.c.year, *summed(table, names, tuple(YEAR_SCALES.items())))
            .where(table.c.region_id.in_(nodes(portfolio_filter)), *kinds(portfolio_filter, table),
                   table.c.year.between(first_year, last_year))
            .group_by(table.c.year)):
        year, values = row[0], row[1:]
        figures = decoded(values, names, YEAR_SCALES)
        for month in MONTHS:
            found[(int(year), month)] = (figures[f"m{month:02d}"], figures[f"n{month:02d}"],
                                         figures[f"r{month:02d}"])
    return found


# ---- the session's upkeep -----------------------------------------------------------------------

@dataclass
class _Pending:
    seen: set[int] = field(default_factory=set)  # projects whose "before" is taken
    born: list[Project] = field(default_factory=list)  # created here: nothing before
    before: dict = field(default_factory=lambda: defaultdict(dict))
    before_years: dict = field(default_factory=lambda: defaultdict(dict))
    rebuild: bool = False


def _related_ids(obj) -> set[int]:
    state = sa.inspect(obj)
    history = state.attrs.project_id.history
    ids = {value for value in itertools.chain(history.added, history.unchanged, history.deleted)
           if value is not None}
    project_history = state.attrs.project.history
    for project in itertools.chain(project_history.added, project_history.unchanged,
                                   project_history.deleted):
        if project is not None and sa.inspect(project).has_identity:
            ids.add(project.id)
    return ids


def _touched(session: Session, pending: _Pending) -> set[int]:
    ids: set[int] = set()
    # ``session.dirty`` holds every object an attribute was set on, even to the value it had (a
    # re-seed sets each project's unchanged checksum): the flush writes none of those, and taking
    # their "before" would cost a read of their figures each for a delta of nothing.
    changed = (obj for obj in session.dirty if session.is_modified(obj))
    for obj in itertools.chain(session.new, changed, session.deleted):
        if isinstance(obj, Project):
            if sa.inspect(obj).has_identity:
                ids.add(obj.id)
            elif obj not in pending.born:
                pending.born.append(obj)
        elif isinstance(obj, _PARENTS):
            ids |= _related_ids(obj)
        elif isinstance(obj, Region):
            state = sa.inspect(obj)
            if obj in session.deleted or (state.has_identity and (
                    state.attrs.path.history.has_changes()
                    or state.attrs.parent_id.history.has_changes())):
                pending.rebuild = True
    deleted_plans = [obj.id for obj in session.deleted if isinstance(obj, Plan)]
    if deleted_plans:
        ids |= set(session.connection().execute(
            sa.select(project_plans.c.project_id)
            .where(project_plans.c.plan_id.in_(deleted_plans))).scalars())
    return ids


@sa.event.listens_for(Session, "before_flush")
def _take_before(session: Session, _context, _instances) -> None:
    pending = session.info.get(_STATE) or _Pending()
    ids = _touched(session, pending) - pending.seen
    if ids and not pending.rebuild:
        connection = session.connection()
        lock_projects(connection, ids)
        figures, years = project_figures(connection, ids)
        for key, values in figures.items():
            _add(pending.before[key], values)
        for year_key, values in years.items():
            _add(pending.before_years[year_key], values)
    pending.seen |= ids
    if pending.seen or pending.born or pending.rebuild:
        session.info[_STATE] = pending


@sa.event.listens_for(Session, "after_flush_postexec")
def _born_ids(session: Session, _context) -> None:
    pending = session.info.get(_STATE)
    if pending is None:
        return
    for project in pending.born:
        if sa.inspect(project).has_identity:
            pending.seen.add(project.id)  # nothing before this transaction
    pending.born = [project for project in pending.born if not sa.inspect(project).has_identity]


def settle(session: Session) -> None:
    """Add what this transaction changed to the kept rows now (at the latest, before commit)."""
    if session.new or session.dirty or session.deleted:
        session.flush()
    pending: _Pending | None = session.info.pop(_STATE, None)
    if pending is None:
        return
    connection = session.connection()
    if pending.rebuild:
        rebuild(connection)
        return
    if not pending.seen:
        return
    figures, years = project_figures(connection, pending.seen)
    for key, values in pending.before.items():
        _add(figures[key], values, -1)
    for year_key, values in pending.before_years.items():
        _add(years[year_key], values, -1)
    up, up_years = _rolled_up(connection, figures, years)
    _add_rows(connection, portfolio_figures, up)
    _add_rows(connection, portfolio_year_figures, up_years)


@sa.event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    # Not at a savepoint's release (the services write inside savepoints): the region rows are
    # taken once, last, so no project lock is ever asked for while one is held.
    if not session.in_nested_transaction():
        settle(session)


@sa.event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction) -> None:
    if transaction.parent is None:  # the whole transaction ended (committed or rolled back)
        session.info.pop(_STATE, None)
