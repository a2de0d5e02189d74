from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, aliased, mapped_column, relationship

from ..database import Area, Base, ExactDecimal, Money, Timestamp, code_enum, intpk
from ..core.clock import utcnow
from ..plans.models import Plan
from ..regions.models import Region
from ..vocabulary import BuildNature, Category, Kind, Status, Vocabulary
from .terms import BUILDING_KINDS, DONE_STATUSES, REPORTING_STATUSES, STARTED_STATUSES, owes

if TYPE_CHECKING:
    from ..progress.models import Milestone

project_plans = sa.Table(
    "project_plans",
    Base.metadata,
    sa.Column("project_id", sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("plan_id", sa.ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True,
              index=True),
)

# Every pair of adjacent characters of each project's search text: the index that answers a
# search of two characters (projects/search.py keeps it). The primary key, gram first, is the
# index a search reads; the second index serves rewriting one project's grams. Each row also
# carries its project's kind and the figures the list's totals sum (GRAM_FIGURES, copied at every
# flush), so the totals of a two-character search read one range of ``ix_project_search_grams_totals``
# instead of fetching each matching project (issue 19; benchmarks/NOTES.md).
GRAM_FIGURES = ("total_investment", "invested_to_date", "floor_area_m2", "beds", "new_beds")
# And whether its 总投资 and 建筑面积 are 约, counted beside the totals (the count from the projects
# was 14 of a two-character search's 34 ms of SQL on PostgreSQL at 100,000 projects).
GRAM_FLAGS = ("total_investment_approx", "floor_area_approx")
GRAM_COPIED = ("kind", *GRAM_FIGURES, *GRAM_FLAGS)
search_grams = sa.Table(
    "project_search_grams",
    Base.metadata,
    sa.Column("gram", sa.String(2), primary_key=True),
    sa.Column("project_id", sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True,
              index=True),
    sa.Column("kind", sa.String(32), nullable=False),  # the Kind's code, as kept figures hold it
    sa.Column("total_investment", ExactDecimal(18, 4)),
    sa.Column("invested_to_date", ExactDecimal(18, 4)),
    sa.Column("floor_area_m2", ExactDecimal(14, 2)),
    sa.Column("beds", sa.Integer),
    sa.Column("new_beds", sa.Integer),
    sa.Column("total_investment_approx", sa.Boolean, nullable=False, default=False, server_default=sa.false()),
    sa.Column("floor_area_approx", sa.Boolean, nullable=False, default=False, server_default=sa.false()),
    sa.Index("ix_project_search_grams_totals", "gram", "kind", *GRAM_FIGURES, *GRAM_FLAGS),
)

# The list's sorts (portfolio/filters.py SORTS) each read their order from an index, both ways:
# the order is (column, id) ascending and (column DESC NULLS LAST, id) descending, so the first
# page is the index's first rows, never a sort of the filtered table (issue 19);
# the region order reads regions' key index, then each region's projects in id order
# (ix_projects_sort_region); the plan order reads the kept ``plan_key``. The ascending index of a
# column also serves every filter on it: no single-column index beside it (one fewer to keep,
# and PostgreSQL cannot take it with an Incremental Sort over a whole category instead).
SORTED_COLUMNS = ("name", "category", "build_nature", "status", "total_investment", "floor_area_m2",
                  "beds", "new_beds", "invested_to_date", "last_report_month", "plan_key")


NOT_NULL_SORTED = ("name", "category")  # the list orders these without NULLS LAST

# portfolio/queries.py: _totals sums these over the filtered projects on every list page,
# computed fresh (issue 19); the leading columns are the filters a list most often has, and id
# (which PostgreSQL counts and the region and search filters test) makes it an index-only scan.
TOTALS_INDEX = ("kind", "status", "region_id", "total_investment", "invested_to_date",
                "floor_area_m2", "beds", "new_beds", "id")


# The columns of a vocabulary sort in the vocabulary's order (状态 along the lifecycle: 储备, 前期,
# 在建, 竣工, 投用, 停缓建, 取消), not by their stored codes ("cancelled" < "completed" < …, an
# order that means nothing in either language). Their ascending (column, id) index stays, for the
# filters on the column; both orders are read from indexes on ``vocabulary_order``.
VOCABULARY_SORTS = {"category": Category, "build_nature": BuildNature, "status": Status}


def vocabulary_order(column: sa.ColumnElement[Any] | sa.orm.QueryableAttribute[Any],
                     vocabulary: type[Vocabulary]) -> sa.ColumnElement[int]:
    """A vocabulary column's place in its vocabulary (0, 1, …; NULL when unknown; a code the
    vocabulary no longer has after every other). Written with literal constants, never bound
    parameters: a database reads an order from an index on an expression only when the query's
    expression is the index's own."""
    places: dict[Any, Any] = {sa.literal_column(f"'{member.value}'"): sa.literal_column(str(place), sa.Integer())
              for place, member in enumerate(vocabulary)}
    return sa.case(places, value=column, else_=sa.case(
        (column.is_not(None), sa.literal_column(str(len(places)), sa.Integer()))))


def sort_indexes(column: str) -> tuple[sa.Index, ...]:
    """The ascending and the descending index of one sortable column (the migration builds the
    descending one as plain DESC on SQLite, where DESC already puts NULL last)."""
    ordered: sa.ColumnElement = sa.column(column)
    name = f"ix_projects_sort_{column}"
    filtering: tuple[sa.Index, ...] = ()
    if column in VOCABULARY_SORTS:
        ordered = vocabulary_order(ordered, VOCABULARY_SORTS[column])
        filtering, name = (sa.Index(name, column, "id"),), f"ix_projects_order_{column}"
    descending: sa.ColumnElement = sa.desc(ordered)
    if column not in NOT_NULL_SORTED:
        descending = descending.nulls_last()
    return (*filtering, sa.Index(name, ordered, "id"), sa.Index(f"{name}_desc", descending, "id"))


class Project(Base):
    """A construction project (or a programme, platform or award, kept apart by ``kind``).

    Every figure is nullable: a figure nobody stated is unknown, never zero. Each measured figure
    has an ``*_approx`` flag for the plans' 约. ``version`` is checked on every UPDATE, so a save
    based on a stale read fails instead of overwriting another officer's change.
    """

    __tablename__ = "projects"
    __table_args__ = (
        *(index for column in SORTED_COLUMNS for index in sort_indexes(column)),
        sa.Index("ix_projects_sort_region", "region_id", "id"),
        # The list's totals row (count, sums and their coverage) read from this index alone, not
        # from the projects' wide rows: the filters it answers first, then every summed figure.
        sa.Index("ix_projects_totals", *TOTALS_INDEX),
        # Free-text search (LIKE '%…%') through trigrams on PostgreSQL; SQLite cannot index a
        # LIKE with a leading wildcard, so there the index is an empty placeholder (WHERE 0).
        sa.Index("ix_projects_search_text_trgm", "search_text", postgresql_using="gin",
                 postgresql_ops={"search_text": "gin_trgm_ops"}, sqlite_where=sa.text("0")),
        # A deleted project's id is never given to a new one (migration b8d2f4a6c1e3).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(sa.String(200))
    project_code: Mapped[str | None] = mapped_column(sa.String(24), unique=True)
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"))  # ix_projects_sort_region
    kind: Mapped[Kind] = mapped_column(code_enum(Kind))  # indexed first in ix_projects_totals
    category: Mapped[Category] = mapped_column(code_enum(Category))
    build_nature: Mapped[BuildNature | None] = mapped_column(code_enum(BuildNature))
    build_nature_term: Mapped[str | None] = mapped_column(sa.String(50))
    location: Mapped[str | None] = mapped_column(sa.String(200))
    owner_unit: Mapped[str | None] = mapped_column(sa.String(200))
    supervising_department: Mapped[str | None] = mapped_column(sa.String(200))

    land_area_mu: Mapped[Area | None]
    land_area_approx: Mapped[bool] = mapped_column(default=False)
    floor_area_m2: Mapped[Area | None]
    floor_area_approx: Mapped[bool] = mapped_column(default=False)
    floor_area_term: Mapped[str | None] = mapped_column(sa.String(50))
    beds: Mapped[int | None]
    new_beds: Mapped[int | None]

    # 总投资 as approved or as the plan states it; 概算 revisions change current_estimate.
    total_investment: Mapped[Money | None] = mapped_column()
    total_investment_approx: Mapped[bool] = mapped_column(default=False)
    current_estimate: Mapped[Money | None]
    # 自开工累计完成投资 of the latest monthly report, kept by the report service so that
    # portfolio totals are one SUM over projects.
    invested_to_date: Mapped[Money | None]
    last_report_month: Mapped[dt.date | None] = mapped_column()
    # The smallest key of the project's plans (None without a plan): the list's 所属规划 order,
    # read from its index. Kept by services.link_plan/unlink_plan; the demo generator writes it.
    plan_key: Mapped[str | None] = mapped_column(sa.String(64))
    # Kept from the milestones at every flush (progress/upkeep.py), so that the dashboard reads
    # 滞后 and 已开工 from the project instead of searching all milestones: the earliest planned
    # date of a milestone not yet done (the project is late once that date has passed, whatever
    # today is), that milestone's baseline (its first planned date: lateness counts from it),
    # and the 开工 milestone's actual date (the earliest, if several), for 开工率.
    next_milestone_due: Mapped[dt.date | None] = mapped_column(index=True)
    next_milestone_baseline: Mapped[dt.date | None]
    start_milestone_actual: Mapped[dt.date | None]
    # How many 资金来源 lines the project has (kept the same way).
    funding_line_count: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))

    scope: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[Status | None] = mapped_column(code_enum(Status))
    # 计划开工 / 计划竣工: the planned dates of the 开工 and 竣工验收 milestones, kept from them at
    # every flush (progress/upkeep.py) like the figures above. The milestones are the one truth:
    # the project form and the import write these dates through progress.services.set_planned_dates.
    planned_start: Mapped[dt.date | None]
    planned_end: Mapped[dt.date | None]

    # Lower-cased name and aliases, for free-text search without a join.
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    # The seed record this project came from, and a hash of it as last loaded.
    seed_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    seed_checksum: Mapped[str | None] = mapped_column(sa.String(64))

    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[Timestamp]
    updated_at: Mapped[Timestamp] = mapped_column(onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}

    region: Mapped[Region] = relationship()
    plans: Mapped[list[Plan]] = relationship(secondary=project_plans, order_by=Plan.key)
    aliases: Mapped[list[ProjectAlias]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="ProjectAlias.id")
    sources: Mapped[list[SourceMention]] = relationship(
        back_populates="project", cascade="all, delete-orphan",
        order_by="[SourceMention.plan_id, SourceMention.line]")
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="project", cascade="all, delete-orphan",
        order_by="[Milestone.position, Milestone.id]")

    def __repr__(self) -> str:
        return f"<Project {self.id} {self.name}>"

    # ---- the business terms (projects/terms.py): one definition, in Python and in SQL ----------

    @hybrid_property
    def is_building(self) -> bool:
        """建设类项目: of the construction portfolio's kinds (工程建设, 设备购置)."""
        return self.kind in BUILDING_KINDS

    @is_building.inplace.expression
    @classmethod
    def _is_building_expression(cls):
        return cls.kind.in_(BUILDING_KINDS)

    @hybrid_property
    def is_over_estimate(self) -> bool:
        """超概算: the current estimate above the approved total (both stated)."""
        return (self.current_estimate is not None and self.total_investment is not None
                and self.current_estimate > self.total_investment)

    @is_over_estimate.inplace.expression
    @classmethod
    def _is_over_estimate_expression(cls):
        return sa.and_(cls.current_estimate.is_not(None), cls.total_investment.is_not(None),
                       cls.current_estimate > cls.total_investment)

    @hybrid_property
    def has_investment_rate(self) -> bool:
        """投资完成率 can be taken: 累计完成投资 stated and 总投资 above 0 (nothing divides by 0). The
        list's totals and the dashboard's headline sum their rate over these projects alike."""
        return (self.invested_to_date is not None and self.total_investment is not None
                and self.total_investment > 0)

    @has_investment_rate.inplace.expression
    @classmethod
    def _has_investment_rate_expression(cls):
        return sa.and_(cls.invested_to_date.is_not(None), cls.total_investment > 0)

    @hybrid_property
    def has_approximate_figure(self) -> bool:
        """约: its 总投资 or its 建筑面积 is an approximation (a total that sums it says so)."""
        return bool(self.total_investment_approx or self.floor_area_approx)

    @has_approximate_figure.inplace.expression
    @classmethod
    def _has_approximate_figure_expression(cls):
        return sa.or_(cls.total_investment_approx.is_(True), cls.floor_area_approx.is_(True))

    @hybrid_property
    def has_started(self) -> bool:
        """已开工: the 开工 milestone has an actual date, or the status is 在建, 竣工 or 投用."""
        return self.start_milestone_actual is not None or self.status in STARTED_STATUSES

    @has_started.inplace.expression
    @classmethod
    def _has_started_expression(cls):
        return sa.or_(cls.start_milestone_actual.is_not(None),
                      sa.and_(cls.status.is_not(None), cls.status.in_(STARTED_STATUSES)))

    @hybrid_method
    def planned_to_start_by(self, year_end: dt.date) -> bool:
        """开工率's denominator: 计划开工 by ``year_end``, and not 取消 (a cancelled project was
        counted "计划开工 2 个，未开工 2 个": it will never start, and is not behind)."""
        return (self.planned_start is not None and self.planned_start <= year_end
                and self.status is not Status.CANCELLED)

    @planned_to_start_by.inplace.expression  # type: ignore[attr-defined]  # SQLAlchemy types it as the bare function
    @classmethod
    def _planned_to_start_by_expression(cls, year_end: dt.date):
        return sa.and_(cls.planned_start <= year_end,
                       sa.or_(cls.status.is_(None), cls.status != Status.CANCELLED))

    @hybrid_property
    def is_done(self) -> bool:
        """已竣工: 竣工 or 投用."""
        return self.status in DONE_STATUSES

    @is_done.inplace.expression
    @classmethod
    def _is_done_expression(cls):
        return sa.and_(cls.status.is_not(None), cls.status.in_(DONE_STATUSES))

    @hybrid_property
    def is_continued(self) -> bool:
        """续建: the project stands in a plan of a later period than another of its plans (one
        project, two plan links: what carry-over, or a candidate merged into it, writes)."""
        return bool(self.carry_overs)

    @is_continued.inplace.expression
    @classmethod
    def _is_continued_expression(cls):
        return cls.id.in_(continued_project_ids())

    @property
    def carry_overs(self) -> list[tuple[Plan, Plan]]:
        """(from, into) for each plan the project was carried into: from the plans of the latest
        period that ended before it began (a 十四五 project continued in a 十五五 plan)."""
        dated = [(plan, plan.period_start, plan.period_end) for plan in self.plans
                 if plan.period_start is not None and plan.period_end is not None]
        pairs = []
        for later, later_start, _end in sorted(dated, key=lambda item: (item[1], item[0].key)):
            before = [(plan, end) for plan, _start, end in dated if end < later_start]
            last_end = max((end for _plan, end in before), default=None)
            pairs += [(plan, later) for plan, end in before if end == last_end]
        return pairs

    def unrecorded_since_begun(self, today: dt.date, stage=None) -> Milestone | None:
        """Of a project whose status says it has begun (在建, 竣工, 投用), the earliest milestone
        (of ``stage``, when given) whose planned date has passed with no actual date: what makes
        a project entered mid-construction 滞后 at once (the form and the sheet ask no actual
        start). The form after a save and an import's preview say so."""
        if self.status not in STARTED_STATUSES:
            return None
        # Only a stage the status says is passed (``terms.owes``): a project 在建 past its planned
        # 竣工验收 is 滞后 for it, and asking for its actual date would ask to record a completion
        # that has not happened.
        due = [(m.planned_date, m.id or 0, m) for m in self.milestones
               if m.actual_date is None and m.planned_date is not None and m.planned_date < today
               and m.stage is not None and not owes(self.status, m.stage)
               and (stage is None or m.stage is stage)]
        return min(due, key=lambda item: item[:2])[2] if due else None

    @hybrid_method
    def is_late(self, today: dt.date) -> bool:
        """滞后: a milestone's planned date has passed without an actual date. The project keeps
        the earliest such date (``next_milestone_due``, progress/upkeep.py): one indexed column."""
        return self.next_milestone_due is not None and self.next_milestone_due < today

    @is_late.inplace.expression  # type: ignore[attr-defined]  # SQLAlchemy types it as the bare function
    @classmethod
    def _is_late_expression(cls, today: dt.date):
        return sa.and_(cls.next_milestone_due.is_not(None), cls.next_milestone_due < today)

    @hybrid_method
    def owes_report(self, month: dt.date) -> bool:
        """本月未报 (for ``month``, its first day): a building project 在建 or 停缓建 whose latest
        monthly report is older than ``month``, or that has none."""
        return (self.kind in BUILDING_KINDS and self.status in REPORTING_STATUSES
                and (self.last_report_month is None or self.last_report_month < month))

    @owes_report.inplace.expression  # type: ignore[attr-defined]  # SQLAlchemy types it as the bare function
    @classmethod
    def _owes_report_expression(cls, month: dt.date):
        return sa.and_(cls.kind.in_(BUILDING_KINDS), cls.status.is_not(None),
                       cls.status.in_(REPORTING_STATUSES),
                       sa.or_(cls.last_report_month.is_(None), cls.last_report_month < month))

    def days_late(self, today: dt.date) -> int:
        """Days since the earliest commitment of a milestone not done, when the project is 滞后."""
        if not self.is_late(today):
            return 0
        due, base = self.next_milestone_due, self.next_milestone_baseline
        assert due is not None
        return (today - (min(due, base) if base else due)).days

    @property
    def investment_rate(self) -> Decimal | None:
        if not self.has_investment_rate:
            return None
        assert self.invested_to_date is not None and self.total_investment is not None
        return self.invested_to_date / self.total_investment


# 超概算's list (its count is kept: portfolio/kept.py) reads the few projects over their estimate
# from these partial indexes: a region's by region, the whole portfolio's (or a province's) in the
# list's own order, the largest excess first, stopping at the list's 50 rows (it read and sorted
# all 5,000 of 100,000 projects, 12 ms of the country's dashboard on PostgreSQL).
OVERRUN = Project.current_estimate - Project.total_investment
sa.Index("ix_projects_over_estimate", Project.region_id, Project.id,
         postgresql_where=Project.current_estimate > Project.total_investment,
         sqlite_where=Project.current_estimate > Project.total_investment)
sa.Index("ix_projects_overrun", OVERRUN.desc(), Project.id,
         postgresql_where=Project.current_estimate > Project.total_investment,
         sqlite_where=Project.current_estimate > Project.total_investment)


# How many of a total's figures are 约 (portfolio/queries.approximate): the few projects with an
# approximate figure, read from this partial index with what a list is filtered by most (region,
# kind, status) and what is counted, never from the table.
APPROXIMATE_INDEX = ("region_id", "kind", "status", "total_investment_approx", "floor_area_approx",
                     "total_investment", "floor_area_m2")
sa.Index("ix_projects_approximate", *(getattr(Project, name) for name in APPROXIMATE_INDEX),
         postgresql_where=Project.has_approximate_figure, sqlite_where=Project.has_approximate_figure)


class ProjectAlias(Base):
    __tablename__ = "project_aliases"
    __table_args__ = (sa.UniqueConstraint("project_id", "name"),)

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))

    project: Mapped[Project] = relationship(back_populates="aliases")


class SourceMention(Base):
    """Where a plan document names or describes a project: the line and the exact words."""

    __tablename__ = "source_mentions"
    __table_args__ = (sa.UniqueConstraint("project_id", "plan_id", "line", "quote"),)

    id: Mapped[intpk]
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    line: Mapped[int]
    quote: Mapped[str] = mapped_column(sa.Text)
    # The attributes this quote supports, e.g. ["total_investment"].
    fields: Mapped[list] = mapped_column(sa.JSON, default=list)

    project: Mapped[Project] = relationship(back_populates="sources")
    plan: Mapped[Plan] = relationship()


def continued_project_ids() -> sa.Select[tuple[int]]:
    """The ids of the projects 续建 (``Project.is_continued``): linked to a plan that begins after
    another of their plans ended. Read from the later link, and only from the plans that begin
    after the earliest plan ends (the later periods' few): asked of every project instead, the
    list filtered by 续建 read the whole portfolio (0.5 s on SQLite at 100,000 projects)."""
    earlier_link, later_link = project_plans.alias("earlier_link"), project_plans.alias("later_link")
    earlier, later = aliased(Plan), aliased(Plan)
    first_end = sa.select(sa.func.min(Plan.period_end)).scalar_subquery()
    return (sa.select(later_link.c.project_id)
            .join(later, later.id == later_link.c.plan_id)
            .where(later.period_start > first_end,
                   sa.exists().where(earlier_link.c.project_id == later_link.c.project_id,
                                     earlier.id == earlier_link.c.plan_id,
                                     earlier.period_end < later.period_start)))
