"""The portfolio list on A4 landscape, for printing: what the filter selects, its totals with
coverage, the filter in words and the export time. Chinese is real text (it extracts back)."""

from __future__ import annotations

import datetime as dt
from typing import IO, Any
from xml.sax.saxutils import escape

from flask_babel import gettext as _
from flask_babel import ngettext, pgettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ..core import clock
from ..core.clock import utcnow
from ..formatting import plain_number
from ..portfolio import queries
from ..exports.records import iter_projects
from ..portfolio.filters import PortfolioFilter
from .columns import by_key
from .describe import approximate_count, covered_count, filter_summary, local_time
from ..core.fonts import cjk_font, line_breaking
from .xlsx import LIST_OPTIONS

# A print-out is read by people: past this many rows the xlsx is the right format.
DEFAULT_MAX_ROWS = 2000

# (column key, width in mm, right-aligned); the widths fill A4 landscape inside 12 mm margins.
# 建设性质 and 状态 fit "Nature of construction" and "Under construction" word by word in English.
LAYOUT = (
    ("name", 70, False), ("region_name", 26, False), ("category", 24, False),
    ("build_nature", 20, False), ("status", 20, False), ("total_investment", 27, True),
    ("floor_area_m2", 27, True), ("beds", 18, True), ("invested_to_date", 27, True),
)


class TooManyRows(Exception):
    def __init__(self, count: int, limit: int):
        self.count, self.limit = count, limit
        super().__init__(_("清单有 %(count)s 个项目，超过打印版的上限 %(limit)s 个；请缩小筛选范围，或导出 Excel。",
                           count=f"{count:,}", limit=f"{limit:,}"))


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10, wordWrap=line_breaking())
    return {
        "cell": base,
        "number": ParagraphStyle("number", parent=base, alignment=2),
        "head": ParagraphStyle("head", parent=base, fontSize=8.5, leading=10.5),
        "title": ParagraphStyle("title", parent=base, fontSize=15, leading=20),
        "meta": ParagraphStyle("meta", parent=base, fontSize=9, leading=12),
        "small": ParagraphStyle("small", parent=base, fontSize=7, leading=8.5, alignment=2),
    }


def _figure(project, key: str) -> str:
    value = getattr(project, key)
    if value is None:
        return _("未填报")
    approx = by_key()[key].approx
    prefix = _("约") if approx and getattr(project, approx) else ""
    return prefix + plain_number(value)


def _cell_text(project, key: str) -> str:
    column = by_key()[key]
    if key == "region_name":
        return project.region.name
    if column.kind in ("decimal", "int"):
        if key == "beds" and project.beds is None and project.new_beds is not None:
            return _("新增 %(n)s", n=plain_number(project.new_beds))
        return _figure(project, key)
    value = column.get(project) if column.get else None
    if value is None:
        return _("未填报")
    return value.label if column.kind == "vocab" else str(value)


def write_pdf(out: IO[bytes] | str, portfolio_filter: PortfolioFilter, *, include_money: bool = True,
              today: dt.date | None = None, exported_at: dt.datetime | None = None,
              max_rows: int = DEFAULT_MAX_ROWS) -> int:
    today = today or clock.today()
    exported_at = exported_at or utcnow()
    totals = queries.totals(portfolio_filter, today)
    if totals.projects > max_rows:
        raise TooManyRows(totals.projects, max_rows)
    font = cjk_font().name
    styles = _styles(font)
    columns = by_key()
    layout = [(key, width, right) for key, width, right in LAYOUT
              if include_money or not columns[key].money]
    style_of = lambda right: styles["number"] if right else styles["cell"]  # noqa: E731

    header = [Paragraph(_("序号"), styles["head"])] + [
        Paragraph(escape(columns[key].label), styles["head"]) for key, _w, _r in layout]
    rows: list[list[Any]] = [header]  # a table's cells: paragraphs, or "" for none
    for number, project in enumerate(iter_projects(portfolio_filter, options=LIST_OPTIONS,
                                                   today=today), 1):
        rows.append([Paragraph(str(number), styles["cell"])] + [
            Paragraph(escape(_cell_text(project, key)), style_of(right)) for key, _w, right in layout])
    totals_row: list[Any] = [
        Paragraph(escape(ngettext("合计（%(count)s 个项目）", "合计（%(count)s 个项目）", totals.projects,
                                 count=plain_number(totals.projects))), styles["head"]), ""]
    for key, _w, _right in layout[1:]:
        column = columns[key]
        if column.total:
            value = getattr(totals, column.total)
            shown = plain_number(value) if value is not None else "—"
            cover = _("%(count)s/%(total)s 个填报", count=plain_number(covered_count(totals, column)),
                      total=plain_number(totals.projects))
            if approximate_count(totals, column):
                cover += pgettext("分句内的逗号", "，") + ngettext(
                    "其中 %(n)s 个为约数", "其中 %(n)s 个为约数", approximate_count(totals, column),
                    n=plain_number(approximate_count(totals, column)))
            if key == "beds" and totals.with_new_beds:  # the column shows 新增 where beds are unknown
                cover += "<br/>" + escape(_("新增 %(n)s（%(count)s 个填报）", n=plain_number(totals.new_beds or 0),
                                            count=plain_number(totals.with_new_beds)))
                totals_row.append(Paragraph(f"{escape(shown)}<br/><font size=6.5>{cover}</font>", styles["number"]))
                continue
            totals_row.append(Paragraph(f"{escape(shown)}<br/><font size=6.5>{escape(cover)}</font>",
                                        styles["number"]))
        else:
            totals_row.append("")
    rows.append(totals_row)

    widths = [11 * mm] + [width * mm for _k, width, _r in layout]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font, 8),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde6f0")),
        ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#f2f2f2")),
        ("SPAN", (0, -1), (1, -1)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        # 3 pt a side, not ReportLab's 6: an English word ("Pre-construction") fits its column.
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]))

    title = _("项目清单")
    stamp = _("导出时间（北京时间）：%(time)s", time=local_time(exported_at))

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.drawString(12 * mm, 7 * mm, f"{title} · {stamp}")
        canvas.drawRightString(doc.pagesize[0] - 12 * mm, 7 * mm, _("第 %(page)s 页", page=doc.page))
        canvas.restoreState()

    doc = SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=14 * mm, title=title,
                            author=_("卫生健康建设项目台账"))
    story = [Paragraph(escape(title), styles["title"]),
             Paragraph(escape(_("筛选条件：%(text)s", text=filter_summary(portfolio_filter))), styles["meta"]),
             Paragraph(escape(stamp), styles["meta"]), Spacer(1, 4 * mm), table]
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return totals.projects
