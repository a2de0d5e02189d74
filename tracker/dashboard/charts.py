"""Charts as server-rendered SVG: no script, no network, and they print.

Only presentation attributes (``fill=``, ``font-size=``), no ``style=``: a strict
Content-Security-Policy leaves them alone. Coordinates are floats; every figure printed on a chart
is the exact value, formatted by ``formatting.plain_number``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup, escape

from ..core.translation import labelled, phrases
from ..formatting import plain_number
from ..progress.models import first_commitment

FONT = 13
INK, MUTED, LINE, ACCENT, WARN, GOOD = "#1d2733", "#5b6776", "#d7dde4", "#0b5cad", "#b3261e", "#2b8a3e"
# Distinct in colour and in grey on paper: light to dark.
STATUS_COLOURS = {
    "reserve": "#e3e7ec", "preparation": "#b9c7d8", "construction": "#0b5cad",
    "completed": "#2b8a3e", "in_use": "#14532d", "suspended": "#e8a33d", "cancelled": "#7f1d1d",
    None: "#ffffff",
}


def _text_width(text: str, size: int = FONT) -> float:
    """Roughly how wide ``text`` is: a CJK character is a full em, Latin about half."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.56 for ch in text)


def _svg(width: float, height: float, title: str, body: list[str], css_class: str) -> Markup:
    # A drawing with links is a group of links a screen reader walks, not one picture: an
    # image's children are hidden from it, and links inside one are "nested interactive".
    role = "group" if any(part.startswith("<a ") for part in body) else "img"
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" role="{role}" '
        f'aria-label="{escape(title)}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" font-size="{FONT}" fill="{INK}">'
        f'<title>{escape(title)}</title>' + "".join(body) + "</svg>")


def _text(x: float, y: float, text: str, anchor: str = "start", **attrs) -> str:
    extra = "".join(f' {key.replace("_", "-")}="{escape(value)}"' for key, value in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{escape(text)}</text>'


def _link(href: str | None, content: str, label: str) -> str:
    """``content`` as a link named ``label`` (a shape has no text a screen reader could read)."""
    return f'<a href="{escape(href)}" aria-label="{escape(label)}">{content}</a>' if href else content


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10ⁿ at least ``value``: an axis end a reader can divide."""
    if value <= 0:
        return 1.0
    magnitude = 10.0 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | int | None
    note: str = ""
    href: str | None = None


def bar_chart(bars: list[Bar], title: str, unit: str, width: int = 640) -> Markup:
    """Horizontal bars, the exact figure at each bar's end; an unknown value says 未填报."""
    row, top = 28, 8
    label_width = min(220.0, max((_text_width(bar.label) for bar in bars), default=40) + 12)
    value_room = max((_text_width(f"{plain_number(bar.value)} {unit}") + _text_width(bar.note, 11)
                      for bar in bars if bar.value is not None), default=60.0) + 24
    width = max(width, int(label_width + value_room + 160))  # the figures are never cut off
    plot = width - label_width - value_room
    largest = max((float(bar.value) for bar in bars if bar.value is not None), default=0.0)
    scale = plot / largest if largest > 0 else 0.0
    body = []
    for index, bar in enumerate(bars):
        y = top + index * row
        label = bar.label if _text_width(bar.label) <= label_width - 8 else bar.label[:12] + "…"
        body.append(_link(bar.href, _text(label_width - 8, y + 18, label, "end"), bar.label))
        if bar.value is None:
            body.append(_text(label_width, y + 18, f"{_('未填报')} {bar.note}".strip(), fill=MUTED,
                              font_style="italic"))
            continue
        length = max(float(bar.value) * scale, 1.0 if bar.value > 0 else 0.0)
        figure = f"{plain_number(bar.value)} {unit}".strip()
        body.append(_link(bar.href, f'<rect x="{label_width:.1f}" y="{y + 5}" width="{length:.1f}" '
                                    f'height="{row - 10}" fill="{ACCENT}"/>', labelled(bar.label, figure)))
        body.append(_text(label_width + length + 6, y + 18, figure))
        if bar.note:
            body.append(_text(label_width + length + 10 + _text_width(figure), y + 18, bar.note,
                              fill=MUTED, font_size="11"))
    height = top * 2 + max(1, len(bars)) * row
    if not bars:
        body.append(_text(width / 2, height / 2 + 4, _("没有数据"), "middle", fill=MUTED))
    return _svg(width, height, title, body, "bars")


@dataclass(frozen=True)
class Segment:
    key: str | None
    label: str
    count: int
    href: str | None = None


def stacked_bar(segments: list[Segment], title: str, width: int = 640) -> Markup:
    """One bar split by share (the status mix), with a legend that states every count."""
    total = sum(segment.count for segment in segments)
    bar_height, legend_row = 34, 24
    body, x = [], 0.0
    shown = [segment for segment in segments if segment.count]
    for segment in shown:
        share = segment.count / total
        w = share * width
        colour = STATUS_COLOURS.get(segment.key, "#9aa5b1")
        body.append(_link(segment.href, f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{bar_height}" '
                                        f'fill="{colour}" stroke="{INK}" stroke-width="0.6"/>',
                          f"{segment.label} {plain_number(segment.count)}"))
        x += w
    columns = 3
    for index, segment in enumerate(shown):
        cx = (index % columns) * (width / columns)
        cy = bar_height + 14 + (index // columns) * legend_row
        colour = STATUS_COLOURS.get(segment.key, "#9aa5b1")
        percent = Decimal(segment.count * 100) / Decimal(total)
        body.append(f'<rect x="{cx:.1f}" y="{cy:.1f}" width="14" height="14" fill="{colour}" '
                    f'stroke="{INK}" stroke-width="0.6"/>')
        text = _("%(label)s %(count)s 个（%(percent)s%%）", label=segment.label,
                 count=plain_number(segment.count), percent=percent.quantize(Decimal("0.1")))
        body.append(_link(segment.href, _text(cx + 20, cy + 12, text), text))
    rows = -(-len(shown) // columns)
    height = bar_height + 18 + rows * legend_row
    if not shown:
        body.append(_text(width / 2, 22, _("没有项目"), "middle", fill=MUTED))
    return _svg(width, height, title, body, "status-mix")


def month_chart(planned: list[Decimal | None], completed: list[Decimal | None],
                monthly: list[Decimal | None], title: str, unit: str, width: int = 900) -> Markup:
    """Cumulative planned (the annual plan spread evenly) against cumulative completed, by month,
    with each month's completed investment as a light bar."""
    left, right, top, bottom = 78, 16, 34, 28
    behind = _behind(planned, completed)
    # The legend in rows that fit the drawing (in English one row ran past its edge, the last
    # entry unseen), the plot below it.
    entries = [(MUTED, "6 4", _("计划投资（年度计划按月均摊，累计）")),
               (WARN if behind else GOOD, None, _("实际完成（有年度计划的项目，月报累计）")),
               (None, None, _("当月完成"))]
    placed: list[tuple[float, float, tuple]] = []
    x, row = float(left), 0
    for entry in entries:
        needed = 32 + _text_width(entry[2], 12)
        if x > left and x + needed > width - right:
            x, row = float(left), row + 1
        placed.append((x, 12 + row * 20, entry))
        x += needed + 12
    top += row * 20
    height = 270 + row * 20
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [float(v) for v in (*planned, *completed, *monthly) if v is not None]
    end = nice_ceiling(max(values, default=0.0))
    step_x = plot_w / 12

    def px(month_index: int) -> float:
        return left + step_x * (month_index + 0.5)

    def py(value: Decimal | float) -> float:
        return top + plot_h - float(value) / end * plot_h

    body = []
    for tick in range(5):
        value = end * tick / 4
        y = py(value)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
                    f'stroke="{LINE}" stroke-width="1"/>')
        label = plain_number(Decimal(str(round(value, 4))).normalize())
        body.append(_text(left - 6, y + 4, label, "end", fill=MUTED, font_size="11"))
    body.append(_text(left - 6, top - 12, unit, "end", fill=MUTED, font_size="11"))
    for index in range(12):
        body.append(_text(px(index), height - 10, _("%(month)s月", month=index + 1), "middle",
                          fill=MUTED, font_size="11"))
        amount = monthly[index]
        if amount is not None and amount > 0:
            y = py(amount)
            body.append(f'<rect x="{px(index) - step_x * 0.3:.1f}" y="{y:.1f}" width="{step_x * 0.6:.1f}" '
                        f'height="{top + plot_h - y:.1f}" fill="#c9daf0" stroke="{ACCENT}" '
                        f'stroke-width="0.5"><title>{escape(plain_number(amount))}</title></rect>')

    def polyline(series, colour, dash: str | None, marker: str) -> None:
        points = [(px(i), py(v)) for i, v in enumerate(series) if v is not None]
        if not points:
            return
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        # A month without a value breaks the line: joined across it, the line would draw a
        # figure for a month nobody reported.
        runs: list[list[tuple[float, float]]] = [[]]
        for index, value in enumerate(series):
            if value is None:
                runs.append([])
            else:
                runs[-1].append((px(index), py(value)))
        for run in runs:
            if len(run) > 1:
                body.append('<polyline fill="none" stroke="{}" stroke-width="2.5"{} points="{}"/>'.format(
                    colour, dashed, " ".join(f"{x:.1f},{y:.1f}" for x, y in run)))
        for (x, y), value in zip(points, [v for v in series if v is not None]):
            fill = colour if marker == "filled" else "#fff"
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{fill}" stroke="{colour}" '
                        f'stroke-width="1.5"><title>{escape(plain_number(value))}</title></circle>')

    polyline(planned, MUTED, "6 4", "hollow")
    polyline(completed, WARN if behind else GOOD, None, "filled")
    for x, y, (colour, dash, label) in placed:
        if colour is None:  # the month's bar
            body.append(f'<rect x="{x}" y="{y - 7}" width="14" height="12" fill="#c9daf0" stroke="{ACCENT}" '
                        f'stroke-width="0.5"/>')
            body.append(_text(x + 20, y + 4, label, font_size="12"))
            continue
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        body.append(f'<line x1="{x}" y1="{y}" x2="{x + 26}" y2="{y}" stroke="{colour}" '
                    f'stroke-width="2.5"{dashed}/>')
        body.append(_text(x + 32, y + 4, label, font_size="12"))
    return _svg(width, height, title, body, "months")


def _behind(planned: list[Decimal | None], completed: list[Decimal | None]) -> bool:
    pairs = [(p, c) for p, c in zip(planned, completed) if p is not None and c is not None]
    return bool(pairs) and pairs[-1][1] < pairs[-1][0]


def _since(note: str, committed: dt.date, planned: dt.date) -> str:
    """A slip counted from a date the row no longer shows (the first planned date, before a
    re-plan) says which: "滞后 341 天" beside a ◇ at 2026-06-30 read as a figure of nothing."""
    if committed == planned:
        return note
    return note + _("（按原计划 %(date)s）", date=committed.isoformat())


def _note(milestone, today: dt.date) -> tuple[str, str]:
    """A milestone's note beside its row, and its colour: late, early, on time, behind, planned."""
    planned, actual = milestone.planned_date, milestone.actual_date
    # Slip counts from the first planned date (the baseline): a re-plan does not hide it.
    baseline = getattr(milestone, "baseline_date", None)
    committed = first_commitment(planned, baseline) if planned else None
    if planned and committed and actual:
        slip = (actual - committed).days
        if slip > 0:
            return _since(ngettext("延误 %(days)s 天", "延误 %(days)s 天", slip, days=slip), committed, planned), WARN
        if slip < 0:
            return ngettext("提前 %(days)s 天", "提前 %(days)s 天", -slip, days=-slip), GOOD
        return _("按期"), GOOD
    if planned and committed and committed < today and not milestone.is_overdue(today):
        # Passed as its project's status says (在建 has passed 开工), or no longer owed (取消):
        # not late, its date unknown (``terms.owes``; the table's 已逾期 tags agree).
        return _("计划 %(date)s，未填实际日期", date=planned.isoformat()), INK
    if planned and committed and committed < today:
        behind = (today - committed).days
        return _since(ngettext("滞后 %(days)s 天，未完成", "滞后 %(days)s 天，未完成", behind, days=behind),
                      committed, planned), WARN
    if planned:
        return _("计划 %(date)s", date=planned.isoformat()), INK
    return _("完成 %(date)s（无计划日期）", date=actual.isoformat()), INK


def milestone_timeline(milestones, today: dt.date, width: int = 760) -> Markup:
    """Planned (◇) against actual (●) date of each milestone; the slip drawn as a red line,
    a milestone still open past its date drawn up to today."""
    dated = [m for m in milestones if m.planned_date or m.actual_date]
    row, top = 30, 30
    # Each name whole (an English stage name is up to 40 letters: "Project appr" was all of
    # one), cut with "…" past 320 px; the notes' column as wide as its longest note.
    label_width = min(320, max((_text_width(m.name) for m in dated), default=40) + 16)
    notes = [_note(m, today) for m in dated]
    note_width = max((_text_width(note, 12) for note, _colour in notes), default=60) + 16
    width = max(width, int(label_width + note_width + 360))  # the plot keeps its room
    dates = [d for m in dated for d in (m.planned_date, m.actual_date, getattr(m, "baseline_date", None)) if d] + [today]
    start = dt.date(min(dates).year, 1, 1)
    end = dt.date(max(dates).year + 1, 1, 1)
    plot = width - label_width - note_width
    span = (end - start).days

    def px(day: dt.date) -> float:
        return label_width + (day - start).days / span * plot

    # Below the rows, a line of its own for 今天 under its dashed line (set on the drawing's bottom
    # edge, the word showed its upper half only).
    rows_end = top + max(1, len(dated)) * row + 6
    height = rows_end + 18
    body = []
    for year in range(start.year, end.year + 1):
        x = px(dt.date(year, 1, 1))
        body.append(f'<line x1="{x:.1f}" y1="{top - 8}" x2="{x:.1f}" y2="{rows_end}" stroke="{LINE}"/>')
        if year < end.year:
            body.append(_text(px(dt.date(year, 7, 1)), top - 14, str(year), "middle", fill=MUTED,
                              font_size="11"))
    x_today = px(today)
    body.append(f'<line x1="{x_today:.1f}" y1="{top - 8}" x2="{x_today:.1f}" y2="{rows_end}" '
                f'stroke="{ACCENT}" stroke-dasharray="3 3"/>')
    body.append(_text(x_today, height - 4, _("今天"), "middle", fill=ACCENT, font_size="10"))
    for index, (milestone, (note, colour)) in enumerate(zip(dated, notes)):
        y = top + index * row + row / 2
        name = milestone.name
        while _text_width(name) > label_width - 8 and len(name) > 1:
            name = name[:-1]
        body.append(_text(label_width - 8, y + 4, name if name == milestone.name else name[:-1] + "…", "end"))
        planned, actual = milestone.planned_date, milestone.actual_date
        # The slip is drawn from where it is counted: the first planned date (a re-plan moved the ◇).
        committed = first_commitment(planned, getattr(milestone, "baseline_date", None)) if planned else None
        if committed and actual:
            body.append(f'<line x1="{px(committed):.1f}" y1="{y:.1f}" x2="{px(actual):.1f}" y2="{y:.1f}" '
                        f'stroke="{colour}" stroke-width="3"/>')
        elif planned and committed and committed < today:
            body.append(f'<line x1="{px(committed):.1f}" y1="{y:.1f}" x2="{x_today:.1f}" y2="{y:.1f}" '
                        f'stroke="{WARN}" stroke-width="3" stroke-dasharray="5 3"/>')
        tips = [_("计划：%(planned)s；实际：%(actual)s", planned=planned or "—", actual=actual or "—")]
        if getattr(milestone, "is_replanned", False):
            tips.append(ngettext("原计划 %(date)s，已调整 %(n)s 次", "原计划 %(date)s，已调整 %(n)s 次",
                                 milestone.replan_count, date=milestone.baseline_date.isoformat(),
                                 n=milestone.replan_count))
        if milestone.delay_reason:
            tips.append(_("滞后原因：%(reason)s", reason=milestone.delay_reason))
        tip = phrases(tips)
        if planned:
            x = px(planned)
            body.append(f'<path d="M{x:.1f} {y - 7:.1f} L{x + 7:.1f} {y:.1f} L{x:.1f} {y + 7:.1f} '
                        f'L{x - 7:.1f} {y:.1f} Z" fill="#fff" stroke="{INK}" stroke-width="1.5">'
                        f'<title>{escape(tip)}</title></path>')
        if actual:
            body.append(f'<circle cx="{px(actual):.1f}" cy="{y:.1f}" r="6" fill="{colour}" '
                        f'stroke="{INK}" stroke-width="1"><title>{escape(tip)}</title></circle>')
        body.append(_text(width - note_width + 8, y + 4, note, fill=colour if colour != INK else MUTED,
                          font_size="12"))
    if not dated:
        body.append(_text(width / 2, top + 10, _("没有带日期的里程碑"), "middle", fill=MUTED))
    return _svg(width, height, _("里程碑计划与实际"), body, "timeline")
