"""The month's work: milestones, monthly reports, budget revisions, funding lines, annual plans.

Every function validates, changes, flushes and audits; none commits (the caller does, once).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from ..core.clock import first_of_month, today, utcnow
from ..audit.messages import milestone_params
from ..audit.models import AuditEntry
from ..audit.queries import changes_since, require_version
from ..audit.services import Actor, diff, json_value, record, snapshot
from ..formatting import plain_number
from ..core.values import DATE_MIN, MAX_FIGURE, ValueProblem, check_date
from ..errors import StaleEdit, ValidationFailed, saved_or_stale
from ..database import exact_sum
from ..extensions import db
from ..projects.fields import REPORT
from ..projects.models import Project
from ..vocabulary import FundingSource, Stage
from .models import AnnualPlan, BudgetRevision, FundingLine, Milestone, MonthlyReport
from . import upkeep  # noqa: F401  (keeps the figures derived from milestones and reports)





def _errors() -> dict[str, list[str]]:
    return {}


def _add(errors: dict, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _check_dates(dates: dict[str, dt.date | None]) -> None:
    """Every date inside the one sane range (a 9999 milestone once made the project page fail)."""
    errors = _errors()
    for field, day in dates.items():
        try:
            check_date(day)
        except ValueProblem as problem:
            _add(errors, field, str(problem))
    if errors:
        raise ValidationFailed(errors)


# --- milestones -------------------------------------------------------------------------------

def add_standard_lifecycle(actor: Actor, project: Project) -> list[Milestone]:
    """Offer a new project the lifecycle of DOMAIN.md: one milestone per stage it lacks."""
    present = {m.stage for m in project.milestones}
    added = []
    for stage in Stage:
        if stage not in present:
            milestone = Milestone(stage=stage, position=stage.position)
            project.milestones.append(milestone)
            added.append(milestone)
    if added:
        db.session.flush()
        record(actor, "milestone:lifecycle", project, {"n": len(added)},
               project_id=project.id)
    return added


def add_custom_milestone(actor: Actor, project: Project, name: str, planned_date: dt.date | None,
                         after: Stage | None = None, note: str | None = None) -> Milestone:
    name = _custom_name(project, name)
    _check_dates({"planned_date": planned_date})
    position = after.position if after else len(Stage)
    milestone = Milestone(custom_name=name, planned_date=planned_date, note=note, position=position)
    project.milestones.append(milestone)
    db.session.flush()
    record(actor, "milestone:create", milestone, milestone_params(milestone),
           changes={"custom_name": [None, name], "planned_date": [None, json_value(planned_date)]},
           project_id=project.id)
    return milestone


def _custom_name(project: Project, name: str | None, renamed: Milestone | None = None) -> str:
    """A custom milestone's name, stripped, and no other milestone's of the project: the form sent
    again from the Back button, or two officers adding the same one, gave two "环评批复" rows (a
    QA walk)."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("请填写节点名称"), "custom_name")
    if len(name) > 100:
        raise ValidationFailed(_("节点名称不能超过100个字"), "custom_name")
    same = next((m for m in project.milestones if m is not renamed
                 and re.sub(r"\s", "", m.name) == re.sub(r"\s", "", name)), None)
    if same is not None:
        raise ValidationFailed(_("本项目已有节点「%(name)s」%(planned)s：如需修改，请在节点表格中修改",
                                 name=same.name, planned=_("（计划 %(date)s）", date=same.planned_date.isoformat())
                                 if same.planned_date else ""), "custom_name")
    return name


def _custom_only(milestone: Milestone, field: str) -> None:
    """A standard lifecycle milestone is the project's stage, named by the vocabulary and counted
    by every page (计划开工 and 计划竣工 are two of them): corrected in the grid, never renamed or
    deleted."""
    if milestone.stage is not None:
        raise ValidationFailed(_("「%(name)s」是标准建设节点，标准建设节点不能删除或改名；如计划有变，请在节点表格中修改日期",
                                 name=milestone.name), field)


def rename_custom_milestone(actor: Actor, milestone: Milestone, name: str | None, *, reason: str | None = None,
                            expected_version: int | None = None) -> dict:
    """Correct a custom milestone's name (a mistyped "环平批复" had no way out). Audited as an
    update, so the grid's and the API's version checks list it among the changes since; a
    colleague's save since ``expected_version`` is not overwritten unseen. Returns the diff."""
    _custom_only(milestone, "custom_name")
    require_version(milestone, "milestone:update", expected_version)
    name = _custom_name(milestone.project, name, renamed=milestone)
    if name == milestone.custom_name:
        return {}
    old, version = milestone.custom_name, milestone.version
    with saved_or_stale():
        milestone.custom_name = name
    changes = {"custom_name": [old, name], "version": [version, milestone.version]}
    record(actor, "milestone:update", milestone, milestone_params(milestone), changes=changes,
           reason=reason, project_id=milestone.project_id)
    return changes


def remove_custom_milestone(actor: Actor, milestone: Milestone, reason: str | None = None, *,
                            expected_version: int | None = None) -> None:
    """Delete a custom milestone (added by mistake, it kept its project 滞后 for good); with
    ``expected_version`` only the version the officer saw. ``session.delete``, not only its
    removal from the collection: the flush hooks that keep the project's figures
    (progress/upkeep.py, portfolio/kept.py) read ``session.deleted``."""
    _custom_only(milestone, "milestone")
    require_version(milestone, "milestone:update", expected_version)
    project = milestone.project
    changes = {"custom_name": [milestone.custom_name, None]}
    for field in MILESTONE_FIELDS:
        if getattr(milestone, field) is not None:
            changes[field] = [json_value(getattr(milestone, field)), None]
    record(actor, "milestone:delete", milestone, milestone_params(milestone), changes=changes,
           reason=reason, project_id=project.id)
    with saved_or_stale():
        project.milestones.remove(milestone)
        db.session.delete(milestone)


MILESTONE_FIELDS = ("planned_date", "actual_date", "note", "delay_reason")
# 计划开工 / 计划竣工 on the project are these milestones' planned dates (one fact, one place).
PLANNED_DATE_STAGES = {"planned_start": Stage.START, "planned_end": Stage.ACCEPTANCE}


@dataclass
class MilestoneEdit:
    """One row of the milestone page: ``key`` is the row's form prefix, and the errors come back
    under ``"<key>-<field>"``, the names of the row's inputs."""

    milestone: Milestone
    planned_date: dt.date | None
    actual_date: dt.date | None
    note: str | None = None
    delay_reason: str | None = None
    expected_version: int = 0
    key: str = ""

    def values(self) -> dict:
        return {"planned_date": self.planned_date, "actual_date": self.actual_date,
                "note": self.note or None, "delay_reason": self.delay_reason or None}


def save_milestones(actor: Actor, project: Project, edits: list[MilestoneEdit]) -> dict[int, dict]:
    """Save the rows of the milestone page together: every row, or none.

    Rows are validated together (the lifecycle order is checked with the other rows' new dates).
    A row someone else saved since the page was loaded is a conflict only if this officer
    changed one of its fields too, to another value: the whole save is then refused
    (``StaleEdit`` listing those rows, with the other person's changes) so the officer sees their
    value beside the other's before anything is written. Of such a row, a field this officer left
    as loaded keeps the other's value, one only he changed takes his.
    Returns ``{milestone id: changes}`` of the rows that changed.
    """
    stale, changed = [], []
    for edit in edits:
        milestone, values = edit.milestone, edit.values()
        current = {field: json_value(getattr(milestone, field)) for field in MILESTONE_FIELDS}
        wanted = {field: json_value(value) for field, value in values.items()}
        if milestone.version != edit.expected_version:
            others = changes_since(milestone, "milestone:update", edit.expected_version)
            as_loaded = dict(current)
            for entry in reversed(others):
                for field, (old, _new) in entry.changes.items():
                    if field in as_loaded:
                        as_loaded[field] = old
            if wanted == as_loaded:
                continue  # untouched here: the other's values stay
            # Field by field: what only the other changed stays his, what only this officer
            # changed is his; only a field both changed, to different values, is a conflict (his
            # 滞后原因 was taken out of its box because the other had set the row's 实际日期).
            contested = [field for field in MILESTONE_FIELDS if wanted[field] != as_loaded[field]
                         and current[field] != as_loaded[field] and wanted[field] != current[field]]
            if contested:
                stale.append({"key": edit.key, "milestone": milestone, "changes": others})
                continue
            for field in MILESTONE_FIELDS:
                if wanted[field] == as_loaded[field]:
                    setattr(edit, field, getattr(milestone, field))
            wanted = {field: json_value(value) for field, value in edit.values().items()}
        if wanted != current:
            changed.append(edit)
    if stale:
        raise StaleEdit(stale)
    _check_milestones(project, changed)

    saved: dict[int, dict] = {}
    with saved_or_stale():
        for edit in changed:
            milestone, values = edit.milestone, edit.values()
            changes = diff(snapshot(milestone, MILESTONE_FIELDS),
                           {k: json_value(v) for k, v in values.items()})
            version, project_version = milestone.version, project.version
            for field in changes:
                setattr(milestone, field, values[field])
            moves_project = "planned_date" in changes and milestone.stage in PLANNED_DATE_STAGES.values()
            if moves_project:
                # 计划开工/计划竣工 are fields of the project as the API and the exports show it: the
                # project's version moves, so a client holding the old one cannot write the old
                # date back unseen (projects.services.values_at undoes this entry for it).
                project.updated_at = utcnow()
            db.session.flush()  # the new versions, for the audit entry
            changes["version"] = [version, milestone.version]
            if moves_project:
                changes["project_version"] = [project_version, project.version]
            record(actor, "milestone:update", milestone, milestone_params(milestone),
                   changes=changes, project_id=project.id)
            saved[milestone.id] = changes
    return saved


def _check_milestones(project: Project, edits: list[MilestoneEdit]) -> None:
    """Actual dates not in the future; the lifecycle in order, with every row's new dates."""
    errors = _errors()
    edited = {edit.milestone.id: edit for edit in edits}
    dates = {m.id: (m.planned_date, m.actual_date) for m in project.milestones}
    for edit in edits:
        dates[edit.milestone.id] = (edit.planned_date, edit.actual_date)
        for field, day in (("planned_date", edit.planned_date), ("actual_date", edit.actual_date)):
            try:
                check_date(day)  # the one sane range (a 9999 milestone once made the page fail)
            except ValueProblem as problem:
                _add(errors, f"{edit.key}-{field}", str(problem))
        if edit.actual_date and edit.actual_date > today():
            _add(errors, f"{edit.key}-actual_date", _("实际日期不能晚于今天"))
    staged = sorted(((m.stage.position, m) for m in project.milestones if m.stage is not None),
                    key=lambda staged: (staged[0], staged[1].position, staged[1].id))
    for index, (stage_position, earlier) in enumerate(staged):
        for later_stage_position, later in staged[index + 1:]:
            if later_stage_position == stage_position:
                continue
            for column, field in ((1, "actual_date"), (0, "planned_date")):
                first, second = dates[earlier.id][column], dates[later.id][column]
                if not (first and second and first > second):
                    continue
                if later.id in edited:
                    message = (_("实际日期早于前一节点「%(name)s」的实际日期 %(date)s", name=earlier.name, date=first)
                               if column else
                               _("计划日期早于前一节点「%(name)s」的计划日期 %(date)s", name=earlier.name, date=first))
                    _add(errors, f"{edited[later.id].key}-{field}", message)
                elif earlier.id in edited:
                    message = (_("实际日期晚于后一节点「%(name)s」的实际日期 %(date)s", name=later.name, date=second)
                               if column else
                               _("计划日期晚于后一节点「%(name)s」的计划日期 %(date)s", name=later.name, date=second))
                    _add(errors, f"{edited[earlier.id].key}-{field}", message)
    if errors:
        raise ValidationFailed(errors)


def update_milestone(actor: Actor, milestone: Milestone, *, planned_date: dt.date | None,
                     actual_date: dt.date | None, note: str | None = None,
                     delay_reason: str | None = None, expected_version: int) -> dict:
    """One milestone (the import, the CLI, the tests): the page's rules for a single row."""
    require_version(milestone, "milestone:update", expected_version)
    try:
        saved = save_milestones(actor, milestone.project, [MilestoneEdit(
            milestone, planned_date, actual_date, note, delay_reason, expected_version)])
    except ValidationFailed as failure:
        raise ValidationFailed({key.lstrip("-"): messages for key, messages in failure.errors.items()}) from None
    return saved.get(milestone.id, {})


def set_planned_dates(actor: Actor, project: Project, **dates: dt.date | None) -> None:
    """计划开工 / 计划竣工 as the project form and the import state them: the planned dates of the
    开工 and 竣工验收 milestones, each added when the project lacks it. The project's columns
    follow at the flush (upkeep). The milestone page's rules apply (the lifecycle in order); their
    errors come back under the project's field names."""
    existing = [(field, next((m for m in project.milestones if m.stage == PLANNED_DATE_STAGES[field]), None), day)
                for field, day in dates.items()]
    edits = [MilestoneEdit(m, day, m.actual_date, m.note, m.delay_reason, m.version, key=field)
             for field, m, day in existing if m is not None and m.planned_date != day]
    try:
        _check_milestones(project, edits)
    except ValidationFailed as failure:
        raise ValidationFailed({key.split("-")[0]: messages for key, messages in failure.errors.items()}) from None
    for field, day in dates.items():
        stage = PLANNED_DATE_STAGES[field]
        milestone = next((m for m in project.milestones if m.stage == stage), None)
        if milestone is None:
            if day is None:
                continue
            milestone = Milestone(stage=stage, position=stage.position, planned_date=day)
            project.milestones.append(milestone)
            db.session.flush()
            record(actor, "milestone:create", milestone, milestone_params(milestone),
                   changes={"planned_date": [None, json_value(day)]}, project_id=project.id)
        elif milestone.planned_date != day:
            old, version = milestone.planned_date, milestone.version
            with saved_or_stale():
                milestone.planned_date = day
            record(actor, "milestone:update", milestone, milestone_params(milestone),
                   changes={"planned_date": [json_value(old), json_value(day)],
                            "version": [version, milestone.version]}, project_id=project.id)


# --- monthly reports --------------------------------------------------------------------------

def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, float):
        raise TypeError("money never travels as float")
    return Decimal(value)


def report_for(project: Project, month: dt.date) -> MonthlyReport | None:
    return db.session.scalar(sa.select(MonthlyReport).where(
        MonthlyReport.project_id == project.id, MonthlyReport.month == first_of_month(month)))


# How long before a project's first known date a report may be dated (work before 开工: design,
# land, 前期 spending), and the floor of a project with no date known.
REPORT_LEAD_YEARS = 2
REPORT_FLOOR = dt.date(2000, 1, 1)


def _earliest_known(project: Project) -> dt.date | None:
    """The project's first known date: 计划开工, the 开工 milestone's actual date, or the first
    year of its earliest plan's period."""
    known = [project.planned_start, project.start_milestone_actual,
             *(dt.date(plan.period_start, 1, 1) for plan in project.plans if plan.period_start)]
    return min((day for day in known if day), default=None)


def earliest_report_month(project: Project) -> dt.date:
    """The earliest month a report of this project may be for: a slip of the year (2016-11 for
    2026-11, 1999-01) was filed without a word and moved every later month's 自开工累计."""
    first = _earliest_known(project)
    if first is None:
        return REPORT_FLOOR
    return max(dt.date(first.year - REPORT_LEAD_YEARS, first.month, 1), DATE_MIN.replace(day=1))


def _earliest_reason(project: Project) -> str:
    first = _earliest_known(project)
    if first is None:
        return _("本项目没有开工日期或所属规划")
    return _("本项目最早的日期 %(date)s 之前 %(years)s 年", date=first.isoformat(), years=REPORT_LEAD_YEARS)


def is_first_report(report: MonthlyReport) -> bool:
    """Whether no month before this report's was filed: its 自开工累计 was typed, not derived."""
    return not db.session.scalar(sa.select(sa.exists().where(
        MonthlyReport.project_id == report.project_id, MonthlyReport.month < report.month)))


def _previous(project: Project, month: dt.date) -> MonthlyReport | None:
    return db.session.scalar(sa.select(MonthlyReport).where(
        MonthlyReport.project_id == project.id, MonthlyReport.month < month)
        .order_by(MonthlyReport.month.desc()).limit(1))


def report_figure_problems(figures: dict[str, Decimal | None]) -> dict[str, list[str]]:
    """The rules each of a report's figures keeps on its own (no negative money, none past any
    column, 工程进度 within 0-100), by field: the report form asks them of the figures it could
    read beside the ones it could not, so one save names them all (a refused report named
    本月完成投资 first, 工程进度 150 only on the third save)."""
    errors = _errors()
    for field in ("invested_month", "invested_total", "funds_received", "paid"):
        value = figures.get(field)
        if value is None:
            continue
        if value < 0:
            _add(errors, field, _("金额不能为负数"))
        if not value.is_finite() or value.copy_abs() >= MAX_FIGURE:
            _add(errors, field, _("数值过大，请检查单位（金额以万元计）"))
    percent, top = figures.get("physical_percent"), REPORT["physical_percent"].maximum
    if percent is not None and top is not None and not (0 <= percent <= top):
        _add(errors, "physical_percent", str(REPORT["physical_percent"].out_of_range))
    return errors


def submit_report(actor: Actor, project: Project, month: dt.date, *, progress_text=None,
                  physical_percent=None, invested_month=None, invested_total=None,
                  funds_received=None, paid=None, problems=None, next_steps=None,
                  over_budget_reason=None, correction_reason=None,
                  expected_version: int | None = None) -> MonthlyReport:
    """File the month's report, or correct a submitted one (a new, audited revision).

    本年累计 and 自开工累计 are derived from the monthly figures: 本年累计 is the sum of the
    year's months; 自开工累计 is the previous report's plus this month's. The first report may
    state 自开工累计 (investment before the tracker), which must be at least this month's.
    """
    month = first_of_month(month)
    values: dict[str, Any] = {  # a column's text or Decimal, by its name
        "progress_text": (progress_text or "").strip() or None,
        "physical_percent": _decimal(physical_percent),
        "invested_month": _decimal(invested_month),
        "funds_received": _decimal(funds_received),
        "paid": _decimal(paid),
        "problems": (problems or "").strip() or None,
        "next_steps": (next_steps or "").strip() or None,
        "over_budget_reason": (over_budget_reason or "").strip() or None,
    }
    stated_total = _decimal(invested_total)
    errors = _errors()
    try:
        check_date(month)
    except ValueProblem as problem:
        _add(errors, "month", str(problem))
    existing = report_for(project, month)
    if month > first_of_month(today()):
        _add(errors, "month", _("不能填报未来月份"))
    elif existing is None and month < (floor := earliest_report_month(project)):
        # A new month only: a report on file (filed before this rule, or before 计划开工 moved
        # later) can still be corrected.
        _add(errors, "month", _("%(month)s 早于本项目可能有月报的最早月份 %(floor)s（%(why)s），请检查年份",
                                month=month.strftime("%Y-%m"), floor=floor.strftime("%Y-%m"),
                                why=_earliest_reason(project)))
    for field, messages in report_figure_problems({**values, "invested_total": stated_total}).items():
        for message in messages:
            _add(errors, field, message)

    if existing is not None:
        if not (correction_reason and correction_reason.strip()):
            _add(errors, "correction_reason",
                 _("%(month)s 的月报已提交并锁定；如需更正，请填写更正原因", month=month.strftime("%Y-%m")))
        require_version(existing, "report:correct", expected_version)

    previous = _previous(project, month)
    month_amount = values["invested_month"] or Decimal(0)
    total: Decimal | None  # 自开工累计: unknown while no month has stated any money
    if previous is not None:
        for field, label in (("funds_received", _("资金到位")), ("paid", _("已支付"))):
            earlier = getattr(previous, field)
            if values[field] is not None and earlier is not None and values[field] < earlier:
                _add(errors, field, _("%(label)s为累计数，不能少于上月的 %(value)s 万元",
                                      label=label, value=plain_number(earlier)))
    earlier_total = previous.invested_total if previous is not None else None
    if previous is not None and earlier_total is None:
        # No month before stated money: this one starts the count, as a first report does.
        total = stated_total if stated_total is not None else values["invested_month"]
        if total is not None and total < month_amount:
            _add(errors, "invested_total", _("自开工累计不能少于本月完成投资"))
    elif earlier_total is not None:
        total = earlier_total + month_amount
        if stated_total is not None and stated_total != total:
            _add(errors, "invested_total", _("自开工累计应为上月累计 %(prev)s 加本月 %(month)s，即 %(total)s 万元",
                                             prev=plain_number(earlier_total),
                                             month=plain_number(month_amount),
                                             total=plain_number(total)))
    else:
        following = _following(project, month) if existing is None else None
        before_it = (following.invested_total - (following.invested_month or Decimal(0))
                     if following is not None and following.invested_total is not None else Decimal(0))
        if following is not None and before_it > 0:
            # Filed before the first report, whose stated 自开工累计 counts investment before its
            # own month (before the tracker): this month's total is that part of it, and the
            # first report, locked, stays as it was stated. (A first report that counted nothing
            # before itself grows by the month filed late, as every later month does.)
            total = before_it
            known = {"month": following.month.strftime("%Y-%m"), "total": plain_number(total)}
            if month_amount > total:
                _add(errors, "invested_month", _(
                    "本月完成投资不能超过 %(month)s 月报累计中此前的 %(total)s 万元；如 %(month)s 的累计有误，"
                    "请先更正 %(month)s 的月报", **known))
            elif stated_total is not None and stated_total != total:
                _add(errors, "invested_total", _(
                    "自开工累计应为 %(month)s 月报的自开工累计 %(stated)s 减去该月 %(amount)s，即 %(total)s 万元；"
                    "如 %(month)s 的累计有误，请先更正 %(month)s 的月报",
                    stated=plain_number(following.invested_total),
                    amount=plain_number(following.invested_month or Decimal(0)), **known))
        else:
            # The first report's 自开工累计 may count investment before it (before the tracker). A
            # correction that leaves it blank keeps that part, as a blank keeps everywhere: it was
            # dropped, and every later month's total fell with it (965.5 → 50, no word said).
            opening = (existing.invested_total - (existing.invested_month or Decimal(0))
                       if existing is not None and existing.invested_total is not None else Decimal(0))
            if stated_total is None and opening > 0:
                total = opening + month_amount
            else:  # a report that states no money leaves it unknown: 未填报 is not 0
                total = stated_total if stated_total is not None else values["invested_month"]
            if total is not None and total < month_amount:
                _add(errors, "invested_total", _("自开工累计不能少于本月完成投资"))
    revised = project.current_estimate is not None  # else the approved 总投资 is the estimate
    budget = project.current_estimate if revised else project.total_investment
    if budget is not None and total is not None and total > budget and not values["over_budget_reason"]:
        _add(errors, "over_budget_reason",
             _("累计完成投资 %(total)s 万元超过现行概算 %(budget)s 万元，请说明超概算原因",
               total=plain_number(total), budget=plain_number(budget)) if revised else
             _("累计完成投资 %(total)s 万元超过总投资 %(budget)s 万元（概算未调整），请说明超概算原因",
               total=plain_number(total), budget=plain_number(budget)))
    if errors:
        raise ValidationFailed(errors)

    year_before = db.session.scalar(sa.select(exact_sum(MonthlyReport.invested_month)).where(
        MonthlyReport.project_id == project.id, MonthlyReport.month < month,
        MonthlyReport.month >= month.replace(month=1))) or Decimal(0)
    values["invested_year"] = (year_before + month_amount
                               if total is not None and not _year_unknown(project, month, values["invested_month"],
                                                                           starts=earlier_total is None)
                               else None)
    values["invested_total"] = total

    try:
        with db.session.begin_nested():  # a concurrent save undoes these writes alone
            if existing is None:
                report = MonthlyReport(project=project, month=month,
                                       submitted_by_id=actor.user.id if actor.user else None, **values)
                db.session.add(report)
                db.session.flush()
                record(actor, "report:submit", report, {"month": month.strftime("%Y-%m")},
                       changes={k: [None, json_value(v)] for k, v in values.items() if v is not None},
                       project_id=project.id)
                _recompute_later(actor, project, month, backfilled=True)
            else:
                report = existing
                before = snapshot(report, values)
                changes = diff(before, {k: json_value(v) for k, v in values.items()})
                if not changes:
                    return report
                for field in changes:
                    setattr(report, field, values[field])
                report.revision += 1
                db.session.flush()
                changes["revision"] = [report.revision - 1, report.revision]
                changes["version"] = [report.version - 1, report.version]
                record(actor, "report:correct", report, {"month": month.strftime("%Y-%m"), "n": report.revision},
                       changes=changes, reason=correction_reason.strip(), project_id=project.id)
                _recompute_later(actor, project, month)
            # The project's cumulative figures: someone may save the project in the same instant.
            _refresh_project_progress(project)
    except sa.exc.IntegrityError as error:
        if existing is not None:
            raise
        # Another officer filed this month after our check: the unique (project, month) index
        # refused ours (tests/e2e/test_many_officers.py). Filed now, it can only be corrected.
        raise ValidationFailed(_("%(month)s 的月报已提交并锁定；如需更正，请填写更正原因",
                                 month=month.strftime("%Y-%m")), "correction_reason") from error
    except StaleDataError as error:
        raise StaleEdit([]) from error
    return report


def _year_unknown(project: Project, month: dt.date, invested_month: Decimal | None, *, starts: bool) -> bool:
    """Whether the year's 本年累计 to ``month`` has a part no report states: the report that starts
    the count (the first to state money) gave its 自开工累计 alone, which holds this year's months
    before it and earlier years' in one sum. It read 0 (a first report of 800 since the start, no
    本月 stated: 本年累计 0, the year's completion rate 0 %)."""
    if starts:
        return invested_month is None
    first = db.session.execute(sa.select(MonthlyReport.month, MonthlyReport.invested_month).where(
        MonthlyReport.project_id == project.id, MonthlyReport.invested_total.is_not(None),
        MonthlyReport.month < month).order_by(MonthlyReport.month).limit(1)).first()
    return first is not None and first.month.year == month.year and first.invested_month is None


def _following(project: Project, month: dt.date) -> MonthlyReport | None:
    return db.session.scalar(sa.select(MonthlyReport).where(
        MonthlyReport.project_id == project.id, MonthlyReport.month > month)
        .order_by(MonthlyReport.month).limit(1))


def _recompute_later(actor: Actor, project: Project, month: dt.date, backfilled: bool = False) -> None:
    """A month filed late or corrected changes the cumulative figures of every later month
    (本年累计 of the same year, 自开工累计 of all); the caller then refreshes the project's."""
    reports = db.session.scalars(sa.select(MonthlyReport).where(
        MonthlyReport.project_id == project.id).order_by(MonthlyReport.month)).all()
    total: Decimal | None = None  # unknown until a month states money (submit_report's rule)
    year_sums: dict[int, Decimal] = {}
    unknown_year = None  # the year of a count started by a 自开工累计 alone (``_year_unknown``)
    for report in reports:
        amount = report.invested_month or Decimal(0)
        if total is None:
            total = report.invested_total if report.invested_total is not None else report.invested_month
            if total is not None and report.invested_month is None:
                unknown_year = report.month.year
        else:
            total += amount
        year_sums[report.month.year] = year_sums.get(report.month.year, Decimal(0)) + amount
        year = year_sums[report.month.year] if total is not None and report.month.year != unknown_year else None
        if report.month > month and (report.invested_total != total or report.invested_year != year):
            old = [json_value(report.invested_total), json_value(report.invested_year)]
            report.invested_total = total
            report.invested_year = year
            record(actor, "report:recompute", report,
                   {"month": report.month.strftime("%Y-%m"),
                    **({"filed": month.strftime("%Y-%m")} if backfilled else {})},
                   changes={"invested_total": [old[0], json_value(total)],
                            "invested_year": [old[1], json_value(report.invested_year)]},
                   project_id=project.id)


def _refresh_project_progress(project: Project) -> None:
    latest = db.session.scalar(sa.select(MonthlyReport).where(
        MonthlyReport.project_id == project.id).order_by(MonthlyReport.month.desc()).limit(1))
    project.invested_to_date = latest.invested_total if latest else None
    project.last_report_month = latest.month if latest else None
    db.session.flush()


# --- budget, funding, annual plans ------------------------------------------------------------

def revise_budget(actor: Actor, project: Project, *, new_amount, reason: str, approval_number: str,
                  approval_date: dt.date) -> BudgetRevision:
    new_amount = _decimal(new_amount)
    errors = _errors()
    if new_amount is None:
        _add(errors, "new_amount", _("请填写调整后的概算"))
    elif new_amount < 0:  # 0 is an estimate cut to nothing: a project cancelled (issue 11's "0 refused")
        _add(errors, "new_amount", _("金额不能为负数"))
    if not (reason or "").strip():
        _add(errors, "reason", _("请说明调整原因"))
    if not (approval_number or "").strip():
        _add(errors, "approval_number", _("请填写批复文号"))
    if approval_date is None:
        _add(errors, "approval_date", _("请填写批复日期"))
    elif approval_date > today():
        _add(errors, "approval_date", _("批复日期不能晚于今天"))
    else:
        try:
            check_date(approval_date)
        except ValueProblem as problem:
            _add(errors, "approval_date", str(problem))
    if errors:
        raise ValidationFailed(errors)
    latest = db.session.scalar(sa.select(BudgetRevision).where(BudgetRevision.project_id == project.id)
                               .order_by(BudgetRevision.id.desc()).limit(1))
    if (latest is not None and latest.new_amount == new_amount and latest.approval_date == approval_date
            and latest.approval_number == approval_number.strip()):
        return latest  # the same revision sent again (Back, then 保存): one approval is one revision
    previous = project.current_estimate if project.current_estimate is not None else project.total_investment
    revision = BudgetRevision(project=project, previous_amount=previous, new_amount=new_amount,
                              reason=reason.strip(), approval_number=approval_number.strip(),
                              approval_date=approval_date,
                              created_by_id=actor.user.id if actor.user else None)
    with saved_or_stale():
        db.session.add(revision)
        project.current_estimate = new_amount
    record(actor, "budget:revise", revision, {"old": previous, "new": new_amount},
           changes={"current_estimate": [json_value(previous), json_value(new_amount)],
                    "approval_number": [None, approval_number.strip()]},
           reason=reason.strip(), project_id=project.id)
    return revision


FUNDING_FIELDS = ("source", "amount", "note")


def _funding_values(source, amount, note) -> dict:
    """A funding line's fields as the page and the API give them, checked alike."""
    errors = _errors()
    try:
        source = FundingSource(source)
    except ValueError:
        _add(errors, "source", _("请选择资金来源"))
    amount = _decimal(amount)
    if amount is not None and amount < 0:
        _add(errors, "amount", _("金额不能为负数"))
    elif amount is not None and (not amount.is_finite() or amount >= MAX_FIGURE):
        _add(errors, "amount", _("数值过大，请检查单位（金额以万元计）"))
    if errors:
        raise ValidationFailed(errors)
    return {"source": source, "amount": amount, "note": (note or "").strip() or None}


def add_funding_line(actor: Actor, project: Project, *, source, amount, note: str | None = None) -> FundingLine:
    values = _funding_values(source, amount, note)
    line = FundingLine(project=project, **values)
    db.session.add(line)
    db.session.flush()
    record(actor, "funding:create", line, {"source": line.source},
           changes={"source": [None, line.source.value], "amount": [None, json_value(line.amount)]},
           project_id=project.id)
    return line


# How long the same line added again by the same person is taken for the same form sent twice.
SENT_AGAIN_WITHIN = dt.timedelta(minutes=10)


def funding_line_sent_again(project: Project, user, *, source, amount, note: str | None = None
                            ) -> FundingLine | None:
    """The line this person added to the project in the last minutes with the same source,
    amount and note: the same form sent again (browser Back, which gives the form its values
    back, then 新增 again) added a second 700 万元 and took 700 off the 资金缺口. A second line
    alike on purpose says how it differs in its note."""
    if user is None:
        return None
    values = _funding_values(source, amount, note)
    return db.session.scalar(
        sa.select(FundingLine)
        .join(AuditEntry, sa.and_(AuditEntry.object_type == "FundingLine", AuditEntry.object_id == FundingLine.id,
                                  AuditEntry.action == "funding:create"))
        .where(FundingLine.project_id == project.id, AuditEntry.user_id == user.id,
               AuditEntry.occurred_at >= utcnow() - SENT_AGAIN_WITHIN,
               FundingLine.source == values["source"], FundingLine.amount.is_not_distinct_from(values["amount"]),
               FundingLine.note.is_not_distinct_from(values["note"]))
        .order_by(FundingLine.id.desc()).limit(1))


def update_funding_line(actor: Actor, line: FundingLine, *, source, amount, note: str | None,
                        reason: str | None, expected_version: int) -> dict:
    """Correct a line (its source, amount or note): a reason is required, as for a deletion's
    trail, and a line someone saved since ``expected_version`` is not overwritten (``StaleEdit``
    with their changes). Returns the ``{field: [old, new]}`` diff (empty: nothing changed)."""
    require_version(line, "funding:update", expected_version)
    values = _funding_values(source, amount, note)
    changes = diff(snapshot(line, FUNDING_FIELDS), {k: json_value(v) for k, v in values.items()})
    if not changes:
        return {}
    if not (reason or "").strip():
        raise ValidationFailed(_("请说明修改原因"), "reason")
    version = line.version
    with saved_or_stale():
        for field in changes:
            setattr(line, field, values[field])
    changes["version"] = [version, line.version]
    record(actor, "funding:update", line, {"source": line.source},
           changes=changes, reason=reason, project_id=line.project_id)
    return changes


def remove_funding_line(actor: Actor, line: FundingLine, reason: str | None = None, *,
                        expected_version: int | None = None) -> None:
    """Delete a line; with ``expected_version`` (the API's If-Match) only the version read."""
    require_version(line, "funding:update", expected_version)
    record(actor, "funding:delete", line, {"source": line.source},
           changes={"source": [line.source.value, None], "amount": [json_value(line.amount), None]},
           reason=reason, project_id=line.project_id)
    db.session.delete(line)
    db.session.flush()


def annual_plans_shown(project: Project) -> dict[str, str]:
    """Each year's plan as the funding page shows it, the form carrying it back (``set_annual_plan``)."""
    plans = db.session.scalars(sa.select(AnnualPlan).where(AnnualPlan.project_id == project.id))
    return {str(plan.year): json_value(plan.planned_investment) for plan in plans}


def set_annual_plan(actor: Actor, project: Project, year: int | None, amount,
                    shown: dict | None = None) -> AnnualPlan:
    """Set a year's 年度计划投资. With ``shown`` (what the officer's page showed), a plan another
    officer set for that year since is not overwritten unseen: refused, naming it (two officers:
    650 became 700 and neither was told)."""
    amount = _decimal(amount)
    if amount is None or amount < 0:
        raise ValidationFailed(_("年度计划投资应为不小于零的金额"), "planned_investment")
    if year is None or not 2000 <= year <= 2100:
        raise ValidationFailed(_("年份无效"), "year")
    plan = db.session.scalar(sa.select(AnnualPlan).where(
        AnnualPlan.project_id == project.id, AnnualPlan.year == year))
    old = plan.planned_investment if plan else None
    if plan is not None and old == amount:
        return plan
    if shown is not None and json_value(old) != shown.get(str(year)):
        raise ValidationFailed(_("在您填写期间，其他人已把 %(year)s 年的年度计划投资改为 %(amount)s：如仍要改为您填写的金额，请再次保存",
                                 year=year, amount=_("%(amount)s 万元", amount=plain_number(old)) if old is not None
                                 else _("（空）")), "planned_investment")
    # Another officer may set this year's plan after our check: the unique (project, year) index
    # then refuses ours. As for any concurrent save, he reloads and sees it.
    with saved_or_stale():
        if plan is None:
            plan = AnnualPlan(project=project, year=year, planned_investment=amount)
            db.session.add(plan)
        else:
            plan.planned_investment = amount
    record(actor, "annual_plan:set", plan, {"year": year, "amount": amount},
           changes={"planned_investment": [json_value(old), json_value(amount)]}, project_id=project.id)
    return plan
