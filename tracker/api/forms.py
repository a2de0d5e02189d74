from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..forms import TrackerForm


class TokenForm(TrackerForm):
    name = StringField(_l("用途"), validators=[Optional(), Length(max=64)],
                       description=_l("例如：省平台对接"))
    scope = SelectField(_l("权限"), choices=[SelectChoice("read", _l("只读")),
                                             SelectChoice("write", _l("读写（按本人角色和负责地区）"))],
                        default="read")
    expires = SelectField(_l("有效期"), choices=[SelectChoice("30", _l("30 天")), SelectChoice("90", _l("90 天")),
                                                 SelectChoice("365", _l("1 年")), SelectChoice("", _l("永不过期"))],
                          default="90")


class RevokeForm(TrackerForm):
    confirm = BooleanField(_l("确认吊销：使用此令牌的系统将立即无法访问"),
                           validators=[DataRequired(_l("请勾选确认后再吊销"))])
