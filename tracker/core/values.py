"""How people write values, read one way everywhere: the forms, the import, the CLI, the API.

An officer pastes "56,000" from Excel, types "1，320" with a Chinese comma, "０" in full width, or
"-0"; a Word document leaves a vertical tab in a name. Each reader of input calls these functions,
so a value the import accepts the form accepts too, and the same bounds hold on every path.

Each parser raises :class:`ValueProblem` with a message for a person (it says what to fix).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

# --- bounds ---------------------------------------------------------------------------------------

# The earliest and latest date any field takes. Nothing the tracker records happened before the
# People's Republic's first plans, and nothing is planned past 2100; 0001-01-01 and 9999-12-31
# are typing slips (a 9999 milestone once made a project page fail for everyone).
DATE_MIN = dt.date(1949, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)
# Every figure (万元, m², 亩) stays below this: what the narrowest column (an area's 14 digits, 2 of
# them decimals) holds. A larger one is a slip of unit (元 typed for 万元), never a real amount.
MAX_FIGURE = Decimal("1e12")


class ValueProblem(ValueError):
    """A value cannot be used as written; ``str(self)`` says what to fix, in the reader's language."""

    def __init__(self, message):
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        return str(self.message)


# --- numbers --------------------------------------------------------------------------------------

_GROUPING = re.compile(r"[,，'\s\u00a0\u3000_]")
# Separators only as thousands separators, one kind in a number: "56,000", "1 320", "12,000.5".
# "1,50" (150?), "1.234,5" (a decimal comma: 1.2345?) and "12,34,5" are slips, never guessed at.
_GROUPED = re.compile(r"[+-]?\d{1,3}(?P<sep>[,'\s_])\d{3}(?:(?P=sep)\d{3})*(?:\.\d*)?")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
# "1e3" is no way an office writes a figure: a slip (1e3 beds were saved as 1,000), refused.
_EXPONENT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)[eE][+-]?\d+")


# The most digits before the point a typed figure may have: 10^30 is beyond every column (money
# stops at 10^12 万元), and a larger exponent is where Decimal arithmetic starts to overflow.
MAX_DIGITS = 30


def parse_decimal(text: str | int | Decimal | None) -> Decimal | None:
    """The number a person wrote, exactly; ``None`` for a blank.

    Accepts thousands separators (``56,000``, ``1，320``, ``1 320``), full-width digits (``５６``),
    a leading ``+``, and ``-0`` (which is 0). Refuses anything that is not a plain number, such
    as ``约100``, ``1.2.3`` or ``NaN``. Bounds and decimals are the caller's (see ``check_*``).
    """
    if text is None:
        return None
    if isinstance(text, bool):
        raise ValueProblem(_l("应为数字"))
    if isinstance(text, int):
        return _bounded(Decimal(text))
    if isinstance(text, Decimal):
        if not text.is_finite():
            raise ValueProblem(_l("应为数字，例如 1320 或 1,320.5"))
        return _bounded(text + 0 if text.is_zero() else text)  # -0 is 0
    if isinstance(text, float):
        raise TypeError("money and areas never travel as float")
    normalised = unicodedata.normalize("NFKC", str(text)).strip()
    if not normalised:
        return None
    compact = _GROUPING.sub("", normalised)
    if compact.startswith("约"):
        raise ValueProblem(_l("请只填数字；约数请另行勾选或标注"))
    if compact != normalised and _NUMBER.fullmatch(compact) and not _GROUPED.fullmatch(normalised):
        raise ValueProblem(_l("千位分隔符应每三位一个（如 1,320 或 12,000.5），小数点请用“.”"))
    if _EXPONENT.fullmatch(compact):
        raise ValueProblem(_l("请写成普通数字，不用科学计数法（如 1e3 应写 1000）"))
    if not _NUMBER.fullmatch(compact):
        raise ValueProblem(_l("应为数字，例如 1320 或 1,320.5"))
    try:
        number = Decimal(compact)
    except InvalidOperation:  # pragma: no cover - the pattern admits only what Decimal reads
        raise ValueProblem(_l("应为数字，例如 1320 或 1,320.5")) from None
    if not number.is_finite():
        raise ValueProblem(_l("应为数字，例如 1320 或 1,320.5"))
    return _bounded(number + 0 if number.is_zero() else number)


def _bounded(number: Decimal) -> Decimal:
    """1E+999999999 reads as a Decimal, but its abs() or a comparison overflows the context (a
    500): far beyond any figure a column holds, it is refused here, once for every caller (a
    form, the API, an imported cell)."""
    if number.adjusted() > MAX_DIGITS:
        raise ValueProblem(_l("数值过大，请检查单位（金额以万元计）"))
    return number


def outside(raw, maximum) -> bool:
    """Whether a figure ``parse_decimal`` refused is a number outside 0 … ``maximum`` (a percent
    of 1e308), rather than no number: a figure with a range of its own is then told its range,
    not that money is counted in 万元."""
    try:
        number = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(str(raw).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return False
    # copy_abs and comparisons never round: 1E+999999999 does not overflow them.
    return number.is_finite() and (number.is_signed() and not number.is_zero() or number.copy_abs() > maximum)


def check_places(number: Decimal, places: int) -> Decimal:
    """Refuse (never round) a figure with more decimals than its column keeps."""
    try:
        exact = number == number.quantize(Decimal(1).scaleb(-places))
    except InvalidOperation:  # more digits than a Decimal context holds: far beyond any column
        raise ValueProblem(_l("数值过大，请检查单位（金额以万元计）")) from None
    if not exact:
        raise ValueProblem(_l("最多保留 %(n)s 位小数", n=places) if places else _l("应为整数"))
    return number


def display_decimal(value: Decimal | int | None) -> str:
    """A stored figure as a person writes it: 9000.0000 → "9000", 27.90 → "27.9" (no grouping,
    so it goes back into a form field unchanged)."""
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    normalised = value.normalize()
    if normalised == normalised.to_integral():
        return str(int(normalised))
    return format(normalised, "f")


# --- dates ----------------------------------------------------------------------------------------

def check_date(day: dt.date | None) -> dt.date | None:
    """A date inside the one sane range every field shares."""
    if day is None:
        return None
    if isinstance(day, dt.datetime):
        day = day.date()
    if not DATE_MIN <= day <= DATE_MAX:
        raise ValueProblem(_l("日期应在 %(start)s 至 %(end)s 之间",
                              start=DATE_MIN.isoformat(), end=DATE_MAX.isoformat()))
    return day


_DATE_PATTERNS = (re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"),
                  re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?"))


def parse_date(text: str | dt.date | None) -> dt.date | None:
    """2024-05-01, 2024/5/1, 2024.5.1 or 2024年5月1日, inside the sane range; ``None`` for blank."""
    if text is None:
        return None
    if isinstance(text, dt.date):
        return check_date(text)
    normalised = unicodedata.normalize("NFKC", str(text)).strip()
    if not normalised:
        return None
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(normalised)
        if match:
            try:
                day = dt.date(*(int(part) for part in match.groups()))
            except ValueError:
                break
            return check_date(day)
    raise ValueProblem(_l("应为日期，例如 2024-05-01"))


# The largest row id: what SQLite's INTEGER and PostgreSQL's BIGINT hold. A larger number given
# as an id is no row's (SQLite's driver cannot even pass it: OverflowError).
LARGEST_ID = 2**63 - 1


# --- text -----------------------------------------------------------------------------------------

# Full-width digits and the full-width point as ASCII, one character for one: a document typed
# with them ("总投资４．５亿元", "５８０００平方米") is read with its offsets unchanged, so a quote cut
# from the text at a figure's place is still verbatim (NFKC would also turn "㎡" into two).
HALF_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９．", "0123456789.")


# Characters that have no place in a name, a note or a query. C0/C1 controls break xlsx files (an
# XML 1.0 document cannot hold them) and terminals; bidi overrides make a name read differently
# from what it is (Trojan Source); zero-width characters make two names that look the same differ.
# Half of a surrogate pair (a client that cut a string inside an emoji sends one) is no character
# at all: no database driver encodes it (a 500 on every API write, a QA walk found); nor U+FFFE
# or U+FFFF, which an xlsx cannot hold.
_VERTICAL_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n", "\x1c": "\n", "\x1d": "\n",
                                  "\x1e": "\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n"})
_INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f"  # C0 and C1 controls (tab and newlines handled apart)
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\ud800-\udfff\ufffe\uffff]")


def clean_text(value: str | None, *, multiline: bool = False) -> str | None:
    """Text as it may be stored: controls, bidi overrides and zero-width characters removed,
    Word's vertical tab read as a line break, surrounding whitespace stripped.

    A single-line value has its line breaks and tabs turned into spaces. The result is ``None``
    when nothing visible is left, so a name made only of zero-width spaces is a missing name.
    """
    if value is None:
        return None
    text = unicodedata.normalize("NFC", str(value)).translate(_VERTICAL_BREAKS)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    if multiline:
        text = "\n".join(line.rstrip() for line in text.split("\n"))
    else:
        text = re.sub(r"[\t\n]+", " ", text)
    text = text.strip()
    return text or None


def too_large(unit: object = None):
    """A figure past its column, most often a slip of unit: money is counted in 万元, an area in
    its own unit (an area was told that money is counted in 万元)."""
    if unit is None:
        return _l("数值过大，请检查单位（金额以万元计）")
    return _l("数值过大，请检查单位（以%(unit)s计）", unit=unit)
