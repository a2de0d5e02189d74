"""The rules for creating and changing projects. Every path (form, import, CLI, seed) comes here.

Services validate, change, flush and audit; they never commit: the caller owns the transaction.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError
from flask_babel import gettext as _

from ..audit.queries import changes_since, require_version
from ..core.values import LARGEST_ID, MAX_FIGURE, ValueProblem, check_date, too_large
from ..audit.services import Actor, diff, record, snapshot
from ..core.clock import utcnow
from ..errors import EditConflict, FieldErrors, StaleEdit, ValidationFailed
from ..extensions import db
from ..plans.models import Plan, cited_line
from ..regions.models import Region
from ..vocabulary import Category, Kind, Stage
from .fields import EDITABLE_FIELDS, PROJECT, PROJECT_FIELDS, Field
from ..audit.models import AuditEntry
from .models import Project, ProjectAlias, SourceMention
from . import search

# 项目代码 (GB/T 40058-2021): year, region, department, type, serial with its check character.
# ASCII digits only: Python's \d takes any script's (a full-width ３ made a second "same" code).
PROJECT_CODE = re.compile(r"\d{4}-\d{6}-\d{2}-\d{2}-\d{5}[0-9A-Z]", re.ASCII)

# Kept from the 开工 / 竣工验收 milestones (progress/upkeep.py); the services write the milestones.
PLANNED_DATES = ("planned_start", "planned_end")
PLANNED_DATE_OF_STAGE = {Stage.START.value: "planned_start", Stage.ACCEPTANCE.value: "planned_end"}
EDITABLE = tuple(field for field in PROJECT_FIELDS if field.editable)


def normal_code(code: str) -> str:
    """A 项目代码 as stored: what an input method types in its full-width mode (２０２１－３６…) is
    the code itself, its check letter upper case."""
    return unicodedata.normalize("NFKC", code).strip().upper()


def validate_project_code(code: str | None) -> str | None:
    if code is None or not code.strip():
        return None
    code = normal_code(code)
    if len(code) != 24 or not PROJECT_CODE.fullmatch(code):
        raise ValidationFailed(
            _("项目代码应为24位，格式为“年份-行政区划代码-部门代码-行业代码-流水号及校验码”，"
              "例如 2021-360783-84-01-000013"), "project_code")
    return code


def _validate(fields: dict, project: Project | None) -> dict:
    """``fields`` checked against the rules and the registry's bounds, every problem at once."""
    errors = FieldErrors()
    cleaned = dict(fields)
    if "name" in cleaned:
        name = (cleaned["name"] or "").strip()
        if not name:
            errors.add("name", _("请填写项目名称"))
        elif len(name) > (PROJECT["name"].max_length or 0):
            errors.add("name", _("项目名称不能超过200个字"))
        cleaned["name"] = name
    if "project_code" in cleaned:
        try:
            cleaned["project_code"] = validate_project_code(cleaned["project_code"])
        except ValidationFailed as failure:
            errors.merge(failure)
        else:
            code = cleaned["project_code"]
            if code:
                clash = db.session.scalar(sa.select(Project.id).where(Project.project_code == code))
                if clash is not None and (project is None or clash != project.id):
                    errors.add("project_code", _("项目代码 %(code)s 已被另一个项目使用", code=code))
    for field in EDITABLE:
        if field.name in cleaned and cleaned[field.name] is not None:
            problem = _field_problem(field, cleaned)
            if problem is not None:
                errors.add(field.name, problem)
    region_id = cleaned.get("region_id")
    if "region_id" in cleaned and not (isinstance(region_id, int) and 0 < region_id <= LARGEST_ID
                                       and db.session.get(Region, region_id) is not None):
        errors.add("region_id", _("请选择有效的行政区划"))
    start, end = cleaned.get("planned_start"), cleaned.get("planned_end")
    if project is not None:
        start = start if "planned_start" in cleaned else project.planned_start
        end = end if "planned_end" in cleaned else project.planned_end
    if start and end and end < start:
        errors.add("planned_end", _("计划竣工日期不能早于计划开工日期"))
    errors.raise_any()
    return cleaned


def check_project(fields: dict, project: Project | None, *, loaded: dict | None = None,
                  reason: str | None = None) -> None:
    """Raise every problem the service finds in ``fields`` (those a form could parse), with the
    reason a change of status needs: a form whose own checks refused a field asks this too, so
    that one save shows every problem (a QA walk needed three saves to see three)."""
    try:
        _validate(fields, project)
    except ValidationFailed as failure:
        _also_the_reason(failure, fields, project, loaded, reason)
        raise
    wanting = ValidationFailed({})
    _also_the_reason(wanting, fields, project, loaded, reason)
    if wanting.errors:
        raise wanting


def _also_the_reason(failure: ValidationFailed, fields: dict, project: Project | None, loaded: dict | None,
                     reason: str | None) -> None:
    """Add to ``failure`` the want of a reason, when ``fields`` change the status (from what the
    form was loaded with: a status another saved meanwhile is no change of this edit's)."""
    if project is None or "status" not in fields or (reason and reason.strip()):
        return
    given = fields["status"]
    given = getattr(given, "value", given) or None
    before = loaded.get("status") if loaded is not None and "status" in loaded else (
        project.status.value if project.status else None)
    if given != before:
        failure.errors.setdefault("reason", []).append(_("变更项目状态时请说明原因"))


def _field_problem(field: Field, cleaned: dict) -> str | None:
    """What is wrong with ``cleaned[field.name]`` by the field's kind and bounds (a vocabulary
    code becomes its member, a number written as text its number); None when nothing is."""
    value = cleaned[field.name]
    if field.kind == "vocab" and field.vocabulary is not None:
        try:
            cleaned[field.name] = field.vocabulary(value)
        except ValueError:
            return _("不是有效的选项")
    elif field.kind == "date":
        try:
            check_date(value)
        except ValueProblem as problem:
            cleaned[field.name] = None
            return str(problem)
    elif field.numeric:
        if isinstance(value, float):
            raise TypeError(f"{field.name}: floats never reach a money or area column")
        if isinstance(value, str):
            value = cleaned[field.name] = Decimal(value) if field.kind == "decimal" else int(value)
        if value < 0:
            return _("不能为负数")
        if field.maximum is not None and value > field.maximum:
            return _("应在 0 到 %(n)s 之间", n=field.maximum)
        if field.kind == "decimal" and value >= MAX_FIGURE:
            # beyond the column: the importer reached here with 1e20
            return str(too_large(None if field.money else field.unit))
    return None


@contextmanager
def _saved_or_refused(code: str | None) -> Iterator[None]:
    """The writes of one save, flushed inside a savepoint, so that the database's refusal of a
    concurrent save undoes them alone and the request can still show the page that says why:
    a 项目代码 another officer saved after our check (on PostgreSQL the unique index waits for his
    commit, then refuses ours) is the form error the check would have given; an UPDATE … WHERE
    version = expected that matches no row (someone saved in the same instant) is a StaleEdit."""
    try:
        with db.session.begin_nested():
            yield
            db.session.flush()
    except sa.exc.IntegrityError as error:
        if code and "project_code" in str(error.orig):
            raise ValidationFailed(_("项目代码 %(code)s 已被另一个项目使用", code=code),
                                   "project_code") from error
        raise
    except StaleDataError as error:
        raise StaleEdit([]) from error


def refresh_search_text(project: Project) -> None:
    names = [project.name, *(alias.name for alias in project.aliases)]
    if project.project_code:
        names.append(project.project_code)
    project.search_text = search.searchable("\n".join(names))


def same_name(region: Region, name: str, other_than: int | None = None) -> Project | None:
    """The project of ``region`` named ``name`` (one name in one region is one project: every
    total would count a second twice), found under a lock on the region's row that a second
    creator in that region waits on until this transaction ends: two forms sent at once (a double
    click) do not both find the name free. SQLite's writers wait at BEGIN IMMEDIATE already.

    A name is the same as search reads it (``search.searchable``): 某县P2实验室 is 某县Ｐ２实验室 and
    某县p2实验室, which search finds as one. The first line of a project's ``search_text`` is its
    name so read; the few that begin with it are compared whole."""
    db.session.execute(sa.select(Region.id).where(Region.id == region.id).with_for_update(key_share=True))
    key = search.searchable(name)
    candidates = db.session.scalars(sa.select(Project).where(
        Project.region_id == region.id, Project.search_text.startswith(key, autoescape=True),
        *([Project.id != other_than] if other_than is not None else [])).order_by(Project.id))
    return next((project for project in candidates if project.search_text.split("\n", 1)[0] == key), None)


def _refuse_same_name(region: Region, name: str, other_than: int | None = None) -> None:
    same = same_name(region, name, other_than)
    if same is not None:
        raise ValidationFailed(_("台账中%(region)s已有同名项目《%(name)s》（编号 %(id)s）；如确是另一个项目，请改用能区分的名称"
                                 "（如写明分期、院区或地点）", region=region.name, name=same.name, id=same.id), "name")


def create_project(actor: Actor, *, region: Region, **fields) -> Project:
    unknown = set(fields) - set(EDITABLE_FIELDS) - {"seed_key"}
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    fields["region_id"] = region.id
    fields.setdefault("kind", Kind.CONSTRUCTION)
    fields.setdefault("category", Category.OTHER)
    cleaned = _validate(fields, None)
    _refuse_same_name(region, cleaned["name"])
    dates = {field: cleaned.pop(field) for field in PLANNED_DATES if field in cleaned}
    project = Project(**cleaned)
    refresh_search_text(project)
    with _saved_or_refused(project.project_code):
        db.session.add(project)
    if any(dates.values()):
        _set_planned_dates(actor, project, dates)
    record(actor, "project:create", project, {"name": project.name},
           changes={field: [None, value]
                    for field, value in snapshot(project, EDITABLE_FIELDS).items() if value is not None},
           project_id=project.id)
    return project


def loaded_values(project: Project) -> dict:
    """The editable fields as an edit form is loaded with them (stored forms: "9000", "new").

    The form carries them back, so that a save changes what its user changed and nothing else
    (see :func:`update_project`); a report or a budget revision filed meanwhile, which moves only
    derived figures, is no conflict."""
    return snapshot(project, EDITABLE_FIELDS)


def values_at(project: Project, version: int) -> dict:
    """The editable fields as they were at ``version``: what a client that read that version (the
    API's ``If-Match``) was loaded with, for :func:`update_project`'s merge. The saves since are
    undone from their audit entries, newest first."""
    values = loaded_values(project)
    for entry in reversed(changes_since(project, "project:update", version)):
        for field, (old, _new) in entry.changes.items():
            if field in values:
                values[field] = old
    for entry in reversed(replans_since(project, version)):
        field = PLANNED_DATE_OF_STAGE.get((entry.params or {}).get("stage", ""))
        if field in values:
            values[field] = entry.changes["planned_date"][0]
    return values


def replans_since(project: Project, version: int) -> list[AuditEntry]:
    """The milestone page's saves that moved the project past ``version``, oldest first: a
    re-plan of 计划开工/计划竣工 there names the project's version it moved
    (progress.services.save_milestones) and the milestone's stage. Others' saves an edit begun
    at ``version`` did not see, beside its own ``changes_since``."""
    entries = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.project_id == project.id, AuditEntry.object_type == "Milestone",
                                    AuditEntry.action == "milestone:update")
        .order_by(AuditEntry.id)).all()
    return [entry for entry in entries
            if (moved := entry.changes.get("project_version")) and moved[1] > version]


def changed_by_others(project: Project, loaded: dict) -> dict:
    """``{field: [as loaded, as saved now]}`` for the fields someone saved since ``loaded``."""
    current = loaded_values(project)
    return {field: [loaded[field], value] for field, value in current.items()
            if field in loaded and loaded[field] != value}


def update_project(actor: Actor, project: Project, fields: dict, *, expected_version: int | None = None,
                   loaded: dict | None = None, reason: str | None = None) -> dict:
    """Apply ``fields`` to ``project``; returns the ``{field: [old, new]}`` diff (empty: no change).

    With ``loaded`` (the values the edit form was loaded with) the save is a three-way merge, as
    OpenProject and ERPNext do it: a field this edit did not change keeps whatever is saved now, a
    field only this edit changed takes the new value, and a field both this edit and someone
    else changed, to different values, is refused as an :class:`EditConflict` for the person to
    choose. Without it (the importer, the seed, the CLI) any save since ``expected_version``
    refuses the whole edit.
    """
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    if loaded is None:
        require_version(project, "project:update", expected_version)
    version = project.version
    try:
        cleaned = _validate(fields, project)
    except ValidationFailed as failure:
        _also_the_reason(failure, fields, project, loaded, reason)
        raise
    if loaded is not None:
        cleaned = _merge(project, cleaned, loaded, expected_version)
        if cleaned:
            cleaned = _validate(cleaned, project)  # the merged whole: 开工 before 竣工 still holds
    before = snapshot(project, cleaned)
    after = {field: value for field, value in snapshot_values(cleaned).items()}
    changes = diff(before, after)
    if not changes:
        return {}
    if "status" in changes and not (reason and reason.strip()):
        raise ValidationFailed(_("变更项目状态时请说明原因"), "reason")
    if "name" in changes or "region_id" in changes:  # renamed or moved onto another's name
        region = db.session.get(Region, cleaned.get("region_id", project.region_id))
        if region is not None:
            _refuse_same_name(region, cleaned.get("name", project.name), other_than=project.id)
    dates = {field: cleaned[field] for field in PLANNED_DATES if field in changes}
    with _saved_or_refused(cleaned.get("project_code", project.project_code)):
        for field in changes:
            if field not in dates:
                setattr(project, field, cleaned[field])
        if dates:  # loading the milestones autoflushes too
            _set_planned_dates(actor, project, dates)
            project.updated_at = utcnow()  # a change made on the form: the project's version moves
        refresh_search_text(project)  # loading the aliases autoflushes: the UPDATE may run here
    changes["version"] = [version, project.version]
    record(actor, "project:update", project, {"name": project.name},
           changes=changes, reason=reason, project_id=project.id)
    return changes


def _merge(project: Project, cleaned: dict, loaded: dict, version: int | None) -> dict:
    """The fields of ``cleaned`` this edit changed and nobody else did; raises on a real conflict."""
    current = loaded_values(project)
    mine = snapshot_values(cleaned)
    apply, contested = {}, {}
    for field, value in mine.items():
        base = loaded.get(field, current[field])
        if value == base:
            continue  # not touched here: whatever is saved now stays
        if current[field] != base and current[field] != value:
            contested[field] = {"loaded": base, "theirs": current[field], "mine": value}
        else:
            apply[field] = cleaned[field]
    if contested:
        kept = {field: [loaded[field], value] for field, value in current.items()
                if field in loaded and loaded[field] != value and field not in contested}
        raise EditConflict(changes_since(project, "project:update", version or 0),
                           contested=contested, kept=kept, current=current)
    return apply


def _set_planned_dates(actor: Actor, project: Project, dates: dict) -> None:
    """计划开工/计划竣工 are the 开工/竣工验收 milestones' planned dates: written there, one fact."""
    from ..progress.services import set_planned_dates
    set_planned_dates(actor, project, **dates)


def snapshot_values(values: dict) -> dict:
    from ..audit.services import json_value
    return {field: json_value(value) for field, value in values.items()}


def add_alias(actor: Actor, project: Project, name: str) -> ProjectAlias | None:
    name = name.strip()
    if not name or name == project.name or any(a.name == name for a in project.aliases):
        return None
    alias = ProjectAlias(name=name)
    project.aliases.append(alias)
    refresh_search_text(project)
    record(actor, "project:alias", project, {"name": name},
           changes={"alias": [None, name]}, project_id=project.id)
    return alias


def link_plan(actor: Actor, project: Project, plan: Plan) -> bool:
    if plan in project.plans:
        return False
    project.plans.append(plan)
    keep_plan_key(project)
    record(actor, "project:plan", project, {"title": plan.title},
           changes={"plan": [None, plan.key]}, project_id=project.id)
    return True


def keep_plan_key(project: Project) -> None:
    """``plan_key``, the list's 所属规划 order: the smallest key of the project's plans."""
    project.plan_key = min((linked.key for linked in project.plans), default=None)


def unlink_plan(actor: Actor, project: Project, plan: Plan, *, reason: str | None = None) -> bool:
    if plan not in project.plans:
        return False
    project.plans.remove(plan)
    keep_plan_key(project)
    record(actor, "project:plan", project, {"unlinked": plan.title},
           changes={"plan": [plan.key, None]}, project_id=project.id, reason=reason)
    return True


def add_source(actor: Actor, project: Project, plan: Plan, line: int, quote: str,
               fields: list[str]) -> SourceMention | None:
    if any(s.plan_id == plan.id and s.line == line and s.quote == quote for s in project.sources):
        return None
    mention = SourceMention(plan=plan, line=line, quote=quote, fields=list(fields))
    project.sources.append(mention)
    record(actor, "project:source", project, {"plan": plan.title, "line": line},
           changes={"source": [None, cited_line(plan.source_file, plan.key, line, quote)]}, project_id=project.id)
    return mention
