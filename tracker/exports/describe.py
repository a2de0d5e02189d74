"""What an export holds, in words: the filter, the order, the time, the totals with coverage.

The xlsx's second sheet and the pdf's heading print these lines, so a sheet mailed to the province
says which projects it lists and what its sums cover.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l

from ..core import clock
from ..database import exact_sum
from ..extensions import db
from ..core.translation import aside, labelled, phrases
from ..formatting import plain_number
from ..portfolio.filters import PortfolioFilter
from ..portfolio.queries import Totals
from ..projects.fields import PROJECT
from ..projects.models import Project
from ..regions.models import Region
from ..projects.terms import building_portfolio_label, every_kind_label
from .columns import Column


SORT_LABELS = {
    "name": _l("项目名称"), "region": _l("地区"), "plan": _l("规划"), "category": _l("类别"),
    "build_nature": _l("建设性质"), "status": _l("状态"), "investment": _l("总投资"),
    "floor_area": _l("建筑面积"), "beds": _l("床位"), "new_beds": _l("新增床位"),
    "invested": _l("累计完成投资"),
}


def local_time(moment: dt.datetime) -> str:
    return clock.local(moment).strftime("%Y-%m-%d %H:%M")



def filter_lines(portfolio_filter: PortfolioFilter) -> list[tuple[str, str]]:
    """``[(条件, 值)]`` for every condition the filter sets, and the order."""
    lines: list[tuple[str, str]] = []
    region = portfolio_filter.region_row()
    if region is not None:
        lines.append((_("地区"), _("%(name)s（%(key)s，含下辖地区）", name=region.full_name,
                                   key=region.key)))
    else:
        lines.append((_("地区"), _("全部地区")))
    # The kind is always said (the construction portfolio is a choice made for the reader);
    # every other condition as the list's chips and the dashboard's 范围 word it.
    default_kind = {None: building_portfolio_label, "all": every_kind_label}.get(portfolio_filter.kind)
    if default_kind is not None:
        lines.append((str(PROJECT["kind"].label), default_kind()))
    lines += [(condition.label, condition.value if condition.value is not None else _("是"))
              for condition in portfolio_filter.in_words()
              if condition.name != "region" and not (condition.name == "kind" and default_kind)]
    order = _("降序") if portfolio_filter.order == "desc" else _("升序")
    sort_label = str(SORT_LABELS.get(portfolio_filter.sort, SORT_LABELS["region"]))
    lines.append((_("排序"), f"{sort_label} {order}"))
    return lines


def filter_summary(portfolio_filter: PortfolioFilter) -> str:
    return phrases(labelled(label, value) for label, value in filter_lines(portfolio_filter))


def coverage_text(covered: int, projects: int, approx: int = 0) -> str:
    if approx:
        return ngettext("%(total)s 个项目中 %(count)s 个填报，其中 %(approx)s 个为约数",
                        "%(total)s 个项目中 %(count)s 个填报，其中 %(approx)s 个为约数", projects,
                        total=plain_number(projects), count=plain_number(covered), approx=plain_number(approx))
    return _coverage_text(covered, projects)


def _coverage_text(covered: int, projects: int) -> str:
    return ngettext("%(total)s 个项目中 %(count)s 个填报", "%(total)s 个项目中 %(count)s 个填报", projects,
                    total=plain_number(projects),
             count=plain_number(covered))


def total_lines(totals: Totals, columns: list[Column]) -> list[tuple[str, str]]:
    """``[(总投资（万元）合计, 145,735（32 个项目中 8 个填报）)]`` for every summed column."""
    lines = []
    for column in columns:
        if not column.total:
            continue
        value = getattr(totals, column.total)
        covered = covered_count(totals, column)
        shown = plain_number(value) if value is not None else "—"
        lines.append((_("%(column)s合计", column=column.label),
                      shown + aside([coverage_text(covered, totals.projects, approximate_count(totals, column))])))
    return lines


@dataclass(frozen=True)
class SheetTotals(Totals):
    """The list's totals and the sums only the sheet prints (its 占地面积 and 现行概算 columns:
    the list page has no such column, so its totals and the figures kept for them have none)."""

    with_land_area: int = 0
    land_area_mu: Decimal | None = None
    approx_land_area: int = 0
    with_estimate: int = 0
    current_estimate: Decimal | None = None


def sheet_totals(totals: Totals, portfolio_filter: PortfolioFilter, today: dt.date) -> SheetTotals:
    """``totals`` with the sheet's own sums, over the same projects (one aggregate of the filter)."""
    land, estimate = Project.land_area_mu, Project.current_estimate
    approx_land = sa.and_(Project.land_area_approx.is_(True), land.is_not(None))
    row = db.session.execute(
        sa.select(sa.func.count(land), exact_sum(land), sa.func.count(sa.case((approx_land, 1))),
                  sa.func.count(estimate), exact_sum(estimate))
        .select_from(Project).join(Region, Project.region_id == Region.id)
        .where(*portfolio_filter.conditions(today))).one()
    return SheetTotals(**asdict(totals), with_land_area=row[0], land_area_mu=row[1] if row[0] else None,
                       approx_land_area=row[2], with_estimate=row[3],
                       current_estimate=row[4] if row[3] else None)


# The Totals field that counts the projects each sum covers.
COVERAGE_FIELDS = {"total_investment": "with_investment", "invested_to_date": "with_invested",
                   "floor_area_m2": "with_floor_area", "beds": "with_beds", "new_beds": "with_new_beds",
                   "land_area_mu": "with_land_area", "current_estimate": "with_estimate"}


# The Totals field that counts the approximate (约) figures among a sum's.
APPROXIMATE_FIELDS = {"total_investment": "approx_investment", "floor_area_m2": "approx_floor_area",
                      "land_area_mu": "approx_land_area"}


def approximate_count(totals: Totals, column: Column) -> int:
    """How many of the figures the sum of ``column`` adds are 约 (0 for a column never 约)."""
    field = APPROXIMATE_FIELDS.get(column.total or "")
    return getattr(totals, field) if field else 0


def covered_count(totals: Totals, column: Column) -> int:
    """How many projects the sum of ``column`` (a column with a total) covers."""
    return getattr(totals, COVERAGE_FIELDS[column.total or ""])
