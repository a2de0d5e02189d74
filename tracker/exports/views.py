"""Exports of the list in view: its filter and sort, in xlsx, csv, JSON, pdf and OC4IDS."""

from __future__ import annotations

import datetime as dt
import re
import tempfile

from flask import (Blueprint, Response, abort, current_app, render_template, request, send_file,
                   stream_with_context)
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts import permissions as perms
from ..accounts.services import money_hidden_from
from ..core import clock
from ..portfolio import queries
from ..portfolio.filters import PortfolioFilter
from ..web.requests import attachment
from .csv_ import csv_chunks
from .oc4ids import package_chunks
from .pdf import TooManyRows, write_pdf
from .records import hide_money, json_chunks
from .reports import latest_month, read_month, report_csv_chunks, write_report_xlsx
from .xlsx import write_xlsx

bp = Blueprint("exports", __name__)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download_name(portfolio_filter: PortfolioFilter, extension: str, *, what: str | None = None,
                  month: dt.date | None = None) -> str:
    """项目清单-龙南市-20261207-1551.xlsx; ``what`` and ``month`` for another sheet of the list's
    projects (月报汇总-龙南市-2026-11-…)."""
    region = portfolio_filter.region_row()
    stamp = clock.now().strftime("%Y%m%d-%H%M")
    plan = f"-{portfolio_filter.plan[:64]}" if portfolio_filter.plan else ""  # a plan's list says which
    when = f"-{month:%Y-%m}" if month else ""
    return f"{what or _('项目清单')}-{region.name if region else _('全部地区')}{plan}{when}-{stamp}.{extension}"


def plain_download_name(portfolio_filter: PortfolioFilter, extension: str, *, what: str = "projects",
                        month: dt.date | None = None) -> str:
    """The same in ASCII: the region's code or key, the plan's key (both ASCII), the time."""
    region = portfolio_filter.region_row()
    stamp = clock.now().strftime("%Y%m%d-%H%M")
    place = re.sub(r"[^A-Za-z0-9_-]", "", (region.code or region.key) if region else "all") or "region"
    plan = "-" + re.sub(r"[^A-Za-z0-9_-]", "", portfolio_filter.plan[:64]) if portfolio_filter.plan else ""
    when = f"-{month:%Y-%m}" if month else ""
    return f"{what}-{place}{plan}{when}-{stamp}.{extension}"


def readers_filter() -> tuple[bool, PortfolioFilter]:
    """Whether the reader sees money, and the list's filter as he may export it (no sort by an
    amount hidden from him). Refuses a reader who may not read the list."""
    if not perms.has_permission(current_user, perms.READ):
        abort(403)
    include_money = not money_hidden_from(current_user)
    portfolio_filter = PortfolioFilter.from_args(request.args)
    return include_money, portfolio_filter if include_money else portfolio_filter.without_money_sorts()


def spooled(write, mimetype: str, name: str, headers: dict):
    """A binary export written by ``write(file)`` to a temporary file (memory stays flat) and sent
    from there; the file closed if writing fails."""
    spool = tempfile.TemporaryFile()
    try:
        write(spool)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    response = send_file(spool, mimetype=mimetype, as_attachment=True, download_name=name)
    response.headers.update(headers)
    return response


def public_uri() -> str | None:
    """This request's address on the configured public URL (``TRACKER_PUBLIC_URL``), never on the
    Host header a client sent; None (a urn:uuid) when no public URL is configured."""
    base = current_app.config.get("PUBLIC_URL")
    if not base:
        return None
    return base.rstrip("/") + request.full_path.rstrip("?")


def _problem_page(problems: list[str], status: int = 400):
    return render_template("exports/export_problem.html", problems=problems), status


@bp.get("/projects/export.<any(xlsx, csv, json, pdf, 'oc4ids.json'):fmt>")
def export(fmt: str):
    include_money, portfolio_filter = readers_filter()
    problems = portfolio_filter.problems()
    if problems:
        return _problem_page(problems)
    today = clock.today()
    name = download_name(portfolio_filter, fmt)
    headers = attachment(name, plain_download_name(portfolio_filter, fmt))
    if fmt == "csv":
        rows = csv_chunks(portfolio_filter, include_money=include_money, today=today)
        return Response(stream_with_context(rows), content_type="text/csv; charset=utf-8",
                        headers=headers)
    if fmt == "json":
        chunks = json_chunks(portfolio_filter, None if include_money else hide_money)
        return Response(stream_with_context(chunks), mimetype="application/json",
                        headers=headers)
    if fmt == "oc4ids.json":
        if queries.totals(portfolio_filter, today).projects == 0:
            return _problem_page([_("没有符合条件的项目：OC4IDS 数据包至少要有一个项目。")])
        chunks = package_chunks(portfolio_filter, uri=public_uri(), include_money=include_money,
                                today=today, prefix=current_app.config.get("OC4IDS_PREFIX", "oc4ids-tracker-"),
                                publisher=current_app.config.get("OC4IDS_PUBLISHER"))
        return Response(stream_with_context(chunks), mimetype="application/json",
                        headers=headers)
    if fmt == "xlsx":
        return spooled(lambda spool: write_xlsx(spool, portfolio_filter, include_money=include_money, today=today),
                       XLSX, name, headers)
    try:
        return spooled(lambda spool: write_pdf(spool, portfolio_filter, include_money=include_money, today=today,
                                               max_rows=current_app.config.get("EXPORT_PDF_MAX_ROWS", 2000)),
                       "application/pdf", name, headers)
    except TooManyRows as too_many:
        return _problem_page([str(too_many)])


@bp.get("/projects/export-reports.<any(xlsx, csv):fmt>")
def export_reports(fmt: str):
    """月报汇总: the list's projects (its filter and order) with their reports of ``?month=``
    (by default the latest month any of them reported), for whoever may read the list; the
    amounts left out for a viewer from whom money is hidden."""
    include_money, portfolio_filter = readers_filter()
    month, month_problems = read_month(request.args.get("month"))
    problems = portfolio_filter.problems() + month_problems
    if problems:
        return _problem_page(problems)
    today = clock.today()
    month = month or latest_month(portfolio_filter, today)
    name = download_name(portfolio_filter, fmt, what=_("月报汇总"), month=month)
    headers = attachment(name, plain_download_name(portfolio_filter, fmt, what="monthly-reports", month=month))
    if fmt == "csv":
        rows = report_csv_chunks(portfolio_filter, month, include_money=include_money, today=today)
        return Response(stream_with_context(rows), content_type="text/csv; charset=utf-8",
                        headers=headers)
    return spooled(lambda spool: write_report_xlsx(spool, portfolio_filter, month, include_money=include_money,
                                                   today=today), XLSX, name, headers)
