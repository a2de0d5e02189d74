"""/admin/audit: every audit entry, newest first, filtered by the query string. Read-only:
there is no route that edits or deletes an entry."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from ..accounts.permissions import READ_AUDIT, require
from ..portfolio.queries import BadPageRequest
from ..portfolio.queries import page_number as page_number_of
from . import display, messages, queries

bp = Blueprint("audit", __name__)
PER_PAGE = 50


@bp.app_template_global("audit_who")
def audit_who(entry) -> str:
    return display.who(entry)


@bp.app_template_global("audit_changes")
def audit_changes(entry, show_money: bool = True) -> list[display.Change]:
    return display.changes(entry, show_money)


@bp.app_template_global("audit_summary")
def audit_summary(entry, show_money: bool = True) -> str:
    return messages.summary(entry, show_money)


@bp.app_template_global("audit_timeline")
def audit_timeline(entries) -> list[list]:
    return display.timeline(entries)


@bp.get("/admin/audit")
@require(READ_AUDIT)
def audit_log():
    audit_filter = queries.AuditFilter.from_args(request.args)
    problems = audit_filter.problems()
    page_number = 1
    try:
        page_number = page_number_of(request.args.get("page"))
    except BadPageRequest as bad:
        problems.append(str(bad))
    page = None if problems else queries.audit_page(audit_filter, page_number, PER_PAGE)
    names = queries.project_names(entry.project_id for entry in page.items) if page else {}
    return render_template("audit/log.html", filter=audit_filter, page=page, problems=problems,
                           project_names=names, via_labels=display.VIA_LABELS,
                           action_prefixes=display.ACTION_PREFIXES), 400 if problems else 200
