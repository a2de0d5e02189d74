"""Login for every page: Flask-Login's session, checked against the account on each request."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, flash, redirect, request, url_for
from flask_babel import gettext as _
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
            return signed_out_while_typing() if request.method == "POST" else login_manager.unauthorized()
        if current_user.must_change_password and endpoint not in PASSWORD_CHANGE_ENDPOINTS:
            return redirect(url_for("auth.change_password"))
        return None


def signed_out_while_typing():
    """A form sent after its sender's session ended (idle, too old, signed out elsewhere, the
    cookie gone): nothing is saved, he is told so, and after signing in he is back on the page he
    typed on, where the browser's draft of it is offered (unsaved.js). He was shown "请先登录",
    or "请求有误" when the cookie itself was gone, and came back to an empty form."""
    flash(_("登录已过期，刚才提交的内容没有保存。请重新登录：回到原页面后，点“恢复”即可找回刚才填写的内容。"), "error")
    referrer = urlsplit(request.referrer or "")
    page = request.path
    if referrer.netloc == request.host and referrer.path.startswith("/"):
        page = referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return redirect(url_for("auth.login", next=page))
