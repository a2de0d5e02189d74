"""Helpers every view uses on a request: load, act as the signed-in user, redirect safely.

They live here, not in one domain's views, so that a view never imports another domain's view.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, url_for
from flask_login import current_user

from ..audit.services import Actor
from ..extensions import db
from ..projects.models import Project


def get_project(project_id: int) -> Project:
    """The project, or 404."""
    project = db.session.get(Project, project_id)
    if project is None:
        abort(404)
    return project


def web_actor() -> Actor:
    """The signed-in user acting through a page."""
    return Actor(current_user._get_current_object(), "web")


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("portfolio.index")
