"""The import in a real browser (headless Chromium): a sheet that clears a value says so in bold,
and a double click on 确认导入 applies the sheet once."""

from __future__ import annotations

import io
import re

import openpyxl
from playwright.sync_api import expect

from ..live import scalar
from .test_browser import new_context, sign_in  # noqa: F401  (fixture and helper)

SEED_KEY = "longnan-t6-03"  # a Longnan project no other browser test changes
NEW = ["双击确认导入的新项目甲", "双击确认导入的新项目乙"]


def sheet(project_id: int) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["项目ID", "项目名称", "地区代码", "建设地点", "床位（张）"])
    ws.append([project_id, None, None, "（清空）", 99])
    for name in NEW:
        ws.append([None, name, "360783", None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_double_click_on_confirm_imports_the_sheet_once(new_context, live_tracker, artifacts):
    url = live_tracker.database_url
    project_id = scalar(url, "SELECT id FROM projects WHERE seed_key = :key", key=SEED_KEY)
    officer = sign_in(new_context(), "officer-4")
    officer.goto("/import")
    officer.set_input_files("#file", files=[{"name": "调度表.xlsx", "buffer": sheet(project_id),
                                             "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    officer.click("form.import-upload button[type=submit]")
    officer.wait_for_url("**/import/*")
    cleared = officer.locator(".import-cleared strong")
    assert "本次导入将清空 1 个已有数据" in cleared.inner_text()
    assert cleared.evaluate("e => getComputedStyle(e).fontWeight") in ("700", "bold")
    text = officer.inner_text("main")
    assert "新增 2 行" in text and "修改 1 行" in text
    officer.screenshot(path=str(artifacts / "import-preview.png"), full_page=True)

    officer.dblclick("form.import-confirm button[type=submit]")
    # The second click's navigation aborts the first's: wait for where the page ends up
    # (``wait_for_url`` fails on the aborted one, net::ERR_ABORTED), not for either navigation.
    expect(officer).to_have_url(re.compile(r".*/confirm$"), timeout=20_000)
    officer.wait_for_load_state()
    page = officer.inner_text("main")
    assert "导入完成" in page or "不会重复导入" in page, page[:2000]
    for name in NEW:
        assert scalar(url, "SELECT COUNT(*) FROM projects WHERE name = :n", n=name) == 1, name
    assert scalar(url, "SELECT location FROM projects WHERE id = :p", p=project_id) is None
    assert scalar(url, "SELECT beds FROM projects WHERE id = :p", p=project_id) == 99
    assert scalar(url, "SELECT COUNT(*) FROM audit_entries WHERE via = 'import' AND project_id = :p",
                  p=project_id) == 1
