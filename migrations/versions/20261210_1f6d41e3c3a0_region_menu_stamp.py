"""A second change stamp, the region menu's (``portfolio_changes`` row 2; portfolio/cache.py, MENU).

The filters' region menu (regions/services.py) shows the regions that hold projects. It was kept
under the portfolio's stamp, which every report filed moves, so after each write a list page or
the dashboard probed every region for projects again to see whether the menu had changed (~4 ms
of SQL on PostgreSQL at 100,000 projects). Row 2 moves only when the regions change or a project
is added, deleted or moved to another region. It starts at a random number, as row 1 does.

Revision ID: 1f6d41e3c3a0
Revises: f3a8c6e2d4b1
Create Date: 2026-12-07
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "1f6d41e3c3a0"
down_revision = "f3a8c6e2d4b1"
branch_labels = None
depends_on = None

changes = sa.table("portfolio_changes", sa.column("id", sa.Integer), sa.column("stamp", sa.BigInteger))
MENU = 2


def upgrade() -> None:
    op.bulk_insert(changes, [{"id": MENU, "stamp": secrets.randbits(62)}])


def downgrade() -> None:
    op.execute(changes.delete().where(changes.c.id == MENU))
