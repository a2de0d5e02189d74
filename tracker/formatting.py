"""How figures read on a page: exact, with thousands separators, unknown shown as unknown."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import Flask
from flask_babel import format_datetime
from jinja2 import pass_context
from markupsafe import Markup, escape

from .core.translation import gettext as _


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
    return Markup(f"{prefix}{plain_number(value)}{' ' + escape(unit) if unit else ''}")


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


def local_datetime(value: dt.datetime | None) -> str:
    return format_datetime(value, "yyyy-MM-dd HH:mm") if value else ""


def register(app: Flask) -> None:
    app.add_template_filter(plain_number, "number")
    app.add_template_filter(_figure_in_context, "figure")
    app.add_template_filter(percent, "percent")
    app.add_template_filter(local_datetime, "local_datetime")
