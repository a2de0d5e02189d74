"""A county office's own spreadsheet, not the tracker's template: a title, a heading of two rows
(a group heading merged across its sub-headings), group-heading and 小计 rows, a 地区代码 merged
down the column. What a QA walk brought to /import, each as its complaint."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
import sqlalchemy as sa

from tracker.projects.models import Project

from .test_import import messages, officer, run, upload, preview_text, project_count  # noqa: F401

SINGLE = ["序号", "项目名称", "地区代码", "类别", "建设单位", "建设性质"]
GROUP = "投资情况"
INVESTMENT = ["总投资（万元）", "本年计划", "本年完成", "累计完成"]
TAIL = ["计划开工日期", "备注"]
PROJECTS = [("1", "龙南市人民医院综合住院楼建设项目", "360783", "综合医院", "龙南市人民医院", "新建",
             "12,800", "2,560", "2,560", "5,120", "2025-03-01", None),
            ("2", "龙南市中医院医技楼建设项目", "360783", "中医医院", "龙南市中医院", "改扩建",
             "980", "490", "196", "392", "2025-03-01", "估算")]


def saved(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def office_sheet(*, merged: bool = True, sub_headings: list | None = None, sub_row: bool = True) -> bytes:
    """The office's layout: a title merged across row 1, 单位 in row 2, the headings in rows 3–4
    (投资情况 across the four investment columns, the others merged down over both rows), the
    projects from row 5."""
    book = openpyxl.Workbook()
    sheet = book.active
    width = len(SINGLE) + len(INVESTMENT) + len(TAIL)
    sheet.cell(1, 1, "龙南市卫生健康重点项目进展情况表（2026年11月）")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(2, width, "单位：万元")
    column, first = 1, 5 if sub_row else 4
    for heading in SINGLE:
        sheet.cell(3, column, heading)
        if merged and sub_row:
            sheet.merge_cells(start_row=3, start_column=column, end_row=4, end_column=column)
        column += 1
    sheet.cell(3, column, GROUP)
    if merged:
        sheet.merge_cells(start_row=3, start_column=column, end_row=3, end_column=column + len(INVESTMENT) - 1)
    for heading in sub_headings or INVESTMENT:
        if sub_row:
            sheet.cell(4, column, heading)
        column += 1
    for heading in TAIL:
        sheet.cell(3, column, heading)
        if merged and sub_row:
            sheet.merge_cells(start_row=3, start_column=column, end_row=4, end_column=column)
        column += 1
    for number, values in enumerate(PROJECTS, first):
        for index, value in enumerate(values, 1):
            sheet.cell(number, index, value)
    return saved(book)


@pytest.mark.parametrize("merged", [True, False])
def test_a_heading_of_two_rows_reads_the_investment_under_its_group_heading(officer, db, merged):
    """A QA walk's complaint: under 投资情况 (merged I3:L3) the sub-headings of row 4 were lost
    (only "未识别的列「投资情况」（I1）" was said) and row 4 was read as a project named 「项目名称」;
    with row 4 deleted, 32 projects were created without their 总投资."""
    user, _browser = officer
    before = project_count(db)
    report = run(user, office_sheet(merged=merged))
    assert report.applied, messages(report)
    assert [outcome.row for outcome in report.outcomes] == [5, 6]
    assert project_count(db) == before + 2
    hospital = db.session.scalar(sa.select(Project).where(Project.name == PROJECTS[0][1]))
    assert hospital.total_investment == Decimal("12800")
    told = "\n".join(report.warnings)
    assert "「投资情况」" not in told, told  # the group heading names no column of its own
    # The office's own figures the tracker has no column for are named, each in its own cell.
    assert "未识别的列「本年计划」" in told and "未识别的列「序号」" in told, told


def test_a_heading_of_two_rows_the_reader_cannot_make_out_refuses_the_file(officer, db):
    """A sub-heading left blank under the group heading: its column has no name, and its figures
    would be ignored without a word. Nothing is imported; the file is refused saying which rows
    look like a heading of two rows and which column was not read."""
    user, _browser = officer
    before = project_count(db)
    report = run(user, office_sheet(sub_headings=["总投资（万元）", None, "本年完成", "累计完成"]))
    told = messages(report)
    assert not report.applied and not report.outcomes and project_count(db) == before
    assert "第 3–4 行" in told and "H 列" in told, told


def test_a_heading_merged_down_three_rows_is_refused_not_read_as_projects(officer, db):
    user, _browser = officer
    book = openpyxl.load_workbook(io.BytesIO(office_sheet()))
    sheet = book.active
    sheet.unmerge_cells("A3:A4")
    sheet.merge_cells("A3:A5")
    report = run(user, saved(book))
    assert not report.outcomes and "第 3–5 行" in messages(report), messages(report)


def test_a_group_heading_whose_sub_headings_were_deleted_refuses_the_file(officer, db):
    """The QA walker deleted row 4: "新增 32 行 … 错误 0 行", 32 projects without their 总投资, the
    only notice "未识别的列「投资情况」". The columns under the group heading hold figures and have
    no name: the file is refused, naming them."""
    user, _browser = officer
    before = project_count(db)
    report = run(user, office_sheet(sub_row=False))
    told = messages(report)
    assert not report.outcomes and project_count(db) == before
    assert "第 3 行的列标题中，H、I、J 列没有列名" in told, told


def test_a_heading_cell_is_named_in_the_row_it_stands_in(officer, db):
    """A QA walk's complaint: with the headings in rows 3–4, the preview said "（A1）", "（I1）"."""
    user, _browser = officer
    told = "\n".join(run(user, office_sheet()).warnings)
    assert "未识别的列「序号」（A3），已忽略。" in told and "未识别的列「本年计划」（H4），已忽略。" in told, told
    book = openpyxl.load_workbook(io.BytesIO(office_sheet()))
    book.active["K3"] = "项目名称"  # 计划开工日期 written over by a second 项目名称
    assert "列「项目名称」出现了两次（K3）。" in messages(run(user, saved(book))), messages(run(user, saved(book)))


def grouped_sheet() -> bytes:
    """The office's list in groups: 地区代码 merged down the column (C5:C12, spacer rows inside
    it), a group row "一 | 县级医疗机构" with no figures, its 小计, a second group "（二）基层" and
    a 总计 and a 合计 row at the foot."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["龙南市卫生健康重点项目进展情况表"])
    sheet.append([])
    sheet.append(["序号", "项目名称", "地区代码", "类别", "总投资（万元）", "计划开工日期"])
    sheet.append([])
    rows = [["一", "县级医疗机构", "360783"],
            [None, "小计", None, None, "50,000"],
            ["1", "龙南市人民医院综合住院楼建设项目", None, "综合医院", "12,800", "2025-03-01"],
            [],
            ["2", "龙南市中医院医技楼建设项目", None, "中医医院", "980"],
            ["（二）基层医疗机构"],
            ["3", "龙南市渡江镇卫生院业务用房建设项目", None, "基层医疗机构", "560"],
            [None, "其中：中央预算内", None, None, "300"],
            ["总计", None, None, None, "64,340"],
            ["合 计", None, None, None, "64,340"]]
    for values in rows:
        sheet.append(values)
    sheet.merge_cells("C5:C12")
    return saved(book)


def test_group_headings_subtotals_and_spacers_in_a_merged_column_are_skipped_and_said(officer, db):
    """A QA walk's complaint: the group row 「县级医疗机构」 and the 小计 row (50,000 万元) were
    previewed as two new projects; the spacer rows inside 地区代码 merged down the column were
    errors ("新建项目需要填写…"), and 总计 was read as a project. Each is skipped, and said."""
    user, _browser = officer
    before = project_count(db)
    report = run(user, grouped_sheet())
    assert report.applied, messages(report)
    assert sorted(outcome.row for outcome in report.outcomes) == [7, 9, 11]
    assert {outcome.action for outcome in report.outcomes} == {"create"}
    assert project_count(db) == before + 3
    assert db.session.scalar(sa.select(Project).where(Project.name.in_(["县级医疗机构", "小计"]))) is None
    told = "\n".join(report.warnings)
    assert "第 6、12、13、14 行" in told and "第 5、10 行" in told and "第 8 行" in told, told


def test_a_group_row_carrying_its_region_and_subtotal_is_skipped_and_said(officer, db):
    """Noticed after the walk: "一、县级医疗机构 | 360783 | … | 13,780" (the group's region and
    subtotal on its heading row) was previewed as a new project 「县级医疗机构」 of 13,780 万元,
    doubling the group in every total. Skipped and said, with how to keep a project numbered so."""
    user, _browser = officer
    before = project_count(db)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["序号", "项目名称", "地区代码", "类别", "总投资（万元）"])
    sheet.append(["一、", "县级医疗机构", "360783", None, "13,780"])
    sheet.append(["1", "龙南市人民医院综合住院楼建设项目", "360783", "综合医院", "12,800"])
    sheet.append(["2", "龙南市中医院医技楼建设项目", "360783", "中医医院", "980"])
    sheet.append(["（二）", "基层医疗机构", "360783", None, "560"])
    sheet.append(["3", "龙南市渡江镇卫生院业务用房建设项目", "360783", "基层医疗机构", "560"])
    report = run(user, saved(book))
    assert report.applied, messages(report)
    assert sorted(outcome.row for outcome in report.outcomes) == [3, 4, 6]
    assert project_count(db) == before + 3
    assert db.session.scalar(sa.select(Project).where(Project.name.in_(["县级医疗机构", "基层医疗机构"]))) is None
    told = "\n".join(report.warnings)
    assert "第 2、5 行的序号是“一、”“（二）”之类，又填了数字" in told and "阿拉伯数字" in told, told


def test_a_new_project_without_its_region_is_told_only_the_region_is_missing(officer, db):
    """A QA walk's complaint: a row with 项目名称 filled and no 地区代码 was told "新建项目需要填写
    「项目名称」和「地区代码」", as if the name were missing too."""
    from .test_import import row, xlsx

    user, _browser = officer
    told = messages(run(user, xlsx([row(项目名称="龙南市人民医院综合住院楼建设项目", **{"总投资（万元）": 900}),
                                    row(地区代码="360783", **{"总投资（万元）": 900})])))
    assert "第 2 行：新建项目需要填写「地区代码」" in told and "第 3 行：新建项目需要填写「项目名称」" in told, told
    assert "「项目名称」和「地区代码」" not in told, told


def test_the_english_preview_lists_the_choices_with_english_commas(officer, db):
    """A QA walk's complaint: "Must be one of: General hospital、TCM hospital、…" (and the missing
    columns likewise): the Chinese list separator in an English page."""
    from flask_babel import force_locale

    from .test_import import row, xlsx

    user, _browser = officer
    with force_locale("en"):
        told = messages(run(user, xlsx([row(项目名称="龙南市某项目", 地区代码="360783", 类别="不存在的类别")])))
        missing = messages(run(user, xlsx([["x"]], headers=["备注"])))
    assert "General hospital, TCM hospital" in told and "、" not in told, told
    assert "“Project name”, “Region code”" in missing and "、" not in missing, missing
