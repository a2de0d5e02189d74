"""Trends: completed investment and monthly reports filed, month by month, over the last 24 months.

Both read what is kept already: ``year_investments`` (each project's 本月完成投资 by month, one row
per project and year) for the money, ``monthly_reports`` (indexed by month) for the count. A month
in which no report states an amount is unknown (no bar, "未填报"), never 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from markupsafe import Markup, escape

from ..database import exact_sum
from ..extensions import db
from ..formatting import plain_number
from ..progress.models import YearInvestment
from ..portfolio import kept
from ..projects.models import Project
from .charts import ACCENT, LINE, MUTED, _svg, _text, nice_ceiling
from .scope import Scope

MONTHS = 24


@dataclass(frozen=True)
class TrendMonth:
    month: dt.date  # the first day
    completed: Decimal | None  # 本月完成投资 summed over the reports that state it
    stating: int  # how many reports state that amount
    reports: int  # reports filed for the month


def months_back(today: dt.date, count: int = MONTHS) -> list[dt.date]:
    """The ``count`` months ending with this one, oldest first."""
    index = today.year * 12 + today.month - 1
    return [dt.date(i // 12, i % 12 + 1, 1) for i in range(index - count + 1, index + 1)]


def monthly_trend(scope: Scope, count: int = MONTHS) -> list[TrendMonth]:
    """The last ``count`` months of the scope. A region (or everything) and a kind reads the kept
    year rows (portfolio/kept.py: per month the stated sum, its count and the reports filed); any
    other filter reads its projects' ``year_investments`` and reports."""
    months = months_back(scope.today, count)
    first, last = months[0], months[-1]
    if kept.answers(scope.filter):
        kept_months = kept.months_of_years(db.session(), scope.filter, first.year, last.year)
        kept_found = []
        for month in months:
            stated_sum, stating, reports = kept_months.get((month.year, month.month), (Decimal(0), 0, 0))
            kept_found.append(TrendMonth(month, stated_sum if stating else None, stating, reports))
        return kept_found
    return fresh_trend(scope, count)


def fresh_trend(scope: Scope, count: int = MONTHS) -> list[TrendMonth]:
    """The trend from the projects' ``year_investments`` (any filter): per month the amounts
    stated, how many state one, and how many reports were filed (``filed_months``: one report a
    project and month), in one pass over a row per project and year."""
    months = months_back(scope.today, count)
    first, last = months[0], months[-1]
    columns: list[sa.ColumnElement[Any]] = []
    for month_number in range(1, 13):
        column = getattr(YearInvestment, YearInvestment.month_column(month_number))
        filed = YearInvestment.filed_months.op("&")(1 << (month_number - 1)) != 0
        columns += [exact_sum(column), sa.func.count(column), sa.func.count(sa.case((filed, 1)))]
    amounts: dict[dt.date, tuple[Decimal | None, int, int]] = {}
    # A select with spliced columns has rows of unknown length: mypy unpacks them only as tuples.
    rows: Sequence[tuple[Any, ...]] = db.session.execute(
        sa.select(YearInvestment.year, *columns)
        .join(Project, Project.id == YearInvestment.project_id)
        .where(*scope.conditions, YearInvestment.year.between(first.year, last.year))
        .group_by(YearInvestment.year)).all()
    for year, *figures in rows:
        for index in range(12):
            amounts[dt.date(year, index + 1, 1)] = (figures[3 * index], figures[3 * index + 1], figures[3 * index + 2])
    found = []
    for month in months:
        total, stating, reports = amounts.get(month, (None, 0, 0))
        found.append(TrendMonth(month, total if stating else None, stating, reports))
    return found


def month_bars(values: list[tuple[dt.date, Decimal | int | None]], title: str, unit: str,
               colour: str = ACCENT, width: int = 640) -> Markup:
    """A vertical bar a month, each with its exact figure in a ``<title>``; every third month
    labelled (YYYY-MM, the same in every language); a month with nothing stated has no bar. The
    scale is written at both ends: a phone opens the drawing at its right end, on the latest
    months (tracker.css, ``.chart-scroll.latest``), where the left one is out of view."""
    left, right, top, bottom = 64, 56, 22, 34
    height = 200
    plot_w, plot_h = width - left - right, height - top - bottom
    largest = max((float(value) for _month, value in values if value), default=0.0)
    end = nice_ceiling(largest)
    step = plot_w / max(len(values), 1)
    body = [_text(left - 6, top - 8, unit, "end", fill=MUTED, font_size="11"),
            _text(width - right + 6, top - 8, unit, "start", fill=MUTED, font_size="11")]
    for tick in range(3):
        level = end * tick / 2
        y = top + plot_h - level / end * plot_h
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
                    f'stroke="{LINE}" stroke-width="1"/>')
        shown = plain_number(Decimal(str(round(level, 4))).normalize())
        body.append(_text(left - 6, y + 4, shown, "end", fill=MUTED, font_size="11"))
        body.append(_text(width - right + 6, y + 4, shown, "start", fill=MUTED, font_size="11"))
    for index, (month, value) in enumerate(values):
        x = left + index * step
        label = month.strftime("%Y-%m")
        if index % 3 == (len(values) - 1) % 3:  # this month always labelled
            body.append(_text(x + step / 2, height - bottom + 16, label, "middle", fill=MUTED,
                              font_size="10"))
        if value is None:
            tip = _("%(month)s：%(figure)s", month=label, figure=_("未填报"))
            body.append(f'<rect x="{x + step * 0.15:.1f}" y="{top + plot_h - 2:.1f}" '
                        f'width="{step * 0.7:.1f}" height="2" fill="{LINE}"><title>{escape(tip)}</title></rect>')
            continue
        bar = float(value) / end * plot_h
        tip = _("%(month)s：%(figure)s", month=label, figure=f"{plain_number(value)} {unit}")
        body.append(f'<rect x="{x + step * 0.15:.1f}" y="{top + plot_h - bar:.1f}" '
                    f'width="{step * 0.7:.1f}" height="{max(bar, 0.0):.1f}" fill="{colour}">'
                    f'<title>{escape(tip)}</title></rect>')
    return _svg(width, height, title, body, "trend")
