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
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import selectinload

from ..core import clock
from ..database import utcnow
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
          wrap: bool = False) -> WriteOnlyCell:
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
        self.styles: dict[str, object] = {}

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
    totals_row = [_cell(ws, str(TOTALS_LABEL), bold=True),
                  _cell(ws, _("%(count)s 个项目", count=f"{totals.projects:,}"), bold=True)]
    coverage_row = [_cell(ws, str(COVERAGE_LABEL), bold=True), None]
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


GREY_FILL = PatternFill("solid", fgColor="EEEEEE")
KIND_NOTES = {
    "id": _l("按此ID更新已有项目；新建项目留空"),
    "text": _l("文字"),
    "region": _l("六位行政区划代码，如 360783；市级代码包含下辖县区"),
    "decimal": _l("数字，不带单位；可带千位分隔符"),
    "int": _l("整数"),
    "bool": _l("是 / 否"),
    "date": _l("日期，如 2024-05-01"),
    "month": _l("年月，如 2024-05"),
    "vocab": _l("从下拉列表中选择"),
    "list": _l("规划的标题或编号，多个用“；”分隔；导入只新增关联，不取消已有关联"),
}
REPORT_ID_NOTE = _l("按此ID找到项目（模板已预填）；也可填项目代码，或项目名称加地区代码")


def template_notes(kind: str, *, max_rows: int) -> list[str]:
    """The 填写说明 of one kind of sheet: only what applies to it."""
    from .importer import PROJECTS
    marker = str(CLEAR_MARKER)
    common_head = [_("第一行为列标题，请勿修改。灰色列仅供参考，导入时忽略。")]
    common_tail = [_("不接受公式：请复制后“粘贴为数值”。每次最多导入 %(n)s 行。", n=f"{max_rows:,}"),
                   _("上传后会先显示预览，逐行列出将新建和修改的内容；确认后才写入，有任何错误则全部不写入。")]
    if kind == PROJECTS:
        own = [_("每个项目填一行。按“项目ID”更新已有项目；没有ID时按“项目代码”，再按“项目名称”加“地区代码”；都找不到则新建。"),
               _("更新已有项目时，空白单元格表示保持原值不变；要清空已有数据，请在单元格中填写“%(marker)s”。",
                 marker=marker),
               _("新建项目时，空白单元格表示“未填报”（不计为零）。"),
               _("地区代码、项目类型、类别和“为约数”列不能清空。")]
    else:
        own = [_("每个项目的每个月填一行。模板已列出您负责的、本月尚未填报的在建或停缓建项目及其上次填报的自开工累计。"),
               _("“本月完成投资”填本月数；“自开工累计完成投资”可留空，由系统按上次累计加本月计算。"),
               _("更正已提交的月份须填写“更正原因”：空白单元格保持原值不变，要清空请填写“%(marker)s”。",
                 marker=marker)]
    return common_head + own + common_tail


def write_template(out: IO[bytes] | str, columns: tuple[Column, ...], title: str, *, kind: str,
                   rows: list[dict] = (), max_rows: int = 5000) -> None:
    """A sheet with the import headers (and ``rows`` filled in: column key → value), drop-down
    lists, and a sheet that explains each column. Small, so written in normal mode (write-only
    sheets cannot hold data validations)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    from .importer import MONTHLY_REPORTS

    workbook = Workbook()
    ws = workbook.active
    ws.title = title
    ws.freeze_panes = "A2"
    last_row = max(len(rows) + 1, 201)
    for index, column in enumerate(columns, 1):
        letter = get_column_letter(index)
        cell = ws.cell(row=1, column=index, value=column.label)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL if column.importable else GREY_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        ws.column_dimensions[letter].width = column.width
        choices = None
        if column.kind == "vocab":
            choices = [member.label for member in column.vocabulary]
        elif column.kind == "bool":
            choices = [_("是"), _("否")]
        if choices and column.importable:
            validation = DataValidation(type="list", formula1='"' + ",".join(choices) + '"',
                                        allow_blank=True, showErrorMessage=True,
                                        error=_("请从下拉列表中选择"))
            validation.add(f"{letter}2:{letter}5001")
            ws.add_data_validation(validation)
        if column.kind in ("text", "region", "month"):
            # Text cells stay text: a 项目代码 or 地区代码 must not turn into a number, nor a
            # month into a date Excel shows its own way.
            for row in range(2, last_row + 1):
                ws.cell(row=row, column=index).number_format = "@"
        for row_number, values in enumerate(rows, 2):
            value = values.get(column.key)
            if value is None:
                continue
            target = ws.cell(row=row_number, column=index)
            if column.kind == "month":
                target.value = value.strftime("%Y-%m")
            elif column.kind == "decimal":
                whole = value == value.to_integral_value()
                target.value = int(value) if whole else value.normalize()
                target.number_format = WHOLE_FORMAT if whole else DECIMAL_FORMAT
            else:
                target.value = value
            if not column.importable:
                target.fill = GREY_FILL

    notes = workbook.create_sheet(_("填写说明"))
    notes.append([_("列"), _("必填"), _("填写方法"), _("可选值")])
    for cell in notes[1]:
        cell.font = HEADER_FONT
    for column in columns:
        if not column.importable:
            how = _("仅供阅读，导入时忽略")
        elif column.key == "id" and kind == MONTHLY_REPORTS:
            how = str(REPORT_ID_NOTE)
        else:
            how = str(KIND_NOTES.get(column.kind, ""))
        choices = "、".join(m.label for m in column.vocabulary) if column.vocabulary else ""
        notes.append([column.label, _("是") if column.required else "", how, choices])
    notes.append([])
    for line in template_notes(kind, max_rows=max_rows):
        notes.append([line])
    for letter, width in zip("ABCD", (24, 8, 44, 60)):
        notes.column_dimensions[letter].width = width
    workbook.save(out)
