from __future__ import annotations

import math

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..core import clock
from ..web.requests import safe_next, web_actor
from ..errors import ValidationFailed
from ..extensions import db
from ..unit_of_work import commit_attempt
from ..vocabulary import Role
from . import services, sessions, throttle
from .forms import LoginForm, PasswordForm

bp = Blueprint("auth", __name__)


def landing_page(user) -> str:
    """A leader lands on the dashboard, an officer on 我的待办 (his own projects), others on the list."""
    if user.role in (Role.LEADER, Role.ADMIN) and "dashboard.index" in current_app.view_functions:
        return url_for("dashboard.index")
    if user.role is Role.OFFICER and user.regions and "dashboard.my_todo" in current_app.view_functions:
        return url_for("dashboard.my_todo")
    if user.role is Role.OFFICER and user.regions:
        return url_for("portfolio.project_list", region=user.regions[0].key)
    return url_for("portfolio.project_list")


def _too_many(template: str, form, seconds: int):
    """The form again, with the wait: 429 and Retry-After, nothing checked."""
    form.form_errors.append(_("尝试次数过多，请 %(n)s 分钟后再试。", n=max(1, math.ceil(seconds / 60))))
    return render_template(template, form=form), 429, {"Retry-After": str(seconds)}


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(landing_page(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        account, address = throttle.account_key(form.username.data), throttle.client_address()
        if wait := throttle.seconds_blocked(throttle.LOGIN, account, address):
            return _too_many("accounts/login.html", form, wait)
        user = services.authenticate(form.username.data, form.password.data)
        if user is None or not user.active:
            throttle.record_failure(throttle.LOGIN, account, address)
            commit_attempt()  # counted though the answer is 400
            form.form_errors.append(_("用户名或密码不正确，或账号已停用"))
        else:
            throttle.clear(throttle.LOGIN, account, address)
            sessions.start(user)
            login_user(user)
            user.last_login_at = clock.utcnow()
            if user.must_change_password:
                return redirect(url_for("auth.change_password"))
            target = request.args.get("next")
            return redirect(safe_next(target) if target else landing_page(user))
    return render_template("accounts/login.html", form=form), 200 if not form.errors and not form.form_errors else 400


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        sessions.end(current_user._get_current_object())
    logout_user()
    flash(_("已退出登录"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        account = throttle.account_key(current_user.username)
        if wait := throttle.seconds_blocked(throttle.PASSWORD, account, throttle.client_address()):
            return _too_many("accounts/password.html", form, wait)
        if services.authenticate(current_user.username, form.current.data) is None:
            throttle.record_failure(throttle.PASSWORD, account, throttle.client_address())
            commit_attempt()  # counted though the answer is 400
            form.current.errors.append(_("当前密码不正确"))
        else:
            throttle.clear(throttle.PASSWORD, account)
            try:
                services.set_password(web_actor(), current_user, form.password.data)
            except ValidationFailed as failure:
                form.apply_errors(failure.errors)
            else:
                user = current_user._get_current_object()
                sessions.end(user)
                sessions.start(user)  # the token changed: every other session has ended
                login_user(user)
                flash(_("密码已修改"), "success")
                return redirect(landing_page(current_user))
    return render_template("accounts/password.html", form=form), 400 if form.errors else 200


# --- API tokens (issue 17): the user's own, made and revoked here ------------------------------

@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def api_tokens():
    from ..api import tokens
    from ..api.forms import RevokeForm, TokenForm
    form, secret = TokenForm(), None
    user = current_user._get_current_object()
    if not tokens.may_write(user):  # a leader or a viewer reads only: no 读写 to choose
        form.scope.choices = [choice for choice in form.scope.choices if choice.value == "read"]
    if form.validate_on_submit():
        token, secret = tokens.create_token(web_actor(), user, name=form.name.data,
                                            scope=form.scope.data,
                                            days=int(form.expires.data) if form.expires.data else None)
    status = 400 if form.errors else 200
    response = render_template("accounts/tokens.html", form=form, secret=secret, revoke=RevokeForm(),
                               tokens=tokens.tokens_of(user), now=clock.utcnow())
    return response, status, {"Cache-Control": "no-store"}  # the secret, shown once, is not kept


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_api_token(token_id: int):
    from ..api import tokens
    from ..api.forms import RevokeForm
    from ..api.models import ApiToken
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    form = RevokeForm()
    if not form.validate_on_submit():
        flash(_("请勾选确认后再吊销"), "error")
    elif tokens.revoke_token(web_actor(), token):
        flash(_("令牌已吊销"), "success")
    return redirect(url_for("auth.api_tokens"))
