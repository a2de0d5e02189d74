from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField

from ..forms import TrackerForm


class HomeForm(TrackerForm):
    """The default scope: the pickers are the list's own (templates/home/scope.html)."""

    region = StringField(_l("地区"))
    plan = StringField(_l("规划"))
    period = StringField(_l("规划期"))


class SaveViewForm(TrackerForm):
    name = StringField(_l("视图名称"))
    page = HiddenField()
    query = HiddenField()


class RenameViewForm(TrackerForm):
    name = StringField(_l("新名称"))


class DeleteViewForm(TrackerForm):
    pass
