"""A portfolio filter: what the query string of a list, a dashboard or an export selects.

One object builds the WHERE clause for the list, its totals row and every export, so the same
filter always gives the same projects and the same sums.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from ..core.values import clean_text
from ..core import clock
from ..core.translation import aside, labelled
from ..extensions import db
from ..plans.models import Plan
from ..progress.models import FundingLine, Milestone
from ..projects import search
from ..projects.models import Project, continued_project_ids, project_plans, vocabulary_order
from ..projects.terms import owes_expression
from ..regions.models import Region
from ..vocabulary import UNKNOWN, BuildNature, Category, FundingSource, Kind, Status

NOT_NULL_SORTS = {"name", "region", "category"}
# Sorts whose order tells the amounts apart: not offered where money is hidden from the reader.
MONEY_SORTS = {"investment", "invested"}
# No code, key or search a person types is longer; a longer value is cut, not stored anywhere.
MAX_FILTER_LENGTH = 200
# What a yes/no filter accepts; anything else is a mistake the list says, not a silent "no".
YES, NO = ("1", "true", "on", "yes"), ("0", "false", "off", "no")
# 已开工, 本月未报, 超概算 and 滞后 are the project's terms (tracker/projects/terms.py), used below
# as the dashboard uses them, so a figure and the list it opens count the same projects.
DUE_SOON_DAYS = 30
# 开工率's two parts, each a list: planned to start by the end of ``start_by`` (a year; this year
# when not given), and of those the started and the not yet started.
START_CHOICES = ("planned", "started", "not_started")

SORTS: dict[str, sa.orm.QueryableAttribute[Any] | sa.ColumnElement[Any]] = {
    "name": Project.name,
    "region": Region.key,
    # In the vocabulary's order (状态 along the lifecycle), not by the stored codes.
    "category": vocabulary_order(Project.category, Category),
    "build_nature": vocabulary_order(Project.build_nature, BuildNature),
    "status": vocabulary_order(Project.status, Status),
    "investment": Project.total_investment,
    "floor_area": Project.floor_area_m2,
    "beds": Project.beds,
    "new_beds": Project.new_beds,
    "invested": Project.invested_to_date,
    "last_report": Project.last_report_month,
    "plan": Project.plan_key,  # the smallest key of its plans, kept at write time
}


@dataclass(frozen=True)
class Condition:
    """One condition of a filter in words: its field, its label and its value (None for a
    condition that is on or off, such as 滞后), and the fields removed with it."""
    name: str
    label: str
    value: str | None = None
    also: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return self.label if self.value is None else labelled(self.label, self.value)


@dataclass(frozen=True)
class PortfolioFilter:
    region: str | None = None
    plan: str | None = None
    period: str | None = None  # "2026-2030" or "十五五": projects of a plan within that period
    status: str | None = None
    category: str | None = None
    build_nature: str | None = None
    kind: str | None = None  # None: the construction portfolio; "all": every kind
    q: str | None = None
    late: bool = False
    funding: str | None = None  # projects with a funding line of this 资金来源 (dashboard drill-down)
    # The dashboard's figures, each a list of its own (issue 18): 超概算, 开工率's parts, 本月未报
    # and a milestone due within 30 days.
    over_estimate: bool = False
    start: str | None = None
    start_by: str | None = None
    unreported: bool = False
    due_soon: bool = False
    continued: bool = False  # 续建: carried from an earlier period's plan
    sort: str = "region"
    order: str = "asc"

    @classmethod
    def from_args(cls, args) -> PortfolioFilter:
        values: dict[str, Any] = {}  # each field's str or bool
        bad = []
        for item in fields(cls):
            # A blank is a filter not given, as the form's empty choice is: "?kind=%20" is the
            # construction portfolio, not a kind named " ". Controls, bidi overrides and
            # zero-width characters go (a query string is input like any other); a code made of
            # nothing else is no code of any vocabulary, and ``problems`` refuses it.
            raw = args.get(item.name)
            if raw is None or not raw.strip():
                continue
            value = clean_text(raw)
            if value is None:
                if item.name == "q":
                    continue  # searching for nothing visible is no search
                value = raw.strip()
            if item.type in ("bool",):
                values[item.name] = value.lower() in YES
                if value.lower() not in YES + NO:
                    bad.append((item.name, value[:40]))
            else:
                values[item.name] = value[:MAX_FILTER_LENGTH]
        made = cls(**values)
        object.__setattr__(made, "_bad_flags", tuple(bad))  # not a field: said by problems()
        return made

    def to_args(self, **overrides) -> dict:
        """The query-string arguments that reproduce this filter (defaults left out)."""
        # Called for every row's links: plain getattr, not asdict() (which deep-copies).
        values = {item.name: getattr(self, item.name) for item in fields(self)}
        values.update(overrides)
        return {key: ("1" if value is True else value) for key, value in values.items()
                if value != _DEFAULTS[key] and value not in (None, False, "")}

    def problems(self) -> list[str]:
        return [message for messages in self.problems_by_field().values() for message in messages]

    def problems_by_field(self) -> dict[str, list[str]]:
        """What is wrong with the filter, under the name of each argument at fault (the API's 422
        names them as it does a body's fields; the pages list the messages)."""
        found: dict[str, list[str]] = {}

        def add(name: str, message: str) -> None:
            found.setdefault(name, []).append(message)
        if self.region and self.region_row() is None:
            add("region", _("没有行政区划代码为 %(code)s 的地区", code=self.region))
        if self.plan and self.plan != UNKNOWN and self.plan_row() is None:
            add("plan", _("没有编号为 %(key)s 的规划", key=self.plan))
        if self.period and self.period_years() is None:
            add("period", _("规划期应写作“2026-2030”或“十五五”：%(value)s", value=self.period))
        for name, vocabulary, extra in (("status", Status, {UNKNOWN}), ("category", Category, set()),
                                        ("build_nature", BuildNature, {UNKNOWN}),
                                        ("kind", Kind, {"all"}), ("funding", FundingSource, set())):
            value = getattr(self, name)
            if value and value not in {m.value for m in vocabulary} | extra:
                add(name, _("筛选条件 %(name)s 的值无效：%(value)s", name=name, value=value))
        for name, value in self.__dict__.get("_bad_flags", ()):
            add(name, _("筛选条件 %(name)s 的值无效：%(value)s（应为 1 或 0）", name=name, value=value))
        if self.start and self.start not in START_CHOICES:
            add("start", _("筛选条件 %(name)s 的值无效：%(value)s", name="start", value=self.start))
        if self.start_by and self.start_by_year is None:
            add("start_by", _("年份无效：%(value)s", value=self.start_by[:20]))
        return found

    def chips(self) -> list[tuple[str, dict]]:
        """What this filter selects, in words, each with the arguments of the list without it:
        the list shows them as chips a reader removes one by one."""
        return [(condition.text, self.to_args(**{name: None for name in (condition.name, *condition.also)}))
                for condition in self.in_words()]

    def in_words(self) -> list[Condition]:
        """Every condition this filter sets, in the reader's words: the list's chips, the
        dashboard's and the briefing's 范围, an export's 筛选条件 all read them here (an export
        printed "period 2026-2030" and the briefing left its period out when each had its own)."""
        words: list[Condition] = []
        if self.region:
            region = self.region_row()
            words.append(Condition("region", _("地区"), region.full_name if region else self.region))
        if self.plan == UNKNOWN:
            words.append(Condition("plan", _("规划"), _("未关联规划")))
        elif self.plan:
            plan = self.plan_row()
            words.append(Condition("plan", _("规划"), plan.title if plan else self.plan))
        if self.period:
            from ..plans.services import period_label
            years = self.period_years()
            if years:
                name = period_label(*years)
                span = f"{years[0]}—{years[1]}"
                words.append(Condition("period", _("规划期"), f"{name}{aside([span])}" if name else span))
            else:
                words.append(Condition("period", _("规划期"), self.period))
        for name, vocabulary, title in (("status", Status, _("状态")), ("category", Category, _("类别")),
                                        ("build_nature", BuildNature, _("建设性质")),
                                        ("funding", FundingSource, _("资金来源")),
                                        ("kind", Kind, _("项目类型"))):
            value = getattr(self, name)
            if not value:
                continue
            labels = {member.value: member.label for member in vocabulary}
            text = (_("未填报") if value == UNKNOWN else _("全部") if value == "all"
                    else labels.get(value, value))
            words.append(Condition(name, title, str(text)))
        if self.q:
            words.append(Condition("q", _("关键词"), self.q))
        if self.late:
            words.append(Condition("late", _("滞后")))
        if self.over_estimate:
            words.append(Condition("over_estimate", _("超概算")))
        if self.start in START_CHOICES:
            year = self.start_by_year or clock.today().year
            text = {"planned": _("计划 %(year)s 年底前开工", year=year),
                    "started": _("计划 %(year)s 年底前开工且已开工", year=year),
                    "not_started": _("计划 %(year)s 年底前开工而未开工", year=year)}[self.start]
            words.append(Condition("start", text, also=("start_by",)))
        if self.unreported:
            words.append(Condition("unreported", _("本月未报")))
        if self.due_soon:
            words.append(Condition("due_soon", _("%(days)s 天内有节点到期", days=DUE_SOON_DAYS)))
        if self.continued:
            words.append(Condition("continued", _("续建")))
        return words

    @property
    def start_by_year(self) -> int | None:
        """``start_by`` as a year (1949-2100), None when it is not one."""
        raw = self.start_by or ""
        if raw.isascii() and raw.isdigit() and len(raw) == 4 and 1949 <= int(raw) <= 2100:
            return int(raw)
        return None

    def region_row(self) -> Region | None:
        if not self.region:
            return None
        # Asked for by the checks, the totals, the page and the heading of one request: loaded
        # once per filter object (a request's; not a field, so not part of equality or hashing).
        session = db.session()
        loaded = self.__dict__.get("_region_row")
        if loaded is not None and loaded[0] is session:
            return loaded[1]
        region = session.scalar(sa.select(Region).where(Region.key == self.region))
        if region is not None:
            # Its ancestors (the keys in its path) in one statement, held beside it (the session
            # holds objects weakly), so that the heading's ``Region.full_name`` finds each parent
            # in the session instead of loading it by a statement of its own.
            above = [key for key in region.path.strip("/").split("/") if key != region.key]
            ancestors = session.scalars(sa.select(Region).where(Region.key.in_(above))).all() if above else []
            object.__setattr__(self, "_region_row", (session, region, ancestors))
        return region

    def plan_row(self) -> Plan | None:
        if not self.plan:
            return None
        return db.session.scalar(sa.select(Plan).where(Plan.key == self.plan))

    def period_years(self) -> tuple[int, int] | None:
        from ..plans.services import parse_period
        from ..errors import ValidationFailed
        try:
            return parse_period(self.period)
        except ValidationFailed:
            return None

    def id_sets(self) -> list[sa.Select[tuple[int]]]:
        """The conditions of this filter that are a set of project ids read from another table:
        a plan's projects, a period's, a funding source's, the 续建, a two-character search's holders.
        queries.py may find a page near either end by walking the list's order and keeping the
        ids in them, where the database would gather a broad set whole and sort it (the 十四五
        period when every plan is 十四五's: 0.4 s on SQLite at 100,000 projects)."""
        holders = self.search_holders
        return self._linked_sets() + ([holders] if holders is not None else [])

    def _linked_sets(self) -> list[sa.Select[tuple[int]]]:
        sets = []
        if self.plan and self.plan != UNKNOWN:
            sets.append(sa.select(project_plans.c.project_id).join(Plan).where(Plan.key == self.plan))
        if self.period:
            # A plan whose years lie within the period is of it: a year's 工作要点 (2021—2021)
            # is 十四五's as much as the five-year plan is.
            start, end = self.period_years() or (0, 0)
            sets.append(sa.select(project_plans.c.project_id).join(Plan)
                        .where(Plan.period_start >= start, Plan.period_end <= end))
        if self.funding:
            sets.append(sa.select(FundingLine.project_id).where(FundingLine.source == self.funding))
        if self.continued:
            sets.append(continued_project_ids())  # Project.is_continued
        return sets

    def conditions(self, today: dt.date | None = None, *, sets: bool = True) -> list:
        """The WHERE clauses over ``Project`` this filter stands for; without its ``id_sets``
        when not ``sets`` (queries.py then keeps the ids in them from a walk of the order)."""
        clauses: list[sa.ColumnExpressionArgument[bool]] = []
        if self.region:
            region = self.region_row()
            path = region.path if region else "/no-such-region/"
            clauses.append(Project.region_id.in_(
                sa.select(Region.id).where(Region.path.startswith(path, autoescape=True))))
        if sets:
            clauses += [Project.id.in_(ids) for ids in self._linked_sets()]
        if self.plan == UNKNOWN:  # linked to no plan: no smallest plan key kept
            clauses.append(Project.plan_key.is_(None))
        for name, column in (("status", Project.status), ("build_nature", Project.build_nature)):
            value = getattr(self, name)
            if value == UNKNOWN:
                clauses.append(column.is_(None))
            elif value:
                clauses.append(column == value)
        if self.category:
            clauses.append(Project.category == self.category)
        if self.kind is None:
            clauses.append(Project.is_building)
        elif self.kind != "all":
            clauses.append(Project.kind == self.kind)
        if self.q and (sets or self.search_holders is None):
            # Words apart are each found ("康塘 医院": both, anywhere; it was one phrase, found nowhere).
            clauses += [search.matches(term) for term in self.search_terms]
        today = today or clock.today()
        if self.late:
            clauses.append(Project.is_late(today))
        if self.over_estimate:
            clauses.append(Project.is_over_estimate)
        if self.start in START_CHOICES:
            year_end = dt.date(self.start_by_year or today.year, 12, 31)
            planned = Project.planned_to_start_by(year_end)  # 开工率's denominator, as the dashboard's
            clauses.append(planned if self.start == "planned" else
                           sa.and_(planned, Project.has_started) if self.start == "started" else
                           sa.and_(planned, sa.not_(Project.has_started)))
        if self.unreported:
            clauses.append(Project.owes_report(today.replace(day=1)))
        if self.due_soon:
            clauses.append(due_soon_condition(today))
        return clauses

    @property
    def search_terms(self) -> list[str]:
        """The words of ``q`` as search compares them (``search.searchable``; spaces, full-width
        ones too, separate them)."""
        return search.searchable(self.q or "").replace("\u3000", " ").split()

    @property
    def search_holders(self) -> sa.Select[tuple[int]] | None:
        """The ids of the projects the search selects, when the bigram index alone answers it
        (one word, of two characters)."""
        terms = self.search_terms
        return search.holders(terms[0]) if len(terms) == 1 else None

    @property
    def sort_key(self) -> str:
        """The sort in effect: an unknown ``sort`` sorts by region, as the list does."""
        return self.sort if self.sort in SORTS else "region"

    def without_money_sorts(self) -> PortfolioFilter:
        """This filter for a reader from whom money is hidden: a sort by an amount (and the seek
        values its page links would carry) would give the amounts away, so it sorts by region."""
        if self.sort_key not in MONEY_SORTS:
            return self
        return replace(self, sort="region", order="asc")

    @property
    def descending(self) -> bool:
        return self.order == "desc"

    def order_by(self, reverse: bool = False, sort: sa.ColumnElement | None = None,
                 id_column: sa.ColumnElement | None = None) -> list:
        """The list's order: the sort column, unknown values last both ways, ties by id.

        ``reverse=True`` is the exact opposite order (unknown first, ties by id descending), which
        an index reads backwards: the end of a long list is read from its end. ``sort`` and
        ``id_column`` stand for the sort column and the id in a subquery of the list's keys.
        """
        key = self.sort_key
        descending = self.descending != reverse
        ordered = (sa.desc if descending else sa.asc)(SORTS[key] if sort is None else sort)
        ids = Project.id if id_column is None else id_column
        # Unknown values sort last in both directions, on SQLite and PostgreSQL alike. NULLS LAST
        # (not a leading "col IS NULL") lets both databases read the order from an index; columns
        # that cannot be NULL need neither (at 100,000 projects: 150 ms → 1 ms, benchmarks/).
        if key not in NOT_NULL_SORTS:
            ordered = ordered.nulls_first() if reverse else ordered.nulls_last()
        return [ordered, ids.desc() if reverse else ids]

    @property
    def is_default(self) -> bool:
        return not self.to_args(sort="region", order="asc")


_DEFAULTS = {item.name: getattr(PortfolioFilter(), item.name) for item in fields(PortfolioFilter)}



def due_soon_condition(today: dt.date, days: int = DUE_SOON_DAYS):
    """A milestone not done, and still owed (``terms.owes``), whose planned date falls within
    the next ``days`` days."""
    owner = sa.orm.aliased(Project)
    return Project.id.in_(sa.select(Milestone.project_id).join(owner, owner.id == Milestone.project_id).where(
        Milestone.actual_date.is_(None), Milestone.planned_date >= today,
        Milestone.planned_date <= today + dt.timedelta(days=days),
        owes_expression(owner.status, Milestone.stage)))
