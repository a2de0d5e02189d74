"""The 终期评估 of a plan on A4, for the report a health commission files: the indicators against
their targets and the projects by outcome, as the evaluation page shows them; and the same as a
workbook (``write_evaluation_xlsx``) to work on in Excel or WPS.

Chinese is real text in the font core/fonts.py chooses (as the list's PDF and the briefing), so
the report can be searched and copied. Amounts are left out when the reader may not see money:
the same rule as the page.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import IO
from xml.sax.saxutils import escape

from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ..core import clock
from ..core.fonts import cjk_font, line_breaking
from ..core.clock import utcnow
from ..core.translation import aside, labelled, phrases
from ..exports.columns import decimal_text
from ..exports.describe import local_time
from ..exports.xlsx import DATE_FORMAT, DECIMAL_FORMAT, WHOLE_FORMAT, number_style, openpyxl_styles, put_text
from ..formatting import plain_number
from ..vocabulary import IndicatorNature
from .models import Plan
from .services import attainment_label, evaluation, outcome_labels, period_label

MARGIN = 15 * mm
WIDTH = A4[0] - 2 * MARGIN  # 180 mm of text


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10.5, wordWrap=line_breaking())
    return {
        "cell": base,
        "number": ParagraphStyle("number", parent=base, alignment=2),
        "head": ParagraphStyle("head", parent=base, fontSize=8.5),
        "title": ParagraphStyle("title", parent=base, fontSize=15, leading=20),
        "h2": ParagraphStyle("h2", parent=base, fontSize=11, leading=15, spaceBefore=6, spaceAfter=3),
        "meta": ParagraphStyle("meta", parent=base, fontSize=9, leading=12),
    }


def _table(rows: list, widths: list[float], font: str) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font, 8),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde6f0")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),  # not ReportLab's 6: "Expected" fits its column
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def _amount(value, count: int) -> str:
    if value is None:
        return _("未填报")
    return _("%(amount)s 万元（%(n)s 个项目填报）", amount=plain_number(value), n=count)


def write_evaluation_pdf(out: IO[bytes] | str, plan: Plan, *, include_money: bool,
                         exported_at: dt.datetime | None = None) -> None:
    result = evaluation(plan)
    outcomes = outcome_labels()
    font = cjk_font().name
    styles = _styles(font)

    def p(text, style="cell") -> Paragraph:
        return Paragraph(escape(str(text)), styles[style])

    title = _("%(title)s · 终期评估", title=plan.title)
    period = period_label(plan.period_start, plan.period_end)
    meta = phrases(part for part in (
        plan.issuer, plan.doc_number,
        f"{plan.period_start}—{plan.period_end}" + (aside([period]) if period else "")
        if plan.period_start else None) if part)
    stamp = _("导出时间（北京时间）：%(time)s",
              time=clock.local(exported_at or utcnow()).strftime("%Y-%m-%d %H:%M"))
    story = [p(title, "title")] + ([p(meta, "meta")] if meta else []) + [p(stamp, "meta"), Spacer(1, 3 * mm)]

    story.append(p(_("主要指标"), "h2"))
    if result["indicators"]:
        rows = [[p(text, "head") for text in (_("指标"), _("单位"), _("基期值"), _("目标值"), _("属性"),
                                               _("最新实际值"), _("来源"), _("是否达标"))]]
        for row in result["indicators"]:
            indicator, latest = row["indicator"], row["latest"]
            name = indicator.name + (aside([_("约束性")]) if indicator.nature is IndicatorNature.BINDING else "")
            rows.append([p(name), p(indicator.unit or "—"), p(indicator.baseline or "—"),
                         p(f"{indicator.comparator or ''}{indicator.target or '—'}"
                           + (_("（按 %(rule)s 判定）", rule=row["read_as"]) if row["read_as"] else "")),
                         p(indicator.nature.label if indicator.nature else "—"),
                         p(f"{latest.value}{aside([latest.year])}" if latest else _("未填报")),
                         p(latest.source if latest else "—"), p(attainment_label(row))])
        story.append(_table(rows, [w * mm for w in (42, 14, 18, 20, 17, 22, 31, 16)], font))
    else:
        story.append(p(_("本规划没有主要指标。")))

    story.append(p(_("项目完成情况"), "h2"))
    rows = [[p(_("结果"), "head"), p(_("项目"), "head"), p(_("项目名称"), "head")]]
    for outcome, items in result["by_outcome"].items():
        rows.append([p(outcomes[outcome]), p(str(len(items)), "number"),
                     p("、".join(project.name for project in items) or "—")])
    story.append(_table(rows, [34 * mm, 14 * mm, WIDTH - 48 * mm], font))
    story.append(Spacer(1, 3 * mm))
    if include_money:
        story.append(p(phrases([labelled(_("计划总投资"), _amount(result["planned"], result["planned_count"])),
                                labelled(result["invested_label"],
                                         _amount(result["invested"], result["invested_count"]))]), "meta"))

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.drawString(MARGIN, 8 * mm, f"{plan.title} · {_('终期评估')}")
        canvas.drawRightString(A4[0] - MARGIN, 8 * mm, _("第 %(page)s 页", page=doc.page))
        canvas.restoreState()

    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=16 * mm, title=title, author=_("卫生健康建设项目台账"))
    doc.build(story, onFirstPage=footer, onLaterPages=footer)


# A figure as the plan prints it and an officer enters it: "7.5", "-3", "96.2%".
_FIGURE = re.compile(r"(-?\d+(?:\.\d+)?)\s*([%％])?")


_PERCENT_UNITS = ("%", "％", "‰")


def _figure(text: str | None, unit: str | None = None):
    """A cell's value and number format for an indicator's figure: a number Excel can compare
    and sum where the text is one, in the indicator's unit (target 35 and actual "36.5%" of a
    "%" indicator are 35 and 36.5; "6.9张" of a "张" one is 6.9; "96.2%" of another unit a
    percentage), else the text as written ("持续提升"; the sheet neutralises it, ``put_text``: it
    came from an uploaded document or a form)."""
    if text is None or not str(text).strip():
        return None, None
    raw, unit = str(text).strip(), (unit or "").strip()
    if unit and raw.endswith(unit) and len(raw) > len(unit):
        raw = raw[:-len(unit)].strip()  # the unit the column heading already gives
    elif unit in _PERCENT_UNITS and raw.endswith(_PERCENT_UNITS):
        raw = raw[:-1].strip()
    found = _FIGURE.fullmatch(raw)
    if found is None:
        return str(text), None
    number, percent = Decimal(found.group(1)), found.group(2)
    places = max(0, -number.normalize().as_tuple().exponent)  # type: ignore[operator]
    if percent:
        return number / 100, "0" + ("." + "0" * places if places else "") + "%"
    return number.normalize() if places else int(number), DECIMAL_FORMAT if places else WHOLE_FORMAT


def write_evaluation_xlsx(out: IO[bytes], plan: Plan, *, include_money: bool,
                          exported_at: dt.datetime | None = None) -> None:
    """The evaluation as a workbook: the indicators (figures as numbers where they are numbers),
    the projects by outcome (amounts only for a reader who may see money), and a sheet saying
    what it is. Texts are neutralised, headers frozen and filterable, as in the list's export."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    result = evaluation(plan)
    styles = openpyxl_styles()
    book = Workbook()

    def sheet(ws, headers: list[tuple[str, int]], rows: list[list]) -> None:
        for index, (label, width) in enumerate(headers, 1):
            cell = ws.cell(row=1, column=index, value=label)
            cell.font, cell.fill = styles.header_font, styles.header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
            ws.column_dimensions[get_column_letter(index)].width = width
        for number, values in enumerate(rows, 2):
            for index, value in enumerate(values, 1):
                number_format = None
                if isinstance(value, str) or (isinstance(value, tuple) and isinstance(value[0], str)):
                    put_text(ws.cell(row=number, column=index), value if isinstance(value, str) else value[0])
                    continue
                if isinstance(value, tuple):
                    value, number_format = value
                elif isinstance(value, Decimal):  # an amount: exact, as the list's export writes it
                    style = number_style(value)
                    value, number_format = ((decimal_text(value), None) if style == "text" else
                                            (int(value), WHOLE_FORMAT) if style == "whole" else
                                            (value.normalize(), DECIMAL_FORMAT))
                elif isinstance(value, dt.date):
                    number_format = DATE_FORMAT
                cell = ws.cell(row=number, column=index, value=value)
                if number_format:
                    cell.number_format = number_format
        ws.freeze_panes = "B2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(len(rows) + 1, 1)}"

    indicators = book.worksheets[0]  # a new workbook's one sheet
    indicators.title = _("指标")
    sheet(indicators, [(_("指标"), 36), (_("单位"), 10), (_("基期值"), 10), (_("基期年份"), 9),
                       (_("目标方向"), 9), (_("目标值"), 10), (_("目标年份"), 9), (_("属性"), 9),
                       (_("最新实际值"), 11), (_("实际值年份"), 10), (_("来源"), 30), (_("是否达标"), 10)],
          [[row["indicator"].name, row["indicator"].unit, _figure(row["indicator"].baseline, row["indicator"].unit),
            row["indicator"].baseline_year,
            row["indicator"].comparator or (
                (_("%(rule)s（区间取下限）", rule=row["read_as"]) if row["read_from"] == "range"
                 else _("%(rule)s（据基期值推定）", rule=row["read_as"])) if row["read_as"] else None),
            _figure(row["indicator"].target, row["indicator"].unit),
            row["indicator"].target_year, row["indicator"].nature.label if row["indicator"].nature else None,
            _figure(row["latest"].value if row["latest"] else None, row["indicator"].unit),
            row["latest"].year if row["latest"] else None,
            row["latest"].source if row["latest"] else None, attainment_label(row)]
           for row in result["indicators"]])

    outcomes = outcome_labels()
    headers = [(_("项目名称"), 40), (_("地区"), 16), (_("结果"), 14), (_("计划竣工"), 12)]
    if include_money:
        headers += [(_("总投资（万元）"), 14), (_("%(label)s（万元）", label=result["invested_label"]), 22)]
    projects = book.create_sheet(_("项目"))
    sheet(projects, headers, [
        [project.name, project.region.name, outcomes[outcome], project.planned_end,
         *([project.total_investment, result["invested_of"].get(project.id)] if include_money else [])]
        for outcome, items in result["by_outcome"].items() for project in items])

    about = book.create_sheet(_("导出说明"))
    period = period_label(plan.period_start, plan.period_end)
    lines = [(_("规划"), plan.title), (_("发文机关"), plan.issuer), (_("文号"), plan.doc_number),
             (_("规划期"), f"{plan.period_start}—{plan.period_end}" + (aside([period]) if period else "")
              if plan.period_start else None),
             (_("导出时间"), local_time(exported_at or utcnow()))]
    if include_money:
        lines += [(_("计划总投资"), _amount(result["planned"], result["planned_count"])),
                  (result["invested_label"], _amount(result["invested"], result["invested_count"]))]
    else:
        lines.append((_("金额"), _("已隐藏")))
    about.column_dimensions["A"].width, about.column_dimensions["B"].width = 16, 70
    for name, value in lines:
        about.append([name])
        put_text(about.cell(row=about.max_row, column=2), str(value) if value else "—")
        about.cell(row=about.max_row, column=1).font = styles.header_font
    book.save(out)
