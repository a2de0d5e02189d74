from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..forms import FigureField, SaneDateField, TrackerForm, WholeNumberField
from ..regions.forms import RegionSelect, pick_from_every_region
from ..regions.services import grouped_choices
from ..validators import VERSION, ExactAmount
from ..vocabulary import BuildNature, Category, Kind, Status

MONEY = ExactAmount(4)
AREA = ExactAmount(2)
NOT_STATED = ("", _l("未填报"))


class ProjectForm(TrackerForm):
    name = StringField(_l("项目名称"), validators=[DataRequired(_l("请填写项目名称")), Length(max=200)])
    project_code = StringField(_l("项目代码"), validators=[Optional(), Length(max=30)],
                               description=_l("24位，例如 2021-360783-84-01-000013；尚未赋码可留空"))
    region_id = SelectField(_l("地区"), coerce=int, widget=RegionSelect())
    kind = SelectField(_l("项目类型"))
    category = SelectField(_l("类别"))
    build_nature = SelectField(_l("建设性质"))
    build_nature_term = StringField(_l("建设性质（原文表述）"), validators=[Optional(), Length(max=50)])
    location = StringField(_l("建设地点"), validators=[Optional(), Length(max=200)])
    owner_unit = StringField(_l("建设单位"), validators=[Optional(), Length(max=200)])
    supervising_department = StringField(_l("主管部门"), validators=[Optional(), Length(max=200)])
    land_area_mu = FigureField(_l("占地面积（亩）"), validators=[Optional(), AREA])
    land_area_approx = BooleanField(_l("约数"))
    floor_area_m2 = FigureField(_l("总建筑面积（m²）"), validators=[Optional(), AREA])
    floor_area_approx = BooleanField(_l("约数"))
    floor_area_term = StringField(_l("面积口径"), validators=[Optional(), Length(max=50)],
                                  description=_l("如“总建筑面积”“建设面积”"))
    beds = WholeNumberField(_l("床位（张）"), validators=[Optional(), NumberRange(0, 100000, _l("床位应在 0 到 100000 之间"))])
    new_beds = WholeNumberField(_l("新增床位（张）"), validators=[Optional(), NumberRange(0, 100000, _l("床位应在 0 到 100000 之间"))])
    total_investment = FigureField(_l("总投资（万元）"), validators=[Optional(), MONEY])
    total_investment_approx = BooleanField(_l("约数"))
    scope = TextAreaField(_l("建设规模及内容"), validators=[Optional(), Length(max=5000)])
    status = SelectField(_l("状态"))
    planned_start = SaneDateField(_l("计划开工日期"), validators=[Optional()])
    planned_end = SaneDateField(_l("计划竣工日期"), validators=[Optional()])
    reason = TextAreaField(_l("变更原因"), validators=[Optional(), Length(max=1000)],
                           description=_l("修改状态时必填"))
    add_lifecycle = BooleanField(_l("按标准建设流程生成节点（立项、可研……投入使用）"), default=True)
    version = HiddenField(validators=[VERSION])
    # The values the form was loaded with (JSON), so that a save changes only what was changed
    # here; and, after a conflict, the fields the person must choose for (comma-separated).
    loaded = HiddenField()
    contested = HiddenField()

    FIELDS = ("name", "project_code", "region_id", "kind", "category", "build_nature",
              "build_nature_term", "location", "owner_unit", "supervising_department",
              "land_area_mu", "land_area_approx", "floor_area_m2", "floor_area_approx",
              "floor_area_term", "beds", "new_beds", "total_investment", "total_investment_approx",
              "scope", "status", "planned_start", "planned_end")

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
        for name in ("build_nature_term", "location", "owner_unit", "supervising_department",
                     "floor_area_term", "scope", "project_code", "build_nature", "status"):
            values[name] = values[name] or None
        return values
