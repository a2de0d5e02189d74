"""The admin pages: accounts (/admin/users) and portfolio-wide settings (/admin/settings).

Each view loads, checks the permission, validates the form, calls one service from
``accounts/services.py`` (which audits) and answers; the unit of work commits (``tracker/unit_of_work.py``).
"""

from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from ..errors import ValidationFailed
from ..extensions import db
from ..portfolio import queries as portfolio_queries
from ..web.merging import carried
from ..web.requests import web_actor
from . import queries, services
from .forms import ConfirmForm, ProfileForm, SettingsForm, UserEditForm, UserForm
from .models import User
from ..vocabulary import Role
from .permissions import MANAGE_SETTINGS, MANAGE_USERS, require

bp = Blueprint("admin", __name__, url_prefix="/admin")


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def keep_session_if_self(user: User) -> None:
    """A change to one's own account renews its session token: stay signed in."""
    if user.id == current_user.id and user.active:
        login_user(user)


def one_time_password_page(user: User, password: str, title: str):
    """The generated password, shown once in the answer to the POST and never stored."""
    response = make_response(render_template("admin/one_time_password.html", user=user,
                                             password=password, title=title))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/users")
@require(MANAGE_USERS)
def user_list():
    sort = request.args.get("sort", "username")
    sort = sort if sort in queries.SORTS else "username"
    order = "desc" if request.args.get("order") == "desc" else "asc"
    try:
        page_number = portfolio_queries.page_number(request.args.get("page"))
    except portfolio_queries.BadPageRequest:
        abort(400)
    page = queries.user_page(sort, order, page_number, current_app.config["PAGE_SIZE"])
    return render_template("admin/users.html", page=page, sort=sort, order=order)


@bp.route("/users/new", methods=["GET", "POST"])
@require(MANAGE_USERS)
def user_new():
    form = UserForm()
    if form.validate_on_submit():
        password = form.password.data or services.generate_password(form.username.data)
        try:
            user = services.create_user(
                web_actor(), form.username.data, form.role.data, password,
                regions=form.regions.data, display_name=form.display_name.data or None,
                email=(form.email.data or "").lower() or None, must_change_password=True)
        except ValidationFailed as failure:
            form.apply_errors(failure.errors)
        else:
            if not form.password.data:
                return one_time_password_page(user, password, _("已创建用户"))
            flash(_("已创建用户 %(name)s，首次登录时需修改密码", name=user.username), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    elif form.is_submitted():
        # Refused by the form's own checks (an e-mail address): the account's rules too, at once.
        problems = services.new_user_problems(form.username.data, form.role.data, form.password.data or None,
                                              form.regions.data or (), display_name=form.display_name.data,
                                              email=form.email.data)
        form.apply_errors({name: messages for name, messages in problems.errors.items()
                           if not (hasattr(form, name) and form[name].errors)})
    status = 400 if form.errors or form.form_errors else 200
    return render_template("admin/user_new.html", form=form), status


def _edit_page(user: User, *, role_form=None, profile_form=None, status: int = 200):
    region_keys = [region.key for region in user.regions]
    role_form = role_form or UserEditForm(formdata=None, data={
        "role": user.role.value, "regions": region_keys,
        "loaded": json.dumps(services.role_as_loaded(user), ensure_ascii=False)})
    profile_form = profile_form or ProfileForm(formdata=None, data={
        "display_name": user.display_name, "email": user.email,
        "loaded": json.dumps(services.profile_as_loaded(user), ensure_ascii=False)})
    return render_template("admin/user_edit.html", user=user, role_form=role_form,
                           profile_form=profile_form, confirm_form=ConfirmForm()), status


def _loaded(form, fields: tuple[str, ...]) -> dict | None:
    """What the page was loaded with (None from a page without it: its values are the save)."""
    loaded = carried(form.loaded.data)
    return loaded if loaded is not None and set(loaded) == set(fields) else None


@bp.get("/users/<int:user_id>")
@require(MANAGE_USERS)
def user_edit(user_id: int):
    return _edit_page(get_user(user_id))


@bp.post("/users/<int:user_id>/role")
@require(MANAGE_USERS)
def user_role(user_id: int):
    user = get_user(user_id)
    form = UserEditForm()
    if form.validate_on_submit():
        try:
            services.change_role(web_actor(), user, form.role.data, form.regions.data,
                                 loaded=_loaded(form, ("role", "regions")))
        except ValidationFailed as failure:
            form.apply_errors(failure.errors)
        else:
            keep_session_if_self(user)
            flash(_("已保存 %(name)s 的角色和负责地区", name=user.username), "success")
            if user.id == current_user.id and user.role is not Role.ADMIN:
                return redirect(url_for("portfolio.index"))  # no longer an admin: not his page any more
            return redirect(url_for("admin.user_edit", user_id=user.id))
    return _edit_page(user, role_form=form, status=400)


@bp.post("/users/<int:user_id>/profile")
@require(MANAGE_USERS)
def user_profile(user_id: int):
    user = get_user(user_id)
    form = ProfileForm()
    if form.validate_on_submit():
        try:
            services.update_profile(web_actor(), user, display_name=form.display_name.data,
                                    email=form.email.data, loaded=_loaded(form, ("display_name", "email")))
        except ValidationFailed as failure:
            form.apply_errors(failure.errors)
        else:
            flash(_("已保存 %(name)s 的姓名和电子邮箱", name=user.username), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    return _edit_page(user, profile_form=form, status=400)


@bp.route("/users/<int:user_id>/disable", methods=["GET", "POST"])
@require(MANAGE_USERS)
def user_disable(user_id: int):
    """GET asks for confirmation; the POST of that page disables the account."""
    user = get_user(user_id)
    form = ConfirmForm()
    error = None
    if form.validate_on_submit():
        try:
            services.set_active(web_actor(), user, False)
        except ValidationFailed as failure:
            error = " ".join(message for messages in failure.errors.values() for message in messages)
        else:
            flash(_("已停用用户 %(name)s，其登录会话已结束", name=user.username), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    status = 400 if error or form.errors else 200
    return render_template("admin/user_disable.html", user=user, form=form, error=error), status


@bp.post("/users/<int:user_id>/enable")
@require(MANAGE_USERS)
def user_enable(user_id: int):
    user = get_user(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.set_active(web_actor(), user, True)
    flash(_("已启用用户 %(name)s", name=user.username), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.post("/users/<int:user_id>/password")
@require(MANAGE_USERS)
def user_reset_password(user_id: int):
    user = get_user(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    password = services.reset_password(web_actor(), user)
    keep_session_if_self(user)
    return one_time_password_page(user, password, _("已重置密码"))


@bp.route("/settings", methods=["GET", "POST"])
@require(MANAGE_SETTINGS)
def settings():
    if request.method == "POST":
        form = SettingsForm()  # an unticked box is absent from the POST: it means False
    else:
        hide_money = services.get_setting("hide_money_from_viewers")
        form = SettingsForm(data={"hide_money_from_viewers": bool(hide_money.get("enabled"))})
    if form.validate_on_submit():
        changed = services.set_setting(web_actor(), "hide_money_from_viewers",
                                       {"enabled": bool(form.hide_money_from_viewers.data)})
        flash(_("设置已保存") if changed else _("设置没有变化"), "success" if changed else "info")
        return redirect(url_for("admin.settings"))
    return render_template("admin/settings.html", form=form), 400 if form.errors else 200
