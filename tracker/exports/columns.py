"""The ONE definition of the spreadsheet columns: the xlsx and csv exports, the import templates
and the importer all read it, so a sheet exported today imports tomorrow without a single edit.

A column knows its header (the Chinese msgid, with its unit), what kind of value it holds, how to
read it from a project and whether an import may change it. Export-only columns (地区, 所属规划,
累计完成投资 …) are written for the reader and ignored on import: other services keep them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

from flask_babel import lazy_gettext as _l

from ..formatting import plain_number
from ..vocabulary import BuildNature, Category, Kind, Status, Vocabulary

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
    kind: str  # id, text, decimal, int, bool, date, month, vocab, region, list
    get: Callable[[Any], Any] | None = None  # the value for an export; None: import only
    importable: bool = True
    required: bool = False  # its header must be in an imported sheet
    vocabulary: type[Vocabulary] | None = None
    places: int = 0  # decimals a decimal column keeps
    max_length: int | None = None
    money: bool = False  # hidden from viewers when the admin so sets
    total: str | None = None  # the Totals attribute summing it (with_<total> is its coverage)
    width: int = 12  # xlsx column width, in characters
    upper: Decimal | None = None  # the largest value allowed (percent: 100)

    @property
    def label(self) -> str:
        return str(self.header)


def _attr(name: str) -> Callable[[Any], Any]:
    return lambda obj: getattr(obj, name)


PROJECT_COLUMNS: tuple[Column, ...] = (
    Column("id", _l("项目ID"), "id", _attr("id"), width=8),
    Column("name", _l("项目名称"), "text", _attr("name"), required=True, max_length=200, width=40),
    Column("project_code", _l("项目代码"), "text", _attr("project_code"), max_length=24, width=26),
    Column("region", _l("地区代码"), "region", lambda p: p.region.key, required=True, width=10),
    Column("region_name", _l("地区"), "text", lambda p: p.region.full_name, importable=False,
           width=20),
    Column("plans", _l("所属规划"), "list", lambda p: [plan.title for plan in p.plans], width=30),
    Column("kind", _l("项目类型"), "vocab", _attr("kind"), vocabulary=Kind, width=12),
    Column("category", _l("类别"), "vocab", _attr("category"), vocabulary=Category, width=14),
    Column("build_nature", _l("建设性质"), "vocab", _attr("build_nature"), vocabulary=BuildNature,
           width=10),
    Column("build_nature_term", _l("建设性质（原文）"), "text", _attr("build_nature_term"),
           max_length=50, width=12),
    Column("status", _l("状态"), "vocab", _attr("status"), vocabulary=Status, width=8),
    Column("location", _l("建设地点"), "text", _attr("location"), max_length=200, width=20),
    Column("owner_unit", _l("建设单位"), "text", _attr("owner_unit"), max_length=200, width=24),
    Column("supervising_department", _l("主管部门"), "text", _attr("supervising_department"),
           max_length=200, width=20),
    Column("land_area_mu", _l("占地面积（亩）"), "decimal", _attr("land_area_mu"), places=2,
           width=12),
    Column("land_area_approx", _l("占地面积为约数"), "bool", _attr("land_area_approx"), width=8),
    Column("floor_area_m2", _l("总建筑面积（m²）"), "decimal", _attr("floor_area_m2"), places=2,
           total="floor_area_m2", width=14),
    Column("floor_area_approx", _l("建筑面积为约数"), "bool", _attr("floor_area_approx"), width=8),
    Column("floor_area_term", _l("建筑面积口径"), "text", _attr("floor_area_term"), max_length=50,
           width=12),
    Column("beds", _l("床位（张）"), "int", _attr("beds"), total="beds", width=10),
    Column("new_beds", _l("新增床位（张）"), "int", _attr("new_beds"), total="new_beds", width=10),
    Column("total_investment", _l("总投资（万元）"), "decimal", _attr("total_investment"), places=4,
           money=True, total="total_investment", width=16),
    Column("total_investment_approx", _l("总投资为约数"), "bool", _attr("total_investment_approx"),
           money=True, width=8),
    Column("current_estimate", _l("现行概算（万元）"), "decimal", _attr("current_estimate"), places=4,
           money=True, importable=False, width=16),
    Column("invested_to_date", _l("累计完成投资（万元）"), "decimal", _attr("invested_to_date"),
           places=4, money=True, importable=False, total="invested_to_date", width=16),
    Column("last_report_month", _l("最近填报月份"), "month", _attr("last_report_month"),
           importable=False, width=10),
    Column("planned_start", _l("计划开工日期"), "date", _attr("planned_start"), width=12),
    Column("planned_end", _l("计划竣工日期"), "date", _attr("planned_end"), width=12),
    Column("scope", _l("建设规模及内容"), "text", _attr("scope"), max_length=5000, width=50),
)

# One row per project and month. Matched to a project like the projects sheet; never creates one.
MONTHLY_REPORT_COLUMNS: tuple[Column, ...] = (
    Column("id", _l("项目ID"), "id", width=8),
    Column("project_code", _l("项目代码"), "text", max_length=24, width=26),
    Column("name", _l("项目名称"), "text", max_length=200, width=40),
    Column("region", _l("地区代码"), "region", width=10),
    Column("month", _l("填报月份"), "month", required=True, width=10),
    # Read-only, filled in by the prefilled template: what the last report said.
    Column("previous_month", _l("上次填报月份"), "month", importable=False, width=10),
    Column("previous_total", _l("上次填报的自开工累计（万元）"), "decimal", places=4, money=True,
           importable=False, width=16),
    Column("progress_text", _l("形象进度"), "text", max_length=5000, width=40),
    Column("physical_percent", _l("工程进度（%）"), "decimal", places=2, upper=Decimal(100),
           width=10),
    Column("invested_month", _l("本月完成投资（万元）"), "decimal", places=4, money=True, width=16),
    Column("invested_total", _l("自开工累计完成投资（万元）"), "decimal", places=4, money=True,
           width=16),
    Column("funds_received", _l("累计资金到位（万元）"), "decimal", places=4, money=True, width=16),
    Column("paid", _l("累计已支付（万元）"), "decimal", places=4, money=True, width=16),
    Column("problems", _l("存在问题"), "text", max_length=5000, width=30),
    Column("next_steps", _l("下步计划"), "text", max_length=5000, width=30),
    Column("over_budget_reason", _l("超概算原因"), "text", max_length=5000, width=20),
    Column("correction_reason", _l("更正原因"), "text", max_length=5000, width=20),
)

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
