"""Login for every page: Flask-Login's session, checked against the account on each request."""

from __future__ import annotations

from flask import Flask, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..extensions import login_manager
from . import sessions
from .models import User

PUBLIC_ENDPOINTS = {"auth.login", "static", "set_language", "api_root.index"}
# A user who must change his password may reach only these until he has.
PASSWORD_CHANGE_ENDPOINTS = {"auth.change_password", "auth.logout", "static", "set_language"}


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The session names the user, his token and the server-side session: signing out, a new
    password, a disabled account, idleness or age end it (tracker/accounts/sessions.py)."""
    return sessions.load(session_id)


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("请先登录")
    login_manager.login_message_category = "info"

    @app.before_request
    def require_login():
        endpoint = request.endpoint or ""
        if endpoint in PUBLIC_ENDPOINTS or request.path.startswith("/api/"):
            return None  # the API answers a missing token itself (401 problem+json), never a cookie
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.must_change_password and endpoint not in PASSWORD_CHANGE_ENDPOINTS:
            return redirect(url_for("auth.change_password"))
        return None
