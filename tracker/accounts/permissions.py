"""Who may do what. Permissions are named ``resource:action`` and checked here, in one place.

- admin: everything.
- officer: edits the projects of his regions (a city includes its counties); reads the rest.
- leader: reads everything, changes nothing.
- viewer: reads; money figures hidden when the admin so sets.
"""

from __future__ import annotations

from functools import wraps
from typing import Protocol

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import Forbidden

from ..regions.models import Region
from ..vocabulary import Role

READ = "portfolio:read"
EDIT_PROJECT = "project:edit"
CREATE_PROJECT = "project:create"
MANAGE_USERS = "user:manage"
READ_AUDIT = "audit:read"
MANAGE_SETTINGS = "settings:manage"

ROLE_PERMISSIONS = {
    Role.ADMIN: {READ, EDIT_PROJECT, CREATE_PROJECT, MANAGE_USERS, READ_AUDIT, MANAGE_SETTINGS},
    Role.OFFICER: {READ, EDIT_PROJECT, CREATE_PROJECT},
    Role.LEADER: {READ, READ_AUDIT},
    Role.VIEWER: {READ},
}


def has_permission(user, permission: str) -> bool:
    return bool(user and user.is_authenticated and permission in ROLE_PERMISSIONS.get(user.role, ()))


class _Placed(Protocol):
    """A Region, or a picker's RegionChoice: what has a place in the tree."""

    @property
    def path(self) -> str: ...


def covers_region(user, region: _Placed) -> bool:
    """An officer's regions cover their own projects and those of the counties below them."""
    if user.role is Role.ADMIN:
        return True
    if user.role is not Role.OFFICER:
        return False
    return any(region.path.startswith(own.path) for own in user.regions)


def can_edit_project(user, project) -> bool:
    return has_permission(user, EDIT_PROJECT) and covers_region(user, project.region)


def can_create_in(user, region: Region) -> bool:
    return has_permission(user, CREATE_PROJECT) and covers_region(user, region)


def require(permission: str):
    """A view decorator: 403 unless the current user holds ``permission``."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not has_permission(current_user, permission):
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


class NotYours(Forbidden):
    """A 403 that says why (the error page shows ``reason``)."""

    def __init__(self, reason: str):
        super().__init__()
        self.reason = reason


def why_not_edit(user, project) -> str | None:
    """Why ``user`` may not edit ``project``, in his words: "该项目属于阳江市；您负责：龙南市"."""
    if not (user and user.is_authenticated) or can_edit_project(user, project):
        return None
    if not has_permission(user, EDIT_PROJECT):
        return _("您的角色（%(role)s）只能查看项目，不能修改。", role=user.role.label)
    yours = "、".join(region.name for region in user.regions) or _("（尚未分配地区，请联系管理员）")
    return _("该项目属于%(region)s；您负责：%(yours)s", region=project.region.name, yours=yours)


def require_project_edit(project) -> None:
    reason = why_not_edit(current_user, project)
    if reason:
        raise NotYours(reason)
    if not can_edit_project(current_user, project):
        abort(403)
