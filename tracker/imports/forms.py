from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectChoice, SelectField, TextAreaField
from wtforms.validators import Length

from ..forms import TrackerForm
from .importer import AUTO, KINDS


class UploadForm(TrackerForm):
    kind = SelectField(_l("导入内容"), default=AUTO,
                       choices=[SelectChoice(AUTO, _l("自动识别（按列标题）")),
                                *(SelectChoice(key, label) for key, label in KINDS.items())],
                       description=_l("按表格的列标题识别是项目清单还是月度填报；也可以指定。"))
    file = FileField(_l("文件（.xlsx 或 .csv）"), validators=[FileRequired(_l("请选择要上传的文件"))])


class ConfirmForm(TrackerForm):
    reason = TextAreaField(_l("变更原因"), validators=[Length(max=2000)],
                           description=_l("修改项目状态时必填；会记入每个修改项目的变更记录。"))
