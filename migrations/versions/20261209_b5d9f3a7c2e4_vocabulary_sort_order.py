"""The list sorted by 状态, 类别 or 建设性质 in the vocabulary's order, from indexes.

Sorting by 状态 ordered the stored codes alphabetically: 取消 (cancelled), 竣工 (completed), 在建
(construction), 投用 (in_use), 前期 (preparation), 储备, 停缓建, an order that means nothing in
either language. The list now sorts by each code's place in its vocabulary
(``projects.models.vocabulary_order``: 储备, 前期, 在建, 竣工, 投用, 停缓建, 取消); two indexes on
that expression per column give both orders, and the ascending (column, id) index stays for the
filters on the column. The codes and their order are written here as they were when this was
written: a vocabulary that changes its members or their order needs a migration of its own.

Revision ID: b5d9f3a7c2e4
Revises: c7e2a4f9b1d6
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "b5d9f3a7c2e4"
down_revision = "c7e2a4f9b1d6"
branch_labels = None
depends_on = None

ORDERS = {
    "category": ("general_hospital", "tcm_hospital", "maternal_child", "cdc", "infectious_disease",
                 "emergency_120", "supplies_depot", "laboratory", "township_clinic", "elderly_care",
                 "mental_health", "blood_station", "other"),
    "build_nature": ("new", "expansion", "renovation", "renovation_expansion", "relocation"),
    "status": ("reserve", "preparation", "construction", "completed", "in_use", "suspended", "cancelled"),
}
NOT_NULL = ("category",)


def place(column: str) -> str:
    """``vocabulary_order`` as SQL (literal constants, as the list's queries write it)."""
    codes = ORDERS[column]
    whens = " ".join(f"WHEN '{code}' THEN {number}" for number, code in enumerate(codes))
    return (f"CASE {column} {whens} ELSE CASE WHEN ({column} IS NOT NULL) THEN {len(codes)} END END")


def upgrade() -> None:
    descending = "DESC NULLS LAST" if op.get_bind().dialect.name == "postgresql" else "DESC"
    for column in ORDERS:
        op.drop_index(f"ix_projects_sort_{column}_desc", table_name="projects")
        op.create_index(f"ix_projects_order_{column}", "projects", [sa.text(f"({place(column)})"), "id"])
        op.create_index(f"ix_projects_order_{column}_desc", "projects",
                        [sa.text(f"({place(column)}) {'DESC' if column in NOT_NULL else descending}"), "id"])


def downgrade() -> None:
    descending = "DESC NULLS LAST" if op.get_bind().dialect.name == "postgresql" else "DESC"
    for column in reversed(ORDERS):
        op.drop_index(f"ix_projects_order_{column}_desc", table_name="projects")
        op.drop_index(f"ix_projects_order_{column}", table_name="projects")
        op.create_index(f"ix_projects_sort_{column}_desc", "projects",
                        [sa.text(f"{column} {'DESC' if column in NOT_NULL else descending}"), "id"])
