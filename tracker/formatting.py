"""How figures read on a page: exact, with thousands separators, unknown shown as unknown."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import Flask
from flask_babel import format_datetime
from jinja2 import pass_context
from markupsafe import Markup, escape

from .core.translation import gettext as _
from .core.translation import translations
from .vocabulary import area_term_label


def plain_number(value: Decimal | int | None) -> str:
    """1320.0000 → "1,320"; 16698.95 → "16,698.95". Never rounds: the figure is as stored."""
    if value is None:
        return ""
    if isinstance(value, int):
        return f"{value:,}"
    normalised = value.normalize()
    if normalised == normalised.to_integral():
        return f"{int(normalised):,}"
    return f"{normalised:,f}"


def figure(value, unit: str = "", approx: bool = False) -> Markup:
    """A figure with its unit; an unknown one says so instead of printing 0."""
    # Built as strings, not with Markup.format (a page of the list formats ~200 figures; format's
    # parsing was a tenth of its render). The number is digits, separators and a sign: only the
    # translated words and the unit are escaped.
    if value is None:
        return Markup(f'<span class="unknown">{escape(_("未填报"))}</span>')
    prefix = escape(_("约")) if approx else ""
    # A percent sign is set against its number (5%, as ``percent`` writes a rate); a word unit apart.
    joined = escape(unit) if unit == "%" else " " + escape(unit) if unit else ""
    return Markup(f"{prefix}{plain_number(value)}{joined}")


@pass_context
def _figure_in_context(_context, value, unit: str = "", approx: bool = False) -> Markup:
    """``figure`` as the templates' filter. Taking the context stops Jinja folding a constant
    (``none|figure``) when it compiles the template: the 未填报 would be frozen in the language of
    whoever's request compiled it first, and an English page would show it in Chinese."""
    return figure(value, unit, approx)


def percent(value: Decimal | None, places: int = 1) -> str:
    if value is None:
        return "—"
    return f"{(value * 100).quantize(Decimal(1).scaleb(-places))}%"


def label(value) -> Markup:
    """A vocabulary's label (``Vocabulary.label``), or 未填报 for an unknown value. A function, not
    a macro: a list page shows two a row, and a macro call costs Jinja several times as much."""
    if value is None:
        return figure(None)  # the same 未填报 an unknown figure shows
    return escape(value.label)


def coverage_text(count: int, total: int, approx: int = 0) -> str:
    """How many of ``total`` projects a sum covers (and how many of those figures are 约), in
    brackets after it: （12 个项目中 9 个填报）; the dashboard's headline says it in the same words."""
    values = {"total": plain_number(total), "count": plain_number(count), "approx": plain_number(approx)}
    if approx:
        text = translations().ungettext("（%(total)s 个项目中 %(count)s 个填报，其中 %(approx)s 个为约数）",
                                        "（%(total)s 个项目中 %(count)s 个填报，其中 %(approx)s 个为约数）", total)
    else:
        text = translations().ungettext("（%(total)s 个项目中 %(count)s 个填报）",
                                        "（%(total)s 个项目中 %(count)s 个填报）", total)
    return text % values


def coverage(count: int, total: int, approx: int = 0) -> Markup:
    """``coverage_text`` as a page shows it. A function, not a macro: the dashboard shows two a
    row of its breakdowns (~250 a page)."""
    return Markup('<span class="coverage">%s</span>') % coverage_text(count, total, approx)


def linked(href: str | None, text) -> Markup:
    """``text`` as a link to ``href``; as it is when there is no link."""
    if href is None:
        return escape(text)
    return Markup('<a href="%s">%s</a>') % (href, text)


def amount(value, count: int, total: int, approx: int = 0) -> Markup:
    """A breakdown's sum over its projects, with its coverage below (未填报 when none states it)."""
    shown = figure(None) if value is None else escape(plain_number(value))
    return shown + Markup("<br>") + coverage(count, total, approx)


def month_name(value: dt.date) -> str:
    """A month as the pages name it: 2026年11月 (November 2026)."""
    return _("%(year)s年%(month)s月") % {"year": value.year, "month": value.month}


def rate_bar(rate: Decimal | None) -> Markup:
    """An investment completion rate as a bar and its percentage; an unknown one says so. The bar
    is a drawing of the number beside it: hidden from a screen reader, with no fallback text (a
    copy or a reader said "47.9% 47.9%")."""
    if rate is None:
        return figure(None)
    shown = percent(rate)
    return Markup(f'<meter min="0" max="1" value="{round(float(rate) if rate < 1 else 1.0, 3)}" title="{shown}" '
                  f'aria-hidden="true"></meter> {shown}')


def project_rate(project) -> Markup:
    """A project's 投资完成率 in the list: its bar, or 未填报 when a figure is unknown; with both
    figures stated and 总投资 0 the rate cannot be taken, and the cell says so (it read 未填报,
    though both were stated: a QA walk)."""
    if project.investment_rate is None and project.invested_to_date is not None and project.total_investment == 0:
        return Markup('<span class="unknown" title="%s">%s</span>') % (_("总投资为 0，无法计算完成率"), _("无法计算"))
    return rate_bar(project.investment_rate)


def local_datetime(value: dt.datetime | None) -> str:
    return format_datetime(value, "yyyy-MM-dd HH:mm") if value else ""


def register(app: Flask) -> None:
    app.add_template_filter(plain_number, "number")
    app.add_template_filter(_figure_in_context, "figure")
    app.add_template_filter(percent, "percent")
    app.add_template_filter(local_datetime, "local_datetime")
    app.add_template_filter(month_name, "month_name")
    app.add_template_global(label, "label")
    app.add_template_global(rate_bar, "rate_bar")
    app.add_template_global(project_rate, "project_rate")
    app.add_template_global(coverage, "coverage")
    app.add_template_global(linked, "linked")
    app.add_template_global(amount, "amount")
    app.add_template_filter(area_term_label, "area_term")
