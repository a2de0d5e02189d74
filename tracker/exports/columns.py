"""The ONE definition of the spreadsheet columns: the xlsx and csv exports, the import templates
and the importer all read it, so a sheet exported today imports tomorrow without a single edit.

A column knows its header (the Chinese msgid, with its unit), what kind of value it holds, how to
read it from a project and whether an import may change it. A column of a project's or a report's
field takes these from the field registry (``projects/fields.py``); a header an older export wrote
stays readable as an alias. Export-only columns (地区, 所属规划, 累计完成投资 …) are written for the
reader and ignored on import: other services keep them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Callable

from flask_babel import lazy_gettext as _l

from ..formatting import plain_number
from ..projects.fields import IMPORT, PROJECT, REPORT, Field
from ..vocabulary import AREA_TERMS, Vocabulary, area_term_label
from ..audit.models import REASON_LIMIT

# Text a spreadsheet would take for a formula (OWASP "CSV injection"): such a cell gets a leading
# single quote on export, and the importer takes it off again, so a round trip changes nothing.
# Excel and WPS read the full-width signs a Chinese input method types (＝ ＋ － ＠) as the ASCII
# ones when a formula is entered, so they are triggers too.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# What an XML 1.0 document (an xlsx) cannot hold: C0 controls but tab and line breaks, lone
# surrogates, U+FFFE/U+FFFF. One such character in a stored name made every xlsx export that
# held the project a 500. Word's vertical tab and form feed were line breaks; the rest go.
UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = {"\x0b": "\n", "\x0c": "\n"}

# Column A of the two rows under the list in an xlsx export. The importer skips rows so marked.
TOTALS_LABEL = _l("合计")
COVERAGE_LABEL = _l("填报情况")
# In a cell of a row that updates, a blank leaves the stored value as it is; this marker clears it
# (the ASCII-parenthesis form "(清空)" is read the same).
CLEAR_MARKER = _l("（清空）")


@dataclass(frozen=True)
class Column:
    key: str  # the attribute (or import field) it stands for
    header: Any  # a lazy Chinese msgid, with the unit
    kind: str  # id, text, decimal, int, bool, date, month, time, vocab, region, list
    get: Callable[[Any], Any] | None = None  # the value for an export; None: import only
    importable: bool = True
    required: bool = False  # its header must be in an imported sheet
    vocabulary: type[Vocabulary] | None = None
    places: int = 0  # decimals a decimal column keeps
    max_length: int | None = None
    money: bool = False  # hidden from viewers when the admin so sets
    total: str | None = None  # the Totals attribute summing it (with_<total> is its coverage)
    width: int = 12  # xlsx column width, in characters
    upper: Decimal | int | None = None  # the largest value allowed (percent: 100)
    aliases: tuple[Any, ...] = ()  # headers an older export wrote, still read on import
    template: bool = True  # in the import template (the 数据版本 of an exported row is not)
    approx: str | None = None  # the column saying its figure is approximate (the registry's)
    approximates: str | None = None  # the figure this yes/no column says is approximate
    terms: dict[str, Any] | None = None  # a text's stored words shown translated ({word: label})

    def flag(self, obj: Any) -> Any:
        """This 约 column's value of ``obj``: none where its figure is unknown (a blank figure is
        neither approximate nor exact: 否 beside it read as an exact figure of nothing)."""
        return None if getattr(obj, str(self.approximates)) is None else getattr(obj, self.key)

    @property
    def label(self) -> str:
        return str(self.header)


def _attr(name: str) -> Callable[[Any], Any]:
    return lambda obj: getattr(obj, name)


def _column(field: Field, width: int, *, exported: bool = True, **sheet) -> Column:
    """The column of a registered field: its header, kind, decimals, bounds and money flag are the
    registry's; the sheet adds its width, its total and whether it is exported."""
    approximates = next((figure.name for figure in PROJECT.values() if figure.approx == field.name), None)
    facts = dict(get=_attr(field.name) if exported else None, importable=IMPORT in field.paths,
                 vocabulary=field.vocabulary, places=field.places, max_length=field.max_length,
                 money=field.money, upper=field.maximum, aliases=field.aliases, approx=field.approx,
                 approximates=approximates)
    column = Column(field.name, field.label, field.kind, width=width, **{**facts, **sheet})
    if approximates and exported:
        column = replace(column, get=column.flag)
    return column


# The sheet's columns, in the sheet's order: the project's fields, and what only a sheet has (the
# id, the region's key and name, the plans).
PROJECT_COLUMNS: tuple[Column, ...] = (
    Column("id", _l("项目ID"), "id", _attr("id"), width=8),
    _column(PROJECT["name"], 40, required=True),
    _column(PROJECT["project_code"], 26),
    Column("region", _l("地区代码"), "region", lambda p: p.region.key, required=True, width=10),
    Column("region_name", _l("地区"), "text", lambda p: p.region.full_name, importable=False,
           width=20),
    Column("plans", _l("所属规划"), "list", lambda p: [plan.title for plan in p.plans], width=30),
    _column(PROJECT["kind"], 12),
    _column(PROJECT["category"], 14),
    _column(PROJECT["build_nature"], 10),
    _column(PROJECT["build_nature_term"], 12),
    _column(PROJECT["status"], 8),
    _column(PROJECT["location"], 20),
    _column(PROJECT["owner_unit"], 24),
    _column(PROJECT["supervising_department"], 20),
    _column(PROJECT["land_area_mu"], 12, total="land_area_mu"),
    _column(PROJECT["land_area_approx"], 8),
    _column(PROJECT["floor_area_m2"], 14, total="floor_area_m2"),
    _column(PROJECT["floor_area_approx"], 8),
    _column(PROJECT["floor_area_term"], 12, terms=AREA_TERMS,
            get=lambda p: area_term_label(p.floor_area_term)),
    _column(PROJECT["beds"], 10, total="beds"),
    _column(PROJECT["new_beds"], 10, total="new_beds"),
    _column(PROJECT["total_investment"], 16, total="total_investment"),
    _column(PROJECT["total_investment_approx"], 8),
    _column(PROJECT["current_estimate"], 16, total="current_estimate"),
    _column(PROJECT["invested_to_date"], 16, total="invested_to_date"),
    _column(PROJECT["last_report_month"], 10),
    _column(PROJECT["planned_start"], 12),
    _column(PROJECT["planned_end"], 12),
    _column(PROJECT["scope"], 50),
    # The version of the row as exported: a sheet imported later changes only what its reader
    # changed, and what someone else saved meanwhile stays (the form's three-way merge).
    Column("version", _l("数据版本"), "id", _attr("version"), width=8, template=False),
)

# One row per project and month. Matched to a project like the projects sheet; never creates one.
MONTHLY_REPORT_COLUMNS: tuple[Column, ...] = (
    Column("id", _l("项目ID"), "id", width=8),
    _column(PROJECT["project_code"], 26, exported=False),
    _column(PROJECT["name"], 40, exported=False),
    Column("region", _l("地区代码"), "region", width=10),
    Column("month", _l("填报月份"), "month", required=True, width=10),
    # Read-only, filled in by the prefilled template: what the last report said.
    Column("previous_month", _l("上次填报月份"), "month", importable=False, width=10),
    Column("previous_total", _l("上次填报的自开工累计（万元）"), "decimal", places=4, money=True,
           importable=False, width=16),
    _column(REPORT["progress_text"], 40, exported=False),
    _column(REPORT["physical_percent"], 10, exported=False),
    _column(REPORT["invested_month"], 16, exported=False),
    _column(REPORT["invested_total"], 16, exported=False),
    _column(REPORT["funds_received"], 16, exported=False),
    _column(REPORT["paid"], 16, exported=False),
    _column(REPORT["problems"], 30, exported=False),
    _column(REPORT["next_steps"], 30, exported=False),
    _column(REPORT["over_budget_reason"], 20, exported=False),
    Column("correction_reason", _l("更正原因"), "text", max_length=REASON_LIMIT, width=20),
)

# The month's progress sheet (月报汇总, ``exports/reports.py``): a row per project of the list,
# its report of that month or 未报. Read only, never imported (the 月度填报 template is the way in).
# An amount's ``total`` is its own key: the sheet sums it over the projects that stated it.
REPORT_SHEET_COLUMNS: tuple[Column, ...] = (
    Column("id", _l("项目ID"), "id", width=8),
    Column("name", PROJECT["name"].label, "text", width=36),
    Column("region_name", _l("地区"), "text", width=20),
    Column("status", PROJECT["status"].label, "vocab", vocabulary=PROJECT["status"].vocabulary, width=8),
    # 已报 or 未报: a project without the month's report says so, its figures are not zeros.
    Column("filed", _l("填报状态"), "text", width=10),
    Column("month", _l("填报月份"), "month", width=10),
    _column(REPORT["progress_text"], 36, exported=False),
    _column(REPORT["physical_percent"], 10, exported=False),
    _column(REPORT["invested_month"], 16, exported=False, total="invested_month"),
    _column(REPORT["invested_year"], 16, exported=False, total="invested_year"),
    _column(REPORT["invested_total"], 16, exported=False, total="invested_total"),
    _column(REPORT["problems"], 30, exported=False),
    _column(REPORT["next_steps"], 30, exported=False),
    Column("submitted_by", _l("填报人"), "text", width=12),
    Column("submitted_at", _l("提交时间"), "time", width=17),
)


def report_sheet_columns(include_money: bool = True) -> list[Column]:
    return [c for c in REPORT_SHEET_COLUMNS if include_money or not c.money]


def export_columns(include_money: bool = True) -> list[Column]:
    return [c for c in PROJECT_COLUMNS if c.get is not None and (include_money or not c.money)]


def by_key(columns=PROJECT_COLUMNS) -> dict[str, Column]:
    return {column.key: column for column in columns}


def storable(text: str) -> str:
    """``text`` without what a cell cannot hold (``UNSTORABLE``): whatever is stored, an export
    is written. Input is cleaned at the boundary (``core.values.clean_text``); this is for what
    was stored before, or past it."""
    if UNSTORABLE.search(text) is None:
        return text
    return UNSTORABLE.sub(lambda match: _LINE_BREAKS.get(match.group(), ""), text)


def neutralise(text: str) -> str:
    """A text as a cell holds it: storable, and with a leading single quote when a spreadsheet
    would run it as a formula."""
    text = storable(text)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def unneutralise(text: str) -> str:
    """Undo ``neutralise``: the quote our export added is not part of the value."""
    return text[1:] if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_TRIGGERS) else text


def decimal_text(value: Decimal) -> str:
    """1320.0000 → "1320", 16698.9500 → "16698.95": exact, no exponent, no separators.

    Called for every amount of an export: the digits as stored, trailing zeros taken off."""
    text = str(value)
    if "E" in text:  # str() writes 1E+3 or 1E-7 when the exponent is far from the point
        text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def text_value(column: Column, value) -> str:
    """A value as a csv cell (and the text of an xlsx cell that is not a number or a date)."""
    if value is None:
        return ""
    if column.kind == "bool":
        return str(_l("是")) if value else str(_l("否"))
    if column.kind == "vocab":
        return value.label
    if column.kind == "list":
        return neutralise("；".join(value))
    if column.kind == "month":
        return value.strftime("%Y-%m")
    if column.kind == "date":
        return value.isoformat()
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, int):
        return str(value)
    return neutralise(str(value))


def display_value(column: Column | None, value) -> str:
    """A value as the preview and the report show it: 1,320, 在建, 2024-05-01, （空）."""
    if value is None or value == "":
        return str(_l("（空）"))
    if column is None:
        return str(value)
    if column.kind == "vocab" and column.vocabulary is not None:
        try:
            return column.vocabulary(value).label
        except ValueError:
            return str(value)
    if column.kind == "bool":
        return str(_l("是")) if value in (True, "true", "True") else str(_l("否"))
    if column.kind in ("decimal", "int"):
        try:
            return plain_number(Decimal(str(value)) if column.kind == "decimal" else int(value))
        except (ArithmeticError, ValueError):
            return str(value)
    if isinstance(value, (dt.date, Decimal)):
        return text_value(column, value)
    return str(value)
