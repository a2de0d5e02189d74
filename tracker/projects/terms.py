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

from ..vocabulary import Kind, Status

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


def _listed(labels) -> str:
    return pgettext("列举的分隔号", "、").join(labels)


def building_portfolio_label() -> str:
    """What the list's kind menu and an export's description call the construction portfolio."""
    return _("建设类项目（%(kinds)s）", kinds=_listed(kind.label for kind in BUILDING_KINDS))


def every_kind_label() -> str:
    """The menu's and an export's name for every kind: the ones the portfolio leaves out, named."""
    return _("全部（含%(kinds)s）",
             kinds=_listed(kind.label for kind in Kind if kind not in BUILDING_KINDS))
