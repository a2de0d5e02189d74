from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..vocabulary import Category, IndicatorNature, Kind
from ..forms import FigureField, SaneDateField, TrackerForm, WholeNumberField
from ..validators import VERSION
from ..projects.fields import PROJECT


class PlanForm(TrackerForm):
    document = FileField(_l("规划原文（.txt、.md、.docx 或 .pdf）"),
                         validators=[FileRequired(_l("请选择规划原文文件"))])
    # The plan's facts are parsed here and checked by services.check_plan, all at once.
    key = StringField(_l("编号"), validators=[Optional()])
    title = StringField(_l("规划名称"))
    region = StringField(_l("行政区划"))
    period = StringField(_l("规划期"), default="2026-2030")
    issuer = StringField(_l("发文单位"), validators=[Optional()])
    doc_number = StringField(_l("文号"), validators=[Optional()])
    issued_date = SaneDateField(_l("印发日期"), validators=[Optional()])


class PlanEditForm(TrackerForm):
    """A plan's facts corrected (its text and key stay), and the version they were read at."""

    title = StringField(_l("规划名称"))
    region = StringField(_l("行政区划"))
    period = StringField(_l("规划期"))
    issuer = StringField(_l("发文单位"), validators=[Optional()])
    doc_number = StringField(_l("文号"), validators=[Optional()])
    issued_date = SaneDateField(_l("印发日期"), validators=[Optional()])
    version = HiddenField(validators=[VERSION])


class WithdrawForm(TrackerForm):
    reason = StringField(_l("撤回原因"), validators=[DataRequired(_l("请说明撤回原因")), Length(max=500)])
    confirm = BooleanField(_l("我确认撤回此规划：其原文、从原文找到的项目和指标将一并删除"),
                           validators=[DataRequired(_l("请勾选确认后再撤回"))])


class CandidateForm(TrackerForm):
    """A project candidate as a person corrects it before accepting."""

    name = StringField(_l("项目名称"), validators=[DataRequired(_l("请填写项目名称"))])
    region = StringField(_l("行政区划代码"), validators=[Optional()])
    category = SelectField(_l("类别"), choices=lambda: [(c.value, c.label) for c in Category],
                           validators=[Optional()])
    kind = SelectField(_l("项目类型"), choices=lambda: [(k.value, k.label) for k in Kind], validators=[Optional()])
    # The figures, by seed name, labelled as the project's fields they fill (projects/fields.py).
    total_investment_wan_yuan = FigureField(PROJECT["total_investment"].label, validators=[Optional()])
    floor_area_m2 = FigureField(PROJECT["floor_area_m2"].label, validators=[Optional()])
    land_area_mu = FigureField(PROJECT["land_area_mu"].label, validators=[Optional()])
    beds = WholeNumberField(PROJECT["beds"].label, validators=[Optional()])
    new_beds = WholeNumberField(PROJECT["new_beds"].label, validators=[Optional()])
    # Accepted though a tracked project's name matches it as plans print names (services.accept_candidate).
    different = BooleanField(_l("确是另一个项目"))


class IndicatorForm(TrackerForm):
    """An indicator candidate as a person corrects it before accepting (services.accept_indicator)."""

    section = StringField(_l("领域"), validators=[Optional(), Length(max=100)])
    name = StringField(_l("指标"), validators=[DataRequired(_l("请填写指标名称")), Length(max=200)])
    unit = StringField(_l("单位"), validators=[Optional(), Length(max=50)])
    baseline = StringField(_l("基期值"), validators=[Optional(), Length(max=100)])
    baseline_year = WholeNumberField(_l("基期年份"), validators=[Optional()])
    target = StringField(_l("目标值"), validators=[Optional(), Length(max=100)])
    target_year = WholeNumberField(_l("目标年份"), validators=[Optional()])
    nature = SelectField(_l("指标属性"), choices=lambda: [("", "—")] + [(n.value, n.label) for n in IndicatorNature],
                         validators=[Optional()])


class HandIndicatorForm(IndicatorForm):
    """An indicator the reading missed, added by hand with the lines it is printed on."""

    lines = StringField(_l("原文行号"), validators=[DataRequired(_l("请填写指标所在的原文行号")), Length(max=50)],
                        description=_l("指标印在原文的第几行，如 14，或 14、15；基期值和目标值须在这些行中"))


class RemoveIndicatorForm(TrackerForm):
    name = HiddenField()  # the indicator the page showed (its id may be another's since: the view)
    reason = StringField(_l("删除原因"), validators=[DataRequired(_l("请说明删除原因")), Length(max=500)])
    confirm = BooleanField(_l("我确认删除此指标"), validators=[DataRequired(_l("请勾选确认后再删除"))])


class RejectForm(TrackerForm):
    reason = TextAreaField(_l("驳回理由"), validators=[Optional()])


class MergeForm(TrackerForm):
    project_id = StringField(_l("已有项目编号"), validators=[DataRequired(_l("请选择要并入的已有项目"))])


class ActualsUploadForm(TrackerForm):
    file = FileField(_l("填好的实际值表格（.xlsx 或 .csv）"), validators=[FileRequired(_l("请选择要上传的文件"))])
