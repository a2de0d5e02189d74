"""What a user may see on a page: money figures are hidden from viewers when the admin so sets.

``init_app`` makes ``show_money`` a variable of every template:
``{% if show_money %}{{ figure }}{% else %}<span class="unknown">{{ _('已隐藏') }}</span>{% endif %}``.
"""

from __future__ import annotations

from flask import Flask, has_request_context
from flask_login import current_user

from . import services


def show_money() -> bool:
    """True unless the current user is a viewer and money is hidden from viewers.

    Only a viewer's page costs a query (the settings row, by primary key), once per render.
    """
    if not has_request_context():
        return True
    return not services.money_hidden_from(current_user)


def init_app(app: Flask) -> None:
    @app.context_processor
    def money_visibility():
        return {"show_money": show_money()}
