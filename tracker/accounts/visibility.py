"""What a user may see on a page: money figures are hidden from viewers when the admin so sets.

``init_app`` makes ``show_money`` a variable of every template, and ``money`` the one filter that
prints an amount or 已隐藏: ``{{ line.amount|figure|money }}``, or around a whole phrase
``{% filter money %}<strong>…</strong> 万元（8 个项目填报）{% endfilter %}``. A template decides
with ``show_money`` only what is not a figure: whether a column or a sort link is offered at all.
"""

from __future__ import annotations

from flask import Flask, has_request_context
from flask_babel import gettext as _
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

from . import services


def show_money() -> bool:
    """True unless the current user is a viewer and money is hidden from viewers.

    Only a viewer's page costs a query (the settings row, by primary key), once per render.
    """
    if not has_request_context():
        return True
    return not services.money_hidden_from(current_user)


@pass_context
def money(context, shown):
    """``shown`` (a figure as printed), or 已隐藏 when the page hides money from its reader.

    The page's ``show_money`` decides (a view may pass its own); a macro imported without the
    page's context asks :func:`show_money` itself."""
    visible = context.get("show_money")
    if visible is None:
        visible = show_money()
    return shown if visible else Markup('<span class="unknown">{}</span>').format(_("已隐藏"))


def init_app(app: Flask) -> None:
    @app.context_processor
    def money_visibility():
        return {"show_money": show_money()}

    app.add_template_filter(money, "money")
