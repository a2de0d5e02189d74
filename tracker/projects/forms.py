from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..forms import FigureField, SaneDateField, TrackerForm, WholeNumberField
from ..regions.forms import RegionSelect, pick_from_every_region
from ..regions.services import grouped_choices
from ..validators import VERSION, ExactAmount
from ..vocabulary import BuildNature, Category, Kind, Status
from .fields import EDITABLE_FIELDS, PROJECT

NOT_STATED = ("", _l("未填报"))


# The project's fields as the form parses them: label, length and decimals are the registry's
# (projects/fields.py); the rules (bounds, 项目代码, 开工 before 竣工) are the services', whose
# ValidationFailed the view shows beside the fields.
def _text(name: str, field_class=StringField, **kwargs):
    registered = PROJECT[name]
    return field_class(registered.label, validators=[Optional(), Length(max=registered.max_length)],
                       **kwargs)


def _figure(name: str):
    registered = PROJECT[name]
    if registered.kind == "int":
        return WholeNumberField(registered.label, validators=[Optional()])
    return FigureField(registered.label, validators=[Optional(), ExactAmount(
        registered.places, unit=None if registered.money else registered.unit)])


def _choice(name: str, **kwargs):
    return SelectField(PROJECT[name].label, **kwargs)


class ProjectForm(TrackerForm):
    name = StringField(PROJECT["name"].label, validators=[DataRequired(_l("请填写项目名称")),
                                                          Length(max=PROJECT["name"].max_length)])
    # Spaces and lower case are the service's to tidy: the length is checked there.
    project_code = StringField(PROJECT["project_code"].label, validators=[Optional()],
                               description=_l("24位，例如 2021-360783-84-01-000013；尚未赋码可留空"))
    region_id = _choice("region_id", coerce=int, widget=RegionSelect())
    kind = _choice("kind")
    category = _choice("category")
    build_nature = _choice("build_nature")
    build_nature_term = _text("build_nature_term")
    location = _text("location")
    owner_unit = _text("owner_unit")
    supervising_department = _text("supervising_department")
    land_area_mu = _figure("land_area_mu")
    land_area_approx = BooleanField(PROJECT["land_area_approx"].label)
    floor_area_m2 = _figure("floor_area_m2")
    floor_area_approx = BooleanField(PROJECT["floor_area_approx"].label)
    floor_area_term = _text("floor_area_term", description=_l("如“总建筑面积”“建设面积”"))
    beds = _figure("beds")
    new_beds = _figure("new_beds")
    total_investment = _figure("total_investment")
    total_investment_approx = BooleanField(PROJECT["total_investment_approx"].label)
    scope = _text("scope", TextAreaField)
    status = _choice("status")
    planned_start = SaneDateField(PROJECT["planned_start"].label, validators=[Optional()])
    planned_end = SaneDateField(PROJECT["planned_end"].label, validators=[Optional()])
    reason = TextAreaField(_l("变更原因"), validators=[Optional(), Length(max=1000)],
                           description=_l("修改状态时必填"))
    add_lifecycle = BooleanField(_l("按标准建设流程生成节点（立项、可研……投入使用）"), default=True)
    version = HiddenField(validators=[VERSION])
    # The values the form was loaded with (JSON), so that a save changes only what was changed
    # here; and, after a conflict, the fields the person must choose for (comma-separated).
    loaded = HiddenField()
    contested = HiddenField()

    FIELDS = EDITABLE_FIELDS

    def __init__(self, *args, regions=(), every_region: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if every_region:  # an admin: the whole country, rendered once (regions/forms.py)
            pick_from_every_region(self.region_id, "id")
        else:
            self.region_id.choices = grouped_choices(regions)
        self.kind.choices = Kind.choices()
        self.category.choices = Category.choices()
        self.build_nature.choices = [NOT_STATED, *BuildNature.choices()]
        self.status.choices = [NOT_STATED, *Status.choices()]

    def values(self) -> dict:
        values = {name: getattr(self, name).data for name in self.FIELDS}
        for name in self.FIELDS:  # a blank text or an unstated choice is unknown, not ""
            if values[name] == "":
                values[name] = None
        return values


class RemovePlanForm(TrackerForm):
    """Taking a project out of one of its plans (a carry-over into the wrong plan, a candidate
    merged into the wrong project): said why, and confirmed."""
    reason = StringField(_l("移出原因"), validators=[DataRequired(_l("请说明移出原因")), Length(max=500)])
    confirm = BooleanField(_l("我确认将此项目移出该规划（项目本身、月报和操作记录不变）"),
                           validators=[DataRequired(_l("请勾选确认后再移出"))])
