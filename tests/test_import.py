"""Spreadsheet import: a preview row by row, then all of it or nothing, through the same services."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
import time_machine
import sqlalchemy as sa

from tracker.audit.models import AuditEntry
from tracker.audit.services import Actor
from tracker.imports import importer
from tracker.imports.cli import import_command
from tracker.exports.columns import MONTHLY_REPORT_COLUMNS, PROJECT_COLUMNS, export_columns
from tracker.progress.models import MonthlyReport
from tracker.projects import services as project_services
from tracker.projects.models import Project
from tracker.regions.models import Region
from tracker.vocabulary import Status

from . import factories
from .browsers import browser as signed_in
from .meanwhile import SomeoneSavesTheProjectMeanwhile

HEADERS = [column.label for column in PROJECT_COLUMNS if column.importable]
LAB = "赣州市龙南市疾病预防控制中心实验楼建设项目"


def xlsx(rows: list[list], headers: list[str] = HEADERS) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def row(**values) -> list:
    """A row of the projects sheet, by header."""
    return [values.get(header) for header in HEADERS]


def new_projects_sheet(bad_investment: str | int = 900) -> bytes:
    return xlsx([
        row(项目名称="龙南市妇幼保健院迁建项目", 地区代码="360783", 类别="妇幼保健", 建设性质="迁建",
            **{"总投资（万元）": 12000, "总建筑面积（m²）": "18,000.5", "计划开工日期": "2025-03-01"}),
        row(项目名称="龙南市120急救指挥中心", 地区代码="360783", 类别="院前急救（120）",
            **{"总投资（万元）": bad_investment, "床位（张）": 20}),
        row(项目名称="龙南市精神卫生中心改扩建", 地区代码="360783", 建设性质="改扩建", 状态="前期",
            **{"占地面积（亩）": Decimal("12.5"), "占地面积为约数": "是"}),
    ])


@pytest.fixture()
def officer(app, make_user, db):
    factories.county_in_city()
    db.session.commit()
    user = make_user("officer", "360783", username="longnan-officer")
    browser = signed_in(app, user)
    return user, browser


def upload(browser, data: bytes, name: str = "sheet.xlsx", kind: str = "projects") -> str:
    response = browser.post("/import", data={"kind": kind, "file": (io.BytesIO(data), name)},
                            content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    return response.headers["Location"]


def preview_text(browser, location: str) -> str:
    response = browser.get(location)
    assert response.status_code == 200
    return re.sub(r"<[^>]+>", "", response.get_data(as_text=True))


def project_count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count(Project.id)))


def imported_entries(db) -> list[AuditEntry]:
    return db.session.scalars(sa.select(AuditEntry).where(AuditEntry.via == "import")).all()


def test_a_sheet_with_one_bad_row_imports_nothing_and_names_that_row(officer, db):
    user, browser = officer
    before = project_count(db)
    location = upload(browser, new_projects_sheet(bad_investment=-5))
    text = preview_text(browser, location)
    assert "「总投资（万元）」：不能为负数" in text and "确认导入" not in text
    assert re.search(r"\b3\s*错误", text)  # row 3 is the bad one
    report = importer.run_import(Actor(user, "import"), new_projects_sheet(bad_investment=-5), "s.xlsx",
                                 apply=True)
    assert [str(p) for p in report.all_problems()] == ["U3 单元格（第 3 行「总投资（万元）」）：不能为负数"]
    confirm = browser.post(location + "/confirm", data={"reason": ""})
    assert confirm.status_code == 409
    assert project_count(db) == before and imported_entries(db) == []


def test_the_corrected_sheet_imports_everything_once(officer, db):
    user, browser = officer
    before = project_count(db)
    location = upload(browser, new_projects_sheet())
    text = preview_text(browser, location)
    assert text.count("新增") >= 3 and "确认导入" in text
    assert project_count(db) == before  # the preview wrote nothing
    done = browser.post(location + "/confirm", data={"reason": ""})
    assert done.status_code == 200, done.get_data(as_text=True)[:800]
    assert "新增 3 行" in done.get_data(as_text=True)
    assert project_count(db) == before + 3
    depot = db.session.scalar(sa.select(Project).where(Project.name == "龙南市妇幼保健院迁建项目"))
    assert depot.total_investment == Decimal("12000") and depot.floor_area_m2 == Decimal("18000.5")
    assert depot.planned_start == dt.date(2025, 3, 1) and depot.build_nature.value == "relocation"
    clinic = db.session.scalar(sa.select(Project).where(Project.name == "龙南市精神卫生中心改扩建"))
    assert clinic.land_area_approx is True and clinic.status is Status.PREPARATION
    assert clinic.total_investment is None  # an empty cell is unknown, never zero
    entries = imported_entries(db)
    # 计划开工 is the 开工 milestone's planned date: the import adds that milestone, audited
    assert {(e.action, e.user_id) for e in entries} == {("project:create", user.id),
                                                        ("milestone:create", user.id)}
    # The same file again: every row finds its project, and nothing changes.
    again = preview_text(browser, upload(browser, new_projects_sheet()))
    assert "无变化 3 行" in again and "确认导入" not in again
    report = importer.run_import(Actor(user, "import"), new_projects_sheet(), "s.xlsx", apply=True)
    assert report.counts["unchanged"] == 3 and project_count(db) == before + 3


def test_an_exported_list_reimports_as_no_change(officer, seeded, db):
    _user, browser = officer
    for fmt in ("xlsx", "csv"):
        exported = browser.get(f"/projects/export.{fmt}?region=360783&kind=all").data
        text = preview_text(browser, upload(browser, exported, f"longnan.{fmt}"))
        assert "错误 0 行" in text and "修改 0 行" in text and "新增 0 行" in text, fmt
        assert "导入时不读取" not in text, fmt  # the read-only columns hold the stored values
        assert "无变化 55 行" in text or re.search(r"无变化 \d+ 行", text)


def test_an_export_of_texts_that_start_like_formulas_reimports_as_no_change(officer, seeded, db):
    """The xlsx holds such a text as typed, with the quote prefix (the csv with a leading '):
    opened, saved by a spreadsheet and brought back, the texts are the ones stored."""
    _user, browser = officer
    region = db.session.scalar(sa.select(Region).where(Region.key == "360783"))
    factories.project(region, name="=HYPERLINK(\"http://evil.example\")", owner_unit="+1+1", location="＠某处")
    db.session.commit()
    for fmt in ("xlsx", "csv"):
        exported = browser.get(f"/projects/export.{fmt}?region=360783&kind=all").data
        if fmt == "xlsx":  # as a spreadsheet saves it again
            book = openpyxl.load_workbook(io.BytesIO(exported))
            buffer = io.BytesIO()
            book.save(buffer)
            exported = buffer.getvalue()
        text = preview_text(browser, upload(browser, exported, f"longnan.{fmt}"))
        assert "错误 0 行" in text and "修改 0 行" in text and "新增 0 行" in text, (fmt, text[:3000])


def test_a_changed_export_shows_old_and_new_and_goes_through_the_service(officer, seeded, db):
    user, browser = officer
    exported = browser.get("/projects/export.xlsx?region=360783").data
    book = openpyxl.load_workbook(io.BytesIO(exported))
    sheet = book["项目清单"]
    header = [cell.value for cell in sheet[1]]
    lab_row = next(r for r in sheet.iter_rows(min_row=2) if r[1].value == LAB)
    lab_row[header.index("总投资（万元）")].value = 1400
    lab_row[header.index("状态")].value = "在建"
    buffer = io.BytesIO()
    book.save(buffer)
    location = upload(browser, buffer.getvalue())
    text = preview_text(browser, location)
    assert re.search(r"总投资（万元）\s*1,320\s*→\s*1,400", text)
    assert re.search(r"状态\s*（空）\s*→\s*在建", text)
    assert "修改 1 行" in text and "请填写变更原因" in text
    lab = db.session.scalar(sa.select(Project).where(Project.name == LAB))
    version = lab.version
    refused = browser.post(location + "/confirm", data={"reason": ""})
    assert refused.status_code == 409 and "变更项目状态需要说明原因" in refused.get_data(as_text=True)
    done = browser.post(location + "/confirm", data={"reason": "市发改委批复开工"})
    assert done.status_code == 200
    db.session.expire_all()
    lab = db.session.get(Project, lab.id)
    assert lab.total_investment == Decimal("1400") and lab.status is Status.CONSTRUCTION
    assert lab.version == version + 1
    entry = imported_entries(db)[-1]
    assert entry.action == "project:update" and entry.user_id == user.id
    assert entry.reason == "市发改委批复开工"
    assert entry.changes["total_investment"] == ["1320", "1400"]


def test_an_edit_between_preview_and_confirm_is_refused(officer, seeded, db):
    _user, browser = officer
    lab = db.session.scalar(sa.select(Project).where(Project.name == LAB))
    sheet = xlsx([row(项目ID=lab.id, 项目名称=LAB, 地区代码="360783", **{"总投资（万元）": 1500})])
    location = upload(browser, sheet)
    assert "1,320" in preview_text(browser, location)
    project_services.update_project(Actor(None, "web"), lab, {"owner_unit": "龙南市疾控中心"},
                                    expected_version=lab.version)
    db.session.commit()
    response = browser.post(location + "/confirm", data={"reason": ""})
    assert response.status_code == 409
    assert "在预览之后又被修改过" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Project, lab.id).total_investment == Decimal("1320")


def test_a_change_between_preview_and_confirm_names_the_field_the_value_and_who(officer, seeded, db, make_user):
    """A QA walk: the refusal at confirm named no value and no person ("…在预览之后被他人修改过"),
    where the same clash found before the preview named both."""
    _user, browser = officer
    lab = db.session.scalar(sa.select(Project).where(Project.name == LAB))
    location = upload(browser, xlsx([row(项目ID=lab.id, 项目名称=LAB, 地区代码="360783", **{"总投资（万元）": 1500})]))
    preview_text(browser, location)
    colleague = make_user("officer", "360783", username="ln-colleague")
    project_services.update_project(Actor(colleague, "web"), lab, {"owner_unit": "龙南市疾控中心"},
                                    expected_version=lab.version)
    db.session.commit()
    response = browser.post(location + "/confirm", data={"reason": ""})
    text = re.sub(r"<[^>]+>", "", response.get_data(as_text=True))
    assert response.status_code == 409
    assert "ln-colleague" in text and "建设单位" in text and "龙南市疾控中心" in text, text
    assert "请重新上传预览" in text


def test_the_same_file_confirmed_in_a_second_tab_says_it_was_the_users_own_import(officer, seeded, db):
    """The same file uploaded in two tabs, the first confirmed, then the second: it said the
    project was changed "被他人", though it was this user's own import a moment earlier."""
    _user, browser = officer
    lab = db.session.scalar(sa.select(Project).where(Project.name == LAB))
    sheet = xlsx([row(项目ID=lab.id, 项目名称=LAB, 地区代码="360783", **{"总投资（万元）": 1500})])
    first, second = upload(browser, sheet), upload(browser, sheet)
    preview_text(browser, first), preview_text(browser, second)
    assert browser.post(first + "/confirm", data={"reason": ""}).status_code == 200
    response = browser.post(second + "/confirm", data={"reason": ""})
    text = re.sub(r"<[^>]+>", "", response.get_data(as_text=True))
    assert response.status_code == 409
    assert "您刚才的导入" in text and "他人" not in text and "1,500" in text, text


def test_a_save_while_the_preview_reads_the_project_is_previewed_against_not_refused(officer, seeded, db):
    """On PostgreSQL another officer's save can land between the preview's reading a project and
    its trial UPDATE (a 900-row sheet takes seconds). The preview is a trial, not an apply: it
    compares the sheet with what he saved, instead of calling the row an error "changed after the
    preview" while the officer has not yet seen any preview."""
    _user, browser = officer
    lab = db.session.scalar(sa.select(Project).where(Project.name == LAB))
    sheet = xlsx([row(项目ID=lab.id, 项目名称=LAB, 地区代码="360783", **{"总投资（万元）": 1500})])
    with SomeoneSavesTheProjectMeanwhile(lab) as other:
        location = upload(browser, sheet)
    text = preview_text(browser, location)
    assert other.saved
    assert "修改 1 行" in text and "错误 0 行" in text, text[-1500:]
    assert "被他人修改过" not in text
    done = browser.post(location + "/confirm", data={"reason": ""})
    assert done.status_code == 200, done.get_data(as_text=True)[-1500:]
    db.session.expire_all()
    assert db.session.get(Project, lab.id).total_investment == Decimal("1500")


def test_an_officer_cannot_import_into_another_region(app, make_user, seeded, db):
    outsider = make_user("officer", "441700", username="yangjiang-officer")
    browser = signed_in(app, outsider)
    lab = db.session.scalar(sa.select(Project).where(Project.name == LAB))
    sheet = xlsx([row(项目ID=lab.id, 项目名称=LAB, 地区代码="360783", **{"总投资（万元）": 1}),
                  row(项目名称="别人的新项目", 地区代码="360783"),
                  row(项目名称="自己的新项目", 地区代码="441700")])
    text = preview_text(browser, upload(browser, sheet))
    assert f"您无权修改项目「{LAB}」" in text
    assert "您无权在地区 龙南市 新建项目" in text
    assert "错误 2 行" in text and "确认导入" not in text
    before = project_count(db)
    assert browser.post(upload(browser, sheet) + "/confirm", data={}).status_code == 409
    assert project_count(db) == before


@pytest.mark.parametrize("role", ["leader", "viewer"])
def test_readers_cannot_import(app, make_user, db, role):
    browser = signed_in(app, make_user(role))
    assert browser.get("/import").status_code == 403
    assert browser.get("/import/templates/projects.xlsx").status_code == 403


def test_an_upload_is_only_for_its_uploader(app, officer, make_user, db):
    _user, browser = officer
    location = upload(browser, new_projects_sheet())
    other = signed_in(app, make_user("officer", "360783", username="another-officer"))
    assert other.get(location).status_code == 404
    assert other.post(location + "/confirm", data={}).status_code == 404
    assert browser.get("/import/../../etc/passwd").status_code == 404


def test_templates_have_the_export_headers_and_import_nothing_when_empty(officer, db):
    _user, browser = officer
    response = browser.get("/import/templates/projects.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    # The export's headers but its rows' 数据版本, which only an exported row has.
    assert [c.value for c in book.worksheets[0][1]] == [c.label for c in export_columns() if c.key != "version"]
    assert book.sheetnames[1] == "填写说明"
    text = preview_text(browser, upload(browser, response.data))
    assert "表格中没有数据行" in text
    reports = openpyxl.load_workbook(io.BytesIO(browser.get("/import/templates/monthly-reports.xlsx").data))
    assert [c.value for c in reports.worksheets[0][1]] == [c.label for c in MONTHLY_REPORT_COLUMNS]


# --- malformed, oversized and hostile files --------------------------------------------------------

def run(user, data: bytes, name: str = "f.xlsx", **kwargs) -> importer.ImportReport:
    return importer.run_import(Actor(user, "import"), data, name, apply=True, **kwargs)


def messages(report) -> str:
    return "\n".join(str(p) for p in report.all_problems())


def zip_bomb(size: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * size)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_before_openpyxl_opens_it(app, officer, db, monkeypatch):
    user, _browser = officer
    monkeypatch.setitem(app.config, "IMPORT_MAX_UNZIPPED", 1024 * 1024)

    def never(*_args, **_kwargs):
        raise AssertionError("openpyxl must not open a zip bomb")
    monkeypatch.setattr(openpyxl, "load_workbook", never)
    bomb = zip_bomb(5 * 1024 * 1024)
    assert len(bomb) < 20 * 1024  # 5 MB of zeros packs into a few kilobytes
    assert "可能是“压缩炸弹”" in messages(run(user, bomb))


@pytest.mark.parametrize("data,expected", [
    (b"", "文件是空的"),
    (b"   \r\n", "文件是空的"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "不支持这种文件"),
    (b"%PDF-1.7\n...", "不支持这种文件"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "旧版 Excel（.xls）"),
    (b"PK\x03\x04 not really a zip", "文件已损坏"),
    ("项目名称,地区代码\n".encode("utf-8")[:-4] + b"\xff\xfe\x80\x81,360783\n", "无法识别文件的文字编码"),
])
def test_malformed_files_get_a_clear_message(officer, db, data, expected):
    user, _browser = officer
    report = run(user, data)
    assert expected in messages(report) and not report.applied


def test_a_word_document_is_not_a_workbook(officer, db):
    user, _browser = officer
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    assert "这不是 Excel 工作簿" in messages(run(user, buffer.getvalue(), "a.docx"))


def test_entity_bombs_inside_a_workbook_are_refused(officer, db):
    user, _browser = officer
    good = new_projects_sheet()
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
              '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item, laughs if item.filename == "xl/worksheets/sheet1.xml" else data)
    assert "无法读取这个 Excel 文件" in messages(run(user, buffer.getvalue()))


def test_a_formula_is_an_error_for_its_cell(officer, db):
    user, _browser = officer
    sheet = xlsx([row(项目名称="公式项目", 地区代码="360783", **{"总投资（万元）": "=1000+320"})])
    assert messages(run(user, sheet)) == "U2 单元格（第 2 行「总投资（万元）」）：不接受公式（=1000+320），请复制后“粘贴为数值”"


def test_a_hundred_thousand_rows_are_refused_with_the_limit(officer, db):
    user, _browser = officer
    lines = ["项目名称,地区代码"] + [f"项目{n},360783" for n in range(100_000)]
    data = "\n".join(lines).encode("utf-8-sig")
    report = run(user, data, "big.csv")
    assert "超过每次导入的上限 5,000 行" in messages(report)
    assert report.outcomes == [] and not report.applied


def test_a_csv_from_chinese_excel_in_gb18030_reads(officer, db):
    user, _browser = officer
    data = "项目名称,地区代码,总投资（万元）\r\n龙南市中医院二期,360783,\"1,500.5\"\r\n".encode("gb18030")
    report = run(user, data, "wps.csv")
    assert report.applied, messages(report)
    created = db.session.scalar(sa.select(Project).where(Project.name == "龙南市中医院二期"))
    assert created.total_investment == Decimal("1500.5")


@pytest.mark.parametrize("header", ["总建筑面积（m?）", "总建筑面积（平方米）", "总建筑面积(m²)"])
def test_the_floor_area_column_saved_in_gbk_or_named_in_words_is_read(officer, db, header):
    """A QA walk: our csv saved again by Excel in GBK (no ², written "?") lost its 总建筑面积 column
    as unrecognised, and the edits made in it with it."""
    user, _browser = officer
    data = f"项目名称,地区代码,{header}\r\n龙南市中医院三期,360783,\"12,000\"\r\n".encode("gb18030", "replace")
    report = run(user, data, "saved-by-excel.csv")
    assert report.applied, messages(report)
    created = db.session.scalar(sa.select(Project).where(Project.name == "龙南市中医院三期"))
    assert created.floor_area_m2 == Decimal("12000")


def test_missing_headers_and_unknown_values_are_named(officer, db):
    user, _browser = officer
    assert "缺少必需的列：「地区代码」" in messages(run(user, xlsx([["x"]], ["项目名称"])))
    sheet = xlsx([row(项目名称="甲", 地区代码="999999"),
                  row(项目名称="乙", 地区代码="360783", 状态="差不多", 计划开工日期="下个月"),
                  row(项目名称="丙", 地区代码="360783", **{"总投资（万元）": "1.23456"})])
    text = messages(run(user, sheet))
    assert "D2 单元格（第 2 行「地区代码」）：没有地区代码为 999999 的地区" in text
    assert "J3 单元格（第 3 行「状态」）：应为以下之一：储备、前期、在建、竣工、投用、停缓建、取消" in text
    assert "W3 单元格（第 3 行「计划开工日期」）：应为日期，例如 2024-05-01" in text
    assert "U4 单元格（第 4 行「总投资（万元）」）：最多保留 4 位小数" in text


def test_the_cli_prints_the_same_report_and_dry_run_writes_nothing(app, officer, db, tmp_path):
    user, _browser = officer
    path = tmp_path / "new.xlsx"
    path.write_bytes(new_projects_sheet())
    before = project_count(db)
    runner = app.test_cli_runner()
    dry = runner.invoke(import_command, [str(path), "--user", user.username, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "第 2 行：新增「龙南市妇幼保健院迁建项目」" in dry.output and "预览：尚未导入" in dry.output
    assert project_count(db) == before
    done = runner.invoke(import_command, [str(path), "--user", user.username])
    assert done.exit_code == 0 and "已全部导入" in done.output
    assert project_count(db) == before + 3
    path.write_bytes(new_projects_sheet(bad_investment=-1))
    bad = runner.invoke(import_command, [str(path), "--user", user.username])
    assert bad.exit_code == 1 and "U3 单元格（第 3 行「总投资（万元）」）：不能为负数" in bad.output


# --- monthly reports ---------------------------------------------------------------------------

REPORT_HEADERS = [column.label for column in MONTHLY_REPORT_COLUMNS]


def report_sheet(project_id: int, rows: list[dict]) -> bytes:
    return xlsx([[{"项目ID": project_id, **values}.get(h) for h in REPORT_HEADERS] for values in rows],
                REPORT_HEADERS)


def test_monthly_reports_import_once_and_a_correction_needs_its_reason(officer, seeded, db):
    user, browser = officer
    lab = db.session.scalar(sa.select(Project).where(Project.name == LAB))
    months = [{"填报月份": "2024-01", "形象进度": "基础施工", "工程进度（%）": 10,
               "本月完成投资（万元）": 100, "累计资金到位（万元）": 300},
              {"填报月份": "2024-02", "形象进度": "主体施工", "工程进度（%）": "25%",
               "本月完成投资（万元）": Decimal("150.5"), "累计资金到位（万元）": 300}]
    sheet = report_sheet(lab.id, list(reversed(months)))  # out of order on purpose
    text = preview_text(browser, upload(browser, sheet, kind="monthly-reports"))
    assert "新填报 2 行" in text
    report = run(user, sheet, kind="monthly-reports")
    assert report.applied, messages(report)
    filed = db.session.scalars(sa.select(MonthlyReport).where(MonthlyReport.project_id == lab.id)
                               .order_by(MonthlyReport.month)).all()
    assert [r.invested_total for r in filed] == [Decimal("100"), Decimal("250.5")]
    assert filed[1].physical_percent == Decimal("25")
    assert db.session.get(Project, lab.id).invested_to_date == Decimal("250.5")
    assert run(user, sheet, kind="monthly-reports").counts["unchanged"] == 2

    months[1]["本月完成投资（万元）"] = 160
    changed = report_sheet(lab.id, months)
    refused = run(user, changed, kind="monthly-reports")
    assert "第 3 行「更正原因」" in messages(refused) and not refused.applied
    months[1]["更正原因"] = "统计口径更正"
    corrected = run(user, report_sheet(lab.id, months), kind="monthly-reports")
    assert corrected.applied and corrected.counts["update"] == 1
    assert db.session.get(Project, lab.id).invested_to_date == Decimal("260")


def test_a_report_previewed_while_the_project_is_saved_is_compared_again(officer, seeded, db):
    """Filing a month moves the project's version: a save landing inside the preview's trial
    makes it stale once; the preview tries the row again instead of showing an error."""
    _user, browser = officer
    lab = db.session.scalar(sa.select(Project).where(Project.name == LAB))
    sheet = report_sheet(lab.id, [{"填报月份": "2024-01", "形象进度": "基础施工", "本月完成投资（万元）": 100}])
    with SomeoneSavesTheProjectMeanwhile(lab) as other:
        text = preview_text(browser, upload(browser, sheet, kind="monthly-reports"))
    assert other.saved
    assert "新填报 1 行" in text and "错误 0 行" in text, text[-1500:]


def test_a_reports_preview_asks_no_reason_a_projects_preview_does(officer, seeded, db):
    """A QA walk: the preview of a 月度填报 sheet offered 变更原因, "修改项目状态时必填", though no
    report changes a project's status (a report's correction has its own 更正原因 column)."""
    _user, browser = officer
    lab = db.session.scalar(sa.select(Project).where(Project.name == LAB))
    sheet = report_sheet(lab.id, [{"填报月份": "2024-01", "形象进度": "基础施工", "本月完成投资（万元）": 100}])
    reports = browser.get(upload(browser, sheet, kind="monthly-reports")).get_data(as_text=True)
    assert "确认导入" in reports and 'name="reason"' not in reports
    projects = browser.get(upload(browser, xlsx([row(项目ID=lab.id, 项目名称=LAB, 地区代码="360783", **{"总投资（万元）": 4321})]))).get_data(as_text=True)
    assert "确认导入" in projects and 'name="reason"' in projects


def test_a_report_for_a_project_of_another_region_is_refused(app, make_user, seeded, db):
    outsider = make_user("officer", "441700", username="yangjiang-officer")
    lab = db.session.scalar(sa.select(Project).where(Project.name == LAB))
    report = run(outsider, report_sheet(lab.id, [{"填报月份": "2024-01", "本月完成投资（万元）": 1}]),
                 kind="monthly-reports")
    assert f"您无权为项目「{LAB}」" in messages(report)
    assert db.session.scalar(sa.select(sa.func.count(MonthlyReport.id))) == 0


@pytest.mark.parametrize("apply", [False, True])
def test_a_new_project_written_on_two_rows_is_refused_on_the_second_not_taken_as_its_update(officer, db, apply):
    """Two rows of one sheet give one new name in one region (a row copied, or two figures for one
    project): the second was read as an update of the project the first had just made, in the
    preview and on confirmation, and its 总投资 replaced the first's with nothing said."""
    user, _browser = officer
    sheet = xlsx([row(项目名称="龙南市传染病医院新建项目", 地区代码="360783", **{"总投资（万元）": 8000}),
                  row(项目名称="龙南市传染病医院新建项目", 地区代码="360783", **{"总投资（万元）": 9000})])
    report = importer.run_import(Actor(user, "import"), sheet, "f.xlsx", apply=apply)
    assert [outcome.action for outcome in report.outcomes] == ["create", "error"], messages(report)
    assert "与第 2 行是同一个项目" in messages(report)
    # A file with a refused row writes nothing (the officer corrects it and uploads again).
    assert not db.session.scalars(sa.select(Project).where(Project.name == "龙南市传染病医院新建项目")).all()


def test_the_templates_have_plain_file_names_for_a_client_that_reads_no_utf_8_name(officer):
    """项目导入模板.xlsx was offered as ".xlsx" to a client reading only filename=: a hidden file."""
    _user, browser = officer
    for kind, plain in (("projects", r"project-import-template\.xlsx"), ("monthly-reports", r"monthly-reports-\d{4}-\d{2}\.xlsx")):
        disposition = browser.get(f"/import/templates/{kind}.xlsx").headers["Content-Disposition"]
        assert re.fullmatch(plain, re.search(r'filename="([^"]+)"', disposition).group(1)), disposition
        assert "filename*=UTF-8''" in disposition


@pytest.mark.parametrize("apply", [False, True])
def test_projects_imported_as_under_construction_without_an_actual_start_are_said_to_show_late(officer, db, apply):
    """An office's sheet of projects already being built (状态 在建, 计划开工 last year): each showed
    滞后 once imported, nothing said (the sheet, like the form, asks no actual start)."""
    user, _browser = officer
    sheet = xlsx([row(项目名称="龙南市中医院门诊楼建设项目", 地区代码="360783", 状态="在建", 计划开工日期="2025-03-01"),
                  row(项目名称="龙南市中医院住院楼建设项目", 地区代码="360783", 状态="前期", 计划开工日期="2025-03-01"),
                  row(项目名称="龙南市中医院综合楼建设项目", 地区代码="360783", 状态="在建")])
    with time_machine.travel(dt.datetime(2026, 12, 7, 4, tzinfo=dt.timezone.utc), tick=False):
        report = importer.run_import(Actor(user, "import"), sheet, "f.xlsx", apply=apply)
    assert not report.all_problems(), messages(report)
    assert [w for w in report.warnings if "没有实际日期" in w] == [
        "1 个项目状态为已开工（在建、竣工或投用），但“开工”节点没有实际日期：请在各项目的“节点”页填写实际开工日期。"]


def test_a_zero_in_a_new_projects_row_is_shown_in_the_preview_as_it_is_saved(officer, db):
    """A QA walk: a new project's 床位 0 was left out of the preview (0 was taken for "nothing"),
    the officer reading it as 未填报, and saved as 0 张."""
    user, _browser = officer
    sheet = xlsx([row(项目名称="龙南市零床位实验室", 地区代码="360783", **{"床位（张）": "0", "总投资（万元）": "0"})])
    report = importer.run_import(Actor(user, "import"), sheet, "f.xlsx", apply=False)
    assert not report.all_problems(), messages(report)
    (outcome,) = [o for o in report.outcomes if o.action == "create"]
    shown = {label: after for label, _before, after in outcome.changes}
    assert any(label.startswith("床位") and value == "0" for label, value in shown.items()), shown
    assert any(label.startswith("总投资") and value == "0" for label, value in shown.items()), shown


def test_the_preview_reads_in_the_language_the_reader_switches_to(officer, db):
    """A QA walk: uploaded in Chinese, the preview switched to English kept every message Chinese
    ("未识别的列「序号」…") under English headings, and the other way round. The preview is read
    again in the reader's language, as it was at upload."""
    user, browser = officer
    sheet = xlsx([row(项目名称="龙南市语言切换测试医院", 地区代码="360783", **{"床位（张）": "十二"})])
    location = upload(browser, sheet)
    chinese = browser.get(location).get_data(as_text=True)
    assert "应为整数" in chinese or "应为数字" in chinese, chinese
    browser.get("/language/en")
    english = re.sub(r"<[^>]+>", " ", browser.get(location).get_data(as_text=True))
    assert "应为" not in english and "Beds" in english, english
    assert browser.get("/language/zh").status_code in (302, 303)
    assert "应为" in browser.get(location).get_data(as_text=True)
