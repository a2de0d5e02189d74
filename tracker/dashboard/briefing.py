"""The printed briefing: one A4 page for a dashboard scope, drawn with ReportLab.

Chinese needs a CJK font, chosen by tracker/core/fonts.py (shared with the list's PDF export):
``TRACKER_CJK_FONT``, else a TrueType one the server has, embedded (subset) so the page looks the
same in every reader; else ReportLab's built-in CID font STSong-Light: it needs no file and its text
extracts, but it is not embedded and each reader substitutes its own Song face.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from flask_babel import gettext as _
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepInFrame, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from xml.sax.saxutils import escape

from ..core import clock
from ..core.fonts import FontChoice, cjk_font
from ..formatting import plain_number
from .queries import Dashboard
from .summary import headline_items, status_line

ROWS = 8  # region and late-project rows on the page; the rest is counted, "另有 N 项"
INK = colors.HexColor("#1d2733")
MUTED = colors.HexColor("#5b6776")
ACCENT = colors.HexColor("#0b5cad")
WARN = colors.HexColor("#b3261e")
LINE = colors.HexColor("#d7dde4")


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font, fontSize=9, leading=12.5, textColor=INK,
                          wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=16, leading=21),
        "meta": ParagraphStyle("meta", parent=base, fontSize=8, leading=11, textColor=MUTED),
        "h2": ParagraphStyle("h2", parent=base, fontSize=11, leading=15, spaceBefore=5,
                             spaceAfter=2, textColor=ACCENT),
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=10),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8, leading=10.5),
        "num": ParagraphStyle("num", parent=base, fontSize=8, leading=10.5, alignment=2),
        "value": ParagraphStyle("value", parent=base, fontSize=11, leading=14),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _table_style(font: str, header: bool = True) -> TableStyle:
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), font, 8),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, LINE),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if header:
        commands += [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f0f3f6")),
                     ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK)]
    return TableStyle(commands)


def _headline(board: Dashboard, show_money: bool, styles, width: float) -> Table:
    cells = []
    for item in headline_items(board, show_money):
        value = item.value if show_money or not item.money else _("（不向只读用户显示金额）")
        note = item.note if show_money or not item.money else ""
        value_style = ParagraphStyle("v", parent=styles["value"], textColor=WARN if item.warn else INK)
        cells.append([_p(item.label, styles["small"]),
                      [_p(value, value_style)] + ([_p(note, styles["small"])] if note else [])])
    rows = [cells[i] + (cells[i + 1] if i + 1 < len(cells) else ["", ""])
            for i in range(0, len(cells), 2)]
    rows.append([_p(_("项目状态"), styles["small"]), _p(status_line(board.statuses), styles["cell"]),
                 "", ""])
    table = Table(rows, colWidths=[width * 0.14, width * 0.36, width * 0.14, width * 0.36])
    style = _table_style(styles["body"].fontName, header=False)
    style.add("SPAN", (1, len(rows) - 1), (3, len(rows) - 1))
    style.add("TEXTCOLOR", (0, 0), (-1, -1), MUTED)
    table.setStyle(style)
    return table


def _regions(board: Dashboard, show_money: bool, styles, width: float) -> list:
    groups = [group for group in board.regions_for(show_money) if group.projects]  # no room for empty rows
    header = [_p(_("地区"), styles["cell"]), _p(_("项目数"), styles["num"])]
    if show_money:
        header += [_p(_("总投资（万元）"), styles["num"]), _p(_("累计完成投资（万元）"), styles["num"])]
    rows: list[list[Any]] = [header]  # a table's cells: paragraphs, or "" for none
    for group in groups[:ROWS]:
        row = [_p(group.label, styles["cell"]), _p(plain_number(group.projects), styles["num"])]
        if show_money:
            row += [_p(_figure_with_coverage(group.total_investment, group.with_investment,
                                             group.projects), styles["num"]),
                    _p(_figure_with_coverage(group.invested_to_date, group.with_invested,
                                             group.projects), styles["num"])]
        rows.append(row)
    if len(groups) > ROWS:
        rows.append([_p(_("另有 %(count)s 项", count=len(groups) - ROWS), styles["cell"])]
                    + [""] * (len(header) - 1))
    widths = ([0.34, 0.12, 0.27, 0.27] if show_money else [0.7, 0.3])
    table = Table(rows, colWidths=[width * w for w in widths], repeatRows=1)
    table.setStyle(_table_style(styles["body"].fontName))
    return [table]


def _figure_with_coverage(value, count: int, total: int) -> str:
    if value is None:
        return _("未填报")
    return _("%(value)s（%(count)s/%(total)s 填报）", value=plain_number(value), count=count,
             total=total)


def _region_chart(board: Dashboard, show_money: bool, font: str, width: float) -> Drawing | None:
    groups = [g for g in board.regions_for(show_money) if g.projects][:ROWS]
    if show_money:
        groups = [g for g in groups if g.total_investment is not None]
        values = [float(g.total_investment or 0) for g in groups]  # none is None, filtered above
        title = _("各地区总投资（万元，仅含已填报总投资的项目）")
    else:
        values = [float(g.projects) for g in groups]
        title = _("各地区项目数")
    if not groups:
        return None
    bar_row = 15
    height = len(groups) * bar_row + 26
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 90, 4
    chart.width, chart.height = width - 170, len(groups) * bar_row  # type: ignore[assignment]  # stubs: int; any number is drawn
    # Bars top to bottom in the table's order: ReportLab draws the first category at the bottom.
    chart.data = [list(reversed(values))]
    chart.categoryAxis.categoryNames = [g.label[:10] for g in reversed(groups)]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -3
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.visible = False
    chart.bars[0].fillColor = ACCENT
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = "values"
    chart.barLabelArray = [[plain_number(g.total_investment if show_money else g.projects)
                            for g in reversed(groups)]]
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 7.5
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    drawing.add(String(0, height - 10, title, fontName=font, fontSize=8.5, fillColor=MUTED))
    return drawing


def _late(board: Dashboard, styles, width: float) -> list:
    late, today = board.late, board.scope.today
    if not late.total:
        return [_p(_("没有滞后项目：所有已过计划日期的节点都已填报实际完成日期。"), styles["body"])]
    rows: list[list[Any]] = [[_p(_("项目"), styles["cell"]), _p(_("逾期节点"), styles["cell"]),
                              _p(_("滞后原因（专员填报）"), styles["cell"])]]
    for project in late.rows[:ROWS]:
        overdue = "；".join(
            _("%(name)s 计划 %(date)s，已逾期 %(days)s 天", name=m.name, date=m.planned_date.isoformat(),
              days=m.days_late(today))
            + (_("（原计划 %(date)s，已调整 %(n)s 次）", date=m.baseline_date.isoformat(), n=m.replan_count)
               if m.is_replanned else "")
            for m in project.milestones[:2])
        if len(project.milestones) > 2:
            overdue += _("；另有 %(count)s 个节点", count=len(project.milestones) - 2)
        reasons = "；".join(m.delay_reason for m in project.milestones if m.delay_reason) or _("未填报原因")
        rows.append([_p(f"{project.name}（{project.region}）", styles["cell"]),
                     _p(overdue, styles["cell"]), _p(reasons, styles["cell"])])
    if late.total > min(ROWS, len(late.rows)):
        rows.append([_p(_("另有 %(count)s 项", count=late.total - min(ROWS, len(late.rows))),
                        styles["cell"]), "", ""])
    table = Table(rows, colWidths=[width * 0.34, width * 0.36, width * 0.30], repeatRows=1)
    table.setStyle(_table_style(styles["body"].fontName))
    return [table]


def render(board: Dashboard, *, show_money: bool = True, font: FontChoice | None = None,
           generated_at: dt.datetime | None = None) -> bytes:
    """The briefing as PDF bytes: always exactly one A4 page (the content shrinks to fit)."""
    font = font or cjk_font()
    styles = _styles(font.name)
    buffer = io.BytesIO()
    margin = 14 * mm
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=margin, rightMargin=margin,
                            topMargin=margin, bottomMargin=margin,
                            title=_("卫生健康建设项目简报"), author=_("卫生健康建设项目台账"))
    width, height = doc.width, doc.height
    scope = board.scope
    generated_at = clock.local(generated_at) if generated_at else clock.now()
    content = [
        _p(_("%(scope)s 卫生健康建设项目简报（%(year)s年）", scope=scope.describe()[0], year=scope.year),
           styles["title"]),
        _p(_("范围：%(filter)s ｜ 日期：%(date)s ｜ 生成：%(time)s",
             filter="；".join(scope.describe()), date=scope.today.isoformat(),
             time=generated_at.strftime("%Y-%m-%d %H:%M")), styles["meta"]),
        Spacer(1, 4),
    ]
    content.append(_headline(board, show_money, styles, width))
    if board.is_empty:
        content.append(_p(_("此范围内没有项目：没有可汇总的数据，各项比率无法计算。"), styles["h2"]))
    else:
        content.append(_p(_("分地区"), styles["h2"]))
        content += _regions(board, show_money, styles, width)
        chart = _region_chart(board, show_money, font.name, width)
        if chart is not None:
            content += [Spacer(1, 4), chart]
        content.append(_p(_("滞后项目（%(count)s 个）", count=board.late.total), styles["h2"]))
        content += _late(board, styles, width)
    content += [Spacer(1, 6), _p(
        _("说明：“未填报”表示没有数据，不计为零；每项合计注明覆盖的项目数。总投资、累计完成投资与项目清单合计行一致。"
          "数据来源：卫生健康建设项目台账。"), styles["meta"])]
    doc.build([KeepInFrame(width, height, content, mode="shrink")])
    return buffer.getvalue()
