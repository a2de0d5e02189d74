from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext, pgettext
from flask_login import current_user

from ..accounts.services import MONEY_SOURCE_FIELDS
from ..accounts import permissions
from ..accounts.visibility import show_money
from ..audit.services import Actor
from ..core.translation import phrases, aside
from ..errors import StaleEdit, ValidationFailed
from ..extensions import db
from ..imports import batches, uploads
from ..imports.importer import setting
from ..portfolio import queries
from ..portfolio.queries import Page
from ..portfolio.filters import PortfolioFilter
from ..projects.models import Project, SourceMention, project_plans
from ..regions.models import Region
from ..vocabulary import Category, IndicatorNature, Kind, Role, Status
from ..web.merging import carried, merge_saved
from ..unit_of_work import abandon, after_commit, release_for_slow_reading
from ..web.requests import form_id, refused, web_actor
from . import services
from .actuals import KIND as ACTUALS, apply_actuals, is_clean, read_actuals, write_actuals_template
from .documents import DocumentProblem, clean_line
from .reader import read_upload
from .forms import (ActualsUploadForm, CandidateForm, HandIndicatorForm, IndicatorForm, MergeForm, PlanEditForm,
                    PlanForm, RejectForm, RemoveIndicatorForm, WithdrawForm)
from .models import Plan, PlanCandidate, PlanIndicator
from .printing import write_evaluation_pdf, write_evaluation_xlsx

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
    pending_indicators = db.session.scalar(
        sa.select(sa.func.count()).where(PlanCandidate.plan_id == plan.id, PlanCandidate.kind == "indicator",
                                         PlanCandidate.decision.is_(None)))
    ended = services.has_ended(plan)
    continued = services.continued_ids(plan)
    unfinished = services.unfinished_projects(plan) if ended else []
    # Where each unfinished project went on: the next period's plans it is in (after a carry-over
    # the page listed them as before, as if nothing had happened).
    carried = {project.id: [later for later in project.plans if plan.period_end is not None
                            and later.period_start == plan.period_end + 1] for project in unfinished}
    return render_template("plans/detail.html", plan=plan, pending=decided.get(True, 0),
                           editable=plan.document is not None and can_manage(plan),
                           pending_indicators=pending_indicators,
                           decided=decided.get(False, 0), ended=ended,
                           unfinished=unfinished, carried=carried,
                           next_plans=[p for p in services.next_plans(plan) if can_manage(p)] if ended else [],
                           continued=db.session.scalars(sa.select(Project).where(Project.id.in_(continued))
                                                        .order_by(Project.name)).all() if continued else [],
                           totals=queries.totals(PortfolioFilter(plan=plan.key)),
                           all_totals=queries.totals(portfolio_filter))


@bp.get("/plans/<key>/text")
def plan_text(key: str):
    """The plan document itself, with line numbers, so every quote can be read in context, and
    beside each line the projects that cite it. A seed plan's file is shown without the marks its
    Word conversion left (a stored plan lost them when it was added)."""
    plan = get_plan(key)
    lines = services.plan_lines(plan)
    citing: dict[int, list[tuple[int, str]]] = {}
    for line, project_id, name in db.session.execute(
            sa.select(SourceMention.line, Project.id, Project.name).join(Project)
            .where(SourceMention.plan_id == plan.id).distinct().order_by(SourceMention.line, Project.name)):
        citing.setdefault(line, []).append((project_id, name))
    return render_template("plans/text.html", plan=plan,
                           lines=None if lines is None else [clean_line(line) for line in lines],
                           citing=citing,
                           hidden_lines=set() if lines is None or show_money() else money_lines(plan))


def money_lines(plan: Plan) -> set[int]:
    """The lines of the plan cited for an amount (表6's 总投资 cells): hidden from a viewer when
    the admin hides money, as the project page hides their quotes. Cited by a tracked project,
    or quoted by a project candidate, pending or decided: a candidate's “总投资1000万元” is the
    same amount before it is accepted."""
    rows: Sequence[tuple[int, list | None]] = db.session.execute(
        sa.select(SourceMention.line, SourceMention.fields).where(SourceMention.plan_id == plan.id)).all()
    lines = {line for line, fields in rows if set(fields or ()) & MONEY_SOURCE_FIELDS}
    quoted: Sequence[dict | None] = db.session.scalars(sa.select(PlanCandidate.data).where(
        PlanCandidate.plan_id == plan.id, PlanCandidate.kind == "project")).all()
    for data in quoted:
        lines.update(source["line"] for source in (data or {}).get("sources") or ()
                     if set(source.get("fields") or ()) & MONEY_SOURCE_FIELDS)
    return lines


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
    counts: dict[int, int] = dict(db.session.execute(
        sa.select(project_plans.c.plan_id, sa.func.count()).group_by(project_plans.c.plan_id)).all())
    with_status: dict[int, int] = dict(db.session.execute(
        sa.select(project_plans.c.plan_id, sa.func.count()).join(Project, Project.id == project_plans.c.project_id)
        .where(Project.status.isnot(None)).group_by(project_plans.c.plan_id)).all())
    indicators = dict(db.session.execute(
        sa.select(PlanIndicator.plan_id, sa.func.count()).group_by(PlanIndicator.plan_id)).all())
    pending = dict(db.session.execute(  # projects and indicators alike: both wait on the review page
        sa.select(PlanCandidate.plan_id, sa.func.count()).where(PlanCandidate.decision.is_(None))
        .group_by(PlanCandidate.plan_id)).all())
    return render_template("plans/list.html", plans=plans, counts=counts, with_status=with_status,
                           indicators=indicators, pending=pending, can_add=can_manage(),
                           period_name=services.period_label)


@bp.route("/plans/new", methods=["GET", "POST"])
def plan_new():
    if not can_manage():
        abort(403)
    form = PlanForm()
    if request.method == "GET" and current_user.role is Role.OFFICER and len(current_user.regions) == 1:
        own = current_user.regions[0]
        form.region.data = own.code or own.key  # an officer's plan is of his region, as a rule
    if form.is_submitted():
        # Every problem at once: the form's own (the file chosen, the date, the CSRF token), the
        # file's and the plan's facts (services.check_plan), before anything is stored.
        parsed = form.validate()
        lines = read = None
        if form.document.data and not form.document.errors:
            upload = form.document.data
            filename = Path(upload.filename or "plan.txt").name
            release_for_slow_reading()  # other officers save while the document is read
            try:
                with tempfile.TemporaryDirectory() as folder:
                    path = Path(folder) / ("upload" + Path(filename).suffix.lower())
                    upload.save(path)
                    lines = read = read_upload(path, filename, seconds=current_app.config["PLAN_READER_SECONDS"],
                                               memory=current_app.config["PLAN_READER_MEMORY"])
                services.check_lines(lines)
            except DocumentProblem as problem:
                form.document.errors = [str(problem)]
                lines = None
            except ValidationFailed as failure:
                form.apply_errors(failure.errors)
                lines = None
        # From the text read, even one refused (a plan added already): the form asks for no name
        # its hint says is taken from the document.
        read_from = _facts_from_title(form, read)
        facts = None
        try:
            facts = services.check_plan(key=form.key.data, title=form.title.data, region=form.region.data,
                                        period=form.period.data, issuer=form.issuer.data,
                                        doc_number=form.doc_number.data, issued_date=form.issued_date.data)
        except ValidationFailed as failure:
            if read is None and form.document.errors:
                # The file could not be read: a name, region or period left blank was to come
                # from it, so only the file is the problem (an empty file also said 请填写规划名称).
                failure = ValidationFailed({field: messages for field, messages in failure.errors.items()
                                            if field not in FROM_THE_TEXT or (getattr(form, field).data or "").strip()})
            if read is not None and not (form.title.data or "").strip() and "title" in failure.errors:
                # Left blank to be read, but no line near the top reads as a plan's title (one of
                # 500 characters is a paragraph): say so, not only 请填写规划名称.
                failure.errors["title"] = [_("原文开头几行中没有找到规划名称（一行不超过 200 字的“……规划”），请填写规划名称")]
            _show_facts_problems(form, failure)
        if facts is not None and not permissions.covers_region(current_user, facts.region):
            form.region.errors = [*form.region.errors, _("您只能为本人负责的地区添加规划")]
            return render_template("plans/new.html", form=form), 403
        if parsed and facts is not None and lines is not None:
            try:
                plan = services.add_plan(web_actor(), facts, lines=lines, filename=filename)
            except ValidationFailed as failure:  # what another upload took in the same instant
                form.apply_errors(failure.errors)
            else:
                flash(_("规划已添加，请逐条确认从原文中找到的项目"), "success")
                if read_from:
                    flash(read_from, "info")
                return redirect(url_for("plans.plan_candidates", key=plan.key))
        if form.document.data and not form.document.errors:
            # A browser does not keep a chosen file in a page sent back: say so where it was.
            form.document.errors = [_("请重新选择文件（%(name)s）：出错后浏览器不会保留所选文件",
                                      name=Path(form.document.data.filename or "").name)]
    return render_template("plans/new.html", form=form), 400 if form.errors else 200


FROM_THE_TEXT = ("title", "region", "period")  # a new plan's facts read from its text when left blank


def _facts_from_title(form: PlanForm, lines: list[str] | None) -> str | None:
    """A blank name taken from the document's title line, a blank region from the name (as a
    blank period already is, by ``check_plan``): what was taken, in words, or None."""
    if lines is None:
        return None
    number = None
    if not (form.title.data or "").strip() and (found := services.title_line(lines)):
        number, form.title.data = found
    region = None
    if not (form.region.data or "").strip() and form.title.data:
        named = services.region_in_title(form.title.data.strip())
        if isinstance(named, str):  # a name several regions share: the check lists them
            form.region.data = named
        elif named is not None:
            region = named
            form.region.data = region.code or region.key
    told = []
    if number and region:
        told.append(_("规划名称和行政区划取自原文第 %(line)d 行", line=number))
    elif number:
        told.append(_("规划名称取自原文第 %(line)d 行", line=number))
    elif region:
        told.append(_("行政区划取自规划名称：%(region)s", region=region.name))
    for name, (line, value) in services.issue_details(lines).items():  # 文号, 发文单位, 印发日期 left blank
        field = getattr(form, name)
        if not field.data or (isinstance(field.data, str) and not field.data.strip()):
            field.data = value
            told.append(_("%(label)s取自原文第 %(line)d 行", label=field.label.text, line=line))
    return pgettext("分句的分隔号", "；").join(told) + _("，如有不符请在规划页更正") if told else None


def _show_facts_problems(form, failure: ValidationFailed) -> None:
    """``check_plan``'s problems beside their fields, but on a field the form already refused (a
    title over its length): one problem is said once."""
    form.apply_errors({field: messages for field, messages in failure.errors.items()
                       if not getattr(getattr(form, field, None), "errors", None)})


@bp.route("/plans/<key>/edit", methods=["GET", "POST"])
def plan_edit(key: str):
    """Correct a plan added in the tracker: its title, region, period and issue details (the 文号
    and 印发日期 often come after the text); a seed plan's are the seed's."""
    plan = get_plan(key)
    if not can_manage(plan) or plan.document is None:
        abort(403)
    form = PlanEditForm()
    if request.method == "GET":
        form.process(data={"title": plan.title, "region": plan.region.code or plan.region.key,
                           "period": f"{plan.period_start}-{plan.period_end}" if plan.period_start else "",
                           "issuer": plan.issuer, "doc_number": plan.doc_number,
                           "issued_date": plan.issued_date, "version": plan.version})
    stale = None
    if form.is_submitted():
        parsed = form.validate()
        facts = None
        try:
            facts = services.check_plan(key=plan.key, title=form.title.data, region=form.region.data,
                                        period=form.period.data, issuer=form.issuer.data,
                                        doc_number=form.doc_number.data, issued_date=form.issued_date.data,
                                        editing=plan)
        except ValidationFailed as failure:
            _show_facts_problems(form, failure)
        if facts is not None and not permissions.covers_region(current_user, facts.region):
            form.region.errors = [*form.region.errors, _("规划只能属于您负责的地区")]
        elif parsed and facts is not None:
            try:
                changes = services.update_plan(web_actor(), plan, facts, expected_version=int(form.version.data or 0))
            except StaleEdit as conflict:
                abandon()
                stale = conflict.changes_by_others
                plan = get_plan(key)
                kept, _contested = merge_saved(form, stale, mine=services.recorded_facts(facts),
                                               saved=services.saved_facts(plan))
                form.version.data = plan.version
                form.form_errors.append(_("保存未成功：在您修改期间，其他人已修改了此规划的信息，本次没有保存。"
                                          "对方改的、您没有改的已填入下方（%(fields)s），您填写的保留；请核对后再保存。",
                                          fields=pgettext("列举的分隔号", "、").join(kept) or _("无")))
            except ValidationFailed as failure:  # corrected onto another plan's title, region and period
                form.apply_errors(failure.errors)
            else:
                flash(_("规划信息已修改") if changes else _("没有改动，无需保存"), "success")
                return redirect(url_for("plans.plan_detail", key=plan.key))
    status = 200 if request.method == "GET" else 409 if stale is not None else 400
    return render_template("plans/edit.html", plan=plan, form=form, stale=stale), status


@bp.route("/plans/<key>/withdraw", methods=["GET", "POST"])
def plan_withdraw(key: str):
    """Withdraw a plan added by mistake, after a confirmation: while nothing rests on it."""
    if request.method == "POST" and services.was_withdrawn(key):  # the same form sent twice
        flash(_("此规划已撤回"), "success")
        return redirect(url_for("plans.plan_list"))
    plan = get_plan(key)
    if not can_manage(plan):
        abort(403)
    problem = services.withdrawal_problem(plan)
    form = WithdrawForm()
    if problem is None and form.validate_on_submit():
        title = plan.title
        services.withdraw_plan(web_actor(), plan, form.reason.data)
        flash(_("已撤回规划：%(title)s", title=title), "success")
        return redirect(url_for("plans.plan_list"))
    return render_template("plans/withdraw.html", plan=plan, form=form, problem=problem), \
        400 if request.method == "POST" else 200


@bp.get("/plans/<key>/candidates")
def plan_candidates(key: str):
    return _candidates_page(get_plan(key))


def _candidates_page(plan: Plan, refusal: dict | None = None, status: int = 200):
    """The review; ``refusal`` (``_refused``): a candidate's form the page refused, put back as
    typed with its errors, on the page that holds the candidate."""
    with db.session.no_autoflush:  # a refusal's unsent changes are not for the database
        candidates = db.session.scalars(sa.select(PlanCandidate).where(PlanCandidate.plan_id == plan.id)
                                        .order_by(PlanCandidate.kind.desc(), PlanCandidate.position)).all()
    projects = [c for c in candidates if c.kind == "project"]
    # The open candidates a page at a time: each is three forms (~4 KB), and a city's plan offers
    # 150, which was 590 KB of HTML for a phone to take in at once.
    waiting = [c for c in projects if c.decision is None]
    pages = max(1, -(-len(waiting) // OPEN_PER_PAGE))
    number = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    if refusal is not None:
        number = next((index // OPEN_PER_PAGE + 1 for index, c in enumerate(waiting)
                       if c.id == refusal["candidate"].id), 1)
    page = Page(waiting[(number - 1) * OPEN_PER_PAGE:number * OPEN_PER_PAGE], number, OPEN_PER_PAGE, len(waiting))
    existing = {p.id: p for p in db.session.scalars(
        sa.select(Project).where(Project.id.in_([c.project_id for c in projects if c.project_id])))}
    # Worked out now, not at the upload: a project tracked since is named too.
    likely = services.likely_tracked(plan, page.items) if page.items else {}
    # Each open candidate's region as the review page offers it: the one the text names, else the
    # plan's own (what accepting with the field left blank gives), shown with its name.
    plan_region = plan.region.code or plan.region.key
    offered = {c.id: c.data.get("region_code") or plan_region for c in page.items}
    region_names = {code: region.full_name for code in set(offered.values())
                    if (region := services.find_region(code)) is not None}
    # What a candidate may be merged into, offered by name as the number is typed or the name
    # (a datalist): the projects tracked in the plan's region and below it.
    mergeable = db.session.execute(
        sa.select(Project.id, Project.name).join(Region, Project.region_id == Region.id)
        .where(Region.path.startswith(plan.region.path, autoescape=True))
        .order_by(Project.name, Project.id).limit(MERGE_CHOICES)).all() if can_manage(plan) else []
    return render_template(
        "plans/candidates.html", plan=plan, open=page.items, page=page,
        offered_regions=offered, region_names=region_names, mergeable=mergeable,
        decided=[c for c in projects if c.decision is not None],
        indicators=[c for c in candidates if c.kind == "indicator"], existing=existing, likely=likely,
        can_decide=can_manage(plan), labels=services.DECISION_LABELS(), guess=services.guess_category,
        categories=Category, kinds=Kind, guess_kind=services.guess_kind,
        field_labels=services.FIELD_LABELS, read_for=read_for, approximate=services.APPROXIMATE,
        natures={nature.value: nature for nature in IndicatorNature},
        statuses={status.value: status.label for status in Status}, hidden_lines=set() if show_money() else money_lines(plan),
        show_money=show_money(), refusal=refusal), status


MERGE_CHOICES = 2000  # a city's projects: the datalist beyond that is no help (the number still is)
OPEN_PER_PAGE = 20  # open candidates on a page of a plan's review


def _review_at(candidate: PlanCandidate) -> str:
    """Where the review goes on once ``candidate`` is decided: the page holding the open candidate
    after it, at that candidate, so that one decision leads to the next; the one before it when it
    was the last; the first page when none is left open. An indicator: the indicators' table."""
    plan = candidate.plan
    if candidate.kind != "project":
        return url_for("plans.plan_candidates", key=plan.key) + "#indicators"
    with db.session.no_autoflush:  # a refusal's unsent changes are not for the database
        waiting = db.session.execute(
            sa.select(PlanCandidate.id, PlanCandidate.position)
            .where(PlanCandidate.plan_id == plan.id, PlanCandidate.kind == "project",
                   PlanCandidate.decision.is_(None))
            .order_by(PlanCandidate.position)).all()
    def at(index: int) -> str:
        number = index // OPEN_PER_PAGE + 1
        return url_for("plans.plan_candidates", key=plan.key, page=number if number > 1 else None)

    waiting = [row for row in waiting if row.id != candidate.id]  # decided, flushed or not
    if not waiting:
        return at(0)
    index = next((index for index, row in enumerate(waiting) if row.position > candidate.position), len(waiting) - 1)
    return at(index) + f"#candidate-{waiting[index].id}"


def read_for(fields: Sequence[str]) -> str:
    """What a quote of a candidate was read for, as its review page names it: "（总投资，床位）"."""
    order = list(services.SOURCE_LABELS)
    ordered = sorted(fields, key=lambda field: order.index(field) if field in order else len(order))
    return aside(services.SOURCE_LABELS.get(field, field) for field in ordered)


def _of_plan(key: str, model, row_id: int):
    """A row of the plan ``key`` (a candidate, an indicator) for one who manages the plan."""
    plan = get_plan(key)
    if not can_manage(plan):
        abort(403)
    row = db.session.get(model, row_id)
    if row is None or row.plan_id != plan.id:
        abort(404)
    return row


def _candidate(key: str, candidate_id: int) -> PlanCandidate:
    return _of_plan(key, PlanCandidate, candidate_id)


def form_failure(form) -> ValidationFailed:
    return ValidationFailed({name: [str(error) for error in errors] for name, errors in form.errors.items()})


def _refused(candidate: PlanCandidate, failure: ValidationFailed, form: str):
    """A refused decision told on the review page, the candidate's ``form`` (accept, merge,
    reject) as the person typed it, its errors beside its fields, the page opening at it: a
    redirect to the page's top lost the typing, and its one message named no candidate. An
    indicator's buttons hold nothing typed: told at the indicators' table."""
    if candidate.kind != "project":
        return refused(_review_at(candidate), failure)
    abandon()
    name = candidate.data.get("name") or ""
    for messages in failure.errors.values():
        for message in messages:
            flash(_("“%(name)s”：%(message)s", name=name, message=message), "error")
    # A project's field a service names is the form's figure it came from.
    errors: dict[str, list[str]] = {}
    for field, messages in failure.errors.items():
        field = next((seed for seed, own in services.FIGURE_FIELDS.items() if own == field), field)
        errors.setdefault(field, []).extend(messages)
    return _candidates_page(candidate.plan, {"candidate": candidate, "form": form, "typed": request.form,
                                              "errors": errors}, status=400)


@bp.post("/plans/<key>/candidates/<int:candidate_id>/accept")
def candidate_accept(key: str, candidate_id: int):
    candidate = _candidate(key, candidate_id)
    form = CandidateForm()
    if not form.validate_on_submit():
        return _refused(candidate, form_failure(form), "accept")
    edits = {"name": form.name.data}
    if form.category.data:
        edits["category"] = form.category.data
    if form.kind.data:
        edits["kind"] = form.kind.data
    for field in services.FIGURE_FIELDS:
        value = getattr(form, field).data
        if not services.same_value(candidate.data.get(field), value):
            edits[field] = None if value is None else (value if field in services.WHOLE_FIELDS else str(value))
    region = None
    if form.region.data:
        region = services.find_region(form.region.data)
        if region is None:
            return _refused(candidate, ValidationFailed(_("没有行政区划代码为 %(code)s 的地区", code=form.region.data), "region"),
                            "accept")
    region = region or services.find_region(candidate.data.get("region_code")) or candidate.plan.region
    if not permissions.can_create_in(current_user, region):  # told on the review page, not a bare 403
        yours = "、".join(place.name for place in current_user.regions) or _("（尚未分配地区，请联系管理员）")
        return _refused(candidate, ValidationFailed(_("您只能在本人负责的地区新建项目：%(region)s不在您负责的%(yours)s内",
                                                      region=region.name, yours=yours), "region"), "accept")
    try:
        project = services.accept_candidate(web_actor(), candidate, edits, region=region,
                                            different=bool(form.different.data))
    except ValidationFailed as failure:
        return _refused(candidate, failure, "accept")
    flash(_("已采纳：%(name)s", name=project.name), "success")
    start, end = candidate.data.get("start_year"), candidate.data.get("end_year")
    if start and not (project.planned_start or project.planned_end):
        # The plan gives years, the project keeps dates: say where they go rather than invent a day.
        years = f"{start}–{end}" if end and end != start else str(start)
        flash(_("原文写明建设期 %(years)s 年；项目记的是日期，请到该项目的“节点”页填写计划开工、竣工日期",
                years=years), "info")
    return redirect(_review_at(candidate))


@bp.post("/plans/<key>/candidates/<int:candidate_id>/merge")
def candidate_merge(key: str, candidate_id: int):
    candidate = _candidate(key, candidate_id)
    form = MergeForm()
    if not form.validate_on_submit():
        return _refused(candidate, form_failure(form), "merge")
    project_id = form.project_id.data.strip().lstrip("#")
    project = db.session.get(Project, int(project_id)) if project_id.isdigit() and len(project_id) < 10 else None
    if project is None:
        return _refused(candidate, ValidationFailed(_("没有编号为 %(id)s 的项目", id=project_id), "project_id"), "merge")
    reason = permissions.why_not_edit(current_user, project)
    if reason:  # told on the review page, not a bare 403
        return _refused(candidate, ValidationFailed(reason, "project_id"), "merge")
    permissions.require_project_edit(project)
    differ = services.figures_that_differ(project, candidate.data)
    try:
        services.merge_candidate(web_actor(), candidate, project)
    except ValidationFailed as failure:
        return _refused(candidate, failure, "merge")
    flash(_("已并入已有项目：%(name)s", name=project.name), "success")
    if differ:
        flash(_("新规划写的与台账不同，台账保持不变：%(figures)s。如应采用新规划的数字，请在“编辑项目”中修改并写明依据。",
                figures=phrases(differ)), "info")
    return redirect(_review_at(candidate))


@bp.post("/plans/<key>/candidates/<int:candidate_id>/reject")
def candidate_reject(key: str, candidate_id: int):
    candidate = _candidate(key, candidate_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return _refused(candidate, form_failure(form), "reject")
    try:
        services.reject_candidate(web_actor(), candidate, form.reason.data)
    except ValidationFailed as failure:
        return _refused(candidate, failure, "reject")
    flash(_("已驳回：%(name)s", name=candidate.data.get("name")), "success")
    return redirect(_review_at(candidate))


@bp.post("/plans/<key>/carry-over")
def plan_carry_over(key: str):
    """Carries the ended plan's unfinished projects (those the user may edit) into a plan of the
    next period: 续建."""
    plan = get_plan(key)
    if not can_manage(plan):
        abort(403)
    target = db.session.scalar(sa.select(Plan).where(Plan.key == (request.form.get("target") or "")[:64]))
    if target is None:
        flash(_("请选择要转入的规划"), "error")
        return redirect(url_for("plans.plan_detail", key=key))
    if not can_manage(target):
        abort(403)
    if request.form.get("confirm") != "1":
        flash(_("请勾选确认后再转入"), "error")
        return redirect(url_for("plans.plan_detail", key=key))
    projects = [project for project in services.unfinished_projects(plan)
                if permissions.can_edit_project(current_user, project)]
    try:
        carried = services.carry_over(web_actor(), plan, target, projects)
    except ValidationFailed as failure:
        return refused(url_for("plans.plan_detail", key=key), failure)
    if not carried:  # the same carry-over sent again: nothing was done, and it says so
        flash(_("没有转入任何项目：本规划的未完工项目都已列入《%(title)s》", title=target.title), "info")
        return redirect(url_for("plans.plan_detail", key=target.key))
    flash(ngettext("已将 %(count)s 个未完工项目作为续建项目转入《%(title)s》",
                   "已将 %(count)s 个未完工项目作为续建项目转入《%(title)s》",
                   len(carried), count=len(carried), title=target.title), "success")
    return redirect(url_for("plans.plan_detail", key=target.key))


@bp.get("/plans/<key>/evaluation")
def plan_evaluation(key: str):
    """终期评估: indicators against their targets, projects by outcome; printable."""
    plan = get_plan(key)
    return _evaluation_page(plan)


def _evaluation_page(plan: Plan, typed=None, status: int = 200):
    """The evaluation; ``typed``: an actual the page refused, put back in its form."""
    return render_template("plans/evaluation.html", plan=plan, result=services.evaluation(plan),
                           outcomes=services.outcome_labels(), can_enter=can_manage(plan),
                           show_money=show_money(), shown=json.dumps(services.actuals_shown(plan), ensure_ascii=False),
                           typed=typed or {}), status


@bp.post("/plans/<key>/evaluation/actuals")
def plan_actual(key: str):
    plan = get_plan(key)
    if not can_manage(plan):
        abort(403)
    indicator_id = form_id("indicator")
    indicator = db.session.get(PlanIndicator, indicator_id) if indicator_id is not None else None
    if indicator is None or indicator.plan_id != plan.id:
        flash(_("请选择本规划的指标"), "error")
        return redirect(url_for("plans.plan_evaluation", key=key))
    raw_year = (request.form.get("year") or "").strip()
    year = int(raw_year) if raw_year.isdigit() and len(raw_year) == 4 else None
    try:
        services.set_actual(web_actor(), indicator, year, request.form.get("value"), request.form.get("source"),
                            shown=carried(request.form.get("shown")))
    except ValidationFailed as failure:
        # Told on the page with what was typed put back (a redirect lost it).
        abandon()
        for messages in failure.errors.values():
            for message in messages:
                flash(message, "error")
        return _evaluation_page(plan, typed=request.form, status=400)
    flash(_("已保存：%(name)s", name=indicator.name), "success")
    return redirect(url_for("plans.plan_evaluation", key=key))


@bp.get("/plans/<key>/evaluation.xlsx")
def plan_evaluation_xlsx(key: str):
    """The evaluation as a workbook (amounts hidden from a reader the page hides them from)."""
    plan = get_plan(key)
    buffer = io.BytesIO()
    write_evaluation_xlsx(buffer, plan, include_money=show_money())
    buffer.seek(0)
    return send_file(buffer, as_attachment=True, download_name=f"{plan.key}-evaluation.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.get("/plans/<key>/evaluation.pdf")
def plan_evaluation_pdf(key: str):
    """The evaluation on A4, as the page shows it (amounts hidden from a reader the page hides
    them from)."""
    plan = get_plan(key)
    buffer = io.BytesIO()
    write_evaluation_pdf(buffer, plan, include_money=show_money())
    buffer.seek(0)
    return send_file(buffer, as_attachment=True, download_name=f"{plan.key}-evaluation.pdf",
                     mimetype="application/pdf")


@bp.get("/plans/<key>/evaluation/actuals-template.xlsx")
def actuals_template(key: str):
    """The plan's indicators as a sheet to fill with each year's actual value and its source."""
    plan = get_plan(key)
    if not can_manage(plan):
        abort(403)
    buffer = io.BytesIO()
    write_actuals_template(buffer, plan)
    buffer.seek(0)
    return send_file(buffer, as_attachment=True, download_name=f"{plan.key}-actuals.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.post("/plans/<key>/evaluation/import")
def actuals_upload(key: str):
    """Keeps the upload and its preview (the imports' store and batch), then shows the preview."""
    plan = get_plan(key)
    if not can_manage(plan):
        abort(403)
    form = ActualsUploadForm()
    if not form.validate_on_submit():
        return refused(url_for("plans.plan_evaluation", key=key), form_failure(form))
    limit = setting("IMPORT_MAX_BYTES")
    data = form.file.data.read(limit + 1)
    if len(data) > limit:
        return refused(url_for("plans.plan_evaluation", key=key), ValidationFailed(
            _("文件超过 %(n)s MB 的上限。请拆分后分批导入。", n=limit // (1024 * 1024))))
    release_for_slow_reading()  # other officers save while the sheet is read
    try:
        token = uploads.store(data)
        uploads.save_preview(token, read_actuals(plan, data))
    except uploads.NotStored:
        return refused(url_for("plans.plan_evaluation", key=key), ValidationFailed(
            _("服务器无法保存上传的文件（存储空间不足或不可写），没有导入任何数据。请稍后重试或联系管理员。")))
    batches.open_batch(current_user, token, ACTUALS, form.file.data.filename or "")
    return redirect(url_for("plans.actuals_preview", key=key, token=token))


def _actuals_batch(plan: Plan, token: str):
    """The user's own upload of this plan's actuals, with its kept preview; 404 otherwise."""
    if not can_manage(plan):
        abort(403)
    batch = batches.find(token, current_user) if uploads.valid(token) else None
    kept = uploads.preview(token) if batch is not None else None
    if batch is None or batch.kind != ACTUALS or (kept is not None and kept.get("plan") != plan.key):
        abort(404)
    return batch, kept


def _actuals_page(plan: Plan, batch, report, token: str, status: int = 200):
    return render_template("plans/actuals_preview.html", plan=plan, batch=batch, report=report,
                           token=token, ok=report is not None and is_clean(report)), status


@bp.get("/plans/<key>/evaluation/import/<token>")
def actuals_preview(key: str, token: str):
    plan = get_plan(key)
    batch, kept = _actuals_batch(plan, token)
    if batch.status != batches.PREVIEWED or kept is None:
        return _actuals_page(plan, batch, None, token, 200 if kept is not None else 410)
    return _actuals_page(plan, batch, kept, token)


@bp.post("/plans/<key>/evaluation/import/<token>/confirm")
def actuals_confirm(key: str, token: str):
    """One confirmation: the upload is claimed, read again, and written whole or not at all."""
    plan = get_plan(key)
    batch, kept = _actuals_batch(plan, token)
    form = RejectForm()  # nothing to fill: the CSRF token only
    data = uploads.data(token)
    if batch.status != batches.PREVIEWED or kept is None or data is None:
        return _actuals_page(plan, batch, None, token, 409)
    if not form.validate_on_submit() or not batches.claim(batch, batches.APPLIED):
        return _actuals_page(plan, batch, None, token, 409)
    report = apply_actuals(Actor(current_user._get_current_object(), "import"), plan, data, batch.filename)
    if not report["applied"]:
        # 409 keeps nothing, the claim neither: a corrected upload can be confirmed.
        return _actuals_page(plan, batch, report, token, 409)
    after_commit(lambda: uploads.discard(token))
    flash(ngettext("已导入 %(n)s 个指标实际值", "已导入 %(n)s 个指标实际值", len(report["rows"]), n=len(report["rows"])), "success")
    return redirect(url_for("plans.plan_evaluation", key=key))


@bp.post("/plans/<key>/evaluation/import/<token>/discard")
def actuals_discard(key: str, token: str):
    plan = get_plan(key)
    batch, _kept = _actuals_batch(plan, token)
    if RejectForm().validate_on_submit() and batches.claim(batch, batches.DISCARDED):
        after_commit(lambda: uploads.discard(token))
        flash(_("已放弃这次导入，没有写入任何内容。"), "info")
    else:
        abandon()
    return redirect(url_for("plans.plan_evaluation", key=key))


@bp.route("/plans/<key>/candidates/<int:candidate_id>/indicator", methods=["GET", "POST"])
def candidate_indicator(key: str, candidate_id: int):
    """An indicator candidate corrected, then accepted: a column read as the wrong one, a name split
    over two cells; a baseline or target must still be printed in its quotes."""
    candidate = _candidate(key, candidate_id)
    if candidate.kind != "indicator":
        abort(404)
    form = IndicatorForm(data={field: candidate.data.get(field) for field in services.INDICATOR_FIELDS}
                         if request.method == "GET" else None)
    if form.validate_on_submit():
        edits = {field: getattr(form, field).data for field in services.INDICATOR_FIELDS}
        edits = {field: (value.strip() or None) if isinstance(value, str) else value for field, value in edits.items()}
        edits = {field: value for field, value in edits.items() if value != candidate.data.get(field)}
        try:
            indicator = services.accept_indicator(web_actor(), candidate, edits)
        except ValidationFailed as failure:
            form.apply_errors(failure.errors)
        else:
            flash(_("已采纳指标：%(name)s", name=indicator.name), "success")
            return redirect(url_for("plans.plan_candidates", key=key) + "#indicators")
    return render_template("plans/indicator.html", plan=candidate.plan, candidate=candidate, form=form), \
        400 if request.method == "POST" else 200


@bp.post("/plans/<key>/candidates/<int:candidate_id>/accept-indicator")
def candidate_accept_indicator(key: str, candidate_id: int):
    candidate = _candidate(key, candidate_id)
    form = RejectForm()  # nothing to fill: the CSRF token only
    if not form.validate_on_submit():
        return _refused(candidate, form_failure(form), "accept")
    try:
        indicator = services.accept_indicator(web_actor(), candidate)
    except ValidationFailed as failure:
        return _refused(candidate, failure, "accept")
    flash(_("已采纳指标：%(name)s", name=indicator.name), "success")
    return redirect(url_for("plans.plan_candidates", key=key) + "#indicators")


@bp.route("/plans/<key>/indicators/new", methods=["GET", "POST"])
def indicator_new(key: str):
    """An indicator the reading of the text missed (a target in a sentence, a table it could not
    read), added by hand with the lines of the plan it is printed on."""
    plan = get_plan(key)
    if not can_manage(plan) or plan.document is None:
        abort(403)
    form = HandIndicatorForm()
    if form.is_submitted():
        parsed = form.validate()
        fields = {field: getattr(form, field).data for field in services.INDICATOR_FIELDS}
        try:
            indicator, added = services.add_indicator(web_actor(), plan, fields, form.lines.data)
        except ValidationFailed as failure:
            form.apply_errors(failure.errors)
        except StaleEdit:
            abandon()
            form.form_errors.append(_("保存未成功：同一时间有人为此规划添加了指标，请核对后再保存。"))
        else:
            if parsed:
                flash(_("已添加指标：%(name)s", name=indicator.name) if added
                      else _("指标“%(name)s”已添加，无需重复保存", name=indicator.name), "success")
                return redirect(url_for("plans.plan_detail", key=key, _anchor="indicators"))
            abandon()
        for field in form:  # a rule both the form and the service hold is said once
            field.errors = list(dict.fromkeys(field.errors))
    return render_template("plans/indicator_new.html", plan=plan, form=form, lines=services.plan_lines(plan) or []), \
        400 if request.method == "POST" else 200


@bp.route("/plans/<key>/indicators/<int:indicator_id>/remove", methods=["GET", "POST"])
def indicator_remove(key: str, indicator_id: int):
    """An indicator accepted or added by mistake removed, after a confirmation and a reason."""
    plan = get_plan(key)
    # The form sent twice, or from a page left open: its indicator is gone (its id is no newer
    # indicator's: migration b8d2f4a6c1e3; the name it showed is compared too). Its work is done.
    current = db.session.get(PlanIndicator, indicator_id)
    shown = request.form.get("name") if request.method == "POST" else None
    if (request.method == "POST" and (current is None or (shown and shown != current.name)) and can_manage(plan)
            and services.indicator_was_removed(indicator_id)):
        flash(_("此指标已删除"), "info")
        return redirect(url_for("plans.plan_detail", key=key, _anchor="indicators"))
    indicator = _of_plan(key, PlanIndicator, indicator_id)
    problem = services.indicator_removal_problem(indicator)
    form = RemoveIndicatorForm()
    if problem is None and form.validate_on_submit():
        name = indicator.name
        try:
            services.remove_indicator(web_actor(), indicator, form.reason.data)
        except ValidationFailed as failure:
            form.apply_errors(failure.errors)
        else:
            flash(_("已删除指标：%(name)s", name=name), "success")
            return redirect(url_for("plans.plan_detail", key=key, _anchor="indicators"))
    status = 200 if request.method == "GET" else 409 if problem else 400
    return render_template("plans/indicator_remove.html", plan=plan, indicator=indicator, form=form,
                           problem=problem), status
