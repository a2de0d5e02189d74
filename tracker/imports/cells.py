"""From a spreadsheet cell to the value a service takes, or a message that says what to fix.

Numbers and dates written as text are read by ``tracker.core.values`` (``parse_decimal``,
``parse_date``), the one reading the forms use too: 1,320, 1，320, full-width digits, 2024年5月1日.
Numbers become ``Decimal`` without float arithmetic: a number openpyxl read as a float is taken by
its shortest representation (``repr``), which is the decimal Excel stored for any figure of up to
15 significant digits; more decimals than the column keeps is an error, never rounded.

A cell holding ``（清空）`` (or ``(清空)``, or its translation) reads as ``CLEAR``: the importer
empties the stored value. A blank cell reads as None: the importer leaves the value as it is.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import Decimal

from flask_babel import force_locale, gettext as _, pgettext

from ..core.values import ValueProblem, check_places, clean_text, parse_date, parse_decimal
from ..exports.columns import CLEAR_MARKER, Column, unneutralise
from ..forms import keeps_line_breaks
from ..projects.fields import REPORT
from .reading import Cell, normalise_label

TRUE_WORDS = {"是", "y", "yes", "true", "1", "√", "✓", "约", "t"}
FALSE_WORDS = {"否", "n", "no", "false", "0", "×", "f"}
MONTH_PATTERNS = (re.compile(r"(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?"),
                  re.compile(r"(\d{4})年(\d{1,2})月(?:(\d{1,2})日?)?"),
                  re.compile(r"(\d{4})(\d{2})"))
SIGNIFICANT_DIGITS = 15
# How an office writes "not known" in a figure or a date: a dash or a slash, alone (after NFKC:
# － is -, ／ is /). Read as a blank cell: unknown, never 0.
UNSTATED = re.compile(r"[-‐‑‒–—―−/]+")
UNSTATED_KINDS = {"decimal", "int", "date", "month"}


class CellProblem(Exception):
    """A cell's value cannot be used; the message names what is wrong (the column is added later)."""


class _Clear:
    """What a cell holding the clearing marker (（清空）) reads as: "remove the stored value"."""

    def __repr__(self) -> str:
        return "CLEAR"


CLEAR = _Clear()
# Names in a 所属规划 cell are separated as the export writes them (；), or by ; or a line break.
LIST_SEPARATORS = re.compile(r"[；;\n]+")


def labels_in_every_language(lazy, languages) -> set[str]:
    found = {normalise_label(str(lazy))}
    for code in languages:
        with force_locale(code):
            found.add(normalise_label(str(lazy)))
    return found


def _text(value) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    return str(value)


def to_decimal(value, places: int, *, approx_column: bool = False, report: bool = False) -> Decimal:
    """A cell's number, read as the forms read one (``core.values.parse_decimal``: 1,320, 1，320,
    full-width digits); a float from openpyxl by its shortest representation. A figure written
    "约…" is told where its sheet says so: the 为约数 column beside it (``approx_column``), or, for
    a monthly report's figure (``report``), which has none, the report's 存在问题."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellProblem(_("应为数字，例如 1320 或 1,320.5"))
        number = Decimal(repr(value))
        if len(number.normalize().as_tuple().digits) > SIGNIFICANT_DIGITS:
            raise CellProblem(_("数字位数过多，无法精确读取；请把单元格设为文本后填写"))
    else:
        if isinstance(value, str) and unicodedata.normalize("NFKC", value).strip().startswith("约"):
            if approx_column:
                raise CellProblem(_("请只填数字；约数请在对应的“为约数”列填“是”"))
            if report:
                raise CellProblem(_("请只填数字（不写“约”）：月报的金额和进度按实数填报；如为估计值，请在“存在问题”中说明"))
            raise CellProblem(_("请只填数字（不写“约”）"))
        try:
            parsed = parse_decimal(value if isinstance(value, (int, Decimal, bool)) else str(value))
        except ValueProblem as problem:
            raise CellProblem(str(problem)) from None
        if parsed is None:
            raise CellProblem(_("应为数字，例如 1320 或 1,320.5"))
        number = parsed
    if not number.is_finite():
        raise CellProblem(_("应为数字，例如 1320 或 1,320.5"))
    if number.adjusted() > 18:  # beyond every column (and beyond decimal arithmetic: 1E+999999999)
        raise CellProblem(_("数值过大，请检查单位（金额以万元计）"))
    if number < 0:
        raise CellProblem(_("不能为负数"))
    try:
        return check_places(number, places)
    except ValueProblem as problem:
        raise CellProblem(str(problem)) from None


def to_date(value) -> dt.date:
    """A date as the forms read one (``core.values.parse_date``), within the same sane range."""
    try:
        day = parse_date(value.date() if isinstance(value, dt.datetime) else
                         value if isinstance(value, dt.date) else str(value))
    except ValueProblem as problem:
        month = _month_only(value)
        if month is not None:
            # A day is wanted and none is made up: the example is the month's last, as written.
            last = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
            raise CellProblem(_("只写了月份：请写到日，例如 %(day)s",
                                day=last.isoformat() if isinstance(value, str) else "2024-05-31")) from None
        raise CellProblem(str(problem)) from None
    if day is None:
        raise CellProblem(_("应为日期，例如 2024-05-01"))
    return day


def _month_only(value) -> dt.date | None:
    """The month a date cell names without its day (2026.3, 2026年3月, 2026-03), as 填报月份 reads
    them; None when it is not that."""
    if isinstance(value, (dt.date, bool)):
        return None
    text = unicodedata.normalize("NFKC", _text(value)).strip()
    for pattern in MONTH_PATTERNS:
        match = pattern.fullmatch(text)
        if match and match.groups()[2:3] in ((), (None,)):
            year, month = int(match.group(1)), int(match.group(2))
            if 1 <= month <= 12:
                return dt.date(year, month, 1)
    return None


def to_month(value) -> dt.date:
    if isinstance(value, (dt.date, dt.datetime)):
        day = value.date() if isinstance(value, dt.datetime) else value
        return day.replace(day=1)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    for pattern in MONTH_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            year, month = int(match.group(1)), int(match.group(2))
            if 2000 <= year <= 2100 and 1 <= month <= 12:
                return dt.date(year, month, 1)
    raise CellProblem(_("应为年月，例如 2024-05"))


class CellReader:
    """Reads the cells of one kind of sheet; vocabulary labels are accepted in every language."""

    def __init__(self, languages):
        self.languages = list(languages)
        self._vocabularies: dict[type, dict[str, object]] = {}
        self._terms: dict[str, dict[str, str]] = {}
        self.clear_words = labels_in_every_language(CLEAR_MARKER, self.languages)

    def vocabulary_map(self, vocabulary) -> dict[str, object]:
        if vocabulary not in self._vocabularies:
            choices: dict[str, object] = {}
            for member in vocabulary:
                choices[normalise_label(member.value)] = member
                for code in self.languages:
                    with force_locale(code):
                        choices[normalise_label(member.label)] = member
            self._vocabularies[vocabulary] = choices
        return self._vocabularies[vocabulary]

    def terms_map(self, column: Column) -> dict[str, str]:
        """A text column's words as stored, by what an export wrote in each language."""
        words = self._terms.get(column.key)
        if words is None:
            words = self._terms[column.key] = {}
            for word, label in (column.terms or {}).items():
                for code in self.languages:
                    with force_locale(code):
                        words[normalise_label(str(label))] = word
        return words

    def read(self, column: Column, cell: Cell):
        """The value for the service; None for an empty cell. Raises CellProblem."""
        if cell.formula:
            raise CellProblem(_("不接受公式（%(formula)s），请复制后“粘贴为数值”", formula=str(cell.value)[:40]))
        if cell.error:
            raise CellProblem(_("单元格是错误值 %(value)s", value=cell.value))
        value = cell.value
        if isinstance(value, str):
            value = unneutralise(value.strip())
            if not value:
                value = None
        if value is None:
            return None
        if isinstance(value, str) and normalise_label(value) in self.clear_words:
            return CLEAR
        kind = column.kind
        if kind in UNSTATED_KINDS and isinstance(value, str) and UNSTATED.fullmatch(unicodedata.normalize("NFKC", value)):
            return None
        if kind == "id":
            try:
                number = to_decimal(value, 0)
            except CellProblem:
                raise CellProblem(_("应为正整数，例如 12")) from None
            if number <= 0:
                raise CellProblem(_("应为正整数"))
            return int(number)
        if kind in ("text", "region"):
            # Cleaned as a form's text is (controls, zero-width and bidi characters out, a
            # carriage return a line break): a sheet is typed input too.
            text = clean_text(_text(value), multiline=kind == "text" and keeps_line_breaks(column.max_length)) or ""
            if not text:
                return None
            if column.max_length and len(text) > column.max_length:
                raise CellProblem(_("不能超过 %(n)s 个字", n=column.max_length))
            if column.terms:  # a tracker's word, as an export in any language wrote it
                return self.terms_map(column).get(normalise_label(text), text)
            return text
        if kind == "decimal":
            if isinstance(value, str) and value.endswith("%") and column.upper == 100:
                value = value[:-1]
            number = to_decimal(value, column.places if not cell.percent else column.places + 2,
                                approx_column=column.approx is not None, report=column.key in REPORT)
            if cell.percent:
                number = number * 100  # a cell shown as 35% holds 0.35
            if column.upper is not None and number > column.upper:
                raise CellProblem(_("不能大于 %(n)s", n=column.upper))
            return number
        if kind == "int":
            return int(to_decimal(value, 0))
        if kind == "bool":
            word = normalise_label(_text(value))
            if word in TRUE_WORDS:
                return True
            if word in FALSE_WORDS:
                return False
            raise CellProblem(_("请填“是”或“否”"))
        if kind == "date":
            return to_date(value)
        if kind == "month":
            return to_month(value)
        if kind == "vocab":
            member = self.vocabulary_map(column.vocabulary).get(normalise_label(_text(value)))
            if member is None:
                raise CellProblem(_("应为以下之一：%(choices)s",
                                    choices=pgettext("列举的分隔号", "、").join(
                                        m.label for m in column.vocabulary or ())))
            return member
        if kind == "list":
            names = [name.strip() for name in LIST_SEPARATORS.split(_text(value)) if name.strip()]
            return tuple(dict.fromkeys(names)) or None
        raise CellProblem(_("此列不能导入"))  # pragma: no cover - export-only columns are skipped
