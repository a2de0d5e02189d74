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
from ..portfolio.filters import PortfolioFilter

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
        """The filter in words, for the page heading and the printed briefing: the region (or
        全部地区) first, then every other condition as the list's chips say it."""
        region = self.filter.region_row()
        return [region.full_name if region else _("全部地区"),
                *(condition.text for condition in self.filter.in_words() if condition.name != "region")]
