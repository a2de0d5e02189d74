"""A project 取消 or 投用 owes no milestone, one 在建 none up to 开工, one 竣工 none up to 竣工验收
(projects/terms.py, ``owes``): their kept ``next_milestone_due`` (滞后) is recomputed, and the kept portfolio figures
that count it rebuilt. A cancelled project stayed 滞后 on the dashboard.

Revision ID: e4b8d2f6a1c9
Revises: d7f1a3c5e9b2
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "e4b8d2f6a1c9"
down_revision = "d7f1a3c5e9b2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from tracker.portfolio.kept import rebuild
    from tracker.progress.upkeep import refresh_project_figures

    connection = op.get_bind()
    ids = connection.scalars(sa.text(
        "SELECT id FROM projects WHERE status IN ('cancelled', 'in_use', 'completed', 'construction')")).all()
    for start in range(0, len(ids), 5000):
        refresh_project_figures(connection, ids[start:start + 5000])
    if ids:
        rebuild(connection)


def downgrade() -> None:
    pass  # the figures then kept are the older rule's; nothing of the schema changed
