"""Reading the audit trail: a project's history, and every entry with the filters of /admin/audit.

The trail is append-only: nothing here (or anywhere) edits or deletes an entry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, fields

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from ..core import clock
from ..core.translation import labelled
from ..accounts.models import User
from ..core.values import ValueProblem, clean_text, parse_date
from ..errors import StaleEdit
from ..extensions import db
from ..portfolio.queries import MAX_INT, Page
from ..projects.models import Project
from ..projects.search import searchable
from .display import VIA_LABELS
from .models import AuditEntry


def project_history(project_id: int, limit: int = 100) -> list[AuditEntry]:
    """The project's entries, newest first (the index on project_id, occurred_at serves it)."""
    return list(db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.project_id == project_id)
        .order_by(AuditEntry.occurred_at.desc(), AuditEntry.id.desc())
        .options(selectinload(AuditEntry.user))
        .limit(limit)))


def changes_since(obj, action: str, version: int) -> list[AuditEntry]:
    """The ``action`` entries of ``obj`` saved after its ``version``, oldest first: what others
    changed while an edit begun at that version was open (the conflict pages, the API's 412).
    Every such entry records ``version`` among its changes; the project narrows the search to
    its history (the index on project_id, occurred_at)."""
    project_id = obj.id if isinstance(obj, Project) else getattr(obj, "project_id", None)  # a plan: none
    entries = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.project_id == project_id if project_id is not None else AuditEntry.project_id.is_(None),
               AuditEntry.object_type == type(obj).__name__,
               AuditEntry.object_id == obj.id, AuditEntry.action == action)
        .order_by(AuditEntry.id)
        .options(selectinload(AuditEntry.user)))
    return [entry for entry in entries if (entry.changes.get("version") or [0, 0])[1] > version]


def net_changes(entries: list[AuditEntry], fields) -> dict[str, list]:
    """Others' saves since a form was loaded (``changes_since``), as one ``{field: [before,
    after]}`` of the ``fields`` the form holds, a field changed and changed back left out."""
    net: dict[str, list] = {}
    for entry in entries:
        for name, (old, new) in entry.changes.items():
            if name in fields:
                net[name] = [net[name][0] if name in net else old, new]
    return {name: pair for name, pair in net.items() if pair[0] != pair[1]}


def require_version(obj, action: str, expected: int | None) -> None:
    """Refuse an edit begun at another version of ``obj`` than the one saved (``StaleEdit``, with
    the ``action`` entries saved since, for the conflict page or the API's 412). ``None``: the
    caller read no version (the importer, the CLI), nothing to compare."""
    if expected is not None and obj.version != expected:
        raise StaleEdit(changes_since(obj, action, expected))


def _parse_date(value: str | None) -> dt.date | None:
    """The day a filter names, inside the range every date field shares; None when unusable
    (``AuditFilter.problems`` says why)."""
    try:
        return parse_date(value)
    except ValueProblem:
        return None


def _is_iso_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _project_id(value: str) -> int | None:
    """A project number as typed, full-width digits too (２５４: an input method's full-width
    mode); "²" is a digit to Python, not a number."""
    value = searchable(value.strip())
    if value.isascii() and value.isdigit():
        return int(value)
    return None


@dataclass(frozen=True)
class AuditFilter:
    """What the query string of /admin/audit selects. Dates are local (Asia/Shanghai) days."""

    user: str | None = None
    via: str | None = None
    action: str | None = None  # a prefix: "project:" selects every project change
    project: str | None = None  # a project id, or words of its name
    date_from: str | None = None
    date_to: str | None = None

    @classmethod
    def from_args(cls, args) -> AuditFilter:
        values = {}
        for item in fields(cls):
            raw = clean_text(args.get(item.name))
            if raw:
                values[item.name] = raw[:200]
        return cls(**values)

    def to_args(self, **overrides) -> dict:
        values = {**asdict(self), **overrides}
        return {key: value for key, value in values.items() if value}

    def problems(self) -> list[str]:
        found = []
        for name, label in (("date_from", _("起始日期")), ("date_to", _("截止日期"))):
            value = getattr(self, name)
            try:
                parse_date(value)
            except ValueProblem as problem:
                if _is_iso_date(value):  # a real day, outside the range every date field shares
                    found.append(labelled(label, f"{problem}（{value}）"))
                else:
                    found.append(_("%(label)s应为“年-月-日”格式，例如 2024-05-31：%(value)s",
                                   label=label, value=value[:40]))
        project_id = _project_id(self.project or "")
        if project_id is not None and project_id > MAX_INT:
            found.append(_("没有编号为 %(id)s 的项目", id=(self.project or "")[:40]))
        start, end = _parse_date(self.date_from), _parse_date(self.date_to)
        if start and end and end < start:
            found.append(_("截止日期不能早于起始日期"))
        if self.via and self.via not in VIA_LABELS:
            found.append(_("途径 %(value)s 无效", value=self.via))
        if self.user and db.session.scalar(
                sa.select(User.id).where(User.username == self.user.lower())) is None:
            found.append(_("没有用户名为 %(name)s 的用户", name=self.user))
        return found

    def _local_midnight_utc(self, day: dt.date) -> dt.datetime:
        return clock.local_day_bounds(day)[0]

    def conditions(self) -> list:
        clauses = []
        if self.user:
            clauses.append(AuditEntry.user_id == sa.select(User.id).where(
                User.username == self.user.lower()).scalar_subquery())
        if self.via:
            clauses.append(AuditEntry.via == self.via)
        if self.action:
            clauses.append(AuditEntry.action.startswith(self.action, autoescape=True))
        if self.project:
            project_id = _project_id(self.project)
            if project_id is not None:
                clauses.append(AuditEntry.project_id == project_id)
            else:
                clauses.append(AuditEntry.project_id.in_(sa.select(Project.id).where(
                    Project.search_text.contains(searchable(self.project), autoescape=True))))
        if start := _parse_date(self.date_from):
            clauses.append(AuditEntry.occurred_at >= self._local_midnight_utc(start))
        if end := _parse_date(self.date_to):
            clauses.append(AuditEntry.occurred_at < self._local_midnight_utc(end + dt.timedelta(days=1)))
        return clauses

    @property
    def is_default(self) -> bool:
        return not self.to_args()


# Counting millions of entries to number the pages costs more than the page itself; beyond this
# many the page says "more than" and the reader narrows the filter.
COUNT_CAP = 10_000


@dataclass(frozen=True)
class AuditPage(Page[AuditEntry]):
    capped: bool = False  # more than COUNT_CAP entries match; ``total`` is the cap


def audit_page(audit_filter: AuditFilter, page: int, per_page: int = 50) -> AuditPage:
    conditions = audit_filter.conditions()
    matching = sa.select(AuditEntry.id).where(*conditions).limit(COUNT_CAP + 1).subquery()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(matching)) or 0
    capped = total > COUNT_CAP
    total = min(total, COUNT_CAP)
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    entries = db.session.scalars(
        sa.select(AuditEntry).where(*conditions)
        .order_by(AuditEntry.occurred_at.desc(), AuditEntry.id.desc())
        .options(selectinload(AuditEntry.user))
        .limit(per_page).offset((page - 1) * per_page))
    return AuditPage(list(entries), page, per_page, total, capped=capped)


def project_names(project_ids) -> dict[int, str]:
    """The names of the projects that still exist (an entry outlives its project)."""
    ids = {project_id for project_id in project_ids if project_id is not None}
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(Project.id, Project.name).where(Project.id.in_(ids))).all())
