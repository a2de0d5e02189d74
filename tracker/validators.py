"""Field validators shared by the forms: a figure stated, exact amounts, dates not in the future."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms.validators import InputRequired, Regexp, StopValidation, ValidationError
from .core import clock
from .core.values import MAX_FIGURE, too_large


class Stated(InputRequired):
    """``InputRequired``, but a field of spaces states nothing: 本月完成投资 " " was read as no
    figure and the report saved with its month 未填报, the field marked required all along (0 is
    a figure stated, as it must be)."""

    def __call__(self, form, field):
        if field.raw_data and isinstance(field.raw_data[0], str) and not field.raw_data[0].strip():
            field.errors[:] = []
            raise StopValidation(self.message)
        super().__call__(form, field)


class ExactAmount:
    """A finite, non-negative decimal with at most ``places`` decimals and below ``maximum``.

    The message says what to fix; nothing is rounded behind the user's back.
    """

    def __init__(self, places: int, maximum: Decimal = MAX_FIGURE, allow_negative: bool = False,
                 unit: object = None, too_large: object = None):
        self.places = places
        self.maximum = maximum
        self.allow_negative = allow_negative
        self.unit = unit  # of a figure that is not money (m², 亩): what a slip of unit is told in
        self.too_large = too_large  # what a figure with a range of its own (a percentage) is told

    def __call__(self, form, field):
        value = field.data
        if value is None:
            return
        if not isinstance(value, Decimal) or not value.is_finite():
            raise ValidationError(_l("请输入数字"))
        if value < 0 and not self.allow_negative:
            raise ValidationError(_l("不能为负数"))
        if value.copy_abs() >= self.maximum:  # abs() rounds to the context: 1E+999999999 overflowed
            raise ValidationError(self.too_large or too_large(self.unit))
        if value != value.quantize(Decimal(1).scaleb(-self.places)):
            raise ValidationError(_l("最多保留 %(n)s 位小数", n=self.places))


class NotInFuture:
    def __call__(self, form, field):
        if isinstance(field.data, dt.date) and field.data > clock.today():
            raise ValidationError(_l("日期不能晚于今天"))


# The hidden version an edit form was loaded with: digits, or the form was tampered with.
VERSION = Regexp(r"^\d{0,9}$", message=_l("表单已过期，请刷新页面后重新填写"))
