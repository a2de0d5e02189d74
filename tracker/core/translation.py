"""The current request's translations, looked up once per locale instead of once per string.

Flask-Babel's ``get_translations()`` walks five context lookups and formats the locale's name on
every call; a list page of 50 projects asks ~400 times (the templates' ``_()``, the vocabulary
labels, 未填报), ~15% of the page's Python (issue 19, benchmarks/NOTES.md). The translations
object is kept on Flask-Babel's own per-context namespace beside the locale it belongs to, and
served while that very locale object is the current one: ``force_locale`` (which swaps the
object and puts the original back) and ``refresh()`` (which drops it) both get their language.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, g
from flask_babel import get_translations, pgettext


def translations() -> Any:
    """What ``flask_babel.get_translations()`` returns, from the context once it is known."""
    space = g.get("_flask_babel") if g else None
    if space is not None:
        kept = getattr(space, "tracker_translations", None)
        locale = getattr(space, "babel_locale", None)
        if kept is not None and locale is not None and kept[0] is locale:
            return kept[1]
    found = get_translations()
    space = g.get("_flask_babel") if g else None
    if space is not None:
        space.tracker_translations = (getattr(space, "babel_locale", None), found)
    return found


def gettext(string: str) -> str:
    return translations().ugettext(string)


def labelled(label: str, value: object) -> str:
    """"标签：值" as the reader's language writes it: 范围：江西省, Scope: Jiangxi."""
    return f"{label}{pgettext('标签后的冒号', '：')}{value}"


def phrases(parts) -> str:
    """Phrases of the interface one after the other: "…；…" in Chinese, "…; …" in English."""
    return pgettext("分句的分隔号", "；").join(str(part) for part in parts)


def aside(parts) -> str:
    """Words in brackets after a phrase: "（总投资，床位）" in Chinese, "(Total investment, Beds)";
    one value alone ("（2025）") when ``parts`` is not a list."""
    if isinstance(parts, (str, int)):
        parts = [parts]
    listed = pgettext("分句内的逗号", "，").join(str(part) for part in parts)
    return pgettext("括注", "（%(text)s）", text=listed)


def install(app: Flask) -> None:
    """The templates' ``_()`` and ``ngettext`` through ``translations()`` (in place of the
    callables Flask-Babel installs, which look the translations up afresh each time)."""
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]  # jinja2.ext.i18n adds it
        gettext=gettext,
        ngettext=lambda singular, plural, n: translations().ungettext(singular, plural, n),
        pgettext=lambda context, string: translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: translations().unpgettext(context, singular, plural, n),
        newstyle=True,
    )
    app.add_template_filter(phrases, "phrases")
    app.add_template_filter(aside, "aside")
