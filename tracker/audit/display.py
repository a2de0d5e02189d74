"""How an audit entry reads to a person: Chinese field labels, vocabulary labels for codes,
figures with separators, and who made the change (a user, or the path: seed, import, CLI)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask import g, has_app_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..accounts.services import MONEY_SOURCE_FIELDS
from ..core import clock
from ..core.translation import aside
from ..extensions import db
from ..formatting import plain_number
from ..plans.models import Plan, cited_line
from ..projects.fields import MONEY_FIELDS, PERCENT, PROJECT_FIELDS, RECORD_FIELDS, REPORT_FIELDS
from ..projects.models import SourceMention
from ..regions.models import Region
from ..vocabulary import CandidateDecision, IndicatorNature, Role, Stage, Vocabulary
from .models import AuditEntry

# A project's and a monthly report's fields read as the registry labels them (projects/fields.py);
# a budget revision's, a funding line's and an annual plan's by their action's registry.
REGISTERED = {field.name: field for field in PROJECT_FIELDS + REPORT_FIELDS}
FIELD_LABELS = {
    **{name: field.label for name, field in REGISTERED.items()},
    # projects, beyond their fields
    "alias": _l("别名"), "plan": _l("所属规划"), "source": _l("出处"), "seed_key": _l("种子记录"),
    # milestones
    "stage": _l("节点"), "custom_name": _l("节点名称"), "position": _l("顺序"),
    "planned_date": _l("计划日期"), "actual_date": _l("实际日期"), "note": _l("说明"),
    "delay_reason": _l("滞后原因"), "milestones": _l("节点"),
    # monthly reports, beyond their fields
    "month": _l("月份"), "revision": _l("版次"), "photo": _l("现场照片"), "photos": _l("现场照片"),
    "reason": _l("原因"),
    # accounts and settings
    "username": _l("用户名"), "display_name": _l("姓名"), "email": _l("电子邮箱"),
    "role": _l("角色"), "regions": _l("负责地区"), "active": _l("启用"),
    "hide_money_from_viewers": _l("向只读用户隐藏金额"),
}
# A field whose meaning depends on the object: a funding line's "source" is where money comes from.
FIELD_LABELS_BY_ACTION = {
    **{group: {field.name: field.label for field in fields} for group, fields in RECORD_FIELDS.items()},
    # a plan's indicator actual (plan:indicator-actual), as its sheet heads them (plans/actuals.py)
    "plan": {"indicator": _l("指标"), "year": _l("年度"), "value": _l("实际值"), "source": _l("来源"),
             # a candidate decided (plan:candidate-…); what was corrected reads as the project's fields
             "decision": _l("处理"), "candidate": _l("候选"),
             # a plan's own facts (plan:update, plan:withdraw)
             "key": _l("编号"), "title": _l("规划名称"), "region": _l("行政区划"), "period": _l("规划期"),
             "issuer": _l("发文单位"), "doc_number": _l("文号"), "issued_date": _l("印发日期"),
             "file": _l("原文文件"),
             # an indicator candidate corrected before it was accepted
             "section": _l("领域"), "unit": _l("单位"), "baseline": _l("基期值"), "baseline_year": _l("基期年份"),
             "target": _l("目标值"), "target_year": _l("目标年份"), "nature": _l("指标属性")},
}
# An indicator added by hand or removed (indicator:create, indicator:delete): the same words.
FIELD_LABELS_BY_ACTION["indicator"] = FIELD_LABELS_BY_ACTION["plan"]
# An API token (token:create, token:revoke): its scope is no project's 建设规模及内容.
FIELD_LABELS_BY_ACTION["token"] = {"token": _l("令牌"), "scope": _l("权限范围"), "expires_at": _l("到期时间")}
TOKEN_SCOPES = {"read": _l("只读"), "write": _l("读写")}
# Bookkeeping, not a change a reader needs to see.
HIDDEN_FIELDS = {"version", "project_version"}

VOCABULARY_FIELDS: dict[str, type[Vocabulary]] = {**{name: field.vocabulary for name, field in REGISTERED.items() if field.vocabulary},
                     "stage": Stage, "role": Role}
VOCABULARY_FIELDS_BY_ACTION: dict[str, dict[str, type[Vocabulary]]] = {
    **{group: {field.name: field.vocabulary for field in fields if field.vocabulary}
       for group, fields in RECORD_FIELDS.items()},
    "plan": {"decision": CandidateDecision, "nature": IndicatorNature},
    "indicator": {"nature": IndicatorNature}}
NUMBER_FIELDS = MONEY_FIELDS | {name for name, field in REGISTERED.items()
                                if field.numeric and field.unit != PERCENT}

VIA_LABELS = {"seed": _l("种子数据"), "import": _l("导入"), "cli": _l("命令行"), "web": _l("网页"),
              "api": _l("接口")}
ACTION_PREFIXES = {
    "project:": _l("项目"), "milestone:": _l("节点"), "report:": _l("月度填报"),
    "budget:": _l("概算调整"), "funding:": _l("资金来源"), "annual_plan:": _l("年度计划"),
    "plan:": _l("规划"), "indicator:": _l("规划指标"), "token:": _l("API 令牌"),
    "user:": _l("用户"), "setting:": _l("设置"), "region:": _l("行政区划"),
}


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    old: str
    new: str


def who(entry: AuditEntry) -> str:
    """The user's name, with the path when it was not the pages (ganzhou（接口）: a change a
    script made with his token reads as his, and says so), or the path alone when no user made it."""
    if entry.user is not None:
        if entry.via in ("api", "import", "cli"):
            return f"{entry.user.username}{aside([VIA_LABELS[entry.via]])}"
        return entry.user.username
    return str(VIA_LABELS.get(entry.via, entry.via))


def _action_group(entry: AuditEntry) -> str:
    return entry.action.split(":", 1)[0]


def field_label(entry: AuditEntry, field: str) -> str:
    label = FIELD_LABELS_BY_ACTION.get(_action_group(entry), {}).get(field) or FIELD_LABELS.get(field)
    return str(label) if label is not None else field


def _region_names(keys) -> str:
    names = dict(db.session.execute(sa.select(Region.key, Region.name).where(Region.key.in_(keys))).all())
    return "、".join(names.get(key, key) for key in keys)


def display_value(entry: AuditEntry, field: str, value) -> str:
    if value is None or value == "" or value == []:
        return str(_l("（空）"))
    if isinstance(value, bool):
        return str(_l("是") if value else _l("否"))
    if isinstance(value, dict) and set(value) == {"enabled"}:
        return str(_l("开启") if value["enabled"] else _l("关闭"))
    vocabulary = (VOCABULARY_FIELDS_BY_ACTION.get(_action_group(entry), {}).get(field)
                  or VOCABULARY_FIELDS.get(field))
    if vocabulary is not None and isinstance(value, str):
        try:
            return vocabulary(value).label
        except ValueError:
            return value
    if _action_group(entry) == "token":
        if field == "scope":
            return str(TOKEN_SCOPES.get(value, value))
        if field == "expires_at" and isinstance(value, str):
            try:  # stored in UTC: shown in 北京时间 as every time of the trail
                return clock.local(dt.datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M")
            except ValueError:
                return value
        if field == "token":
            return f"{value}…"
    if field == "region_id" and isinstance(value, int):
        region = db.session.get(Region, value)
        return region.full_name if region else str(value)
    if field == "regions" and isinstance(value, list):
        return _region_names([str(key) for key in value])
    if field == "region" and _action_group(entry) == "plan" and isinstance(value, str):
        # a plan's region, recorded by its code (or the tracker's key for a zone)
        region = db.session.scalar(sa.select(Region).where(sa.or_(Region.code == value, Region.key == value)))
        return region.full_name if region else value
    if field in NUMBER_FIELDS:
        try:
            return plain_number(Decimal(str(value)))
        except (InvalidOperation, ValueError):
            return str(value)
    if field in REGISTERED and REGISTERED[field].unit == PERCENT:
        return f"{value}%"
    if isinstance(value, list):
        return "、".join(str(item) for item in value)
    return str(value)


def _quotes_without_money(project_id: int | None) -> frozenset[str]:
    """The project's source mentions that quote no amount, as project:source entries print them
    ("file:line quote"). Read once per project and app context (a viewer's page)."""
    if project_id is None:
        return frozenset()
    cache = g.setdefault("_audit_quotes_without_money", {}) if has_app_context() else {}
    if project_id not in cache:
        rows: Sequence[tuple[str | None, str, int, str, list | None]] = db.session.execute(
            sa.select(Plan.source_file, Plan.key, SourceMention.line, SourceMention.quote, SourceMention.fields)
            .join(Plan, SourceMention.plan_id == Plan.id)
            .where(SourceMention.project_id == project_id)).all()
        cache[project_id] = frozenset(
            cited_line(source_file, key, line, quote) for source_file, key, line, quote, fields in rows
            if not set(fields or ()) & MONEY_SOURCE_FIELDS)
    return cache[project_id]


def _shows_money(entry: AuditEntry, field: str, old, new) -> bool:
    """Whether printing this change would print an amount."""
    if field in MONEY_FIELDS:
        return True
    if entry.action == "project:source" and field == "source":
        # The quote of a mention that supports an amount (MONEY_SOURCE_FIELDS). Fail closed: a
        # quote is shown only when it is known to quote none (its mention may since have been
        # removed, and then nobody can say).
        safe = _quotes_without_money(entry.project_id)
        return any(value not in safe for value in (old, new) if value not in (None, ""))
    return False


def _plan_titles() -> tuple[dict[str, str], dict[str, str]]:
    """Plan titles by key and by file name. Read once per app context (a page)."""
    cached = g.get("_audit_plan_titles") if has_app_context() else None
    if cached is None:
        rows = db.session.execute(sa.select(Plan.key, Plan.source_file, Plan.title)).all()
        cached = ({key: title for key, _file, title in rows},
                  {file: title for _key, file, title in rows if file})
        if has_app_context():
            g._audit_plan_titles = cached
    return cached


_QUOTE = re.compile(r"(?P<file>[^:\s]+):(?P<line>\d+) (?P<quote>.*)", re.S)


def _by_title(entry: AuditEntry, field: str, value):
    """A plan named by its title, as a reader knows it (issue 18): entries store its key (a
    ``plan`` change) or its file name (a quote, "file:line quote", of ``project:source``)."""
    if not isinstance(value, str):
        return value
    by_key, by_file = _plan_titles()
    if field == "plan":
        return by_key.get(value, value)
    if entry.action == "project:source" and field == "source":
        quoted = _QUOTE.fullmatch(value)
        # A seed plan is cited by its file, a plan added in the tracker by its key (cited_line).
        title = quoted and (by_file.get(quoted["file"]) or by_key.get(quoted["file"]))
        if quoted and title:
            return _("《%(plan)s》第%(line)s行：%(quote)s", plan=title, line=quoted["line"], quote=quoted["quote"])
    return value


def changes(entry: AuditEntry, show_money: bool = True) -> list[Change]:
    """Each change of the entry as label, old and new, ready to print.

    With ``show_money`` false (a viewer, when the admin hides money) an amount, or a plan quote
    that states one, prints as 已隐藏; the row stays, so the reader still sees what changed.
    """
    hidden = str(_l("已隐藏"))
    rows = []
    for field, pair in (entry.changes or {}).items():
        if field in HIDDEN_FIELDS:
            continue
        old, new = (list(pair) + [None, None])[:2] if isinstance(pair, (list, tuple)) else (None, pair)
        if old is None and (new is False or new == "" or new == []):
            continue  # from nothing to "no": a new record's unset flag says nothing
        if not show_money and _shows_money(entry, field, old, new):
            rows.append(Change(field, field_label(entry, field), hidden, hidden))
            continue
        rows.append(Change(field, field_label(entry, field),
                           display_value(entry, field, _by_title(entry, field, old)),
                           display_value(entry, field, _by_title(entry, field, new))))
    return rows


def timeline(entries: list[AuditEntry]) -> list[list[AuditEntry]]:
    """A project's history as the page lists it: one line per entry, except that consecutive
    entries of the seed (the project, its aliases, plans, quotes and milestones as first
    imported) are one group, one line "从规划导入，N 项" that opens on the entries."""
    groups: list[list[AuditEntry]] = []
    for entry in entries:
        if groups and entry.via == "seed" and groups[-1][-1].via == "seed":
            groups[-1].append(entry)
        else:
            groups.append([entry])
    return groups
