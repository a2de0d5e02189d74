"""The headline figures in words, shared by the page and the printed briefing so they read alike.

Every amount carries its coverage; every rate that cannot be computed says "—" and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import ngettext

from ..core.translation import aside
from ..formatting import coverage_text, percent, plain_number
from ..vocabulary import Status
from .queries import Dashboard, Group


@dataclass(frozen=True)
class Item:
    label: str
    value: str
    note: str = ""
    args: dict | None = None  # a /projects query string for the projects behind the figure
    warn: bool = False
    # Hidden from viewers when the admin says so: an amount, and a rate of two amounts (the
    # list's 投资完成率 column is money too, projects/fields.py and portfolio/columns.py).
    money: bool = False
    # Further lists behind parts of the figure, as (text, /projects query string): 开工率's
    # planned and started projects.
    links: tuple = ()


def coverage(count: int, total: int, verb: str | None = None, approx: int = 0) -> str:
    """（N 个项目中 M 个填报）, in the words of the list's and the breakdowns' totals (and how many
    of the figures are 约); with ``verb``, what the M did instead: （N 个项目中 M 个有年度计划）."""
    if verb is None:
        return coverage_text(count, total, approx)
    return ngettext("（%(total)s 个项目中 %(count)s 个%(verb)s）", "（%(total)s 个项目中 %(count)s 个%(verb)s）",
                    total, total=plain_number(total), count=plain_number(count), verb=verb)


def money(value: Decimal | None) -> str:
    return _("%(amount)s 万元", amount=plain_number(value)) if value is not None else _("未填报")


def gap_text(points: Decimal) -> str:
    if points < 0:
        return _("落后时间进度 %(points)s 个百分点", points=plain_number(-points))
    if points > 0:
        return _("超过时间进度 %(points)s 个百分点", points=plain_number(points))
    return _("与时间进度持平")


def headline_items(board: Dashboard, show_money: bool | None = None) -> list[Item]:
    """The headline figures. An amount, or a rate of amounts, is an item of its own
    (``money=True``, for the caller to drop); a rate's note states its amounts only when
    ``show_money`` (default: what the current request's user may see,
    tracker.accounts.visibility; outside a request, everything)."""
    if show_money is None:
        from ..accounts.visibility import show_money as visible
        show_money = visible()
    head, year, scope = board.headline, board.year, board.scope
    totals = head.totals
    n = totals.projects
    items = [Item(_("项目总数"), _("%(count)s 个", count=plain_number(n)), args=scope.filter.to_args())]

    # A cancelled project's 总投资 stays in the total (it was planned; the 按状态 row shows it
    # apart), and the total says how much of it is theirs: a leader comparing it with a sheet of
    # the projects still going would otherwise find it larger, unexplained.
    investment_note = coverage(totals.with_investment, n, approx=totals.approx_investment)
    cancelled = next((group for group in board.statuses
                      if group.key == Status.CANCELLED and group.with_investment), None)
    if cancelled is not None:
        investment_note += aside(ngettext(
            "含已取消的 %(count)s 个项目 %(amount)s 万元", "含已取消的 %(count)s 个项目 %(amount)s 万元",
            cancelled.with_investment, count=plain_number(cancelled.with_investment),
            amount=plain_number(cancelled.total_investment)))
    items.append(Item(_("总投资"), money(totals.total_investment), investment_note, money=True))
    items.append(Item(_("累计完成投资"), money(totals.invested_to_date),
                      coverage(totals.with_invested, n), money=True))
    if head.investment_rate is not None:
        if show_money:
            note = _("按同时填报总投资（大于 0）和累计完成投资的 %(count)s 个项目计算：%(invested)s / %(total)s 万元",
                     count=plain_number(head.rate_projects), invested=plain_number(head.rate_invested),
                     total=plain_number(head.rate_total))
        else:
            note = _("按同时填报总投资（大于 0）和累计完成投资的 %(count)s 个项目计算",
                     count=plain_number(head.rate_projects))
        items.append(Item(_("投资完成率"), percent(head.investment_rate), note, money=True))
    else:
        items.append(Item(_("投资完成率"), "—", _("没有项目同时填报总投资（大于 0）和累计完成投资")
                          if n else _("此范围内没有项目"), money=True))

    items.append(Item(_("%(year)s年计划投资", year=year.year), money(year.planned),
                      coverage(year.planned_projects, n, _("有年度计划")), money=True))
    items.append(Item(_("%(year)s年完成投资", year=year.year), money(year.completed),
                      # The year by its number: a past year chosen is not 本年.
                      coverage(year.reporting_projects, n, _("填报%(year)s年月报", year=year.year))
                      if year.completed is not None
                      else _("%(year)s年尚无月报填报完成投资", year=year.year), money=True))

    time_text = _("时间进度 %(percent)s", percent=percent(year.time_progress))
    if year.plan_rate is not None and year.gap_points is not None:  # the gap is the rate's
        behind = year.gap_points < 0
        items.append(Item(_("年度计划完成率"), percent(year.plan_rate),
                          f"{gap_text(year.gap_points)}{aside([time_text])}", warn=behind,
                          money=True))
    else:
        items.append(Item(_("年度计划完成率"), "—",
                          _("%(year)s年没有年度计划投资，无法计算（%(time)s）", year=year.year,
                            time=time_text), money=True))

    if head.start_rate is not None:
        start_args = {"start_by": str(year.year)}
        not_started = head.planned_to_start - head.started
        items.append(Item(
            _("开工率"), percent(head.start_rate),
            _("计划 %(year)s 年底前开工 %(planned)s 个，已开工 %(started)s 个",
              year=year.year, planned=plain_number(head.planned_to_start),
              started=plain_number(head.started)),
            args=scope.filter.to_args(start="started", **start_args),
            links=((_("计划开工 %(count)s 个", count=plain_number(head.planned_to_start)),
                    scope.filter.to_args(start="planned", **start_args)),
                   (_("已开工 %(count)s 个", count=plain_number(head.started)),
                    scope.filter.to_args(start="started", **start_args)),
                   (_("未开工 %(count)s 个", count=plain_number(not_started)),
                    scope.filter.to_args(start="not_started", **start_args)))))
    else:
        items.append(Item(_("开工率"), "—",
                          _("没有项目的“开工”节点计划在 %(year)s 年底前", year=year.year)))

    items.append(Item(_("滞后项目"), _("%(count)s 个", count=plain_number(head.late)),
                      _("有节点已过计划日期而未完成"), args=scope.filter.to_args(late=True),
                      warn=head.late > 0))
    items.append(Item(_("超概算项目"), _("%(count)s 个", count=plain_number(head.over_estimate)),
                      _("现行概算高于批复总投资"), args=scope.filter.to_args(over_estimate=True),
                      warn=head.over_estimate > 0))
    return items


def status_line(statuses: list[Group]) -> str:
    return "　".join(f"{group.label} {plain_number(group.projects)}" for group in statuses) or "—"
