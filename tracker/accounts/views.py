from __future__ import annotations


from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..core import clock
from ..application import safe_next
from ..audit.services import Actor
from ..errors import ValidationFailed
from ..extensions import db, limiter
from ..vocabulary import Role
from . import services
from .forms import LoginForm, PasswordForm

bp = Blueprint("auth", __name__)


def landing_page(user) -> str:
    """A leader lands on the dashboard, an officer on his own projects, others on the list."""
    if user.role in (Role.LEADER, Role.ADMIN) and "dashboard.index" in current_app.view_functions:
        return url_for("dashboard.index")
    if user.role is Role.OFFICER and user.regions:
        return url_for("portfolio.project_list", region=user.regions[0].key)
    return url_for("portfolio.project_list")


def _account_key() -> str:
    return "account:" + (request.form.get("username") or "").strip().lower()[:64]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: ";".join(current_app.config["LOGIN_LIMITS"]), methods=["POST"])
@limiter.limit(lambda: current_app.config["ACCOUNT_LOGIN_LIMIT"], methods=["POST"], key_func=_account_key)
def login():
    if current_user.is_authenticated:
        return redirect(landing_page(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.username.data, form.password.data)
        if user is None or not user.active:
            form.form_errors.append(_("用户名或密码不正确，或账号已停用"))
        else:
            login_user(user)
            user.last_login_at = clock.utcnow()
            db.session.commit()
            if user.must_change_password:
                return redirect(url_for("auth.change_password"))
            target = request.args.get("next")
            return redirect(safe_next(target) if target else landing_page(user))
    return render_template("accounts/login.html", form=form), 200 if not form.errors and not form.form_errors else 400


@bp.post("/logout")
def logout():
    logout_user()
    flash(_("已退出登录"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        if services.authenticate(current_user.username, form.current.data) is None:
            form.current.errors.append(_("当前密码不正确"))
        else:
            try:
                services.set_password(Actor(current_user, "web"), current_user, form.password.data)
            except ValidationFailed as failure:
                form.apply_errors(failure.errors)
            else:
                db.session.commit()
                login_user(current_user._get_current_object())  # the session token changed
                flash(_("密码已修改"), "success")
                return redirect(landing_page(current_user))
    return render_template("accounts/password.html", form=form)
