"""What a dashboard or a briefing covers: a portfolio filter and a year.

The projects come from ``PortfolioFilter`` alone, so the dashboard, the list and the exports select
the same projects for the same query string; the year only picks which annual plans, monthly
reports and start milestones count as "this year".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from flask_babel import gettext as _

from ..core.values import clean_text
from ..core import clock
from ..core.translation import labelled
from ..portfolio.filters import UNKNOWN, PortfolioFilter
from ..vocabulary import BuildNature, Category, FundingSource, Kind, Status

FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class Scope:
    filter: PortfolioFilter = field(default_factory=PortfolioFilter)
    year: int = 0
    today: dt.date = field(default_factory=clock.today)
    year_problem: str | None = None

    def __post_init__(self):
        if not self.year:
            object.__setattr__(self, "year", self.today.year)

    @classmethod
    def from_args(cls, args, today: dt.date | None = None) -> Scope:
        today = today or clock.today()
        raw_year = clean_text(args.get("year")) or ""
        year, problem = today.year, None
        if raw_year:
            if raw_year.isascii() and raw_year.isdigit() and FIRST_YEAR <= int(raw_year) <= LAST_YEAR:
                year = int(raw_year)
            else:
                problem = _("年份无效：%(value)s", value=raw_year[:20])
        # The dashboard never sorts: leave sort/order out so links stay short.
        portfolio_filter = PortfolioFilter.from_args(
            {key: value for key, value in args.items() if key not in ("sort", "order", "page")})
        return cls(portfolio_filter, year, today, problem)

    @cached_property
    def conditions(self) -> list:
        """The filter's WHERE clauses, built once (each build looks the region up)."""
        return self.filter.conditions(self.today)

    def problems(self) -> list[str]:
        found = self.filter.problems()
        if self.year_problem:
            found.append(self.year_problem)
        return found

    def to_args(self, **overrides) -> dict:
        """The query string that reproduces this scope (the year only when it is not this year)."""
        year = overrides.pop("year", self.year)
        args = self.filter.to_args(**overrides)
        if year != self.today.year:
            args["year"] = year
        return args

    @property
    def year_end(self) -> dt.date:
        return dt.date(self.year, 12, 31)

    @property
    def month_start(self) -> dt.date:
        return self.today.replace(day=1)

    def describe(self) -> list[str]:
        """The filter in words, for the page heading and the printed briefing."""
        parts = []
        region = self.filter.region_row()
        parts.append(region.full_name if region else _("全部地区"))
        plan = self.filter.plan_row()
        if plan:
            parts.append(_("规划：%(title)s", title=plan.title))
        labels = (("category", Category, _("类别")), ("status", Status, _("状态")),
                  ("build_nature", BuildNature, _("建设性质")),
                  ("funding", FundingSource, _("资金来源")))
        for name, vocabulary, title in labels:
            value = getattr(self.filter, name, None)
            if value == UNKNOWN:
                parts.append(labelled(title, _('未填报')))
            elif _label(vocabulary, value):
                parts.append(labelled(title, _label(vocabulary, value)))
        if self.filter.kind == "all":
            parts.append(_("含全部项目类型"))
        elif _label(Kind, self.filter.kind):
            parts.append(_("项目类型：%(kind)s", kind=_label(Kind, self.filter.kind)))
        if self.filter.q:
            parts.append(_("关键词：%(q)s", q=self.filter.q))
        if self.filter.late:
            parts.append(_("仅滞后项目"))
        return parts


def _label(vocabulary, value: str | None) -> str | None:
    """The label of a code, or None for no value or one that is not a code of the vocabulary
    (``problems()`` refuses it; the page that says so describes the rest of the filter)."""
    if not value:
        return None
    try:
        return vocabulary(value).label
    except ValueError:
        return None
