"""The list's columns a user chooses, and the choice kept per user (``User.list_columns``).

The project's name and region always show: they say which row is which. Every other column is
the reader's choice; ``None`` (never chosen, or "恢复默认") is the default set, so a column added
later reaches everyone who has not chosen.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _, lazy_gettext as _l

from ..extensions import db
from ..projects.fields import PROJECT


@dataclass(frozen=True)
class Column:
    key: str
    label: object  # a lazy string: read in the reader's language
    money: bool = False  # an amount (or a ratio of amounts): hidden where money is hidden


COLUMNS = (
    Column("plan", _l("规划")),
    Column("category", _l("类别")),
    Column("build_nature", _l("建设性质")),
    Column("status", _l("状态")),
    # A project field's column is labelled, and hidden as money, as the registry says.
    Column("investment", PROJECT["total_investment"].label, money=PROJECT["total_investment"].money),
    Column("floor_area", PROJECT["floor_area_m2"].label),
    Column("beds", PROJECT["beds"].label),
    Column("progress", _l("工程进度")),
    Column("invested", PROJECT["invested_to_date"].label, money=PROJECT["invested_to_date"].money),
    Column("rate", _l("投资完成率"), money=True),
    Column("last_report", _l("最近月报")),
    Column("late", _l("滞后")),
)
BY_KEY = {column.key: column for column in COLUMNS}
DEFAULT = tuple(column.key for column in COLUMNS)


class UnknownColumn(ValueError):
    pass


def chosen(user) -> tuple[str, ...]:
    """The keys of the columns ``user`` reads, in the list's order."""
    keys = getattr(user, "list_columns", None) if getattr(user, "is_authenticated", False) else None
    if keys is None:
        return DEFAULT
    wanted = set(keys)
    return tuple(column.key for column in COLUMNS if column.key in wanted)


def set_columns(actor, user, keys: list[str] | None) -> None:
    """Keep ``user``'s choice of columns; ``None`` goes back to the default. A preference of the
    reader's own, changing no project: not audited."""
    if keys is not None:
        for key in keys:
            if key not in BY_KEY:
                raise UnknownColumn(_("没有名为 %(key)s 的列", key=key[:40]))
        keys = [column.key for column in COLUMNS if column.key in set(keys)]
    user.list_columns = keys
    db.session.flush()
