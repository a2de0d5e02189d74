"""The month's progress sheet (月报汇总, the 项目进展情况表 a county sends its province): a row per
project of the list in view, with its report of that month or 未报, as xlsx and csv.

A project that has not reported says 未报 in its 填报状态 and leaves its figures blank: a blank
figure read as 0 would tell the province that nothing was built that month. The totals are exact
Decimal sums of the figures stated, each with how many projects stated it (as the list's).

The rows come from ONE query: the filter's projects (``PortfolioFilter.conditions``, the list's
order) with the month's report joined and its filer's name, read a batch at a time
(``records.stream``); the region names from one dict (``listing.region_names``).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generator

import rvgsrust_xlsxwriter as rx
import sqlalchemy as sa
from flask_babel import gettext as _

from ..accounts.models import User
from ..core import clock
from ..core.clock import utcnow
from ..extensions import db
from ..formatting import plain_number
from ..core.translation import aside
from ..portfolio.filters import PortfolioFilter
from ..progress.models import MonthlyReport
from ..projects.models import Project
from ..projects.terms import BUILDING_KINDS, REPORTING_STATUSES
from ..regions.models import Region
from .columns import COVERAGE_LABEL, TOTALS_LABEL, Column, neutralise, report_sheet_columns, text_value
from .csv_ import BOM, Lines
from .describe import coverage_text, filter_lines, local_time
from .listing import EXCEL_EPOCH, region_names
from .records import list_statement, stream
from .xlsx import WRAP_WIDTH, ListFormats, list_sheet, serial_day, to_path_or_file

# 2026-11, and as offices write it: 2026年11月, 2026/11, 2026.11 (a browser without a month picker
# takes what is typed).
MONTH = re.compile(r"(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*月?")
TIME_FORMAT = "yyyy-mm-dd hh:mm"
# The report's columns the query reads, by the sheet column's key.
REPORT_VALUES = ("progress_text", "physical_percent", "invested_month", "invested_year",
                 "invested_total", "problems", "next_steps")


def read_month(raw: str | None) -> tuple[dt.date | None, list[str]]:
    """``?month=2025-06`` → (2025-06-01, []); no month → (None, []); else (None, [why])."""
    raw = unicodedata.normalize("NFKC", raw or "").strip()
    if not raw:
        return None, []
    match = MONTH.fullmatch(raw)
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None, [_("月份应写作 YYYY-MM，例如 2026-11")]
    if not 1949 <= int(match.group(1)) <= 2100:
        return None, [_("月份应在 1949-01 至 2100-12 之间")]
    return dt.date(int(match.group(1)), int(match.group(2)), 1), []


def latest_month(portfolio_filter: PortfolioFilter, today: dt.date) -> dt.date:
    """The latest month any project of the filter reported, or this month when none has."""
    latest = db.session.scalar(
        sa.select(sa.func.max(MonthlyReport.month)).where(MonthlyReport.project_id.in_(
            sa.select(Project.id).join(Region, Project.region_id == Region.id)
            .where(*portfolio_filter.conditions(today)))))
    return latest or clock.this_month()


@dataclass
class Tally:
    """What the rows written add up to: the projects, those that reported, and per summed column
    the exact sum and how many projects stated it."""

    projects: int = 0
    filed: int = 0
    due: int = 0  # of the projects, those that report monthly (filed, or 未报), not 无需填报
    sums: dict[str, Decimal] = field(default_factory=dict)
    stated: dict[str, int] = field(default_factory=dict)

    def add(self, record: dict[str, Any], columns: list[Column]) -> None:
        self.projects += 1
        self.filed += record["report_id"] is not None
        self.due += record["report_id"] is not None or record["owes"]
        for column in columns:
            value = record.get(column.key)
            if column.total and value is not None:
                self.sums[column.key] = self.sums.get(column.key, Decimal(0)) + value
                self.stated[column.key] = self.stated.get(column.key, 0) + 1

    def total(self, column: Column) -> Decimal | None:
        return self.sums.get(column.key)

    def coverage(self, column: Column) -> str:
        return coverage_text(self.stated.get(column.key, 0), self.projects)


def records(portfolio_filter: PortfolioFilter, month: dt.date, today: dt.date,
            batch: int | None = None) -> Iterator[dict[str, Any]]:
    """Each project of the filter, in the list's order, with its report of ``month`` (its values
    None and ``report_id`` None when it has none), as {column key: value}."""
    expressions = [Project.id, Project.name, Project.region_id, Project.status, Project.kind,
                   MonthlyReport.id.label("report_id"), MonthlyReport.month,
                   *(getattr(MonthlyReport, key).label(key) for key in REPORT_VALUES),
                   sa.func.coalesce(User.display_name, User.username).label("submitted_by"),
                   MonthlyReport.submitted_at]
    statement = (list_statement(portfolio_filter, expressions, portfolio_filter.conditions(today))
                 .outerjoin(MonthlyReport, sa.and_(MonthlyReport.project_id == Project.id,
                                                   MonthlyReport.month == month))
                 .outerjoin(User, User.id == MonthlyReport.submitted_by_id))
    names: dict[int, str] = {}

    def read_names():
        names.update(region_names()[1])

    filed, not_filed, not_due = _("已报"), _("未报"), _("无需填报")
    for rows in stream(statement, batch, then=read_names):
        for row in rows:
            record = row._asdict()
            record["region_name"] = names.get(row.region_id)
            # Who reports monthly is the dashboard's rule (本月未报: a building project 在建 or
            # 停缓建): a project 竣工 years ago, or of no stated status, owes none and is not 未报
            # (a QA walk: the sheet said 31 未报 where the dashboard said none owed a report).
            record["owes"] = row.kind in BUILDING_KINDS and row.status in REPORTING_STATUSES
            record["filed"] = filed if row.report_id is not None else not_filed if record["owes"] else not_due
            yield record


def cell_text(column: Column, value) -> str:
    """A value as a csv cell: the list's ``text_value``, a time in the portfolio's zone."""
    if column.kind == "time":
        return "" if value is None else local_time(value)
    return text_value(column, value)


def report_csv_chunks(portfolio_filter: PortfolioFilter, month: dt.date, *, include_money: bool = True,
                      today: dt.date | None = None) -> Generator[bytes, None, int]:
    """The sheet as csv byte chunks (UTF-8 with a BOM, as the list's): a line per project, no
    totals; the generator returns the number of projects written."""
    columns = report_sheet_columns(include_money)
    lines = Lines()
    yield BOM + lines.block([[column.label for column in columns]])
    count, block = 0, []
    for record in records(portfolio_filter, month, today or clock.today()):
        block.append([cell_text(column, record.get(column.key)) for column in columns])
        count += 1
        if len(block) >= 500:
            yield lines.block(block)
            block = []
    if block:
        yield lines.block(block)
    return count


def serial_time(moment: dt.datetime) -> float:
    """A stored time as Excel's serial number in the portfolio's zone (days since its epoch)."""
    local = clock.local(moment).replace(tzinfo=None)
    return (local - dt.datetime.combine(EXCEL_EPOCH, dt.time())).total_seconds() / 86400


@to_path_or_file
def write_report_xlsx(out: str, portfolio_filter: PortfolioFilter, month: dt.date, *,
                      include_money: bool = True, today: dt.date | None = None,
                      exported_at: dt.datetime | None = None) -> int:
    """Write the sheet to ``out`` (a path or a binary file): the rows, a totals and a coverage
    row, and 导出说明 (the filter, the month, what 未报 means). Returns the projects written."""
    today = today or clock.today()
    exported_at = exported_at or utcnow()
    columns = report_sheet_columns(include_money)
    workbook = rx.Workbook()
    formats = ListFormats(workbook)
    time_format = workbook.add_format().set_num_format(TIME_FORMAT)
    ws = list_sheet(workbook, _("月报汇总"), columns, formats)

    tally = Tally()
    row_number = 0
    for record in records(portfolio_filter, month, today):
        row_number += 1
        tally.add(record, columns)
        for index, column in enumerate(columns):
            value = record.get(column.key)
            if value is None:
                continue
            if column.kind in ("id", "decimal"):
                formats.write_number(ws, row_number, index, value)
            elif column.kind == "month":
                ws.write(row_number, index, serial_day(value), formats.month)
            elif column.kind == "time":
                ws.write(row_number, index, serial_time(value), time_format)
            elif column.kind == "text":
                formats.write_text(ws, row_number, index, neutralise(value),
                                   formats.wrap if column.width >= WRAP_WIDTH else formats.plain)
            else:
                formats.write_text(ws, row_number, index, text_value(column, value))
    count = tally.projects
    ws.autofilter(0, 0, count, len(columns) - 1)

    totals_row, coverage_row = count + 1, count + 2
    ws.write(totals_row, 0, str(TOTALS_LABEL), formats.bold)
    ws.write(totals_row, 1, _("%(count)s 个项目", count=f"{count:,}"), formats.bold)
    summed = [(index, column) for index, column in enumerate(columns) if column.total]
    for index, column in summed:  # a constant-memory sheet is written row after row
        value = tally.total(column)
        if value is None:
            ws.write(totals_row, index, "—", formats.bold)
        else:
            formats.write_number(ws, totals_row, index, value, bold=True)
    ws.write(coverage_row, 0, str(COVERAGE_LABEL), formats.bold)
    for index, column in enumerate(columns):
        if column.key == "filed":  # of the projects that report monthly
            ws.write(coverage_row, index, coverage_text(tally.filed, tally.due), formats.plain)
        elif column.total:
            ws.write(coverage_row, index, tally.coverage(column), formats.plain)

    about = workbook.add_worksheet(_("导出说明"))
    about.set_column_width(0, 28)
    about.set_column_width(1, 80)
    lines: list[tuple] = [(_("月报汇总导出"), None, formats.bold),
                          (_("填报月份"), month.strftime("%Y-%m"), None),
                          (_("导出时间（北京时间）"), local_time(exported_at), None),
                          (_("项目数"), count, None), (_("已报"), tally.filed, None),
                          (_("未报"), tally.due - tally.filed, None), (_("无需填报"), count - tally.due, None), (),
                          (_("筛选条件"), None, formats.bold)]
    lines += [(label, neutralise(value), None) for label, value in filter_lines(portfolio_filter)]
    if summed:
        lines += [(), (_("合计"), None, formats.bold)]
        for _index, column in summed:
            value = tally.total(column)
            shown = plain_number(value) if value is not None else "—"
            lines.append((_("%(column)s合计", column=column.label), shown + aside([tally.coverage(column)]), None))
    lines += [(), (_("说明"), None, formats.bold)]
    for note in (_("“未报”表示该项目没有这个月的月报：它的各项数字留空，不计为零，也不计入合计。"),
                 _("“无需填报”表示该项目不按月填报月报（仅在建、停缓建的建设类项目按月填报），与总览的“本月未填报月报”口径相同。"),
                 _("已报项目中的空白单元格表示这一项未填报，不计为零；合计只计填报了的项目。"),
                 _("以 = + - @ 开头的文字按文字保存（单元格设为“以文本显示”），不会被表格当作公式计算。"),
                 _("本表供查阅和报送，不能导入；填报或更正月报请用“月度填报导入模板”或项目页面。")):
        lines.append((None, note, formats.wrap))
    formats.write_lines(about, lines)
    workbook.close(out)
    return count
