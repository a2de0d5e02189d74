"""The portfolio list as an Excel workbook that opens cleanly in Excel and WPS.

Written with openpyxl's write-only mode: rows go to a temporary file as they are made, so memory
stays flat however long the list. Sheet 1 is the list (frozen header, autofilter, number formats,
totals with coverage under it); sheet 2 says what the list holds and when it was exported.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import IO

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles.cell_style import StyleArray
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import selectinload

from ..core import clock
from ..core.clock import utcnow
from ..portfolio import queries
from ..portfolio.filters import PortfolioFilter
from ..projects.models import Project
from .columns import CLEAR_MARKER, COVERAGE_LABEL, TOTALS_LABEL, Column, decimal_text, export_columns, neutralise, text_value
from .describe import covered_count, coverage_text, filter_lines, local_time, total_lines
from .listing import ColumnConverter, Listing, each, maybe, neutral_text

# Excel shows "1,320." for "#,##0.####" when the value is whole: whole numbers get their own format.
WHOLE_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.####"
DATE_FORMAT = "yyyy-mm-dd"
MONTH_FORMAT = "yyyy-mm"
# A double keeps 15 significant digits; a longer amount is written as text so no digit is lost.
EXACT_DIGITS = 15
WRAP_WIDTH = 30  # text columns this wide wrap

# What the pdf loads with each project (it reads ORM objects; the xlsx and csv read rows).
LIST_OPTIONS = (selectinload(Project.plans), selectinload(Project.region))

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
WRAP = Alignment(wrap_text=True, vertical="top")


def _cell(ws, value, *, number_format: str | None = None, bold: bool = False,
          wrap: bool = False) -> Cell:
    cell = WriteOnlyCell(ws, value=value)
    if number_format:
        cell.number_format = number_format
    if bold:
        cell.font = HEADER_FONT
    if wrap:
        cell.alignment = WRAP
    return cell


def number_cell(ws, value: Decimal | int, *, bold: bool = False):
    """A number Excel can sum, exactly as stored: the Decimal goes in, never a float."""
    if isinstance(value, Decimal):
        if len(value.normalize().as_tuple().digits) > EXACT_DIGITS:
            return _cell(ws, decimal_text(value), bold=bold)
        whole = value == value.to_integral_value()
        value = int(value) if whole else value.normalize()
        return _cell(ws, value, number_format=WHOLE_FORMAT if whole else DECIMAL_FORMAT, bold=bold)
    return _cell(ws, value, number_format=WHOLE_FORMAT, bold=bold)


def value_cell(ws, column: Column, value):
    if value is None:
        return None
    if column.kind in ("decimal", "int", "id"):
        return number_cell(ws, value)
    if column.kind == "date":
        return _cell(ws, value, number_format=DATE_FORMAT)
    if column.kind == "month":
        return _cell(ws, value, number_format=MONTH_FORMAT)
    if column.kind == "text":
        return _cell(ws, neutralise(value), wrap=column.width >= WRAP_WIDTH)
    return _cell(ws, text_value(column, value))


class ListCells:
    """The list's cells, as ``value_cell`` makes them, for the rows of a ``Listing``.

    Setting a number format or an alignment looks it up in the workbook, on every cell: here the
    first cell of each style is made by ``value_cell`` itself and the later ones get a copy of its
    style. Styles are registered with the workbook at the same cells as before, so the workbook
    is the same, and plain text goes in as text (openpyxl makes its cell).
    """

    def __init__(self, ws):
        self.ws = ws
        self.styles: dict[str, StyleArray] = {}

    def styled(self, style: str, column: Column, value, shown):
        """The cell ``value_cell`` makes of ``value`` (as read), of style ``style``; ``shown`` is
        the value ``value_cell`` puts in it."""
        template = self.styles.get(style)
        if template is None:
            cell = value_cell(self.ws, column, value)
            self.styles[style] = cell._style
            return cell
        return Cell(self.ws, 1, 1, shown, template)

    def number(self, column: Column, value: Decimal):
        """``number_cell``'s choice: whole, decimal, or text when a double would lose a digit."""
        if len(value.normalize().as_tuple().digits) > EXACT_DIGITS:
            return value_cell(self.ws, column, value)
        if value == value.to_integral_value():
            return self.styled("whole", column, value, int(value))
        return self.styled("decimal", column, value, value.normalize())

    def converters(self, listing: Listing) -> list[ColumnConverter | None]:
        return [self.converter(listing, column) for column in listing.columns]

    def converter(self, listing: Listing, column: Column) -> ColumnConverter | None:
        kind = column.kind
        if kind in ("id", "int"):
            return each(maybe(lambda value: self.styled("whole", column, value, value)))
        if kind == "decimal":
            return each(maybe(lambda value: self.number(column, value)))
        if kind in ("date", "month"):
            return each(maybe(lambda value: self.styled(kind, column, value, value)))
        if kind == "text" and column.width >= WRAP_WIDTH:
            return each(maybe(lambda value: self.styled("wrap", column, value, neutral_text(value))))
        # Plain text, as in the csv (and no plan is an empty text cell, as before).
        return listing.text_converter(column)


def write_xlsx(out: IO[bytes] | str, portfolio_filter: PortfolioFilter, *,
               include_money: bool = True, today: dt.date | None = None,
               exported_at: dt.datetime | None = None, batch: int | None = None) -> int:
    """Write the list the filter selects to ``out`` (a path or a binary file). Returns the rows."""
    today = today or clock.today()
    exported_at = exported_at or utcnow()
    columns = export_columns(include_money)
    last_letter = get_column_letter(len(columns))
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(_("项目清单"))
    # Write-only sheets take widths, panes and print settings before the first row.
    for index, column in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "C2"  # the header row, and the id and name columns
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0

    header = []
    for column in columns:
        cell = _cell(ws, column.label, bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        header.append(cell)
    ws.append(header)

    listing = Listing(columns)
    converters = ListCells(ws).converters(listing)
    for rows in listing.partitions(portfolio_filter, converters, today=today, batch=batch):
        for row in rows:
            ws.append(row)
    count = listing.count
    ws.auto_filter.ref = f"A1:{last_letter}{count + 1}"

    # The totals come from the same query as the list page's, so the sums match it exactly.
    totals = queries.totals(portfolio_filter, today)
    totals_row: list[Cell | None] = [_cell(ws, str(TOTALS_LABEL), bold=True),
                                     _cell(ws, _("%(count)s 个项目", count=f"{totals.projects:,}"), bold=True)]
    coverage_row: list[Cell | None] = [_cell(ws, str(COVERAGE_LABEL), bold=True), None]
    for column in columns[2:]:
        if column.total:
            value = getattr(totals, column.total)
            totals_row.append(number_cell(ws, value, bold=True) if value is not None
                              else _cell(ws, "—", bold=True))
            coverage_row.append(_cell(ws, coverage_text(covered_count(totals, column), totals.projects)))
        else:
            totals_row.append(None)
            coverage_row.append(None)
    ws.append(totals_row)
    ws.append(coverage_row)

    about = workbook.create_sheet(_("导出说明"))
    about.column_dimensions["A"].width = 24
    about.column_dimensions["B"].width = 80
    about.append([_cell(about, _("项目清单导出"), bold=True)])
    about.append([_("导出时间（北京时间）"), local_time(exported_at)])
    about.append([_("项目数"), count])
    about.append([])
    about.append([_cell(about, _("筛选条件"), bold=True)])
    for label, value in filter_lines(portfolio_filter):
        about.append([label, neutralise(value)])
    about.append([])
    about.append([_cell(about, _("合计"), bold=True)])
    for label, value in total_lines(totals, columns):
        about.append([label, value])
    about.append([])
    about.append([_cell(about, _("说明"), bold=True)])
    for note in (_("空白单元格表示“未填报”：规划文件和填报中都没有这一数据，不计为零；合计只计填报了的项目。"),
                 _("以单引号 ' 开头的文字是为防止表格把它当作公式而加的，不是内容的一部分；导入时会自动去掉。"),
                 _("修改后可在“导入”页面上传本表（第一个工作表），按项目ID更新；合计行不会被导入。"),
                 _("导入时空白单元格保持原值不变；要清空已有数据，请填写“%(marker)s”。", marker=CLEAR_MARKER)):
        about.append([None, _cell(about, note, wrap=True)])
    workbook.save(out)
    return count
