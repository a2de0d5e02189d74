"""What changes month by month: milestones, monthly reports, funding, budget revisions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import overload

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import Base, ExactDecimal, MaybeTimestamp, Money, Percent, Timestamp, code_enum, intpk
from ..core.clock import utcnow
from ..projects.models import Project
from ..projects.terms import owes
from ..vocabulary import FundingSource, Stage


class Milestone(Base):
    """A lifecycle stage (or a custom step) with its planned and actual dates.

    A milestone whose planned date has passed without an actual date makes its project 滞后.
    ``baseline_date`` is the first planned date it was given and ``replan_count`` how often that
    date moved since (kept by an attribute event below, whatever code sets ``planned_date``):
    lateness is measured against the baseline, so a re-plan cannot hide it.
    """

    __tablename__ = "milestones"
    __table_args__ = (
        sa.Index("ix_milestones_overdue", "planned_date", "project_id",
                 sqlite_where=sa.text("actual_date IS NULL"),
                 postgresql_where=sa.text("actual_date IS NULL")),
        # A deleted custom milestone's id is never given to a new one (as funding lines'): the
        # grid, a rename or a deletion page left open on it would otherwise reach the new one.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    stage: Mapped[Stage | None] = mapped_column(code_enum(Stage))
    custom_name: Mapped[str | None] = mapped_column(sa.String(100))
    position: Mapped[int] = mapped_column(default=0)
    planned_date: Mapped[dt.date | None]
    actual_date: Mapped[dt.date | None]
    baseline_date: Mapped[dt.date | None]
    replan_count: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    note: Mapped[str | None] = mapped_column(sa.Text)
    delay_reason: Mapped[str | None] = mapped_column(sa.Text)
    # Provenance for milestones the plans state: [{"file", "line", "quote"}].
    sources: Mapped[list] = mapped_column(sa.JSON, default=list)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    project: Mapped[Project] = relationship(back_populates="milestones")

    @property
    def name(self) -> str:
        return self.stage.label if self.stage else (self.custom_name or "")

    @hybrid_method
    def is_overdue(self, today: dt.date) -> bool:
        """滞后 for one milestone: its planned date has passed without an actual date. The
        project's ``is_late`` reads the earliest such date, kept in ``next_milestone_due``. A
        milestone the project's status says is passed or no longer owed (``terms.owes``: a
        project 取消, 投用, or 竣工 for the stages up to 竣工验收) is not overdue."""
        return (self.actual_date is None and self.planned_date is not None and self.planned_date < today
                and owes(self.project.status if self.project is not None else None, self.stage))

    @is_overdue.inplace.expression  # type: ignore[attr-defined]  # SQLAlchemy types it as the bare function
    @classmethod
    def _is_overdue_expression(cls, today: dt.date):
        return sa.and_(cls.actual_date.is_(None), cls.planned_date.is_not(None),
                       cls.planned_date < today)

    @property
    def committed_date(self) -> dt.date | None:
        """The date lateness counts from: the baseline, or the planned date if that is earlier."""
        return first_commitment(self.planned_date, self.baseline_date)

    @property
    def is_replanned(self) -> bool:
        return bool(self.replan_count) and self.baseline_date is not None

    def days_late(self, today: dt.date) -> int:
        """Days past the baseline without an actual date (0 when not overdue)."""
        committed = self.committed_date
        if committed is None or not self.is_overdue(today):
            return 0
        return (today - committed).days


@overload
def first_commitment(planned: dt.date, baseline: dt.date | None) -> dt.date: ...
@overload
def first_commitment(planned: dt.date | None, baseline: dt.date | None) -> dt.date | None: ...
def first_commitment(planned: dt.date | None, baseline: dt.date | None) -> dt.date | None:
    dates = [day for day in (planned, baseline) if day is not None]
    return min(dates) if dates else None


@sa.event.listens_for(Milestone.planned_date, "set", active_history=True)
def _keep_baseline(milestone: Milestone, value, old, _initiator) -> None:
    """The first planned date is the baseline; every later move of a set date is a re-plan."""
    old = old if isinstance(old, dt.date) else None
    if value is None or value == old:
        return
    if milestone.baseline_date is None:
        milestone.baseline_date = value
    elif old is not None or value != milestone.baseline_date:
        milestone.replan_count = (milestone.replan_count or 0) + 1


class MonthlyReport(Base):
    """One project's report for one month. Submitted reports are locked; a correction raises
    ``revision`` and is audited with the old and new figures."""

    __tablename__ = "monthly_reports"
    __table_args__ = (
        sa.UniqueConstraint("project_id", "month"),
        sa.CheckConstraint("physical_percent >= 0", name="physical_percent_not_negative"),
    )

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"))
    month: Mapped[dt.date] = mapped_column(index=True)  # the first day of the month
    revision: Mapped[int] = mapped_column(default=1)
    progress_text: Mapped[str | None] = mapped_column(sa.Text)  # 形象进度
    physical_percent: Mapped[Percent | None]
    invested_month: Mapped[Money | None]  # 本月完成投资
    invested_year: Mapped[Money | None]  # 本年累计完成投资
    invested_total: Mapped[Money | None]  # 自开工累计完成投资
    funds_received: Mapped[Money | None]  # 资金到位 (cumulative)
    paid: Mapped[Money | None]  # 已支付 (cumulative)
    over_budget_reason: Mapped[str | None] = mapped_column(sa.Text)
    problems: Mapped[str | None] = mapped_column(sa.Text)
    next_steps: Mapped[str | None] = mapped_column(sa.Text)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    submitted_at: Mapped[Timestamp]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    project: Mapped[Project] = relationship()
    photos: Mapped[list[ReportPhoto]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="ReportPhoto.id")


class ReportPhoto(Base):
    """A site photo: the file lives in the instance folder, named by its content hash."""

    __tablename__ = "report_photos"
    # A deleted photo's id is never given to a new one: a deletion page left open on it would
    # otherwise delete the new photo.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[intpk]
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("monthly_reports.id", ondelete="CASCADE"), index=True)
    storage_name: Mapped[str] = mapped_column(sa.String(100))
    original_name: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(50))
    byte_size: Mapped[int]
    width: Mapped[int]
    height: Mapped[int]
    uploaded_at: Mapped[Timestamp]
    # Evidence of when and where, read from the camera's EXIF before it is stripped from the file.
    captured_at: Mapped[MaybeTimestamp | None]
    latitude: Mapped[Decimal | None] = mapped_column(ExactDecimal(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(ExactDecimal(9, 6))

    report: Mapped[MonthlyReport] = relationship(back_populates="photos")


class FundingLine(Base):
    __tablename__ = "funding_lines"
    # A deleted line's id is never given to a new one (SQLite would give the largest id plus one):
    # a correction form still open on the deleted line would otherwise save over the new line,
    # whose version starts at 1 as the deleted one's did. PostgreSQL's sequences never reuse an id.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    source: Mapped[FundingSource] = mapped_column(code_enum(FundingSource), index=True)
    amount: Mapped[Money | None]
    note: Mapped[str | None] = mapped_column(sa.String(200))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    project: Mapped[Project] = relationship()


class BudgetRevision(Base):
    """A 概算调整: every earlier figure stays, with its reason and approval."""

    __tablename__ = "budget_revisions"

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    previous_amount: Mapped[Money | None]
    new_amount: Mapped[Money]
    reason: Mapped[str] = mapped_column(sa.Text)
    approval_number: Mapped[str] = mapped_column(sa.String(100))
    approval_date: Mapped[dt.date]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)

    project: Mapped[Project] = relationship()


class AnnualPlan(Base):
    """年度计划投资: what a project plans to invest in a year, the base of 年度计划完成率."""

    __tablename__ = "annual_plans"
    __table_args__ = (sa.UniqueConstraint("project_id", "year"),)

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(index=True)
    planned_investment: Mapped[Money]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    project: Mapped[Project] = relationship()


class YearInvestment(Base):
    """One project's 本月完成投资 in one year, month by month, as its monthly reports state it.

    Derived data, kept from ``monthly_reports`` at every flush (progress/upkeep.py): a row per
    project and year with at least one report. The dashboard's year figures read one row per
    project instead of every report of the year (100,000 rows instead of 1.2 million).
    ``month_NN`` is NULL when the month has no report or its report states no amount; which
    months have a report is ``filed_months``.
    """

    __tablename__ = "year_investments"

    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, index=True)
    stated_months: Mapped[int] = mapped_column(default=0)  # how many month_NN are not NULL
    # The months with a report, stated amount or not: bit m - 1 for month m (the dashboard's trend
    # counts the reports filed per month from it, not from every report of two years).
    filed_months: Mapped[int] = mapped_column(default=0)
    month_01: Mapped[Money | None]
    month_02: Mapped[Money | None]
    month_03: Mapped[Money | None]
    month_04: Mapped[Money | None]
    month_05: Mapped[Money | None]
    month_06: Mapped[Money | None]
    month_07: Mapped[Money | None]
    month_08: Mapped[Money | None]
    month_09: Mapped[Money | None]
    month_10: Mapped[Money | None]
    month_11: Mapped[Money | None]
    month_12: Mapped[Money | None]

    @staticmethod
    def month_column(month: int) -> str:
        return f"month_{month:02d}"
