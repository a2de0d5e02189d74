from __future__ import annotations

import tempfile
from pathlib import Path

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.services import MONEY_SOURCE_FIELDS
from ..accounts import permissions
from ..accounts.visibility import show_money
from ..audit.services import Actor
from ..errors import ValidationFailed
from ..extensions import db
from ..portfolio import queries
from ..portfolio.filters import PortfolioFilter
from ..projects.models import Project, SourceMention, project_plans
from ..vocabulary import Role
from . import services
from .documents import DocumentProblem, read_lines
from .forms import CandidateForm, MergeForm, PlanForm, RejectForm
from .models import Plan, PlanCandidate, PlanIndicator

bp = Blueprint("plans", __name__)


def get_plan(key: str) -> Plan:
    plan = db.session.scalar(sa.select(Plan).where(Plan.key == key))
    if plan is None:
        abort(404)
    return plan


@bp.get("/plans/<key>")
def plan_detail(key: str):
    plan = get_plan(key)
    portfolio_filter = PortfolioFilter(plan=plan.key, kind="all")
    decided = dict(db.session.execute(
        sa.select(PlanCandidate.decision.is_(None), sa.func.count())
        .where(PlanCandidate.plan_id == plan.id, PlanCandidate.kind == "project")
        .group_by(PlanCandidate.decision.is_(None))).all())
    return render_template("plans/detail.html", plan=plan, pending=decided.get(True, 0),
                           decided=decided.get(False, 0),
                           totals=queries.totals(PortfolioFilter(plan=plan.key)),
                           all_totals=queries.totals(portfolio_filter))


@bp.get("/plans/<key>/text")
def plan_text(key: str):
    """The plan document itself, with line numbers, so every quote can be read in context."""
    plan = get_plan(key)
    lines = services.plan_lines(plan)
    return render_template("plans/text.html", plan=plan, lines=lines,
                           hidden_lines=set() if lines is None or show_money() else money_lines(plan))


def money_lines(plan: Plan) -> set[int]:
    """The lines of the plan cited for an amount (表6's 总投资 cells): hidden from a viewer when
    the admin hides money, as the project page hides their quotes."""
    return {line for line, fields in db.session.execute(
        sa.select(SourceMention.line, SourceMention.fields).where(SourceMention.plan_id == plan.id))
        if set(fields or ()) & MONEY_SOURCE_FIELDS}


def web_actor() -> Actor:
    return Actor(current_user._get_current_object(), "web")


def can_manage(plan: Plan | None = None) -> bool:
    """An admin, or an officer for a plan of his regions."""
    user = current_user
    if not permissions.has_permission(user, permissions.CREATE_PROJECT):
        return False
    if plan is None:
        return user.role is Role.ADMIN or bool(user.regions)
    return permissions.covers_region(user, plan.region)


@bp.get("/plans")
def plan_list():
    """Every plan with its projects, indicators and the share of its projects with a status."""
    plans = db.session.scalars(sa.select(Plan).order_by(
        Plan.period_start.is_(None), Plan.period_start.desc(), Plan.key)).all()
    counts = dict(db.session.execute(
        sa.select(project_plans.c.plan_id, sa.func.count()).group_by(project_plans.c.plan_id)).all())
    with_status = dict(db.session.execute(
        sa.select(project_plans.c.plan_id, sa.func.count()).join(Project, Project.id == project_plans.c.project_id)
        .where(Project.status.isnot(None)).group_by(project_plans.c.plan_id)).all())
    indicators = dict(db.session.execute(
        sa.select(PlanIndicator.plan_id, sa.func.count()).group_by(PlanIndicator.plan_id)).all())
    pending = dict(db.session.execute(
        sa.select(PlanCandidate.plan_id, sa.func.count()).where(
            PlanCandidate.kind == "project", PlanCandidate.decision.is_(None))
        .group_by(PlanCandidate.plan_id)).all())
    return render_template("plans/list.html", plans=plans, counts=counts, with_status=with_status,
                           indicators=indicators, pending=pending, can_add=can_manage(),
                           period_name=services.period_name)


@bp.route("/plans/new", methods=["GET", "POST"])
def plan_new():
    if not can_manage():
        abort(403)
    form = PlanForm()
    if form.validate_on_submit():
        region = services.find_region(form.region.data)
        if region is not None and not permissions.covers_region(current_user, region):
            form.region.errors = [_("您只能为本人负责的地区添加规划")]
            return render_template("plans/new.html", form=form), 403
        upload = form.document.data
        filename = Path(upload.filename or "plan.txt").name
        try:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / ("upload" + Path(filename).suffix.lower())
                upload.save(path)
                lines = read_lines(path, filename)
            plan = services.add_plan(web_actor(), key=form.key.data, title=form.title.data, region=region,
                                     period=form.period.data, lines=lines, filename=filename,
                                     issuer=form.issuer.data, doc_number=form.doc_number.data,
                                     issued_date=form.issued_date.data)
        except DocumentProblem as problem:
            db.session.rollback()
            form.document.errors = [str(problem)]
        except ValidationFailed as failure:
            db.session.rollback()
            errors = dict(failure.errors)
            if "document" in errors:
                form.document.errors = errors.pop("document")
            form.apply_errors(errors)
        else:
            db.session.commit()
            flash(_("规划已添加，请逐条确认从原文中找到的项目"), "success")
            return redirect(url_for("plans.plan_candidates", key=plan.key))
    return render_template("plans/new.html", form=form), 400 if form.errors else 200


@bp.get("/plans/<key>/candidates")
def plan_candidates(key: str):
    plan = get_plan(key)
    candidates = db.session.scalars(sa.select(PlanCandidate).where(PlanCandidate.plan_id == plan.id)
                                    .order_by(PlanCandidate.kind.desc(), PlanCandidate.position)).all()
    projects = [c for c in candidates if c.kind == "project"]
    existing_ids = {c.data.get("existing_project_id") for c in projects} | {c.project_id for c in projects}
    existing = {p.id: p for p in db.session.scalars(
        sa.select(Project).where(Project.id.in_([i for i in existing_ids if i])))}
    return render_template(
        "plans/candidates.html", plan=plan, open=[c for c in projects if c.decision is None],
        decided=[c for c in projects if c.decision is not None],
        indicators=[c for c in candidates if c.kind == "indicator"], existing=existing,
        can_decide=can_manage(plan), labels=services.DECISION_LABELS(),
        field_labels=services.FIELD_LABELS, hidden_lines=set() if show_money() else money_lines(plan),
        show_money=show_money())


def _candidate(key: str, candidate_id: int) -> PlanCandidate:
    plan = get_plan(key)
    candidate = db.session.get(PlanCandidate, candidate_id)
    if candidate is None or candidate.plan_id != plan.id:
        abort(404)
    if not can_manage(plan):
        abort(403)
    return candidate


def _refused(key: str, failure: ValidationFailed):
    db.session.rollback()
    for messages in failure.errors.values():
        for message in messages:
            flash(message, "error")
    return redirect(url_for("plans.plan_candidates", key=key))


@bp.post("/plans/<key>/candidates/<int:candidate_id>/accept")
def candidate_accept(key: str, candidate_id: int):
    candidate = _candidate(key, candidate_id)
    form = CandidateForm()
    if not form.validate_on_submit():
        return _refused(key, ValidationFailed({name: list(errors) for name, errors in form.errors.items()}))
    edits = {"name": form.name.data}
    for field in services.FIGURE_FIELDS:
        value = getattr(form, field).data
        original = candidate.data.get(field)
        if value is None or original is None or services.Decimal(str(value)) != services.Decimal(str(original)):
            edits[field] = None if value is None else (value if field in services.WHOLE_FIELDS else str(value))
    region = None
    if form.region.data:
        region = services.find_region(form.region.data)
        if region is None:
            return _refused(key, ValidationFailed(_("没有行政区划代码为 %(code)s 的地区", code=form.region.data)))
    region = region or services.find_region(candidate.data.get("region_code")) or candidate.plan.region
    if not permissions.can_create_in(current_user, region):
        abort(403)
    try:
        project = services.accept_candidate(web_actor(), candidate, edits, region=region)
    except ValidationFailed as failure:
        return _refused(key, failure)
    db.session.commit()
    flash(_("已采纳：%(name)s", name=project.name), "success")
    return redirect(url_for("plans.plan_candidates", key=key) + f"#candidate-{candidate.id}")


@bp.post("/plans/<key>/candidates/<int:candidate_id>/merge")
def candidate_merge(key: str, candidate_id: int):
    candidate = _candidate(key, candidate_id)
    form = MergeForm()
    if not form.validate_on_submit():
        return _refused(key, ValidationFailed({name: list(errors) for name, errors in form.errors.items()}))
    project_id = form.project_id.data.strip().lstrip("#")
    project = db.session.get(Project, int(project_id)) if project_id.isdigit() and len(project_id) < 10 else None
    if project is None:
        return _refused(key, ValidationFailed(_("没有编号为 %(id)s 的项目", id=project_id)))
    permissions.require_project_edit(project)
    try:
        services.merge_candidate(web_actor(), candidate, project)
    except ValidationFailed as failure:
        return _refused(key, failure)
    db.session.commit()
    flash(_("已并入已有项目：%(name)s", name=project.name), "success")
    return redirect(url_for("plans.plan_candidates", key=key))


@bp.post("/plans/<key>/candidates/<int:candidate_id>/reject")
def candidate_reject(key: str, candidate_id: int):
    candidate = _candidate(key, candidate_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return _refused(key, ValidationFailed({name: list(errors) for name, errors in form.errors.items()}))
    try:
        services.reject_candidate(web_actor(), candidate, form.reason.data)
    except ValidationFailed as failure:
        return _refused(key, failure)
    db.session.commit()
    flash(_("已驳回：%(name)s", name=candidate.data.get("name")), "success")
    return redirect(url_for("plans.plan_candidates", key=key))
