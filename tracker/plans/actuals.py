"""Indicator actuals (终期评估) imported from a sheet: a template that lists the plan's indicators,
filled in with each year's value and its source, then a preview and one confirmation.

The file goes the way of the portfolio imports (tracker/imports/): the same safe reader, the
same cell rules, the same stored upload and batch, so a double confirmation writes once. All rows
or none: the confirmation reads the file again and writes only when no row has a problem; each
value is then saved by ``services.set_actual``, the form's service, and audited as it is.
"""

from __future__ import annotations

from typing import IO

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit.services import Actor
from ..exports.columns import Column
from ..extensions import db
from ..audit.services import record
from ..imports.cells import (CLEAR, CellProblem, CellReader, labels_in_every_language, normalise_label,
                             to_decimal)
from ..imports.importer import column_letter, setting
from ..imports.reading import EMPTY, Cell, FileRefused, read_sheet
from ..imports.templates import write_template
from .models import Plan, PlanIndicator, PlanIndicatorActual
from .services import actual_as_given, actual_problems, set_actual

KIND = "indicator-actuals"  # the import batch's kind
COLUMNS: tuple[Column, ...] = (
    Column("indicator", _l("指标编号"), "text", max_length=64, width=14),
    Column("name", _l("指标"), "text", max_length=200, width=36),
    Column("unit", _l("单位"), "text", importable=False, width=10),
    Column("baseline", _l("基期值"), "text", importable=False, width=10),
    Column("target", _l("目标值"), "text", importable=False, width=10),
    Column("year", _l("年份"), "int", required=True, width=8),
    Column("value", _l("实际值"), "text", required=True, max_length=100, width=12),
    Column("source", _l("来源"), "text", required=True, max_length=500, width=36),
)


def template_notes() -> list[str]:
    return [_("第一行为列标题，请勿修改。灰色列仅供参考，导入时忽略。"),
            _("每个指标的每一年填一行：按“指标编号”找到指标（模板已预填），编号留空时按“指标”名称。"),
            _("没有实际值的指标，整行留空（“实际值”和“来源”都不填）即可，导入时跳过。"),
            _("“实际值”按统计口径填写，可带单位或百分号；“来源”必填，如统计年鉴、年度报告。"),
            _("同一指标同一年份已有实际值的，导入后替换原值，原值记入变更记录。"),
            _("上传后会先显示预览；确认后才写入，有任何错误则全部不写入。")]


def write_actuals_template(out: IO[bytes], plan: Plan) -> None:
    """The plan's indicators, one row each, with the year to report (the plan's last) filled in."""
    rows = [{"indicator": indicator.key, "name": indicator.name, "unit": indicator.unit,
             "baseline": indicator.baseline,
             "target": f"{indicator.comparator or ''}{indicator.target or ''}" or None,
             "year": plan.period_end}
            for indicator in plan.indicators]
    write_template(out, COLUMNS, _("指标实际值"), kind=KIND, rows=rows,
                   max_rows=setting("IMPORT_MAX_ROWS"), instructions=template_notes())


def _positions(headers: list[str], problems: list[str]) -> dict[str, int]:
    languages = list(current_app.config.get("LANGUAGES", {"zh": ""}))
    known = {label: column for column in COLUMNS
             for label in labels_in_every_language(column.header, languages)}
    positions: dict[str, int] = {}
    for index, header in enumerate(headers):
        column = known.get(normalise_label(header))
        if column is None or not column.importable:
            continue
        if column.key in positions:
            problems.append(_("列「%(name)s」出现了两次（%(cell)s）。", name=header,
                              cell=f"{column_letter(index + 1)}1"))
        positions[column.key] = index
    missing = [column.label for column in COLUMNS if column.required and column.key not in positions]
    if not {"indicator", "name"} & set(positions):
        missing.insert(0, f"{COLUMNS[0].label}/{COLUMNS[1].label}")
    if missing:
        problems.append(_("缺少必需的列：%(names)s。请使用本规划的实际值导入模板。",
                          names="、".join(f"「{name}」" for name in missing)))
    return positions


def _as_text(cell: Cell) -> Cell:
    """A value shown as a percentage (0.962 shown as 96.2%) is read as the reader sees it."""
    if cell.percent and not cell.formula:
        return Cell(value=f"{(to_decimal(cell.value, 10) * 100).normalize():f}%")
    return cell


def read_actuals(plan: Plan, data: bytes) -> dict:
    """The preview of an upload: each row with the indicator it names, the value it gives, the
    value it replaces, and its problems; ``problems`` for the file as a whole. JSON as it is, so
    it is kept with the upload between the preview and the confirmation."""
    report: dict = {"plan": plan.key, "rows": [], "problems": [], "skipped": 0}
    try:
        languages = list(current_app.config.get("LANGUAGES", {"zh": ""}))
        sheet = read_sheet(data, max_rows=setting("IMPORT_MAX_ROWS"),
                           max_unzipped=setting("IMPORT_MAX_UNZIPPED"),
                           max_cells=setting("IMPORT_MAX_CELLS"), skip_first=set(),
                           sheets=set(labels_in_every_language(_l("指标实际值"), languages)))
    except FileRefused as refused:
        report["problems"].append(str(refused))
        return report
    positions = _positions(sheet.headers, report["problems"])
    if report["problems"]:
        return report
    indicators = list(plan.indicators)
    by_key = {indicator.key: indicator for indicator in indicators}
    by_name: dict[str, list[PlanIndicator]] = {}
    for each in indicators:
        by_name.setdefault(normalise_label(each.name), []).append(each)
    stored = {(actual.indicator_id, actual.year): actual for actual in db.session.scalars(
        sa.select(PlanIndicatorActual).join(PlanIndicator).where(PlanIndicator.plan_id == plan.id))}
    reader = CellReader(current_app.config.get("LANGUAGES", {"zh": ""}))
    seen: dict[tuple[int, int], int] = {}
    for number, cells in sheet.rows:
        values, errors = {}, []
        for key, index in positions.items():
            column = next(column for column in COLUMNS if column.key == key)
            try:
                value = reader.read(column, _as_text(cells[index] if index < len(cells) else EMPTY))
            except CellProblem as problem:
                errors.append(f"{column.label}：{problem}")
                continue
            values[key] = None if value is CLEAR else value
        if not values.get("value") and not values.get("source") and not errors:
            report["skipped"] += 1  # an indicator of the template nobody has a figure for yet
            continue
        indicator = by_key.get(values.get("indicator") or "")
        if indicator is None and values.get("indicator"):
            errors.append(_("本规划没有编号为 %(key)s 的指标", key=values["indicator"]))
        elif indicator is None:
            named = by_name.get(normalise_label(values.get("name") or ""), [])
            if len(named) == 1:
                indicator = named[0]
            else:
                errors.append(_("本规划没有名为“%(name)s”的指标", name=values.get("name") or "")
                              if not named else _("有多个名为“%(name)s”的指标，请填写指标编号",
                                                  name=values["name"]))
        year = values.get("year")
        value, source = actual_as_given(values.get("value"), values.get("source"))
        errors += [message for messages in actual_problems(year, value, source, indicator).values() for message in messages]
        before = None
        if indicator is not None and isinstance(year, int):
            if (indicator.id, year) in seen:
                errors.append(_("与第 %(row)s 行是同一指标的同一年份", row=seen[(indicator.id, year)]))
            seen.setdefault((indicator.id, year), number)
            actual = stored.get((indicator.id, year))
            before = [actual.value, actual.source] if actual else None
        report["rows"].append({
            "row": number, "indicator": indicator.key if indicator else None,
            "name": indicator.name if indicator else values.get("name"), "year": year, "value": value,
            "source": source, "before": before, "errors": errors})
    if not report["rows"]:
        report["problems"].append(_("表格中没有填写实际值的行：请在“实际值”和“来源”列填写后再上传。"))
    return report


def is_clean(report: dict) -> bool:
    """No problem with the file nor with any row: the upload may be confirmed."""
    return not report["problems"] and not any(row["errors"] for row in report["rows"])


def apply_actuals(actor: Actor, plan: Plan, data: bytes, filename: str) -> dict:
    """Reads the upload again and, when no row has a problem, saves every row (the caller
    commits); otherwise writes nothing. The report says which."""
    report = read_actuals(plan, data)
    report["applied"] = is_clean(report)
    if report["applied"]:
        indicators = {indicator.key: indicator for indicator in plan.indicators}
        for row in report["rows"]:
            set_actual(actor, indicators[row["indicator"]], row["year"], row["value"], row["source"])
        record(actor, "plan:indicator-actuals-import", plan, {"file": filename, "n": len(report["rows"])},
               changes={"file": [None, filename], "rows": [None, len(report["rows"])]})
    return report
