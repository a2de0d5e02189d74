"""The region picker's widget: thousands of options, rendered as plain strings."""

from __future__ import annotations

from markupsafe import Markup, escape
from wtforms.widgets import Select, html_params

from .services import every_region_options


def pick_from_every_region(field, value: str) -> None:
    """Offer every region of the country in ``field`` (an admin's picker), by ``id`` or ``key``.

    The options come rendered from ``every_region_options``; the field does not check the
    choice against 3,200 choices: the service it feeds looks the region up and refuses an
    unknown one, and the view checks the user may use it.
    """
    field.every_region = value
    field.validate_choice = False
    field.choices = []


class RegionSelect(Select):
    """A ``<select>`` of regions, grouped by province when its choices are a dict.

    WTForms renders each option through ``html_params`` and ``Markup``: for the country's 3,200
    regions that is ~100 ms a page. This renders the same markup with string formatting, or,
    for a field offering every region, takes the options rendered once per version of the table.
    """

    def __call__(self, field, **kwargs) -> Markup:
        kwargs.setdefault("id", field.id)
        if self.multiple:
            kwargs["multiple"] = True
        if "required" not in kwargs and "required" in getattr(field, "flags", []):
            kwargs["required"] = True
        parts = [f"<select {html_params(name=field.name, **kwargs)}>"]

        every_region = getattr(field, "every_region", None)
        if every_region:
            options = every_region_options(every_region)
            data = field.data if isinstance(field.data, (list, tuple)) else [field.data]
            for value in data:
                if value is not None and value != "":
                    marker = f'<option value="{escape(value)}">'
                    options = options.replace(marker, marker[:-1] + " selected>", 1)
            parts.append(options)
        else:
            def add(choices) -> None:
                parts.extend(f'<option value="{escape(value)}"{" selected" if selected else ""}>'
                             f"{escape(label)}</option>"
                             for value, label, selected, *_render_kw in choices)

            if field.has_groups():
                for group, choices in field.iter_groups():
                    parts.append(f'<optgroup label="{escape(group)}">')
                    add(choices)
                    parts.append("</optgroup>")
            else:
                add(field.iter_choices())
        parts.append("</select>")
        return Markup("".join(parts))
