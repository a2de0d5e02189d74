"""The form base every form shares: CSRF (Flask-WTF) and whitespace stripped from text."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, TextAreaField


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class TrackerForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = list(unbound_field.kwargs.get("filters", ()))
            field_class = unbound_field.field_class
            if issubclass(field_class, (StringField, TextAreaField)) and not issubclass(
                    field_class, PasswordField):
                filters.append(_strip)
            return unbound_field.bind(form=form, filters=filters, **options)

    def apply_errors(self, errors: dict[str, list[str]]) -> None:
        """Show a service's ValidationFailed on the fields it names (others on the form)."""
        for name, messages in errors.items():
            field = getattr(self, name, None)
            if field is not None and hasattr(field, "errors"):
                field.errors = list(field.errors) + list(messages)
            else:
                self.form_errors.extend(messages)
