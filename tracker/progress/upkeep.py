"""Figures derived from milestones and monthly reports, kept current at every flush.

- ``projects.next_milestone_due``: the earliest planned date of a milestone without an actual
  date. The project is 滞后 exactly when that date is before today, so the figure stays right as
  the days pass and the dashboard needs no search through every milestone.
- ``projects.next_milestone_baseline``: the first planned date (baseline) of that milestone, so
  lateness is shown against the baseline and a re-plan cannot hide it.
- ``projects.planned_start`` / ``planned_end``: the 开工 and 竣工验收 milestones' planned dates
  (计划开工, 计划竣工; the earliest, should a project have two): the milestones are the one truth,
  the project's columns a copy for lists, exports and 开工率. ``start_milestone_actual``: the
  开工 milestone's actual date, for 开工率.
- ``projects.funding_line_count``: how many 资金来源 lines the project has.
- ``year_investments``: each project's 本月完成投资 per month, one row per year with reports, for
  the dashboard's year figures.

They are kept by a session event rather than by each service, so every ORM write keeps them: the
progress services, the seed loader, the importer (which goes through the services) and any code
that adds a ``Milestone``, ``MonthlyReport`` or ``FundingLine`` directly. Bulk Core writes compute them themselves
(the demo generator); a bulk UPDATE or DELETE statement on those tables would bypass
them, and nothing in the tracker issues one.

Concurrent writers: before recomputing a project's figures the flush locks the project's row
(PostgreSQL: ``SELECT … FOR NO KEY UPDATE``, the lock its UPDATE takes anyway), and the
recomputing statements run once the lock is granted. Under READ COMMITTED each of them sees every
change committed by a transaction that held the lock before, so two officers changing two
milestones of one project at the same moment cannot leave figures that miss one of the changes.
SQLite has one writer at a time.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from ..projects.models import Project
from ..projects.terms import owes, owes_expression
from ..vocabulary import Stage, Status
from .models import FundingLine, Milestone, MonthlyReport, YearInvestment

MILESTONE_FIELDS = ("project_id", "stage", "planned_date", "actual_date", "baseline_date")
REPORT_FIELDS = ("project_id", "month", "invested_month")
PROJECT_FIELDS = ("next_milestone_due", "next_milestone_baseline", "planned_start", "planned_end",
                  "start_milestone_actual", "funding_line_count")
_EXPIRE = "tracker.upkeep.expire"


def milestone_dates(milestones, status: Status | None = None) -> dict:
    """The project columns kept from a project's milestones (rows or objects with ``stage``,
    ``planned_date``, ``actual_date`` and ``baseline_date``) and its status (which milestones
    it still owes, ``terms.owes``): what the flush computes in SQL, for bulk writers."""
    def first(values):
        values = [value for value in values if value is not None]
        return min(values) if values else None
    starts = [m for m in milestones if m.stage == Stage.START]
    open_ = sorted((m for m in milestones if m.actual_date is None and m.planned_date is not None
                    and owes(status, m.stage)),
                   key=lambda m: m.planned_date)
    return {
        "next_milestone_due": open_[0].planned_date if open_ else None,
        "next_milestone_baseline": open_[0].baseline_date if open_ else None,
        "planned_start": first(m.planned_date for m in starts),
        "planned_end": first(m.planned_date for m in milestones if m.stage == Stage.ACCEPTANCE),
        "start_milestone_actual": first(m.actual_date for m in starts),
    }


def year_investment_rows(project_id: int, reports) -> list[dict]:
    """The ``year_investments`` rows for a project's reports (pairs of month and 本月完成投资)."""
    rows: dict[int, dict] = {}
    for month, amount in reports:
        row = rows.setdefault(month.year, {"project_id": project_id, "year": month.year,
                                           "stated_months": 0, "filed_months": 0,
                                           **{YearInvestment.month_column(m): None for m in range(1, 13)}})
        row[YearInvestment.month_column(month.month)] = amount
        row["filed_months"] |= 1 << (month.month - 1)
    for row in rows.values():
        row["stated_months"] = sum(1 for m in range(1, 13)
                                   if row[YearInvestment.month_column(m)] is not None)
    return [rows[year] for year in sorted(rows)]


def refresh_project_figures(connection: sa.Connection, project_ids) -> None:
    """Recompute the projects' columns derived from their milestones and funding lines."""
    projects, milestones, lines = Project.__table__, Milestone.__table__, FundingLine.__table__

    owed = owes_expression(projects.c.status, milestones.c.stage)

    def earliest(column, *where):
        return (sa.select(sa.func.min(column))
                .where(milestones.c.project_id == projects.c.id, *where).scalar_subquery())

    connection.execute(
        projects.update().where(projects.c.id.in_(sorted(project_ids))).values(
            next_milestone_due=earliest(milestones.c.planned_date, milestones.c.actual_date.is_(None), owed),
            next_milestone_baseline=sa.select(milestones.c.baseline_date)
            .where(milestones.c.project_id == projects.c.id, milestones.c.actual_date.is_(None),
                   milestones.c.planned_date.is_not(None), owed)
            .order_by(milestones.c.planned_date, milestones.c.position, milestones.c.id)
            .limit(1).scalar_subquery(),
            planned_start=earliest(milestones.c.planned_date, milestones.c.stage == Stage.START),
            planned_end=earliest(milestones.c.planned_date, milestones.c.stage == Stage.ACCEPTANCE),
            start_milestone_actual=earliest(milestones.c.actual_date, milestones.c.stage == Stage.START),
            funding_line_count=sa.select(sa.func.count()).select_from(lines)
            .where(lines.c.project_id == projects.c.id).scalar_subquery(),
            updated_at=projects.c.updated_at))  # derived figures, not an edit of the project


def refresh_year_investments(connection: sa.Connection, pairs) -> None:
    """Rewrite the ``year_investments`` rows of these (project id, year) pairs from the reports."""
    table, reports = YearInvestment.__table__, MonthlyReport.__table__
    by_year: dict[int, set[int]] = defaultdict(set)
    for project_id, year in pairs:
        by_year[year].add(project_id)
    for year, project_ids in sorted(by_year.items()):
        ids = sorted(project_ids)
        connection.execute(table.delete().where(table.c.year == year, table.c.project_id.in_(ids)))
        found: dict[int, list] = defaultdict(list)
        reported: Sequence[tuple[int, dt.date, Decimal | None]] = connection.execute(
            sa.select(reports.c.project_id, reports.c.month, reports.c.invested_month)
            .where(reports.c.project_id.in_(ids), reports.c.month >= dt.date(year, 1, 1),
                   reports.c.month < dt.date(year + 1, 1, 1))).all()
        for project_id, month, amount in reported:
            found[project_id].append((month, amount))
        rows = [row for project_id in ids if found[project_id]
                for row in year_investment_rows(project_id, found[project_id])]
        if rows:
            connection.execute(table.insert(), rows)


def lock_projects(connection: sa.Connection, project_ids) -> None:
    if connection.dialect.name == "postgresql":
        projects = Project.__table__
        connection.execute(sa.select(projects.c.id).where(projects.c.id.in_(sorted(project_ids)))
                           .order_by(projects.c.id).with_for_update(key_share=True))


def _values(obj, name: str) -> set:
    """The attribute's value now and before this flush (a milestone may move between projects)."""
    history = sa.inspect(obj).attrs[name].history
    return {value for value in itertools.chain(history.added, history.unchanged, history.deleted)
            if value is not None}


def _changed(obj, names) -> bool:
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _touched(session: Session) -> tuple[set[int], set[tuple[int, int]]]:
    projects: set[int] = set()
    years: set[tuple[int, int]] = set()
    dirty = session.dirty
    for obj in itertools.chain(session.new, dirty, session.deleted):
        if isinstance(obj, Project):  # its status says which milestones it owes
            if obj in dirty and obj.id is not None and _changed(obj, ("status",)):
                projects.add(obj.id)
            continue
        if isinstance(obj, Milestone):
            if obj in dirty and not _changed(obj, MILESTONE_FIELDS):
                continue
            projects |= _values(obj, "project_id")
        elif isinstance(obj, FundingLine):
            if obj in dirty and not _changed(obj, ("project_id",)):
                continue
            projects |= _values(obj, "project_id")
        elif isinstance(obj, MonthlyReport):
            if obj in dirty and not _changed(obj, REPORT_FIELDS):
                continue
            years |= {(project_id, month.year) for project_id in _values(obj, "project_id")
                      for month in _values(obj, "month")}
    return projects, years


@sa.event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context) -> None:
    # The session's new, dirty and deleted lists and the attributes' history still show what this
    # flush wrote; its statements have run.
    projects, years = _touched(session)
    if not projects and not years:
        return
    connection = session.connection()
    lock_projects(connection, projects | {project_id for project_id, _year in years})
    if projects:
        refresh_project_figures(connection, projects)
        session.info.setdefault(_EXPIRE, set()).update(projects)
    if years:
        refresh_year_investments(connection, years)


@sa.event.listens_for(Session, "after_flush_postexec")
def _after_flush_postexec(session: Session, _context) -> None:
    # Loaded projects reload the recomputed columns on their next access.
    for project_id in session.info.pop(_EXPIRE, ()):
        project = session.identity_map.get(identity_key(Project, project_id))
        if project is not None:
            session.expire(project, PROJECT_FIELDS)
