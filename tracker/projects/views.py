from __future__ import annotations

import enum
import json
from decimal import Decimal
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..accounts import permissions
from ..audit.display import Change, who
from ..audit.models import AuditEntry
from ..audit.queries import net_changes, project_history
from ..audit.services import json_value
from ..core import clock
from ..core.translation import labelled, phrases
from ..core.values import ValueProblem, parse_decimal
from ..errors import EditConflict, StaleEdit, ValidationFailed
from ..extensions import db
from ..plans.models import Plan
from ..plans.candidates import nature_code, nature_term
from ..progress import services as progress_services
from ..progress.models import BudgetRevision, FundingLine, MonthlyReport
from ..regions.models import Region
from ..regions.services import region_choices
from ..vocabulary import Role, Status
from ..seeding.provenance import appears_in
from ..web.requests import editable_project, get_project, web_actor
from . import services
from .forms import ProjectForm, RemovePlanForm
from .models import Project

bp = Blueprint("projects", __name__)


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
    adjusted = adjusted_citations(project, sources_by_field)
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
    this_month = clock.this_month()
    return render_template("projects/detail.html", project=project, reports=reports,
                           revisions=revisions, funding=funding,
                           sources_by_field=sources_by_field, adjusted=adjusted,
                           lines_not_stating_date=lines_not_stating_date,
                           plans_by_file=plans_by_file, today=clock.today(), this_month=this_month,
                           this_report=next((r for r in reports if r.month == this_month), None),
                           entries=project_history(project.id))


# The figures a plan quote can state, with their units: the seed's names and the model's.
CITED_FIGURES = {"total_investment_wan_yuan": ("total_investment", _l("万元")),
                 "total_investment": ("total_investment", _l("万元")),
                 "land_area_mu": ("land_area_mu", _l("亩")), "floor_area_m2": ("floor_area_m2", "m²"),
                 "beds": ("beds", _l("张")), "new_beds": ("new_beds", _l("张"))}


# The figures a plan may print in a unit ten thousand times the tracker's: 2.4亿元 (24,000 万元),
# 1.8万平方米 (18,000 m²).
IN_TEN_THOUSANDS = {"total_investment", "floor_area_m2"}


def states(quote: str, attribute: str, value) -> bool:
    """Whether the plan's quote prints ``value``: as it is, or in ten thousands (亿元, 万平方米),
    as a figure read from an added plan is converted (plans/figures.py)."""
    if appears_in(json_value(value), [quote]):
        return True
    if attribute in IN_TEN_THOUSANDS:
        return appears_in(format((Decimal(value) / 10000).normalize(), "f"), [quote])
    return False


def lines_not_stating_date(milestone) -> set[tuple[str, int]]:
    """The (file, line) cited for a milestone whose quotes do not print the year of its planned
    date: the date moved since the plan (计划竣工 from its 到2025年 to 2030-01-01), so the line
    no longer vouches for it."""
    if milestone.planned_date is None:
        return set()
    year = str(milestone.planned_date.year)
    quotes: dict[tuple[str, int], list[str]] = {}
    for source in milestone.sources or []:
        quotes.setdefault((source["file"], source["line"]), []).append(source.get("quote") or "")
    return {place for place, printed in quotes.items() if not any(year in quote for quote in printed)}


def adjusted_citations(project: Project, sources_by_field: dict[str, list]) -> dict[str, dict[int, str]]:
    """``{field: {source id: note}}`` for each quote that no longer states the figure shown.

    After 总投资 9,000 → 9,800 the plan line saying 9,000 is no source for 9,800: the page says
    "规划原文：9,000 万元，与台账不同" instead of citing it (and a plan merged in later that prints
    another figure than the project keeps: "规划原文（第11行）所载与台账不同", not "adjusted"). A figure is supported when its quote
    prints it (the same test the seed check makes, ``appears_in``)."""
    adjusted: dict[str, dict[int, str]] = {}
    for source in sources_by_field.get("build_nature", []):
        # A later plan's "改扩建…" beside a project kept as 新建 (a merge keeps the ledger's).
        printed = nature_code(nature_term(source.quote))
        if printed is not None and project.build_nature is not None and printed != project.build_nature.value:
            adjusted.setdefault("build_nature", {})[source.id] = _("规划原文（第%(line)s行）所载与台账不同",
                                                                  line=source.line)
    for field, sources in sources_by_field.items():
        if field not in CITED_FIGURES:
            continue
        attribute, unit = CITED_FIGURES[field]
        value = getattr(project, attribute)
        for source in sources:
            if value is not None and states(source.quote, attribute, value):
                continue
            try:
                bare = parse_decimal(source.quote) is not None
            except ValueProblem:
                bare = False
            adjusted.setdefault(field, {})[source.id] = (
                _("规划原文：%(quote)s %(unit)s，与台账不同", quote=source.quote, unit=unit) if bare
                else _("规划原文（第%(line)s行）所载与台账不同", line=source.line))
    return adjusted


def _validated(form: ProjectForm, project: Project | None) -> bool:
    """The form sent and valid. Refused by its own checks (a bed count of 12.5), it is asked the
    service's rules too on what it could read (计划竣工 before 计划开工, a status changed without
    a reason), so that one save shows every problem."""
    if not form.is_submitted():
        return False
    if form.validate():
        return True
    readable = {name: value for name, value in form.values().items() if not form[name].errors}
    loaded = _read_loaded(form) if project is not None else None
    try:
        services.check_project(readable, project, loaded=loaded or None,
                               reason=form.reason.data if hasattr(form, "reason") else None)
    except ValidationFailed as failure:
        form.apply_errors({name: messages for name, messages in failure.errors.items()
                           if not (hasattr(form, name) and form[name].errors)})
    return False


@bp.route("/projects/new", methods=["GET", "POST"])
@permissions.require(permissions.CREATE_PROJECT)
def project_new():
    picker = region_picker()
    if not picker.get("every_region") and not picker["regions"]:
        abort(403)
    form = ProjectForm(**picker)
    if _validated(form, None):
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
            form.apply_errors(failure.errors)
        else:
            flash(_("项目已创建"), "success")
            _tell_if_late_by_status(project)
            _tell_if_beds_disagree(project)
            return redirect(url_for("projects.project_detail", project_id=project.id))
    return render_template("projects/form.html", form=form, project=None,
                           conflict=None), 400 if form.errors else 200


@bp.route("/projects/<int:project_id>/edit", methods=["GET", "POST"])
def project_edit(project_id: int):
    project = editable_project(project_id)
    form = ProjectForm(obj=project if request.method == "GET" else None, **region_picker())
    if request.method == "GET":
        show_saved(form, project, ProjectForm.FIELDS)
        form.version.data = project.version
        form.loaded.data = _dump(services.loaded_values(project))
    conflict = None
    if _validated(form, project):
        region = db.session.get(Region, form.region_id.data)
        loaded = _read_loaded(form)
        contested = [name for name in (form.contested.data or "").split(",") if name in ProjectForm.FIELDS]
        choices = {name: request.form.get(f"resolve-{name}") for name in contested}
        values = form.values()
        if region is None or not permissions.can_create_in(current_user, region):
            form.region_id.errors.append(_("您不能把项目移到您负责范围以外的地区"))
        elif loaded is False:
            form.form_errors.append(_("表单已过期，请刷新页面后重新填写"))
        elif any(choice not in ("mine", "theirs") for choice in choices.values()):
            # Asked to choose and did not: ask again, against what is saved now.
            current = services.loaded_values(project)
            mine = services.snapshot_values(values)
            conflict = _conflict(form, [], {
                name: {"theirs": current[name], "mine": mine[name]} for name in contested}, {})
            for name, choice in choices.items():
                if choice not in ("mine", "theirs"):
                    form[name].errors.append(_("请选择采用对方的值还是您填写的值"))
        else:
            for name, choice in choices.items():
                if choice == "theirs":
                    values.pop(name)  # untouched here: whatever is saved stays
            kept = services.changed_by_others(project, loaded) if loaded else {}
            loaded_version = int(form.version.data or 0)
            try:
                changes = services.update_project(
                    web_actor(), project, values, loaded=loaded or None,
                    expected_version=int(form.version.data or 0), reason=form.reason.data)
            except EditConflict as clash:
                db.session.refresh(project)  # what is saved now
                conflict = _conflict(form, _saves(project, clash.changes_by_others, loaded_version),
                                     clash.contested, clash.kept)
                show_saved(form, project, clash.kept)
                form.loaded.data = _dump(clash.current)
                form.version.data = project.version
                form.contested.data = ",".join(clash.contested)
                for name, sides in clash.contested.items():
                    form[name].errors.append(_("其他人已改为“%(value)s”，请在上方选择采用哪一个值",
                                               value=describe(form, name, sides["theirs"])))
            except StaleEdit as stale:
                # Saved by someone in the same instant: nothing written. A form that carries what
                # it was loaded with keeps it, so the next save merges again; one without (an old
                # page) is based on the version saved now, as before.
                db.session.refresh(project)
                conflict = _conflict(form, _saves(project, stale.changes_by_others, loaded_version), {},
                                     _net(stale.changes_by_others))
                if not loaded:
                    form.version.data = project.version
            except ValidationFailed as failure:
                form.apply_errors(failure.errors)
            else:
                if changes and kept:
                    flash(_("已保存。在您编辑期间其他人所做的修改已保留：%(changes)s",
                            changes=phrases(labelled(row.label, f"{row.old} → {row.new}")
                                             for row in _kept_rows(form, kept))), "success")
                elif changes or _already_saved(values, loaded):
                    flash(_("已保存"), "success")
                else:
                    flash(_("没有修改"), "success")
                if changes:
                    _tell_if_late_by_status(project)
                    _tell_if_beds_disagree(project)
                return redirect(url_for("projects.project_detail", project_id=project.id))
    status = 409 if conflict is not None else (400 if form.errors else 200)
    return render_template("projects/form.html", form=form, project=project, conflict=conflict), status


@bp.route("/projects/<int:project_id>/plans/<key>/remove", methods=["GET", "POST"])
def plan_remove(project_id: int, key: str):
    """Take the project out of one of its plans, after its editor says why and confirms: the one
    way to undo a carry-over into the wrong plan (which also kept that plan from being withdrawn)."""
    project = editable_project(project_id)
    plan = db.session.scalar(sa.select(Plan).where(Plan.key == key))
    if plan is None:
        abort(404)
    detail = url_for("projects.project_detail", project_id=project.id)
    if plan not in project.plans:  # the same form sent twice, taken out meanwhile, or Back pressed
        flash(_("项目已不在《%(title)s》中", title=plan.title), "success")
        return redirect(detail)
    form = RemovePlanForm()
    if form.validate_on_submit():
        services.unlink_plan(web_actor(), project, plan, reason=form.reason.data)
        flash(_("已将项目移出《%(title)s》", title=plan.title), "success")
        return redirect(detail)
    cited = sorted({source.line for source in project.sources if source.plan_id == plan.id})
    return render_template("projects/plan_remove.html", project=project, plan=plan, form=form, cited=cited), \
        400 if request.method == "POST" else 200


NOT_BEGUN = (Status.RESERVE, Status.PREPARATION)  # statuses that say the works have not begun


def _tell_if_late_by_status(project: Project) -> None:
    """A project saved as 在建 (or later) whose earlier milestones have no actual date
    (``Project.unrecorded_since_begun``): its officer is told which milestone and where to give
    the date. Its status says the stage is passed, so it is not 滞后 for it (``terms.owes``),
    but the date belongs in its history. And a project 储备 or 前期 whose 开工 has its actual date
    is told its status says otherwise."""
    db.session.flush()  # the milestones' figures are kept at the flush (progress/upkeep.py)
    db.session.refresh(project, ["next_milestone_due", "start_milestone_actual", "status"])
    milestone = project.unrecorded_since_begun(clock.today())
    if milestone is not None and project.status is not None and milestone.planned_date is not None:
        flash(_("项目状态为“%(status)s”，但节点“%(milestone)s”（计划 %(date)s）还没有实际日期："
                "请在本页“更新节点”中填写实际日期", status=project.status.label, milestone=milestone.name,
                date=milestone.planned_date.isoformat()), "info")
    if project.status in NOT_BEGUN and project.start_milestone_actual is not None:
        # The other way round: 开工 has its actual date and the status says the work has not begun
        # (the dashboard counts it 已开工 by its date, the list shows 前期).
        flash(_("节点“开工”已填实际日期 %(date)s，但项目状态为“%(status)s”：如已开工，请把状态改为“在建”",
                date=project.start_milestone_actual.isoformat(), status=project.status.label), "info")


def _tell_if_beds_disagree(project: Project) -> None:
    """床位 is the beds the project gives in all, 新增床位 the ones it adds: more added than in all is
    a slip (the two swapped, or 床位 typed as the beds before the works), said after the save, not
    refused (a QA walk saved 床位 100 beside 新增床位 500 with nothing said)."""
    if project.beds is not None and project.new_beds is not None and project.new_beds > project.beds:
        flash(_("新增床位（%(new)s 张）多于床位（%(beds)s 张）：床位应为建成后的总床位数，请核对",
                new=project.new_beds, beds=project.beds), "info")


def _already_saved(values: dict, loaded: dict | Literal[False] | None) -> bool:
    """Whether a save that changed nothing held changes of its own that were saved before it: the
    same form sent twice (a double click), whose first sending saved them. Its officer is told
    已保存, not 没有修改, which read as if his change were lost."""
    if not isinstance(loaded, dict):
        return False
    mine = services.snapshot_values(values)
    return any(name in loaded and loaded[name] != value for name, value in mine.items())


def show_saved(form: ProjectForm, project: Project, names) -> None:
    """Put the saved values of ``names`` into the form, as the page shows them."""
    for name in names:
        value = getattr(project, name)
        field = form[name]
        if isinstance(value, enum.Enum):
            value = value.value
        elif value is None and field.type == "SelectField":
            value = ""
        field.data, field.raw_data = value, None


def _dump(values: dict) -> str:
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def _read_loaded(form: ProjectForm) -> dict | None | Literal[False]:
    """The values the form was loaded with; ``None`` when it carries none, ``False`` if garbled."""
    if not form.loaded.data:
        return None
    try:
        loaded = json.loads(form.loaded.data)
    except ValueError:
        return False
    if not isinstance(loaded, dict) or not all(
            name in ProjectForm.FIELDS and (value is None or isinstance(value, (str, int, bool)))
            for name, value in loaded.items()):
        return False
    return loaded


def describe(form: ProjectForm, name: str, value) -> str:
    """A stored value as the officer reads it: 竣工, not "completed"; 龙南市, not 42; 9000."""
    field = form[name]
    if value is None or value == "":
        return _("未填报")
    if field.type == "BooleanField":
        return _("是") if value else _("否")
    if name == "region_id":  # the picker's choices are grouped by province, or rendered once
        region = db.session.get(Region, int(value))
        return region.name if region else str(value)
    if field.type == "SelectField":
        for key, label in field.choices:
            if str(key) == str(value):
                return str(label).strip("\u3000")
    return str(value)


def _kept_rows(form: ProjectForm, kept: dict) -> list[Change]:
    return [Change(name, str(form[name].label.text), describe(form, name, old), describe(form, name, new))
            for name, (old, new) in kept.items()]


def _net(by_others: list[AuditEntry]) -> dict:
    """The others' saves since the form was loaded, as one ``{field: [before, after]}``."""
    return net_changes(by_others, ProjectForm.FIELDS)


def _saves(project, form_saves: list[AuditEntry], version: int) -> list[AuditEntry]:
    """Who saved the project since the form was loaded at ``version``: the form's saves and the
    milestone page's re-plans of 计划开工/计划竣工 (the same fields, saved there), oldest first: a
    clash with a re-plan named nobody."""
    return sorted([*form_saves, *services.replans_since(project, version)], key=lambda entry: entry.id)


def _conflict(form: ProjectForm, by_others: list[AuditEntry], contested: dict, kept: dict) -> dict:
    """What the conflict banner shows, in the officer's words: labels and displayed values."""
    return {
        "who": [{"who": who(entry), "when": entry.occurred_at} for entry in by_others],
        "kept": _kept_rows(form, kept),
        "contested": [{"name": name, "label": str(form[name].label.text),
                       "theirs": describe(form, name, values["theirs"]),
                       "mine": describe(form, name, values["mine"])}
                      for name, values in contested.items()],
    }
