from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, MultipleFileField
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..forms import FigureField, SaneDateField, TrackerForm, YearField
from ..projects.fields import ANNUAL_PLAN, BUDGET, FUNDING, REPORT
from ..validators import VERSION, ExactAmount, NotInFuture, Stated
from ..vocabulary import FundingSource
from ..audit.models import REASON_LIMIT

MONEY = ExactAmount(4)


MILESTONE_LABELS = {"planned_date": _l("计划日期"), "actual_date": _l("实际日期"), "note": _l("说明"),
                    "delay_reason": _l("滞后原因")}


class MilestoneForm(TrackerForm):
    """One row of the milestone page (its CSRF token is the page's, ``MilestoneGridForm``)."""

    planned_date = SaneDateField(MILESTONE_LABELS["planned_date"], validators=[Optional()])
    actual_date = SaneDateField(MILESTONE_LABELS["actual_date"], validators=[Optional(), NotInFuture()])
    note = StringField(MILESTONE_LABELS["note"], validators=[Optional(), Length(max=500)])
    delay_reason = StringField(MILESTONE_LABELS["delay_reason"], validators=[Optional(), Length(max=500)])
    version = HiddenField(validators=[VERSION])


class MilestoneGridForm(TrackerForm):
    """The milestone page's one form: its CSRF token; the rows are ``MilestoneForm``s."""


class CustomMilestoneForm(TrackerForm):
    custom_name = StringField(_l("节点名称"), validators=[DataRequired(_l("请填写节点名称")), Length(max=100)])
    planned_date = SaneDateField(_l("计划日期"), validators=[Optional()])


class MilestoneRenameForm(TrackerForm):
    """A custom milestone's name corrected, at the version the page showed."""

    custom_name = StringField(_l("节点名称"), validators=[DataRequired(_l("请填写节点名称")), Length(max=100)])
    reason = StringField(_l("修改原因"), validators=[Optional(), Length(max=500)])
    version = HiddenField(validators=[VERSION])


class ReportForm(TrackerForm):
    month = StringField(_l("填报月份"), validators=[DataRequired(_l("请选择月份"))],
                        description=_l("格式 YYYY-MM"))
    progress_text = TextAreaField(REPORT["progress_text"].label,
                                  validators=[Optional(), Length(max=REPORT["progress_text"].max_length)],
                                  description=_l("例如：主体结构施工至5层"))
    physical_percent = FigureField(REPORT["physical_percent"].label, field=REPORT["physical_percent"],
                                    validators=[Optional(), ExactAmount(2, maximum=Decimal(1000),
                                                                        too_large=REPORT["physical_percent"].out_of_range)])
    invested_month = FigureField(REPORT["invested_month"].label,
                                  validators=[Stated(_l("请填写本月完成投资，没有则填 0")), MONEY],
                                  description=_l("本月没有完成投资请填 0"))
    invested_total = FigureField(REPORT["invested_total"].label, validators=[Optional(), MONEY],
                                  description=_l("首次填报时填写开工以来的累计数；以后由系统按月累加"))
    funds_received = FigureField(REPORT["funds_received"].label, validators=[Optional(), MONEY])
    paid = FigureField(REPORT["paid"].label, validators=[Optional(), MONEY])
    problems = TextAreaField(REPORT["problems"].label,
                             validators=[Optional(), Length(max=REPORT["problems"].max_length)])
    next_steps = TextAreaField(REPORT["next_steps"].label,
                               validators=[Optional(), Length(max=REPORT["next_steps"].max_length)])
    over_budget_reason = TextAreaField(REPORT["over_budget_reason"].label,
                                       validators=[Optional(), Length(max=REPORT["over_budget_reason"].max_length)])
    correction_reason = TextAreaField(_l("更正原因"), validators=[Optional(), Length(max=REASON_LIMIT)],
                                      description=_l("更正已提交的月报时必填"))
    photos = MultipleFileField(_l("现场照片（JPEG/PNG，每张不超过 8 MB，最多 6 张）"),
                               validators=[FileAllowed(["jpg", "jpeg", "png"], _l("只能上传 JPEG 或 PNG 图片"))])
    version = HiddenField(validators=[VERSION])


class BudgetRevisionForm(TrackerForm):
    new_amount = FigureField(BUDGET["new_amount"].label,
                              validators=[Stated(_l("请填写调整后的概算")), MONEY])
    reason = TextAreaField(_l("调整原因"), validators=[DataRequired(_l("请说明调整原因")), Length(max=2000)])
    approval_number = StringField(BUDGET["approval_number"].label, validators=[
        DataRequired(_l("请填写批复文号")), Length(max=BUDGET["approval_number"].max_length)])
    approval_date = SaneDateField(BUDGET["approval_date"].label, validators=[Stated(_l("请填写批复日期")), NotInFuture()])


class FundingLineForm(TrackerForm):
    source = SelectField(FUNDING["source"].label)
    amount = FigureField(FUNDING["amount"].label, validators=[Optional(), MONEY])
    note = StringField(FUNDING["note"].label, validators=[Optional(), Length(max=FUNDING["note"].max_length)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.source.choices = FundingSource.choices()


class FundingEditForm(FundingLineForm):
    """A line corrected on the funding page: why, and the version it was read at."""

    reason = StringField(_l("修改原因"), validators=[DataRequired(_l("请说明修改原因")), Length(max=500)])
    version = HiddenField(validators=[VERSION])


class DeleteForm(TrackerForm):
    """A deletion (a funding line, a custom milestone, a photo) confirmed on the page that showed
    it: the version it showed, so that a colleague's correction since is not deleted unseen."""

    reason = StringField(_l("删除原因"), validators=[Optional(), Length(max=500)])
    version = HiddenField(validators=[VERSION])


class AnnualPlanForm(TrackerForm):
    year = YearField(ANNUAL_PLAN["year"].label, validators=[
        Stated(_l("请填写年度")),
        NumberRange(2000, ANNUAL_PLAN["year"].maximum, _l("年份应在 %(min)s 到 %(max)s 之间"))])
    planned_investment = FigureField(ANNUAL_PLAN["planned_investment"].label,
                                      validators=[Stated(_l("请填写年度计划投资")), MONEY])
    # The years' plans the page showed ({"2027": "650"}): a plan set since is not overwritten unseen.
    shown = HiddenField()
