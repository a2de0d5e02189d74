from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from ..forms import TrackerForm
from ..regions.forms import RegionSelect, pick_from_every_region
from ..vocabulary import Role
from .services import EMAIL_PATTERN

EMAIL = Regexp(EMAIL_PATTERN + r"\Z", message=_l("请填写有效的电子邮箱地址，例如 zhangsan@example.cn"))


class LoginForm(TrackerForm):
    username = StringField(_l("用户名"), validators=[DataRequired(_l("请输入用户名")), Length(max=64)])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请输入密码")), Length(max=200)])


class PasswordForm(TrackerForm):
    current = PasswordField(_l("当前密码"), validators=[DataRequired(_l("请输入当前密码"))])
    password = PasswordField(_l("新密码"), validators=[DataRequired(_l("请输入新密码"))])
    confirm = PasswordField(_l("再次输入新密码"), validators=[
        DataRequired(_l("请再次输入新密码")), EqualTo("password", _l("两次输入的新密码不一致"))])


class UserForm(TrackerForm):
    username = StringField(_l("用户名"), validators=[DataRequired(_l("请输入用户名")), Length(max=64)])
    display_name = StringField(_l("姓名"), validators=[Optional(), Length(max=64)])
    email = StringField(_l("电子邮箱"), validators=[Optional(), Length(max=255), EMAIL])
    # No default: a new account's role is chosen, never 管理员 by being first in the list.
    role = SelectField(_l("角色"), validators=[DataRequired(_l("请选择角色"))], default="")
    regions = SelectMultipleField(_l("负责地区（项目专员）"), widget=RegionSelect(multiple=True))
    # Left empty, a one-time password is generated and shown once; either way the user
    # chooses his own at the first login.
    password = PasswordField(_l("初始密码（留空则自动生成）"), validators=[Optional()])

    def __init__(self, *args, region_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [("", _l("请选择角色"))] + Role.choices()
        if region_choices is None:  # every region of the country, rendered once
            pick_from_every_region(self.regions, "key")
        else:
            self.regions.choices = region_choices


class UserEditForm(TrackerForm):
    """The admin page's role and regions of an existing account."""

    role = SelectField(_l("角色"))
    regions = SelectMultipleField(_l("负责地区（项目专员）"), widget=RegionSelect(multiple=True))
    # What the page was loaded with: a second admin's save changes what he changed, not all of it.
    loaded = HiddenField()

    def __init__(self, *args, region_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = Role.choices()
        if region_choices is None:  # every region of the country, rendered once
            pick_from_every_region(self.regions, "key")
        else:
            self.regions.choices = region_choices


class ProfileForm(TrackerForm):
    display_name = StringField(_l("姓名"), validators=[Optional(), Length(max=64)])
    email = StringField(_l("电子邮箱"), validators=[Optional(), Length(max=255), EMAIL])
    loaded = HiddenField()  # as UserEditForm's


class ConfirmForm(TrackerForm):
    """A button and its CSRF token: enable, disable, reset password."""


class SettingsForm(TrackerForm):
    hide_money_from_viewers = BooleanField(_l("向只读用户隐藏金额"))
