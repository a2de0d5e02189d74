"""The import templates: a sheet with the import's headers, drop-down lists and a 填写说明 sheet,
filled in where the tracker knows the rows (the monthly reports a user owes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext

from ..exports.columns import CLEAR_MARKER, Column
from ..exports.xlsx import DECIMAL_FORMAT, WHOLE_FORMAT, openpyxl_styles, put_text
from .outcome import MONTHLY_REPORTS, PROJECTS

GREY_COLOUR = "EEEEEE"  # a column the import ignores
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
                   rows: Sequence[dict] = (), max_rows: int = 5000, instructions: list[str] | None = None) -> None:
    """A sheet with the import headers (and ``rows`` filled in: column key → value), drop-down
    lists, and a sheet that explains each column (``instructions``: another import's own 填写说明, else
    the portfolio imports'). Small, so written in normal mode (write-only sheets cannot hold data
    validations)."""
    # openpyxl is imported here, not with the module: a web worker that never writes a template
    # does not carry it (``exports.xlsx.openpyxl_styles``).
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = tuple(column for column in columns if column.template)
    header_font, header_fill = openpyxl_styles().header_font, openpyxl_styles().header_fill
    grey_fill = PatternFill("solid", fgColor=GREY_COLOUR)
    workbook = Workbook()
    ws = workbook.worksheets[0]  # a new workbook's one sheet
    ws.title = title
    ws.freeze_panes = "A2"
    last_row = max(len(rows) + 1, 201)
    for index, column in enumerate(columns, 1):
        letter = get_column_letter(index)
        cell = ws.cell(row=1, column=index, value=column.label)
        cell.font = header_font
        cell.fill = header_fill if column.importable else grey_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        ws.column_dimensions[letter].width = column.width
        choices = None
        if column.kind == "vocab" and column.vocabulary:
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
            elif isinstance(value, str):  # a name from a form or a plan: as typed, never run as a formula
                put_text(target, value)
            else:
                target.value = value
            if not column.importable:
                target.fill = grey_fill

    notes = workbook.create_sheet(_("填写说明"))
    notes.append([_("列"), _("必填"), _("填写方法"), _("可选值")])
    for cell in notes[1]:
        cell.font = header_font
    for column in columns:
        if not column.importable:
            how = _("仅供阅读，导入时忽略")
        elif column.key == "id" and kind == MONTHLY_REPORTS:
            how = str(REPORT_ID_NOTE)
        else:
            how = str(KIND_NOTES.get(column.kind, ""))
        listed = pgettext("列举的分隔号", "、").join(m.label for m in column.vocabulary) if column.vocabulary else ""
        notes.append([column.label, _("是") if column.required else "", how, listed])
    notes.append([])
    for line in template_notes(kind, max_rows=max_rows) if instructions is None else instructions:
        notes.append([line])
    for letter, width in zip("ABCD", (24, 8, 44, 60)):
        notes.column_dimensions[letter].width = width
    workbook.save(out)
