"""Spreadsheet import: preview what would change, row by row, then apply all of it or nothing.

One function, ``run_import``, serves the preview, the confirmation and the CLI. It reads the file
(``reading``), reads every cell (``cells``), finds each row's project, checks the user may change
it, and calls the SAME services as the forms (``create_project``, ``update_project``,
``submit_report``) with ``Actor(user, "import")``, each row inside its own savepoint so that one
bad row is reported without hiding the others. The whole run sits in an outer savepoint: a preview,
or a run with any error, rolls it back, so nothing is ever partly written. The caller commits.

Matching a row to a project: by 项目ID when given, else by 项目代码, else by the exact 项目名称 in
地区代码; otherwise the row creates a project (monthly reports never create one). An empty cell
means "unknown" and clears the value, except in columns that cannot be unknown (地区代码, 项目类型,
类别, the 约数 flags), where it leaves the value as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..accounts.permissions import can_create_in, can_edit_project
from ..audit.services import Actor, json_value
from ..errors import StaleEdit, ValidationFailed
from ..extensions import db
from ..projects import services as project_services
from ..projects.models import Project
from ..regions.models import Region
from .cells import CellProblem, CellReader, labels_in_every_language, normalise_label
from .columns import (COVERAGE_LABEL, MONTHLY_REPORT_COLUMNS, PROJECT_COLUMNS, TOTALS_LABEL, Column,
                      display_value)
from .outcome import MONTHLY_REPORTS, PROJECTS, ImportReport, Problem, RowOutcome
from .reading import FileRefused, Sheet, read_sheet

KINDS = {PROJECTS: _l("项目清单"), MONTHLY_REPORTS: _l("月度填报")}
COLUMNS = {PROJECTS: PROJECT_COLUMNS, MONTHLY_REPORTS: MONTHLY_REPORT_COLUMNS}
# Columns whose empty cell leaves the value unchanged: the model has no "unknown" for them.
KEEP_WHEN_EMPTY = {"region", "kind", "category", "land_area_approx", "floor_area_approx",
                   "total_investment_approx"}
PREVIEW_REASON = "preview"  # stands in for the reason a status change needs, until confirmation

DEFAULTS = {"IMPORT_MAX_ROWS": 5000, "IMPORT_MAX_BYTES": 10 * 1024 * 1024,
            "IMPORT_MAX_UNZIPPED": 100 * 1024 * 1024}


def setting(name: str) -> int:
    return int(current_app.config.get(name, DEFAULTS[name]))


@dataclass
class Row:
    number: int
    values: dict[str, object]  # column key → value, for the columns the sheet has
    outcome: RowOutcome


class Run:
    """One import: the actor, the columns found, the cache of regions, the versions seen."""

    def __init__(self, actor: Actor, report: ImportReport, *, reason: str | None,
                 expected_versions: dict[str, int] | None, apply: bool):
        self.actor = actor
        self.user = actor.user
        self.report = report
        self.reason = (reason or "").strip() or None
        self.expected_versions = expected_versions
        self.apply = apply
        self.columns = {c.key: c for c in COLUMNS[report.kind]}
        self.seen: dict[str, int] = {}  # what earlier rows were about → their row number
        self._regions: dict[str, Region | None] = {}

    def header(self, key: str) -> str:
        return self.columns[key].label

    def region(self, key: str) -> Region | None:
        if key not in self._regions:
            self._regions[key] = db.session.scalar(sa.select(Region).where(Region.key == key))
        return self._regions[key]

    def expected_version(self, name: str, current: int) -> int | None:
        """The version the preview saw (None: the preview did not see this object at all)."""
        self.report.versions[name] = current
        if self.expected_versions is None:
            return current
        return self.expected_versions.get(name)


def run_import(actor: Actor, data: bytes, filename: str, *, kind: str = PROJECTS, apply: bool,
               reason: str | None = None, expected_versions: dict[str, int] | None = None) -> ImportReport:
    """Preview (``apply=False``) or apply an import. Writes nothing unless every row is good and
    ``apply`` is set; then the caller commits once."""
    if kind not in COLUMNS:
        raise ValueError(kind)
    report = ImportReport(kind=kind, filename=filename)
    if len(data) > setting("IMPORT_MAX_BYTES"):
        report.problems.append(Problem(None, None, _("文件超过 %(n)s MB 的上限。请拆分后分批导入。",
                                                     n=setting("IMPORT_MAX_BYTES") // (1024 * 1024))))
        return report
    languages = list(current_app.config.get("LANGUAGES", {"zh": ""}))
    skip = {str(TOTALS_LABEL), str(COVERAGE_LABEL)}
    for label in (TOTALS_LABEL, COVERAGE_LABEL):
        skip |= {text for text in labels_in_every_language(label, languages)}
    try:
        sheet = read_sheet(data, max_rows=setting("IMPORT_MAX_ROWS"),
                           max_unzipped=setting("IMPORT_MAX_UNZIPPED"), skip_first=skip)
    except FileRefused as refused:
        report.problems.append(Problem(None, None, str(refused)))
        return report
    positions = _map_headers(sheet, COLUMNS[kind], languages, report)
    if report.problems:
        return report
    if not sheet.rows:
        report.problems.append(Problem(None, None, _("表格中没有数据行：第一行是列标题，数据从第二行开始。")))
        return report

    run = Run(actor, report, reason=reason, expected_versions=expected_versions, apply=apply)
    rows = _read_rows(sheet, positions, CellReader(languages), run)
    outer = db.session.begin_nested()
    try:
        if kind == PROJECTS:
            for row in rows:
                _apply_project_row(run, row)
        else:
            _apply_report_rows(run, rows)
    except BaseException:
        outer.rollback()
        raise
    if apply and report.ok:
        outer.commit()
        report.applied = True
    else:
        outer.rollback()
    return report


def _map_headers(sheet: Sheet, columns, languages, report: ImportReport) -> dict[str, int]:
    known: dict[str, Column] = {}
    for column in columns:
        for label in labels_in_every_language(column.header, languages):
            known[label] = column
    positions: dict[str, int] = {}
    for index, header in enumerate(sheet.headers):
        if not header:
            continue
        column = known.get(normalise_label(header))
        if column is None:
            report.warnings.append(_("未识别的列「%(name)s」，已忽略。", name=header))
            continue
        if column.key in positions:
            report.problems.append(Problem(None, None, _("列「%(name)s」出现了两次。", name=header)))
            continue
        if column.importable:
            positions[column.key] = index
    missing = [c.label for c in columns if c.required and c.key not in positions]
    if missing:
        report.problems.append(Problem(None, None, _("缺少必需的列：%(names)s。请使用导入模板，或从项目清单导出的表格。",
                                                     names="、".join(f"「{name}」" for name in missing))))
    if report.kind == MONTHLY_REPORTS and not (
            "id" in positions or "project_code" in positions or {"name", "region"} <= set(positions)):
        report.problems.append(Problem(None, None, _("缺少用来确定项目的列：「项目ID」、「项目代码」，或「项目名称」加「地区代码」。")))
    return positions


def _read_rows(sheet: Sheet, positions: dict[str, int], reader: CellReader, run: Run) -> list[Row]:
    from .reading import EMPTY
    rows = []
    for number, cells in sheet.rows:
        outcome = RowOutcome(row=number)
        values: dict[str, object] = {}
        for key, index in positions.items():
            column = run.columns[key]
            cell = cells[index] if index < len(cells) else EMPTY
            try:
                value = reader.read(column, cell)
            except CellProblem as problem:
                outcome.problem(column.label, str(problem))
                continue
            if value is None and key in KEEP_WHEN_EMPTY:
                continue
            values[key] = value
        title = values.get("name")
        outcome.title = str(title) if title else ""
        rows.append(Row(number, values, outcome))
        run.report.outcomes.append(outcome)
    return rows


# --- projects -----------------------------------------------------------------------------------

def _find_project(run: Run, row: Row) -> tuple[Project | None, bool]:
    """The project the row is about (None: a new one); False when the row names one that is not
    there or is ambiguous (the problem is recorded)."""
    values, outcome = row.values, row.outcome
    if values.get("id") is not None:
        project = db.session.get(Project, values["id"])
        if project is None:
            outcome.problem(run.header("id"), _("没有ID为 %(id)s 的项目", id=values["id"]))
            return None, False
        return project, True
    code = values.get("project_code")
    if code:
        project = db.session.scalar(sa.select(Project).where(Project.project_code == str(code).upper()))
        if project is not None:
            return project, True
    name, region_key = values.get("name"), values.get("region")
    if name and region_key:
        region = run.region(str(region_key))
        if region is not None:
            found = db.session.scalars(sa.select(Project).where(
                Project.name == name, Project.region_id == region.id).limit(2)).all()
            if len(found) > 1:
                outcome.problem(run.header("name"), _("地区 %(region)s 有多个名为「%(name)s」的项目，请填写项目ID",
                                                      region=region_key, name=name))
                return None, False
            if found:
                return found[0], True
    return None, True


def _display(run: Run, field_name: str, value) -> str:
    if field_name == "region_id":
        region = db.session.get(Region, value) if value is not None else None
        return f"{region.name}（{region.key}）" if region else display_value(None, value)
    return display_value(run.columns.get(field_name), value)


def _header_of(run: Run, field_name: str) -> str:
    key = "region" if field_name == "region_id" else field_name
    return run.header(key) if key in run.columns else field_name


def _service_problems(run: Run, outcome: RowOutcome, failure: ValidationFailed) -> None:
    for field_name, messages in failure.errors.items():
        for message in messages:
            if field_name == "reason":
                outcome.problem(run.header("status"),
                                _("变更项目状态需要说明原因：请在确认导入时填写“变更原因”"))
            elif field_name == "__all__":
                outcome.problem(None, message)
            else:
                outcome.problem(_header_of(run, field_name), message)


def _apply_project_row(run: Run, row: Row) -> None:
    values, outcome = dict(row.values), row.outcome
    project, found = _find_project(run, row)
    if outcome.problems or not found:
        return
    region = None
    if "region" in values:
        region = run.region(str(values["region"]))
        if region is None:
            outcome.problem(run.header("region"), _("没有地区代码为 %(code)s 的地区", code=values["region"]))
            return
    seen = run.seen
    if project is not None:
        outcome.title = outcome.title or project.name
        outcome.project_id = project.id
        if f"row-of:{project.id}" in seen:
            outcome.problem(None, _("与第 %(row)s 行是同一个项目", row=seen[f"row-of:{project.id}"]))
            return
        seen[f"row-of:{project.id}"] = row.number
        if not can_edit_project(run.user, project):
            outcome.problem(None, _("您无权修改项目「%(name)s」（%(region)s）", name=project.name,
                                    region=project.region.name))
            return
        if region is not None and region.id != project.region_id and not can_create_in(run.user, region):
            outcome.problem(run.header("region"), _("您无权把项目移到地区 %(region)s", region=region.name))
            return
    else:
        if not values.get("name") or region is None:
            outcome.problem(None, _("新建项目需要填写「项目名称」和「地区代码」"))
            return
        key = f"new:{values.get('project_code') or ''}:{values['name']}:{region.id}"
        if key in seen:
            outcome.problem(None, _("与第 %(row)s 行重复", row=seen[key]))
            return
        seen[key] = row.number
        if not can_create_in(run.user, region):
            outcome.problem(run.header("region"), _("您无权在地区 %(region)s 新建项目", region=region.name))
            return

    fields = {key: value for key, value in values.items() if key not in ("id", "region")}
    try:
        with db.session.begin_nested():
            if project is None:
                created = project_services.create_project(run.actor, region=region, **fields)
                outcome.action = "create"
                outcome.project_id = created.id if run.apply else None
                outcome.changes = [(run.header(key), "", _display(run, key, json_value(value)))
                                   for key, value in values.items()
                                   if key != "id" and value not in (None, False, "")]
                outcome.status_change = False
                return
            expected = run.expected_version(f"project:{project.id}", project.version)
            if expected is None:
                outcome.problem(None, _("预览时没有这个项目，数据已变化：请重新上传预览"))
                return
            if region is not None:
                fields["region_id"] = region.id
            preview_reason = run.reason or (None if run.apply else PREVIEW_REASON)
            changes = project_services.update_project(run.actor, project, fields,
                                                      expected_version=expected, reason=preview_reason)
    except ValidationFailed as failure:
        _service_problems(run, outcome, failure)
        return
    except StaleEdit:
        outcome.problem(None, _("项目「%(name)s」在预览之后被他人修改过：本次导入没有写入任何内容，请重新上传预览",
                                name=outcome.title))
        return
    except (sa.exc.IntegrityError, sa.exc.DataError):
        outcome.problem(None, _("数据库拒绝了这一行（项目代码重复或文字过长？）"))
        return
    changes.pop("version", None)
    outcome.action = "update" if changes else "unchanged"
    outcome.status_change = "status" in changes
    outcome.changes = [(_header_of(run, name), _display(run, name, old), _display(run, name, new))
                       for name, (old, new) in changes.items()]


# --- monthly reports ----------------------------------------------------------------------------

REPORT_VALUE_FIELDS = ("progress_text", "physical_percent", "invested_month", "invested_total",
                       "funds_received", "paid", "problems", "next_steps", "over_budget_reason")


def _apply_report_rows(run: Run, rows: list[Row]) -> None:
    from ..progress import services as progress_services
    from ..progress.models import MonthlyReport

    found: list[tuple[Row, Project]] = []
    for row in rows:
        if row.outcome.problems:
            continue
        if row.values.get("month") is None:
            row.outcome.problem(run.header("month"), _("请填写填报月份，例如 2024-05"))
            continue
        project, ok = _find_project(run, row)
        if not ok:
            continue
        if project is None:
            row.outcome.problem(None, _("找不到这一行的项目：请填写「项目ID」或「项目代码」"))
            continue
        row.outcome.project_id = project.id
        row.outcome.title = f"{project.name} {row.values['month']:%Y-%m}"
        if not can_edit_project(run.user, project):
            row.outcome.problem(None, _("您无权为项目「%(name)s」（%(region)s）填报", name=project.name,
                                        region=project.region.name))
            continue
        key = f"month-of:{project.id}:{row.values['month']:%Y-%m}"
        if key in run.seen:
            row.outcome.problem(run.header("month"), _("与第 %(row)s 行是同一个项目的同一个月",
                                                       row=run.seen[key]))
            continue
        run.seen[key] = row.number
        found.append((row, project))
    # A month's cumulative figures build on the months before: file them in order.
    found.sort(key=lambda pair: (pair[0].values["month"], pair[0].number))
    for row, project in found:
        values, outcome, month = row.values, row.outcome, row.values["month"]
        existing = progress_services.report_for(project, month)
        given = {key: values[key] for key in REPORT_VALUE_FIELDS if key in values}
        if given.get("invested_total") is None:
            given.pop("invested_total", None)  # empty: derived from the months, not unknown
        expected = None
        if existing is not None:
            expected = run.expected_version(f"report:{existing.id}", existing.version)
            if expected is None:
                outcome.problem(None, _("预览时还没有这份月报，数据已变化：请重新上传预览"))
                continue
            for key in REPORT_VALUE_FIELDS:
                if key not in given and key != "invested_total":
                    given[key] = getattr(existing, key)  # a column the sheet lacks keeps its value
            first = db.session.scalar(sa.select(sa.func.count(MonthlyReport.id)).where(
                MonthlyReport.project_id == project.id, MonthlyReport.month < month)) == 0
            if first and "invested_total" not in given:
                given["invested_total"] = existing.invested_total  # the stated pre-tracker total
            same = all(json_value(getattr(existing, key)) == json_value(value)
                       for key, value in given.items())
            if same:
                outcome.action = "unchanged"
                continue
            before = {key: json_value(getattr(existing, key)) for key in REPORT_VALUE_FIELDS}
        else:
            before = {}
        try:
            with db.session.begin_nested():
                report = progress_services.submit_report(
                    run.actor, project, month, correction_reason=values.get("correction_reason"),
                    expected_version=expected, **given)
                after = {key: json_value(getattr(report, key)) for key in REPORT_VALUE_FIELDS}
        except ValidationFailed as failure:
            _service_problems(run, outcome, failure)
            continue
        except StaleEdit:
            outcome.problem(None, _("这份月报在预览之后被他人更正过：本次导入没有写入任何内容，请重新上传预览"))
            continue
        except (sa.exc.IntegrityError, sa.exc.DataError):
            outcome.problem(None, _("数据库拒绝了这一行"))
            continue
        outcome.action = "update" if existing is not None else "create"
        outcome.changes = [(_header_of(run, key), _display(run, key, before.get(key)),
                            _display(run, key, value))
                           for key, value in after.items() if before.get(key) != value]
