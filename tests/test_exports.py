"""Exports of the list in view: xlsx, csv, pdf (and the CLI), with the list's filter, order and sums."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from decimal import Decimal
from urllib.parse import unquote

import openpyxl
import pytest
from pypdf import PdfReader

from tracker.accounts import services as account_services
from tracker.audit.services import Actor
from tracker.cli import export
from tracker.core import fonts
from tracker.exports.columns import export_columns
from tracker.portfolio import queries
from tracker.exports.records import iter_batches
from tracker.portfolio.filters import SORTS, PortfolioFilter

from . import factories
from .browsers import browser as signed_in
from .test_portfolio_list import page_text, row_names

LONGNAN_TABLE_6 = ("赣州市龙南市疾病预防控制中心实验楼建设项目", "赣州市龙南市医疗物资储备库建设项目",
                   "龙南第五人民医院（公立中医院）建设项目", "龙南医养综合服务中心")


def workbook(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return openpyxl.load_workbook(io.BytesIO(response.data))


def data_rows(sheet) -> list[tuple]:
    """The project rows: between the header and the totals row."""
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    return [row for row in rows if row[0] not in ("合计", "填报情况")]


def test_longnan_list_as_xlsx_opens_with_its_rows_and_the_145735_total(client, seeded):
    book = workbook(client.get("/projects/export.xlsx?region=360783"))
    assert book.sheetnames == ["项目清单", "导出说明"]
    sheet = book["项目清单"]
    header = [cell.value for cell in sheet[1]]
    assert header == [column.label for column in export_columns()]
    assert {"总投资（万元）", "总建筑面积（m²）", "占地面积（亩）"} <= set(header)
    rows = data_rows(sheet)
    totals = queries.totals(PortfolioFilter(region="360783"))
    assert len(rows) == totals.projects  # the same projects as the list page
    names = [row[header.index("项目名称")] for row in rows]
    assert set(LONGNAN_TABLE_6) <= set(names)
    assert sheet.freeze_panes == "C2"
    assert sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(header))}{len(rows) + 1}"

    total_row, coverage_row = list(sheet.iter_rows(min_row=len(rows) + 2, values_only=True))[:2]
    investment = header.index("总投资（万元）")
    assert total_row[0] == "合计" and total_row[investment] == 145735
    assert coverage_row[investment] == f"{totals.projects} 个项目中 8 个填报"
    lab = next(row for row in rows if row[header.index("项目名称")] == LONGNAN_TABLE_6[0])
    assert lab[investment] == 1320 and lab[header.index("地区代码")] == "360783"
    assert sheet.cell(row=2, column=investment + 1).number_format in ("#,##0", "General")

    about = {row[0]: row[1] for row in book["导出说明"].iter_rows(values_only=True) if row[0]}
    assert about["地区"] == "江西省赣州市龙南市（360783，含下辖地区）"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", about["导出时间（北京时间）"])
    assert about["总投资（万元）合计"] == f"145,735（{totals.projects} 个项目中 8 个填报）"


def test_xlsx_money_is_written_as_the_exact_decimal(client, db):
    factories.project(name="精确的项目", total_investment=Decimal("12345.6789"),
                      floor_area_m2=Decimal("16698.95"))
    db.session.commit()
    response = client.get("/projects/export.xlsx")
    sheet_xml = zipfile.ZipFile(io.BytesIO(response.data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<v>12345.6789</v>" in sheet_xml and "<v>16698.95</v>" in sheet_xml
    sheet = workbook(response)["项目清单"]
    header = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("总投资（万元）") + 1)
    assert Decimal(repr(cell.value)) == Decimal("12345.6789")
    assert cell.number_format == "#,##0.####"


def test_csv_is_utf8_with_a_bom_and_keeps_its_chinese(client, seeded):
    response = client.get("/projects/export.csv?region=360783")
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # once (it was said twice)
    assert response.data.startswith(b"\xef\xbb\xbf")
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == [column.label for column in export_columns()]
    by_name = {row[1]: dict(zip(rows[0], row)) for row in rows[1:]}
    lab = by_name[LONGNAN_TABLE_6[0]]
    assert lab["总投资（万元）"] == "1320" and lab["占地面积（亩）"] == "4"
    assert lab["占地面积为约数"] == "是" and lab["地区"] == "江西省赣州市龙南市"
    assert len(rows) - 1 == queries.totals(PortfolioFilter(region="360783")).projects


def test_a_project_name_cannot_run_a_formula_in_xlsx_or_csv(client, db):
    hostile = {"name": '=HYPERLINK("http://evil.example","点我")', "owner_unit": "+1+1",
               "location": "@SUM(A1)", "scope": "-2+3", "supervising_department": "\t=1"}
    factories.project(**hostile)
    db.session.commit()
    xlsx = client.get("/projects/export.xlsx")
    sheet_xml = zipfile.ZipFile(io.BytesIO(xlsx.data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml  # no cell is a formula
    sheet = workbook(xlsx)["项目清单"]
    header = [cell.value for cell in sheet[1]]
    for field, text in hostile.items():
        column = next(c for c in export_columns() if c.key == field)
        cell = sheet.cell(row=2, column=header.index(column.label) + 1)
        # As typed, shown as text: a text cell, with the quote prefix that keeps it one when edited.
        assert cell.data_type == "s" and cell.value == text and cell.quotePrefix
    rows = list(csv.reader(io.StringIO(client.get("/projects/export.csv").data.decode("utf-8-sig"))))
    record = dict(zip(rows[0], rows[1]))
    assert record["项目名称"] == "'" + hostile["name"]
    assert record["建设单位"] == "'+1+1" and record["建设地点"] == "'@SUM(A1)"


def test_exports_keep_the_list_filter_and_order(client, seeded):
    url = "region=360783&sort=investment&order=desc&kind=all"
    listed = row_names(page_text(client, f"/projects?{url}"))
    sheet = workbook(client.get(f"/projects/export.xlsx?{url}"))["项目清单"]
    exported = [row[1] for row in data_rows(sheet)]
    assert exported[:len(listed)] == listed
    rows = list(csv.reader(io.StringIO(client.get(f"/projects/export.csv?{url}").data.decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == exported


@pytest.mark.parametrize("sort", sorted(SORTS))
def test_batches_give_the_list_order_across_batch_boundaries(db, sort):
    """Keyset batches (3 at a time here) meet ties and unknown values at their edges."""
    from tracker.vocabulary import Category, Status
    region = factories.region()
    for index in range(11):
        factories.project(region, name=f"项目{index % 4}", total_investment=Decimal(index % 3) if index % 5 else None,
                          beds=index % 2 or None, status=[Status.CONSTRUCTION, None][index % 2],
                          category=[Category.CDC, Category.OTHER][index % 3 == 0])
    db.session.commit()
    for order in ("asc", "desc"):
        portfolio_filter = PortfolioFilter(sort=sort, order=order)
        expected = [p.id for p in queries.project_page(portfolio_filter, 1, 100, 100).items]
        batches = list(iter_batches(portfolio_filter, batch=3))
        assert all(len(batch) <= 3 for batch in batches)
        assert [p.id for batch in batches for p in batch] == expected, (sort, order)


def test_pdf_is_a4_landscape_and_its_chinese_reads_back_as_text(client, seeded):
    response = client.get("/projects/export.pdf?region=360783")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    text = "".join(page.extract_text() for page in reader.pages)
    assert LONGNAN_TABLE_6[0] in text.replace("\n", "")
    assert "145,735" in text and "8/" in text
    assert "江西省赣州市龙南市（360783，含下辖地区）" in text.replace("\n", "")


def test_the_lists_bed_total_counts_the_new_beds_its_column_shows(client, seeded):
    """The 床位 column shows "新增 86" for the project whose plan gives only new beds (002 line
    218); its total said "—（95 个项目中 0 个填报）", on the page and on paper, as if nothing were
    known. The total says the new beds too."""
    page = client.get("/projects?region=360783").get_data(as_text=True)
    totals = page[page.index('<tr class="totals"'):] if '<tr class="totals"' in page else page[page.rindex("<tfoot"):]
    assert "新增 86" in page and "新增 86" in totals and "1 个填报" in totals.split("新增 86")[1]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(client.get("/projects/export.pdf?region=360783").data)).pages)
    assert "新增86（1个填报）" in re.sub(r"\s", "", text)


def test_pdf_falls_back_to_the_builtin_cid_font(app, seeded, db, monkeypatch, tmp_path):
    from tracker.exports.pdf import write_pdf
    monkeypatch.setenv("TRACKER_CJK_FONT", str(tmp_path / "missing.ttf"))
    monkeypatch.setattr(fonts, "CANDIDATES", [])
    assert fonts.cjk_font().name == "STSong-Light"
    output = io.BytesIO()
    write_pdf(output, PortfolioFilter(region="360783"))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(output.getvalue())).pages)
    assert "龙南医养综合服务中心" in text.replace("\n", "")


def test_a_font_without_chinese_is_not_chosen(monkeypatch):
    latin = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    if not __import__("os").path.isfile(latin):
        pytest.skip("no DejaVu font on this machine")
    monkeypatch.setenv("TRACKER_CJK_FONT", latin)
    monkeypatch.setattr(fonts, "CANDIDATES", [])
    assert fonts.cjk_font().name == "STSong-Light"


def test_a_truetype_cjk_font_is_embedded_when_there_is_one(app, seeded, db, monkeypatch):
    from tracker.exports.pdf import write_pdf
    monkeypatch.delenv("TRACKER_CJK_FONT", raising=False)
    chosen = fonts.cjk_font()
    if not chosen.embedded:
        pytest.skip("no TrueType CJK font on this machine (the CID fallback is tested above)")
    monkeypatch.setenv("TRACKER_CJK_FONT", chosen.source)
    output = io.BytesIO()
    write_pdf(output, PortfolioFilter(region="360783"))
    assert b"/FontFile2" in output.getvalue()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(output.getvalue())).pages)
    assert "龙南医养综合服务中心" in text.replace("\n", "")


def test_a_pdf_of_too_many_projects_says_to_use_excel(client, app, seeded, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_PDF_MAX_ROWS", 5)
    response = client.get("/projects/export.pdf?region=360783")
    assert response.status_code == 400
    assert "超过打印版的上限 5 个" in response.get_data(as_text=True)


def test_an_unknown_filter_is_refused_with_its_message(client, db):
    response = client.get("/projects/export.xlsx?region=999999")
    assert response.status_code == 400
    assert "没有行政区划代码为 999999 的地区" in response.get_data(as_text=True)


def test_a_viewer_gets_no_money_when_the_admin_hides_it(app, seeded, db, make_user):
    account_services.set_setting(Actor(None, "cli"), "hide_money_from_viewers", {"enabled": True})
    db.session.commit()
    viewer = signed_in(app, make_user("viewer"))
    book = workbook(viewer.get("/projects/export.xlsx?region=360783"))
    values = [value for row in book["项目清单"].iter_rows(values_only=True) for value in row]
    values += [value for row in book["导出说明"].iter_rows(values_only=True) for value in row]
    assert "总投资（万元）" not in values and 145735 not in values and 1320 not in values
    assert not any(isinstance(v, str) and "145,735" in v for v in values)
    text = viewer.get("/projects/export.csv?region=360783").data.decode("utf-8-sig")
    assert "总投资" not in text and "1320" not in text
    exported = viewer.get("/projects/export.json?region=360783").get_data(as_text=True)
    assert '"total_investment_wan_yuan":' not in exported and '"1,320"' not in exported


def test_the_json_export_streams_the_list(client, seeded):
    response = client.get("/projects/export.json?region=360783&kind=all")
    assert response.is_streamed
    projects = response.get_json()["projects"]
    assert sum(int(p["total_investment_wan_yuan"]) for p in projects if p["total_investment_wan_yuan"]) == 145735


def test_export_links_reproduce_the_filter(app, client, db):
    from flask import render_template_string
    with app.test_request_context():
        html = render_template_string('{% include "exports/_export_links.html" %}',
                                      filter=PortfolioFilter(region="360783", sort="investment", order="desc"))
    assert 'href="/projects/export.xlsx?region=360783&amp;sort=investment&amp;order=desc"' in html
    assert "/projects/export.oc4ids.json?" in html and "/projects/export.pdf?" in html


def test_cli_export_writes_every_format(app, seeded, db, tmp_path):
    runner = app.test_cli_runner()
    refused = runner.invoke(export, ["--format", "xlsx", "--region", "360783"])
    assert refused.exit_code != 0 and "--output" in refused.output
    for fmt in ("xlsx", "csv", "pdf", "oc4ids"):
        target = tmp_path / f"longnan.{fmt}"
        result = runner.invoke(export, ["--format", fmt, "--region", "360783", "--output", str(target)])
        assert result.exit_code == 0, result.output
        assert target.stat().st_size > 0
    assert (tmp_path / "longnan.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    sheet = openpyxl.load_workbook(tmp_path / "longnan.xlsx")["项目清单"]
    header = [cell.value for cell in sheet[1]]
    total_row = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "合计")
    assert total_row[header.index("总投资（万元）")] == 145735


def test_a_plans_list_exported_is_named_for_the_plan(client, seeded):
    """A list narrowed to a plan was saved as 项目清单-全部地区-…: two plans' sheets had one name."""
    response = client.get("/projects/export.xlsx?plan=longnan-14th-regional-plan&kind=all")
    assert response.status_code == 200
    assert "longnan-14th-regional-plan" in unquote(response.headers["Content-Disposition"])


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf", "json"])
def test_an_export_has_a_plain_file_name_for_a_client_that_reads_no_utf_8_name(client, seeded, fmt):
    """A browser or a mail client that reads only filename= saved "--20261207-1551.csv": the
    Chinese of 项目清单-龙南市 dropped. Its name in ASCII says what it is."""
    disposition = client.get(f"/projects/export.{fmt}?region=360783&plan=longnan-14th-regional-plan").headers[
        "Content-Disposition"]
    plain = re.search(r'filename="([^"]+)"', disposition).group(1)
    assert re.fullmatch(rf"projects-360783-longnan-14th-regional-plan-\d{{8}}-\d{{4}}\.{fmt}", plain), plain
    assert "filename*=UTF-8''" in disposition and "longnan-14th-regional-plan" in unquote(disposition)


# A value for each condition of the filter: the QA walk's "period 2026-2030", "unreported True"
# in an export's 导出说明 and a briefing that did not say which 规划期 it covered.
EVERY_CONDITION = {"period": "2026-2030", "status": "construction", "category": "cdc",
                   "build_nature": "new", "funding": "central_budget", "kind": "equipment",
                   "q": "医院", "late": "1", "over_estimate": "1", "start": "started",
                   "start_by": "2026", "unreported": "1", "due_soon": "1", "continued": "1"}


def test_every_condition_of_a_filter_is_said_in_words_wherever_it_is_printed(client, seeded):
    """Each field of ``PortfolioFilter`` set alone: the export's 筛选条件, the list's chips, the
    dashboard's 范围 and the briefing say it in words, never by the field's name."""
    from dataclasses import fields

    conditions = {item.name for item in fields(PortfolioFilter)} - {"region", "plan", "sort", "order"}
    assert conditions == set(EVERY_CONDITION)
    plain = set(_filter_sheet(client, "region=360783"))
    for name, value in EVERY_CONDITION.items():
        query = f"region=360783&{name}={value}" + ("&start=planned" if name == "start_by" else "")
        lines = _filter_sheet(client, query)
        said = [line for line in lines if line not in plain]
        assert said or name == "start_by", (name, lines)
        assert not any(name in label or "True" in text for label, text in lines), lines
        dashboard = page_text(client, f"/dashboard?{query}")
        scope = re.search(r'<p class="scope-line">(.*?)</p>', dashboard, re.S).group(1)
        brief = client.get(f"/dashboard/briefing.pdf?{query}")
        printed = re.sub(r"\s", "", PdfReader(io.BytesIO(brief.data)).pages[0].extract_text())
        for label, text in said:
            words = label if text == "是" else f"{label}：{text}"
            assert words in scope and re.sub(r"\s", "", words) in printed, (name, words, scope)
    assert "十五五（2026—2030）" in page_text(client, "/dashboard?period=十五五")


def _filter_sheet(client, query: str) -> list[tuple[str, str]]:
    sheet = workbook(client.get(f"/projects/export.xlsx?{query}")).worksheets[1]
    rows = [(str(row[0]), str(row[1])) for row in sheet.iter_rows(values_only=True) if row[0] and row[1]]
    labels = [label for label, _ in rows]
    return rows[labels.index("地区"):labels.index("排序")]  # the 筛选条件


def test_an_english_pdf_breaks_lines_between_words_not_inside_words_or_figures(client, seeded):
    """A QA walk's complaint: in English the list printed "approx. 16,698.9" with its "5" on the
    next line, and the briefing "Planned investme / nt"; Chinese breaks anywhere, English may not."""
    client.get("/language/en")
    pages = [client.get("/projects/export.pdf?region=360783"), client.get("/dashboard/briefing.pdf?region=360783")]
    words = set()
    for response in pages:
        assert response.status_code == 200
        reader = PdfReader(io.BytesIO(response.data))
        text = "\n".join(page.extract_text() for page in reader.pages)
        assert "Planned investment" in text.replace("\n", " ") or response is pages[0]
        words |= {line.split()[-1] for line in text.splitlines() if line.split()}
    # No line ends in a broken word or figure: what ends a line is a whole word of the page.
    broken = {word for word in words if re.fullmatch(r"[A-Za-z]*[a-z]{2,}", word) and word.lower() in {
        "investme", "stat", "comple", "hospita", "constructi", "projec", "c"} or re.search(r"\d[,.]$", word)}
    assert not broken, broken
    client.get("/language/zh")


def test_an_unknown_figure_is_neither_approximate_nor_exact_and_every_figure_is_totalled(client, db):
    """A QA walk's complaint: the 占地面积为约数 / 建筑面积为约数 / 总投资为约数 columns said 否 beside a
    blank figure (unknown: neither 约 nor exact), and the xlsx's 合计 and 填报情况 rows said nothing
    under 占地面积（亩） and 现行概算（万元）, where every other figure column has its sum and coverage."""
    factories.project(name="无数据的项目")
    stated = factories.project(name="有数据的项目", land_area_mu=Decimal("4.5"), land_area_approx=True,
                               floor_area_m2=Decimal("1000"), total_investment=Decimal("800"))
    other = factories.project(name="另一个项目", land_area_mu=Decimal("2"))
    stated.current_estimate, other.current_estimate = Decimal("900"), Decimal("100.5")  # the budget's
    db.session.commit()
    flags = ("占地面积为约数", "建筑面积为约数", "总投资为约数")

    rows = list(csv.reader(io.StringIO(client.get("/projects/export.csv?kind=all").data.decode("utf-8-sig"))))
    by_name = {row[1]: dict(zip(rows[0], row)) for row in rows[1:]}
    assert [by_name["无数据的项目"][flag] for flag in flags] == ["", "", ""]
    assert [by_name["有数据的项目"][flag] for flag in flags] == ["是", "否", "否"]

    sheet = workbook(client.get("/projects/export.xlsx?kind=all"))["项目清单"]
    header = [cell.value for cell in sheet[1]]
    by_name = {row[1]: dict(zip(header, row)) for row in data_rows(sheet)}
    assert [by_name["无数据的项目"][flag] for flag in flags] == [None, None, None]
    assert [by_name["另一个项目"][flag] for flag in flags] == ["否", None, None]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    totals = dict(zip(header, next(row for row in rows if row[0] == "合计")))
    coverage = dict(zip(header, next(row for row in rows if row[0] == "填报情况")))
    assert totals["占地面积（亩）"] == 6.5 and totals["现行概算（万元）"] == 1000.5
    assert coverage["占地面积（亩）"] == "3 个项目中 2 个填报，其中 1 个为约数"
    assert coverage["现行概算（万元）"] == "3 个项目中 2 个填报"
