from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext, pgettext
from flask_login import current_user

from ..accounts.models import User
from ..audit.display import who
from ..audit.services import json_value
from ..formatting import local_datetime
from ..core import clock
from ..core.values import display_decimal
from ..errors import StaleEdit, ValidationFailed
from ..extensions import db
from ..unit_of_work import after_commit
from ..web.requests import editable_project, get_project, web_actor
from ..vocabulary import FundingSource, Stage
from ..web.merging import carried, merge_saved
from . import photos, services
from .forms import (AnnualPlanForm, BudgetRevisionForm, CustomMilestoneForm, DeleteForm,
                    FundingEditForm, FundingLineForm, MilestoneForm, MilestoneGridForm, MILESTONE_LABELS,
                    MilestoneRenameForm, ReportForm)
from .models import AnnualPlan, BudgetRevision, FundingLine, Milestone, ReportPhoto

bp = Blueprint("progress", __name__)


def _row_forms(project, formdata=None) -> list[tuple[Milestone, MilestoneForm]]:
    """One form per milestone row, all inside the page's one <form> (one CSRF token for all).
    With ``formdata``, the rows it carries are read from it and the others shown as stored."""
    rows = []
    for milestone in project.milestones:
        prefix = f"m{milestone.id}"
        if formdata is not None and f"{prefix}-version" in formdata:
            form = MilestoneForm(formdata=formdata, prefix=prefix, meta={"csrf": False})
        else:
            form = MilestoneForm(formdata=None, obj=milestone, prefix=prefix, meta={"csrf": False})
        form.typed = {}
        rows.append((milestone, form))
    return rows


def _milestones_page(project, rows, *, page_form=None, custom=None, stale=None, status=200):
    missing = [stage for stage in Stage if stage not in {m.stage for m in project.milestones}]
    return render_template("progress/milestones.html", project=project, rows=rows,
                           page_form=page_form or MilestoneGridForm(), missing=missing,
                           custom=custom or CustomMilestoneForm(formdata=None), stale=stale,
                           row_errors=any(form.errors for _m, form in rows),
                           field_labels=MILESTONE_LABELS, today=clock.today()), status


@bp.get("/projects/<int:project_id>/milestones")
def milestones(project_id: int):
    project = editable_project(project_id)
    return _milestones_page(project, _row_forms(project))


@bp.post("/projects/<int:project_id>/milestones")
def milestones_save(project_id: int):
    """The page's one 保存: every row is validated and saved together, or nothing is saved."""
    project = editable_project(project_id)
    page_form = MilestoneGridForm()
    rows = _row_forms(project, request.form)
    posted = [(m, form) for m, form in rows if f"m{m.id}-version" in request.form]
    gone = _rows_deleted_meanwhile(project, rows)
    if gone:  # a row's typing would be dropped unsaid: nothing saved, the page says whose it was
        page_form.validate_on_submit()
        for entry in gone:
            page_form.form_errors.append(_(
                "节点“%(name)s”已于 %(when)s 被 %(who)s 删除，您在该行填写的内容没有保存；"
                "其他各行也还没有保存，请核对后再保存。", name=(entry.params or {}).get("name") or "",
                when=local_datetime(entry.occurred_at), who=who(entry)))
        return _milestones_page(project, rows, page_form=page_form, status=409)
    valid = all([form.validate() for _m, form in posted])  # every row, so every error shows
    if not page_form.validate_on_submit() or not valid:
        return _milestones_page(project, rows, page_form=page_form, status=400)
    edits = [services.MilestoneEdit(m, form.planned_date.data, form.actual_date.data, form.note.data,
                                    form.delay_reason.data, int(form.version.data or 0), key=f"m{m.id}")
             for m, form in posted]
    try:
        saved = services.save_milestones(web_actor(), project, edits)
    except StaleEdit as conflict:
        return _milestones_page(project, _stale_rows(project, rows, conflict.changes_by_others),
                                page_form=page_form, stale=conflict.changes_by_others, status=409)
    except ValidationFailed as failure:
        for name, messages in failure.errors.items():
            for milestone, form in rows:
                prefix = f"m{milestone.id}-"
                if name.startswith(prefix) and hasattr(form, name[len(prefix):]):
                    getattr(form, name[len(prefix):]).errors = list(messages)
                    break
            else:
                page_form.form_errors.extend(messages)
        return _milestones_page(project, rows, page_form=page_form, status=400)
    flash(ngettext("已保存 %(n)s 个节点", "已保存 %(n)s 个节点", len(saved), n=len(saved)) if saved else _("没有改动，无需保存"), "success")
    return redirect(url_for("progress.milestones", project_id=project.id))


def _rows_deleted_meanwhile(project, rows) -> list:
    """The trail's deletions of the rows the grid sent that the project no longer has (a
    colleague deleted a custom milestone after the page was loaded)."""
    shown = {milestone.id for milestone, _form in rows}
    sent = {int(match.group(1)) for key in request.form
            if (match := re.fullmatch(r"m(\d{1,18})-version", key))}
    return [entry for milestone_id in sorted(sent - shown)
            if (entry := _removed(project, "Milestone", milestone_id)) is not None]


def _stale_rows(project, rows, stale: list[dict]):
    """After a conflict: rows others changed show the stored values (what was typed is listed
    beside them); every other row keeps what was typed."""
    db.session.expire_all()
    project = get_project(project.id)
    by_id = {m.id: m for m in project.milestones}
    stale_ids = {item["milestone"].id for item in stale}
    fresh = []
    for milestone, form in rows:
        current = by_id.get(milestone.id)
        if current is None:
            continue
        if current.id in stale_ids:
            typed = {name: getattr(form, name).data for name in services.MILESTONE_FIELDS}
            form = MilestoneForm(formdata=None, obj=current, prefix=f"m{current.id}", meta={"csrf": False})
            form.typed = {name: value for name, value in typed.items()
                          if (value or None) != getattr(current, name)}
        fresh.append((current, form))
    return fresh


@bp.post("/projects/<int:project_id>/milestones/lifecycle")
def milestones_lifecycle(project_id: int):
    """The standard lifecycle in one action, for any project (seeded and imported ones too)."""
    project = editable_project(project_id)
    if not MilestoneGridForm().validate_on_submit():
        abort(400)
    added = services.add_standard_lifecycle(web_actor(), project)
    flash(ngettext("已添加 %(n)s 个标准建设节点，请填写计划日期后保存",
                   "已添加 %(n)s 个标准建设节点，请填写计划日期后保存", len(added), n=len(added))
          if added else _("标准建设节点已齐全"), "success")
    return redirect(url_for("progress.milestones", project_id=project.id))


@bp.post("/projects/<int:project_id>/milestones/custom")
def milestone_add(project_id: int):
    project = editable_project(project_id)
    form = CustomMilestoneForm()
    if form.validate_on_submit():
        try:
            services.add_custom_milestone(web_actor(), project, form.custom_name.data, form.planned_date.data)
        except ValidationFailed as failure:
            form.apply_errors(failure.errors)
        else:
            flash(_("已新增节点"), "success")
            return redirect(url_for("progress.milestones", project_id=project.id))
    return _milestones_page(project, _row_forms(project), custom=form, status=400)


def _parse_month(text: str | None) -> dt.date | None:
    try:
        return dt.datetime.strptime((text or "").strip(), "%Y-%m").date()
    except ValueError:
        return None


@bp.route("/projects/<int:project_id>/reports/new", methods=["GET", "POST"])
def report_new(project_id: int):
    project = editable_project(project_id)
    form = ReportForm()
    month: dt.date | None  # None after a POST of a month that is none
    month = _parse_month(request.values.get("month")) or clock.this_month()
    existing = services.report_for(project, month)
    conflict = False
    if request.method == "GET":
        form.month.data = month.strftime("%Y-%m")
        if existing is not None:
            form.process(obj=existing)
            form.month.data = month.strftime("%Y-%m")
            form.version.data = existing.version
    elif form.validate_on_submit():
        month = _parse_month(form.month.data)
        uploads = [f for f in (form.photos.data or []) if f and f.filename]
        if month is None:
            form.month.errors.append(_("月份格式应为 YYYY-MM，例如 2025-03"))
        elif len(uploads) > photos.MAX_PHOTOS:
            form.photos.errors.append(_("每次最多上传 %(n)s 张照片", n=photos.MAX_PHOTOS))
        else:
            try:
                report = services.submit_report(
                    web_actor(), project, month, progress_text=form.progress_text.data,
                    physical_percent=form.physical_percent.data, invested_month=form.invested_month.data,
                    invested_total=form.invested_total.data, funds_received=form.funds_received.data,
                    paid=form.paid.data, problems=form.problems.data, next_steps=form.next_steps.data,
                    over_budget_reason=form.over_budget_reason.data,
                    correction_reason=form.correction_reason.data,
                    expected_version=int(form.version.data) if form.version.data else None)
                photos.store_photos(report, uploads, web_actor(), reason=form.correction_reason.data)
            except StaleEdit as stale:
                # Nothing was written: the officer submits again, against what is saved now.
                conflict = True
                existing = services.report_for(project, month)
                if stale.changes_by_others and existing is not None:
                    kept, contested = _merge_report(form, stale.changes_by_others, existing)
                    form.form_errors.append(
                        _("保存未成功：在您填写期间，其他人也更正了该月月报。对方改过而您没改的内容已放进表单（%(fields)s）；"
                          "两人都改了的，见各字段的提示。请核对后再次提交。", fields="、".join(kept)) if contested and kept else
                        _("保存未成功：在您填写期间，其他人也更正了该月月报，与您改了同一处，见下方字段的提示。"
                          "请核对后再次提交。") if contested else
                        _("保存未成功：在您填写期间，其他人也更正了该月月报。对方的更改已放进表单（%(fields)s），"
                          "您填写的其余内容保留。请核对后再次提交。", fields="、".join(kept) or _("无")))
                else:
                    # The report moves the project's cumulative figures: someone saved the
                    # project in the same instant.
                    form.form_errors.append(_("保存未成功：在您提交期间，其他人修改了此项目，月报未保存。请核对后重新提交。"))
            except ValidationFailed as failure:
                form.apply_errors(failure.errors)
                # The month may have been filed since the page was loaded (even in the same
                # instant): show its lock notice and the correction field the error names.
                existing = services.report_for(project, month)
                if existing is not None and not form.version.data and "correction_reason" in failure.errors:
                    _filed_meanwhile(form, existing)
            else:
                flash(_("%(month)s 月报已提交", month=month.strftime("%Y-%m")), "success")
                return redirect(url_for("projects.project_detail", project_id=project.id) + "#reports")
    else:  # refused by the form: the figures it could read are held to their own rules as well
        readable = {name: form[name].data for name in REPORT_FIGURES if not form[name].errors}
        for name, messages in services.report_figure_problems(readable).items():
            form[name].errors = [*form[name].errors, *messages]
    status = 409 if conflict else 400 if form.errors or form.form_errors else 200
    chosen = [f.filename for f in (form.photos.data or []) if f and f.filename] if request.method == "POST" else []
    if chosen and status != 200:
        # Nothing of the refused report was saved, its photos neither, and a browser cannot give a
        # file input its files back: said at the field (the page says the rest was kept).
        form.photos.errors = [*form.photos.errors, _("所选照片（%(names)s）没有上传：退回的表单不能保留所选文件，"
                                                     "请重新选择照片后再提交。",
                                                     names=pgettext("列举的分隔号", "、").join(chosen))]
    return render_template("progress/report_form.html", project=project, form=form,
                           existing=existing), status


# The report form's own fields, as its corrections' audit entries name them.
REPORT_FORM_FIELDS = ("progress_text", "physical_percent", "invested_month", "invested_total", "funds_received",
                      "paid", "problems", "next_steps", "over_budget_reason")


def _filed_meanwhile(form: ReportForm, existing) -> None:
    """A new report for a month a colleague filed since the page was loaded: it was refused as
    a correction without its reason, the form still entirely this officer's, and with the reason
    typed it replaced the colleague's report, his 存在问题 and the rest blanked (a QA walk). The
    colleague's report goes into the form as a correction's merge does, from nothing: what he
    filed and this officer left blank is filled in, what both wrote is marked."""
    from types import SimpleNamespace

    from ..formatting import local_datetime

    if existing.submitted_by_id is not None and existing.submitted_by_id == current_user.id:
        # His own report, sent before (pressed Back and saved again; the line dropped after the
        # server saved it): told as his, his typing kept as a correction to be, not as "其他人已改为".
        form.form_errors.append(_(
            "您已于 %(when)s 提交 %(month)s 的月报（见项目页的月报记录），本次没有再保存。如要按本页内容修改，"
            "请填写更正原因后再提交。", when=local_datetime(existing.submitted_at),
            month=existing.month.strftime("%Y-%m")))
        return
    # 自开工累计 is derived from the months (a blank one of a first report is its 本月): his figure
    # stands for his 本月, not for what this officer typed. A first report's that counts more
    # than its month was typed, and is compared as the others (a second officer's 50 replaced the
    # first's 30, neither told).
    first = services.is_first_report(existing) and existing.invested_total != existing.invested_month
    filed = SimpleNamespace(changes={name: [None, json_value(getattr(existing, name))]
                                     for name in REPORT_FORM_FIELDS if name != "invested_total" or first})
    kept, contested = _merge_report(form, [filed], existing)
    who = db.session.get(User, existing.submitted_by_id) if existing.submitted_by_id else None
    known = {"month": existing.month.strftime("%Y-%m"), "user": who.username if who else _("他人"),
             "contested": _("；两人都填了的，见各字段的提示") if contested else ""}
    form.form_errors.append(_(
        "%(month)s 的月报已由 %(user)s 提交，本次没有保存。对方填写而您没有填写的内容已放进表单（%(fields)s），"
        "您填写的保留%(contested)s。如需更正，请填写更正原因后再提交。",
        fields=pgettext("列举的分隔号", "、").join(kept), **known) if kept else _(
        "%(month)s 的月报已由 %(user)s 提交，本次没有保存。您填写的保留%(contested)s。如需更正，请填写更正原因后再提交。",
        **known))


REPORT_FIGURES = {"physical_percent", "invested_month", "invested_total", "funds_received", "paid"}


def _merge_report(form: ReportForm, by_others: list, current) -> tuple[list[str], list[str]]:
    """A correction begun before a colleague's was saved (``web.merging.merge_saved``): what the
    colleague changed and this officer did not is put into the form, a field both changed keeps
    this officer's value with the colleague's beside it. The form is then of the version saved
    now. Returns the labels of the fields taken from the colleague and of those both changed."""
    def typed(name: str):
        data = form[name].data
        return json_value(data.strip() or None if isinstance(data, str) else data)

    def shown(value):
        return display_decimal(value) if isinstance(value, Decimal) else (value or "")

    kept, contested = merge_saved(
        form, by_others, mine={name: typed(name) for name in REPORT_FORM_FIELDS},
        saved={name: shown(getattr(current, name)) for name in REPORT_FORM_FIELDS},
        describe=lambda name, value: display_decimal(Decimal(value)) if name in REPORT_FIGURES else value)
    form.version.data = current.version
    return kept, contested


@bp.get("/photos/<int:photo_id>")
@bp.get("/photos/<int:photo_id>/<any(thumb):size>")
def photo(photo_id: int, size: str | None = None):
    item = db.session.get(ReportPhoto, photo_id)
    if item is None:
        abort(404)
    name = item.storage_name
    if size == "thumb":
        name = name.rsplit(".", 1)[0] + ".thumb.jpg"
    path = photos.photo_dir() / name
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype="image/jpeg" if size else item.content_type, max_age=86400)
    response.cache_control.public = False
    response.cache_control.private = True  # a site photo is for signed-in users, not shared caches
    return response


@bp.route("/projects/<int:project_id>/budget", methods=["GET", "POST"])
def budget(project_id: int):
    project = editable_project(project_id)
    form, conflict = BudgetRevisionForm(), False
    if form.validate_on_submit():
        try:
            services.revise_budget(web_actor(), project, new_amount=form.new_amount.data,
                                   reason=form.reason.data, approval_number=form.approval_number.data,
                                   approval_date=form.approval_date.data)
        except ValidationFailed as failure:
            form.apply_errors(failure.errors)
        except StaleEdit:
            conflict = True
            form.apply_errors({"__all__": [_("其他人刚刚修改了此项目，请刷新后重试")]})
        else:
            flash(_("概算调整已保存"), "success")
            return redirect(url_for("progress.budget", project_id=project.id))
    revisions = db.session.scalars(sa.select(BudgetRevision).where(
        BudgetRevision.project_id == project.id).order_by(BudgetRevision.id)).all()
    return render_template("progress/budget.html", project=project, form=form,
                           revisions=revisions), 409 if conflict else 400 if form.errors else 200


@bp.route("/projects/<int:project_id>/funding", methods=["GET", "POST"])
def funding(project_id: int):
    project = editable_project(project_id)
    form, plan_form = FundingLineForm(prefix="f"), AnnualPlanForm(prefix="a")
    conflict = False
    if request.method == "POST" and "f-source" in request.form and form.validate_on_submit():
        try:
            if services.funding_line_sent_again(project, current_user._get_current_object(), source=form.source.data,
                                                amount=form.amount.data, note=form.note.data):
                flash(_("这条资金来源刚刚已经新增过（同一表单提交了两次？），没有重复添加；如确需再加一条相同的，请在备注中写明区别"),
                      "info")
                return redirect(url_for("progress.funding", project_id=project.id))
            services.add_funding_line(web_actor(), project, source=form.source.data,
                                      amount=form.amount.data, note=form.note.data)
        except ValidationFailed as failure:
            form.apply_errors(failure.errors)
        else:
            flash(_("已新增资金来源"), "success")
            return redirect(url_for("progress.funding", project_id=project.id))
    if request.method == "POST" and "a-year" in request.form and plan_form.validate_on_submit():
        try:
            services.set_annual_plan(web_actor(), project, plan_form.year.data,
                                     plan_form.planned_investment.data, shown=carried(plan_form.shown.data))
        except ValidationFailed as failure:
            plan_form.apply_errors(failure.errors)
        except StaleEdit:
            conflict = True
            plan_form.apply_errors({"__all__": [_("其他人刚刚修改了此计划，请刷新后重试")]})
        else:
            flash(_("年度计划投资已保存"), "success")
            return redirect(url_for("progress.funding", project_id=project.id))
    lines = db.session.scalars(sa.select(FundingLine).where(
        FundingLine.project_id == project.id).order_by(FundingLine.id)).all()
    plans = db.session.scalars(sa.select(AnnualPlan).where(
        AnnualPlan.project_id == project.id).order_by(AnnualPlan.year)).all()
    failed = request.method == "POST" and (form.errors or plan_form.errors)
    plan_form.shown.data = json.dumps(services.annual_plans_shown(project))  # what this page shows
    # 合计 of the lines, and 资金缺口 against 现行概算 (the current estimate, else the approved total).
    stated = [line.amount for line in lines if line.amount is not None]
    funded = sum(stated, Decimal(0)) if stated else None
    basis = project.current_estimate if project.current_estimate is not None else project.total_investment
    gap = basis - (funded or 0) if basis is not None else None
    return render_template("progress/funding.html", project=project, form=form, plan_form=plan_form,
                           lines=lines, plans=plans, funded=funded, basis=basis, gap=gap,
                           ), 409 if conflict else 400 if failed else 200


def _funding_line(project, line_id: int) -> FundingLine:
    line = db.session.get(FundingLine, line_id)
    if line is None and (removed := _removed(project, "FundingLine", line_id)) is not None:
        # Deleted by someone while this form, or the page with its links, was open (or before
        # the browser's Back): said so, not "找不到此页面".
        raise Gone(removed, sent=request.method == "POST")
    if line is None or line.project_id != project.id:
        abort(404)
    return line


# What deletes each kind of row, as the trail records it: a row's deletion is found there.
DELETIONS = {"FundingLine": "funding:delete", "Milestone": "milestone:delete", "ReportPhoto": "report:photo-delete"}


def _removed(project, object_type: str, object_id: int):
    from ..audit.models import AuditEntry
    return db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.project_id == project.id, AuditEntry.object_type == object_type,
        AuditEntry.object_id == object_id, AuditEntry.action == DELETIONS[object_type]).limit(1))


class Gone(Exception):
    """A funding line, custom milestone or photo deleted while a page on it was open; ``sent``:
    the page's changes were sent, and are lost."""

    def __init__(self, entry, *, sent: bool):
        super().__init__(entry.id)
        self.entry, self.sent = entry, sent


@bp.errorhandler(Gone)
def line_gone(error: Gone):
    entry = error.entry
    when, by = local_datetime(entry.occurred_at), who(entry)
    if entry.object_type == "Milestone":
        flash(_("这个节点已于 %(when)s 被 %(who)s 删除，您的修改没有保存。", when=when, who=by) if error.sent
              else _("这个节点已于 %(when)s 被 %(who)s 删除。", when=when, who=by), "error")
        return redirect(url_for("progress.milestones", project_id=entry.project_id))
    if entry.object_type == "ReportPhoto":
        flash(_("这张照片已于 %(when)s 被 %(who)s 删除。", when=when, who=by), "error")
        return redirect(url_for("projects.project_detail", project_id=entry.project_id) + "#reports")
    if error.sent:
        flash(_("这条资金来源已于 %(when)s 被 %(who)s 删除，您的修改没有保存。", when=when, who=by), "error")
    else:  # only opened: nothing of the reader's was lost
        flash(_("这条资金来源已于 %(when)s 被 %(who)s 删除。", when=when, who=by), "error")
    return redirect(url_for("progress.funding", project_id=entry.project_id))


@bp.route("/projects/<int:project_id>/funding/<int:line_id>/edit", methods=["GET", "POST"])
def funding_edit(project_id: int, line_id: int):
    """Correct a line with a reason; the API's PUT calls the same service."""
    project = editable_project(project_id)
    line = _funding_line(project, line_id)
    form = FundingEditForm(obj=line if request.method == "GET" else None)
    if request.method == "GET":
        form.source.data = line.source.value
    stale = None
    if form.validate_on_submit():
        try:
            changes = services.update_funding_line(
                web_actor(), line, source=form.source.data, amount=form.amount.data, note=form.note.data,
                reason=form.reason.data, expected_version=int(form.version.data or 0))
        except StaleEdit as conflict:
            stale = conflict.changes_by_others
            line = _funding_line(project, line_id)
            kept, _contested = merge_saved(
                form, stale,
                mine={"source": form.source.data, "amount": json_value(form.amount.data),
                      "note": (form.note.data or "").strip() or None},
                saved={"source": line.source.value, "amount": display_decimal(line.amount),
                       "note": line.note or ""},
                describe=lambda name, value: FundingSource(value).label if name == "source" else value)
            form.version.data = line.version
            form.form_errors.append(_("保存未成功：在您修改期间，其他人已修改了这条资金来源，本次没有保存。"
                                      "对方改的、您没有改的已填入下方（%(fields)s），您填写的保留；请核对后再保存。",
                                      fields=pgettext("列举的分隔号", "、").join(kept) or _("无")))
        except ValidationFailed as failure:
            form.apply_errors(failure.errors)
        else:
            flash(_("已修改资金来源") if changes else _("没有改动，无需保存"), "success")
            return redirect(url_for("progress.funding", project_id=project.id))
    failed = request.method == "POST"
    return render_template("progress/funding_edit.html", project=project, line=line, form=form,
                           stale=stale), (409 if stale is not None else 400) if failed else 200


@bp.route("/projects/<int:project_id>/funding/<int:line_id>/delete", methods=["GET", "POST"])
def funding_delete(project_id: int, line_id: int):
    project = editable_project(project_id)
    line = _funding_line(project, line_id)
    form = DeleteForm()
    stale = None
    if form.validate_on_submit():
        try:
            services.remove_funding_line(web_actor(), line, reason=form.reason.data or None,
                                         expected_version=int(form.version.data) if form.version.data else None)
        except StaleEdit as conflict:
            stale = conflict.changes_by_others
            line = _funding_line(project, line_id)
            form.form_errors.append(_("没有删除：在您确认之前，其他人已修改了这条资金来源（见下）。"
                                      "如仍要删除，请核对后再次确认。"))
        else:
            flash(_("已删除资金来源"), "success")
            return redirect(url_for("progress.funding", project_id=project.id))
    form.version.data = line.version  # what this page shows
    status = 409 if stale is not None else 400 if form.errors else 200
    return render_template("progress/confirm_delete.html", project=project, line=line,
                           form=form, stale=stale), status


# --- a custom milestone corrected or deleted; a photo deleted -----------------------------------

def _milestone(project, milestone_id: int, *, sent: bool = False) -> Milestone:
    milestone = db.session.get(Milestone, milestone_id)
    if milestone is None and (removed := _removed(project, "Milestone", milestone_id)) is not None:
        raise Gone(removed, sent=sent)
    if milestone is None or milestone.project_id != project.id:
        abort(404)
    return milestone


@bp.route("/projects/<int:project_id>/milestones/<int:milestone_id>/rename", methods=["GET", "POST"])
def milestone_rename(project_id: int, milestone_id: int):
    """Correct a custom milestone's name (a standard one's page says it cannot be renamed)."""
    project = editable_project(project_id)
    milestone = _milestone(project, milestone_id, sent=request.method == "POST")
    form = MilestoneRenameForm(obj=milestone if request.method == "GET" else None)
    stale = None
    if form.validate_on_submit():
        try:
            changes = services.rename_custom_milestone(
                web_actor(), milestone, form.custom_name.data, reason=form.reason.data or None,
                expected_version=int(form.version.data) if form.version.data else None)
        except StaleEdit as conflict:
            stale = conflict.changes_by_others
            milestone = _milestone(project, milestone_id, sent=True)
            form.form_errors.append(_("没有保存：在您修改之前，其他人已修改了这个节点（见下）。请核对后再次保存。"))
        except ValidationFailed as failure:
            form.apply_errors(failure.errors)
        else:
            flash(_("已将节点名称改为「%(name)s」", name=milestone.custom_name) if changes
                  else _("没有改动，无需保存"), "success")
            return redirect(url_for("progress.milestones", project_id=project.id))
    form.version.data = milestone.version  # what this page shows
    status = 409 if stale is not None else 400 if request.method == "POST" else 200
    return render_template("progress/milestone_rename.html", project=project, milestone=milestone,
                           form=form, stale=stale), status


@bp.route("/projects/<int:project_id>/milestones/<int:milestone_id>/delete", methods=["GET", "POST"])
def milestone_delete(project_id: int, milestone_id: int):
    """Delete a custom milestone with a reason, as a funding line is (a standard one's page says
    it cannot be deleted)."""
    project = editable_project(project_id)
    milestone = _milestone(project, milestone_id)
    form = DeleteForm()
    stale = None
    if form.validate_on_submit():
        name = milestone.name
        try:
            services.remove_custom_milestone(web_actor(), milestone, reason=form.reason.data or None,
                                             expected_version=int(form.version.data) if form.version.data else None)
        except StaleEdit as conflict:
            stale = conflict.changes_by_others
            milestone = _milestone(project, milestone_id)
            form.form_errors.append(_("没有删除：在您确认之前，其他人已修改了这个节点（见下）。"
                                      "如仍要删除，请核对后再次确认。"))
        except ValidationFailed as failure:
            form.form_errors.extend(message for messages in failure.errors.values() for message in messages)
        else:
            flash(_("已删除节点「%(name)s」", name=name), "success")
            return redirect(url_for("progress.milestones", project_id=project.id))
    form.version.data = milestone.version  # what this page shows
    status = 409 if stale is not None else 400 if request.method == "POST" else 200
    return render_template("progress/milestone_delete.html", project=project, milestone=milestone,
                           form=form, stale=stale), status


@bp.route("/projects/<int:project_id>/photos/<int:photo_id>/delete", methods=["GET", "POST"])
def photo_delete(project_id: int, photo_id: int):
    """Delete a wrong or sensitive site photo with a reason; its file goes once no other photo
    shows the same picture (files are named by their content) and the deletion is committed."""
    project = editable_project(project_id)
    photo = db.session.get(ReportPhoto, photo_id)
    if photo is None and (removed := _removed(project, "ReportPhoto", photo_id)) is not None:
        raise Gone(removed, sent=False)
    if photo is None or photo.report.project_id != project.id:
        abort(404)
    form = DeleteForm()
    if form.validate_on_submit():
        name = photo.original_name
        unused = photos.remove_photo(web_actor(), photo, reason=form.reason.data or None)
        after_commit(lambda: photos.remove_files(unused))
        flash(_("已删除照片「%(name)s」", name=name), "success")
        return redirect(url_for("projects.project_detail", project_id=project.id) + "#reports")
    return render_template("progress/photo_delete.html", project=project, photo=photo, form=form), \
        400 if request.method == "POST" else 200
