"""Import templates filled in for the user: the monthly-report sheet lists the reports he owes.

The projects are those 本月未报 counts for him (``Project.owes_report`` through
``reminders.services.owing_reports``: building projects 在建 or 停缓建 of his regions without this
month's report), each with its 项目ID, name and the month, and, to
read while filling it in, the month and 自开工累计 of its last report.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..accounts.permissions import covers_region
from ..extensions import db
from ..projects.models import Project
from ..regions.models import Region
from ..reminders.services import owing_reports
from ..vocabulary import Role


def due_reports(user, month: dt.date, *, limit: int) -> list[dict]:
    """One row per project ``user`` must still report for ``month`` (column key → value)."""
    if user.role is Role.ADMIN:
        selection = owing_reports(month)
    elif user.regions:
        selection = owing_reports(month, [region.key for region in user.regions])
    else:
        return []
    projects = db.session.scalars(
        sa.select(Project).join(Region, Project.region_id == Region.id)
        .where(selection)
        .order_by(Region.path, Project.name, Project.id).limit(limit)
        .options(selectinload(Project.region))).all()
    return [{"id": project.id, "project_code": project.project_code, "name": project.name,
             "region": project.region.key, "month": month,
             "previous_month": project.last_report_month,
             "previous_total": project.invested_to_date}
            for project in projects if covers_region(user, project.region)]
