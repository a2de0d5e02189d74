"""Login for every page: Flask-Login's session, checked against the account on each request."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..extensions import db, login_manager
from .models import User

PUBLIC_ENDPOINTS = {"auth.login", "static", "set_language"}
# A user who must change his password may reach only these until he has.
PASSWORD_CHANGE_ENDPOINTS = {"auth.change_password", "auth.logout", "static", "set_language"}


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The session names the user and his session token: a new password or a disabled account
    changes the token, and every older session ends."""
    user_id, _, token = (session_id or "").partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.scalar(sa.select(User).where(User.id == int(user_id)))
    if user is None or not user.active or user.session_token != token:
        return None
    return user


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("请先登录")
    login_manager.login_message_category = "info"

    @app.before_request
    def require_login():
        endpoint = request.endpoint or ""
        if endpoint in PUBLIC_ENDPOINTS:
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.must_change_password and endpoint not in PASSWORD_CHANGE_ENDPOINTS:
            return redirect(url_for("auth.change_password"))
        return None
