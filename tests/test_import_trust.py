"""Issue 13: sheets in, the way Excel users fill them.

A blank cell leaves a value as it is and （清空） clears it; a preview is computed once, at upload,
and reading it writes nothing; a confirmation applies once; a small file cannot cost minutes; the
templates come filled in; the sheet's kind is read from its header; errors name the cell; plans
are linked by title or key; numbers are read as the forms read them.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import time
import zipfile
from decimal import Decimal

import openpyxl
import pytest
import sqlalchemy as sa
import time_machine

from tracker.audit.services import Actor
from tracker.core.values import parse_decimal
from tracker.exports.columns import MONTHLY_REPORT_COLUMNS
from tracker.imports.models import ImportBatch
from tracker.plans.models import Plan
from tracker.progress.models import MonthlyReport
from tracker.projects import services as project_services
from tracker.projects.models import Project
from tracker.regions.models import Region
from tracker.vocabulary import Status

from .test_import import (HEADERS, LAB, REPORT_HEADERS, messages, new_projects_sheet, officer,  # noqa: F401
                          preview_text, project_count, report_sheet, row, run, upload, xlsx)

# 12:00 in Beijing on 15 December 2026: "this month" is 2026-12 for every clock.
NOON = dt.datetime(2026, 12, 15, 4, 0, tzinfo=dt.timezone.utc)


def lab(db) -> Project:
    return db.session.scalar(sa.select(Project).where(Project.name == LAB))


def confirm(browser, location: str, reason: str = ""):
    return browser.post(location + "/confirm", data={"reason": reason})


def html(browser, location: str) -> str:
    response = browser.get(location)
    assert response.status_code == 200
    return response.get_data(as_text=True)


# --- 1. blank keeps, （清空） clears ----------------------------------------------------------------

def test_a_row_with_the_id_and_two_cells_changes_those_two_and_blanks_nothing(officer, seeded, db):
    _user, browser = officer
    project = lab(db)
    before = {field: getattr(project, field) for field in project_services.EDITABLE_FIELDS}
    sheet = xlsx([row(项目ID=project.id, **{"床位（张）": 80, "总建筑面积（m²）": 4500})])
    location = upload(browser, sheet)
    text = preview_text(browser, location)
    assert "修改 1 行" in text and "不会清空任何已有数据" in text
    assert not re.search(r"→\s*（空）", text)  # nothing is shown as becoming empty
    assert confirm(browser, location).status_code == 200
    db.session.expire_all()
    project = lab(db)
    after = {field: getattr(project, field) for field in project_services.EDITABLE_FIELDS}
    changed = {field for field in after if after[field] != before[field]}
    assert changed == {"beds", "floor_area_m2"}
    assert project.total_investment == Decimal("1320") and project.location == "龙南市"


def test_clearing_takes_the_marker_and_the_preview_says_in_bold_how_many(officer, seeded, db):
    _user, browser = officer
    project = lab(db)
    sheet = xlsx([row(项目ID=project.id, 建设地点="（清空）",
                      **{"总投资（万元）": "(清空)", "床位（张）": 80})])
    location = upload(browser, sheet)
    page = html(browser, location)
    assert re.search(r"<strong>\s*本次导入将清空 2 个已有数据", page)
    text = preview_text(browser, location)
    assert re.search(r"总投资（万元）\s*1,320\s*→\s*（空）", text)
    assert confirm(browser, location).status_code == 200
    db.session.expire_all()
    project = lab(db)
    assert project.total_investment is None and project.location is None and project.beds == 80


def test_the_marker_cannot_clear_what_has_no_unknown(officer, seeded, db):
    user, _browser = officer
    sheet = xlsx([row(项目ID=lab(db).id, 地区代码="（清空）", 项目类型="(清空)")])
    text = messages(run(user, sheet))
    assert "D2 单元格（第 2 行「地区代码」）：此列不能用“（清空）”清空" in text
    assert "「项目类型」）：此列不能用“（清空）”清空" in text


def test_a_report_correction_keeps_what_its_blank_cells_do_not_say(officer, seeded, db):
    user, _browser = officer
    project = lab(db)
    with time_machine.travel(NOON, tick=False):
        first = run(user, report_sheet(project.id, [{"填报月份": "2026-11", "形象进度": "主体施工",
                                                     "本月完成投资（万元）": 100, "存在问题": "雨季"}]),
                    kind="monthly-reports")
        assert first.applied, messages(first)
        correction = run(user, report_sheet(project.id, [{"填报月份": "2026-11", "本月完成投资（万元）": 120,
                                                          "更正原因": "统计口径更正"}]),
                         kind="monthly-reports")
        assert correction.applied and correction.cleared == 0, messages(correction)
        filed = db.session.scalar(sa.select(MonthlyReport).where(MonthlyReport.project_id == project.id))
        assert filed.invested_month == Decimal("120") and filed.progress_text == "主体施工"
        assert filed.problems == "雨季"
        cleared = run(user, report_sheet(project.id, [{"填报月份": "2026-11", "存在问题": "（清空）",
                                                       "更正原因": "问题已解决"}]), kind="monthly-reports")
        assert cleared.applied and cleared.cleared == 1, messages(cleared)
        db.session.refresh(filed)
        assert filed.problems is None and filed.progress_text == "主体施工"


# --- 2 and 3. the preview is kept; a confirmation applies once ------------------------------------

def test_viewing_a_preview_reads_the_kept_result_and_writes_nothing(app, officer, db, monkeypatch):
    _user, browser = officer
    location = upload(browser, new_projects_sheet())

    def never(*_args, **_kwargs):
        raise AssertionError("a preview is computed once, at upload")
    monkeypatch.setattr("tracker.imports.views.run_import", never)
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement.split(None, 1)[0].upper())
    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        for _ in range(3):
            assert "新增 3 行" in preview_text(browser, location)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    # (SAVEPOINT and RELEASE are the test's own transaction, around every session transaction.)
    assert "SELECT" in statements
    assert not set(statements) & {"INSERT", "UPDATE", "DELETE"}, set(statements)


def test_a_second_confirmation_is_refused_and_applies_nothing(officer, db):
    _user, browser = officer
    before = project_count(db)
    location = upload(browser, new_projects_sheet())
    assert confirm(browser, location).status_code == 200
    again = confirm(browser, location)
    assert again.status_code == 409 and "不会重复导入" in again.get_data(as_text=True)
    assert project_count(db) == before + 3
    assert "不会重复导入" in preview_text(browser, location)
    batch = db.session.scalar(sa.select(ImportBatch).where(ImportBatch.token == location.rsplit("/", 1)[1]))
    assert batch.status == "applied" and batch.decided_at is not None


def test_a_discarded_upload_cannot_be_confirmed(officer, db):
    _user, browser = officer
    before = project_count(db)
    location = upload(browser, new_projects_sheet())
    assert browser.post(location + "/discard").status_code == 302
    refused = confirm(browser, location)
    assert refused.status_code == 409 and "已被放弃" in refused.get_data(as_text=True)
    assert project_count(db) == before


def test_a_refused_confirmation_leaves_the_upload_to_confirm_again(officer, seeded, db):
    _user, browser = officer
    project = lab(db)
    sheet = xlsx([row(项目ID=project.id, 状态="在建")])
    location = upload(browser, sheet)
    refused = confirm(browser, location)  # a status change needs its reason
    assert refused.status_code == 409 and "变更项目状态需要说明原因" in refused.get_data(as_text=True)
    batch = db.session.scalar(sa.select(ImportBatch).where(ImportBatch.token == location.rsplit("/", 1)[1]))
    assert batch.status == "previewed"
    assert confirm(browser, location, reason="已开工").status_code == 200
    db.session.expire_all()
    assert lab(db).status is Status.CONSTRUCTION


# --- 4. bounded work -------------------------------------------------------------------------------

def shared_strings_bomb(megabytes: int) -> bytes:
    """A real workbook whose shared strings unzip to ``megabytes`` MB: one long string, repeated."""
    good = new_projects_sheet()
    text = "龙南市疾病预防控制中心" * 100
    item = f"<si><t>{text}</t></si>".encode()
    count = megabytes * 1024 * 1024 // len(item)
    strings = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
               b'spreadsheetml/2006/main" count="%d" uniqueCount="%d">' % (count, count)
               + item * count + b"</sst>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, \
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for entry in source.infolist():
            if entry.filename != "xl/sharedStrings.xml":
                target.writestr(entry.filename, source.read(entry.filename))
        target.writestr("xl/sharedStrings.xml", strings)
    return buffer.getvalue()


def test_a_small_file_whose_strings_unzip_to_94_mb_is_refused_at_once(officer, db, monkeypatch):
    user, _browser = officer
    bomb = shared_strings_bomb(94)
    assert len(bomb) < 400 * 1024, len(bomb)

    def never(*_args, **_kwargs):
        raise AssertionError("openpyxl must not parse it")
    monkeypatch.setattr(openpyxl, "load_workbook", never)
    started = time.monotonic()
    report = run(user, bomb)
    assert time.monotonic() - started < 2
    assert "文件解压后超过 24 MB，拒绝读取" in messages(report) and not report.applied


def test_a_sheet_claiming_too_many_cells_is_refused_before_parsing(officer, db, monkeypatch):
    user, _browser = officer
    cells = "".join(f'<c r="A{n}"/>' for n in range(1, 300_002))
    sheet = ('<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
             f'2006/main"><sheetData><row r="1">{cells}</row></sheetData></worksheet>')
    good = new_projects_sheet()
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            target.writestr(entry.filename, sheet if entry.filename == "xl/worksheets/sheet1.xml" else data)
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("parsed"))
    assert "工作簿的单元格超过 300,000 个，拒绝读取" in messages(run(user, buffer.getvalue()))
    # An ordinary sheet is counted, not refused.
    monkeypatch.undo()
    assert run(user, good).applied


def with_part(good: bytes, name: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            if entry.filename != name:
                target.writestr(entry.filename, source.read(entry.filename))
        target.writestr(name, content)
    return buffer.getvalue()


def test_a_small_file_of_too_many_formats_or_strings_is_refused_before_parsing(officer, db, monkeypatch):
    """A QA walk's complaint: a 59 KB workbook of 300,000 cell formats (18.6 MB unzipped, under
    the 24 MB limit), or of 1.3 million shared strings, took 10 s of a worker to preview, and ten
    at once a minute each while a leader's dashboard timed out."""
    user, _browser = officer
    good = new_projects_sheet()
    styles = (b'<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              b'<cellXfs count="300000">' + b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>' * 300_000
              + b"</cellXfs></styleSheet>")
    strings = (b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               + b"<si><t>x</t></si>" * 1_300_000 + b"</sst>")
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("parsed"))
    started = time.monotonic()
    assert "工作簿的单元格格式超过 64,000 种，拒绝读取" in messages(run(user, with_part(good, "xl/styles.xml", styles)))
    assert "工作簿的文字条目超过 300,000 条，拒绝读取" in messages(run(user, with_part(good, "xl/sharedStrings.xml", strings)))
    assert time.monotonic() - started < 3


# --- 5. templates filled in -----------------------------------------------------------------------

def start_construction(db, names: list[str]) -> list[Project]:
    projects = []
    for name in names:
        project = db.session.scalar(sa.select(Project).where(Project.name == name))
        project_services.update_project(Actor(None, "web"), project, {"status": Status.CONSTRUCTION},
                                        expected_version=project.version, reason="已开工")
        projects.append(project)
    db.session.commit()
    return projects


def longnan_names(db, count: int) -> list[str]:
    region = db.session.scalar(sa.select(Region).where(Region.key == "360783"))
    return list(db.session.scalars(sa.select(Project.name).where(
        Project.region_id == region.id, Project.kind == "construction").order_by(Project.id).limit(count)))


def workbook(data: bytes):
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    return book, sheet, header


def saved(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_monthly_template_lists_the_reports_the_officer_owes(officer, seeded, db):
    user, browser = officer
    with time_machine.travel(NOON, tick=False):
        due = start_construction(db, longnan_names(db, 3))
        run(user, report_sheet(due[0].id, [{"填报月份": "2026-11", "本月完成投资（万元）": 250}]),
            kind="monthly-reports")
        db.session.commit()
        response = browser.get("/import/templates/monthly-reports.xlsx")
    assert response.status_code == 200
    _book, sheet, header = workbook(response.data)
    assert header == [column.label for column in MONTHLY_REPORT_COLUMNS]
    rows = {r[header.index("项目ID")]: r for r in sheet.iter_rows(min_row=2, values_only=True)
            if r[header.index("项目ID")] is not None}
    assert set(rows) == {project.id for project in due}
    first = rows[due[0].id]
    assert first[header.index("项目名称")] == due[0].name
    assert first[header.index("填报月份")] == "2026-12"
    assert first[header.index("上次填报月份")] == "2026-11"
    assert first[header.index("上次填报的自开工累计（万元）")] == 250
    assert rows[due[1].id][header.index("上次填报的自开工累计（万元）")] is None


def test_a_filled_monthly_template_of_three_months_for_three_projects_imports(officer, seeded, db):
    """The issue's walk-through: download the prefilled template, fill three months for three
    projects, upload, preview, confirm."""
    _user, browser = officer
    with time_machine.travel(NOON, tick=False):
        due = start_construction(db, longnan_names(db, 3))
        book, sheet, header = workbook(browser.get("/import/templates/monthly-reports.xlsx").data)
        column = {label: index + 1 for index, label in enumerate(header)}
        prefilled = [r for r in range(2, sheet.max_row + 1) if sheet.cell(r, column["项目ID"]).value]
        assert len(prefilled) == 3
        for r in prefilled:  # this month, in the prefilled row
            sheet.cell(r, column["形象进度"]).value = "主体结构施工至5层"
            sheet.cell(r, column["本月完成投资（万元）"]).value = 30
        for r in prefilled:  # the two months before, added below by hand
            for month, amount in (("2026-10", 10), ("2026-11", 20)):
                new = sheet.max_row + 1
                for label in ("项目ID", "项目名称", "地区代码"):
                    sheet.cell(new, column[label]).value = sheet.cell(r, column[label]).value
                sheet.cell(new, column["填报月份"]).value = month
                sheet.cell(new, column["本月完成投资（万元）"]).value = amount
        location = upload(browser, saved(book), "月报.xlsx", kind="auto")
        text = preview_text(browser, location)
        assert "表格内容：月度填报" in text and "新填报 9 行" in text and "错误 0 行" in text
        assert "未识别的列" not in text
        assert confirm(browser, location).status_code == 200
    db.session.expire_all()
    for project in due:
        reports = db.session.scalars(sa.select(MonthlyReport).where(MonthlyReport.project_id == project.id)
                                     .order_by(MonthlyReport.month)).all()
        assert [(r.month.month, r.invested_total) for r in reports] == [
            (10, Decimal(10)), (11, Decimal(30)), (12, Decimal(60))]
        assert db.session.get(Project, project.id).invested_to_date == Decimal(60)


def test_a_name_written_as_a_formula_is_text_in_the_template_and_imports_back(officer, seeded, db):
    """A project named "=SUM(…)" (typed so, or read from a plan) is text in the prefilled monthly
    template, not a formula a spreadsheet runs on opening; filled and uploaded, the row is that
    project's report (the reader takes back the quote the template added)."""
    _user, browser = officer
    with time_machine.travel(NOON, tick=False):
        project = start_construction(db, longnan_names(db, 1))[0]
        project_services.update_project(Actor(None, "web"), project, {"name": "=SUM(1,1)号楼"},
                                        expected_version=project.version, reason="改名")
        db.session.commit()
        book, sheet, header = workbook(browser.get("/import/templates/monthly-reports.xlsx").data)
        column = {label: index + 1 for index, label in enumerate(header)}
        row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, column["项目ID"]).value == project.id)
        name = sheet.cell(row, column["项目名称"])
        assert (name.data_type, name.value, name.quotePrefix) == ("s", "=SUM(1,1)号楼", True)
        sheet.cell(row, column["本月完成投资（万元）"]).value = 30
        location = upload(browser, saved(book), "月报.xlsx", kind="auto")
        text = preview_text(browser, location)
        assert "新填报 1 行" in text and "错误 0 行" in text, text
        assert confirm(browser, location).status_code == 200
    db.session.expire_all()
    assert db.session.get(Project, project.id).invested_to_date == Decimal(30)


def test_a_reexported_list_with_two_cells_changed_changes_exactly_those_two(officer, seeded, db):
    _user, browser = officer

    def snapshot() -> dict:
        db.session.expire_all()
        projects = db.session.scalars(sa.select(Project).order_by(Project.id)).all()
        return {(p.id, field): getattr(p, field) for p in projects
                for field in project_services.EDITABLE_FIELDS} | \
               {(p.id, "plans"): tuple(plan.id for plan in p.plans) for p in projects}
    before = snapshot()
    book, sheet, header = workbook(browser.get("/projects/export.xlsx?region=360783&kind=all").data)
    data_rows = [r for r in sheet.iter_rows(min_row=2) if isinstance(r[0].value, (int, float))]  # the id: a number
    assert len(data_rows) > 10
    first, second = data_rows[0], data_rows[5]
    first[header.index("总投资（万元）")].value = 4321
    second[header.index("建设地点")].value = "龙南市龙南镇新址"
    location = upload(browser, saved(book), "清单.xlsx")
    text = preview_text(browser, location)
    assert "修改 2 行" in text and "错误 0 行" in text and "不会清空任何已有数据" in text
    assert confirm(browser, location).status_code == 200
    after = snapshot()
    changed = {key for key in before if before[key] != after[key]}
    assert changed == {(first[0].value, "total_investment"), (second[0].value, "location")}
    assert after[(first[0].value, "total_investment")] == Decimal(4321)


def test_a_list_exported_and_imported_unopened_changes_nothing_whatever_its_texts_hold(officer, seeded, db):
    """The xlsx writes a text's control characters and anything that looks like one of the
    file format's escapes (``_x000D_``, ``_x0041_``) escaped (``_x000D_``, ``_x005F_x0041_``), as
    the format asks; openpyxl, the importer's reader, leaves them so, and a list sent straight back
    changed those texts (a literal ``_x005F_``…) where nobody had."""
    _user, browser = officer
    [first, second] = db.session.scalars(sa.select(Project).join(Region)
                                         .where(Region.code == "360783").order_by(Project.id).limit(2)).all()
    db.session.execute(sa.update(Project).where(Project.id == first.id).values(
        location="龙南镇_x0041_路", scope="编号 _x000D_ 照原样写"))
    db.session.execute(sa.update(Project).where(Project.id == second.id).values(
        owner_unit="_x005F_单位_", invested_to_date=Decimal("5120.25"), current_estimate=Decimal("12800.5"),
        last_report_month=dt.date(2026, 10, 1)))  # as the months and the budget left them
    db.session.commit()
    exported = browser.get("/projects/export.xlsx?region=360783&kind=all").data
    assert b"_x005F_x0041_" in zipfile.ZipFile(io.BytesIO(exported)).read("xl/worksheets/sheet1.xml")
    location = upload(browser, exported, "清单.xlsx")
    text = preview_text(browser, location)
    assert "修改 0 行" in text and "错误 0 行" in text, text[:2000]
    assert "导入时不读取" not in text, text[:2000]  # its 累计完成投资 are the stored ones
    text = preview_text(browser, upload(browser, browser.get("/projects/export.csv?region=360783&kind=all").data,
                                        "清单.csv"))
    assert "修改 0 行" in text and "错误 0 行" in text and "导入时不读取" not in text, text[:2000]


def test_figures_written_in_the_read_only_columns_are_said_not_to_be_read(officer, seeded, db):
    """A QA walk's complaint: an office wrote 累计完成投资 9,999 for a project (5,120 stored) and 600
    for a new one, and 最近填报月份: the row read 无变化, the 600 vanished, and nothing said
    that those columns are not read. They are named with what to do instead, with the rows whose
    value is not the stored one; a value equal to the stored one is no news."""
    _user, browser = officer
    [first, second] = db.session.scalars(sa.select(Project).join(Region)
                                         .where(Region.code == "360783").order_by(Project.id).limit(2)).all()
    for project, invested in ((first, 5120), (second, Decimal("300.5"))):  # as the months left them
        db.session.execute(sa.update(Project).where(Project.id == project.id).values(
            invested_to_date=invested, last_report_month=dt.date(2026, 10, 1)))
    db.session.commit()
    headers = ["项目名称", "地区代码", "总投资（万元）", "累计完成投资（万元）", "最近填报月份"]
    sheet = xlsx([["龙南市测试卫生院项目", "360783", "1,000", "600", None],
                  [first.name, "360783", None, "9,999", "2026.9"],
                  [second.name, "360783", None, 300.5, "2026-10"]], headers)
    text = preview_text(browser, upload(browser, sheet))
    assert "「累计完成投资（万元）」由月报计算，导入时不读取；请用月度填报导入各月完成投资" in text, text[:3000]
    assert "有 2 行填写的值与系统中的不同（第 2、3 行），没有导入" in text, text[:3000]
    assert "「最近填报月份」由月报计算" in text and "有 1 行填写的值与系统中的不同（第 3 行）" in text, text[:3000]
    assert "新增 1 行" in text and "错误 0 行" in text, text[:3000]


def test_a_line_break_excel_wrote_as_its_escape_is_a_line_break(officer, db):
    """Excel writes a carriage return in a cell (a text pasted from elsewhere) as ``_x000D_``;
    openpyxl hands the escape over as it is, and it was stored as those seven characters. And a
    sheet's texts are cleaned as a form's are: a line's breaks become spaces, a zero-width
    space and a bidi override go (they were stored as typed)."""
    user, _browser = officer
    report = run(user, xlsx([row(项目名称="龙南市妇幼保健院\u200b迁建项目", 地区代码="360783",
                                 建设地点="龙南镇\n新区\u202e", 建设单位="龙南市_x000D_卫健委_x0000_",
                                 **{"建设规模及内容": "新建门诊楼_x000D_\n住院楼_x0009_各一栋"})]))
    assert not report.all_problems(), messages(report)
    project = db.session.scalar(sa.select(Project).where(Project.name == "龙南市妇幼保健院迁建项目"))
    assert project.scope == "新建门诊楼\n住院楼\t各一栋"
    assert (project.location, project.owner_unit) == ("龙南镇 新区", "龙南市 卫健委_x0000_")


# --- 6. the sheet's kind from its header ----------------------------------------------------------

def test_a_monthly_sheet_sent_as_a_project_list_is_read_as_monthly_reports(officer, seeded, db):
    _user, browser = officer
    with time_machine.travel(NOON, tick=False):
        sheet = report_sheet(lab(db).id, [{"填报月份": "2026-11", "本月完成投资（万元）": 5}])
        text = preview_text(browser, upload(browser, sheet, kind="projects"))
    assert "您选择的是「项目清单」，但表格的列标题属于「月度填报」：已按「月度填报」读取。" in text
    assert "未识别的列" not in text and "新填报 1 行" in text


def test_the_kind_chosen_reads_its_own_sheet_of_a_workbook_holding_both(officer, seeded, db):
    """A QA walk's complaint: an office's workbook held 项目进展 (first, active) and 11月进度 (the
    monthly headings); choosing 月度填报 read 项目进展 all the same ("您选择的是「月度填报」…已按
    「项目清单」读取"), and the months could not be imported without splitting the file."""
    _user, browser = officer
    with time_machine.travel(NOON, tick=False):
        book = openpyxl.Workbook()
        projects = book.active
        projects.title = "项目进展"
        projects.append(HEADERS)
        projects.append(row(项目ID=lab(db).id, 项目名称=LAB, 地区代码="360783"))
        monthly = book.create_sheet("11月进度")
        monthly.append(REPORT_HEADERS)
        monthly.append([{"项目ID": lab(db).id, "填报月份": "2026-11", "本月完成投资（万元）": 5}.get(h)
                        for h in REPORT_HEADERS])
        book.active = 0
        text = preview_text(browser, upload(browser, saved(book), "攸县.xlsx", kind="monthly-reports"))
        assert "新填报 1 行" in text and "错误 0 行" in text, text[:3000]
        assert "您选择的是" not in text and "读取的是工作表「11月进度」" in text, text[:3000]
        # The other kind chosen reads the other sheet; left to recognise, the active one.
        text = preview_text(browser, upload(browser, saved(book), "攸县.xlsx", kind="projects"))
        assert "无变化 1 行" in text and "读取的是工作表「项目进展」" in text, text[:3000]
        text = preview_text(browser, upload(browser, saved(book), "攸县.xlsx", kind="auto"))
        assert "无变化 1 行" in text and "读取的是工作表「项目进展」" in text, text[:3000]


def test_the_template_sheet_is_found_behind_a_cover_sheet_and_under_a_title_row(officer, seeded, db):
    """The office put a cover sheet before the template's, or a merged title ("龙南市2026年月报汇总")
    above its headings: the first sheet's first row was read as the headings, and the officer was
    told his monthly file lacked 「项目名称」、「地区代码」, a project list's columns."""
    _user, browser = officer
    with time_machine.travel(NOON, tick=False):
        due = start_construction(db, longnan_names(db, 1))
        db.session.commit()
        book, sheet, header = workbook(browser.get("/import/templates/monthly-reports.xlsx").data)
        column = {label: index + 1 for index, label in enumerate(header)}
        row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, column["项目ID"]).value == due[0].id)
        sheet.cell(row, column["本月完成投资（万元）"]).value = 30
        cover = book.create_sheet("封面", 0)
        cover["A1"], cover["B3"] = "随便写点", "2026年12月"
        text = preview_text(browser, upload(browser, saved(book), "月报.xlsx", kind="auto"))
        assert "新填报 1 行" in text and "错误 0 行" in text and "缺少必需的列" not in text, text
        # Under a title row, the headings are the row below it.
        del book["封面"]
        sheet.insert_rows(1)
        sheet["A1"] = "龙南市2026年月报汇总"
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
        text = preview_text(browser, upload(browser, saved(book), "月报（带标题）.xlsx", kind="auto"))
        assert "新填报 1 行" in text and "错误 0 行" in text and "缺少必需的列" not in text, text


def test_each_template_explains_only_its_own_kind(officer, db):
    _user, browser = officer

    def notes(kind: str) -> str:
        book = openpyxl.load_workbook(io.BytesIO(browser.get(f"/import/templates/{kind}.xlsx").data))
        return "\n".join(str(c) for r in book["填写说明"].iter_rows(values_only=True) for c in r if c)
    projects, reports = notes("projects"), notes("monthly-reports")
    assert "地区代码、项目类型、类别和“为约数”列不能清空" in projects
    assert "更正原因" not in projects and "自开工累计" not in projects
    assert "“自开工累计完成投资”可留空" in reports and "更正已提交的月份须填写“更正原因”" in reports
    assert "都找不到则新建" not in reports and "项目类型" not in reports
    for text in (projects, reports):
        assert "“（清空）”" in text


# --- 7. errors name the cell ----------------------------------------------------------------------

def test_a_rule_of_the_service_names_the_cell_too(officer, db):
    user, browser = officer
    sheet = xlsx([row(项目名称="竣工早于开工的项目", 地区代码="360783", 计划开工日期="2025-06-01",
                      计划竣工日期="2025-01-01")])
    assert messages(run(user, sheet)) == \
        "X2 单元格（第 2 行「计划竣工日期」）：计划竣工日期不能早于计划开工日期"
    page = html(browser, upload(browser, sheet))
    assert '<strong class="cell-ref">X2</strong>' in page


# --- 8. 所属规划 ------------------------------------------------------------------------------------

def test_an_imported_project_is_linked_to_plans_by_title_or_key(officer, seeded, db):
    user, _browser = officer
    plans = db.session.scalars(sa.select(Plan).order_by(Plan.key)).all()
    by_title, by_key = plans[0], plans[1]
    sheet = xlsx([row(项目名称="两个规划都列出的新项目", 地区代码="360783",
                      所属规划=f"{by_title.title}；{by_key.key}"),
                  row(项目ID=lab(db).id, 所属规划=by_title.title)])
    report = run(user, sheet)
    assert report.applied, messages(report)
    created = db.session.scalar(sa.select(Project).where(Project.name == "两个规划都列出的新项目"))
    assert {plan.id for plan in created.plans} == {by_title.id, by_key.id}
    assert by_title in lab(db).plans and len(lab(db).plans) >= 2  # added; the old link stays
    unknown = messages(run(user, xlsx([row(项目名称="规划写错的项目", 地区代码="360783", 所属规划="不存在的规划")])))
    assert "「所属规划」）：没有标题或编号为「不存在的规划」的规划" in unknown


# --- 9. one reading of numbers --------------------------------------------------------------------

@pytest.mark.parametrize("written", ["1,320", "1，320", "１３２０", "1 320", "+1320", "1320.0000"])
def test_numbers_are_read_as_the_forms_read_them(officer, db, written):
    user, _browser = officer
    report = run(user, xlsx([row(项目名称=f"数字写法{written}", 地区代码="360783",
                                 **{"总投资（万元）": written})]))
    assert report.applied, messages(report)
    created = db.session.scalar(sa.select(Project).where(Project.name == f"数字写法{written}"))
    assert created.total_investment == parse_decimal(written) == Decimal(1320)


def test_a_date_outside_the_sane_range_is_refused_as_the_forms_refuse_it(officer, db):
    user, _browser = officer
    text = messages(run(user, xlsx([row(项目名称="九千年的项目", 地区代码="360783", 计划开工日期="9999-12-31")])))
    assert "「计划开工日期」）：日期应在 1949-01-01 至 2100-12-31 之间" in text


@pytest.mark.parametrize("written", ["—", "——", "－", "-", "/", "／", "'-"])
def test_a_dash_or_a_slash_in_a_figure_or_a_date_is_not_stated(officer, seeded, db, written):
    """A QA walk: an office writes "—" or "/" where a figure is unknown; each was refused ("应为
    数字，例如 1320 …") with no word that a blank is 未填报. Such a cell is a blank: unknown, never 0
    (in a row that updates, the stored value stays)."""
    user, _browser = officer
    report = run(user, xlsx([row(项目名称="横线写未知的项目", 地区代码="360783", **{
        "总投资（万元）": written, "床位（张）": written, "计划开工日期": written, "计划竣工日期": written})]))
    assert report.applied, messages(report)
    created = db.session.scalar(sa.select(Project).where(Project.name == "横线写未知的项目"))
    assert (created.total_investment, created.beds, created.planned_start, created.planned_end) == (None,) * 4
    with time_machine.travel(NOON, tick=False):
        report = run(user, report_sheet(lab(db).id, [{"填报月份": "2026-11", "形象进度": "主体施工",
                                                       "工程进度（%）": written, "本月完成投资（万元）": written}]))
    assert report.applied, messages(report)
    filed = db.session.scalar(sa.select(MonthlyReport).where(MonthlyReport.project_id == lab(db).id,
                                                             MonthlyReport.month == dt.date(2026, 11, 1)))
    assert (filed.physical_percent, filed.invested_month) == (None, None)


@pytest.mark.parametrize("written, day", [("2026.3", "2026-03-31"), ("2026年3月", "2026-03-31"),
                                          ("2026-03", "2026-03-31"), ("2026/2", "2026-02-28")])
def test_a_date_given_only_its_month_is_told_to_write_the_day(officer, db, written, day):
    """计划竣工日期 2026.3 was told "应为日期，例如 2024-05-01", though 填报月份 takes the same
    writing: the officer is told a day is wanted, and no day is made up for him."""
    user, _browser = officer
    text = messages(run(user, xlsx([row(项目名称="只写月份的项目", 地区代码="360783", 计划竣工日期=written)])))
    assert f"「计划竣工日期」）：只写了月份：请写到日，例如 {day}" in text, text


def test_a_list_with_other_regions_reimports_and_only_their_changes_are_refused(app, make_user, seeded, db):
    """An officer exports the whole list (his region and others), edits one of his own rows."""
    from .browsers import browser as signed_in
    officer = make_user("officer", "360783", username="whole-list-officer")
    browser = signed_in(app, officer)
    book, sheet, header = workbook(browser.get("/projects/export.xlsx?kind=all").data)
    data_rows = [r for r in sheet.iter_rows(min_row=2) if isinstance(r[0].value, (int, float))]  # the id: a number
    regions = {r[header.index("地区代码")].value for r in data_rows}
    assert len(regions) > 2
    mine = next(r for r in data_rows if r[1].value == LAB)
    mine[header.index("床位（张）")].value = 77
    text = preview_text(browser, upload(browser, saved(book), "全部.xlsx"))
    assert "修改 1 行" in text and "错误 0 行" in text, text[:3000]
    other = next(r for r in data_rows if r[header.index("地区代码")].value != "360783")
    other[header.index("床位（张）")].value = 5
    refused = preview_text(browser, upload(browser, saved(book), "全部.xlsx"))
    assert "错误 1 行" in refused and "您无权修改项目" in refused


def test_an_export_reimported_after_another_officer_saved_keeps_his_change(app, officer, make_user, seeded, db):
    """A QA walk's complaint: longnan exports his list; ganzhou then sets 总投资 2,500 → 2,600 on
    the form; longnan changes another row in his file and imports it. The preview offered
    "总投资 2,600 → 2,500" as if it were longnan's change, and the confirmation put it back. The
    export carries each row's 数据版本: what the file did not change since is no change, what
    both changed is refused naming the other's value."""
    _user, browser = officer
    book, sheet, header = workbook(browser.get("/projects/export.xlsx?region=360783&kind=all").data)
    assert "数据版本" in header
    data_rows = [r for r in sheet.iter_rows(min_row=2) if isinstance(r[0].value, (int, float))]
    theirs, mine = (db.session.get(Project, data_rows[i][0].value) for i in (0, 5))
    city = make_user("officer", "360700", username="city-officer-meanwhile")
    total = theirs.total_investment
    project_services.update_project(Actor(city, "web"), theirs, {
        "total_investment": (total or 0) + 100, "location": "龙南市东江乡"}, expected_version=theirs.version)
    db.session.commit()
    data_rows[5][header.index("建设单位")].value = "龙南市卫生健康委员会（新）"
    location = upload(browser, saved(book), "清单.xlsx")
    text = preview_text(browser, location)
    assert "修改 1 行" in text and "错误 0 行" in text, text[:3000]
    assert "龙南市东江乡" not in text
    assert confirm(browser, location).status_code == 200
    db.session.expire_all()
    assert theirs.location == "龙南市东江乡" and theirs.total_investment == (total or 0) + 100
    assert mine.owner_unit == "龙南市卫生健康委员会（新）"

    # Both changed one field, to different values: refused, naming what the other saved.
    data_rows[0][header.index("建设地点")].value = "龙南市南亨乡"
    text = preview_text(browser, upload(browser, saved(book), "清单.xlsx"))
    assert "错误 1 行" in text and "龙南市东江乡" in text and "导出之后" in text, text[:3000]


def test_the_sheet_its_reader_edited_is_read_not_a_hidden_or_older_copy(officer, seeded, db):
    """A QA walk's complaint: with last month's export kept as a hidden sheet 项目清单 and this
    month's edited on 12月更新 (visible, active), the hidden sheet's stale rows were imported and
    the officer's edit was not; a sheet copied to edit ("项目清单 (2)") was passed over the same
    way. The sheet its reader was on is read, and the preview names it."""
    _user, browser = officer
    exported = browser.get("/projects/export.xlsx?region=360783&kind=all").data
    book, sheet, header = workbook(exported)
    stale_book, stale, _ = workbook(exported)
    ids = [r[0].value for r in sheet.iter_rows(min_row=2) if isinstance(r[0].value, (int, float))]
    edited = db.session.get(Project, ids[3])
    before = db.session.get(Project, ids[1]).beds
    # The hidden copy holds another value in a row the officer did not touch this month.
    stale.cell(3, header.index("床位（张）") + 1).value = 999
    old = book.copy_worksheet(sheet)  # last month's sheet, kept
    for row in stale.iter_rows():
        for cell in row:
            old.cell(cell.row, cell.column).value = cell.value
    old.sheet_state = "hidden"
    sheet.title, old.title = "12月更新", "项目清单"
    sheet.cell(5, header.index("建设单位") + 1).value = "龙南市卫健委基建科"
    book.active = book.worksheets.index(sheet)
    text = preview_text(browser, upload(browser, saved(book), "清单.xlsx"))
    assert "修改 1 行" in text and "错误 0 行" in text and "读取的是工作表「12月更新」；工作簿中另有 1 个工作表" in text, text[:3000]
    assert "999" not in text and "龙南市卫健委基建科" in text
    assert db.session.get(Project, ids[1]).beds == before and edited.id == ids[3]

    # A copy made to edit, active beside the original, visible: the copy is read.
    book, sheet, header = workbook(exported)
    copy = book.copy_worksheet(sheet)
    copy.title = "项目清单 (2)"
    copy.cell(5, header.index("建设单位") + 1).value = "龙南市卫健委规划科"
    book.active = book.worksheets.index(copy)
    text = preview_text(browser, upload(browser, saved(book), "清单.xlsx"))
    assert "修改 1 行" in text and "龙南市卫健委规划科" in text, text[:3000]
    # The export as it came: one sheet to read, nothing said of the others.
    assert "读取的是工作表" not in preview_text(browser, upload(browser, exported, "清单.xlsx"))


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_totals_rows_are_not_read_as_projects_after_a_column_is_added_on_the_left(officer, seeded, db, language):
    """A QA walk's complaint: a 序号 column inserted before 项目ID moved 合计 to column B, and the
    totals rows were read as projects (two errors blocked the import); an English export's
    "Totals" rows did the same imported in Chinese."""
    _user, browser = officer
    browser.get(f"/language/{language}")
    exported = browser.get("/projects/export.xlsx?region=360783&kind=all").data
    browser.get("/language/zh")
    book, sheet, _header = workbook(exported)
    if language == "zh":
        sheet.insert_cols(1)
        for number in range(1, sheet.max_row + 1):
            sheet.cell(number, 1).value = "序号" if number == 1 else None
    text = preview_text(browser, upload(browser, saved(book), "清单.xlsx"))
    assert "错误 0 行" in text and "修改 0 行" in text, text[:3000]


def test_an_approximate_amount_is_told_where_its_sheet_can_say_so(officer, seeded, db):
    """"约500" in the monthly sheet's 本月完成投资 was told to fill "为约数" columns that sheet has
    none of; in the project list, whose 总投资 has one, it is told to use it."""
    user, _browser = officer
    monthly = messages(run(user, report_sheet(lab(db).id, [{"填报月份": "2024-01", "本月完成投资（万元）": "约500"}])))
    assert "请只填数字（不写“约”）" in monthly and "为约数" not in monthly, monthly
    listed = messages(run(user, xlsx([row(项目ID=lab(db).id, **{"总投资（万元）": "约500"})])))
    assert "约数请在对应的“为约数”列填“是”" in listed, listed
    # A report's figures have no 约 to tick: why, and where an estimate is said instead.
    assert "月报的金额和进度按实数填报；如为估计值，请在“存在问题”中说明" in monthly, monthly
    beds = messages(run(user, xlsx([row(项目ID=lab(db).id, **{"床位（张）": "约50"})])))
    assert "请只填数字（不写“约”）" in beds and "月报" not in beds, beds


def test_an_approximate_report_figure_is_told_why_in_english_too(app, officer, seeded, db):
    from flask_babel import force_locale

    user, _browser = officer
    with app.test_request_context(), force_locale("en"):
        monthly = messages(run(user, report_sheet(lab(db).id, [{"填报月份": "2024-01", "本月完成投资（万元）": "约120"}])))
    assert "estimate" in monthly and "Problems" in monthly and "约" in monthly, monthly


def test_a_month_merged_down_three_rows_is_read_in_each(officer, seeded, db):
    """A QA walk's complaint: 填报月份 merged E2:E4 showing 2024-01 was read as blank on rows 3
    and 4: "请填写填报月份" under a cell that showed the month."""
    from openpyxl.utils import get_column_letter

    user, _browser = officer
    projects = start_construction(db, longnan_names(db, 3))
    db.session.commit()
    rows = [[{"项目ID": project.id, "填报月份": "2024-01" if n == 0 else None,
              "本月完成投资（万元）": 10 * (n + 1)}.get(h) for h in REPORT_HEADERS] for n, project in enumerate(projects)]
    book, sheet, header = workbook(xlsx(rows, REPORT_HEADERS))
    letter = get_column_letter(header.index("填报月份") + 1)
    sheet.merge_cells(f"{letter}2:{letter}4")
    report = run(user, saved(book))
    assert report.applied, messages(report)
    months = db.session.scalars(sa.select(MonthlyReport.month).where(
        MonthlyReport.project_id.in_([p.id for p in projects]))).all()
    assert months == [dt.date(2024, 1, 1)] * 3


def test_a_refused_row_is_named_by_its_project(officer, seeded, db):
    """A QA walk's complaint: a row refused for a cell (text in a number column) showed "—" where
    the preview names the project its 项目ID gives."""
    user, browser = officer
    project = lab(db)
    sheet = xlsx([row(项目ID=project.id, **{"床位（张）": "很多"})])
    report = run(user, sheet)
    [outcome] = report.outcomes
    assert outcome.problems and outcome.title == project.name


def test_parts_moved_off_their_usual_paths_are_counted_all_the_same(officer, db, monkeypatch):
    """A QA walk: the sheet moved to xl/data/sheet1.xml (the workbook's relationships point
    there, as openpyxl follows them) or the strings to xl/strs.xml (declared in
    [Content_Types].xml) escaped the counts that stop a 44 KB file of 1.45 million cells: 37 s of
    a worker each, four at once 130 s. Every part is counted, wherever it lies."""
    user, _browser = officer
    good = new_projects_sheet()
    with zipfile.ZipFile(io.BytesIO(good)) as source:
        relations = source.read("xl/_rels/workbook.xml.rels").replace(b"worksheets/sheet1.xml", b"data/sheet1.xml")
        sheet = source.read("xl/worksheets/sheet1.xml")
    cells = b"".join(b'<c r="A%d"><v>1</v></c>' % n for n in range(1, 300_002))
    big = sheet.replace(b"</sheetData>", b'<row r="9">' + cells + b"</row></sheetData>")
    moved = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(moved, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            if entry.filename == "xl/worksheets/sheet1.xml":
                target.writestr("xl/data/sheet1.xml", big)
            elif entry.filename == "xl/_rels/workbook.xml.rels":
                target.writestr(entry.filename, relations)
            elif entry.filename == "[Content_Types].xml":
                target.writestr(entry.filename, source.read(entry.filename).replace(
                    b"/xl/worksheets/sheet1.xml", b"/xl/data/sheet1.xml"))
            else:
                target.writestr(entry.filename, source.read(entry.filename))
    strings = (b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               + b"<si><t>x</t></si>" * 300_001 + b"</sst>")
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("parsed"))
    assert "工作簿的单元格超过 300,000 个，拒绝读取" in messages(run(user, moved.getvalue()))
    assert "工作簿的文字条目超过 300,000 条，拒绝读取" in messages(run(user, with_part(good, "xl/strs.xml", strings)))


def test_a_csv_cell_past_the_readers_limit_is_told_in_chinese(officer, db):
    """The preview read "CSV 格式有误（第 2 行）：field larger than field limit (131072)": Python's
    own English in a Chinese page."""
    user, _browser = officer
    sheet = ('项目名称,地区代码\n"' + "长" * 200_000 + '",360783\n').encode("utf-8-sig")
    told = messages(run(user, sheet, "long.csv"))
    assert "第 2 行有一个单元格超过 131,072 个字符" in told and "field" not in told, told
