"""A form refused because someone saved the record since it was loaded, made ready to save again.

The project form carries what it was loaded with and merges three ways in its service. The other
forms (a monthly report's correction, a funding line, a plan's facts) check the record's version:
refused, the page showed "others changed this, check below" with the form still as typed and the
version moved on, so a second save put back what the other had written (a QA walk: 1,200 万元
back to 1,000, under the other's name in nobody's). Here the form takes what the others changed
and this person did not (each such field filled with the saved value), keeps what he typed, and
marks a field both changed with the other's value, for him to choose.
"""

from __future__ import annotations

import json

from flask_babel import gettext as _

from ..audit.queries import net_changes


def merge_saved(form, by_others: list, mine: dict, saved: dict, describe=None) -> tuple[list[str], list[str]]:
    """``mine``: each merged field's value as typed, in the form the trail records it (codes,
    normalised numbers, ISO dates); ``saved``: each field's saved value as the form shows it;
    ``describe(name, recorded)``: a recorded value in words (a code's label). Returns the labels
    of the fields taken from the others and of those both changed."""
    kept, contested = [], []
    for name, (before, theirs) in net_changes(by_others, mine).items():
        field = form[name]
        if mine[name] == before:
            shown = saved[name]
            field.data = shown
            field.raw_data = ["" if shown is None else str(shown)]
            kept.append(str(field.label.text))
        elif mine[name] != theirs:
            contested.append(str(field.label.text))
            words = describe(name, theirs) if describe is not None and theirs is not None else theirs
            field.errors.append(_("其他人已改为“%(value)s”：保留您填写的，或改为对方的，再提交",
                                  value=words if words not in (None, "") else _("（空）")))
    return kept, contested


def carried(raw: str | None) -> dict | None:
    """What a form carried back of the page it was loaded on (a hidden field's JSON: the values it
    showed), as a dict; None when it carries none or it is garbled (the form's values are the save)."""
    try:
        value = json.loads(raw or "null")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
