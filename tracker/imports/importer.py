"""Spreadsheet import: preview what would change, row by row, then apply all of it or nothing.

One function, ``run_import``, serves the preview, the confirmation and the CLI. It reads the file
(``reading``), recognises what the sheet holds from its header, reads every cell (``cells``),
finds each row's project, checks the user may change it, and calls the SAME services as the forms
(``create_project``, ``update_project``, ``link_plan``, ``submit_report``) with
``Actor(user, "import")``, each row inside its own savepoint so that one bad row is reported
without hiding the others. A run with any error rolls everything back, so nothing is ever partly
written; an applying run leaves its writes to the caller, who commits once.

A preview (``apply=False``) writes nothing that lasts and ends its transactions as it goes: every
half second it rolls back what it tried and starts again where it was (``Slices``), so another
officer's save waits a fraction of a second, never the whole preview (SQLite has one writer).
Rows that depend on each other (one project's months) stay in one slice.

Matching a row to a project: by 项目ID when given, else by 项目代码, else by the exact 项目名称 in
地区代码; otherwise the row creates a project (monthly reports never create one). In a row that
updates, an empty cell leaves the stored value as it is; ``（清空）`` clears it. In a new row an
empty cell is simply unknown.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_babel import pgettext

from ..accounts.permissions import can_create_in, can_edit_project
from ..audit.display import who
from ..audit.queries import require_version
from ..audit.services import Actor, json_value
from ..core import clock
from ..errors import EditConflict, StaleEdit, ValidationFailed
from ..extensions import db
from ..formatting import local_datetime
from ..plans.models import Plan
from ..projects import services as project_services
from ..projects.models import Project
from ..regions.models import Region
from ..vocabulary import Stage
from .cells import CLEAR, CellProblem, CellReader, labels_in_every_language, normalise_label
from ..exports.columns import (CLEAR_MARKER, COVERAGE_LABEL, MONTHLY_REPORT_COLUMNS, PROJECT_COLUMNS, TOTALS_LABEL,
                      Column, display_value)
from .outcome import MONTHLY_REPORTS, PROJECTS, ImportReport, Problem, RowOutcome
from .reading import EMPTY, Cell, FileRefused, Sheet, has_own_value, read_sheet

AUTO = "auto"  # the kind is recognised from the sheet's header
KINDS = {PROJECTS: _l("项目清单"), MONTHLY_REPORTS: _l("月度填报")}
COLUMNS = {PROJECTS: PROJECT_COLUMNS, MONTHLY_REPORTS: MONTHLY_REPORT_COLUMNS}
# Columns the clearing marker cannot empty: they find the row, or the model has no "unknown" for
# them, or clearing means nothing (a plan link is only ever added by an import).
CANNOT_CLEAR = {"id", "name", "region", "kind", "category", "land_area_approx", "floor_area_approx",
                "total_investment_approx", "plans", "month", "correction_reason"}
# The project's figures other services keep (fields.py: no path changes them), which a sheet
# carries for its reader and the import does not read: a figure written there was dropped without
# a word. Each with where it comes from and what to do instead.
READ_ONLY = {
    "current_estimate": _l("由概算调整计算，导入时不读取；请在项目的“概算调整”页登记批复的概算"),
    "invested_to_date": _l("由月报计算，导入时不读取；请用月度填报导入各月完成投资"),
    "last_report_month": _l("由月报计算，导入时不读取；请用月度填报导入各月月报"),
}
READ_ONLY_ROWS_LISTED = 10
PREVIEW_REASON = "preview"  # stands in for the reason a status change needs, until confirmation
# A preview gives the database back this often (seconds), and on SQLite waits this long before
# taking it again, so that a writer polling in its busy handler (every 100 ms at most) gets in.
PREVIEW_SLICE = 0.5
SQLITE_PAUSE = 0.12
PREVIEW_ATTEMPTS = 3  # a preview row refused as stale is compared again with what was saved

# The rows of an office's own sheet that are no project (said in the preview, with their numbers):
# its totals (小计, 合计, 总计, "其中：…", and the export's own 合计 and 填报情况 in any language),
# its group headings (a 序号 like 一、（二） over no figures, or only the leading cells filled), and
# rows whose only values are a merged block's (a spacer row inside 地区代码 merged down the column).
TOTAL_WORDS = ("小计", "合计", "总计")
PART_WORD = "其中"
ORDINAL = re.compile(r"[（(]?[一二三四五六七八九十]+[)）]?(?:[、.．:：\s]|$)")
FIGURE_KINDS = {"decimal", "int", "date", "month"}
MOST_ROWS_NAMED = 20  # a notice names this many rows, then says how many more

DEFAULTS = {"IMPORT_MAX_ROWS": 5000, "IMPORT_MAX_BYTES": 10 * 1024 * 1024,
            "IMPORT_MAX_UNZIPPED": 24 * 1024 * 1024, "IMPORT_MAX_CELLS": 300_000}


def column_letter(number: int) -> str:
    """Excel's name of the sheet's ``number``-th column (1 → A, 28 → AB): openpyxl's, imported
    when a message needs it, not by every web worker (``exports.xlsx.openpyxl_styles``)."""
    from openpyxl.utils import get_column_letter
    return get_column_letter(number)


def setting(name: str) -> int:
    return int(current_app.config.get(name, DEFAULTS[name]))


@dataclass
class Row:
    number: int
    values: dict[str, Any]  # column key → value of its kind, for the cells filled in (None: cleared)
    outcome: RowOutcome


class Slices:
    """The run's writes inside one savepoint; a preview's, a slice at a time (see the module)."""

    def __init__(self, apply: bool):
        self.apply = apply
        self.savepoint = db.session.begin_nested()
        self.started = time.monotonic()

    def breathe(self) -> None:
        """Between two independent pieces of work: a preview that has run a slice ends its
        transaction (what it tried is rolled back), lets others write, and goes on."""
        if self.apply or time.monotonic() - self.started < PREVIEW_SLICE:
            return
        self.savepoint.rollback()
        sqlite = db.session.get_bind().dialect.name == "sqlite"
        db.session.rollback()
        if sqlite:
            time.sleep(SQLITE_PAUSE)
        self.savepoint = db.session.begin_nested()
        self.started = time.monotonic()

    def keep(self) -> None:
        self.savepoint.commit()

    def abandon(self) -> None:
        if self.savepoint.is_active:
            self.savepoint.rollback()


class Run:
    """One import: the actor, the columns found, the cache of regions and plans, the versions seen."""

    def __init__(self, actor: Actor, report: ImportReport, positions: dict[str, int], *,
                 reason: str | None, expected_versions: dict[str, int] | None, apply: bool):
        self.actor = actor
        self.user = actor.user
        self.report = report
        self.positions = positions
        self.reason = (reason or "").strip() or None
        self.expected_versions = expected_versions
        self.apply = apply
        self.columns = {c.key: c for c in COLUMNS[report.kind]}
        self.seen: dict[str, int] = {}  # what earlier rows were about → their row number
        self._regions: dict[str, int | None] = {}
        # The regions looked up, held: the session forgets an object nothing refers to, and each
        # row of a region would load it again (an eighth of a large preview's time).
        self._held: dict[int, Region] = {}
        self._plans: dict[str, list[int]] | None = None
        # Projects saved as begun whose 开工 has a planned date past and no actual one: 滞后 at
        # once (the sheet, like the form, asks no actual start), said once for the file.
        self.late_by_status = 0
        # What the rows wrote in READ_ONLY columns (row number → key → value), and the rows
        # whose value is not the stored one (key → row numbers).
        self.read_only: dict[int, dict[str, Any]] = {}
        self.not_read: dict[str, list[int]] = {}

    def header(self, key: str) -> str:
        return self.columns[key].label if key in self.columns else key

    def cell(self, key: str, row: int) -> str | None:
        """The cell as Excel names it (H4), when the sheet has the column."""
        index = self.positions.get(key)
        return f"{column_letter(index + 1)}{row}" if index is not None else None

    def flag(self, outcome: RowOutcome, key: str | None, message: str) -> None:
        """A problem in the row, in the column of ``key`` (None: the row as a whole)."""
        if key is None:
            outcome.problem(None, message)
        else:
            outcome.problem(self.header(key), message, cell=self.cell(key, outcome.row))

    def region(self, key: str) -> Region | None:
        # Ids, not objects: a preview's slices end transactions, and an id outlives them.
        if key not in self._regions:
            self._regions[key] = db.session.scalar(sa.select(Region.id).where(Region.key == key))
        region_id = self._regions[key]
        if region_id is None:
            return None
        region = db.session.get(Region, region_id)  # after a preview's slice: read again
        if region is not None:
            self._held[region_id] = region
        return region

    def plans_named(self, name: str) -> list[int]:
        """The plans whose title or key is ``name`` (ignoring width, spacing and case)."""
        if self._plans is None:
            self._plans = {}
            for plan_id, key, title in db.session.execute(sa.select(Plan.id, Plan.key, Plan.title)):
                for label in {normalise_label(key), normalise_label(title)}:
                    self._plans.setdefault(label, []).append(plan_id)
        return self._plans.get(normalise_label(name), [])

    def expected_version(self, name: str, current: int) -> int | None:
        """The version the preview saw (None: the preview did not see this object at all)."""
        self.report.versions[name] = current
        if self.expected_versions is None:
            return current
        return self.expected_versions.get(name)


def run_import(actor: Actor, data: bytes, filename: str, *, kind: str = AUTO, apply: bool,
               reason: str | None = None, expected_versions: dict[str, int] | None = None) -> ImportReport:
    """Preview (``apply=False``) or apply an import. Writes nothing unless every row is good and
    ``apply`` is set; then the caller commits once. ``kind`` AUTO: recognised from the header."""
    if kind not in COLUMNS and kind != AUTO:
        raise ValueError(kind)
    if not apply:
        # A preview writes nothing that lasts, and holds no transaction while it reads the sheet:
        # on SQLite a POST's transaction holds the write lock, and reading a large sheet takes
        # seconds. (It gives the database back as it goes, too: Slices.)
        db.session.rollback()
    report = ImportReport(kind=kind if kind in COLUMNS else PROJECTS, filename=filename)
    if len(data) > setting("IMPORT_MAX_BYTES"):
        report.problems.append(Problem(None, None, _("文件超过 %(n)s MB 的上限。请拆分后分批导入。",
                                                     n=setting("IMPORT_MAX_BYTES") // (1024 * 1024))))
        return report
    languages = list(current_app.config.get("LANGUAGES", {"zh": ""}))
    try:
        sheet = read_sheet(data, max_rows=setting("IMPORT_MAX_ROWS"),
                           max_unzipped=setting("IMPORT_MAX_UNZIPPED"),
                           max_cells=setting("IMPORT_MAX_CELLS"), skip_first=set(),
                           sheets={name for label in KINDS.values() for name in labels_in_every_language(label, languages)},
                           fits=lambda headers: detect_kind(headers, languages) is not None,
                           wanted=None if kind == AUTO else lambda headers: detect_kind(headers, languages) == kind)
    except FileRefused as refused:
        report.problems.append(Problem(None, None, str(refused)))
        return report
    if sheet.passed_over:  # the preview says which was read when there was a choice
        report.warnings.append(ngettext(
            "读取的是工作表「%(name)s」；工作簿中另有 %(n)s 个工作表（含隐藏的）也有导入表的列标题，没有读取。",
            "读取的是工作表「%(name)s」；工作簿中另有 %(n)s 个工作表（含隐藏的）也有导入表的列标题，没有读取。",
            sheet.passed_over, name=sheet.name, n=sheet.passed_over))
    report.kind = _choose_kind(sheet, kind, languages, report)
    positions = _map_headers(sheet, COLUMNS[report.kind], languages, report)
    if report.problems:
        return report
    if not sheet.rows:
        report.problems.append(Problem(None, None, _("表格中没有数据行：第一行是列标题，数据从第二行开始。")))
        return report

    run = Run(actor, report, positions, reason=reason, expected_versions=expected_versions,
              apply=apply)
    rows = _read_rows(sheet, CellReader(languages), run)
    if report.kind == PROJECTS:
        run.read_only = _read_only_cells(sheet, CellReader(languages), languages)
    slices = Slices(apply)
    try:
        if report.kind == PROJECTS:
            for row in rows:
                _apply_project_row(run, row)
                slices.breathe()
            if run.late_by_status:
                report.warnings.append(ngettext(
                    "%(n)s 个项目状态为已开工（在建、竣工或投用），但“开工”节点没有实际日期："
                    "请在各项目的“节点”页填写实际开工日期。",
                    "%(n)s 个项目状态为已开工（在建、竣工或投用），但“开工”节点没有实际日期："
                    "请在各项目的“节点”页填写实际开工日期。", run.late_by_status, n=run.late_by_status))
            _say_not_read(run)
        else:
            _apply_report_rows(run, rows, slices)
    except BaseException:
        slices.abandon()
        raise
    if apply and report.ok:
        slices.keep()
        report.applied = True
    else:
        slices.abandon()
    return report


# --- the sheet's kind and columns ---------------------------------------------------------------

def _labels(columns, languages) -> dict[str, Column]:
    known: dict[str, Column] = {}
    for column in columns:
        for header in (column.header, *column.aliases):
            for label in labels_in_every_language(header, languages):
                known[label] = column
    return known


def detect_kind(headers: list[str], languages) -> str | None:
    """The kind whose own columns (those the other kind lacks) the header names most; None when
    it names none of either."""
    labels = {kind: set(_labels(columns, languages)) for kind, columns in COLUMNS.items()}
    found = {normalise_label(header) for header in headers if header}
    scores = {kind: len(found & (own - set().union(*(labels[k] for k in labels if k != kind))))
              for kind, own in labels.items()}
    best = max(scores, key=scores.__getitem__)
    if scores[best] == 0 or list(scores.values()).count(scores[best]) > 1:
        return None
    return best


def _choose_kind(sheet: Sheet, requested: str, languages, report: ImportReport) -> str:
    detected = detect_kind(sheet.headers, languages)
    if requested not in COLUMNS:
        return detected or PROJECTS
    if detected is not None and detected != requested:
        report.warnings.append(_("您选择的是「%(chosen)s」，但表格的列标题属于「%(found)s」：已按「%(found)s」读取。",
                                 chosen=KINDS[requested], found=KINDS[detected]))
        return detected
    return requested


def _map_headers(sheet: Sheet, columns, languages, report: ImportReport) -> dict[str, int]:
    known = _labels(columns, languages)
    positions: dict[str, int] = {}
    seen: set[str] = set()
    for index, header in enumerate(sheet.headers):
        if not header:
            continue
        # Where the heading stands: under a title, or in the second row of a heading of two.
        row = sheet.heading_rows[index] if index < len(sheet.heading_rows) else 1
        column = known.get(normalise_label(header))
        if column is None:
            report.warnings.append(_("未识别的列「%(name)s」（%(cell)s），已忽略。", name=header,
                                     cell=f"{column_letter(index + 1)}{row}"))
            continue
        if column.key in seen:
            report.problems.append(Problem(None, None, _("列「%(name)s」出现了两次（%(cell)s）。", name=header,
                                                         cell=f"{column_letter(index + 1)}{row}")))
            continue
        seen.add(column.key)
        if column.importable:
            positions[column.key] = index
    missing = [c.label for c in columns if c.required and c.key not in positions]
    if missing:
        report.problems.append(Problem(None, None, _("缺少必需的列：%(names)s。请使用导入模板，或从项目清单导出的表格。",
                                                     names=pgettext("列举的分隔号", "、").join(
                                                         _("「%(name)s」", name=name) for name in missing))))
    if report.kind == MONTHLY_REPORTS and not (
            "id" in positions or "project_code" in positions or {"name", "region"} <= set(positions)):
        report.problems.append(Problem(None, None, _("缺少用来确定项目的列：「项目ID」、「项目代码」，或「项目名称」加「地区代码」。")))
    return positions


def _totals_words(languages) -> set[str]:
    words = {normalise_label(word) for word in TOTAL_WORDS}
    for label in (TOTALS_LABEL, COVERAGE_LABEL):
        words |= labels_in_every_language(label, languages)
    return words


def _not_a_project(run: Run, cells: list[Cell], totals: set[str]) -> str | None:
    """Why the row is none of the sheet's projects or reports: "totals", "group" or "merged";
    None for a row to read. A row naming its project (项目ID, 项目代码) is always read."""
    own = [(index, cell) for index, cell in enumerate(cells) if has_own_value(cell)]
    if not own:
        return "merged"
    name_index = run.positions.get("name")
    for cell in (own[0][1], *(c for i, c in own if i == name_index)):
        text = normalise_label(str(cell.value)) if isinstance(cell.value, str) else ""
        if text.rstrip(":：") in totals or text.startswith(PART_WORD):
            return "totals"
    ours = {index: key for key, index in run.positions.items()}
    filled = {ours[index] for index, _cell in own if index in ours}
    if filled & {"id", "project_code"}:
        return None
    first = own[0][1].value
    if isinstance(first, str) and ORDINAL.match(first.strip()):
        if not any(run.columns[key].kind in FIGURE_KINDS for key in filled):
            return "group"  # 一、县级医疗机构 over its projects
        # 一、县级医疗机构 with its region and the group's subtotal: a project would double it.
        # Projects are numbered 1, 2, 3 under such a heading; the preview says how to keep one.
        return "subtotal"
    leading = name_index if name_index is not None else min(run.positions.values(), default=0)
    if filled <= {"name"} and all(index <= leading for index, _cell in own):
        return "group"  # a heading in the first cells, with no region and no figure
    return None


def _say_skipped(report: ImportReport, skipped: dict[str, list[int]]) -> None:
    """The preview says which rows were not read, and why."""
    def numbers(rows: list[int]) -> str:
        said = pgettext("列举的分隔号", "、").join(str(number) for number in rows[:MOST_ROWS_NAMED])
        if len(rows) > MOST_ROWS_NAMED:
            said = _("%(rows)s 等共 %(n)s", rows=said, n=len(rows))
        return said

    if skipped.get("totals"):
        report.warnings.append(_("第 %(rows)s 行是合计、小计或“其中”行，不是项目，已跳过。",
                                 rows=numbers(skipped["totals"])))
    if skipped.get("group"):
        report.warnings.append(_("第 %(rows)s 行是分组标题（序号为“一、”“（二）”之类，或只填了前几格，没有地区代码和数字），"
                                 "不是项目，已跳过。", rows=numbers(skipped["group"])))
    if skipped.get("subtotal"):
        report.warnings.append(_("第 %(rows)s 行的序号是“一、”“（二）”之类，又填了数字：看作分组标题和它的小计，不是项目，已跳过。"
                                 "如确是一个项目，请把序号改为阿拉伯数字（1、2、3）后重新上传。",
                                 rows=numbers(skipped["subtotal"])))
    if skipped.get("merged"):
        report.warnings.append(_("第 %(rows)s 行只有合并单元格延伸下来的内容（例如向下合并的「地区代码」穿过的空行），已跳过。",
                                 rows=numbers(skipped["merged"])))


def _read_rows(sheet: Sheet, reader: CellReader, run: Run) -> list[Row]:
    rows = []
    totals = _totals_words(reader.languages)
    skipped: dict[str, list[int]] = {}
    for number, cells in sheet.rows:
        why = _not_a_project(run, cells, totals)
        if why is not None:
            skipped.setdefault(why, []).append(number)
            continue
        outcome = RowOutcome(row=number)
        values: dict[str, object] = {}
        for key, index in run.positions.items():
            column = run.columns[key]
            cell = cells[index] if index < len(cells) else EMPTY
            try:
                value = reader.read(column, cell)
            except CellProblem as problem:
                run.flag(outcome, key, str(problem))
                continue
            if value is None:
                continue  # blank: unchanged (and, in a new row, unknown)
            if value is CLEAR:
                if key in CANNOT_CLEAR:
                    run.flag(outcome, key, _("此列不能用“%(marker)s”清空", marker=CLEAR_MARKER))
                    continue
                value = None
            values[key] = value
        title = values.get("name")
        outcome.title = str(title) if title else ""
        rows.append(Row(number, values, outcome))
        run.report.outcomes.append(outcome)
    _say_skipped(run.report, skipped)
    return rows


# --- projects -----------------------------------------------------------------------------------

def _read_only_cells(sheet: Sheet, reader: CellReader, languages) -> dict[int, dict[str, Any]]:
    """The values the rows hold in the READ_ONLY columns (a value that does not read as its kind
    is kept as written: it is not the stored one either)."""
    known = _labels([c for c in PROJECT_COLUMNS if c.key in READ_ONLY], languages)
    positions = {known[label].key: index for index, header in enumerate(sheet.headers)
                 if (label := normalise_label(header)) in known}
    found: dict[int, dict[str, Any]] = {}
    columns = {c.key: c for c in PROJECT_COLUMNS}
    for number, cells in sheet.rows:
        for key, index in positions.items():
            cell = cells[index] if index < len(cells) else EMPTY
            try:
                value = reader.read(columns[key], cell)
            except CellProblem:
                value = str(cell.value)
            if value is not None:
                found.setdefault(number, {})[key] = None if value is CLEAR else value
    return found


def _compare_read_only(run: Run, number: int, project: Project | None) -> None:
    """Note the row under each READ_ONLY column where it wrote other than what is stored (a new
    project has nothing stored). An exported list sent back holds the stored values: no news."""
    for key, value in run.read_only.get(number, {}).items():
        if project is None or getattr(project, key) != value:
            run.not_read.setdefault(key, []).append(number)


def _say_not_read(run: Run) -> None:
    for key in READ_ONLY:
        numbers = sorted(set(run.not_read.get(key, ())))
        if not numbers:
            continue
        listed = pgettext("列举的分隔号", "、").join(str(n) for n in numbers[:READ_ONLY_ROWS_LISTED])
        if len(numbers) > READ_ONLY_ROWS_LISTED:
            listed += "…"
        run.report.warnings.append(ngettext(
            "「%(column)s」%(why)s。有 %(n)s 行填写的值与系统中的不同（第 %(rows)s 行），没有导入。",
            "「%(column)s」%(why)s。有 %(n)s 行填写的值与系统中的不同（第 %(rows)s 行），没有导入。",
            len(numbers), column=run.header(key), why=READ_ONLY[key], rows=listed, n=len(numbers)))


def _find_project(run: Run, row: Row) -> tuple[Project | None, bool]:
    """The project the row is about (None: a new one); False when the row names one that is not
    there or is ambiguous (the problem is recorded)."""
    values, outcome = row.values, row.outcome
    if values.get("id") is not None:
        project = db.session.get(Project, values["id"])
        if project is None:
            run.flag(outcome, "id", _("没有ID为 %(id)s 的项目", id=values["id"]))
            return None, False
        return project, True
    code = values.get("project_code")
    if code:
        project = db.session.scalar(sa.select(Project).where(Project.project_code == project_services.normal_code(str(code))))
        if project is not None:
            return project, True
    name, region_key = values.get("name"), values.get("region")
    if name and region_key:
        region = run.region(str(region_key))
        if region is not None:
            found = db.session.scalars(sa.select(Project).where(
                Project.name == name, Project.region_id == region.id).limit(2)).all()
            if len(found) > 1:
                run.flag(outcome, "name", _("地区 %(region)s 有多个名为「%(name)s」的项目，请填写项目ID",
                                            region=region_key, name=name))
                return None, False
            if found:
                return found[0], True
    return None, True


def _count_late_by_status(run: Run, project: Project) -> None:
    if project.unrecorded_since_begun(clock.today(), Stage.START) is not None:
        run.late_by_status += 1


def _display(run: Run, field_name: str, value) -> str:
    if field_name == "region_id":
        region = db.session.get(Region, value) if value is not None else None
        return f"{region.name}（{region.key}）" if region else display_value(None, value)
    return display_value(run.columns.get(field_name), value)


def _key_of(field_name: str) -> str:
    return "region" if field_name == "region_id" else field_name


def _service_problems(run: Run, outcome: RowOutcome, failure: ValidationFailed) -> None:
    for field_name, messages in failure.errors.items():
        for message in messages:
            if field_name == "reason":
                run.flag(outcome, "status", _("变更项目状态需要说明原因：请在确认导入时填写“变更原因”"))
            elif field_name == "__all__":
                run.flag(outcome, None, message)
            else:
                run.flag(outcome, _key_of(field_name), message)


def _cleared(changes) -> int:
    """How many stored values the changes empty."""
    return sum(1 for old, new in changes if new is None and old not in (None, ""))


def _plans_of(run: Run, row: Row) -> list[Plan] | None:
    """The plans the row's 所属规划 names (None: a problem was recorded)."""
    plans: list[Plan] = []
    for name in row.values.get("plans") or ():
        found = run.plans_named(name)
        if not found:
            run.flag(row.outcome, "plans", _("没有标题或编号为「%(name)s」的规划", name=name))
        elif len(found) > 1:
            run.flag(row.outcome, "plans", _("有多个标题为「%(name)s」的规划：请改填规划编号", name=name))
        else:
            plans.append(db.session.get_one(Plan, found[0]))
    return None if row.outcome.problems else plans


def _link_plans(run: Run, project: Project, plans: list[Plan]) -> tuple[str, str] | None:
    """Link the project to the plans it is not yet in; the (before, after) of its plans."""
    before = [plan.title for plan in project.plans]
    linked = [plan for plan in plans if project_services.link_plan(run.actor, project, plan)]
    if not linked:
        return None
    return "；".join(before), "；".join(plan.title for plan in project.plans)


def _saved_meanwhile(run: Run, attempt: int) -> bool:
    """Whether a row refused as stale should be tried again. On an apply, never: the row was
    checked against the versions its preview showed. A preview is only a trial, and another
    officer may save between its reading an object and its trial UPDATE (on PostgreSQL the
    UPDATE waits for his commit, then finds the version moved): the row is compared with what
    he saved, a few times at most, instead of being shown as "changed after the preview"
    before any preview was shown."""
    if run.apply or attempt >= PREVIEW_ATTEMPTS:
        return False
    db.session.expire_all()  # what is read next is what he saved
    return True


def _would_change(run: Run, project: Project, values: dict, region: Region | None) -> bool:
    """Whether the row would change the project: the service is asked in a savepoint that is
    always rolled back, so nothing of it stays (a project the user may not edit)."""
    fields = {key: value for key, value in values.items() if key not in ("id", "region", "plans", "version")}
    if region is not None:
        fields["region_id"] = region.id
    plan_ids = {plan.id for plan in project.plans}
    for name in values.get("plans") or ():
        found = run.plans_named(name)
        if len(found) != 1 or found[0] not in plan_ids:
            return True
    savepoint = db.session.begin_nested()
    try:
        return bool(project_services.update_project(run.actor, project, fields, reason=PREVIEW_REASON,
                                                    **_as_exported(project, values.get("version"))))
    except (ValidationFailed, StaleEdit, sa.exc.IntegrityError, sa.exc.DataError):
        return True
    finally:
        savepoint.rollback()


def _as_exported(project: Project, version: int | None) -> dict:
    """``update_project``'s arguments for a row exported at ``version`` (its 数据版本): a merge
    with the values the row was exported with, so that a cell its reader left as exported is no
    change and what others saved since stays. A row without one (a template, an older export)
    is the values to save, as they stand."""
    if version is None or version > project.version:
        return {"expected_version": project.version}
    return {"expected_version": version, "loaded": project_services.values_at(project, version)}


def _contested(run: Run, conflict: EditConflict) -> str:
    said = [_("「%(column)s」已被改为“%(theirs)s”（文件中为“%(mine)s”）",
              column=run.header(_key_of(field)), theirs=_display(run, _key_of(field), values["theirs"]),
              mine=_display(run, _key_of(field), values["mine"]))
            for field, values in conflict.contested.items()]
    return _("此行导出之后，他人修改了同一项：%(fields)s。请在文件中改为要保存的值后重新上传；"
             "如确要以文件为准，请清空此行的「数据版本」", fields=pgettext("列举的分隔号", "、").join(said))


# What an entry records beside the fields a reader of the sheet knows.
BOOKKEEPING = {"version", "project_version"}


def _changed_after_preview(run: Run, stale: StaleEdit, name: str | None) -> str:
    """A row refused at confirm because the project was saved since its preview, said as the
    preview's own clash says it: each save since, by whom and when, with the values it left. It
    named nobody and no value ("被他人修改过"), and a user who confirmed the same file in a second
    tab was told "他人" of his own import a moment earlier: his saves are "您刚才的导入" (or
    "您本人" from a page)."""
    said = []
    for entry in stale.changes_by_others:
        fields = pgettext("列举的分隔号", "、").join(
            _("「%(column)s」改为“%(value)s”", column=run.header(_key_of(field)),
              value=_display(run, _key_of(field), new))
            for field, (_old, new) in entry.changes.items() if field not in BOOKKEEPING)
        if run.user is not None and entry.user_id == run.user.id:
            by = _("您刚才的导入") if entry.via == "import" else _("您本人")
        else:
            by = who(entry)
        said.append(_("%(who)s于 %(when)s%(fields)s", who=by, when=local_datetime(entry.occurred_at),
                      fields=pgettext("标签后的冒号", "：") + fields if fields else ""))
    if not said:  # saved in the same instant: nothing in the trail yet to name
        return _("项目「%(name)s」在预览之后被他人修改过：本次导入没有写入任何内容，请重新上传预览", name=name)
    return _("项目「%(name)s」在预览之后又被修改过（%(changes)s）：本次导入没有写入任何内容，请重新上传预览",
             name=name, changes=pgettext("分句的分隔号", "；").join(said))


def _apply_project_row(run: Run, row: Row) -> None:
    values, outcome = dict(row.values), row.outcome
    project, found = _find_project(run, row)
    _compare_read_only(run, row.number, project)
    if project is not None:  # a refused row is named by its project too (it read "—")
        outcome.title = outcome.title or project.name
    if outcome.problems or not found:
        return
    exported = values.pop("version", None)
    if project is not None and exported is not None and exported > project.version:
        run.flag(outcome, "version", _("数据版本 %(version)s 不是此项目的版本：请重新导出，或清空此单元格",
                                       version=exported))
        return
    region = None
    if "region" in values:
        region = run.region(str(values["region"]))
        if region is None:
            run.flag(outcome, "region", _("没有地区代码为 %(code)s 的地区", code=values["region"]))
            return
    seen = run.seen
    if project is not None:
        outcome.title = outcome.title or project.name
        outcome.project_id = project.id
        if f"row-of:{project.id}" in seen:
            run.flag(outcome, None, _("与第 %(row)s 行是同一个项目", row=seen[f"row-of:{project.id}"]))
            return
        seen[f"row-of:{project.id}"] = row.number
        if not can_edit_project(run.user, project):
            # A list exported with other regions' projects re-imports: their unchanged rows are
            # "unchanged"; only a row that would change one is refused.
            if _would_change(run, project, values, region):
                run.flag(outcome, None, _("您无权修改项目「%(name)s」（%(region)s）", name=project.name,
                                          region=project.region.name))
            else:
                outcome.action = "unchanged"
            return
        if region is not None and region.id != project.region_id and not can_create_in(run.user, region):
            run.flag(outcome, "region", _("您无权把项目移到地区 %(region)s", region=region.name))
            return
    else:
        if not values.get("name") and region is None:
            run.flag(outcome, None, _("新建项目需要填写「项目名称」和「地区代码」"))
            return
        if not values.get("name") or region is None:  # only what is missing is asked for
            run.flag(outcome, None, _("新建项目需要填写「%(column)s」",
                                      column=run.header("region" if values.get("name") else "name")))
            return
        key = f"new:{values.get('project_code') or ''}:{values['name']}:{region.id}"
        if key in seen:
            run.flag(outcome, None, _("与第 %(row)s 行重复", row=seen[key]))
            return
        seen[key] = row.number
        if not can_create_in(run.user, region):
            run.flag(outcome, "region", _("您无权在地区 %(region)s 新建项目", region=region.name))
            return
    code = values.get("project_code")
    if code:  # a preview's slices forget earlier rows' writes: two rows claiming one code
        code_key = f"code:{project_services.normal_code(str(code))}"
        if code_key in seen and seen[code_key] != row.number:
            run.flag(outcome, "project_code", _("与第 %(row)s 行的项目代码相同", row=seen[code_key]))
            return
        seen[code_key] = row.number
    plans = _plans_of(run, row)
    if plans is None:
        return

    fields = {key: value for key, value in values.items() if key not in ("id", "region", "plans")}
    for attempt in range(1, PREVIEW_ATTEMPTS + 1):
        try:
            with db.session.begin_nested():
                if project is None:
                    assert region is not None  # a new project's row without one was flagged above
                    created = project_services.create_project(run.actor, region=region, **fields)
                    # A later row naming it (its name in its region) is this row again, not its update.
                    seen[f"row-of:{created.id}"] = row.number
                    for plan in plans:
                        project_services.link_plan(run.actor, created, plan)
                    outcome.action = "create"
                    _count_late_by_status(run, created)
                    outcome.project_id = created.id if run.apply else None
                    outcome.changes = [(run.header(key), "", _display(run, key, json_value(value)))
                                       for key, value in values.items()
                                       # 0 is a figure (0 == False in Python: 床位 0 went unshown)
                                       if key not in ("id", "plans") and not (value is None or value is False or value == "")]
                    if plans:
                        outcome.changes.append((run.header("plans"), "", "；".join(p.title for p in plans)))
                    outcome.status_change = False
                    return
                expected = run.expected_version(f"project:{project.id}", project.version)
                if expected is None:
                    run.flag(outcome, None, _("预览时没有这个项目，数据已变化：请重新上传预览"))
                    return
                if region is not None:
                    fields["region_id"] = region.id
                preview_reason = run.reason or (None if run.apply else PREVIEW_REASON)
                # Saved since the preview: refused, as the preview showed other changes.
                require_version(project, "project:update", expected)
                changes = project_services.update_project(run.actor, project, fields, reason=preview_reason,
                                                          **_as_exported(project, exported))
                plan_change = _link_plans(run, project, plans)
                if {"status", "planned_start"} & set(changes):
                    _count_late_by_status(run, project)
        except ValidationFailed as failure:
            _service_problems(run, outcome, failure)
            return
        except EditConflict as conflict:
            run.flag(outcome, None, _contested(run, conflict))
            return
        except StaleEdit as stale:
            if _saved_meanwhile(run, attempt):
                continue
            run.flag(outcome, None, _changed_after_preview(run, stale, outcome.title))
            return
        except (sa.exc.IntegrityError, sa.exc.DataError):
            run.flag(outcome, None, _("数据库拒绝了这一行（项目代码重复或文字过长？）"))
            return
        break
    changes.pop("version", None)
    outcome.action = "update" if changes or plan_change else "unchanged"
    outcome.status_change = "status" in changes
    outcome.cleared = _cleared(changes.values())
    outcome.changes = [(run.header(_key_of(name)), _display(run, _key_of(name), old),
                        _display(run, _key_of(name), new)) for name, (old, new) in changes.items()]
    if plan_change:
        outcome.changes.append((run.header("plans"), display_value(None, plan_change[0]), plan_change[1]))


# --- monthly reports ----------------------------------------------------------------------------

REPORT_VALUE_FIELDS = ("progress_text", "physical_percent", "invested_month", "invested_total",
                       "funds_received", "paid", "problems", "next_steps", "over_budget_reason")


def _apply_report_rows(run: Run, rows: list[Row], slices: Slices) -> None:
    found: dict[int, list[Row]] = {}  # project id → its rows
    for row in rows:
        slices.breathe()
        if row.outcome.problems:
            continue
        if row.values.get("month") is None:
            run.flag(row.outcome, "month", _("请填写填报月份，例如 2024-05"))
            continue
        project, ok = _find_project(run, row)
        if not ok:
            continue
        if project is None:
            run.flag(row.outcome, None, _("找不到这一行的项目：请填写「项目ID」或「项目代码」"))
            continue
        row.outcome.project_id = project.id
        row.outcome.title = f"{project.name} {row.values['month']:%Y-%m}"
        if not can_edit_project(run.user, project):
            run.flag(row.outcome, None, _("您无权为项目「%(name)s」（%(region)s）填报", name=project.name,
                                          region=project.region.name))
            continue
        key = f"month-of:{project.id}:{row.values['month']:%Y-%m}"
        if key in run.seen:
            run.flag(row.outcome, "month", _("与第 %(row)s 行是同一个项目的同一个月", row=run.seen[key]))
            continue
        run.seen[key] = row.number
        found.setdefault(project.id, []).append(row)
    # One project's months build on each other: they are filed together, in month order.
    for project_id, project_rows in found.items():
        project = db.session.get_one(Project, project_id)
        for row in sorted(project_rows, key=lambda row: (row.values["month"], row.number)):
            _apply_report_row(run, project, row)
        slices.breathe()


def _apply_report_row(run: Run, project: Project, row: Row, attempt: int = 1) -> None:
    from ..progress import services as progress_services
    from ..progress.models import MonthlyReport

    values, outcome, month = row.values, row.outcome, row.values["month"]
    existing = progress_services.report_for(project, month)
    given = {key: values[key] for key in REPORT_VALUE_FIELDS if key in values}
    if given.get("invested_total", 0) is None:
        given.pop("invested_total")  # cleared: derived from the months, as when left blank
    expected = None
    if existing is not None:
        expected = run.expected_version(f"report:{existing.id}", existing.version)
        if expected is None:
            run.flag(outcome, None, _("预览时还没有这份月报，数据已变化：请重新上传预览"))
            return
        for key in REPORT_VALUE_FIELDS:
            if key not in given and key != "invested_total":
                given[key] = getattr(existing, key)  # a blank cell keeps the stored value
        first = db.session.scalar(sa.select(sa.func.count(MonthlyReport.id)).where(
            MonthlyReport.project_id == project.id, MonthlyReport.month < month)) == 0
        if first and "invested_total" not in given and existing.invested_total is not None:
            # The first report may state investment made before the tracker: a corrected month
            # keeps that part and adds the month as now written.
            before_tracker = existing.invested_total - (existing.invested_month or 0)
            given["invested_total"] = before_tracker + (given.get("invested_month") or 0)
        same = all(json_value(getattr(existing, key)) == json_value(value)
                   for key, value in given.items())
        if same:
            outcome.action = "unchanged"
            return
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
        return
    except StaleEdit:
        if _saved_meanwhile(run, attempt):
            _apply_report_row(run, project, row, attempt + 1)  # compared with what was saved
            return
        run.flag(outcome, None, _("这份月报在预览之后被他人更正过：本次导入没有写入任何内容，请重新上传预览"))
        return
    except (sa.exc.IntegrityError, sa.exc.DataError):
        run.flag(outcome, None, _("数据库拒绝了这一行"))
        return
    outcome.action = "update" if existing is not None else "create"
    changed = [(key, before.get(key), value) for key, value in after.items() if before.get(key) != value]
    outcome.cleared = _cleared((old, new) for _key, old, new in changed)
    outcome.changes = [(run.header(key), _display(run, key, old), _display(run, key, new))
                       for key, old, new in changed]
