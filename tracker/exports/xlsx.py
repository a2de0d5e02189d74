"""The portfolio list as an Excel workbook that opens cleanly in Excel and WPS.

Written with rust_xlsxwriter (through ``rvgsrust_xlsxwriter``) in constant-memory mode: each row
goes to a temporary file once the next is begun, so memory stays flat however long the list, and
a row is one call into Rust (openpyxl made a Python object per cell: ~5x slower, benchmarks/NOTES.md).
Sheet 1 is the list (frozen header, autofilter, number formats, totals with coverage under it);
sheet 2 says what the list holds and when it was exported.

``value_cell`` (openpyxl's cells, which the import templates also use) is the definition of each
cell; ``tests/test_export_rows.py`` holds the written sheet to it cell by cell. One difference
a reader can see: rust_xlsxwriter writes every number as a double ("12345.0"), so openpyxl reads a
whole number back as a float (Excel, WPS and the importer read the same value).
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from decimal import Decimal
from functools import lru_cache, wraps
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any, Concatenate, NamedTuple, ParamSpec

import rvgsrust_xlsxwriter as rx

from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from ..core import clock
from ..core.clock import utcnow
from ..extensions import db
from ..portfolio import queries
from ..portfolio.filters import PortfolioFilter
from ..projects.models import Project
from .columns import (CLEAR_MARKER, COVERAGE_LABEL, FORMULA_TRIGGERS, TOTALS_LABEL, Column, decimal_text,
                      export_columns, neutralise, text_value)
from .describe import (approximate_count, covered_count, coverage_text, filter_lines, local_time, sheet_totals,
                       total_lines)
from .listing import EXCEL_EPOCH, SCALED_READS, ColumnConverter, Listing, each

if TYPE_CHECKING:
    from openpyxl.cell import Cell

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

HEADER_COLOUR = "DDE6F0"  # the header row's fill, here and in the import templates


class Styles(NamedTuple):
    header_font: Any
    header_fill: Any
    wrap: Any


@lru_cache(maxsize=1)
def openpyxl_styles() -> Styles:
    """openpyxl's header font and fill and the wrapping alignment, for ``value_cell`` and the
    import templates. Imported here, when first used: openpyxl (with numpy, which it loads when
    installed) is ~27 MiB of every web worker's memory, and the xlsx export never needs it
    (benchmarks/NOTES.md, "Exports: speed and memory")."""
    from openpyxl.styles import Alignment, Font, PatternFill
    return Styles(Font(bold=True), PatternFill("solid", fgColor=HEADER_COLOUR),
                  Alignment(wrap_text=True, vertical="top"))


def _cell(ws, value, *, number_format: str | None = None, bold: bool = False,
          wrap: bool = False) -> Cell:
    from openpyxl.cell import WriteOnlyCell
    cell = WriteOnlyCell(ws, value=value)
    if number_format:
        cell.number_format = number_format
    if bold:
        cell.font = openpyxl_styles().header_font
    if wrap:
        cell.alignment = openpyxl_styles().wrap
    return cell


def number_cell(ws, value: Decimal | int, *, bold: bool = False):
    """A number Excel can sum, exactly as stored (its shortest decimal digits in the file)."""
    if isinstance(value, Decimal):
        if number_style(value) == "text":
            return _cell(ws, decimal_text(value), bold=bold)
        whole = value == value.to_integral_value()
        value = int(value) if whole else value.normalize()
        return _cell(ws, value, number_format=WHOLE_FORMAT if whole else DECIMAL_FORMAT, bold=bold)
    return _cell(ws, value, number_format=WHOLE_FORMAT, bold=bold)


def quoted(text: Any) -> str | None:
    """A text ``neutralise`` quoted, as typed (its leading ``'`` taken off); None for any other
    value. A sheet holds it as typed, in a cell with Excel's quote prefix ("show as text"): a text
    cell is never a formula, and the prefix keeps it text when the cell is edited, where the
    leading ``'`` of the csv's defence was shown as part of it. (A text typed with a leading
    ``'`` before a formula's sign reads the same: the importer's ``unneutralise`` already takes
    that quote as ours.)"""
    if isinstance(text, str) and text[:1] == "'" and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return None


def _hold(cell, text: str):
    """An openpyxl ``cell`` holding a text already ``neutralise``d: one it quoted as typed, with
    the quote prefix (``quoted``)."""
    typed = quoted(text)
    cell.value = text if typed is None else typed
    if typed is not None:
        cell.data_type = "s"  # openpyxl takes a text starting with = for a formula
        cell.quotePrefix = True
    return cell


def put_text(cell, text: str) -> None:
    """An openpyxl ``cell`` holding ``text`` as a sheet shows it (``neutralise``, ``_hold``)."""
    _hold(cell, neutralise(text))


def value_cell(ws, column: Column, value):
    if value is None:
        return None
    if column.kind in ("decimal", "int", "id"):
        return number_cell(ws, value)
    if column.kind == "date":
        return _cell(ws, value, number_format=DATE_FORMAT)
    if column.kind == "month":
        return _cell(ws, value, number_format=MONTH_FORMAT)
    text = neutralise(value) if column.kind == "text" else text_value(column, value)
    return _hold(_cell(ws, None, wrap=column.kind == "text" and column.width >= WRAP_WIDTH), text)


def number_style(value: Decimal) -> str:
    """How an amount is written: "whole" (WHOLE_FORMAT), "decimal" (DECIMAL_FORMAT), or "text"
    when a double would lose one of its digits (``number_cell``, the definition)."""
    if len(value.normalize().as_tuple().digits) > EXACT_DIGITS:
        return "text"
    return "whole" if value == value.to_integral_value() else "decimal"


class ListFormats:
    """The formats of the list sheet in the workbook being written (rust_xlsxwriter's)."""

    def __init__(self, workbook: rx.Workbook):
        def made(number_format: str | None = None, *, bold: bool = False, wrap: bool = False):
            cell_format = workbook.add_format()
            if number_format:
                cell_format.set_num_format(number_format)
            if bold:
                cell_format.set_bold()
            if wrap:
                cell_format.set_text_wrap().set_vertical_align("top")
            return cell_format
        # A text in an amount's column: "General", not the column's number format (which a cell
        # written with an empty format would take).
        self.plain = made().set_align("general").set_num_format("General").set_font_name("Calibri")
        self.whole, self.decimal = made(WHOLE_FORMAT), made(DECIMAL_FORMAT)
        self.date, self.month = made(DATE_FORMAT), made(MONTH_FORMAT)
        self.wrap = made(wrap=True)
        # A text that starts like a formula, as typed, shown as text (``quoted``).
        self.quoted = made().set_quote_prefix()
        self.quoted_wrap = made(wrap=True).set_quote_prefix()
        self.bold = made(bold=True)
        self.bold_whole, self.bold_decimal = made(WHOLE_FORMAT, bold=True), made(DECIMAL_FORMAT, bold=True)
        self.header = (made(bold=True).set_background_color("#" + HEADER_COLOUR)
                       .set_pattern("solid").set_text_wrap().set_align("center")
                       .set_vertical_align("vcenter"))

    def column(self, column: Column):
        """The column's format: what a cell written without one gets (``value_cell``'s), an
        amount's being the whole number's (a fraction or a text is written with its own)."""
        if column.kind in ("id", "int", "decimal"):
            return self.whole
        if column.kind in ("date", "month"):
            return getattr(self, column.kind)
        if column.kind == "text" and column.width >= WRAP_WIDTH:
            return self.wrap
        return None

    def write_text(self, ws, row: int, col: int, text: str, text_format=None) -> None:
        """A text of the sheet: one ``neutralise`` quoted as typed, with the quote prefix
        (``quoted``); any other in ``text_format``."""
        typed = quoted(text)
        if typed is None:
            ws.write(row, col, text, text_format if text_format is not None else self.plain)
        else:
            ws.write(row, col, typed, self.quoted_wrap if text_format is self.wrap else self.quoted)

    def write_lines(self, ws, lines: list[tuple]) -> None:
        """A notes sheet (导出说明): a line per row, each (label, value, format); a heading has no
        value (its label in its format, bold), an empty tuple is a blank row."""
        for line_number, line in enumerate(lines):
            if not line:
                continue
            label, value, line_format = line
            if value is None:
                ws.write(line_number, 0, label, line_format)
                continue
            if label is not None:
                ws.write(line_number, 0, label)
            if isinstance(value, str):
                self.write_text(ws, line_number, 1, value, line_format)
            else:
                ws.write(line_number, 1, value, line_format or self.plain)

    def write_number(self, ws, row: int, col: int, value: Decimal | int, *, bold: bool = False) -> None:
        """``number_cell``: a number Excel can sum, exactly as stored, or its text."""
        style = number_style(value) if isinstance(value, Decimal) else "whole"
        if style == "text":
            ws.write(row, col, decimal_text(Decimal(value)), self.bold if bold else self.plain)
        elif style == "decimal":
            ws.write(row, col, value, self.bold_decimal if bold else self.decimal)
        else:
            ws.write(row, col, int(value), self.bold_whole if bold else self.whole)


def serial_day(day: dt.date | None) -> int | None:
    """A date as the number Excel stores: a date column's format shows it as a date. The
    definition of ``listing.excel_day``, which the export reads its dates with."""
    return None if day is None else day.toordinal() - EXCEL_EPOCH.toordinal()


class FractionalNumber(float):
    """An amount with a fraction, as the double Excel stores (``number_style`` "decimal"):
    written apart, in its own format (``ListFormats.write_number``), not in the row's
    whole-number one."""


class AmountText(str):
    """An amount a double cannot hold (``number_style`` "text"): its digits, written apart as a
    text (``ListFormats.write_number``)."""


# What ``write_xlsx`` writes apart from the row, in the format each needs.
APART = (FractionalNumber, AmountText)


def amount_cells(scale: int | None) -> ColumnConverter:
    """An amount column's values as the row takes them, each decided here once as
    ``ListFormats.write_number`` decides it: a whole amount as an ``int`` (the column's format), a
    fraction as a ``FractionalNumber``, more digits than a double keeps as an ``AmountText``.
    ``scale``: the values are scaled integers (``ExactDecimal``'s, as SQLite stores them and
    PostgreSQL makes them: ``listing.expression``); None: Decimals."""
    def apart(value: Decimal):
        if number_style(value) == "text":
            return AmountText(decimal_text(value))
        return FractionalNumber(value)

    if scale is None:
        def convert(value):
            if value is None:
                return None
            if value == value.to_integral_value() and len(value.as_tuple().digits) <= EXACT_DIGITS:
                return int(value)
            return apart(value)
    else:
        unit = 10 ** scale
        # Below this a scaled integer has at most 15 digits: a double holds its amount.
        held = 10 ** EXACT_DIGITS

        def convert(value):
            if value is None:
                return None
            if value % unit == 0:  # at most 14 digits (ExactDecimal(18, 4)): a double holds them
                return value // unit
            if -held < value < held:
                return FractionalNumber(value / unit)
            return apart(Decimal(value).scaleb(-scale))
    return each(convert)


def row_converters(listing: Listing) -> list[ColumnConverter | None]:
    """The values of a row as the sheet takes them: numbers as read (an amount as ``amount_cells``
    makes it) and dates as Excel's day numbers (the column's format applies: a date written as one
    would get the writer's own format), texts as in the csv; no plan is no cell."""
    converters: list[ColumnConverter | None] = []
    dialect = db.session.get_bind().dialect.name
    for column in listing.columns:
        if column.kind == "decimal":
            # Read as scaled integers where the database makes them (``listing.expression``).
            scale = getattr(Project, column.key).type.scale if dialect in SCALED_READS else None
            converters.append(amount_cells(scale))
        elif column.kind in ("id", "int"):
            converters.append(None)
        elif column.kind in ("date", "month"):
            # Read as Excel's day numbers (``listing.excel_day``) where the database counts them.
            converters.append(None if dialect in SCALED_READS else each(serial_day))
        elif column.kind == "list":
            converters.append(each(lambda ids: listing.plans_text(ids) or None))
        else:
            converters.append(listing.text_converter(column))
    return converters


P = ParamSpec("P")


def to_path_or_file(write: Callable[Concatenate[str, P], int]) -> Callable[Concatenate[IO[bytes] | str, P], int]:
    """A workbook writer that saves to a path, made to take a binary file too: through a
    temporary file, copied out a block at a time."""
    @wraps(write)
    def writer(out: IO[bytes] | str, *args: P.args, **kwargs: P.kwargs) -> int:
        if isinstance(out, str):
            return write(out, *args, **kwargs)
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as spool:
            count = write(spool.name, *args, **kwargs)
            shutil.copyfileobj(spool, out)
        return count
    return writer


def list_sheet(workbook: rx.Workbook, title: str, columns, formats: ListFormats, *,
               column_formats: bool = False):
    """A sheet of the list's projects, one column each: widths (and each column's number format),
    the header row and the id and name columns frozen, printed on A4 landscape a page wide with
    the header on every page, the header written. Constant memory: each row goes to a temporary
    file once the next one is begun."""
    ws = workbook.add_worksheet(title, constant_memory=True)
    for index, column in enumerate(columns):
        ws.set_column_width(index, column.width)
        column_format = formats.column(column) if column_formats else None
        if column_format is not None:
            ws.set_column_format(index, column_format)
    ws.freeze_panes(1, 2)
    ws.set_repeat_rows(0, 0)
    ws.set_landscape()
    ws.set_paper_size(9)  # A4
    ws.set_print_fit_to_pages(1, 0)
    for index, column in enumerate(columns):
        ws.write(0, index, column.label, formats.header)
    return ws


@to_path_or_file
def write_xlsx(out: str, portfolio_filter: PortfolioFilter, *,
               include_money: bool = True, today: dt.date | None = None,
               exported_at: dt.datetime | None = None, batch: int | None = None) -> int:
    """Write the list the filter selects to ``out`` (a path or a binary file). Returns the rows."""
    today = today or clock.today()
    exported_at = exported_at or utcnow()
    columns = export_columns(include_money)
    workbook = rx.Workbook()
    formats = ListFormats(workbook)
    ws = list_sheet(workbook, _("项目清单"), columns, formats, column_formats=True)

    listing = Listing(columns)
    amounts = [index for index, column in enumerate(columns) if column.kind == "decimal"]
    texts = [index for index, column in enumerate(columns) if column.kind in ("text", "region", "list")]
    text_formats = {index: formats.column(columns[index]) for index in texts}
    write_row, write = ws.write_row, ws.write
    row_number = 0
    for rows in listing.partitions(portfolio_filter, row_converters(listing), today=today, batch=batch):
        for row in rows:
            row_number += 1
            # An amount is written as a number in the column's whole-number format; a fraction
            # (or an amount a double cannot hold) apart, in its own; so is a text neutralise
            # quoted (looked for once one was: ``Listing.quoted``), as typed with the quote prefix.
            apart = [index for index in amounts if type(row[index]) in APART]
            if listing.quoted:
                apart += [index for index in texts if quoted(row[index]) is not None]
            if apart:
                cells = list(row)
                for index in apart:
                    cells[index] = None
                write_row(row_number, 0, cells)
                for index in apart:
                    value = row[index]
                    if index in text_formats:
                        formats.write_text(ws, row_number, index, value, text_formats[index])
                    else:
                        write(row_number, index, value,
                              formats.decimal if type(value) is FractionalNumber else formats.plain)
            else:
                write_row(row_number, 0, list(row))
    count = listing.count
    ws.autofilter(0, 0, count, len(columns) - 1)

    # The totals come from the same query as the list page's, so the sums match it exactly;
    # the sheet's columns the page has not are summed over the same filter.
    totals = sheet_totals(queries.totals(portfolio_filter, today), portfolio_filter, today)
    totals_row, coverage_row = count + 1, count + 2
    write(totals_row, 0, str(TOTALS_LABEL), formats.bold)
    write(totals_row, 1, _("%(count)s 个项目", count=f"{totals.projects:,}"), formats.bold)
    totalled = [(index, column) for index, column in enumerate(columns[2:], 2) if column.total]
    for index, column in totalled:  # a constant-memory sheet is written row after row
        value = getattr(totals, str(column.total))
        if value is None:
            write(totals_row, index, "—", formats.bold)
        else:
            formats.write_number(ws, totals_row, index, value, bold=True)
    write(coverage_row, 0, str(COVERAGE_LABEL), formats.bold)
    for index, column in totalled:
        write(coverage_row, index, coverage_text(covered_count(totals, column), totals.projects,
                                                 approximate_count(totals, column)), formats.plain)

    about = workbook.add_worksheet(_("导出说明"))
    about.set_column_width(0, 24)
    about.set_column_width(1, 80)
    lines: list[tuple] = [(_("项目清单导出"), None, formats.bold),
                          (_("导出时间（北京时间）"), local_time(exported_at), None),
                          (_("项目数"), count, None), (),
                          (_("筛选条件"), None, formats.bold)]
    lines += [(label, neutralise(value), None) for label, value in filter_lines(portfolio_filter)]
    lines += [(), (_("合计"), None, formats.bold)]
    lines += [(label, value, None) for label, value in total_lines(totals, columns)]
    lines += [(), (_("说明"), None, formats.bold)]
    for note in (_("空白单元格表示“未填报”：规划文件和填报中都没有这一数据，不计为零；合计只计填报了的项目。"),
                 _("以 = + - @ 开头的文字按文字保存（单元格设为“以文本显示”），不会被表格当作公式计算。"),
                 _("修改后可在“导入”页面上传本表（第一个工作表），按项目ID更新；合计行不会被导入。"),
                 _("导入时空白单元格保持原值不变；要清空已有数据，请填写“%(marker)s”。", marker=CLEAR_MARKER),
                 _("“数据版本”是导出时各项目的版本，请勿改动：导入时只写入您在本表中改过的单元格，"
                   "他人在导出之后的修改保持不变；同一项两人都改过的行会被退回说明。")):
        lines.append((None, note, formats.wrap))
    formats.write_lines(about, lines)
    workbook.close(out)
    return count
