"""Issue 16's "Done when", walked in Chromium with a plan that is not in the repository: a county's
十五五 plan (阳西县, written below) is added at /plans/new, its candidates confirmed (a coordinated
"推进A、B、C迁建项目" line gives three), one unfinished 十四五 project merged in as 续建, a generic
line rejected; the new projects are found under 十五五 in the list and on the dashboard, cited to
their lines; then the ended 十四五 plan of 阳江市 is evaluated, with an actual value entered, another
imported from its sheet, and the evaluation printed."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from pypdf import PdfReader

from ..live import scalar
from .test_browser import headline, new_context, sign_in  # noqa: F401 - the fixture and helpers

KEY = "yangxi-15th"
TITLE = "阳西县“十五五”卫生健康事业发展规划"
ENDED = "yangjiang-14th-health-plan"
YANGXI_15 = """# 阳西县“十五五”卫生健康事业发展规划

## 一、发展基础

“十四五”期间，阳西县总医院人民医院内科住院大楼已建成投入使用，县域医疗卫生服务能力明显提升。

## 二、主要指标

| 序号 | 指标 | 单位 | 2025年 | 2030年 | 指标属性 |
|---|---|---|---|---|---|
| 1 | 每千人口医疗卫生机构床位数 | 张 | 5.2 | ≥6.0 | 预期性 |
| 2 | 孕产妇死亡率 | /10万 | 9.8 | ≤9.5 | 约束性 |

## 三、重点任务

加强基层医疗卫生机构建设，提升服务能力。

推进阳西县人民医院、阳西县妇幼保健院、阳西县疾病预防控制中心迁建项目。

续建阳西县总医院公共卫生医院（第三人民医院）项目，总投资12000万元。

新建阳西县120急救指挥中心，建筑面积3500平方米，总投资2600万元。

推进阳西县全民健身中心建设。
"""
RELOCATED = ["阳西县人民医院迁建项目", "阳西县妇幼保健院迁建项目", "阳西县疾病预防控制中心迁建项目"]
CONTINUED = "阳西县总医院公共卫生医院（第三人民医院）"


def candidate(page, name: str):
    return page.locator("section.candidate", has=page.locator("h3", has_text=name))


def test_a_county_adds_its_15th_plan_carries_a_project_over_and_evaluates_the_ended_plan(
        new_context, live_tracker, tmp_path):  # noqa: F811
    path = tmp_path / "阳西县十五五规划.md"
    path.write_text(YANGXI_15, encoding="utf-8")
    admin = sign_in(new_context(), "admin-e2e")

    # Added in the browser.
    admin.goto("/plans")
    admin.click("text=添加规划")
    admin.set_input_files("#document", str(path))
    admin.fill("#key", KEY)
    admin.fill("#title", TITLE)
    admin.fill("#region", "441721")
    admin.fill("#period", "2026-2030")
    admin.click("main form button[type=submit]")
    admin.wait_for_url(f"**/plans/{KEY}/candidates")

    # The coordinated line is three candidates; the built facility and the generic sentence none.
    names = admin.locator("section.candidate h3").all_inner_texts()
    for name in RELOCATED:
        assert any(text.startswith(name) for text in names), names
    assert not any("内科住院大楼" in text or "基层医疗卫生机构" in text for text in names), names
    for name in RELOCATED + ["阳西县120急救指挥中心"]:
        candidate(admin, name).locator("text=采纳为新项目").click()
        admin.wait_for_load_state()
        assert "已采纳" in admin.inner_text(".flash.success"), name
    # The continued hospital is recognised as the 十四五 project; merged in, it is 续建.
    tracked = scalar(live_tracker.database_url,
                     "SELECT id FROM projects WHERE seed_key = 'yangjiang-yangxi-public-health-hospital'")
    merge = candidate(admin, CONTINUED)
    assert merge.locator("input[name=project_id]").input_value() == str(tracked)
    merge.locator("button", has_text="并入已有项目").click()
    admin.wait_for_load_state()
    assert "已并入已有项目" in admin.inner_text(".flash.success")
    admin.once("dialog", lambda dialog: dialog.accept())
    candidate(admin, "全民健身中心").locator("button", has_text="驳回").click()
    admin.wait_for_load_state()
    assert "已驳回" in admin.inner_text(".flash.success")

    # Under 十五五: in the list (the continued one marked) and on the dashboard.
    admin.goto("/projects?period=2026-2030&region=441721")
    rows = admin.locator("table.portfolio tbody tr")
    listed = rows.all_inner_texts()
    assert len(listed) == 5 and not any("全民健身" in row for row in listed), listed
    continued = [row for row in listed if "续建" in row]
    assert len(continued) == 1 and CONTINUED in continued[0]
    admin.goto("/projects?continued=1&region=441721")
    assert [text.split()[0] for text in rows.all_inner_texts()] == [
        scalar(live_tracker.database_url, "SELECT name FROM projects WHERE id = :id", id=tracked)]
    admin.goto("/dashboard?period=2026-2030&region=441721")
    assert headline(admin, "项目总数").endswith("5 个")

    # The continued project's page names both plans; a new project cites its line.
    admin.goto(f"/projects/{tracked}")
    carried = admin.inner_text("tr.carried")
    assert "阳江市卫生健康事业发展“十四五”规划" in carried and TITLE in carried
    emergency = scalar(live_tracker.database_url,
                       "SELECT id FROM projects WHERE name = '阳西县120急救指挥中心'")
    admin.goto(f"/projects/{emergency}")
    cite = admin.locator(f"a[href*='/plans/{KEY}/text#L']").first
    line = int(cite.get_attribute("href").rsplit("#L", 1)[1])
    cite.click()
    admin.wait_for_url(f"**/plans/{KEY}/text#L{line}")
    cited = admin.locator(f"li#L{line}")
    assert "总投资2600万元" in cited.inner_text()
    assert cited.evaluate("element => getComputedStyle(element).backgroundColor") == "rgb(255, 243, 191)"
    assert cited.locator(f"a[href='/projects/{emergency}']").count() == 1  # back to its project
    # Deep in a long plan, the lines just above a cited line stay in view, for context.
    admin.goto("/plans/longnan-14th-regional-plan/text#L200")
    assert admin.locator("li#L200").bounding_box()["y"] > 0
    above = admin.locator("li#L197").bounding_box()
    assert above is not None and above["y"] >= 0, above

    # The ended plan evaluated: indicators and outcomes, one actual entered, one imported, printed.
    admin.goto(f"/plans/{ENDED}/evaluation")
    page = admin.inner_text("main")
    assert "孕产妇死亡率" in page and "按期竣工" in page and "未开工" in page
    form = admin.locator("form[action$='/evaluation/actuals']")
    form.locator("select[name=indicator]").select_option(label="孕产妇死亡率")
    form.locator("input[name=year]").fill("2025")
    form.locator("input[name=value]").fill("7.2")
    form.locator("input[name=source]").fill("2025年阳江市卫生健康统计公报")
    form.locator("button[type=submit]").click()
    admin.wait_for_load_state()
    row = admin.locator("table.data tr", has=admin.locator("td", has_text="孕产妇死亡率")).first
    assert "7.2（2025）" in row.inner_text() and "达标" in row.inner_text()

    with admin.expect_download() as download:
        admin.click("text=下载本规划的实际值模板")
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    sheet = book.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    life = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 2).value == "人均预期寿命")
    sheet.cell(life, headers.index("实际值") + 1, "80.1")
    sheet.cell(life, headers.index("来源") + 1, "2025年阳江市统计年鉴")
    filled = tmp_path / "实际值.xlsx"
    book.save(filled)
    admin.set_input_files("input[name=file]", str(filled))
    admin.click("text=上传并预览")
    admin.wait_for_url(re.compile(r".*/evaluation/import/[A-Za-z0-9_-]{32}$"))
    assert "人均预期寿命" in admin.inner_text("table.import-rows")
    admin.click("text=确认导入 1 行")
    admin.wait_for_url(f"**/plans/{ENDED}/evaluation")
    assert "已导入 1 个指标实际值" in admin.inner_text(".flash.success")
    assert "80.1（2025）" in admin.inner_text("main")

    with admin.expect_download() as download:
        admin.click("text=导出 PDF")
    pages = PdfReader(io.BytesIO(download.value.path().read_bytes())).pages
    text = "".join(page.extract_text() for page in pages).replace("\n", "")
    assert "终期评估" in text and "7.2（2025）" in text and "80.1（2025）" in text
