"""A user's home: /account/home (the default scope) and /views (his saved views: open, rename,
delete), and the helpers the list's and dashboard's pages call to show them."""

from __future__ import annotations

from urllib.parse import urlencode

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.permissions import READ, require
from ..errors import ValidationFailed
from ..extensions import db
from ..plans.models import Plan
from ..regions.services import region_options
from . import services
from .forms import DeleteViewForm, HomeForm, RenameViewForm, SaveViewForm
from .models import SavedView
from ..web.requests import refused

bp = Blueprint("home", __name__)

PAGE_ENDPOINTS = {"list": "portfolio.project_list", "dashboard": "dashboard.index"}


def _page_url(page: str | None, query: str | None) -> str:
    """The list or dashboard with ``query``; an empty query is the whole portfolio (``scope=all``),
    never the bare URL, which would open the home scope instead."""
    endpoint = PAGE_ENDPOINTS.get(page or "", PAGE_ENDPOINTS["list"])
    query = services.clean_query(query or "")
    return f"{url_for(endpoint)}?{query}" if query else url_for(endpoint, scope=services.ALL)


def _own_view(view_id: int) -> SavedView:
    view = services.view_of(current_user, view_id)
    if view is None:
        abort(404)
    return view


@bp.route("/account/home", methods=["GET", "POST"])
@require(READ)
def default_scope():
    user = current_user._get_current_object()
    form = HomeForm(data=services.stored_home(user))
    if form.validate_on_submit():
        try:
            services.set_home(user, form.region.data, form.plan.data, form.period.data)
        except ValidationFailed as failure:
            form.apply_errors(failure.errors)  # answered 400: the unit of work keeps nothing
        else:
            flash(_("默认范围已保存：总览和项目清单将从这里打开"), "success")
            return redirect(url_for("home.default_scope"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "home/scope.html", form=form, problems=services.home_problems(user),
        region_options=region_options(form.region.data),
        plans=db.session.scalars(sa.select(Plan).order_by(Plan.key)).all()), status


@bp.post("/views")
@require(READ)
def save_view():
    form = SaveViewForm()
    back = _page_url(form.page.data, form.query.data)
    if not form.validate_on_submit():
        flash(" ".join(message for messages in form.errors.values() for message in messages), "error")
        return redirect(back)
    try:
        view = services.save_view(current_user, form.name.data, form.page.data or "",
                                  form.query.data or "")
    except ValidationFailed as failure:
        return refused(back, failure)  # told on the page it returns to; nothing is kept
    flash(_("已保存视图“%(name)s”，可从页首“我的视图”打开", name=view.name), "success")
    return redirect(back)


@bp.get("/views")
@require(READ)
def view_list():
    return _views_page()


def _views_page(status: int = 200, broken: tuple | None = None, renaming: tuple | None = None):
    """The saved views, each with its rename form; ``broken``: (view, problems) of a view that
    no longer opens; ``renaming``: (view, form) of a rename that was refused."""
    views = services.views_of(current_user)
    forms = {view.id: RenameViewForm(formdata=None, name=view.name) for view in views}
    if renaming is not None:
        forms[renaming[0].id] = renaming[1]
    return render_template("home/views.html", views=views, forms=forms, broken=broken,
                           urls={view.id: _page_url(view.page, view.query) for view in views}), status


@bp.get("/views/<int:view_id>")
@require(READ)
def open_view(view_id: int):
    view = _own_view(view_id)
    problems = services.query_problems(view.page, view.query)
    if problems:
        return _views_page(400, broken=(view, problems))
    return redirect(_page_url(view.page, view.query))


@bp.post("/views/<int:view_id>/rename")
@require(READ)
def rename_view(view_id: int):
    view = _own_view(view_id)
    form = RenameViewForm()
    if form.validate_on_submit():
        try:
            services.rename_view(current_user, view, form.name.data)
        except ValidationFailed as failure:
            form.apply_errors(failure.errors)
        else:
            flash(_("视图已改名为“%(name)s”", name=view.name), "success")
            return redirect(url_for("home.view_list"))
    return _views_page(400, renaming=(view, form))


@bp.route("/views/<int:view_id>/delete", methods=["GET", "POST"])
@require(READ)
def delete_view(view_id: int):
    view = _own_view(view_id)
    form = DeleteViewForm()
    if form.validate_on_submit():
        name = view.name
        services.delete_view(view)
        flash(_("已删除视图“%(name)s”", name=name), "success")
        return redirect(url_for("home.view_list"))
    return render_template("home/confirm_delete.html", view=view, form=form)


# ---- what the list's and dashboard's pages show -------------------------------------------------

@bp.app_template_global()
def saved_views_menu() -> list[tuple[str, str]]:
    """The header's 我的视图 menu: (name, link) of the reader's saved views."""
    return [(view.name, url_for("home.open_view", view_id=view.id))
            for view in services.views_of(current_user)]


@bp.app_template_global()
def home_bar(page: str, args: dict) -> dict:
    """The list's or dashboard's line about the reader's home: whether this is his default scope
    (with the way out to 全部), or the way back to it; and the form that saves this page's
    selection (``args``: the page's own filter as a query, never the raw URL)."""
    endpoint = PAGE_ENDPOINTS[page]
    home = services.home_args(current_user)
    shown = {key: str(args[key]) for key in services.HOME_KEYS if args.get(key)}
    return {"home": home, "is_home": bool(home) and shown == home,
            "all_url": url_for(endpoint, scope=services.ALL),
            "home_url": url_for(endpoint, **home) if home else None,
            "save": SaveViewForm(formdata=None, page=page, query=urlencode(args))}


@bp.app_template_global()
def all_scope_args() -> dict:
    """The query of "the whole portfolio": empty, or ``scope=all`` for a reader whose bare URL
    opens his home scope (the list's 清除筛选 and its last chip must lead to everything)."""
    return {"scope": services.ALL} if services.home_args(current_user) else {}

