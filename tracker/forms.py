"""The form base every form shares, and the fields that read values the way people write them.

Forms parse; services rule. A form turns what was typed into values (``tracker.core.values``:
the same parsing as the import), and the service checks bounds and business rules.
"""

from __future__ import annotations

import datetime as dt
import functools

from flask import current_app, has_request_context
from flask_babel import get_locale, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, DecimalField, IntegerField, PasswordField, StringField, TextAreaField
from wtforms.validators import Length, StopValidation, ValidationError
from wtforms.widgets import TextInput

from .core.values import ValueProblem, check_date, clean_text, display_decimal, outside, parse_decimal


def _clean_line(value):
    return clean_text(value) or "" if isinstance(value, str) else value


def _clean_block(value):
    return clean_text(value, multiline=True) or "" if isinstance(value, str) else value


class FigureField(DecimalField):
    """A decimal typed as people write it ("56,000", "1，320", "0", "-0"), shown as they wrote it
    ("9000", not "9000.0000"). A blank is ``None`` (unknown), never 0.

    A text input, not ``type=number``: a browser refuses to let "56,000" be typed or pasted into a
    number input, so the field could not take what the import takes (tests/e2e/test_edit_conflict.py).
    Templates add ``inputmode='decimal'`` for the phone keyboard."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, *, field=None, **kwargs):
        kwargs.pop("places", None)
        super().__init__(label, validators, places=None, **kwargs)
        self.registered = field  # its projects.fields.Field, when it has a range of its own

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            self.data = parse_decimal(valuelist[0])
        except ValueProblem as problem:
            self.data = None
            bounded = self.registered
            if (bounded is not None and bounded.out_of_range is not None and bounded.maximum is not None
                    and outside(valuelist[0], bounded.maximum)):
                raise ValueError(str(bounded.out_of_range)) from None
            raise ValueError(str(problem)) from None

    def _value(self):
        if self.raw_data is not None:
            return self.raw_data[0] if self.raw_data else ""
        return display_decimal(self.data)


# Beyond any count the tracker keeps (beds, years) and any column: refused as a typing slip.
WHOLE_NUMBER_LIMIT = 10**15


class WholeNumberField(IntegerField):
    """An integer typed as people write it ("1,200" beds); blank is ``None``. A text input, as
    :class:`FigureField`."""

    widget = TextInput()

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            number = parse_decimal(valuelist[0])
        except ValueProblem as problem:
            self.data = None
            raise ValueError(str(problem)) from None
        if number is not None and abs(number) >= WHOLE_NUMBER_LIMIT:
            # 1e309 beds: an int that large fails NumberRange (float overflow) with a 500.
            self.data = None
            raise ValueError(str(_l("数值过大，请检查单位（金额以万元计）")))
        if number is not None and number != number.to_integral():
            self.data = None
            raise ValueError(str(_l("应为整数")))
        if number is not None and abs(number) > 2**31 - 1:  # what an INTEGER column holds
            self.data = None
            raise ValueError(str(_l("数值过大")))
        self.data = None if number is None else int(number)


class YearField(WholeNumberField):
    """A year as people write it: "2026", "２０２６" or "2026年". Anything else is told what a
    year looks like ("2026年" was refused as 请填写年度, the field being filled)."""

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [valuelist[0].strip().removesuffix("年").strip()]
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(_l("年份应为 4 位数字，例如 2026"))) from None


class SaneDateField(DateField):
    """A date inside the range every path shares (1949-01-01 to 2100-12-31)."""

    def pre_validate(self, form):
        super().pre_validate(form)
        if isinstance(self.data, dt.date):
            try:
                check_date(self.data)
            except ValueProblem as problem:
                raise ValidationError(str(problem)) from None


# The length a text field takes when its form states none: a line is a name or a number, a block
# a paragraph. A 1.5 M-character reason once made a project page 4.5 MB.
LINE_LIMIT = 200
BLOCK_LIMIT = 2000
PASSWORD_LIMIT = 200  # as accounts.services refuses


def keeps_line_breaks(max_length: int | None) -> bool:
    """Whether a text field of this length is a block (a form's text area: 建设规模及内容, a
    report's paragraphs), whose line breaks are kept, or a line, whose breaks become spaces
    (``clean_text``): the same on a form, through the API and from a sheet."""
    return (max_length or BLOCK_LIMIT) > LINE_LIMIT


def _default_limit(field_class) -> int | None:
    if issubclass(field_class, TextAreaField):
        return BLOCK_LIMIT
    if issubclass(field_class, PasswordField):
        return PASSWORD_LIMIT
    if issubclass(field_class, StringField):
        return LINE_LIMIT
    return None


# The largest whole number any column holds (BIGINT); a larger one is a typing slip. Beyond about
# 1e308 WTForms' NumberRange cannot even compare it (math.isnan overflows: a 500, found by make fuzz).
BIGINT_LIMIT = 2**63 - 1


def _refuse_huge_integers(form, field) -> None:
    if isinstance(field.data, int) and not -BIGINT_LIMIT <= field.data <= BIGINT_LIMIT:
        raise StopValidation(str(_l("数值过大，请检查单位（金额以万元计）")))


@functools.lru_cache(maxsize=8)
def _wtforms_catalog(locale: str):
    from babel.support import Translations
    from wtforms.i18n import messages_path

    return Translations.load(messages_path(), [locale], domain="wtforms")


class TrackerForm(FlaskForm):
    class Meta:
        def get_translations(self, form):
            """WTForms' own messages in the reader's language, as Flask-WTF gives them, from a
            catalog read once per language: Flask-WTF reads the file again for every request
            that makes a form (every list and dashboard: the save-view form), 2% of the page."""
            if not has_request_context() or not current_app.config.get("WTF_I18N_ENABLED", True):
                return None
            return _wtforms_catalog(str(get_locale()))

        def bind_field(self, form, unbound_field, options):
            filters = list(unbound_field.kwargs.get("filters", ()))
            field_class = unbound_field.field_class
            if issubclass(field_class, HiddenField):
                # Machine data the page carries back (versions, the values a form was loaded
                # with): never rewritten, and bounded by the view that reads it.
                return unbound_field.bind(form=form, filters=filters, **options)
            if issubclass(field_class, TextAreaField):
                filters.append(_clean_block)
            elif issubclass(field_class, StringField) and not issubclass(field_class, PasswordField):
                filters.append(_clean_line)
            field = unbound_field.bind(form=form, filters=filters, **options)
            if issubclass(field_class, IntegerField):
                field.validators = [_refuse_huge_integers, *field.validators]
            limit = _default_limit(field_class)
            if limit is not None and not any(isinstance(v, Length) for v in field.validators):
                # A new list: the class's validators are shared by every instance of the form.
                field.validators = [*field.validators,
                                    Length(max=limit, message=_l("不能超过 %(n)s 个字", n=limit))]
            return field

    def apply_errors(self, errors: dict[str, list[str]]) -> None:
        """Show a service's ValidationFailed on the fields it names (others on the form)."""
        for name, messages in errors.items():
            field = getattr(self, name, None)
            if field is not None and hasattr(field, "errors"):
                field.errors = list(field.errors) + list(messages)
            else:
                self.form_errors.extend(messages)
