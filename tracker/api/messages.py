"""marshmallow's validation messages in the reader's language.

marshmallow writes its messages in English and has no catalogue of its own (its maintainers left
translation to applications: marshmallow-code/marshmallow#419). A 422 answer of the API names
each invalid field with marshmallow's message; here each message the API's schemas can produce
is matched against marshmallow's template and written again from a msgid of ours, with the same
values, in the language of the request (Chinese by default, English with ``Accept-Language: en``).
A message that matches no template (one of ours, already translated) passes unchanged.
"""

from __future__ import annotations

import re

from flask_babel import gettext


def N_(msgid: str) -> str:
    """Marks a msgid for ``make messages``; translated when an answer is written."""
    return msgid


# (marshmallow 4's template, ours). The English of ours in the catalogue is marshmallow's text.
TEMPLATES: tuple[tuple[str, str], ...] = (
    ("Invalid JSON body.", N_("请求内容不是有效的 JSON。")),  # webargs'
    ("Missing data for required field.", N_("缺少必填字段。")),
    ("Field may not be null.", N_("此字段不能为 null。")),
    ("Invalid value.", N_("值无效。")),
    ("Unknown field.", N_("未知字段。")),
    ("Invalid input type.", N_("输入类型无效。")),
    ("Invalid type.", N_("类型无效。")),
    ("Not a valid string.", N_("应为字符串。")),
    ("Not a valid integer.", N_("应为整数。")),
    ("Not a valid number.", N_("应为数字。")),
    ("Number too large.", N_("数值过大。")),
    ("Not a valid boolean.", N_("应为 true 或 false。")),
    ("Not a valid date.", N_("应为日期（YYYY-MM-DD）。")),
    ('"{input}" cannot be formatted as a date.', N_("“%(input)s”无法写成日期。")),
    ("Not a valid list.", N_("应为列表。")),
    ("Not a valid mapping type.", N_("应为对象。")),
    ("Special numeric values (nan or infinity) are not permitted.", N_("不接受 NaN 或无穷大。")),
    ("Longer than maximum length {max}.", N_("不能超过 %(max)s 个字。")),
    ("Shorter than minimum length {min}.", N_("至少 %(min)s 个字。")),
    ("Length must be between {min} and {max}.", N_("长度应在 %(min)s 到 %(max)s 之间。")),
    ("Length must be {equal}.", N_("长度应为 %(equal)s。")),
    ("Must be one of: {choices}.", N_("应为以下之一：%(choices)s。")),
    ("Must be greater than or equal to {min} and less than or equal to {max}.",
     N_("应在 %(min)s 到 %(max)s 之间。")),
    ("Must be greater than or equal to {min}.", N_("应不小于 %(min)s。")),
    ("Must be less than or equal to {max}.", N_("应不大于 %(max)s。")),
)


def _pattern(template: str) -> re.Pattern:
    parts = re.split(r"\{(\w+)\}", template)
    return re.compile("".join(re.escape(part) if index % 2 == 0 else f"(?P<{part}>.*?)"
                              for index, part in enumerate(parts)) + r"\Z", re.S)


_COMPILED = tuple((_pattern(english), ours) for english, ours in TEMPLATES)


def translated(message: str) -> str:
    """``message`` in the request's language when it is one of marshmallow's; else unchanged."""
    for pattern, ours in _COMPILED:
        match = pattern.match(message)
        if match:
            return gettext(ours, **match.groupdict())
    return message
