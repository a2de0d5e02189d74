from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts import permissions
from ..audit.queries import project_history
from ..audit.services import Actor
from ..errors import StaleEdit, ValidationFailed
from ..extensions import db
from ..plans.models import Plan
from ..progress import services as progress_services
from ..progress.models import BudgetRevision, FundingLine, MonthlyReport
from ..regions.models import Region
from ..regions.services import region_choices
from ..vocabulary import Role
from . import services
from .forms import ProjectForm
from .models import Project

bp = Blueprint("projects", __name__)


def get_project(project_id: int) -> Project:
    project = db.session.get(Project, project_id)
    if project is None:
        abort(404)
    return project


def web_actor() -> Actor:
    return Actor(current_user._get_current_object(), "web")


def region_picker() -> dict:
    """The project form's regions: those the current user may put a project in, in tree order.

    An admin may use every region of the country: the form offers them rendered once per version
    of the table (``every_region``). An officer's are read by his regions' paths, not picked out
    of the country's 3,200; ``covers_region`` stays the rule, and the views check the choice.
    """
    user = current_user._get_current_object()
    if user.role is Role.ADMIN:
        # No region at all (before `tracker regions load`): nowhere to put a project, as before.
        has_regions = db.session.scalar(sa.select(sa.exists().where(Region.id.isnot(None))))
        return {"every_region": True} if has_regions else {"regions": []}
    return {"regions": [(region, depth) for region, depth in region_choices(user.regions)
                        if permissions.covers_region(user, region)]}


@bp.get("/projects/<int:project_id>")
def project_detail(project_id: int):
    project = get_project(project_id)
    sources_by_field: dict[str, list] = {}
    for source in project.sources:
        for field in source.fields or []:
            sources_by_field.setdefault(field, []).append(source)
    milestone_files = {s["file"] for m in project.milestones for s in m.sources}
    plans_by_file = {plan.source_file: plan for plan in db.session.scalars(
        sa.select(Plan).where(Plan.source_file.in_(milestone_files)))}
    reports = db.session.scalars(
        sa.select(MonthlyReport).where(MonthlyReport.project_id == project.id)
        .options(selectinload(MonthlyReport.photos))
        .order_by(MonthlyReport.month.desc())).all()
    revisions = db.session.scalars(sa.select(BudgetRevision).where(
        BudgetRevision.project_id == project.id).order_by(BudgetRevision.id)).all()
    funding = db.session.scalars(sa.select(FundingLine).where(
        FundingLine.project_id == project.id).order_by(FundingLine.id)).all()
    return render_template("projects/detail.html", project=project, reports=reports,
                           revisions=revisions, funding=funding,
                           sources_by_field=sources_by_field, plans_by_file=plans_by_file,
                           entries=project_history(project.id))


@bp.route("/projects/new", methods=["GET", "POST"])
@permissions.require(permissions.CREATE_PROJECT)
def project_new():
    picker = region_picker()
    if not picker.get("every_region") and not picker["regions"]:
        abort(403)
    form = ProjectForm(**picker)
    if form.validate_on_submit():
        region = db.session.get(Region, form.region_id.data)
        if region is None or not permissions.can_create_in(current_user, region):
            abort(403)
        values = form.values()
        values.pop("region_id")
        try:
            project = services.create_project(web_actor(), region=region, **values)
            if form.add_lifecycle.data:
                progress_services.add_standard_lifecycle(web_actor(), project)
        except ValidationFailed as failure:
            db.session.rollback()
            form.apply_errors(failure.errors)
        else:
            db.session.commit()
            flash(_("项目已创建"), "success")
            return redirect(url_for("projects.project_detail", project_id=project.id))
    return render_template("projects/form.html", form=form, project=None), 400 if form.errors else 200


@bp.route("/projects/<int:project_id>/edit", methods=["GET", "POST"])
def project_edit(project_id: int):
    project = get_project(project_id)
    permissions.require_project_edit(project)
    form = ProjectForm(obj=project if request.method == "GET" else None, **region_picker())
    if request.method == "GET":
        form.version.data = project.version
        form.build_nature.data = project.build_nature.value if project.build_nature else ""
        form.status.data = project.status.value if project.status else ""
        form.kind.data = project.kind.value
        form.category.data = project.category.value
    stale = None
    if form.validate_on_submit():
        region = db.session.get(Region, form.region_id.data)
        if region is None or not permissions.can_create_in(current_user, region):
            form.region_id.errors.append(_("您不能把项目移到您负责范围以外的地区"))
        else:
            try:
                changes = services.update_project(
                    web_actor(), project, form.values(),
                    expected_version=int(form.version.data or 0), reason=form.reason.data)
            except StaleEdit as conflict:
                db.session.rollback()
                stale = conflict.changes_by_others
                form.version.data = get_project(project_id).version
            except ValidationFailed as failure:
                db.session.rollback()
                form.apply_errors(failure.errors)
            else:
                db.session.commit()
                flash(_("已保存") if changes else _("没有修改"), "success")
                return redirect(url_for("projects.project_detail", project_id=project.id))
    status = 409 if stale is not None else (400 if form.errors else 200)
    return render_template("projects/form.html", form=form, project=project, stale=stale), status
