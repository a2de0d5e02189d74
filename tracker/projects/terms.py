"""The portfolio's business terms, each defined once.

What a leader reads on the dashboard, what the reminders mail, what the list filters and the
exports select must mean the same thing. The sets of codes live here; the predicates built on
them are hybrid attributes of ``Project`` (``projects/models.py``), so one definition answers both
in Python (``project.is_late(today)``) and in SQL (``Project.is_late(today)`` in a WHERE or a
CASE). ``tests/test_terms.py`` checks every term both ways. Nothing else may copy these sets.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import pgettext

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import QueryableAttribute

from ..vocabulary import Kind, Stage, Status

# 建设类项目: the construction portfolio. Programmes (专项工程/行动), IT platforms and grade awards
# (等级创建) are tracked but kept out of its totals, its reminders and its default list.
BUILDING_KINDS = (Kind.CONSTRUCTION, Kind.EQUIPMENT)

# 已开工 by status alone. 停缓建 is not here: 缓建 is a project put off, possibly before any work;
# a halted project counts as started only when its 开工 milestone has an actual date
# (``Project.has_started``).
STARTED_STATUSES = (Status.CONSTRUCTION, Status.COMPLETED, Status.IN_USE)

# Who owes a monthly report (本月未报): projects being built, and projects halted, who must say
# each month why and what happens next (存在问题, 下步计划): a halted project gone silent is the
# one a leader most needs news of.
REPORTING_STATUSES = (Status.CONSTRUCTION, Status.SUSPENDED)

# 已竣工: the works are finished (竣工) or in use (投用): new beds count as added.
DONE_STATUSES = (Status.COMPLETED, Status.IN_USE)

# Which milestones a project still owes (滞后 is an owed milestone past its planned date): a
# project 取消 owes none, nor one 投用; one 在建 has passed every stage up to 开工, dated or not
# (it has started: ``Project.has_started``), one 竣工 every stage up to 竣工验收; each still owes
# the later stages and its own (custom) milestones. A cancelled project was listed 滞后 341 天
# on the dashboard, a completed one whose 竣工验收 nobody dated too, and a project 在建 was counted
# 已开工 beside its 开工 "overdue 1,011 days" on the same page.
Column = sa.ColumnElement[Any] | QueryableAttribute[Any]
OWES_NO_MILESTONE = (Status.CANCELLED, Status.IN_USE)
PASSED_BY_STATUS = {
    Status.CONSTRUCTION: tuple(stage for stage in Stage if stage.position <= Stage.START.position),
    Status.COMPLETED: tuple(stage for stage in Stage if stage.position <= Stage.ACCEPTANCE.position),
}


def owes(status: Status | None, stage: Stage | None) -> bool:
    """Whether a project of this status still owes a milestone of this stage (None: custom)."""
    if status in OWES_NO_MILESTONE:
        return False
    return stage is None or status is None or stage not in PASSED_BY_STATUS.get(Status(status), ())


def owes_expression(status: Column, stage: Column) -> sa.ColumnElement[bool]:
    """``owes`` in SQL, on a project's status column and a milestone's stage column."""
    return sa.and_(
        sa.or_(status.is_(None), status.not_in(OWES_NO_MILESTONE)),
        sa.or_(status.is_(None), stage.is_(None),
               sa.and_(*(sa.or_(status != passed, stage.not_in(stages)) for passed, stages in PASSED_BY_STATUS.items()))))


def _listed(labels) -> str:
    return pgettext("列举的分隔号", "、").join(labels)


def building_portfolio_label() -> str:
    """What the list's kind menu and an export's description call the construction portfolio."""
    return _("建设类项目（%(kinds)s）", kinds=_listed(kind.label for kind in BUILDING_KINDS))


def every_kind_label() -> str:
    """The menu's and an export's name for every kind: the ones the portfolio leaves out, named."""
    return _("全部（含%(kinds)s）",
             kinds=_listed(kind.label for kind in Kind if kind not in BUILDING_KINDS))
