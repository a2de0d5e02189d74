"""The numbers Word shows before its numbered paragraphs (自动编号), which python-docx leaves out.

A heading typed as "发展基础" and numbered by Word reads "一、发展基础" on the screen and on paper;
the stored text must read the same, since it is what is cited. Word keeps the number's definition
in the package's numbering part: a paragraph names a list (``w:numId``, in its own properties or
its style's) and a level (``w:ilvl``); the list's abstract definition gives each level its start,
its format (``w:numFmt``: decimal, Chinese counting, …) and its text ("%1、", "（%2）", "%1.%2").
Each level counts on through the document, and a level's count starts again after a number of a
level above it. A bullet has no number; a definition this does not know (a format Word has and a
plan does not use) gives the paragraph no number rather than a wrong one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CHINESE_DIGITS = "〇一二三四五六七八九"
_HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
          (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def chinese_counting(number: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (Word's chineseCounting; from 1,000 on,
    digits: no plan numbers a list so far)."""
    if number < 0 or number >= 1000:
        return str(number)
    if number < 10:
        return _CHINESE_DIGITS[number]
    if number < 20:
        return "十" + (_CHINESE_DIGITS[number - 10] if number > 10 else "")
    if number < 100:
        tens, units = divmod(number, 10)
        return _CHINESE_DIGITS[tens] + "十" + (_CHINESE_DIGITS[units] if units else "")
    hundreds, rest = divmod(number, 100)
    if rest == 0:
        return _CHINESE_DIGITS[hundreds] + "百"
    return (_CHINESE_DIGITS[hundreds] + "百" + ("零" if rest < 10 else "")
            + (chinese_counting(rest) if rest >= 20 or rest < 10 else "一" + chinese_counting(rest)))


def _letters(number: int) -> str:
    """1 → a … 26 → z, 27 → aa (Word repeats the letter); past zzz…, digits (a file that starts a
    list at a billion must not make a string of forty million letters)."""
    if not 0 < number <= 26 * 10:
        return str(number)
    return chr(ord("a") + (number - 1) % 26) * ((number - 1) // 26 + 1)


def _roman(number: int) -> str:
    if not 0 < number < 4000:
        return str(number)
    found = ""
    for value, letters in _ROMAN:
        while number >= value:
            found, number = found + letters, number - value
    return found


FORMATS: dict[str, Callable[[int], str]] = {
    "decimal": str,
    "decimalZero": lambda n: f"{n:02d}",
    "decimalFullWidth": lambda n: str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９")),
    "decimalEnclosedCircle": lambda n: _CIRCLED[n - 1] if 0 < n <= len(_CIRCLED) else str(n),
    "decimalEnclosedCircleChinese": lambda n: _CIRCLED[n - 1] if 0 < n <= len(_CIRCLED) else str(n),
    "chineseCounting": chinese_counting,
    "chineseCountingThousand": chinese_counting,
    "chineseLegalSimplified": lambda n: chinese_counting(n).translate(str.maketrans("一二三四五六七八九十百", "壹贰叁肆伍陆柒捌玖拾佰")),
    "ideographDigital": lambda n: "".join(_CHINESE_DIGITS[int(digit)] for digit in str(n)),
    "ideographTraditional": lambda n: _HEAVENLY_STEMS[(n - 1) % 10],
    "lowerLetter": _letters,
    "upperLetter": lambda n: _letters(n).upper(),
    "lowerRoman": lambda n: _roman(n).lower(),
    "upperRoman": _roman,
}
# What follows a number ending in one of these is written straight after it: "一、发展基础", "（一）现状".
_CLOSED = ("、", "）", ")", "．", "：", "】", "〕")


def _level(element) -> int:
    """An element's ``w:ilvl``: 0 to 8 in Word; anything else (a damaged or hostile file) is 9,
    a level no paragraph is numbered at."""
    found = element.get(f"{_W}ilvl", "0")
    return int(found) if found.isdigit() and len(found) == 1 else 9


def _value(element, tag: str) -> str | None:
    found = element.find(f"{_W}{tag}") if element is not None else None
    return found.get(f"{_W}val") if found is not None else None


class ListNumbers:
    """The numbers of one document's numbered paragraphs, asked for in the document's order."""

    def __init__(self, document: Any):
        self.levels: dict[str, dict[int, tuple[int, str, str, str]]] = {}  # abstractNumId → ilvl → level
        self.lists: dict[str, tuple[str, dict[int, int]]] = {}  # numId → abstractNumId, start overrides
        self.styles: dict[str, tuple[str | None, int | None]] = {}  # styleId → numId, ilvl
        self.counts: dict[str, dict[int, int]] = {}  # abstractNumId → ilvl → the last number given
        self.started: set[str] = set()  # the numIds whose start overrides were applied
        self.default_style = "Normal"  # the style of a paragraph that names none
        try:
            numbering = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return  # a document with no numbered paragraph has no numbering part
        for abstract in numbering.iter(f"{_W}abstractNum"):
            levels = {}
            for level in abstract.iter(f"{_W}lvl"):
                start = _value(level, "start")
                levels[_level(level)] = (
                    int(start) if start and start.isdigit() else 1, _value(level, "numFmt") or "decimal",
                    _value(level, "lvlText") or "", _value(level, "suff") or "tab")
            self.levels[abstract.get(f"{_W}abstractNumId", "")] = levels
        for listed in numbering.iter(f"{_W}num"):
            overrides = {}
            for override in listed.iter(f"{_W}lvlOverride"):
                start = _value(override, "startOverride")
                if start and start.isdigit():
                    overrides[_level(override)] = int(start)
            self.lists[listed.get(f"{_W}numId", "")] = (_value(listed, "abstractNumId") or "", overrides)
        styles = document.styles.element
        based_on = {}
        for style in styles.iter(f"{_W}style"):
            if style.get(f"{_W}type") == "paragraph" and style.get(f"{_W}default") in ("1", "true"):
                self.default_style = style.get(f"{_W}styleId", "")  # "Normal"; "a" in a Chinese Word
            style_id = style.get(f"{_W}styleId", "")
            number = style.find(f"{_W}pPr/{_W}numPr")
            ilvl = _value(number, "ilvl")
            self.styles[style_id] = (_value(number, "numId"), int(ilvl) if ilvl and ilvl.isdigit() else None)
            based_on[style_id] = _value(style, "basedOn")
        for style_id in list(self.styles):  # a style without numbering takes its base style's
            seen, current = set(), style_id
            while self.styles.get(current, (None, None))[0] is None and based_on.get(current) and current not in seen:
                seen.add(current)
                current = based_on[current] or ""
            self.styles[style_id] = self.styles.get(current, (None, None))

    def label(self, paragraph: Any) -> str:
        """The number Word shows before ``paragraph`` (a ``w:p``) with what follows it, or ""."""
        properties = paragraph.find(f"{_W}pPr")
        number = properties.find(f"{_W}numPr") if properties is not None else None
        num_id, ilvl_text = _value(number, "numId"), _value(number, "ilvl")
        style_num, style_level = self.styles.get(_value(properties, "pStyle") or self.default_style, (None, None))
        num_id = num_id or style_num
        level = int(ilvl_text) if ilvl_text and ilvl_text.isdigit() else (style_level or 0)
        if not num_id or num_id == "0" or num_id not in self.lists:
            return ""
        abstract_id, overrides = self.lists[num_id]
        levels = self.levels.get(abstract_id, {})
        if level not in levels:
            return ""
        counts = self.counts.setdefault(abstract_id, {})
        if num_id not in self.started:
            self.started.add(num_id)
            for overridden, start in overrides.items():
                counts[overridden] = start - 1
        start, fmt, text, suffix = levels[level]
        counts[level] = counts.get(level, start - 1) + 1
        for deeper in [other for other in counts if other > level]:
            del counts[deeper]  # a number at this level starts the levels below it again
        if fmt in ("bullet", "none") or not text:
            return ""
        shown = text
        for shown_level in range(level + 1):
            placeholder = f"%{shown_level + 1}"
            if placeholder in shown:
                level_start, level_fmt, _, _ = levels.get(shown_level, (1, "decimal", "", ""))
                format_number = FORMATS.get(level_fmt)
                if format_number is None:
                    return ""
                shown = shown.replace(placeholder, format_number(counts.get(shown_level, level_start)))
        if suffix == "nothing" or shown.endswith(_CLOSED):
            return shown
        return shown + " "
