"""The monthly progress sheet (月报汇总): one month's reports of the list's projects, out as xlsx and
csv, as the county office sends its 进度表 to the province.

The QA walk's office filed every report in the tracker and still kept its Excel loop: no page gave
the month's reports back as a sheet.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from tracker.accounts import services as account_services
from tracker.audit.services import CLI
from tracker.progress import services as progress

from tracker.vocabulary import Status

from . import factories
from .browsers import browser as signed_in

MAY, JUNE = dt.date(2025, 5, 1), dt.date(2025, 6, 1)
MONEY_HEADERS = ("本月完成投资（万元）", "本年累计完成投资（万元）", "自开工累计完成投资（万元）")


@pytest.fixture()
def month_of_reports(db):
    """Three projects of Longnan: one reported in June with every figure, one whose June report
    leaves 本月完成投资 unknown, one not reported in June (only in May)."""
    filed = factories.project(name="龙南市人民医院门诊楼", status=Status.CONSTRUCTION)
    unknown = factories.project(name="龙南市妇幼保健院", status=Status.CONSTRUCTION)
    silent = factories.project(name="龙南市疾控中心实验楼", status=Status.CONSTRUCTION)
    progress.submit_report(CLI, filed, MAY, invested_month="100.5", invested_total="300.5")
    progress.submit_report(CLI, filed, JUNE, progress_text="主体结构施工至5层", physical_percent="45.5",
                           invested_month="20.25", problems="=资金未到位", next_steps="完成主体封顶")
    progress.submit_report(CLI, unknown, JUNE, progress_text="基础施工", invested_total="80")
    progress.submit_report(CLI, silent, MAY, invested_month="7")
    db.session.commit()
    return filed, unknown, silent


def workbook(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return openpyxl.load_workbook(io.BytesIO(response.data))


def test_the_months_sheet_has_every_projects_report_or_says_not_reported(client, month_of_reports):
    filed, unknown, silent = month_of_reports
    book = workbook(client.get("/projects/export-reports.xlsx?region=360783&month=2025-06"))
    assert book.sheetnames == ["月报汇总", "导出说明"]
    sheet = book["月报汇总"]
    header = [cell.value for cell in sheet[1]]
    assert header == ["项目ID", "项目名称", "地区", "状态", "填报状态", "填报月份", "形象进度", "工程进度（%）",
                      *MONEY_HEADERS, "存在问题", "下步计划", "填报人", "提交时间"]
    assert sheet.freeze_panes == "C2"
    rows = [dict(zip(header, row)) for row in sheet.iter_rows(min_row=2, values_only=True)]
    by_name = {row["项目名称"]: row for row in rows if isinstance(row["项目ID"], (int, float))}
    assert len(by_name) == 3
    assert sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(header))}4"

    june = by_name["龙南市人民医院门诊楼"]
    assert june["填报状态"] == "已报" and june["形象进度"] == "主体结构施工至5层"
    assert june["工程进度（%）"] == 45.5 and june["本月完成投资（万元）"] == 20.25
    assert june["本年累计完成投资（万元）"] == 120.75 and june["自开工累计完成投资（万元）"] == 320.75
    # As typed, shown as text: a text cell is never a formula, and the quote prefix keeps it one
    # when edited (the csv keeps its leading ', below).
    problem = next(cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.value == "=资金未到位")
    assert problem.data_type == "s" and problem.quotePrefix
    assert june["下步计划"] == "完成主体封顶" and june["地区"] == "龙南市"
    assert june["填报月份"].date() == JUNE  # a date Excel reads, shown as 2025-06
    assert june["提交时间"] is not None

    no_figure = by_name["龙南市妇幼保健院"]
    assert no_figure["填报状态"] == "已报" and no_figure["本月完成投资（万元）"] is None  # unknown, not 0
    assert no_figure["自开工累计完成投资（万元）"] == 80

    not_reported = by_name["龙南市疾控中心实验楼"]
    assert not_reported["填报状态"] == "未报"
    assert all(not_reported[name] is None for name in (*MONEY_HEADERS, "形象进度", "填报月份", "提交时间"))

    totals, coverage = (row for row in rows if row["项目ID"] in ("合计", "填报情况"))
    assert totals["项目ID"] == "合计"
    assert totals["本月完成投资（万元）"] == 20.25  # the unknown figure is not a 0 in the sum
    assert totals["自开工累计完成投资（万元）"] == 400.75
    assert coverage["本月完成投资（万元）"] == "3 个项目中 1 个填报"
    assert coverage["填报状态"] == "3 个项目中 2 个填报"
    sheet_xml = zipfile.ZipFile(io.BytesIO(client.get(
        "/projects/export-reports.xlsx?region=360783&month=2025-06").data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml

    about = {row[0]: row[1] for row in book["导出说明"].iter_rows(values_only=True) if row[0]}
    assert about["填报月份"] == "2025-06"
    assert about["地区"] == "龙南市（360783，含下辖地区）"
    assert about["已报"] == 2 and about["未报"] == 1
    notes = " ".join(str(row[1]) for row in book["导出说明"].iter_rows(values_only=True) if row[1])
    assert "未报" in notes and "不计为零" in notes


def test_the_totals_are_exact_sums_of_the_reports(client, db):
    amounts = [Decimal("0.0001"), Decimal("12345.6789"), Decimal("0.1"), Decimal("0.2")]
    for amount in amounts:
        progress.submit_report(CLI, factories.project(), JUNE, invested_month=amount)
    db.session.commit()
    rows = list(csv.reader(io.StringIO(client.get("/projects/export-reports.csv?month=2025-06")
                                       .data.decode("utf-8-sig"))))
    header = rows[0]
    column = header.index("本月完成投资（万元）")
    assert sorted(Decimal(row[column]) for row in rows[1:]) == sorted(amounts)
    sheet = workbook(client.get("/projects/export-reports.xlsx?month=2025-06"))["月报汇总"]
    totals = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "合计")
    # 12346.0790 exactly: a float sum would give 12345.979000000001 + …
    about = {row[0]: row[1] for row in
             workbook(client.get("/projects/export-reports.xlsx?month=2025-06"))["导出说明"].iter_rows(values_only=True)
             if row[0]}
    assert about["本月完成投资（万元）合计"].startswith("12,345.979")
    assert Decimal(str(totals[column])) == sum(amounts)


def test_the_csv_is_utf8_with_a_bom_and_says_not_reported(client, month_of_reports):
    response = client.get("/projects/export-reports.csv?region=360783&month=2025-06")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    records = {row[1]: dict(zip(rows[0], row)) for row in rows[1:]}
    assert len(records) == 3  # a line per project, no totals row
    assert records["龙南市疾控中心实验楼"]["填报状态"] == "未报"
    assert records["龙南市疾控中心实验楼"]["本月完成投资（万元）"] == ""
    assert records["龙南市妇幼保健院"]["本月完成投资（万元）"] == ""
    june = records["龙南市人民医院门诊楼"]
    assert june["本月完成投资（万元）"] == "20.25" and june["填报月份"] == "2025-06"
    assert june["工程进度（%）"] == "45.5" and june["存在问题"] == "'=资金未到位"


def test_without_a_month_the_sheet_is_of_the_latest_month_reported(client, month_of_reports):
    rows = list(csv.reader(io.StringIO(client.get("/projects/export-reports.csv?region=360783")
                                       .data.decode("utf-8-sig"))))
    months = {row[rows[0].index("填报月份")] for row in rows[1:]}
    assert months == {"2025-06", ""}


def test_a_viewer_gets_no_money_column_when_the_admin_hides_it(app, month_of_reports, db, make_user):
    account_services.set_setting(CLI, account_services.HIDE_MONEY_FROM_VIEWERS, {"enabled": True})
    db.session.commit()
    viewer = signed_in(app, make_user("viewer"))
    book = workbook(viewer.get("/projects/export-reports.xlsx?region=360783&month=2025-06"))
    values = [value for sheet in book for row in sheet.iter_rows(values_only=True) for value in row]
    assert not any(isinstance(value, str) and "投资" in value for value in values)
    assert 20.25 not in values and "工程进度（%）" in values
    text = viewer.get("/projects/export-reports.csv?region=360783&month=2025-06").data.decode("utf-8-sig")
    assert "投资" not in text and "20.25" not in text and "主体结构施工至5层" in text


@pytest.mark.parametrize("query", ["region=999999", "month=2025-13", "month=soon", "month=1800-01"])
def test_a_filter_or_month_in_error_gets_the_export_error_page(client, db, query):
    response = client.get(f"/projects/export-reports.xlsx?{query}")
    assert response.status_code == 400
    assert "无法导出" in response.get_data(as_text=True)


def test_the_sheet_reads_english_to_an_english_reader(client, month_of_reports):
    client.get("/language/en")
    rows = list(csv.reader(io.StringIO(client.get("/projects/export-reports.csv?region=360783&month=2025-06")
                                       .data.decode("utf-8-sig"))))
    client.get("/language/zh")
    assert "项目名称" not in rows[0] and not any("本月" in header for header in rows[0])
    statuses = {row[4] for row in rows[1:]}
    assert statuses and not statuses & {"已报", "未报"}


def test_the_list_offers_the_months_sheet(client, month_of_reports):
    page = client.get("/projects?region=360783").get_data(as_text=True)
    assert "导出月报汇总" in page and 'action="/projects/export-reports.xlsx"' in page
    assert 'type="month"' in page and 'name="region" value="360783"' in page


def test_a_project_that_reports_no_month_is_not_counted_unreported(client, month_of_reports, db):
    """A QA walk: every 竣工 中医馆 of Longnan read 未报, "31 个项目中 0 个填报", where the dashboard
    said no project owed a report: a province would have read every office as late. A project
    that does not report monthly (not 在建 or 停缓建) reads 无需填报, outside the coverage."""
    factories.project(name="龙南市某镇中医馆", status=Status.COMPLETED)
    db.session.commit()
    book = workbook(client.get("/projects/export-reports.xlsx?region=360783&month=2025-06"))
    sheet = book["月报汇总"]
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, row)) for row in sheet.iter_rows(min_row=2, values_only=True)]
    by_name = {row["项目名称"]: row for row in rows if isinstance(row["项目ID"], (int, float))}
    assert by_name["龙南市某镇中医馆"]["填报状态"] == "无需填报"
    assert by_name["龙南市疾控中心实验楼"]["填报状态"] == "未报"
    coverage = next(row for row in rows if row["项目ID"] == "填报情况")
    assert "3 个项目中 2 个填报" in coverage["填报状态"], coverage
    about = {row[0]: row[1] for row in book["导出说明"].iter_rows(values_only=True) if row[0]}
    assert (about["已报"], about["未报"], about["无需填报"]) == (2, 1, 1)


@pytest.mark.parametrize("typed", ["2025年6月", "2025/06", "2025.6", "２０２５－０６"])
def test_a_month_typed_as_offices_write_it_is_read(client, month_of_reports, typed):
    """Firefox has no month picker: an officer typed 2025年6月 or 2025/06 and got 无法导出."""
    book = workbook(client.get("/projects/export-reports.xlsx", query_string={"region": "360783", "month": typed}))
    about = {row[0]: row[1] for row in book["导出说明"].iter_rows(values_only=True) if row[0]}
    assert about["填报月份"] == "2025-06"
