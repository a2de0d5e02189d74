"""Helpers every view uses on a request: load (or 404), authorize (or 403 with the reason), act as
the signed-in user, report a refusal, redirect safely.

They live here, not in one domain's views, so that a view never imports another domain's view.
A view starts with one of them: ``project = editable_project(project_id)`` loads, checks access
and says why not, in one line, the same on every page that changes a project.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote, urlsplit

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from ..accounts.permissions import require_project_edit
from ..audit.services import Actor
from ..errors import ValidationFailed
from ..forms import BIGINT_LIMIT
from ..extensions import db
from ..projects.models import Project
from ..unit_of_work import abandon


def get_project(project_id: int) -> Project:
    """The project, or 404."""
    project = db.session.get(Project, project_id)
    if project is None:
        abort(404)
    return project


def editable_project(project_id: int) -> Project:
    """The project the signed-in user may change: 404 when there is none, 403 with the reason
    ("该项目属于阳江市；您负责：龙南市") when it is not his to edit."""
    project = get_project(project_id)
    require_project_edit(project)
    return project


def web_actor() -> Actor:
    """The signed-in user acting through a page."""
    return Actor(current_user._get_current_object(), "web")


def refused(location: str, failure: ValidationFailed):
    """A refusal told on the page ``location`` (flashed), for a button with no form of its own to
    show it: nothing of the request is kept (``unit_of_work.abandon``)."""
    abandon()
    for messages in failure.errors.values():
        for message in messages:
            flash(message, "error")
    return redirect(location)


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect. A control character (a line break in
    ``/projects%0A``) makes no path either: werkzeug refuses it in a Location header, a 500 after
    a correct password."""
    if target and not any(ord(character) < 0x20 or ord(character) == 0x7F for character in target):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("portfolio.index")


def form_id(name: str) -> int | None:
    """A row's id posted in the form field ``name``; None when absent, not a number, or outside
    what an id column holds (a hostile 99999999999999999999 would overflow the database's INTEGER)."""
    value = request.form.get(name, type=int)
    return value if value is not None and 0 < value <= BIGINT_LIMIT else None


def attachment(name: str, plain_name: str | None = None) -> dict:
    """Content-Disposition for a Chinese file name: ``filename*`` in UTF-8, and for a client that
    reads only ``filename`` a name in ASCII of its own (dropping the Chinese of 项目清单-龙南市-…
    left "--20261207-1551.csv", and of 项目导入模板.xlsx a hidden ".xlsx")."""
    plain_name = plain_name or unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode() or "export"
    return {"Content-Disposition": f"attachment; filename=\"{plain_name}\"; "
                                   f"filename*=UTF-8''{quote(name, safe='')}",
            "Cache-Control": "no-store"}
