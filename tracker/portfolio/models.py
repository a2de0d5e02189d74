"""The portfolio's figures kept at write time (portfolio/kept.py keeps them, the dashboard reads them).

``portfolio_figures``: per region node (a region *with everything under it*: each project counts
in its own region and in every ancestor), per project kind, and per breakdown (``dimension``,
``key``): counts and exact sums, every one additive, so a write adds the difference its projects
made (their figures after minus before) and a read sums a few rows instead of every project.

The breakdowns (``key`` '' is "not stated"):

- ``all``: every column below, over all the node's projects of the kind;
- ``status``, ``category``, ``nature`` (建设性质): every column ``all`` has, over the node's
  projects of the kind with that code ('' not stated): a list narrowed to one reads its totals
  row there (kept.breakdown);
- ``plan`` (a plan's id; '' no plan): the count and the 总投资 / 累计完成投资 sums with their
  coverage;
- ``funding`` (a 资金来源): projects with a line of it (``projects``), its lines (``lines``),
  those stating an amount (``with_investment``) and their sum (``total_investment``);
- ``due`` (the month, YYYY-MM, of ``next_milestone_due``): how many projects; 滞后 is the
  months before this one plus this month's days before today;
- ``start`` (the year of 计划开工): how many, and how many 已开工 (``started``);
- ``report`` (``last_report_month``, ISO; '' none): building projects 在建 or 停缓建, for 本月未报;
- ``soon`` (a planned date, ISO): milestones not done due that day (``projects`` counts them).

A decimal sum is stored in two integer columns, ``*_hi`` and ``*_lo``, the value scaled to an
integer ``hi * SPLIT + lo`` (database.exact_sum's split): SQLite adds them exactly in SQL
whatever the total (a scaled 64-bit integer overflows past 9.2e14 万元), PostgreSQL alike.

``portfolio_year_figures``: per node, kind, year and whether the project has an annual plan for
that year: the annual plans (count, sum) and the year's ``year_investments`` (projects reporting,
and per month the sum and the count of stated amounts), and per month the reports filed.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..database import Base

COUNTS = ("projects", "with_investment", "with_invested", "with_floor_area", "with_beds",
          "with_new_beds", "with_rate", "over_estimate", "started", "funded", "lines",
          "approx_investment",  # of the stated 总投资, those that are 约
          "approx_floor_area")  # of the stated 建筑面积, those that are 约
# Decimal sums and their scale (the column they sum: Money 4, Area 2).
SUMS = {"total_investment": 4, "invested_to_date": 4, "rate_invested": 4, "rate_investment": 4,
        "floor_area": 2}
INT_SUMS = ("beds", "new_beds")
MONTHS = tuple(range(1, 13))


def split_columns(name: str) -> tuple[sa.Column, sa.Column]:
    return (sa.Column(f"{name}_hi", sa.BigInteger, nullable=False, server_default="0"),
            sa.Column(f"{name}_lo", sa.BigInteger, nullable=False, server_default="0"))


portfolio_figures = sa.Table(
    "portfolio_figures",
    Base.metadata,
    sa.Column("region_id", sa.ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("kind", sa.String(32), primary_key=True),
    sa.Column("dimension", sa.String(16), primary_key=True),
    sa.Column("key", sa.String(40), primary_key=True),
    *(sa.Column(name, sa.BigInteger, nullable=False, server_default="0") for name in COUNTS),
    *(column for name in SUMS for column in split_columns(name)),
    *(sa.Column(name, sa.BigInteger, nullable=False, server_default="0") for name in INT_SUMS),
)

# nMM: reports stating 本月完成投资 for month MM; rMM: reports filed for it (the trend's bars).
YEAR_COUNTS = ("plans", "reporting", *(f"n{month:02d}" for month in MONTHS),
               *(f"r{month:02d}" for month in MONTHS))
YEAR_SUMS = ("planned", *(f"m{month:02d}" for month in MONTHS))  # all Money, scale 4

portfolio_year_figures = sa.Table(
    "portfolio_year_figures",
    Base.metadata,
    sa.Column("region_id", sa.ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("kind", sa.String(32), primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("with_plan", sa.Boolean, primary_key=True),
    *(sa.Column(name, sa.BigInteger, nullable=False, server_default="0") for name in YEAR_COUNTS),
    *(column for name in YEAR_SUMS for column in split_columns(name)),
)

# One row: a number every transaction that wrote what the cached figures read adds one to, in its
# last statement before COMMIT (portfolio/cache.py). It starts at a random number (migration
# d4a7b2e9f1c3), so a database made afresh under the same name does not repeat an old one's stamps.
portfolio_changes = sa.Table(
    "portfolio_changes",
    Base.metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("stamp", sa.BigInteger, nullable=False),
)
