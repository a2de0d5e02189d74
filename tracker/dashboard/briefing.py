"""The printed briefing: one A4 page for a dashboard scope, drawn with ReportLab.

Chinese needs a CJK font, chosen by tracker/core/fonts.py (shared with the list's PDF export):
``TRACKER_CJK_FONT``, else a TrueType one the server has, embedded (subset) so the page looks the
same in every reader; else ReportLab's built-in CID font STSong-Light: it needs no file and its text
extracts, but it is not embedded and each reader substitutes its own Song face.
"""

from __future__ import annotations

from typing import Any

import datetime as dt
import io
from contextvars import ContextVar

from flask_babel import gettext as _
from flask_babel import ngettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepInFrame, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import _listWrapOn  # type: ignore[attr-defined]  # ReportLab's own height of a list of flowables; the stubs omit private names
from xml.sax.saxutils import escape

from ..core import clock
from ..core.translation import aside, phrases
from ..core.fonts import FontChoice, cjk_font, line_breaking
from ..formatting import plain_number
from . import maps, print_map
from .queries import Dashboard
from .summary import headline_items, status_line

INK = colors.HexColor("#1d2733")
MUTED = colors.HexColor("#5b6776")
ACCENT = colors.HexColor("#0b5cad")
WARN = colors.HexColor("#b3261e")
LINE = colors.HexColor("#d7dde4")


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font, fontSize=9, leading=12.5, textColor=INK,
                          wordWrap=line_breaking())
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


class _Measured(Paragraph):
    """A paragraph that keeps its line breaks for each width it was wrapped at.

    The page is laid out a dozen times while its lists are fitted (``render``), with the same
    rows each time: breaking each row's Chinese into lines again was most of the briefing's time.
    A paragraph's breaks depend on its text, its style and the width alone (ReportLab's
    ``Paragraph.wrap`` ignores the height), so a later wrap at a width seen before puts back what
    the first computed, as the drawing reads it."""

    def wrap(self, availWidth, availHeight):
        state = vars(self)
        kept = state.setdefault("_by_width", {})
        if availWidth not in kept:
            size = super().wrap(availWidth, availHeight)
            kept[availWidth] = (size, {name: state[name] for name in self.WRAPPED})
            return size
        size, wrapped = kept[availWidth]
        state.update(wrapped)
        return size

    # What ``Paragraph.wrap`` sets, and its drawing reads.
    WRAPPED = ("width", "height", "blPara", "_wrapWidths")


# The paragraphs one render has made, by text and style: each layout of the page while its lists
# are fitted reuses them (``render`` sets it; two renders, two threads, never share one).
_made: ContextVar[dict[tuple[str, ParagraphStyle], Paragraph] | None] = ContextVar("briefing_paragraphs",
                                                                                    default=None)


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    made = _made.get()
    if made is None:
        return _Measured(escape(text), style)
    key = (text, style)
    if key not in made:
        made[key] = _Measured(escape(text), style)
    return made[key]


def _table_style(font: str, header: bool = True) -> TableStyle:
    commands: list[Any] = [
        ("FONT", (0, 0), (-1, -1), font, 8),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, LINE),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),  # not ReportLab's 6: English words fit their columns
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
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


def _regions(board: Dashboard, show_money: bool, styles, width: float, rows_shown: int) -> Table:
    groups = [group for group in board.regions_for(show_money) if group.projects]  # no room for empty rows
    header = [_p(_("地区"), styles["cell"]), _p(_("项目数"), styles["num"])]
    if show_money:
        header += [_p(_("总投资（万元）"), styles["num"]), _p(_("累计完成投资（万元）"), styles["num"])]
    rows: list[list[Any]] = [header]  # a table's cells: paragraphs, or "" for none
    for group in groups[:rows_shown]:
        row = [_p(group.label, styles["cell"]), _p(plain_number(group.projects), styles["num"])]
        if show_money:
            row += [_p(_figure_with_coverage(group.total_investment, group.with_investment,
                                             group.projects, group.approx_investment), styles["num"]),
                    _p(_figure_with_coverage(group.invested_to_date, group.with_invested,
                                             group.projects), styles["num"])]
        rows.append(row)
    if len(groups) > rows_shown:
        rows.append([_p(_("另有 %(count)s 项", count=len(groups) - rows_shown), styles["cell"])]
                    + [""] * (len(header) - 1))
    widths = ([0.27, 0.17, 0.28, 0.28] if show_money else [0.7, 0.3])  # "Projects" whole
    table = Table(rows, colWidths=[width * w for w in widths], repeatRows=1)
    table.setStyle(_table_style(styles["body"].fontName))
    return table


def _figure_with_coverage(value, count: int, total: int, approx: int = 0) -> str:
    if value is None:
        return _("未填报")
    if approx:  # a sum of figures some of which are 约 says how many, as the headline does
        return _("%(value)s（%(count)s/%(total)s 填报，其中 %(approx)s 个为约数）",
                 value=plain_number(value), count=count, total=total, approx=approx)
    return _("%(value)s（%(count)s/%(total)s 填报）", value=plain_number(value), count=count,
             total=total)


def _late(board: Dashboard, styles, width: float, rows_shown: int) -> list:
    late, today = board.late, board.scope.today
    if not late.total:
        return [_p(_("没有滞后项目：所有已过计划日期的节点都已填报实际完成日期。"), styles["body"])]
    rows: list[list[Any]] = [[_p(_("项目"), styles["cell"]), _p(_("逾期节点"), styles["cell"]),
             _p(_("滞后原因（专员填报）"), styles["cell"])]]
    for project in late.rows[:rows_shown]:
        overdue = phrases(
            ngettext("%(name)s 计划 %(date)s，已逾期 %(days)s 天", "%(name)s 计划 %(date)s，已逾期 %(days)s 天",
                     m.days_late(today), name=m.name, date=m.planned_date.isoformat(), days=m.days_late(today))
            + (ngettext("（原计划 %(date)s，已调整 %(n)s 次）", "（原计划 %(date)s，已调整 %(n)s 次）", m.replan_count,
                        date=m.baseline_date.isoformat(), n=m.replan_count)
               if m.is_replanned else "")
            for m in project.milestones[:2])
        if len(project.milestones) > 2:
            more = len(project.milestones) - 2
            overdue += ngettext("；另有 %(count)s 个节点", "；另有 %(count)s 个节点", more, count=more)
        reasons = phrases(m.delay_reason for m in project.milestones if m.delay_reason) or _("未填报原因")
        rows.append([_p(f"{project.name}{aside(project.region)}", styles["cell"]),
                     _p(overdue, styles["cell"]), _p(reasons, styles["cell"])])
    if late.total > min(rows_shown, len(late.rows)):
        rows.append([_p(_("另有 %(count)s 项", count=late.total - min(rows_shown, len(late.rows))),
                        styles["cell"]), "", ""])
    table = Table(rows, colWidths=[width * 0.40, width * 0.34, width * 0.26], repeatRows=1)
    table.setStyle(_table_style(styles["body"].fontName))
    return [table]


def _over_estimate(board: Dashboard, show_money: bool, styles, width: float,
                   rows_shown: int) -> list:
    """超概算 projects by name; their amounts only where money is shown."""
    over = board.over_estimate
    if not over.total:
        return [_p(_("没有超概算项目：没有项目的现行概算高于批复总投资。"), styles["body"])]
    header = [_p(_("项目"), styles["cell"])]
    if show_money:
        header += [_p(_("批复总投资（万元）"), styles["num"]), _p(_("现行概算（万元）"), styles["num"]),
                   _p(_("超出（万元）"), styles["num"])]
    rows: list[list[Any]] = [header]  # a table's cells: paragraphs, or "" for none
    for project in over.rows[:rows_shown]:
        row = [_p(f"{project.name}{aside(project.region)}", styles["cell"])]
        if show_money:
            row += [_p(plain_number(value), styles["num"]) for value in
                    (project.total_investment, project.current_estimate, project.excess)]
        rows.append(row)
    shown = min(rows_shown, len(over.rows))
    if over.total > shown:
        rows.append([_p(_("另有 %(count)s 项", count=over.total - shown), styles["cell"])]
                    + [""] * (len(header) - 1))
    widths = [0.49, 0.17, 0.17, 0.17] if show_money else [1.0]
    table = Table(rows, colWidths=[width * w for w in widths], repeatRows=1)
    table.setStyle(_table_style(styles["body"].fontName))
    return [table]


MAP_SHARE = 0.42  # of the page's width: the map beside the regions' table


def _map(board: Dashboard, show_money: bool, styles, font: str, width: float) -> list | None:
    """The map's title and drawing (as on the dashboard, by investment or, for a viewer, by
    count); None when no region in scope has an outline. Drawn once: the page is measured
    several times while its lists are fitted."""
    measure = print_map.measure(show_money)
    found = maps.areas(board, measure, lambda args: None)
    picture = (print_map.drawing(found, measure, font, width * MAP_SHARE, 75 * mm,
                                 board.scope.filter.region is None) if found else None)
    if picture is None:
        return None
    return [_p(_("各地区%(measure)s", measure=maps.measure_labels()[measure]), styles["small"]),
            picture]


def _map_and_regions(board: Dashboard, show_money: bool, styles, width: float, rows_shown: int,
                     picture: list | None) -> list:
    """The map beside the regions' table; the table alone without a map."""
    if picture is None:
        return [_regions(board, show_money, styles, width, rows_shown)]
    map_width = width * MAP_SHARE
    table = _regions(board, show_money, styles, width - map_width - 8, rows_shown)
    side = Table([[picture, table]], colWidths=[map_width + 8, width - map_width - 8])
    side.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                              ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (0, 0), 8),
                              ("RIGHTPADDING", (1, 0), (1, 0), 0)]))
    return [side]


LISTS = ("late", "over_estimate", "regions")  # the page's lists, in the order spare room goes to


def _head(board: Dashboard, show_money: bool, styles, width: float, generated_at: dt.datetime) -> list:
    """The title, the scope and the headline figures: the same however many rows the lists show."""
    scope = board.scope
    return [
        _p(_("%(scope)s 卫生健康建设项目简报（%(year)s年）", scope=scope.describe()[0], year=scope.year),
           styles["title"]),
        _p(_("范围：%(filter)s ｜ 日期：%(date)s ｜ 生成：%(time)s（%(zone)s）",
             filter=phrases(scope.describe()), date=scope.today.isoformat(),
             time=generated_at.strftime("%Y-%m-%d %H:%M"), zone=clock.offset_label(generated_at)),
           styles["meta"]),
        Spacer(1, 4),
        _headline(board, show_money, styles, width),
    ]


def _content(board: Dashboard, show_money: bool, styles, width: float, head: list,
             picture: list | None, rows_shown: dict[str, int]) -> list:
    content = list(head)
    if board.is_empty:
        content.append(_p(_("此范围内没有项目：没有可汇总的数据，各项比率无法计算。"), styles["h2"]))
    else:
        content.append(_p(_("分地区"), styles["h2"]))
        content += _map_and_regions(board, show_money, styles, width, rows_shown["regions"], picture)
        content.append(_p(_("超概算项目（%(count)s 个）", count=board.over_estimate.total), styles["h2"]))
        content += _over_estimate(board, show_money, styles, width, rows_shown["over_estimate"])
        content.append(_p(_("滞后项目（%(count)s 个）", count=board.late.total), styles["h2"]))
        content += _late(board, styles, width, rows_shown["late"])
    content += [Spacer(1, 6), _p(
        _("说明：“未填报”表示没有数据，不计为零；每项合计注明覆盖的项目数。总投资、累计完成投资与项目清单合计行一致。"
          "数据来源：卫生健康建设项目台账。"), styles["meta"])]
    return content


def _list_lengths(board: Dashboard, show_money: bool) -> dict[str, int]:
    return {"late": len(board.late.rows), "over_estimate": len(board.over_estimate.rows),
            "regions": len([g for g in board.regions_for(show_money) if g.projects])}


def _largest_fitting(fits, low: int, high: int) -> int:
    """The largest n in [low, high] with fits(n), given fits(low) or low is the floor."""
    if fits(high):
        return high
    while low < high - 1:  # invariant: fits(low) (or low is the floor), not fits(high)
        middle = (low + high) // 2
        low, high = (middle, high) if fits(middle) else (low, middle)
    return low


def render(board: Dashboard, *, show_money: bool = True, font: FontChoice | None = None,
           generated_at: dt.datetime | None = None) -> bytes:
    """The briefing as PDF bytes: always exactly one A4 page.

    The page is filled: the lists (regions, 超概算, 滞后) show as many rows as the page holds
    (the largest counts that fit, found by halving), and only a list cut short by the page's end
    says "另有 N 项". Content that cannot fit even without list rows shrinks to fit.
    """
    made = _made.set({})
    try:
        return _render(board, show_money, font or cjk_font(), generated_at)
    finally:
        _made.reset(made)


def _render(board: Dashboard, show_money: bool, font: FontChoice, generated_at: dt.datetime | None) -> bytes:
    styles = _styles(font.name)
    buffer = io.BytesIO()
    margin = 14 * mm
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=margin, rightMargin=margin,
                            topMargin=margin, bottomMargin=margin,
                            title=_("卫生健康建设项目简报"), author=_("卫生健康建设项目台账"))
    width, height = doc.width, doc.height
    generated_at = clock.local(generated_at) if generated_at else clock.now()
    measuring = Canvas(io.BytesIO(), pagesize=A4)

    # What does not change with the lists' lengths is made once; the lists' rows are each made
    # once too (``_p``), and each keeps its line breaks (``_Measured``).
    picture = None if board.is_empty else _map(board, show_money, styles, font.name, width)
    head = _head(board, show_money, styles, width, generated_at)

    def content(rows_shown: dict[str, int]) -> list:
        return _content(board, show_money, styles, width, head, picture, rows_shown)

    def fits(rows_shown: dict[str, int]) -> bool:
        return _listWrapOn(content(rows_shown), width, measuring)[1] <= height

    lengths = _list_lengths(board, show_money)
    # First as many rows of every list as fit alike, then what room is left goes to each list in
    # turn: the page ends full, or with every row shown.
    common = _largest_fitting(lambda n: fits({name: n for name in LISTS}), 0, max(lengths.values()))
    rows_shown = {name: min(common, length) for name, length in lengths.items()}
    for name in LISTS:
        rows_shown[name] = _largest_fitting(lambda n, name=name: fits({**rows_shown, name: n}),
                                            rows_shown[name], lengths[name])
    doc.build([KeepInFrame(width, height, content(rows_shown), mode="shrink")])
    return buffer.getvalue()
